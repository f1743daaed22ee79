// No sensitive personal data in any email (issue 12). Sends every kind of
// message there is (every "mail.<kind>.subject" in web/i18n/en.json) while
// sensitive data is present: a therapeutic programme whose title and
// description say what its people live with, participants with names,
// needs and notes, a cancellation reason about a person, a venue. Then
// reads every email two ways — as delivered to a real SMTP server on
// loopback, and as the admin's outbox view renders each message (which
// covers reminders still waiting) — in English and in Spanish, and scans
// subject, both bodies and every header for those words, for any other
// person's address, and for a programme title.
// SQLite, or PostgreSQL with HEARTH_TEST_PG_URL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';

import { smtp, until } from './mailbox.mjs';

import {
  Client, DEMO_USERS, loginAs, startServer, unique,
} from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KINDS = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'web/i18n/en.json'), 'utf8')))
  .map((k) => /^mail\.([a-z_]+)\.subject$/.exec(k)?.[1]).filter(Boolean);

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const user = (role) => DEMO_USERS.find((u) => u.role === role);

let box, server, as, riverside;
const secrets = []; // words that must never reach an email
const people = []; // { id, email, name }



async function person(tag) {
  const name = `${unique(tag)} Quillfeather`;
  const email = `${unique(tag.toLowerCase())}@example.org`.toLowerCase();
  const needs = `panic attacks on crowded buses ${unique('n')}`;
  const res = await as.coordinator.post('/api/v1/participants', {
    name, email, organisation_ids: [riverside], phone: '+44 7700 900123',
    notes: `Discharged from inpatient ward ${unique('w')}`, needs: { free_text: needs },
    consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
  });
  assert.equal(res.status, 201, res.text);
  secrets.push(name, needs, 'inpatient ward');
  const p = { id: res.json.id, email, name };
  people.push(p);
  return p;
}

before(async () => {
  box = await smtp();
  server = await startServer({
    env: {
      HEARTH_SMTP_URL: box.url,
      HEARTH_MAIL_FROM: 'Hearth <hearth@mail.example>',
      HEARTH_PUBLIC_URL: 'https://hearth.example',
      HEARTH_REGISTER_MIN_SECONDS: '0',
    },
  });
  as = {};
  for (const role of ['admin', 'coordinator', 'facilitator', 'clinician']) as[role] = await loginAs(server.url, user(role));
  riverside = (await as.admin.get('/api/v1/organisations')).json.items
    .find((o) => o.name === 'Riverside Community Arts').id;
});

after(async () => {
  await server?.stop();
  await box?.close();
});

describe('no sensitive personal data in any email', () => {
  test('every kind of message, with sensitive data present, in English and Spanish', async () => {
    assert.ok(KINDS.length >= 10, `kinds found in the catalog: ${KINDS}`);
    // A therapeutic programme whose title says what its people live with.
    const title = `Hearing Voices Recovery Circle ${unique('t')}`;
    const description = 'For people living with psychosis after a hospital stay';
    const venueName = `Ward Seven Day Room ${unique('v')}`;
    secrets.push(title, description, venueName, 'psychosis', 'Hearing Voices', 'Voices are not discussed');
    const v = await as.coordinator.post('/api/v1/venues', {
      organisation_id: riverside, name: venueName, address: '9 Quiet Lane', capacity: 20, features: [],
    });
    assert.equal(v.status, 201, v.text);
    const start = Date.now() + 7 * DAY;
    const prog = await as.coordinator.post('/api/v1/programmes', {
      organisation_id: riverside, title, description, art_form: 'music', languages: ['en'],
      format: 'in_person', capacity: 1, therapeutic: true, timezone: 'Europe/London',
      start_date: new Date(start).toISOString().slice(0, 10), start_time: '17:30', duration_minutes: 90,
      trauma_plan: {
        grounding: 'A short breathing exercise.', difficult_content: 'Voices are not discussed unless wanted.',
        debrief: 'Ten minutes at the end.', opt_out: 'Step out at any time.',
      },
      team: [{ user_id: as.facilitator.user.id, role: 'artist_facilitator' },
        { user_id: as.clinician.user.id, role: 'mental_health_partner' }],
      venue_id: v.json.id, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=2`,
    });
    assert.equal(prog.status, 201, prog.text);
    const sessions = (await as.coordinator.get(`/api/v1/programmes/${prog.json.id}/sessions`)).json.items;
    for (const s of sessions) {
      const duty = await as.coordinator.post(`/api/v1/sessions/${s.id}/roster`,
        { user_id: as.clinician.user.id, role: 'on_duty' });
      assert.equal(duty.status, 201, duty.text);
    }
    const pub = await as.coordinator.post(`/api/v1/programmes/${prog.json.id}/publish`);
    assert.equal(pub.status, 200, pub.text);

    const a = await person('Ariadne');
    const b = await person('Benedikt');
    const c = await person('Cosima');
    // The waitlist: B waits, A leaves, B is offered the place (and a
    // reminder is written for later).
    const ea = await as.coordinator.post(`/api/v1/programmes/${prog.json.id}/enrolments`, { participant_id: a.id });
    assert.equal(ea.status, 201, ea.text);
    const eb = await as.coordinator.post(`/api/v1/programmes/${prog.json.id}/enrolments`, { participant_id: b.id });
    assert.equal(eb.json.status, 'waitlisted', eb.text);
    assert.equal((await as.coordinator.delete(`/api/v1/enrolments/${ea.json.id}`)).status, 204);
    // The roster: the facilitator on duty and off again; the session moved
    // and the other cancelled with a reason about a person.
    const add = await as.coordinator.post(`/api/v1/sessions/${sessions[0].id}/roster`,
      { user_id: as.facilitator.user.id, role: 'lead' });
    assert.equal(add.status, 201, add.text);
    const moveTo = new Date(Date.parse(sessions[0].starts_at) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.equal((await as.coordinator.patch(`/api/v1/sessions/${sessions[0].id}`, { starts_at: moveTo })).status, 200);
    // Then to another venue at the same time.
    const annex = `Crisis House Annex ${unique('v')}`;
    secrets.push(annex, 'Crisis House');
    const v2 = await as.coordinator.post('/api/v1/venues', {
      organisation_id: riverside, name: annex, address: '11 Quiet Lane', capacity: 20, features: [],
    });
    assert.equal(v2.status, 201, v2.text);
    const place = await as.coordinator.patch(`/api/v1/sessions/${sessions[0].id}`, { venue_id: v2.json.id });
    assert.equal(place.status, 200, place.text);
    const reason = `${b.name} was sectioned last night`;
    secrets.push(reason, 'sectioned');
    const cx = await as.coordinator.patch(`/api/v1/sessions/${sessions[1].id}`, { status: 'cancelled', cancel_reason: reason });
    assert.equal(cx.status, 200, cx.text);
    assert.equal((await as.coordinator.delete(`/api/v1/roster/${add.json.id}`)).status, 204);
    // Account: an invitation, a password reset, a registration with a
    // known address, and an admin's test message.
    assert.equal((await as.coordinator.post(`/api/v1/participants/${c.id}/invite`)).status, 202);
    assert.equal((await new Client(server.url).post('/api/v1/auth/password-reset', { email: user('coordinator').email })).status, 202);
    const anon = new Client(server.url);
    const form = (await anon.get('/api/v1/register/form')).json;
    const reg = await anon.post('/api/v1/register', {
      form_token: form.form_token, organisation_id: riverside, name: `${unique('Someone')} Else`, email: a.email,
      consents: [{ purpose: 'participation', granted: true }],
    });
    assert.equal(reg.status, 202, reg.text);
    assert.equal((await as.admin.post('/api/v1/outbox/test')).status, 201);

    // Every message the outbox holds, rendered as the admin sees it (the
    // waiting reminder too), in the recipient's language; then again in
    // Spanish after B and the facilitator choose it.
    const all = async () => {
      const items = [];
      let cursor = null;
      do {
        const res = await as.admin.get(`/api/v1/outbox?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200, res.text);
        items.push(...res.json.items);
        cursor = res.json.next_cursor;
      } while (cursor);
      return items;
    };
    const rendered = async () => {
      const out = [];
      for (const row of await all()) {
        const res = await as.admin.get(`/api/v1/outbox/${row.id}/email`);
        assert.equal(res.status, 200, res.text);
        out.push({ kind: row.kind, raw: res.text, parsed: await simpleParser(Buffer.from(res.text)) });
      }
      return out;
    };
    const english = await rendered();
    const seen = new Set(english.map((m) => m.kind));
    assert.deepEqual(KINDS.filter((k) => !seen.has(k)), [], 'every kind of message was sent');

    const facilitatorPrefs = await as.facilitator.request('PUT', '/api/v1/me/message-preferences', { body: { lang: 'es' } });
    assert.equal(facilitatorPrefs.status, 200, facilitatorPrefs.text);
    const adminPrefs = await as.admin.request('PUT', '/api/v1/me/message-preferences', { body: { lang: 'es' } });
    assert.equal(adminPrefs.status, 200, adminPrefs.text);
    const spanish = (await rendered()).filter((m) => ['duty_on', 'duty_off', 'test'].includes(m.kind));
    assert.ok(spanish.length >= 3);
    assert.ok(spanish.some((m) => /sesi[oó]n|prueba/i.test(m.parsed.subject)), 'Spanish words');

    // What the SMTP server received (all but the reminder, which waits).
    await until(() => box.mails.length >= english.length - 1, { what: 'the emails' });
    const delivered = box.mails.map((parsed) => ({ kind: 'delivered', parsed }));

    const everyone = [...people.map((p) => p.email), ...DEMO_USERS.map((u) => u.email)];
    for (const m of [...english, ...spanish, ...delivered]) {
      const to = (m.parsed.to?.value ?? []).map((x) => (x.address || '').toLowerCase());
      const text = [m.parsed.subject, m.parsed.text, m.parsed.html || '',
        ...m.parsed.headerLines.map((h) => h.line)].join('\n');
      for (const s of secrets) {
        assert.ok(!text.toLowerCase().includes(s.toLowerCase()),
          `${m.kind} email to ${to} contains "${s}":\n${m.parsed.subject}\n${m.parsed.text}`);
      }
      for (const addr of everyone) {
        if (to.includes(addr.toLowerCase())) continue;
        const local = addr.split('@')[0];
        assert.ok(!text.toLowerCase().includes(addr.toLowerCase()),
          `${m.kind} email to ${to} names another person's address ${addr}`);
        assert.ok(!text.toLowerCase().includes(`${local}@`), `${m.kind} email names ${local}@`);
      }
      // Programmes are named only as "your session": no title of any
      // programme reaches an email.
      assert.ok(!/Circle|Recovery/i.test(text), `${m.kind}: a programme's words`);
    }
  });
});
