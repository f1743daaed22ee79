// Upgrades (issue 10, "Operations"): a deployment made by a released version
// is migrated forward by this one when it starts. tests/fixtures/schema-NNNN/
// holds, for each released schema NNNN, what that release's binary made with
// `hearth init` + `hearth demo` (tests/fixtures/make-schema-fixture.sh):
// the database as SQL text (a sqlite3 .dump; a pg_dump of a PostgreSQL
// database that release initialised), its key file and its key store. Each
// is loaded into a fresh database of this run's backend and served by the
// current binary: every migration applies, the demo logins work, sealed
// profiles open with the old key store, the audit chain verifies, and the
// upgraded deployment takes new writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, ROOT_ADMIN, backend, createPgDatabase, dbQuery, loginAs, runCliOk, startServer, tempDir, unique,
} from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures');
const PG = backend() === 'postgres';
const COORDINATOR = DEMO_USERS.find((u) => u.role === 'coordinator');
const PARTICIPANT = DEMO_USERS.find((u) => u.role === 'participant');

/** This binary's migrations (their versions, ascending) and the last one. */
const MIGRATIONS = fs.readdirSync(path.join(ROOT, 'src/db/migrations'))
  .map((f) => /^(\d+)_.*\.sql$/.exec(f)).filter(Boolean).map((m) => Number(m[1])).sort((a, b) => a - b);
const CURRENT = MIGRATIONS.at(-1);

/** Every released schema kept as a fixture, oldest first. */
const RELEASED = fs.readdirSync(FIXTURES).filter((d) => /^schema-\d+$/.test(d)).sort();

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Loads a fixture into a new directory and database: {dir, db, keyFile}. */
function loadFixture(name) {
  const from = path.join(FIXTURES, name);
  const kind = PG ? 'pg' : 'sqlite';
  const dir = tempDir();
  const keyFile = path.join(dir, 'h.key');
  fs.copyFileSync(path.join(from, `${kind}.key`), keyFile);
  fs.chmodSync(keyFile, 0o600);
  // The key store's default place: beside the key file.
  run('sqlite3', ['-batch', '-bail', path.join(dir, 'hearth.keystore.db')],
    fs.readFileSync(path.join(from, `${kind}.keystore.sql`), 'utf8'));
  let db;
  if (PG) {
    db = createPgDatabase();
    run('psql', [db, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', path.join(from, 'pg.sql')]);
  } else {
    db = path.join(dir, 'h.db');
    run('sqlite3', ['-batch', '-bail', db], fs.readFileSync(path.join(from, 'sqlite.sql'), 'utf8'));
  }
  return { dir, db, keyFile };
}

const servers = [];
after(async () => {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

test('a fixture is kept for the released schemas', () => {
  assert.ok(RELEASED.length >= 1, 'tests/fixtures/schema-NNNN: none found');
  for (const name of RELEASED) {
    for (const f of ['sqlite.sql', 'sqlite.key', 'sqlite.keystore.sql', 'pg.sql', 'pg.key', 'pg.keystore.sql']) {
      assert.ok(fs.existsSync(path.join(FIXTURES, name, f)), `${name}/${f} is missing`);
    }
    assert.ok(Number(name.slice(7)) <= CURRENT, `${name} is newer than this binary's schema ${CURRENT}`);
  }
});

for (const name of RELEASED) {
  describe(`a ${PG ? 'PostgreSQL' : 'SQLite'} deployment made by the release with ${name}`, () => {
    const released = Number(name.slice(7));
    let fx;
    let server;

    test('it starts, and every migration since is applied', async () => {
      fx = loadFixture(name);
      assert.equal(Number(dbQuery(fx.db, 'SELECT max(version) FROM schema_migrations').trim()), released,
        'the fixture is at its release\'s schema');
      server = await startServer({ dir: fx.dir, dbUrl: fx.db, keyFile: fx.keyFile });
      servers.push(server);
      assert.equal(Number(dbQuery(fx.db, 'SELECT max(version) FROM schema_migrations').trim()), CURRENT);
      const versions = dbQuery(fx.db, 'SELECT version FROM schema_migrations ORDER BY version').trim().split('\n').map(Number);
      assert.deepEqual(versions, MIGRATIONS, 'no migration skipped');
    });

    test('the demo logins and the first admin still log in', async () => {
      for (const u of [...DEMO_USERS, ROOT_ADMIN]) {
        const c = new Client(server.url);
        const res = await c.login(u.email, u.password);
        assert.equal(res.status, 200, `${u.email}: ${res.text}`);
      }
    });

    test('sealed profiles open with the released key store', async () => {
      const staff = await loginAs(server.url, COORDINATOR);
      const sam = await staff.get('/api/v1/participants/1');
      assert.equal(sam.status, 200, sam.text);
      assert.equal(sam.json.name, 'Sam Rivera');
      const found = await staff.get(`/api/v1/participants?name=${encodeURIComponent('Sam Rivera')}`);
      assert.equal(found.status, 200, found.text);
      assert.ok(found.json.items.some((p) => p.id === 1), `the blind index finds her: ${found.text}`);
      const me = await loginAs(server.url, PARTICIPANT);
      const profile = await me.get('/api/v1/me/profile');
      assert.equal(profile.status, 200, profile.text);
      assert.ok(profile.json.name, 'the participant\'s own profile opens');
    });

    test('the upgraded deployment takes new writes, and the audit chain verifies', async () => {
      const staff = await loginAs(server.url, COORDINATOR);
      const orgs = await staff.get('/api/v1/organisations');
      const org = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
      const created = await staff.post('/api/v1/participants', {
        name: unique('After Upgrade'), email: `${unique('up')}@example.org`, organisation_ids: [org],
        consents: [{ purpose: 'participation', granted: true }],
      });
      assert.equal(created.status, 201, created.text);
      const again = await staff.get(`/api/v1/participants/${created.json.id}`);
      assert.equal(again.status, 200, again.text);
      const v = runCliOk(['audit', 'verify', '--db', fx.db, '--key-file', fx.keyFile]);
      assert.match(v.stdout, /audit chain intact/);
    });

    test('a second start applies nothing more', async () => {
      await server.stop();
      const applied = dbQuery(fx.db, 'SELECT count(*) FROM schema_migrations').trim();
      server = await startServer({ dir: fx.dir, dbUrl: fx.db, keyFile: fx.keyFile });
      servers.push(server);
      assert.ok(!/applied migration/.test(server.stderr()), server.stderr());
      assert.equal(dbQuery(fx.db, 'SELECT count(*) FROM schema_migrations').trim(), applied);
    });
  });
}
