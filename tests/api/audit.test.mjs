// The audit log: paging and filters over the API, and `hearth audit verify`
// noticing entries that were changed, removed or forged in the database
// (on copies made with cloneDb and changed with plain SQL, on SQLite or
// PostgreSQL alike).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, assertProblem, cloneDb, dbQuery, loginAs, runCli, runCliAsync, startServer, unique,
} from './harness.mjs';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');

let server;
let admin;
const made = {};

before(async () => {
  server = await startServer();
  admin = await loginAs(server.url, ADMIN);
  // Some entries to find: an organisation and a user.
  const org = await admin.post('/api/v1/organisations', { name: unique('Audit Org'), kind: 'arts' });
  assert.equal(org.status, 201, org.text);
  made.orgId = org.json.id;
  made.orgRequestId = org.headers.get('x-request-id');
  const user = await admin.post('/api/v1/users', { email: `${unique('audited')}@example.org`, display_name: 'Audited Person' });
  assert.equal(user.status, 201, user.text);
  made.userId = user.json.id;
});

after(async () => {
  await server?.stop();
});

async function allEntries() {
  const res = await admin.get('/api/v1/audit?limit=500');
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

describe('GET /api/v1/audit', () => {
  test('lists entries newest first with the documented fields', async () => {
    const res = await admin.get('/api/v1/audit');
    assert.equal(res.status, 200, res.text);
    const items = res.json.items;
    assert.ok(items.length >= 3, `entries: ${res.text}`);
    assert.ok(items.length <= 50, 'default limit is 50');
    for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].id > items[i].id, 'ids strictly decrease');
    for (const e of items) {
      assert.equal(typeof e.id, 'number');
      assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      for (const k of ['action', 'resource', 'outcome', 'request_id']) assert.equal(typeof e[k], 'string', `${k} in ${JSON.stringify(e)}`);
      assert.ok(e.actor_id === null || typeof e.actor_id === 'number');
      assert.ok('next_after_id' in res.json);
      assert.ok(!('hash' in e) && !('prev_hash' in e), 'chain internals are not exposed');
    }
    const created = items.find((e) => e.resource === `organisation:${made.orgId}`);
    assert.ok(created, 'the organisation creation is audited');
    assert.equal(created.action, 'organisation.create');
    assert.equal(created.outcome, 'success');
    assert.equal(created.actor_id, admin.user.id);
    assert.equal(created.request_id, made.orgRequestId, 'the entry carries the X-Request-Id of the request');
  });

  test('limit and after_id page through older entries without gaps or overlaps', async () => {
    const all = await allEntries();
    const seen = [];
    let after_ = null;
    for (let page = 0; page < 100; page++) {
      const q = after_ === null ? '?limit=3' : `?limit=3&after_id=${after_}`;
      const res = await admin.get(`/api/v1/audit${q}`);
      assert.equal(res.status, 200, res.text);
      const items = res.json.items;
      assert.ok(items.length <= 3);
      if (after_ !== null) for (const e of items) assert.ok(e.id < after_, `after_id=${after_} returned newer entry ${e.id}`);
      seen.push(...items.map((e) => e.id));
      if (items.length === 3) assert.equal(res.json.next_after_id, items[2].id, 'next_after_id is the last id of a full page');
      else assert.equal(res.json.next_after_id, null, 'a short page ends the listing');
      if (res.json.next_after_id === null) break;
      after_ = res.json.next_after_id;
    }
    assert.deepEqual(seen, all.map((e) => e.id).filter((id) => id <= seen[0]));
  });

  test('filters: actor and resource', async () => {
    const byActor = await admin.get(`/api/v1/audit?actor=${admin.user.id}&limit=500`);
    assert.equal(byActor.status, 200);
    assert.ok(byActor.json.items.length >= 3);
    for (const e of byActor.json.items) assert.equal(e.actor_id, admin.user.id);
    assert.ok(byActor.json.items.some((e) => e.action === 'auth.login' && e.outcome === 'success'), 'logins are audited');

    const byResource = await admin.get(`/api/v1/audit?resource=${encodeURIComponent(`user:${made.userId}`)}`);
    assert.equal(byResource.status, 200);
    assert.deepEqual(byResource.json.items.map((e) => [e.action, e.resource]), [['user.create', `user:${made.userId}`]]);

    const none = await admin.get('/api/v1/audit?resource=user:999999999');
    assert.deepEqual(none.json.items, []);
    assert.equal(none.json.next_after_id, null);
  });

  test('a failed login is audited as a failure without naming the person', async () => {
    const c = new Client(server.url, { localAddress: '127.0.0.61' });
    const res = await c.login('unknown-person@example.org', 'wrong-password-here');
    assert.equal(res.status, 401);
    const entries = await allEntries();
    const e = entries.find((x) => x.request_id === res.json.request_id);
    assert.ok(e, 'the failed login has an audit entry with its request id');
    assert.equal(e.action, 'auth.login');
    assert.equal(e.outcome, 'failure');
    assert.equal(e.resource, 'user:unknown');
    assert.ok(!JSON.stringify(entries).includes('unknown-person'), 'emails never reach the audit log');
  });

  test('bad limit, after_id, actor or since → 400 naming the parameter', async () => {
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'limit=', 'limit=10x']) {
      assertProblem(await admin.get(`/api/v1/audit?${q}`), 400, { field: 'limit', context: q });
    }
    assertProblem(await admin.get('/api/v1/audit?after_id=abc'), 400, { field: 'after_id' });
    assertProblem(await admin.get('/api/v1/audit?actor=-5'), 400, { field: 'actor' });
    assertProblem(await admin.get('/api/v1/audit?since=yesterday'), 400, { field: 'since' });
    assertProblem(await admin.get('/api/v1/audit?until=2026-13-01T00:00:00Z'), 400, { field: 'until' });
    // Dates outside the window Hearth accepts anywhere (1900-2199) are named too.
    assertProblem(await admin.get('/api/v1/audit?since=2999-01-01T00:00:00Z'), 400, { field: 'since' });
  });

  test('since and until select by time', async () => {
    const future = await admin.get('/api/v1/audit?since=2199-01-01T00:00:00Z');
    assert.equal(future.status, 200);
    assert.deepEqual(future.json.items, []);
    const past = await admin.get('/api/v1/audit?until=2000-01-01');
    assert.deepEqual(past.json.items, []);
    const all = await admin.get('/api/v1/audit?since=2000-01-01&limit=500');
    assert.equal(all.json.items.length, (await allEntries()).length);
  });
});

describe('hearth audit verify', () => {
  test('concurrent writes: one name gives exactly one 201 (the rest 409), distinct names all 201', async () => {
    const name = unique('Contested Org');
    const same = await Promise.all(Array.from({ length: 10 }, () => admin.post('/api/v1/organisations', { name, kind: 'arts' })));
    const statuses = same.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)], same.map((r) => r.text).join('\n'));
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      admin.post('/api/v1/organisations', { name: unique(`Parallel Org ${i}`), kind: 'partner' })));
    assert.deepEqual(many.map((r) => r.status), Array(20).fill(201), many.map((r) => r.text).join('\n'));
    const entries = await allEntries();
    for (const r of many) {
      assert.equal(entries.filter((e) => e.resource === `organisation:${r.json.id}`).length, 1, `one audit entry for organisation ${r.json.id}`);
    }
  });

  test('passes on the live database while the server is serving', () => {
    const r = runCli(['audit', 'verify', '--db', server.db, '--key-file', server.keyFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /intact/);
  });

  test('passes on the live database while writes are in flight (it checks one consistent snapshot)', async () => {
    // Enough entries that walking the chain takes a moment, then writers that
    // keep appending while `audit verify` runs several times. A verifier that
    // reads the entries and the chain's head at different moments sees a head
    // ahead of the last entry it walked and reports entries "removed from the
    // end" that were only just added.
    const pre = await Promise.all(Array.from({ length: 150 }, (_, i) =>
      admin.post('/api/v1/organisations', { name: unique(`Verify Load ${i}`), kind: 'partner' })));
    assert.deepEqual([...new Set(pre.map((r) => r.status))], [201], pre.find((r) => r.status !== 201)?.text);
    let writing = true;
    let writes = 0;
    const failed = [];
    const writers = Array.from({ length: 6 }, async () => {
      while (writing) {
        const r = await admin.post('/api/v1/organisations', { name: unique('Verify During'), kind: 'partner' });
        if (r.status !== 201) failed.push(`${r.status} ${r.text}`);
        writes++;
      }
    });
    const runs = [];
    try {
      for (let i = 0; i < 6; i++) {
        const r = await runCliAsync(['audit', 'verify', '--db', server.db, '--key-file', server.keyFile]);
        runs.push(`exit ${r.code}: ${(r.stdout + r.stderr).trim()}`);
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    assert.deepEqual(failed, [], 'the writes themselves succeeded');
    assert.ok(writes >= 6, `writes were in flight during the checks (${writes})`);
    const bad = runs.filter((r) => !/^exit 0: audit chain intact/.test(r));
    assert.deepEqual(bad, [], `audit verify reported a broken chain while ${writes} writes went on:\n${runs.join('\n')}`);
  });

  test('detects changed, removed, truncated and forged entries (and passes an untouched copy)', async () => {
    await server.stop();
    // Each case changes its own copy (a file copy, or CREATE DATABASE ...
    // TEMPLATE on PostgreSQL) with plain SQL.
    const ids = dbQuery(server, 'SELECT id FROM audit_log ORDER BY id;').trim().split('\n').map(Number);
    assert.ok(ids.length >= 6, `enough entries to tamper with: ${ids.length}`);
    const copy = () => cloneDb(server);
    const verify = (db) => runCli(['audit', 'verify', '--db', db, '--key-file', server.keyFile]);

    const untouched = verify(copy());
    assert.equal(untouched.code, 0, untouched.stdout + untouched.stderr);
    assert.match(untouched.stdout, new RegExp(`intact: ${ids.length} entries`));

    const mid = ids[Math.floor(ids.length / 2)];
    const next = ids[ids.indexOf(mid) + 1];
    const last = ids[ids.length - 1];

    const changed = copy();
    dbQuery(changed, `UPDATE audit_log SET outcome = 'failure' WHERE id = ${mid};`);
    let r = verify(changed);
    assert.equal(r.code, 1, `changed outcome: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`BROKEN at entry ${mid}\\b`), r.stdout);

    const removed = copy();
    dbQuery(removed, `DELETE FROM audit_log WHERE id = ${mid};`);
    r = verify(removed);
    assert.equal(r.code, 1, `deleted middle entry: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`BROKEN at entry ${next}\\b`), r.stdout);

    const truncated = copy();
    dbQuery(truncated, `DELETE FROM audit_log WHERE id = ${last};`);
    r = verify(truncated);
    assert.equal(r.code, 1, `deleted last entry: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`BROKEN at entry ${last}\\b`), r.stdout);

    // A forged entry that follows the chain and moves the head, but cannot
    // have a valid keyed hash.
    const forged = copy();
    const forgedHash = 'ab'.repeat(32);
    dbQuery(forged, `
      INSERT INTO audit_log (id, at, actor_id, organisation_id, action, resource, outcome, request_id, prev_hash, hash)
        SELECT ${last + 1}, at + 1, actor_id, organisation_id, 'user.create', 'user:1', 'success', 'forged', hash, '${forgedHash}'
        FROM audit_log WHERE id = ${last};
      UPDATE audit_head SET last_id = ${last + 1}, last_hash = '${forgedHash}' WHERE id = 1;`);
    r = verify(forged);
    assert.equal(r.code, 1, `forged entry: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`BROKEN at entry ${last + 1}\\b`), r.stdout);

    // A changed hash on an otherwise untouched entry is caught too.
    const rehashed = copy();
    dbQuery(rehashed, `UPDATE audit_log SET hash = '${forgedHash}' WHERE id = ${ids[0]};`);
    r = verify(rehashed);
    assert.equal(r.code, 1, `changed hash: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`BROKEN at entry ${ids[0]}\\b`), r.stdout);
  });
});
