// Unicode in names and emails (issue 10, finding 5): what a person typed
// composed (NFC) or decomposed (NFD: "e" + U+0301 COMBINING ACUTE), in any
// case, is one name and one email. Search finds either form, the same
// email in another form is the same person, the stored profile holds NFC,
// and a login typed in another form signs in. One server, both backends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, DEMO_USERS, loginAs, runCli, startServer, unique } from './harness.mjs';

const NFC = 'Ren\u00e9e Nu\u00f1ez';
const NFD = 'Rene\u0301e Nun\u0303ez';

let server;
let coordinator;

before(async () => {
  server = await startServer();
  coordinator = await loginAs(server.url, DEMO_USERS.find((u) => u.role === 'coordinator'));
});
after(async () => { await server?.stop(); });

async function search(query) {
  const res = await coordinator.get(`/api/v1/participants?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.map((p) => p.id);
}

test('NFC and NFD forms of "Renée Nuñez" are one name; the same email in NFD capitals is one person', async () => {
  assert.notEqual(NFC, NFD);
  assert.equal(NFC, NFD.normalize('NFC'));
  const local = unique('renee').toLowerCase();
  const email = `${local}.ren\u00e9e@example.org`;
  const res = await coordinator.post('/api/v1/participants', { name: NFC, email });
  assert.equal(res.status, 201, res.text);
  const id = res.json.id;

  for (const name of [NFC, NFD, NFD.toUpperCase(), ` ${NFC.toLowerCase()} `]) {
    assert.deepEqual(await search({ name }), [id], `name=${JSON.stringify(name)} (${Buffer.from(name).toString('hex')})`);
  }
  const emailNfdCaps = email.normalize('NFD').toUpperCase();
  assert.notEqual(emailNfdCaps, email.toUpperCase(), 'the email really is decomposed');
  assert.deepEqual(await search({ email: emailNfdCaps }), [id]);

  // Registering the NFD form with the email in NFD capitals: not a second person.
  const again = await coordinator.post('/api/v1/participants', { name: NFD, email: emailNfdCaps });
  assert.notEqual(again.status, 201, again.text);
  assert.deepEqual(await search({ name: NFD }), [id], 'still one Renée Nuñez');
  assert.deepEqual(await search({ email }), [id], 'still one person with that email');
});

test('the stored profile holds the NFC form of a name and email typed decomposed', async () => {
  const local = unique('jose').toLowerCase();
  const name = 'Jose\u0301 Marti\u0301nez'; // NFD
  const res = await coordinator.post('/api/v1/participants', { name, email: `${local}.JOSE\u0301@Example.org` });
  assert.equal(res.status, 201, res.text);
  const p = await coordinator.get(`/api/v1/participants/${res.json.id}`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.name, 'Jos\u00e9 Mart\u00ednez');
  assert.equal(p.json.email, `${local}.jos\u00e9@example.org`);
});

test('a login typed in another Unicode form and case signs in as the same user', async () => {
  const email = `${unique('ana').toLowerCase()}.pe\u00f1a@example.org`;
  const password = 'a-long-password-for-unicode';
  const r = runCli(['user', 'add', '--email', email.normalize('NFD').toUpperCase(), '--role', 'facilitator', '--password-stdin',
    '--db', server.db, '--key-file', server.keyFile], { input: `${password}\n` });
  assert.equal(r.code, 0, r.stderr);
  for (const typed of [email, email.normalize('NFD'), email.toUpperCase()]) {
    const c = new Client(server.url);
    const res = await c.post('/api/v1/auth/login', { email: typed, password }, { csrf: false });
    assert.equal(res.status, 200, `${JSON.stringify(typed)}: ${res.text}`);
  }
});
