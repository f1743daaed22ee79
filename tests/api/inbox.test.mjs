// The inbox (issue 12, "The inbox and preferences"): GET /api/v1/me/messages
// (newest first, pages by cursor, only my inbox rows), the unread count,
// marking one or all read, another person's message answered as a missing
// one (404 byte for byte), email-only messages never listed, bad query
// values refused naming the parameter, and the audit entry of a read.
// Messages are written with SQL as the outbox writes them (email_state
// 'none', so nothing is sent).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, Client, DEMO_USERS, assertProblem, dbQuery } from './harness.mjs';
import { insertMessage } from './live.mjs';

const user = (role) => DEMO_USERS.find((u) => u.role === role);

async function login(base, role) {
  const c = new Client(base);
  await c.loginOk(user(role).email, user(role).password);
  return c;
}

describe('the inbox', () => {
  let server, sam, coord;
  before(async () => {
    server = await startServer();
    sam = await login(server.url, 'participant');
    coord = await login(server.url, 'coordinator');
  });
  after(async () => {
    await server?.stop();
  });

  test('without login: 401', async () => {
    const anon = new Client(server.url);
    assertProblem(await anon.request('GET', '/api/v1/me/messages'), 401);
    assertProblem(await anon.request('GET', '/api/v1/me/messages/unread'), 401);
  });

  test('list newest first with params, unread count, read one, read all', async () => {
    const before = (await sam.request('GET', '/api/v1/me/messages/unread')).json.unread;
    const a = insertMessage(server, sam.user.id, { kind: 'session_cancelled', params: '{"session_id":7,"starts_at":"2027-01-02T10:00:00Z"}' });
    const b = insertMessage(server, sam.user.id, { kind: 'test' });
    const hidden = insertMessage(server, sam.user.id, { kind: 'password_reset' });
    dbQuery(server, `UPDATE messages SET in_inbox = 0 WHERE id = ${hidden}`);
    const other = insertMessage(server, coord.user.id, { kind: 'test' });

    const list = await sam.request('GET', '/api/v1/me/messages');
    assert.equal(list.status, 200);
    const ids = list.json.items.map((m) => m.id);
    assert.ok(ids.indexOf(b) < ids.indexOf(a) && ids.indexOf(b) >= 0, 'newest first');
    assert.ok(!ids.includes(hidden), 'an email-only message is not in the inbox');
    assert.ok(!ids.includes(other), "someone else's message is not in my inbox");
    const ma = list.json.items.find((m) => m.id === a);
    assert.deepEqual(ma.params, { session_id: 7, starts_at: '2027-01-02T10:00:00Z' });
    assert.equal(ma.kind, 'session_cancelled');
    assert.equal(ma.read_at, null);
    assert.match(ma.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    assert.equal((await sam.request('GET', '/api/v1/me/messages/unread')).json.unread, before + 2);
    assert.equal((await sam.request('POST', `/api/v1/me/messages/${a}/read`)).status, 204);
    assert.equal((await sam.request('POST', `/api/v1/me/messages/${a}/read`)).status, 204, 'reading again is fine');
    assert.equal((await sam.request('GET', '/api/v1/me/messages/unread')).json.unread, before + 1);
    const after1 = await sam.request('GET', '/api/v1/me/messages');
    assert.match(after1.json.items.find((m) => m.id === a).read_at, /^\d{4}-/);

    const all = await sam.request('POST', '/api/v1/me/messages/read-all');
    assert.equal(all.status, 200);
    assert.equal(all.json.marked, before + 1);
    assert.equal((await sam.request('GET', '/api/v1/me/messages/unread')).json.unread, 0);
    // The coordinator's message is untouched.
    assert.equal(dbQuery(server, `SELECT read_at IS NULL FROM messages WHERE id = ${other}`).trim().replace('t', '1'), '1');
    // The read is in the audit log (no personal data: the message id).
    const audit = dbQuery(server, `SELECT COUNT(*) FROM audit_log WHERE action = 'message.read' AND resource = 'message:${a}'`);
    assert.ok(Number(audit.trim()) >= 1, 'audited');
  });

  test("another person's message id is 404, byte for byte a missing one's", async () => {
    const other = insertMessage(server, coord.user.id, { kind: 'test' });
    const theirs = await sam.request('POST', `/api/v1/me/messages/${other}/read`);
    const missing = await sam.request('POST', '/api/v1/me/messages/999999999/read');
    assertProblem(theirs, 404);
    assertProblem(missing, 404);
    const strip = (r) => JSON.stringify({ ...r.json, request_id: undefined });
    assert.equal(strip(theirs).replace(String(other), 'N'), strip(missing).replace('999999999', 'N'));
    assert.equal(dbQuery(server, `SELECT read_at IS NULL FROM messages WHERE id = ${other}`).trim().replace('t', '1'), '1');
  });

  test('pages by cursor; bad limit and cursor are refused naming them', async () => {
    for (let i = 0; i < 5; i++) insertMessage(server, sam.user.id, { kind: 'test' });
    const p1 = await sam.request('GET', '/api/v1/me/messages?limit=2');
    assert.equal(p1.json.items.length, 2);
    assert.ok(Number.isInteger(p1.json.next_cursor));
    const p2 = await sam.request('GET', `/api/v1/me/messages?limit=2&cursor=${p1.json.next_cursor}`);
    assert.equal(p2.json.items.length, 2);
    assert.ok(p2.json.items[0].id < p1.json.items[1].id, 'the next page is older');
    assertProblem(await sam.request('GET', '/api/v1/me/messages?limit=0'), 400, { field: 'limit' });
    assertProblem(await sam.request('GET', '/api/v1/me/messages?limit=101'), 400, { field: 'limit' });
    assertProblem(await sam.request('GET', '/api/v1/me/messages?cursor=abc'), 400, { field: 'cursor' });
  });
});
