// Shared pieces of the programmes pages (programmes.js, sessions.js,
// listening.js, taking-part.js, staff.js): the value lists the API accepts,
// page and section frames, dates and times in a programme's time zone,
// pickers for an organisation, a member of staff (from GET /staff) or a
// participant, and the small "answer" helpers every form uses. The pickers
// read the lists they offer; no page of its own lives here.

import { api, ApiError } from '../api.js';
import { h, uid } from '../dom.js';
import { has, language, t } from '../i18n.js';
import { FormErrors, field, select } from '../forms.js';
import { hasRole } from './dashboard.js';
import { formatDay, label, languageName } from './person.js';

export const MANAGERS = ['admin', 'coordinator'];
export const FRONTLINE = ['admin', 'coordinator', 'facilitator', 'peer_supporter'];
export const STAFF = ['admin', 'coordinator', 'facilitator', 'clinician', 'peer_supporter'];
export const SESSION_EDITORS = ['admin', 'coordinator', 'facilitator'];
export const ENROLLERS = ['admin', 'coordinator', 'facilitator'];

export const ART_FORMS = ['painting', 'drawing', 'music', 'singing', 'theatre', 'dance', 'writing', 'craft',
  'photography', 'digital'];
export const FORMATS = ['in_person', 'online', 'hybrid'];
export const PROG_LANGUAGES = ['en', 'es', 'fr', 'pt', 'pl', 'ar', 'ur', 'bn', 'zh', 'so', 'ro', 'it', 'de', 'tr',
  'cy', 'ga', 'bsl', 'asl'];
export const FEATURES = ['step_free_access', 'accessible_toilet', 'hearing_loop', 'quiet_room', 'parking',
  'public_transport', 'gender_neutral_toilet', 'lift'];
export const TEAM_ROLES = ['artist_facilitator', 'mental_health_partner', 'participant_co_designer', 'coordinator',
  'other'];
export const ROSTER_ROLES = ['lead', 'co_facilitator', 'participant_lead', 'on_duty'];
export const TRAINING_KINDS = ['safeguarding', 'mental_health_first_aid', 'psychological_first_aid',
  'trauma_informed_practice', 'other'];
export const SUPPORT_KINDS = ['transport_stipend', 'childcare', 'interpreter', 'equipment'];
export const FOLLOWUP_ACTIONS = ['called', 'messaged', 'met', 'no_answer', 'resolved', 'other'];
export const DECISION_KINDS = ['new_programme', 'changed_time', 'new_venue', 'changed_programme', 'other'];
export const BARRIER_TAGS = ['transport', 'cost', 'childcare', 'caring_duties', 'timing', 'language', 'access',
  'anxiety', 'stigma', 'not_knowing', 'other'];
export const ANSWER_KEYS = ['emotional', 'creative', 'social', 'strengths', 'cultural_traditions', 'barriers'];
export const MARKS = ['present', 'late', 'absent', 'excused'];
export const FIT_CODES = ['access', 'language', 'format', 'time', 'art_form', 'places'];
export const PLAN_PARTS = ['grounding', 'difficult_content', 'debrief', 'opt_out'];
// RRULE day codes, Monday first, matching DAYS in person.js.
export const RRULE_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export { label };

// [{value, label}] for a select, radio or checkbox group.
export function options(prefix, values) {
  return values.map((v) => ({ value: v, label: label(prefix, v) }));
}

// A programme language: a catalog name for sign languages, else Intl's.
export function progLanguage(code) {
  return has(`progLang.${code}`) ? t(`progLang.${code}`) : languageName(code);
}

export function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

export function back(href, text) {
  return h('p', { class: 'back' }, h('a', { href }, text));
}

// <section aria-labelledby> with an h2; id names the section for tests and links.
export function section(heading, { id = null, level = 2 } = {}, ...content) {
  const headingId = id ? `${id}-heading` : uid('sec');
  return h('section', { id, 'aria-labelledby': headingId, class: 'prog-section' },
    h(`h${level}`, { id: headingId }, heading), ...content);
}

// Runs loaders side by side; a part that fails does not take the page with
// it. A 401 still ends the page (the caller's render shows the login).
// Returns [{ok, value, error}] in order.
export async function settle(...promises) {
  const results = await Promise.allSettled(promises);
  for (const r of results) {
    if (r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 401) throw r.reason;
  }
  return results.map((r) => (r.status === 'fulfilled'
    ? { ok: true, value: r.value }
    : { ok: false, error: r.reason }));
}

// What to show in place of a part that could not be loaded.
export function failed(err, id = null) {
  if (!(err instanceof ApiError)) console.error(err);
  const detail = err instanceof ApiError ? err.detail : null;
  const notYet = err instanceof ApiError && err.status === 501;
  return h('div', { class: 'alert', id },
    h('p', {}, notYet ? t('prog.notYet') : t('prog.partFailed')),
    detail && !notYet && h('p', { class: 'alert-detail', lang: language() === 'en' ? null : 'en' }, detail));
}

// The server's detail in English, marked as such in another UI language.
export function serverWords(text) {
  if (!text) return null;
  return h('span', { class: 'server-words', lang: language() === 'en' ? null : 'en' }, text);
}

// --- dates and times ---

const pad = (n) => String(n).padStart(2, '0');

// The browser's own time zone, for defaults.
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// IANA zone names for the time zone select; UTC first.
export function zoneNames() {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = ['Europe/London', 'Europe/Dublin', 'Europe/Madrid', 'America/New_York', 'America/Mexico_City'];
  }
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

// The zone's offset from UTC at instant ms (ms), from Intl.
function zoneOffset(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - ms;
}

// "2026-12-01" + "17:30" in zone -> "2026-12-01T17:30:00Z" (UTC). A time
// that does not exist (clocks going forward) moves forward, like the server.
export function zonedToUtc(date, time, zone) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  const tm = /^(\d{2}):(\d{2})/.exec(time || '');
  if (!d || !tm) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +tm[1], +tm[2]);
  let utc = wall - zoneOffset(wall, zone);
  utc = wall - zoneOffset(utc, zone);
  return new Date(utc).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// An instant as {date: "YYYY-MM-DD", time: "HH:MM"} on the wall clock of zone.
export function utcToZoned(iso, zone) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { date: '', time: '' };
  const local = new Date(ms + zoneOffset(ms, zone));
  return {
    date: `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`,
    time: `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`,
  };
}

// "2026-12-01T17:30" (wall clock) in words: "Tuesday, 1 December 2026, 17:30".
function formatLocal(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || '');
  if (!m) return local || '';
  return new Intl.DateTimeFormat(language(), {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])));
}

// A session's start in words, in its programme's time zone, naming the zone
// when it is not the reader's own.
export function sessionWhen(s) {
  if (!s) return '';
  const zone = s.timezone || browserZone();
  const local = s.local_start || (s.starts_at ? (() => {
    const z = utcToZoned(s.starts_at, zone);
    return `${z.date}T${z.time}`;
  })() : '');
  const text = formatLocal(local);
  return zone === browserZone() ? text : t('prog.inZone', { when: text, zone: zone.replace(/_/g, ' ') });
}

// The end time of a session on its own wall clock ("19:00").
export function sessionEndTime(s) {
  if (!s?.ends_at) return '';
  return utcToZoned(s.ends_at, s.timezone || browserZone()).time;
}

export { formatDay };

// A short "1 Dec 2026" for a YYYY-MM-DD day.
export function shortDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return day || '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

// Today as YYYY-MM-DD in the browser's zone.
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// A YYYY-MM-DD date n days from day.
export function addDays(day, n) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
  return d.toISOString().slice(0, 10);
}

// --- recurrence in words ---

// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=6" -> "Every 2 weeks on Tuesday
// and Thursday, 6 times". Unknown parts are shown as the rule itself.
export function ruleText(rrule) {
  if (!rrule) return t('rule.once');
  const parts = Object.fromEntries(rrule.split(';').map((p) => p.split('=')));
  const interval = Number(parts.INTERVAL || 1);
  const days = (parts.BYDAY || '').split(',').filter(Boolean);
  const list = new Intl.ListFormat(language(), { type: 'conjunction' });
  // Day names are capitalised in the catalogs; Spanish writes them in lower case mid-sentence.
  const dayName = (code) => {
    const name = label('day', ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][RRULE_DAYS.indexOf(code)]);
    return language() === 'es' ? name.toLocaleLowerCase('es') : name;
  };
  let text;
  if (parts.FREQ === 'WEEKLY') {
    const on = list.format(days.map(dayName));
    if (interval === 1) text = t('rule.weekly', { days: on });
    else if (interval === 2) text = t('rule.fortnightly', { days: on });
    else text = t('rule.everyNWeeks', { n: interval, days: on });
  } else if (parts.FREQ === 'MONTHLY') {
    if (days.length) {
      const on = list.format(days.map((d) => {
        const m = /^(-?\d)([A-Z]{2})$/.exec(d);
        return m ? t('rule.nth', { nth: t(`rule.nth.${m[1]}`), day: dayName(m[2]) }) : d;
      }));
      text = t('rule.monthlyOn', { days: on });
    } else if (parts.BYMONTHDAY) {
      text = t('rule.monthlyDay', { day: parts.BYMONTHDAY });
    } else {
      text = t('rule.monthly');
    }
    if (interval > 1) text = `${text} ${t('rule.everyNMonths', { n: interval })}`;
  } else {
    return rrule;
  }
  if (parts.COUNT) text = `${text}, ${t('rule.count', { n: parts.COUNT })}`;
  if (parts.UNTIL) {
    const u = parts.UNTIL.slice(0, 8);
    text = `${text}, ${t('rule.until', { date: shortDay(`${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}`) })}`;
  }
  return text;
}

// --- who can do what (the server checks again) ---

export function canManage(user) {
  return hasRole(user, MANAGERS);
}

// True when the user holds one of roles in organisation org. Admins act in
// every organisation. Used to show staff parts of a record only to staff of
// the record's own organisation (a partner's clinician sees a programme,
// not its enrolments).
export function rolesIn(user, org, roles) {
  if (roles.includes('admin') && hasRole(user, ['admin'])) return true;
  return Boolean(user?.memberships?.some((m) => m.organisation_id === org && roles.includes(m.role)));
}

// --- pickers ---

// The organisations where the user holds one of roles: [{id, name}].
// Admins may act for every organisation, so they get the full list.
export async function organisationsFor(user, roles) {
  const mine = new Map();
  for (const m of user.memberships || []) {
    if (roles.includes(m.role)) mine.set(m.organisation_id, m.organisation);
  }
  if (hasRole(user, ['admin'])) {
    try {
      const { items } = await api('/organisations');
      for (const o of items) mine.set(o.id, o.name);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
    }
  }
  return [...mine].map(([id, name]) => ({ id, name }));
}

// The organisation a new record belongs to: a select when there is a
// choice, else the one organisation named in words.
export function organisationField(prefix, orgs, errors, value = null) {
  const id = `${prefix}-org`;
  if (orgs.length === 1) {
    const node = h('p', { class: 'field-static', id }, h('span', { class: 'field-static-label' }, `${t('prog.organisation')}: `),
      orgs[0].name);
    errors.register('organisation_id', node, t('prog.organisation'));
    return { node, get: () => orgs[0].id, control: null };
  }
  const control = select(id, [{ value: '', label: t('form.choose') },
    ...orgs.map((o) => ({ value: String(o.id), label: o.name }))], value ? String(value) : '');
  errors.register('organisation_id', control, t('prog.organisation'));
  return {
    node: field(t('prog.organisation'), control, { required: true }),
    get: () => (control.value ? Number(control.value) : null),
    control,
  };
}

// --- staff pickers ---

// The roles /staff lists, in the order a picker shows its groups when
// nothing asks for another: the people who run sessions first.
export const STAFF_ROLES = ['facilitator', 'clinician', 'peer_supporter', 'coordinator', 'admin', 'moderator'];

// Which roles come first when choosing someone for a part in a programme's
// team or a session's roster. Someone on duty needs the clinician role or
// first aid training, so clinicians lead that list; a mental-health partner
// is usually a clinician of a partner service.
const PART_ROLES = {
  artist_facilitator: ['facilitator', 'peer_supporter', 'coordinator'],
  mental_health_partner: ['clinician', 'peer_supporter', 'facilitator'],
  participant_co_designer: ['peer_supporter', 'facilitator'],
  coordinator: ['coordinator', 'admin'],
  lead: ['facilitator', 'peer_supporter', 'coordinator', 'clinician'],
  co_facilitator: ['facilitator', 'peer_supporter', 'clinician', 'coordinator'],
  on_duty: ['clinician', 'facilitator', 'peer_supporter', 'coordinator'],
};

// The group order for a team or roster part ('' or unknown: STAFF_ROLES).
export function staffOrder(part) {
  const first = PART_ROLES[part] || [];
  return [...first, ...STAFF_ROLES.filter((r) => !first.includes(r))];
}

// Every active member of staff and volunteer of every organisation, partner
// services included (GET /staff; no emails): [{id, name, roles:
// [{organisation_id, organisation, role}]}], by name.
export async function staffDirectory() {
  const { items } = await api('/staff');
  return items.map((u) => ({ id: u.id, name: u.display_name || t('prog.userN', { id: u.id }), roles: u.roles || [] }));
}

// The directory, or null when it could not be read (a 401 still ends the page).
export async function staffDirectoryOrNull() {
  try {
    return await staffDirectory();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    if (!(err instanceof ApiError)) console.error(err);
    return null;
  }
}

// Said once above the pickers when the directory could not be read.
export function staffFailed(id) {
  return h('div', { class: 'alert', id }, h('p', {}, t('staff.failedNotice')));
}

// "Robin Adeyemi — Clinician, Northside Mental Health Service", the roles
// in the picker's order, several joined with "; ".
export function staffLabel(person, order = STAFF_ROLES) {
  const rank = (r) => (order.includes(r.role) ? order.indexOf(r.role) : order.length);
  const roles = [...person.roles].sort((a, b) => rank(a) - rank(b) || a.organisation.localeCompare(b.organisation))
    .map((r) => t('staff.roleAt', { role: label('role', r.role), organisation: r.organisation }));
  return roles.length ? t('staff.option', { name: person.name, roles: roles.join('; ') }) : person.name;
}

// A labelled select of staff (people from staffDirectory; null when it could
// not be read), in <optgroup>s by role: everyone once, under the first of
// their roles in order. The person chosen before (value, named valueName)
// stays a choice even when the directory no longer lists them, so changing
// something else never drops them. setOrder(order) regroups, keeping the
// choice; get() gives the user id or null.
export function staffPicker(id, labelText, people, { value = null, valueName = null, order = STAFF_ROLES,
  required = true, hint = t('staff.hint') } = {}) {
  const control = h('select', { id, name: id });
  const listed = people || [];
  const known = value === null || listed.some((p) => p.id === value);
  let filled = false;
  function fill(groupOrder) {
    const keep = filled ? control.value : (value !== null ? String(value) : '');
    filled = true;
    // A role the server lists that this page does not know still gets a group.
    const unknown = listed.flatMap((p) => p.roles.map((r) => r.role)).filter((r) => !groupOrder.includes(r));
    const groups = [...new Set([...groupOrder, ...unknown])].map((role) => ({ role, people: [] }));
    for (const p of listed) {
      const g = groups.find((x) => p.roles.some((r) => r.role === x.role));
      if (g) g.people.push(p);
    }
    const empty = people === null ? t('staff.failed') : t('staff.none');
    control.replaceChildren(
      h('option', { value: '' }, listed.length || !known ? t('form.choose') : empty),
      ...(known ? [] : [h('optgroup', { label: t('staff.group.current') },
        h('option', { value: String(value) }, valueName || t('prog.userN', { id: value })))]),
      ...groups.filter((g) => g.people.length).map((g) => h('optgroup', { label: label('staff.group', g.role) },
        g.people.map((p) => h('option', { value: String(p.id) }, staffLabel(p, groupOrder))))));
    control.value = [...control.options].some((o) => o.value === keep) ? keep : '';
  }
  fill(order);
  return {
    node: field(labelText, control, { required, hint }),
    control,
    setOrder: fill,
    get: () => (control.value ? Number(control.value) : null),
  };
}

// Every participant the user may list, 100 at a time (at most 2 000).
async function allParticipants() {
  const all = [];
  let after = 0;
  for (let i = 0; i < 20; i += 1) {
    const { items } = await api(`/participants?limit=100${after ? `&after=${after}` : ''}`);
    all.push(...items);
    if (items.length < 100) break;
    after = items.at(-1).id;
  }
  return all;
}

// The participants this user may see, for a select. The list is read when
// first needed (reading it is audited), not when the page opens.
export function participantPicker(id, labelText, { required = true, hint = null } = {}) {
  const control = select(id, [{ value: '', label: t('common.loading') }], '');
  control.disabled = true;
  let loaded = null;
  async function load() {
    if (!loaded) {
      loaded = allParticipants().then((items) => {
        control.replaceChildren(
          h('option', { value: '' }, items.length ? t('form.choose') : t('prog.noPeople')),
          ...items.map((p) => h('option', { value: String(p.id) }, p.preferred_name && p.name && p.preferred_name !== p.name
            ? `${p.name} (${p.preferred_name})` : p.name || p.preferred_name || `#${p.id}`)));
        control.disabled = false;
        return items;
      }).catch((err) => {
        loaded = null;
        control.replaceChildren(h('option', { value: '' }, t('prog.partFailed')));
        throw err;
      });
    }
    return loaded;
  }
  return {
    node: field(labelText, control, { required, hint }),
    control,
    load,
    get: () => (control.value ? Number(control.value) : null),
  };
}

// A <details> that opens a form; onOpen runs the first time it opens.
export function disclosure(id, summaryText, content, onOpen = null) {
  let opened = false;
  const node = h('details', { class: 'disclosure', id },
    h('summary', {}, summaryText), h('div', { class: 'disclosure-body' }, content));
  node.addEventListener('toggle', () => {
    if (node.open && !opened && onOpen) {
      opened = true;
      onOpen();
    }
  });
  return node;
}

// A small form inside a page: its own FormErrors, a submit button and a
// handler that shows API errors next to the named field.
// run(body) does the work; return false from collect() to stop.
export function miniForm(ctx, { id, submitText, workingText = t('form.saving'), children, collect, run, errors = null }) {
  const errs = errors || new FormErrors(id);
  const submit = h('button', { type: 'submit', class: 'button', id: `${id}-submit` }, submitText);
  const form = h('form', { id, class: 'form', novalidate: true },
    errs.box, ...children, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errs.clear();
    const body = collect(errs);
    if (body === false || body === null || body === undefined) return;
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = workingText;
    try {
      await run(body, errs);
    } catch (err) {
      if (!errs.showApiError(err)) ctx.sessionExpired();
    } finally {
      submit.disabled = false;
      if (submit.textContent === workingText) submit.textContent = label;
    }
  });
  return { form, errors: errs, submit };
}

// Checks required text boxes: returns false (and shows the first missing
// one) or true. fields: [[element, path, label]].
export function requireFields(errors, fields) {
  for (const [el, path, labelText] of fields) {
    if (!String(el.value ?? '').trim()) {
      errors.show({ message: t('form.error.missing', { field: labelText }), path });
      return false;
    }
  }
  return true;
}

// A one-button action (publish, cancel a place, reset a link) with its
// own error box. work() returns the status text to announce, or nothing.
export function actionButton(ctx, { id, text, working = t('form.saving'), quiet = false, danger = false, describedBy = null, work }) {
  const errors = new FormErrors(id);
  const cls = `button${quiet ? ' button-quiet' : ''}${danger ? ' button-danger' : ''}`;
  const button = h('button', { type: 'button', class: cls, id, 'aria-describedby': describedBy }, text);
  button.addEventListener('click', async () => {
    errors.clear();
    const label = button.textContent;
    button.disabled = true;
    button.textContent = working;
    try {
      await work(errors);
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    } finally {
      button.disabled = false;
      if (button.textContent === working) button.textContent = label;
    }
  });
  return { button, errors };
}

// A calendar address shown once after it is made, with what to do with it.
export function calendarBox(id, url) {
  const full = new URL(url, location.origin).href;
  const link = h('input', { id: `${id}-url`, type: 'text', readonly: true, value: full, class: 'calendar-url', spellcheck: 'false' });
  link.value = full;
  const heading = h('h3', { tabindex: '-1' }, t('cal.ready'));
  const node = h('div', { class: 'code-box', id },
    heading,
    field(t('cal.address'), link, { hint: t('cal.howTo') }),
    h('p', { class: 'hint' }, t('cal.secret')));
  return { node, heading };
}

// One programme's status, art form and format as tags.
export function programmeTags(p) {
  return h('ul', { class: 'tags' },
    p.status && h('li', { class: `tag-${p.status}` }, label('progStatus', p.status)),
    p.art_form && h('li', {}, label('artForm', p.art_form)),
    p.format && h('li', {}, label('format', p.format)),
    p.therapeutic && h('li', {}, t('prog.therapeutic')));
}

// "8 places left of 12" / "Full: 3 on the waitlist".
export function placesText(p) {
  if (p.places_left === undefined || p.places_left === null) return '';
  if (p.places_left > 0) return t('prog.placesLeft', { n: p.places_left, capacity: p.capacity });
  return t('prog.full', { n: p.waitlisted || 0 });
}

// Makes a button act as a toggle in a group (aria-pressed), for mark rows.
export function pressed(button, on) {
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
}
