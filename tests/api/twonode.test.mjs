// Two `hearth serve` processes on different ports against one PostgreSQL
// database with the same key file, as behind a load balancer: sessions,
// CSRF tokens and API tokens work on either node; logout, disabling and
// revocation take effect on both at once; login lockout counts across
// nodes; concurrent writes through both nodes lose nothing (the audit
// chain's head row is what every write contends on); checks that read then
// write (a per-hour limit, "asking twice is the same request") hold under
// concurrency, and so do a programme's places (never more than its
// capacity, freed places offered once, in waitlist order); a node survives
// its database connections being dropped; nodes starting together on new
// databases all start. Runs only with
// HEARTH_TEST_PG_URL (tests/run-all.sh's second pass); startNodes() in
// harness.mjs makes the nodes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, ROOT_ADMIN, assertProblem, createPgDatabase, dbQuery, loginAs, pgDatabaseName, psql, runCliAsync,
  sqliteDatabase, startNodes, startServer, unique,
} from './harness.mjs';

const SKIP = process.env.HEARTH_TEST_PG_URL ? false : 'two nodes need PostgreSQL';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');
const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');

/** {status: count} of a list of responses. */
function statusCounts(responses) {
  const counts = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** A client on another node with the same session (cookie and CSRF token). */
function sameSessionOn(node, client) {
  const c = new Client(node.url);
  c.cookie = client.cookie;
  c.csrf = client.csrf;
  return c;
}

async function verifyAudit(node) {
  const r = await runCliAsync(['audit', 'verify', '--db', node.db, '--key-file', node.keyFile]);
  assert.equal(r.code, 0, `audit verify: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /intact/);
  return r.stdout;
}

// Every group of nodes is started (and stopped) in parallel with the others:
// a node takes about 2 s to stop.
let pair; // sessions, tokens, and the read-then-write checks (fast self-registration)
let lockPair; // lock after 4 failures
let loadPair; // 32 threads each, no login limits in reach
let single; // one node whose connections are cut

before(async () => {
  if (SKIP) return;
  const groups = await Promise.allSettled([
    startNodes(2, { threads: 16, env: { HEARTH_REGISTER_MIN_SECONDS: '0', HEARTH_REGISTER_PER_HOUR: '5' } }),
    startNodes(2, {
      demo: false,
      env: {
        HEARTH_LOGIN_SLOW_AFTER: '100',
        HEARTH_LOGIN_LOCK_AFTER: '4',
        HEARTH_LOGIN_ADDR_SLOW_AFTER: '1000',
        HEARTH_LOGIN_ADDR_LOCK_AFTER: '1000',
      },
    }),
    startNodes(2, {
      threads: 32,
      env: {
        HEARTH_LOGIN_SLOW_AFTER: '1000',
        HEARTH_LOGIN_LOCK_AFTER: '1000',
        HEARTH_LOGIN_ADDR_SLOW_AFTER: '100000',
        HEARTH_LOGIN_ADDR_LOCK_AFTER: '100000',
      },
    }),
    startNodes(1, { threads: 4 }),
  ]);
  [pair, lockPair, loadPair, single] = groups.map((g) => (g.status === 'fulfilled' ? g.value : undefined));
  const failed = groups.find((g) => g.status === 'rejected');
  if (failed) throw failed.reason;
});

const stopLater = []; // servers started inside tests

after(async () => {
  const results = await Promise.allSettled([
    ...[pair, lockPair, loadPair, single].filter(Boolean).map((g) => g.stopAll()),
    ...stopLater.map((s) => s.stop()),
  ]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
});

describe('sessions, CSRF and API tokens across two nodes', () => {
  test('a login on node A gives a cookie that works on node B, and its csrf_token works for a POST on B', { skip: SKIP }, async () => {
    const [a, b] = pair;
    assert.equal(a.db, b.db);
    assert.notEqual(a.url, b.url);
    for (const n of pair) assert.equal((await new Client(n.url).get('/api/v1/health')).json.db, 'postgres');
    const onA = await loginAs(a.url, ADMIN);
    const onB = sameSessionOn(b, onA);
    const me = await onB.get('/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.email, ADMIN.email);
    assert.equal(me.json.csrf_token, onA.csrf, 'B derives the same CSRF token from the session (same key file)');
    const name = unique('Made On B');
    const created = await onB.post('/api/v1/organisations', { name, kind: 'arts' });
    assert.equal(created.status, 201, created.text);
    const listed = await onA.get('/api/v1/organisations');
    assert.ok(listed.json.items.some((o) => o.id === created.json.id && o.name === name), 'A sees what was written through B');
    // And the CSRF check itself is enforced on B.
    assertProblem(await onB.post('/api/v1/organisations', { name: unique('No CSRF'), kind: 'arts' }, { csrf: false }), 403);
  });

  test('logout on node A: the same cookie is refused on node B at once', { skip: SKIP }, async () => {
    const [a, b] = pair;
    const onA = await loginAs(a.url, COORDINATOR);
    const onB = sameSessionOn(b, onA);
    assert.equal((await onB.get('/api/v1/auth/me')).status, 200);
    const out = await onA.request('POST', '/api/v1/auth/logout');
    assert.equal(out.status, 204, out.text);
    assertProblem(await onB.get('/api/v1/auth/me'), 401);
    assertProblem(await onB.post('/api/v1/organisations', { name: unique('After Logout'), kind: 'arts' }), 401);
  });

  test('disabling a user through node A ends their session on node B at once', { skip: SKIP }, async () => {
    const [a, b] = pair;
    const admin = await loginAs(a.url, ADMIN);
    const person = { email: `${unique('two-node')}@example.org`, password: 'two-node-password-1' };
    const made = await admin.post('/api/v1/users', { email: person.email, display_name: 'Two Node', password: person.password });
    assert.equal(made.status, 201, made.text);
    const onB = await loginAs(b.url, person);
    assert.equal((await onB.get('/api/v1/auth/me')).status, 200);
    const off = await admin.patch(`/api/v1/users/${made.json.id}`, { disabled: true });
    assert.equal(off.status, 204, off.text);
    assertProblem(await onB.get('/api/v1/auth/me'), 401);
  });

  test('an API token created on A works on B; revoked on B it is refused on A at once', { skip: SKIP }, async () => {
    const [a, b] = pair;
    const admin = await loginAs(a.url, ADMIN);
    const org = admin.user.memberships.find((m) => m.role === 'admin').organisation_id;
    const made = await admin.post('/api/v1/tokens', { name: unique('two-node token'), role: 'admin', organisation_id: org });
    assert.equal(made.status, 201, made.text);
    const onB = new Client(b.url, { bearer: made.json.token });
    const onA = new Client(a.url, { bearer: made.json.token });
    const listed = await onB.get('/api/v1/organisations');
    assert.equal(listed.status, 200, `the token works on B: ${listed.text}`);
    assert.equal((await onA.get('/api/v1/organisations')).status, 200, 'and on A');
    const revoked = await sameSessionOn(b, admin).delete(`/api/v1/tokens/${made.json.id}`);
    assert.equal(revoked.status, 204, revoked.text);
    assertProblem(await onA.get('/api/v1/organisations'), 401);
    assertProblem(await onB.get('/api/v1/organisations'), 401);
  });
});

describe('login lockout counts across nodes (HEARTH_LOGIN_LOCK_AFTER=4)', () => {
  test('2 wrong passwords through A and 2 through B → the next attempt on either node, even with the right password, is 429', { skip: SKIP }, async () => {
    const [a, b] = lockPair;
    const wrong = 'not-the-root-password';
    for (const n of [a, a, b, b]) {
      assertProblem(await new Client(n.url).login(ROOT_ADMIN.email, wrong), 401, { context: `wrong password via ${n.url}` });
    }
    for (const n of [a, b]) {
      const res = await new Client(n.url).login(ROOT_ADMIN.email, ROOT_ADMIN.password);
      assertProblem(res, 429, { context: `right password via ${n.url} after 4 failures across both nodes` });
      assert.ok(res.json.retry_after >= 800, res.text);
    }
  });
});

describe('concurrent writes through both nodes lose nothing', () => {
  test('200 concurrent POST /api/v1/organisations (100 per node) → all 201, all listed, one audit entry each, chain intact', { skip: SKIP }, async () => {
    const admin = await loginAs(loadPair[0].url, ADMIN);
    const clients = loadPair.map((n) => sameSessionOn(n, admin));
    const names = Array.from({ length: 200 }, (_, i) => unique(`Concurrent Org ${i}`));
    const responses = await Promise.all(names.map((name, i) => clients[i % 2].post('/api/v1/organisations', { name, kind: 'partner' })));
    assert.deepEqual(statusCounts(responses), { 201: 200 }, responses.filter((r) => r.status !== 201).map((r) => r.text).join('\n'));
    const ids = responses.map((r) => r.json.id);
    assert.equal(new Set(ids).size, 200, 'every organisation has its own id');

    for (const c of clients) {
      const listed = new Set((await c.get('/api/v1/organisations')).json.items.map((o) => o.name));
      assert.deepEqual(names.filter((n) => !listed.has(n)), [], 'every organisation is listed on both nodes');
    }

    await verifyAudit(loadPair[0]);
    const created = dbQuery(loadPair[0], "SELECT resource FROM audit_log WHERE action = 'organisation.create' ORDER BY id;")
      .trim().split('\n');
    const perOrg = new Map();
    for (const r of created) perOrg.set(r, (perOrg.get(r) ?? 0) + 1);
    for (const id of ids) assert.equal(perOrg.get(`organisation:${id}`), 1, `one organisation.create entry for organisation ${id}`);
    // The head advanced once per entry: ids 1..n without gaps or repeats.
    const [count, maxId, headId] = dbQuery(loadPair[0],
      'SELECT (SELECT count(*) FROM audit_log), (SELECT max(id) FROM audit_log), (SELECT last_id FROM audit_head);')
      .trim().split('|').map(Number);
    assert.deepEqual({ maxId, headId }, { maxId: count, headId: count }, 'audit ids are 1..n and the head is at n');
  });

  test('200 concurrent failed logins for one email through both nodes are all counted', { skip: SKIP }, async () => {
    dbQuery(loadPair[0], 'DELETE FROM login_throttle;');
    const attempts = Array.from({ length: 200 }, (_, i) => new Client(loadPair[i % 2].url).login(COORDINATOR.email, `wrong-${i}-password`));
    const responses = await Promise.all(attempts);
    assert.deepEqual(statusCounts(responses), { 401: 200 }, responses.filter((r) => r.status !== 401).map((r) => r.text).join('\n'));
    // One row for the account and one for the address (all from 127.0.0.1),
    // each counting every failure.
    const rows = dbQuery(loadPair[0], 'SELECT failures FROM login_throttle ORDER BY key;').trim().split('\n').map(Number);
    assert.deepEqual(rows, [200, 200], 'acct and addr failure counters');
    assert.equal(Number(dbQuery(loadPair[0], 'SELECT MAX(failures) FROM login_throttle;').trim()), 200);
    await verifyAudit(loadPair[0]);
  });
});

describe('read-then-write checks hold under concurrency through two nodes', () => {
  test('60 concurrent self-registrations from one address through both nodes (HEARTH_REGISTER_PER_HOUR=5) → exactly 5 × 201, the rest 429', { skip: SKIP }, async () => {
    const form = (await new Client(pair[0].url).get('/api/v1/register/form')).json;
    const org = form.organisations.find((o) => o.name === 'Riverside Community Arts').id;
    const rounds = [];
    for (let round = 0; round < 2; round++) {
      dbQuery(pair[0], 'DELETE FROM login_throttle;');
      const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => new Client(pair[i % 2].url).post('/api/v1/register', {
        form_token: form.form_token,
        organisation_id: org,
        name: unique('Concurrent Registrant'),
        email: `${unique('concurrent-reg')}@example.org`,
        consents: [{ purpose: 'participation', granted: true }],
      })));
      rounds.push(statusCounts(responses));
    }
    assert.deepEqual(rounds, [{ 202: 5, 429: 55 }, { 202: 5, 429: 55 }],
      'the per-hour limit is checked and counted atomically (as on SQLite, where the write transaction serialises it)');
  });

  test('20 concurrent erasure requests by one person through both nodes → one pending request (asking twice is the same request)', { skip: SKIP }, async () => {
    const participant = DEMO_USERS.find((u) => u.role === 'participant');
    const me = await loginAs(pair[0].url, participant);
    const clients = pair.map((n) => sameSessionOn(n, me));
    const rounds = [];
    for (let round = 0; round < 3; round++) {
      dbQuery(pair[0], 'DELETE FROM erasure_requests;');
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 2].post('/api/v1/me/erasure-request', {})));
      assert.deepEqual(statusCounts(responses), { 202: 20 }, responses.map((r) => r.text).join('\n'));
      rounds.push({
        requestIdsAnswered: new Set(responses.map((r) => r.json.request_id)).size,
        pendingRows: Number(dbQuery(pair[0], "SELECT count(*) FROM erasure_requests WHERE status = 'pending';").trim()),
      });
    }
    const one = { requestIdsAnswered: 1, pendingRows: 1 };
    assert.deepEqual(rounds, [one, one, one]);
  });
});

describe('programme places under concurrency through two nodes', () => {
  test('24 concurrent enrolments into a programme of 4 places through both nodes → exactly 4 enrolled, 20 waitlisted in order; a freed place is offered once', { skip: SKIP }, async () => {
    const coordinator = await loginAs(pair[0].url, COORDINATOR);
    const onB = sameSessionOn(pair[1], coordinator);
    const org = coordinator.user.memberships.find((m) => m.role === 'coordinator').organisation_id;
    const start = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const prog = await coordinator.post('/api/v1/programmes', {
      organisation_id: org, title: unique('Concurrent places'), art_form: 'music', languages: ['en'],
      format: 'online', online_link: 'https://meet.example.org/x', capacity: 4, timezone: 'Europe/London',
      start_date: start, start_time: '18:00', duration_minutes: 60, rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    assert.equal(prog.status, 201, prog.text);
    assert.equal((await coordinator.post(`/api/v1/programmes/${prog.json.id}/publish`, {})).status, 200);
    const people = [];
    for (let i = 0; i < 24; i++) {
      const res = await coordinator.post('/api/v1/participants', {
        name: unique('Concurrent Enrollee'), email: `${unique('enrol')}@example.org`,
        organisation_ids: [org], consents: [{ purpose: 'participation', granted: true }],
      });
      assert.equal(res.status, 201, res.text);
      people.push(res.json.id);
    }
    const responses = await Promise.all(people.map((id, i) => (i % 2 ? onB : coordinator)
      .post(`/api/v1/programmes/${prog.json.id}/enrolments`, { participant_id: id })));
    assert.deepEqual(statusCounts(responses), { 201: 24 }, responses.map((r) => r.text).join('\n'));
    const count = (status) => Number(dbQuery(pair[0],
      `SELECT count(*) FROM enrolments WHERE programme_id = ${prog.json.id} AND status = '${status}';`).trim());
    assert.equal(count('enrolled'), 4, 'never more places than the capacity');
    assert.equal(count('waitlisted'), 20);
    const enrolled = responses.filter((r) => r.json.status === 'enrolled');
    const waiting = responses.filter((r) => r.json.status === 'waitlisted');
    assert.equal(enrolled.length, 4);
    // Two places freed at once, one through each node: two offers, to the first two waiting.
    const firstWaiting = waiting.map((r) => r.json.id).sort((a, b) => a - b).slice(0, 2);
    const freed = await Promise.all(enrolled.slice(0, 2).map((r, i) => (i ? onB : coordinator).delete(`/api/v1/enrolments/${r.json.id}`)));
    for (const r of freed) assert.ok(r.status === 200 || r.status === 204, r.text);
    assert.equal(count('enrolled'), 2);
    const offered = dbQuery(pair[0],
      `SELECT id FROM enrolments WHERE programme_id = ${prog.json.id} AND status = 'offered' ORDER BY id;`)
      .trim().split(/\s+/).filter(Boolean).map(Number);
    assert.deepEqual(offered, firstWaiting, 'the first two on the waitlist are offered the places, once each');
  });
});

describe('a node and its PostgreSQL connections', () => {
  test('after PostgreSQL drops every connection of a node (a restart or failover), the node recovers within a few requests', { skip: SKIP }, async () => {
    const [node] = single;
    const admin = await loginAs(node.url, ADMIN);
    // Use every pooled connection, so each has prepared statements.
    for (let i = 0; i < 8; i++) assert.equal((await admin.get('/api/v1/organisations')).status, 200);
    const name = pgDatabaseName(node.db);
    const killed = Number(psql(process.env.HEARTH_TEST_PG_URL,
      `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid();`).trim());
    assert.ok(killed >= 1, `connections of the node were terminated (${killed})`);
    // Each pooled connection may fail once while it notices; after that
    // every request must succeed again.
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await admin.get('/api/v1/organisations')).status);
    const tail = statuses.slice(8);
    assert.deepEqual(tail, Array(tail.length).fill(200), `statuses after the connections were dropped: ${statuses.join(' ')}`);
    const write = await admin.post('/api/v1/organisations', { name: unique('After Reconnect'), kind: 'arts' });
    assert.equal(write.status, 201, write.text);
  });
});

describe('nodes starting together on new databases', () => {
  test('4 nodes started at once on an empty database with an empty PostgreSQL key store (the several-nodes setup of docs/privacy.md) all start, and migrate once', { skip: SKIP }, async () => {
    // The main database's migrations take a lock; the key store's table
    // must be created as safely. Three rounds, as the race is a narrow one.
    const failures = [];
    for (let round = 0; round < 3; round++) {
      const { dir, keyFile } = sqliteDatabase({ demo: false }); // only its key file is used
      const db = createPgDatabase();
      const keyStore = createPgDatabase({ prefix: 'hearth_keys' });
      const started = await Promise.allSettled(Array.from({ length: 4 }, () =>
        startServer({ dir, dbUrl: db, keyFile, env: { HEARTH_KEY_STORE: keyStore } })));
      for (const r of started) {
        if (r.status === 'fulfilled') stopLater.push(r.value);
        else failures.push(`round ${round + 1}: ${r.reason.message.split('\n').filter((l) => l.startsWith('hearth')).join(' ')}`);
      }
      const versions = dbQuery(db, 'SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version;').trim();
      assert.ok(versions.split('\n').every((l) => l.endsWith('|1')), `each migration recorded once: ${versions}`);
      const up = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      const applied = up.flatMap((s) => s.stderr().split('\n').filter((l) => l.includes('applied migration')));
      assert.equal(applied.length, versions.split('\n').length, `each migration applied by one node:\n${applied.join('\n')}`);
    }
    assert.deepEqual(failures, [], 'nodes that failed to start');
  });
});
