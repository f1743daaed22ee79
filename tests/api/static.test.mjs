// The embedded web UI over a slow link: gzip and Brotli bodies chosen by
// Accept-Encoding (tools/embed.c compresses at build time), content-hashed
// URLs cached for a year, index.html and the plain URLs revalidated, the
// import map and module preloads of index.html, HEAD and 304 per encoding.
// Raw HTTP (node:http does not decompress), so the bytes are the server's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { rawRequest, startServer } from './harness.mjs';

let server;
const IMMUTABLE = 'public, max-age=31536000, immutable';

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

const get = (path, headers = {}, method = 'GET') => rawRequest(server.url, { method, path, headers });

/** The hashed URLs index.html names: stylesheet, module script, import map. */
async function shell() {
  const res = await get('/', { 'Accept-Encoding': 'identity' });
  assert.equal(res.status, 200);
  const html = res.text;
  const css = html.match(/<link rel="stylesheet" href="(\/app\.[0-9a-f]{8}\.css)">/)?.[1];
  const js = html.match(/<script type="module" src="(\/app\.[0-9a-f]{8}\.js)">/)?.[1];
  const mapText = html.match(/<script type="importmap">(.*?)<\/script>/s)?.[1];
  assert.ok(css, 'index.html links the hashed stylesheet');
  assert.ok(js, 'index.html loads the hashed app.js');
  assert.ok(mapText, 'index.html has an import map');
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  return { res, html, css, js, mapText, map: JSON.parse(mapText).imports, preloads };
}

describe('compressed static files', () => {
  test('br, gzip and identity bodies are the same bytes, with Vary and their own length and ETag', async () => {
    const plain = await get('/app.css');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-encoding'), null, 'no Accept-Encoding: identity');
    assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
    assert.equal(Number(plain.headers.get('content-length')), plain.body.length);
    assert.ok(plain.body.length > 1000);

    const gz = await get('/app.css', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal(gz.headers.get('vary'), 'Accept-Encoding');
    assert.equal(Number(gz.headers.get('content-length')), gz.body.length);
    assert.ok(gz.body.length < plain.body.length);
    assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);

    const br = await get('/app.css', { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers.get('content-encoding'), 'br', 'br is preferred over gzip');
    assert.equal(br.headers.get('vary'), 'Accept-Encoding');
    assert.equal(Number(br.headers.get('content-length')), br.body.length);
    assert.ok(br.body.length < plain.body.length);
    assert.deepEqual(zlib.brotliDecompressSync(br.body), plain.body);

    const etags = new Set([plain, gz, br].map((r) => r.headers.get('etag')));
    assert.equal(etags.size, 3, `one ETag per encoding: ${[...etags]}`);
    for (const r of [plain, gz, br]) assert.equal(r.headers.get('cache-control'), 'no-cache');
  });

  test('q=0 refuses an encoding, a higher q wins, * counts, unknown codings get identity', async () => {
    const cases = [
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0, br;q=0', null],
      ['gzip;q=1.0, br;q=0.5', 'gzip'],
      ['br;q=0.8, gzip;q=0.8', 'br'],
      ['*', 'br'],
      ['*;q=0', null],
      ['br;q=0, *', 'gzip'],
      ['identity', null],
      ['deflate, compress', null],
      ['GZIP', 'gzip'],
      ['', null],
    ];
    for (const [accept, coding] of cases) {
      const res = await get('/app.js', { 'Accept-Encoding': accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers.get('content-encoding'), coding, `Accept-Encoding: ${accept}`);
      assert.equal(res.headers.get('vary'), 'Accept-Encoding', accept);
    }
  });

  test('HEAD and 304 follow the chosen encoding', async () => {
    for (const accept of ['identity', 'gzip', 'br']) {
      const full = await get('/app.js', { 'Accept-Encoding': accept });
      const head = await get('/app.js', { 'Accept-Encoding': accept }, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0, `HEAD ${accept} has no body`);
      assert.equal(head.headers.get('content-length'), full.headers.get('content-length'), accept);
      assert.equal(head.headers.get('content-encoding'), full.headers.get('content-encoding'), accept);
      assert.equal(head.headers.get('etag'), full.headers.get('etag'), accept);

      const etag = full.headers.get('etag');
      const cached = await get('/app.js', { 'Accept-Encoding': accept, 'If-None-Match': etag });
      assert.equal(cached.status, 304, `304 for ${accept}`);
      assert.equal(cached.body.length, 0);
      assert.equal(cached.headers.get('etag'), etag);
      assert.equal(cached.headers.get('vary'), 'Accept-Encoding');
      assert.equal(cached.headers.get('cache-control'), 'no-cache');
      const weak = await get('/app.js', { 'Accept-Encoding': accept, 'If-None-Match': `"x", W/${etag}` });
      assert.equal(weak.status, 304, `a weak ETag in a list matches (${accept})`);
    }
    // Another encoding's ETag is not this one's: the full body comes back.
    const gzTag = (await get('/app.js', { 'Accept-Encoding': 'gzip' })).headers.get('etag');
    const other = await get('/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': gzTag });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('content-encoding'), 'br');
  });
});

describe('content-hashed URLs', () => {
  test('index.html is revalidated and names hashed URLs that are immutable and the same bytes', async () => {
    const { res, css, js, map } = await shell();
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.ok(res.headers.get('etag'));
    const spa = await get('/people/12', { 'Accept-Encoding': 'identity' });
    assert.equal(spa.headers.get('cache-control'), 'no-cache', 'the SPA fallback is revalidated');
    assert.equal(spa.text, res.text);
    const help = await get('/help');
    assert.notEqual(help.headers.get('cache-control'), IMMUTABLE);

    for (const [plainPath, hashed] of [['/app.css', css], ['/app.js', js], ['/lib/api.js', map['/lib/api.js']]]) {
      const h = await get(hashed, { 'Accept-Encoding': 'br' });
      assert.equal(h.status, 200, hashed);
      assert.equal(h.headers.get('cache-control'), IMMUTABLE, hashed);
      assert.equal(h.headers.get('vary'), 'Accept-Encoding');
      const p = await get(plainPath);
      assert.equal(p.status, 200, `${plainPath} still works`);
      assert.equal(p.headers.get('cache-control'), 'no-cache', plainPath);
      assert.deepEqual(zlib.brotliDecompressSync(h.body), p.body, `${hashed} is ${plainPath}`);
      const cached = await get(hashed, { 'Accept-Encoding': 'br', 'If-None-Match': h.headers.get('etag') });
      assert.equal(cached.status, 304);
      assert.equal(cached.headers.get('cache-control'), IMMUTABLE);
    }
  });

  test('an unknown hash is 404, not the app shell', async () => {
    const { css } = await shell();
    for (const path of ['/app.00000000.css', '/app.0000000.js', '/lib/api.deadbeef.js', `${css}x`]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /<!doctype html>/i, path);
    }
  });

  test('the import map names every module, modulepreload covers the shell, views load lazily', async () => {
    const { map, preloads, js, mapText, res } = await shell();
    assert.equal(map['/app.js'], js);
    for (const [plainPath, hashed] of Object.entries(map)) {
      assert.match(plainPath, /\.js$/);
      assert.match(hashed, /^\/.+\.[0-9a-f]{8}\.js$/);
    }
    for (const p of ['/lib/api.js', '/lib/dom.js', '/lib/i18n.js', '/views/login.js']) {
      assert.ok(preloads.includes(map[p]), `${p} is preloaded`);
    }
    // Views other than sign-in are loaded when their route is first opened.
    for (const p of ['/views/admin.js', '/views/people.js', '/views/programmes.js']) {
      assert.ok(map[p], `${p} is in the import map`);
      assert.ok(!preloads.includes(map[p]), `${p} is not preloaded`);
    }
    for (const p of preloads) {
      const r = await get(p, { 'Accept-Encoding': 'identity' });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('cache-control'), IMMUTABLE, p);
    }
    // The import map is an inline script: allowed by its hash, nothing else.
    const csp = res.headers.get('content-security-policy');
    const sha = createHash('sha256').update(mapText).digest('base64');
    assert.match(csp, new RegExp(`script-src 'self' 'sha256-${sha.replace(/[+/]/g, '\\$&')}';`));
    assert.doesNotMatch(csp, /unsafe-inline/);
    const other = await get('/app.js');
    assert.match(other.headers.get('content-security-policy'), /script-src 'self';/);
  });
});
