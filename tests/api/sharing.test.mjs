// What another organisation, and each role inside the person's own
// organisation, may read of a person (docs/privacy.md, "Sharing between
// organisations" and "Who sees what"):
// - a partner organisation's staff see the contact category only when an
//   active agreement covers it AND the person agreed to sharing with the
//   mental health service (clinical_sharing) AND to being contacted;
//   "Being contacted" alone never opens the record to another organisation;
// - peer supporters (volunteers) do not see staff notes, the date of birth
//   or the emergency contact;
// - GET /api/v1/staff lists the caller's own organisations' staff and their
//   partners', never every organisation's.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL). Every test makes its own people.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem, loginAllRoles, startServer, unique } from './harness.mjs';

let server;
let as; // role -> Client (DEMO_USERS)
const ORG = {};

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
});

after(async () => {
  if (server) await server.stop();
});

/** A Riverside participant made by the coordinator with these consents granted. */
async function person(purposes, extra = {}) {
  const body = {
    name: unique('Shared Person'),
    preferred_name: unique('Pref'),
    pronouns: 'they/them',
    languages: ['en'],
    email: `${unique('shared')}@example.org`,
    phone: '+44 20 7946 0999',
    preferred_contact: 'phone',
    date_of_birth: '1990-05-17',
    notes: unique('staff note'),
    emergency_contact: { name: unique('Kin'), phone: '+44 20 7946 0998', relationship: 'friend' },
    needs: { mobility: ['step_free_access'] },
    consents: purposes.map((purpose) => ({ purpose, granted: true })),
    ...extra,
  };
  const res = await as.coordinator.post('/api/v1/participants', body);
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, body };
}

async function consent(id, purpose, granted) {
  const res = await as.coordinator.post(`/api/v1/participants/${id}/consents`, { purpose, granted });
  assert.equal(res.status, 201, res.text);
}

/** Everything the clinician of the partner organisation can read of p. */
async function partnerView(p) {
  const read = await as.clinician.get(`/api/v1/participants/${p.id}`);
  const found = [];
  for (const key of ['email', 'phone', 'name']) {
    const res = await as.clinician.get(`/api/v1/participants?${new URLSearchParams({ [key]: p.body[key] })}`);
    assert.equal(res.status, 200, res.text);
    found.push(...res.json.items.filter((x) => x.id === p.id));
  }
  return { read, found };
}

const CONTACT_FIELDS = ['name', 'preferred_name', 'pronouns', 'languages', 'email', 'phone', 'preferred_contact'];

function assertSharedContact(p, { read, found }) {
  assert.equal(read.status, 200, read.text);
  for (const view of [read.json, ...found]) {
    assert.deepEqual(view.shared_categories, ['contact']);
    for (const k of CONTACT_FIELDS) assert.deepEqual(view[k], p.body[k], `${k} is part of the contact category`);
    for (const k of Object.keys(view)) {
      assert.ok([...CONTACT_FIELDS, 'id', 'status', 'shared_categories'].includes(k), `${k} is not shared with a partner`);
    }
  }
  assert.equal(found.length, 3, 'found by email, phone and name');
}

function assertNothingShared({ read, found }, why) {
  assertProblem(read, 404, { context: `${why}: as if there were no such person` });
  assert.deepEqual(found, [], `${why}: search finds nothing`);
  // The refusal does not show a single field of the person.
  for (const k of CONTACT_FIELDS) assert.ok(!(k in (read.json || {})), `${why}: ${k} in the refusal`);
}

describe('a partner organisation sees contact details only with clinical-sharing consent', () => {
  test('with clinical_sharing and contact: every contact field, nothing else', async () => {
    const p = await person(['participation', 'contact', 'clinical_sharing']);
    assertSharedContact(p, await partnerView(p));
  });

  test('contact consent never given clinical_sharing: nothing (the person page bug)', async () => {
    const p = await person(['participation', 'contact']);
    assertNothingShared(await partnerView(p), 'clinical_sharing never given');
  });

  test('clinical_sharing withdrawn: nothing at once; given again: contact again', async () => {
    const p = await person(['participation', 'contact', 'clinical_sharing']);
    assertSharedContact(p, await partnerView(p));
    await consent(p.id, 'clinical_sharing', false);
    assertNothingShared(await partnerView(p), 'clinical_sharing withdrawn');
    await consent(p.id, 'clinical_sharing', true);
    assertSharedContact(p, await partnerView(p));
  });

  test('clinical_sharing without contact consent: nothing (each category keeps its own purpose)', async () => {
    const p = await person(['participation', 'clinical_sharing']);
    assertNothingShared(await partnerView(p), 'contact never given');
    await consent(p.id, 'contact', true);
    assertSharedContact(p, await partnerView(p));
    await consent(p.id, 'contact', false);
    assertNothingShared(await partnerView(p), 'contact withdrawn');
  });

  test('staff of the person\'s own organisation still see the whole record, whatever the sharing consents', async () => {
    const p = await person(['participation']);
    const res = await as.coordinator.get(`/api/v1/participants/${p.id}`);
    assert.equal(res.status, 200, res.text);
    for (const k of ['name', 'email', 'notes', 'date_of_birth', 'emergency_contact', 'needs']) {
      assert.deepEqual(res.json[k], p.body[k], k);
    }
  });
});

describe('who sees what inside the person\'s organisation', () => {
  test('a peer supporter sees name, contact and needs but not staff notes, date of birth or emergency contact', async () => {
    const p = await person(['participation', 'contact']);
    const res = await as.peer_supporter.get(`/api/v1/participants/${p.id}`);
    assert.equal(res.status, 200, res.text);
    for (const k of ['name', 'preferred_name', 'email', 'phone', 'needs', 'languages']) {
      assert.deepEqual(res.json[k], p.body[k], `${k} is needed to support the person`);
    }
    for (const k of ['notes', 'date_of_birth', 'emergency_contact']) {
      assert.ok(!(k in res.json), `${k} is not for volunteers`);
    }
    assert.equal(res.json.age_band, '26_40', 'the age band stays');
    assert.equal(res.json.is_minor, false);
  });

  test('a facilitator and a coordinator see the staff notes', async () => {
    const p = await person(['participation']);
    for (const role of ['facilitator', 'coordinator', 'admin']) {
      const res = await as[role].get(`/api/v1/participants/${p.id}`);
      assert.equal(res.status, 200, `${role}: ${res.text}`);
      assert.equal(res.json.notes, p.body.notes, role);
    }
  });
});

describe('GET /api/v1/staff lists only the caller\'s and their partners\' staff', () => {
  const orgsOf = (items) => new Set(items.flatMap((u) => u.roles.map((x) => x.organisation)));

  test('a Riverside facilitator sees Riverside and its partner, not Eastgate or the funder', async () => {
    const res = await as.facilitator.get('/api/v1/staff');
    assert.equal(res.status, 200, res.text);
    const seen = orgsOf(res.json.items);
    assert.ok(seen.has('Riverside Community Arts'));
    assert.ok(seen.has('Northside Mental Health Service'), 'the partner under an agreement');
    assert.ok(!seen.has('Eastgate Library'), 'no agreement with Eastgate');
  });

  test('another organisation\'s id answers like an unknown one: an empty list', async () => {
    const other = await as.facilitator.get(`/api/v1/staff?organisation_id=${ORG['Eastgate Library']}`);
    const none = await as.facilitator.get('/api/v1/staff?organisation_id=999999');
    assert.equal(other.status, 200, other.text);
    assert.deepEqual(other.json, none.json);
    assert.deepEqual(other.json.items, []);
  });

  test('the partner clinician sees Riverside\'s staff too (the agreement runs both ways for teams)', async () => {
    const res = await as.clinician.get('/api/v1/staff');
    assert.equal(res.status, 200, res.text);
    const seen = orgsOf(res.json.items);
    assert.ok(seen.has('Northside Mental Health Service'));
    assert.ok(seen.has('Riverside Community Arts'));
    assert.ok(!seen.has('Eastgate Library'));
  });

  test('an admin sees every organisation\'s staff (admins manage users everywhere)', async () => {
    const seen = orgsOf((await as.admin.get('/api/v1/staff')).json.items);
    assert.ok(seen.has('Eastgate Library') && seen.has('Riverside Community Arts'));
  });
});
