// The subject-access export (/api/v1/me/export and /me/export.html): every
// module contributes its part through people_on_export(), and the export
// says which tables each section covers, so this file fails as soon as a
// table holding a participant's id (in the live schema, on either backend)
// is in no section. The readable page shows words from the UI's catalogs in
// the person's language, never codes, and links back to the app.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, dbQuery, isPg, loginAllRoles, loginAs, startServer, unique } from './harness.mjs';

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

let server;
let as;
let org;
let me; // {id, client}
let prog;

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  org = (await as.admin.get('/api/v1/organisations')).json.items.find((o) => o.name === 'Riverside Community Arts').id;
  const email = `${unique('export').toLowerCase()}@export.example`;
  const res = await as.coordinator.post('/api/v1/participants', {
    name: 'Edda Export', email, age_band: '26_40', preferred_contact: 'sms', interests: ['music'],
    needs: { mobility: ['seating'] }, notes: 'Staff note: prefers the back row', organisation_ids: [org],
    consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
  });
  assert.equal(res.status, 201, res.text);
  const code = await as.coordinator.post(`/api/v1/participants/${res.json.id}/account-code`);
  const password = `pw-${unique('export')}`;
  const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password });
  assert.equal(claim.status, 201, claim.text);
  me = { id: res.json.id, client: await loginAs(server.url, { email, password }) };

  // A row in every module's table that holds a participant id.
  const start = Date.now() - 8 * DAY;
  const venue = await as.coordinator.post('/api/v1/venues', { organisation_id: org, name: unique('Room'), address: '2 Export Road', capacity: 20 });
  const p = await as.coordinator.post('/api/v1/programmes', {
    organisation_id: org, title: unique('Export programme'), art_form: 'music', languages: ['en'], format: 'in_person', capacity: 5,
    therapeutic: false, timezone: 'Europe/London', start_date: new Date(start).toISOString().slice(0, 10), start_time: '10:00',
    duration_minutes: 60, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=4`, venue_id: venue.json.id,
  });
  assert.equal(p.status, 201, p.text);
  assert.equal((await as.coordinator.post(`/api/v1/programmes/${p.json.id}/publish`)).status, 200);
  prog = { id: p.json.id, title: p.json.title, sessions: (await as.coordinator.get(`/api/v1/programmes/${p.json.id}/sessions`)).json.items };
  const ok = (r, what) => assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  ok(await me.client.post('/api/v1/me/enrolments', { programme_id: prog.id }), 'enrol');
  // Attendance is taken once a session has started: move the first into the past.
  dbQuery(server, `UPDATE programme_sessions SET starts_at = ${Math.floor(Date.now() / 1000) - 3600}, ends_at = ${Math.floor(Date.now() / 1000)} WHERE id = ${prog.sessions[0].id}`);
  ok(await as.facilitator.post(`/api/v1/sessions/${prog.sessions[0].id}/attendance`, { marks: [{ participant_id: me.id, status: 'late' }] }), 'attendance');
  ok(await as.coordinator.post(`/api/v1/sessions/${prog.sessions[2].id}/roster`, { participant_id: me.id, role: 'participant_lead' }), 'roster');
  ok(await me.client.post('/api/v1/me/supports', { programme_id: prog.id, kind: 'transport_stipend', notes: 'Bus fare from Hill Street' }), 'support');
  ok(await as.peer_supporter.post('/api/v1/followups', { programme_id: prog.id, participant_id: me.id, action: 'called', note: 'Rang to say hello' }), 'followup');
  ok(await me.client.post('/api/v1/me/calendar'), 'calendar');
  const rd = await as.coordinator.post('/api/v1/listening-rounds', { organisation_id: org, title: unique('Export round') });
  ok(rd, 'round');
  ok(await me.client.post(`/api/v1/listening-rounds/${rd.json.id}/responses`, { anonymous: false, lang: 'es', answers: { social: 'Con mi familia' }, barrier_tags: ['cost'] }), 'answer');
  const th = await me.client.post(`/api/v1/listening-rounds/${rd.json.id}/themes`, { title: 'Evening choir' });
  ok(th, 'theme');
  ok(await me.client.request('PUT', `/api/v1/listening-rounds/${rd.json.id}/vote`, { body: { theme_id: th.json.id } }), 'vote');
  ok(await me.client.post('/api/v1/me/erasure-request'), 'erasure request');
});

after(async () => {
  if (server) await server.stop();
});

/** Tables of the live schema with a column holding a participant's id. */
function personTables() {
  const sql = isPg(server)
    ? "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'participant_id' ORDER BY 1"
    : "SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'participant_id' ORDER BY 1";
  const found = dbQuery(server, sql).trim().split('\n').filter(Boolean);
  assert.ok(found.includes('enrolments') && found.includes('consents'), `schema query: ${found}`);
  // The person's own row, and ids under another name: a calendar token's
  // owner_id is a participant id when its kind is 'participant'.
  return [...new Set([...found, 'participants', 'calendar_tokens'])].sort();
}

describe('the subject-access export', () => {
  test('every table holding a participant id is covered by a section of the export', async () => {
    const res = await me.client.get('/api/v1/me/export');
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.json.covers, 'object', 'the export lists the tables behind each section');
    const covered = new Set(Object.values(res.json.covers).flat());
    const missing = personTables().filter((t) => !covered.has(t));
    assert.deepEqual(missing, [], `tables holding a person's id that the export does not cover: ${missing.join(', ')}`);
    for (const section of Object.keys(res.json.covers)) assert.ok(section in res.json, `section ${section} is in the export`);
  });

  test('each module\'s part is there, with the person\'s own words opened', async () => {
    const doc = (await me.client.get('/api/v1/me/export')).json;
    assert.equal(doc.person.notes, 'Staff note: prefers the back row', 'staff notes about the person are included');
    assert.deepEqual(doc.enrolments.map((e) => [e.programme_id, e.status]), [[prog.id, 'enrolled']]);
    assert.deepEqual(doc.attendance.map((a) => [a.programme, a.status]), [[prog.title, 'late']]);
    assert.deepEqual(doc.session_roles.map((r) => r.role), ['participant_lead']);
    assert.deepEqual(doc.supports.map((s) => [s.kind, s.notes]), [['transport_stipend', 'Bus fare from Hill Street']]);
    assert.deepEqual(doc.followups.map((f) => [f.action, f.note]), [['called', 'Rang to say hello']]);
    assert.equal(doc.calendar_feed.length, 1);
    assert.deepEqual(doc.listening_answers.map((a) => [a.answers.social, a.barrier_tags]), [['Con mi familia', ['cost']]]);
    assert.deepEqual(doc.themes_proposed.map((t) => [t.title, t.votes]), [['Evening choir', 1]]);
    assert.deepEqual(doc.theme_votes.map((v) => v.theme), ['Evening choir']);
    assert.deepEqual(doc.erasure_requests.map((r) => r.status), ['pending']);
  });

  for (const [lang, words, header] of [
    ['en', ['My data', 'Age', '26 to 40', 'Text message', 'Enrolled', 'Late', 'Participant lead', 'Help with travel costs', 'Called them', 'You downloaded your data', 'Notes staff wrote about you', 'Cost'], {}],
    ['es', ['Mis datos', 'Edad', 'De 26 a 40', 'Mensaje de texto', 'Inscrito/a', 'Tarde', 'Participante que dirige', 'Ayuda con el transporte', 'Llamada', 'Descargaste tus datos', 'Notas que el equipo escribió sobre ti', 'El coste'], { 'Accept-Language': 'es-MX,es;q=0.9' }],
  ]) {
    test(`export.html in ${lang}: words, not keys, and a link back to the app`, async () => {
      // The page the app links to, and the same page chosen by the browser's language.
      for (const url of [`/api/v1/me/export.html?lang=${lang}`, '/api/v1/me/export.html']) {
        const res = await me.client.get(url, { headers: header });
        assert.equal(res.status, 200, res.text);
        assert.match(res.text, new RegExp(`<html lang="${lang}">`));
        assert.match(res.text, /<a href="\/#\/me\/data">/);
        const text = res.text.replace(/<[^>]+>/g, ' ');
        for (const w of words) assert.ok(text.includes(w), `${url}: "${w}" is on the page`);
        // Codes look like age_band, 26_40, transport_stipend or self.participant.export.
        assert.deepEqual(text.match(/\b\w+_\w+\b|\b[a-z]+\.[a-z_]+\.[a-z_.]+\b/g) ?? [], [], `${url}: codes shown instead of words`);
      }
    });
  }
});
