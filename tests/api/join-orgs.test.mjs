// The organisations the join form offers (GET /api/v1/register/form) and
// accepts (POST /api/v1/register): arts organisations and partners where
// an enabled member may register a participant (admin, coordinator,
// facilitator). A funder, a partner with no such team and a mental-health
// service (it registers its own patients) take nobody.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, DEMO_USERS, assertProblem, loginAs, startServer, unique } from './harness.mjs';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin');

let server;
let admin;
const ORG = {}; // name -> id

before(async () => {
  server = await startServer({ env: { HEARTH_REGISTER_MIN_SECONDS: '0' } });
  admin = await loginAs(server.url, ADMIN);
  for (const o of (await admin.get('/api/v1/organisations')).json.items) ORG[o.name] = o.id;
});

after(async () => {
  await server?.stop();
});

async function offered() {
  const res = await new Client(server.url).get('/api/v1/register/form');
  assert.equal(res.status, 200, res.text);
  return res.json;
}

let addr = 0;
async function registerAt(organisationId) {
  const form = await offered();
  addr += 1;
  // Registration is rate-limited per client address: one of its own each time.
  return new Client(server.url, { localAddress: `127.91.0.${addr}` }).post('/api/v1/register', {
    form_token: form.form_token,
    organisation_id: organisationId,
    name: unique('Joiner'),
    email: `${unique('joiner')}@example.org`.toLowerCase(),
    consents: [{ purpose: 'participation', granted: true }],
  });
}

describe('the organisations the join form offers', () => {
  test('the demo: the arts organisation and the library, not the fund or the mental-health service', async () => {
    const names = (await offered()).organisations.map((o) => o.name);
    assert.ok(names.includes('Riverside Community Arts'), names.join(', '));
    assert.ok(names.includes('Eastgate Library'), 'a partner with a facilitator takes participants');
    assert.ok(!names.includes('Civic Wellbeing Fund'), 'a funder takes no participants');
    assert.ok(!names.includes('Northside Mental Health Service'), 'a mental-health service registers its own patients');
  });

  test('registering with the fund is refused naming organisation_id; with the library it is accepted', async () => {
    const fund = await registerAt(ORG['Civic Wellbeing Fund']);
    assertProblem(fund, 400, { field: 'organisation_id' });
    assert.equal(fund.json.field, 'organisation_id');
    const library = await registerAt(ORG['Eastgate Library']);
    assert.equal(library.status, 202, library.text);
  });

  test('a new partner is offered once it has a coordinator, and no longer once that coordinator is disabled', async () => {
    const name = unique('Partner Hall');
    const made = await admin.post('/api/v1/organisations', { name, kind: 'partner' });
    assert.equal(made.status, 201, made.text);
    const org = made.json.id;
    const names = async () => (await offered()).organisations.map((o) => o.name);
    assert.ok(!(await names()).includes(name), 'nobody there yet');
    assertProblem(await registerAt(org), 400, { field: 'organisation_id' });

    const user = await admin.post('/api/v1/users', { email: `${unique('hall')}@example.org`.toLowerCase(), display_name: 'Hall Coordinator' });
    assert.equal(user.status, 201, user.text);
    const funder = await admin.post('/api/v1/memberships', { user_id: user.json.id, organisation_id: org, role: 'funder' });
    assert.equal(funder.status, 201, funder.text);
    assert.ok(!(await names()).includes(name), 'a funder membership is not enough');
    const m = await admin.post('/api/v1/memberships', { user_id: user.json.id, organisation_id: org, role: 'coordinator' });
    assert.equal(m.status, 201, m.text);
    assert.ok((await names()).includes(name), 'a coordinator there: offered');
    assert.equal((await registerAt(org)).status, 202);

    const off = await admin.patch(`/api/v1/users/${user.json.id}`, { disabled: true });
    assert.ok(off.status === 200 || off.status === 204, off.text);
    assert.ok(!(await names()).includes(name), 'a disabled coordinator looks after nobody');
  });
});
