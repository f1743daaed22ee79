// Listening and co-authorship: rounds of needs gathering, answers given in
// person (staff entry) or online, in English or Spanish, anonymous if the
// person prefers; attributed answers sealed with the person's key (erasing
// the person makes them unreadable, anonymous answers stay); reading answers
// audited; themes, one vote per person per round changeable until the round
// closes; theme outcomes with reasons; "you said, we did" decisions linking
// themes and answers; and the policy matrix of these routes.
//
// One shared server with the demo data (SQLite, or PostgreSQL with
// HEARTH_TEST_PG_URL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client, DEMO_PASSWORD, DEMO_USERS, ROOT_ADMIN, assertProblem, dbQuery, hearthRoutes, isPg,
  loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';

let server;
let as; // role -> Client (DEMO_USERS)
let root; // the first admin (no organisation)
let p2; // participant2@example.org (Noor)
let librarian; // facilitator of Eastgate Library
const ORG = {};
const SELF = {}; // participant id of each participant login: 'participant', 'p2'

const POLICY_DENIED = /^your role does not allow /;

before(async () => {
  server = await startServer();
  [as, root, p2, librarian] = await Promise.all([
    loginAllRoles(server.url),
    loginAs(server.url, ROOT_ADMIN),
    loginAs(server.url, { email: 'participant2@example.org', password: DEMO_PASSWORD }),
    loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD }),
  ]);
  const orgs = await as.admin.get('/api/v1/organisations');
  assert.equal(orgs.status, 200, orgs.text);
  for (const o of orgs.json.items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  ORG.northside = ORG['Northside Mental Health Service'];
  ORG.eastgate = ORG['Eastgate Library'];
  for (const [k, c] of [['participant', as.participant], ['p2', p2]]) {
    const me = await c.get('/api/v1/me/profile');
    assert.equal(me.status, 200, me.text);
    SELF[k] = me.json.id;
  }
});

after(async () => {
  if (server) await server.stop();
});

// --- helpers ---

async function openRound(client = as.coordinator, fields = {}) {
  const body = { organisation_id: ORG.riverside, title: unique('Round'), ...fields };
  const res = await client.post('/api/v1/listening-rounds', body);
  assert.equal(res.status, 201, `open round ${JSON.stringify(body)}: ${res.text}`);
  return res.json;
}

async function answer(client, roundId, body, status = 201) {
  const res = await client.post(`/api/v1/listening-rounds/${roundId}/responses`, body);
  assert.equal(res.status, status, `answer ${JSON.stringify(body)}: ${res.text}`);
  return res.json;
}

async function propose(client, roundId, title = unique('Theme')) {
  const res = await client.post(`/api/v1/listening-rounds/${roundId}/themes`, { title });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

function vote(client, roundId, themeId) {
  return client.request('PUT', `/api/v1/listening-rounds/${roundId}/vote`, { body: { theme_id: themeId } });
}

async function themes(client, roundId) {
  const res = await client.get(`/api/v1/listening-rounds/${roundId}/themes`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function closeRound(roundId) {
  const res = await as.coordinator.patch(`/api/v1/listening-rounds/${roundId}`, { status: 'closed' });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function createPerson(fields = {}) {
  const res = await as.coordinator.post('/api/v1/participants', { name: unique('Listener'), email: `${unique('l')}@example.org`, ...fields });
  assert.equal(res.status, 201, res.text);
  return res.json.id;
}

async function audit(resource) {
  const res = await as.admin.get(`/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

/** The stored answers of a response, as upper-case hex (the bytes on disk). */
function storedHex(id) {
  const sql = isPg(server)
    ? `SELECT upper(encode(answers, 'hex')) FROM listening_responses WHERE id = ${id};`
    : `SELECT hex(answers) FROM listening_responses WHERE id = ${id};`;
  return dbQuery(server, sql).trim();
}

const hex = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

/** participant_id, entered_by (0 for NULL), channel, lang, sealed of a stored response. */
function storedRow(id) {
  const line = dbQuery(server, `SELECT COALESCE(participant_id, 0), COALESCE(entered_by, 0), channel, lang, sealed, created_at FROM listening_responses WHERE id = ${id};`).trim();
  const [participant, enteredBy, channel, lang, sealed, createdAt] = line.split('|');
  return { participant: Number(participant), enteredBy: Number(enteredBy), channel, lang, sealed: Number(sealed), createdAt: Number(createdAt) };
}

async function responses(roundId, client = as.coordinator) {
  const res = await client.get(`/api/v1/listening-rounds/${roundId}/responses`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

// --- rounds ---

describe('listening rounds', () => {
  test('a coordinator opens a round; it reads back with its fields', async () => {
    const closes = new Date(Date.now() + 30 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const rd = await openRound(as.coordinator, { description: 'What would help you take part?', closes_at: closes });
    assert.equal(rd.organisation_id, ORG.riverside);
    assert.equal(rd.status, 'open');
    assert.equal(rd.closes_at, closes);
    assert.equal(rd.closed_at, null);
    assert.equal(rd.description, 'What would help you take part?');
    assert.equal(rd.theme_count, 0);
    assert.equal(rd.response_count, 0);
    const got = await as.facilitator.get(`/api/v1/listening-rounds/${rd.id}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json, rd);
    const a = await audit(`listening_round:${rd.id}`);
    assert.ok(a.some((e) => e.action === 'listening.round.create' && e.actor_id === as.coordinator.user.id));
  });

  test('bad input is a 400 naming the field, and nothing is written', async () => {
    const before = dbQuery(server, 'SELECT COUNT(*) FROM listening_rounds;').trim();
    const cases = [
      [{ organisation_id: ORG.riverside }, 'title'],
      [{ title: 'x' }, 'organisation_id'],
      [{ organisation_id: ORG.riverside, title: '   ' }, 'title'],
      [{ organisation_id: ORG.riverside, title: 'x'.repeat(201) }, 'title'],
      [{ organisation_id: 'one', title: 'x' }, 'organisation_id'],
      [{ organisation_id: ORG.riverside, title: 'x', closes_at: 'next week' }, 'closes_at'],
      [{ organisation_id: ORG.riverside, title: 'x', closes_at: '2020-01-01T00:00:00Z' }, 'closes_at'],
      [{ organisation_id: ORG.riverside, title: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      assertProblem(await as.coordinator.post('/api/v1/listening-rounds', body), 400, { field, context: JSON.stringify(body) });
    }
    assertProblem(await as.admin.post('/api/v1/listening-rounds', { organisation_id: 999999, title: 'x' }), 400, { field: 'organisation_id' });
    assert.equal(dbQuery(server, 'SELECT COUNT(*) FROM listening_rounds;').trim(), before);
  });

  test('a coordinator may not open a round for another organisation (403); an admin may', async () => {
    assertProblem(await as.coordinator.post('/api/v1/listening-rounds', { organisation_id: ORG.northside, title: 'x' }), 403, { field: 'organisation_id' });
    const rd = await openRound(as.admin, { organisation_id: ORG.northside });
    assert.equal(rd.organisation_id, ORG.northside);
  });

  test('participants see every organisation\'s rounds; staff their own organisations\'; others none', async () => {
    const riverside = await openRound();
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    const ids = async (c, q = '') => {
      const res = await c.get(`/api/v1/listening-rounds${q}`);
      assert.equal(res.status, 200, res.text);
      return res.json.items.map((x) => x.id);
    };
    for (const c of [as.participant, p2, as.admin]) {
      const seen = await ids(c);
      assert.ok(seen.includes(riverside.id) && seen.includes(northside.id));
    }
    for (const c of [as.coordinator, as.facilitator, as.peer_supporter]) {
      const seen = await ids(c);
      assert.ok(seen.includes(riverside.id) && !seen.includes(northside.id));
    }
    const clin = await ids(as.clinician);
    assert.ok(clin.includes(northside.id) && !clin.includes(riverside.id));
    assert.deepEqual(await ids(as.funder), []);
    assert.deepEqual(await ids(as.moderator), []);
    // Filters.
    assert.ok((await ids(as.participant, `?organisation_id=${ORG.northside}`)).every((id) => id !== riverside.id));
    assertProblem(await as.participant.get('/api/v1/listening-rounds?organisation_id=x'), 400, { field: 'organisation_id' });
    assertProblem(await as.participant.get('/api/v1/listening-rounds?status=maybe'), 400, { field: 'status' });
    // A round one may not see is not found, like one that does not exist.
    assertProblem(await as.clinician.get(`/api/v1/listening-rounds/${riverside.id}`), 404);
    assertProblem(await as.funder.get(`/api/v1/listening-rounds/${riverside.id}`), 404);
    assertProblem(await as.facilitator.get(`/api/v1/listening-rounds/${northside.id}`), 404);
    assertProblem(await as.participant.get('/api/v1/listening-rounds/999999'), 404);
    assert.equal((await as.participant.get(`/api/v1/listening-rounds/${northside.id}`)).status, 200);
  });

  test('PATCH changes, closes and reopens a round; only its own coordinators may', async () => {
    const rd = await openRound(as.coordinator, { closes_at: '2099-01-01T00:00:00Z' });
    let res = await as.coordinator.patch(`/api/v1/listening-rounds/${rd.id}`, { title: 'Autumn listening', closes_at: null });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.title, 'Autumn listening');
    assert.equal(res.json.closes_at, null);
    const closed = await closeRound(rd.id);
    assert.equal(closed.status, 'closed');
    assert.match(closed.closed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    res = await as.coordinator.patch(`/api/v1/listening-rounds/${rd.id}`, { status: 'open' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'open');
    assert.equal(res.json.closed_at, null);
    assertProblem(await as.coordinator.patch(`/api/v1/listening-rounds/${rd.id}`, { status: 'paused' }), 400, { field: 'status' });
    assertProblem(await as.coordinator.patch(`/api/v1/listening-rounds/${rd.id}`, { title: '' }), 400, { field: 'title' });
    assertProblem(await as.coordinator.patch('/api/v1/listening-rounds/999999', { title: 'x' }), 404);
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    assertProblem(await as.coordinator.patch(`/api/v1/listening-rounds/${northside.id}`, { title: 'x' }), 404);
    const a = (await audit(`listening_round:${rd.id}`)).map((e) => e.action);
    for (const action of ['listening.round.update', 'listening.round.close', 'listening.round.reopen']) assert.ok(a.includes(action), action);
  });
});

// --- answers ---

describe('answers: online, in person, anonymous, sealed', () => {
  let rd;
  before(async () => { rd = await openRound(); });

  test('a participant answers online for themself: attributed, sealed with their key', async () => {
    const marker = unique('I miss singing with my choir');
    const { id } = await answer(as.participant, rd.id, {
      lang: 'es', answers: { creative: marker, barriers: 'el autobús' }, barrier_tags: ['transport', 'cost'],
    });
    const row = storedRow(id);
    assert.deepEqual([row.participant, row.enteredBy, row.channel, row.lang, row.sealed], [SELF.participant, 0, 'online', 'es', 1]);
    assert.ok(!storedHex(id).includes(hex('choir')), 'the answer is not stored in the clear');
    const item = (await responses(rd.id)).find((x) => x.id === id);
    assert.equal(item.anonymous, false);
    assert.equal(item.participant_id, SELF.participant);
    assert.equal(item.channel, 'online');
    assert.equal(item.lang, 'es');
    assert.deepEqual(item.answers, { creative: marker, barriers: 'el autobús' });
    assert.deepEqual(item.barrier_tags, ['transport', 'cost']);
    const a = await audit(`participant:${SELF.participant}`);
    assert.ok(a.some((e) => e.action === 'listening.response.create' && e.actor_id === as.participant.user.id));
    assert.ok(a.some((e) => e.action === 'listening.response.read' && e.actor_id === as.coordinator.user.id));
  });

  test('an anonymous online answer keeps no link to anyone', async () => {
    const { id } = await answer(p2, rd.id, { anonymous: true, lang: 'en', answers: { social: 'Meeting neighbours' } });
    const row = storedRow(id);
    assert.deepEqual([row.participant, row.enteredBy, row.channel, row.sealed], [0, 0, 'online', 0]);
    assert.equal(row.createdAt % 86400, 0, 'an anonymous answer keeps only its day');
    const item = (await responses(rd.id)).find((x) => x.id === id);
    assert.equal(item.anonymous, true);
    assert.ok(!('participant_id' in item));
    assert.deepEqual(item.answers, { social: 'Meeting neighbours' });
    const mine = await audit(`participant:${SELF.p2}`);
    assert.ok(!mine.some((e) => e.action.startsWith('listening.')), 'no audit entry names the anonymous person');
  });

  test('staff enter answers given in person, attributed or anonymous', async () => {
    const person = await createPerson();
    const { id } = await answer(as.facilitator, rd.id, {
      participant_id: person, lang: 'en', answers: { emotional: 'Calmer after painting', strengths: 'Patience' },
    });
    let row = storedRow(id);
    assert.deepEqual([row.participant, row.enteredBy, row.channel, row.sealed], [person, as.facilitator.user.id, 'in_person', 1]);
    const anon = await answer(as.peer_supporter, rd.id, { anonymous: true, lang: 'es', answers: { cultural_traditions: 'Día de muertos' } });
    row = storedRow(anon.id);
    assert.deepEqual([row.participant, row.enteredBy, row.channel, row.sealed], [0, as.peer_supporter.user.id, 'in_person', 0]);
    const items = await responses(rd.id);
    assert.deepEqual(items.find((x) => x.id === id).answers, { emotional: 'Calmer after painting', strengths: 'Patience' });
    assert.equal(items.find((x) => x.id === anon.id).anonymous, true);
    const a = await audit(`participant:${person}`);
    assert.ok(a.some((e) => e.action === 'listening.response.create' && e.actor_id === as.facilitator.user.id));
  });

  test('bad answers are 400 naming the field; nothing is written', async () => {
    const before = dbQuery(server, 'SELECT COUNT(*) FROM listening_responses;').trim();
    const person = await createPerson();
    const ok = { lang: 'en', answers: { social: 'x' } };
    const cases = [
      [as.participant, { lang: 'en' }, 'answers'],
      [as.participant, { lang: 'en', answers: {} }, 'answers'],
      [as.participant, { lang: 'en', answers: { social: '  ', creative: '' } }, 'answers'],
      [as.participant, { lang: 'en', answers: { social: 'x'.repeat(2001) } }, 'answers.social'],
      [as.participant, { lang: 'en', answers: 'all good' }, 'answers'],
      [as.participant, { ...ok, lang: 'fr' }, 'lang'],
      [as.participant, { answers: { social: 'x' } }, 'lang'],
      [as.participant, { ...ok, barrier_tags: ['bus'] }, 'barrier_tags'],
      [as.participant, { ...ok, anonymous: 'yes' }, 'anonymous'],
      [as.facilitator, ok, 'participant_id'],
      [as.facilitator, { ...ok, participant_id: person, anonymous: true }, 'participant_id'],
      [as.facilitator, { ...ok, participant_id: 0 }, 'participant_id'],
    ];
    for (const [client, body, field] of cases) {
      assertProblem(await client.post(`/api/v1/listening-rounds/${rd.id}/responses`, body), 400, { field, context: JSON.stringify(body) });
    }
    // An unknown question is refused and named (the shared parser's detail
    // names the key only, so the field member is checked here).
    const unknown = assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/responses`, { lang: 'en', answers: { hopes: 'x' } }), 400, { detail: 'hopes' });
    assert.equal(unknown.field, 'answers.hopes');
    // Nobody by that id is refused like a person of another organisation
    // (403, scope.test.mjs), not with a 400 of its own.
    assertProblem(await as.facilitator.post(`/api/v1/listening-rounds/${rd.id}/responses`, { ...ok, participant_id: 999999 }), 403, { field: 'participant_id' });
    // A participant answers only for themself.
    assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/responses`, { ...ok, participant_id: person }), 403, { field: 'participant_id' });
    assert.equal(dbQuery(server, 'SELECT COUNT(*) FROM listening_responses;').trim(), before);
  });

  test('staff enter answers only for people of their organisations, in rounds they see', async () => {
    const eastgate = await openRound(as.admin, { organisation_id: ORG.eastgate });
    const person = await createPerson();
    assertProblem(await librarian.post(`/api/v1/listening-rounds/${eastgate.id}/responses`, { participant_id: person, lang: 'en', answers: { social: 'x' } }), 403, { field: 'participant_id' });
    await answer(librarian, eastgate.id, { anonymous: true, lang: 'en', answers: { social: 'Book club' } });
    assertProblem(await as.facilitator.post(`/api/v1/listening-rounds/${eastgate.id}/responses`, { anonymous: true, lang: 'en', answers: { social: 'x' } }), 404);
    assertProblem(await as.participant.post('/api/v1/listening-rounds/999999/responses', { lang: 'en', answers: { social: 'x' } }), 404);
    // Participants may answer any organisation's round.
    await answer(as.participant, eastgate.id, { lang: 'en', answers: { creative: 'Poetry' } });
  });

  test('a closed round takes no answers (409)', async () => {
    const closed = await openRound();
    await closeRound(closed.id);
    const p = assertProblem(await as.participant.post(`/api/v1/listening-rounds/${closed.id}/responses`, { lang: 'en', answers: { social: 'x' } }), 409, { detail: 'closed' });
    assert.equal(p.round_status, 'closed');
    assertProblem(await as.facilitator.post(`/api/v1/listening-rounds/${closed.id}/responses`, { anonymous: true, lang: 'en', answers: { social: 'x' } }), 409);
  });

  test('reading answers: coordinators of the organisation only; paged; audited with the read', async () => {
    assertProblem(await as.facilitator.get(`/api/v1/listening-rounds/${rd.id}/responses`), 403, { detail: POLICY_DENIED });
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    assertProblem(await as.coordinator.get(`/api/v1/listening-rounds/${northside.id}/responses`), 404);
    const all = await responses(rd.id);
    assert.ok(all.length >= 4);
    const page = await as.coordinator.get(`/api/v1/listening-rounds/${rd.id}/responses?limit=2`);
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.json.items.map((x) => x.id), all.slice(0, 2).map((x) => x.id));
    const next = await as.coordinator.get(`/api/v1/listening-rounds/${rd.id}/responses?after_id=${page.json.next_after_id}&limit=500`);
    assert.deepEqual(next.json.items.map((x) => x.id), all.slice(2).map((x) => x.id));
    assert.equal(next.json.next_after_id, null);
    assertProblem(await as.coordinator.get(`/api/v1/listening-rounds/${rd.id}/responses?limit=501`), 400, { field: 'limit' });
    assertProblem(await as.coordinator.get(`/api/v1/listening-rounds/${rd.id}/responses?after_id=-1`), 400, { field: 'after_id' });
    const a = await audit(`listening_round:${rd.id}`);
    assert.ok(a.filter((e) => e.action === 'listening.response.list' && e.actor_id === as.coordinator.user.id).length >= 2);
  });
});

describe('erasure crypto-shreds a person\'s answers; anonymous ones remain', () => {
  test('after DELETE /participants/{id} their answers read null, erased; others are intact', async () => {
    const rd = await openRound();
    const person = await createPerson();
    const theirs = await answer(as.facilitator, rd.id, { participant_id: person, lang: 'en', answers: { emotional: 'Lonely since I moved' } });
    const theirs2 = await answer(as.coordinator, rd.id, { participant_id: person, lang: 'es', answers: { barriers: 'Cuidado de niños' }, barrier_tags: ['childcare'] });
    const anon = await answer(as.facilitator, rd.id, { anonymous: true, lang: 'en', answers: { creative: 'Pottery' } });
    const other = await answer(as.participant, rd.id, { lang: 'en', answers: { social: 'Choir' } });
    assert.deepEqual((await responses(rd.id)).find((x) => x.id === theirs.id).answers, { emotional: 'Lonely since I moved' });

    const del = await as.coordinator.delete(`/api/v1/participants/${person}`);
    assert.equal(del.status, 204, del.text);

    const items = await responses(rd.id);
    for (const id of [theirs.id, theirs2.id]) {
      const x = items.find((i) => i.id === id);
      assert.equal(x.answers, null);
      assert.equal(x.barrier_tags, null);
      assert.equal(x.erased, true);
      assert.equal(x.participant_id, person);
    }
    assert.deepEqual(items.find((x) => x.id === anon.id).answers, { creative: 'Pottery' });
    assert.equal(items.find((x) => x.id === anon.id).erased, undefined);
    assert.deepEqual(items.find((x) => x.id === other.id).answers, { social: 'Choir' });
    // Their sealed bytes are still there, and still not plaintext.
    assert.ok(!storedHex(theirs.id).includes(hex('Lonely')));

    const a = await audit(`participant:${person}`);
    const actions = a.map((e) => e.action);
    assert.ok(actions.includes('participant.erase'));
    assert.ok(actions.includes('listening.response.create'));
    assert.ok(actions.includes('listening.response.read'));
    // A new answer for the erased person is refused.
    assertProblem(await as.facilitator.post(`/api/v1/listening-rounds/${rd.id}/responses`, { participant_id: person, lang: 'en', answers: { social: 'x' } }), 400, { field: 'participant_id' });
  });
});

// --- themes and votes ---

describe('themes and votes', () => {
  test('participants and staff propose themes; the proposer kind is recorded', async () => {
    const rd = await openRound();
    const t1 = await propose(as.participant, rd.id, 'Evening sessions');
    assert.equal(t1.proposer_kind, 'participant');
    assert.equal(t1.outcome, 'pending');
    assert.equal(t1.outcome_reason, null);
    assert.equal(t1.votes, 0);
    assert.equal(t1.round_id, rd.id);
    assert.equal((await propose(as.coordinator, rd.id)).proposer_kind, 'staff');
    assert.equal((await propose(as.facilitator, rd.id)).proposer_kind, 'staff');
    // A clinician proposes in their own organisation's rounds, and sees no others.
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    assert.equal((await propose(as.clinician, northside.id)).proposer_kind, 'staff');
    assertProblem(await as.clinician.post(`/api/v1/listening-rounds/${rd.id}/themes`, { title: 'x' }), 404);
    // Participants may propose in any organisation's round.
    assert.equal((await propose(p2, northside.id)).proposer_kind, 'participant');
    assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/themes`, {}), 400, { field: 'title' });
    assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/themes`, { title: 'x'.repeat(201) }), 400, { field: 'title' });
    assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/themes`, { title: 'x', votes: 10 }), 400, { field: 'votes' });
    assertProblem(await as.participant.post('/api/v1/listening-rounds/999999/themes', { title: 'x' }), 404);
    const list = await themes(as.participant, rd.id);
    assert.equal(list.items.length, 3);
    assert.equal(list.status, 'open');
    const a = await audit(`theme:${t1.id}`);
    assert.ok(a.some((e) => e.action === 'theme.create' && e.actor_id === as.participant.user.id));
  });

  test('one person, one vote per round: changeable, visible as counts, withdrawable', async () => {
    const rd = await openRound();
    const a = await propose(as.coordinator, rd.id, 'Childcare on site');
    const b = await propose(as.participant, rd.id, 'Spanish-language sessions');
    let res = await vote(as.participant, rd.id, a.id);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { round_id: rd.id, theme_id: a.id, votes: 1 });
    res = await vote(p2, rd.id, a.id);
    assert.equal(res.json.votes, 2);
    let list = await themes(as.participant, rd.id);
    assert.equal(list.my_vote, a.id);
    assert.deepEqual(list.items.map((t) => [t.id, t.votes]), [[a.id, 2], [b.id, 0]]);
    // Changing my vote moves it; there is still one row for me.
    res = await vote(as.participant, rd.id, b.id);
    assert.equal(res.status, 200, res.text);
    list = await themes(as.participant, rd.id);
    assert.equal(list.my_vote, b.id);
    assert.deepEqual(list.items.map((t) => [t.id, t.votes]), [[a.id, 1], [b.id, 1]]);
    assert.equal(dbQuery(server, `SELECT COUNT(*) FROM theme_votes WHERE round_id = ${rd.id} AND participant_id = ${SELF.participant};`).trim(), '1');
    // Staff see the counts, with no vote of their own.
    const staffView = await themes(as.facilitator, rd.id);
    assert.equal(staffView.my_vote, null);
    assert.deepEqual(staffView.items.map((t) => t.votes), [1, 1]);
    // Taking it back.
    res = await as.participant.delete(`/api/v1/listening-rounds/${rd.id}/vote`);
    assert.equal(res.status, 204, res.text);
    list = await themes(as.participant, rd.id);
    assert.equal(list.my_vote, null);
    assert.deepEqual(list.items.map((t) => t.votes), [1, 0]);
    assertProblem(await as.participant.delete(`/api/v1/listening-rounds/${rd.id}/vote`), 404);
    const acts = (await audit(`listening_round:${rd.id}`)).map((e) => e.action);
    assert.ok(acts.includes('theme.vote') && acts.includes('theme.vote.withdraw'));
  });

  test('a vote names a theme of the round (400 theme_id); unknown rounds are 404; staff do not vote', async () => {
    const rd = await openRound();
    const other = await openRound();
    const t = await propose(as.coordinator, other.id);
    assertProblem(await vote(as.participant, rd.id, t.id), 400, { field: 'theme_id' });
    assertProblem(await vote(as.participant, rd.id, 999999), 400, { field: 'theme_id' });
    assertProblem(await as.participant.request('PUT', `/api/v1/listening-rounds/${rd.id}/vote`, { body: {} }), 400, { field: 'theme_id' });
    assertProblem(await as.participant.request('PUT', `/api/v1/listening-rounds/${rd.id}/vote`, { body: { theme_id: 'one' } }), 400, { field: 'theme_id' });
    assertProblem(await vote(as.participant, 999999, t.id), 404);
    assertProblem(await vote(as.coordinator, other.id, t.id), 403, { detail: POLICY_DENIED });
    assertProblem(await vote(as.admin, other.id, t.id), 403, { detail: POLICY_DENIED });
  });

  test('a closed round takes no votes, withdrawals or themes (409); its results stay visible', async () => {
    const rd = await openRound();
    const t = await propose(as.participant, rd.id);
    assert.equal((await vote(as.participant, rd.id, t.id)).status, 200);
    await closeRound(rd.id);
    assertProblem(await vote(p2, rd.id, t.id), 409);
    assertProblem(await as.participant.delete(`/api/v1/listening-rounds/${rd.id}/vote`), 409);
    assertProblem(await as.participant.post(`/api/v1/listening-rounds/${rd.id}/themes`, { title: 'late' }), 409);
    const list = await themes(p2, rd.id);
    assert.equal(list.status, 'closed');
    assert.deepEqual(list.items.map((x) => x.votes), [1]);
    assert.equal((await themes(as.participant, rd.id)).my_vote, t.id);
  });

  test('a theme not acted on says why; outcomes are for the round\'s coordinators', async () => {
    const rd = await openRound();
    const t = await propose(as.participant, rd.id, 'Free parking');
    const path = `/api/v1/themes/${t.id}`;
    assertProblem(await as.coordinator.patch(path, { outcome: 'not_acted' }), 400, { field: 'outcome_reason' });
    assertProblem(await as.coordinator.patch(path, { outcome: 'not_acted', outcome_reason: '' }), 400, { field: 'outcome_reason' });
    assertProblem(await as.coordinator.patch(path, { outcome: 'acted' }), 400, { field: 'outcome' });
    assertProblem(await as.coordinator.patch(path, { outcome: 'maybe' }), 400, { field: 'outcome' });
    assertProblem(await as.coordinator.patch(path, { outcome_reason: 'x' }), 400, { field: 'outcome' });
    assertProblem(await as.coordinator.patch(path, { outcome: 'pending', outcome_reason: 'because' }), 400, { field: 'outcome_reason' });
    let res = await as.coordinator.patch(path, { outcome: 'not_acted', outcome_reason: 'The car park belongs to the council' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.outcome, 'not_acted');
    assert.equal(res.json.outcome_reason, 'The car park belongs to the council');
    res = await as.coordinator.patch(path, { outcome: 'pending' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.outcome_reason, null);
    assertProblem(await as.facilitator.patch(path, { outcome: 'pending' }), 403, { detail: POLICY_DENIED });
    assertProblem(await as.coordinator.patch('/api/v1/themes/999999', { outcome: 'pending' }), 404);
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    const nt = await propose(as.clinician, northside.id);
    assertProblem(await as.coordinator.patch(`/api/v1/themes/${nt.id}`, { outcome: 'pending' }), 404);
    assert.ok((await audit(`theme:${t.id}`)).some((e) => e.action === 'theme.update' && e.actor_id === as.coordinator.user.id));
  });
});

// --- you said, we did ---

describe('"you said, we did": decisions', () => {
  test('a decision links themes and answers; its themes become acted; everyone sees it without the answers', async () => {
    const rd = await openRound();
    const evening = await propose(as.participant, rd.id, 'Evening sessions');
    const parking = await propose(p2, rd.id, 'Free parking');
    assert.equal((await vote(as.participant, rd.id, evening.id)).status, 200);
    assert.equal((await vote(p2, rd.id, evening.id)).status, 200);
    const secret = unique('I work days and care for my mum');
    const r1 = await answer(as.participant, rd.id, { lang: 'en', answers: { barriers: secret }, barrier_tags: ['timing'] });
    const r2 = await answer(p2, rd.id, { anonymous: true, lang: 'es', answers: { barriers: 'Trabajo de día' } });
    await closeRound(rd.id);
    let res = await as.coordinator.patch(`/api/v1/themes/${parking.id}`, { outcome: 'not_acted', outcome_reason: 'The car park belongs to the council' });
    assert.equal(res.status, 200, res.text);

    res = await as.coordinator.post('/api/v1/decisions', {
      organisation_id: ORG.riverside, round_id: rd.id, kind: 'changed_time', title: 'Painting moves to Tuesday evenings',
      body: 'From January, 18:00-19:30.', theme_ids: [evening.id], response_ids: [r1.id, r2.id],
    });
    assert.equal(res.status, 201, res.text);
    const d = res.json;
    assert.equal(d.kind, 'changed_time');
    assert.equal(d.round_id, rd.id);
    assert.equal(d.programme_id, null);
    assert.equal(d.responses, 2);
    assert.deepEqual(d.themes, [{ id: evening.id, title: 'Evening sessions', votes: 2 }]);
    assert.equal((await themes(as.participant, rd.id)).items.find((t) => t.id === evening.id).outcome, 'acted');
    // An acted theme cannot be marked otherwise.
    assertProblem(await as.coordinator.patch(`/api/v1/themes/${evening.id}`, { outcome: 'not_acted', outcome_reason: 'changed our mind' }), 409, { field: 'outcome' });

    for (const c of [as.participant, p2, as.facilitator, as.moderator, as.coordinator, as.admin]) {
      const list = await c.get('/api/v1/decisions');
      assert.equal(list.status, 200, list.text);
      const got = list.json.items.find((x) => x.id === d.id);
      assert.deepEqual(got, d);
      const na = list.json.not_acted.find((x) => x.theme_id === parking.id);
      assert.deepEqual(na, { theme_id: parking.id, round_id: rd.id, title: 'Free parking', votes: 0, reason: 'The car park belongs to the council' });
      // Never the answers' text, nor who gave them.
      assert.ok(!list.text.includes(secret) && !list.text.includes('Trabajo'), 'answers are not shown');
      assert.ok(!/participant_id|response_ids|answers/.test(list.text), 'no link to who answered');
    }
    const filtered = await as.participant.get(`/api/v1/decisions?round_id=${rd.id}`);
    assert.deepEqual(filtered.json.items.map((x) => x.id), [d.id]);
    assert.deepEqual(filtered.json.not_acted.map((x) => x.theme_id), [parking.id]);
    assertProblem(await as.participant.get('/api/v1/decisions?round_id=abc'), 400, { field: 'round_id' });
    const a = await audit(`decision:${d.id}`);
    assert.ok(a.some((e) => e.action === 'decision.create' && e.actor_id === as.coordinator.user.id));
  });

  test('linked ids must exist in the decision\'s organisation: 400 naming the list; nothing is written', async () => {
    const rd = await openRound();
    const t = await propose(as.participant, rd.id);
    const resp = await answer(as.participant, rd.id, { lang: 'en', answers: { social: 'x' } });
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    const nt = await propose(as.clinician, northside.id);
    const nresp = await answer(as.participant, northside.id, { lang: 'en', answers: { social: 'y' } });
    const base = { organisation_id: ORG.riverside, kind: 'new_programme', title: 'Singing group' };
    const before = dbQuery(server, 'SELECT COUNT(*) FROM decisions;').trim();
    const cases = [
      [{ ...base, theme_ids: [nt.id] }, 'theme_ids'],
      [{ ...base, theme_ids: [999999] }, 'theme_ids'],
      [{ ...base, theme_ids: [t.id, t.id] }, 'theme_ids'],
      [{ ...base, theme_ids: [0] }, 'theme_ids'],
      [{ ...base, theme_ids: 'all' }, 'theme_ids'],
      [{ ...base, response_ids: [nresp.id] }, 'response_ids'],
      [{ ...base, response_ids: [999999] }, 'response_ids'],
      [{ ...base, theme_ids: [t.id], response_ids: [resp.id, 999999] }, 'response_ids'],
      [{ ...base, round_id: northside.id }, 'round_id'],
      [{ ...base, round_id: 999999 }, 'round_id'],
      [{ ...base, programme_id: 999999 }, 'programme_id'],
      [{ ...base, kind: 'new_cafe' }, 'kind'],
      [{ ...base, title: '' }, 'title'],
      [{ organisation_id: ORG.riverside, title: 'x' }, 'kind'],
      [{ ...base, votes: 3 }, 'votes'],
    ];
    for (const [body, field] of cases) {
      assertProblem(await as.coordinator.post('/api/v1/decisions', body), 400, { field, context: JSON.stringify(body) });
    }
    assertProblem(await as.admin.post('/api/v1/decisions', { ...base, organisation_id: 999999 }), 400, { field: 'organisation_id' });
    assertProblem(await as.coordinator.post('/api/v1/decisions', { ...base, organisation_id: ORG.northside }), 403, { field: 'organisation_id' });
    assert.equal(dbQuery(server, 'SELECT COUNT(*) FROM decisions;').trim(), before);
    assert.equal((await themes(as.participant, rd.id)).items[0].outcome, 'pending', 'a refused decision acted on nothing');
  });

  test('decisions are seen by participants everywhere, by staff in their organisations', async () => {
    const northside = await openRound(as.admin, { organisation_id: ORG.northside });
    const nt = await propose(as.clinician, northside.id, 'Quiet room');
    const res = await as.admin.post('/api/v1/decisions', { organisation_id: ORG.northside, kind: 'new_venue', title: 'A quiet room at the clinic', theme_ids: [nt.id] });
    assert.equal(res.status, 201, res.text);
    const id = res.json.id;
    const sees = async (c) => (await c.get('/api/v1/decisions')).json.items.some((x) => x.id === id);
    assert.ok(await sees(as.participant));
    assert.ok(await sees(as.clinician));
    assert.ok(await sees(as.admin));
    assert.ok(!(await sees(as.coordinator)));
    assert.ok(!(await sees(as.funder)));
    assert.ok(!(await sees(librarian)));
    const nsOnly = await as.participant.get(`/api/v1/decisions?organisation_id=${ORG.northside}`);
    assert.ok(nsOnly.json.items.every((x) => x.organisation_id === ORG.northside));
  });
});

// --- the policy matrix of the listening routes ---

/** Which roles may perform each action (src/auth/policy.c). */
const ALL = ['admin', 'coordinator', 'facilitator', 'peer_supporter', 'moderator', 'clinician', 'funder', 'participant'];
const POLICY = {
  'programme.read': ALL,
  'listening.manage': ['admin', 'coordinator'],
  'listening.respond': ['admin', 'coordinator', 'facilitator', 'peer_supporter', 'participant'],
  'theme.propose': ['admin', 'coordinator', 'facilitator', 'peer_supporter', 'clinician', 'participant'],
  'theme.vote': ['participant'],
};
const LISTENING_PATH = /^\/api\/v1\/(listening-rounds|themes|decisions)\b/;
/** Roles who hold no staff role in Riverside: its rounds are not theirs to
 * see. The one rule (docs/api.md): 404 where they hold no role at all
 * (the Northside clinician, the funder), 403 for the Riverside moderator,
 * who may know Riverside's things exist. */
const NOT_RIVERSIDE_STAFF = { clinician: 404, moderator: 403, funder: 404 };

/** A request per route that succeeds for an allowed role; okFor where the
 * organisation rule answers differently (a Riverside round is not found
 * for those who do not work there). */
const ROUTES = {
  'GET /api/v1/listening-rounds': { ok: 200, req: () => ({}) },
  'POST /api/v1/listening-rounds': { ok: 201, req: (f) => ({ body: { organisation_id: ORG.riverside, title: `Matrix ${f.label}` } }) },
  'GET /api/v1/listening-rounds/{id}': { ok: 200, okFor: NOT_RIVERSIDE_STAFF, req: (f) => ({ params: { id: f.round } }) },
  'PATCH /api/v1/listening-rounds/{id}': { ok: 200, req: (f) => ({ params: { id: f.round }, body: { title: `by ${f.label}` } }) },
  'POST /api/v1/listening-rounds/{id}/responses': { ok: 201, req: (f) => ({ params: { id: f.round }, body: { anonymous: true, lang: 'en', answers: { social: f.label } } }) },
  'GET /api/v1/listening-rounds/{id}/responses': { ok: 200, req: (f) => ({ params: { id: f.round } }) },
  'GET /api/v1/listening-rounds/{id}/themes': { ok: 200, okFor: NOT_RIVERSIDE_STAFF, req: (f) => ({ params: { id: f.round } }) },
  'POST /api/v1/listening-rounds/{id}/themes': { ok: 201, okFor: { clinician: 404 }, req: (f) => ({ params: { id: f.round }, body: { title: `Theme ${f.label}` } }) },
  'PUT /api/v1/listening-rounds/{id}/vote': { ok: 200, req: (f) => ({ params: { id: f.round }, body: { theme_id: f.theme } }) },
  'DELETE /api/v1/listening-rounds/{id}/vote': { ok: 204, req: (f) => ({ params: { id: f.round } }) },
  'PATCH /api/v1/themes/{id}': { ok: 200, req: (f) => ({ params: { id: f.theme }, body: { outcome: 'not_acted', outcome_reason: `by ${f.label}` } }) },
  'GET /api/v1/decisions': { ok: 200, req: () => ({}) },
  'POST /api/v1/decisions': { ok: 201, req: (f) => ({ body: { organisation_id: ORG.riverside, kind: 'other', title: `Decision ${f.label}` } }) },
};

function listeningRoutes() {
  return hearthRoutes().filter((r) => LISTENING_PATH.test(r.path));
}

describe('policy matrix of the listening routes', () => {
  test('every listening route in `hearth routes` has an expectation here (and none is stale)', () => {
    const routes = listeningRoutes();
    assert.equal(routes.length, 13);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(keys.filter((k) => !(k in ROUTES)), [], `add these routes to ROUTES in ${import.meta.url}`);
    assert.deepEqual(Object.keys(ROUTES).filter((k) => !keys.includes(k)), [], 'ROUTES entries for routes that do not exist');
    const unknown = [...new Set(routes.map((r) => r.action))].filter((a) => !(a in POLICY));
    assert.deepEqual(unknown, [], 'actions with no expected roles in POLICY');
  });

  for (const user of DEMO_USERS) {
    test(`${user.role}: allowed listening routes succeed, the others are 403 with no effect`, async () => {
      const role = user.role;
      const client = as[role];
      const label = `${role}-${unique('m')}`;
      const round = await openRound();
      const theme = await propose(as.coordinator, round.id, `Matrix theme ${label}`);
      const f = { label, round: round.id, theme: theme.id };
      const order = { GET: 0, POST: 1, PUT: 2, PATCH: 3, DELETE: 4 };
      const routes = listeningRoutes().sort((a, b) => order[a.method] - order[b.method]);
      const failures = [];
      for (const r of routes) {
        const spec = ROUTES[`${r.method} ${r.path}`];
        const { params = {}, body } = spec.req(f);
        const url = r.path.replace(/\{(\w+)\}/g, (_, n) => String(params[n]));
        const res = await client.request(r.method, url, body === undefined ? {} : { body });
        const what = `${role}: ${r.method} ${url} (${r.action})`;
        if (POLICY[r.action].includes(role)) {
          const want = spec.okFor?.[role] ?? spec.ok;
          if (res.status !== want) failures.push(`${what}: expected ${want}, got ${res.status} ${res.text.slice(0, 200)}`);
          else if (res.status === 403 && POLICY_DENIED.test(res.json?.detail ?? '')) failures.push(`${what}: refused by the role policy`);
        } else {
          try {
            assertProblem(res, 403, { detail: `your role does not allow ${r.action}` });
          } catch (e) {
            failures.push(`${what}: ${e.message}`);
          }
        }
      }
      assert.deepEqual(failures, []);

      // Refused requests changed nothing.
      const may = (action) => POLICY[action].includes(role);
      const after = await as.coordinator.get(`/api/v1/listening-rounds/${round.id}`);
      assert.equal(after.json.title === `by ${label}`, may('listening.manage'), 'round changed iff allowed');
      assert.equal(after.json.response_count, may('listening.respond') ? 1 : 0, 'answer stored iff allowed');
      const ts = await themes(as.coordinator, round.id);
      const proposed = may('theme.propose') && role !== 'clinician';
      assert.equal(ts.items.length, proposed ? 2 : 1, 'theme proposed iff allowed');
      assert.equal(ts.items[0].outcome, may('listening.manage') ? 'not_acted' : 'pending', 'outcome set iff allowed');
      assert.equal(ts.items[0].votes, 0, 'a vote put and withdrawn (or refused) leaves none');
      const decisions = (await as.coordinator.get('/api/v1/decisions')).json.items;
      assert.equal(decisions.some((d) => d.title === `Decision ${label}`), may('listening.manage'), 'decision recorded iff allowed');
      const rounds = (await as.coordinator.get('/api/v1/listening-rounds')).json.items;
      assert.equal(rounds.some((x) => x.title === `Matrix ${label}`), may('listening.manage'), 'round opened iff allowed');
    });
  }

  test('anonymous callers get 401 on every listening route', async () => {
    const anon = new Client(server.url);
    for (const r of listeningRoutes()) {
      const url = r.path.replace(/\{\w+\}/g, '1');
      const res = await anon.request(r.method, url, ['POST', 'PATCH', 'PUT'].includes(r.method) ? { body: {} } : {});
      assertProblem(res, 401, { context: `${r.method} ${url}` });
    }
  });

  test('an admin of another organisation (the first admin) manages every organisation\'s rounds', async () => {
    const rd = await openRound(root, { organisation_id: ORG.eastgate });
    assert.equal((await root.get(`/api/v1/listening-rounds/${rd.id}/responses`)).status, 200);
  });
});
