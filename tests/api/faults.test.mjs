// A statement that fails in the middle of a list is an error, never a short
// list: the server answers a 500 problem (not a 200 with the rows read so
// far), and a safety check that could not run does not pass. The database
// error is injected with HEARTH_TEST_FAULT_STEP="SQL-FRAGMENT@N" (src/db/db.c:
// the N-th step of statements containing the fragment fails).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { assertProblem, loginAllRoles, startServer } from './harness.mjs';

const servers = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function withFault(spec) {
  const server = await startServer({ env: { HEARTH_TEST_FAULT_STEP: spec } });
  servers.push(server);
  return { server, as: await loginAllRoles(server.url) };
}

/** The id of the first session of the first demo programme that has one. */
async function firstSession(client) {
  for (const p of (await client.get('/api/v1/programmes')).json.items) {
    const sessions = (await client.get(`/api/v1/programmes/${p.id}/sessions`)).json.items;
    if (sessions?.length) return sessions[0].id;
  }
  assert.fail('the demo has sessions');
}

describe('a statement failing mid-list', () => {
  test('the organisations list: 500, not the first row alone', async () => {
    // The demo has several organisations; the second step (second row) fails.
    const { as } = await withFault('FROM organisations ORDER BY name@2');
    const res = await as.admin.get('/api/v1/organisations');
    assertProblem(res, 500);
    assert.ok(!('items' in (res.json || {})), 'no partial list');
    // The fault is spent: the same request then answers the whole list.
    const again = await as.admin.get('/api/v1/organisations');
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.items.length >= 2);
  });

  test('the venues list: 500, not a short list', async () => {
    const { as } = await withFault('FROM venues WHERE (?1 = 0 OR organisation_id@2');
    const res = await as.coordinator.get('/api/v1/venues');
    assertProblem(res, 500);
    const again = await as.coordinator.get('/api/v1/venues');
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.items.length >= 2, 'the demo has venues');
  });

  test('a session\'s roster: 500, not an empty roster', async () => {
    const { as } = await withFault('d.role FROM roster d WHERE d.session_id = ?1@1');
    const sessionId = await firstSession(as.coordinator);
    assertProblem(await as.coordinator.get(`/api/v1/sessions/${sessionId}/roster`), 500);
    const again = await as.coordinator.get(`/api/v1/sessions/${sessionId}/roster`);
    assert.equal(again.status, 200, again.text);
  });

  test('a programme\'s team: 500, not a programme with half its team', async () => {
    // The demo's therapeutic programme names an artist facilitator and a
    // mental-health partner; the second row of its team fails.
    const { as } = await withFault('FROM programme_team t WHERE t.programme_id = ?1@2');
    const programmes = (await as.coordinator.get('/api/v1/programmes')).json.items;
    const p = programmes.find((x) => x.therapeutic);
    assert.ok(p, 'the demo has a therapeutic programme');
    const res = await as.coordinator.get(`/api/v1/programmes/${p.id}`);
    assertProblem(res, 500);
    assert.ok(!('team' in (res.json || {})), 'no partial team');
    const again = await as.coordinator.get(`/api/v1/programmes/${p.id}`);
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.team.length >= 2, 'the whole team');
  });
  test('a team member\'s name: 500, not a team with a name missing', async () => {
    // Programmes read staff names through auth.h (auth_user_names), one
    // lookup per person; the second lookup fails.
    const { as } = await withFault('SELECT display_name FROM users WHERE id = ?1@2');
    const programmes = (await as.coordinator.get('/api/v1/programmes')).json.items;
    const p = programmes.find((x) => x.therapeutic);
    assert.ok(p, 'the demo has a therapeutic programme');
    const res = await as.coordinator.get(`/api/v1/programmes/${p.id}`);
    assertProblem(res, 500);
    assert.ok(!('team' in (res.json || {})), 'no team without names');
    const again = await as.coordinator.get(`/api/v1/programmes/${p.id}`);
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.team.length >= 2 && again.json.team.every((m) => m.name), 'the whole team, named');
  });

  test('the staff list: 500, not a short list', async () => {
    // The staff list is read through auth.h (auth_staff_list); its second row fails.
    const { as } = await withFault('m.role IN (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)@2');
    assertProblem(await as.coordinator.get('/api/v1/staff'), 500);
    const again = await as.coordinator.get('/api/v1/staff');
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.items.length >= 2, 'the demo has staff');
  });

  test('a session\'s register: 500 when its heading cannot be read, not a register without its session', async () => {
    // The register's own query runs first; the session heading after it
    // (PROGRAMS_SESSION_COLUMNS end with s.updated_at).
    const { as } = await withFault('s.updated_at FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1@1');
    const sessionId = await firstSession(as.coordinator);
    assertProblem(await as.coordinator.get(`/api/v1/sessions/${sessionId}/attendance`), 500);
    const again = await as.coordinator.get(`/api/v1/sessions/${sessionId}/attendance`);
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.session, 'the heading is there');
  });
});

describe('a consent or sharing check that cannot run does not read as "no"', () => {
  test('enrolling a person whose consent cannot be read: 500, not 403 "has not consented"', async () => {
    // Set up on a server without the fault, then start the same data again
    // with it, so that the first consent read is the enrolment's.
    const setup = await startServer();
    const as = await loginAllRoles(setup.url);
    const person = await as.coordinator.post('/api/v1/participants', {
      name: 'Consent Fault Person', email: `consent-fault-${Date.now()}@example.org`,
      consents: [{ purpose: 'participation', granted: true }],
    });
    assert.equal(person.status, 201, person.text);
    const programmes = (await as.coordinator.get('/api/v1/programmes')).json.items;
    const open = programmes.filter((p) => p.status === 'published');
    assert.ok(open.length, 'the demo has a published programme');
    const dir = setup.dir;
    await setup.stop();
    const server = await startServer({ dir, env: { HEARTH_TEST_FAULT_STEP: 'SELECT c.granted FROM consents c@1' } });
    servers.push(server);
    const coordinator = (await loginAllRoles(server.url)).coordinator;
    const res = await coordinator.post(`/api/v1/programmes/${open[0].id}/enrolments`, { participant_id: person.json.id });
    assertProblem(res, 500);
    const again = await coordinator.post(`/api/v1/programmes/${open[0].id}/enrolments`, { participant_id: person.json.id });
    assert.equal(again.status, 201, again.text);
  });
});
