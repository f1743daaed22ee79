// The first uses of messages (issue 12): each change writes exactly the
// messages it should, inside its own transaction.
// - Waitlist: a freed place offered → waitlist_offer now and a
//   waitlist_reminder queued before the offer expires (cancel key
//   "offer:<id>"); answering the offer (accept, decline, cancel) or its
//   expiry withdraws the reminder.
// - A published session cancelled or moved → session_cancelled /
//   session_moved to everyone holding a place and to the staff on its
//   roster; a draft's changes tell nobody.
// - Roster: staff put on or taken off → duty_on / duty_off.
// - A change that fails (a fault injected at its second message) leaves no
//   message and no change.
// Recipients with a login read them in their inbox (GET /api/v1/me/messages);
// exact counts come from the messages table. SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_PASSWORD, DEMO_USERS, assertProblem, dbQuery, loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';

let server;
let as; // role -> Client
let p2; // participant2@example.org
const ORG = {};
const SELF = {};
const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);
let facilitatorId;

before(async () => {
  server = await startServer();
  [as, p2] = await Promise.all([
    loginAllRoles(server.url),
    loginAs(server.url, { email: 'participant2@example.org', password: DEMO_PASSWORD }),
  ]);
  const orgs = await as.admin.get('/api/v1/organisations');
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  for (const [k, c] of [['participant', as.participant], ['p2', p2]]) {
    SELF[k] = (await c.get('/api/v1/me/profile')).json.id;
  }
  facilitatorId = as.facilitator.user.id;
});

after(async () => {
  if (server) await server.stop();
});

async function programme({ capacity = 1, start = Date.now() + 7 * DAY, weeks = 3 } = {}, client = as.coordinator) {
  const v = await client.post('/api/v1/venues', {
    organisation_id: ORG.riverside, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [],
  });
  assert.equal(v.status, 201, v.text);
  const res = await client.post('/api/v1/programmes', {
    organisation_id: ORG.riverside, title: unique('Programme'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity, therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start),
    start_time: '17:30', duration_minutes: 90, venue_id: v.json.id,
    rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=${weeks}`,
  });
  assert.equal(res.status, 201, res.text);
  const pub = await client.post(`/api/v1/programmes/${res.json.id}/publish`);
  assert.equal(pub.status, 200, pub.text);
  const sessions = await client.get(`/api/v1/programmes/${res.json.id}/sessions`);
  return { id: res.json.id, sessions: sessions.json.items };
}

async function person() {
  const res = await as.coordinator.post('/api/v1/participants', {
    name: unique('Person'), email: `${unique('p')}@example.org`, organisation_ids: [ORG.riverside],
    consents: [{ purpose: 'participation', granted: true }],
  });
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

async function enrol(programmeId, participantId, client = as.coordinator) {
  const res = await client.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: participantId });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** Rows of the messages table: [kind, participant_id, user_id, email_state, next_at, cancel_key, params]. */
function stored(where) {
  const out = dbQuery(server, `SELECT kind, COALESCE(participant_id, 0), COALESCE(user_id, 0), email_state, next_at,
    COALESCE(cancel_key, ''), params FROM messages WHERE ${where} ORDER BY id;`).trim();
  return out ? out.split('\n').map((l) => {
    const [kind, pid, uid, state, next, key, ...params] = l.split('|');
    return { kind, pid: Number(pid), uid: Number(uid), state, next: Number(next), key, params: JSON.parse(params.join('|')) };
  }) : [];
}

async function inbox(client) {
  const res = await client.get('/api/v1/me/messages');
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

describe('waitlist', () => {
  test('a freed place: the offer now, the reminder a day before it expires; accepting withdraws the reminder', async () => {
    const p = await programme();
    const a = await person();
    const ea = await enrol(p.id, a);
    const eb = await enrol(p.id, SELF.p2);
    assert.equal(eb.status, 'waitlisted');
    assert.deepEqual(stored(`cancel_key = 'offer:${eb.id}' OR params LIKE '%"enrolment_id":${eb.id},%'`), [], 'no message while waiting');
    const t0 = Math.floor(Date.now() / 1000);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    const rows = stored(`params LIKE '%"enrolment_id":${eb.id},%'`);
    assert.deepEqual(rows.map((r) => [r.kind, r.pid, r.key]), [
      ['waitlist_offer', SELF.p2, ''],
      ['waitlist_reminder', SELF.p2, `offer:${eb.id}`],
    ]);
    const expires = Date.parse(rows[0].params.expires_at) / 1000;
    assert.ok(Math.abs(expires - (t0 + 48 * 3600)) < 120, `expires_at ${rows[0].params.expires_at}`);
    assert.deepEqual(Object.keys(rows[0].params).sort(), ['enrolment_id', 'expires_at', 'programme_id']);
    assert.equal(rows[0].params.programme_id, p.id);
    assert.equal(rows[1].next, expires - 86400, 'the reminder waits until a day before the expiry');
    assert.equal(rows[1].state, 'queued');
    // The person reads the offer in their inbox, with ids and times only.
    const offer = (await inbox(p2)).find((m) => m.kind === 'waitlist_offer' && m.params.enrolment_id === eb.id);
    assert.ok(offer, 'the offer is in the inbox');
    assert.ok(!JSON.stringify(offer.params).includes('Programme'), 'no title in the params');
    const reminderShown = async () => (await inbox(p2))
      .some((m) => m.kind === 'waitlist_reminder' && m.params.enrolment_id === eb.id);
    assert.equal(await reminderShown(), false, 'the reminder is not in the inbox before it is due');
    // Once due (made due here by moving it), the inbox shows it.
    dbQuery(server, `UPDATE messages SET shown_at = 0 WHERE cancel_key = 'offer:${eb.id}';`);
    assert.equal(await reminderShown(), true, 'a due reminder is in the inbox');
    dbQuery(server, `UPDATE messages SET shown_at = next_at WHERE cancel_key = 'offer:${eb.id}';`);
    // Accepting: the reminder is withdrawn, from the inbox too.
    const acc = await p2.post(`/api/v1/enrolments/${eb.id}/accept`);
    assert.equal(acc.status, 200, acc.text);
    assert.equal(stored(`cancel_key = 'offer:${eb.id}'`)[0].state, 'cancelled');
    dbQuery(server, `UPDATE messages SET shown_at = 0 WHERE cancel_key = 'offer:${eb.id}';`);
    assert.equal(await reminderShown(), false, 'a withdrawn reminder is not in the inbox');
  });

  test('declining or cancelling an offer withdraws its reminder and the next person is offered; an expiry withdraws it too', async () => {
    const p = await programme();
    const [a, b, c, d] = [await person(), await person(), await person(), await person()];
    const ea = await enrol(p.id, a);
    const eb = await enrol(p.id, b);
    const ec = await enrol(p.id, c);
    const ed = await enrol(p.id, d);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.id}`)).status, 204);
    assert.equal((await as.coordinator.post(`/api/v1/enrolments/${eb.id}/decline`)).status, 200);
    assert.equal(stored(`cancel_key = 'offer:${eb.id}'`)[0].state, 'cancelled', 'declined');
    assert.deepEqual(stored(`participant_id = ${c}`).map((r) => r.kind), ['waitlist_offer', 'waitlist_reminder']);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ec.id}`)).status, 204);
    assert.equal(stored(`cancel_key = 'offer:${ec.id}'`)[0].state, 'cancelled', 'cancelled by staff');
    // (The offer itself may already be on its way: only the reminder waits.)
    assert.deepEqual(stored(`participant_id = ${d}`).map((r) => [r.kind, r.kind === 'waitlist_offer' || r.state]),
      [['waitlist_offer', true], ['waitlist_reminder', 'queued']]);
    // d's offer runs out underneath; touching the programme settles it.
    dbQuery(server, `UPDATE enrolments SET offer_expires_at = offer_expires_at - ${49 * 3600} WHERE id = ${ed.id};`);
    await enrol(p.id, await person());
    assert.equal(stored(`cancel_key = 'offer:${ed.id}'`)[0].state, 'cancelled', 'expired');
    // One offer per freed place, to whoever was first: never to the person leaving.
    assert.equal(stored(`participant_id = ${a} AND kind LIKE 'waitlist%'`).length, 0);
    assert.deepEqual(stored(`participant_id = ${b}`).map((r) => r.kind), ['waitlist_offer', 'waitlist_reminder']);
  });
});

describe('sessions and the roster', () => {
  test('staff put on the roster and taken off are told', async () => {
    const p = await programme();
    const s = p.sessions[0];
    const before = stored(`user_id = ${facilitatorId} AND kind LIKE 'duty%'`).length;
    const add = await as.coordinator.post(`/api/v1/sessions/${s.id}/roster`, { user_id: facilitatorId, role: 'lead' });
    assert.equal(add.status, 201, add.text);
    const on = stored(`user_id = ${facilitatorId} AND kind LIKE 'duty%'`).slice(before);
    assert.deepEqual(on.map((r) => [r.kind, r.uid, r.params.session_id, r.params.programme_id, r.params.role]),
      [['duty_on', facilitatorId, s.id, p.id, 'lead']]);
    assert.equal(on[0].params.starts_at, s.starts_at);
    const mine = (await inbox(as.facilitator)).find((m) => m.kind === 'duty_on' && m.params.session_id === s.id);
    assert.ok(mine, 'in the facilitator\'s inbox');
    const off = await as.coordinator.delete(`/api/v1/roster/${add.json.id}`);
    assert.equal(off.status, 204, off.text);
    assert.deepEqual(stored(`user_id = ${facilitatorId} AND kind LIKE 'duty%'`).slice(before).map((r) => r.kind), ['duty_on', 'duty_off']);
  });

  test('a published session cancelled or moved: everyone holding a place and the staff on its roster, once each', async () => {
    const p = await programme({ capacity: 2 });
    const a = await person();
    await enrol(p.id, a);
    await enrol(p.id, SELF.p2);
    const waiting = await person();
    await enrol(p.id, waiting); // on the waitlist: holds no place
    const [s1, s2] = p.sessions;
    const add = await as.coordinator.post(`/api/v1/sessions/${s1.id}/roster`, { user_id: facilitatorId, role: 'lead' });
    assert.equal(add.status, 201, add.text);
    const moveTo = new Date(Date.parse(s1.starts_at) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const moved = await as.coordinator.patch(`/api/v1/sessions/${s1.id}`, { starts_at: moveTo });
    assert.equal(moved.status, 200, moved.text);
    const mv = stored(`kind = 'session_moved' AND params LIKE '%"session_id":${s1.id},%'`);
    const who = (rows) => ({
      people: rows.filter((r) => r.pid).map((r) => r.pid).sort((x, y) => x - y),
      staff: rows.filter((r) => !r.pid).map((r) => r.uid),
    });
    assert.deepEqual(who(mv), { people: [a, SELF.p2].sort((x, y) => x - y), staff: [facilitatorId] });
    assert.equal(mv[0].params.starts_at, moveTo);
    assert.equal(mv[0].params.was_starts_at, s1.starts_at);
    assert.equal(mv[0].params.programme_id, p.id);
    const note = (await inbox(p2)).find((m) => m.kind === 'session_moved' && m.params.session_id === s1.id);
    assert.ok(note, 'in the participant\'s inbox');
    // A change that is no move (the same time) tells nobody.
    assert.equal((await as.coordinator.patch(`/api/v1/sessions/${s1.id}`, { starts_at: moveTo })).status, 200);
    assert.equal(stored(`kind = 'session_moved' AND params LIKE '%"session_id":${s1.id},%'`).length, 3);
    assert.equal(stored(`kind = 'session_changed' AND params LIKE '%"session_id":${s1.id},%'`).length, 0);
    // Somewhere else at the same time: session_changed, to the same people.
    const other = await as.coordinator.post('/api/v1/venues', {
      organisation_id: ORG.riverside, name: unique('Other room'), address: '2 Test Street', capacity: 60, features: [],
    });
    assert.equal(other.status, 201, other.text);
    const elsewhere = await as.coordinator.patch(`/api/v1/sessions/${s1.id}`, { venue_id: other.json.id });
    assert.equal(elsewhere.status, 200, elsewhere.text);
    const ch = stored(`kind = 'session_changed' AND params LIKE '%"session_id":${s1.id},%'`);
    assert.deepEqual(who(ch), { people: [a, SELF.p2].sort((x, y) => x - y), staff: [facilitatorId] });
    assert.equal(ch[0].params.starts_at, moveTo);
    assert.ok((await inbox(p2)).some((m) => m.kind === 'session_changed' && m.params.session_id === s1.id));

    const cancel = await as.coordinator.patch(`/api/v1/sessions/${s2.id}`, { status: 'cancelled', cancel_reason: 'The room flooded' });
    assert.equal(cancel.status, 200, cancel.text);
    const cx = stored(`kind = 'session_cancelled' AND params LIKE '%"session_id":${s2.id},%'`);
    assert.deepEqual(who(cx), { people: [a, SELF.p2].sort((x, y) => x - y), staff: [] }, 'no one on s2\'s roster');
    assert.ok(!cx.some((r) => JSON.stringify(r.params).includes('flooded')), 'the reason stays out of the params');
    assert.equal(stored(`participant_id = ${waiting} AND kind LIKE 'session%'`).length, 0, 'the waitlist holds no place');
    // Cancelling again (already cancelled) tells nobody twice.
    const again = await as.coordinator.patch(`/api/v1/sessions/${s2.id}`, { status: 'cancelled', cancel_reason: 'Still flooded' });
    assert.equal(again.status, 200, again.text);
    assert.equal(stored(`kind = 'session_cancelled' AND params LIKE '%"session_id":${s2.id},%'`).length, 2);
  });

  test('a change that fails at its second message writes no message and no change', async () => {
    const p = await programme({ capacity: 2 });
    await enrol(p.id, await person());
    await enrol(p.id, await person());
    const s = p.sessions[0];
    const faulty = await startServer({ dir: server.dir, env: { HEARTH_TEST_FAULT_STEP: 'INSERT INTO messages (organisation_id@2' } });
    try {
      const coordinator = await loginAs(faulty.url, DEMO_USERS.find((u) => u.role === 'coordinator'));
      const res = await coordinator.patch(`/api/v1/sessions/${s.id}`, { status: 'cancelled', cancel_reason: 'Fault test' });
      assertProblem(res, 500);
      assert.equal(stored(`params LIKE '%"session_id":${s.id},%'`).length, 0, 'no message left');
      const now = await as.coordinator.get(`/api/v1/sessions/${s.id}`);
      assert.equal(now.json.status, 'published', 'the session is not cancelled');
    } finally {
      await faulty.stop();
    }
    const res = await as.coordinator.patch(`/api/v1/sessions/${s.id}`, { status: 'cancelled', cancel_reason: 'For real' });
    assert.equal(res.status, 200, res.text);
    assert.equal(stored(`kind = 'session_cancelled' AND params LIKE '%"session_id":${s.id},%'`).length, 2);
  });
});
