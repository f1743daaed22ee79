// Limits behind a reverse proxy (--trusted-proxy / HEARTH_TRUSTED_PROXIES):
// only from a trusted peer is the right-most untrusted address of
// X-Forwarded-For (or Forwarded) taken as the client's; otherwise those
// headers are ignored. And the per-address login counter counts failures,
// not attempts: many people logging in correctly from one address at once
// are never refused for each other.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { Client, DEMO_PASSWORD, DEMO_USERS, runCli, startServer } from './harness.mjs';

const WRONG = 'definitely-not-the-password';
const LIMITS = {
  HEARTH_LOGIN_SLOW_AFTER: '1000', HEARTH_LOGIN_LOCK_AFTER: '1000',
  HEARTH_LOGIN_ADDR_SLOW_AFTER: '1000', HEARTH_LOGIN_ADDR_LOCK_AFTER: '5', HEARTH_LOGIN_LOCK_SECONDS: '60',
};

let proxied; // trusts 127.0.0.0/8, where the tests connect from
let direct; // trusts no proxy
let elsewhere; // trusts 10.0.0.0/8 only: our 127.0.0.x peers are not proxies

before(async () => {
  [proxied, direct, elsewhere] = await Promise.all([
    startServer({ env: LIMITS, args: ['--trusted-proxy', '127.0.0.0/8, ::1'] }),
    startServer({ env: LIMITS }),
    startServer({ env: { ...LIMITS, HEARTH_TRUSTED_PROXIES: '10.0.0.0/8' } }),
  ]);
});

after(async () => {
  await Promise.all([proxied?.stop(), direct?.stop(), elsewhere?.stop()]);
});

const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');

function login(server, email, password, headers = {}, localAddress) {
  return new Client(server.url, { localAddress })
    .request('POST', '/api/v1/auth/login', { body: { email, password }, csrf: false, headers });
}

/** Wrong logins with made-up emails, as one client behind the proxy. */
async function guesses(server, n, headers, localAddress) {
  for (let i = 0; i < n; i++) {
    const res = await login(server, `nobody-${i}-${Date.now()}@example.org`, WRONG, headers, localAddress);
    assert.ok([401, 429].includes(res.status), res.text);
  }
}

describe('behind a trusted proxy, each client is counted on its own', () => {
  test('an attacker\'s wrong logins lock only the attacker\'s address, not the coordinator\'s', async () => {
    await guesses(proxied, 8, { 'X-Forwarded-For': '198.51.100.66' }, '127.0.0.21');
    const attacker = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { 'X-Forwarded-For': '198.51.100.66' }, '127.0.0.21');
    assert.equal(attacker.status, 429, 'the guessing address is locked');
    // The same proxy (same peer), another client: in.
    const coordinator = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { 'X-Forwarded-For': '198.51.100.7' }, '127.0.0.21');
    assert.equal(coordinator.status, 200, coordinator.text);
  });

  test('the right-most untrusted address counts: a client cannot pick its own by prepending', async () => {
    await guesses(proxied, 8, { 'X-Forwarded-For': '203.0.113.1, 198.51.100.77' }, '127.0.0.22');
    // Prepending another address does not escape the lock on .77 ...
    const spoof = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { 'X-Forwarded-For': '192.0.2.200, 198.51.100.77' }, '127.0.0.22');
    assert.equal(spoof.status, 429);
    // ... and a chain of trusted proxies is skipped from the right.
    const chained = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { 'X-Forwarded-For': '198.51.100.77, 127.0.0.9' }, '127.0.0.22');
    assert.equal(chained.status, 429);
  });

  test('Forwarded (RFC 7239) is read when X-Forwarded-For is absent', async () => {
    await guesses(proxied, 8, { Forwarded: 'for="[2001:db8::66]:4711";proto=https' }, '127.0.0.23');
    const locked = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { Forwarded: 'for="[2001:db8::66]"' }, '127.0.0.23');
    assert.equal(locked.status, 429);
    const other = await login(proxied, COORDINATOR.email, DEMO_PASSWORD, { Forwarded: 'for=198.51.100.99' }, '127.0.0.23');
    assert.equal(other.status, 200, other.text);
  });
});

/** A login sent as raw HTTP, so that a header can appear twice. */
function rawLogin(server, email, password, headerLines, localAddress) {
  const body = JSON.stringify({ email, password });
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: url.hostname, port: Number(url.port), localAddress }, () => {
      sock.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerLines.map((l) => `${l}\r\n`).join('')}`
        + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(Buffer.concat(chunks).toString('latin1'))?.[1])));
    sock.on('error', reject);
  });
}

describe('a proxy that adds its own X-Forwarded-For line', () => {
  test('every line counts, in order: the client\'s own line cannot name it', async () => {
    // The client sends a line of its choosing; the proxy adds the address it
    // saw as a second line (HAProxy does). The second line is the client.
    for (let i = 0; i < 7; i++) {
      const status = await rawLogin(proxied, `nobody-${i}-${Date.now()}@example.org`, WRONG,
        [`X-Forwarded-For: 203.0.113.${100 + i}`, 'X-Forwarded-For: 198.51.100.50'], '127.0.0.24');
      assert.ok([401, 429].includes(status), String(status));
    }
    assert.equal(await rawLogin(proxied, COORDINATOR.email, DEMO_PASSWORD,
      ['X-Forwarded-For: 203.0.113.1', 'X-Forwarded-For: 198.51.100.50'], '127.0.0.24'), 429);
    assert.equal(await rawLogin(proxied, COORDINATOR.email, DEMO_PASSWORD,
      ['X-Forwarded-For: 198.51.100.50'], '127.0.0.24'), 429, 'the same client, one line');
    assert.equal(await rawLogin(proxied, COORDINATOR.email, DEMO_PASSWORD,
      ['X-Forwarded-For: 203.0.113.100'], '127.0.0.24'), 200, 'the address the client wrote was never counted');
  });
});

describe('from a peer that is not a trusted proxy, forwarding headers are ignored', () => {
  for (const [name, server] of [['no --trusted-proxy', () => direct], ['another network trusted', () => elsewhere]]) {
    test(`${name}: X-Forwarded-For does not split one peer into many clients`, async () => {
      // Every guess claims a different address; all are counted on the peer.
      for (let i = 0; i < 8; i++) {
        await guesses(server(), 1, { 'X-Forwarded-For': `198.51.100.${10 + i}` }, '127.0.0.31');
      }
      const res = await login(server(), COORDINATOR.email, DEMO_PASSWORD, { 'X-Forwarded-For': '198.51.100.200' }, '127.0.0.31');
      assert.equal(res.status, 429, 'the peer itself is locked; the header changed nothing');
      // Another peer is not affected.
      const ok = await login(server(), COORDINATOR.email, DEMO_PASSWORD, {}, '127.0.0.32');
      assert.equal(ok.status, 200, ok.text);
    });
  }
});

describe('the address counter counts failures, not attempts', () => {
  test('64 simultaneous correct logins from one address all succeed', async () => {
    // 8 accounts x 8 logins, all at once from one address: far more than
    // the address's lock (after 5) if attempts counted.
    const users = DEMO_USERS.slice(0, 8);
    const all = await Promise.all(users.flatMap((u) => Array.from({ length: 8 },
      () => login(direct, u.email, u.password, {}, '127.0.0.41'))));
    const statuses = all.map((r) => r.status);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], `answers: ${statuses.join(',')}`);
  });

  test('failures from that address still lock it', async () => {
    await guesses(direct, 6, {}, '127.0.0.42');
    const res = await login(direct, COORDINATOR.email, DEMO_PASSWORD, {}, '127.0.0.42');
    assert.equal(res.status, 429);
  });
});

describe('--trusted-proxy is validated', () => {
  test('a bad network is refused at start, naming it', () => {
    const res = runCli(['serve', '--listen', '127.0.0.1:0', '--trusted-proxy', '10.0.0.0/8,10.1.2.3/40']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /--trusted-proxy: "10\.1\.2\.3\/40" is not an address or CIDR network/);
  });
});
