// GET /api/v1/events (issue 12, "Live events"): a Server-Sent Events stream
// of the logged-in user's events. Without login 401; every event has an id
// and only ids in its data; Last-Event-ID resumes with the missed events
// and only those; another user's events, and events of an organisation the
// user cannot see, never arrive; logging out ends the stream (the session is
// checked again at send time); a heartbeat comment; the server's drain on
// SIGTERM ends an open stream; on PostgreSQL an event made on node A reaches
// a stream on node B.
//
// Events come from real actions where one exists: marking an inbox message
// read publishes "message_read" (the message rows are written with SQL, as
// the outbox would write them, with email_state 'none' so nothing is sent).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { spawn } from 'node:child_process';

import { startServer, startNodes, Client, DEMO_USERS, assertProblem, dbQuery, isPg, sleep } from './harness.mjs';
import { insertMessage, openStream } from './live.mjs';

const HEARTBEAT_MS = 400;
const user = (role) => DEMO_USERS.find((u) => u.role === role);

/** An event row written directly (for what no action makes yet: another organisation's). */
function insertEvent(server, userId, { org = null, kind = 'message', ref = null } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const out = dbQuery(
    server,
    `INSERT INTO events (user_id, organisation_id, kind, ref_id, created_at) VALUES (${userId}, ${org ?? 'NULL'}, '${kind}', ${ref ?? 'NULL'}, ${now}) RETURNING id`,
  );
  return Number(out.trim().split('\n')[0]);
}

async function login(base, role) {
  const c = new Client(base);
  await c.loginOk(user(role).email, user(role).password);
  return c;
}

describe('GET /api/v1/events', () => {
  let server, sam, coord;
  before(async () => {
    server = await startServer({ threads: 24, env: { HEARTH_EVENTS_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    sam = await login(server.url, 'participant');
    coord = await login(server.url, 'coordinator');
  });
  after(async () => {
    await server?.stop();
  });

  test('without login: 401 problem+json', async () => {
    const res = await new Client(server.url).request('GET', '/api/v1/events');
    assertProblem(res, 401);
    const s = await openStream(server.url, { cookie: 'hearth_session=not-a-session' });
    assert.equal(s.status, 401);
    assert.match(s.headers['content-type'], /application\/problem\+json/);
    await s.ended;
  });

  test('a bad Last-Event-ID is refused naming it', async () => {
    const s = await openStream(server.url, { cookie: sam.cookie, lastEventId: 'abc' });
    assert.equal(s.status, 400);
    await s.ended;
    assert.equal(JSON.parse(s.body).field, 'Last-Event-ID');
    const q = await sam.request('GET', '/api/v1/events?last_event_id=-1');
    assertProblem(q, 400, { field: 'last_event_id' });
  });

  test('an event with an id arrives when something of mine changes; only ids in it; a heartbeat', async () => {
    const s = await openStream(server.url, { cookie: sam.cookie });
    try {
      assert.equal(s.status, 200);
      assert.match(s.headers['content-type'], /^text\/event-stream/);
      assert.equal(s.headers['cache-control'], 'no-store');
      const mid = insertMessage(server, sam.user.id);
      const t0 = Date.now();
      const res = await sam.request('POST', `/api/v1/me/messages/${mid}/read`);
      assert.equal(res.status, 204);
      const ev = await s.waitFor((x) => x.events.find((e) => e.data.ref_id === mid));
      assert.ok(Date.now() - t0 < 2000, 'delivered within 2 s');
      assert.ok(Number.isInteger(ev.id) && ev.id > 0, 'the event has an id');
      assert.equal(ev.event, 'message_read');
      assert.deepEqual(Object.keys(ev.data).sort(), ['created_at', 'kind', 'ref_id']);
      assert.equal(ev.data.kind, 'message_read');
      assert.match(ev.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      await s.waitFor((x) => x.comments.includes('hb'), HEARTBEAT_MS * 4);
    } finally {
      s.close();
    }
  });

  test('a message written by the outbox (POST /outbox/test) arrives as a "message" event', async () => {
    const admin = await login(server.url, 'admin');
    const s = await openStream(server.url, { cookie: admin.cookie });
    try {
      const res = await admin.request('POST', '/api/v1/outbox/test');
      assert.equal(res.status, 201, res.text);
      const ev = await s.waitFor((x) => x.events.find((e) => e.event === 'message' && e.data.ref_id === res.json.id));
      assert.deepEqual(ev.data.kind, 'message');
      assert.ok(!s.body.includes(admin.user.email), 'nothing personal in the stream');
      // It is in the inbox, unread.
      const inbox = await admin.request('GET', '/api/v1/me/messages?limit=5');
      assert.ok(inbox.json.items.some((m) => m.id === res.json.id && m.kind === 'test' && m.read_at === null));
    } finally {
      s.close();
    }
  });

  test('Last-Event-ID resumes with the missed events and only those', async () => {
    const a = await openStream(server.url, { cookie: sam.cookie });
    const m0 = insertMessage(server, sam.user.id);
    await sam.request('POST', `/api/v1/me/messages/${m0}/read`);
    const first = await a.waitFor((x) => x.events.find((e) => e.data.ref_id === m0));
    a.close();
    await a.ended;
    // Missed while away: two of mine, one of someone else's.
    const m1 = insertMessage(server, sam.user.id);
    const m2 = insertMessage(server, sam.user.id);
    const c1 = insertMessage(server, coord.user.id);
    for (const m of [m1, m2]) assert.equal((await sam.request('POST', `/api/v1/me/messages/${m}/read`)).status, 204);
    assert.equal((await coord.request('POST', `/api/v1/me/messages/${c1}/read`)).status, 204);
    const b = await openStream(server.url, { cookie: sam.cookie, lastEventId: first.id });
    let m3;
    try {
      await b.waitFor((x) => x.events.length >= 2);
      await sleep(300);
      assert.deepEqual(b.events.map((e) => e.data.ref_id), [m1, m2]);
      assert.ok(b.events.every((e) => e.id > first.id));
      // And what comes next arrives once.
      m3 = insertMessage(server, sam.user.id);
      await sam.request('POST', `/api/v1/me/messages/${m3}/read`);
      await b.waitFor((x) => x.events.find((e) => e.data.ref_id === m3));
      await sleep(300);
      assert.deepEqual(b.events.map((e) => e.data.ref_id), [m1, m2, m3]);
    } finally {
      b.close();
    }
    // ?last_event_id= does the same for clients that cannot send the header.
    const q = await openStream(server.url, { cookie: sam.cookie, query: `?last_event_id=${first.id}` });
    try {
      await q.waitFor((x) => x.events.length >= 3);
      assert.deepEqual(q.events.map((e) => e.data.ref_id).slice(0, 3), [m1, m2, m3]);
    } finally {
      q.close();
    }
  });

  test("another user's events never arrive, nor events of an organisation I cannot see", async () => {
    const mine = await openStream(server.url, { cookie: coord.cookie });
    try {
      const m = insertMessage(server, sam.user.id);
      await sam.request('POST', `/api/v1/me/messages/${m}/read`);
      // The fund (civic wellbeing) is not the coordinator's organisation.
      const orgs = dbQuery(server, "SELECT id, name FROM organisations ORDER BY id").trim().split('\n').map((l) => l.split('|'));
      const other = orgs.find(([, name]) => /Civic/.test(name));
      const own = orgs.find(([, name]) => /Riverside/.test(name));
      assert.ok(other && own, 'demo organisations');
      const hidden = insertEvent(server, coord.user.id, { org: Number(other[0]), ref: 1 });
      const shown = insertEvent(server, coord.user.id, { org: Number(own[0]), ref: 2 });
      await mine.waitFor((x) => x.events.find((e) => e.id === shown));
      await sleep(HEARTBEAT_MS * 2);
      assert.deepEqual(mine.events.map((e) => e.id), [shown], 'only my event of my organisation');
      assert.ok(!mine.events.some((e) => e.id === hidden));
    } finally {
      mine.close();
    }
  });

  test('a membership removed meanwhile stops the events of that organisation', async () => {
    const admin = await login(server.url, 'admin');
    const fac = await login(server.url, 'facilitator');
    const ms = fac.user.memberships;
    assert.ok(ms.length >= 1);
    const s = await openStream(server.url, { cookie: fac.cookie });
    try {
      const org = ms[0].organisation_id;
      const before = insertEvent(server, fac.user.id, { org, ref: 10 });
      await s.waitFor((x) => x.events.find((e) => e.id === before));
      const del = await admin.request('DELETE', `/api/v1/memberships/${ms[0].id}`);
      assert.equal(del.status, 204);
      // A stream's check of its session is at most a second old
      // (EV_RESOLVE_MS, shared by the streams of one session).
      await sleep(1100);
      const afterwards = insertEvent(server, fac.user.id, { org, ref: 11 });
      await sleep(2500);
      assert.ok(!s.events.some((e) => e.id === afterwards), 'no event of an organisation left');
    } finally {
      s.close();
    }
  });

  test('PostgreSQL: an event whose id was taken before a later one but committed after it still arrives', async (t) => {
    if (!isPg(server)) {
      t.skip('ids out of commit order need PostgreSQL (SQLite has one writer)');
      return;
    }
    const s = await openStream(server.url, { cookie: coord.cookie });
    const now = Math.floor(Date.now() / 1000);
    // A transaction that takes an id and waits.
    const held = spawn('psql', [server.db, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    held.stdout.on('data', (c) => { out += c; });
    try {
      held.stdin.write(`BEGIN;\nINSERT INTO events (user_id, kind, ref_id, created_at) VALUES (${coord.user.id}, 'message', 901, ${now}) RETURNING id;\n`);
      for (let i = 0; i < 100 && !/\d+/.test(out); i++) await sleep(50);
      const early = Number(out.trim());
      assert.ok(early > 0, 'the held transaction took an id');
      const later = Number(dbQuery(server, `INSERT INTO events (user_id, kind, ref_id, created_at) VALUES (${coord.user.id}, 'message', 902, ${now}) RETURNING id`).trim().split('\n')[0]);
      assert.ok(later > early);
      await s.waitFor((x) => x.events.find((e) => e.id === later), 4000);
      held.stdin.end('COMMIT;\n');
      await s.waitFor((x) => x.events.find((e) => e.id === early), 4000);
    } finally {
      held.stdin.end();
      s.close();
    }
  });

  test('logging out ends the stream', async () => {
    const c = await login(server.url, 'peer_supporter');
    const s = await openStream(server.url, { cookie: c.cookie });
    assert.equal(s.status, 200);
    const t0 = Date.now();
    assert.equal((await c.request('POST', '/api/v1/auth/logout')).status, 204);
    await Promise.race([s.ended, sleep(HEARTBEAT_MS * 2 + 3000).then(() => assert.fail('the stream is still open'))]);
    assert.ok(Date.now() - t0 < HEARTBEAT_MS * 2 + 3000);
  });

  test('the server drains on SIGTERM with a stream open, and exits 0', async () => {
    const own = await startServer({ threads: 8 });
    const c = await login(own.url, 'participant');
    const s = await openStream(own.url, { cookie: c.cookie });
    assert.equal(s.status, 200);
    const t0 = Date.now();
    await own.stop();
    await s.ended;
    assert.ok(Date.now() - t0 < 10000, `stopped in ${Date.now() - t0} ms`);
  });
});

describe('events across nodes', () => {
  const SKIP = process.env.HEARTH_TEST_PG_URL ? false : 'two nodes need PostgreSQL';
  let nodes;
  before(async () => {
    if (SKIP) return;
    nodes = await startNodes(2, { threads: 12 });
  });
  after(async () => {
    await nodes?.stopAll();
  });

  test('an event made on node A reaches a stream on node B', { skip: SKIP }, async () => {
    const a = await login(nodes[0].url, 'participant');
    const b = new Client(nodes[1].url);
    b.cookie = a.cookie; // the same session, on the other node
    const s = await openStream(nodes[1].url, { cookie: a.cookie });
    try {
      assert.equal(s.status, 200);
      const mid = insertMessage(nodes[0], a.user.id);
      const t0 = Date.now();
      assert.equal((await a.request('POST', `/api/v1/me/messages/${mid}/read`)).status, 204);
      await s.waitFor((x) => x.events.find((e) => e.data.ref_id === mid), 3000);
      // NOTIFY wakes node B at once; its 1 s poll would be later than this.
      assert.ok(Date.now() - t0 < 900, `delivered across nodes in ${Date.now() - t0} ms`);
    } finally {
      s.close();
    }
  });
});
