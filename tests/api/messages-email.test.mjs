// The outbox's email side (issue 12): a real SMTP server on loopback (npm
// smtp-server, no TLS: Hearth speaks plain SMTP only to a loopback host)
// receives what Hearth sends, and mailparser reads it. Headers, both
// parts, List-Unsubscribe (+Post, RFC 8058) and Spanish; the one-click
// unsubscribe and a tampered token; a refusing server (retries, failed,
// shown to admins, retried, delivered once); kill -9 while a message is
// claimed (delivered once after the restart); two PostgreSQL nodes (each
// message delivered once); .eml files without SMTP; a bad --smtp-url.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';

import { smtp, until } from './mailbox.mjs';

import {
  startServer, startNodes, loginAs, DEMO_USERS, Client, assertProblem, runCli, backend,
  tempDir, sleep, dbQuery, unique, DEMO_PASSWORD,
} from './harness.mjs';

const admin = DEMO_USERS.find((u) => u.role === 'admin');
/** The outbox routes' action: admins only (the policy matrix test points here). */
const OUTBOX = 'outbox.manage';



async function outbox(client, state) {
  const res = await client.get(`/api/v1/outbox${state ? `?state=${state}` : ''}&limit=200`.replace('outbox&', 'outbox?'));
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function sendTest(client) {
  const res = await client.post('/api/v1/outbox/test');
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

/** A header's raw value (mailparser folds List-* headers into one object). */
const header = (m, name) => m.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]*:\s*/, '');

const mailsFor = (box, id) => box.mails.filter((m) => (m.messageId || '').startsWith(`<hearth.${id}.`));

describe('email over SMTP', () => {
  let box, server, adm;
  before(async () => {
    box = await smtp();
    server = await startServer({
      env: {
        HEARTH_SMTP_URL: box.url,
        HEARTH_MAIL_FROM: 'Hearth Test <hearth@mail.example>',
        HEARTH_PUBLIC_URL: 'https://hearth.example',
        HEARTH_SMTP_RETRY_BASE: '1',
        HEARTH_SMTP_MAX_TRIES: '3',
      },
    });
    adm = await loginAs(server.url, admin);
  });
  after(async () => {
    await server?.stop();
    await box?.close();
  });

  test('a test message arrives with its headers, both parts and List-Unsubscribe', async () => {
    const id = await sendTest(adm);
    const [m] = await until(() => mailsFor(box, id).length && mailsFor(box, id), { what: 'the test email' });
    assert.equal(m.from.value[0].address, 'hearth@mail.example');
    assert.equal(m.to.value[0].address, admin.email);
    assert.equal(m.subject, 'Hearth test message');
    assert.ok(m.date instanceof Date && Math.abs(m.date - Date.now()) < 60_000, `Date ${m.date}`);
    assert.match(m.messageId, new RegExp(`^<hearth\\.${id}\\.[0-9a-f]+@mail\\.example>$`));
    assert.match(m.text, /test message from Hearth/);
    assert.match(m.html, /<a href="https:\/\/hearth\.example\/#\/dashboard">/);
    assert.equal(m.headers.get('auto-submitted'), 'auto-generated');
    assert.match(header(m, 'list-unsubscribe'), /^<https:\/\/hearth\.example\/api\/v1\/unsubscribe\?t=[A-Za-z0-9_-]+>$/);
    assert.equal(header(m, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    // The outbox shows it sent, by SMTP, with no address or name.
    const row = (await outbox(adm)).find((r) => r.id === id);
    assert.equal(row.state, 'sent');
    assert.equal(row.sent_via, 'smtp');
    assert.equal(row.message_id, m.messageId);
    assert.match(row.recipient, /^user #\d+$/);
    assert.ok(!JSON.stringify(row).includes('@riverside'), 'no address in the outbox list');
    // The admin's view of the email: what was sent, without the address.
    const eml = await adm.get(`/api/v1/outbox/${id}/email`);
    assert.equal(eml.status, 200);
    assert.match(eml.headers.get('content-type'), /^text\/plain/);
    const parsed = await simpleParser(Buffer.from(eml.text));
    assert.equal(parsed.subject, 'Hearth test message');
    assert.ok(!eml.text.includes(admin.email));
  });

  test('Spanish when the preference is es; one-click unsubscribe makes the kind inbox-only', async () => {
    const put = await adm.request('PUT', '/api/v1/me/message-preferences', { body: { lang: 'es' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.lang, 'es');
    const id = await sendTest(adm);
    const [m] = await until(() => mailsFor(box, id).length && mailsFor(box, id), { what: 'the Spanish email' });
    assert.equal(m.subject, 'Mensaje de prueba de Hearth');
    assert.match(m.text, /el correo funciona/);
    const url = new URL(header(m, 'list-unsubscribe').replace(/[<>]/g, ''));
    const token = url.searchParams.get('t');
    // What the link would do, then a tampered token.
    const anon = new Client(server.url);
    const what = await anon.get(`/api/v1/unsubscribe?t=${token}`);
    assert.equal(what.status, 200, what.text);
    assert.equal(what.json.kind, 'test');
    const bad = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    assertProblem(await anon.request('POST', `/api/v1/unsubscribe?t=${bad}`, {
      raw: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }), 400, { field: 't' });
    assertProblem(await anon.get('/api/v1/unsubscribe?t=nonsense'), 400, { field: 't' });
    // RFC 8058: a form-encoded POST without login or CSRF token.
    const one = await anon.request('POST', `/api/v1/unsubscribe?t=${token}`, {
      raw: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.done, true);
    const prefs = await adm.get('/api/v1/me/message-preferences');
    assert.equal(prefs.json.kinds.find((k) => k.kind === 'test').email, false);
    // The next message of that kind is not emailed.
    const before = box.mails.length;
    const id2 = await sendTest(adm);
    const row = await until(async () => (await outbox(adm)).find((r) => r.id === id2 && r.state !== 'queued' && r.state !== 'sending'), { what: 'the inbox-only message' });
    assert.equal(row.state, 'none');
    await sleep(300);
    assert.equal(box.mails.length, before);
    // Back to email, in English.
    const back = await adm.request('PUT', '/api/v1/me/message-preferences', {
      body: { lang: 'en', kinds: [{ kind: 'test', email: true }] },
    });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.kinds.find((k) => k.kind === 'test').email, true);
  });

  test('preferences are validated naming the field', async () => {
    const put = (body) => adm.request('PUT', '/api/v1/me/message-preferences', { body });
    assertProblem(await put({ lang: 'fr' }), 400, { field: 'lang' });
    assertProblem(await put({ time_zone: 'Mars/Olympus' }), 400, { field: 'time_zone' });
    assertProblem(await put({ quiet_hours: { start: '25:00', end: '07:00' } }), 400, { field: 'quiet_hours.start' });
    assertProblem(await put({ kinds: [{ kind: 'password_reset', email: false }] }), 400, { field: 'kinds' });
    const ok = await put({ quiet_hours: { start: '22:00', end: '07:00' }, time_zone: 'Europe/Madrid' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.quiet_hours, { start: '22:00', end: '07:00' });
    assert.ok(!ok.json.kinds.some((k) => k.kind === 'password_reset'), 'email-only kinds are not listed');
    const clear = await put({ quiet_hours: null, time_zone: 'UTC' });
    assert.equal(clear.json.quiet_hours, null);
  });

  test('a refusing server: retries, then failed and shown; retried: delivered once', async () => {
    box.mode = 'refuse';
    const id = await sendTest(adm);
    const row = await until(async () => (await outbox(adm, 'failed')).find((r) => r.id === id), { timeoutMs: 30_000, what: 'the message to fail' });
    assert.equal(row.attempts, 3);
    assert.match(row.last_error, /451/);
    assert.ok(!row.last_error.includes('@'), 'no address in last_error');
    assert.equal(mailsFor(box, id).length, 0);
    box.mode = 'accept';
    const retry = await adm.post(`/api/v1/outbox/${id}/retry`);
    assert.equal(retry.status, 200, retry.text);
    assertProblem(await adm.post(`/api/v1/outbox/${id}/retry`), 409, { field: 'state' });
    await until(() => mailsFor(box, id).length === 1, { what: 'the retried email' });
    await sleep(1500);
    assert.equal(mailsFor(box, id).length, 1, 'delivered exactly once');
    assert.equal((await outbox(adm, 'sent')).find((r) => r.id === id)?.state, 'sent');
  });

  test('admins only (outbox.manage): every other role is refused; unknown ids are 404', async () => {
    const id = await sendTest(adm);
    for (const u of DEMO_USERS.filter((x) => x.role !== 'admin')) {
      const c = await loginAs(server.url, u);
      for (const [method, p] of [['GET', '/api/v1/outbox'], ['POST', '/api/v1/outbox/test'],
        ['GET', `/api/v1/outbox/${id}/email`], ['POST', `/api/v1/outbox/${id}/retry`]]) {
        assertProblem(await c.request(method, p), 403, { detail: `your role does not allow ${OUTBOX}`, context: `${u.role} ${method} ${p}` });
      }
    }
    assertProblem(await adm.get('/api/v1/outbox/99999999/email'), 404);
    assertProblem(await adm.get('/api/v1/outbox?state=lost'), 400, { field: 'state' });
  });
});

describe('participants: their record\'s address, only with contact consent; quiet hours', () => {
  const DAY = 86400_000;
  const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
  const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);
  let box, server, coord, adm, org;
  before(async () => {
    box = await smtp();
    server = await startServer({ env: { HEARTH_SMTP_URL: box.url } });
    coord = await loginAs(server.url, DEMO_USERS.find((u) => u.role === 'coordinator'));
    adm = await loginAs(server.url, admin);
    org = (await adm.get('/api/v1/organisations')).json.items.find((o) => o.name === 'Riverside Community Arts').id;
  });
  after(async () => {
    await server?.stop();
    await box?.close();
  });

  async function programme(title) {
    const start = Date.now() + 7 * DAY;
    const v = await coord.post('/api/v1/venues', { organisation_id: org, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [] });
    assert.equal(v.status, 201, v.text);
    const res = await coord.post('/api/v1/programmes', {
      organisation_id: org, title, art_form: 'painting', languages: ['en'], format: 'in_person', capacity: 5,
      therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start), start_time: '17:30', duration_minutes: 90,
      venue_id: v.json.id, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=2`,
    });
    assert.equal(res.status, 201, res.text);
    assert.equal((await coord.post(`/api/v1/programmes/${res.json.id}/publish`)).status, 200);
    return { id: res.json.id, sessions: (await coord.get(`/api/v1/programmes/${res.json.id}/sessions`)).json.items };
  }

  async function person(name, email, contact) {
    const consents = [{ purpose: 'participation', granted: true }];
    if (contact) consents.push({ purpose: 'contact', granted: true });
    const res = await coord.post('/api/v1/participants', { name, email, organisation_ids: [org], consents });
    assert.equal(res.status, 201, res.text);
    return res.json.id;
  }

  async function settled(kind, pid) {
    return until(async () => (await outbox(adm)).find((r) => r.kind === kind && r.recipient === `participant #${pid}`
      && !['queued', 'sending'].includes(r.state)), { what: `${kind} to participant ${pid}` });
  }

  test('a moved session: emailed with consent, inbox only without; no title or name in the email', async () => {
    const title = unique('Grief and Loss Circle');
    const p = await programme(title);
    const yes = `${unique('yes')}@example.org`;
    const no = `${unique('no')}@example.org`;
    const a = await person(unique('Ada Consenting'), yes, true);
    const b = await person(unique('Bo Declining'), no, false);
    for (const pid of [a, b]) assert.equal((await coord.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: pid })).status, 201);
    const s = p.sessions[0];
    const moveTo = new Date(Date.parse(s.starts_at) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.equal((await coord.patch(`/api/v1/sessions/${s.id}`, { starts_at: moveTo })).status, 200);
    assert.equal((await settled('session_moved', a)).state, 'sent');
    const rowB = await settled('session_moved', b);
    assert.equal(rowB.state, 'none');
    assert.equal(rowB.last_error, 'no consent to contact by email');
    const mail = box.mails.find((m) => m.to.value[0].address === yes);
    assert.ok(mail, 'emailed at the address in the record');
    assert.ok(!box.mails.some((m) => m.to.value[0].address === no), 'nothing to the person without contact consent');
    assert.equal(mail.subject, 'Your session has moved');
    for (const secret of [title, 'Ada', 'Grief']) {
      assert.ok(!mail.text.includes(secret) && !mail.html.includes(secret) && !mail.subject.includes(secret), `no "${secret}" in the email`);
    }
    assert.match(mail.text, /Your session on .* now takes place on .*\(Europe\/London\)|\(UTC\)/);
  });

  test('quiet hours hold a non-urgent email until they end, in the person\'s time zone', async () => {
    const p2 = await loginAs(server.url, { email: 'participant2@example.org', password: DEMO_PASSWORD });
    assert.equal((await p2.post('/api/v1/me/consents', { purpose: 'contact', granted: true })).status, 201);
    const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);
    const now = Date.now();
    const put = await p2.request('PUT', '/api/v1/me/message-preferences', {
      body: { time_zone: 'UTC', quiet_hours: { start: hhmm(now - 3600_000), end: hhmm(now + 2 * 3600_000) } },
    });
    assert.equal(put.status, 200, put.text);
    const me = (await p2.get('/api/v1/me/profile')).json.id;
    const p = await programme(unique('Painting'));
    assert.equal((await coord.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: me })).status, 201);
    const s = p.sessions[1];
    const moveTo = new Date(Date.parse(s.starts_at) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.equal((await coord.patch(`/api/v1/sessions/${s.id}`, { starts_at: moveTo })).status, 200);
    const uid = p2.user.id;
    const row = await until(async () => (await outbox(adm, 'queued')).find((r) => r.kind === 'session_moved'
      && (r.recipient === `participant #${me}` || r.recipient === `user #${uid}`) && Date.parse(r.next_at) > Date.now() + 3600_000),
    { what: 'the held email' });
    const end = new Date(now + 2 * 3600_000);
    end.setUTCSeconds(0, 0);
    assert.equal(Date.parse(row.next_at), end.getTime(), `held until ${row.next_at}`);
    assert.equal(row.attempts, 0);
  });
});

test('kill -9 while a message is claimed: delivered once after the restart', async () => {
  const box = await smtp();
  box.mode = 'hang';
  const env = { HEARTH_SMTP_URL: box.url, HEARTH_OUTBOX_LEASE: '2', HEARTH_SMTP_RETRY_BASE: '1' };
  let server = await startServer({ env });
  try {
    const adm = await loginAs(server.url, admin);
    const id = await sendTest(adm);
    await until(async () => (await outbox(adm, 'sending')).some((r) => r.id === id), { what: 'the claim' });
    server.proc.kill('SIGKILL');
    await server.exited;
    box.mode = 'accept';
    server = await startServer({ dir: server.dir, env });
    await until(() => mailsFor(box, id).length >= 1, { timeoutMs: 20_000, what: 'the email after restart' });
    await sleep(3000);
    assert.equal(mailsFor(box, id).length, 1, 'delivered exactly once');
  } finally {
    await server.stop();
    await box.close();
  }
});

test('SIGTERM while an SMTP server hangs: a clean exit at once, the message queued again, not counted as a try', async () => {
  const box = await smtp();
  box.mode = 'hang';
  const server = await startServer({ env: { HEARTH_SMTP_URL: box.url } });
  try {
    const adm = await loginAs(server.url, admin);
    const id = await sendTest(adm);
    await until(async () => (await outbox(adm, 'sending')).some((r) => r.id === id), { what: 'the claim' });
    const t0 = Date.now();
    await server.stop();
    assert.ok(Date.now() - t0 < 10_000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(dbQuery(server, `SELECT email_state, attempts FROM messages WHERE id = ${id}`).trim(), 'queued|0');
  } finally {
    await server.stop();
    await box.close();
  }
});

test('two PostgreSQL nodes both sending: each message delivered once', { skip: backend() !== 'postgres' && 'PostgreSQL only (two nodes on one database)' }, async () => {
  const box = await smtp();
  const nodes = await startNodes(2, { env: { HEARTH_SMTP_URL: box.url } });
  try {
    const clients = await Promise.all(nodes.map((n) => loginAs(n.url, admin)));
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await sendTest(clients[i % 2]));
    await until(() => ids.every((id) => mailsFor(box, id).length >= 1), { timeoutMs: 30_000, what: 'every email' });
    await sleep(1500);
    for (const id of ids) assert.equal(mailsFor(box, id).length, 1, `message ${id} delivered once`);
  } finally {
    await nodes.stopAll();
    await box.close();
  }
});

test('without SMTP an .eml file is written to the mail directory', async () => {
  const dir = tempDir('hearth-mail-');
  const mailDir = path.join(dir, 'mail');
  const server = await startServer({ env: { HEARTH_MAIL_DIR: mailDir } });
  try {
    const adm = await loginAs(server.url, admin);
    const id = await sendTest(adm);
    const file = await until(() => fs.existsSync(mailDir) && fs.readdirSync(mailDir).find((f) => f.endsWith(`-${id}.eml`)), { what: 'the .eml file' });
    const st = fs.statSync(path.join(mailDir, file));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(mailDir).mode & 0o777, 0o700);
    const m = await simpleParser(fs.readFileSync(path.join(mailDir, file)));
    assert.equal(m.subject, 'Hearth test message');
    assert.equal(m.to.value[0].address, admin.email);
    const row = (await outbox(adm, 'sent')).find((r) => r.id === id);
    assert.equal(row.sent_via, 'file');
  } finally {
    await server.stop();
  }
});

test('a bad --smtp-url or password file stops the start naming the flag (exit 2)', () => {
  for (const url of ['http://mail.example', 'smtp://', 'smtp://:25', 'smtp://host:99999']) {
    const r = runCli(['serve', '--smtp-url', url]);
    assert.equal(r.code, 2, `${url}: ${r.stderr}`);
    assert.match(r.stderr, /--smtp-url/);
  }
  const r = runCli(['serve', '--smtp-url', 'smtp://127.0.0.1:2525', '--smtp-user', 'u', '--smtp-password-file', '/nonexistent/pw']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--smtp-password-file/);
});
