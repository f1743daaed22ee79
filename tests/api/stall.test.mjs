// Stalled request bodies: clients that declare a body and never send it (or
// send it a byte at a time) must not exhaust the worker threads. Each body
// must arrive within --body-timeout (408 otherwise, nothing parsed), and the
// default thread count leaves room for a few hundred such connections while
// /api/v1/health and real requests keep answering quickly.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { Client, DEMO_USERS, sleep, startServer } from './harness.mjs';

const STALLED = 300;

let server; // default thread count, a short body timeout
let sockets = [];

before(async () => {
  // threads: null → no --threads flag: the default is what is tested.
  server = await startServer({ threads: null, args: ['--body-timeout', '4'] });
});

after(async () => {
  for (const s of sockets) s.destroy();
  if (server) await server.stop();
});

/** Opens a connection that sends headers promising a body, then nothing. */
function stalled(port, i) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.${1 + (i % 200)}.${10 + Math.floor(i / 200)}` });
    const got = [];
    s.on('data', (d) => got.push(d));
    s.on('error', () => {}); // reset by the server at the deadline is fine
    s.once('connect', () => {
      s.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\nConnection: close\r\n\r\n{"email":');
      resolve(s);
    });
    s.once('error', reject);
    s.answer = () => Buffer.concat(got).toString('latin1');
  });
}

async function timed(fn) {
  const t0 = Date.now();
  const res = await fn();
  return { res, ms: Date.now() - t0 };
}

describe('stalled request bodies', () => {
  test(`${STALLED} stalled bodies leave health and logins answering`, async () => {
    const url = new URL(server.url);
    sockets = await Promise.all(Array.from({ length: STALLED }, (_, i) => stalled(Number(url.port), i)));
    await sleep(300); // let the server take them all up
    const health = await timed(() => new Client(server.url).get('/api/v1/health'));
    assert.equal(health.res.status, 200, health.res.text);
    assert.ok(health.ms < 2000, `health took ${health.ms} ms with ${STALLED} stalled connections`);
    const u = DEMO_USERS.find((x) => x.role === 'coordinator');
    const login = await timed(() => new Client(server.url).login(u.email, u.password));
    assert.equal(login.res.status, 200, login.res.text);
    assert.ok(login.ms < 3000, `a login took ${login.ms} ms`);
  });

  test('the stalled ones are answered 408 at the body deadline and closed; nothing half-parsed', async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && sockets.some((s) => !s.closed)) await sleep(200);
    assert.ok(sockets.every((s) => s.closed), `${sockets.filter((s) => !s.closed).length} still open after 15 s`);
    const answers = sockets.map((s) => s.answer());
    const timedOut = answers.filter((a) => a.startsWith('HTTP/1.1 408'));
    assert.equal(timedOut.length, STALLED, `answers: ${[...new Set(answers.map((a) => a.split('\r\n')[0]))].join(' | ')}`);
    assert.match(timedOut[0], /application\/problem\+json/);
    assert.match(timedOut[0], /did not arrive within 4 seconds/);
  });

  test('a body sent a byte at a time is cut off at the deadline too', async () => {
    const url = new URL(server.url);
    const s = await stalled(Number(url.port), 999);
    const t0 = Date.now();
    const drip = setInterval(() => { if (!s.closed) s.write(' '); }, 500);
    try {
      while (!s.closed && Date.now() - t0 < 15_000) await sleep(100);
    } finally {
      clearInterval(drip);
    }
    assert.ok(s.closed, 'the dripping connection was never closed');
    assert.ok(Date.now() - t0 < 10_000, `it held a worker for ${Date.now() - t0} ms`);
    assert.match(s.answer(), /^HTTP\/1\.1 408/);
  });
});
