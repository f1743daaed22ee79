// Health, security headers, OpenAPI, static files, the help page, metrics and
// the access log: the parts of the server that need no login.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, backend, hearthRoutes, isPg, loginAs, logLines, rawRequest, runCliOk, startServer,
  sleep, unique, waitForLog,
} from './harness.mjs';

let server;
let anon;

before(async () => {
  server = await startServer();
  anon = new Client(server.url);
});

after(async () => {
  await server?.stop();
});

function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.ok(!csp.includes('unsafe-inline'), `${what}: CSP allows 'unsafe-inline': ${csp}`);
  assert.ok(!csp.includes('unsafe-eval'), `${what}: CSP allows 'unsafe-eval': ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP lacks default-src 'self': ${csp}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(res.headers.get('referrer-policy'), `${what}: no Referrer-Policy`);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
}

describe('health and security headers', () => {
  test(`GET /api/v1/health answers 200 {"status":"ok","version":...,"db":"${backend()}"}`, async () => {
    const res = await anon.get('/api/v1/health');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.json.status, 'ok');
    assert.equal(res.json.db, isPg(server) ? 'postgres' : 'sqlite');
    const version = runCliOk(['--version']).stdout.trim().replace(/^hearth /, '');
    assert.equal(res.json.version, version, 'health version should match `hearth --version`');
    assert.deepEqual(Object.keys(res.json).sort(), ['db', 'status', 'version']);
  });

  test('every kind of response carries CSP (no unsafe-inline, frame-ancestors none), nosniff, Referrer-Policy, X-Frame-Options DENY', async () => {
    const cases = [
      ['200 JSON', 'GET', '/api/v1/health', 200],
      ['404 problem', 'GET', '/api/v1/nope', 404],
      ['405 problem', 'DELETE', '/api/v1/health', 405],
      ['401 problem', 'GET', '/api/v1/auth/me', 401],
      ['static asset', 'GET', '/app.js', 200],
      ['app shell', 'GET', '/', 200],
      ['help page', 'GET', '/help', 200],
      ['metrics', 'GET', '/metrics', 200],
      ['openapi', 'GET', '/api/v1/openapi.json', 200],
    ];
    for (const [what, method, path, status] of cases) {
      const res = await anon.request(method, path);
      assert.equal(res.status, status, `${what} ${method} ${path}: ${res.text.slice(0, 200)}`);
      assertSecurityHeaders(res, `${what} (${method} ${path})`);
    }
    // A 304 for a cached static asset too.
    const first = await anon.get('/app.js');
    const etag = first.headers.get('etag');
    assert.ok(etag, '/app.js has an ETag');
    const cached = await anon.get('/app.js', { headers: { 'If-None-Match': etag } });
    assert.equal(cached.status, 304);
    assertSecurityHeaders(cached, '304 static');
  });

  test('JSON responses are not cached and carry X-Request-Id matching the problem request_id', async () => {
    const res = await anon.get('/api/v1/nope');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const rid = res.headers.get('x-request-id');
    assert.ok(rid, 'X-Request-Id header');
    assert.equal(res.json.request_id, rid);
  });

  test('HEAD /api/v1/health answers 200 with no body', async () => {
    const res = await anon.request('HEAD', '/api/v1/health');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });
});

describe('OpenAPI', () => {
  test('GET /api/v1/openapi.json is OpenAPI 3.1.0 and lists exactly the routes of `hearth routes`', async () => {
    const res = await anon.get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.json;
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(typeof doc.info?.title, 'string');
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    const documented = new Map();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        if (methods.has(m)) documented.set(`${m.toUpperCase()} ${p}`, op);
      }
    }
    const routes = hearthRoutes();
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const missing = [...served].filter((k) => !documented.has(k));
    const extra = [...documented.keys()].filter((k) => !served.has(k));
    assert.deepEqual(missing, [], `routes missing from openapi.json: ${missing.join(', ')}`);
    assert.deepEqual(extra, [], `openapi.json documents routes the server does not serve: ${extra.join(', ')}`);
    assert.equal(documented.size, routes.length, 'no route is listed twice');
    for (const r of routes) {
      const op = documented.get(`${r.method} ${r.path}`);
      assert.equal(op['x-hearth-action'], r.action, `${r.method} ${r.path} x-hearth-action`);
      if (r.public) assert.deepEqual(op.security, [], `${r.method} ${r.path} is public: security []`);
      else assert.ok(op.responses['401'] && op.responses['403'], `${r.method} ${r.path} documents 401 and 403`);
      for (const m of r.path.matchAll(/\{(\w+)\}/g)) {
        assert.ok(op.parameters?.some((prm) => prm.name === m[1] && prm.in === 'path'),
          `${r.method} ${r.path} documents path parameter ${m[1]}`);
      }
    }
  });
});

describe('static files and the help page', () => {
  test('/ returns the HTML app shell and /app.js is text/javascript', async () => {
    const root = await anon.get('/');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type'), /^text\/html/);
    assert.match(root.text, /<!doctype html>/i);
    const js = await anon.get('/app.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.ok(js.text.length > 0);
  });

  test('path traversal attempts never return files from disk', async () => {
    const shell = (await anon.get('/')).text;
    const paths = [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/app.js/../../../../etc/passwd',
      '/....//....//etc/passwd',
      '/web/index.html',
      '/web/app.js',
      '/src/main.c',
      '/CMakeLists.txt',
      '/etc/passwd%00.js',
      '/%00',
    ];
    for (const p of paths) {
      const res = await rawRequest(server.url, { path: p });
      assert.ok(!res.text.includes('root:'), `${p} returned /etc/passwd`);
      assert.ok(!res.text.includes('#include'), `${p} returned C source`);
      assert.ok(!res.text.includes('cmake_minimum_required'), `${p} returned a build file`);
      const ok = res.status === 404 || res.status === 400 || (res.status === 200 && res.text === shell);
      assert.ok(ok, `${p}: expected 404/400 or the app shell, got ${res.status} ${res.text.slice(0, 120)}`);
    }
  });

  test('/help works without login, is plain HTML with tel: links', async () => {
    const res = await anon.get('/help');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /<html lang="en">/);
    assert.match(res.text, /href="tel:\+?\d+"/);
    assert.ok(!/<script/i.test(res.text), '/help needs no JavaScript');
  });

  test('/help?country=GB puts the UK (Samaritans) first', async () => {
    const res = await anon.get('/help?country=GB');
    assert.equal(res.status, 200);
    const sam = res.text.indexOf('Samaritans');
    const others = res.text.indexOf('<h2>Other countries</h2>');
    assert.ok(sam > 0, 'Samaritans listed');
    assert.ok(others > 0, 'the chosen country comes before "Other countries"');
    assert.ok(sam < others, 'Samaritans is in the chosen-country section');
    assert.match(res.text, /href="tel:116123"/);
    assert.match(res.text, /country=GB&amp;lang=en" aria-current="page"/);
  });

  test('/help?lang=es is Spanish', async () => {
    const res = await anon.get('/help?lang=es');
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="es">/);
    assert.match(res.text, /Ayuda inmediata/);
  });
});

describe('metrics and the access log', () => {
  test('/metrics counts requests by route and status, has the latency histogram and hearth_db_seconds_total', async () => {
    const counter = (text) => {
      const m = text.match(/^hearth_http_requests_total\{route="\/api\/v1\/health",status="200",method="GET"\} (\d+)$/m);
      return m ? Number(m[1]) : 0;
    };
    // A request is counted once its response has gone out, so a count read
    // right after may lag by the request just answered: wait until it settles.
    const settled = async (atLeast) => {
      let n = 0;
      for (let i = 0; i < 40; i++) {
        n = counter((await anon.get('/metrics')).text);
        if (n >= atLeast) break;
        await sleep(25);
      }
      return n;
    };
    await anon.get('/api/v1/health');
    const m1 = await anon.get('/metrics');
    assert.equal(m1.status, 200);
    assert.match(m1.headers.get('content-type'), /^text\/plain/);
    const n1 = await settled(1);
    assert.ok(n1 >= 1, `health counter present after a health call:\n${m1.text}`);
    await sleep(100); // every earlier health call is counted by now
    const base = await settled(n1);
    await anon.get('/api/v1/health');
    await anon.get('/api/v1/health');
    const n2 = await settled(base + 2);
    assert.equal(n2, base + 2, 'two more health calls add 2');
    const t = m1.text;
    assert.match(t, /^# TYPE hearth_http_request_duration_seconds histogram$/m);
    assert.match(t, /^hearth_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    assert.match(t, /^hearth_http_request_duration_seconds_sum [\d.]+$/m);
    assert.match(t, /^hearth_http_request_duration_seconds_count \d+$/m);
    assert.match(t, /^hearth_db_seconds_total [\d.]+$/m);
    // Unknown paths are one label, not one series per path.
    await anon.get(`/api/v1/${unique('nope')}`);
    const t3 = (await anon.get('/metrics')).text;
    assert.match(t3, /route="not_found",status="404"/);
    assert.ok(!/route="\/api\/v1\/nope/.test(t3), 'raw paths must not become labels');
  });

  test('the access log is JSON lines with request_id and never contains the login password or request body', async () => {
    const admin = DEMO_USERS[0];
    const secretPassword = `wrong-${unique('pw')}`;
    const c = new Client(server.url, { localAddress: '127.0.0.9' });
    const bad = await c.login(admin.email, secretPassword);
    assert.equal(bad.status, 401);
    const good = await loginAs(server.url, admin);
    const canary = unique('canary-body');
    const created = await good.post('/api/v1/organisations', { name: `Org ${canary}`, kind: 'arts' });
    assert.equal(created.status, 201);
    const rid = created.headers.get('x-request-id');
    assert.ok(await waitForLog(server, (s) => s.includes(rid)), `access log line for request ${rid}`);
    const lines = logLines(server);
    const access = lines.filter((l) => l.msg === 'request');
    assert.ok(access.length > 0, 'there are access log lines');
    for (const l of access) assert.equal(typeof l.request_id, 'string', `access line without request_id: ${JSON.stringify(l)}`);
    const line = access.find((l) => l.request_id === rid);
    assert.equal(line.method, 'POST');
    assert.equal(line.route, '/api/v1/organisations');
    assert.equal(line.status, 201);
    const err = server.stderr();
    assert.ok(!err.includes(secretPassword), 'the password sent at login is not logged');
    assert.ok(!err.includes(DEMO_USERS[0].password), 'the demo password is not logged');
    assert.ok(!err.includes(canary), 'request bodies are not logged');
    assert.ok(!err.includes(good.cookie.split('=')[1]), 'session tokens are not logged');
    assert.ok(!err.includes(good.csrf), 'CSRF tokens are not logged');
  });
});
