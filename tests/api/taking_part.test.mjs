// Taking part: sessions that fit a person (ranking and reasons), enrolment
// with capacity and a waitlist (automatic offers, accept, decline, expiry,
// consent needed and withdrawn), a participant's own places and sessions,
// supports and their ledger, attendance taken in batches (sat-out rules,
// last mark wins, cancelled sessions), follow-up after two absences and its
// log, and the role and organisation checks of each.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL). Every test makes its own venues, programmes and
// people, so the demo's programmes only ever add rows around them. An offer
// expiring is simulated by moving its offer_expires_at into the past in the
// database (the server has no clock to shift from outside).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_PASSWORD, assertProblem, dbQuery, loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';

let server;
let as; // role -> Client (DEMO_USERS)
let p2; // participant2@example.org (Noor)
let librarian; // facilitator of Eastgate Library (another organisation)
const ORG = {};
const SELF = {}; // participant ids of the participant logins

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const POLICY_DENIED = /^your role does not allow /;

before(async () => {
  server = await startServer();
  [as, p2, librarian] = await Promise.all([
    loginAllRoles(server.url),
    loginAs(server.url, { email: 'participant2@example.org', password: DEMO_PASSWORD }),
    loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD }),
  ]);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  for (const [k, c] of [['participant', as.participant], ['p2', p2]]) {
    const me = await c.get('/api/v1/me/profile');
    assert.equal(me.status, 200, me.text);
    SELF[k] = me.json.id;
  }
});

after(async () => {
  if (server) await server.stop();
});

// --- helpers ---

const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The first day on or after ms that falls on weekday wd (0 = Sunday). */
function onWeekday(ms, wd) {
  let t = ms;
  while (new Date(t).getUTCDay() !== wd) t += DAY;
  return t;
}

async function venue(features = []) {
  const res = await as.coordinator.post('/api/v1/venues', {
    organisation_id: ORG.riverside, name: unique('Room'), address: '1 Test Street', capacity: 60, features,
  });
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

/**
 * A programme of Riverside, weekly from start (ms, default in a week) for
 * weeks sessions, published unless publish is false. Each in-person one
 * gets a venue of its own (venues cannot be double-booked).
 */
async function programme({
  capacity = 2, art = 'painting', languages = ['en'], format = 'in_person', features = [],
  start = Date.now() + 7 * DAY, weeks = 6, time = '17:30', duration = 90, publish = true,
} = {}) {
  const body = {
    organisation_id: ORG.riverside, title: unique('Programme'), art_form: art, languages, format, capacity,
    therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start), start_time: time,
    duration_minutes: duration, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=${weeks}`,
  };
  if (format !== 'online') body.venue_id = await venue(features);
  if (format !== 'in_person') body.online_link = 'https://meet.example.org/room';
  const res = await as.coordinator.post('/api/v1/programmes', body);
  assert.equal(res.status, 201, `create programme: ${res.text}`);
  if (publish) {
    const pub = await as.coordinator.post(`/api/v1/programmes/${res.json.id}/publish`);
    assert.equal(pub.status, 200, `publish: ${pub.text}`);
  }
  const sessions = await as.coordinator.get(`/api/v1/programmes/${res.json.id}/sessions`);
  assert.equal(sessions.status, 200, sessions.text);
  return { ...res.json, sessions: sessions.json.items };
}

/** A person of Riverside registered by staff, with the consents named. */
async function person({ consents = ['participation'], profile = {} } = {}) {
  const name = unique('Person');
  const res = await as.coordinator.post('/api/v1/participants', {
    name, email: `${unique('p')}@example.org`, organisation_ids: [ORG.riverside],
    consents: consents.map((purpose) => ({ purpose, granted: true })), ...profile,
  });
  assert.equal(res.status, 201, `register person: ${res.text}`);
  return { id: res.json.id, name };
}

async function enrol(programmeId, participantId, { client = as.coordinator, status = 201 } = {}) {
  const res = await client.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: participantId });
  assert.equal(res.status, status, `enrol ${participantId} in ${programmeId}: ${res.text}`);
  return res.json;
}

/** Staff view of a programme's enrolments, by participant id. */
async function places(programmeId, client = as.coordinator) {
  const res = await client.get(`/api/v1/programmes/${programmeId}/enrolments`);
  assert.equal(res.status, 200, res.text);
  return Object.fromEntries(res.json.items.map((e) => [e.participant_id, e]));
}

/** The enrolment row as stored, straight from the database. */
function stored(enrolmentId) {
  const [status, reason] = dbQuery(server, `SELECT status, COALESCE(cancel_reason, '') FROM enrolments WHERE id = ${enrolmentId}`)
    .trim().split('|');
  return { status, reason };
}

/** Moves a session to have started an hour ago (attendance is taken from
 * 15 minutes before a session starts; the server's clock cannot be moved). */
function started(sessionId) {
  const now = Math.floor(Date.now() / 1000);
  dbQuery(server, `UPDATE programme_sessions SET starts_at = ${now - 3600}, ends_at = ${now + 1800} WHERE id = ${sessionId}`);
}

async function auditActions(resource) {
  const res = await as.admin.get(`/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.map((e) => e.action);
}

// --- enrolment and the waitlist ---

describe('enrolment and the waitlist', () => {
  test('a full programme waitlists in order; a cancelled place is offered to the first waiting for 48 hours', async () => {
    const p = await programme({ capacity: 2 });
    const [a, b, c, d] = await Promise.all([person(), person(), person(), person()]);
    const ea = await enrol(p.id, a.id);
    assert.deepEqual([ea.status, ea.position], ['enrolled', null]);
    assert.equal((await enrol(p.id, b.id)).status, 'enrolled');
    const ec = await enrol(p.id, c.id);
    assert.deepEqual([ec.status, ec.position], ['waitlisted', 1]);
    const ed = await enrol(p.id, d.id);
    assert.deepEqual([ed.status, ed.position], ['waitlisted', 2]);

    let list = await places(p.id);
    assert.equal(list[a.id].name, a.name, 'staff of the programme see names');
    assert.deepEqual([list[c.id].position, list[d.id].position], [1, 2]);
    const prog = await as.coordinator.get(`/api/v1/programmes/${p.id}`);
    assert.deepEqual([prog.json.enrolled, prog.json.waitlisted, prog.json.places_left], [2, 2, 0]);

    const cancel = await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`);
    assert.equal(cancel.status, 204, cancel.text);
    assert.deepEqual(stored(ea.id), { status: 'cancelled', reason: 'staff' });
    assert.equal(stored(ec.id).status, 'offered', 'the first waiting is offered the place at once');
    list = await places(p.id);
    const expires = Date.parse(list[c.id].offer_expires_at);
    assert.ok(Math.abs(expires - (Date.now() + 48 * 3600_000)) < 120_000, `offer held 48 h: ${list[c.id].offer_expires_at}`);
    assert.equal(list[d.id].position, 1, 'the next one moves up');
    assert.equal(list[a.id].cancel_reason, 'staff');

    // An offered place counts against capacity: a newcomer waits.
    const e = await person();
    const ee = await enrol(p.id, e.id);
    assert.deepEqual([ee.status, ee.position], ['waitlisted', 2]);

    const again = await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`);
    assertProblem(again, 409, { detail: 'already cancelled' });
  });

  test('declining passes the offer on; an expired offer is settled when the programme is next touched', async () => {
    const p = await programme({ capacity: 1 });
    const [a, b, c] = await Promise.all([person(), person(), person()]);
    const ea = await enrol(p.id, a.id);
    const eb = await enrol(p.id, b.id);
    const ec = await enrol(p.id, c.id);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    assert.equal(stored(eb.id).status, 'offered');

    const decline = await as.coordinator.post(`/api/v1/enrolments/${eb.id}/decline`);
    assert.equal(decline.status, 200, decline.text);
    assert.equal(decline.json.status, 'cancelled');
    assert.deepEqual(stored(eb.id), { status: 'cancelled', reason: 'offer_declined' });
    assert.equal(stored(ec.id).status, 'offered', 'declining offers the place to the next');

    // Nothing to answer any more.
    assertProblem(await as.coordinator.post(`/api/v1/enrolments/${eb.id}/accept`), 409, { detail: 'no open offer' });
    // An enrolled place is no offer either.
    const d = await person();
    const p2prog = await programme({ capacity: 1 });
    const ed = await enrol(p2prog.id, d.id);
    assertProblem(await as.coordinator.post(`/api/v1/enrolments/${ed.id}/decline`), 409);

    // The offer runs out (moved into the past underneath): accepting is too
    // late, and the expiry is settled and kept although the answer is 409.
    dbQuery(server, `UPDATE enrolments SET offer_expires_at = offer_expires_at - ${49 * 3600} WHERE id = ${ec.id}`);
    assertProblem(await as.coordinator.post(`/api/v1/enrolments/${ec.id}/accept`), 409, { detail: 'expired' });
    assert.deepEqual(stored(ec.id), { status: 'cancelled', reason: 'offer_expired' });

    // With nobody waiting, the place is simply free again.
    const e = await person();
    assert.equal((await enrol(p.id, e.id)).status, 'enrolled');
  });

  test('an expired offer is settled by a listing and the next person is offered the place', async () => {
    const p = await programme({ capacity: 1 });
    const [a, b, c] = await Promise.all([person(), person(), person()]);
    const ea = await enrol(p.id, a.id);
    const eb = await enrol(p.id, b.id);
    const ec = await enrol(p.id, c.id);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    dbQuery(server, `UPDATE enrolments SET offer_expires_at = 1000 WHERE id = ${eb.id}`);
    const list = await places(p.id);
    assert.equal(list[b.id].status, 'cancelled');
    assert.equal(list[b.id].cancel_reason, 'offer_expired');
    assert.equal(list[c.id].status, 'offered');
    assert.equal(stored(ec.id).status, 'offered', 'the settling was committed');
  });

  test('accepting turns an offer into a place; re-enrolling after cancelling joins the back of the queue', async () => {
    const p = await programme({ capacity: 1 });
    const [a, b, c] = await Promise.all([person(), person(), person()]);
    const ea = await enrol(p.id, a.id);
    const eb = await enrol(p.id, b.id);
    await enrol(p.id, c.id);
    assert.equal((await as.facilitator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    const accept = await as.facilitator.post(`/api/v1/enrolments/${eb.id}/accept`);
    assert.equal(accept.status, 200, accept.text);
    assert.equal(accept.json.status, 'enrolled');
    assert.equal(stored(eb.id).status, 'enrolled');
    assertProblem(await as.facilitator.post(`/api/v1/enrolments/${eb.id}/accept`), 409);

    // A comes back: a new row at the end of the waitlist, behind C.
    const again = await enrol(p.id, a.id);
    assert.deepEqual([again.status, again.position], ['waitlisted', 2]);
    assert.notEqual(again.id, ea.id);
    const list = await places(p.id);
    assert.equal(list[c.id].position, 1);
    assert.equal(list[a.id].position, 2);

    // Twice is a conflict that names the existing place.
    const twice = assertProblem(await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: a.id }), 409);
    assert.equal(twice.enrolment_id, again.id);
    assert.equal(twice.enrolment_status, 'waitlisted');
  });

  test('capacity cannot drop below the places taken; raising it offers places to those waiting', async () => {
    const p = await programme({ capacity: 2 });
    const [a, b, c, d] = await Promise.all([person(), person(), person(), person()]);
    await enrol(p.id, a.id);
    await enrol(p.id, b.id);
    const ec = await enrol(p.id, c.id);
    const ed = await enrol(p.id, d.id);
    const low = await as.coordinator.patch(`/api/v1/programmes/${p.id}`, { capacity: 1 });
    assertProblem(low, 409, { field: 'capacity' });
    const raise = await as.coordinator.patch(`/api/v1/programmes/${p.id}`, { capacity: 3 });
    assert.equal(raise.status, 200, raise.text);
    const list = await places(p.id);
    assert.equal(list[c.id].status, 'offered');
    assert.equal(list[d.id].status, 'waitlisted');
    assert.equal(list[d.id].position, 1);
    assert.equal(stored(ec.id).status, 'offered');
    assert.equal(stored(ed.id).status, 'waitlisted');
  });

  test('enrolment needs participation consent and a published programme', async () => {
    const p = await programme({ capacity: 3 });
    const none = await person({ consents: ['contact'] });
    const res = await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: none.id });
    const prob = assertProblem(res, 403, { detail: 'consent' });
    assert.equal(prob.consent, 'participation');
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM enrolments WHERE participant_id = ${none.id}`).trim(), '0');

    const draft = await programme({ publish: false });
    const ok = await person();
    const res2 = await as.coordinator.post(`/api/v1/programmes/${draft.id}/enrolments`, { participant_id: ok.id });
    assertProblem(res2, 409, { detail: 'not published' });
    // A participant does not even see a draft.
    assertProblem(await p2.post('/api/v1/me/enrolments', { programme_id: draft.id }), 404, { field: 'programme_id' });

    // Nobody by that id: the same 403 as a person of another organisation (scope.test.mjs).
    assertProblem(await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: 99999999 }), 403, { field: 'participant_id' });
    assertProblem(await as.coordinator.post('/api/v1/programmes/99999999/enrolments', { participant_id: ok.id }), 404);
    assertProblem(await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: 'x' }), 400, { field: 'participant_id' });
    assertProblem(await as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, {}), 400, { field: 'participant_id' });
  });

  test('withdrawing participation consent cancels future places at once and offers them on', async () => {
    const p = await programme({ capacity: 1 });
    const q = await programme({ capacity: 2 });
    const [w, v] = await Promise.all([person(), person()]);
    const ew = await enrol(p.id, w.id);
    const ev = await enrol(p.id, v.id);
    const ewq = await enrol(q.id, w.id);
    assert.deepEqual([ew.status, ev.status, ewq.status], ['enrolled', 'waitlisted', 'enrolled']);

    const withdraw = await as.coordinator.post(`/api/v1/participants/${w.id}/consents`, { purpose: 'participation', granted: false });
    assert.ok([200, 201].includes(withdraw.status), withdraw.text);
    // Straight from the database, before anything lists the programme.
    assert.deepEqual(stored(ew.id), { status: 'cancelled', reason: 'consent_withdrawn' });
    assert.deepEqual(stored(ewq.id), { status: 'cancelled', reason: 'consent_withdrawn' });
    assert.equal(stored(ev.id).status, 'offered', 'the freed place was offered in the same transaction');

    const back = await as.coordinator.post(`/api/v1/programmes/${q.id}/enrolments`, { participant_id: w.id });
    assert.equal(assertProblem(back, 403).consent, 'participation');
  });

  test('withdrawal leaves places in programmes that have ended', async () => {
    const p = await programme({ capacity: 2 });
    const w = await person();
    const ew = await enrol(p.id, w.id);
    // Every session now lies in the past.
    dbQuery(server, `UPDATE programme_sessions SET starts_at = starts_at - ${400 * 86400}, ends_at = ends_at - ${400 * 86400} WHERE programme_id = ${p.id}`);
    const withdraw = await as.coordinator.post(`/api/v1/participants/${w.id}/consents`, { purpose: 'participation', granted: false });
    assert.ok([200, 201].includes(withdraw.status), withdraw.text);
    assert.equal(stored(ew.id).status, 'enrolled');
  });

  test('participants enrol themselves, see, answer and cancel their own places only', async () => {
    const p = await programme({ capacity: 1 });
    const a = await person();
    const ea = await enrol(p.id, a.id);
    const mine = await p2.post('/api/v1/me/enrolments', { programme_id: p.id });
    assert.equal(mine.status, 201, mine.text);
    assert.deepEqual([mine.json.status, mine.json.position, mine.json.participant_id], ['waitlisted', 1, SELF.p2]);
    assertProblem(await p2.post('/api/v1/me/enrolments', { programme_id: p.id }), 409, { detail: 'already' });

    let list = await p2.get('/api/v1/me/enrolments');
    assert.equal(list.status, 200, list.text);
    let row = list.json.items.find((e) => e.id === mine.json.id);
    assert.deepEqual([row.status, row.position, row.programme], ['waitlisted', 1, p.title]);

    // Someone else's place is not theirs to see or answer.
    assertProblem(await as.participant.delete(`/api/v1/enrolments/${ea.id}`), 404);
    assertProblem(await p2.post(`/api/v1/enrolments/${ea.id}/accept`), 404);
    // Staff-only lists stay closed to participants.
    assertProblem(await p2.get(`/api/v1/programmes/${p.id}/enrolments`), 403, { detail: POLICY_DENIED });
    assertProblem(await p2.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: SELF.p2 }), 403, { detail: POLICY_DENIED });

    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    list = await p2.get('/api/v1/me/enrolments');
    row = list.json.items.find((e) => e.id === mine.json.id);
    assert.equal(row.status, 'offered');
    assert.ok(Date.parse(row.offer_expires_at) > Date.now() + 47 * 3600_000);
    const accept = await p2.post(`/api/v1/enrolments/${mine.json.id}/accept`);
    assert.equal(accept.status, 200, accept.text);

    // My sessions: the programme's upcoming sessions, in order, with local times.
    const sessions = await p2.get('/api/v1/me/sessions?limit=500');
    assert.equal(sessions.status, 200, sessions.text);
    const ours = sessions.json.items.filter((s) => s.programme_id === p.id);
    assert.equal(ours.length, p.sessions.length);
    assert.equal(ours[0].local_start, `${p.start_date}T17:30`);
    assert.equal(ours[0].timezone, 'Europe/London');
    const starts = sessions.json.items.map((s) => Date.parse(s.starts_at));
    assert.deepEqual(starts, [...starts].sort((x, y) => x - y));
    assertProblem(await p2.get('/api/v1/me/sessions?limit=0'), 400, { field: 'limit' });

    const cancel = await p2.delete(`/api/v1/enrolments/${mine.json.id}`);
    assert.equal(cancel.status, 204, cancel.text);
    assert.deepEqual(stored(mine.json.id), { status: 'cancelled', reason: 'self' });
    const after = await p2.get('/api/v1/me/sessions?limit=500');
    assert.equal(after.json.items.filter((s) => s.programme_id === p.id).length, 0);

    // Staff have no "me" here.
    assertProblem(await as.coordinator.get('/api/v1/me/enrolments'), 403, { detail: POLICY_DENIED });
  });

  test('concurrent enrolments never exceed capacity, and the waitlist is numbered without gaps', async () => {
    const p = await programme({ capacity: 3 });
    const crowd = await Promise.all(Array.from({ length: 12 }, () => person()));
    const results = await Promise.all(crowd.map((x) =>
      as.coordinator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: x.id })));
    for (const r of results) assert.equal(r.status, 201, r.text);
    assert.equal(results.filter((r) => r.json.status === 'enrolled').length, 3);
    const positions = results.filter((r) => r.json.status === 'waitlisted').map((r) => r.json.position).sort((a, b) => a - b);
    assert.deepEqual(positions, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Cancelling all three places at once offers exactly three places.
    const held = results.filter((r) => r.json.status === 'enrolled');
    const cancels = await Promise.all(held.map((r) => as.coordinator.delete(`/api/v1/enrolments/${r.json.id}`)));
    for (const c of cancels) assert.equal(c.status, 204, c.text);
    const list = Object.values(await places(p.id));
    assert.equal(list.filter((e) => e.status === 'offered').length, 3);
    assert.equal(list.filter((e) => e.status === 'waitlisted').length, 6);
    const firstThree = results.filter((r) => r.json.position >= 1 && r.json.position <= 3).map((r) => r.json.id).sort();
    assert.deepEqual(list.filter((e) => e.status === 'offered').map((e) => e.id).sort(), firstThree);
  });

  test('staff act only on programmes of their own organisation', async () => {
    const p = await programme({ capacity: 1 });
    const a = await person();
    const ea = await enrol(p.id, a.id);
    assertProblem(await librarian.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: a.id }), 403);
    assertProblem(await librarian.get(`/api/v1/programmes/${p.id}/enrolments`), 403);
    // A place is not shown outside its organisation: 404, as for none (docs/api.md).
    assertProblem(await librarian.delete(`/api/v1/enrolments/${ea.id}`), 404);
    assertProblem(await as.clinician.get(`/api/v1/programmes/${p.id}/enrolments`), 403);
    assertProblem(await as.clinician.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: a.id }), 403, { detail: POLICY_DENIED });
    assertProblem(await as.funder.get(`/api/v1/programmes/${p.id}/enrolments`), 403, { detail: POLICY_DENIED });
    assertProblem(await as.peer_supporter.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: a.id }), 403, { detail: POLICY_DENIED });
    // The peer supporter of Riverside may read the list (staff).
    assert.equal((await as.peer_supporter.get(`/api/v1/programmes/${p.id}/enrolments`)).status, 200);
    assert.equal(stored(ea.id).status, 'enrolled');
    // Reading names is audited against the programme.
    assert.ok((await auditActions(`programme:${p.id}`)).includes('enrolment.read'));
  });
});

// --- sessions that fit ---

describe('sessions that fit', () => {
  test('programmes are ranked by fit, each with the reason for every criterion', async () => {
    const wednesday = onWeekday(Date.now() + 2 * DAY, 3);
    const friday = onWeekday(Date.now() + 2 * DAY, 5);
    const who = await person({
      profile: {
        languages: ['pl'], interests: ['dance'],
        availability: [{ day: 'wed', start: '10:00', end: '12:00' }],
        needs: { mobility: ['wheelchair_user'], formats: ['in_person'] },
      },
    });
    const common = { art: 'dance', languages: ['pl', 'en'], start: wednesday, time: '10:30', duration: 60 };
    // The full one is made first: on the hopeful ranking (places not yet
    // counted) it would come first, tied with the good one on everything.
    const full = await programme({ ...common, features: ['step_free_access', 'lift'], capacity: 1 });
    const good = await programme({ ...common, features: ['step_free_access'], capacity: 5 });
    const stairs = await programme({ ...common, features: ['quiet_room'], capacity: 5 });
    const online = await programme({ art: 'painting', languages: ['en'], format: 'online', start: friday, time: '18:00', capacity: 5 });
    const draft = await programme({ ...common, features: ['step_free_access'], publish: false });
    await enrol(full.id, (await person()).id);

    const res = await as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=100`);
    assert.equal(res.status, 200, res.text);
    const items = res.json.items;
    const scores = items.map((i) => i.score);
    assert.deepEqual(scores, [...scores].sort((x, y) => y - x), 'best first');
    const at = (p) => items.findIndex((i) => i.programme.id === p.id);
    const item = (p) => items[at(p)];
    assert.equal(at(draft), -1, 'drafts are not offered');
    assert.ok(at(good) < at(full) && at(full) < at(stairs) && at(stairs) < at(online),
      `order: ${[good, full, stairs, online].map(at)}`);
    assert.deepEqual([good, full, stairs, online].map((p) => item(p).score), [100, 90, 75, 35]);

    const reasons = (p) => Object.fromEntries(item(p).reasons.map((r) => [r.code, r]));
    for (const i of items) {
      assert.deepEqual(i.reasons.map((r) => r.code), ['access', 'language', 'format', 'time', 'art_form', 'places']);
      for (const r of i.reasons) assert.ok(typeof r.ok === 'boolean' && typeof r.detail === 'string' && r.detail.length > 0);
    }
    const g = reasons(good);
    assert.ok(Object.values(g).every((r) => r.ok), JSON.stringify(g));
    assert.match(g.access.detail, /step_free_access/);
    assert.match(g.language.detail, /pl/);
    assert.match(g.time.detail, /wed 10:30-11:30 is inside/);
    assert.match(g.places.detail, /^5 places left/);
    const f = reasons(full);
    assert.equal(f.places.ok, false);
    assert.match(f.places.detail, /full/);
    const s = reasons(stairs);
    assert.equal(s.access.ok, false);
    assert.match(s.access.detail, /lacks step_free_access/);
    const o = reasons(online);
    assert.deepEqual([o.access.ok, o.language.ok, o.format.ok, o.time.ok, o.art_form.ok, o.places.ok],
      [true, false, false, false, false, true]);
    assert.match(o.access.detail, /online/);

    // Only the best are shown, and counting places can push one down.
    const top = await as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=1`);
    assert.deepEqual(top.json.items.map((i) => i.programme.id), [good.id]);
    const two = await as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=2`);
    assert.deepEqual(two.json.items.map((i) => [i.programme.id, i.score]), [[good.id, 100], [full.id, 90]]);

    // The programme and its next session come along.
    const gi = item(good);
    assert.equal(gi.programme.title, good.title);
    assert.deepEqual(gi.programme.languages, ['pl', 'en']);
    assert.equal(gi.programme.places_left, 5);
    assert.equal(gi.next_session.id, good.sessions[0].id);
    assert.equal(gi.next_session.local_start, `${dateStr(wednesday)}T10:30`);
    assert.equal(gi.enrolment, null);

    // Holding a place shows in the answer.
    const e = await enrol(good.id, who.id);
    const again = await as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=100`);
    const mine = again.json.items.find((i) => i.programme.id === good.id);
    assert.deepEqual(mine.enrolment, { id: e.id, status: 'enrolled' });
    assert.equal(mine.reasons.find((r) => r.code === 'places').detail, 'you have a place');

    // Staff entry is audited as a read of the person.
    const actions = await auditActions(`participant:${who.id}`);
    assert.ok(actions.filter((a) => a === 'participant.fit').length >= 2, actions.join(','));
  });

  test('each reason carries a code with its parameters, for the UI to word', async () => {
    const tuesday = onWeekday(Date.now() + 2 * DAY, 2);
    const who = await person({
      profile: {
        languages: ['pl'], interests: ['music'],
        availability: [{ day: 'tue', start: '17:00', end: '20:00' }],
        needs: { mobility: ['wheelchair_user'], formats: ['in_person'] },
      },
    });
    const fits = await programme({ art: 'music', languages: ['en', 'pl'], start: tuesday, time: '17:30', duration: 90,
      features: ['step_free_access', 'quiet_room'], capacity: 3 });
    const misses = await programme({ art: 'dance', languages: ['en'], start: tuesday, time: '21:00', duration: 60,
      features: ['quiet_room'], capacity: 1 });
    await enrol(misses.id, (await person()).id);
    const blank = await person();
    const [res, none] = await Promise.all([
      as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=100`),
      as.coordinator.get(`/api/v1/participants/${blank.id}/fit?limit=100`),
    ]);
    assert.equal(res.status, 200, res.text);
    const why = (items, p) => Object.fromEntries(items.find((i) => i.programme.id === p.id).reasons.map((r) => [r.code, r.reason]));
    const f = why(res.json.items, fits);
    assert.deepEqual(f, {
      access: { code: 'venue_has', features: ['step_free_access'] },
      language: { code: 'spoken', lang: 'pl' },
      format: { code: 'format_ok', format: 'in_person' },
      time: { code: 'time_inside', days: ['tue'], start: '17:30', end: '19:00' },
      art_form: { code: 'interest', art_form: 'music' },
      places: { code: 'places_left', n: 3 },
    });
    const m = why(res.json.items, misses);
    assert.deepEqual(m, {
      access: { code: 'venue_lacks', features: ['step_free_access'] },
      language: { code: 'held_in' },
      format: { code: 'format_ok', format: 'in_person' },
      time: { code: 'time_outside', days: ['tue'], start: '21:00', end: '22:00' },
      art_form: { code: 'not_interest', art_form: 'dance' },
      places: { code: 'full', n: 0 },
    });
    // Nothing recorded: each criterion says so, with no parameters but the format.
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(why(none.json.items, fits), {
      access: { code: 'no_needs' },
      language: { code: 'no_languages' },
      format: { code: 'no_format', format: 'in_person' },
      time: { code: 'no_availability' },
      art_form: { code: 'no_interests' },
      places: { code: 'places_left', n: 3 },
    });
    // The English detail stays for API clients that read text.
    assert.ok(res.json.items.every((i) => i.reasons.every((r) => typeof r.detail === 'string')));
  });

  test('a cancelled next session is skipped; a programme with nothing left to come is not offered', async () => {
    const who = await person({ profile: { interests: ['photography'], languages: ['pl'] } });
    const moved = await programme({ art: 'photography', languages: ['pl'], weeks: 3 });
    const ended = await programme({ art: 'photography', languages: ['pl'], weeks: 1 });
    const cancel = (s) => as.coordinator.patch(`/api/v1/sessions/${s.id}`, { status: 'cancelled', cancel_reason: 'storm' });
    assert.equal((await cancel(moved.sessions[0])).status, 200);
    assert.equal((await cancel(ended.sessions[0])).status, 200);
    const res = await as.coordinator.get(`/api/v1/participants/${who.id}/fit?limit=100`);
    assert.equal(res.status, 200, res.text);
    const ids = res.json.items.map((i) => i.programme.id);
    assert.ok(!ids.includes(ended.id), 'only a cancelled session was left');
    const m = res.json.items.find((i) => i.programme.id === moved.id);
    assert.equal(m.next_session.id, moved.sessions[1].id);
    assert.equal(m.score, 100);
  });

  test('nothing recorded is neutral; limits are checked; only the person or their staff see it', async () => {
    const blank = await person();
    const res = await as.facilitator.get(`/api/v1/participants/${blank.id}/fit?limit=100`);
    assert.equal(res.status, 200, res.text);
    for (const i of res.json.items) {
      const by = Object.fromEntries(i.reasons.map((r) => [r.code, r]));
      for (const code of ['access', 'language', 'format', 'time', 'art_form']) assert.equal(by[code].ok, true, code);
      assert.equal(i.score, by.places.ok ? 100 : 0);
    }

    const mine = await as.participant.get('/api/v1/me/fit?limit=2');
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.json.items.length <= 2 && mine.json.items.length > 0);
    const all = await as.participant.get('/api/v1/me/fit');
    assert.ok(all.json.items.length <= 20);
    for (const q of ['0', '101', 'x', '']) {
      assertProblem(await as.participant.get(`/api/v1/me/fit?limit=${q}`), 400, { field: 'limit' });
    }
    // Sam is in Riverside; the Northside clinician holds no role there, so
    // Sam is answered as nobody by that id is (the one rule, docs/api.md).
    const denied = await as.clinician.get(`/api/v1/participants/${SELF.participant}/fit`);
    assertProblem(denied, 404);
    assertProblem(await librarian.get(`/api/v1/participants/${blank.id}/fit`), 404); // the one rule: as for nobody
    assertProblem(await as.funder.get(`/api/v1/participants/${blank.id}/fit`), 403, { detail: POLICY_DENIED });
    assertProblem(await as.coordinator.get('/api/v1/me/fit'), 403, { detail: POLICY_DENIED });
    assertProblem(await as.coordinator.get('/api/v1/participants/99999999/fit'), 404); // like another organisation's person
  });
});

// --- supports ---

describe('supports', () => {
  test('requested by staff or the person, decided by coordinators, summed in the ledger', async () => {
    const p = await programme({ capacity: 5 });
    const other = await programme({ capacity: 5 });
    const a = await person();
    const outsider = await person();
    await enrol(p.id, a.id);
    await enrol(p.id, SELF.p2);
    const session = p.sessions[0].id;

    const ask = (body, client = as.facilitator) => client.post(`/api/v1/programmes/${p.id}/supports`, body);
    const t1 = await ask({ participant_id: a.id, session_id: session, kind: 'transport_stipend', amount_cents: 1500, notes: 'bus fare' });
    assert.equal(t1.status, 201, t1.text);
    assert.deepEqual([t1.json.status, t1.json.amount_cents, t1.json.session_id, t1.json.kind], ['requested', 1500, session, 'transport_stipend']);
    const t2 = await ask({ participant_id: a.id, kind: 'transport_stipend', amount_cents: 700 });
    const cc = await ask({ participant_id: a.id, kind: 'childcare' });
    assert.equal(cc.status, 201, cc.text);
    const own = await p2.post('/api/v1/me/supports', { programme_id: p.id, kind: 'interpreter', notes: 'Arabic' });
    assert.equal(own.status, 201, own.text);
    assert.deepEqual([own.json.participant_id, own.json.amount_cents], [SELF.p2, 0]);

    assertProblem(await ask({ participant_id: outsider.id, kind: 'equipment' }), 409, { field: 'participant_id' });
    assertProblem(await ask({ participant_id: a.id, kind: 'equipment', session_id: other.sessions[0].id }), 400, { field: 'session_id' });
    assertProblem(await ask({ participant_id: a.id, kind: 'taxi' }), 400, { field: 'kind' });
    assertProblem(await ask({ participant_id: a.id, kind: 'equipment', amount_cents: -5 }), 400, { field: 'amount_cents' });
    assertProblem(await p2.post('/api/v1/me/supports', { programme_id: p.id, kind: 'equipment', amount_cents: 100 }), 400, { field: 'amount_cents' });
    assertProblem(await p2.post('/api/v1/me/supports', { programme_id: other.id, kind: 'equipment' }), 409, { field: 'programme_id' });
    assertProblem(await librarian.post(`/api/v1/programmes/${p.id}/supports`, { participant_id: a.id, kind: 'equipment' }), 403);

    const decide = (id, body, client = as.coordinator) => client.patch(`/api/v1/supports/${id}`, body);
    let r = await decide(t1.json.id, { status: 'approved', amount_cents: 2000 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.status, r.json.amount_cents], ['approved', 2000]);
    assert.ok(r.json.decided_at && r.json.decided_by);
    r = await decide(t1.json.id, { status: 'provided' });
    assert.deepEqual([r.json.status, r.json.amount_cents], ['provided', 2000]);
    assert.ok(r.json.provided_at);
    assertProblem(await decide(t1.json.id, { status: 'declined' }), 409, { field: 'status' });
    assert.equal((await decide(t2.json.id, { status: 'provided' })).json.status, 'provided');
    assert.equal((await decide(cc.json.id, { status: 'declined' })).json.status, 'declined');
    assertProblem(await decide(cc.json.id, { status: 'approved' }), 409, { field: 'status' });
    assert.equal((await decide(own.json.id, { status: 'approved', amount_cents: 5000 })).status, 200);
    assertProblem(await decide(own.json.id, { status: 'requested' }), 400, { field: 'status' });
    assertProblem(await decide(own.json.id, { status: 'approved' }, as.facilitator), 403, { detail: POLICY_DENIED });
    assertProblem(await decide(own.json.id, { status: 'approved' }, p2), 403, { detail: POLICY_DENIED });

    const ledger = await as.coordinator.get(`/api/v1/programmes/${p.id}/supports/ledger`);
    assert.equal(ledger.status, 200, ledger.text);
    assert.equal(ledger.json.currency_unit, 'cents');
    const by = Object.fromEntries(ledger.json.by_kind.map((k) => [k.kind, k]));
    assert.deepEqual(Object.keys(by), ['transport_stipend', 'childcare', 'interpreter', 'equipment']);
    const pick = (k) => [k.requested, k.approved, k.provided, k.amount_cents_approved, k.amount_cents_provided];
    assert.deepEqual(pick(by.transport_stipend), [2, 2, 2, 2700, 2700]);
    assert.deepEqual(pick(by.childcare), [1, 0, 0, 0, 0]);
    assert.equal(by.childcare.declined, 1);
    assert.deepEqual(pick(by.interpreter), [1, 1, 0, 5000, 0]);
    assert.deepEqual(pick(by.equipment), [0, 0, 0, 0, 0]);
    assert.equal(ledger.json.total_cents_provided, 2700);

    const list = await as.coordinator.get(`/api/v1/programmes/${p.id}/supports`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.items.length, 4);
    assert.equal(list.json.items.find((s) => s.id === t1.json.id).name, a.name);
    assertProblem(await as.facilitator.get(`/api/v1/programmes/${p.id}/supports/ledger`), 403, { detail: POLICY_DENIED });
    assertProblem(await librarian.get(`/api/v1/programmes/${p.id}/supports`), 403, { detail: POLICY_DENIED });
    assert.ok((await auditActions(`programme:${p.id}`)).includes('support.read'));
  });
});

// --- attendance ---

describe('attendance', () => {
  test('the register lists enrolled people by name; marks are upserted in batches, last mark wins', async () => {
    const p = await programme({ capacity: 5 });
    const people = await Promise.all([person(), person(), person(), person()]);
    for (const x of people) await enrol(p.id, x.id);
    const s = p.sessions[0].id;
    started(s);

    let reg = await as.facilitator.get(`/api/v1/sessions/${s}/attendance`);
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.session.id, s);
    assert.equal(reg.json.items.length, 4);
    const names = reg.json.items.map((i) => i.name);
    assert.deepEqual(names, [...names].sort((x, y) => x.localeCompare(y, 'en', { sensitivity: 'base' })));
    assert.ok(reg.json.items.every((i) => i.status === null && i.sat_out === false));

    const url = `/api/v1/sessions/${s}/attendance`;
    let res = await as.peer_supporter.post(url, {
      marks: [
        { participant_id: people[0].id, status: 'present' },
        { participant_id: people[1].id, status: 'late', sat_out: true, sat_out_agreed: true },
        { participant_id: people[2].id, status: 'absent' },
        { participant_id: people[3].id, status: 'excused' },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.marked, 4);
    res = await as.facilitator.post(url, { marks: [{ participant_id: people[2].id, status: 'present' }, { participant_id: people[0].id, status: 'absent' }, { participant_id: people[0].id, status: 'present', sat_out: true, sat_out_agreed: true }] });
    assert.equal(res.status, 200, res.text);

    reg = await as.coordinator.get(url);
    const by = Object.fromEntries(reg.json.items.map((i) => [i.participant_id, i]));
    assert.deepEqual([by[people[0].id].status, by[people[0].id].sat_out], ['present', true]);
    assert.deepEqual([by[people[1].id].status, by[people[1].id].sat_out], ['late', true]);
    assert.deepEqual([by[people[2].id].status, by[people[2].id].sat_out], ['present', false]);
    assert.equal(by[people[3].id].status, 'excused');
    assert.equal(by[people[0].id].name, people[0].name);

    // One audit entry per batch.
    const actions = await auditActions(`session:${s}`);
    assert.equal(actions.filter((a) => a === 'attendance.mark').length, 2);

    // Someone who leaves the programme stays on the register with their mark.
    const enrolments = await places(p.id);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${enrolments[people[3].id].id}`)).status, 204);
    reg = await as.coordinator.get(url);
    assert.equal(reg.json.items.length, 4);
    const left = reg.json.items.find((i) => i.participant_id === people[3].id);
    assert.deepEqual([left.status, left.enrolment], ['excused', 'cancelled']);
    // ... but in the next session only those enrolled are listed.
    const next = await as.coordinator.get(`/api/v1/sessions/${p.sessions[1].id}/attendance`);
    assert.equal(next.json.items.length, 3);
  });

  test('sat out needs the person to agree; only enrolled people; 1 to 200 marks', async () => {
    const p = await programme({ capacity: 3 });
    const [a, b] = await Promise.all([person(), person()]);
    const outsider = await person();
    await enrol(p.id, a.id);
    await enrol(p.id, b.id);
    const url = `/api/v1/sessions/${p.sessions[0].id}/attendance`;
    started(p.sessions[0].id);
    const mark = (marks, client = as.facilitator) => client.post(url, { marks });
    assertProblem(await mark([{ participant_id: a.id, status: 'present' }, { participant_id: b.id, status: 'present', sat_out: true }]), 400, { field: 'marks[1].sat_out_agreed' });
    assertProblem(await mark([{ participant_id: a.id, status: 'present', sat_out: true, sat_out_agreed: false }]), 400, { field: 'marks[0].sat_out_agreed' });
    assertProblem(await mark([{ participant_id: a.id, status: 'absent', sat_out: true, sat_out_agreed: true }]), 400, { field: 'marks[0].sat_out' });
    assertProblem(await mark([{ participant_id: a.id, status: 'present' }, { participant_id: outsider.id, status: 'present' }]), 400, { field: 'marks[1].participant_id' });
    assertProblem(await mark([{ participant_id: a.id, status: 'asleep' }]), 400, { field: 'marks[0].status' });
    assertProblem(await mark([{ participant_id: a.id }]), 400, { field: 'marks[0].status' });
    assertProblem(await mark([]), 400, { field: 'marks' });
    const many = Array.from({ length: 201 }, () => ({ participant_id: a.id, status: 'present' }));
    assertProblem(await mark(many), 400, { field: 'marks' });
    // Nothing above was written.
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM attendance WHERE session_id = ${p.sessions[0].id}`).trim(), '0');
    // Sat out "agreed" without sitting out is simply not recorded as sat out.
    const ok = await mark([{ participant_id: a.id, status: 'present', sat_out_agreed: true }]);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(dbQuery(server, `SELECT sat_out FROM attendance WHERE session_id = ${p.sessions[0].id} AND participant_id = ${a.id}`).trim(), '0');

    // 200 marks in one batch.
    const batch = Array.from({ length: 200 }, (_, i) => ({ participant_id: i % 2 ? a.id : b.id, status: i === 199 ? 'late' : 'present' }));
    const big = await mark(batch);
    assert.equal(big.status, 200, big.text);
    assert.equal(big.json.marked, 200);
    assert.equal(dbQuery(server, `SELECT status FROM attendance WHERE session_id = ${p.sessions[0].id} AND participant_id = ${a.id}`).trim(), 'late');
  });

  test('a cancelled session cannot be marked; staff of other organisations cannot mark', async () => {
    const p = await programme({ capacity: 3 });
    const a = await person();
    await enrol(p.id, a.id);
    const s = p.sessions[1].id;
    const url = `/api/v1/sessions/${s}/attendance`;
    const cancel = await as.coordinator.patch(`/api/v1/sessions/${s}`, { status: 'cancelled', cancel_reason: 'heating broken' });
    assert.equal(cancel.status, 200, cancel.text);
    assertProblem(await as.facilitator.post(url, { marks: [{ participant_id: a.id, status: 'present' }] }), 409, { detail: 'cancelled' });

    const draft = await programme({ publish: false });
    assertProblem(await as.facilitator.post(`/api/v1/sessions/${draft.sessions[0].id}/attendance`, { marks: [{ participant_id: a.id, status: 'present' }] }), 409);

    const other = `/api/v1/sessions/${p.sessions[0].id}/attendance`;
    assertProblem(await librarian.post(other, { marks: [{ participant_id: a.id, status: 'present' }] }), 403);
    assertProblem(await librarian.get(other), 403);
    assertProblem(await as.clinician.post(other, { marks: [{ participant_id: a.id, status: 'present' }] }), 403, { detail: POLICY_DENIED });
    assertProblem(await as.participant.get(other), 403, { detail: POLICY_DENIED });
    assertProblem(await as.facilitator.get('/api/v1/sessions/99999999/attendance'), 404);
  });
});

// --- follow-up ---

describe('follow-up', () => {
  test('two absences in a row put a person on the list; actions are logged with sealed notes', async () => {
    // Weekly at 10:00 from 22 days ago: sessions 22, 15, 8 and 1 days ago are held.
    const start = Date.now() - 22 * DAY;
    const p = await programme({ capacity: 6, start, weeks: 8, time: '10:00', duration: 60 });
    const [x, y, z, w] = await Promise.all([
      person({ consents: ['participation', 'contact'] }),
      person({ consents: ['participation', 'contact'] }),
      person({ consents: ['participation'] }),
      person({ consents: ['participation', 'contact'] }),
    ]);
    for (const q of [x, y, z, w]) await enrol(p.id, q.id);
    const held = p.sessions.slice(0, 4).map((s) => s.id);
    const mark = async (session, marks) => {
      const res = await as.facilitator.post(`/api/v1/sessions/${session}/attendance`, { marks });
      assert.equal(res.status, 200, res.text);
    };
    await mark(held[1], [{ participant_id: x.id, status: 'present' }]);
    await mark(held[2], [
      { participant_id: x.id, status: 'absent' }, { participant_id: y.id, status: 'excused' },
      { participant_id: z.id, status: 'absent' }, { participant_id: w.id, status: 'absent' },
    ]);
    await mark(held[3], [
      { participant_id: x.id, status: 'absent' }, { participant_id: y.id, status: 'absent' },
      { participant_id: z.id, status: 'absent' }, { participant_id: w.id, status: 'present', sat_out: true, sat_out_agreed: true },
    ]);
    // A session that has not started cannot be marked (from 15 minutes before it starts).
    const early = await as.facilitator.post(`/api/v1/sessions/${p.sessions[4].id}/attendance`, { marks: [{ participant_id: y.id, status: 'absent' }] });
    assertProblem(early, 409, { field: 'starts_at', detail: 'has not started yet' });

    let list = await as.peer_supporter.get('/api/v1/followups');
    assert.equal(list.status, 200, list.text);
    let ours = list.json.items.filter((i) => i.programme_id === p.id);
    assert.deepEqual(ours.map((i) => i.participant_id).sort(), [x.id, z.id].sort(),
      'excused and sat-out marks never count against anyone');
    const ix = ours.find((i) => i.participant_id === x.id);
    assert.equal(ix.name, x.name);
    assert.equal(ix.programme, p.title);
    assert.deepEqual(ix.missed, [dateStr(start + 14 * DAY), dateStr(start + 21 * DAY)]);
    assert.equal(ix.may_contact, true);
    assert.equal(ix.last_action, null);
    assert.equal(ours.find((i) => i.participant_id === z.id).may_contact, false);

    // Reaching out needs the contact consent; meeting in person does not.
    const act = (body, client = as.peer_supporter) => client.post('/api/v1/followups', { programme_id: p.id, ...body });
    const noConsent = await act({ participant_id: z.id, action: 'called' });
    assert.equal(assertProblem(noConsent, 403).consent, 'contact');
    const met = await act({ participant_id: z.id, action: 'met', note: 'Chatted at the library; back next week' });
    assert.equal(met.status, 201, met.text);
    const called = await act({ participant_id: x.id, action: 'called', note: 'Left a voicemail; will try Friday' });
    assert.equal(called.status, 201, called.text);
    assert.ok(!dbQuery(server, `SELECT note FROM followups WHERE id = ${called.json.id}`).includes('voicemail'),
      'the note is sealed with the person\'s key');
    assertProblem(await act({ participant_id: (await person()).id, action: 'met' }), 409, { field: 'participant_id' });
    assertProblem(await act({ participant_id: x.id, action: 'shouted' }), 400, { field: 'action' });
    // Another organisation's programme is refused like one that does not exist.
    assertProblem(await act({ participant_id: x.id, action: 'met' }, librarian), 404, { field: 'programme_id' });
    assertProblem(await act({ participant_id: x.id, action: 'met' }, as.clinician), 403, { detail: POLICY_DENIED });

    list = await as.facilitator.get('/api/v1/followups');
    ours = list.json.items.filter((i) => i.programme_id === p.id);
    const last = ours.find((i) => i.participant_id === x.id).last_action;
    assert.equal(last.action, 'called');
    assert.equal(last.by, 'Pat Nakamura');
    assert.ok(!('note' in last), 'notes stay in the log');

    const log = await as.coordinator.get(`/api/v1/followups/log?participant_id=${x.id}`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.items.length, 1);
    assert.deepEqual([log.json.items[0].action, log.json.items[0].note, log.json.items[0].by, log.json.items[0].name],
      ['called', 'Left a voicemail; will try Friday', 'Pat Nakamura', x.name]);
    const all = await as.coordinator.get('/api/v1/followups/log');
    assert.ok(all.json.items.some((i) => i.id === met.json.id && i.note.startsWith('Chatted')));
    assertProblem(await as.peer_supporter.get('/api/v1/followups/log'), 403, { detail: POLICY_DENIED });
    assertProblem(await as.coordinator.get('/api/v1/followups/log?participant_id=abc'), 400, { field: 'participant_id' });
    assert.ok((await auditActions(`participant:${x.id}`)).includes('followup.create'));

    // Another organisation's staff never see Riverside's people.
    const theirs = await librarian.get('/api/v1/followups');
    assert.equal(theirs.status, 200, theirs.text);
    assert.ok(!theirs.json.items.some((i) => i.programme_id === p.id));
    assertProblem(await as.clinician.get('/api/v1/followups'), 403, { detail: POLICY_DENIED });

    // Coming back takes someone off the list.
    await mark(held[3], [{ participant_id: x.id, status: 'late' }]);
    list = await as.peer_supporter.get('/api/v1/followups');
    ours = list.json.items.filter((i) => i.programme_id === p.id);
    assert.deepEqual(ours.map((i) => i.participant_id), [z.id]);
  });
});
