// The database on a bad day: /api/v1/health asks the database (both
// backends); on PostgreSQL, two nodes with default flags fit in a stock
// server (max_connections = 100), and while PostgreSQL is stopped or frozen
// (SIGSTOP) health and requests answer 503 with Retry-After within a few
// seconds, not 500 and not after a long wait, and everything works again
// once it is back. The PostgreSQL tests start their own throwaway server
// (scripts/pg-temp.sh, PG_TEMP_MAX_CONNECTIONS=100) so that stopping and
// freezing it touches no other test; they run only with HEARTH_TEST_PG_URL
// (tests/run-all.sh's second pass).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  Client, DEMO_USERS, assertProblem, backend, dbQuery, loginAs, psql, sleep, startServer, unique,
} from './harness.mjs';

const SKIP = process.env.HEARTH_TEST_PG_URL ? false : 'needs PostgreSQL (starts its own with scripts/pg-temp.sh)';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PG_TEMP = path.join(ROOT, 'scripts/pg-temp.sh');
const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');

/** Polls fn() until pred(result) holds; fails after timeoutMs with the last result. */
async function until(what, fn, pred, { timeoutMs = 15_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (pred(last)) return last;
    if (Date.now() > deadline) assert.fail(`${what}: still ${last?.status ?? last} after ${timeoutMs} ms ${last?.text ?? ''}`);
    await sleep(everyMs);
  }
}

/** Runs fn() and returns [result, milliseconds taken]. */
async function timed(fn) {
  const t0 = Date.now();
  const r = await fn();
  return [r, Date.now() - t0];
}

describe('health asks the database', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test(`GET /api/v1/health answers 503 with Retry-After when the database cannot answer its check (the schema is gone), 200 again once it can (${backend()})`, async () => {
    const anon = new Client(server.url);
    assert.equal((await anon.get('/api/v1/health')).status, 200);
    dbQuery(server, 'ALTER TABLE schema_migrations RENAME TO schema_migrations_away;');
    try {
      const res = await until('health while the schema is away', () => anon.get('/api/v1/health'), (r) => r.status !== 200,
        { timeoutMs: 5000 });
      assertProblem(res, 503, { detail: /database/ });
      assert.ok(res.headers.get('retry-after'), 'a 503 from health says when to try again');
      assert.deepEqual(res.json.checks, { database: 'failing' });
    } finally {
      dbQuery(server, 'ALTER TABLE schema_migrations_away RENAME TO schema_migrations;');
    }
    const ok = await until('health after the schema is back', () => anon.get('/api/v1/health'), (r) => r.status === 200,
      { timeoutMs: 5000 });
    assert.equal(ok.json.status, 'ok');
  });
});

describe('a full connection pool', () => {
  let node;
  before(async () => {
    if (SKIP) return;
    node = await startServer({ args: ['--db-pool', '1', '--db-pool-wait', '1'] });
  });
  after(async () => { await node?.stop(); });

  test('--db-pool 1 --db-pool-wait 1: while the one connection is held (a request waiting on a lock), the next request waits about 1 s and answers 503 with Retry-After; afterwards both work', { skip: SKIP }, async () => {
    const admin = await loginAs(node.url, ADMIN);
    assert.equal((await admin.get('/api/v1/auth/me')).status, 200);
    // Another client holds the sessions table for 4 s: the first request
    // waits for that lock on the pool's only connection.
    const locker = spawn('psql', [node.db, '-X', '-q', '-c',
      'BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;'], { stdio: 'ignore' });
    const lockerDone = new Promise((resolve) => locker.on('exit', resolve));
    try {
      await until('the lock taken', async () => Number(dbQuery(node, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'sessions' AND l.mode = 'AccessExclusiveLock' AND l.granted;").trim()),
        (n) => n === 1, { timeoutMs: 5000, everyMs: 50 });
      const first = admin.get('/api/v1/auth/me');
      await sleep(300); // the first request holds the connection by now
      const [second, took] = await timed(() => admin.get('/api/v1/organisations'));
      assertProblem(second, 503, { context: 'a request while the only connection is in use' });
      assert.ok(second.headers.get('retry-after'), 'the 503 carries Retry-After');
      assert.ok(took >= 900 && took < 3000, `it waited about --db-pool-wait (1 s), not for the lock (${took} ms)`);
      assert.equal((await first).status, 200, 'the first request finishes once the lock is gone');
    } finally {
      await lockerDone;
    }
    assert.equal((await admin.get('/api/v1/organisations')).status, 200);
  });
});

/** A PostgreSQL server of our own, stock max_connections unless told. */
class OwnPg {
  constructor(maxConnections = 100) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pgops-'));
    fs.chmodSync(this.dir, 0o755); // the postgres user (as root) must reach it
    this.maxConnections = maxConnections;
  }

  start() {
    this.url = execFileSync(PG_TEMP, ['start', path.join(this.dir, 'pg')], {
      encoding: 'utf8', env: { ...process.env, PG_TEMP_MAX_CONNECTIONS: String(this.maxConnections) },
    }).trim();
    return this.url;
  }

  stop() {
    execFileSync(PG_TEMP, ['stop', path.join(this.dir, 'pg')], { encoding: 'utf8' });
  }

  /** A new database on this server; returns its URI. */
  createDatabase(name) {
    psql(this.url, `CREATE DATABASE ${name};`);
    const u = new URL(this.url);
    u.pathname = `/${name}`;
    return u.toString();
  }

  /** The postmaster and every process it started. */
  pids() {
    const pm = Number(fs.readFileSync(path.join(this.dir, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const kids = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === pm) kids.push(Number(e));
      } catch { /* gone */ }
    }
    return [pm, ...kids];
  }

  freeze() { this.frozen = this.pids(); for (const p of this.frozen) process.kill(p, 'SIGSTOP'); }

  thaw() { for (const p of this.frozen ?? []) { try { process.kill(p, 'SIGCONT'); } catch { /* gone */ } } this.frozen = null; }

  remove() {
    this.thaw();
    try { this.stop(); } catch { /* already stopped */ }
    if (process.env.HEARTH_TEST_KEEP !== '1') fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('PostgreSQL with stock settings and on a bad day', () => {
  let pg;
  const servers = [];
  before(() => {
    if (SKIP) return;
    pg = new OwnPg(100);
    pg.start();
  });
  after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    pg?.remove();
  });

  test('two nodes with default flags (no --threads, no --db-pool) start on a PostgreSQL with max_connections = 100 and serve 2 x 100 requests at once', { skip: SKIP }, async () => {
    const db = pg.createDatabase('hearth_pool');
    const a = await startServer({ dbUrl: db, threads: null, env: { HEARTH_THREADS: '', HEARTH_DB_POOL: '' } });
    servers.push(a);
    const b = await startServer({ dir: a.dir, dbUrl: db, keyFile: a.keyFile, threads: null, env: { HEARTH_THREADS: '', HEARTH_DB_POOL: '' } });
    servers.push(b);
    const clients = await Promise.all([loginAs(a.url, ADMIN), loginAs(b.url, ADMIN)]);
    const all = await Promise.all(clients.flatMap((c) => Array.from({ length: 100 }, () => c.get('/api/v1/organisations'))));
    const counts = {};
    for (const r of all) counts[r.status] = (counts[r.status] ?? 0) + 1;
    assert.deepEqual(counts, { 200: 200 }, 'every request on both nodes answered 200');
    const used = Number(psql(pg.url, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'hearth_pool';").trim());
    assert.ok(used <= 2 * 22, `two nodes hold at most 2 x (20 pooled + 1 health + 1 listening for other nodes' notifications) connections, not ${used}`);
  });

  test('PostgreSQL stopped: health 503 and requests 503 with Retry-After within seconds (not 500), no crash; started again: health 200 and requests succeed', { skip: SKIP }, async () => {
    const node = await startServer({ dbUrl: pg.createDatabase('hearth_stop'), env: { HEARTH_DB_CONNECT_TIMEOUT: '2', HEARTH_DB_STATEMENT_TIMEOUT: '2' } });
    servers.push(node);
    const anon = new Client(node.url);
    const admin = await loginAs(node.url, ADMIN);
    assert.equal((await admin.get('/api/v1/organisations')).status, 200);
    pg.stop();
    try {
      const [health, ms] = await timed(() => until('health with PostgreSQL stopped', () => anon.get('/api/v1/health'),
        (r) => r.status !== 200, { timeoutMs: 5000 }));
      assertProblem(health, 503, { detail: /database/ });
      assert.ok(health.headers.get('retry-after'), 'health 503 carries Retry-After');
      assert.deepEqual(health.json.checks, { database: 'failing' });
      assert.ok(ms < 5000, `health noticed within seconds (${ms} ms)`);
      for (const [method, p, body] of [['GET', '/api/v1/organisations'], ['POST', '/api/v1/organisations', { name: unique('Down'), kind: 'arts' }],
        ['GET', '/api/v1/auth/me']]) {
        const [res, took] = await timed(() => admin.request(method, p, { body }));
        assertProblem(res, 503, { context: `${method} ${p} with PostgreSQL stopped` });
        assert.ok(res.headers.get('retry-after'), `${method} ${p}: 503 carries Retry-After`);
        assert.ok(took < 5000, `${method} ${p} answered within seconds (${took} ms)`);
      }
      assert.equal(node.proc.exitCode, null, 'the node is still running');
    } finally {
      pg.start();
    }
    await until('health with PostgreSQL back', () => anon.get('/api/v1/health'), (r) => r.status === 200);
    await until('a request with PostgreSQL back', () => admin.get('/api/v1/organisations'), (r) => r.status === 200, { timeoutMs: 5000 });
    const write = await admin.post('/api/v1/organisations', { name: unique('Back'), kind: 'arts' });
    assert.equal(write.status, 201, write.text);
  });

  test('PostgreSQL frozen (SIGSTOP, like a partition): health 503 and a request 503 with Retry-After after the configured timeouts, not a long hang; thawed: everything works again', { skip: SKIP }, async () => {
    const node = await startServer({ dbUrl: pg.createDatabase('hearth_freeze'), env: { HEARTH_DB_CONNECT_TIMEOUT: '1', HEARTH_DB_STATEMENT_TIMEOUT: '2' } });
    servers.push(node);
    const anon = new Client(node.url);
    const admin = await loginAs(node.url, ADMIN);
    assert.equal((await admin.get('/api/v1/organisations')).status, 200);
    pg.freeze();
    try {
      // statement timeout 2 s + connect timeout 1 s: the node gives up on
      // an answer after 3 s; allow for the machine being slow.
      const [res, took] = await timed(() => admin.get('/api/v1/organisations'));
      assertProblem(res, 503, { context: 'a request with PostgreSQL frozen' });
      assert.ok(res.headers.get('retry-after'), 'the 503 carries Retry-After');
      assert.ok(took < 8000, `the request gave up within seconds (${took} ms)`);
      const [health, hms] = await timed(() => until('health with PostgreSQL frozen', () => anon.get('/api/v1/health'),
        (r) => r.status !== 200, { timeoutMs: 8000 }));
      assertProblem(health, 503, { detail: /database/ });
      assert.ok(hms < 8000, `health noticed within seconds (${hms} ms)`);
      const [again, took2] = await timed(() => admin.get('/api/v1/auth/me'));
      assertProblem(again, 503, { context: 'another request with PostgreSQL still frozen' });
      assert.ok(took2 < 8000, `the next request gave up within seconds too (${took2} ms)`);
      assert.equal(node.proc.exitCode, null, 'the node is still running');
    } finally {
      pg.thaw();
    }
    await until('health with PostgreSQL thawed', () => anon.get('/api/v1/health'), (r) => r.status === 200);
    await until('a request with PostgreSQL thawed', () => admin.get('/api/v1/organisations'), (r) => r.status === 200, { timeoutMs: 10_000 });
    const write = await admin.post('/api/v1/organisations', { name: unique('Thawed'), kind: 'arts' });
    assert.equal(write.status, 201, write.text);
  });
});
