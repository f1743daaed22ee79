// Facilitators and attendance (issue 13): a facilitator moves, cancels or
// otherwise edits only the sessions they run (the programme's team) or are
// on the roster of; elsewhere in their organisation they are refused (403,
// saying so), another organisation's sessions keep the uniform 403/404 of
// docs/api.md, coordinators and admins are unchanged. Attendance is taken
// from 15 minutes before a session starts, never earlier, by anyone: 409
// naming starts_at.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL). The server's clock cannot be moved from outside, so
// a session is moved in time in the database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_PASSWORD, DEMO_USERS, assertProblem, dbQuery, loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';

let server;
let as;
let librarian; // facilitator of Eastgate Library (another organisation)
const ORG = {};
const UID = {};
const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const NOT_YOURS = 'you can change only the sessions you run or are on the roster of';
const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);

before(async () => {
  server = await startServer();
  [as, librarian] = await Promise.all([
    loginAllRoles(server.url),
    loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD }),
  ]);
  for (const u of DEMO_USERS) UID[u.role] = as[u.role].user.id;
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
});

after(async () => {
  if (server) await server.stop();
});

async function programme({ publish = true, team } = {}) {
  const start = Date.now() + 7 * DAY;
  const v = await as.coordinator.post('/api/v1/venues', {
    organisation_id: ORG.riverside, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [],
  });
  assert.equal(v.status, 201, v.text);
  const body = {
    organisation_id: ORG.riverside, title: unique('Programme'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity: 4, therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start),
    start_time: '17:30', duration_minutes: 90, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=4`,
    venue_id: v.json.id,
  };
  if (team) body.team = team;
  const res = await as.coordinator.post('/api/v1/programmes', body);
  assert.equal(res.status, 201, res.text);
  if (publish) assert.equal((await as.coordinator.post(`/api/v1/programmes/${res.json.id}/publish`)).status, 200);
  const sessions = await as.coordinator.get(`/api/v1/programmes/${res.json.id}/sessions`);
  assert.equal(sessions.status, 200, sessions.text);
  return { ...res.json, sessions: sessions.json.items };
}

const later = (s, minutes) => new Date(Date.parse(s.starts_at) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const startsAt = async (id) => (await as.coordinator.get(`/api/v1/sessions/${id}`)).json.starts_at;

describe('a facilitator edits only the sessions they run', () => {
  test('not on the roster nor in the team: refused, nothing changed; rostered: allowed, that session only', async () => {
    const p = await programme();
    const [s0, s1] = p.sessions;
    // Move, cancel, change the link: each refused with the same words.
    for (const body of [
      { starts_at: later(s0, 30) },
      { status: 'cancelled', cancel_reason: 'Unwell' },
      { venue_id: s0.venue_id },
    ]) {
      assertProblem(await as.facilitator.patch(`/api/v1/sessions/${s0.id}`, body), 403, { detail: NOT_YOURS });
    }
    assert.equal(await startsAt(s0.id), s0.starts_at, 'unchanged');
    // The session says so, for the page to offer only what works.
    assert.equal((await as.facilitator.get(`/api/v1/sessions/${s0.id}`)).json.may_edit, false);
    assert.equal((await as.coordinator.get(`/api/v1/sessions/${s0.id}`)).json.may_edit, true);
    assert.equal((await as.participant.get(`/api/v1/sessions/${s0.id}`)).json.may_edit, false);
    assert.equal((await as.coordinator.get(`/api/v1/sessions/${s0.id}`)).json.status, 'published');

    // On the roster of s0 (any role there): s0 yes, s1 no.
    const entry = await as.coordinator.post(`/api/v1/sessions/${s0.id}/roster`, { user_id: UID.facilitator, role: 'co_facilitator' });
    assert.equal(entry.status, 201, entry.text);
    assert.equal((await as.facilitator.get(`/api/v1/sessions/${s0.id}`)).json.may_edit, true);
    assert.equal((await as.facilitator.get(`/api/v1/sessions/${s1.id}`)).json.may_edit, false);
    const moved = await as.facilitator.patch(`/api/v1/sessions/${s0.id}`, { starts_at: later(s0, 30) });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.starts_at, later(s0, 30));
    assertProblem(await as.facilitator.patch(`/api/v1/sessions/${s1.id}`, { starts_at: later(s1, 30) }), 403, { detail: NOT_YOURS });
    const cancelled = await as.facilitator.patch(`/api/v1/sessions/${s0.id}`, { status: 'cancelled', cancel_reason: 'Unwell' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.status, 'cancelled');

    // Taken off the roster: refused again.
    assert.equal((await as.coordinator.delete(`/api/v1/roster/${entry.json.id}`)).status, 204);
    assertProblem(await as.facilitator.patch(`/api/v1/sessions/${s0.id}`, { status: 'published' }), 403, { detail: NOT_YOURS });
  });

  test('in the programme\'s team: every session of it', async () => {
    const p = await programme({ team: [{ user_id: UID.facilitator, role: 'artist_facilitator' }] });
    for (const s of p.sessions.slice(0, 2)) {
      const res = await as.facilitator.patch(`/api/v1/sessions/${s.id}`, { starts_at: later(s, 15) });
      assert.equal(res.status, 200, res.text);
    }
  });

  test('coordinators and admins edit any session of their organisation; a peer supporter none', async () => {
    const p = await programme();
    for (const [role, s] of [['coordinator', p.sessions[0]], ['admin', p.sessions[1]]]) {
      const res = await as[role].patch(`/api/v1/sessions/${s.id}`, { starts_at: later(s, 10) });
      assert.equal(res.status, 200, `${role}: ${res.text}`);
    }
    assertProblem(await as.peer_supporter.patch(`/api/v1/sessions/${p.sessions[2].id}`, { starts_at: later(p.sessions[2], 10) }), 403,
      { detail: 'your role does not allow session.edit' });
  });

  test('another organisation\'s sessions: the uniform answers, not the roster one', async () => {
    const pub = await programme();
    const draft = await programme({ publish: false });
    const body = (s) => ({ starts_at: later(s, 30) });
    const foreign = await librarian.patch(`/api/v1/sessions/${pub.sessions[0].id}`, body(pub.sessions[0]));
    assertProblem(foreign, 403);
    assert.notEqual(foreign.json.detail, NOT_YOURS);
    const hidden = await librarian.patch(`/api/v1/sessions/${draft.sessions[0].id}`, body(draft.sessions[0]));
    const missing = await librarian.patch('/api/v1/sessions/99999999', body(draft.sessions[0]));
    assertProblem(hidden, 404);
    assertProblem(missing, 404);
    assert.deepEqual({ ...hidden.json, request_id: 0 }, { ...missing.json, request_id: 0 });
  });
});

describe('attendance is taken once a session has started', () => {
  test('earlier than 15 minutes before the start: 409 naming starts_at, for everyone; from then on: marked', async () => {
    const p = await programme();
    const res = await as.coordinator.post('/api/v1/participants', {
      name: unique('Person'), email: `${unique('p')}@example.org`, organisation_ids: [ORG.riverside],
      consents: [{ purpose: 'participation', granted: true }],
    });
    assert.equal(res.status, 201, res.text);
    const pid = res.json.id;
    assert.equal((await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: pid })).status, 201);
    const s = p.sessions[0].id;
    const url = `/api/v1/sessions/${s}/attendance`;
    const marks = { marks: [{ participant_id: pid, status: 'present' }] };
    const at = (offset) => {
      const now = Math.floor(Date.now() / 1000);
      dbQuery(server, `UPDATE programme_sessions SET starts_at = ${now + offset}, ends_at = ${now + offset + 5400} WHERE id = ${s}`);
    };
    // A week ahead, and 20 minutes ahead: refused for every role that marks.
    for (const role of ['facilitator', 'coordinator', 'admin', 'peer_supporter']) {
      assertProblem(await as[role].post(url, marks), 409, { field: 'starts_at', detail: 'has not started yet' });
    }
    at(20 * 60);
    assertProblem(await as.facilitator.post(url, marks), 409, { field: 'starts_at' });
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM attendance WHERE session_id = ${s}`).trim(), '0', 'nothing written');
    // The register can still be read before the start.
    assert.equal((await as.facilitator.get(url)).status, 200);
    // 10 minutes ahead (people arriving early): marked.
    at(10 * 60);
    let ok = await as.facilitator.post(url, marks);
    assert.equal(ok.status, 200, ok.text);
    // Under way and after it ended: marked (corrections).
    at(-3600);
    ok = await as.facilitator.post(url, { marks: [{ participant_id: pid, status: 'late' }] });
    assert.equal(ok.status, 200, ok.text);
    at(-3 * 86400);
    ok = await as.coordinator.post(url, { marks: [{ participant_id: pid, status: 'absent' }] });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(dbQuery(server, `SELECT status FROM attendance WHERE session_id = ${s} AND participant_id = ${pid}`).trim(), 'absent');
  });
});
