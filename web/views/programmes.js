// Programme pages: the list, creating and changing a programme, and one
// programme's page. Coordinators publish it (seeing first which sessions
// still lack someone on duty), add sessions, enrol people, handle supports
// and its calendar link; staff see enrolments and how leadership rotated;
// participants see what it is and enrol or join the waitlist.

import { ApiError } from '../lib/api.js';
import {
  addProgrammeSession, createProgramme, enrolInProgramme, getProgramme, listProgrammes, listVenues,
  newProgrammeCalendarAddress, programmeEnrolments, programmeEnrolmentsCsvUrl, programmeRotation, programmeSessions, programmeSupports,
  programmeSupportsLedger, publishProgramme, requestSupport, updateProgramme, updateSupport,
} from '../endpoints/programmes.js';
import { acceptOffer, cancelEnrolment, declineOffer } from '../endpoints/enrolments.js';
import { myEnrolments } from '../endpoints/me.js';
import { dataTable, h } from '../lib/dom.js';
import { formatDateTime, t } from '../lib/i18n.js';
import { label, options, progLanguage } from '../lib/labels.js';
import { settle } from '../lib/load.js';
import { can, canIn, organisationsFor, values } from '../lib/meta.js';
import { formatDay, ruleText, sessionWhen, shortDay, zonedToUtc } from '../lib/time.js';
import { actionButton, miniForm } from '../components/actions.js';
import { field, FormErrors, input, select, textarea, value } from '../components/forms.js';
import { back, calendarBox, disclosure, failed, page, section } from '../components/page.js';
import { participantPicker, staffDirectoryOrNull } from '../components/pickers.js';
import { programmeForm } from '../components/programme-form.js';
import { placesText, programmeTags } from '../components/programme.js';
import { enrolPanel } from './taking-part.js';

// --- the list ---

export async function programmesView(ctx) {
  const user = ctx.session.user;
  const staff = can('enrolment.read');
  const { items } = await listProgrammes();
  const status = select('programme-filter', [{ value: '', label: t('prog.filter.all') },
    ...options('progStatus', ['draft', 'published', 'closed'])], '');
  const columns = [
    { label: t('prog.col.title'), cell: (p) => h('a', { href: `#/programmes/${p.id}` }, p.title) },
    { label: t('prog.col.artForm'), cell: (p) => label('artForm', p.art_form) },
    { label: t('prog.col.dates'), cell: (p) => (p.end_date ? t('prog.dateRange', { from: shortDay(p.start_date), to: shortDay(p.end_date) })
      : t('prog.from', { date: shortDay(p.start_date) })) },
    { label: t('prog.col.status'), cell: (p) => label('progStatus', p.status) },
    { label: t('prog.col.places'), cell: (p) => placesText(p) },
  ];
  const box = h('div', {});
  const paint = () => {
    const rows = items.filter((p) => !status.value || p.status === status.value);
    box.replaceChildren(dataTable({ id: 'programmes-table', caption: t('prog.listCaption', { count: rows.length }),
      columns, rows, emptyText: t(staff ? 'prog.noneStaff' : 'prog.none') }));
  };
  status.addEventListener('change', () => {
    paint();
    ctx.announce(t('prog.filtered', { count: box.querySelectorAll('tbody tr:not(:has(td.empty))').length }));
  });
  paint();
  return page(t('prog.title'),
    h('p', { class: 'lede' }, t(staff ? 'prog.introStaff' : 'prog.introParticipant')),
    can('programme.manage') && h('p', {}, h('a', { class: 'button', href: '#/programmes/new', id: 'programme-new-link' }, t('prog.new'))),
    !staff && h('p', {}, h('a', { href: '#/me/fit' }, t('prog.seeFit'))),
    staff && h('div', { class: 'search-row' }, field(t('prog.filter'), status)),
    box);
}

// --- create and change ---

// What the programme form chooses from. people is the staff directory, or
// null when it could not be read (the form says so and keeps the team).
async function formContext(user) {
  const [orgs, venues, people] = await Promise.all([
    organisationsFor('programme.manage'),
    listVenues().then((d) => d.items).catch((err) => {
      if (err instanceof ApiError && err.status === 401) throw err;
      return [];
    }),
    staffDirectoryOrNull(),
  ]);
  return { orgs, venues, people };
}

export async function programmeNewView(ctx) {
  const { orgs, venues, people } = await formContext(ctx.session.user);
  const form = programmeForm({ prefix: 'pn', mode: 'create', orgs, venues, people });
  const submit = h('button', { type: 'submit', class: 'button', id: 'pn-submit' }, t('pf.create'));
  async function onSubmit(event) {
    event.preventDefault();
    const body = form.collect();
    if (!body) return;
    submit.disabled = true;
    try {
      const p = await createProgramme(body);
      ctx.announceAfterNavigation(t('pf.created', { title: p.title || body.title, n: p.sessions ?? 0 }));
      ctx.navigate(`/programmes/${p.id}`);
    } catch (err) {
      if (!form.errors.showApiError(err)) ctx.sessionExpired();
    } finally {
      submit.disabled = false;
    }
  }
  return page(t('pf.newTitle'),
    back('#/programmes', t('prog.back')),
    h('p', { class: 'lede' }, t('pf.newIntro')),
    venues.length === 0 && h('p', { class: 'notice' }, t('pf.noVenuesYet'), ' ', h('a', { href: '#/venues' }, t('pf.addVenue'))),
    h('form', { id: 'pn-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      form.errors.box, form.node,
      h('div', { class: 'actions' }, submit, h('a', { href: '#/programmes', class: 'button button-quiet' }, t('form.cancel')))));
}

// A value as compared for "did it change": the team as a set of
// person+role, the plan without its empty parts.
function comparable(key, v) {
  if (v === undefined) return null;
  if (key === 'team') return (v || []).map((m) => `${m.user_id}:${m.role}`).sort();
  if (key === 'trauma_plan') return Object.fromEntries(Object.entries(v || {}).filter(([, x]) => x).sort());
  return v;
}

// Only what changed goes in a PATCH.
function changed(body, before) {
  const out = {};
  for (const [k, v] of Object.entries(body)) {
    if (JSON.stringify(comparable(k, v)) !== JSON.stringify(comparable(k, before[k]))) out[k] = v;
  }
  return out;
}

export async function programmeEditView(ctx, { id }) {
  const p = await getProgramme(id);
  const { venues, people } = await formContext(ctx.session.user);
  const form = programmeForm({ prefix: 'pe', mode: 'edit', programme: p, venues, people });
  const submit = h('button', { type: 'submit', class: 'button', id: 'pe-submit' }, t('form.save'));
  async function onSubmit(event) {
    event.preventDefault();
    const body = form.collect();
    if (!body) return;
    const diff = changed(body, p);
    if (!Object.keys(diff).length) {
      ctx.announceAfterNavigation(t('pf.nothingChanged'));
      ctx.navigate(`/programmes/${id}`);
      return;
    }
    submit.disabled = true;
    try {
      await updateProgramme(id, diff);
      ctx.announceAfterNavigation(t('form.saved'));
      ctx.navigate(`/programmes/${id}`);
    } catch (err) {
      if (!form.errors.showApiError(err)) ctx.sessionExpired();
    } finally {
      submit.disabled = false;
    }
  }
  return page(t('pf.editTitle', { title: p.title }),
    back(`#/programmes/${id}`, t('prog.backTo', { title: p.title })),
    h('form', { id: 'pe-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      form.errors.box, form.node,
      h('div', { class: 'actions' }, submit, h('a', { href: `#/programmes/${id}`, class: 'button button-quiet' }, t('form.cancel')))));
}

// --- one programme ---

function detailRows(rows, id) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
  return h('dl', { class: 'details', id }, shown.map(([k, v]) => h('div', { class: 'details-row' }, h('dt', {}, k), h('dd', {}, v))));
}

function venueName(venues, id) {
  if (!id) return null;
  const v = venues.get(id);
  return v ? h('a', { href: `#/venues/${id}` }, v.name) : t('prog.venueN', { id });
}

function whereText(s, venues) {
  const parts = [];
  if (s.venue_id) parts.push(venues.get(s.venue_id)?.name || t('prog.venueN', { id: s.venue_id }));
  if (s.online_link) parts.push(t('prog.online'));
  return parts.join(' + ') || t('common.none');
}

function sessionsTable(p, sessions, venues, staff) {
  const columns = [
    { label: t('sess.when'), cell: (s) => h('a', { href: `#/sessions/${s.id}` }, sessionWhen(s)) },
    { label: t('sess.status'), cell: (s) => [label('sessStatus', s.status), s.status === 'cancelled' && s.cancel_reason ? ` (${s.cancel_reason})` : ''] },
    { label: t('sess.where'), cell: (s) => whereText(s, venues) },
  ];
  if (staff) {
    columns.push({ label: t('sess.onDuty'), cell: (s) => (s.on_duty ? t('sess.onDutyYes')
      : h('strong', { class: p.therapeutic ? 'warning' : null }, t('sess.onDutyNo'))) });
    columns.push({ label: t('sess.changed'), cell: (s) => (s.edited ? t('sess.edited') : '') });
  }
  return dataTable({ id: 'sessions-table', caption: t('sess.caption', { count: sessions.length }), columns, rows: sessions,
    emptyText: t('sess.none') });
}

// The sessions with nobody on duty, as links, for a therapeutic programme.
function lackingDuty(ids, sessions, id) {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  return h('ul', { id }, ids.map((sid) => h('li', {},
    h('a', { href: `#/sessions/${sid}` }, byId.has(sid) ? sessionWhen(byId.get(sid)) : t('sess.sessionN', { id: sid })))));
}

// What a therapeutic programme still lacks before it can be published,
// besides someone on duty: the two team roles and the four plan parts.
function therapeuticGaps(p) {
  const gaps = [];
  const roles = new Set((p.team || []).map((m) => m.role));
  for (const role of ['artist_facilitator', 'mental_health_partner']) {
    if (!roles.has(role)) gaps.push(t('publish.needRole', { role: label('teamRole', role) }));
  }
  for (const part of values('plan_parts')) {
    if (!p.trauma_plan?.[part]) gaps.push(t('publish.needPlan', { part: t(`pf.plan.${part}`) }));
  }
  return gaps;
}

function publishPart(ctx, p, sessions) {
  if (p.status !== 'draft') return null;
  const lacking = sessions.filter((s) => s.status !== 'cancelled' && !s.on_duty).map((s) => s.id);
  const gaps = p.therapeutic ? therapeuticGaps(p) : [];
  const note = p.therapeutic && lacking.length
    ? h('div', { class: 'notice', id: 'duty-warning' },
      h('p', {}, t('publish.lacking', { n: lacking.length })), lackingDuty(lacking, sessions, 'sessions-without-duty'))
    : null;
  const gapNote = gaps.length
    ? h('div', { class: 'notice', id: 'publish-gaps' }, h('p', {}, t('publish.gaps')),
      h('ul', {}, gaps.map((g) => h('li', {}, g))),
      h('p', {}, h('a', { href: `#/programmes/${p.id}/edit` }, t('prog.edit'))))
    : null;
  const { button, errors } = actionButton(ctx, {
    id: 'programme-publish', text: t('publish.button'), working: t('publish.working'),
    work: async (errs) => {
      try {
        await publishProgramme(p.id);
        ctx.refresh(t('publish.done', { title: p.title }));
      } catch (err) {
        const ids = err instanceof ApiError ? err.problem.sessions_without_duty : null;
        if (err instanceof ApiError && err.status === 409 && Array.isArray(ids) && ids.length) {
          errs.show({ message: t('publish.needDuty', { n: ids.length }), detail: err.detail });
          errs.box.append(lackingDuty(ids, sessions, 'publish-refused-sessions'));
          return;
        }
        throw err;
      }
    },
  });
  return section(t('publish.title'), { id: 'publish' },
    h('p', {}, t(p.therapeutic ? 'publish.introTherapeutic' : 'publish.intro')), gapNote, note, errors.box, button);
}

function addSessionForm(ctx, p, venues) {
  const prefix = 'sess-new';
  const errors = new FormErrors(prefix);
  const date = input(`${prefix}-date`, { type: 'date' });
  const start = input(`${prefix}-start`, { type: 'time', value: p.start_time || '' });
  const end = input(`${prefix}-end`, { type: 'time' });
  const venue = select(`${prefix}-venue`, [{ value: '', label: t('sess.noVenue') },
    ...[...venues.values()].filter((v) => v.organisation_id === p.organisation_id).map((v) => ({ value: String(v.id), label: v.name }))],
  p.venue_id ? String(p.venue_id) : '');
  const link = input(`${prefix}-link`, { type: 'url', value: p.online_link || '', spellcheck: 'false' });
  errors.register('starts_at', start, t('sess.start'));
  errors.register('ends_at', end, t('sess.end'));
  errors.register('venue_id', venue, t('pf.venue'));
  errors.register('online_link', link, t('pf.link'));
  const { form } = miniForm(ctx, {
    id: prefix, errors, submitText: t('sess.add'),
    children: [
      h('p', { class: 'hint' }, t('sess.zoneNote', { zone: p.timezone })),
      h('div', { class: 'slot-fields' },
        field(t('sess.date'), date, { required: true }),
        field(t('sess.start'), start, { required: true }),
        field(t('sess.end'), end, { required: true })),
      field(t('pf.venue'), venue), field(t('pf.link'), link)],
    collect: (errs) => {
      if (!date.value) return errs.show({ message: t('form.error.missing', { field: t('sess.date') }), path: 'starts_at' });
      if (!start.value) return errs.show({ message: t('form.error.missing', { field: t('sess.start') }), path: 'starts_at' });
      if (!end.value) return errs.show({ message: t('form.error.missing', { field: t('sess.end') }), path: 'ends_at' });
      const body = { starts_at: zonedToUtc(date.value, start.value, p.timezone), ends_at: zonedToUtc(date.value, end.value, p.timezone) };
      if (venue.value) body.venue_id = Number(venue.value);
      if (value(link)) body.online_link = value(link);
      return body;
    },
    run: async (body) => {
      await addProgrammeSession(p.id, body);
      ctx.refresh(t('sess.added'));
    },
  });
  return disclosure('session-add', t('sess.addTitle'), form);
}

function teamPart(p) {
  if (!p.team?.length) return h('p', { class: 'hint', id: 'team' }, t('prog.noTeam'));
  return h('ul', { class: 'plain', id: 'team' }, p.team.map((m) => h('li', {},
    h('strong', {}, m.name || t('prog.userN', { id: m.user_id })), ` · ${label('teamRole', m.role)}`)));
}

function planPart(p) {
  const plan = p.trauma_plan || {};
  const rows = values('plan_parts').map((part) => [t(`pf.plan.${part}`), plan[part] ? h('span', { class: 'notes' }, plan[part]) : null]);
  if (!rows.some(([, v]) => v)) return h('p', { class: 'hint', id: 'trauma-plan' }, t('prog.noPlan'));
  return detailRows(rows, 'trauma-plan');
}

function enrolmentsPart(ctx, p, enrolments, enroller) {
  const columns = [
    { label: t('enrol.person'), cell: (e) => e.name || t('prog.personN', { id: e.participant_id }) },
    { label: t('enrol.status'), cell: (e) => (e.status === 'waitlisted' && e.position
      ? t('enrol.waitlistedN', { n: e.position }) : label('enrolStatus', e.status)) },
  ];
  if (enroller) {
    columns.push({ label: t('prog.actions'), cell: (e) => {
      const who = e.name || t('prog.personN', { id: e.participant_id });
      const buttons = [];
      const act = (kind, call, text, done) => {
        const { button, errors } = actionButton(ctx, {
          id: `enrol-${kind}-${e.id}`, text, quiet: true,
          work: async () => {
            await call(e.id);
            ctx.refresh(t(done, { name: who }));
          },
        });
        button.classList.add('button-small');
        button.setAttribute('aria-label', `${text}: ${who}`);
        buttons.push(errors.box, button);
      };
      if (e.status === 'offered') {
        act('accept', acceptOffer, t('enrol.acceptFor'), 'enrol.acceptedFor');
        act('decline', declineOffer, t('enrol.declineFor'), 'enrol.declinedFor');
      }
      if (e.status !== 'cancelled') act('cancel', cancelEnrolment, t('enrol.cancelFor'), 'enrol.cancelledFor');
      return h('div', { class: 'row-actions' }, buttons);
    } });
  }
  const table = dataTable({ id: 'enrolments-table', caption: t('enrol.caption', { count: enrolments.length }), columns,
    rows: enrolments, emptyText: t('enrol.none') });
  let add = null;
  if (enroller) {
    const errors = new FormErrors('enrol-new');
    const who = participantPicker('enrol-new-person', t('enrol.person'));
    errors.register('participant_id', who.control, t('enrol.person'));
    const { form } = miniForm(ctx, {
      id: 'enrol-new', errors, submitText: t('enrol.add'), children: [who.node],
      collect: (errs) => (who.get() ? { participant_id: who.get() }
        : errs.show({ message: t('form.error.missing', { field: t('enrol.person') }), path: 'participant_id' })),
      run: async (body) => {
        const r = await enrolInProgramme(p.id, body);
        ctx.refresh(r?.status === 'waitlisted' ? t('enrol.addedWaitlist', { n: r.position ?? '' }) : t('enrol.added'));
      },
    });
    add = disclosure('enrol-add', t('enrol.addTitle'), form, () => who.load().catch((err) => errors.showApiError(err)));
  }
  const csv = h('p', {}, h('a', { href: programmeEnrolmentsCsvUrl(p.id), download: `programme-${p.id}-enrolments.csv`, id: 'enrolments-csv' },
    t('enrol.csv')));
  return [table, csv, add];
}

function rotationPart(rotation) {
  const names = (list) => (list?.length ? list.join(', ') : t('common.none'));
  const sessionsTableNode = dataTable({
    id: 'rotation-table', caption: t('rota.caption'),
    columns: [
      { label: t('sess.when'), cell: (s) => h('a', { href: `#/sessions/${s.session_id}` }, s.local_start ? sessionWhen(s) : formatDateTime(s.starts_at)) },
      { label: label('rosterRole', 'lead'), cell: (s) => names(s.lead) },
      { label: label('rosterRole', 'co_facilitator'), cell: (s) => names(s.co_facilitator) },
      { label: label('rosterRole', 'participant_lead'), cell: (s) => names(s.participant_lead) },
      { label: label('rosterRole', 'on_duty'), cell: (s) => names(s.on_duty) },
    ],
    rows: rotation.sessions || [], emptyText: t('sess.none'),
  });
  const counts = dataTable({
    id: 'rotation-counts', caption: t('rota.countsCaption'),
    columns: [
      { label: t('rota.person'), cell: (c) => c.name || `#${c.id}` },
      { label: t('rota.kind'), cell: (c) => label('rotaKind', c.kind) },
      { label: t('rota.role'), cell: (c) => label('rosterRole', c.role) },
      { label: t('rota.times'), cell: (c) => String(c.times) },
    ],
    rows: rotation.counts || [], emptyText: t('rota.noneYet'),
  });
  return [h('p', { class: 'hint' }, t('rota.intro')), counts, sessionsTableNode];
}

// Money in the smallest unit, shown with two decimals (no currency: the API has none).
function money(cents) {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format((cents || 0) / 100);
}

function supportCard(ctx, s) {
  const who = s.name || t('prog.personN', { id: s.participant_id });
  const actions = [];
  const act = (status, text, withAmount = false) => {
    const { button, errors } = actionButton(ctx, {
      id: `support-${status}-${s.id}`, text, quiet: status === 'declined',
      work: async () => {
        const body = { status };
        if (withAmount && amount && amount.value) body.amount_cents = Math.round(Number(amount.value) * 100);
        await updateSupport(s.id, body);
        ctx.refresh(t('support.updated', { kind: label('supportKind', s.kind), name: who }));
      },
    });
    button.classList.add('button-small');
    actions.push(errors.box, button);
  };
  let amount = null;
  if (s.kind === 'transport_stipend' && (s.status === 'requested' || s.status === 'approved')) {
    amount = input(`support-amount-${s.id}`, { type: 'number', min: '0', step: '0.01', inputmode: 'decimal',
      value: s.amount_cents ? (s.amount_cents / 100).toFixed(2) : '' });
  }
  if (s.status === 'requested') {
    act('approved', t('support.approve'), true);
    act('declined', t('support.decline'));
  } else if (s.status === 'approved') {
    act('provided', t('support.provide'), true);
  }
  return h('li', { class: 'card', id: `support-${s.id}` },
    h('h3', {}, `${label('supportKind', s.kind)} · ${who}`),
    h('p', {}, label('supportStatus', s.status), s.amount_cents ? ` · ${money(s.amount_cents)}` : ''),
    s.notes && h('p', { class: 'hint' }, s.notes),
    amount && field(t('support.amount'), amount, { hint: t('support.amountHint') }),
    actions.length > 0 && h('div', { class: 'row-actions' }, actions));
}

function supportsPart(ctx, p, supports, ledger, sessions) {
  const parts = [];
  if (supports) {
    parts.push(supports.ok
      ? (supports.value.items.length
        ? h('ul', { class: 'cards', id: 'supports' }, supports.value.items.map((s) => supportCard(ctx, s)))
        : h('p', { class: 'hint', id: 'supports' }, t('support.none')))
      : failed(supports.error));
  }
  if (ledger) {
    parts.push(ledger.ok ? dataTable({
      id: 'ledger-table', caption: t('support.ledgerCaption', { total: money(ledger.value.total_cents_provided) }),
      columns: [
        { label: t('support.kind'), cell: (r) => label('supportKind', r.kind) },
        { label: t('support.requested'), cell: (r) => String(r.requested) },
        { label: t('support.approved'), cell: (r) => String(r.approved) },
        { label: t('support.provided'), cell: (r) => String(r.provided) },
        { label: t('support.amountApproved'), cell: (r) => money(r.amount_cents_approved) },
        { label: t('support.amountProvided'), cell: (r) => money(r.amount_cents_provided) },
      ],
      rows: ledger.value.by_kind || [], emptyText: t('support.none'),
    }) : failed(ledger.error));
  }
  // Any staff member of the organisation may ask for a support for someone.
  const prefix = 'support-new';
  const errors = new FormErrors(prefix);
  const who = participantPicker(`${prefix}-person`, t('support.person'));
  const kind = select(`${prefix}-kind`, [{ value: '', label: t('form.choose') }, ...options('supportKind', values('support_kinds'))], '');
  const session = select(`${prefix}-session`, [{ value: '', label: t('support.anySession') },
    ...sessions.map((s) => ({ value: String(s.id), label: sessionWhen(s) }))], '');
  const amount = input(`${prefix}-amount`, { type: 'number', min: '0', step: '0.01', inputmode: 'decimal' });
  const notes = textarea(`${prefix}-notes`, '', { rows: 2 });
  errors.register('participant_id', who.control, t('support.person'));
  errors.register('kind', kind, t('support.kind'));
  errors.register('session_id', session, t('support.session'));
  errors.register('amount_cents', amount, t('support.amount'));
  errors.register('notes', notes, t('support.notes'));
  const { form } = miniForm(ctx, {
    id: prefix, errors, submitText: t('support.request'),
    children: [who.node, field(t('support.kind'), kind, { required: true }), field(t('support.session'), session),
      field(t('support.amount'), amount, { hint: t('support.amountHint') }),
      field(t('support.notes'), notes, { hint: t('support.notesHint') })],
    collect: (errs) => {
      if (!who.get()) return errs.show({ message: t('form.error.missing', { field: t('support.person') }), path: 'participant_id' });
      if (!kind.value) return errs.show({ message: t('form.error.missing', { field: t('support.kind') }), path: 'kind' });
      const body = { participant_id: who.get(), kind: kind.value };
      if (session.value) body.session_id = Number(session.value);
      if (amount.value) body.amount_cents = Math.round(Number(amount.value) * 100);
      if (value(notes)) body.notes = value(notes);
      return body;
    },
    run: async (body) => {
      await requestSupport(p.id, body);
      ctx.refresh(t('support.requested.done'));
    },
  });
  parts.push(disclosure('support-add', t('support.addTitle'), form, () => who.load().catch((err) => errors.showApiError(err))));
  return parts;
}

function calendarPart(ctx, p) {
  const out = h('div', { id: 'programme-calendar-box' });
  const { button, errors } = actionButton(ctx, {
    id: 'programme-calendar', text: t('cal.programmeMake'), quiet: true, describedBy: 'programme-calendar-hint',
    work: async () => {
      const { url } = await newProgrammeCalendarAddress(p.id);
      const box = calendarBox('programme-calendar-result', url);
      out.replaceChildren(box.node);
      box.heading.focus();
    },
  });
  return [h('p', { id: 'programme-calendar-hint' }, t('cal.programmeIntro')), errors.box, button, out];
}

export async function programmeView(ctx, { id }) {
  const user = ctx.session.user;
  const p = await getProgramme(id);
  const org = p.organisation_id;
  const staff = canIn(org, 'enrolment.read');
  const manage = canIn(org, 'programme.manage');
  const enroller = canIn(org, 'enrolment.create');
  const participant = can('self.programme');
  const [sessionsR, venuesR, enrolR, rotationR, supportsR, ledgerR, mineR] = await settle(
    programmeSessions(id),
    listVenues(),
    staff ? programmeEnrolments(id) : Promise.resolve(null),
    staff ? programmeRotation(id) : Promise.resolve(null),
    manage ? programmeSupports(id) : Promise.resolve(null),
    manage ? programmeSupportsLedger(id) : Promise.resolve(null),
    participant ? myEnrolments() : Promise.resolve(null));
  const sessions = sessionsR.ok ? sessionsR.value.items : [];
  const venues = new Map((venuesR.ok ? venuesR.value.items : []).map((v) => [v.id, v]));

  const schedule = [
    [t('prog.schedule'), ruleText(p.rrule, p.exdates, p.start_date)],
    [t('prog.firstSession'), `${formatDay(p.start_date)}, ${p.start_time}`],
    [t('prog.duration'), t('prog.minutes', { n: p.duration_minutes })],
    [t('pf.timezone'), p.timezone?.replace(/_/g, ' ')],
    [t('prog.skips'), (p.exdates || []).map(shortDay).join(', ')],
  ];
  const about = [
    [t('pf.description'), p.description ? h('span', { class: 'notes' }, p.description) : null],
    [t('pf.languages'), (p.languages || []).map(progLanguage).join(', ')],
    [t('pf.venue'), venueName(venues, p.venue_id)],
    [t('pf.link'), p.online_link ? (staff || mineR.value?.items?.some((e) => e.programme_id === p.id && e.status === 'enrolled')
      ? h('a', { href: p.online_link, rel: 'noopener noreferrer' }, p.online_link) : t('prog.linkForEnrolled')) : null],
    [t('prog.places'), placesText(p)],
    staff ? [t('prog.enrolledCount'), t('prog.enrolledN', { n: p.enrolled ?? 0, capacity: p.capacity, waitlisted: p.waitlisted ?? 0 })] : [null, null],
    manage ? [t('pf.funding'), p.funding_stream] : [null, null],
  ];

  const actions = manage ? h('div', { class: 'actions', id: 'programme-actions' },
    h('a', { class: 'button button-quiet', href: `#/programmes/${id}/edit`, id: 'programme-edit' }, t('prog.edit'))) : null;

  let enrolSection = null;
  if (participant && p.status === 'published') {
    const mine = mineR.ok ? mineR.value.items.find((e) => e.programme_id === p.id && e.status !== 'cancelled') : null;
    enrolSection = section(t('enrol.yourPlace'), { id: 'my-place' }, enrolPanel(ctx, p, mine || null, 'place'));
  }

  return page(p.title,
    back('#/programmes', t('prog.back')),
    programmeTags(p),
    actions,
    enrolSection,
    section(t('prog.about'), { id: 'programme-about' }, detailRows(about, 'programme-details')),
    section(t('prog.when'), { id: 'programme-when' }, detailRows(schedule, 'programme-schedule')),
    manage && publishPart(ctx, p, sessions),
    section(t('sess.title'), { id: 'programme-sessions' },
      sessionsR.ok ? sessionsTable(p, sessions, venues, staff) : failed(sessionsR.error),
      manage && addSessionForm(ctx, p, venues)),
    section(t('pf.team'), { id: 'programme-team' }, teamPart(p)),
    section(t('pf.plan'), { id: 'programme-plan' }, planPart(p)),
    staff && section(t('enrol.title'), { id: 'programme-enrolments' },
      enrolR.ok ? enrolmentsPart(ctx, p, enrolR.value.items, enroller) : failed(enrolR.error)),
    staff && section(t('rota.title'), { id: 'programme-rotation' },
      rotationR.ok ? rotationPart(rotationR.value) : failed(rotationR.error)),
    staff && section(t('support.title'), { id: 'programme-supports' },
      ...supportsPart(ctx, p, manage ? supportsR : null, manage ? ledgerR : null, sessions)),
    manage && section(t('cal.programmeTitle'), { id: 'programme-feed' }, ...calendarPart(ctx, p)));
}

