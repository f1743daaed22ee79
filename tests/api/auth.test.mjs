// Login, the current user, logout, CSRF, and the admin endpoints
// (organisations, users, memberships, API tokens).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, ROOT_ADMIN, assertProblem, loginAs, startServer, unique,
} from './harness.mjs';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');
const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');

let server;
let secure; // started with --secure-cookies
let admin;

before(async () => {
  [server, secure] = await Promise.all([
    startServer(),
    startServer({ demo: false, args: ['--secure-cookies'] }),
  ]);
  admin = await loginAs(server.url, ADMIN);
});

after(async () => {
  await Promise.all([server?.stop(), secure?.stop()]);
});

function sessionCookie(res) {
  return res.headers.getSetCookie().find((c) => c.startsWith('hearth_session='));
}

describe('login', () => {
  test('200 with user (email, memberships with role) and csrf_token; cookie HttpOnly, SameSite=Strict, not Secure on loopback', async () => {
    const c = new Client(server.url);
    const res = await c.login(ADMIN.email, ADMIN.password);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.email, ADMIN.email);
    assert.equal(typeof res.json.user.id, 'number');
    assert.ok(Array.isArray(res.json.user.memberships));
    const m = res.json.user.memberships.find((x) => x.role === 'admin');
    assert.ok(m, `admin membership in ${JSON.stringify(res.json.user.memberships)}`);
    assert.equal(m.organisation, ADMIN.organisation);
    assert.match(res.json.csrf_token, /^[0-9a-f]{64}$/);
    const sc = sessionCookie(res);
    assert.ok(sc, 'Set-Cookie hearth_session');
    assert.match(sc, /^hearth_session=[A-Za-z0-9_-]{20,};/);
    const attrs = sc.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), sc);
    assert.ok(attrs.includes('samesite=strict'), sc);
    assert.ok(attrs.includes('path=/'), sc);
    assert.ok(!attrs.includes('secure'), `no Secure on a plain loopback listener: ${sc}`);
    assert.ok(!JSON.stringify(res.json).includes(c.cookie.split('=')[1]), 'the session token is not in the body');
  });

  test('--secure-cookies marks the session cookie Secure', async () => {
    const res = await new Client(secure.url).login(ROOT_ADMIN.email, ROOT_ADMIN.password);
    assert.equal(res.status, 200, res.text);
    const attrs = sessionCookie(res).split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('secure'), sessionCookie(res));
  });

  test('the email is matched case-insensitively and trimmed', async () => {
    const res = await new Client(server.url).login(`  ${ADMIN.email.toUpperCase()} `, ADMIN.password);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.email, ADMIN.email);
  });

  test('wrong password and unknown email get the same 401 (no account enumeration)', async () => {
    // From its own address so these failures do not slow other logins.
    const c = new Client(server.url, { localAddress: '127.0.0.21' });
    const wrong = await c.login(ADMIN.email, 'not-the-right-password');
    const unknown = await c.login('nobody-here@riverside-arts.example', 'not-the-right-password');
    assertProblem(wrong, 401);
    assertProblem(unknown, 401);
    const strip = ({ request_id: _, ...rest }) => rest;
    assert.deepEqual(strip(unknown.json), strip(wrong.json));
    assert.deepEqual(Object.keys(unknown.json).sort(), Object.keys(wrong.json).sort());
    assert.equal(unknown.headers.get('content-type'), wrong.headers.get('content-type'));
    assert.equal(unknown.headers.get('set-cookie'), null);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  test('a missing field → 400 naming it', async () => {
    const c = new Client(server.url);
    assertProblem(await c.post('/api/v1/auth/login', { email: ADMIN.email }), 400, { field: 'password' });
    assertProblem(await c.post('/api/v1/auth/login', { password: 'whatever-password' }), 400, { field: 'email' });
    assertProblem(await c.post('/api/v1/auth/login', { email: ADMIN.email, password: '' }), 400, { field: 'password' });
    assertProblem(await c.post('/api/v1/auth/login', { email: ADMIN.email, password: null }), 400, { field: 'password' });
  });

  test('an invalid email → 400 naming email', async () => {
    const c = new Client(server.url);
    for (const email of ['not-an-email', 'a@b', '@example.org', 'a@@example.org', 'a b@example.org', 42]) {
      assertProblem(await c.post('/api/v1/auth/login', { email, password: 'whatever-password' }), 400,
        { field: 'email', context: JSON.stringify(email) });
    }
  });
});

describe('the current user and logout', () => {
  test('GET /api/v1/auth/me: 401 without a cookie, 200 with one', async () => {
    assertProblem(await new Client(server.url).get('/api/v1/auth/me'), 401);
    const me = await admin.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.email, ADMIN.email);
    assert.equal(me.json.csrf_token, admin.csrf);
  });

  test('GET /api/v1/auth/session: 200 {authenticated: false} for a visitor and a stale cookie, the user with one', async () => {
    const anon = await new Client(server.url).get('/api/v1/auth/session');
    assert.equal(anon.status, 200, anon.text);
    assert.deepEqual(anon.json, { authenticated: false });
    const mine = await admin.get('/api/v1/auth/session');
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.authenticated, true);
    assert.equal(mine.json.user.email, ADMIN.email);
    assert.equal(mine.json.csrf_token, admin.csrf);
    const c = await loginAs(server.url, COORDINATOR);
    assert.equal((await c.request('POST', '/api/v1/auth/logout')).status, 204);
    const stale = await c.get('/api/v1/auth/session');
    assert.equal(stale.status, 200, stale.text);
    assert.deepEqual(stale.json, { authenticated: false }, 'a signed-out cookie is nobody');
  });

  test('logout needs X-CSRF-Token (403 without, 204 with); the old cookie then gets 401', async () => {
    const c = await loginAs(server.url, COORDINATOR);
    const other = await loginAs(server.url, COORDINATOR); // a second session of the same person
    assertProblem(await c.request('POST', '/api/v1/auth/logout', { csrf: false }), 403);
    assert.equal((await c.get('/api/v1/auth/me')).status, 200, 'a refused logout leaves the session alive');
    const out = await c.request('POST', '/api/v1/auth/logout');
    assert.equal(out.status, 204, out.text);
    assert.match(sessionCookie(out) ?? '', /Max-Age=0/, 'logout clears the cookie');
    assertProblem(await c.get('/api/v1/auth/me'), 401);
    assert.equal((await other.get('/api/v1/auth/me')).status, 200, 'other sessions stay logged in');
  });
});

describe('CSRF', () => {
  test('a cookie-authenticated POST needs the right X-CSRF-Token: none → 403, wrong → 403, right → 201', async () => {
    const body = () => ({ name: unique('CSRF Org'), kind: 'arts' });
    assertProblem(await admin.post('/api/v1/organisations', body(), { csrf: false }), 403, { detail: 'CSRF' });
    assertProblem(await admin.post('/api/v1/organisations', body(), { headers: { 'X-CSRF-Token': '0'.repeat(64) } }), 403);
    assertProblem(await admin.post('/api/v1/organisations', body(), { headers: { 'X-CSRF-Token': '' } }), 403);
    const another = await loginAs(server.url, ADMIN);
    assert.notEqual(another.csrf, admin.csrf, 'each session has its own CSRF token');
    assertProblem(await admin.post('/api/v1/organisations', body(), { headers: { 'X-CSRF-Token': another.csrf } }), 403,
      { context: "another session's token" });
    const ok = await admin.post('/api/v1/organisations', body());
    assert.equal(ok.status, 201, ok.text);
  });

  test('PATCH and DELETE need the token too', async () => {
    assertProblem(await admin.patch('/api/v1/users/1', { display_name: 'x' }, { csrf: false }), 403);
    assertProblem(await admin.delete('/api/v1/tokens/1', { csrf: false }), 403);
  });

  test('bearer-token requests need no CSRF token', async () => {
    const org = admin.user.memberships[0].organisation_id;
    const t = await admin.post('/api/v1/tokens', { name: unique('csrf-test'), role: 'admin', organisation_id: org });
    assert.equal(t.status, 201, t.text);
    const bot = new Client(server.url, { bearer: t.json.token });
    const res = await bot.post('/api/v1/organisations', { name: unique('Bearer Org'), kind: 'partner' });
    assert.equal(res.status, 201, res.text);
  });
});

describe('admin endpoints', () => {
  const state = {};

  test('create an organisation → 201; a duplicate name → 409; a bad kind → 400', async () => {
    state.orgName = unique('Admin Org');
    const res = await admin.post('/api/v1/organisations', { name: state.orgName, kind: 'mental_health' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.name, state.orgName);
    assert.equal(res.json.kind, 'mental_health');
    assert.equal(typeof res.json.id, 'number');
    state.orgId = res.json.id;
    assertProblem(await admin.post('/api/v1/organisations', { name: state.orgName, kind: 'arts' }), 409);
    assertProblem(await admin.post('/api/v1/organisations', { name: unique('O'), kind: 'casino' }), 400, { field: 'kind' });
    assertProblem(await admin.post('/api/v1/organisations', { name: 'x', kind: 'arts' }), 400, { field: 'name' });
    const list = await admin.get('/api/v1/organisations');
    assert.equal(list.status, 200);
    assert.equal(list.json.items.filter((o) => o.name === state.orgName).length, 1);
  });

  test('create a user → 201; duplicate email (any case) → 409; short password → 400 naming password', async () => {
    state.email = `${unique('new-user')}@example.org`;
    state.password = `pw-${unique('secret')}`;
    const res = await admin.post('/api/v1/users', { email: state.email, display_name: 'New Person', password: state.password });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.email, state.email);
    state.userId = res.json.id;
    assertProblem(await admin.post('/api/v1/users', { email: state.email, display_name: 'Again' }), 409);
    assertProblem(await admin.post('/api/v1/users', { email: state.email.toUpperCase(), display_name: 'Again' }), 409);
    assertProblem(await admin.post('/api/v1/users', { email: `${unique('u')}@example.org`, display_name: 'S', password: 'elevenchars' }), 400, { field: 'password' });
  });

  test('add a membership → 201; unknown user → 400 naming user_id; unknown organisation → 400; duplicate → 409', async () => {
    const res = await admin.post('/api/v1/memberships', { user_id: state.userId, organisation_id: state.orgId, role: 'facilitator' });
    assert.equal(res.status, 201, res.text);
    state.membershipId = res.json.id;
    assertProblem(await admin.post('/api/v1/memberships', { user_id: 99999999, organisation_id: state.orgId, role: 'facilitator' }), 400, { field: 'user_id' });
    assertProblem(await admin.post('/api/v1/memberships', { user_id: state.userId, organisation_id: 99999999, role: 'facilitator' }), 400, { field: 'organisation_id' });
    assertProblem(await admin.post('/api/v1/memberships', { user_id: state.userId, organisation_id: state.orgId, role: 'overlord' }), 400, { field: 'role' });
    assertProblem(await admin.post('/api/v1/memberships', { user_id: state.userId, organisation_id: state.orgId, role: 'facilitator' }), 409);
    assertProblem(await admin.post('/api/v1/memberships', { user_id: '1', organisation_id: state.orgId, role: 'facilitator' }), 400, { field: 'user_id' });
  });

  test('GET /api/v1/users lists the new user with the membership and no password hash', async () => {
    const res = await admin.get('/api/v1/users?limit=500');
    assert.equal(res.status, 200);
    const u = res.json.items.find((x) => x.id === state.userId);
    assert.ok(u, 'the new user is listed');
    assert.equal(u.email, state.email);
    assert.equal(u.disabled, false);
    assert.deepEqual(u.memberships.map((m) => [m.organisation_id, m.role]), [[state.orgId, 'facilitator']]);
    assert.ok(!/password|argon2/i.test(res.text), 'no password or hash in the users list');
  });

  test('the new user can log in and sees their membership', async () => {
    state.client = new Client(server.url);
    const res = await state.client.login(state.email, state.password);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.user.memberships.map((m) => [m.organisation, m.role]), [[state.orgName, 'facilitator']]);
  });

  test('PATCH disabled:true → 204, their existing session is refused at once and login gives the usual 401', async () => {
    const res = await admin.patch(`/api/v1/users/${state.userId}`, { disabled: true });
    assert.equal(res.status, 204, res.text);
    assertProblem(await state.client.get('/api/v1/auth/me'), 401);
    const again = await new Client(server.url, { localAddress: '127.0.0.22' }).login(state.email, state.password);
    assertProblem(again, 401, { detail: 'the email or password is not right' });
    const list = await admin.get('/api/v1/users?limit=500');
    assert.equal(list.json.items.find((x) => x.id === state.userId).disabled, true);
    const back = await admin.patch(`/api/v1/users/${state.userId}`, { disabled: false });
    assert.equal(back.status, 204);
    assert.equal((await state.client.login(state.email, state.password)).status, 200, 're-enabled user can log in');
  });

  test('PATCH password ends the sessions; the new password works and the old one does not', async () => {
    const newPassword = `pw-${unique('changed')}`;
    assertProblem(await admin.patch(`/api/v1/users/${state.userId}`, { password: 'short' }), 400, { field: 'password' });
    const res = await admin.patch(`/api/v1/users/${state.userId}`, { password: newPassword, display_name: 'Renamed Person' });
    assert.equal(res.status, 204, res.text);
    assertProblem(await state.client.get('/api/v1/auth/me'), 401);
    const c = new Client(server.url, { localAddress: '127.0.0.23' });
    assertProblem(await c.login(state.email, state.password), 401);
    const ok = await c.login(state.email, newPassword);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.display_name, 'Renamed Person');
    state.client = c;
  });

  test('DELETE a membership → 204, it is gone from the users list; again → 404', async () => {
    const res = await admin.delete(`/api/v1/memberships/${state.membershipId}`);
    assert.equal(res.status, 204, res.text);
    const list = await admin.get('/api/v1/users?limit=500');
    assert.deepEqual(list.json.items.find((x) => x.id === state.userId).memberships, []);
    assertProblem(await admin.delete(`/api/v1/memberships/${state.membershipId}`), 404);
  });

  test('a logged-in user with no memberships can still GET /auth/me and log out', async () => {
    // state.client is logged in and has just lost their only membership.
    const me = await state.client.get('/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json.user.memberships, []);
    const out = await state.client.request('POST', '/api/v1/auth/logout');
    assert.equal(out.status, 204, out.text);
  });

  test('API tokens: created once with an hth_ secret, never listed, usable as Bearer, revoked → 401', async () => {
    const coordOrg = state.orgId;
    assertProblem(await admin.post('/api/v1/tokens', { name: 'x', role: 'participant', organisation_id: coordOrg }), 400, { field: 'role' });
    assertProblem(await admin.post('/api/v1/tokens', { name: 'x', role: 'coordinator', organisation_id: 99999999 }), 400, { field: 'organisation_id' });
    const name = unique('reporting-bot');
    const res = await admin.post('/api/v1/tokens', { name, role: 'coordinator', organisation_id: coordOrg });
    assert.equal(res.status, 201, res.text);
    const secret = res.json.token;
    assert.match(secret, /^hth_[A-Za-z0-9_-]{20,}$/);
    assert.equal(res.json.role, 'coordinator');
    const tokenId = res.json.id;

    const list = await admin.get('/api/v1/tokens');
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(secret), 'the secret is never listed');
    assert.ok(!list.text.includes(secret.slice(4)), 'not even without its prefix');
    const listed = list.json.items.find((t) => t.id === tokenId);
    assert.ok(listed, 'the token is listed');
    assert.equal(listed.name, name);
    assert.equal(listed.revoked_at, null);
    for (const t of list.json.items) {
      assert.ok(!('token' in t) && !('token_hash' in t), `token ${t.id} exposes a secret field`);
    }

    const bot = new Client(server.url, { bearer: secret });
    const orgs = await bot.get('/api/v1/organisations');
    assert.equal(orgs.status, 200, 'a coordinator token may list organisations');
    assertProblem(await bot.get('/api/v1/users'), 403);
    const me = await bot.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.token_id, tokenId);
    assert.ok(!('csrf_token' in me.json), 'no CSRF token for bearer callers');
    assertProblem(await bot.request('POST', '/api/v1/auth/logout'), 400);

    const rev = await admin.delete(`/api/v1/tokens/${tokenId}`);
    assert.equal(rev.status, 204, rev.text);
    assertProblem(await bot.get('/api/v1/organisations'), 401);
    assertProblem(await admin.delete(`/api/v1/tokens/${tokenId}`), 404);
    const after_ = await admin.get('/api/v1/tokens');
    assert.equal(typeof after_.json.items.find((t) => t.id === tokenId).revoked_at, 'number');
  });
});

// An existence check that could not run is an error, never "no such user":
// the database error is injected with HEARTH_TEST_FAULT_STEP (src/db/db.c).
describe('admin writes whose checks fail in the database', () => {
  const faulty = [];
  after(async () => {
    await Promise.all(faulty.map((s) => s.stop()));
  });

  async function withFault(spec) {
    const s = await startServer({ env: { HEARTH_TEST_FAULT_STEP: spec } });
    faulty.push(s);
    const a = await loginAs(s.url, ADMIN);
    const me = (await a.get('/api/v1/auth/me')).json.user;
    return { a, userId: me.id, orgId: me.memberships[0].organisation_id };
  }

  test('membership: the user check fails -> 500 and nothing written, not 400 "no such user"', async () => {
    const { a, userId, orgId } = await withFault('SELECT id FROM users WHERE id = ?@1');
    const res = await a.post('/api/v1/memberships', { user_id: userId, organisation_id: orgId, role: 'funder' });
    assertProblem(res, 500);
    // The fault is spent: the same request is then answered on its merits.
    const again = await a.post('/api/v1/memberships', { user_id: userId, organisation_id: orgId, role: 'funder' });
    assert.equal(again.status, 201, again.text);
  });

  test('token: the organisation check fails -> 500, not 400 "no such organisation"', async () => {
    const { a, orgId } = await withFault('SELECT 1 FROM organisations WHERE id = ?@1');
    const res = await a.post('/api/v1/tokens', { name: unique('bot'), role: 'funder', organisation_id: orgId });
    assertProblem(res, 500);
    const again = await a.post('/api/v1/tokens', { name: unique('bot'), role: 'funder', organisation_id: orgId });
    assert.equal(again.status, 201, again.text);
  });
});
