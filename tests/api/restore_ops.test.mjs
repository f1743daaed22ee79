// Restore on a bad day (issue 10, "Operations"): a backup taken while the
// server is serving writes is consistent, and restoring it into an empty
// data directory gives a server whose audit chain verifies and where an
// erasure made after the backup still holds.
//
// SQLite: `hearth backup` while four clients create participants, then
// `hearth restore BACKUP` into a new directory holding only the key file
// and the key store (kept apart from backups, docs/privacy.md). PostgreSQL:
// the procedure of docs/operator.md, pg_dump -Fc while serving writes and
// pg_restore into a new database. restore.test.mjs covers what the key
// store's erasure record does at start; this file covers the restore itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, createPgDatabase, dbQuery, isPg, loginAs, runCli, runCliAsync, runCliOk, sleep, startServer,
  tempDir, unique,
} from './harness.mjs';

const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');

const servers = [];
after(async () => {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

/** Runs a program without blocking the event loop (requests keep flowing). */
function spawnAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Copies a SQLite file with its WAL (the key store) into dir. */
function copySqlite(file, dir) {
  const to = path.join(dir, path.basename(file));
  fs.copyFileSync(file, to);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${to}-wal`);
  return to;
}

/**
 * In a copy of the database at db (a file or a URI), no write is half
 * there: each participant the test made (ids in made) that is in the copy
 * has its audit entry, and each creation in the audit log has its
 * participant. Returns the ids of the participants in the copy.
 */
function assertConsistent(db, made) {
  if (!isPg(db)) assert.equal(dbQuery(db, 'PRAGMA integrity_check').trim(), 'ok');
  const ids = dbQuery(db, 'SELECT id FROM participants ORDER BY id').trim().split('\n').map(Number);
  const audited = new Set(dbQuery(db, "SELECT resource FROM audit_log WHERE action = 'participant.create'")
    .trim().split('\n').filter(Boolean).map((r) => Number(r.split(':')[1])));
  const present = new Set(ids);
  for (const id of audited) assert.ok(present.has(id), `participant ${id} is audited but not in the copy`);
  for (const id of made) if (present.has(id)) assert.ok(audited.has(id), `participant ${id} is in the copy without its audit entry`);
  return ids;
}

describe(`restore while serving writes (${process.env.HEARTH_TEST_PG_URL ? 'PostgreSQL: pg_dump, pg_restore' : 'SQLite: hearth backup, hearth restore'})`, () => {
  let server;
  let staff;
  let org;
  let victim;
  const victimEmail = `${unique('victim')}@example.org`;
  const password = 'victim password, long enough';
  let backupFile;
  let created = 0;
  let beforeBackup;
  const made = [];

  before(async () => {
    server = await startServer();
    servers.push(server);
    staff = await loginAs(server.url, COORDINATOR);
    const orgs = await staff.get('/api/v1/organisations');
    org = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
  });

  const createParticipant = (name, email) => staff.post('/api/v1/participants', {
    name, email, organisation_ids: [org], consents: [{ purpose: 'participation', granted: true }],
  });

  test('a backup taken while four clients write is consistent', async () => {
    const v = await createParticipant(unique('Victim'), victimEmail);
    assert.equal(v.status, 201, v.text);
    victim = v.json.id;
    made.push(victim);
    const code = await staff.post(`/api/v1/participants/${victim}/account-code`);
    assert.equal(code.status, 201, code.text);
    const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password });
    assert.equal(claim.status, 201, claim.text);

    let stop = false;
    const failures = [];
    const writer = async () => {
      while (!stop) {
        const r = await createParticipant(unique('Writer'), `${unique('w')}@example.org`);
        if (r.status === 201) {
          created += 1;
          made.push(r.json.id);
        }
        else failures.push(`${r.status} ${r.text}`);
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    try {
      while (created < 20) await sleep(10);
      beforeBackup = created;
      backupFile = path.join(tempDir(), isPg(server) ? 'hearth.dump' : 'hearth-backup.db');
      if (isPg(server)) {
        await spawnAsync('pg_dump', ['-Fc', '--no-owner', '--no-privileges', '-f', backupFile, server.db]);
      } else {
        const r = await runCliAsync(['backup', '--db', server.db, '--key-file', server.keyFile, backupFile]);
        assert.equal(r.code, 0, r.stderr);
      }
      const during = created - beforeBackup;
      while (created < beforeBackup + during + 10) await sleep(10);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    assert.deepEqual(failures, []);
    assert.ok(created > beforeBackup + 10, 'writes went on during and after the backup');

    // Look inside the backup: a copy of it as a database.
    let copy;
    if (isPg(server)) {
      copy = createPgDatabase();
      run('pg_restore', ['--no-owner', '--no-privileges', '-d', copy, backupFile]);
    } else {
      copy = path.join(tempDir(), 'look.db');
      fs.copyFileSync(backupFile, copy);
    }
    const ids = new Set(assertConsistent(copy, made));
    assert.ok(ids.has(victim), 'the victim is in the backup');
    const inBackup = made.filter((id) => ids.has(id)).length;
    assert.ok(inBackup >= beforeBackup + 1, `writes before the backup are in it (${inBackup} of ${made.length})`);
    assert.ok(inBackup < made.length - 10, `writes after the backup are not (${inBackup} of ${made.length})`);
  });

  test('the victim is erased after the backup', async () => {
    assert.equal((await staff.delete(`/api/v1/participants/${victim}`)).status, 204);
  });

  test('restored into an empty data directory: audit chain intact, the erasure holds, data opens', async () => {
    // The machine is lost: stop the server, then keep only what lives apart
    // from the database and its backups: the key file and the key store.
    await server.stop();
    const dir = tempDir();
    const keyFile = path.join(dir, 'h.key');
    fs.copyFileSync(server.keyFile, keyFile);
    fs.chmodSync(keyFile, 0o600);
    copySqlite(path.join(path.dirname(server.keyFile), 'hearth.keystore.db'), dir);

    let db;
    if (isPg(server)) {
      // docs/operator.md: a new database, pg_restore, start the servers.
      db = createPgDatabase();
      run('pg_restore', ['--no-owner', '--no-privileges', '-d', db, backupFile]);
      const r = runCli(['restore', '--db', db, '--key-file', keyFile, backupFile]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /pg_restore.*docs\/operator\.md/s);
    } else {
      db = path.join(dir, 'data', 'hearth.db');
      const r = runCliOk(['restore', '--db', db, '--key-file', keyFile, backupFile]);
      assert.match(r.stdout, /1 erasure\(s\) recorded in the key store finished, audit chain intact/);
      assert.equal(fs.statSync(db).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(path.dirname(db)).filter((f) => f.includes('restoring')), [], 'no work file is left');
      // Finished by restore, before any server read it.
      assert.equal(dbQuery(db, `SELECT status FROM participants WHERE id = ${victim}`).trim(), 'erased');
    }

    const restored = await startServer({ dir, dbUrl: db, keyFile });
    servers.push(restored);
    const verify = runCliOk(['audit', 'verify', '--db', db, '--key-file', keyFile]);
    assert.match(verify.stdout, /audit chain intact/);

    const again = await loginAs(restored.url, COORDINATOR);
    assert.equal((await again.get(`/api/v1/participants/${victim}`)).status, 410, 'the erasure holds');
    assert.equal((await new Client(restored.url).login(victimEmail, password)).status, 401);
    // Everyone else in the backup opens with the key store.
    const ids = dbQuery(db, `SELECT id FROM participants WHERE status <> 'erased' ORDER BY id`).trim().split('\n').map(Number);
    for (const id of ids) {
      const p = await again.get(`/api/v1/participants/${id}`);
      assert.equal(p.status, 200, `participant ${id}: ${p.text}`);
      assert.ok(p.json.name, `participant ${id} has a name`);
    }

    // New people can be registered: ids the backup has not used yet may
    // have keys in the key store from people made after the backup.
    for (let i = 0; i < 3; i += 1) {
      const fresh = await again.post('/api/v1/participants', {
        name: unique('After Restore'), email: `${unique('after')}@example.org`, organisation_ids: [org],
        consents: [{ purpose: 'participation', granted: true }],
      });
      assert.equal(fresh.status, 201, fresh.text);
      assert.equal((await again.get(`/api/v1/participants/${fresh.json.id}`)).status, 200);
    }

    if (!isPg(server)) {
      // A second restore while that server runs is refused, and the
      // database is left as it was.
      const before = dbQuery(db, 'SELECT count(*) FROM audit_log').trim();
      const r = runCli(['restore', '--db', db, '--key-file', keyFile, backupFile]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /is in use \(is `hearth serve` running on it\?\)/);
      assert.equal(dbQuery(db, 'SELECT count(*) FROM audit_log').trim(), before);
      const ok = await again.get('/api/v1/participants/1');
      assert.equal(ok.status, 200, ok.text);
    }
  });
});

describe('hearth restore refuses what it cannot restore', { skip: process.env.HEARTH_TEST_PG_URL ? 'SQLite files (the PostgreSQL pass covers pg_restore)' : false }, () => {
  let src;
  let backupFile;

  before(async () => {
    src = await startServer();
    servers.push(src);
    backupFile = path.join(tempDir(), 'b.db');
    runCliOk(['backup', '--db', src.db, '--key-file', src.keyFile, backupFile]);
  });

  const restoreInto = (file, extra = []) => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'h.key');
    fs.copyFileSync(src.keyFile, keyFile);
    fs.chmodSync(keyFile, 0o600);
    if (!extra.includes('no-keystore')) copySqlite(path.join(src.dir, 'hearth.keystore.db'), dir);
    const db = path.join(dir, 'hearth.db');
    return { db, r: runCli(['restore', '--db', db, '--key-file', keyFile, file]) };
  };

  test('not a database, not a Hearth database, damaged, from a newer release, no key store', () => {
    const dir = tempDir();
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all, but long enough to have a header '.repeat(20));
    const other = path.join(dir, 'other.db');
    run('sqlite3', [other, 'CREATE TABLE t(x)']);
    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(backupFile, newer);
    run('sqlite3', [newer, "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)"]);
    const damaged = path.join(dir, 'damaged.db');
    const bytes = fs.readFileSync(backupFile);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
    for (let page = 2; page * pageSize < bytes.length; page += 3) bytes.fill(0x5a, page * pageSize + 100, page * pageSize + 400);
    fs.writeFileSync(damaged, bytes);
    const cases = [
      [junk, /is not a SQLite database/],
      [other, /not a Hearth database/],
      [damaged, /is damaged/],
      [newer, /schema version 9999, newer than this hearth's/],
    ];
    for (const [file, why] of cases) {
      const { db, r } = restoreInto(file);
      assert.equal(r.code, 1, `${file}: ${r.stdout}`);
      assert.match(r.stderr, why);
      assert.ok(!fs.existsSync(db), `${file}: nothing is put in place`);
      assert.deepEqual(fs.readdirSync(path.dirname(db)).filter((f) => f.includes('restoring')), []);
    }
    const { db, r } = restoreInto(backupFile, ['no-keystore']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /no key store at .*hearth\.keystore\.db/);
    assert.ok(!fs.existsSync(db));
    assert.ok(!fs.existsSync(path.join(path.dirname(db), 'hearth.keystore.db')), 'no empty key store is made');
  });

  test('the backup file itself is left as it was', () => {
    const before = fs.readFileSync(backupFile);
    const { r } = restoreInto(backupFile);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(before.equals(fs.readFileSync(backupFile)));
    assert.deepEqual(fs.readdirSync(path.dirname(backupFile)), ['b.db'], 'no -wal or -shm beside it');
  });
});
