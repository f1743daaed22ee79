// CSV exports of a programme's places and a session's register (issue 13):
// RFC 4180 read back with a real parser (csv-parse), CRLF line ends and
// quoting checked on the bytes, formula injection neutralised (a name
// starting with =, +, - or @ gets a leading apostrophe), the same scope and
// names as the JSON lists (another organisation's draft is a 404 like a
// missing id; a published one is the JSON route's 403), the download
// headers, and the audit entry of the read.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL). A session is moved into the past in the database to
// be marked (attendance is taken only once it has started).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';

import {
  DEMO_PASSWORD, assertProblem, dbQuery, loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';

let server;
let as; // role -> Client
let librarian; // facilitator of Eastgate Library (another organisation)
const ORG = {};
const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);

before(async () => {
  server = await startServer();
  [as, librarian] = await Promise.all([
    loginAllRoles(server.url),
    loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD }),
  ]);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
});

after(async () => {
  if (server) await server.stop();
});

async function programme({ capacity = 3, publish = true } = {}) {
  const start = Date.now() + 7 * DAY;
  const v = await as.coordinator.post('/api/v1/venues', {
    organisation_id: ORG.riverside, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [],
  });
  assert.equal(v.status, 201, v.text);
  const res = await as.coordinator.post('/api/v1/programmes', {
    organisation_id: ORG.riverside, title: unique('Programme'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity, therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start),
    start_time: '17:30', duration_minutes: 90, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=3`,
    venue_id: v.json.id,
  });
  assert.equal(res.status, 201, res.text);
  if (publish) assert.equal((await as.coordinator.post(`/api/v1/programmes/${res.json.id}/publish`)).status, 200);
  const sessions = await as.coordinator.get(`/api/v1/programmes/${res.json.id}/sessions`);
  assert.equal(sessions.status, 200, sessions.text);
  return { ...res.json, sessions: sessions.json.items };
}

async function person(name) {
  const res = await as.coordinator.post('/api/v1/participants', {
    name, email: `${unique('p')}@example.org`, organisation_ids: [ORG.riverside],
    consents: [{ purpose: 'participation', granted: true }],
  });
  assert.equal(res.status, 201, `register person: ${res.text}`);
  return { id: res.json.id, name };
}

async function enrol(programmeId, participantId) {
  const res = await as.coordinator.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: participantId });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** Asserts a CSV download and returns its records as objects (by header). */
function csvOf(res, filename) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="${filename}"`);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const text = res.body.toString('utf8');
  // RFC 4180: every record ends in CRLF; no bare LF outside quotes.
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  const rows = parse(res.body, { columns: true, record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false });
  return { text, rows };
}

/** A problem without its request_id (which differs per request). */
const same = (res) => ({ ...res.json, request_id: undefined });

async function auditActions(resource) {
  const res = await as.admin.get(`/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.map((e) => e.action);
}

describe('CSV exports', () => {
  test('enrolments: RFC 4180, quoting, formula injection neutralised, names as in the JSON list, audited', async () => {
    const p = await programme({ capacity: 3 });
    const tag = unique('');
    const names = [
      `=HYPERLINK("http://x.example","y")${tag}`,
      `Smith, Ana "Ani"${tag}`,
      `+44 Plus${tag}`,
      `-Minus${tag}`,
      `@At${tag}`,
      `Zoë Núñez${tag}`,
    ];
    const people = [];
    for (const n of names) people.push(await person(n));
    for (const x of people) await enrol(p.id, x.id);

    const json = await as.coordinator.get(`/api/v1/programmes/${p.id}/enrolments`);
    assert.equal(json.status, 200, json.text);
    const res = await as.coordinator.get(`/api/v1/programmes/${p.id}/enrolments.csv`);
    const { text, rows } = csvOf(res, `programme-${p.id}-enrolments.csv`);
    assert.equal(text.split('\r\n')[0],
      'enrolment_id,participant_id,name,erased,status,waitlist_position,cancel_reason,offered_at,offer_expires_at,created_at,updated_at');
    assert.equal(rows.length, json.json.items.length);
    assert.equal(rows.length, 6);
    const byPid = Object.fromEntries(rows.map((r) => [Number(r.participant_id), r]));
    for (const item of json.json.items) {
      const r = byPid[item.participant_id];
      assert.ok(r, `row for ${item.participant_id}`);
      assert.equal(Number(r.enrolment_id), item.id);
      assert.equal(r.status, item.status);
      assert.equal(r.waitlist_position, item.position === null ? '' : String(item.position));
      assert.equal(r.created_at, item.created_at);
      assert.equal(r.erased, 'no');
    }
    // Three enrolled, three waitlisted in order.
    assert.deepEqual(rows.map((r) => r.status).sort(), ['enrolled', 'enrolled', 'enrolled', 'waitlisted', 'waitlisted', 'waitlisted']);
    // Formula-like names get a leading apostrophe; the rest are exact.
    const nameOf = (i) => byPid[people[i].id].name;
    assert.equal(nameOf(0), `'${names[0]}`);
    assert.equal(nameOf(1), names[1]);
    assert.equal(nameOf(2), `'${names[2]}`);
    assert.equal(nameOf(3), `'${names[3]}`);
    assert.equal(nameOf(4), `'${names[4]}`);
    assert.equal(nameOf(5), names[5]);
    // On the bytes: quotes doubled inside a quoted field, UTF-8 as is.
    assert.ok(text.includes(`"Smith, Ana ""Ani""${tag}"`), text);
    assert.ok(text.includes(`"'=HYPERLINK(""http://x.example"",""y"")${tag}"`), text);
    assert.ok(res.body.includes(Buffer.from(`Zoë Núñez${tag}`, 'utf8')));
    // The read of the people named is audited.
    assert.ok((await auditActions(`programme:${p.id}`)).includes('enrolment.export'));
  });

  test('attendance: a session\'s register with its marks', async () => {
    const p = await programme({ capacity: 5 });
    const a = await person(`=cmd|' /C calc'!A0 ${unique('')}`);
    const b = await person(`Line, "two" ${unique('')}`);
    const c = await person(unique('Plain'));
    for (const x of [a, b, c]) await enrol(p.id, x.id);
    const s = p.sessions[0].id;
    // The session started an hour ago (attendance is taken once it has).
    const now = Math.floor(Date.now() / 1000);
    dbQuery(server, `UPDATE programme_sessions SET starts_at = ${now - 3600}, ends_at = ${now + 1800} WHERE id = ${s}`);
    const mark = await as.facilitator.post(`/api/v1/sessions/${s}/attendance`, {
      marks: [{ participant_id: a.id, status: 'present', sat_out: true, sat_out_agreed: true }, { participant_id: b.id, status: 'absent' }],
    });
    assert.equal(mark.status, 200, mark.text);

    const res = await as.facilitator.get(`/api/v1/sessions/${s}/attendance.csv`);
    const { text, rows } = csvOf(res, `session-${s}-attendance.csv`);
    assert.equal(text.split('\r\n')[0], 'session_id,starts_at,participant_id,name,erased,status,sat_out,enrolment');
    assert.equal(rows.length, 3);
    const by = Object.fromEntries(rows.map((r) => [Number(r.participant_id), r]));
    assert.deepEqual([by[a.id].name, by[a.id].status, by[a.id].sat_out], [`'${a.name}`, 'present', 'yes']);
    assert.deepEqual([by[b.id].name, by[b.id].status, by[b.id].sat_out], [b.name, 'absent', 'no']);
    assert.deepEqual([by[c.id].name, by[c.id].status, by[c.id].sat_out, by[c.id].enrolment], [c.name, '', '', 'enrolled']);
    assert.ok(rows.every((r) => Number(r.session_id) === s && r.starts_at === new Date((now - 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')));
    assert.ok((await auditActions(`session:${s}`)).includes('attendance.export'));
  });

  test('scope and roles: as the JSON lists (another organisation\'s draft is a 404 like a missing id)', async () => {
    const pub = await programme();
    const draft = await programme({ publish: false });
    // A missing id and another organisation's draft: the same 404.
    const missing = await librarian.get('/api/v1/programmes/99999999/enrolments.csv');
    assertProblem(missing, 404);
    const hidden = await librarian.get(`/api/v1/programmes/${draft.id}/enrolments.csv`);
    assertProblem(hidden, 404);
    assert.deepEqual(same(hidden), same(missing));
    const missingS = await librarian.get('/api/v1/sessions/99999999/attendance.csv');
    assertProblem(missingS, 404);
    const hiddenS = await librarian.get(`/api/v1/sessions/${draft.sessions[0].id}/attendance.csv`);
    assertProblem(hiddenS, 404);
    assert.deepEqual(same(hiddenS), same(missingS));
    // A published programme of another organisation: the JSON route's answer.
    for (const [csv, jsonPath] of [
      [`/api/v1/programmes/${pub.id}/enrolments.csv`, `/api/v1/programmes/${pub.id}/enrolments`],
      [`/api/v1/sessions/${pub.sessions[0].id}/attendance.csv`, `/api/v1/sessions/${pub.sessions[0].id}/attendance`],
    ]) {
      const a = await librarian.get(csv);
      const b = await librarian.get(jsonPath);
      assert.equal(a.status, b.status, csv);
      assert.equal(a.status, 403);
      assert.equal(a.json.detail, b.json.detail);
      // Roles without the read: the funder and a participant.
      assertProblem(await as.funder.get(csv), 403);
      assertProblem(await as.participant.get(csv), 403);
    }
    // No file, no audit entry for a refusal.
    assert.ok(!(await auditActions(`programme:${draft.id}`)).includes('enrolment.export'));
  });
});
