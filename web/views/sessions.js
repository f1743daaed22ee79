// One session: when and where it is, moving or cancelling it (with a
// reason), who does what in it (the roster), and taking attendance on a
// phone: one row of big buttons per person, each tap saved at once. Also
// "My duties" for staff, with a calendar link for them.

import {
  addToRoster, getSession, markAttendance, removeFromRoster, sessionAttendance, sessionAttendanceCsvUrl, sessionRoster,
  updateSession,
} from '../endpoints/sessions.js';
import { getProgramme, listVenues } from '../endpoints/programmes.js';
import { myDuties, newMyDutyCalendarAddress } from '../endpoints/me.js';
import { dataTable, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { label, options } from '../lib/labels.js';
import { settle } from '../lib/load.js';
import { can, canIn, values } from '../lib/meta.js';
import { sessionEndTime, sessionWhen, utcToZoned, zonedToUtc } from '../lib/time.js';
import { actionButton, miniForm, pressed } from '../components/actions.js';
import { field, FormErrors, input, radioGroup, select, textarea, value } from '../components/forms.js';
import { back, calendarBox, failed, page, section } from '../components/page.js';
import {
  participantPicker, staffDirectoryOrNull, staffFailed, staffOrder, staffPicker,
} from '../components/pickers.js';

function detailRows(rows, id) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return h('dl', { class: 'details', id }, shown.map(([k, v]) => h('div', { class: 'details-row' }, h('dt', {}, k), h('dd', {}, v))));
}

function programmeTitle(s, programme) {
  return programme?.title || s.programme || t('prog.programmeN', { id: s.programme_id });
}

// --- changing a session ---

function moveForm(ctx, s, venues, orgId) {
  const prefix = 'sess-move';
  const zone = s.timezone;
  const startLocal = utcToZoned(s.starts_at, zone);
  const endLocal = utcToZoned(s.ends_at, zone);
  const errors = new FormErrors(prefix);
  const date = input(`${prefix}-date`, { type: 'date', value: startLocal.date });
  const start = input(`${prefix}-start`, { type: 'time', value: startLocal.time });
  const end = input(`${prefix}-end`, { type: 'time', value: endLocal.time });
  const venue = select(`${prefix}-venue`, [{ value: '', label: t('sess.noVenue') },
    ...venues.filter((v) => !orgId || v.organisation_id === orgId).map((v) => ({ value: String(v.id), label: v.name }))],
  s.venue_id ? String(s.venue_id) : '');
  const link = input(`${prefix}-link`, { type: 'url', value: s.online_link || '', spellcheck: 'false' });
  errors.register('starts_at', date, t('sess.date'));
  errors.register('ends_at', end, t('sess.end'));
  errors.register('venue_id', venue, t('pf.venue'));
  errors.register('online_link', link, t('pf.link'));
  const { form } = miniForm(ctx, {
    id: prefix, errors, submitText: t('sess.save'),
    children: [
      h('p', { class: 'hint' }, t('sess.zoneNote', { zone })),
      h('div', { class: 'slot-fields' },
        field(t('sess.date'), date, { required: true }),
        field(t('sess.start'), start, { required: true }),
        field(t('sess.end'), end, { required: true })),
      field(t('pf.venue'), venue),
      field(t('pf.link'), link)],
    collect: (errs) => {
      if (!date.value || !start.value || !end.value) {
        return errs.show({ message: t('sess.error.when'), path: 'starts_at' });
      }
      const body = {};
      const startsAt = zonedToUtc(date.value, start.value, zone);
      const endsAt = zonedToUtc(date.value, end.value, zone);
      if (startsAt !== s.starts_at) body.starts_at = startsAt;
      if (endsAt !== s.ends_at) body.ends_at = endsAt;
      const v = venue.value ? Number(venue.value) : null;
      if (v !== (s.venue_id ?? null)) body.venue_id = v;
      const l = value(link) || null;
      if (l !== (s.online_link ?? null)) body.online_link = l;
      if (!Object.keys(body).length) return errs.show({ message: t('sess.error.nothing') });
      return body;
    },
    run: async (body) => {
      await updateSession(s.id, body);
      ctx.refresh(t('sess.saved'));
    },
  });
  return form;
}

function cancelForm(ctx, s) {
  const prefix = 'sess-cancel';
  const errors = new FormErrors(prefix);
  const reason = textarea(`${prefix}-reason`, '', { rows: 2 });
  errors.register('cancel_reason', reason, t('sess.cancelReason'));
  errors.register('status', reason, t('sess.cancelReason'));
  const { form, submit } = miniForm(ctx, {
    id: prefix, errors, submitText: t('sess.cancel'), workingText: t('sess.cancelling'),
    children: [field(t('sess.cancelReason'), reason, { required: true, hint: t('sess.cancelReasonHint') })],
    collect: (errs) => (value(reason) ? { status: 'cancelled', cancel_reason: value(reason) }
      : errs.show({ message: t('sess.error.reason'), path: 'cancel_reason' })),
    run: async (body) => {
      await updateSession(s.id, body);
      ctx.refresh(t('sess.cancelled'));
    },
  });
  submit.classList.add('button-danger');
  return form;
}

// --- roster ---

function rosterPart(ctx, s, roster, people, manage) {
  const columns = [
    { label: t('roster.person'), cell: (r) => r.name || (r.user_id ? t('prog.userN', { id: r.user_id }) : t('prog.personN', { id: r.participant_id })) },
    { label: t('roster.role'), cell: (r) => label('rosterRole', r.role) },
  ];
  if (manage) {
    columns.push({ label: t('prog.actions'), cell: (r) => {
      const who = r.name || '';
      const { button, errors } = actionButton(ctx, {
        id: `roster-remove-${r.id}`, text: t('roster.remove'), quiet: true, working: t('prog.removing'),
        work: async () => {
          await removeFromRoster(r.id);
          ctx.refresh(t('roster.removed', { name: who, role: label('rosterRole', r.role) }));
        },
      });
      button.classList.add('button-small');
      button.setAttribute('aria-label', t('roster.removeNamed', { name: who, role: label('rosterRole', r.role) }));
      return h('div', {}, errors.box, button);
    } });
  }
  const table = dataTable({ id: 'roster-table', caption: t('roster.caption', { count: roster.length }), columns, rows: roster,
    emptyText: t('roster.none') });
  if (!manage) return [table];

  const prefix = 'roster-new';
  const errors = new FormErrors(prefix);
  const kind = radioGroup({
    legend: t('roster.who'), name: `${prefix}-kind`, value: 'user',
    options: [{ value: 'user', label: t('roster.kind.user') }, { value: 'participant', label: t('roster.kind.participant') }],
  });
  const staff = staffPicker(`${prefix}-user`, t('roster.staff'), people, { hint: t('roster.staffHint') });
  const person = participantPicker(`${prefix}-participant`, t('roster.participant'));
  const role = select(`${prefix}-role`, [{ value: '', label: t('form.choose') }, ...options('rosterRole', values('roster_roles'))], '');
  // The part comes first: it decides whose group leads the staff list
  // (clinicians for someone on duty, facilitators for a lead).
  role.addEventListener('change', () => staff.setOrder(staffOrder(role.value)));
  const staffBox = h('div', {}, people === null && staffFailed(`${prefix}-staff-failed`), staff.node);
  const sync = () => {
    const isUser = kind.get() === 'user';
    staffBox.hidden = !isUser;
    person.node.hidden = isUser;
    if (!isUser) person.load().catch((err) => errors.showApiError(err));
    for (const o of role.options) o.hidden = o.value !== '' && (isUser ? o.value === 'participant_lead' : o.value !== 'participant_lead');
    if (role.selectedOptions[0]?.hidden) role.value = isUser ? '' : 'participant_lead';
    staff.setOrder(staffOrder(role.value));
  };
  kind.radios.forEach((r) => r.addEventListener('change', sync));
  sync();
  errors.register('user_id', staff.control, t('roster.staff'));
  errors.register('participant_id', person.control, t('roster.participant'));
  errors.register('role', role, t('roster.role'));
  const { form } = miniForm(ctx, {
    id: prefix, errors, submitText: t('roster.add'),
    children: [kind.node, field(t('roster.role'), role, { required: true, hint: t('roster.roleHint') }), staffBox, person.node],
    collect: (errs) => {
      const isUser = kind.get() === 'user';
      const who = isUser ? staff.get() : person.get();
      if (!who) return errs.show({ message: t('form.error.missing', { field: isUser ? t('roster.staff') : t('roster.participant') }), path: isUser ? 'user_id' : 'participant_id' });
      if (!role.value) return errs.show({ message: t('form.error.missing', { field: t('roster.role') }), path: 'role' });
      return isUser ? { user_id: who, role: role.value } : { participant_id: who, role: role.value };
    },
    run: async (body) => {
      await addToRoster(s.id, body);
      ctx.refresh(t('roster.added', { role: label('rosterRole', body.role) }));
    },
  });
  return [table, section(t('roster.addTitle'), { id: 'roster-add', level: 3 }, form)];
}

export async function sessionView(ctx, { id }) {
  const user = ctx.session.user;
  const s = await getSession(id);
  const [progR, venuesR] = await settle(getProgramme(s.programme_id), listVenues());
  const programme = progR.ok ? progR.value : null;
  // Staff parts only for staff of the programme's own organisation.
  const org = programme?.organisation_id ?? null;
  const staff = canIn(org, 'roster.read');
  const manage = canIn(org, 'programme.manage');
  // A facilitator may move or cancel only the sessions they run: the server says which (may_edit).
  const edit = canIn(org, 'session.edit') && s.may_edit === true;
  const frontline = canIn(org, 'attendance.mark');
  const [rosterR] = await settle(staff ? sessionRoster(id) : Promise.resolve(null));
  const venues = venuesR.ok ? venuesR.value.items : [];
  const venue = venues.find((v) => v.id === s.venue_id);
  const title = programmeTitle(s, programme);
  const moved = s.original_start && s.original_start !== s.starts_at;

  const rows = [
    [t('sess.when'), `${sessionWhen(s)}${s.ends_at ? ` – ${sessionEndTime(s)}` : ''}`],
    [t('sess.status'), label('sessStatus', s.status)],
    [t('sess.cancelReason'), s.status === 'cancelled' ? s.cancel_reason : null],
    [t('sess.movedFrom'), moved ? sessionWhen({ starts_at: s.original_start, timezone: s.timezone }) : null],
    [t('pf.venue'), s.venue_id ? (venue ? h('a', { href: `#/venues/${venue.id}` }, venue.name) : t('prog.venueN', { id: s.venue_id })) : null],
    [t('pf.link'), s.online_link ? h('a', { href: s.online_link, rel: 'noopener noreferrer' }, s.online_link) : null],
    staff ? [t('sess.onDuty'), s.on_duty ? t('sess.onDutyYes') : t('sess.onDutyNo')] : [null, null],
  ];
  const content = [
    back(`#/programmes/${s.programme_id}`, t('prog.backTo', { title })),
    s.status === 'cancelled' && h('p', { class: 'notice', id: 'session-cancelled' }, t('sess.isCancelled')),
    detailRows(rows, 'session-details'),
  ];
  if (frontline && s.status !== 'cancelled') {
    content.push(h('p', {}, h('a', { class: 'button', href: `#/sessions/${id}/attendance`, id: 'take-attendance' }, t('att.take'))));
  }
  if (edit && s.status !== 'cancelled') {
    content.push(section(t('sess.moveTitle'), { id: 'session-move' }, moveForm(ctx, s, venues, programme?.organisation_id)));
    content.push(section(t('sess.cancelTitle'), { id: 'session-cancel' }, h('p', {}, t('sess.cancelIntro')), cancelForm(ctx, s)));
  } else if (edit && s.status === 'cancelled' && programme?.status === 'published') {
    const { button, errors } = actionButton(ctx, {
      id: 'session-restore', text: t('sess.restore'), quiet: true,
      work: async () => {
        await updateSession(id, { status: 'published' });
        ctx.refresh(t('sess.restored'));
      },
    });
    content.push(section(t('sess.restoreTitle'), { id: 'session-restore-part' }, errors.box, button));
  }
  if (staff) {
    const people = rosterR.ok && manage ? await staffDirectoryOrNull() : [];
    content.push(section(t('roster.title'), { id: 'session-roster' },
      ...(rosterR.ok ? rosterPart(ctx, s, rosterR.value.items, people, manage) : [failed(rosterR.error)])));
  }
  return page(t('sess.pageTitle', { title, when: sessionWhen(s) }), ...content);
}

// --- attendance ---

// One person's row: four mark buttons and the "sat out" toggle. Each tap
// sends one mark; the row shows what the server has.
function markRow(ctx, sessionId, item, i, announce) {
  const state = { status: item.status || null, satOut: Boolean(item.sat_out) };
  const nameId = `att-name-${i}`;
  const errors = new FormErrors(`att-${i}`);
  const saved = h('p', { class: 'att-saved', id: `att-saved-${i}` });
  const buttons = values('attendance_marks').map((m) => h('button', { type: 'button', class: `mark mark-${m}`, id: `att-${i}-${m}`, 'aria-pressed': 'false' },
    label('mark', m)));
  const satOut = h('button', { type: 'button', class: 'mark mark-satout', id: `att-${i}-satout`, 'aria-pressed': 'false',
    'aria-describedby': `att-satout-hint-${i}` }, t('att.satOut'));
  const satHint = h('p', { class: 'hint', id: `att-satout-hint-${i}` }, t('att.satOutHint'));
  const askText = h('p', { id: `att-ask-${i}`, class: 'att-ask-text' }, t('att.askAgreed'));
  const yes = h('button', { type: 'button', class: 'button', id: `att-${i}-agreed`, 'aria-describedby': askText.id }, t('att.agreedYes'));
  const no = h('button', { type: 'button', class: 'button button-quiet', id: `att-${i}-notagreed`, 'aria-describedby': askText.id }, t('att.agreedNo'));
  const ask = h('div', { class: 'att-ask', hidden: true, id: `att-ask-box-${i}` }, askText, h('div', { class: 'actions' }, yes, no));
  const satBox = h('div', { class: 'att-satout' }, satOut, satHint, ask);
  const name = item.name || t('prog.personN', { id: item.participant_id });

  function paint() {
    buttons.forEach((b, k) => pressed(b, values('attendance_marks')[k] === state.status));
    pressed(satOut, state.satOut);
    satBox.hidden = !(state.status === 'present' || state.status === 'late');
    saved.textContent = state.status
      ? t(state.satOut ? 'att.savedSatOut' : 'att.saved', { mark: label('mark', state.status) }) : t('att.notMarked');
  }

  // While a mark is saved the row's buttons say so (aria-disabled) and
  // ignore taps, but stay focusable: disabling them would drop the focus
  // of the button just pressed to the page.
  let saving = false;
  async function send(mark, busyButton) {
    if (saving) return false;
    saving = true;
    errors.clear();
    const all = [...buttons, satOut, yes, no];
    for (const b of all) b.setAttribute('aria-disabled', 'true');
    busyButton?.setAttribute('aria-busy', 'true');
    try {
      await markAttendance(sessionId, [{ participant_id: item.participant_id, ...mark }]);
      state.status = mark.status;
      state.satOut = Boolean(mark.sat_out);
      paint();
      announce(t(state.satOut ? 'att.announceSatOut' : 'att.announce', { name, mark: label('mark', state.status) }));
      return true;
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
      return false;
    } finally {
      for (const b of all) b.removeAttribute('aria-disabled');
      busyButton?.removeAttribute('aria-busy');
      saving = false;
    }
  }

  buttons.forEach((b, k) => b.addEventListener('click', () => {
    if (saving) return;
    const status = values('attendance_marks')[k];
    const keepSatOut = state.satOut && (status === 'present' || status === 'late');
    ask.hidden = true;
    send(keepSatOut ? { status, sat_out: true, sat_out_agreed: true } : { status, sat_out: false }, b);
  }));
  satOut.addEventListener('click', () => {
    if (saving) return;
    if (state.satOut) {
      send({ status: state.status, sat_out: false }, satOut).then(() => satOut.focus());
    } else {
      // Recorded only with the person's agreement: ask first.
      ask.hidden = false;
      yes.focus();
    }
  });
  yes.addEventListener('click', async () => {
    const ok = await send({ status: state.status, sat_out: true, sat_out_agreed: true }, yes);
    if (ok) {
      ask.hidden = true;
      satOut.focus();
    }
  });
  no.addEventListener('click', () => {
    if (saving) return;
    ask.hidden = true;
    announce(t('att.notRecorded', { name }));
    satOut.focus();
  });
  paint();
  return h('li', { class: 'att-person', id: `att-person-${item.participant_id}` },
    h('h2', { id: nameId }, name),
    h('div', { class: 'mark-row', role: 'group', 'aria-labelledby': nameId }, buttons),
    satBox,
    saved,
    errors.box);
}

export async function attendanceView(ctx, { id }) {
  const data = await sessionAttendance(id);
  const s = data.session || (await getSession(id));
  const live = h('p', { class: 'visually-hidden', id: 'att-live', role: 'status', 'aria-live': 'polite' });
  let clear = null;
  const announce = (text) => {
    live.textContent = text;
    clearTimeout(clear);
    clear = setTimeout(() => { live.textContent = ''; }, 4000);
  };
  const items = data.items || [];
  return page(t('att.title'),
    back(`#/sessions/${id}`, t('att.backToSession')),
    h('p', { class: 'lede', id: 'att-session' }, `${s.programme || ''}${s.programme ? ' · ' : ''}${sessionWhen(s)}`),
    h('p', { class: 'hint' }, t('att.intro')),
    // The server refuses marks earlier than this (docs/programs.md); say so before anyone tries.
    Date.parse(s.starts_at) - 15 * 60_000 > Date.now() && h('p', { class: 'notice', id: 'att-not-started' }, t('att.notStarted')),
    live,
    items.length
      ? h('ul', { class: 'att-list', id: 'attendance' }, items.map((item, i) => markRow(ctx, id, item, i, announce)))
      : h('p', { class: 'notice', id: 'attendance' }, t('att.nobody')),
    h('p', {}, h('a', { href: sessionAttendanceCsvUrl(id), download: `session-${id}-attendance.csv`, id: 'attendance-csv' },
      t('att.csv'))));
}

// --- my duties ---

export async function dutiesView(ctx) {
  const { items } = await myDuties();
  const frontline = can('attendance.mark');
  const list = items.length
    ? h('ul', { class: 'cards', id: 'duties' }, items.map((d) => h('li', { class: 'card duty-card', id: `duty-${d.id}-${d.role}` },
      h('h2', {}, h('a', { href: `#/sessions/${d.id}` }, d.programme || t('prog.programmeN', { id: d.programme_id }))),
      h('p', {}, sessionWhen(d), d.ends_at ? ` – ${sessionEndTime(d)}` : ''),
      h('p', {}, h('strong', {}, label('rosterRole', d.role))),
      d.status === 'cancelled' && h('p', { class: 'notice' }, t('sess.isCancelled'), d.cancel_reason ? ` ${d.cancel_reason}` : ''),
      frontline && d.status !== 'cancelled' && h('p', {},
        h('a', { class: 'button', href: `#/sessions/${d.id}/attendance`, 'aria-label': t('att.takeFor', { title: d.programme || '', when: sessionWhen(d) }) },
          t('att.take'))))))
    : h('p', { class: 'notice', id: 'duties' }, t('duty.none'));
  const out = h('div', { id: 'duty-calendar-box' });
  const { button, errors } = actionButton(ctx, {
    id: 'duty-calendar', text: t('cal.dutyMake'), quiet: true, describedBy: 'duty-calendar-hint',
    work: async () => {
      const { url } = await newMyDutyCalendarAddress();
      const box = calendarBox('duty-calendar-result', url);
      out.replaceChildren(box.node);
      box.heading.focus();
    },
  });
  return page(t('duty.title'),
    h('p', { class: 'lede' }, t('duty.intro')),
    list,
    section(t('cal.dutyTitle'), { id: 'duty-feed' }, h('p', { id: 'duty-calendar-hint' }, t('cal.dutyIntro')), errors.box, button, out));
}

