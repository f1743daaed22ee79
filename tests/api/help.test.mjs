// "Get help now" (/help) opens on the right country: the visitor's own
// choice, then the logged-in user's organisation's country, then the
// deployment's default (`hearth init --default-country`, or serve
// --default-country), then a region in Accept-Language, and never a fixed
// fallback country (issue 9, finding 12: a Spanish speaker at a UK
// organisation got Australia's lines). Also: the organisation's country
// (PATCH /api/v1/organisations/{id}), init requiring a country, and the
// page's translations, lang marks and sms: links. Runs on the backend of
// this run; the init refusals use a SQLite file either way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, HEARTH_BIN, assertProblem, dbQuery, loginAs, runCli, startServer, tempDir,
} from './harness.mjs';

// Every header of the report, and none at all. Node's fetch would add its
// own Accept-Language, so the clients send through node:http (localAddress).
const HEADERS = ['es', 'es-ES', 'es-MX', 'en', 'fr', undefined];
const LOOPBACK = { localAddress: '127.0.0.1' };

const user = (role) => DEMO_USERS.find((u) => u.role === role);

/** GET /help as client with that Accept-Language (undefined: no header). */
async function help(client, acceptLanguage, query = '') {
  const res = await client.get(`/help${query}`, { headers: { 'Accept-Language': acceptLanguage } });
  assert.equal(res.status, 200);
  return res.text;
}

/** The country sections of the page, in order: ['GB', 'AU', ...]. */
function sections(html) {
  return [...html.matchAll(/<section class="help-country" aria-labelledby="c-([A-Z]{2})">/g)].map((m) => m[1]);
}

function opensOn(html, country, label) {
  assert.equal(sections(html)[0], country, `${label}: the first country is ${sections(html)[0]}, not ${country}`);
  assert.match(html, new RegExp(`data-country="${country}"`), label);
  // Nothing of another country comes before the chosen one.
  const first = html.indexOf('class="help-country"');
  assert.ok(!html.slice(0, first).includes('tel:'), `${label}: a number comes before ${country}'s section`);
}

async function riversideId(admin) {
  const { json } = await admin.get('/api/v1/organisations');
  return json.items.find((o) => o.name === 'Riverside Community Arts').id;
}

describe('the deployment default from init', () => {
  let server;
  let anon;
  before(async () => {
    server = await startServer(); // the harness runs init --default-country GB
    anon = new Client(server.url, LOOPBACK);
  });
  after(async () => { await server?.stop(); });

  test('anonymous: every Accept-Language (es, es-ES, es-MX, en, fr, none) opens on GB', async () => {
    for (const al of HEADERS) {
      const html = await help(anon, al);
      opensOn(html, 'GB', `Accept-Language ${al ?? '(none)'}`);
      assert.match(html, /data-country-source="default"/);
    }
  });

  test('the page is Spanish for es-*, with country names and descriptions translated and English names marked lang="en"', async () => {
    const html = await help(anon, 'es-MX');
    assert.match(html, /<html lang="es">/);
    assert.match(html, /<h2 id="c-GB">Reino Unido<\/h2>/);
    assert.match(html, /<strong>Emergencias:<\/strong> <a href="tel:999">999<\/a>/);
    assert.match(html, /<span lang="en">Samaritans<\/span>/);
    assert.match(html, /Apoyo emocional para cualquier persona/);
    assert.match(html, /Horario: 24 horas, todos los días/);
    assert.ok(!html.includes('Emotional support for anyone'), 'an English description on the Spanish page');
    assert.match(html, /<a href="\/help\?country=US&amp;lang=es">Estados Unidos<\/a>/);
    // Every text that stays English sits inside an element marked lang="en".
    for (const name of ['Shout', 'NHS 111', 'PAPYRUS HOPELINE247']) assert.ok(html.includes(`<span lang="en">${name}</span>`), name);
  });

  test('SMS services are sms: links (with the keyword as the body), calls are tel: links', async () => {
    const html = await help(anon, 'en-GB');
    assert.match(html, /<a href="sms:85258\?body=SHOUT">Text SHOUT to 85258<\/a>/);
    assert.match(html, /<a href="sms:88247">Text 88247<\/a>/);
    assert.match(html, /<a href="tel:116123">116 123<\/a>/);
    assert.ok(!/Text: Text/.test(html));
    const es = await help(anon, 'es');
    assert.match(es, /<a href="sms:85258\?body=SHOUT">Envía <span lang="en">SHOUT<\/span> al 85258<\/a>/);
  });

  test('?country= (the chooser) still wins, and the language switch keeps it', async () => {
    const html = await help(anon, 'es', '?country=ie');
    opensOn(html, 'IE', '?country=ie');
    assert.match(html, /<a href="tel:112">112<\/a> o <a href="tel:999">999<\/a>/);
    assert.match(html, /href="\/help\?lang=en&amp;country=IE"/);
  });

  test('with no country configured: the browser region, else a chooser and international guidance, never a fixed country', async () => {
    // A database from before init asked for a country; the default is read
    // when a node starts, so start a second node on it.
    dbQuery(server, "DELETE FROM settings WHERE name = 'default_country'");
    const node = await startServer({ dir: server.dir });
    const anon2 = new Client(node.url, LOOPBACK);
    try {
      assert.match(node.stderr(), /no default country/);
      opensOn(await help(anon2, 'es-ES, en-NZ;q=0.5'), 'NZ', 'region en-NZ after es-ES (no lines)');
      for (const al of HEADERS) {
        const html = await help(anon2, al);
        assert.deepEqual(sections(html), [], `Accept-Language ${al ?? '(none)'} showed a country`);
        assert.match(html, /data-country-source="none"/);
        assert.match(html, /class="help-countries"/);
        for (const cc of ['AU', 'CA', 'GB', 'IE', 'NZ', 'US']) assert.match(html, new RegExp(`href="/help\\?country=${cc}&amp;lang=`));
        assert.match(html, /class="help-international"/);
        assert.match(html, /href="tel:112"/);
        assert.ok(!html.includes('tel:000'), 'Australia\'s emergency number shown without a reason');
        assert.ok(!/<script/i.test(html), 'needs no JavaScript');
      }
    } finally {
      await node.stop();
    }
  });
});

describe('the organisation\'s country', () => {
  let server;
  let admin;
  let coordinator;
  let participant;
  let clinician;
  let anon;
  let riverside;
  before(async () => {
    // The deployment says US (serve overrides what init stored), so only
    // the organisation's own setting can make a Riverside user see GB.
    server = await startServer({ args: ['--default-country', 'US'] });
    admin = await loginAs(server.url, user('admin'), LOOPBACK);
    coordinator = await loginAs(server.url, user('coordinator'), LOOPBACK);
    participant = await loginAs(server.url, user('participant'), LOOPBACK);
    clinician = await loginAs(server.url, user('clinician'), LOOPBACK);
    anon = new Client(server.url, LOOPBACK);
    riverside = await riversideId(admin);
  });
  after(async () => { await server?.stop(); });

  test('an admin sets it with PATCH: any case is normalised; the list shows it', async () => {
    const res = await admin.patch(`/api/v1/organisations/${riverside}`, { country: 'gb' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.country, 'GB');
    assert.equal(res.json.crisis_lines, true);
    assert.equal(res.json.warning, undefined);
    const { json } = await admin.get('/api/v1/organisations');
    const row = json.items.find((o) => o.id === riverside);
    assert.equal(row.country, 'GB');
  });

  test('logged in at a GB organisation: every Accept-Language opens on GB; anonymous visitors get the deployment\'s US', async () => {
    for (const client of [coordinator, participant]) {
      for (const al of HEADERS) {
        const html = await help(client, al);
        opensOn(html, 'GB', `${client.user.email}, Accept-Language ${al ?? '(none)'}`);
        assert.match(html, /data-country-source="organisation"/);
      }
    }
    for (const al of HEADERS) opensOn(await help(anon, al), 'US', `anonymous, Accept-Language ${al ?? '(none)'}`);
    // An organisation without a country falls back to the deployment's.
    opensOn(await help(clinician, 'es'), 'US', 'Northside (no country)');
  });

  test('a country without lines is accepted with a warning; the page says so and does not pretend', async () => {
    const res = await admin.patch(`/api/v1/organisations/${riverside}`, { country: 'ES' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.country, 'ES');
    assert.equal(res.json.crisis_lines, false);
    assert.match(res.json.warning, /no crisis lines for ES/);
    const html = await help(coordinator, 'es');
    assert.match(html, /class="help-missing"[^<]*\(ES\)/);
    assert.deepEqual(sections(html), [], 'showed some country\'s lines for a Spanish organisation');
    opensOn(await help(coordinator, 'es-ES, en-GB;q=0.8'), 'GB', 'the browser region after a country without lines');
  });

  test('"" clears it (back to the deployment default); bad codes are refused naming the field', async () => {
    for (const bad of ['XX', 'G', 'GBR', '12', 'g b']) {
      const res = await admin.patch(`/api/v1/organisations/${riverside}`, { country: bad });
      assertProblem(res, 400, { field: 'country', detail: /ISO 3166-1 alpha-2/, context: bad });
    }
    assertProblem(await admin.patch(`/api/v1/organisations/${riverside}`, {}), 400, { field: 'country' });
    assertProblem(await admin.patch('/api/v1/organisations/999999', { country: 'GB' }), 404);
    const res = await admin.patch(`/api/v1/organisations/${riverside}`, { country: '' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.country, null);
    opensOn(await help(coordinator, 'es'), 'US', 'after clearing');
  });

  test('an organisation can be created with its country; only admins may set it', async () => {
    const res = await admin.post('/api/v1/organisations', { name: `Help Org ${Date.now()}`, kind: 'arts', country: 'ie' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.country, 'IE');
    assertProblem(await admin.post('/api/v1/organisations', { name: `Help Org X ${Date.now()}`, kind: 'arts', country: 'ZZ' }), 400, { field: 'country' });
    assertProblem(await coordinator.patch(`/api/v1/organisations/${riverside}`, { country: 'GB' }), 403);
    const audit = await admin.get(`/api/v1/audit?limit=200`);
    assert.ok(audit.json.items.some((e) => e.action === 'organisation.update' && e.resource === `organisation:${riverside}`),
      'the change is audited');
  });
});

describe('init requires the deployment\'s country', () => {
  const fresh = () => {
    const dir = tempDir();
    return { dir, db: path.join(dir, 'h.db'), key: path.join(dir, 'h.key') };
  };

  test('without a country and without a terminal, init fails clearly and makes nothing', () => {
    const { db, key } = fresh();
    const r = runCli(['init', '--db', db, '--key-file', key], { env: { HEARTH_DEFAULT_COUNTRY: '' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--default-country/);
    assert.match(r.stderr, /not a terminal/);
    assert.ok(!fs.existsSync(key), 'a key file was made');
    assert.ok(!fs.existsSync(db), 'a database was made');
  });

  test('--default-country is validated: not a code -> exit 2 naming it; no lines -> a note, accepted', () => {
    for (const bad of ['XX', 'GBR', 'g', '1A']) {
      const { db, key } = fresh();
      const r = runCli(['init', '--db', db, '--key-file', key, '--default-country', bad]);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--default-country: "${bad}" is not an ISO 3166-1 alpha-2`));
      assert.ok(!fs.existsSync(key));
    }
    const { db, key } = fresh();
    const r = runCli(['init', '--db', db, '--key-file', key, '--default-country', 'es']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no crisis lines for ES/);
    assert.equal(dbQuery(db, "SELECT value FROM settings WHERE name = 'default_country'").trim(), 'ES');
  });

  test('HEARTH_DEFAULT_COUNTRY works too and is stored (UK means GB); migrate --default-country changes it', () => {
    const { db, key } = fresh();
    const r = runCli(['init', '--db', db, '--key-file', key], { env: { HEARTH_DEFAULT_COUNTRY: 'uk' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dbQuery(db, "SELECT value FROM settings WHERE name = 'default_country'").trim(), 'GB');
    const m = runCli(['migrate', '--db', db, '--key-file', key, '--default-country', 'NZ']);
    assert.equal(m.code, 0, m.stderr);
    assert.equal(dbQuery(db, "SELECT value FROM settings WHERE name = 'default_country'").trim(), 'NZ');
    assert.equal(runCli(['migrate', '--db', db, '--key-file', key, '--default-country', 'QQ']).code, 2);
    assert.equal(runCli(['serve', '--db', db, '--key-file', key, '--default-country', 'QQ']).code, 2);
  });

  const haveScript = spawnSync('script', ['--version']).status === 0;
  test('on a terminal, init asks, suggesting the country of the time zone', { skip: haveScript ? false : 'needs script(1) for a terminal' }, () => {
    const { db, key } = fresh();
    const cmd = `${HEARTH_BIN} init --db ${db} --key-file ${key}`;
    const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
      input: '\n', encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, TZ: 'Europe/Dublin', HEARTH_DEFAULT_COUNTRY: '' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[IE\]/, 'the prompt suggests IE for Europe/Dublin');
    assert.equal(dbQuery(db, "SELECT value FROM settings WHERE name = 'default_country'").trim(), 'IE');
  });
});
