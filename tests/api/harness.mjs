// Test harness for the Hearth API tests (node --test tests/api/).
//
// startServer() runs a real `hearth serve` on a free loopback port against a
// fresh database in a temporary directory (or a shared one, for a second
// node), Client speaks the API like the web UI does (cookie + CSRF header),
// runCli() runs the binary's other commands. Every server must be stopped in
// an `after` hook: stop() fails the test when the server did not exit 0 or
// printed a sanitizer report.
//
// Environment:
//   HEARTH_BIN        the hearth binary (default /work/main/build/hearth)
//   HEARTH_TEST_KEEP  set to 1 to keep the temporary directories (and databases)
//   HEARTH_TEST_NO_TEMPLATE  set to 1 to run `hearth init`/`demo` for every
//                     server instead of copying a per-binary template
//   HEARTH_TEST_PG_URL  a PostgreSQL URI (postgres://user@host:port/db) on
//                     which the test user may CREATE DATABASE: every fresh
//                     server then gets its own new database there instead of
//                     a SQLite file (see backend(), isPg(), dbQuery(), cloneDb())
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const HEARTH_BIN = process.env.HEARTH_BIN || '/work/main/build/hearth';

/** The password `hearth demo` gives every demo person. */
export const DEMO_PASSWORD = 'hearth-demo-2026';

/** One demo login per role (the demo has more people; these are the ones the tests use). */
export const DEMO_USERS = Object.freeze([
  { role: 'admin', email: 'admin@riverside-arts.example', organisation: 'Riverside Community Arts' },
  { role: 'coordinator', email: 'coordinator@riverside-arts.example', organisation: 'Riverside Community Arts' },
  { role: 'facilitator', email: 'facilitator@riverside-arts.example', organisation: 'Riverside Community Arts' },
  { role: 'peer_supporter', email: 'peer@riverside-arts.example', organisation: 'Riverside Community Arts' },
  { role: 'moderator', email: 'moderator@riverside-arts.example', organisation: 'Riverside Community Arts' },
  { role: 'clinician', email: 'clinician@northside-mh.example', organisation: 'Northside Mental Health Service' },
  { role: 'funder', email: 'funder@civic-fund.example', organisation: 'Civic Wellbeing Fund' },
  { role: 'participant', email: 'participant@example.org', organisation: 'Riverside Community Arts' },
].map((u) => Object.freeze({ ...u, password: DEMO_PASSWORD })));

/** The first admin that startServer's `hearth init` creates. */
export const ROOT_ADMIN = Object.freeze({ email: 'root@example.org', password: 'root-password-for-api-tests' });

/** Text that means a sanitizer found something; its presence fails the suite. */
export const SANITIZER_MARKERS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'];

export function sanitizerReport(text) {
  return SANITIZER_MARKERS.find((m) => text.includes(m)) ?? null;
}

// --- temporary directories and processes, cleaned up when the run ends ---

const tempDirs = new Set();
const liveProcs = new Set();
const pgDatabases = new Set(); // names of PostgreSQL databases this process created
process.on('exit', () => {
  for (const p of liveProcs) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.HEARTH_TEST_KEEP === '1') return;
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  dropPgDatabases([...pgDatabases]);
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'hearth-api-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

// --- the command line ---

/**
 * Runs `hearth ...args` to completion. Returns {code, signal, stdout, stderr}.
 * Throws when the binary printed a sanitizer report (unless allowSanitizer).
 */
export function runCli(args, { input, env = {}, cwd, timeoutMs = 60_000, allowSanitizer = false } = {}) {
  const r = spawnSync(HEARTH_BIN, args, {
    input: input ?? '',
    env: { ...process.env, ...env },
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`hearth ${args.join(' ')}: ${r.error.message}`);
  const res = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  const marker = sanitizerReport(r.stderr);
  if (marker && !allowSanitizer) {
    throw new Error(`hearth ${args.join(' ')} printed a sanitizer report (${marker}):\n${r.stderr}`);
  }
  return res;
}

/** Like runCli, but throws unless the exit code is 0. */
export function runCliOk(args, opts) {
  const r = runCli(args, opts);
  if (r.code !== 0) {
    throw new Error(`hearth ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

let routesCache;
/** The route table from `hearth routes`: [{method, path, action, public}]. */
export function hearthRoutes() {
  if (!routesCache) routesCache = JSON.parse(runCliOk(['routes']).stdout);
  return routesCache;
}

// --- servers ---

/** A loopback TCP port that was free a moment ago. */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `hearth serve`.
 *   env       extra environment for the server (e.g. HEARTH_LOGIN_LOCK_AFTER)
 *   args      extra serve flags (e.g. ['--max-body', '4096'])
 *   demo      load the demo data (default true; only when the database is new)
 *   dir       an existing directory: reuse its key file and database (a second
 *             node on the same database); nothing is initialised when the key
 *             file already exists. A directory made by startServer remembers
 *             its database, so {dir} alone finds a PostgreSQL database too.
 *   dbUrl     database to use instead of DIR/h.db (e.g. postgres://...)
 *   keyFile   key file instead of DIR/h.key
 *   threads   worker threads (default 8; null: the server's own default)
 *   adminEmail, adminPassword  the first admin created by init
 * A fresh server (no dir, no dbUrl) runs on SQLite (DIR/h.db), or, when
 * HEARTH_TEST_PG_URL is set, on a new PostgreSQL database on that server.
 * Returns {url, port, dir, db, keyFile, proc, stderr(), stdout(), stop()};
 * db is the file path or the postgres:// URI.
 */
export async function startServer({
  env = {},
  args = [],
  demo = true,
  dir,
  dbUrl,
  keyFile,
  threads = 8,
  adminEmail = ROOT_ADMIN.email,
  adminPassword = ROOT_ADMIN.password,
  startTimeoutMs = 30_000,
} = {}) {
  const fresh = !dir;
  dir = dir ?? tempDir();
  if (!fresh && !dbUrl) dbUrl = rememberedDb(dir);
  const defaultKey = !keyFile;
  keyFile = keyFile ?? path.join(dir, 'h.key');
  const useTemplate = fresh && !dbUrl && defaultKey && process.env.HEARTH_TEST_NO_TEMPLATE !== '1';
  if (fresh && !dbUrl && backend() === 'postgres') {
    if (useTemplate) {
      const tmpl = pgTemplate({ demo, adminEmail, adminPassword });
      copyDatabase(tmpl.dir, dir);
      dbUrl = createPgDatabase({ template: tmpl.database });
    } else {
      dbUrl = createPgDatabase();
    }
  }
  const db = dbUrl ?? path.join(dir, 'h.db');
  if (fresh) rememberDb(dir, db);
  if (!fs.existsSync(keyFile)) {
    if (useTemplate && !isPgUrl(db)) {
      copyDatabase(templateDir({ demo, adminEmail, adminPassword }), dir);
    } else {
      initDatabase({ db, keyFile, demo, adminEmail, adminPassword });
    }
  }

  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnServer({ dir, db, keyFile, port, env, args, threads, startTimeoutMs, adminPassword });
    } catch (e) {
      lastError = e;
      // Another process may have taken the port between freePort() and listen.
      if (!/cannot listen/.test(e.message)) throw e;
    }
  }
  throw lastError;
}

/**
 * Starts n servers ("nodes") on one fresh database with the same key file
 * and key store, like a deployment behind a load balancer. opts are
 * startServer's (env, args, threads, demo, ...), given to every node. The
 * first node initialises the database; the others start in parallel after
 * it. Returns an array of servers with stopAll(), which stops every node
 * and then throws the first stop() failure, if any. Meant for PostgreSQL
 * (HEARTH_TEST_PG_URL); on SQLite the nodes share one database file on one
 * machine, which works but proves little.
 */
export async function startNodes(n, opts = {}) {
  assert.ok(Number.isInteger(n) && n >= 1, `startNodes: n must be a positive integer, not ${n}`);
  const first = await startServer(opts);
  const nodes = [first];
  try {
    const rest = await Promise.allSettled(Array.from({ length: n - 1 }, () =>
      startServer({ ...opts, dir: first.dir, dbUrl: first.db, keyFile: first.keyFile })));
    for (const r of rest) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await Promise.allSettled(nodes.map((s) => s.stop()));
    throw e;
  }
  nodes.stopAll = async () => {
    const results = await Promise.allSettled(nodes.map((s) => s.stop()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return nodes;
}

/**
 * A new SQLite database in a new directory, as startServer would make it
 * (init as ROOT_ADMIN, plus the demo unless demo is false), whatever the
 * backend of this run: for tests of SQLite files and of `hearth copy`.
 * Returns {dir, db, keyFile}.
 */
export function sqliteDatabase({ demo = true, adminEmail = ROOT_ADMIN.email, adminPassword = ROOT_ADMIN.password } = {}) {
  const dir = tempDir();
  const db = path.join(dir, 'h.db');
  const keyFile = path.join(dir, 'h.key');
  if (process.env.HEARTH_TEST_NO_TEMPLATE === '1') initDatabase({ db, keyFile, demo, adminEmail, adminPassword });
  else copyDatabase(templateDir({ demo, adminEmail, adminPassword }), dir);
  rememberDb(dir, db);
  return { dir, db, keyFile };
}

function initDatabase({ db, keyFile, demo, adminEmail, adminPassword }) {
  runCliOk(['init', '--default-country', 'GB', '--db', db, '--key-file', keyFile, '--admin-email', adminEmail, '--password-stdin'],
    { input: `${adminPassword}\n` });
  if (demo) runCliOk(['demo', '--db', db, '--key-file', keyFile]);
}

// Files the harness keeps in a server directory for itself; never copied.
const DB_MARKER = 'hearth-test-db';
const TEMPLATE_DB_MARKER = 'hearth-test-template-db';
const HARNESS_FILES = new Set(['ready', DB_MARKER, TEMPLATE_DB_MARKER]);

/** Notes in dir which database its server uses, for startServer({dir}). */
function rememberDb(dir, db) {
  fs.writeFileSync(path.join(dir, DB_MARKER), `${db}\n`);
}

function rememberedDb(dir) {
  try {
    const db = fs.readFileSync(path.join(dir, DB_MARKER), 'utf8').trim();
    return db || undefined;
  } catch {
    return undefined;
  }
}

/** Copies what init left in a directory (h.db and its WAL, h.key, and any
 * file the server keeps beside them, such as the key store) with the same
 * modes. SQLite's -shm files are rebuilt on open and are not copied. */
function copyDatabase(from, to) {
  for (const f of fs.readdirSync(from)) {
    const src = path.join(from, f);
    const st = fs.statSync(src);
    if (!st.isFile() || HARNESS_FILES.has(f) || f.endsWith('-shm')) continue;
    fs.copyFileSync(src, path.join(to, f));
    fs.chmodSync(path.join(to, f), st.mode & 0o777);
  }
}

/** The binary's identity for template names: path, size and mtime. */
function binaryId() {
  const bin = fs.realpathSync(HEARTH_BIN);
  const st = fs.statSync(bin);
  return [bin, st.size, st.mtimeMs];
}

const TEMPLATE_PREFIX = 'hearth-api-template-';
const PG_TEMPLATE_PREFIX = 'hearth-api-pgtemplate-';

/** Removes templates of earlier builds after a day unused (and their
 * PostgreSQL template databases, when that server is the current one). */
function pruneTemplates(keep) {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!(name.startsWith(TEMPLATE_PREFIX) || name.startsWith(PG_TEMPLATE_PREFIX)) || name === keep) continue;
    const p = path.join(os.tmpdir(), name);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs <= 86_400_000) continue;
      const marker = path.join(p, TEMPLATE_DB_MARKER);
      if (fs.existsSync(marker)) {
        const [server, database] = fs.readFileSync(marker, 'utf8').trim().split('\n');
        if (server === pgServerId()) dropPgDatabases([database]);
      }
      fs.rmSync(p, { recursive: true, force: true });
    } catch { /* someone else pruned it */ }
  }
}

/**
 * `hearth init` (+ `hearth demo`) hashes a dozen passwords with Argon2id;
 * doing it once per binary and copying the result keeps server start-up
 * fast. The template is keyed by the binary (path, size, mtime) and the
 * options, built in a private directory and renamed into place, so parallel
 * test processes never see half a template. Set HEARTH_TEST_NO_TEMPLATE=1
 * to run init for every server.
 */
function templateDir({ demo, adminEmail, adminPassword }) {
  const bin = binaryId()[0];
  const id = crypto.createHash('sha256')
    .update(JSON.stringify([...binaryId(), demo, adminEmail, adminPassword]))
    .digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), TEMPLATE_PREFIX + id);
  if (fs.existsSync(path.join(dir, 'ready'))) {
    const now = new Date();
    try { fs.utimesSync(dir, now, now); } catch { /* pruned meanwhile: copying will fail loudly */ }
    return dir;
  }
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-api-building-'));
  tempDirs.add(build);
  initDatabase({ db: path.join(build, 'h.db'), keyFile: path.join(build, 'h.key'), demo, adminEmail, adminPassword });
  fs.writeFileSync(path.join(build, 'ready'), `${bin}\n`);
  try {
    fs.renameSync(build, dir);
    tempDirs.delete(build);
  } catch {
    // Another test process finished the same template first; use theirs.
  }
  pruneTemplates(TEMPLATE_PREFIX + id);
  return fs.existsSync(path.join(dir, 'ready')) ? dir : build;
}

/**
 * The PostgreSQL counterpart of templateDir: a template database made by
 * init (+ demo) on the HEARTH_TEST_PG_URL server, paired with a directory
 * holding the key file and the key store (hearth.keystore.db, which stays
 * SQLite beside the key file). The directory names its database in
 * TEMPLATE_DB_MARKER; both are built privately and the directory is renamed
 * into place, so parallel test processes agree on one pair (a loser drops
 * its own database). Each server then gets CREATE DATABASE ... TEMPLATE and
 * a copy of the directory. Returns {dir, database}.
 */
function pgTemplate({ demo, adminEmail, adminPassword }) {
  const server = pgServerId();
  const id = crypto.createHash('sha256')
    .update(JSON.stringify([...binaryId(), demo, adminEmail, adminPassword, server]))
    .digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), PG_TEMPLATE_PREFIX + id);
  const readTemplate = (d) => {
    const [srv, database] = fs.readFileSync(path.join(d, TEMPLATE_DB_MARKER), 'utf8').trim().split('\n');
    return srv === server ? { dir: d, database } : null;
  };
  if (fs.existsSync(path.join(dir, 'ready'))) {
    const t = readTemplate(dir);
    if (t && pgDatabaseExists(t.database)) {
      const now = new Date();
      try { fs.utimesSync(dir, now, now); } catch { /* pruned meanwhile */ }
      return t;
    }
    // A template of a PostgreSQL server that is gone (a new throwaway server
    // on the same port): build it again.
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* raced */ }
  }
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-api-pgbuilding-'));
  tempDirs.add(build);
  const database = `hearth_tmpl_${id}_${crypto.randomBytes(4).toString('hex')}`;
  psql(process.env.HEARTH_TEST_PG_URL, `CREATE DATABASE ${database}`);
  try {
    initDatabase({ db: pgUrl(database), keyFile: path.join(build, 'h.key'), demo, adminEmail, adminPassword });
  } catch (e) {
    dropPgDatabases([database]);
    throw e;
  }
  fs.writeFileSync(path.join(build, TEMPLATE_DB_MARKER), `${server}\n${database}\n`);
  fs.writeFileSync(path.join(build, 'ready'), `${binaryId()[0]}\n`);
  let won = false;
  try {
    fs.renameSync(build, dir);
    tempDirs.delete(build);
    won = true;
  } catch {
    // Another test process finished the same template first; use theirs.
  }
  pruneTemplates(PG_TEMPLATE_PREFIX + id);
  if (won) return { dir, database };
  const theirs = fs.existsSync(path.join(dir, 'ready')) ? readTemplate(dir) : null;
  if (theirs) {
    dropPgDatabases([database]);
    return theirs;
  }
  pgDatabases.add(database); // ours is used from the private directory; drop it at exit
  return { dir: build, database };
}

async function spawnServer({ dir, db, keyFile, port, env, args, threads, startTimeoutMs, adminPassword }) {
  const listen = `127.0.0.1:${port}`;
  const argv = ['serve', '--db', db, '--key-file', keyFile, '--listen', listen,
    ...(threads ? ['--threads', String(threads)] : []), ...args];
  const proc = spawn(HEARTH_BIN, argv, {
    // Emails without SMTP go to the test's own directory (on PostgreSQL the
    // default would be ./data/mail under the current directory).
    env: { ...process.env, HEARTH_MAIL_DIR: path.join(dir, 'mail'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveProcs.add(proc);
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      liveProcs.delete(proc);
      resolve({ code, signal });
    });
  });
  let exitInfo = null;
  exited.then((x) => { exitInfo = x; });

  const url = `http://${listen}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitInfo) {
      await Promise.all([streamEnd(proc.stdout), streamEnd(proc.stderr)]);
      throw new Error(`hearth serve exited (${exitInfo.code ?? exitInfo.signal}) before answering\nstderr:\n${err}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/health`, { headers: { Connection: 'close' }, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      throw new Error(`hearth serve did not answer ${url}/api/v1/health within ${startTimeoutMs} ms\nstderr:\n${err}`);
    }
    await sleep(50);
  }

  let stopping;
  const stop = ({ timeoutMs = 15_000 } = {}) => {
    stopping ??= (async () => {
      if (!exitInfo) proc.kill('SIGTERM');
      let timer;
      const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`hearth serve did not exit within ${timeoutMs} ms of SIGTERM\nstderr:\n${tail(err)}`);
      }
      // Let the pipes drain so a late sanitizer report is not missed.
      await Promise.all([streamEnd(proc.stdout), streamEnd(proc.stderr)]);
      const marker = sanitizerReport(err);
      if (marker) throw new Error(`hearth serve printed a sanitizer report (${marker}):\n${err}`);
      if (first.code !== 0) {
        throw new Error(`hearth serve exited with ${first.code ?? first.signal} instead of 0 after SIGTERM\nstderr:\n${tail(err)}`);
      }
      return first;
    })();
    return stopping;
  };

  return {
    url,
    port,
    dir,
    db,
    keyFile,
    proc,
    adminPassword,
    stdout: () => out,
    stderr: () => err,
    stop,
    /** Resolves with {code, signal} when the process exits. */
    exited,
  };
}

function streamEnd(stream) {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

function tail(text, n = 60) {
  return text.split('\n').slice(-n).join('\n');
}

// --- HTTP ---

/**
 * Sends one request with node:http, byte for byte: the path is not
 * normalised (so /../ and %2e%2e reach the server as written) and a client
 * address can be chosen (any 127.x.y.z), which gives each test its own login
 * throttle bucket. Returns the same shape as Client#request.
 */
export function rawRequest(base, { method = 'GET', path: reqPath = '/', headers = {}, body, localAddress, timeoutMs = 30_000 } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      method,
      path: reqPath,
      headers,
      localAddress,
      agent: false,
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        resolve(makeResponse(res.statusCode, h, Buffer.concat(chunks)));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${reqPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function makeResponse(status, headers, buf) {
  const text = buf.toString('utf8');
  const ct = headers.get('content-type') || '';
  let json;
  if (/^application\/(problem\+)?json\b/i.test(ct) && text.length) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  return { status, headers, json, text, body: buf };
}

/** The value a browser would keep for a cookie after a Set-Cookie list
 * (the last one wins), or undefined when it is absent or cleared. */
function cookieFrom(setCookies, name) {
  let value;
  for (const sc of setCookies) {
    const [pair] = sc.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) value = pair.slice(eq + 1).trim();
  }
  return value || undefined;
}

/**
 * Speaks the API like the web UI: JSON bodies, the session cookie from
 * login, and the X-CSRF-Token header on state-changing requests.
 *
 * Requests send `Connection: close` unless keepAlive is set: hearth serve
 * (CivetWeb) gives each connection a worker thread, and an idle keep-alive
 * connection holds its worker for up to 5 s, so with --threads 8 a test that
 * fans out would queue behind its own idle connections, and SIGTERM would
 * wait for them too.
 */
export class Client {
  /**
   * @param {string} base e.g. server.url
   * @param {{localAddress?: string, bearer?: string}} [opts] localAddress
   *   sends from that loopback address (node:http instead of fetch); bearer
   *   sends Authorization: Bearer on every request; keepAlive reuses
   *   connections (see above).
   */
  constructor(base, { localAddress, bearer, keepAlive = false } = {}) {
    this.base = base.replace(/\/$/, '');
    this.localAddress = localAddress;
    this.bearer = bearer;
    this.keepAlive = keepAlive;
    this.cookie = undefined; // "hearth_session=..."
    this.csrf = undefined;
    this.user = undefined;
  }

  /** POST /api/v1/auth/login; on 200 keeps the cookie and CSRF token. Returns the response. */
  async login(email, password) {
    const res = await this.request('POST', '/api/v1/auth/login', { body: { email, password }, csrf: false });
    if (res.status === 200) {
      const token = cookieFrom(res.headers.getSetCookie(), 'hearth_session');
      assert.ok(token, `login as ${email} set no hearth_session cookie`);
      this.cookie = `hearth_session=${token}`;
      this.csrf = res.json.csrf_token;
      this.user = res.json.user;
    }
    return res;
  }

  /** Like login but fails unless it answered 200. */
  async loginOk(email, password) {
    const res = await this.login(email, password);
    assert.equal(res.status, 200, `login as ${email} failed: ${res.status} ${res.text}`);
    return this;
  }

  /** Forgets the session (does not tell the server). */
  forget() {
    this.cookie = this.csrf = this.user = undefined;
  }

  /**
   * Sends a request.
   *   body     an object: JSON-encoded with Content-Type application/json
   *   raw      a Buffer or string sent exactly as given (set Content-Type in headers)
   *   headers  extra headers (override the defaults)
   *   csrf     add X-CSRF-Token on non-GET requests when logged in (default true)
   *   cookie   false to send no session cookie
   * Returns {status, headers (a Headers), json, text, body (Buffer)}.
   */
  async request(method, reqPath, { body, raw, headers = {}, csrf = true, cookie = true } = {}) {
    const h = {};
    if (!this.keepAlive) h.Connection = 'close';
    if (this.cookie && cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (csrf && this.csrf && !['GET', 'HEAD', 'OPTIONS'].includes(method)) h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (raw !== undefined) {
      payload = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body), 'utf8');
      h['Content-Type'] = 'application/json';
    }
    Object.assign(h, headers);
    for (const k of Object.keys(h)) if (h[k] === undefined || h[k] === null) delete h[k];

    if (this.localAddress) {
      if (payload !== undefined) h['Content-Length'] = String(payload.length);
      return rawRequest(this.base, { method, path: reqPath, headers: h, body: payload, localAddress: this.localAddress });
    }
    const res = await fetch(this.base + reqPath, {
      method,
      headers: h,
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    return makeResponse(res.status, res.headers, Buffer.from(await res.arrayBuffer()));
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, body, opts) { return this.request('POST', p, { ...opts, body }); }
  patch(p, body, opts) { return this.request('PATCH', p, { ...opts, body }); }
  delete(p, opts) { return this.request('DELETE', p, opts); }
}

/** A logged-in client for one of DEMO_USERS (or any {email, password}). */
export async function loginAs(base, user, opts) {
  return new Client(base, opts).loginOk(user.email, user.password);
}

/** Logs in every demo role at once; returns {role: Client}. */
export async function loginAllRoles(base) {
  const clients = await Promise.all(DEMO_USERS.map((u) => loginAs(base, u)));
  return Object.fromEntries(DEMO_USERS.map((u, i) => [u.role, clients[i]]));
}

/**
 * Asserts an RFC 9457 problem: Content-Type application/problem+json,
 * numeric status equal to the HTTP status, a title and a detail. Optional:
 * field (the `field` member), detail (substring or RegExp).
 */
export function assertProblem(res, status, { field, detail, context = '' } = {}) {
  const where = `${context ? `${context}: ` : ''}got ${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, where);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json/, `${where} (content-type)`);
  assert.ok(res.json && typeof res.json === 'object', `${where} (body is not JSON)`);
  assert.equal(res.json.status, status, `${where} (problem status member)`);
  assert.equal(typeof res.json.title, 'string', `${where} (title)`);
  assert.ok(res.json.title.length > 0, `${where} (empty title)`);
  assert.equal(typeof res.json.detail, 'string', `${where} (detail)`);
  assert.ok(res.json.detail.length > 0, `${where} (empty detail)`);
  if (field !== undefined) {
    assert.equal(res.json.field, field, `${where} (field member)`);
    assert.ok(res.json.detail.includes(field), `${where} (detail does not mention ${field})`);
  }
  if (detail instanceof RegExp) assert.match(res.json.detail, detail, where);
  else if (detail !== undefined) assert.ok(res.json.detail.includes(detail), `${where} (detail should include "${detail}")`);
  return res.json;
}

/** Waits until pred(server.stderr()) is true (log lines are written after the response). */
export async function waitForLog(server, pred, { timeoutMs = 5000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!pred(server.stderr())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Parsed JSON log lines from a server's stderr (non-JSON lines skipped). */
export function logLines(server) {
  return server.stderr().split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; }
  });
}

/** Runs the sqlite3 command-line shell on a database file; returns stdout. */
export function sqlite(dbFile, sql) {
  const r = spawnSync('sqlite3', ['-batch', '-bail', dbFile], { input: sql, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`sqlite3 ${dbFile} failed (${r.status}): ${r.stderr}\nSQL: ${sql}`);
  return r.stdout;
}

// --- the database backend: SQLite files or PostgreSQL databases ---

/** 'postgres' when HEARTH_TEST_PG_URL is set (fresh servers run on PostgreSQL), else 'sqlite'. */
export function backend() {
  return process.env.HEARTH_TEST_PG_URL ? 'postgres' : 'sqlite';
}

/** True for a postgres:// or postgresql:// URI. */
export function isPgUrl(db) {
  return typeof db === 'string' && /^postgres(ql)?:\/\//.test(db);
}

/** True when the server (or a db path/URI) is on PostgreSQL. */
export function isPg(serverOrDb) {
  return isPgUrl(typeof serverOrDb === 'string' ? serverOrDb : serverOrDb?.db);
}

/** Runs psql -At on a URI; returns stdout, throws on any error. */
export function psql(url, sql, { timeoutMs = 60_000 } = {}) {
  const r = spawnSync('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}\nSQL: ${sql}`);
  return r.stdout;
}

/** The URI of database `name` on the HEARTH_TEST_PG_URL server. */
export function pgUrl(name) {
  const u = new URL(process.env.HEARTH_TEST_PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The database name in a postgres:// URI. */
export function pgDatabaseName(url) {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function pgServerId() {
  const u = new URL(process.env.HEARTH_TEST_PG_URL);
  return `${u.username}@${u.hostname}:${u.port || 5432}`;
}

function pgDatabaseExists(name) {
  return psql(process.env.HEARTH_TEST_PG_URL, `SELECT 1 FROM pg_database WHERE datname = '${name}'`).trim() === '1';
}

/**
 * Creates a database on the HEARTH_TEST_PG_URL server (a copy of template,
 * if given) and returns its URI; it is dropped when the test process exits
 * (unless HEARTH_TEST_KEEP=1). CREATE DATABASE ... TEMPLATE needs the
 * template to have no connections: it is retried for a few seconds while
 * the connections of a server that just stopped go away.
 */
export function createPgDatabase({ template, prefix = 'hearth_t' } = {}) {
  assert.ok(process.env.HEARTH_TEST_PG_URL, 'createPgDatabase needs HEARTH_TEST_PG_URL');
  const name = `${prefix}_${process.pid}_${crypto.randomBytes(5).toString('hex')}`;
  const sql = `CREATE DATABASE ${name}${template ? ` TEMPLATE "${template}"` : ''}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      psql(process.env.HEARTH_TEST_PG_URL, sql);
      break;
    } catch (e) {
      if (!/being accessed by other users/.test(e.message) || Date.now() > deadline) {
        if (/being accessed by other users/.test(e.message)) {
          throw new Error(`${e.message}\n(stop every server on ${template} before copying it)`);
        }
        throw e;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  pgDatabases.add(name);
  return pgUrl(name);
}

/** Drops databases on the HEARTH_TEST_PG_URL server, best effort. */
function dropPgDatabases(names) {
  if (!names.length || !process.env.HEARTH_TEST_PG_URL) return;
  const args = [process.env.HEARTH_TEST_PG_URL, '-X', '-q'];
  for (const n of names) args.push('-c', `DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
  spawnSync('psql', args, { encoding: 'utf8', timeout: 60_000 });
  for (const n of names) pgDatabases.delete(n);
}

/**
 * Runs SQL on a server's database (or a db path/URI): sqlite3 -batch for a
 * file, psql -At for PostgreSQL. Returns stdout (one row per line, columns
 * separated by '|' on both).
 */
export function dbQuery(serverOrDb, sql) {
  const db = typeof serverOrDb === 'string' ? serverOrDb : serverOrDb.db;
  return isPgUrl(db) ? psql(db, sql) : sqlite(db, sql);
}

/**
 * A copy of a server's current database (or of a db path/URI): a new file
 * with its WAL for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL.
 * Stop the server first: a SQLite copy of a live file can be torn, and
 * PostgreSQL refuses to copy a database that has connections. Returns the
 * new path or URI (dropped/removed when the test process exits).
 */
export function cloneDb(serverOrDb) {
  const db = typeof serverOrDb === 'string' ? serverOrDb : serverOrDb.db;
  if (isPgUrl(db)) return createPgDatabase({ template: pgDatabaseName(db), prefix: 'hearth_clone' });
  const dst = path.join(tempDir('hearth-clone-'), path.basename(db));
  fs.copyFileSync(db, dst);
  for (const ext of ['-wal', '-shm']) if (fs.existsSync(db + ext)) fs.copyFileSync(db + ext, dst + ext);
  return dst;
}

/**
 * Like runCli but does not block the event loop (requests in flight keep
 * going while the command runs). Resolves {code, signal, stdout, stderr};
 * rejects on a sanitizer report (unless allowSanitizer).
 */
export function runCliAsync(args, { input, env = {}, cwd, timeoutMs = 60_000, allowSanitizer = false } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(HEARTH_BIN, args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    liveProcs.add(proc);
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); liveProcs.delete(proc); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      liveProcs.delete(proc);
      const marker = sanitizerReport(err);
      if (marker && !allowSanitizer) {
        reject(new Error(`hearth ${args.join(' ')} printed a sanitizer report (${marker}):\n${err}`));
        return;
      }
      resolve({ code, signal, stdout: out, stderr: err });
    });
    proc.stdin.on('error', () => { /* exited before reading its input */ });
    proc.stdin.end(input ?? '');
  });
}

/** A string unique within this run, for names and emails. */
let uniq = 0;
export function unique(prefix = 'x') {
  uniq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${uniq}`;
}
