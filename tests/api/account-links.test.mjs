// One-time account links (issue 12) and email enumeration (issue 10,
// finding 1), against a real SMTP server on loopback (npm smtp-server):
// - forgot password: a known and an unknown address get byte-identical
//   answers; only the known one gets an email; its link sets a new password
//   once, ends every session of the account (and revokes nothing else),
//   expires, and a used, expired or tampered token is a 400 naming "token";
//   asking is limited per client address;
// - staff invite a participant by email: the link sets a password and
//   gives a login; a person with a login gets a 409;
// - self-registration answers the same for a known and an unknown address:
//   the owner of a known one is told someone tried, a newcomer gets their
//   invitation link; a participant moving their email to a taken address
//   gets the answer of a free one and the owner is told.
// SQLite, or PostgreSQL with HEARTH_TEST_PG_URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { smtp, until } from './mailbox.mjs';

import {
  Client, DEMO_USERS, ROOT_ADMIN, assertProblem, dbQuery, loginAs, sleep, startServer, unique,
} from './harness.mjs';

const coordinatorUser = DEMO_USERS.find((u) => u.role === 'coordinator');
const facilitatorUser = DEMO_USERS.find((u) => u.role === 'facilitator');
const adminUser = DEMO_USERS.find((u) => u.role === 'admin');

let box; // the SMTP server and what it received
let server;
let coordinator;
let admin;
let riverside;



const to = (address) => box.mails.filter((m) => m.to?.value?.some((v) => v.address === address.toLowerCase()));
/** The one-time link's token in the newest email to address whose link goes to route. */
async function linkToken(address, route, n = 1) {
  const mails = await until(() => {
    const got = to(address).filter((m) => (m.text || '').includes(`/#/${route}?t=`));
    return got.length >= n && got;
  }, { what: `${route} email to ${address}` });
  const m = mails[mails.length - 1];
  const token = new RegExp(`/#/${route}\\?t=([0-9a-f]{64})`).exec(m.text)?.[1];
  assert.ok(token, `no token in: ${m.text}`);
  return token;
}

let addrCounter = 0;
function freshAddress() {
  addrCounter += 1;
  return `127.77.${(addrCounter >> 8) & 255}.${addrCounter & 255 || 1}`;
}

before(async () => {
  box = await smtp();
  server = await startServer({
    env: {
      HEARTH_SMTP_URL: box.url,
      HEARTH_MAIL_FROM: 'Hearth Test <hearth@mail.example>',
      HEARTH_PUBLIC_URL: 'https://hearth.example',
      HEARTH_REGISTER_MIN_SECONDS: '0',
    },
  });
  [coordinator, admin] = await Promise.all([loginAs(server.url, coordinatorUser), loginAs(server.url, adminUser)]);
  const orgs = await admin.get('/api/v1/organisations');
  riverside = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
});

after(async () => {
  await server?.stop();
  await box?.close();
});

/** A participant of Riverside made by staff, with an email they may be sent. */
async function participant() {
  const email = `${unique('links')}@example.org`.toLowerCase();
  const res = await coordinator.post('/api/v1/participants', {
    name: unique('Linked Person'), email, organisation_ids: [riverside],
    consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
  });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, email };
}

/** A participant with a login made through an invitation link. */
async function participantWithLogin(password = 'a good long password 1') {
  const p = await participant();
  const inv = await coordinator.post(`/api/v1/participants/${p.id}/invite`);
  assert.equal(inv.status, 202, inv.text);
  const token = await linkToken(p.email, 'set-password');
  const res = await new Client(server.url).post('/api/v1/register/invite', { token, password });
  assert.equal(res.status, 201, res.text);
  return { ...p, password, userId: res.json.user_id };
}

describe('forgot password', () => {
  const reset = (email, address = freshAddress()) =>
    new Client(server.url, { localAddress: address }).post('/api/v1/auth/password-reset', { email });
  const complete = (token, password) =>
    new Client(server.url).post('/api/v1/auth/password-reset/complete', { token, password });

  test('a known and an unknown address get byte-identical answers; only the known one is emailed', async () => {
    const p = await participantWithLogin();
    const unknown = `${unique('nobody')}@example.org`;
    const t0 = Date.now();
    const a = await reset(p.email);
    const t1 = Date.now();
    const b = await reset(unknown);
    const t2 = Date.now();
    assert.equal(a.status, 202, a.text);
    assert.equal(b.status, 202, b.text);
    assert.equal(a.text, b.text);
    assert.deepEqual(a.json, { status: 'check_email' });
    for (const h of ['content-type', 'content-length', 'cache-control']) {
      assert.equal(a.headers.get(h), b.headers.get(h), `header ${h}`);
    }
    // About the same time: no slow work (no hashing) on either path.
    assert.ok(t1 - t0 < 1500 && t2 - t1 < 1500, `answered in ${t1 - t0} and ${t2 - t1} ms`);
    await linkToken(p.email, 'reset-password');
    await sleep(500);
    assert.equal(to(unknown).length, 0, 'nothing is sent to an unknown address');
    // The message is email only (never in an inbox), its token sealed.
    const row = dbQuery(server, `SELECT kind, in_inbox, params FROM messages WHERE user_id = ${p.userId} AND kind = 'password_reset';`).trim();
    assert.match(row, /^password_reset\|0\|/);
    assert.ok(!/[0-9a-f]{64}/.test(row), 'no token in the params');
  });

  test('the link sets the password once, ends every session of the account, and is audited', async () => {
    const p = await participantWithLogin();
    const other = await loginAs(server.url, { email: p.email, password: p.password });
    const third = await loginAs(server.url, { email: p.email, password: p.password });
    assert.equal((await other.get('/api/v1/auth/me')).status, 200);
    assert.equal((await reset(p.email.toUpperCase())).status, 202);
    const token = await linkToken(p.email, 'reset-password');
    // Nothing changes until the link is used.
    assert.equal((await other.get('/api/v1/auth/me')).status, 200);
    const newPassword = 'a brand new password 2';
    const done = await complete(token, newPassword);
    assert.equal(done.status, 204, done.text);
    for (const c of [other, third]) assertProblem(await c.get('/api/v1/auth/me'), 401);
    assert.equal((await new Client(server.url).login(p.email, p.password)).status, 401, 'the old password is gone');
    await loginAs(server.url, { email: p.email, password: newPassword });
    // Single use.
    assertProblem(await complete(token, 'yet another password 3'), 400, { field: 'token', detail: 'already used' });
    await loginAs(server.url, { email: p.email, password: newPassword });
    const audit = await admin.get(`/api/v1/audit?resource=${encodeURIComponent(`user:${p.userId}`)}&limit=50`);
    assert.equal(audit.status, 200, audit.text);
    const actions = audit.json.items.map((e) => e.action);
    assert.ok(actions.includes('auth.password_reset_request'), actions.join(','));
    assert.ok(actions.includes('auth.password_reset'), actions.join(','));
  });

  test('a staff account can reset too; its API tokens are not revoked', async () => {
    const email = `${unique('staff-reset')}@example.org`.toLowerCase();
    const root = await loginAs(server.url, ROOT_ADMIN);
    const made = await root.post('/api/v1/users', { email, display_name: 'Reset Staff', password: 'first staff password 1' });
    assert.equal(made.status, 201, made.text);
    const tok = await admin.post('/api/v1/tokens', { name: unique('kept'), role: 'coordinator', organisation_id: riverside });
    assert.equal(tok.status, 201, tok.text);
    const bearer = new Client(server.url, { bearer: tok.json.token });
    assert.equal((await bearer.get('/api/v1/programmes')).status, 200);
    const staff = await loginAs(server.url, { email, password: 'first staff password 1' });
    assert.equal((await reset(email)).status, 202);
    const token = await linkToken(email, 'reset-password');
    assert.equal((await complete(token, 'second staff password 2')).status, 204);
    assertProblem(await staff.get('/api/v1/auth/me'), 401);
    assert.equal((await bearer.get('/api/v1/programmes')).status, 200, 'an API token still works');
    await loginAs(server.url, { email, password: 'second staff password 2' });
  });

  test('an expired, tampered or unknown token → 400 naming "token"; a new link voids the older one', async () => {
    const p = await participantWithLogin();
    assert.equal((await reset(p.email)).status, 202);
    const first = await linkToken(p.email, 'reset-password');
    assert.equal((await reset(p.email)).status, 202);
    const second = await linkToken(p.email, 'reset-password', 2);
    assert.notEqual(first, second);
    assertProblem(await complete(first, 'some new password 11'), 400, { field: 'token' });
    const tampered = second.slice(0, -1) + (second.endsWith('0') ? '1' : '0');
    assertProblem(await complete(tampered, 'some new password 12'), 400, { field: 'token' });
    assertProblem(await complete('nonsense', 'some new password 13'), 400, { field: 'token' });
    // Expiry: the link's time is moved into the past underneath.
    dbQuery(server, `UPDATE account_links SET expires_at = expires_at - 1801 WHERE user_id = ${p.userId} AND used_at IS NULL;`);
    assertProblem(await complete(second, 'some new password 14'), 400, { field: 'token', detail: 'expired' });
    await loginAs(server.url, { email: p.email, password: p.password });
    // A bad password is named as such, the link kept.
    assertProblem(await complete(second, 'short'), 400, { field: 'password' });
  });

  test('asking is limited per client address (429 with Retry-After), whatever the address asked about', async () => {
    const address = freshAddress();
    for (let i = 0; i < 20; i++) {
      const res = await reset(`${unique('flood')}@example.org`, address);
      assert.equal(res.status, 202, `request ${i}: ${res.text}`);
    }
    const over = await reset(`${unique('flood')}@example.org`, address);
    assertProblem(over, 429);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.equal((await reset(`${unique('flood')}@example.org`)).status, 202, 'another address is not limited');
  });

  test('one address gets at most 5 links an hour; beyond that the answer is the same and nothing is sent', async () => {
    const p = await participantWithLogin();
    for (let i = 0; i < 7; i++) assert.equal((await reset(p.email)).status, 202);
    await linkToken(p.email, 'reset-password', 5);
    await sleep(1000);
    assert.equal(to(p.email).filter((m) => m.text.includes('/#/reset-password?t=')).length, 5);
  });
});

describe('staff invite a participant by email', () => {
  test('the link sets a password and gives a login; it works once; then the person has a login (409)', async () => {
    const p = await participant();
    const inv = await coordinator.post(`/api/v1/participants/${p.id}/invite`);
    assert.equal(inv.status, 202, inv.text);
    assert.deepEqual(inv.json, { status: 'sent', valid_days: 7 });
    const token = await linkToken(p.email, 'set-password');
    const anon = new Client(server.url);
    assertProblem(await anon.post('/api/v1/register/invite', { token, password: 'short' }), 400, { field: 'password' });
    const res = await anon.post('/api/v1/register/invite', { token, password: 'an invited password 1' });
    assert.equal(res.status, 201, res.text);
    const me = await loginAs(server.url, { email: p.email, password: 'an invited password 1' });
    assert.equal((await me.get('/api/v1/me/profile')).json.id, p.id);
    assertProblem(await anon.post('/api/v1/register/invite', { token, password: 'an invited password 2' }), 400, { field: 'token' });
    assertProblem(await coordinator.post(`/api/v1/participants/${p.id}/invite`), 409, { field: 'id' });
    // The account code stays the fallback (and is refused the same way now).
    assertProblem(await coordinator.post(`/api/v1/participants/${p.id}/account-code`), 409);
    const staff = await coordinator.get(`/api/v1/participants/${p.id}`);
    assert.equal(staff.json.has_account, true);
  });

  test('an expired invitation → 400 token; the policy and scope of the account-code route', async () => {
    const p = await participant();
    assert.equal((await coordinator.post(`/api/v1/participants/${p.id}/invite`)).status, 202);
    const token = await linkToken(p.email, 'set-password');
    dbQuery(server, `UPDATE account_links SET expires_at = expires_at - ${8 * 86400} WHERE participant_id = ${p.id};`);
    assertProblem(await new Client(server.url).post('/api/v1/register/invite', { token, password: 'too late password 1' }), 400, { field: 'token' });
    const facilitator = await loginAs(server.url, facilitatorUser);
    assertProblem(await facilitator.post(`/api/v1/participants/${p.id}/invite`), 403);
    const missing = await coordinator.post('/api/v1/participants/987654321/invite');
    assertProblem(missing, 404);
  });
});

describe('email enumeration (issue 10, finding 1)', () => {
  async function register(email, address = freshAddress()) {
    const anon = new Client(server.url, { localAddress: address });
    const form = (await anon.get('/api/v1/register/form')).json;
    return anon.post('/api/v1/register', {
      form_token: form.form_token, organisation_id: riverside, name: unique('Joiner'), email,
      consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
    });
  }

  test('registering a known and an unknown address: the same answer; the owner is told; the newcomer gets their link', async () => {
    const owner = await participant();
    const fresh = `${unique('newcomer')}@example.org`.toLowerCase();
    const known = await register(owner.email.toUpperCase());
    const unknown = await register(fresh);
    assert.equal(known.status, 202, known.text);
    assert.equal(unknown.status, 202, unknown.text);
    assert.equal(known.text, unknown.text);
    assert.deepEqual(known.json, { status: 'check_email' });
    assert.equal(known.headers.get('content-type'), unknown.headers.get('content-type'));
    // The owner: a note that someone tried, no link to anything of theirs.
    const note = await until(() => to(owner.email).find((m) => m.text.includes('/#/login')), { what: 'the note to the owner' });
    assert.ok(!/[?&]t=[0-9a-f]{64}/.test(note.text), 'the note carries no token');
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM participants WHERE id > ${owner.id} AND status = 'active';`).trim() >= '1', true);
    // The newcomer: an invitation link that gives them a login.
    const token = await linkToken(fresh, 'set-password');
    const made = await new Client(server.url).post('/api/v1/register/invite', { token, password: 'newcomer password 1' });
    assert.equal(made.status, 201, made.text);
    const me = await loginAs(server.url, { email: fresh, password: 'newcomer password 1' });
    assert.equal((await me.get('/api/v1/me/profile')).json.email, fresh);
  });

  test('a participant moving their email to a taken one gets the answer of a free one; nothing changes; the owner is told', async () => {
    const owner = await participant();
    const mover = await participantWithLogin();
    const client = await loginAs(server.url, { email: mover.email, password: mover.password });
    const before = to(owner.email).length;
    const taken = await client.patch('/api/v1/me/profile', { email: owner.email });
    const free = await client.patch('/api/v1/me/profile', { pronouns: 'they/them' });
    assert.equal(taken.status, 204, taken.text);
    assert.equal(taken.text, free.text);
    assert.equal((await client.get('/api/v1/me/profile')).json.email, mover.email);
    await until(() => to(owner.email).length > before, { what: 'the note to the owner' });
  });
});
