// Error statuses and hostile input: every refusal is an RFC 9457
// problem+json, nothing is half-written, and the server keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, assertProblem, loginAs, rawRequest, startServer, unique,
} from './harness.mjs';

let server;
let small; // a server with --max-body 2048
let admin;
let anon;

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');
const PARTICIPANT = DEMO_USERS.find((u) => u.role === 'participant');
const MIB = 1024 * 1024;

before(async () => {
  [server, small] = await Promise.all([
    startServer(),
    startServer({ demo: false, args: ['--max-body', '2048'] }),
  ]);
  admin = await loginAs(server.url, ADMIN);
  anon = new Client(server.url);
});

after(async () => {
  await Promise.all([server?.stop(), small?.stop()]);
});

/** A valid POST /api/v1/users body, as text, for building broken variants. */
function validUser() {
  const u = unique('u');
  return { email: `${u}@example.org`, display_name: `Name ${u}` };
}

describe('request body errors on POST /api/v1/users (logged in as admin)', () => {
  const J = { 'Content-Type': 'application/json' };
  const cases = [
    { name: 'malformed JSON', raw: '{"email": "a@example.org", ', status: 400, detail: /malformed JSON/ },
    { name: 'trailing garbage after the object', raw: '{"email":"a@example.org"} x', status: 400 },
    { name: 'wrong Content-Type text/plain', raw: () => JSON.stringify(validUser()), headers: { 'Content-Type': 'text/plain' }, status: 415 },
    { name: 'no Content-Type', raw: () => JSON.stringify(validUser()), headers: {}, status: 415 },
    { name: 'Content-Type application/jsonp', raw: () => JSON.stringify(validUser()), headers: { 'Content-Type': 'application/jsonp' }, status: 415 },
    { name: 'body over 1 MiB', raw: () => `{"email":"a@example.org"${' '.repeat(MIB)}}`, status: 413 },
    {
      name: 'invalid UTF-8 bytes in a JSON string',
      raw: Buffer.concat([Buffer.from('{"email":"a@example.org","display_name":"bad '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]),
      status: 400,
      detail: /UTF-8/,
    },
    {
      name: 'overlong UTF-8 encoding of "/"',
      raw: Buffer.concat([Buffer.from('{"email":"a@example.org","display_name":"x'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      status: 400,
    },
    {
      name: 'UTF-8 encoded surrogate (CESU)',
      raw: Buffer.concat([Buffer.from('{"email":"a@example.org","display_name":"x'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      status: 400,
    },
    { name: 'lone surrogate escape \\ud800', raw: '{"email":"a@example.org","display_name":"x\\ud800"}', status: 400 },
    { name: 'raw NUL byte in a string', raw: '{"email":"a@example.org","display_name":"a\u0000b"}', status: 400 },
    { name: 'escaped \\u0000 in a string', raw: '{"email":"a@example.org","display_name":"a\\u0000b"}', status: 400 },
    { name: 'number 1e400', raw: '{"email":"a@example.org","display_name":"x","n":1e400}', status: 400 },
    { name: 'integer 123456789012345678901234567890', raw: '{"email":"a@example.org","display_name":"x","n":123456789012345678901234567890}', status: 400 },
    { name: 'NaN literal', raw: '{"email":"a@example.org","display_name":"x","n":NaN}', status: 400 },
    { name: '10000-deep nesting inside an object', raw: `{"email":"a@example.org","deep":${'['.repeat(10000)}${']'.repeat(10000)}}`, status: 400 },
    { name: 'empty body', raw: '', status: 400 },
    { name: 'duplicate keys', raw: () => { const u = validUser(); return `{"email":"${u.email}","display_name":"a","display_name":"b"}`; }, status: 400, detail: /duplicate/ },
    { name: 'top-level array', raw: () => JSON.stringify([validUser()]), status: 400, detail: /object/ },
    { name: 'top-level string', raw: '"hello"', status: 400 },
    { name: 'unknown field', raw: () => JSON.stringify({ ...validUser(), is_admin: true }), status: 400, field: 'is_admin' },
    { name: 'missing required field', raw: () => JSON.stringify({ email: validUser().email }), status: 400, field: 'display_name' },
    { name: 'wrong type for email', raw: () => JSON.stringify({ ...validUser(), email: 5 }), status: 400, field: 'email' },
    { name: 'invalid email', raw: () => JSON.stringify({ ...validUser(), email: 'not-an-email' }), status: 400, field: 'email' },
    { name: 'password shorter than 12', raw: () => JSON.stringify({ ...validUser(), password: 'short' }), status: 400, field: 'password' },
    { name: 'display_name over 200 bytes', raw: () => JSON.stringify({ ...validUser(), display_name: 'x'.repeat(201) }), status: 400, field: 'display_name' },
  ];

  let usersBefore;
  before(async () => {
    const res = await admin.get('/api/v1/users?limit=500');
    assert.equal(res.status, 200);
    usersBefore = res.json.items;
    assert.ok(usersBefore.length >= 9);
  });

  for (const c of cases) {
    test(`${c.name} → ${c.status} problem+json${c.field ? ` naming ${c.field}` : ''}`, async () => {
      const raw = typeof c.raw === 'function' ? c.raw() : c.raw;
      const res = await admin.request('POST', '/api/v1/users', { raw, headers: c.headers ?? J });
      assertProblem(res, c.status, { field: c.field, detail: c.detail, context: c.name });
    });
  }

  test('chunked body over 1 MiB without Content-Length → 413', async () => {
    const res = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/v1/users',
      headers: {
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
        Cookie: admin.cookie,
        'X-CSRF-Token': admin.csrf,
      },
      body: `{"email":"a@example.org"${' '.repeat(MIB + 10)}}`,
    });
    assertProblem(res, 413);
  });

  test('after all that no user was created and the server still answers health', async () => {
    const res = await admin.get('/api/v1/users?limit=500');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.items, usersBefore, 'the users list is unchanged');
    const h = await anon.get('/api/v1/health');
    assert.equal(h.status, 200);
    assert.equal(h.json.status, 'ok');
  });

  test('a valid body in the same shape is accepted (the cases above fail for the stated reason)', async () => {
    const u = validUser();
    const res = await admin.request('POST', '/api/v1/users', {
      raw: JSON.stringify(u),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.email, u.email);
  });
});

describe('routing and access statuses', () => {
  test('unknown route /api/v1/nope → 404 problem+json', async () => {
    assertProblem(await anon.get('/api/v1/nope'), 404);
    assertProblem(await anon.request('POST', '/api/v1/nope', { body: {} }), 404);
    assertProblem(await anon.get('/api/v2/health'), 404);
  });

  test('wrong method → 405 with Allow', async () => {
    const del = await anon.delete('/api/v1/health');
    assertProblem(del, 405);
    assert.equal(del.headers.get('allow'), 'GET');
    const put = await anon.request('PUT', '/api/v1/users', { body: {} });
    assertProblem(put, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const get = await anon.get('/api/v1/auth/login');
    assertProblem(get, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  test('not logged in → 401 on every non-public route', async () => {
    assertProblem(await anon.get('/api/v1/users'), 401);
    assertProblem(await anon.get('/api/v1/auth/me'), 401);
    assertProblem(await anon.post('/api/v1/organisations', { name: 'Nope', kind: 'arts' }), 401);
    // A body that would be refused anyway still gets 401 first.
    assertProblem(await anon.request('POST', '/api/v1/users', { raw: 'x'.repeat(10), headers: { 'Content-Type': 'text/plain' } }), 401);
  });

  test('a made-up session cookie → 401 and the cookie is cleared', async () => {
    const res = await anon.get('/api/v1/auth/me', { headers: { Cookie: 'hearth_session=not-a-real-session-token' } });
    assertProblem(res, 401);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('hearth_session='));
    assert.ok(cleared && /Max-Age=0/.test(cleared), `stale cookie cleared: ${res.headers.getSetCookie()}`);
  });

  test('a made-up bearer token → 401', async () => {
    assertProblem(await anon.get('/api/v1/users', { headers: { Authorization: 'Bearer hth_madeup' } }), 401);
    assertProblem(await anon.get('/api/v1/users', { headers: { Authorization: 'Bearer nonsense' } }), 401);
  });

  test('not allowed → 403', async () => {
    const p = await loginAs(server.url, PARTICIPANT);
    assertProblem(await p.get('/api/v1/users'), 403, { detail: 'user.list' });
    assertProblem(await p.post('/api/v1/organisations', { name: unique('Org'), kind: 'arts' }), 403);
  });

  test('bad path ids → 400 naming id', async () => {
    assertProblem(await admin.patch('/api/v1/users/abc', { display_name: 'x' }), 400, { field: 'id' });
    assertProblem(await admin.patch('/api/v1/users/0', { display_name: 'x' }), 400, { field: 'id' });
    assertProblem(await admin.delete('/api/v1/tokens/-1'), 400, { field: 'id' });
    assertProblem(await admin.delete('/api/v1/memberships/1e3'), 400, { field: 'id' });
    // Checked once in the pipeline, for every route with an {id}.
    assertProblem(await admin.get('/api/v1/participants/x1'), 400, { field: 'id', detail: 'id must be a positive integer' });
    assertProblem(await admin.post('/api/v1/erasure-requests/0/approve'), 400, { field: 'id' });
    assertProblem(await admin.patch('/api/v1/users/99999999', { display_name: 'x' }), 404);
  });

  test('bad query parameters → 400 naming them', async () => {
    assertProblem(await admin.get('/api/v1/users?limit=0'), 400, { field: 'limit' });
    assertProblem(await admin.get('/api/v1/users?limit=501'), 400, { field: 'limit' });
    assertProblem(await admin.get('/api/v1/users?offset=-1'), 400);
  });
});

describe('--max-body on a dedicated server', () => {
  test('a body over --max-body 2048 → 413 naming the limit; one under it is parsed', async () => {
    const c = new Client(small.url);
    const over = await c.request('POST', '/api/v1/auth/login', {
      raw: `{"email":"a@example.org"${' '.repeat(3000)}}`,
      headers: { 'Content-Type': 'application/json' },
    });
    assertProblem(over, 413, { detail: '2048' });
    const under = await c.request('POST', '/api/v1/auth/login', {
      raw: `{"email":"a@example.org"${' '.repeat(1900)}}`,
      headers: { 'Content-Type': 'application/json' },
    });
    assertProblem(under, 400, { field: 'password' });
    assert.equal((await c.get('/api/v1/health')).status, 200);
  });
});
