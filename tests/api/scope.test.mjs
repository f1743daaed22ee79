// Scope of the ids that arrive in a body or a query string (issue 9,
// findings 1-3; src/programs/scope.h).
//
// Staff of Eastgate Library (another organisation than the demo's
// Riverside) name Riverside's people, venues, staff, programmes, sessions,
// rounds, themes and answers in every route that takes an id in its body or
// query. Each must be refused, and the answer (status and body, without the
// request id and with the id itself blanked) must be the same as for an id
// that does not exist: the answer tells nothing about another organisation.
// Every route of `hearth routes` must be in ROUTES below, either with its
// cases or with the reason it takes no such id: a new route fails this
// file until someone says which.
//
// Also: the chain of finding 1 (enrol, names, follow-up note, online link
// in the person's sessions), the venue conflict that must not name another
// organisation's programme (finding 2), and the team and roster roles
// (finding 3). One server with the demo data, SQLite or PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_PASSWORD, assertProblem, dbQuery, hearthRoutes, loginAllRoles, loginAs, startServer, unique,
} from './harness.mjs';
import { insertMessage } from './live.mjs';

const NONE = 987654321; // an id nothing has
const DAY = 86400_000;
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

let server;
let as; // demo role -> Client
let east; // a coordinator of Eastgate Library, made here
let librarian; // the demo facilitator of Eastgate Library
const ORG = {};
const UID = {}; // demo role -> user id
const R = {}; // Riverside's records (the other organisation's, for Eastgate)
const E = {}; // Eastgate's own records

function ok(res, status, what) {
  assert.equal(res.status, status, `${what}: got ${res.status} ${res.text.slice(0, 400)}`);
  return res.json;
}

const dateStr = (ms) => new Date(ms).toISOString().slice(0, 10);

async function venue(client, org) {
  return ok(await client.post('/api/v1/venues', {
    organisation_id: org, name: unique('Room'), address: '1 Test Street', capacity: 30, features: [],
  }), 201, 'venue').id;
}

function programmeBody(org, venueId, fields = {}) {
  const start = Date.now() + 9 * DAY;
  return {
    organisation_id: org, title: unique('Programme'), art_form: 'painting', languages: ['en'], format: 'hybrid',
    capacity: 5, therapeutic: false, timezone: 'Europe/London', start_date: dateStr(start), start_time: '10:00',
    duration_minutes: 60, rrule: `FREQ=WEEKLY;BYDAY=${BYDAY[new Date(start).getUTCDay()]};COUNT=3`,
    venue_id: venueId, online_link: 'https://meet.example.org/room', ...fields,
  };
}

async function programme(client, org, { publish = true, venueId, fields } = {}) {
  const v = venueId ?? await venue(client, org);
  const p = ok(await client.post('/api/v1/programmes', programmeBody(org, v, fields)), 201, 'programme');
  if (publish) ok(await client.post(`/api/v1/programmes/${p.id}/publish`), 200, 'publish');
  const sessions = ok(await client.get(`/api/v1/programmes/${p.id}/sessions`), 200, 'sessions').items;
  return { ...p, venue_id: v, sessions };
}

async function person(client, org, consents = ['participation', 'contact']) {
  return ok(await client.post('/api/v1/participants', {
    name: unique('Person'), email: `${unique('p')}@example.org`, organisation_ids: [org],
    consents: consents.map((purpose) => ({ purpose, granted: true })),
  }), 201, 'person').id;
}

/** Status and body without request ids, with the ids named blanked. */
function answer(res, ids) {
  const body = res.json && typeof res.json === 'object' ? { ...res.json } : res.text;
  if (body && typeof body === 'object') for (const k of ['request_id', 'instance']) delete body[k];
  let text = JSON.stringify(body);
  for (const id of ids) text = text.replace(new RegExp(`\\b${id}\\b`, 'g'), '<id>');
  return { status: res.status, body: text };
}

/**
 * Runs send(id) with an id of the other organisation and with NONE: both
 * must be refused (or, for list filters, show nothing), the same way.
 */
async function sameAnswer(what, send, theirs, { list = false } = {}) {
  const a = await send(theirs);
  const b = await send(NONE);
  const x = answer(a, [theirs, NONE]);
  const y = answer(b, [theirs, NONE]);
  if (list) {
    assert.equal(a.status, 200, `${what}: ${a.text.slice(0, 300)}`);
  } else {
    assert.ok(a.status >= 400 && a.status < 500, `${what}: another organisation's id was accepted: ${a.status} ${a.text.slice(0, 300)}`);
  }
  assert.deepEqual(x, y, `${what}: another organisation's id and a missing one are answered differently`);
}

before(async () => {
  server = await startServer();
  as = await loginAllRoles(server.url);
  librarian = await loginAs(server.url, { email: 'librarian@eastgate-library.example', password: DEMO_PASSWORD });
  for (const [role, c] of Object.entries(as)) UID[role] = c.user.id;
  UID.librarian = librarian.user.id;
  for (const o of ok(await as.admin.get('/api/v1/organisations'), 200, 'orgs').items) ORG[o.name] = o.id;
  ORG.riverside = ORG['Riverside Community Arts'];
  ORG.eastgate = ORG['Eastgate Library'];
  ORG.northside = ORG['Northside Mental Health Service'];

  // A coordinator of Eastgate, with a login.
  const email = `${unique('eastcoord')}@example.org`.toLowerCase();
  const password = 'eastgate-coordinator-pw';
  const u = ok(await as.admin.post('/api/v1/users', { email, display_name: unique('Eastgate Coordinator'), password }), 201, 'user');
  ok(await as.admin.post('/api/v1/memberships', { user_id: u.id, organisation_id: ORG.eastgate, role: 'coordinator' }), 201, 'membership');
  east = await loginAs(server.url, { email, password });

  // Riverside: people (one erased, one without consent), a programme, a round.
  R.person = await person(as.coordinator, ORG.riverside);
  R.noConsent = await person(as.coordinator, ORG.riverside, []);
  R.erased = await person(as.coordinator, ORG.riverside);
  ok(await as.coordinator.delete(`/api/v1/participants/${R.erased}`), 204, 'erase');
  R.sam = ok(await as.participant.get('/api/v1/me/profile'), 200, 'me').id;
  R.programme = await programme(as.coordinator, ORG.riverside);
  R.draft = await programme(as.coordinator, ORG.riverside, { publish: false });
  R.session = R.programme.sessions[0].id;
  R.venue = R.programme.venue_id;
  ok(await as.coordinator.post(`/api/v1/programmes/${R.programme.id}/enrolments`, { participant_id: R.person }), 201, 'enrol');
  ok(await as.coordinator.post('/api/v1/followups', { participant_id: R.person, programme_id: R.programme.id, action: 'met' }), 201, 'followup');
  R.round = ok(await as.coordinator.post('/api/v1/listening-rounds', { organisation_id: ORG.riverside, title: unique('Round') }), 201, 'round').id;
  R.theme = ok(await as.coordinator.post(`/api/v1/listening-rounds/${R.round}/themes`, { title: unique('Theme') }), 201, 'theme').id;
  R.response = ok(await as.facilitator.post(`/api/v1/listening-rounds/${R.round}/responses`, { participant_id: R.person, lang: 'en', answers: { social: 'x' } }), 201, 'response').id;

  // Eastgate's own: a venue, a published and a draft programme, a person
  // enrolled, an open round.
  E.programme = await programme(east, ORG.eastgate);
  E.draft = await programme(east, ORG.eastgate, { publish: false });
  E.session = E.programme.sessions[0].id;
  // Attendance is taken once a session has started: the first one has.
  dbQuery(server, `UPDATE programme_sessions SET starts_at = ${Math.floor(Date.now() / 1000) - 3600}, ends_at = ${Math.floor(Date.now() / 1000)} WHERE id = ${E.session}`);
  E.person = await person(east, ORG.eastgate);
  ok(await east.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: E.person }), 201, 'enrol E');
  E.round = ok(await east.post('/api/v1/listening-rounds', { organisation_id: ORG.eastgate, title: unique('Round') }), 201, 'round E').id;
});

after(async () => {
  if (server) await server.stop();
});

// Every route: its cases (the id of the other organisation, and the
// client), or why it takes no id in its body or query string.
const ADMIN_ONLY = 'admins only; an admin is platform-wide (policy.c)';
const OWN_ADMINS = 'admins of the person\'s organisations only, none of the callers here: another organisation\'s admin is tested in erasure_queue.test.mjs and the retention tests of people.test.mjs';
const PATH_ONLY = 'ids in its path only (PATHS below)';
const NO_IDS = 'takes no id in its body or query';
const ROUTES = {
  'GET /api/v1/health': NO_IDS,
  'GET /api/v1/openapi.json': NO_IDS,
  'GET /metrics': NO_IDS,
  'GET /help': NO_IDS,
  'POST /api/v1/auth/login': NO_IDS,
  'POST /api/v1/auth/logout': NO_IDS,
  'POST /api/v1/auth/password-reset': NO_IDS,
  'POST /api/v1/auth/password-reset/complete': NO_IDS,
  'GET /api/v1/auth/me': NO_IDS,
  'GET /api/v1/auth/session': NO_IDS,
  'GET /api/v1/events': 'Last-Event-ID / last_event_id: a position in my own stream, not a thing (events.test.mjs: another user\'s events never arrive)',
  'GET /api/v1/me/messages': 'cursor: a position in my own inbox, not a thing (inbox.test.mjs)',
  'GET /api/v1/me/messages/unread': NO_IDS,
  'POST /api/v1/me/messages/{id}/read': PATH_ONLY,
  'POST /api/v1/me/messages/read-all': NO_IDS,
  'GET /api/v1/meta': NO_IDS,
  'GET /api/v1/organisations': NO_IDS,
  'POST /api/v1/organisations': ADMIN_ONLY,
  'PATCH /api/v1/organisations/{id}': PATH_ONLY,
  'GET /api/v1/users': ADMIN_ONLY,
  'POST /api/v1/users': ADMIN_ONLY,
  'PATCH /api/v1/users/{id}': ADMIN_ONLY,
  'POST /api/v1/memberships': ADMIN_ONLY,
  'DELETE /api/v1/memberships/{id}': ADMIN_ONLY,
  'GET /api/v1/tokens': ADMIN_ONLY,
  'POST /api/v1/tokens': ADMIN_ONLY,
  'DELETE /api/v1/tokens/{id}': ADMIN_ONLY,
  'GET /api/v1/audit': ADMIN_ONLY,
  'GET /api/v1/me/message-preferences': NO_IDS,
  'PUT /api/v1/me/message-preferences': NO_IDS,
  'GET /api/v1/unsubscribe': 't: a token with a keyed MAC, not an id (messages-email.test.mjs: a tampered one is 400)',
  'POST /api/v1/unsubscribe': 't: a token with a keyed MAC, not an id (messages-email.test.mjs: a tampered one is 400)',
  'GET /api/v1/outbox': ADMIN_ONLY,
  'POST /api/v1/outbox/test': ADMIN_ONLY,
  'GET /api/v1/outbox/{id}/email': ADMIN_ONLY,
  'POST /api/v1/outbox/{id}/retry': ADMIN_ONLY,
  'POST /api/v1/participants': [
    ['organisation_ids', () => ORG.riverside, (id) => east.post('/api/v1/participants', { name: unique('P'), organisation_ids: [id] })],
  ],
  'GET /api/v1/participants': 'lists only the caller\'s organisations\' people; after is a paging cursor',
  'GET /api/v1/participants/{id}': PATH_ONLY,
  'PATCH /api/v1/participants/{id}': PATH_ONLY,
  'DELETE /api/v1/participants/{id}': PATH_ONLY,
  'GET /api/v1/participants/{id}/consents': PATH_ONLY,
  'POST /api/v1/participants/{id}/consents': PATH_ONLY,
  'POST /api/v1/participants/{id}/account-code': PATH_ONLY,
  'POST /api/v1/participants/{id}/invite': PATH_ONLY,
  'GET /api/v1/consent-texts': NO_IDS,
  'GET /api/v1/register/form': NO_IDS,
  'POST /api/v1/register': 'public: the organisations taking registrations are listed by /register/form',
  'POST /api/v1/register/claim': NO_IDS,
  'POST /api/v1/register/invite': NO_IDS,
  'GET /api/v1/me/profile': NO_IDS,
  'PATCH /api/v1/me/profile': NO_IDS,
  'GET /api/v1/me/consents': NO_IDS,
  'POST /api/v1/me/consents': NO_IDS,
  'GET /api/v1/me/export': NO_IDS,
  'GET /api/v1/me/export.html': NO_IDS,
  'POST /api/v1/me/erasure-request': NO_IDS,
  'GET /api/v1/erasure-requests': OWN_ADMINS,
  'POST /api/v1/erasure-requests/{id}/approve': OWN_ADMINS,
  'POST /api/v1/erasure-requests/{id}/reject': OWN_ADMINS,
  'GET /api/v1/sharing-agreements': NO_IDS,
  'POST /api/v1/sharing-agreements': [
    ['from_organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/sharing-agreements', {
      from_organisation_id: id, to_organisation_id: ORG.eastgate, categories: ['attendance'], starts_on: '2026-01-01', ends_on: '2027-01-01',
    })],
  ],
  'DELETE /api/v1/sharing-agreements/{id}': PATH_ONLY,
  'GET /api/v1/retention': OWN_ADMINS,
  'POST /api/v1/retention/erase': OWN_ADMINS,

  'GET /api/v1/listening-rounds': [
    ['?organisation_id', () => ORG.riverside, (id) => east.get(`/api/v1/listening-rounds?organisation_id=${id}`), { list: true }],
  ],
  'POST /api/v1/listening-rounds': [
    ['organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/listening-rounds', { organisation_id: id, title: 'x' })],
  ],
  'GET /api/v1/listening-rounds/{id}': PATH_ONLY,
  'PATCH /api/v1/listening-rounds/{id}': PATH_ONLY,
  'POST /api/v1/listening-rounds/{id}/responses': [
    ['participant_id', () => R.person, (id) => east.post(`/api/v1/listening-rounds/${E.round}/responses`, { participant_id: id, lang: 'en', answers: { social: 'x' } })],
    ['participant_id (erased)', () => R.erased, (id) => librarian.post(`/api/v1/listening-rounds/${E.round}/responses`, { participant_id: id, lang: 'en', answers: { social: 'x' } })],
  ],
  'GET /api/v1/listening-rounds/{id}/responses': 'after_id is a paging cursor within the round',
  'GET /api/v1/listening-rounds/{id}/themes': PATH_ONLY,
  'POST /api/v1/listening-rounds/{id}/themes': PATH_ONLY,
  'PUT /api/v1/listening-rounds/{id}/vote': [
    ['theme_id', () => R.theme, (id) => as.participant.request('PUT', `/api/v1/listening-rounds/${E.round}/vote`, { body: { theme_id: id } })],
  ],
  'DELETE /api/v1/listening-rounds/{id}/vote': PATH_ONLY,
  'PATCH /api/v1/themes/{id}': PATH_ONLY,
  'GET /api/v1/decisions': [
    ['?organisation_id', () => ORG.riverside, (id) => east.get(`/api/v1/decisions?organisation_id=${id}`), { list: true }],
    ['?round_id', () => R.round, (id) => east.get(`/api/v1/decisions?round_id=${id}`), { list: true }],
  ],
  'POST /api/v1/decisions': [
    ['organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/decisions', { organisation_id: id, kind: 'other', title: 'x' })],
    ['round_id', () => R.round, (id) => east.post('/api/v1/decisions', { organisation_id: ORG.eastgate, round_id: id, kind: 'other', title: 'x' })],
    ['programme_id', () => R.programme.id, (id) => east.post('/api/v1/decisions', { organisation_id: ORG.eastgate, programme_id: id, kind: 'other', title: 'x' })],
    ['theme_ids', () => R.theme, (id) => east.post('/api/v1/decisions', { organisation_id: ORG.eastgate, theme_ids: [id], kind: 'other', title: 'x' })],
    ['response_ids', () => R.response, (id) => east.post('/api/v1/decisions', { organisation_id: ORG.eastgate, response_ids: [id], kind: 'other', title: 'x' })],
  ],
  'GET /api/v1/venues': 'venues are listed to everyone logged in (people check access before coming)',
  'POST /api/v1/venues': [
    ['organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/venues', { organisation_id: id, name: 'x', address: 'y', capacity: 5 })],
  ],
  'GET /api/v1/venues/{id}': PATH_ONLY,
  'PATCH /api/v1/venues/{id}': PATH_ONLY,
  'GET /api/v1/programmes': [
    // Published programmes are public; another organisation's drafts never show.
    ['?organisation_id (drafts)', () => ORG.riverside, async (id) => {
      const res = await east.get(`/api/v1/programmes?organisation_id=${id}&status=draft`);
      return res;
    }, { list: true }],
  ],
  'POST /api/v1/programmes': [
    ['organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/programmes', programmeBody(id, E.programme.venue_id))],
    ['venue_id', () => R.venue, (id) => east.post('/api/v1/programmes', programmeBody(ORG.eastgate, id))],
    ['team[0].user_id', () => UID.facilitator, (id) => east.post('/api/v1/programmes', programmeBody(ORG.eastgate, E.programme.venue_id, {
      format: 'online', venue_id: undefined, team: [{ user_id: id, role: 'artist_facilitator' }],
    }))],
  ],
  'GET /api/v1/programmes/{id}': PATH_ONLY,
  'PATCH /api/v1/programmes/{id}': [
    ['venue_id', () => R.venue, (id) => east.patch(`/api/v1/programmes/${E.draft.id}`, { venue_id: id })],
    ['team[0].user_id', () => UID.clinician, (id) => east.patch(`/api/v1/programmes/${E.draft.id}`, { team: [{ user_id: id, role: 'mental_health_partner' }] })],
  ],
  'POST /api/v1/programmes/{id}/publish': PATH_ONLY,
  'GET /api/v1/programmes/{id}/sessions': PATH_ONLY,
  'POST /api/v1/programmes/{id}/sessions': [
    ['venue_id', () => R.venue, (id) => {
      const t = Date.parse(`${dateStr(Date.now() + 40 * DAY)}T09:00:00Z`);
      return east.post(`/api/v1/programmes/${E.programme.id}/sessions`, { starts_at: new Date(t).toISOString().replace('.000', ''), ends_at: new Date(t + 3600_000).toISOString().replace('.000', ''), venue_id: id });
    }],
  ],
  'GET /api/v1/programmes/{id}/rotation': PATH_ONLY,
  'GET /api/v1/sessions/{id}': PATH_ONLY,
  'PATCH /api/v1/sessions/{id}': [
    ['venue_id', () => R.venue, (id) => east.patch(`/api/v1/sessions/${E.session}`, { venue_id: id })],
  ],
  'GET /api/v1/sessions/{id}/roster': PATH_ONLY,
  'POST /api/v1/sessions/{id}/roster': [
    ['user_id', () => UID.facilitator, (id) => east.post(`/api/v1/sessions/${E.session}/roster`, { user_id: id, role: 'lead' })],
    ['participant_id', () => R.person, (id) => east.post(`/api/v1/sessions/${E.session}/roster`, { participant_id: id, role: 'participant_lead' })],
  ],
  'DELETE /api/v1/roster/{id}': PATH_ONLY,
  'GET /api/v1/training': [
    ['?user_id', () => UID.facilitator, (id) => east.get(`/api/v1/training?user_id=${id}`), { list: true }],
  ],
  'POST /api/v1/training': [
    ['organisation_id', () => ORG.riverside, (id) => east.post('/api/v1/training', { organisation_id: id, user_id: UID.librarian, kind: 'safeguarding', completed_on: '2026-01-05' })],
    ['user_id', () => UID.facilitator, (id) => east.post('/api/v1/training', { organisation_id: ORG.eastgate, user_id: id, kind: 'safeguarding', completed_on: '2026-01-05' })],
  ],
  'DELETE /api/v1/training/{id}': PATH_ONLY,
  'GET /api/v1/training/expiring': NO_IDS,
  'GET /api/v1/staff': 'who may see which organisation\'s staff is decided by the lead (issue 9, "decide and document")',
  'GET /api/v1/me/duties': NO_IDS,
  'GET /api/v1/me/fit': NO_IDS,
  'GET /api/v1/participants/{id}/fit': [
    // A path id, but the refusal every participant id in a body copies.
    ['{id}', () => R.person, (id) => east.get(`/api/v1/participants/${id}/fit`)],
  ],
  'POST /api/v1/programmes/{id}/enrolments': [
    ['participant_id', () => R.person, (id) => east.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: id })],
    ['participant_id (no consent)', () => R.noConsent, (id) => librarian.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: id })],
    ['participant_id (erased)', () => R.erased, (id) => east.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: id })],
    ['participant_id (a login)', () => R.sam, (id) => librarian.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: id })],
  ],
  'GET /api/v1/programmes/{id}/enrolments': PATH_ONLY,
  'GET /api/v1/programmes/{id}/enrolments.csv': PATH_ONLY,
  'POST /api/v1/me/enrolments': [
    // Participants may join any organisation's published programmes; a draft is nobody's to see.
    ['programme_id (a draft)', () => E.draft.id, (id) => as.participant.post('/api/v1/me/enrolments', { programme_id: id })],
  ],
  'GET /api/v1/me/enrolments': NO_IDS,
  'DELETE /api/v1/enrolments/{id}': PATH_ONLY,
  'POST /api/v1/enrolments/{id}/accept': PATH_ONLY,
  'POST /api/v1/enrolments/{id}/decline': PATH_ONLY,
  'GET /api/v1/me/sessions': NO_IDS,
  'POST /api/v1/programmes/{id}/supports': [
    ['participant_id', () => R.person, (id) => east.post(`/api/v1/programmes/${E.programme.id}/supports`, { participant_id: id, kind: 'equipment' })],
    ['session_id', () => R.session, (id) => east.post(`/api/v1/programmes/${E.programme.id}/supports`, { participant_id: E.person, session_id: id, kind: 'equipment' })],
  ],
  'POST /api/v1/me/supports': [
    ['programme_id (a draft)', () => R.draft.id, (id) => as.participant.post('/api/v1/me/supports', { programme_id: id, kind: 'equipment' })],
    ['session_id', () => R.session, (id) => as.participant.post('/api/v1/me/supports', { programme_id: E.programme.id, session_id: id, kind: 'equipment' })],
  ],
  'GET /api/v1/programmes/{id}/supports': PATH_ONLY,
  'PATCH /api/v1/supports/{id}': PATH_ONLY,
  'GET /api/v1/programmes/{id}/supports/ledger': PATH_ONLY,
  'GET /api/v1/sessions/{id}/attendance': PATH_ONLY,
  'GET /api/v1/sessions/{id}/attendance.csv': PATH_ONLY,
  'POST /api/v1/sessions/{id}/attendance': [
    ['marks[0].participant_id', () => R.person, (id) => east.post(`/api/v1/sessions/${E.session}/attendance`, { marks: [{ participant_id: id, status: 'present' }] })],
  ],
  'GET /api/v1/followups': NO_IDS,
  'POST /api/v1/followups': [
    ['programme_id', () => R.programme.id, (id) => east.post('/api/v1/followups', { participant_id: E.person, programme_id: id, action: 'met' })],
    ['participant_id', () => R.person, (id) => east.post('/api/v1/followups', { participant_id: id, programme_id: E.programme.id, action: 'met', note: 'x' })],
  ],
  'GET /api/v1/followups/log': [
    ['?participant_id', () => R.person, (id) => east.get(`/api/v1/followups/log?participant_id=${id}`), { list: true }],
  ],
  'GET /api/v1/calendar/{token}': NO_IDS,
  'POST /api/v1/me/calendar': NO_IDS,
  'POST /api/v1/me/duty-calendar': NO_IDS,
  'POST /api/v1/programmes/{id}/calendar': PATH_ONLY,
};

describe('ids in bodies and query strings are checked against the caller\'s scope', () => {
  test('every route is in the table (a new route must say whether it takes ids)', () => {
    const missing = hearthRoutes().map((r) => `${r.method} ${r.path}`).filter((k) => !(k in ROUTES));
    assert.deepEqual(missing, [], `routes not in scope.test.mjs ROUTES: ${missing.join(', ')}`);
  });

  for (const [route, cases] of Object.entries(ROUTES)) {
    if (!Array.isArray(cases)) continue;
    for (const [field, theirs, send, opts] of cases) {
      test(`${route} ${field}: another organisation's id is answered like a missing one`, async () => {
        await sameAnswer(`${route} ${field}`, send, theirs(), opts);
      });
    }
  }

  test('list filters show nothing of another organisation', async () => {
    const rounds = ok(await east.get(`/api/v1/listening-rounds?organisation_id=${ORG.riverside}`), 200, 'rounds').items;
    assert.deepEqual(rounds, []);
    const drafts = ok(await east.get(`/api/v1/programmes?organisation_id=${ORG.riverside}&status=draft`), 200, 'drafts').items;
    assert.deepEqual(drafts, []);
    const log = ok(await east.get(`/api/v1/followups/log?participant_id=${R.person}`), 200, 'log').items;
    assert.deepEqual(log, []);
  });

  test('nothing was written by the refusals', async () => {
    const enrolled = ok(await east.get(`/api/v1/programmes/${E.programme.id}/enrolments`), 200, 'enrolments').items;
    assert.deepEqual(enrolled.map((e) => e.participant_id), [E.person]);
    const roster = ok(await east.get(`/api/v1/sessions/${E.session}/roster`), 200, 'roster').items;
    assert.deepEqual(roster, []);
  });
});

// Ids in PATHS (issue 11, "Scope in the policy"; docs/api.md, "Who may do
// what: one rule for 401, 403 and 404"). Members of one organisation (A)
// name a thing of another (B) in the path of every route that takes one:
// Riverside's staff, participant, Northside's clinician and the fund's
// funder name Eastgate's things, Eastgate's coordinator and facilitator name
// Riverside's. Each caller whose role the route's action allows (GET /meta)
// sends the same request with B's id and with an id nothing has:
// - B's thing that is not shown to them: byte for byte the missing one's
//   answer (status, detail, field; not the request id), and that is 404;
// - B's thing shown to them though they hold no role there (to everyone
//   logged in: a published programme, its sessions, a venue; to
//   participants: every organisation's listening rounds, docs/programs.md):
//   the actions open to all who see it go ahead, any other is 403;
// - a route no such caller's role allows (the platform's, admins only): 403
//   for both, the same, before any id is looked up.
// Every route of `hearth routes` with a parameter in its path must be in
// PATHS, with the kind of thing it names (KINDS says how to get B's).
// A kind's variants: [what, B's id, to whom it is shown (role -> bool;
// none: only to B's members), the actions open to everyone it is shown to].
const EVERYONE = () => true;
const READ = ['programme.read'];
const KINDS = {
  organisation: [['the organisation', (b) => b.org]],
  user: [['a staff member', (b) => b.staffUid]],
  membership: [['a membership', (b) => b.membership]],
  token: [['an API token', (b) => b.token]],
  erasure: [['an erasure request', (b) => b.erasure]],
  person: [['a person', (b) => b.person]],
  erasable: [['a person (a second one, for erasure)', (b) => b.erasable]],
  agreement: [['a data-sharing agreement', (b) => b.agreement]],
  round: [['a listening round', (b) => b.round, (role) => role === 'participant', ['programme.read', 'listening.respond', 'theme.propose', 'theme.vote']]],
  theme: [['a theme', (b) => b.theme]],
  venue: [['a venue (listed to everyone logged in)', (b) => b.venue, EVERYONE, READ]],
  programme: [['a draft programme', (b) => b.draft.id], ['a published programme', (b) => b.pub.id, EVERYONE, READ]],
  session: [['a session of a draft', (b) => b.draftSession], ['a session of a published programme', (b) => b.pubSession, EVERYONE, READ]],
  roster: [['a roster entry', (b) => b.roster]],
  training: [['a training record', (b) => b.training]],
  enrolment: [['an enrolment', (b) => b.enrolment]],
  offer: [['an enrolment offered a place', (b) => b.offer]],
  support: [['a support request', (b) => b.support]],
  message: [["a message in a staff member's inbox", (b) => b.message]],
};

// Route -> the kind its path id names, and a body the handler would accept
// from B's own staff (own: the caller's side, b: B's side). The same body
// goes with B's id and with the missing one.
const at = (days, hh) => `${dateStr(Date.now() + days * DAY)}T${hh}:00:00Z`;
const PATHS = {
  'PATCH /api/v1/organisations/{id}': { kind: 'organisation', body: () => ({ country: 'GB' }) },
  'PATCH /api/v1/users/{id}': { kind: 'user', body: () => ({ display_name: 'Renamed' }) },
  'DELETE /api/v1/memberships/{id}': { kind: 'membership' },
  'DELETE /api/v1/tokens/{id}': { kind: 'token' },
  'GET /api/v1/participants/{id}': { kind: 'person' },
  'PATCH /api/v1/participants/{id}': { kind: 'person', body: () => ({ pronouns: 'they/them' }) },
  'DELETE /api/v1/participants/{id}': { kind: 'erasable' },
  'GET /api/v1/participants/{id}/consents': { kind: 'person' },
  'POST /api/v1/participants/{id}/consents': { kind: 'person', body: () => ({ purpose: 'contact', granted: true }) },
  'POST /api/v1/participants/{id}/account-code': { kind: 'person' },
  'POST /api/v1/participants/{id}/invite': { kind: 'person' },
  'GET /api/v1/participants/{id}/fit': { kind: 'person' },
  'POST /api/v1/erasure-requests/{id}/approve': { kind: 'erasure' },
  'POST /api/v1/erasure-requests/{id}/reject': { kind: 'erasure', body: () => ({ reason: 'Not now' }) },
  'DELETE /api/v1/sharing-agreements/{id}': { kind: 'agreement' },
  'GET /api/v1/listening-rounds/{id}': { kind: 'round' },
  'PATCH /api/v1/listening-rounds/{id}': { kind: 'round', body: () => ({ title: 'Renamed round' }) },
  'POST /api/v1/listening-rounds/{id}/responses': {
    kind: 'round',
    body: (own, b, role) => (role === 'participant' ? { lang: 'en', answers: { social: 'x' } } : { participant_id: own.person, lang: 'en', answers: { social: 'x' } }),
  },
  'GET /api/v1/listening-rounds/{id}/responses': { kind: 'round' },
  'GET /api/v1/listening-rounds/{id}/themes': { kind: 'round' },
  'POST /api/v1/listening-rounds/{id}/themes': { kind: 'round', body: () => ({ title: 'A theme' }) },
  'PUT /api/v1/listening-rounds/{id}/vote': { kind: 'round', body: (own, b) => ({ theme_id: b.theme }) },
  'DELETE /api/v1/listening-rounds/{id}/vote': { kind: 'round' },
  'PATCH /api/v1/themes/{id}': { kind: 'theme', body: () => ({ outcome: 'pending' }) },
  'GET /api/v1/venues/{id}': { kind: 'venue' },
  'PATCH /api/v1/venues/{id}': { kind: 'venue', body: () => ({ capacity: 12 }) },
  'GET /api/v1/programmes/{id}': { kind: 'programme' },
  'PATCH /api/v1/programmes/{id}': { kind: 'programme', body: () => ({ description: 'Changed.' }) },
  'POST /api/v1/programmes/{id}/publish': { kind: 'programme' },
  'GET /api/v1/programmes/{id}/sessions': { kind: 'programme' },
  'POST /api/v1/programmes/{id}/sessions': { kind: 'programme', body: () => ({ starts_at: at(60, '09'), ends_at: at(60, '10') }) },
  'GET /api/v1/programmes/{id}/rotation': { kind: 'programme' },
  'POST /api/v1/programmes/{id}/enrolments': { kind: 'programme', body: (own) => ({ participant_id: own.person }) },
  'GET /api/v1/programmes/{id}/enrolments': { kind: 'programme' },
  'GET /api/v1/programmes/{id}/enrolments.csv': { kind: 'programme' },
  'POST /api/v1/programmes/{id}/supports': { kind: 'programme', body: (own) => ({ participant_id: own.person, kind: 'equipment' }) },
  'GET /api/v1/programmes/{id}/supports': { kind: 'programme' },
  'GET /api/v1/programmes/{id}/supports/ledger': { kind: 'programme' },
  'POST /api/v1/programmes/{id}/calendar': { kind: 'programme' },
  'GET /api/v1/sessions/{id}': { kind: 'session' },
  'PATCH /api/v1/sessions/{id}': { kind: 'session', body: () => ({ online_link: 'https://meet.example.org/other' }) },
  'GET /api/v1/sessions/{id}/roster': { kind: 'session' },
  'POST /api/v1/sessions/{id}/roster': { kind: 'session', body: (own) => ({ user_id: own.staffUid, role: 'co_facilitator' }) },
  'GET /api/v1/sessions/{id}/attendance': { kind: 'session' },
  'GET /api/v1/sessions/{id}/attendance.csv': { kind: 'session' },
  'POST /api/v1/sessions/{id}/attendance': { kind: 'session', body: (own) => ({ marks: [{ participant_id: own.person, status: 'present' }] }) },
  'DELETE /api/v1/roster/{id}': { kind: 'roster' },
  'DELETE /api/v1/training/{id}': { kind: 'training' },
  'DELETE /api/v1/enrolments/{id}': { kind: 'enrolment' },
  'POST /api/v1/enrolments/{id}/accept': { kind: 'offer' },
  'POST /api/v1/enrolments/{id}/decline': { kind: 'offer' },
  'PATCH /api/v1/supports/{id}': { kind: 'support', body: () => ({ status: 'approved', amount_cents: 100 }) },
  'POST /api/v1/me/messages/{id}/read': { kind: 'message' },
  'GET /api/v1/outbox/{id}/email': ADMIN_ONLY,
  'POST /api/v1/outbox/{id}/retry': ADMIN_ONLY,
  'GET /api/v1/calendar/{token}': 'a secret feed token, not an id: a wrong one and a stranger\'s are both 404 (calendar.test.mjs)',
};

describe('ids in paths: another organisation\'s thing is answered like a missing one (docs/api.md)', () => {
  const PR = {}; // Riverside's things, named by Eastgate's members
  const PE = {}; // Eastgate's things, named by Riverside's, Northside's and the fund's
  let roles; // role -> actions (GET /meta)
  let callers;
  const routes = Object.fromEntries(hearthRoutes().map((r) => [`${r.method} ${r.path}`, r]));

  /** A thing of every kind in KINDS, made through the API by org's staff. */
  async function thingsOf(s, client, org, { staffUid, partner }) {
    Object.assign(s, { org, staffUid });
    s.person = await person(client, org);
    s.erasable = await person(client, org);
    s.pub = await programme(client, org);
    s.draft = await programme(client, org, { publish: false });
    s.venue = s.pub.venue_id;
    s.pubSession = s.pub.sessions[0].id;
    s.draftSession = s.draft.sessions[0].id;
    s.enrolment = ok(await client.post(`/api/v1/programmes/${s.pub.id}/enrolments`, { participant_id: s.person }), 201, 'enrolment').id;
    // An offer: one place, two enrolled, the first place given up.
    const small = await programme(client, org, { fields: { capacity: 1 } });
    const first = ok(await client.post(`/api/v1/programmes/${small.id}/enrolments`, { participant_id: await person(client, org) }), 201, 'first').id;
    s.offer = ok(await client.post(`/api/v1/programmes/${small.id}/enrolments`, { participant_id: await person(client, org) }), 201, 'second').id;
    ok(await client.delete(`/api/v1/enrolments/${first}`), 204, 'give up');
    const offered = ok(await client.get(`/api/v1/programmes/${small.id}/enrolments`), 200, 'offered').items.find((e) => e.id === s.offer);
    assert.equal(offered?.status, 'offered', JSON.stringify(offered));
    s.support = ok(await client.post(`/api/v1/programmes/${s.pub.id}/supports`, { participant_id: s.person, kind: 'equipment' }), 201, 'support').id;
    s.roster = ok(await client.post(`/api/v1/sessions/${s.pubSession}/roster`, { user_id: staffUid, role: 'lead' }), 201, 'roster').id;
    s.training = ok(await client.post('/api/v1/training', { organisation_id: org, user_id: staffUid, kind: 'safeguarding', completed_on: '2026-01-05' }), 201, 'training').id;
    s.round = ok(await client.post('/api/v1/listening-rounds', { organisation_id: org, title: unique('Round') }), 201, 'round').id;
    s.theme = ok(await client.post(`/api/v1/listening-rounds/${s.round}/themes`, { title: unique('Theme') }), 201, 'theme').id;
    s.agreement = ok(await client.post('/api/v1/sharing-agreements', {
      from_organisation_id: org, to_organisation_id: partner, categories: ['attendance'], starts_on: dateStr(Date.now()), ends_on: dateStr(Date.now() + 300 * DAY),
    }), 201, 'agreement').id;
    // The platform's things (admins only), tied to org where they can be.
    const u = ok(await as.admin.post('/api/v1/users', { email: `${unique('member')}@example.org`.toLowerCase(), display_name: unique('Member'), password: 'a-member-password-1' }), 201, 'user');
    s.membership = ok(await as.admin.post('/api/v1/memberships', { user_id: u.id, organisation_id: org, role: 'peer_supporter' }), 201, 'membership').id;
    s.token = ok(await as.admin.post('/api/v1/tokens', { name: unique('token'), role: 'coordinator', organisation_id: org }), 201, 'token').id;
    // A message in the inbox of org's staff member (written as the outbox does).
    s.message = insertMessage(server, staffUid, { org });
  }

  before(async () => {
    roles = ok(await as.admin.get('/api/v1/meta'), 200, 'meta').roles;
    const civic = ORG['Civic Wellbeing Fund'];
    await thingsOf(PR, as.coordinator, ORG.riverside, { staffUid: UID.facilitator, partner: civic });
    await thingsOf(PE, east, ORG.eastgate, { staffUid: UID.librarian, partner: civic });
    // A pending erasure request (a person of Riverside asks).
    const teo = await loginAs(server.url, { email: 'participant3@example.org', password: DEMO_PASSWORD });
    PR.erasure = ok(await teo.post('/api/v1/me/erasure-request'), 202, 'erasure request').request_id;
    PE.erasure = PR.erasure;
    callers = [
      ['Riverside coordinator', 'coordinator', as.coordinator, PR, PE],
      ['Riverside facilitator', 'facilitator', as.facilitator, PR, PE],
      ['Riverside peer supporter', 'peer_supporter', as.peer_supporter, PR, PE],
      ['Riverside moderator', 'moderator', as.moderator, PR, PE],
      ['Riverside participant', 'participant', as.participant, PR, PE],
      ['Northside clinician', 'clinician', as.clinician, PR, PE],
      ['the fund\'s funder', 'funder', as.funder, PR, PE],
      ['Eastgate coordinator', 'coordinator', east, PE, PR],
      ['Eastgate facilitator', 'facilitator', librarian, PE, PR],
    ].map(([name, role, client, own, b]) => ({ name, role, client, own, b }));
  });

  test('every route with a parameter in its path is in PATHS (a new one must say what it names)', () => {
    const withParam = Object.keys(routes).filter((k) => k.includes('{'));
    const missing = withParam.filter((k) => !(k in PATHS));
    assert.deepEqual(missing, [], `routes with a path id not in scope.test.mjs PATHS: ${missing.join(', ')}`);
    assert.deepEqual(Object.keys(PATHS).filter((k) => !withParam.includes(k)), [], 'PATHS names routes that no longer exist');
    for (const [k, spec] of Object.entries(PATHS)) if (typeof spec === 'object') assert.ok(KINDS[spec.kind], `${k}: no kind ${spec.kind}`);
  });

  for (const [route, spec] of Object.entries(PATHS)) {
    if (typeof spec !== 'object') continue;
    test(`${route}: another organisation's ${spec.kind} is answered by the one rule`, async () => {
      const [method, path] = route.split(' ');
      const { action } = routes[route] ?? {};
      assert.ok(action, `${route} is not a route`);
      const allowed = callers.filter((c) => roles[c.role]?.includes(action));
      // Nobody here may do it at all: rule 2, before any id is looked up.
      const rule2 = allowed.length === 0;
      const who = rule2 ? callers : allowed;
      const wrong = [];
      for (const c of who) {
        for (const [what, idOf, shownTo, open] of KINDS[spec.kind]) {
          const visible = shownTo?.(c.role) ?? false;
          const theirs = idOf(c.b);
          const body = spec.body?.(c.own, c.b, c.role);
          const send = (id) => c.client.request(method, path.replace(/\{[a-z_]+\}/, String(id)), { body });
          const mine = await send(theirs);
          const none = await send(NONE);
          const x = answer(mine, [theirs, NONE]);
          const y = answer(none, [theirs, NONE]);
          const say = (why) => wrong.push(`${c.name} (${c.role}), ${what} of the other organisation: ${why}\n    theirs:  ${mine.status} ${x.body}\n    missing: ${none.status} ${y.body}`);
          if (rule2) {
            if (mine.status !== 403 || none.status !== 403) say('the action is never theirs: 403 for both expected');
            else if (JSON.stringify(x) !== JSON.stringify(y)) say('two different 403s');
            continue;
          }
          if (none.status !== 404) say('a missing id must be 404');
          if (!visible) {
            if (mine.status !== 404) say('a thing they cannot know exists must be 404');
            else if (JSON.stringify(x) !== JSON.stringify(y)) say('not byte for byte the missing one\'s answer');
          } else if (open.includes(action)) {
            if (mine.status < 200 || mine.status > 299) say('shown to them, and the action is open to all who see it');
          } else if (mine.status !== 403) {
            say('they can know it exists but the action is not theirs there: 403');
          }
        }
      }
      assert.ok(who.length > 0, `${route}: no caller`);
      assert.equal(wrong.length, 0, `${route} (${action}):\n  ${wrong.join('\n  ')}`);
    });
  }
});

describe('finding 1: the chain from another organisation\'s enrolment', () => {
  test('enrol, names, follow-up note and the online link in the person\'s sessions are all refused', async () => {
    for (const client of [east, librarian]) {
      const res = await client.post(`/api/v1/programmes/${E.programme.id}/enrolments`, { participant_id: R.sam });
      assertProblem(res, 403, { field: 'participant_id' });
      assert.ok(!/consent|erased/.test(res.json.detail), `the refusal says something about the person: ${res.json.detail}`);
    }
    // No names of Riverside's people in Eastgate's enrolments or register.
    const samName = ok(await as.participant.get('/api/v1/me/profile'), 200, 'me');
    const names = JSON.stringify([
      ok(await east.get(`/api/v1/programmes/${E.programme.id}/enrolments`), 200, 'enrolments'),
      ok(await librarian.get(`/api/v1/sessions/${E.session}/attendance`), 200, 'register'),
    ]);
    for (const n of [samName.name, samName.preferred_name].filter(Boolean)) assert.ok(!names.includes(n), `${n} shown to Eastgate`);
    assert.ok(!names.includes(`"participant_id":${R.sam}`));
    // A sealed follow-up note about them.
    assertProblem(await librarian.post('/api/v1/followups', { participant_id: R.sam, programme_id: E.programme.id, action: 'met', note: 'seen' }), 403, { field: 'participant_id' });
    // Eastgate changes its own session's link; it never reaches Sam.
    const link = `https://evil.example.org/${unique('room')}`;
    ok(await east.patch(`/api/v1/sessions/${E.session}`, { online_link: link }), 200, 'own session');
    const mine = ok(await as.participant.get('/api/v1/me/sessions'), 200, 'my sessions');
    assert.ok(!JSON.stringify(mine).includes(link), 'the link shows in the person\'s sessions');
    assert.ok(!mine.items.some((s) => s.programme_id === E.programme.id));
  });

  test('staff of the person\'s own organisation still enrol them, and see erasure and consent', async () => {
    const p = await programme(as.coordinator, ORG.riverside);
    ok(await as.facilitator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: R.person }), 201, 'own person');
    assertProblem(await as.facilitator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: R.erased }), 410, { field: 'participant_id' });
    const res = await as.facilitator.post(`/api/v1/programmes/${p.id}/enrolments`, { participant_id: R.noConsent });
    assert.equal(assertProblem(res, 403).consent, 'participation');
  });
});

describe('finding 2: venues of another organisation', () => {
  test('a venue of another organisation is refused like a missing one, and nothing is booked', async () => {
    const res = await east.post('/api/v1/programmes', programmeBody(ORG.eastgate, R.venue));
    assertProblem(res, 400, { field: 'venue_id' });
    const n = dbQuery(server, `SELECT COUNT(*) FROM programmes WHERE venue_id = ${R.venue} AND organisation_id = ${ORG.eastgate};`).trim();
    assert.equal(n, '0');
  });

  test('a clash with another organisation\'s programme does not name it', async () => {
    // A booking made before venues were checked: an Eastgate draft at a
    // Riverside venue (written as the old server let it be).
    const title = unique('Bereavement group for Ward 7 families');
    const theirs = await programme(east, ORG.eastgate, { publish: false });
    dbQuery(server, `UPDATE programmes SET title = '${title}' WHERE id = ${theirs.id};`);
    const v = await venue(as.coordinator, ORG.riverside);
    dbQuery(server, `UPDATE programme_sessions SET venue_id = ${v} WHERE programme_id = ${theirs.id};`);
    const s = theirs.sessions[0];
    // Riverside books its own venue at that time.
    const p = await programme(as.coordinator, ORG.riverside, { publish: false });
    const res = await as.coordinator.post(`/api/v1/programmes/${p.id}/sessions`, { starts_at: s.starts_at, ends_at: s.ends_at, venue_id: v });
    const prob = assertProblem(res, 409, { field: 'venue_id' });
    assert.ok(!res.text.includes(title), `the 409 names Eastgate's programme: ${res.text}`);
    assert.ok(!res.text.includes('Bereavement'));
    assert.equal(prob.conflicting_programme, undefined);
    assert.equal(prob.conflicting_session, undefined);
    assert.match(prob.detail, /booked at that time/);
    // A clash with one of the caller's own programmes still names it.
    const own = await as.coordinator.post(`/api/v1/programmes/${p.id}/sessions`, { starts_at: R.programme.sessions[1].starts_at, ends_at: R.programme.sessions[1].ends_at, venue_id: R.venue });
    assert.equal(assertProblem(own, 409, { field: 'venue_id' }).conflicting_programme, R.programme.title);
  });
});

describe('finding 3: a programme\'s team and a session\'s roster hold fitting roles', () => {
  const therapeutic = (team) => ({
    format: 'online', venue_id: undefined, therapeutic: true, team,
    trauma_plan: { grounding: 'a', difficult_content: 'b', debrief: 'c', opt_out: 'd' },
  });

  test('a participant login is not an artist facilitator, nor a funder a mental-health partner', async () => {
    let res = await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: UID.participant, role: 'artist_facilitator' }, { user_id: UID.clinician, role: 'mental_health_partner' }])));
    assertProblem(res, 400, { field: 'team[0].user_id' });
    res = await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: UID.facilitator, role: 'artist_facilitator' }, { user_id: UID.funder, role: 'mental_health_partner' }])));
    assertProblem(res, 400, { field: 'team[1].user_id' });
    // A facilitator is no mental-health partner either.
    res = await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: UID.facilitator, role: 'artist_facilitator' }, { user_id: UID.facilitator, role: 'mental_health_partner' }])));
    assertProblem(res, 400, { field: 'team[1].user_id' });
    // Staff of an organisation without an agreement: like nobody.
    res = await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: UID.librarian, role: 'artist_facilitator' }, { user_id: UID.clinician, role: 'mental_health_partner' }])));
    const none = await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: NONE, role: 'artist_facilitator' }, { user_id: UID.clinician, role: 'mental_health_partner' }])));
    assertProblem(res, 400, { field: 'team[0].user_id' });
    assert.deepEqual(answer(res, [UID.librarian, NONE]), answer(none, [UID.librarian, NONE]));
    // The partner's clinician, under Riverside's agreement with Northside, fits.
    ok(await as.coordinator.post('/api/v1/programmes', programmeBody(ORG.riverside, null, therapeutic([
      { user_id: UID.facilitator, role: 'artist_facilitator' }, { user_id: UID.clinician, role: 'mental_health_partner' }]))), 201, 'fitting team');
  });

  test('the roster takes staff of the organisation or its partners only', async () => {
    const p = await programme(as.coordinator, ORG.riverside, { publish: false });
    const s = p.sessions[0].id;
    for (const [user, role] of [[UID.participant, 'lead'], [UID.funder, 'on_duty'], [UID.librarian, 'co_facilitator'], [UID.moderator, 'lead']]) {
      assertProblem(await as.coordinator.post(`/api/v1/sessions/${s}/roster`, { user_id: user, role }), 400, { field: 'user_id' });
    }
    ok(await as.coordinator.post(`/api/v1/sessions/${s}/roster`, { user_id: UID.facilitator, role: 'lead' }), 201, 'facilitator');
    ok(await as.coordinator.post(`/api/v1/sessions/${s}/roster`, { user_id: UID.clinician, role: 'co_facilitator' }), 201, 'partner clinician');
  });
});
