// Erasure by crypto-shredding, proved end to end: a backup taken before the
// erasure, restored beside the key store as it is after the erasure, shows
// everyone who was not erased and nobody who was. The database is read
// directly here (SQLite file bytes, or pg_dump/psql on PostgreSQL).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, ROOT_ADMIN, assertProblem, loginAs, runCli, runCliOk, sqlite, startServer, tempDir, unique,
} from './harness.mjs';

// --- local helpers (as in people.test.mjs) ---

/**
 * Starts a server on a database initialised here rather than by the
 * harness: the harness's template copy (h.db, h.db-wal, h.key) leaves out
 * the key store (hearth.keystore.db beside the key file), so every demo
 * participant would read as erased. With HEARTH_TEST_PG_URL set, each
 * server gets a fresh PostgreSQL database on that server.
 */
async function serve({ demo = true, env = {} } = {}) {
  const dir = tempDir();
  const keyFile = path.join(dir, 'h.key');
  const db = process.env.HEARTH_TEST_PG_URL ? createPgDatabase() : path.join(dir, 'h.db');
  runCliOk(['init', '--default-country', 'GB', '--db', db, '--key-file', keyFile, '--admin-email', ROOT_ADMIN.email, '--password-stdin'],
    { input: `${ROOT_ADMIN.password}\n` });
  if (demo) runCliOk(['demo', '--db', db, '--key-file', keyFile]);
  return startServer({ dir, dbUrl: db, keyFile, env });
}

const isPg = (server) => /^postgres(ql)?:\/\//.test(server.db);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const psql = (url, sql) => run('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql]);

const pgDatabases = []; // dropped when the file's servers have stopped

function createPgDatabase() {
  const base = process.env.HEARTH_TEST_PG_URL;
  const name = `hearth_erasure_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  psql(base, `CREATE DATABASE ${name}`);
  pgDatabases.push(name);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

const dbQuery = (server, sql) => (isPg(server) ? psql(server.db, sql) : sqlite(server.db, sql));

function keyStorePath(server) {
  return process.env.HEARTH_KEY_STORE || path.join(path.dirname(server.keyFile), 'hearth.keystore.db');
}

function keyStoreQuery(server, sql) {
  const ks = keyStorePath(server);
  return /^postgres/.test(ks) ? psql(ks, sql) : sqlite(ks, sql);
}

/** The SQLite database file with its WAL, or a data-only pg_dump. */
function databaseBytes(server) {
  if (isPg(server)) {
    const r = spawnSync('pg_dump', ['--data-only', '--no-owner', server.db], { maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
    return r.stdout;
  }
  return Buffer.concat(['', '-wal'].map((s) => server.db + s)
    .filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

function assertAbsent(bytes, strings, where) {
  for (const s of strings) {
    assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${where} contains "${s}" in the clear`);
    const hex = Buffer.from(s, 'utf8').toString('hex');
    assert.equal(bytes.indexOf(Buffer.from(hex)), -1, `${where} contains "${s}" hex-encoded`);
  }
}

/** A backup of the live database: `hearth backup` for SQLite, pg_dump for PostgreSQL. */
function backup(server, out) {
  if (isPg(server)) {
    run('pg_dump', ['--no-owner', '--no-privileges', '-f', out, server.db]);
  } else {
    // Options before OUT: `hearth backup OUT --db ...` exits 2 (getopt stops
    // at the first positional; see the todo in cli.test.mjs).
    const r = runCliOk(['backup', '--db', server.db, '--key-file', server.keyFile, out]);
    assert.match(r.stdout, /Backed up/);
  }
}

/** A directory with the backup restored as its database; returns the db path or URL. */
function restoreBackup(server, file, dir) {
  if (isPg(server)) {
    const url = createPgDatabase();
    run('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file]);
    return url;
  }
  const db = path.join(dir, 'h.db');
  fs.copyFileSync(file, db);
  return db;
}

// --- the shared server ---

const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');
const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');

let server;
let coordinator;
let admin;
const servers = []; // extra servers, stopped in after()

before(async () => {
  server = await serve();
  [coordinator, admin] = await Promise.all([loginAs(server.url, COORDINATOR), loginAs(server.url, ADMIN)]);
});

after(async () => {
  const results = await Promise.allSettled([server?.stop(), ...servers.map((s) => s.stop())]);
  if (process.env.HEARTH_TEST_KEEP !== '1') {
    for (const name of pgDatabases) psql(process.env.HEARTH_TEST_PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

async function create(fields) {
  const res = await coordinator.post('/api/v1/participants', fields);
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

async function searchEmail(client, email) {
  const res = await client.get(`/api/v1/participants?email=${encodeURIComponent(email)}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

describe('erasure proof: a backup taken before the erasure cannot bring the person back', () => {
  const tag = unique('Erz').replace(/-/g, '');
  const victim = {
    name: `Ottoline ${tag} Featherstonehaugh`,
    email: `ottoline.${tag.toLowerCase()}@erasure.example`,
    phone: '+44 20 7946 0777',
    notes: `${tag} disclosed a housing problem`,
    needs: { free_text: `${tag} needs a quiet corner` },
    consents: [{ purpose: 'participation', granted: true }, { purpose: 'media', granted: true, given_by: 'guardian', guardian_name: `${tag} Guardian` }],
  };
  const keeper = {
    name: `Bartholomew ${tag} Keeper`,
    email: `keeper.${tag.toLowerCase()}@erasure.example`,
    pronouns: 'he/him',
    notes: 'kept record',
    needs: { sensory: ['captions'] },
    consents: [{ purpose: 'participation', granted: true }],
  };
  const secrets = [victim.name, victim.email, victim.notes, victim.needs.free_text, `${tag} Guardian`];
  let victimId;
  let keeperId;
  let wrappedHex;
  let keysBefore;
  let backupFile;

  before(async () => {
    victimId = await create(victim);
    keeperId = await create(keeper);
    wrappedHex = keyStoreQuery(server, `SELECT hex(wrapped) FROM data_keys WHERE subject_id = ${victimId};`).trim();
    assert.match(wrappedHex, /^[0-9A-F]{64,}$/, 'the victim has a wrapped data key');
    keysBefore = Number(keyStoreQuery(server, 'SELECT count(*) FROM data_keys;').trim());
  });

  test('a backup taken while serving, before the erasure, holds the person\'s sealed record', async () => {
    backupFile = path.join(tempDir(), isPg(server) ? 'before-erasure.sql' : 'before-erasure.db');
    backup(server, backupFile);
    const bytes = fs.readFileSync(backupFile);
    assert.ok(bytes.length > 0);
    if (!isPg(server)) {
      const row = sqlite(backupFile, `SELECT status, length(profile) > 0, email_bi IS NOT NULL FROM participants WHERE id = ${victimId};`).trim();
      assert.equal(row, 'active|1|1', 'the backup has the sealed profile and the index');
    }
    assertAbsent(bytes, secrets, 'the backup');
  });

  test('DELETE as coordinator → 204; then GET → 410, search finds nothing, nothing can be recorded', async () => {
    const del = await coordinator.delete(`/api/v1/participants/${victimId}`);
    assert.equal(del.status, 204, del.text);
    const got = await coordinator.get(`/api/v1/participants/${victimId}`);
    assertProblem(got, 410);
    for (const s of secrets) assert.ok(!got.text.includes(s));
    assert.deepEqual(await searchEmail(coordinator, victim.email), []);
    const byName = await coordinator.get(`/api/v1/participants?name=${encodeURIComponent(victim.name)}`);
    assert.deepEqual(byName.json.items, []);
    const list = await coordinator.get('/api/v1/participants?limit=100');
    assert.ok(!list.json.items.some((p) => p.id === victimId), 'not in the organisation\'s list');
    assertProblem(await coordinator.get(`/api/v1/participants/${victimId}/consents`), 410);
    assertProblem(await coordinator.patch(`/api/v1/participants/${victimId}`, { pronouns: 'she/her' }), 410);
  });

  test('the database keeps a tombstone only, and its files hold none of the person\'s details', () => {
    const row = dbQuery(server, `SELECT status, profile IS NULL, name_bi IS NULL, email_bi IS NULL, phone_bi IS NULL, erased_at IS NOT NULL FROM participants WHERE id = ${victimId};`).trim();
    assert.match(row, /^erased\|(1\|1\|1\|1\|1|t\|t\|t\|t\|t)$/, `tombstone row: ${row}`);
    const guardians = dbQuery(server, `SELECT count(*) FROM consents WHERE participant_id = ${victimId} AND guardian_name IS NOT NULL;`).trim();
    assert.equal(guardians, '0', 'sealed guardian names are wiped');
    const decisions = dbQuery(server, `SELECT count(*) FROM consents WHERE participant_id = ${victimId};`).trim();
    assert.equal(decisions, '2', 'consent decisions stay, without names');
    assertAbsent(databaseBytes(server), secrets, isPg(server) ? 'pg_dump of the database' : 'the database file and its WAL');
  });

  test('the key store lost exactly that person\'s key, and its bytes are gone from the file', () => {
    assert.equal(Number(keyStoreQuery(server, 'SELECT count(*) FROM data_keys;').trim()), keysBefore - 1);
    assert.equal(keyStoreQuery(server, `SELECT count(*) FROM data_keys WHERE subject_id = ${victimId};`).trim(), '0');
    assert.equal(keyStoreQuery(server, `SELECT count(*) FROM data_keys WHERE subject_id = ${keeperId};`).trim(), '1');
    const ks = keyStorePath(server);
    if (!/^postgres/.test(ks)) {
      const wrapped = Buffer.from(wrappedHex, 'hex');
      for (const f of [ks, `${ks}-wal`].filter((x) => fs.existsSync(x))) {
        assert.equal(fs.readFileSync(f).indexOf(wrapped), -1, `${path.basename(f)} still holds the erased person's wrapped key`);
      }
    }
  });

  test('a new server on the backup with the key store as it is now: the erased person is unreadable, the others are intact', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'h.key');
    fs.copyFileSync(server.keyFile, keyFile);
    fs.chmodSync(keyFile, 0o600);
    const ks = keyStorePath(server);
    assert.ok(!/^postgres/.test(ks), 'this step copies a SQLite key store');
    // A consistent copy of the live key store (it is in WAL mode).
    run('sqlite3', [ks, `.backup '${path.join(dir, 'hearth.keystore.db')}'`]);
    const db = restoreBackup(server, backupFile, dir);
    const restored = await startServer({ dir, dbUrl: db, keyFile });
    servers.push(restored);
    const staff = await loginAs(restored.url, COORDINATOR);

    const gone = await staff.get(`/api/v1/participants/${victimId}`);
    assert.ok([404, 410].includes(gone.status), `erased person from the old backup: ${gone.status} ${gone.text}`);
    for (const s of secrets) assert.ok(!gone.text.includes(s), `the response shows "${s}"`);
    assertProblem(await staff.get(`/api/v1/participants/${victimId}/consents`), gone.status);
    assert.deepEqual(await searchEmail(staff, victim.email), [], 'the blind index in the backup leads nowhere');
    const list = await staff.get('/api/v1/participants?limit=100');
    assert.equal(list.status, 200);
    assert.ok(!list.json.items.some((p) => p.id === victimId));
    for (const p of list.json.items) for (const s of secrets) assert.ok(!JSON.stringify(p).includes(s));

    const kept = await staff.get(`/api/v1/participants/${keeperId}`);
    assert.equal(kept.status, 200, kept.text);
    for (const k of ['name', 'email', 'pronouns', 'notes', 'needs']) assert.deepEqual(kept.json[k], keeper[k], k);
    assert.equal(kept.json.consents.participation.granted, true);
    assert.deepEqual((await searchEmail(staff, keeper.email)).map((p) => p.id), [keeperId]);
    const sam = await staff.get('/api/v1/participants/1');
    assert.equal(sam.status, 200, sam.text);
    assert.equal(sam.json.name, 'Sam Rivera');
    await restored.stop();
  });

  test('the audit chain stays intact and records the erasure', async () => {
    const v = runCli(['audit', 'verify', '--db', server.db, '--key-file', server.keyFile]);
    assert.equal(v.code, 0, `${v.stdout}${v.stderr}`);
    assert.match(v.stdout, /audit chain intact/);
    const res = await admin.get(`/api/v1/audit?resource=participant:${victimId}&limit=500`);
    assert.equal(res.status, 200, res.text);
    const e = res.json.items.find((x) => x.action === 'participant.erase');
    assert.ok(e, res.text);
    assert.deepEqual([e.outcome, e.actor_id], ['success', coordinator.user.id]);
    for (const s of secrets) assert.ok(!res.text.includes(s));
  });
});

describe('erasure: who may, and what happens to a login', () => {
  test('a facilitator may not erase; a coordinator of another organisation gets the same 404 as an unknown id', async () => {
    const id = await create({ name: unique('Not Erased'), email: `${unique('ne')}@example.org` });
    const facilitator = await loginAs(server.url, DEMO_USERS.find((u) => u.role === 'facilitator'));
    assertProblem(await facilitator.delete(`/api/v1/participants/${id}`), 403, { detail: /your role does not allow participant.erase/ });
    // A coordinator of "Hearth", not of Riverside, cannot know the person
    // exists: exactly the answer of a missing id.
    const root = await loginAs(server.url, ROOT_ADMIN);
    const hearth = (await root.get('/api/v1/organisations')).json.items.find((o) => o.name === 'Hearth').id;
    const other = { email: `${unique('othercoord')}@example.org`.toLowerCase(), password: 'another-coordinator-1' };
    const u = await root.post('/api/v1/users', { email: other.email, display_name: unique('Other Coordinator'), password: other.password });
    assert.equal(u.status, 201, u.text);
    assert.equal((await root.post('/api/v1/memberships', { user_id: u.json.id, organisation_id: hearth, role: 'coordinator' })).status, 201);
    const outsider = await loginAs(server.url, other);
    const missing = await outsider.delete('/api/v1/participants/987654');
    assertProblem(missing, 404);
    const res = await outsider.delete(`/api/v1/participants/${id}`);
    assertProblem(res, 404);
    assert.equal(res.json.detail, missing.json.detail);
    // Nor the root admin (an admin of "Hearth" only): a person's record is
    // never platform-wide, so the answer is again that of a missing id.
    const rootMissing = await root.delete('/api/v1/participants/987654');
    assertProblem(rootMissing, 404);
    const rootRes = await root.delete(`/api/v1/participants/${id}`);
    assertProblem(rootRes, 404);
    assert.equal(rootRes.json.detail, rootMissing.json.detail);
    assert.equal((await coordinator.get(`/api/v1/participants/${id}`)).status, 200, 'still there');
    assertProblem(await coordinator.delete('/api/v1/participants/987654'), 404);
  });

  test('erasing a person with a login disables it and ends their sessions', async () => {
    const email = `${unique('withlogin')}@example.org`;
    const id = await create({ name: unique('With Login'), email });
    const code = await coordinator.post(`/api/v1/participants/${id}/account-code`);
    assert.equal(code.status, 201, code.text);
    const password = 'a password for erasure';
    const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password });
    assert.equal(claim.status, 201, claim.text);
    const person = await loginAs(server.url, { email, password });
    assert.equal((await person.get('/api/v1/me/profile')).status, 200);
    assert.equal((await coordinator.delete(`/api/v1/participants/${id}`)).status, 204);
    assert.equal((await person.get('/api/v1/me/profile')).status, 401, 'the session is gone');
    assert.equal((await new Client(server.url).login(email, password)).status, 401, 'the login no longer works');
    const users = await admin.get('/api/v1/users?limit=500');
    const u = users.json.items.find((x) => x.id === claim.json.user_id);
    assert.ok(u, 'the user row stays as a tombstone');
    assert.notEqual(u.email, email);
    assert.equal(u.display_name, 'Erased person');
    assert.deepEqual(u.memberships, []);
  });

  test('after erasing a person who had a login, the database files hold neither their name nor their email', async () => {
    // Bug: a claimed login copies the person's email and name into
    // users.email / users.display_name in the clear. Erasure overwrites the
    // row, but the old page stays in the SQLite WAL (and the main file) until
    // a checkpoint, unlike the key store, which is checkpointed on deletion.
    const tag = unique('Wl').replace(/-/g, '');
    const name = `Philippa ${tag} Loginhaver`;
    const email = `philippa.${tag.toLowerCase()}@erasure.example`;
    const id = await create({ name, email });
    const code = await coordinator.post(`/api/v1/participants/${id}/account-code`);
    const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password: 'another long password' });
    assert.equal(claim.status, 201, claim.text);
    assert.equal((await coordinator.delete(`/api/v1/participants/${id}`)).status, 204);
    assertAbsent(databaseBytes(server), [name, email], isPg(server) ? 'pg_dump of the database' : 'the database file and its WAL');
  });
});
