// A stand-in for the Hearth server, for working on the web UI without the C
// binary: serves web/ with the real CSP, a plain /help page built from
// resources/crisis/, and a small in-memory version of the /api/v1 contract
// with the demo users. Not used by CI. Usage:
//   node tests/browser/fake-server.mjs [port]   then HEARTH_URL=http://127.0.0.1:PORT
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
const PASSWORD = 'hearth-demo-2026';
const ORGS = [{ id: 1, name: 'Riverside Community Arts', kind: 'arts' },
  { id: 2, name: 'Northside Mental Health', kind: 'mental_health' }, { id: 3, name: 'Civic Fund', kind: 'funder' }];
const people = [['admin@riverside-arts.example', 'Ada Admin', 1, 'admin'],
  ['coordinator@riverside-arts.example', 'Cora Coordinator', 1, 'coordinator'],
  ['facilitator@riverside-arts.example', 'Fin Facilitator', 1, 'facilitator'],
  ['peer@riverside-arts.example', 'Pat Peer', 1, 'peer_supporter'],
  ['moderator@riverside-arts.example', 'Mo Moderator', 1, 'moderator'],
  ['clinician@northside-mh.example', 'Cal Clinician', 2, 'clinician'],
  ['funder@civic-fund.example', 'Fern Funder', 3, 'funder'],
  ['participant@example.org', 'Pip Participant', 1, 'participant']];
const USERS = people.map(([email, display_name, org, role], i) => ({ id: i + 1, email, display_name, disabled: false,
  memberships: [{ id: i + 1, organisation_id: org, organisation: ORGS[org - 1].name, kind: ORGS[org - 1].kind, role }] }));
const sessions = new Map(); // session id -> {user, csrf}
const audit = [];

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}
function problem(res, status, title, detail, extra = {}) {
  send(res, status, { type: 'about:blank', title, status, detail, ...extra }, 'application/problem+json');
}
function sessionOf(req) {
  const m = /(?:^|;\s*)hearth_session=([^;]+)/.exec(req.headers.cookie || '');
  return m ? sessions.get(m[1]) : undefined;
}
async function body(req) {
  let s = '';
  for await (const chunk of req) s += chunk;
  try { return JSON.parse(s); } catch { return {}; }
}
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Translatable fields are {"en": ..., "es": ...}; this stand-in shows English.
const en = (v) => (v && typeof v === 'object' ? v.en : v);

function resourceHtml(r) {
  const phone = r.phone ? `<p class="crisis-call"><a href="tel:${esc(r.phone.replace(/[^0-9+]/g, ''))}">Call ${esc(r.phone)}</a></p>` : '';
  const sms = r.sms ? `<p><a href="sms:${esc(r.sms.replace(/[^0-9+]/g, ''))}">Text ${r.sms_keyword ? `${esc(r.sms_keyword)} to ` : ''}${esc(r.sms)}</a></p>` : '';
  return `<li><h3>${esc(r.name)}</h3><p>${esc(en(r.description))}</p>${phone}${sms}
<p>${esc(en(r.hours))} · <a href="${esc(r.url)}">${esc(r.url)}</a></p></li>`;
}

// Every country in turn; the real server picks the visitor's country first.
async function helpPage(res) {
  const dir = join(ROOT, 'resources/crisis');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const countries = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
  const sections = countries.map((c) => `<section aria-labelledby="c-${c.country}">
<h2 id="c-${c.country}">${esc(en(c.name))}</h2>
<p class="crisis-emergency">Emergency: ${c.emergency.map((n) => `<a href="tel:${esc(n)}">${esc(n)}</a>`).join(' or ')}</p>
<ul class="crisis-list">${c.resources.map(resourceHtml).join('')}</ul></section>`).join('');
  send(res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Get help now – Hearth</title>
<link rel="icon" href="/favicon.svg"><link rel="stylesheet" href="/app.css"></head><body>
<header class="site-header"><div class="header-row"><a class="brand" href="/">Hearth</a></div></header>
<main id="main"><h1>Get help now</h1><p class="lede">If you are in danger now, call your emergency number.</p>
${sections}</main></body></html>`, 'text/html; charset=utf-8');
}

// GET /api/v1/meta from a snapshot of the real server's answer to nobody
// (fake-meta.json: the policy per role and the value lists; tests/api/
// meta.test.mjs fails when it no longer matches), with the signed-in user's
// organisations worked out from it.
const META = JSON.parse(await readFile(new URL('./fake-meta.json', import.meta.url), 'utf8'));
function fakeMeta(user) {
  const organisations = (user?.memberships || []).map((m) => ({ id: m.organisation_id, name: m.organisation,
    kind: m.kind, roles: [m.role], actions: META.roles[m.role] || [] }));
  const admin = organisations.some((o) => o.roles.includes('admin'));
  return { ...META, organisations, everywhere: admin ? META.roles.admin : [] };
}

async function apiRoute(req, res, path) {
  const s = sessionOf(req);
  const unsafe = req.method !== 'GET' && req.method !== 'HEAD';
  if (path === '/api/v1/health') return send(res, 200, { status: 'ok' });
  if (path === '/api/v1/auth/login' && req.method === 'POST') {
    const { email, password } = await body(req);
    const user = USERS.find((u) => u.email === email);
    if (!user || password !== PASSWORD) return problem(res, 401, 'Unauthorized', 'Email or password is incorrect.');
    const id = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    sessions.set(id, { user, csrf });
    audit.unshift({ id: audit.length + 1, at: new Date().toISOString(), actor_id: user.id, organisation_id: null,
      action: 'auth.login', resource: `user/${user.id}`, outcome: 'ok', request_id: randomBytes(8).toString('hex') });
    res.setHeader('Set-Cookie', `hearth_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
    return send(res, 200, { user, csrf_token: csrf });
  }
  if (path === '/api/v1/meta') return send(res, 200, fakeMeta(s?.user));
  if (path === '/api/v1/auth/session') {
    return send(res, 200, s ? { authenticated: true, user: s.user, csrf_token: s.csrf } : { authenticated: false });
  }
  if (!s) return problem(res, 401, 'Unauthorized', 'Please sign in.');
  if (unsafe && req.headers['x-csrf-token'] !== s.csrf) return problem(res, 403, 'Forbidden', 'Missing or wrong CSRF token.');
  if (path === '/api/v1/auth/me') return send(res, 200, { user: s.user, csrf_token: s.csrf });
  if (path === '/api/v1/auth/logout' && req.method === 'POST') {
    for (const [k, v] of sessions) if (v === s) sessions.delete(k);
    res.writeHead(204, { 'Content-Security-Policy': CSP });
    return res.end();
  }
  // The shell asks every signed-in page for these: an empty inbox and a
  // stream that only says it is alive.
  if (path === '/api/v1/me/messages/unread') return send(res, 200, { unread: 0 });
  if (path === '/api/v1/me/messages') return send(res, 200, { items: [], next_cursor: null });
  if (path === '/api/v1/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Content-Security-Policy': CSP });
    res.write('retry: 3000\n\n');
    const hb = setInterval(() => res.write(': hb\n\n'), 15000);
    req.on('close', () => clearInterval(hb));
    return undefined;
  }
  if (!s.user.memberships.some((m) => m.role === 'admin')) return problem(res, 403, 'Forbidden', 'Administrators only.');
  if (path === '/api/v1/users') return send(res, 200, { items: USERS });
  if (path === '/api/v1/organisations') return send(res, 200, { items: ORGS });
  if (path === '/api/v1/audit') return send(res, 200, { items: audit.slice(0, 50), next_after_id: null });
  if (path === '/api/v1/tokens') return send(res, 200, { items: [] });
  return problem(res, 404, 'Not Found', 'No such endpoint.');
}

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  try {
    if (path.startsWith('/api/')) return await apiRoute(req, res, path);
    if (path === '/help') return await helpPage(res);
    const file = path === '/' || !extname(path) ? 'index.html' : normalize(path).replace(/^\/+/, '');
    if (file.includes('..')) return send(res, 404, 'not found', 'text/plain');
    return send(res, 200, await readFile(join(ROOT, 'web', file)), TYPES[extname(file)] || 'application/octet-stream');
  } catch {
    return send(res, 404, 'not found', 'text/plain');
  }
});
server.listen(Number(process.argv[2] || 18080), '127.0.0.1', () => {
  console.log(`fake hearth on http://127.0.0.1:${server.address().port}`);
});
