// Modules meet only through headers (DESIGN.md): auth's tables are read and
// written only by src/auth (others call auth.h), people's only by src/people
// (people.h), programmes' only by src/programs (programs.h), the audit log's
// only by src/audit (audit.h). This reads every SQL string literal under src/
// (adjacent literals joined, comments left out) and names each table of
// another module it mentions. The known exceptions are listed below with
// their reason and their number of statements: a new one fails, and so does
// an entry that is no longer needed, so the list can only shrink.
// (A source check: it starts no server and runs the same on both backends.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Which module owns each table (src/<module>/). Every table the migrations
 * create must be here, so a new table is given an owner. */
const OWNERS = {
  auth: ['users', 'sessions', 'api_tokens', 'organisations', 'memberships', 'login_throttle', 'settings'],
  audit: ['audit_log', 'audit_head', 'audit_pending'],
  people: ['participants', 'participant_orgs', 'consents', 'consent_texts', 'account_codes',
    'sharing_agreements', 'erasure_requests', 'account_links'],
  programs: ['programmes', 'programme_sessions', 'programme_team', 'venues', 'roster', 'training_records',
    'enrolments', 'attendance', 'supports', 'followups', 'calendar_tokens', 'listening_rounds',
    'listening_responses', 'themes', 'theme_votes', 'decisions', 'decision_links'],
  messages: ['messages', 'events', 'message_prefs'],
};

/** Statements of one module (the first folder under src/, or a file such as
 * main.c) that name another module's table: `reader -> owner.table: count`.
 * Each entry says why it is still there and what would remove it. */
const ALLOWED = {
  // Infrastructure, not a module: restore recognises a Hearth database by the
  // names of its tables (one sqlite_schema query); it reads no rows.
  'db -> auth.users': [1, 'db/restore.c: is this a Hearth database? (table names only)'],
  'db -> auth.organisations': [1, 'db/restore.c: is this a Hearth database? (table names only)'],
  'db -> audit.audit_log': [1, 'db/restore.c: is this a Hearth database? (table names only)'],
  'db -> people.participants': [1, 'db/restore.c: is this a Hearth database? (table names only)'],
};

/** String literals of C source, adjacent ones joined: [{line, text}]. */
function stringLiterals(src) {
  const out = [];
  const rx = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])+'|\s+|[^"'/\s]+|./g;
  let cur = null;
  for (const m of src.matchAll(rx)) {
    const t = m[0];
    if (t.startsWith('"')) {
      if (!cur) cur = { line: src.slice(0, m.index).split('\n').length, text: '' };
      cur.text += t.slice(1, -1);
    } else if (/^\s+$/.test(t) || t.startsWith('//') || t.startsWith('/*')) {
      continue;
    } else if (cur) {
      out.push(cur);
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function sourceFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

const SQL = /\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH)\b/;

/** `reader -> owner.table` -> [{file, line, sql}] for every crossing. */
function crossings() {
  const owner = new Map();
  for (const [mod, tables] of Object.entries(OWNERS)) for (const t of tables) owner.set(t, mod);
  const found = new Map();
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const rel = path.relative(path.join(ROOT, 'src'), file);
    const reader = rel.includes(path.sep) ? rel.split(path.sep)[0] : rel.replace(/\.[ch]$/, '');
    for (const { line, text } of stringLiterals(fs.readFileSync(file, 'utf8'))) {
      if (!SQL.test(text)) continue;
      for (const [table, mod] of owner) {
        if (mod === reader || !new RegExp(`\\b${table}\\b`).test(text)) continue;
        const key = `${reader} -> ${mod}.${table}`;
        if (!found.has(key)) found.set(key, []);
        found.get(key).push({ file: rel, line, sql: text.slice(0, 160) });
      }
    }
  }
  return found;
}

describe('modules meet only through headers', () => {
  test('every table the migrations create has an owning module', () => {
    const dir = path.join(ROOT, 'src/db/migrations');
    const owned = new Set(Object.values(OWNERS).flat());
    const created = new Set();
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
      for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)) {
        created.add(m[1]);
      }
    }
    const orphans = [...created].filter((t) => !owned.has(t) && t !== 'schema_migrations');
    assert.deepEqual(orphans, [], 'tables without an owner in OWNERS');
    assert.ok(created.size >= 30, `the migrations were read (${created.size} tables)`);
  });

  test('the SQL scanner sees joined literals and skips comments', () => {
    const lits = stringLiterals('/* "SELECT 1 FROM users" */\nstatic const char Q[] =\n  "SELECT a FROM x"\n  " JOIN users u";\n// "DELETE FROM sessions"\nf("hi");');
    assert.deepEqual(lits, [{ line: 3, text: 'SELECT a FROM x JOIN users u' }, { line: 6, text: 'hi' }]);
  });

  test('the HTTP edge holds no SQL and no hand-written rollback; no logic file includes http.h', () => {
    const problems = [];
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const rel = path.relative(ROOT, file);
      const src = fs.readFileSync(file, 'utf8');
      const edge = /_http\.[ch]$/.test(file) || /^src\/http\//.test(rel);
      if (/_http\.c$/.test(file)) {
        for (const { line, text } of stringLiterals(src)) {
          if (/^\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH)\b/.test(text)) problems.push(`${rel}:${line}: SQL in the edge: ${text.slice(0, 80)}`);
        }
        if (/\bdb_rollback\s*\(/.test(src.replace(/\/\*[\s\S]*?\*\//g, ''))) problems.push(`${rel}: db_rollback in the edge (use its module's one exit or req_rollback)`);
      }
      const logic = /^src\/(people|programs|auth|audit)\//.test(rel) && !edge;
      if (logic && /#include "http\/http\.h"/.test(src)) problems.push(`${rel}: logic includes http/http.h`);
    }
    assert.deepEqual(problems, []);
  });

  test("no module's SQL names another module's table beyond the allow-list, and the list has no stale entry", () => {
    const found = crossings();
    const problems = [];
    for (const [key, uses] of found) {
      const allowed = ALLOWED[key]?.[0] ?? 0;
      if (uses.length > allowed) {
        problems.push(`${key}: ${uses.length} statement(s), ${allowed} allowed — call the owner's header instead:\n`
          + uses.map((u) => `    ${u.file}:${u.line}: ${u.sql}`).join('\n'));
      } else if (uses.length < allowed) {
        problems.push(`${key}: only ${uses.length} statement(s) now; lower its entry in ALLOWED to ${uses.length}`);
      }
    }
    for (const key of Object.keys(ALLOWED)) {
      if (!found.has(key)) problems.push(`${key}: no longer needed; remove it from ALLOWED`);
    }
    assert.deepEqual(problems, []);
  });
});
