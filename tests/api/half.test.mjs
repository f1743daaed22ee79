// Never half a record: enrolment, self-registration and erasure with a
// database error injected at each of their writes and at their commit
// (src/db/db.c: HEARTH_TEST_FAULT_STEP="SQL-FRAGMENT@N" fails the N-th step of
// statements containing the fragment; HEARTH_TEST_FAULT_COMMIT="SQL-FRAGMENT@N"
// fails the N-th commit of a transaction that ran such a statement).
//
// Enrolment and registration: the answer is a 500 problem, every table they
// write (and, for registration, the key store) is exactly as before, and the
// same request then succeeds. Erasure destroys the person's key first, which
// cannot be undone; "never half" there means the person ends either whole
// (readable, logging in: a fault before the key is gone) or wholly erased
// (key, profile, account, sessions, codes and places gone, audited once),
// never keyless with a working login. A failed wipe after the key is gone
// is tried again at once (people_erase).
//
// One database for the file (init + demo, so the key store exists); each
// fault gets a server of its own on it, started with the fault in its
// environment, so the step count starts from the server's own start.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, ROOT_ADMIN, assertProblem, createPgDatabase, dbQuery, loginAllRoles, loginAs,
  logLines, runCliOk, sqlite, startServer, tempDir, unique,
} from './harness.mjs';

let base; // { dir, db, keyFile }
const ORG = {};
let programmeId;
const enrolees = []; // participant ids with consent to participation, enrolled nowhere
const erasable = []; // { id, email, password, userId } with a login, a place, a code, a request
let running;

const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);

let addrCounter = 0;
function freshAddress() {
  addrCounter += 1;
  return `127.${90 + (addrCounter >> 16)}.${(addrCounter >> 8) & 255}.${addrCounter & 255 || 1}`;
}

async function serve(env = {}) {
  await stop(); // one server at a time, even after a failed test
  running = await startServer({
    dir: base.dir, dbUrl: base.db, keyFile: base.keyFile, env: { HEARTH_REGISTER_MIN_SECONDS: '0', ...env },
  });
  return running;
}

async function stop() {
  const s = running;
  running = undefined;
  if (s) await s.stop();
}

after(async () => {
  await stop();
});

function keyStore() {
  return process.env.HEARTH_KEY_STORE || path.join(path.dirname(base.keyFile), 'hearth.keystore.db');
}

/** Every row of each table, as text, in a stable order. */
function rows(tables) {
  const out = {};
  for (const t of tables) out[t] = dbQuery(base.db, `SELECT * FROM ${t} ORDER BY 1;`);
  return out;
}
function keys() {
  return sqlite(keyStore(), 'SELECT subject_id, hex(wrapped), created_at FROM data_keys ORDER BY 1;');
}
function count(sql) {
  return Number(dbQuery(base.db, sql).trim());
}

before(async () => {
  const dir = tempDir();
  const keyFile = path.join(dir, 'h.key');
  const db = process.env.HEARTH_TEST_PG_URL ? createPgDatabase() : path.join(dir, 'h.db');
  runCliOk(['init', '--default-country', 'GB', '--db', db, '--key-file', keyFile, '--admin-email', ROOT_ADMIN.email, '--password-stdin'],
    { input: `${ROOT_ADMIN.password}\n` });
  runCliOk(['demo', '--db', db, '--key-file', keyFile]);
  base = { dir, db, keyFile };

  // The people and the programme the faults act on, made with no fault.
  const s = await serve();
  const as = await loginAllRoles(s.url);
  for (const o of (await as.admin.get('/api/v1/organisations')).json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  const start = Date.now() + 7 * DAY;
  const venue = await as.coordinator.post('/api/v1/venues', {
    organisation_id: ORG.riverside, name: unique('Room'), address: '1 Test Street', capacity: 60, features: [],
  });
  assert.equal(venue.status, 201, venue.text);
  const p = await as.coordinator.post('/api/v1/programmes', {
    organisation_id: ORG.riverside, title: unique('Programme'), art_form: 'painting', languages: ['en'],
    format: 'in_person', capacity: 40, therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start),
    start_time: '17:30', duration_minutes: 90, venue_id: venue.json.id,
    rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=4`,
  });
  assert.equal(p.status, 201, p.text);
  programmeId = p.json.id;
  assert.equal((await as.coordinator.post(`/api/v1/programmes/${programmeId}/publish`)).status, 200);

  async function person() {
    const email = `${unique('half')}@example.org`.toLowerCase();
    const res = await as.coordinator.post('/api/v1/participants', {
      name: unique('Half Person'), email, organisation_ids: [ORG.riverside],
      consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
    });
    assert.equal(res.status, 201, res.text);
    return { id: res.json.id, email };
  }
  for (let i = 0; i < 6; i++) enrolees.push((await person()).id);
  for (let i = 0; i < 13; i++) {
    const { id, email } = await person();
    const code = await as.coordinator.post(`/api/v1/participants/${id}/account-code`);
    assert.equal(code.status, 201, code.text);
    const password = `pw-${unique('half')}`;
    const claim = await new Client(s.url, { localAddress: freshAddress() })
      .post('/api/v1/register/claim', { code: code.json.code, password });
    assert.equal(claim.status, 201, claim.text);
    const me = await loginAs(s.url, { email, password });
    assert.equal((await me.post('/api/v1/me/erasure-request')).status < 300, true);
    // A place in a programme still to come.
    const enrol = await as.coordinator.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: id });
    assert.equal(enrol.status, 201, enrol.text);
    erasable.push({ id, email, password, userId: claim.json.user_id });
  }
  await stop();
});

/**
 * Starts a server with the fault (one of { step }, { commit } or { audit })
 * and, unless login is false, logs every role in. The audit fault's N counts the entries the
 * server's start and the logins write: the same start and logins on a
 * server without a fault tell how many.
 */
async function withFault(fault, { login = true } = {}) {
  let n = 1;
  if (fault.audit) {
    const before = count('SELECT COUNT(*) FROM audit_log;');
    const probe = await serve();
    if (login) await loginAllRoles(probe.url);
    n = count('SELECT COUNT(*) FROM audit_log;') - before + 1;
    await stop();
  }
  const env = fault.commit
    ? { HEARTH_TEST_FAULT_COMMIT: `${fault.commit}@1` }
    : { HEARTH_TEST_FAULT_STEP: fault.audit ? `INSERT INTO audit_log (id@${n}` : `${fault.step}@1` };
  const server = await serve(env);
  const as = login ? await loginAllRoles(server.url) : undefined;
  return { server, as };
}

const AUDIT = { audit: true, name: 'the audit entry' };

// --- enrolment ---

const ENROL_TABLES = ['enrolments', 'programmes', 'audit_log'];
const ENROL_FAULTS = [
  { step: 'UPDATE programmes SET updated_at = updated_at WHERE id = ?1', name: 'the programme lock' },
  { step: "UPDATE enrolments SET status = 'cancelled', cancel_reason = 'offer_expired'", name: 'expiring offers' },
  { step: 'INSERT INTO enrolments (programme_id', name: 'the enrolment row' },
  AUDIT,
  { commit: 'INSERT INTO enrolments (programme_id', name: 'the commit' },
];

describe('enrolment: a fault at each write leaves no half place', () => {
  ENROL_FAULTS.forEach((fault, i) => {
    test(`fault at ${fault.name}: 500, nothing written, then the same request succeeds`, async () => {
      const { as } = await withFault(fault);
      try {
        const person = enrolees[i];
        const before = rows(ENROL_TABLES);
        const res = await as.coordinator.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: person });
        assertProblem(res, 500);
        assert.deepEqual(rows(ENROL_TABLES), before, 'the database is as before');
        const again = await as.coordinator.post(`/api/v1/programmes/${programmeId}/enrolments`, { participant_id: person });
        assert.equal(again.status, 201, again.text);
        assert.equal(count(`SELECT COUNT(*) FROM enrolments WHERE participant_id = ${person};`), 1);
      } finally {
        await stop();
      }
    });
  });
});

// --- self-registration ---

const REG_TABLES = ['participants', 'participant_orgs', 'consents', 'account_codes', 'account_links', 'audit_log'];
// Messages are counted, not compared: the sender updates earlier ones meanwhile.
const INVITES = "SELECT COUNT(*) FROM messages WHERE kind = 'account_invite';";
const THROTTLE_FAULT = 'INSERT INTO login_throttle (key';
const REG_FAULTS = [
  { step: THROTTLE_FAULT, name: 'the registration limit' },
  { step: 'INSERT INTO participants (status', name: 'the person' },
  { step: 'INSERT INTO data_keys (subject_id', name: 'the data key (key store)' },
  { step: 'UPDATE participants SET profile = ? WHERE id = ?', name: 'the sealed profile' },
  { step: 'INSERT INTO participant_orgs (participant_id', name: 'the organisation' },
  { step: 'INSERT INTO consents (participant_id', name: 'the first consent' },
  { step: 'INSERT INTO account_links (user_id', name: 'the invitation link' },
  { step: 'INSERT INTO messages (organisation_id', name: 'the invitation message' },
  AUDIT,
  { commit: 'INSERT INTO participants (status', name: 'the commit' },
];

describe('self-registration: a fault at each write leaves no half person and no orphan key', () => {
  for (const fault of REG_FAULTS) {
    test(`fault at ${fault.name}: 500, database and key store as before, then the same request succeeds`, async () => {
      // Registration needs no login (and logins step login_throttle).
      const { server } = await withFault(fault, { login: false });
      try {
        const address = freshAddress();
        const client = new Client(server.url, { localAddress: address });
        const email = `${unique('selfreg')}@example.org`.toLowerCase();
        const body = async () => ({
          form_token: (await client.get('/api/v1/register/form')).json.form_token,
          organisation_id: ORG.riverside,
          name: unique('Self Registered'),
          email,
          consents: [{ purpose: 'participation', granted: true }, { purpose: 'contact', granted: true }],
        });
        const first = await body();
        const before = rows(REG_TABLES);
        const keysBefore = keys();
        const attemptsBefore = count('SELECT COUNT(*) FROM login_throttle;');
        const invitesBefore = count(INVITES);
        const res = await client.post('/api/v1/register', first);
        assertProblem(res, 500);
        assert.deepEqual(rows(REG_TABLES), before, 'the database is as before');
        assert.equal(count(INVITES), invitesBefore, 'no invitation written');
        // The attempt itself counts (committed on its own before the email
        // is looked at), unless the fault was in counting it.
        assert.equal(count('SELECT COUNT(*) FROM login_throttle;'), attemptsBefore + (fault.step === THROTTLE_FAULT ? 0 : 1),
          'the attempt is counted once');
        assert.equal(keys(), keysBefore, 'no key left behind in the key store');
        const again = await client.post('/api/v1/register', { ...(await body()), name: first.name });
        assert.equal(again.status, 202, again.text);
        assert.deepEqual(again.json, { status: 'check_email' });
        const id = count('SELECT MAX(id) FROM participants;');
        assert.equal(count(`SELECT COUNT(*) FROM consents WHERE participant_id = ${id};`), 2);
        assert.equal(count(`SELECT COUNT(*) FROM account_links WHERE participant_id = ${id} AND purpose = 'invite';`), 1);
        assert.equal(count(`SELECT COUNT(*) FROM messages WHERE participant_id = ${id} AND kind = 'account_invite';`), 1);
        assert.match(keys(), new RegExp(`^${id}\\|`, 'm'), 'the new person has a key');
      } finally {
        await stop();
      }
    });
  }
});

// --- erasure ---

/** The person still whole: readable, their login works. */
async function assertWhole(server, as, p) {
  const read = await as.coordinator.get(`/api/v1/participants/${p.id}`);
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.email, p.email);
  assert.match(keys(), new RegExp(`^${p.id}\\|`, 'm'), 'the key is still there');
  const login = await new Client(server.url).login(p.email, p.password);
  assert.equal(login.status, 200, login.text);
}

/** The person wholly erased: no key, no profile, no login, no session, no
 * code, no place, the request approved, one audit entry. */
async function assertErased(server, as, p) {
  assertProblem(await as.coordinator.get(`/api/v1/participants/${p.id}`), 410);
  assert.doesNotMatch(keys(), new RegExp(`^${p.id}\\|`, 'm'), 'the key is gone');
  assert.equal(count(`SELECT COUNT(*) FROM participants WHERE id = ${p.id} AND status = 'erased' AND profile IS NULL AND user_id IS NULL;`), 1);
  assert.equal(count(`SELECT COUNT(*) FROM users WHERE id = ${p.userId} AND password_hash IS NULL;`), 1);
  assert.equal(count(`SELECT COUNT(*) FROM sessions WHERE user_id = ${p.userId};`), 0);
  assert.equal(count(`SELECT COUNT(*) FROM memberships WHERE user_id = ${p.userId};`), 0);
  assert.equal(count(`SELECT COUNT(*) FROM account_codes WHERE participant_id = ${p.id};`), 0);
  assert.equal(count(`SELECT COUNT(*) FROM erasure_requests WHERE participant_id = ${p.id} AND status = 'pending';`), 0);
  assert.equal(count(`SELECT COUNT(*) FROM enrolments WHERE participant_id = ${p.id} AND status <> 'cancelled';`), 0);
  assert.equal(count(`SELECT COUNT(*) FROM audit_log WHERE action = 'participant.erase' AND resource = 'participant:${p.id}';`), 1);
  // From an address of its own: each erasure test's refused login would
  // otherwise count against 127.0.0.1, and a dozen of them slow down the
  // next test's staff logins (the per-address throttle).
  const login = await new Client(server.url, { localAddress: freshAddress() }).login(p.email, p.password);
  assert.equal(login.status, 401, login.text);
}

const ERASE_FAULTS = [
  { step: "UPDATE participants SET status = 'erased'", name: 'the tombstone' },
  { step: 'UPDATE consents SET guardian_name = NULL', name: 'the guardian names' },
  { step: 'DELETE FROM account_codes WHERE participant_id', name: 'the account codes' },
  { step: 'DELETE FROM account_links WHERE participant_id', name: 'the account links' },
  { step: "UPDATE users SET email = ?, display_name = 'Erased person'", name: 'the account' },
  { step: 'DELETE FROM memberships WHERE user_id', name: 'the memberships' },
  { step: 'DELETE FROM sessions WHERE user_id = ?', name: 'the sessions' },
  { step: "UPDATE erasure_requests SET status = 'approved'", name: 'the erasure request' },
  { step: "UPDATE enrolments SET status = 'cancelled', cancel_reason = ?2", name: 'the place released' },
  AUDIT,
  { commit: "UPDATE participants SET status = 'erased'", name: 'the commit' },
];

describe('erasure: whole or wholly erased, never keyless with a working login', () => {
  test('a fault destroying the key: 500, the person whole and readable, then erased by the same request', async () => {
    const p = erasable[ERASE_FAULTS.length];
    const { server, as } = await withFault({ step: 'DELETE FROM data_keys WHERE subject_id' });
    try {
      const tables = ['participants', 'users', 'account_codes', 'enrolments', 'erasure_requests', 'audit_log'];
      const before = rows(tables);
      assertProblem(await as.coordinator.delete(`/api/v1/participants/${p.id}`), 500);
      assert.deepEqual(rows(tables), before, 'the database is as before');
      await assertWhole(server, as, p);
      assert.equal((await as.coordinator.delete(`/api/v1/participants/${p.id}`)).status, 204);
      await assertErased(server, as, p);
    } finally {
      await stop();
    }
  });

  ERASE_FAULTS.forEach((fault, i) => {
    test(`a fault at ${fault.name}, after the key is gone: the wipe is tried again and the person wholly erased`, async () => {
      const p = erasable[i];
      const { server, as } = await withFault(fault);
      try {
        const res = await as.coordinator.delete(`/api/v1/participants/${p.id}`);
        assert.equal(res.status, 204, res.text);
        await assertErased(server, as, p);
        assert.ok(logLines(server).some((l) => /erasure: wiping the rows failed/.test(JSON.stringify(l))), 'the fault was hit');
        // The server keeps serving: the next person is erased at once.
        const next = erasable[erasable.length - 1 - i];
        if (next && next !== p && i === 0) {
          assert.equal((await as.coordinator.delete(`/api/v1/participants/${next.id}`)).status, 204);
          await assertErased(server, as, next);
        }
      } finally {
        await stop();
      }
    });
  });
});
