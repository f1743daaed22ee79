// Data keys and master keys (issue 10: finding 4 and key rotation), on both
// backends (the key store is SQLite beside the key file on both passes).
//
// Orphan keys: a creation that crashed after the key store's commit and
// before the main one left a data key for a participant id the database
// then hands out again (SQLite: a rolled-back AUTOINCREMENT id is reused;
// PostgreSQL: after a restore resets the sequence). The next person given
// that id is created (201, not 409 "already registered"), and orphans older
// than the grace period are swept at the next start, younger ones kept.
//
// Rotation: `hearth keys rotate` killed in the middle (HEARTH_TEST_ROTATE_
// CRASH_AFTER aborts it after N re-wraps, as kill -9 would) leaves every
// data key readable by a server that was already running (it reads the key
// file again when it meets the new key) and one started after; run again
// it finishes; the audit chain verifies across the change of key (entries
// by a node still on the old key included); `hearth keys destroy-old`
// removes the old master key from the key file, after which a copy of the
// old key file opens nothing new.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_USERS, dbQuery, isPg, loginAs, logLines, runCli, runCliOk, sqlite, startServer, tempDir, unique,
} from './harness.mjs';

const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');
const servers = [];

after(async () => {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

async function serve(opts) {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}

async function restart(s) {
  await s.stop();
  servers.splice(servers.indexOf(s), 1);
  return serve({ dir: s.dir, dbUrl: s.db, keyFile: s.keyFile });
}

function keyStore(server) {
  return process.env.HEARTH_KEY_STORE || path.join(path.dirname(server.keyFile), 'hearth.keystore.db');
}

function ks(server, sql) {
  return sqlite(keyStore(server), sql).trim();
}

/** The id the database gives the next participant. */
function nextParticipantId(server) {
  const sql = isPg(server)
    ? 'SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM participants_id_seq;'
    : "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'participants'), 0) + 1;";
  return Number(dbQuery(server, sql).trim());
}

function cli(server, args, env = {}) {
  return runCli([...args, '--db', server.db, '--key-file', server.keyFile], { env });
}

async function createPerson(client, label) {
  const name = unique(label);
  const res = await client.post('/api/v1/participants', { name, email: `${unique('k')}@example.org` });
  return { res, name };
}

describe('orphan data keys (finding 4)', () => {
  let server;
  let coordinator;
  before(async () => {
    server = await serve();
    coordinator = await loginAs(server.url, COORDINATOR);
  });

  test('a key left for the next participant id does not make the next person a conflict', async () => {
    const next = nextParticipantId(server);
    const old = Math.floor(Date.now() / 1000) - 7200;
    // What a crash between the two commits leaves: a key for `next`, and
    // (to be swept later) two keys whose people never made it, one old and
    // one young (maybe still in flight on another node).
    ks(server, `INSERT INTO data_keys (subject_id, wrapped, created_at) VALUES (${next}, randomblob(72), ${old});
      INSERT INTO data_keys (subject_id, wrapped, created_at) VALUES (${next + 100000}, randomblob(72), ${old});
      INSERT INTO data_keys (subject_id, wrapped, created_at) VALUES (${next + 100001}, randomblob(72), strftime('%s','now'));`);
    const { res, name } = await createPerson(coordinator, 'After A Crash');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.id, next);
    const got = await coordinator.get(`/api/v1/participants/${next}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.name, name);

    // The next start sweeps the old orphan and keeps the young one and
    // everyone's keys.
    const keysBefore = Number(ks(server, 'SELECT count(*) FROM data_keys;'));
    server = await restart(server);
    assert.equal(ks(server, `SELECT count(*) FROM data_keys WHERE subject_id = ${next + 100000};`), '0', server.stderr());
    assert.equal(ks(server, `SELECT count(*) FROM data_keys WHERE subject_id = ${next + 100001};`), '1');
    assert.equal(Number(ks(server, 'SELECT count(*) FROM data_keys;')), keysBefore - 1);
    assert.ok(logLines(server).some((l) => /removed 1 orphan data key/.test(l.msg)), server.stderr());
    coordinator = await loginAs(server.url, COORDINATOR);
    const again = await coordinator.get(`/api/v1/participants/${next}`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.name, name);
  });
});

describe('key rotation', () => {
  let server;
  let coordinator;
  before(async () => {
    server = await serve();
    coordinator = await loginAs(server.url, COORDINATOR);
  });

  test('rotate killed midway, finished, old key destroyed: everything readable, audit verifies', async () => {
    const { res, name } = await createPerson(coordinator, 'Rotated Person');
    assert.equal(res.status, 201, res.text);
    const id = res.json.id;
    assert.equal((await createPerson(coordinator, 'Rotated Later')).res.status, 201);
    const oldKeyFile = fs.readFileSync(server.keyFile, 'utf8');
    assert.match(oldKeyFile, /^hearth-key-v1 /);
    const total = Number(ks(server, 'SELECT count(*) FROM data_keys;'));
    // Re-wrapping goes in subject order: stop right after this person's key.
    const rank = Number(ks(server, `SELECT count(*) FROM data_keys WHERE subject_id <= ${id};`));
    assert.ok(total > rank, 'someone after the person is left for the second run');

    // 1. Killed after `rank` re-wraps.
    const killed = cli(server, ['keys', 'rotate'], { HEARTH_TEST_ROTATE_CRASH_AFTER: String(rank) });
    assert.equal(killed.signal, 'SIGABRT', `${killed.code} ${killed.stdout} ${killed.stderr}`);
    const mid = fs.readFileSync(server.keyFile, 'utf8');
    assert.match(mid, /^hearth-key-v2\nmaster 2 [0-9a-f]{64}\nmaster 1 [0-9a-f]{64}\n/);
    assert.equal(fs.statSync(server.keyFile).mode & 0o777, 0o600);
    assert.equal(ks(server, 'SELECT count(*) FROM data_keys WHERE length(wrapped) = 77;'), String(rank));
    assert.equal(ks(server, `SELECT length(wrapped) FROM data_keys WHERE subject_id = ${id};`), '77');

    // 2. The server that started on the old key file keeps working: it
    // opens a key re-wrapped under key 2, and writes (under key 1).
    let got = await coordinator.get(`/api/v1/participants/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.name, name);
    const during = await createPerson(coordinator, 'During Rotation');
    assert.equal(during.res.status, 201, during.res.text);
    assert.equal(ks(server, `SELECT length(wrapped) FROM data_keys WHERE subject_id = ${during.res.json.id};`), '72');

    // 3. Run again: the same rotation is finished (no key 3), every key
    // under key 2, the chain verifies (entries of key 1 after key 2's).
    const finished = cli(server, ['keys', 'rotate']);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout, /Finished the rotation to master key 2/);
    assert.doesNotMatch(fs.readFileSync(server.keyFile, 'utf8'), /master 3/);
    assert.equal(ks(server, 'SELECT count(*) FROM data_keys WHERE length(wrapped) <> 77;'), '0');
    assert.equal(dbQuery(server, "SELECT key_id FROM audit_log WHERE action = 'keys.rotate' ORDER BY id;").trim(), '2');
    assert.equal((await coordinator.get(`/api/v1/participants/${during.res.json.id}`)).status, 200);
    const verify1 = cli(server, ['audit', 'verify']);
    assert.equal(verify1.code, 0, verify1.stdout + verify1.stderr);

    // 4. Nodes restart on the new key file; then the old key is destroyed.
    server = await restart(server);
    coordinator = await loginAs(server.url, COORDINATOR);
    const afterRestart = await createPerson(coordinator, 'After Restart');
    assert.equal(afterRestart.res.status, 201, afterRestart.res.text);
    assert.equal(ks(server, `SELECT length(wrapped) FROM data_keys WHERE subject_id = ${afterRestart.res.json.id};`), '77');
    const destroyed = cli(server, ['keys', 'destroy-old']);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    const now = fs.readFileSync(server.keyFile, 'utf8');
    assert.doesNotMatch(now, /^master 1 /m);
    assert.match(now, /^audit 1 [0-9a-f]{64} \d+$/m);
    const oldHex = oldKeyFile.trim().split(' ')[1];
    assert.ok(!now.includes(oldHex), 'the old master key is gone from the key file');
    // Destroying again: nothing to do.
    assert.match(cli(server, ['keys', 'destroy-old']).stdout, /nothing to destroy/);

    got = await coordinator.get(`/api/v1/participants/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.name, name);
    const verify2 = cli(server, ['audit', 'verify']);
    assert.equal(verify2.code, 0, verify2.stdout + verify2.stderr);

    // 5. A copy of the old key file is worth nothing now: it opens no data
    // key and cannot vouch for the chain's new entries.
    const oldCopy = path.join(tempDir(), 'old.key');
    fs.writeFileSync(oldCopy, oldKeyFile, { mode: 0o600 });
    const withOld = runCli(['audit', 'verify', '--db', server.db, '--key-file', oldCopy,
      '--key-store', keyStore(server)]);
    assert.equal(withOld.code, 1);
    assert.match(withOld.stdout, /BROKEN/);
    assert.equal(ks(server, 'SELECT count(*) FROM data_keys WHERE length(wrapped) = 72;'), '0');
  });

  test('keys needs a subcommand; unknown ones are refused', () => {
    assert.equal(runCli(['keys']).code, 2);
    assert.equal(runCli(['keys', 'spin', '--db', server.db, '--key-file', server.keyFile]).code, 2);
    assert.match(runCliOk(['--help']).stdout, /keys rotate/);
  });
});
