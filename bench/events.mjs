// The client of bench/events.sh: BENCH_CLIENTS Server-Sent Events streams
// (GET /api/v1/events) spread over the nodes in HEARTH_URLS and over
// BENCH_USERS logins, BENCH_RATE events a second for BENCH_SECONDS made with
// POST /api/v1/outbox/test (a test message to the caller: one "message"
// event for every stream of that login), and GET /api/v1/auth/me measured
// with wrk with no stream open and again while the streams are open and the
// events flow. Prints a Markdown table; exits 1 when an event was lost or a
// stream failed.
//
// Environment (bench/events.sh sets them):
//   HEARTH_URLS     comma-separated node URLs (streams and writes round-robin)
//   HEARTH_PIDS     the nodes' pids, same order (RSS from /proc)
//   BENCH_CLIENTS   streams (default 1000)
//   BENCH_USERS     logins the streams are spread over (default 10)
//   BENCH_RATE      events per second (default 200)
//   BENCH_SECONDS   seconds of events (default 30)
//   BENCH_ME_SECONDS  seconds of each /auth/me measure (default 5)
import http from 'node:http';
import { spawnSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const URLS = (process.env.HEARTH_URLS || '').split(',').filter(Boolean);
const PIDS = (process.env.HEARTH_PIDS || '').split(',').filter(Boolean);
const CLIENTS = Number(process.env.BENCH_CLIENTS || 1000);
const USERS = Number(process.env.BENCH_USERS || 10);
const RATE = Number(process.env.BENCH_RATE || 200);
const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const ME_SECONDS = Number(process.env.BENCH_ME_SECONDS || 5);
const ADMIN = { email: 'admin@riverside-arts.example', password: 'hearth-demo-2026' };
const GOAL_P99_MS = 250;
const GOAL_ME_RATIO = 0.8;

if (!URLS.length) {
  console.error('events.mjs: set HEARTH_URLS');
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(base, method, path, { cookie, csrf, body, via = agent } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { Accept: 'application/json' };
    if (cookie) headers.Cookie = cookie;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(data);
    }
    const req = http.request(new URL(path, base), { method, headers, agent: via }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function login(base, email, password) {
  const res = await request(base, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${res.text}`);
  const cookie = [].concat(res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('hearth_session='));
  return { cookie, csrf: res.json.csrf_token, id: res.json.user.id };
}

// The logins: the demo admin makes BENCH_USERS admins of its organisation
// (POST /outbox/test is an admin's), each logged in once.
async function makeUsers() {
  const admin = await login(URLS[0], ADMIN.email, ADMIN.password);
  const me = await request(URLS[0], 'GET', '/api/v1/auth/me', admin);
  const org = me.json.user.memberships[0].organisation_id;
  const run = Date.now().toString(36);
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const email = `bench-events-${run}-${i}@example.org`;
    const password = `bench-events-password-${i}`;
    const u = await request(URLS[0], 'POST', '/api/v1/users', { ...admin, body: { email, display_name: `Bench ${i}`, password } });
    if (u.status !== 201) throw new Error(`user: ${u.status} ${u.text}`);
    const m = await request(URLS[0], 'POST', '/api/v1/memberships', { ...admin, body: { user_id: u.json.id, organisation_id: org, role: 'admin' } });
    if (m.status !== 201) throw new Error(`membership: ${m.status} ${m.text}`);
    users.push({ ...(await login(URLS[i % URLS.length], email, password)), index: i });
  }
  return { admin, users };
}

// One stream: counts "message" events by ref_id with the time they came.
function openStream(base, user) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL('/api/v1/events', base), { headers: { Cookie: user.cookie, Accept: 'text/event-stream' }, agent: false }, (res) => {
      const s = { user, got: new Map(), status: res.statusCode, ended: false, close: () => req.destroy() };
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream: ${res.statusCode}`));
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        pending += chunk;
        let i;
        while ((i = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, i);
          pending = pending.slice(i + 2);
          const d = block.indexOf('data: ');
          if (d < 0 || !block.includes('event: message\n')) continue;
          const ref = JSON.parse(block.slice(d + 6, block.indexOf('\n', d) < 0 ? undefined : block.indexOf('\n', d))).ref_id;
          if (!s.got.has(ref)) s.got.set(ref, now);
        }
      });
      res.on('close', () => { s.ended = true; });
      resolve(s);
    });
    req.on('error', reject);
  });
}

// GET /api/v1/auth/me with wrk (2 threads, 32 connections): requests/s.
function measureMe(user) {
  return new Promise((resolve) => {
    const p = spawn('wrk', ['-t2', '-c32', `-d${ME_SECONDS}s`, '-H', `Cookie: ${user.cookie}`, `${URLS[0]}/api/v1/auth/me`]);
    let out = '';
    p.stdout.on('data', (c) => { out += c; });
    p.on('close', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] || 0);
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] || 0);
      resolve({ rps, non2xx });
    });
  });
}

function rss(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(st)[1]), threads: Number(/Threads:\s+(\d+)/.exec(st)[1]) };
  } catch {
    return { rss: 0, threads: 0 };
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

async function main() {
  const haveWrk = spawnSync('wrk', ['--version']).error === undefined;
  const { users } = await makeUsers();
  const baseline = haveWrk ? await measureMe(users[0]) : { rps: 0, non2xx: 0 };

  // The streams, round-robin over nodes and logins, 50 at a time.
  const streams = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(CLIENTS, i + 50); j++) batch.push(openStream(URLS[j % URLS.length], users[j % USERS]));
    streams.push(...(await Promise.all(batch)));
  }
  await sleep(1000);
  const mem = PIDS.map(rss);
  const meIdle = haveWrk ? await measureMe(users[0]) : { rps: 0, non2xx: 0 };

  // The events: RATE a second, each for the next login in turn, through
  // the nodes in turn; the time of the POST's answer is the commit's.
  const sent = []; // {ref, user, t}
  let failedPosts = 0;
  const failures = new Map(); // status or error -> count
  const fail = (why) => { failedPosts++; failures.set(why, (failures.get(why) || 0) + 1); };
  const posts = [];
  // Fresh connections: the server closes a keep-alive connection idle for
  // 2 s, and one closed just as it is reused would fail a POST.
  const genAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const t0 = performance.now();
  const total = RATE * SECONDS;
  let meDuring = null;
  const meTimer = setTimeout(async () => { if (haveWrk) meDuring = await measureMe(users[0]); }, Math.max(0, (SECONDS - ME_SECONDS) * 500));
  for (let n = 0; n < total; n++) {
    const due = t0 + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const user = users[n % USERS];
    const base = URLS[n % URLS.length];
    posts.push(request(base, 'POST', '/api/v1/outbox/test', { ...user, via: genAgent }).then((res) => {
      if (res.status === 201) sent.push({ ref: res.json.id, user: user.index, t: performance.now() });
      else fail(`${res.status} ${res.json?.detail || ''}`.trim());
    }, (err) => fail(err.code || err.message)));
  }
  await Promise.all(posts);
  const genSeconds = (performance.now() - t0) / 1000;
  while (haveWrk && !meDuring) await sleep(100);
  clearTimeout(meTimer);
  await sleep(3000); // the last events arrive
  const memAfter = PIDS.map(rss);

  const lat = [];
  let expected = 0;
  let lost = 0;
  for (const s of streams) {
    for (const e of sent) {
      if (e.user !== s.user.index) continue;
      expected++;
      const at = s.got.get(e.ref);
      if (at === undefined) lost++;
      else lat.push(Math.max(0, at - e.t));
    }
  }
  lat.sort((a, b) => a - b);
  const endedEarly = streams.filter((s) => s.ended).length;
  for (const s of streams) s.close();

  const p50 = pct(lat, 0.5);
  const p99 = pct(lat, 0.99);
  const ratio = baseline.rps ? meIdle.rps / baseline.rps : NaN;
  const ratioFlow = baseline.rps ? meDuring.rps / baseline.rps : NaN;
  const kb = (k) => `${(k / 1024).toFixed(1)} MiB`;
  console.log(`| measure | value | goal |`);
  console.log(`|---|---|---|`);
  console.log(`| nodes | ${URLS.length} | |`);
  console.log(`| streams open (logins) | ${streams.length} (${USERS}) | 1,000 |`);
  console.log(`| events made (rate achieved) | ${sent.length} (${(sent.length / genSeconds).toFixed(0)}/s; ${failedPosts} POSTs failed) | ${RATE}/s for ${SECONDS} s |`);
  for (const [why, n] of failures) console.log(`| POSTs failed: ${why} | ${n} | |`);
  console.log(`| deliveries expected | ${expected} | |`);
  console.log(`| delivery latency p50 (POST answered -> client) | ${p50.toFixed(1)} ms | |`);
  console.log(`| delivery latency p99 | ${p99.toFixed(1)} ms | < ${GOAL_P99_MS} ms ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'} |`);
  console.log(`| delivery latency max | ${lat.length ? lat[lat.length - 1].toFixed(1) : NaN} ms | |`);
  console.log(`| events lost | ${lost} | 0 ${lost === 0 ? 'met' : 'NOT met'} |`);
  console.log(`| streams ended early | ${endedEarly} | 0 |`);
  mem.forEach((m, i) => console.log(`| node ${i + 1} RSS with the streams open, before events (threads) | ${kb(m.rss)} (${m.threads}) | |`));
  memAfter.forEach((m, i) => console.log(`| node ${i + 1} RSS after the events | ${kb(m.rss)} | |`));
  if (haveWrk) {
    console.log(`| GET /auth/me req/s, no stream open (node 1) | ${baseline.rps.toFixed(0)} | |`);
    console.log(`| GET /auth/me req/s, the streams open | ${meIdle.rps.toFixed(0)} (${meIdle.non2xx} not 200) | |`);
    console.log(`| ratio, streams open / none | ${ratio.toFixed(2)}x | >= ${GOAL_ME_RATIO}x ${ratio >= GOAL_ME_RATIO ? 'met' : 'NOT met'} |`);
    console.log(`| GET /auth/me req/s, streams open and ${RATE} events/s flowing | ${meDuring.rps.toFixed(0)} (${meDuring.non2xx} not 200) | |`);
    console.log(`| ratio, events flowing / none | ${ratioFlow.toFixed(2)}x | (no goal: the same 2 cores also deliver the events and run the client) |`);
  } else {
    console.log('| GET /auth/me req/s | (wrk not installed) | |');
  }
  agent.destroy();
  genAgent.destroy();
  const bad = lost > 0 || endedEarly > 0 || failedPosts > 0 || sent.length === 0;
  if (bad) console.log('events.mjs: FAILED (events lost, a stream ended or a POST failed)');
  process.exit(bad ? 1 : 0);
}

main().catch((err) => {
  console.error(`events.mjs: ${err.stack || err.message}`);
  process.exit(1);
});
