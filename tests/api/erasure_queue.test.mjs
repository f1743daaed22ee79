// Erasure requests that go somewhere visible (issue: "Erasure requests go
// nowhere visible"): the person sees their request pending and cannot pile
// up new ones; staff of the person's organisation see a flag on the record;
// admins have a queue with the person's organisations; a refusal carries a
// reason the person reads, sealed with their key (never in the database in
// the clear); asking again after a refusal is a new request; approving
// erases.
//
// One server of its own with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL): the test erases a demo participant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO_PASSWORD, ROOT_ADMIN, assertProblem, dbQuery, loginAllRoles, loginAs, startServer, unique } from './harness.mjs';

let server;
let as;
let teo; // participant3@example.org, a demo participant with a login
let teoId;

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  teo = await loginAs(server.url, { email: 'participant3@example.org', password: DEMO_PASSWORD });
  const me = await teo.get('/api/v1/me/profile');
  assert.equal(me.status, 200, me.text);
  teoId = me.json.id;
});

after(async () => {
  if (server) await server.stop();
});

const queue = async (status) => {
  const res = await as.admin.get(`/api/v1/erasure-requests${status ? `?status=${status}` : ''}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.filter((x) => x.participant_id === teoId);
};

describe('an erasure request the person, their staff and the admins can follow', () => {
  let first;

  test('before asking, the person has no request', async () => {
    const me = await teo.get('/api/v1/me/profile');
    assert.equal(me.json.erasure_request, null);
    const rec = await as.coordinator.get(`/api/v1/participants/${teoId}`);
    assert.equal(rec.json.erasure_request, null);
  });

  test('asking makes one pending request, shown to the person; asking again is the same request', async () => {
    const res = await teo.post('/api/v1/me/erasure-request');
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json.status, 'pending');
    first = res.json.request_id;
    const again = await teo.post('/api/v1/me/erasure-request');
    assert.equal(again.status, 202, again.text);
    assert.equal(again.json.request_id, first, 'no second request');
    const me = await teo.get('/api/v1/me/profile');
    assert.equal(me.json.erasure_request.status, 'pending');
    assert.equal(me.json.erasure_request.id, first);
    assert.ok(!Number.isNaN(Date.parse(me.json.erasure_request.requested_at)));
    assert.equal((await queue('pending')).length, 1);
  });

  test('staff of the person\'s organisation see the flag on the record; a partner does not', async () => {
    const rec = await as.coordinator.get(`/api/v1/participants/${teoId}`);
    assert.equal(rec.status, 200, rec.text);
    assert.equal(rec.json.erasure_request.status, 'pending');
    assert.equal(rec.json.erasure_request.id, first);
    const fac = await as.facilitator.get(`/api/v1/participants/${teoId}`);
    assert.equal(fac.json.erasure_request.status, 'pending');
  });

  test('the admin queue names the person\'s organisations; only admins see it', async () => {
    const [item] = await queue('pending');
    const orgs = (await as.admin.get('/api/v1/organisations')).json.items;
    const riverside = orgs.find((o) => o.name === 'Riverside Community Arts').id;
    assert.deepEqual(item.organisation_ids, [riverside]);
    assert.equal(item.erased, false);
    for (const role of ['coordinator', 'facilitator', 'clinician', 'participant']) {
      assertProblem(await as[role].get('/api/v1/erasure-requests'), 403, { context: role });
    }
  });

  test('an admin of another organisation (the first admin, of "Hearth" only) sees none of Riverside\'s requests; approving or refusing one is answered as a missing id', async () => {
    const root = await loginAs(server.url, ROOT_ADMIN);
    const orgs = (await as.admin.get('/api/v1/organisations')).json.items;
    const riverside = orgs.find((o) => o.name === 'Riverside Community Arts').id;
    assert.deepEqual([...new Set(root.user.memberships.map((m) => `${m.organisation}:${m.role}`))], ['Hearth:admin'], 'root is an admin of "Hearth" only');
    for (const status of ['', 'pending', 'approved', 'rejected']) {
      const res = await root.get(`/api/v1/erasure-requests${status ? `?status=${status}` : ''}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(!res.json.items.some((x) => x.participant_id === teoId || x.organisation_ids?.includes(riverside)),
        `Riverside's requests listed to another organisation's admin (${status || 'all'}): ${res.text.slice(0, 300)}`);
    }
    // Status and body, without the request id, with the id blanked: the
    // same as for a request that does not exist.
    const NONE = 987654321;
    const answer = (res) => {
      const body = { ...res.json };
      delete body.request_id;
      delete body.instance;
      return { status: res.status, body: JSON.stringify(body).replace(new RegExp(`\\b(${first}|${NONE})\\b`, 'g'), '<id>') };
    };
    for (const [verb, body] of [['approve', undefined], ['reject', { reason: 'Not from another organisation' }]]) {
      const theirs = await root.post(`/api/v1/erasure-requests/${first}/${verb}`, body);
      const none = await root.post(`/api/v1/erasure-requests/${NONE}/${verb}`, body);
      assertProblem(none, 404, { context: `${verb} a missing request` });
      assert.deepEqual(answer(theirs), answer(none), `${verb}: another organisation's request is not answered as a missing one`);
    }
    // Nothing happened: still pending, for the person and for Riverside's admin.
    assert.equal((await teo.get('/api/v1/me/profile')).json.erasure_request.status, 'pending');
    const [item] = await queue('pending');
    assert.equal(item?.id, first);
    assert.equal(item.erased, false);
  });

  test('a refusal carries a reason the person reads; it is sealed, never in the database in the clear', async () => {
    const reason = unique('There is an open safeguarding review; we will ask you again in March');
    const res = await as.admin.post(`/api/v1/erasure-requests/${first}/reject`, { reason });
    assert.equal(res.status, 204, res.text);
    const me = await teo.get('/api/v1/me/profile');
    assert.equal(me.json.erasure_request.status, 'rejected');
    assert.equal(me.json.erasure_request.reason, reason);
    assert.ok(me.json.erasure_request.decided_at);
    // Not a pending flag for staff any more.
    assert.equal((await as.coordinator.get(`/api/v1/participants/${teoId}`)).json.erasure_request, null);
    const stored = dbQuery(server, `SELECT COALESCE(reason, '') FROM erasure_requests WHERE id = ${first}`).trim();
    assert.equal(stored, '', 'the clear-text column is not written');
    const sealed = dbQuery(server, `SELECT COUNT(*) FROM erasure_requests WHERE id = ${first} AND reason_sealed IS NOT NULL`).trim();
    assert.equal(sealed, '1');
    // Refusing twice is refused.
    assertProblem(await as.admin.post(`/api/v1/erasure-requests/${first}/reject`, { reason: 'again please' }), 404);
  });

  test('after a refusal the person may ask again: a new pending request', async () => {
    const res = await teo.post('/api/v1/me/erasure-request');
    assert.equal(res.status, 202, res.text);
    assert.ok(res.json.request_id > first);
    const me = await teo.get('/api/v1/me/profile');
    assert.equal(me.json.erasure_request.status, 'pending');
    assert.ok(!('reason' in me.json.erasure_request));
  });

  test('approving erases the person; the queue then says so', async () => {
    const [item] = await queue('pending');
    const res = await as.admin.post(`/api/v1/erasure-requests/${item.id}/approve`);
    assert.equal(res.status, 204, res.text);
    assertProblem(await as.coordinator.get(`/api/v1/participants/${teoId}`), 410);
    const decided = await queue('approved');
    assert.equal(decided.length, 1);
    assert.equal(decided[0].erased, true);
    // The refused request's reason can no longer be read by anyone.
    const rejected = await queue('rejected');
    assert.equal(rejected.length, 1);
    assert.ok(!('reason' in rejected[0]));
  });
});
