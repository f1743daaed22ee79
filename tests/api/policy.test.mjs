// The policy matrix: every demo role (and an API token of each role) tries
// every admin route. The list of routes comes from `hearth routes`, so a new
// route whose action has no entry in MATRIX (or in ELSEWHERE, for actions a
// module's own test file covers) fails this file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, assertProblem, hearthRoutes, loginAllRoles, startServer, unique,
} from './harness.mjs';

/**
 * Expected access, keyed by action name. `allowed` lists the roles that may
 * perform it; `request(ctx)` gives the path parameters and body of a request
 * that succeeds when allowed (`ok` is the expected status then).
 */
const MATRIX = {
  'organisation.list': { allowed: ['admin', 'coordinator'], ok: 200, request: () => ({}) },
  'organisation.create': {
    allowed: ['admin'], ok: 201,
    request: (ctx) => ({ body: { name: `Matrix Org ${ctx.label}`, kind: 'partner' } }),
  },
  'organisation.update': {
    allowed: ['admin'], ok: 200,
    request: (ctx) => ({ params: { id: ctx.orgId }, body: { country: 'GB' } }),
  },
  'user.list': { allowed: ['admin'], ok: 200, request: () => ({}) },
  'user.create': {
    allowed: ['admin'], ok: 201,
    request: (ctx) => ({ body: { email: `matrix-${ctx.label}@example.org`, display_name: 'Matrix Person' } }),
  },
  'user.update': {
    allowed: ['admin'], ok: 204,
    request: (ctx) => ({ params: { id: ctx.userId }, body: { display_name: `Changed by ${ctx.label}` } }),
  },
  'membership.create': {
    allowed: ['admin'], ok: 201,
    request: (ctx) => ({ body: { user_id: ctx.userId, organisation_id: ctx.orgId, role: 'moderator' } }),
  },
  'membership.delete': { allowed: ['admin'], ok: 204, request: (ctx) => ({ params: { id: ctx.membershipId } }) },
  'token.list': { allowed: ['admin'], ok: 200, request: () => ({}) },
  'token.create': {
    allowed: ['admin'], ok: 201,
    request: (ctx) => ({ body: { name: `matrix-${ctx.label}`, role: 'funder', organisation_id: ctx.orgId } }),
  },
  'token.revoke': { allowed: ['admin'], ok: 204, request: (ctx) => ({ params: { id: ctx.tokenId } }) },
  'audit.read': { allowed: ['admin'], ok: 200, request: () => ({}) },
};

/** Actions every caller has (public) or every logged-in caller has (self). */
const UNIVERSAL = new Set(['public', 'self']);

/**
 * Guarded actions whose role matrix lives in another test file of this
 * folder (which runs its own matrix against `hearth routes`). A new action
 * must appear in MATRIX or here, and the named file must still mention it.
 */
const ELSEWHERE = {
  'people.test.mjs': [
    'participant.create', 'participant.search', 'participant.read', 'participant.update', 'participant.erase',
    'consent.record', 'self.participant', 'erasure.review', 'agreement.list', 'agreement.manage', 'retention.erase',
  ],
  'programmes.test.mjs': [
    'programme.read', 'programme.manage', 'session.edit', 'roster.read', 'training.read', 'training.manage',
    'listening.manage', 'listening.respond', 'theme.propose', 'theme.vote', 'enrolment.create', 'enrolment.read',
    'enrolment.answer', 'self.programme', 'participant.fit', 'support.request', 'support.manage', 'attendance.mark',
    'followup.act', 'followup.log', 'self.duty',
  ],
  'messages-email.test.mjs': ['outbox.manage'],
};

let server;
let clients; // role -> logged-in Client
let admin;

before(async () => {
  server = await startServer();
  clients = await loginAllRoles(server.url);
  admin = clients.admin;
});

after(async () => {
  await server?.stop();
});

function guardedRoutes() {
  return hearthRoutes().filter((r) => !r.public && !UNIVERSAL.has(r.action));
}

/** Fresh objects for one caller to act on: an organisation, a user with a
 * membership, and an API token. */
async function fixtures(label) {
  const org = await admin.post('/api/v1/organisations', { name: unique(`Fixture Org ${label}`), kind: 'arts' });
  assert.equal(org.status, 201, org.text);
  const user = await admin.post('/api/v1/users', { email: `${unique('fixture')}@example.org`, display_name: 'Fixture Person' });
  assert.equal(user.status, 201, user.text);
  const mem = await admin.post('/api/v1/memberships', { user_id: user.json.id, organisation_id: org.json.id, role: 'participant' });
  assert.equal(mem.status, 201, mem.text);
  const tok = await admin.post('/api/v1/tokens', { name: unique('fixture'), role: 'funder', organisation_id: org.json.id });
  assert.equal(tok.status, 201, tok.text);
  return { label, orgId: org.json.id, userId: user.json.id, membershipId: mem.json.id, tokenId: tok.json.id };
}

/** Asserts the fixtures and the would-be creations are untouched after a refused run. */
async function assertUntouched(ctx) {
  const orgs = await admin.get('/api/v1/organisations');
  assert.ok(!orgs.json.items.some((o) => o.name === `Matrix Org ${ctx.label}`), `${ctx.label}: an organisation was created despite 403`);
  const users = await admin.get('/api/v1/users?limit=500');
  assert.ok(!users.json.items.some((u) => u.email === `matrix-${ctx.label}@example.org`), `${ctx.label}: a user was created despite 403`);
  const u = users.json.items.find((x) => x.id === ctx.userId);
  assert.equal(u.display_name, 'Fixture Person', `${ctx.label}: the user was changed despite 403`);
  assert.deepEqual(u.memberships.map((m) => [m.id, m.role]), [[ctx.membershipId, 'participant']],
    `${ctx.label}: memberships changed despite 403`);
  const toks = await admin.get('/api/v1/tokens');
  assert.equal(toks.json.items.find((t) => t.id === ctx.tokenId).revoked_at, null, `${ctx.label}: the token was revoked despite 403`);
  assert.ok(!toks.json.items.some((t) => t.name === `matrix-${ctx.label}`), `${ctx.label}: a token was created despite 403`);
}

/** Runs every guarded route as `client` (whose role is `role`); returns failures. */
async function runMatrix(client, role, label) {
  const ctx = await fixtures(label);
  const failures = [];
  // Reads and creations first, then updates and deletions of the fixtures.
  const order = (r) => (r.method === 'GET' ? 0 : r.method === 'POST' ? 1 : 2);
  // Routes whose action has no MATRIX entry are reported by the coverage test
  // alone, so that one missing entry gives one clear failure.
  const routes = guardedRoutes().filter((r) => r.action in MATRIX).sort((a, b) => order(a) - order(b));
  for (const r of routes) {
    const entry = MATRIX[r.action];
    const { params = {}, body } = entry.request(ctx);
    const path = r.path.replace(/\{(\w+)\}/g, (_, n) => {
      assert.ok(params[n] !== undefined, `MATRIX['${r.action}'] gives no value for {${n}}`);
      return String(params[n]);
    });
    const res = await client.request(r.method, path, body === undefined ? {} : { body });
    const allowed = entry.allowed.includes(role);
    const what = `${label}: ${r.method} ${path} (${r.action})`;
    if (allowed) {
      if (res.status !== entry.ok) failures.push(`${what}: expected ${entry.ok}, got ${res.status} ${res.text.slice(0, 160)}`);
    } else if (res.status !== 403) {
      failures.push(`${what}: expected 403, got ${res.status} ${res.text.slice(0, 160)}`);
    } else {
      try {
        assertProblem(res, 403, { detail: `your role does not allow ${r.action}` });
      } catch (e) {
        failures.push(`${what}: ${e.message}`);
      }
    }
  }
  return { ctx, failures };
}

describe('policy matrix', () => {
  test('every guarded action in `hearth routes` has an entry in the expected matrix (and no entry is stale)', () => {
    const routes = guardedRoutes();
    const admin = routes.filter((r) => r.path.match(/^\/api\/v1\/(organisations|users|memberships|tokens|audit)\b/));
    assert.equal(admin.length, 12, `the 12 admin routes: ${admin.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    const elsewhere = new Map(Object.entries(ELSEWHERE).flatMap(([file, actions]) => actions.map((a) => [a, file])));
    const missing = [...new Set(routes.map((r) => r.action))].filter((a) => !(a in MATRIX) && !elsewhere.has(a));
    assert.deepEqual(missing, [], `routes with no policy matrix entry (add them to MATRIX in ${import.meta.url}): ${missing.join(', ')}`);
    const known = new Set(hearthRoutes().map((r) => r.action));
    const stale = Object.keys(MATRIX).filter((a) => !known.has(a));
    assert.deepEqual(stale, [], `MATRIX entries for actions no route uses: ${stale.join(', ')}`);
    for (const [action, file] of elsewhere) {
      const p = new URL(file, import.meta.url);
      assert.ok(fs.existsSync(p), `${file} (said to cover ${action}) exists`);
      assert.ok(fs.readFileSync(p, 'utf8').includes(`'${action}'`), `${file} has a matrix entry for ${action}`);
    }
  });

  for (const user of DEMO_USERS) {
    test(`role ${user.role} (${user.email}): allowed routes succeed, every other admin route is 403 with no effect`, async () => {
      const { ctx, failures } = await runMatrix(clients[user.role], user.role, user.role);
      assert.deepEqual(failures, []);
      if (user.role !== 'admin') await assertUntouched(ctx);
    });
  }

  for (const role of ['admin', 'coordinator', 'facilitator', 'clinician', 'peer_supporter', 'moderator', 'funder']) {
    test(`an API token with role ${role} gets the same answers as a ${role} session (no CSRF needed)`, async () => {
      const org = admin.user.memberships[0].organisation_id;
      const t = await admin.post('/api/v1/tokens', { name: unique(`matrix-token-${role}`), role, organisation_id: org });
      assert.equal(t.status, 201, t.text);
      const bot = new Client(server.url, { bearer: t.json.token });
      const label = `token-${role}`;
      const { ctx, failures } = await runMatrix(bot, role, label);
      assert.deepEqual(failures, []);
      if (role !== 'admin') await assertUntouched(ctx);
    });
  }

  test('GET /api/v1/meta states this matrix: each role lists exactly the actions MATRIX allows it, for anyone asking', async () => {
    const routes = hearthRoutes().filter((r) => r.path === '/api/v1/meta');
    assert.deepEqual(routes.map((r) => [r.method, r.action, r.public]), [['GET', 'public', true]]);
    const anon = await new Client(server.url).get('/api/v1/meta');
    assert.equal(anon.status, 200, anon.text);
    const failures = [];
    for (const [action, entry] of Object.entries(MATRIX)) {
      for (const role of anon.json.enums.roles) {
        const says = anon.json.roles[role].includes(action);
        if (says !== entry.allowed.includes(role)) failures.push(`${role} ${action}: meta says ${says}`);
      }
    }
    for (const role of anon.json.enums.roles) {
      for (const a of UNIVERSAL) if (!anon.json.roles[role].includes(a)) failures.push(`${role} lacks ${a}`);
    }
    const elsewhere = Object.values(ELSEWHERE).flat();
    for (const a of elsewhere) {
      if (!Object.values(anon.json.roles).some((list) => list.includes(a))) failures.push(`${a}: no role may`);
    }
    assert.deepEqual(failures, []);
    for (const user of DEMO_USERS) {
      const res = await clients[user.role].get('/api/v1/meta');
      assert.equal(res.status, 200, `${user.role}: ${res.text}`);
      assert.deepEqual(res.json.roles, anon.json.roles, `${user.role} sees the same policy`);
    }
  });

  test('anonymous callers get 401 (not 403) on every guarded route', async () => {
    const anon = new Client(server.url);
    for (const r of guardedRoutes()) {
      const path = r.path.replace(/\{\w+\}/g, '1');
      const res = await anon.request(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? {} : { body: {} });
      assertProblem(res, 401, { context: `${r.method} ${path}` });
    }
  });
});
