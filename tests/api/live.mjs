// Helpers for the tests of live events and the inbox (events.test.mjs,
// inbox.test.mjs): a Server-Sent Events reader and a message written as
// the outbox writes it.
import http from 'node:http';

import { dbQuery } from './harness.mjs';

/** Opens the stream; resolves once the head arrived. */
export function openStream(base, { cookie, bearer, lastEventId, query = '' } = {}) {
  const url = new URL(`/api/v1/events${query}`, base);
  const headers = { Accept: 'text/event-stream' };
  if (cookie) headers.Cookie = cookie;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const s = {
        status: res.statusCode,
        headers: res.headers,
        events: [],
        comments: [],
        body: '',
        waiters: [],
        ended: null,
        close: () => req.destroy(),
      };
      let pending = '';
      s.ended = new Promise((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        s.body += chunk;
        pending += chunk;
        let i;
        while ((i = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, i);
          pending = pending.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) s.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) ev.id = Number(line.slice(4));
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
          }
          if (ev.id !== undefined) s.events.push(ev);
        }
        for (const w of s.waiters.slice()) w();
      });
      s.waitFor = (pred, timeoutMs = 5000) =>
        new Promise((ok, fail) => {
          const check = () => {
            const hit = pred(s);
            if (hit) {
              s.waiters = s.waiters.filter((w) => w !== check);
              clearTimeout(t);
              ok(hit);
            }
          };
          const t = setTimeout(() => {
            s.waiters = s.waiters.filter((w) => w !== check);
            fail(new Error(`stream: timed out; events ${JSON.stringify(s.events)} comments ${s.comments.length}`));
          }, timeoutMs);
          s.waiters.push(check);
          check();
        });
      resolve(s);
    });
    req.on('error', reject);
  });
}

/** A message in userId's inbox, as the outbox writes it (no email). */
export function insertMessage(server, userId, { kind = 'test', org = null, params = '{}' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const out = dbQuery(
    server,
    `INSERT INTO messages (organisation_id, user_id, kind, in_inbox, params, email_state, next_at, created_at, shown_at)` +
      ` VALUES (${org ?? 'NULL'}, ${userId}, '${kind}', 1, '${params}', 'none', ${now}, ${now}, ${now}) RETURNING id`,
  );
  return Number(out.trim().split('\n')[0]);
}

