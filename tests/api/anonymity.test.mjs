// Anonymous listening answers cannot be tied back to their author with
// anything a coordinator (the answers list, the audit log through the API)
// or an admin with the database and the server's logs holds (issue 9,
// finding 5; docs/privacy.md, "Anonymous answers").
//
// A participant P does named things, answers anonymously, does more named
// things; then nothing written between P's own records relates to the
// anonymous answer: no audit entry (only a count per round and day, turned
// into one entry without an actor after the day is over), no access-log line
// and no metrics count, no change to P's session row; the answer's id is
// random, not next to its neighbours'.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL); the flush race runs on two PostgreSQL nodes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_USERS, ROOT_ADMIN, dbQuery, isPg, logLines, loginAllRoles, loginAs, sleep, startNodes, startServer,
  unique, waitForLog,
} from './harness.mjs';

const ANON_ACTION = 'listening.response.anonymous';
const RESPONSES_ROUTE = '/api/v1/listening-rounds/{id}/responses';

let server;
let as; // role -> Client (DEMO_USERS)
let riverside;
let self; // participant id of as.participant

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  riverside = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
  const me = await as.participant.get('/api/v1/me/profile');
  assert.equal(me.status, 200, me.text);
  self = me.json.id;
});

after(async () => {
  if (server) await server.stop();
});

async function openRound(client = as.coordinator) {
  const res = await client.post('/api/v1/listening-rounds', { organisation_id: riverside, title: unique('Round') });
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

/** Answers a round; returns {id, rid} (rid: the X-Request-Id of the answer). */
async function answer(client, round, body) {
  const res = await client.post(`/api/v1/listening-rounds/${round}/responses`, { lang: 'en', ...body });
  assert.equal(res.status, 201, `answer ${JSON.stringify(body)}: ${res.text}`);
  return { id: res.json.id, rid: res.headers.get('x-request-id') };
}

const named = (client, round) => answer(client, round, { answers: { social: unique('named') } });
const anonymous = (client, round) => answer(client, round, { anonymous: true, answers: { creative: unique('anon') } });

function rows(sql, srv = server) {
  return dbQuery(srv, sql).split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

const lastAuditId = (srv = server) => Number(dbQuery(srv, 'SELECT COALESCE(MAX(id), 0) FROM audit_log;').trim());

function responsesCounter(text) {
  const re = new RegExp(`^hearth_http_requests_total\\{route="${RESPONSES_ROUTE.replace(/[{}]/g, '\\$&')}",status="201",method="POST"\\} (\\d+)$`, 'm');
  const m = text.match(re);
  return m ? Number(m[1]) : 0;
}

/** The 201 count of the answers route, once it stops moving. */
async function settledCounter(atLeast = 0) {
  let n = 0;
  for (let i = 0; i < 40; i++) {
    n = responsesCounter((await as.admin.get('/metrics')).text);
    if (n >= atLeast) break;
    await sleep(25);
  }
  await sleep(100);
  return responsesCounter((await as.admin.get('/metrics')).text);
}

describe('an anonymous answer leaves nothing between its author\'s own records', () => {
  test('audit log, access log, metrics and session row say nothing of it', async () => {
    const [r1, r2, r3] = [await openRound(), await openRound(), await openRound()];
    const uid = as.participant.user.id;
    const metricsBefore = await settledCounter();
    const auditMark = lastAuditId();

    const first = await named(as.participant, r1);
    // A session last seen two minutes ago would be touched by any request
    // that touches it: the answer must not.
    dbQuery(server, `UPDATE sessions SET last_seen_at = last_seen_at - 120 WHERE user_id = ${uid};`);
    const seenBefore = dbQuery(server, `SELECT id, last_seen_at FROM sessions WHERE user_id = ${uid} ORDER BY id;`);
    const anon = await anonymous(as.participant, r2);
    const seenAfter = dbQuery(server, `SELECT id, last_seen_at FROM sessions WHERE user_id = ${uid} ORDER BY id;`);
    const last = await named(as.participant, r3);

    assert.equal(seenAfter, seenBefore, 'the anonymous answer did not touch the session row');

    // The audit log: P's two named answers, nothing else, nothing about r2.
    const entries = rows(`SELECT id, COALESCE(actor_id, 0), action, resource, request_id FROM audit_log WHERE id > ${auditMark} ORDER BY id;`);
    assert.deepEqual(entries.map((e) => [Number(e[1]), e[2], e[3]]), [
      [uid, 'listening.response.create', `participant:${self}`],
      [uid, 'listening.response.create', `participant:${self}`],
    ], `audit entries after the mark:\n${entries.map((e) => e.join('|')).join('\n')}`);
    assert.ok(!entries.some((e) => e[3] === `listening_round:${r2}`), 'no entry names the anonymous answer\'s round');
    // Only a count for the round and the day, with no actor and no time.
    const pending = rows(`SELECT action, resource, day, count FROM audit_pending WHERE resource = 'listening_round:${r2}';`);
    const now = Math.floor(Date.now() / 1000);
    assert.deepEqual(pending, [[ANON_ACTION, `listening_round:${r2}`, String(now - (now % 86400)), '1']]);

    // The access log: the anonymous answer has no line at all (not even one
    // without a user), so nothing sits between P's own lines.
    await waitForLog(server, (l) => l.request_id === last.rid);
    const lines = logLines(server).filter((l) => l.msg === 'request');
    assert.ok(lines.some((l) => l.request_id === first.rid && l.user_id === uid), 'named answers are logged');
    assert.ok(!lines.some((l) => l.request_id === anon.rid), `the anonymous answer (${anon.rid}) is not logged`);
    const i = lines.findIndex((l) => l.request_id === first.rid);
    const j = lines.findIndex((l) => l.request_id === last.rid);
    assert.ok(i >= 0 && j > i);
    assert.deepEqual(lines.slice(i + 1, j).filter((l) => l.user_id !== uid), [], 'no line between P\'s own lines');
    assert.ok(!lines.some((l) => l.route === RESPONSES_ROUTE && l.status === 201 && l.user_id === undefined),
      'no answer is logged without its user');
    // Request ids are random: no gap in a sequence shows where it was.
    assert.notEqual(parseInt(last.rid.slice(-8), 16) - parseInt(first.rid.slice(-8), 16), 2, 'request ids are not a sequence');

    // The metrics count the two named answers only.
    assert.equal(await settledCounter(metricsBefore + 2), metricsBefore + 2, 'the anonymous answer is not counted in /metrics');
  });

  test('answers get random ids, so an id does not place an answer among the others', async () => {
    const round = await openRound();
    const made = [];
    for (let k = 0; k < 4; k++) {
      made.push({ kind: 'named', ...(await named(as.participant, round)) });
      made.push({ kind: 'anonymous', ...(await anonymous(as.participant, round)) });
    }
    const ids = made.map((x) => x.id);
    for (const id of ids) assert.ok(Number.isSafeInteger(id) && id > 0, `id ${id} is a positive safe integer`);
    assert.ok(ids.some((id) => id > 2 ** 32), `ids are drawn from 2^53, not counted: ${ids}`);
    for (const a of ids) for (const b of ids) if (a !== b) assert.ok(Math.abs(a - b) > 1000, `ids ${a} and ${b} are near each other`);
    // The coordinator's list orders by id, which is not the order they came in.
    const res = await as.coordinator.get(`/api/v1/listening-rounds/${round}/responses?limit=500`);
    assert.equal(res.status, 200, res.text);
    const listed = res.json.items;
    assert.deepEqual(listed.map((x) => x.id), [...ids].sort((a, b) => a - b));
    for (const x of listed.filter((y) => y.anonymous)) {
      assert.ok(!('participant_id' in x));
      assert.match(x.created_at, /^\d{4}-\d\d-\d\d(T00:00:00Z)?$/, 'an anonymous answer keeps only its day');
    }
    // Paging by after_id still reaches every answer once.
    const seen = [];
    let afterId = 0;
    for (;;) {
      const page = await as.coordinator.get(`/api/v1/listening-rounds/${round}/responses?limit=3${afterId ? `&after_id=${afterId}` : ''}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.json.items.map((x) => x.id));
      if (page.json.next_after_id === null) break;
      afterId = page.json.next_after_id;
    }
    assert.deepEqual(seen, listed.map((x) => x.id));
    // A decision can still link an answer by its (large) id.
    const d = await as.coordinator.post('/api/v1/decisions', {
      organisation_id: riverside, round_id: round, kind: 'other', title: unique('Decision'), response_ids: [made[1].id],
    });
    assert.equal(d.status, 201, d.text);
  });
});

describe('the day\'s count becomes one audit entry without an actor, after the day', () => {
  test('written by the batch step, once; the rows settle with it', async () => {
    const round = await openRound();
    const a1 = await anonymous(as.participant, round);
    const a2 = await anonymous(as.participant, round);
    const resource = `listening_round:${round}`;
    const entriesFor = async () => {
      const res = await as.admin.get(`/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=500`);
      assert.equal(res.status, 200, res.text);
      return res.json.items.filter((e) => e.action === ANON_ACTION);
    };
    // Today is not over: reading the log writes nothing yet.
    assert.deepEqual(await entriesFor(), []);
    assert.equal(dbQuery(server, `SELECT count FROM audit_pending WHERE resource = '${resource}';`).trim(), '2');

    // Make it yesterday's count (and yesterday's answers).
    dbQuery(server, `UPDATE audit_pending SET day = day - 86400 WHERE resource = '${resource}';
      UPDATE listening_responses SET created_at = created_at - 86400 WHERE round_id = ${round} AND participant_id IS NULL;`);
    const day = Number(dbQuery(server, `SELECT day FROM audit_pending WHERE resource = '${resource}';`).trim());
    const entries = await entriesFor();
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const [e] = entries;
    assert.equal(e.actor_id, null);
    assert.equal(e.actor_token_id, null);
    assert.equal(e.outcome, 'success');
    assert.equal(e.request_id, `day=${new Date(day * 1000).toISOString().slice(0, 10)} count=2`);
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM audit_pending WHERE resource = '${resource}';`).trim(), '0');
    assert.deepEqual(await entriesFor(), [e], 'written once');

    if (isPg(server)) {
      // The rows were rewritten in the flush's transaction: their xmin is
      // the aggregate entry's, not that of the requests that wrote them.
      const xmins = rows(`SELECT xmin::text FROM listening_responses WHERE id IN (${a1.id}, ${a2.id});`).map((r) => r[0]);
      const entryXmin = dbQuery(server, `SELECT xmin::text FROM audit_log WHERE id = ${e.id};`).trim();
      assert.deepEqual(xmins, [entryXmin, entryXmin]);
    }
  });
});

const PG_SKIP = process.env.HEARTH_TEST_PG_URL ? false : 'two nodes need PostgreSQL';

describe('two nodes flushing at once write each count once', () => {
  let nodes;
  before(async () => { if (PG_SKIP) return; nodes = await startNodes(2, { threads: 8 }); });
  after(async () => { await nodes?.stopAll(); });

  test('concurrent audit reads on both nodes: one entry per round and day', { skip: PG_SKIP }, async () => {
    const [admin0, admin1, participant] = await Promise.all([
      loginAs(nodes[0].url, ROOT_ADMIN), loginAs(nodes[1].url, ROOT_ADMIN),
      loginAs(nodes[1].url, DEMO_USERS.find((u) => u.role === 'participant')),
    ]);
    const orgs = await admin0.get('/api/v1/organisations');
    const org = orgs.json.items.find((o) => o.name === 'Riverside Community Arts').id;
    const rounds = [];
    for (let k = 0; k < 6; k++) {
      const res = await admin0.post('/api/v1/listening-rounds', { organisation_id: org, title: unique('Round') });
      assert.equal(res.status, 201, res.text);
      rounds.push(res.json.id);
      for (let n = 0; n <= k % 3; n++) await anonymous(participant, res.json.id);
    }
    dbQuery(nodes[0], 'UPDATE audit_pending SET day = day - 86400;');
    await Promise.all(Array.from({ length: 10 }, (_, k) => (k % 2 ? admin1 : admin0).get('/api/v1/audit?limit=1')));
    const got = rows(`SELECT resource, request_id FROM audit_log WHERE action = '${ANON_ACTION}' ORDER BY resource;`, nodes[0]);
    assert.deepEqual(got.map((g) => g[0]).sort(), rounds.map((r) => `listening_round:${r}`).sort(), 'one entry per round');
    for (const [resource, rid] of got) {
      const k = rounds.indexOf(Number(resource.split(':')[1]));
      assert.match(rid, new RegExp(` count=${(k % 3) + 1}$`));
    }
    assert.equal(dbQuery(nodes[0], 'SELECT COUNT(*) FROM audit_pending;').trim(), '0');
  });
});
