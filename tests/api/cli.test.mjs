// The command line (help, usage errors, init, user add, backup), a second
// node on the same database, and graceful shutdown.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Client, ROOT_ADMIN, assertProblem, loginAs, runCli, sleep, sqlite, startServer, tempDir,
} from './harness.mjs';

let server;

before(async () => {
  server = await startServer({ demo: false });
});

after(async () => {
  await server?.stop();
});

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('help and usage errors', () => {
  test('hearth --help and -h print usage to stdout and exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = runCli([flag]);
      assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: hearth COMMAND/);
      for (const cmd of ['serve', 'init', 'demo', 'user add', 'backup OUT', 'audit verify', 'routes']) {
        assert.ok(r.stdout.includes(cmd), `${flag} mentions ${cmd}`);
      }
      assert.equal(r.stderr, '');
    }
  });

  test('hearth --version and -V print "hearth X.Y.Z"', () => {
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^hearth \d+\.\d+\.\d+\n$/);
    }
  });

  test('unknown commands, bad flags and missing arguments exit 2 with usage on stderr', () => {
    const cases = [
      [['bogus'], /unknown command "bogus"/],
      [[], /a command is needed/],
      [['serve', '--bad-flag'], /--bad-flag/],
      [['serve', '--threads', '0'], /--threads/],
      [['serve', '--threads', 'many'], /--threads/],
      [['serve', '--max-body', '10'], /--max-body/],
      [['serve', 'extra-arg'], /unexpected argument "extra-arg"/],
      [['user'], /user needs a subcommand/],
      [['user', 'remove'], /unknown command "remove"/],
      [['audit', 'frobnicate'], /unknown command "frobnicate"/],
      [['backup'], /backup needs exactly one output path/],
      [['backup', 'a', 'b'], /backup needs exactly one output path/],
      [['user', 'add', '--email', 'x@example.org'], /needs --email and --role/],
      [['user', 'add', '--email', 'x@example.org', '--role', 'overlord'], /unknown role "overlord"/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args);
      const what = `hearth ${args.join(' ')}`;
      assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, re, what);
      assert.match(r.stderr, /Usage: hearth COMMAND/, `${what}: usage on stderr`);
      assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    }
  });

  test('an invalid --admin-email or --email exits 2 without creating anything', () => {
    const dir = tempDir();
    const r = runCli(['init', '--db', path.join(dir, 'h.db'), '--key-file', path.join(dir, 'h.key'), '--admin-email', 'not-an-email']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(fs.readdirSync(dir), [], 'no key file or database was created');
  });
});

describe('hearth init', () => {
  test('creates a 0600 key file, a database and the admin; refuses to run again and leaves the key file unchanged', () => {
    const dir = tempDir();
    const db = path.join(dir, 'h.db');
    const key = path.join(dir, 'h.key');
    const r = runCli(['init', '--db', db, '--key-file', key, '--admin-email', 'First@Example.org']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(key).mode & 0o777, 0o600, 'key file mode');
    const pw = r.stdout.match(/Password \(shown only now\): (\S+)/);
    assert.ok(pw && pw[1].length >= 12, `a generated password is printed once: ${r.stdout}`);
    assert.equal(sqlite(db, "SELECT email FROM users;").trim(), 'first@example.org', 'the admin email is stored lower-case');
    assert.equal(sqlite(db, "SELECT role FROM memberships;").trim(), 'admin');

    const before_ = sha256(key);
    const mtime = fs.statSync(key).mtimeMs;
    const again = runCli(['init', '--db', db, '--key-file', key, '--admin-email', 'other@example.org', '--password-stdin'],
      { input: 'another-long-password\n' });
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(again.stderr, /already exists; refusing to overwrite/);
    assert.equal(sha256(key), before_, 'key file unchanged');
    assert.equal(fs.statSync(key).mtimeMs, mtime);
    assert.equal(sqlite(db, 'SELECT count(*) FROM users;').trim(), '1', 'no second admin');
  });

  test('init with a too-short --password-stdin fails before creating the key file, so it can be rerun', () => {
    const dir = tempDir();
    const db = path.join(dir, 'h.db');
    const key = path.join(dir, 'h.key');
    const r = runCli(['init', '--db', db, '--key-file', key, '--admin-email', 'a@example.org', '--password-stdin'], { input: 'short\n' });
    assert.notEqual(r.code, 0);
    assert.ok(!fs.existsSync(key), 'no key file left behind');
    const again = runCli(['init', '--db', db, '--key-file', key, '--admin-email', 'a@example.org', '--password-stdin'], { input: 'long-enough-password\n' });
    assert.equal(again.code, 0, again.stderr);
  });
});

describe('hearth user add', () => {
  const email = 'x@example.org';
  const password = 'x-user-password-123';

  test('creates the organisation and the user while the server runs; the user can log in', async () => {
    const r = runCli(['user', 'add', '--email', email, '--role', 'coordinator', '--org', 'New Org', '--password-stdin',
      '--db', server.db, '--key-file', server.keyFile], { input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created x@example\.org with role coordinator in "New Org"/);
    const c = new Client(server.url);
    const res = await c.login(email, password);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.user.memberships.map((m) => [m.organisation, m.kind, m.role]), [['New Org', 'arts', 'coordinator']]);
    const orgs = await c.get('/api/v1/organisations');
    assert.equal(orgs.status, 200, 'a coordinator may list organisations');
    assert.ok(orgs.json.items.some((o) => o.name === 'New Org'));
  });

  test('adding the same role again exits 1; another role is added with the password unchanged', async () => {
    const dup = runCli(['user', 'add', '--email', email, '--role', 'coordinator', '--org', 'New Org', '--password-stdin',
      '--db', server.db, '--key-file', server.keyFile], { input: 'ignored-password-1\n' });
    assert.equal(dup.code, 1, dup.stdout);
    assert.match(dup.stderr, /already has the role coordinator/);
    const more = runCli(['user', 'add', '--email', email, '--role', 'funder', '--org', 'New Org', '--password-stdin',
      '--db', server.db, '--key-file', server.keyFile], { input: 'ignored-password-2\n' });
    assert.equal(more.code, 0, more.stderr);
    assert.match(more.stdout, /password unchanged/);
    const res = await new Client(server.url).login(email, password);
    assert.equal(res.status, 200, 'the old password still works');
    assert.deepEqual(res.json.user.memberships.map((m) => m.role).sort(), ['coordinator', 'funder']);
  });
});

describe('hearth backup', () => {
  test('options may follow OUT ("hearth backup OUT --db ...", as the usage line suggests)', () => {
    const out = path.join(tempDir(), 'order.db');
    const r = runCli(['backup', out, '--db', server.db, '--key-file', server.keyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(out));
  });

  test('copies the database while serving; the copy has the same users, passes integrity and audit checks, and is 0600', async () => {
    const admin = await loginAs(server.url, ROOT_ADMIN);
    // Writes in flight while the backup runs.
    const writes = Promise.all(Array.from({ length: 5 }, (_, i) =>
      admin.post('/api/v1/organisations', { name: `Backup Org ${i}`, kind: 'partner' })));
    const out = path.join(tempDir(), 'backup.db');
    const r = runCli(['backup', '--db', server.db, '--key-file', server.keyFile, out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Backed up/);
    for (const w of await writes) assert.equal(w.status, 201, w.text);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const q = 'SELECT id, email, display_name, password_hash, disabled FROM users ORDER BY id;';
    assert.equal(sqlite(out, q), sqlite(server.db, q), 'users rows are identical');
    assert.equal(sqlite(out, 'PRAGMA integrity_check;').trim(), 'ok');
    const v = runCli(['audit', 'verify', '--db', out, '--key-file', server.keyFile]);
    assert.equal(v.code, 0, v.stdout + v.stderr);

    const sum = sha256(out);
    const again = runCli(['backup', '--db', server.db, '--key-file', server.keyFile, out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; refusing to overwrite/);
    assert.equal(sha256(out), sum, 'the existing file is unchanged');
  });
});

describe('a second node and shutdown', () => {
  test('a second server on the same database shares sessions with the first', async () => {
    const node2 = await startServer({ dir: server.dir });
    try {
      assert.equal(node2.db, server.db);
      assert.notEqual(node2.url, server.url);
      const a = await loginAs(server.url, ROOT_ADMIN);
      const b = new Client(node2.url);
      b.cookie = a.cookie;
      b.csrf = a.csrf;
      const me = await b.get('/api/v1/auth/me');
      assert.equal(me.status, 200, 'a session from node 1 works on node 2');
      assert.equal(me.json.user.email, ROOT_ADMIN.email);
      const out = await b.request('POST', '/api/v1/auth/logout');
      assert.equal(out.status, 204, 'the CSRF token from node 1 is valid on node 2 (same key file)');
      assertProblem(await a.get('/api/v1/auth/me'), 401);
    } finally {
      await node2.stop();
    }
  });

  test('SIGTERM: the server exits 0 within a few seconds and stops listening', async () => {
    const node = await startServer({ dir: server.dir });
    assert.equal((await new Client(node.url).get('/api/v1/health')).status, 200);
    const t0 = Date.now();
    const { code } = await node.stop(); // throws unless exit code 0 and no sanitizer report
    assert.equal(code, 0);
    const took = Date.now() - t0;
    // About 2 s normally (CivetWeb's poll quantum); generous for loaded machines.
    assert.ok(took < 10_000, `exited ${took} ms after SIGTERM:\n${node.stderr().split('\n').slice(-5).join('\n')}`);
    assert.match(node.stderr(), /received SIGTERM/);
    assert.match(node.stderr(), /"stopped"/);
    await assert.rejects(fetch(`${node.url}/api/v1/health`), 'nothing listens after shutdown');
  });

  test('a request in flight at SIGTERM still gets its response', async () => {
    const node = await startServer({ dir: server.dir });
    try {
      const c = new Client(node.url);
      const inflight = c.login(ROOT_ADMIN.email, ROOT_ADMIN.password); // Argon2id: tens of ms of work
      await sleep(15);
      node.proc.kill('SIGTERM');
      const res = await inflight;
      assert.equal(res.status, 200, `the login in flight completed: ${res.status} ${res.text}`);
    } finally {
      await node.stop();
    }
  });
});
