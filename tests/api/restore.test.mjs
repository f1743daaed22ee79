// Restoring a backup taken before an erasure (issue 9, finding 6): the key
// store's erasure record wins. At start, `hearth serve` finishes the erasure
// of everyone whose data key is gone but who is not erased in the restored
// database: their old password no longer logs in, their old sessions are
// gone, their places no longer count (and are offered on), and they read as
// erased. Everyone else is untouched. A key store that cannot be this
// deployment's (no key this key file opens) erases nobody: the server
// refuses to start.
//
// Here restoring is putting the backup in place of the database by hand
// (SQLite: the `hearth backup` file copied over the database file;
// PostgreSQL: a pg_dump taken while serving, loaded into a database the
// server is then started on). `hearth restore` (restore_ops.test.mjs)
// finishes the same erasures before it puts a backup in place.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, createPgDatabase, dbQuery, isPg, loginAs, logLines, runCliOk, startServer, tempDir, unique,
} from './harness.mjs';

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');

let server; // the original; replaced by the restored one
const extra = []; // other servers, stopped in after()

before(async () => {
  server = await startServer();
});

after(async () => {
  const results = await Promise.allSettled([server?.stop(), ...extra.map((s) => s.stop())]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A backup taken while serving: `hearth backup` (SQLite) or pg_dump. */
function backup(srv) {
  const out = path.join(tempDir(), isPg(srv) ? 'before.sql' : 'before.db');
  if (isPg(srv)) run('pg_dump', ['--no-owner', '--no-privileges', '-f', out, srv.db]);
  else runCliOk(['backup', '--db', srv.db, '--key-file', srv.keyFile, out]);
  return out;
}

/** Puts the backup in place of the stopped server's database; returns the db. */
function restore(srv, file) {
  if (isPg(srv)) {
    const url = createPgDatabase();
    run('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file]);
    return url;
  }
  for (const ext of ['-wal', '-shm']) fs.rmSync(srv.db + ext, { force: true });
  fs.copyFileSync(file, srv.db);
  return srv.db;
}

async function programme(staff, org, capacity) {
  const start = Date.now() + 7 * DAY;
  const v = await staff.post('/api/v1/venues', {
    organisation_id: org, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [],
  });
  assert.equal(v.status, 201, v.text);
  const res = await staff.post('/api/v1/programmes', {
    organisation_id: org, title: unique('Restore programme'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity, therapeutic: false, timezone: 'Europe/London',
    start_date: new Date(start).toISOString().slice(0, 10), start_time: '17:30', duration_minutes: 90,
    rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=4`, venue_id: v.json.id,
  });
  assert.equal(res.status, 201, res.text);
  assert.equal((await staff.post(`/api/v1/programmes/${res.json.id}/publish`)).status, 200);
  return res.json.id;
}

describe('a backup from before an erasure, restored', () => {
  const password = 'the erased person\'s old password';
  const email = `${unique('restored')}@example.org`;
  let staff;
  let victim; // erased after the backup; has a login and a place
  let waiting; // on the waitlist behind the victim
  let keeper; // never erased
  let prog;
  let oldSession; // the victim's session, taken before the backup
  let userId; // the victim's login
  let backupFile;

  before(async () => {
    staff = await loginAs(server.url, COORDINATOR);
    const orgs = await staff.get('/api/v1/organisations');
    const org = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
    const create = async (name, mail) => {
      const res = await staff.post('/api/v1/participants', {
        name, email: mail, organisation_ids: [org], consents: [{ purpose: 'participation', granted: true }],
      });
      assert.equal(res.status, 201, res.text);
      return res.json.id;
    };
    victim = await create(unique('Victim'), email);
    waiting = await create(unique('Waiting'), `${unique('w')}@example.org`);
    keeper = await create(unique('Keeper'), `${unique('k')}@example.org`);
    const code = await staff.post(`/api/v1/participants/${victim}/account-code`);
    assert.equal(code.status, 201, code.text);
    const claim = await new Client(server.url).post('/api/v1/register/claim', { code: code.json.code, password });
    assert.equal(claim.status, 201, claim.text);
    userId = claim.json.user_id;
    oldSession = await loginAs(server.url, { email, password });
    prog = await programme(staff, org, 1);
    for (const [who, status] of [[victim, 'enrolled'], [waiting, 'waitlisted']]) {
      const e = await staff.post(`/api/v1/programmes/${prog}/enrolments`, { participant_id: who });
      assert.equal(e.status, 201, e.text);
      assert.equal(e.json.status, status);
    }
    backupFile = backup(server);
    assert.equal((await staff.delete(`/api/v1/participants/${victim}`)).status, 204);
  });

  test('at start the erasure is finished: old password 401, old session gone, place released, person erased', async () => {
    await server.stop();
    const db = restore(server, backupFile);
    // The backup really has the person alive, with their login and place.
    assert.equal(dbQuery(db, `SELECT status FROM participants WHERE id = ${victim}`).trim(), 'active');
    assert.equal(dbQuery(db, `SELECT status FROM enrolments WHERE programme_id = ${prog} AND participant_id = ${victim}`).trim(), 'enrolled');
    server = await startServer({ dir: server.dir, dbUrl: db, keyFile: server.keyFile });

    assert.equal((await new Client(server.url).login(email, password)).status, 401, 'the old password no longer logs in');
    const again = new Client(server.url);
    again.cookie = oldSession.cookie;
    again.csrf = oldSession.csrf;
    assert.equal((await again.get('/api/v1/me/profile')).status, 401, 'the old session is gone');

    staff = await loginAs(server.url, COORDINATOR);
    assert.equal((await staff.get(`/api/v1/participants/${victim}`)).status, 410);
    const p = await staff.get(`/api/v1/programmes/${prog}`);
    assert.equal(p.status, 200, p.text);
    assert.deepEqual([p.json.enrolled, p.json.offered, p.json.waitlisted], [0, 1, 0], 'the place no longer counts and went to the next');
    const rows = dbQuery(server, `SELECT participant_id, status FROM enrolments WHERE programme_id = ${prog} ORDER BY id`).trim();
    assert.equal(rows, `${victim}|cancelled\n${waiting}|offered`);
    assert.equal(dbQuery(server, `SELECT count(*) FROM sessions WHERE user_id = ${userId}`).trim(), '0');
    assert.equal(dbQuery(server, `SELECT email, CASE WHEN password_hash IS NULL THEN 1 ELSE 0 END, disabled FROM users WHERE id = ${userId}`).trim(),
      `erased-user-${userId}@invalid|1|1`, 'the login is anonymised and disabled');

    // Nobody else was touched.
    const kept = await staff.get(`/api/v1/participants/${keeper}`);
    assert.equal(kept.status, 200, kept.text);
    assert.equal((await staff.get('/api/v1/participants/1')).json.name, 'Sam Rivera');
    assert.equal(dbQuery(server, `SELECT count(*) FROM participants WHERE status = 'erased'`).trim(), '1');
    assert.ok(logLines(server).some((l) => /finished 1 erasure/.test(JSON.stringify(l))), 'the start-up says what it did');

    // A second start finds nothing more to do.
    const audit = () => Number(dbQuery(server, `SELECT count(*) FROM audit_log WHERE action = 'participant.erase'`).trim());
    const erasures = audit();
    await server.stop();
    server = await startServer({ dir: server.dir, dbUrl: server.db, keyFile: server.keyFile });
    assert.equal(audit(), erasures);
    assert.ok(!logLines(server).some((l) => /erasure\(s\) recorded/.test(JSON.stringify(l))));
  });
});

describe('a key store that is not this deployment\'s erases nobody', () => {
  test('serve with an empty key store refuses to start and leaves everyone as they were', async () => {
    const erased = () => dbQuery(server, `SELECT count(*) FROM participants WHERE status = 'erased'`).trim();
    const before = erased();
    await server.stop();
    const emptyStore = path.join(tempDir(), 'empty.keystore.db');
    let started;
    const err = await startServer({
      dir: server.dir, dbUrl: server.db, keyFile: server.keyFile, args: ['--key-store', emptyStore],
    }).then((s) => { started = s; return null; }, (e) => e);
    if (started) extra.push(started);
    assert.ok(err, 'the server started on an empty key store');
    assert.match(err.message, /is --key-store right\? Nobody was erased/);
    assert.equal(erased(), before);
    server = await startServer({ dir: server.dir, dbUrl: server.db, keyFile: server.keyFile });
  });
});
