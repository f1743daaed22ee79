// People, needs and consent: participants (create, read, correct, search),
// validation with nothing half-written, encryption at rest, consent on a
// person's behalf and by the person, the person's own page and export,
// self-registration and account codes, data-sharing agreements, erasure
// requests, retention, and the policy matrix of every people route.
//
// One shared server (demo data, HEARTH_REGISTER_MIN_SECONDS=0); dedicated
// servers only where the configuration differs (registration limits) or the
// database is changed underneath (retention).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_PASSWORD, DEMO_USERS, ROOT_ADMIN, assertProblem, hearthRoutes, loginAllRoles, loginAs,
  runCliOk, sleep, sqlite, startServer, tempDir, unique,
} from './harness.mjs';

// --- local helpers (kept here rather than in the shared harness) ---

/**
 * Starts a server on a database initialised here rather than by the
 * harness: the harness's template copy (h.db, h.db-wal, h.key) leaves out
 * the key store (hearth.keystore.db beside the key file), so every demo
 * participant would read as erased. With HEARTH_TEST_PG_URL set, each
 * server gets a fresh PostgreSQL database on that server.
 */
async function serve({ demo = true, env = {}, args = [] } = {}) {
  const dir = tempDir();
  const keyFile = path.join(dir, 'h.key');
  const db = process.env.HEARTH_TEST_PG_URL ? createPgDatabase() : path.join(dir, 'h.db');
  runCliOk(['init', '--default-country', 'GB', '--db', db, '--key-file', keyFile, '--admin-email', ROOT_ADMIN.email, '--password-stdin'],
    { input: `${ROOT_ADMIN.password}\n` });
  if (demo) runCliOk(['demo', '--db', db, '--key-file', keyFile]);
  return startServer({ dir, dbUrl: db, keyFile, env, args });
}

/** The same database, key file and key store, served again. */
function restart(server, { env = {} } = {}) {
  return startServer({ dir: server.dir, dbUrl: server.db, keyFile: server.keyFile, env });
}

const isPg = (server) => /^postgres(ql)?:\/\//.test(server.db);

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}\nSQL: ${sql}`);
  return r.stdout;
}

const pgDatabases = []; // dropped when the file's servers have stopped

function createPgDatabase() {
  const base = process.env.HEARTH_TEST_PG_URL;
  const name = `hearth_people_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  psql(base, `CREATE DATABASE ${name}`);
  pgDatabases.push(name);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs SQL on the server's main database (sqlite3 or psql); returns stdout. */
function dbQuery(server, sql) {
  return isPg(server) ? psql(server.db, sql) : sqlite(server.db, sql);
}

/** The key store: HEARTH_KEY_STORE, or hearth.keystore.db beside the key file. */
function keyStorePath(server) {
  return process.env.HEARTH_KEY_STORE || path.join(path.dirname(server.keyFile), 'hearth.keystore.db');
}

function keyCount(server) {
  const ks = keyStorePath(server);
  const sql = 'SELECT count(*) FROM data_keys;';
  return Number((/^postgres/.test(ks) ? psql(ks, sql) : sqlite(ks, sql)).trim());
}

/**
 * Everything the database holds on disk, as bytes: the SQLite file with its
 * WAL and shared memory, or for PostgreSQL a data-only pg_dump (text).
 */
function databaseBytes(server) {
  if (isPg(server)) {
    const r = spawnSync('pg_dump', ['--data-only', '--no-owner', server.db], { maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
    return r.stdout;
  }
  return Buffer.concat(['', '-wal', '-shm'].map((s) => server.db + s)
    .filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

/** Asserts none of the strings is in the bytes (as UTF-8, or as hex the way pg_dump prints bytea). */
function assertAbsent(bytes, strings, where) {
  for (const s of strings) {
    assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${where} contains "${s}" in the clear`);
    const hex = Buffer.from(s, 'utf8').toString('hex');
    assert.equal(bytes.indexOf(Buffer.from(hex)), -1, `${where} contains "${s}" hex-encoded`);
  }
}

/** A loopback address of its own for each call: registration and code
 * claims are rate-limited per client address. */
let addrCounter = 0;
function freshAddress() {
  addrCounter += 1;
  return `127.${80 + (addrCounter >> 16)}.${(addrCounter >> 8) & 255}.${addrCounter & 255 || 1}`;
}

const emailOf = (label) => `${unique(label)}@example.org`.toLowerCase();

/**
 * Asserts a problem whose `field` member is exactly `field` and whose detail
 * names it (its last path segment: `consents[0].given_by` → `given_by`).
 * named:false skips the detail check where the server words the detail
 * without the field's name (listed in the report as contract mismatches).
 */
function assertFieldProblem(res, status, field, context, { named = true } = {}) {
  assertProblem(res, status, { context });
  assert.equal(res.json.field, field, `${context}: field member, got ${res.text}`);
  if (!named) return;
  const leaf = field.split('.').pop().replace(/\[\d+\]$/, '');
  assert.ok(res.json.detail.includes(leaf), `${context}: detail does not name ${leaf}: ${res.json.detail}`);
}

const POLICY_DENIED = /^your role does not allow /;

// --- the shared server ---

let server;
let as; // role -> Client
let root; // the first admin (organisation "Hearth")
const ORG = {}; // name -> id
// Dedicated servers, started alongside the shared one to keep the run short:
let limited; // default 3 s minimum form time, HEARTH_REGISTER_PER_HOUR=2
let limitedForm; // a form token fetched at start-up, {token, at}
let rs; // retention: its database is changed underneath it

before(async () => {
  [server, limited, rs] = await Promise.all([
    serve({ env: { HEARTH_REGISTER_MIN_SECONDS: '0' } }),
    serve({ demo: false, env: { HEARTH_REGISTER_PER_HOUR: '2' } }),
    serve({ demo: false }),
  ]);
  const f = await new Client(limited.url).get('/api/v1/register/form');
  assert.equal(f.status, 200, f.text);
  limitedForm = { ...f.json, at: Date.now() };
  [as, root] = await Promise.all([loginAllRoles(server.url), loginAs(server.url, ROOT_ADMIN)]);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  ORG.northside = ORG['Northside Mental Health Service'];
  ORG.eastgate = ORG['Eastgate Library'];
  ORG.hearth = ORG.Hearth;
});

after(async () => {
  const results = await Promise.allSettled([server, limited, rs].filter(Boolean).map((x) => x.stop()));
  if (process.env.HEARTH_TEST_KEEP !== '1') {
    for (const name of pgDatabases) psql(process.env.HEARTH_TEST_PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

/** Creates a participant as `client` (default: the Riverside coordinator); returns {id, body}. */
async function createPerson(fields = {}, client = as.coordinator) {
  const body = { name: unique('Person'), email: emailOf('person'), ...fields };
  const res = await client.post('/api/v1/participants', body);
  assert.equal(res.status, 201, `create ${JSON.stringify(body)}: ${res.text}`);
  assert.equal(typeof res.json.id, 'number');
  return { id: res.json.id, body };
}

/** Claims an account code from an address of its own; returns the response. */
function claim(code, password) {
  return new Client(server.url, { localAddress: freshAddress() })
    .post('/api/v1/register/claim', { code, password });
}

/** A staff-registered participant with a login: {id, email, password, client}. */
async function personWithLogin(fields = {}) {
  const { id, body } = await createPerson({ consents: [{ purpose: 'participation', granted: true }], ...fields });
  const code = await as.coordinator.post(`/api/v1/participants/${id}/account-code`);
  assert.equal(code.status, 201, code.text);
  const password = `pw-${unique('login')}`;
  const c = await claim(code.json.code, password);
  assert.equal(c.status, 201, c.text);
  const client = await loginAs(server.url, { email: body.email, password });
  return { id, email: body.email, name: body.name, password, client, userId: c.json.user_id };
}

async function search(client, query) {
  const res = await client.get(`/api/v1/participants?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function auditFor(resource) {
  const res = await as.admin.get(`/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

const FULL = {
  preferred_name: 'Rosa',
  pronouns: 'she/her',
  languages: ['en', 'pt'],
  phone: '+44 161 496 0123',
  preferred_contact: 'phone',
  age_band: '41_64',
  date_of_birth: '1975-06-15',
  emergency_contact: { name: 'Maria Example', phone: '+44 161 496 0999', relationship: 'daughter' },
  interests: ['painting', 'drawing', 'music', 'singing', 'theatre', 'dance', 'writing', 'craft', 'photography', 'digital'],
  availability: [{ day: 'mon', start: '09:30', end: '12:00' }, { day: 'sat', start: '14:00', end: '16:45' }],
  needs: {
    mobility: ['wheelchair_user', 'step_free_access'],
    sensory: ['hearing_loop', 'captions'],
    neurodivergence: ['quiet_room', 'breaks'],
    interpretation_language: 'pt',
    childcare: true,
    caring_duties: false,
    transport_help: true,
    adaptive_equipment: 'a raised easel',
    free_text: 'Prefers the side entrance; bright light causes migraines.',
  },
  notes: 'Referred by the community centre.',
};

// --- participants ---

describe('participants: register, read, correct', () => {
  test('POST with name and email → 201 {id}; GET returns the fields and the unsealed facts', async () => {
    const email = emailOf('Minimal');
    const res = await as.coordinator.post('/api/v1/participants', { name: 'Minimal Person', email: ` ${email.toUpperCase()} ` });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.json), ['id']);
    const got = await as.coordinator.get(`/api/v1/participants/${res.json.id}`);
    assert.equal(got.status, 200, got.text);
    const p = got.json;
    assert.equal(p.id, res.json.id);
    assert.equal(p.name, 'Minimal Person');
    assert.equal(p.email, email, 'the email is stored trimmed and lower-cased');
    assert.equal(p.status, 'active');
    assert.equal(p.is_minor, false);
    assert.equal(p.has_account, false);
    assert.deepEqual(p.organisation_ids, [ORG.riverside], 'defaults to the actor\'s organisation');
    assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(Object.keys(p.consents).sort(),
      ['clinical_sharing', 'contact', 'evaluation', 'media', 'participation', 'peer_community']);
    for (const c of Object.values(p.consents)) assert.equal(c.granted, false);
  });

  test('every optional field round-trips', async () => {
    const { id, body } = await createPerson({ name: 'Rosa Example', ...FULL });
    const res = await as.coordinator.get(`/api/v1/participants/${id}`);
    assert.equal(res.status, 200, res.text);
    for (const [k, v] of Object.entries(body)) assert.deepEqual(res.json[k], v, `field ${k}`);
    assert.equal(res.json.is_minor, false);
  });

  test('PATCH corrects some fields, keeps the others, and null removes an optional field', async () => {
    const { id } = await createPerson({ name: 'Patch Me', ...FULL });
    const res = await as.coordinator.patch(`/api/v1/participants/${id}`, {
      pronouns: 'they/them', interests: ['craft'], needs: { childcare: false }, preferred_name: null,
    });
    assert.equal(res.status, 204, res.text);
    const p = (await as.coordinator.get(`/api/v1/participants/${id}`)).json;
    assert.equal(p.pronouns, 'they/them');
    assert.deepEqual(p.interests, ['craft']);
    assert.deepEqual(p.needs, { childcare: false }, 'an object field is replaced as a whole');
    assert.ok(!('preferred_name' in p), 'null removed preferred_name');
    assert.equal(p.name, 'Patch Me');
    assert.deepEqual(p.emergency_contact, FULL.emergency_contact);
    assert.equal(p.notes, FULL.notes);
    assertFieldProblem(await as.coordinator.patch(`/api/v1/participants/${id}`, { name: null }), 400, 'name', 'removing the name');
    assertFieldProblem(await as.coordinator.patch(`/api/v1/participants/${id}`, { email: null }), 400, 'email', 'removing the email');
  });

  test('consents given at registration are recorded on the person\'s behalf (staff, paper)', async () => {
    const { id } = await createPerson({ consents: [{ purpose: 'participation', granted: true }, { purpose: 'media', granted: false }] });
    const res = await as.coordinator.get(`/api/v1/participants/${id}/consents`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.current.participation.granted, true);
    assert.equal(res.json.current.media.granted, false);
    assert.deepEqual(res.json.history.map((h) => [h.purpose, h.granted, h.given_by, h.method, h.lang]),
      [['participation', true, 'staff', 'paper', 'en'], ['media', false, 'staff', 'paper', 'en']]);
    for (const h of res.json.history) assert.equal(h.recorded_by, as.coordinator.user.id);
  });
});

describe('participants: bad input is refused, naming the field, with nothing half-written', () => {
  const minorDob = () => `${new Date().getUTCFullYear() - 10}-01-15`;
  const cases = [
    ['invalid email', { email: 'not-an-email' }, 400, 'email'],
    ['invalid phone (letters)', { phone: 'call me maybe' }, 400, 'phone'],
    ['invalid phone (too few digits)', { phone: '12-34' }, 400, 'phone'],
    ['invalid emergency contact phone', { emergency_contact: { name: 'X', phone: 'abc' } }, 400, 'emergency_contact.phone'],
    ['unknown consent purpose', { consents: [{ purpose: 'marketing', granted: true }] }, 400, 'consents[0].purpose'],
    ['consent for a minor not given by a guardian', { date_of_birth: minorDob(), consents: [{ purpose: 'participation', granted: true }] }, 400, 'consents[0].given_by'],
    ['consent for a minor by a guardian without a name', { date_of_birth: minorDob(), consents: [{ purpose: 'participation', granted: true, given_by: 'guardian' }] }, 400, 'consents[0].guardian_name'],
    ['a valid consent before an invalid one', { date_of_birth: minorDob(), consents: [{ purpose: 'participation', granted: true, given_by: 'guardian', guardian_name: 'Parent' }, { purpose: 'contact', granted: true }] }, 400, 'consents[1].given_by'],
    ['unknown field', { favourite_colour: 'teal' }, 400, 'favourite_colour'],
    ['availability time out of range', { availability: [{ day: 'mon', start: '25:00', end: '26:00' }] }, 400, 'availability[0]'],
    ['availability ending before it starts', { availability: [{ day: 'tue', start: '10:00', end: '09:00' }, { day: 'wed', start: '18:00', end: '17:00' }] }, 400, 'availability[0]'],
    ['availability on an unknown day', { availability: [{ day: 'someday', start: '10:00', end: '11:00' }] }, 400, 'availability[0].day'],
    ['interest not in the list', { interests: ['painting', 'knitting'] }, 400, 'interests'],
    ['a need not in the list', { needs: { mobility: ['jetpack'] } }, 400, 'needs.mobility'],
    ['age band under_18 without a date of birth', { age_band: 'under_18' }, 400, 'date_of_birth'],
    ['date of birth in the future', { date_of_birth: `${new Date().getUTCFullYear() + 1}-01-01` }, 400, 'date_of_birth'],
    ['an organisation that is not the actor\'s', { organisation_ids: [9999] }, 403, 'organisation_ids', { named: false }],
  ];

  for (const [label, fields, status, field, opts] of cases) {
    test(`${label} → ${status} field ${field}`, async () => {
      const name = unique('Refused');
      const email = emailOf('refused');
      const keysBefore = keyCount(server);
      const res = await as.coordinator.post('/api/v1/participants', { name, email, ...fields });
      assertFieldProblem(res, status, field, label, opts);
      assert.deepEqual(await search(as.coordinator, { name }), [], 'no person by that name');
      if (field !== 'email') assert.deepEqual(await search(as.coordinator, { email }), [], 'no person by that email');
      assert.equal(keyCount(server), keysBefore, 'no orphan data key left in the key store');
    });
  }

  test('after a refused registration the same person can be registered (no leftover index entry)', async () => {
    const email = emailOf('retry');
    const dob = minorDob();
    const bad = await as.coordinator.post('/api/v1/participants', {
      name: 'Retry Kid', email, date_of_birth: dob, consents: [{ purpose: 'participation', granted: true }],
    });
    assert.equal(bad.status, 400, bad.text);
    const listBefore = (await as.coordinator.get('/api/v1/participants?limit=100')).json.items.map((p) => p.id);
    const ok = await as.coordinator.post('/api/v1/participants', {
      name: 'Retry Kid', email, date_of_birth: dob,
      consents: [{ purpose: 'participation', granted: true, given_by: 'guardian', guardian_name: 'Retry Parent' }],
    });
    assert.equal(ok.status, 201, ok.text);
    assert.ok(!listBefore.includes(ok.json.id));
    const p = (await as.coordinator.get(`/api/v1/participants/${ok.json.id}`)).json;
    assert.equal(p.is_minor, true, 'is_minor follows the date of birth');
    const h = (await as.coordinator.get(`/api/v1/participants/${ok.json.id}/consents`)).json.history;
    assert.deepEqual(h.map((x) => [x.given_by, x.guardian_name]), [['guardian', 'Retry Parent']]);
  });

  test('the same email again (any case, any spacing) → 409 field email; one person remains', async () => {
    const email = emailOf('dup');
    await createPerson({ email });
    const res = await as.coordinator.post('/api/v1/participants', { name: 'Someone Else', email: `  ${email.toUpperCase()}` });
    assertFieldProblem(res, 409, 'email', 'duplicate');
    assert.equal((await search(as.coordinator, { email })).length, 1);
    assert.deepEqual(await search(as.coordinator, { name: 'Someone Else' }), []);
  });

  test('changing an email to another person\'s → 409 field email, the record unchanged', async () => {
    const a = await createPerson();
    const b = await createPerson();
    const res = await as.coordinator.patch(`/api/v1/participants/${b.id}`, { email: a.body.email.toUpperCase(), pronouns: 'xe/xem' });
    assertFieldProblem(res, 409, 'email', 'email taken');
    const p = (await as.coordinator.get(`/api/v1/participants/${b.id}`)).json;
    assert.equal(p.email, b.body.email);
    assert.ok(!('pronouns' in p));
  });

  test('editing an erased person → 410; reading them → 410; erasing again → 410', async () => {
    const { id } = await createPerson();
    assert.equal((await as.coordinator.delete(`/api/v1/participants/${id}`)).status, 204);
    assertProblem(await as.coordinator.patch(`/api/v1/participants/${id}`, { pronouns: 'she/her' }), 410);
    assertProblem(await as.coordinator.get(`/api/v1/participants/${id}`), 410);
    assertProblem(await as.coordinator.get(`/api/v1/participants/${id}/consents`), 410);
    assertProblem(await as.coordinator.delete(`/api/v1/participants/${id}`), 410);
  });

  test('nobody outside the person\'s organisation may correct or erase them', async () => {
    const { id } = await createPerson({}, root); // in "Hearth", not Riverside
    // They cannot know the person exists: exactly the answer of a missing id.
    const missing = await as.coordinator.get('/api/v1/participants/987654321');
    assertProblem(missing, 404);
    for (const res of [
      await as.coordinator.patch(`/api/v1/participants/${id}`, { pronouns: 'she/her' }),
      await as.coordinator.delete(`/api/v1/participants/${id}`),
      await as.coordinator.get(`/api/v1/participants/${id}`),
    ]) {
      assertProblem(res, 404);
      assert.equal(res.json.detail, missing.json.detail);
    }
    const p = await root.get(`/api/v1/participants/${id}`);
    assert.equal(p.status, 200);
    assert.ok(!('pronouns' in p.json));
  });

  test('a person\'s record is never platform-wide: the root admin (of "Hearth" only) cannot read, correct, erase or find a Riverside person; Riverside\'s admin can read them', async () => {
    const { id, body } = await createPerson(); // in Riverside
    const missing = await root.get('/api/v1/participants/987654321');
    assertProblem(missing, 404);
    for (const [what, res] of [
      ['read', await root.get(`/api/v1/participants/${id}`)],
      ['correct', await root.patch(`/api/v1/participants/${id}`, { pronouns: 'they/them' })],
      ['erase', await root.delete(`/api/v1/participants/${id}`)],
    ]) {
      assertProblem(res, 404, { context: what });
      assert.equal(res.json.detail, missing.json.detail, `${what}: as if there were no such person`);
    }
    assert.deepEqual(await search(root, { email: body.email }), [], 'not found by email');
    assert.deepEqual(await search(root, { name: body.name }), [], 'not found by name');
    const listed = [];
    for (let after = 0; ;) {
      const page = await search(root, { after, limit: 100 });
      if (!page.length) break;
      listed.push(...page.map((x) => x.id));
      after = page[page.length - 1].id;
    }
    assert.ok(!listed.includes(id), 'not in the root admin\'s list');
    const seen = await as.admin.get(`/api/v1/participants/${id}`);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.json.name, body.name);
    assert.ok(!('pronouns' in seen.json), 'the refused correction wrote nothing');
    assert.deepEqual((await search(as.admin, { email: body.email })).map((x) => x.id), [id]);
  });

  test('the list\'s paging parameters are checked: ?after and ?limit must be whole numbers, naming the parameter', async () => {
    for (const [query, field] of [
      ['after=abc', 'after'], ['after=-1', 'after'], ['after=5x', 'after'], ['after=', 'after'],
      ['limit=5x', 'limit'], ['limit=abc', 'limit'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=', 'limit'],
    ]) {
      assertFieldProblem(await as.coordinator.get(`/api/v1/participants?${query}`), 400, field, query);
    }
    const all = await search(as.coordinator, { limit: 100 });
    assert.ok(all.length >= 2, 'the demo has people');
    assert.deepEqual((await search(as.coordinator, { limit: 1 })).map((x) => x.id), [all[0].id]);
    assert.deepEqual((await search(as.coordinator, { after: all[0].id, limit: 1 })).map((x) => x.id), [all[1].id]);
  });
});

// --- search ---

describe('search: exact match through blind indexes, only people the actor may see', () => {
  let person;
  before(async () => {
    person = await createPerson({ name: 'Marisol Quintero-Vance', phone: '+44 (0161) 496-0456' });
  });

  test('by email: exact, case- and space-insensitive', async () => {
    for (const q of [person.body.email, ` ${person.body.email.toUpperCase()} `]) {
      const items = await search(as.coordinator, { email: q });
      assert.deepEqual(items.map((p) => p.id), [person.id], `email=${q}`);
      assert.equal(items[0].name, 'Marisol Quintero-Vance');
      assert.equal(items[0].email, person.body.email);
    }
    assert.deepEqual(await search(as.coordinator, { email: person.body.email.replace('@', 'x@') }), []);
  });

  test('by name: exact, case- and space-insensitive; a part of a name finds nothing', async () => {
    for (const q of ['Marisol Quintero-Vance', 'marisol quintero-vance', '  MARISOL   Quintero-Vance  ', 'marisol\tquintero-vance']) {
      assert.deepEqual((await search(as.coordinator, { name: q })).map((p) => p.id), [person.id], `name=${JSON.stringify(q)}`);
    }
    assert.deepEqual(await search(as.coordinator, { name: 'Marisol' }), []);
  });

  test('by phone: punctuation-insensitive', async () => {
    for (const q of ['+44 (0161) 496-0456', '+4401614960456', '+44 0161 496 0456', '+44.0161.496.0456']) {
      assert.deepEqual((await search(as.coordinator, { phone: q })).map((p) => p.id), [person.id], `phone=${q}`);
    }
    assert.deepEqual(await search(as.coordinator, { phone: '+44 0161 496 0457' }), []);
  });

  test('several people with the same name are all found', async () => {
    const name = unique('Common Name');
    const a = await createPerson({ name });
    const b = await createPerson({ name });
    assert.deepEqual((await search(as.coordinator, { name })).map((p) => p.id), [a.id, b.id]);
  });

  test('names outside ASCII match case-insensitively too', async () => {
    assert.deepEqual((await search(as.coordinator, { name: 'lucía fernández' })).map((p) => p.id), [4]);
    assert.deepEqual((await search(as.coordinator, { name: 'LUCÍA FERNÁNDEZ' })).map((p) => p.id), [4]);
  });

  test('people of another organisation are not found; a partner sees only shared contact details', async () => {
    const other = await createPerson({}, root); // organisation "Hearth"
    assert.deepEqual(await search(as.coordinator, { email: other.body.email }), []);
    assert.deepEqual((await search(root, { email: other.body.email })).map((p) => p.id), [other.id]);
    // The clinician's organisation has an agreement covering contact, and
    // Sam consented to contact; Teo did not.
    const sam = await search(as.clinician, { email: 'participant@example.org' });
    assert.equal(sam.length, 1);
    assert.deepEqual(sam[0].shared_categories, ['contact']);
    assert.ok(!('needs' in sam[0]) && !('is_minor' in sam[0]));
    assert.deepEqual(await search(as.clinician, { email: 'participant3@example.org' }), []);
    assert.deepEqual(await search(as.clinician, { email: person.body.email }), [], 'no contact consent → not shared');
  });

  test('one search field at a time; an empty value is refused', async () => {
    assertFieldProblem(await as.coordinator.get(`/api/v1/participants?email=${person.body.email}&name=x`), 400, 'name', 'two fields');
    assertFieldProblem(await as.coordinator.get('/api/v1/participants?phone=--'), 400, 'phone', 'empty phone');
  });

  test('a funder and a participant get 403', async () => {
    for (const role of ['funder', 'participant', 'moderator']) {
      const res = await as[role].get(`/api/v1/participants?email=${person.body.email}`);
      assertProblem(res, 403, { detail: POLICY_DENIED, context: role });
    }
  });

  test('every search hit is audited as a read of that person', async () => {
    const res = await as.facilitator.get(`/api/v1/participants?email=${person.body.email}`);
    assert.equal(res.status, 200);
    const rid = res.headers.get('x-request-id');
    const e = (await auditFor(`participant:${person.id}`)).find((x) => x.request_id === rid);
    assert.ok(e, 'the search is in the audit log');
    assert.equal(e.action, 'participant.search');
    assert.equal(e.actor_id, as.facilitator.user.id);
  });
});

// --- encryption at rest ---

describe('encryption at rest', () => {
  test('a person\'s name, email, notes, needs and guardian are not in the database in the clear', async () => {
    const secret = unique('Zephyrine').replace(/-/g, '');
    const strings = {
      name: `${secret} Oyelaran-Blackwood`,
      email: `${secret.toLowerCase()}@distinctive.example`,
      notes: `${secret} note: lives above the bakery`,
      free: `${secret} free text: anxious in crowds`,
      guardian: `${secret} Guardian`,
      phone: '+44 7700 900 417',
    };
    const { id } = await createPerson({
      name: strings.name, email: strings.email, notes: strings.notes, phone: strings.phone,
      needs: { free_text: strings.free }, emergency_contact: { name: `${secret} Contact`, phone: '+44 7700 900 418' },
    });
    const cons = await as.coordinator.post(`/api/v1/participants/${id}/consents`, {
      purpose: 'media', granted: true, given_by: 'guardian', guardian_name: strings.guardian,
    });
    assert.equal(cons.status, 201, cons.text);
    // Read it back so any caching or logging of reads has happened too.
    assert.equal((await as.coordinator.get(`/api/v1/participants/${id}`)).json.name, strings.name);
    assert.equal((await search(as.coordinator, { email: strings.email })).length, 1);
    const bytes = databaseBytes(server);
    assert.ok(bytes.length > 0);
    assertAbsent(bytes, [strings.name, secret, strings.email, strings.notes, strings.free, strings.guardian, '7700 900 417'],
      isPg(server) ? 'pg_dump of the database' : 'the SQLite database file and its WAL');
    const ks = keyStorePath(server);
    if (!/^postgres/.test(ks)) {
      const ksBytes = Buffer.concat(['', '-wal'].map((s) => ks + s).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
      assertAbsent(ksBytes, [secret, strings.email], 'the key store');
    }
  });

  test('a participant who made a login: their name and email are still not in the database in the clear', async () => {
    // Bug: claiming a login copies the email and the (preferred) name into
    // users.email / users.display_name in the clear, although docs/privacy.md
    // says the database never holds a participant's name or contact details.
    const secret = unique('Ignatius').replace(/-/g, '');
    const p = await personWithLogin({ name: `${secret} Loginperson`, email: `${secret.toLowerCase()}@distinctive.example` });
    assert.equal((await p.client.get('/api/v1/me/profile')).status, 200);
    assertAbsent(databaseBytes(server), [`${secret} Loginperson`, p.email],
      isPg(server) ? 'pg_dump of the database' : 'the SQLite database file and its WAL');
  });
});

// --- consent ---

describe('consent', () => {
  test('recorded on the person\'s behalf with given_by, method, lang and text_version', async () => {
    const { id } = await createPerson();
    const res = await as.facilitator.post(`/api/v1/participants/${id}/consents`, {
      purpose: 'evaluation', granted: true, given_by: 'self', method: 'verbal', lang: 'es', text_version: 1,
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(typeof res.json.id, 'number');
    const got = (await as.coordinator.get(`/api/v1/participants/${id}/consents`)).json;
    const h = got.history.find((x) => x.id === res.json.id);
    assert.deepEqual({ ...h, at: undefined }, {
      id: res.json.id, purpose: 'evaluation', granted: true, given_by: 'self', method: 'verbal', text_version: 1,
      lang: 'es', at: undefined, guardian_name: null, recorded_by: as.facilitator.user.id,
    });
    assert.equal(got.current.evaluation.granted, true);
    assert.equal(got.current.evaluation.given_by, 'self');
    assert.equal(got.current.evaluation.text_version, 1);
  });

  test('the history keeps every decision; the latest one is current', async () => {
    const { id } = await createPerson();
    const url = `/api/v1/participants/${id}/consents`;
    const ids = [];
    for (const granted of [true, false, true, false]) {
      const r = await as.coordinator.post(url, { purpose: 'contact', granted, method: 'paper' });
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
      const now = (await as.coordinator.get(url)).json;
      assert.equal(now.current.contact.granted, granted);
    }
    const got = (await as.coordinator.get(url)).json;
    const contact = got.history.filter((x) => x.purpose === 'contact');
    assert.deepEqual(contact.map((x) => [x.id, x.granted]), [[ids[0], true], [ids[1], false], [ids[2], true], [ids[3], false]]);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
  });

  test('a guardian may decide for an adult only with a name; for a minor only a guardian may', async () => {
    const adult = await createPerson();
    const url = `/api/v1/participants/${adult.id}/consents`;
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'media', granted: true, given_by: 'guardian' }), 400, 'guardian_name', 'guardian without name');
    const ok = await as.coordinator.post(url, { purpose: 'media', granted: true, given_by: 'guardian', guardian_name: 'Pat Guardian' });
    assert.equal(ok.status, 201, ok.text);
    const h = (await as.coordinator.get(url)).json.history;
    assert.equal(h.at(-1).guardian_name, 'Pat Guardian');

    const minorUrl = '/api/v1/participants/5/consents'; // Jamie, the demo minor
    assertFieldProblem(await as.coordinator.post(minorUrl, { purpose: 'contact', granted: true }), 400, 'given_by', 'minor, staff');
    assertFieldProblem(await as.coordinator.post(minorUrl, { purpose: 'contact', granted: true, given_by: 'self' }), 400, 'given_by', 'minor, self');
    const g = await as.coordinator.post(minorUrl, { purpose: 'contact', granted: true, given_by: 'guardian', guardian_name: 'Grace Okonkwo' });
    assert.equal(g.status, 201, g.text);
  });

  test('unknown purpose, giver, method, language or text version → 400 naming the field', async () => {
    const { id } = await createPerson();
    const url = `/api/v1/participants/${id}/consents`;
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'marketing', granted: true }), 400, 'purpose', 'purpose');
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'contact', granted: true, given_by: 'neighbour' }), 400, 'given_by', 'given_by');
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'contact', granted: true, method: 'telepathy' }), 400, 'method', 'method');
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'contact', granted: true, lang: 'fr' }), 400, 'lang', 'lang');
    assertFieldProblem(await as.coordinator.post(url, { purpose: 'contact', granted: 'yes' }), 400, 'granted', 'granted');
    const tv = await as.coordinator.post(url, { purpose: 'contact', granted: true, text_version: 99 });
    assertProblem(tv, 400, { context: 'text_version' });
    assert.equal(tv.json.field, 'text_version');
    assert.deepEqual((await as.coordinator.get(url)).json.history, [], 'nothing recorded');
  });

  test('consent texts are versioned and translated: ?lang=es has all six purposes in Spanish; an unknown lang → 400', async () => {
    const anon = new Client(server.url);
    const es = await anon.get('/api/v1/consent-texts?lang=es');
    assert.equal(es.status, 200, es.text);
    const en = await anon.get('/api/v1/consent-texts');
    assert.equal(en.status, 200, en.text);
    const purposes = ['participation', 'contact', 'evaluation', 'clinical_sharing', 'peer_community', 'media'];
    assert.deepEqual(es.json.items.map((t) => t.purpose).sort(), [...purposes].sort());
    assert.deepEqual(en.json.items.map((t) => t.purpose).sort(), [...purposes].sort());
    for (const t of es.json.items) {
      assert.equal(t.lang, 'es');
      assert.ok(Number.isInteger(t.version) && t.version >= 1);
      assert.ok(t.text.length > 20);
      const english = en.json.items.find((x) => x.purpose === t.purpose);
      assert.equal(english.lang, 'en');
      assert.notEqual(t.text, english.text, `${t.purpose} is translated`);
    }
    assert.match(es.json.items.find((t) => t.purpose === 'participation').text, /Quiero participar/);
    assertFieldProblem(await anon.get('/api/v1/consent-texts?lang=fr'), 400, 'lang', 'lang=fr');
  });
});

// --- the person themself ---

describe('the person\'s own page', () => {
  let me; // a staff-registered person with a login; the name needs escaping
  before(async () => {
    me = await personWithLogin({ name: `Ada <script>alert("x")</script> & Co`, notes: 'staff note about Ada', pronouns: 'she/her' });
  });

  test('GET /me/profile: my details, needs and consents, but not the staff notes', async () => {
    const res = await as.participant.get('/api/v1/me/profile');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, 1);
    assert.equal(res.json.name, 'Sam Rivera');
    assert.deepEqual(res.json.needs, { neurodivergence: ['quiet_room', 'breaks'], transport_help: true });
    assert.equal(res.json.consents.contact.granted, true);
    const mine = await me.client.get('/api/v1/me/profile');
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.name, me.name);
    assert.equal(mine.json.has_account, true);
    assert.ok(!('notes' in mine.json), 'staff notes are not on the person\'s own page');
  });

  test('PATCH /me/profile corrects my details; notes and organisations are not mine to set', async () => {
    const res = await me.client.patch('/api/v1/me/profile', { pronouns: 'they/them', phone: '+44 7700 900 555', needs: { sensory: ['large_print'] } });
    assert.equal(res.status, 204, res.text);
    const staff = (await as.coordinator.get(`/api/v1/participants/${me.id}`)).json;
    assert.equal(staff.pronouns, 'they/them');
    assert.equal(staff.phone, '+44 7700 900 555');
    assert.deepEqual(staff.needs, { sensory: ['large_print'] });
    assert.equal(staff.notes, 'staff note about Ada', 'the staff note is untouched');
    assertFieldProblem(await me.client.patch('/api/v1/me/profile', { notes: 'I am fine' }), 400, 'notes', 'notes');
    assertFieldProblem(await me.client.patch('/api/v1/me/profile', { organisation_ids: [ORG.eastgate] }), 400, 'organisation_ids', 'organisation_ids');
    assertFieldProblem(await me.client.patch('/api/v1/me/profile', { phone: 'nope' }), 400, 'phone', 'phone');
    const audit = await auditFor(`participant:${me.id}`);
    assert.ok(audit.some((e) => e.action === 'self.participant.update' && e.actor_id === me.userId));
  });

  test('GET /me/consents: current and full history', async () => {
    const res = await as.participant.get('/api/v1/me/consents');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.is_minor, false);
    assert.equal(res.json.current.participation.granted, true);
    assert.ok(res.json.history.length >= 5);
    for (const h of res.json.history) assert.ok('purpose' in h && 'granted' in h && 'at' in h && 'text_version' in h);
  });

  test('withdrawing contact stops a partner\'s access at once; granting again restores it', async () => {
    const read = () => as.clinician.get('/api/v1/participants/1');
    assert.equal((await read()).status, 200, 'the clinician can read Sam\'s contact details first');
    const w = await as.participant.post('/api/v1/me/consents', { purpose: 'contact', granted: false });
    try {
      assert.equal(w.status, 201, w.text);
      assert.deepEqual([w.json.purpose, w.json.granted], ['contact', false]);
      const denied = await read();
      assertProblem(denied, 404, { context: 'right after withdrawal: as if there were no such person' });
      const e = (await auditFor('participant:1')).find((x) => x.request_id === denied.headers.get('x-request-id'));
      assert.deepEqual([e?.action, e?.outcome, e?.actor_id], ['participant.read', 'denied', as.clinician.user.id], 'the refused read is audited');
      assert.deepEqual(await search(as.clinician, { email: 'participant@example.org' }), []);
      const mine = (await as.participant.get('/api/v1/me/consents')).json;
      assert.equal(mine.current.contact.granted, false);
      assert.deepEqual([mine.history.at(-1).given_by, mine.history.at(-1).method], ['self', 'online']);
    } finally {
      const g = await as.participant.post('/api/v1/me/consents', { purpose: 'contact', granted: true });
      assert.equal(g.status, 201, g.text);
    }
    const again = await read();
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.shared_categories, ['contact']);
    const actions = (await auditFor('participant:1')).map((e) => e.action);
    assert.ok(actions.includes('self.consent.withdraw') && actions.includes('self.consent.grant'));
  });

  test('POST /me/consents refuses unknown purposes and fields', async () => {
    assertFieldProblem(await me.client.post('/api/v1/me/consents', { purpose: 'marketing', granted: true }), 400, 'purpose', 'purpose');
    assertFieldProblem(await me.client.post('/api/v1/me/consents', { purpose: 'media', granted: true, given_by: 'staff' }), 400, 'given_by', 'given_by');
  });

  test('GET /me/export: everything as a JSON attachment, within a second', async () => {
    assert.equal((await as.coordinator.get(`/api/v1/participants/${me.id}`)).status, 200);
    const t0 = Date.now();
    const res = await me.client.get('/api/v1/me/export');
    const ms = Date.now() - t0;
    assert.equal(res.status, 200, res.text);
    assert.ok(ms < 1000, `export took ${ms} ms`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.match(res.headers.get('content-disposition') || '', /^attachment;\s*filename="?[^"]+\.json"?/);
    const doc = res.json;
    assert.equal(doc.person.id, me.id);
    assert.equal(doc.person.name, me.name);
    assert.ok(Array.isArray(doc.consent_history) && doc.consent_history.length >= 1);
    assert.equal(doc.consent_history[0].purpose, 'participation');
    assert.ok(Array.isArray(doc.record_history) && doc.record_history.length >= 1);
    const actions = doc.record_history.map((e) => e.action);
    assert.ok(actions.includes('participant.create'), `record history: ${actions}`);
    assert.ok(actions.includes('participant.read'), 'staff reads of my record are listed');
    // The login is stored as a keyed hash of the email; the export says so
    // rather than showing the hash.
    assert.equal(doc.account.has_login, true);
    assert.equal(doc.person.email, me.email);
  });

  test('GET /me/export.html: a readable page with my name, escaped', async () => {
    const res = await me.client.get('/api/v1/me/export.html');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.ok(!res.text.includes('<script>alert'), 'the name is not inserted as markup');
    assert.ok(res.text.includes('Ada &lt;script&gt;alert(') && res.text.includes('&lt;/script&gt; &amp; Co'), 'the name is there, escaped');
    assert.ok(res.text.includes('&quot;x&quot;') || res.text.includes('&#34;x&#34;') || res.text.includes('"x"'));
    assert.match(res.text, /<h1>My data<\/h1>/);
  });

  test('a participant changes their own email at most 5 times a day: changes to a taken address count (and answer as a free one), saving the same address does not', async () => {
    const p = await personWithLogin({});
    const other = await createPerson();
    const mine = (await p.client.get('/api/v1/me/profile')).json.email;
    // Saving the form with the email unchanged (any case) is not a change.
    for (let i = 0; i < 7; i++) {
      const same = await p.client.patch('/api/v1/me/profile', { email: i % 2 ? mine.toUpperCase() : mine, pronouns: `p${i}` });
      assert.equal(same.status, 204, same.text);
    }
    // A taken address answers as a free one (issue 10); nothing changes.
    for (const taken of [other.body.email, other.body.email.toUpperCase()]) {
      const res = await p.client.patch('/api/v1/me/profile', { email: taken });
      assert.equal(res.status, 204, res.text);
      assert.equal((await p.client.get('/api/v1/me/profile')).json.email, mine, 'the taken address is not taken over');
    }
    let last;
    for (const n of [1, 2, 3]) {
      last = emailOf(`changed${n}`);
      const ok = await p.client.patch('/api/v1/me/profile', { email: last });
      assert.equal(ok.status, 204, `change ${n}: ${ok.text}`);
    }
    const sixth = await p.client.patch('/api/v1/me/profile', { email: other.body.email });
    assertProblem(sixth, 429, { context: 'sixth change, to a taken address' });
    assert.equal(sixth.json.field, 'email');
    assert.ok(Number(sixth.headers.get('retry-after')) > 0, 'Retry-After');
    assertProblem(await p.client.patch('/api/v1/me/profile', { email: emailOf('free') }), 429, { context: 'a free address' });
    const now = (await p.client.get('/api/v1/me/profile')).json;
    assert.equal(now.email, last, 'the last accepted change stands');
    // Other fields can still be saved.
    assert.equal((await p.client.patch('/api/v1/me/profile', { pronouns: 'they/them' })).status, 204);
  });

  test('staff and funders have no /me/profile', async () => {
    for (const role of ['coordinator', 'funder', 'clinician']) {
      assertProblem(await as[role].get('/api/v1/me/profile'), 403, { detail: POLICY_DENIED, context: role });
    }
  });
});

// --- self-registration and account codes ---

describe('self-registration', () => {
  async function form() {
    const res = await new Client(server.url).get('/api/v1/register/form');
    assert.equal(res.status, 200, res.text);
    return res.json;
  }
  function register(body, localAddress = freshAddress()) {
    return new Client(server.url, { localAddress }).post('/api/v1/register', body);
  }
  async function validBody(extra = {}) {
    const f = await form();
    return {
      form_token: f.form_token,
      organisation_id: ORG.riverside,
      name: unique('Self Registered'),
      email: emailOf('selfreg'),
      consents: [{ purpose: 'participation', granted: true }],
      ...extra,
    };
  }

  test('the form gives a token and the organisations that take registrations', async () => {
    const f = await form();
    assert.match(f.form_token, /^\d+\.[0-9a-f]{16,}$/);
    assert.equal(f.min_seconds, 0);
    const names = f.organisations.map((o) => o.name);
    assert.ok(names.includes('Riverside Community Arts'));
    assert.ok(!names.includes('Northside Mental Health Service'), 'a mental-health service takes no self-registration');
  });

  test('register → 202 check_email (the way in goes by email, no code shown); a code → claim → 201; the person logs in and sees their profile', async () => {
    const body = await validBody({ consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true, lang: 'es' }], pronouns: 'he/him' });
    const res = await register(body);
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json, { status: 'check_email' });
    const [found] = await search(as.coordinator, { email: body.email });
    res.json.id = found.id;
    // The code from the team stays the fallback to the emailed link.
    const issued = await as.coordinator.post(`/api/v1/participants/${found.id}/account-code`);
    assert.equal(issued.status, 201, issued.text);
    const password = 'a long enough password';
    // Codes are read out over the phone: case and dashes do not matter.
    const spaced = issued.json.code.toLowerCase().replace(/(....)(....)(....)/, '$1-$2-$3');
    const c = await claim(spaced, password);
    assert.equal(c.status, 201, c.text);
    assert.equal(typeof c.json.user_id, 'number');
    const person = await loginAs(server.url, { email: body.email, password });
    assert.equal(person.user.memberships[0].role, 'participant');
    assert.equal(person.user.memberships[0].organisation_id, ORG.riverside);
    const me = await person.get('/api/v1/me/profile');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.id, res.json.id);
    assert.equal(me.json.name, body.name);
    assert.equal(me.json.pronouns, 'he/him');
    const hist = (await person.get('/api/v1/me/consents')).json.history;
    assert.deepEqual(hist.map((h) => [h.purpose, h.granted, h.given_by, h.method, h.lang]),
      [['participation', true, 'self', 'online', 'en'], ['contact', true, 'self', 'online', 'es']]);
    const staff = await as.coordinator.get(`/api/v1/participants/${res.json.id}`);
    assert.equal(staff.status, 200);
    assert.equal(staff.json.has_account, true);
    assertFieldProblem(await claim(issued.json.code, password), 400, 'code', 'the code is used up');
  });

  const refusals = [
    ['the honeypot is filled in', async (b) => ({ ...b, website: 'http://spam.example' }), 400, 'website'],
    ['a forged token', async (b) => ({ ...b, form_token: `${Math.floor(Date.now() / 1000)}.${'0'.repeat(64)}` }), 400, 'form_token', { named: false }],
    ['a token whose time was changed', async (b) => ({ ...b, form_token: b.form_token.replace(/^\d+/, (t) => String(Number(t) - 10)) }), 400, 'form_token', { named: false }],
    ['no token', async (b) => ({ ...b, form_token: undefined }), 400, 'form_token'],
    ['no participation consent', async (b) => ({ ...b, consents: [{ purpose: 'contact', granted: true }] }), 400, 'consents'],
    ['participation refused', async (b) => ({ ...b, consents: [{ purpose: 'participation', granted: false }] }), 400, 'consents'],
    ['a minor without a guardian', async (b) => ({ ...b, date_of_birth: `${new Date().getUTCFullYear() - 12}-03-01` }), 400, 'consents[0].guardian_name'],
    ['a minor whose consent is given as self', async (b) => ({ ...b, date_of_birth: `${new Date().getUTCFullYear() - 12}-03-01`, consents: [{ purpose: 'participation', granted: true, given_by: 'self' }] }), 400, 'consents[0].given_by'],
    ['an organisation that takes no registrations', async (b) => ({ ...b, organisation_id: ORG.northside }), 400, 'organisation_id'],
    ['staff notes', async (b) => ({ ...b, notes: 'let me in' }), 400, 'notes'],
  ];
  for (const [label, mutate, status, field, opts] of refusals) {
    test(`${label} → ${status} field ${field}, nothing registered`, async () => {
      const body = await mutate(await validBody());
      const res = await register(body);
      assertFieldProblem(res, status, field, label, opts);
      assert.deepEqual(await search(as.coordinator, { email: body.email }), []);
    });
  }

  test('a minor with a named guardian may register', async () => {
    const body = await validBody({
      date_of_birth: `${new Date().getUTCFullYear() - 15}-02-01`,
      consents: [{ purpose: 'participation', granted: true, guardian_name: 'Morgan Parent' }],
    });
    const res = await register(body);
    assert.equal(res.status, 202, res.text);
    res.json.id = (await search(as.coordinator, { email: body.email }))[0].id;
    const p = (await as.coordinator.get(`/api/v1/participants/${res.json.id}`)).json;
    assert.equal(p.is_minor, true);
    const h = (await as.coordinator.get(`/api/v1/participants/${res.json.id}/consents`)).json.history;
    assert.deepEqual(h.map((x) => [x.given_by, x.guardian_name, x.method]), [['guardian', 'Morgan Parent', 'online']]);
  });

  test('registering an email that is already registered → the same 202 as a free one (issue 10), nobody new registered', async () => {
    const known = await register(await validBody({ email: 'PARTICIPANT2@example.org' }));
    const free = await register(await validBody());
    assert.equal(known.status, 202, known.text);
    assert.equal(free.status, 202, free.text);
    assert.equal(known.text, free.text, 'the answers differ');
    assert.equal(known.headers.get('content-type'), free.headers.get('content-type'));
    assert.equal((await search(as.coordinator, { email: 'participant2@example.org' })).length, 1);
  });

  test('a staff-issued code works once; a second claim → 400; a person with a login gets no new code', async () => {
    const { id, body } = await createPerson();
    const code = await as.coordinator.post(`/api/v1/participants/${id}/account-code`);
    assert.equal(code.status, 201, code.text);
    assert.match(code.json.code, /^[A-Z2-9]{12}$/);
    assert.equal(code.json.valid_days, 14);
    const first = await claim(code.json.code, 'first password 123');
    assert.equal(first.status, 201, first.text);
    assertFieldProblem(await claim(code.json.code, 'second password 123'), 400, 'code', 'second claim');
    await loginAs(server.url, { email: body.email, password: 'first password 123' });
    const again = await as.coordinator.post(`/api/v1/participants/${id}/account-code`);
    assertProblem(again, 409);
    assertFieldProblem(await claim('NOTAREALCODE', 'whatever password'), 400, 'code', 'unknown code');
    assertFieldProblem(await claim(code.json.code, 'short'), 400, 'password', 'short password');
  });

  test('a facilitator cannot issue codes; nor can staff of another organisation', async () => {
    const { id } = await createPerson();
    assertProblem(await as.facilitator.post(`/api/v1/participants/${id}/account-code`), 403, { detail: POLICY_DENIED });
    const other = await createPerson({}, root);
    // Another organisation's person: exactly the answer of a missing id.
    const res = await as.coordinator.post(`/api/v1/participants/${other.id}/account-code`);
    assertProblem(res, 404);
    assert.equal(res.json.detail, (await as.coordinator.post('/api/v1/participants/987654321/account-code')).json.detail);
  });
});

describe('self-registration limits (default 3 s minimum, HEARTH_REGISTER_PER_HOUR=2)', () => {
  test('an instant submit → 429; after the minimum time two go through and the third from the same address → 429', async () => {
    const anon = new Client(limited.url);
    const fresh = (await anon.get('/api/v1/register/form')).json;
    assert.equal(fresh.min_seconds, 3);
    const f = limitedForm; // fetched at start-up: most of the 3 s have passed
    const org = f.organisations.find((o) => o.name === 'Hearth').id;
    const body = (n) => ({
      form_token: f.form_token, organisation_id: org, name: `Limit Person ${n}`, email: emailOf(`limit${n}`),
      consents: [{ purpose: 'participation', granted: true }],
    });
    const addr = freshAddress();
    const client = new Client(limited.url, { localAddress: addr });
    const fast = await client.post('/api/v1/register', { ...body(0), form_token: fresh.form_token });
    assertFieldProblem(fast, 429, 'form_token', 'instant submit', { named: false });
    await sleep(Math.max(0, 3200 - (Date.now() - f.at)));
    for (const n of [1, 2]) {
      const r = await client.post('/api/v1/register', body(n));
      assert.equal(r.status, 202, `registration ${n}: ${r.text}`);
    }
    const third = await client.post('/api/v1/register', body(3));
    assertProblem(third, 429, { context: 'third registration' });
    assert.ok(Number(third.headers.get('retry-after')) > 0, 'Retry-After');
    assert.ok(third.json.retry_after > 0);
    const elsewhere = await new Client(limited.url, { localAddress: freshAddress() }).post('/api/v1/register', body(4));
    assert.equal(elsewhere.status, 202, `another address is not limited: ${elsewhere.text}`);
  });

  test('attempts with an email already registered count too, and answer as a free one', async () => {
    const f = (await new Client(limited.url).get('/api/v1/register/form')).json;
    const org = f.organisations.find((o) => o.name === 'Hearth').id;
    const taken = emailOf('taken-probe');
    const body = (email, n) => ({
      form_token: f.form_token, organisation_id: org, name: `Probe ${n}`, email,
      consents: [{ purpose: 'participation', granted: true }],
    });
    await sleep(3200);
    const first = await new Client(limited.url, { localAddress: freshAddress() }).post('/api/v1/register', body(taken, 0));
    assert.equal(first.status, 202, first.text);
    const prober = new Client(limited.url, { localAddress: freshAddress() });
    for (const n of [1, 2]) {
      const probe = await prober.post('/api/v1/register', body(taken, n));
      assert.equal(probe.status, 202, `probe ${n}: ${probe.text}`);
      assert.equal(probe.text, first.text, `probe ${n} answers as a free address`);
    }
    // The limit is reached by refused attempts alone: the next answer
    // says nothing about the address, taken or not.
    assertProblem(await prober.post('/api/v1/register', body(taken, 3)), 429, { context: 'third probe, a taken address' });
    assertProblem(await prober.post('/api/v1/register', body(emailOf('free-probe'), 4)), 429, { context: 'a free address' });
  });
});

// --- data-sharing agreements ---

describe('data-sharing agreements', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const inDays = (n) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);

  test('a partner clinician sees only the contact category of a consenting person', async () => {
    const res = await as.clinician.get('/api/v1/participants/1');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.shared_categories, ['contact']);
    assert.equal(res.json.name, 'Sam Rivera');
    assert.equal(res.json.email, 'participant@example.org');
    const allowed = new Set(['id', 'status', 'shared_categories', 'name', 'preferred_name', 'pronouns', 'languages', 'email', 'phone', 'preferred_contact']);
    for (const k of Object.keys(res.json)) assert.ok(allowed.has(k), `field ${k} is not part of the contact category`);
    for (const k of ['needs', 'notes', 'emergency_contact', 'consents', 'availability', 'interests', 'date_of_birth', 'age_band']) {
      assert.ok(!(k in res.json), `${k} is not shared`);
    }
  });

  test('no contact consent → 403; the consent history is for the person\'s own organisation only', async () => {
    assertProblem(await as.clinician.get('/api/v1/participants/3'), 404, { context: 'Teo did not consent to contact: as if there were no such person' });
    assertProblem(await as.clinician.get('/api/v1/participants/1/consents'), 403, { context: 'consent history' });
    assertProblem(await as.clinician.patch('/api/v1/participants/1', { pronouns: 'x' }), 403, { detail: POLICY_DENIED });
  });

  test('every read by a partner, allowed or denied, is in the audit log with its outcome', async () => {
    const reads = [
      ['/api/v1/participants/1', 'participant:1', 'participant.read', 200, 'success'],
      ['/api/v1/participants/3', 'participant:3', 'participant.read', 404, 'denied'],
    ];
    for (const [url, resource, action, status, outcome] of reads) {
      const res = await as.clinician.get(url);
      assert.equal(res.status, status, res.text);
      const rid = res.headers.get('x-request-id');
      const e = (await auditFor(resource)).find((x) => x.request_id === rid);
      assert.ok(e, `${url}: no audit entry for request ${rid}`);
      assert.deepEqual([e.action, e.outcome, e.actor_id], [action, outcome, as.clinician.user.id], url);
    }
  });

  test('a refused read of the consent history is audited as denied, not as a successful read', async () => {
    // Bug: load_for_actor() commits a "success" entry for the contact-only
    // read before people_http_consents() answers 403.
    const res = await as.clinician.get('/api/v1/participants/1/consents');
    assert.equal(res.status, 403, res.text);
    const rid = res.headers.get('x-request-id');
    const entries = (await auditFor('participant:1')).filter((x) => x.request_id === rid);
    assert.deepEqual(entries.map((e) => [e.action, e.outcome]), [['consent.read', 'denied']]);
  });

  test('a coordinator cannot make an agreement for another organisation (403 from_organisation_id)', async () => {
    const res = await as.coordinator.post('/api/v1/sharing-agreements', {
      from_organisation_id: ORG.northside, to_organisation_id: ORG.riverside, categories: ['contact'], starts_on: today(), ends_on: inDays(30),
    });
    assertFieldProblem(res, 403, 'from_organisation_id', 'foreign organisation', { named: false });
  });

  test('bad agreements → 400 naming the field', async () => {
    const base = { from_organisation_id: ORG.riverside, to_organisation_id: ORG.eastgate, categories: ['contact'], starts_on: today(), ends_on: inDays(30) };
    const before_ = (await as.coordinator.get('/api/v1/sharing-agreements')).json.items.length;
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, categories: ['contact', 'diary'] }), 400, 'categories', 'category');
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, categories: [] }), 400, 'categories', 'no category');
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, starts_on: inDays(10), ends_on: inDays(5) }), 400, 'ends_on', 'ends before it starts');
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, ends_on: '2026-02-30x' }), 400, 'ends_on', 'not a date');
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, to_organisation_id: ORG.riverside }), 400, 'to_organisation_id', 'same organisation', { named: false });
    assertFieldProblem(await as.coordinator.post('/api/v1/sharing-agreements', { ...base, to_organisation_id: 99999 }), 400, 'to_organisation_id', 'no such organisation', { named: false });
    assert.equal((await as.coordinator.get('/api/v1/sharing-agreements')).json.items.length, before_, 'nothing created');
  });

  test('revoking the agreement stops the partner\'s access at once; a new agreement restores it', async () => {
    const list = await as.coordinator.get('/api/v1/sharing-agreements');
    assert.equal(list.status, 200, list.text);
    const active = list.json.items.filter((a) => a.from_organisation_id === ORG.riverside && a.to_organisation_id === ORG.northside && !a.revoked);
    assert.ok(active.length >= 1, list.text);
    const seen = (await as.clinician.get('/api/v1/sharing-agreements')).json.items.map((a) => a.id);
    for (const a of active) assert.ok(seen.includes(a.id), 'the partner sees the agreement too');
    assert.equal((await as.clinician.get('/api/v1/participants/1')).status, 200);
    for (const a of active) {
      const del = await as.coordinator.delete(`/api/v1/sharing-agreements/${a.id}`);
      assert.equal(del.status, 204, del.text);
    }
    try {
      assertProblem(await as.clinician.get('/api/v1/participants/1'), 404, { context: 'after revocation' });
      assert.deepEqual(await search(as.clinician, { email: 'participant@example.org' }), []);
      const after_ = (await as.coordinator.get('/api/v1/sharing-agreements')).json.items;
      for (const a of active) assert.equal(after_.find((x) => x.id === a.id).revoked, true);
      assertProblem(await as.coordinator.delete(`/api/v1/sharing-agreements/${active[0].id}`), 404);
    } finally {
      const made = await as.coordinator.post('/api/v1/sharing-agreements', {
        from_organisation_id: ORG.riverside, to_organisation_id: ORG.northside,
        categories: ['contact', 'checkins', 'safety_plan', 'referrals'], starts_on: inDays(-1), ends_on: inDays(365),
      });
      assert.equal(made.status, 201, made.text);
    }
    const back = await as.clinician.get('/api/v1/participants/1');
    assert.equal(back.status, 200, back.text);
  });

  test('an agreement that does not cover contact shares nothing', async () => {
    // Eastgate's librarian is a facilitator there; an agreement without
    // contact must not let them read anyone.
    const librarian = await loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD });
    const a = await as.coordinator.post('/api/v1/sharing-agreements', {
      from_organisation_id: ORG.riverside, to_organisation_id: ORG.eastgate, categories: ['attendance'], starts_on: inDays(-1), ends_on: inDays(30),
    });
    assert.equal(a.status, 201, a.text);
    try {
      assertProblem(await librarian.get('/api/v1/participants/1'), 404);
    } finally {
      assert.equal((await as.coordinator.delete(`/api/v1/sharing-agreements/${a.json.id}`)).status, 204);
    }
  });
});

// --- erasure requests ---

describe('erasure requests', () => {
  test('a participant asks → 202 pending; an admin sees it, approves → 204; the record and the login are gone', async () => {
    const p = await personWithLogin({ name: unique('Erase Me') });
    const res = await p.client.post('/api/v1/me/erasure-request');
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json.status, 'pending');
    assert.equal(typeof res.json.request_id, 'number');
    const again = await p.client.post('/api/v1/me/erasure-request');
    assert.equal(again.json.request_id, res.json.request_id, 'asking twice is the same request');

    const pending = await as.admin.get('/api/v1/erasure-requests?status=pending');
    assert.equal(pending.status, 200, pending.text);
    const item = pending.json.items.find((x) => x.id === res.json.request_id);
    assert.ok(item, pending.text);
    assert.deepEqual([item.participant_id, item.status], [p.id, 'pending']);
    assert.equal((await as.coordinator.get(`/api/v1/participants/${p.id}`)).status, 200, 'not erased before approval');

    const ok = await as.admin.post(`/api/v1/erasure-requests/${res.json.request_id}/approve`);
    assert.equal(ok.status, 204, ok.text);
    assertProblem(await as.coordinator.get(`/api/v1/participants/${p.id}`), 410);
    assert.deepEqual(await search(as.coordinator, { email: p.email }), []);
    assert.equal((await p.client.get('/api/v1/me/profile')).status, 401, 'the session is gone');
    const login = await new Client(server.url).login(p.email, p.password);
    assert.equal(login.status, 401, `the login no longer works: ${login.text}`);
    const approved = (await as.admin.get('/api/v1/erasure-requests?status=approved')).json.items;
    assert.ok(approved.some((x) => x.id === res.json.request_id));
    assert.ok(!(await as.admin.get('/api/v1/erasure-requests?status=pending')).json.items.some((x) => x.id === res.json.request_id));
    assertProblem(await as.admin.post(`/api/v1/erasure-requests/${res.json.request_id}/approve`), 404);
  });

  test('rejecting needs a reason; the person stays; a decided request cannot be decided again', async () => {
    const p = await personWithLogin();
    const res = await p.client.post('/api/v1/me/erasure-request');
    assert.equal(res.status, 202, res.text);
    const rid = res.json.request_id;
    assertFieldProblem(await as.admin.post(`/api/v1/erasure-requests/${rid}/reject`, {}), 400, 'reason', 'no reason');
    assertFieldProblem(await as.admin.post(`/api/v1/erasure-requests/${rid}/reject`, { reason: 'no' }), 400, 'reason', 'short reason');
    const rej = await as.admin.post(`/api/v1/erasure-requests/${rid}/reject`, { reason: 'Safeguarding record must be kept for now' });
    assert.equal(rej.status, 204, rej.text);
    const rejected = (await as.admin.get('/api/v1/erasure-requests?status=rejected')).json.items;
    assert.ok(rejected.some((x) => x.id === rid && x.status === 'rejected'));
    assert.equal((await p.client.get('/api/v1/me/profile')).status, 200);
    assert.equal((await as.coordinator.get(`/api/v1/participants/${p.id}`)).status, 200);
    assertProblem(await as.admin.post(`/api/v1/erasure-requests/${rid}/reject`, { reason: 'again please' }), 404);
    assertProblem(await as.admin.post(`/api/v1/erasure-requests/${rid}/approve`), 404);
    const again = await p.client.post('/api/v1/me/erasure-request');
    assert.equal(again.status, 202);
    assert.notEqual(again.json.request_id, rid, 'a new request after a rejection');
    assert.equal((await as.admin.post(`/api/v1/erasure-requests/${again.json.request_id}/reject`, { reason: 'test cleanup' })).status, 204);
  });

  test('without a status filter every request is listed', async () => {
    const res = await as.admin.get('/api/v1/erasure-requests');
    assert.equal(res.status, 200, res.text);
    const statuses = new Set(res.json.items.map((x) => x.status));
    for (const st of ['approved', 'rejected']) assert.ok(statuses.has(st), `${st} requests from the tests above are listed: ${res.text.slice(0, 300)}`);
    for (const x of res.json.items) assert.match(x.requested_at, /^\d{4}-\d\d-\d\dT/);
  });

  test('the unfiltered list works as the first use of the query on a fresh server', async () => {
    // Failed on PostgreSQL (500, "could not determine data type of parameter
    // $1") when the list's SQL had "(? IS NULL OR status = ?)": a pooled
    // connection prepares it with the types of its first bindings, and with
    // no filter that is an untyped NULL (SQL_ERASURE_QUEUE uses COALESCE).
    // It worked on a connection that first ran it with ?status=..., so on a
    // busy server the 500 came and went.
    const admin = await loginAs(limited.url, ROOT_ADMIN);
    for (let i = 0; i < 3; i++) {
      const res = await admin.get('/api/v1/erasure-requests');
      assert.equal(res.status, 200, `call ${i + 1}: ${res.text}`);
      assert.deepEqual(res.json.items, []);
    }
  });

  test('the status filter is checked; only admins review', async () => {
    assertFieldProblem(await as.admin.get('/api/v1/erasure-requests?status=bogus'), 400, 'status', 'status');
    for (const role of ['coordinator', 'participant']) {
      assertProblem(await as[role].get('/api/v1/erasure-requests'), 403, { detail: POLICY_DENIED, context: role });
    }
  });
});

// --- retention ---

describe('retention', () => {
  let admin; // the first admin: of "Hearth" only
  let old;
  let fresh;
  // Another organisation ("Riverside" here), its admin and a person of it
  // (theirs); and an admin of both with a person of both (both). A
  // person's record is never platform-wide: each admin sees and erases
  // only the people of their own organisations.
  const riv = {};
  const loginRiv = async () => {
    [riv.admin, riv.both] = await Promise.all([loginAs(rs.url, riv.adminUser), loginAs(rs.url, riv.bothUser)]);
  };
  let theirs;
  let both;
  before(async () => {
    admin = await loginAs(rs.url, ROOT_ADMIN);
    for (const label of ['old', 'fresh']) {
      const r = await admin.post('/api/v1/participants', { name: unique(`Retention ${label}`), email: emailOf(label) });
      assert.equal(r.status, 201, r.text);
      if (label === 'old') old = r.json.id; else fresh = r.json.id;
    }
    const orgs = (await admin.get('/api/v1/organisations')).json.items;
    const hearth = orgs.find((o) => o.name === 'Hearth').id;
    const org = await admin.post('/api/v1/organisations', { name: unique('Riverside'), kind: 'arts' });
    assert.equal(org.status, 201, org.text);
    riv.org = org.json.id;
    for (const [k, memberOf] of [['adminUser', [riv.org]], ['bothUser', [riv.org, hearth]]]) {
      const u = { email: `${unique(k)}@example.org`.toLowerCase(), password: `pw-${unique(k)}` };
      const made = await admin.post('/api/v1/users', { ...u, display_name: unique('Admin') });
      assert.equal(made.status, 201, made.text);
      for (const o of memberOf) {
        const m = await admin.post('/api/v1/memberships', { user_id: made.json.id, organisation_id: o, role: 'admin' });
        assert.equal(m.status, 201, m.text);
      }
      riv[k] = u;
    }
    await loginRiv();
    const t = await riv.admin.post('/api/v1/participants', { name: unique('Retention theirs'), email: emailOf('theirs'), organisation_ids: [riv.org] });
    assert.equal(t.status, 201, t.text);
    theirs = t.json.id;
    const b = await riv.both.post('/api/v1/participants', { name: unique('Retention both'), email: emailOf('both'), organisation_ids: [riv.org, hearth] });
    assert.equal(b.status, 201, b.text);
    both = b.json.id;
  });

  test('nobody freshly active is listed; inactive_days below 30 → 400', async () => {
    const res = await admin.get('/api/v1/retention?inactive_days=30');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.inactive_days, 30);
    assert.deepEqual(res.json.items, []);
    const dflt = await admin.get('/api/v1/retention');
    assert.equal(dflt.status, 200, dflt.text);
    assert.equal(dflt.json.inactive_days, 2190, 'HEARTH_RETENTION_DAYS default');
    assertFieldProblem(await admin.get('/api/v1/retention?inactive_days=29'), 400, 'inactive_days', '29 days');
    assertFieldProblem(await admin.get('/api/v1/retention?inactive_days=abc'), 400, 'inactive_days', 'not a number');
  });

  test('a record inactive for 100 days is listed and erased on confirmation; fresh ones are skipped', async () => {
    await rs.stop();
    dbQuery(rs, `UPDATE participants SET last_activity_at = last_activity_at - 100*86400 WHERE id IN (${old}, ${theirs}, ${both});`);
    rs = await restart(rs);
    admin = await loginAs(rs.url, ROOT_ADMIN);
    await loginRiv();
    const ids = async (client) => {
      const res = await client.get('/api/v1/retention?inactive_days=30');
      assert.equal(res.status, 200, res.text);
      return res.json.items.map((x) => x.id).sort((x, y) => x - y);
    };
    // Each admin sees the people of their own organisations only; a person
    // of two organisations is seen by the admins of either, listed once.
    assert.deepEqual(await ids(riv.admin), [theirs, both].sort((x, y) => x - y), 'Riverside\'s admin');
    assert.deepEqual(await ids(riv.both), [old, theirs, both].sort((x, y) => x - y), 'the admin of both');
    assert.deepEqual(await ids(admin), [old, both].sort((x, y) => x - y), 'the first admin sees none of Riverside\'s own people');
    // Erasing another organisation's person is skipped exactly like an id
    // nobody has, and does nothing to them.
    const NONE = 987654321;
    const tried = await admin.post('/api/v1/retention/erase', { inactive_days: 30, ids: [theirs, NONE], confirm: true });
    assert.equal(tried.status, 200, tried.text);
    assert.deepEqual(tried.json, { erased: [], skipped: [theirs, NONE] });
    assert.equal((await riv.admin.get(`/api/v1/participants/${theirs}`)).status, 200, 'not erased by the first admin');
    assert.ok((await ids(riv.admin)).includes(theirs), 'still listed for Riverside\'s admin');
    // Riverside's admin erases their own (and the shared person) as before.
    const rivErase = await riv.admin.post('/api/v1/retention/erase', { inactive_days: 30, ids: [theirs, both, old], confirm: true });
    assert.equal(rivErase.status, 200, rivErase.text);
    assert.deepEqual(rivErase.json, { erased: [theirs, both], skipped: [old] });
    assertProblem(await riv.admin.get(`/api/v1/participants/${theirs}`), 410);
    assert.deepEqual(await ids(riv.admin), []);

    const list = await admin.get('/api/v1/retention?inactive_days=30');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((x) => x.id), [old]);
    assert.match(list.json.items[0].last_activity_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual((await admin.get('/api/v1/retention?inactive_days=200')).json.items, []);

    assertFieldProblem(await admin.post('/api/v1/retention/erase', { inactive_days: 30, ids: [old], confirm: false }), 400, 'confirm', 'confirm false');
    assert.equal((await admin.get(`/api/v1/participants/${old}`)).status, 200, 'not erased without confirmation');
    const er = await admin.post('/api/v1/retention/erase', { inactive_days: 30, ids: [old, fresh], confirm: true });
    assert.equal(er.status, 200, er.text);
    assert.deepEqual(er.json, { erased: [old], skipped: [fresh] });
    assertProblem(await admin.get(`/api/v1/participants/${old}`), 410);
    assert.equal((await admin.get(`/api/v1/participants/${fresh}`)).status, 200);
    assert.deepEqual((await admin.get('/api/v1/retention?inactive_days=30')).json.items, []);
    const audit = (await admin.get(`/api/v1/audit?resource=participant:${old}`)).json.items;
    assert.ok(audit.some((e) => e.action === 'participant.erase' && e.actor_id === admin.user.id));
  });
});

// --- the policy matrix of the people routes ---

/** Which roles may perform each people action (src/auth/policy.c). */
const STAFF = ['admin', 'coordinator', 'facilitator', 'clinician', 'peer_supporter'];
const POLICY = {
  'participant.create': ['admin', 'coordinator', 'facilitator'],
  'participant.search': STAFF,
  'participant.read': STAFF,
  'participant.update': ['admin', 'coordinator'],
  'participant.erase': ['admin', 'coordinator'],
  'consent.record': ['admin', 'coordinator', 'facilitator'],
  'self.participant': ['participant'],
  'erasure.review': ['admin'],
  'agreement.list': ['admin', 'coordinator', 'clinician'],
  'agreement.manage': ['admin', 'coordinator'],
  'retention.erase': ['admin'],
};
const PEOPLE_ACTION = /^(participant\.(create|search|read|update|erase)|consent\.|self\.participant$|erasure\.|agreement\.|retention\.)/;

/**
 * A request per route that succeeds for an allowed role (`ok`, or
 * okFor[role] where the record-level rule answers differently: a partner
 * clinician sees contact details but not the consent history).
 */
const ROUTES = {
  'POST /api/v1/participants': { ok: 201, req: (f) => ({ body: { name: `Matrix ${f.label}`, email: f.newEmail } }) },
  'GET /api/v1/participants': { ok: 200, req: () => ({}) },
  'GET /api/v1/participants/{id}': { ok: 200, req: (f) => ({ params: { id: f.person } }) },
  'GET /api/v1/participants/{id}/consents': { ok: 200, okFor: { clinician: 403 }, req: (f) => ({ params: { id: f.person } }) },
  'PATCH /api/v1/participants/{id}': { ok: 204, req: (f) => ({ params: { id: f.person }, body: { pronouns: `by ${f.label}` } }) },
  'DELETE /api/v1/participants/{id}': { ok: 204, req: (f) => ({ params: { id: f.erasable } }) },
  'POST /api/v1/participants/{id}/consents': { ok: 201, req: (f) => ({ params: { id: f.person }, body: { purpose: 'media', granted: true } }) },
  'POST /api/v1/participants/{id}/account-code': { ok: 201, req: (f) => ({ params: { id: f.person } }) },
  'POST /api/v1/participants/{id}/invite': { ok: 202, req: (f) => ({ params: { id: f.person } }) },
  'GET /api/v1/me/profile': { ok: 200, req: () => ({}) },
  'PATCH /api/v1/me/profile': { ok: 204, req: () => ({ body: { pronouns: 'they/them' } }) },
  'GET /api/v1/me/consents': { ok: 200, req: () => ({}) },
  'POST /api/v1/me/consents': { ok: 201, req: () => ({ body: { purpose: 'media', granted: false } }) },
  'GET /api/v1/me/export': { ok: 200, req: () => ({}) },
  'GET /api/v1/me/export.html': { ok: 200, req: () => ({}) },
  'POST /api/v1/me/erasure-request': { ok: 202, req: () => ({}) },
  'GET /api/v1/erasure-requests': { ok: 200, req: () => ({}) },
  'POST /api/v1/erasure-requests/{id}/approve': { ok: 204, req: (f) => ({ params: { id: f.approveRequest } }) },
  'POST /api/v1/erasure-requests/{id}/reject': { ok: 204, req: (f) => ({ params: { id: f.rejectRequest }, body: { reason: `matrix ${f.label}` } }) },
  'GET /api/v1/sharing-agreements': { ok: 200, req: () => ({}) },
  'POST /api/v1/sharing-agreements': {
    ok: 201,
    req: () => ({ body: { from_organisation_id: ORG.riverside, to_organisation_id: ORG.eastgate, categories: ['outcomes'], starts_on: '2026-01-01', ends_on: '2030-01-01' } }),
  },
  'DELETE /api/v1/sharing-agreements/{id}': { ok: 204, req: (f) => ({ params: { id: f.agreement } }) },
  'GET /api/v1/retention': { ok: 200, req: () => ({}) },
  'POST /api/v1/retention/erase': { ok: 200, req: (f) => ({ body: { inactive_days: 30, ids: [f.person], confirm: true } }) },
};

function peopleRoutes() {
  return hearthRoutes().filter((r) => PEOPLE_ACTION.test(r.action));
}

describe('policy matrix of the people routes', () => {
  test('every people route in `hearth routes` has an expectation here (and none is stale)', () => {
    const routes = peopleRoutes();
    assert.ok(routes.length >= 23, `people routes: ${routes.length}`);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    const missing = keys.filter((k) => !(k in ROUTES));
    assert.deepEqual(missing, [], `add these routes to ROUTES in ${import.meta.url}`);
    assert.deepEqual(Object.keys(ROUTES).filter((k) => !keys.includes(k)), [], 'ROUTES entries for routes that do not exist');
    const unknown = [...new Set(routes.map((r) => r.action))].filter((a) => !(a in POLICY));
    assert.deepEqual(unknown, [], 'actions with no expected roles in POLICY');
  });

  /** Fresh records for one role's run; the expensive ones (logins with
   * pending erasure requests) only when the role may review them. */
  async function fixtures(role) {
    const label = `${role}-${unique('m')}`;
    // A partner clinician reads the contact category: the person agreed to
    // sharing with the mental health service and to being contacted.
    const person = await createPerson({ consents: ['participation', 'contact', 'clinical_sharing'].map((purpose) => ({ purpose, granted: true })) });
    const erasable = await createPerson();
    const agreement = await as.coordinator.post('/api/v1/sharing-agreements', {
      from_organisation_id: ORG.riverside, to_organisation_id: ORG.eastgate, categories: ['attendance'], starts_on: '2026-01-01', ends_on: '2030-01-01',
    });
    assert.equal(agreement.status, 201, agreement.text);
    const f = { label, person: person.id, erasable: erasable.id, agreement: agreement.json.id, newEmail: emailOf(`matrix-${role}`), approveRequest: 999999, rejectRequest: 999998 };
    if (POLICY['erasure.review'].includes(role)) {
      for (const k of ['approveRequest', 'rejectRequest']) {
        const p = await personWithLogin();
        const r = await p.client.post('/api/v1/me/erasure-request');
        assert.equal(r.status, 202, r.text);
        f[k] = r.json.request_id;
      }
    }
    return f;
  }

  for (const user of DEMO_USERS) {
    test(`${user.role}: allowed people routes succeed, the others are 403 with no effect`, async () => {
      const role = user.role;
      const client = as[role];
      const f = await fixtures(role);
      const order = { GET: 0, POST: 1, PATCH: 2, DELETE: 3 };
      const routes = peopleRoutes().sort((a, b) => order[a.method] - order[b.method]);
      const failures = [];
      let samErasure = null;
      for (const r of routes) {
        const spec = ROUTES[`${r.method} ${r.path}`];
        const { params = {}, body } = spec.req(f);
        const url = r.path.replace(/\{(\w+)\}/g, (_, n) => String(params[n]));
        const res = await client.request(r.method, url, body === undefined ? {} : { body });
        const what = `${role}: ${r.method} ${url} (${r.action})`;
        if (POLICY[r.action].includes(role)) {
          const want = spec.okFor?.[role] ?? spec.ok;
          if (res.status !== want) failures.push(`${what}: expected ${want}, got ${res.status} ${res.text.slice(0, 200)}`);
          else if (res.status === 403 && POLICY_DENIED.test(res.json?.detail ?? '')) failures.push(`${what}: refused by the role policy`);
          if (r.path === '/api/v1/me/erasure-request' && res.status === 202) samErasure = res.json.request_id;
        } else {
          try {
            assertProblem(res, 403, { detail: `your role does not allow ${r.action}` });
          } catch (e) {
            failures.push(`${what}: ${e.message}`);
          }
        }
      }
      // Sam's own request from the run above: decided, so it is not left pending.
      if (samErasure) assert.equal((await as.admin.post(`/api/v1/erasure-requests/${samErasure}/reject`, { reason: 'policy matrix run' })).status, 204);
      assert.deepEqual(failures, []);

      // Refused requests changed nothing.
      const person = await as.coordinator.get(`/api/v1/participants/${f.person}`);
      assert.equal(person.status, 200, person.text);
      const may = (action) => POLICY[action].includes(role);
      assert.equal(person.json.pronouns === `by ${f.label}`, may('participant.update'), 'pronouns changed iff allowed');
      assert.equal(person.json.consents.media.granted, may('consent.record'), 'consent recorded iff allowed');
      assert.equal((await as.coordinator.get(`/api/v1/participants/${f.erasable}`)).status, may('participant.erase') ? 410 : 200);
      assert.equal((await search(as.coordinator, { email: f.newEmail })).length, may('participant.create') ? 1 : 0);
      const agreements = (await as.coordinator.get('/api/v1/sharing-agreements')).json.items;
      assert.equal(agreements.find((a) => a.id === f.agreement).revoked, may('agreement.manage'));
    });
  }

  test('anonymous callers get 401 on every non-public people route', async () => {
    const anon = new Client(server.url);
    for (const r of peopleRoutes()) {
      const url = r.path.replace(/\{\w+\}/g, '1');
      const res = await anon.request(r.method, url, ['POST', 'PATCH'].includes(r.method) ? { body: {} } : {});
      assertProblem(res, 401, { context: `${r.method} ${url}` });
    }
  });
});

// --- a database error deciding who may see a person ---

describe('a database error deciding who may see a person is an error, never "not shared"', () => {
  // The partner's agreements cannot be read (HEARTH_TEST_FAULT_STEP: the
  // first step of the statement fails, src/db/db.c): a 500 problem, not
  // the 404 of a person nobody shares, nor a search that finds nobody.
  const FAULT = 'SELECT a.categories FROM sharing_agreements a@1';
  const faulty = [];
  after(async () => {
    await Promise.allSettled(faulty.map((s) => s.stop()));
  });

  test('a partner\'s read of a shared person and a partner\'s search: 500, then the answer once the fault is spent', async () => {
    const [readServer, searchServer] = await Promise.all([
      serve({ env: { HEARTH_TEST_FAULT_STEP: FAULT } }),
      serve({ env: { HEARTH_TEST_FAULT_STEP: FAULT } }),
    ]);
    faulty.push(readServer, searchServer);
    const clinicianOf = async (s) => (await loginAllRoles(s.url)).clinician;
    const [reader, searcher] = await Promise.all([clinicianOf(readServer), clinicianOf(searchServer)]);
    const read = await reader.get('/api/v1/participants/1');
    assertProblem(read, 500, { context: 'read while the agreements cannot be read' });
    const again = await reader.get('/api/v1/participants/1');
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.shared_categories, ['contact']);
    const q = `/api/v1/participants?${new URLSearchParams({ email: 'participant@example.org' })}`;
    const found = await searcher.get(q);
    assertProblem(found, 500, { context: 'search while the agreements cannot be read' });
    assert.ok(!('items' in (found.json || {})), 'no short list');
    const retry = await searcher.get(q);
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.items.length, 1);
  });

  test('a person\'s page whose erasure request cannot be read: 500, not a page saying they never asked', async () => {
    const s = await serve({ env: { HEARTH_TEST_FAULT_STEP: "THEN 0 ELSE 1 END, id DESC LIMIT 1@1" } });
    faulty.push(s);
    const { coordinator } = await loginAllRoles(s.url);
    assertProblem(await coordinator.get('/api/v1/participants/1'), 500, { context: 'the erasure request unreadable' });
    const again = await coordinator.get('/api/v1/participants/1');
    assert.equal(again.status, 200, again.text);
    assert.ok('erasure_request' in again.json);
  });
});
