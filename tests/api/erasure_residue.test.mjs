// Erasure leaves no residue: a unique marker is written into every free-text
// field that is about one person, in every module (the migrations'
// free-text columns: the profile's fields, needs and staff notes, a
// guardian's name on a consent, listening answers given by name, a theme the
// person proposed, support notes written by the person and by staff, a
// follow-up note), a backup is taken, and the person is erased. After that
// the marker is in no API answer, in no page of the database (the SQLite file
// and its WAL, read as bytes; on PostgreSQL every table read as text), and
// the backup taken before the erasure holds it only as ciphertext.
//
// Enrolments, attendance and the roster hold no free text (codes and ids),
// so they carry no marker; the export test covers them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, assertProblem, dbQuery, isPg, loginAllRoles, loginAs, runCliOk, startServer, tempDir, unique,
} from './harness.mjs';

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
// Lower case, so the email (stored lower-cased) carries it too.
const M = `mk${crypto.randomBytes(6).toString('hex')}`;
// A phone number cannot hold letters: its own unique digits.
const PHONE = `+44 7700 ${crypto.randomInt(100000, 999999)}`;
const PHONE_DIGITS = PHONE.replace(/\D/g, '');

let server;
let as;
let org;
let victim; // {id, email, client}
let prog; // programme with sessions
let round;
let themeId;
let backupFile;

function assertNoMarker(bytes, where) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(String(bytes), 'utf8');
  for (const s of [M, PHONE_DIGITS]) {
    assert.equal(buf.indexOf(Buffer.from(s, 'utf8')), -1, `${where} holds "${s}" in the clear`);
    const hex = Buffer.from(s, 'utf8').toString('hex');
    assert.equal(buf.toString('latin1').toLowerCase().indexOf(hex), -1, `${where} holds "${s}" hex-encoded`);
  }
}

/** The SQLite database file and its WAL, as bytes. */
function sqliteBytes(file) {
  return Buffer.concat(['', '-wal'].map((s) => file + s).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

/** Every table of the live database read as text (PostgreSQL), or its pages (SQLite). */
function databaseContent() {
  if (!isPg(server)) return sqliteBytes(server.db);
  const tables = dbQuery(server, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
    .trim().split('\n').filter(Boolean);
  assert.ok(tables.includes('supports') && tables.includes('themes'), `tables: ${tables}`);
  return tables.map((t) => dbQuery(server, `SELECT x::text FROM ${t} x`)).join('\n');
}

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  const orgs = await as.admin.get('/api/v1/organisations');
  org = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;

  // The person, with a marker in every free-text field of the profile.
  const email = `${M}.person@residue.example`;
  const res = await as.coordinator.post('/api/v1/participants', {
    name: `${M} Name`, preferred_name: `${M} Pref`, pronouns: `${M}/pro`, languages: [`${M} lang`],
    email, phone: PHONE, preferred_contact: 'email', age_band: '26_40',
    emergency_contact: { name: `${M} Emergency`, phone: PHONE, relationship: `${M} rel` },
    needs: { interpretation_language: `${M} interp`, adaptive_equipment: `${M} equipment`, free_text: `${M} needs text` },
    notes: `${M} staff note`, organisation_ids: [org],
    consents: [
      { purpose: 'participation', granted: true },
      { purpose: 'contact', granted: true },
      { purpose: 'media', granted: true, given_by: 'guardian', guardian_name: `${M} Guardian` },
    ],
  });
  assert.equal(res.status, 201, res.text);
  const id = res.json.id;
  const code = await as.coordinator.post(`/api/v1/participants/${id}/account-code`);
  assert.equal(code.status, 201, code.text);
  const password = `pw-${unique('residue')}`;
  const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password });
  assert.equal(claim.status, 201, claim.text);
  victim = { id, email, client: await loginAs(server.url, { email, password }) };

  // A programme with held sessions, the person enrolled and marked.
  const start = Date.now() - 15 * DAY;
  const venue = await as.coordinator.post('/api/v1/venues', { organisation_id: org, name: unique('Room'), address: '1 Residue Street', capacity: 20 });
  assert.equal(venue.status, 201, venue.text);
  const p = await as.coordinator.post('/api/v1/programmes', {
    organisation_id: org, title: unique('Residue'), art_form: 'painting', languages: ['en'], format: 'in_person', capacity: 5,
    therapeutic: false, timezone: 'Europe/London', start_date: new Date(start).toISOString().slice(0, 10), start_time: '10:00',
    duration_minutes: 60, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=6`, venue_id: venue.json.id,
  });
  assert.equal(p.status, 201, p.text);
  assert.equal((await as.coordinator.post(`/api/v1/programmes/${p.json.id}/publish`)).status, 200);
  const sessions = (await as.coordinator.get(`/api/v1/programmes/${p.json.id}/sessions`)).json.items;
  prog = { id: p.json.id, sessions };
  const enrol = await as.coordinator.post(`/api/v1/programmes/${prog.id}/enrolments`, { participant_id: id });
  assert.equal(enrol.status, 201, enrol.text);
  // Attendance is taken once a session has started: move the first into the past.
  dbQuery(server, `UPDATE programme_sessions SET starts_at = ${Math.floor(Date.now() / 1000) - 3600}, ends_at = ${Math.floor(Date.now() / 1000)} WHERE id = ${sessions[0].id}`);
  const mark = await as.facilitator.post(`/api/v1/sessions/${sessions[0].id}/attendance`, { marks: [{ participant_id: id, status: 'absent' }] });
  assert.equal(mark.status, 200, mark.text);

  // Supports: one the person asked for, one staff asked for on their behalf.
  const mine = await victim.client.post('/api/v1/me/supports', { programme_id: prog.id, kind: 'childcare', notes: `${M} my support note` });
  assert.equal(mine.status, 201, mine.text);
  const staff = await as.coordinator.post(`/api/v1/programmes/${prog.id}/supports`, { participant_id: id, kind: 'interpreter', notes: `${M} staff support note` });
  assert.equal(staff.status, 201, staff.text);

  // A follow-up note about the person.
  const f = await as.peer_supporter.post('/api/v1/followups', { programme_id: prog.id, participant_id: id, action: 'met', note: `${M} followup note` });
  assert.equal(f.status, 201, f.text);

  // An erasure request refused, with a reason written about the person.
  const ask = await victim.client.post('/api/v1/me/erasure-request');
  assert.equal(ask.status, 202, ask.text);
  const refused = await as.admin.post(`/api/v1/erasure-requests/${ask.json.request_id}/reject`, { reason: `${M} refusal reason` });
  assert.equal(refused.status, 204, refused.text);
  assert.equal((await victim.client.get('/api/v1/me/profile')).json.erasure_request.reason, `${M} refusal reason`);

  // Listening: answers given by name (in person and online), a theme the
  // person proposed, and their vote.
  const rd = await as.coordinator.post('/api/v1/listening-rounds', { organisation_id: org, title: unique('Round') });
  assert.equal(rd.status, 201, rd.text);
  round = rd.json;
  const inPerson = await as.facilitator.post(`/api/v1/listening-rounds/${round.id}/responses`, {
    participant_id: id, lang: 'en', answers: { emotional: `${M} feeling`, strengths: `${M} strength` },
  });
  assert.equal(inPerson.status, 201, inPerson.text);
  const online = await victim.client.post(`/api/v1/listening-rounds/${round.id}/responses`, {
    anonymous: false, lang: 'en', answers: { creative: `${M} creative` },
  });
  assert.equal(online.status, 201, online.text);
  const theme = await victim.client.post(`/api/v1/listening-rounds/${round.id}/themes`, { title: `${M} theme title`, description: `${M} theme description` });
  assert.equal(theme.status, 201, theme.text);
  themeId = theme.json.id;
  assert.equal(theme.json.title, `${M} theme title`);
  const vote = await victim.client.request('PUT', `/api/v1/listening-rounds/${round.id}/vote`, { body: { theme_id: themeId } });
  assert.equal(vote.status, 200, vote.text);
  // A decision that links the theme: its title shows on "you said, we did".
  const d = await as.coordinator.post('/api/v1/decisions', { organisation_id: org, round_id: round.id, kind: 'other', title: unique('Decision'), theme_ids: [themeId] });
  assert.equal(d.status, 201, d.text);
});

after(async () => {
  if (server) await server.stop();
});

/** Every API answer that could show something about the person. */
async function apiAnswers() {
  const gets = [
    [as.coordinator, `/api/v1/participants/${victim.id}`],
    [as.coordinator, `/api/v1/participants?email=${encodeURIComponent(victim.email)}`],
    [as.coordinator, '/api/v1/participants?limit=200'],
    [as.coordinator, `/api/v1/participants/${victim.id}/consents`],
    [as.coordinator, `/api/v1/programmes/${prog.id}/supports`],
    [as.coordinator, `/api/v1/programmes/${prog.id}/enrolments`],
    [as.facilitator, `/api/v1/sessions/${prog.sessions[0].id}/attendance`],
    [as.coordinator, `/api/v1/followups/log?participant_id=${victim.id}`],
    [as.coordinator, '/api/v1/followups/log'],
    [as.peer_supporter, '/api/v1/followups'],
    [as.coordinator, `/api/v1/listening-rounds/${round.id}/responses`],
    [as.coordinator, `/api/v1/listening-rounds/${round.id}/themes`],
    [as.participant, `/api/v1/listening-rounds/${round.id}/themes`],
    [as.participant, `/api/v1/decisions?round_id=${round.id}`],
    [as.coordinator, `/api/v1/decisions?organisation_id=${org}`],
    [as.admin, `/api/v1/audit?resource=${encodeURIComponent(`participant:${victim.id}`)}&limit=500`],
    [as.admin, '/api/v1/users'],
  ];
  const out = [];
  for (const [client, url] of gets) {
    const res = await client.get(url);
    assert.ok(res.status < 500, `${url}: ${res.status} ${res.text}`);
    out.push([url, res.text]);
  }
  return out;
}

describe('erasure leaves no residue', () => {
  test('before erasure: the API shows the person\'s words where staff should see them', async () => {
    const supports = await as.coordinator.get(`/api/v1/programmes/${prog.id}/supports`);
    assert.deepEqual(supports.json.items.map((s) => s.notes).sort(), [`${M} my support note`, `${M} staff support note`]);
    const themes = await as.participant.get(`/api/v1/listening-rounds/${round.id}/themes`);
    const th = themes.json.items.find((t) => t.id === themeId);
    assert.deepEqual([th.title, th.description, th.votes], [`${M} theme title`, `${M} theme description`, 1]);
    const log = await as.coordinator.get(`/api/v1/followups/log?participant_id=${victim.id}`);
    assert.equal(log.json.items[0].note, `${M} followup note`);
  });

  test('the live database holds the person\'s words only sealed, even before erasure', () => {
    assertNoMarker(databaseContent(), isPg(server) ? 'a table of the database' : 'the SQLite file or its WAL');
  });

  test('a backup taken before the erasure holds them only as ciphertext', {
    skip: process.env.HEARTH_TEST_PG_URL ? 'hearth backup is SQLite-only (PostgreSQL backups are pg_dump, checked as table text above)' : false,
  }, () => {
    backupFile = path.join(tempDir(), 'before-erasure.db');
    const r = runCliOk(['backup', '--db', server.db, '--key-file', server.keyFile, backupFile]);
    assert.match(r.stdout, /Backed up/);
    const bytes = fs.readFileSync(backupFile);
    assert.ok(bytes.length > 0);
    assertNoMarker(bytes, 'the backup taken before the erasure');
  });

  test('after erasure the marker is in no API answer and no database page', async () => {
    const del = await as.coordinator.delete(`/api/v1/participants/${victim.id}`);
    assert.equal(del.status, 204, del.text);
    assertProblem(await as.coordinator.get(`/api/v1/participants/${victim.id}`), 410);
    for (const [url, text] of await apiAnswers()) assertNoMarker(text, `GET ${url}`);
    // The supports stay for the ledger, without their notes; the theme
    // keeps its votes and shows as removed.
    const supports = await as.coordinator.get(`/api/v1/programmes/${prog.id}/supports`);
    assert.equal(supports.json.items.length, 2);
    assert.ok(supports.json.items.every((s) => s.notes === null), supports.text);
    const th = (await as.participant.get(`/api/v1/listening-rounds/${round.id}/themes`)).json.items.find((t) => t.id === themeId);
    assert.deepEqual([th.title, th.removed, th.votes], [null, true, 1]);
    assertNoMarker(databaseContent(), isPg(server) ? 'a table of the database' : 'the SQLite file or its WAL');
    if (backupFile) assertNoMarker(fs.readFileSync(backupFile), 'the backup taken before the erasure');
  });
});
