// Calendar feeds (docs/programs.md "Calendars"): addresses behind a token
// (shown once, stored hashed, replaced on reset), the three kinds of feed,
// and what calendar applications make of them. Every feed is parsed with
// ical.js, and recurrences are expanded with its iterator using the
// VTIMEZONE the feed carries, so the test sees what a client would show.
//
// One server with the demo data (Riverside Community Arts is organisation
// 2; its coordinator creates the programmes here through the API). Runs on
// SQLite, and on PostgreSQL with HEARTH_TEST_PG_URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';

import {
  Client, DEMO_PASSWORD, DEMO_USERS, assertProblem, dbQuery, loginAs, startServer, unique,
} from './harness.mjs';

const ORG = 2; // Riverside Community Arts
const user = (role) => DEMO_USERS.find((u) => u.role === role);

let server;
let coord, admin, facilitator, clinician, participant, participant2;
let participantId, participant2Id, facilitatorId;

/** Parses a feed; returns {cal, events: [ICAL.Event], text}. */
function parse(text) {
  const cal = new ICAL.Component(ICAL.parse(text));
  return { cal, events: cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)), text };
}

/**
 * Every occurrence a client would show: each master event expanded through
 * ical.js's iterator (EXDATE honoured, overrides related by RECURRENCE-ID),
 * plus events of their own. Sorted by start.
 */
function occurrences(feed) {
  const out = [];
  const masters = new Map();
  for (const ev of feed.events) if (ev.isRecurring()) masters.set(ev.uid, ev);
  for (const ev of feed.events) {
    if (ev.isRecurrenceException()) {
      const m = masters.get(ev.uid);
      assert.ok(m, `override ${ev.uid} has no master event`);
      m.relateException(ev);
    }
  }
  for (const ev of feed.events) {
    if (ev.isRecurrenceException()) continue;
    if (!ev.isRecurring()) {
      out.push({ uid: ev.uid, start: ev.startDate, end: ev.endDate, item: ev, recurrenceId: null });
      continue;
    }
    const it = ev.iterator();
    let n = 0;
    for (let next = it.next(); next; next = it.next()) {
      assert.ok(++n < 1000, 'the rule does not end');
      const d = ev.getOccurrenceDetails(next);
      out.push({ uid: ev.uid, start: d.startDate, end: d.endDate, item: d.item, recurrenceId: d.recurrenceId });
    }
  }
  out.sort((a, b) => a.start.toJSDate() - b.start.toJSDate());
  return out;
}

const iso = (t) => t.toJSDate().toISOString().replace('.000Z', 'Z');
const status = (o) => o.item.component.getFirstPropertyValue('status');

async function fetchFeed(url, { status: want = 200 } = {}) {
  const res = await new Client(server.url).get(url);
  assert.equal(res.status, want, `${url}: ${res.status} ${res.text.slice(0, 300)}`);
  return res;
}

/** Creates and publishes a programme of the demo organisation. */
async function programme(fields) {
  const body = {
    organisation_id: ORG, title: unique('Calendar test'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity: 10, timezone: 'Europe/London', start_time: '18:00', duration_minutes: 90,
    venue_id: 3,
    trauma_plan: { grounding: 'Breathing together', difficult_content: 'Named first', debrief: 'Tea after', opt_out: 'Any time' },
    ...fields,
  };
  const res = await coord.post('/api/v1/programmes', body);
  assert.equal(res.status, 201, res.text);
  const pub = await coord.post(`/api/v1/programmes/${res.json.id}/publish`);
  assert.equal(pub.status, 200, pub.text);
  return res.json;
}

async function sessionsOf(id) {
  const res = await coord.get(`/api/v1/programmes/${id}/sessions`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function enrol(programmeId, pid) {
  const res = await coord.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: pid });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, 'enrolled', res.text);
  return res.json.id;
}

async function newUrl(client, path) {
  const res = await client.post(path);
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.url, /^\/api\/v1\/calendar\/[0-9a-f]{64}\.ics$/);
  return res.json.url;
}

before(async () => {
  server = await startServer();
  [coord, admin, facilitator, clinician, participant] = await Promise.all(
    ['coordinator', 'admin', 'facilitator', 'clinician', 'participant'].map((r) => loginAs(server.url, user(r))));
  participant2 = await new Client(server.url).loginOk('participant2@example.org', DEMO_PASSWORD);
  participantId = Number(dbQuery(server, `SELECT id FROM participants WHERE user_id = ${participant.user.id}`).trim());
  participant2Id = Number(dbQuery(server, `SELECT id FROM participants WHERE user_id = ${participant2.user.id}`).trim());
  facilitatorId = facilitator.user.id;
  assert.ok(participantId > 0 && participant2Id > 0);
});

after(async () => {
  await server?.stop();
});

describe('programme feed', () => {
  let prog, url, sessions, moved, cancelled, extra;

  before(async () => {
    // Wednesdays 18:00 London time, across the change back to GMT on
    // 25 October 2026, with 4 November left out.
    prog = await programme({
      start_date: '2026-10-07', end_date: '2026-11-25', rrule: 'FREQ=WEEKLY;BYDAY=WE', exdates: ['2026-11-04'],
    });
    sessions = await sessionsOf(prog.id);
    assert.equal(sessions.length, 7);
    const at = (local) => sessions.find((s) => s.local_start === local);
    // Move 21 October to Thursday the 22nd, cancel 28 October.
    moved = at('2026-10-21T18:00');
    let res = await coord.patch(`/api/v1/sessions/${moved.id}`, {
      starts_at: '2026-10-22T17:00:00Z', ends_at: '2026-10-22T18:30:00Z',
    });
    assert.equal(res.status, 200, res.text);
    cancelled = at('2026-10-28T18:00');
    res = await coord.patch(`/api/v1/sessions/${cancelled.id}`, { status: 'cancelled', cancel_reason: 'Hall flooded' });
    assert.equal(res.status, 200, res.text);
    // One session added by hand, on a Saturday afternoon.
    res = await coord.post(`/api/v1/programmes/${prog.id}/sessions`, {
      starts_at: '2026-11-28T14:00:00Z', ends_at: '2026-11-28T16:00:00Z',
    });
    assert.equal(res.status, 201, res.text);
    extra = res.json;
    if (extra.status === 'draft') {
      res = await coord.patch(`/api/v1/sessions/${extra.id}`, { status: 'published' });
      assert.equal(res.status, 200, res.text);
    }
    sessions = await sessionsOf(prog.id);
    url = await newUrl(coord, `/api/v1/programmes/${prog.id}/calendar`);
  });

  test('is text/calendar, cached privately, and well formed', async () => {
    const res = await fetchFeed(url);
    assert.match(res.headers.get('content-type'), /^text\/calendar; charset=utf-8$/);
    assert.equal(res.headers.get('cache-control'), 'private, max-age=300');
    assert.ok(res.text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'), res.text.slice(0, 80));
    assert.ok(res.text.endsWith('END:VCALENDAR\r\n'));
    for (const line of res.text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
    const feed = parse(res.text);
    for (const p of ['prodid', 'calscale', 'method', 'x-wr-calname']) assert.ok(feed.cal.getFirstPropertyValue(p), p);
    assert.equal(feed.cal.getFirstPropertyValue('method'), 'PUBLISH');
    assert.equal(feed.cal.getFirstPropertyValue('x-wr-calname'), prog.title);
    const tz = feed.cal.getFirstSubcomponent('vtimezone');
    assert.equal(tz.getFirstPropertyValue('tzid'), 'Europe/London');
    assert.ok(tz.getAllSubcomponents('daylight').length >= 1);
    assert.ok(tz.getAllSubcomponents('standard').length >= 2);
    // The feed without ".ics" is the same feed.
    const bare = await fetchFeed(url.replace(/\.ics$/, ''));
    assert.equal(bare.text.replace(/DTSTAMP:.*\r\n/g, ''), res.text.replace(/DTSTAMP:.*\r\n/g, ''));
  });

  test('one series with RRULE and EXDATE, overrides and a standalone event', async () => {
    const feed = parse((await fetchFeed(url)).text);
    const uid = `programme-${prog.id}@hearth`;
    const masters = feed.events.filter((e) => e.isRecurring());
    assert.equal(masters.length, 1);
    const m = masters[0];
    assert.equal(m.uid, uid);
    assert.equal(m.summary, prog.title);
    assert.match(m.location, /St Brigid's Hall, /);
    const dtstart = m.component.getFirstProperty('dtstart');
    assert.equal(dtstart.getParameter('tzid'), 'Europe/London');
    assert.equal(m.startDate.toString(), '2026-10-07T18:00:00');
    assert.equal(m.endDate.toString(), '2026-10-07T19:30:00');
    const rrule = m.component.getFirstPropertyValue('rrule');
    assert.equal(rrule.freq, 'WEEKLY');
    assert.deepEqual(rrule.parts.BYDAY, ['WE']);
    assert.equal(iso(rrule.until), '2026-11-25T18:00:00Z');
    const exdates = m.component.getAllProperties('exdate').flatMap((p) => p.getValues()).map(iso);
    assert.deepEqual(exdates, ['2026-11-04T18:00:00Z']);
    const overrides = feed.events.filter((e) => e.isRecurrenceException());
    assert.equal(overrides.length, 2);
    assert.ok(overrides.every((o) => o.uid === uid));
    const own = feed.events.filter((e) => !e.isRecurring() && !e.isRecurrenceException());
    assert.deepEqual(own.map((e) => e.uid), [`session-${extra.id}@hearth`]);
    assert.equal(feed.events.length, 4);
  });

  test('expanding the rule gives exactly the sessions, at 18:00 London time', async () => {
    const occ = occurrences(parse((await fetchFeed(url)).text));
    const shown = sessions.filter((s) => s.status === 'published' || s.status === 'cancelled');
    assert.deepEqual(occ.map((o) => iso(o.start)), shown.map((s) => s.starts_at).sort());
    assert.deepEqual(occ.map((o) => iso(o.end)), shown.sort((a, b) => a.starts_at.localeCompare(b.starts_at)).map((s) => s.ends_at));
    // The wall clock stays at 18:00 while the UTC hour changes with the
    // end of British Summer Time on 25 October.
    const oct14 = occ.find((o) => o.start.toString() === '2026-10-14T18:00:00');
    const nov11 = occ.find((o) => o.start.toString() === '2026-11-11T18:00:00');
    assert.ok(oct14 && nov11);
    assert.equal(oct14.start.toJSDate().getUTCHours(), 17);
    assert.equal(nov11.start.toJSDate().getUTCHours(), 18);
    for (const o of occ.filter((x) => x.uid.startsWith('programme-'))) {
      if (o.recurrenceId && iso(o.recurrenceId) === moved.original_start) continue;
      assert.equal(o.start.hour, 18, o.start.toString());
    }
    // The excluded date does not appear.
    assert.ok(!occ.some((o) => o.start.toString().startsWith('2026-11-04')));
  });

  test('a moved session is an override of its slot; a cancelled one is CANCELLED', async () => {
    const occ = occurrences(parse((await fetchFeed(url)).text));
    const mv = occ.find((o) => o.recurrenceId && iso(o.recurrenceId) === '2026-10-21T17:00:00Z');
    assert.ok(mv, 'the moved slot is shown');
    assert.equal(iso(mv.start), '2026-10-22T17:00:00Z');
    assert.equal(mv.start.toString(), '2026-10-22T18:00:00');
    assert.equal(status(mv), 'CONFIRMED');
    assert.ok(!occ.some((o) => o.start.toString().startsWith('2026-10-21')));
    const cx = occ.find((o) => o.start.toString() === '2026-10-28T18:00:00');
    assert.ok(cx);
    assert.equal(status(cx), 'CANCELLED');
    assert.equal(iso(cx.start), '2026-10-28T18:00:00Z');
    assert.match(cx.item.description, /Hall flooded/);
    assert.ok(cx.item.sequence >= 1);
    const others = occ.filter((o) => o !== cx);
    assert.ok(others.every((o) => status(o) === 'CONFIRMED'));
    const hand = occ.find((o) => o.uid === `session-${extra.id}@hearth`);
    assert.equal(iso(hand.start), '2026-11-28T14:00:00Z');
  });

  test('a reset ends the old address; tokens are stored hashed', async () => {
    const second = await newUrl(coord, `/api/v1/programmes/${prog.id}/calendar`);
    assert.notEqual(second, url);
    const old = await new Client(server.url).get(url);
    assertProblem(old, 404);
    await fetchFeed(second);
    const token = second.match(/([0-9a-f]{64})/)[1];
    const rows = dbQuery(server, `SELECT token_hash FROM calendar_tokens WHERE kind = 'programme' AND owner_id = ${prog.id}`)
      .trim().split('\n');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0], token);
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM calendar_tokens WHERE token_hash = '${token}'`).trim(), '0');
    const audit = dbQuery(server,
      `SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.token.reset' AND resource = 'programme:${prog.id}'`).trim();
    assert.equal(audit, '2');
    url = second;
  });

  test('addresses that are not tokens are 404 without a login', async () => {
    const anon = new Client(server.url);
    const token = url.match(/([0-9a-f]{64})/)[1];
    for (const bad of [
      'nope', `${token.toUpperCase()}.ics`, `${token}.ICS`, `${token}.ics.ics`, `${token.slice(1)}.ics`, `${token}0`,
      `${'0'.repeat(64)}.ics`, `${token.slice(0, 63)}g.ics`, `${token.slice(0, 63)}-.ics`, '..%2F..%2Fetc%2Fpasswd',
    ]) {
      assertProblem(await anon.get(`/api/v1/calendar/${bad}`), 404, { context: bad });
    }
  });

  test('who may make a programme address', async () => {
    const path = `/api/v1/programmes/${prog.id}/calendar`;
    assertProblem(await participant.post(path), 403);
    assertProblem(await facilitator.post(path), 403);
    assertProblem(await clinician.post(path), 403); // another organisation
    assertProblem(await new Client(server.url).post(path), 401);
    assertProblem(await coord.post('/api/v1/programmes/999999/calendar'), 404);
    await newUrl(admin, path);
  });
});

describe('other zones and unpublished sessions', () => {
  test('Sydney: summer time spans the new year and the wall clock holds', async () => {
    const prog = await programme({
      timezone: 'Australia/Sydney', start_date: '2026-09-07', end_date: '2027-05-31', start_time: '09:15',
      rrule: 'FREQ=MONTHLY;BYDAY=1MO', format: 'online', venue_id: undefined, online_link: 'https://meet.example/syd',
    });
    const url = await newUrl(coord, `/api/v1/programmes/${prog.id}/calendar`);
    const feed = parse((await fetchFeed(url)).text);
    const tz = feed.cal.getFirstSubcomponent('vtimezone');
    assert.equal(tz.getFirstPropertyValue('tzid'), 'Australia/Sydney');
    const occ = occurrences(feed);
    const sessions = await sessionsOf(prog.id);
    assert.equal(sessions.length, 9);
    assert.deepEqual(occ.map((o) => iso(o.start)), sessions.map((s) => s.starts_at).sort());
    assert.ok(occ.every((o) => o.start.hour === 9 && o.start.minute === 15 && o.start.zone.tzid === 'Australia/Sydney'));
    // AEST (+10) in September, AEDT (+11) from October to April.
    assert.equal(iso(occ[0].start), '2026-09-06T23:15:00Z');
    assert.equal(iso(occ[1].start), '2026-10-04T22:15:00Z'); // the day after summer time starts
    assert.equal(iso(occ[4].start), '2027-01-03T22:15:00Z');
    assert.equal(iso(occ[8].start), '2027-05-02T23:15:00Z');
    const m = feed.events.find((e) => e.isRecurring());
    assert.equal(m.location, 'https://meet.example/syd');
    assert.equal(m.component.getFirstPropertyValue('url'), 'https://meet.example/syd');
  });

  test('an unpublished programme has an empty feed; a slot back in draft is excluded', async () => {
    const res = await coord.post('/api/v1/programmes', {
      organisation_id: ORG, title: unique('Draft calendar'), art_form: 'music', languages: ['en'], format: 'online',
      online_link: 'https://meet.example/d', capacity: 5, timezone: 'Europe/London', start_date: '2026-10-06',
      end_date: '2026-10-27', start_time: '12:00', duration_minutes: 60, rrule: 'FREQ=WEEKLY;BYDAY=TU',
      trauma_plan: { grounding: 'g', difficult_content: 'd', debrief: 'b', opt_out: 'o' },
    });
    assert.equal(res.status, 201, res.text);
    const id = res.json.id;
    const url = await newUrl(coord, `/api/v1/programmes/${id}/calendar`);
    let feed = parse((await fetchFeed(url)).text);
    assert.equal(feed.events.length, 0);
    assert.equal((await coord.post(`/api/v1/programmes/${id}/publish`)).status, 200);
    feed = parse((await fetchFeed(url)).text);
    assert.equal(occurrences(feed).length, 4);
    // A generated slot whose session is a draft (changed underneath, as no
    // endpoint does) is left out of the series with EXDATE.
    const sessions = await sessionsOf(id);
    dbQuery(server, `UPDATE programme_sessions SET status = 'draft', was_published = 0 WHERE id = ${sessions[1].id}`);
    feed = parse((await fetchFeed(url)).text);
    const m = feed.events.find((e) => e.isRecurring());
    const ex = m.component.getAllProperties('exdate').flatMap((p) => p.getValues()).map(iso);
    assert.deepEqual(ex, [sessions[1].starts_at]);
    assert.deepEqual(occurrences(feed).map((o) => iso(o.start)),
      [sessions[0], sessions[2], sessions[3]].map((s) => s.starts_at));
  });
});

describe('participant feed', () => {
  let progA, progB, progNY, url;

  before(async () => {
    // Monthly, first Tuesday and last Friday; and a second programme the
    // person leaves again.
    progA = await programme({
      start_date: '2026-09-01', end_date: '2027-01-31', rrule: 'FREQ=MONTHLY;BYDAY=1TU,-1FR', start_time: '10:30',
      duration_minutes: 60,
    });
    progB = await programme({ start_date: '2026-09-03', rrule: 'FREQ=WEEKLY;BYDAY=TH;COUNT=3', start_time: '11:00' });
    progNY = await programme({
      timezone: 'America/New_York', start_date: '2026-10-20', rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=3', start_time: '17:00',
      format: 'online', venue_id: undefined, online_link: 'https://meet.example/ny',
    });
    await enrol(progA.id, participantId);
    await enrol(progNY.id, participantId);
    const eid = await enrol(progB.id, participantId);
    const res = await coord.delete(`/api/v1/enrolments/${eid}`);
    assert.ok([200, 204].includes(res.status), res.text);
    url = await newUrl(participant, '/api/v1/me/calendar');
  });

  test('shows only programmes the person is enrolled in', async () => {
    const feed = parse((await fetchFeed(url)).text);
    const enrolled = dbQuery(server,
      `SELECT e.programme_id FROM enrolments e JOIN programmes p ON p.id = e.programme_id
       WHERE e.participant_id = ${participantId} AND e.status = 'enrolled' AND p.status = 'published'
       ORDER BY e.programme_id`).trim().split('\n').filter(Boolean).map(Number);
    assert.ok(enrolled.includes(progA.id));
    assert.ok(!enrolled.includes(progB.id));
    const uids = new Set(feed.events.map((e) => e.uid));
    assert.ok(uids.has(`programme-${progA.id}@hearth`));
    assert.ok(!uids.has(`programme-${progB.id}@hearth`));
    for (const uid of uids) {
      const m = uid.match(/^programme-(\d+)@hearth$/);
      if (m) assert.ok(enrolled.includes(Number(m[1])), `${uid} is not one of the person's programmes`);
    }
    assert.equal(feed.cal.getFirstPropertyValue('x-wr-calname'), 'My sessions');
  });

  test('the monthly rule expands to the sessions', async () => {
    const occ = occurrences(parse((await fetchFeed(url)).text)).filter((o) => o.uid === `programme-${progA.id}@hearth`);
    const sessions = await sessionsOf(progA.id);
    assert.equal(sessions.length, 10);
    assert.deepEqual(occ.map((o) => iso(o.start)), sessions.map((s) => s.starts_at).sort());
    assert.deepEqual(occ.map((o) => o.start.toString().slice(0, 10)), [
      '2026-09-01', '2026-09-25', '2026-10-06', '2026-10-30', '2026-11-03', '2026-11-27', '2026-12-01',
      '2026-12-25', '2027-01-05', '2027-01-29',
    ]);
    assert.ok(occ.every((o) => o.start.hour === 10 && o.start.minute === 30));
  });

  test('a programme in another zone is written as single events at the right instants', async () => {
    const feed = parse((await fetchFeed(url)).text);
    // The feed reads in the zone most of the person's programmes use.
    assert.equal(feed.cal.getFirstSubcomponent('vtimezone').getFirstPropertyValue('tzid'), 'Europe/London');
    assert.ok(!feed.events.some((e) => e.uid === `programme-${progNY.id}@hearth`));
    const sessions = await sessionsOf(progNY.id);
    assert.equal(sessions.length, 3);
    const own = sessions.map((s) => feed.events.find((e) => e.uid === `session-${s.id}@hearth`));
    assert.ok(own.every(Boolean));
    assert.deepEqual(own.map((e) => iso(e.startDate)), sessions.map((s) => s.starts_at));
    // 17:00 in New York is 21:00 UTC in EDT, 22:00 UTC after 1 November.
    assert.deepEqual(sessions.map((s) => s.starts_at),
      ['2026-10-20T21:00:00Z', '2026-10-27T21:00:00Z', '2026-11-03T22:00:00Z']);
  });

  test('another participant sees their own programmes, not these', async () => {
    const other = await newUrl(participant2, '/api/v1/me/calendar');
    const feed = parse((await fetchFeed(other)).text);
    const uids = feed.events.map((e) => e.uid);
    assert.ok(!uids.includes(`programme-${progA.id}@hearth`));
    const enrolled = dbQuery(server,
      `SELECT e.programme_id FROM enrolments e JOIN programmes p ON p.id = e.programme_id
       WHERE e.participant_id = ${participant2Id} AND e.status = 'enrolled' AND p.status = 'published'`)
      .trim().split('\n').filter(Boolean).map(Number);
    for (const id of enrolled) {
      const visible = Number(dbQuery(server,
        `SELECT COUNT(*) FROM programme_sessions WHERE programme_id = ${id}
         AND (status = 'published' OR (status = 'cancelled' AND was_published = 1))`).trim());
      if (visible) assert.ok(uids.some((u) => u === `programme-${id}@hearth` || u.startsWith('session-')), `programme ${id}`);
    }
  });

  test('a reset ends the old address', async () => {
    const second = await newUrl(participant, '/api/v1/me/calendar');
    assertProblem(await new Client(server.url).get(url), 404);
    await fetchFeed(second);
    url = second;
  });

  test('staff have no participant feed', async () => {
    assertProblem(await coord.post('/api/v1/me/calendar'), 403);
    assertProblem(await facilitator.post('/api/v1/me/calendar'), 403);
  });
});

describe('duty feed', () => {
  let prog, sessions, url;

  before(async () => {
    prog = await programme({
      start_date: '2026-10-05', end_date: '2026-10-26', rrule: 'FREQ=WEEKLY;BYDAY=MO', start_time: '19:00', venue_id: 2,
    });
    sessions = await sessionsOf(prog.id);
    assert.equal(sessions.length, 4);
    for (const s of sessions.slice(0, 3)) {
      const res = await coord.post(`/api/v1/sessions/${s.id}/roster`, { user_id: facilitatorId, role: 'lead' });
      assert.equal(res.status, 201, res.text);
    }
    const res = await coord.post(`/api/v1/sessions/${sessions[0].id}/roster`, { user_id: facilitatorId, role: 'co_facilitator' });
    assert.equal(res.status, 201, res.text);
    const cx = await coord.patch(`/api/v1/sessions/${sessions[2].id}`, { status: 'cancelled', cancel_reason: 'Half term' });
    assert.equal(cx.status, 200, cx.text);
    url = await newUrl(facilitator, '/api/v1/me/duty-calendar');
  });

  test('one event per session on the roster, naming the roles', async () => {
    const feed = parse((await fetchFeed(url)).text);
    assert.equal(feed.cal.getFirstPropertyValue('x-wr-calname'), 'My duties');
    const expected = Number(dbQuery(server,
      `SELECT COUNT(DISTINCT session_id) FROM roster WHERE user_id = ${facilitatorId}`).trim());
    assert.equal(feed.events.length, expected);
    assert.ok(feed.events.every((e) => !e.isRecurring()));
    const mine = sessions.slice(0, 3).map((s) => feed.events.find((e) => e.uid === `duty-${s.id}-${facilitatorId}@hearth`));
    assert.ok(mine.every(Boolean));
    assert.match(mine[0].summary, new RegExp(`^${prog.title} \\((lead, co-facilitator|co-facilitator, lead)\\)$`));
    assert.equal(mine[1].summary, `${prog.title} (lead)`);
    assert.equal(mine[0].component.getFirstProperty('dtstart').getParameter('tzid'), 'Europe/London');
    assert.equal(mine[0].startDate.toString(), '2026-10-05T19:00:00');
    assert.equal(iso(mine[0].startDate), '2026-10-05T18:00:00Z');
    assert.equal(iso(mine[1].startDate), sessions[1].starts_at);
    assert.equal(mine[2].component.getFirstPropertyValue('status'), 'CANCELLED');
    assert.equal(mine[0].component.getFirstPropertyValue('status'), 'CONFIRMED');
    assert.match(mine[0].location, /^Eastgate Library Community Room, /);
    assert.ok(!feed.events.some((e) => e.uid === `duty-${sessions[3].id}-${facilitatorId}@hearth`));
  });

  test('participants have no duty feed; a reset ends the old address', async () => {
    assertProblem(await participant.post('/api/v1/me/duty-calendar'), 403);
    const second = await newUrl(facilitator, '/api/v1/me/duty-calendar');
    assertProblem(await new Client(server.url).get(url), 404);
    await fetchFeed(second);
    // Each person has their own feed.
    const coordFeed = parse((await fetchFeed(await newUrl(coord, '/api/v1/me/duty-calendar'))).text);
    assert.ok(!coordFeed.events.some((e) => e.uid.endsWith(`-${facilitatorId}@hearth`)));
  });
});

describe('feeds end with their owner', () => {
  test('an erased participant and a disabled login have no feed', async () => {
    const pUrl = await newUrl(participant2, '/api/v1/me/calendar');
    const dUrl = await newUrl(clinician, '/api/v1/me/duty-calendar');
    await fetchFeed(pUrl);
    await fetchFeed(dUrl);
    // Changed underneath: erasure and disabling belong to other modules.
    dbQuery(server, `UPDATE participants SET status = 'erased' WHERE id = ${participant2Id}`);
    dbQuery(server, `UPDATE users SET disabled = 1 WHERE id = ${clinician.user.id}`);
    assertProblem(await new Client(server.url).get(pUrl), 404);
    assertProblem(await new Client(server.url).get(dUrl), 404);
  });
});
