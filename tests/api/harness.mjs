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
//   HEARTH_TEST_KEEP  set to 1 to keep the temporary directories
//   HEARTH_TEST_NO_TEMPLATE  set to 1 to run `hearth init`/`demo` for every
//                     server instead of copying a per-binary template
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
process.on('exit', () => {
  for (const p of liveProcs) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.HEARTH_TEST_KEEP === '1') return;
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
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
 *             file already exists
 *   dbUrl     database to use instead of DIR/h.db (e.g. postgres://...)
 *   keyFile   key file instead of DIR/h.key
 *   threads   worker threads (default 8)
 *   adminEmail, adminPassword  the first admin created by init
 * Returns {url, port, dir, db, keyFile, proc, stderr(), stdout(), stop()}.
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
  const db = dbUrl ?? path.join(dir, 'h.db');
  const defaultKey = !keyFile;
  keyFile = keyFile ?? path.join(dir, 'h.key');
  if (!fs.existsSync(keyFile)) {
    if (fresh && !dbUrl && defaultKey && process.env.HEARTH_TEST_NO_TEMPLATE !== '1') {
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

function initDatabase({ db, keyFile, demo, adminEmail, adminPassword }) {
  runCliOk(['init', '--db', db, '--key-file', keyFile, '--admin-email', adminEmail, '--password-stdin'],
    { input: `${adminPassword}\n` });
  if (demo) runCliOk(['demo', '--db', db, '--key-file', keyFile]);
}

/** Copies what init left in a directory (h.db and its WAL, h.key, and any
 * file the server keeps beside them, such as the key store) with the same
 * modes. SQLite's -shm files are rebuilt on open and are not copied. */
function copyDatabase(from, to) {
  for (const f of fs.readdirSync(from)) {
    const src = path.join(from, f);
    const st = fs.statSync(src);
    if (!st.isFile() || f === 'ready' || f.endsWith('-shm')) continue;
    fs.copyFileSync(src, path.join(to, f));
    fs.chmodSync(path.join(to, f), st.mode & 0o777);
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
  const bin = fs.realpathSync(HEARTH_BIN);
  const st = fs.statSync(bin);
  const id = crypto.createHash('sha256')
    .update(JSON.stringify([bin, st.size, st.mtimeMs, demo, adminEmail, adminPassword]))
    .digest('hex').slice(0, 16);
  const prefix = 'hearth-api-template-';
  const dir = path.join(os.tmpdir(), prefix + id);
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
  // Templates of earlier builds are pruned after a day unused.
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(prefix) || name === prefix + id) continue;
    const p = path.join(os.tmpdir(), name);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > 86_400_000) fs.rmSync(p, { recursive: true, force: true });
    } catch { /* someone else pruned it */ }
  }
  return fs.existsSync(path.join(dir, 'ready')) ? dir : build;
}

async function spawnServer({ dir, db, keyFile, port, env, args, threads, startTimeoutMs, adminPassword }) {
  const listen = `127.0.0.1:${port}`;
  const argv = ['serve', '--db', db, '--key-file', keyFile, '--listen', listen, '--threads', String(threads), ...args];
  const proc = spawn(HEARTH_BIN, argv, {
    env: { ...process.env, ...env },
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

/** A string unique within this run, for names and emails. */
let uniq = 0;
export function unique(prefix = 'x') {
  uniq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${uniq}`;
}
