// bench/outbox.mjs: the outbox's delivery rate into a real SMTP server on
// loopback (the npm smtp-server package). Writes N messages through the API
// (POST /api/v1/outbox/test, as fast as 8 clients can), then measures how
// long the sender takes to hand every one to the SMTP server, and checks
// that each arrived exactly once (by Message-ID). Driven by bench/outbox.sh,
// which starts nothing itself: this script starts the SMTP server and the
// Hearth server. Env: HEARTH_BIN, BENCH_DIR (an initialised demo database
// h.db + key h.key), BENCH_MESSAGES (default 2000).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';

const N = Number(process.env.BENCH_MESSAGES || 2000);
const dir = process.env.BENCH_DIR;
const bin = process.env.HEARTH_BIN;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const ids = new Map();
let received = 0, lastAt = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    let head = '';
    stream.on('data', (d) => { if (head.length < 8192) head += d.toString('latin1'); });
    stream.on('end', () => {
      const m = /^Message-ID:\s*(\S+)/im.exec(head);
      const id = m ? m[1] : `missing-${received}`;
      ids.set(id, (ids.get(id) || 0) + 1);
      received++;
      lastAt = performance.now();
      cb();
    });
  },
});

async function main() {
  const smtpPort = await freePort();
  await new Promise((r) => smtp.listen(smtpPort, '127.0.0.1', r));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['serve', '--db', `${dir}/h.db`, '--key-file', `${dir}/h.key`,
    '--listen', `127.0.0.1:${port}`, '--no-access-log', '--smtp-url', `smtp://127.0.0.1:${smtpPort}`,
    '--mail-from', 'Hearth <hearth@example.org>'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${base}/api/v1/health`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'admin@riverside-arts.example', password: 'hearth-demo-2026' }),
    });
    if (r.status !== 200) throw new Error(`login: ${r.status}`);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const { csrf_token: csrf } = await r.json();
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf };
    let next = 0, errors = 0;
    const t0 = performance.now();
    async function writer() {
      for (;;) {
        if (next >= N) return;
        next++;
        const w = await fetch(`${base}/api/v1/outbox/test`, { method: 'POST', headers });
        await w.arrayBuffer();
        if (w.status >= 300) {
          errors++;
          if (errors < 5) console.error(`write: ${w.status}`);
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, writer));
    const written = performance.now();
    const deadline = written + 120_000;
    while (received < N - errors && performance.now() < deadline)
      await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 500)); // any duplicate would arrive now
    const rss = (await import('node:fs')).readFileSync(`/proc/${server.pid}/status`, 'utf8')
      .match(/VmHWM:\s+(\d+ kB)/)[1];
    const dup = [...ids.values()].filter((n) => n > 1).length;
    const secs = (lastAt - t0) / 1000;
    console.log('');
    console.log(`outbox benchmark: ${N} messages written through the API, delivered to an SMTP server on loopback`);
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| written/s (POST /api/v1/outbox/test, 8 clients) | ${(N / ((written - t0) / 1000)).toFixed(0)} |`);
    console.log(`| delivered/s, first write to last delivery | ${(received / secs).toFixed(0)} (${secs.toFixed(1)} s) |`);
    console.log(`| delivered | ${received}/${N - errors} (write errors ${errors}) |`);
    console.log(`| delivered twice | ${dup} (must be 0) |`);
    console.log(`| server peak memory | ${rss} |`);
    const ok = !errors && received === N && dup === 0;
    console.log(ok ? 'bench: outbox ok' : 'bench: outbox FAILED (lost, duplicated or refused messages)');
    process.exitCode = ok ? 0 : 1;
  } finally {
    server.kill('SIGTERM');
    smtp.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
