// The OpenAPI document as a contract: a third-party validator accepts it;
// every request body schema is generated from the field table the handler
// validates with (bodies the schema accepts are accepted, bodies it refuses
// are refused, naming the field); every route documents its success answer;
// and real answers of a sample of routes, successes and problems, match the
// schemas the document gives for their status.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { validate as validateOpenApi, compileErrors } from '@readme/openapi-parser';

import { Client, assertProblem, hearthRoutes, loginAllRoles, startServer, unique } from './harness.mjs';

let server;
let as;
let doc;
let ajv;

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  const res = await new Client(server.url).get('/api/v1/openapi.json');
  assert.equal(res.status, 200);
  doc = res.json;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc.components.schemas.Problem, '#/components/schemas/Problem');
});

after(async () => {
  await server?.stop();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The operation of the document that serves method + path (a concrete path). */
function operationFor(method, path) {
  const bare = path.split('?')[0];
  let best;
  for (const [pattern, item] of Object.entries(doc.paths)) {
    const rx = new RegExp(`^${pattern.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (!rx.test(bare) || !item[method.toLowerCase()]) continue;
    // A literal segment beats a parameter (/me/profile, not /participants/{id}).
    const params = (pattern.match(/\{/g) || []).length;
    if (!best || params < best.params) best = { pattern, params, op: item[method.toLowerCase()] };
  }
  return best;
}

function schemaOf(media) {
  const s = media?.schema;
  if (!s) return undefined;
  return s.$ref ? { $ref: s.$ref } : s;
}

const checked = new Set();

/** Sends a request, and checks its status and its body against the document. */
async function call(client, method, path, body) {
  const found = operationFor(method, path);
  assert.ok(found, `${method} ${path} is in the document`);
  const { pattern, op } = found;
  if (body !== undefined) {
    const reqSchema = op.requestBody?.content?.['application/json']?.schema;
    assert.ok(reqSchema, `${method} ${pattern} documents its request body`);
    const ok = ajv.validate(reqSchema, body);
    assert.ok(ok, `${method} ${pattern}: the body we send fits the documented schema: ${ajv.errorsText()}`);
  }
  const res = await client.request(method, path, body === undefined ? {} : { body });
  const answer = op.responses[String(res.status)] ?? (res.status >= 400 ? op.responses.default : undefined);
  assert.ok(answer, `${method} ${pattern}: status ${res.status} is documented: ${res.text.slice(0, 300)}`);
  const ct = (res.headers.get('content-type') || '').split(';')[0];
  if (res.status === 204) {
    assert.equal(answer.content, undefined, `${method} ${pattern}: 204 has no body`);
  } else {
    const media = answer.content?.[ct];
    assert.ok(media, `${method} ${pattern} ${res.status}: ${ct} is documented (${Object.keys(answer.content || {})})`);
    if (res.json !== undefined) {
      const ok = ajv.validate(schemaOf(media), res.json);
      assert.ok(ok, `${method} ${pattern} ${res.status}: the answer fits its schema: ${ajv.errorsText()}\n${res.text.slice(0, 600)}`);
    }
  }
  checked.add(`${method} ${pattern} ${res.status}`);
  return res;
}

describe('the OpenAPI document', () => {
  test('a third-party OpenAPI 3.1 validator accepts it', async () => {
    const result = await validateOpenApi(structuredClone(doc));
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.equal(result.specification, 'OpenAPI');
  });

  test('every body route has a generated schema and every route documents its success answer', () => {
    for (const r of hearthRoutes()) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      const ok = Object.entries(op.responses).filter(([s]) => /^2\d\d$/.test(s));
      assert.equal(ok.length, 1, `${r.method} ${r.path}: one success status`);
      const [status, answer] = ok[0];
      if (status !== '204') {
        const media = Object.values(answer.content || {});
        assert.equal(media.length, 1, `${r.method} ${r.path}: the success answer has a media type`);
        assert.ok(media[0].schema?.type, `${r.method} ${r.path}: the success answer has a schema`);
      }
      for (const [s, a] of Object.entries(op.responses)) {
        if (/^[45]\d\d$|^default$/.test(s)) {
          assert.equal(a.content['application/problem+json'].schema.$ref, '#/components/schemas/Problem', `${r.method} ${r.path} ${s}`);
        }
      }
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (!body) continue;
      assert.equal(body.type, 'object');
      assert.equal(body.additionalProperties, false, `${r.method} ${r.path}: unknown fields are refused`);
      assert.ok(Object.keys(body.properties || {}).length > 0, `${r.method} ${r.path}: the body's fields are documented`);
    }
  });

  test('the login body states what the login handler checks', () => {
    const s = doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(s.required, ['email', 'password']);
    assert.equal(s.properties.email.format, 'email');
    assert.equal(s.properties.email.maxLength, 254);
    assert.equal(s.properties.password.minLength, 1);
    assert.equal(s.properties.password.maxLength, 1024);
  });

  test('nested tables, lists, enums, dates and optional fields are in the schema', () => {
    const p = doc.paths['/api/v1/participants'].post.requestBody.content['application/json'].schema;
    assert.ok(p.required.includes('name') && p.required.includes('email'));
    const needs = p.properties.needs.anyOf[0];
    assert.equal(needs.type, 'object');
    assert.equal(needs.additionalProperties, false);
    assert.ok(needs.properties.formats.anyOf[0].items.enum.includes('online'));
    const avail = p.properties.availability.anyOf[0];
    assert.equal(avail.type, 'array');
    assert.equal(avail.maxItems, 21);
    assert.deepEqual(avail.items.required, ['day', 'start', 'end']);
    assert.equal(p.properties.date_of_birth.anyOf[0].format, 'date');
    assert.deepEqual(p.properties.preferred_name.anyOf[1], { type: 'null' });
    const att = doc.paths['/api/v1/sessions/{id}/attendance'].post.requestBody.content['application/json'].schema;
    assert.equal(att.properties.marks.type, 'array');
    assert.equal(att.properties.marks.items.type, 'object');
  });

  test('bodies the schema refuses, the handler refuses too, naming the same field', async () => {
    const me = (await as.coordinator.get('/api/v1/auth/me')).json.user;
    const org = me.memberships.find((m) => m.role === 'coordinator').organisation_id;
    const venue = `/api/v1/venues`;
    const good = { organisation_id: org, name: unique('Hall'), address: '1 Road', capacity: 20, features: ['lift'] };
    const schema = doc.paths[venue].post.requestBody.content['application/json'].schema;
    const cases = [
      [{ ...good, capacity: 0 }, 'capacity'],
      [{ ...good, capacity: 10001 }, 'capacity'],
      [{ ...good, name: 'x'.repeat(201) }, 'name'],
      [{ ...good, features: ['teleporter'] }, 'features'],
      [{ ...good, colour: 'red' }, 'colour'],
      [(({ address, ...rest }) => rest)(good), 'address'],
    ];
    for (const [body, field] of cases) {
      assert.equal(ajv.validate(schema, body), false, `the schema refuses ${JSON.stringify(body)}`);
      assertProblem(await as.coordinator.post(venue, body), 400, { field, context: JSON.stringify(body) });
    }
    assert.ok(ajv.validate(schema, good), ajv.errorsText());
    const res = await call(as.coordinator, 'POST', venue, good);
    assert.equal(res.status, 201);
  });

  test('every route that reads a query string declares its parameters', () => {
    const expected = {
      'GET /help': ['country', 'lang'],
      'GET /api/v1/users': ['limit', 'offset'],
      'GET /api/v1/audit': ['actor', 'resource', 'since', 'until', 'after_id', 'limit'],
      'GET /api/v1/participants': ['email', 'phone', 'name', 'after', 'limit'],
      'GET /api/v1/consent-texts': ['lang'],
      'GET /api/v1/me/export.html': ['lang'],
      'GET /api/v1/erasure-requests': ['status'],
      'GET /api/v1/retention': ['inactive_days'],
      'GET /api/v1/listening-rounds': ['organisation_id', 'status'],
      'GET /api/v1/listening-rounds/{id}/responses': ['after_id', 'limit'],
      'GET /api/v1/decisions': ['organisation_id', 'round_id'],
      'GET /api/v1/venues': ['organisation_id'],
      'GET /api/v1/programmes': ['status', 'organisation_id'],
      'GET /api/v1/training': ['user_id'],
      'GET /api/v1/training/expiring': ['days'],
      'GET /api/v1/staff': ['organisation_id', 'role'],
      'GET /api/v1/me/sessions': ['limit'],
      'GET /api/v1/me/fit': ['limit'],
      'GET /api/v1/participants/{id}/fit': ['limit'],
      'GET /api/v1/followups/log': ['participant_id'],
      'GET /api/v1/events': ['last_event_id'],
      'GET /api/v1/me/messages': ['limit', 'cursor'],
      'GET /api/v1/unsubscribe': ['t'],
      'POST /api/v1/unsubscribe': ['t'],
      'GET /api/v1/outbox': ['state', 'limit', 'cursor'],
    };
    const found = {};
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const p of op.parameters || []) {
          const names = (path.match(/\{(\w+)\}/g) || []).map((x) => x.slice(1, -1));
          if (p.in === 'path') {
            assert.ok(names.includes(p.name), `${method} ${path}: path parameter ${p.name} is in the path`);
            assert.equal(p.required, true);
            continue;
          }
          assert.equal(p.in, 'query', `${method} ${path} ${p.name}`);
          assert.ok(p.schema?.type, `${method} ${path} ?${p.name} has a type`);
          assert.ok(p.description, `${method} ${path} ?${p.name} is described`);
          (found[`${method.toUpperCase()} ${path}`] ||= []).push(p.name);
        }
        const declared = (op.parameters || []).filter((p) => p.in === 'path').map((p) => p.name);
        assert.deepEqual(declared, (path.match(/\{(\w+)\}/g) || []).map((x) => x.slice(1, -1)),
          `${method} ${path}: every path parameter is declared`);
      }
    }
    assert.deepEqual(found, expected);
    // Drift: every query parameter name some handler reads in src/ is
    // declared on some route (a new one needs its row in openapi_query.c).
    const declared = new Set(Object.values(found).flat());
    const read = new Set();
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) walk(f);
        else if (f.endsWith('.c')) {
          const src = fs.readFileSync(f, 'utf8');
          for (const m of src.matchAll(/\b(?:req_query|programs_query_id|query_int|query_time)\(r, "(\w+)"/g)) read.add(m[1]);
        }
      }
    };
    walk(fileURLToPath(new URL('../../src', import.meta.url)));
    assert.ok(read.size >= 15, `found the handlers' query parameters (${[...read]})`);
    for (const name of read) assert.ok(declared.has(name), `?${name} is read by a handler but declared on no route`);
  });

  test('query values the schema refuses, the handler refuses too, naming the parameter', async () => {
    // Parameters whose handler does not check the value yet: the schema
    // states the contract all the same.
    const notChecked = new Set([]);
    const { admin, coordinator, participant } = as;
    const people = (await coordinator.get('/api/v1/participants')).json.items;
    const rounds = (await coordinator.get('/api/v1/listening-rounds')).json.items;
    const ids = { '/api/v1/participants/{id}/fit': people[0].id, '/api/v1/listening-rounds/{id}/responses': rounds[0]?.id ?? 1 };
    // A value of the wrong kind for each schema, and one it accepts.
    const badOf = (s) => s.type === 'integer' ? ['abc', String(s.default ?? s.minimum ?? 1)]
      : s.enum ? ['not-a-choice', s.enum[0]]
      : s.format === 'date-time' ? ['yesterday', '2026-01-31T09:00:00Z']
      : s.minLength ? ['', null]
      : null;
    let tried = 0;
    for (const [pattern, item] of Object.entries(doc.paths)) {
      const op = item.get;
      for (const p of (op?.parameters || []).filter((x) => x.in === 'query')) {
        const pair = badOf(p.schema);
        const key = `GET ${pattern} ?${p.name}`;
        if (!pair) {
          assert.equal(p.schema.type, 'string', `${key}: only plain text has nothing to refuse`);
          continue;
        }
        const [bad, good] = pair;
        assert.equal(ajv.validate(p.schema, bad), false, `${key}: the schema refuses ${JSON.stringify(bad)}`);
        if (notChecked.has(key)) continue;
        const path = pattern.replace('{id}', String(ids[pattern] ?? 1));
        const url = `${path}?${p.name}=${encodeURIComponent(bad)}`;
        // Whoever may call the route: the refusal is about the value.
        const answers = [];
        let refused;
        for (const c of [admin, coordinator, participant]) {
          const res = await c.get(url);
          answers.push(res.status);
          if (res.status === 400) { refused = { res, c }; break; }
        }
        assert.ok(refused, `${key}=${bad} is refused with 400 (got ${answers})`);
        assertProblem(refused.res, 400, { field: p.name, context: key });
        // An event stream does not end: its accepted values are tested in events.test.mjs.
        const stream = Object.keys(op.responses?.['200']?.content || {}).includes('text/event-stream');
        if (good !== null && !stream) {
          const ok = await refused.c.get(`${path}?${p.name}=${encodeURIComponent(good)}`);
          assert.notEqual(ok.status, 400, `${key}=${good} is accepted: ${ok.text.slice(0, 200)}`);
        }
        tried++;
      }
    }
    assert.ok(tried >= 20, `checked ${tried} parameters`);
    // Path ids: the document says a positive integer, the server refuses
    // anything else before the handler runs, naming the parameter.
    for (const [pattern, item] of Object.entries(doc.paths)) {
      const id = item.get?.parameters?.find((x) => x.in === 'path' && x.name === 'id');
      if (!id) continue;
      assert.deepEqual(id.schema, { type: 'integer', minimum: 1 }, pattern);
      for (const bad of ['abc', '0']) {
        assert.equal(ajv.validate(id.schema, /^\d+$/.test(bad) ? Number(bad) : bad), false);
        const url = pattern.replace('{id}', bad);
        const answers = [];
        let refused;
        for (const c of [admin, coordinator, participant]) {
          const res = await c.get(url);
          answers.push(res.status);
          if (res.status === 400) { refused = res; break; }
        }
        assert.ok(refused, `GET ${url} is refused with 400 (got ${answers})`);
        assertProblem(refused, 400, { field: 'id', context: url });
      }
    }
  });

  test('real answers of a sample of routes match their documented schemas', async () => {
    const { admin, coordinator, participant, facilitator } = as;
    const anon = new Client(server.url);
    await call(anon, 'GET', '/api/v1/health');
    await call(anon, 'GET', '/api/v1/consent-texts?lang=es');
    await call(anon, 'GET', '/api/v1/register/form');
    await call(anon, 'GET', '/api/v1/auth/me'); // 401 problem
    await call(anon, 'GET', '/api/v1/auth/session'); // 200, nobody
    await call(anon, 'GET', '/help');
    await call(participant, 'GET', '/api/v1/users'); // 403 problem
    for (const p of ['/api/v1/auth/me', '/api/v1/organisations', '/api/v1/users', '/api/v1/tokens',
      '/api/v1/audit', '/api/v1/participants', '/api/v1/erasure-requests', '/api/v1/sharing-agreements',
      '/api/v1/retention?inactive_days=365']) {
      await call(admin, 'GET', p);
    }
    const me = (await call(coordinator, 'GET', '/api/v1/auth/me')).json.user;
    await call(coordinator, 'GET', '/api/v1/auth/session');
    const org = me.memberships.find((m) => m.role === 'coordinator').organisation_id;
    for (const p of ['/api/v1/listening-rounds', '/api/v1/decisions', '/api/v1/venues', '/api/v1/programmes',
      '/api/v1/training', '/api/v1/training/expiring', '/api/v1/staff', '/api/v1/followups', '/api/v1/followups/log',
      '/api/v1/participants']) {
      await call(coordinator, 'GET', p);
    }
    for (const p of ['/api/v1/me/profile', '/api/v1/me/consents', '/api/v1/me/enrolments', '/api/v1/me/sessions',
      '/api/v1/me/fit', '/api/v1/me/export']) {
      await call(participant, 'GET', p);
    }
    await call(facilitator, 'GET', '/api/v1/me/duties');
    await call(anon, 'GET', '/api/v1/meta');
    await call(coordinator, 'GET', '/api/v1/meta');
    await call(participant, 'GET', '/api/v1/me/export.html');

    // Things with ids, from the demo data.
    const people = (await call(coordinator, 'GET', '/api/v1/participants')).json.items;
    const person = people[0].id;
    await call(coordinator, 'GET', `/api/v1/participants/${person}`);
    await call(coordinator, 'GET', `/api/v1/participants/${person}/consents`);
    await call(coordinator, 'GET', `/api/v1/participants/${person}/fit`);
    await call(coordinator, 'GET', '/api/v1/participants/999999999'); // 404 problem
    const rounds = (await call(coordinator, 'GET', '/api/v1/listening-rounds')).json.items;
    if (rounds.length) {
      await call(coordinator, 'GET', `/api/v1/listening-rounds/${rounds[0].id}`);
      await call(coordinator, 'GET', `/api/v1/listening-rounds/${rounds[0].id}/themes`);
      await call(coordinator, 'GET', `/api/v1/listening-rounds/${rounds[0].id}/responses`);
    }
    const programmes = (await call(coordinator, 'GET', '/api/v1/programmes')).json.items;
    assert.ok(programmes.length, 'the demo has programmes');
    const prog = programmes[0].id;
    await call(coordinator, 'GET', `/api/v1/programmes/${prog}`);
    const sessions = (await call(coordinator, 'GET', `/api/v1/programmes/${prog}/sessions`)).json.items;
    await call(coordinator, 'GET', `/api/v1/programmes/${prog}/rotation`);
    await call(coordinator, 'GET', `/api/v1/programmes/${prog}/enrolments`);
    await call(coordinator, 'GET', `/api/v1/programmes/${prog}/supports`);
    await call(coordinator, 'GET', `/api/v1/programmes/${prog}/supports/ledger`);
    if (sessions.length) {
      await call(coordinator, 'GET', `/api/v1/sessions/${sessions[0].id}`);
      await call(coordinator, 'GET', `/api/v1/sessions/${sessions[0].id}/roster`);
      await call(coordinator, 'GET', `/api/v1/sessions/${sessions[0].id}/attendance`);
    }

    // Writes: a venue, a programme at it, published, a person enrolled.
    const venue = (await call(coordinator, 'POST', '/api/v1/venues',
      { organisation_id: org, name: unique('Studio'), address: '2 Lane', capacity: 12, features: ['lift'] })).json;
    await call(coordinator, 'GET', `/api/v1/venues/${venue.id}`);
    await call(coordinator, 'PATCH', `/api/v1/venues/${venue.id}`, { notes: 'Side door' });
    const start = new Date(Date.now() + 21 * 86400e3).toISOString().slice(0, 10);
    const created = await call(coordinator, 'POST', '/api/v1/programmes', {
      organisation_id: org, title: unique('Clay'), art_form: 'painting', description: 'Hand building.',
      languages: ['en'], format: 'in_person', capacity: 8, timezone: 'Europe/London', start_date: start,
      start_time: '18:00', duration_minutes: 90, rrule: 'FREQ=WEEKLY;COUNT=3', venue_id: venue.id,
    });
    assert.equal(created.status, 201, created.text);
    const newProg = created.json.id;
    await call(coordinator, 'PATCH', `/api/v1/programmes/${newProg}`, { description: 'Hand building, slowly.' });
    await call(coordinator, 'POST', `/api/v1/programmes/${newProg}/publish`);
    await call(coordinator, 'POST', `/api/v1/programmes/${newProg}/enrolments`, { participant_id: person });
    await call(coordinator, 'POST', `/api/v1/programmes/${newProg}/calendar`);
    await call(coordinator, 'POST', '/api/v1/listening-rounds', { organisation_id: org, title: unique('Round') });
    await call(admin, 'POST', '/api/v1/users', { email: `${unique('u')}@example.org`, display_name: 'New Person' });
    await call(participant, 'POST', '/api/v1/me/calendar');
    await call(participant, 'POST', '/api/v1/me/consents', { purpose: 'media', granted: false });

    assert.ok(checked.size >= 60, `a sample of at least 60 route and status pairs (${checked.size})`);
  });
});
