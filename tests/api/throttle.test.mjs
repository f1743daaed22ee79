// Login throttling: slowing down, locking an account, locking a client
// address, and giving the same answers for emails that have no account.
// Each scenario logs in from its own 127.0.0.x address, because the server
// also throttles by client address. A burst of concurrent guesses must not
// get more password checks than the lock allows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, ROOT_ADMIN, assertProblem, runCliOk, sleep, startServer,
} from './harness.mjs';

const WRONG = 'definitely-not-the-password';

let acct; // slow after 2, lock after 4
let addr; // address lock after 3, lock for 3 s
let burst; // lock after 4, no slow-down

before(async () => {
  [acct, addr, burst] = await Promise.all([
    startServer({
      demo: false,
      env: { HEARTH_LOGIN_SLOW_AFTER: '2', HEARTH_LOGIN_LOCK_AFTER: '4', HEARTH_LOGIN_ADDR_LOCK_AFTER: '1000' },
    }),
    startServer({
      demo: false,
      env: { HEARTH_LOGIN_SLOW_AFTER: '1000', HEARTH_LOGIN_LOCK_AFTER: '1000', HEARTH_LOGIN_ADDR_LOCK_AFTER: '3', HEARTH_LOGIN_LOCK_SECONDS: '3' },
    }),
    startServer({
      demo: false,
      env: { HEARTH_LOGIN_SLOW_AFTER: '100', HEARTH_LOGIN_LOCK_AFTER: '4', HEARTH_LOGIN_ADDR_SLOW_AFTER: '1000', HEARTH_LOGIN_ADDR_LOCK_AFTER: '1000' },
    }),
  ]);
});

after(async () => {
  await Promise.all([acct?.stop(), addr?.stop(), burst?.stop()]);
});

/** Sleeps until just after the next whole second. The server counts in whole
 * seconds from the start of a failed attempt, so a failure and the attempt
 * right after it must fall in the same second for the 1 s backoff to show. */
async function alignToSecond() {
  await sleep(1000 - (Date.now() % 1000) + 15);
}

function summarise(res) {
  return {
    status: res.status,
    retryAfter: res.json?.retry_after,
    header: res.headers.get('retry-after'),
    keys: Object.keys(res.json ?? {}).sort(),
    detail: res.json?.detail?.replace(/\d+/g, 'N'),
  };
}

/**
 * The throttle sequence for one email from one address:
 *   fail, fail, immediate (slowed: 429), wait, fail, immediate (429), wait,
 *   fail (4th: locks), wrong again (429 ~900 s), correct password (429).
 * Returns {steps, blurred}: blurred when a login took so long (an overloaded
 * machine) that an "immediate" attempt was sent after the backoff had
 * already run out; the sequence stops there and the caller retries.
 */
async function lockoutSequence(client, email, password) {
  const steps = [];
  const attempt = async (label, pw) => {
    const t0 = Date.now();
    const res = await client.login(email, pw);
    steps.push({ label, ...summarise(res), sentAt: t0, tookMs: Date.now() - t0 });
    return res;
  };
  const second = (i) => Math.floor(steps[i].sentAt / 1000);
  const waitOut = async (res) => {
    const s = res.json?.retry_after;
    assert.ok(Number.isInteger(s) && s >= 1 && s <= 5, `${email}: expected a short backoff, got ${res.status} ${res.text}`);
    await sleep(s * 1000 + 30);
  };
  await attempt('1st wrong password', WRONG);
  await alignToSecond();
  await attempt('2nd wrong password', WRONG);
  const slowed1 = await attempt('3rd attempt, immediately', WRONG);
  if (slowed1.status !== 429 && second(2) > second(1)) return { steps, blurred: true };
  await waitOut(slowed1);
  await attempt('3rd wrong password, after waiting', WRONG);
  const slowed2 = await attempt('4th attempt, immediately', WRONG);
  if (slowed2.status !== 429 && second(4) > second(3) + 1) return { steps, blurred: true };
  await waitOut(slowed2);
  await attempt('4th wrong password, after waiting (locks)', WRONG);
  await attempt('locked: wrong password', WRONG);
  await attempt('locked: correct password', password);
  return { steps, blurred: false };
}

describe('account lockout (HEARTH_LOGIN_SLOW_AFTER=2, HEARTH_LOGIN_LOCK_AFTER=4)', () => {
  let real;
  let ghost;
  let lockedEmail;

  test('an existing account: 401, 401, 429 (slowed), 401 after waiting, ..., then locked for ~900 s even with the right password', async () => {
    // The account and an email with no account run side by side, each from
    // its own address. On a machine too slow to keep the 1 s backoff
    // observable, retry with fresh identities (a new account made with
    // `hearth user add`).
    let account = ROOT_ADMIN;
    const tries = [];
    for (let n = 0; n < 3; n++) {
      if (n > 0) {
        account = { email: `lockout-${n}@example.org`, password: `lockout-password-${n}` };
        runCliOk(['user', 'add', '--email', account.email, '--role', 'coordinator', '--password-stdin',
          '--db', acct.db, '--key-file', acct.keyFile], { input: `${account.password}\n` });
      }
      const [r, g] = await Promise.all([
        lockoutSequence(new Client(acct.url, { localAddress: `127.0.0.${31 + 2 * n}` }), account.email, account.password),
        lockoutSequence(new Client(acct.url, { localAddress: `127.0.0.${32 + 2 * n}` }), `no-such-person-${n}@example.org`, account.password),
      ]);
      tries.push({ real: r, ghost: g });
      if (!r.blurred && !g.blurred) break;
    }
    const last = tries.at(-1);
    assert.ok(!last.real.blurred && !last.ghost.blurred,
      `logins were too slow to observe a 1 s backoff in ${tries.length} tries: ${JSON.stringify(tries, null, 1)}`);
    [real, ghost, lockedEmail] = [last.real.steps, last.ghost.steps, account.email];
    const show = JSON.stringify(real, null, 1);
    assert.deepEqual(real.map((s) => s.status), [401, 401, 429, 401, 429, 401, 429, 429], show);
    for (const s of real.filter((x) => x.status === 429)) {
      assert.ok(Number.isInteger(s.retryAfter), `${s.label}: retry_after in the body (${show})`);
      assert.equal(s.header, String(s.retryAfter), `${s.label}: Retry-After header equals retry_after`);
    }
    assert.ok(real[2].retryAfter >= 1 && real[2].retryAfter <= 2, `first backoff is 1-2 s: ${show}`);
    assert.ok(real[4].retryAfter >= 1 && real[4].retryAfter <= 2, `second backoff is 1-2 s: ${show}`);
    assert.ok(real[6].retryAfter >= 890 && real[6].retryAfter <= 900, `locked for ~900 s: ${show}`);
    assert.ok(real[7].retryAfter >= 890 && real[7].retryAfter <= 900, `the correct password is refused while locked: ${show}`);
  });

  test('an email with no account gets exactly the same answers (no enumeration)', () => {
    assert.ok(real && ghost, 'the previous test ran');
    const strip = (steps) => steps.map(({ label, status, keys, detail }) => ({ label, status, keys, detail }));
    assert.deepEqual(strip(ghost), strip(real));
    // The two sequences run side by side but not in lock-step, so compare
    // the kind of wait (a short backoff or the ~900 s lock), not the second.
    const kind = (s) => (s.status !== 429 ? null : s.retryAfter >= 1 && s.retryAfter <= 2 ? 'backoff' : s.retryAfter >= 890 && s.retryAfter <= 900 ? 'lock' : `odd ${s.retryAfter}`);
    assert.deepEqual(ghost.map(kind), real.map(kind), JSON.stringify({ real, ghost }, null, 1));
    for (const s of ghost.filter((x) => x.status === 429)) assert.equal(s.header, String(s.retryAfter), `${s.label}: Retry-After header`);
  });

  test('the lock is on the account: the right password from another address is refused too', async () => {
    assert.ok(lockedEmail, 'the first test ran');
    const password = lockedEmail === ROOT_ADMIN.email ? ROOT_ADMIN.password : `lockout-password-${lockedEmail.match(/\d+/)[0]}`;
    const res = await new Client(acct.url, { localAddress: '127.0.0.39' }).login(lockedEmail, password);
    assertProblem(res, 429);
    assert.ok(res.json.retry_after >= 880, res.text);
  });
});

describe('address lock (HEARTH_LOGIN_ADDR_LOCK_AFTER=3, HEARTH_LOGIN_LOCK_SECONDS=3)', () => {
  test('failures across different emails from one address lock that address, not the accounts; the lock expires', async () => {
    const from = new Client(addr.url, { localAddress: '127.0.0.41' });
    const emails = ['someone-1@example.org', 'someone-2@example.org', ROOT_ADMIN.email];
    for (const e of emails) assertProblem(await from.login(e, WRONG), 401, { context: e });
    const locked = await from.login(ROOT_ADMIN.email, ROOT_ADMIN.password);
    assertProblem(locked, 429, { context: 'correct password from the locked address' });
    assert.ok(locked.json.retry_after >= 1 && locked.json.retry_after <= 3, locked.text);
    assert.equal(locked.headers.get('retry-after'), String(locked.json.retry_after));
    assertProblem(await from.login('someone-else@example.org', WRONG), 429, { context: 'any email from the locked address' });

    const elsewhere = await new Client(addr.url, { localAddress: '127.0.0.42' }).login(ROOT_ADMIN.email, ROOT_ADMIN.password);
    assert.equal(elsewhere.status, 200, `the account itself is not locked: ${elsewhere.text}`);

    await sleep(locked.json.retry_after * 1000 + 30);
    const afterLock = await from.login(ROOT_ADMIN.email, ROOT_ADMIN.password);
    assert.equal(afterLock.status, 200, `after the lock expires the right password works: ${afterLock.text}`);
  });
});

describe('concurrent wrong passwords (HEARTH_LOGIN_LOCK_AFTER=4, no slow-down)', () => {
  test('16 guesses sent at once are not all checked: at most 4 get a password answer (401), the rest 429', async () => {
    // The lock is decided when a failure is recorded, after the password
    // was checked. Guesses sent together must not all pass the "locked?"
    // check before the first failures land: the lock would then allow as
    // many guesses per lock period as the server has threads.
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      new Client(burst.url, { localAddress: `127.0.1.${10 + i}` }).login(ROOT_ADMIN.email, `${WRONG}-${i}`)));
    const counts = {};
    for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
    assert.deepEqual(counts, { 401: 4, 429: 12 }, 'password checks allowed by a burst of 16 guesses with HEARTH_LOGIN_LOCK_AFTER=4');
    assertProblem(await new Client(burst.url).login(ROOT_ADMIN.email, ROOT_ADMIN.password), 429, { context: 'the account is locked afterwards' });
  });
});
