// GET /api/v1/meta: the policy per role (checked against what the server
// actually refuses, route by route), each caller's organisations with their
// actions, the value lists (checked by having the server accept every value
// and refuse one more), the words for every value in both catalogs, the
// fake server's snapshot, and the web UI's new folders served as modules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_USERS, assertProblem, hearthRoutes, loginAllRoles, startServer, unique,
} from './harness.mjs';
import { ENUM_LABELS, UNLABELLED } from '../../web/lib/enum-labels.js';

const ROOT = new URL('../../', import.meta.url);
const catalog = (lang) => JSON.parse(fs.readFileSync(new URL(`web/i18n/${lang}.json`, ROOT), 'utf8'));

let server;
let as; // role -> logged-in Client
let anonMeta;

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  const res = await new Client(server.url).get('/api/v1/meta');
  assert.equal(res.status, 200, res.text);
  anonMeta = res.json;
});

after(async () => {
  await server?.stop();
});

async function metaOf(client) {
  const res = await client.get('/api/v1/meta');
  assert.equal(res.status, 200, res.text);
  return res.json;
}

function expect(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

/** Writes that act without a body: asked of the policy matrix, not here. */
const NO_BODY_WRITES = new Set(['/api/v1/me/erasure-request', '/api/v1/me/calendar', '/api/v1/me/duty-calendar']);

/** True when the answer is the policy's refusal of action (not a handler's own). */
function policyRefused(res, action) {
  return res.status === 403 && res.json?.detail === `your role does not allow ${action}`;
}

describe('GET /api/v1/meta: roles and actions', () => {
  test('anyone may read it; a visitor gets the policy and the value lists, no organisations', () => {
    assert.deepEqual(anonMeta.organisations, []);
    assert.deepEqual(anonMeta.everywhere, []);
    assert.deepEqual(Object.keys(anonMeta.scopes).sort(), Object.values(anonMeta.roles).flat().concat(['public']).filter((a, i, all) => all.indexOf(a) === i).sort(),
      'every action has a scope');
    assert.deepEqual(Object.keys(anonMeta.roles).sort(), [...anonMeta.enums.roles].sort());
    const actions = new Set(hearthRoutes().map((r) => r.action));
    for (const [role, list] of Object.entries(anonMeta.roles)) {
      // organisation.see is no route's action: it is what makes a thing of
      // an organisation known to its members (the 403/404 rule, docs/api.md).
      for (const a of list) assert.ok(actions.has(a) || ['public', 'self', 'organisation.see'].includes(a), `${role}: ${a} is an action some route performs`);
    }
  });

  test('each of my organisations carries its country (the UI formats dates for it), null when it has none', async () => {
    const org = (await metaOf(as.coordinator)).organisations[0];
    const list = await as.admin.get('/api/v1/organisations');
    assert.equal(list.status, 200, list.text);
    const before = list.json.items.find((o) => o.id === org.id).country ?? null;
    assert.equal(org.country ?? null, before);
    try {
      for (const [sent, seen] of [['gb', 'GB'], ['', null]]) {
        const res = await as.admin.patch(`/api/v1/organisations/${org.id}`, { country: sent });
        assert.equal(res.status, 200, res.text);
        const again = (await metaOf(as.coordinator)).organisations.find((o) => o.id === org.id);
        assert.equal(again.country, seen);
      }
    } finally {
      await as.admin.patch(`/api/v1/organisations/${org.id}`, { country: before ?? '' });
    }
  });

  for (const user of DEMO_USERS) {
    test(`${user.role}: my organisations carry my role and its actions, and the server refuses exactly the others`, async () => {
      const client = as[user.role];
      const meta = await metaOf(client);
      const mine = client.user.memberships;
      assert.deepEqual(meta.organisations.map((o) => o.id), [...new Set(mine.map((m) => m.organisation_id))]);
      for (const o of meta.organisations) {
        const roles = mine.filter((m) => m.organisation_id === o.id).map((m) => m.role);
        assert.deepEqual(o.roles, roles);
        const union = new Set(roles.flatMap((r) => meta.roles[r]));
        assert.deepEqual(new Set(o.actions), union, `${o.name}: actions are those of ${roles.join(', ')}`);
      }
      // An admin acts in every organisation, except on people's records
      // (scope member or shared: only where they hold the role).
      const platformWide = (a) => ['platform', 'organisation'].includes(meta.scopes[a]);
      assert.deepEqual(meta.everywhere, user.role === 'admin' ? meta.roles.admin.filter(platformWide) : []);
      if (user.role === 'admin') assert.ok(!meta.everywhere.includes('participant.read') && meta.everywhere.includes('programme.manage'));
      // What meta says is what the policy does: every route whose action is
      // not listed is refused by the policy; every listed one gets past it.
      const allowed = new Set(meta.organisations.flatMap((o) => o.actions));
      const failures = [];
      for (const r of hearthRoutes()) {
        if (r.public || r.action === 'self') continue;
        const path = r.path.replace(/\{\w+\}/g, '999999');
        // Reads, writes to records that do not exist (999999) and writes
        // with an empty body, so that nothing is changed either way; the
        // three writes that need no body are left out.
        if (NO_BODY_WRITES.has(r.path) && r.method !== 'GET') continue;
        const res = await client.request(r.method, path, r.method === 'GET' ? {} : { body: {} });
        const refused = policyRefused(res, r.action);
        if (refused === allowed.has(r.action)) {
          failures.push(`${r.method} ${r.path} (${r.action}): meta says ${allowed.has(r.action) ? 'allowed' : 'refused'}, server answered ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  test('an API token sees its one organisation and role', async () => {
    const org = as.admin.user.memberships[0].organisation_id;
    const t = expect(await as.admin.post('/api/v1/tokens', { name: unique('meta-token'), role: 'clinician', organisation_id: org }), 201, 'token');
    const meta = await metaOf(new Client(server.url, { bearer: t.token }));
    assert.deepEqual(meta.organisations.map((o) => [o.id, o.roles, o.actions]), [[org, ['clinician'], meta.roles.clinician]]);
    assert.deepEqual(meta.everywhere, []);
  });
});

describe('GET /api/v1/meta: value lists are what the server accepts', () => {
  const E = () => anonMeta.enums;
  let org;
  let venueId;

  before(async () => {
    org = as.coordinator.user.memberships[0].organisation_id;
    const v = await as.coordinator.post('/api/v1/venues', {
      organisation_id: org, name: unique('Meta Venue'), address: '1 Meta Street', capacity: 20, features: E().venue_features,
    });
    venueId = expect(v, 201, 'a venue with every feature').id;
  });

  let made = 0;
  // One session each, a day apart, so that none clashes at the venue.
  function programme(fields) {
    made += 1;
    const start = new Date(Date.now() + (21 + made) * 86400e3).toISOString().slice(0, 10);
    return {
      organisation_id: org, title: unique('Meta Programme'), art_form: 'painting', description: 'From /meta.',
      languages: ['en'], format: 'in_person', venue_id: venueId, capacity: 10, timezone: 'Europe/London',
      start_date: start, start_time: '18:00', duration_minutes: 60, rrule: 'FREQ=WEEKLY;COUNT=1', ...fields,
    };
  }

  test('a venue takes every feature; one more is refused naming features', async () => {
    assertProblem(await as.coordinator.post('/api/v1/venues', {
      organisation_id: org, name: unique('Meta Venue'), address: '1 Meta Street', capacity: 20, features: ['not_a_feature'],
    }), 400, { field: 'features' });
  });

  test('a programme takes every art form, format and language; one more art form is refused', async () => {
    assert.ok(E().art_forms.length >= 1);
    for (const art of E().art_forms) {
      expect(await as.coordinator.post('/api/v1/programmes', programme({ art_form: art })), 201, `art form ${art}`);
    }
    for (const format of E().formats) {
      const fields = { format };
      if (format !== 'in_person') fields.online_link = 'https://meet.example.org/meta';
      if (format === 'online') delete fields.venue_id;
      const body = programme(fields);
      if (format === 'online') delete body.venue_id;
      expect(await as.coordinator.post('/api/v1/programmes', body), 201, `format ${format}`);
    }
    for (let i = 0; i < E().programme_languages.length; i += 10) {
      const languages = E().programme_languages.slice(i, i + 10);
      expect(await as.coordinator.post('/api/v1/programmes', programme({ languages })), 201, `languages ${languages}`);
    }
    assertProblem(await as.coordinator.post('/api/v1/programmes', programme({ art_form: 'juggling' })), 400, { field: 'art_form' });
    for (const status of E().programme_statuses) {
      expect(await as.coordinator.get(`/api/v1/programmes?status=${status}`), 200, `status ${status}`);
    }
    assertProblem(await as.coordinator.get('/api/v1/programmes?status=archived'), 400, { field: 'status' });
  });

  test('a person takes every interest, need, age band, contact method, weekday and consent purpose', async () => {
    const body = {
      name: 'Mia Meta', email: `${unique('meta')}@example.org`, organisation_ids: [org],
      interests: E().art_forms,
      needs: { mobility: E().needs_mobility, sensory: E().needs_sensory, neurodivergence: E().needs_neurodivergence },
      availability: E().weekdays.map((day) => ({ day, start: '10:00', end: '12:00' })),
      consents: E().consent_purposes.map((purpose) => ({ purpose, granted: true })),
    };
    for (const band of E().age_bands) {
      // A child's record needs a date of birth, and a guardian's consent.
      const child = band === 'under_18' ? {
        date_of_birth: `${new Date().getUTCFullYear() - 15}-01-01`,
        consents: [{ purpose: 'participation', granted: true, given_by: 'guardian', guardian_name: 'Gus Guardian' }],
      } : {};
      expect(await as.coordinator.post('/api/v1/participants', {
        ...body, email: `${unique('meta')}@example.org`, age_band: band, ...child,
      }), 201, `age band ${band}`);
    }
    for (const contact of E().contact_methods) {
      expect(await as.coordinator.post('/api/v1/participants', {
        ...body, email: `${unique('meta')}@example.org`, preferred_contact: contact,
      }), 201, `contact ${contact}`);
    }
    assertProblem(await as.coordinator.post('/api/v1/participants', { ...body, interests: ['juggling'] }), 400, { field: 'interests' });
  });

  test('the staff list filters by every staff role; another role is refused', async () => {
    for (const role of E().staff_roles) expect(await as.coordinator.get(`/api/v1/staff?role=${role}`), 200, `role ${role}`);
    assertProblem(await as.coordinator.get('/api/v1/staff?role=funder'), 400, { field: 'role' });
  });

  test('the roles are the ones a membership may be given', async () => {
    const u = expect(await as.admin.post('/api/v1/users', { email: `${unique('meta-user')}@example.org`, display_name: 'Meta User' }), 201, 'user');
    for (const role of E().roles) {
      expect(await as.admin.post('/api/v1/memberships', { user_id: u.id, organisation_id: org, role }), 201, `role ${role}`);
    }
  });
});

describe('the web UI and /meta', () => {
  test('every value the UI shows has words in English and Spanish; every list is labelled or said not to be', () => {
    const en = catalog('en');
    const es = catalog('es');
    const missing = [];
    for (const [name, list] of Object.entries(anonMeta.enums)) {
      if (name in UNLABELLED) continue;
      const patterns = ENUM_LABELS[name];
      if (!patterns) {
        missing.push(`${name}: not in ENUM_LABELS or UNLABELLED (web/lib/enum-labels.js)`);
        continue;
      }
      for (const v of list) {
        for (const p of patterns) {
          const key = p.replace('*', v);
          if (!(key in en)) missing.push(`en.json: ${key}`);
          if (!(key in es)) missing.push(`es.json: ${key}`);
        }
      }
    }
    const stale = [...Object.keys(ENUM_LABELS), ...Object.keys(UNLABELLED)].filter((n) => !(n in anonMeta.enums));
    assert.deepEqual(missing, []);
    assert.deepEqual(stale, [], 'lists the server no longer sends');
  });

  test('the fake server\'s snapshot (tests/browser/fake-meta.json) is the real policy and value lists', () => {
    const snap = JSON.parse(fs.readFileSync(new URL('tests/browser/fake-meta.json', ROOT), 'utf8'));
    assert.deepEqual(snap, { roles: anonMeta.roles, enums: anonMeta.enums },
      'regenerate it: curl -s SERVER/api/v1/meta, without organisations and everywhere');
  });

  test('web/lib, web/components and web/endpoints are embedded and served as JavaScript under the CSP', async () => {
    const anon = new Client(server.url);
    const endpoints = fs.readdirSync(new URL('web/endpoints/', ROOT)).filter((f) => f.endsWith('.js')).map((f) => `/endpoints/${f}`);
    assert.ok(endpoints.length >= 8, 'endpoint calls are grouped per area in web/endpoints/');
    for (const path of ['/lib/meta.js', '/lib/labels.js', '/lib/enum-labels.js', '/components/pickers.js', '/views/programmes.js',
      ...endpoints]) {
      const res = await anon.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type'), /^text\/javascript/, path);
      assert.match(res.headers.get('content-security-policy'), /script-src 'self'/, path);
      assert.equal(res.text, fs.readFileSync(new URL(`web${path}`, ROOT), 'utf8'), `${path} is the file in web/`);
    }
    assert.equal((await anon.get('/views/prog.js')).status, 404, 'the grab-bag is gone');
  });

  test('views and widgets only compose: every endpoint call is in web/endpoints/', () => {
    for (const dir of ['web/views/', 'web/components/']) {
      for (const f of fs.readdirSync(new URL(dir, ROOT)).filter((x) => x.endsWith('.js'))) {
        const src = fs.readFileSync(new URL(`${dir}${f}`, ROOT), 'utf8');
        assert.doesNotMatch(src, /\/api\/v1\//, `${dir}${f} names an API address`);
        assert.doesNotMatch(src, /import\s*\{[^}]*\bapi\b[^}]*\}\s*from/, `${dir}${f} calls the API client itself`);
      }
    }
  });
});
