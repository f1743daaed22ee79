// The programme form, for creating and changing a programme: what it is,
// where and when (a recurrence built from plain choices: weekly, fortnightly
// or monthly, on which days, how many times or until when, with dates it
// skips, in a chosen time zone), the co-design team, the trauma-informed
// plan and the funding stream. collect() gives the API body or null after
// showing what is missing.

import { h, uid } from '../lib/dom.js';
import { language, t } from '../lib/i18n.js';
import { options, progLanguage } from '../lib/labels.js';
import { values } from '../lib/meta.js';
import { browserZone, rruleDays, shortDay, zoneNames } from '../lib/time.js';
import { checkboxGroup, field, FormErrors, input, radioGroup, select, textarea, value } from './forms.js';
import { organisationField, staffFailed, staffOrder, staffPicker } from './pickers.js';

function fieldset(legend, hint, ...children) {
  return h('fieldset', { class: 'section' },
    h('legend', {}, legend),
    hint && h('p', { class: 'hint' }, hint),
    ...children);
}

// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" -> the form's choices.
function parseRule(rrule) {
  const out = { repeat: 'once', days: [], week: '1', ends: 'count', count: '10', until: '' };
  if (!rrule) return out;
  const p = Object.fromEntries(rrule.split(';').map((x) => x.split('=')));
  const byday = (p.BYDAY || '').split(',').filter(Boolean);
  if (p.FREQ === 'WEEKLY') {
    out.repeat = Number(p.INTERVAL || 1) === 2 ? 'fortnightly' : 'weekly';
    out.days = byday.map((d) => values('weekdays')[rruleDays().indexOf(d)]).filter(Boolean);
  } else if (p.FREQ === 'MONTHLY') {
    out.repeat = 'monthly';
    if (byday.length) {
      const m = /^(-?\d)([A-Z]{2})$/.exec(byday[0]);
      if (m) out.week = m[1];
      out.days = byday.map((d) => values('weekdays')[rruleDays().indexOf(d.slice(-2))]).filter(Boolean);
    } else {
      out.week = 'date';
    }
  }
  if (p.UNTIL) {
    out.ends = 'until';
    out.until = `${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}`;
  } else if (p.COUNT) {
    out.count = p.COUNT;
  }
  return out;
}

// The weekday (mon..sun) of a YYYY-MM-DD date.
function weekdayOf(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  if (!m) return null;
  return values('weekdays')[(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay() + 6) % 7];
}

// A list of dates with add and remove, for the dates a rule skips.
function dateListEditor(prefix, dates, errors) {
  const listNode = h('ul', { class: 'date-list', id: `${prefix}-exdates` });
  const picker = input(`${prefix}-exdate`, { type: 'date' });
  const add = h('button', { type: 'button', class: 'button button-quiet', id: `${prefix}-exdate-add` }, t('pf.exdateAdd'));
  const picked = [];
  function paint(focusIndex = null) {
    listNode.replaceChildren(...picked.map((d, i) => {
      const remove = h('button', { type: 'button', class: 'button button-quiet button-small', id: `${prefix}-exdate-remove-${i}`,
        'aria-label': t('pf.exdateRemove', { date: shortDay(d) }) }, t('pf.remove'));
      remove.addEventListener('click', () => {
        picked.splice(i, 1);
        paint(i);
      });
      return h('li', {}, h('span', {}, shortDay(d)), remove);
    }));
    listNode.hidden = !picked.length;
    if (focusIndex !== null) (document.getElementById(`${prefix}-exdate-remove-${Math.min(focusIndex, picked.length - 1)}`) || picker).focus();
  }
  add.addEventListener('click', () => {
    const d = picker.value;
    if (!d || picked.includes(d)) {
      picker.focus();
      return;
    }
    picked.push(d);
    picked.sort();
    picker.value = '';
    paint();
    picker.focus();
  });
  for (const d of dates || []) picked.push(d);
  paint();
  errors.register('exdates', picker, t('pf.exdates'));
  return {
    node: h('div', { class: 'field' },
      h('label', { for: picker.id }, t('pf.exdates')),
      h('p', { class: 'hint', id: `${prefix}-exdate-hint` }, t('pf.exdatesHint')),
      h('div', { class: 'inline-add' }, picker, add),
      listNode),
    get: () => [...picked],
    init: () => picker.setAttribute('aria-describedby', `${prefix}-exdate-hint`),
  };
}

// The team: rows of a part and the person who takes it. The part comes
// first so that the people most likely to take it lead the person list
// (clinicians for a mental-health partner, facilitators for an artist).
// people: the staff directory, or null when it could not be read.
function teamEditor(prefix, team, people, errors) {
  const listNode = h('ol', { class: 'team-rows', id: `${prefix}-team` });
  const rows = [];
  const addButton = h('button', { type: 'button', class: 'button button-quiet', id: `${prefix}-team-add` }, t('pf.teamAdd'));
  function renumber() {
    rows.forEach((row, i) => {
      row.legend.textContent = t('pf.teamN', { n: i + 1 });
      row.remove.textContent = t('pf.teamRemove', { n: i + 1 });
      errors.register(`team[${i}].user_id`, row.who.control, t('pf.teamN', { n: i + 1 }));
      errors.register(`team[${i}].role`, row.role, t('pf.teamN', { n: i + 1 }));
      errors.register(`team[${i}]`, row.who.control, t('pf.teamN', { n: i + 1 }));
    });
  }
  function addRow(member = {}, focus = false) {
    const id = uid(`${prefix}-member`);
    const role = select(`${id}-role`, [{ value: '', label: t('form.choose') }, ...options('teamRole', values('team_roles'))], member.role || '');
    const who = staffPicker(`${id}-user`, t('pf.teamPerson'), people, {
      value: member.user_id ?? null, valueName: member.name, order: staffOrder(member.role), hint: t('pf.teamPersonHint'),
    });
    role.addEventListener('change', () => who.setOrder(staffOrder(role.value)));
    const legend = h('legend', {});
    const remove = h('button', { type: 'button', class: 'button button-quiet button-small' });
    const node = h('li', {}, h('fieldset', { class: 'slot' }, legend,
      h('div', { class: 'slot-fields' }, field(t('pf.teamRole'), role, { required: true }), who.node), remove));
    const row = { node, who, role, legend, remove };
    remove.addEventListener('click', () => {
      const i = rows.indexOf(row);
      rows.splice(i, 1);
      node.remove();
      renumber();
      (rows[i]?.role ?? rows[i - 1]?.role ?? addButton).focus();
    });
    rows.push(row);
    listNode.append(node);
    renumber();
    if (focus) role.focus();
  }
  for (const m of team || []) addRow(m);
  addButton.addEventListener('click', () => addRow({}, true));
  errors.register('team', addButton, t('pf.team'));
  return {
    node: h('div', {}, people === null && staffFailed(`${prefix}-staff-failed`), listNode, addButton),
    collect: (errs) => {
      const out = [];
      for (const [i, r] of rows.entries()) {
        const userId = r.who.get();
        if (!userId && !r.role.value) continue; // an empty row is ignored
        if (!userId || !r.role.value) {
          errs.show({ message: t('pf.teamIncomplete', { n: i + 1 }), path: `team[${i}]${userId ? '.role' : '.user_id'}` });
          return null;
        }
        out.push({ user_id: userId, role: r.role.value });
      }
      return out;
    },
  };
}

// Builds the form. mode: 'create' or 'edit'; programme: the current values
// when editing; orgs: where a new programme may belong; venues: every venue
// the user can see; people: the staff directory to choose the team from
// (null when it could not be read: the team keeps who it has).
export function programmeForm({ prefix, mode, programme = {}, orgs = [], venues = [], people = null }) {
  const errors = new FormErrors(prefix);
  const p = programme;
  const published = mode === 'edit' && p.status && p.status !== 'draft';

  // About
  const orgField = mode === 'create' ? organisationField(prefix, orgs, errors) : null;
  const title = input(`${prefix}-title`, { value: p.title || '', autocomplete: 'off' });
  const artForm = select(`${prefix}-art`, [{ value: '', label: t('form.choose') }, ...options('artForm', values('art_forms'))], p.art_form || '');
  const description = textarea(`${prefix}-description`, p.description || '', { rows: 4 });
  const languages = checkboxGroup({
    legend: t('pf.languages'), hint: t('pf.languagesHint'), name: `${prefix}-lang`,
    options: values('programme_languages').map((c) => ({ value: c, label: progLanguage(c) })),
    values: p.languages || [language()],
  });
  languages.node.classList.add('columns');
  const format = radioGroup({
    legend: t('pf.format'), name: `${prefix}-format`, required: true,
    options: options('format', values('formats')), value: p.format || 'in_person',
  });
  const venueOptions = () => {
    const org = orgField ? orgField.get() : p.organisation_id;
    return venues.filter((v) => !org || v.organisation_id === org);
  };
  const venue = select(`${prefix}-venue`, [], '');
  const fillVenues = () => {
    const keep = venue.value || (p.venue_id ? String(p.venue_id) : '');
    const list = venueOptions();
    venue.replaceChildren(h('option', { value: '' }, list.length ? t('form.choose') : t('pf.noVenues')),
      ...list.map((v) => h('option', { value: String(v.id) }, v.name)));
    venue.value = list.some((v) => String(v.id) === keep) ? keep : '';
  };
  fillVenues();
  orgField?.control?.addEventListener('change', fillVenues);
  const venueField = field(t('pf.venue'), venue, { hint: t('pf.venueHint') });
  const link = input(`${prefix}-link`, { type: 'url', value: p.online_link || '', autocomplete: 'off', spellcheck: 'false' });
  const linkField = field(t('pf.link'), link, { hint: t('pf.linkHint') });
  const syncFormat = () => {
    const f = format.get();
    venueField.hidden = f === 'online';
    linkField.hidden = f === 'in_person';
  };
  format.radios.forEach((r) => r.addEventListener('change', syncFormat));
  syncFormat();
  const capacity = input(`${prefix}-capacity`, { type: 'number', min: '1', max: '1000', inputmode: 'numeric',
    value: p.capacity ? String(p.capacity) : '12' });
  const therapeutic = h('input', { type: 'checkbox', id: `${prefix}-therapeutic`, checked: Boolean(p.therapeutic),
    'aria-describedby': `${prefix}-therapeutic-hint` });
  const therapeuticNode = h('div', { class: 'field' },
    h('div', { class: 'choice' }, therapeutic, h('label', { for: therapeutic.id }, t('pf.therapeutic'))),
    h('p', { class: 'hint', id: `${prefix}-therapeutic-hint` }, t('pf.therapeuticHint')));
  const funding = input(`${prefix}-funding`, { value: p.funding_stream || '', autocomplete: 'off' });

  // When
  const zones = zoneNames();
  const zoneValue = p.timezone || browserZone();
  if (!zones.includes(zoneValue)) zones.unshift(zoneValue);
  const zone = select(`${prefix}-timezone`, zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') })), zoneValue);
  const startDate = input(`${prefix}-start-date`, { type: 'date', value: p.start_date || '' });
  const startTime = input(`${prefix}-start-time`, { type: 'time', value: p.start_time || '' });
  const duration = input(`${prefix}-duration`, { type: 'number', min: '15', max: '720', step: '15', inputmode: 'numeric',
    value: String(p.duration_minutes || 90) });
  const rule = parseRule(p.rrule);
  if (mode === 'create' && !p.rrule) rule.repeat = 'weekly';
  const repeat = radioGroup({
    legend: t('pf.repeat'), name: `${prefix}-repeat`,
    options: ['once', 'weekly', 'fortnightly', 'monthly'].map((v) => ({ value: v, label: t(`pf.repeat.${v}`) })),
    value: rule.repeat,
  });
  const days = checkboxGroup({
    legend: t('pf.days'), name: `${prefix}-day`, options: options('day', values('weekdays')), values: rule.days,
  });
  const week = select(`${prefix}-week`, ['1', '2', '3', '4', '-1', 'date'].map((v) => ({ value: v, label: t(`pf.week.${v}`) })), rule.week);
  const weekField = field(t('pf.week'), week);
  const ends = radioGroup({
    legend: t('pf.ends'), name: `${prefix}-ends`,
    options: [{ value: 'count', label: t('pf.ends.count') }, { value: 'until', label: t('pf.ends.until') }],
    value: rule.ends,
  });
  const count = input(`${prefix}-count`, { type: 'number', min: '1', max: '500', inputmode: 'numeric', value: rule.count });
  const countField = field(t('pf.count'), count);
  const until = input(`${prefix}-until`, { type: 'date', value: rule.until || p.end_date || '' });
  const untilField = field(t('pf.until'), until);
  const exdates = dateListEditor(prefix, p.exdates, errors);
  const repeatBox = h('div', { class: 'repeat-box' }, days.node, weekField, ends.node, countField, untilField, exdates.node);
  const syncRepeat = () => {
    const r = repeat.get();
    repeatBox.hidden = r === 'once';
    weekField.hidden = r !== 'monthly';
    days.node.hidden = r === 'monthly' && week.value === 'date';
    countField.hidden = ends.get() !== 'count';
    untilField.hidden = ends.get() !== 'until';
  };
  repeat.radios.forEach((r) => r.addEventListener('change', syncRepeat));
  ends.radios.forEach((r) => r.addEventListener('change', syncRepeat));
  week.addEventListener('change', syncRepeat);
  // A new programme's first date suggests its day of the week.
  startDate.addEventListener('change', () => {
    const day = weekdayOf(startDate.value);
    if (day && !days.get().length) {
      const box = days.boxes.find((b) => b.value === day);
      if (box) box.checked = true;
    }
  });
  syncRepeat();
  exdates.init();

  // Team and plan
  const team = teamEditor(prefix, p.team, people, errors);
  const plan = Object.fromEntries(values('plan_parts').map((part) => [part,
    textarea(`${prefix}-plan-${part}`, p.trauma_plan?.[part] || '', { rows: 3 })]));

  errors.register('title', title, t('pf.title'));
  errors.register('art_form', artForm, t('pf.artForm'));
  errors.register('description', description, t('pf.description'));
  errors.register('languages', languages.first, t('pf.languages'));
  errors.register('format', format.first, t('pf.format'));
  errors.register('venue_id', venue, t('pf.venue'));
  errors.register('online_link', link, t('pf.link'));
  errors.register('capacity', capacity, t('pf.capacity'));
  errors.register('therapeutic', therapeutic, t('pf.therapeutic'));
  errors.register('funding_stream', funding, t('pf.funding'));
  errors.register('timezone', zone, t('pf.timezone'));
  errors.register('start_date', startDate, t('pf.startDate'));
  errors.register('start_time', startTime, t('pf.startTime'));
  errors.register('duration_minutes', duration, t('pf.duration'));
  errors.register('rrule', repeat.first, t('pf.repeat'));
  errors.register('end_date', until, t('pf.until'));
  errors.register('trauma_plan', plan.grounding, t('pf.plan'));
  for (const part of values('plan_parts')) errors.register(`trauma_plan.${part}`, plan[part], t(`pf.plan.${part}`));

  const whenControls = [zone, startDate, startTime, duration, week, count, until, ...repeat.radios, ...days.boxes,
    ...ends.radios];
  if (published) {
    for (const c of whenControls) c.disabled = true;
    for (const b of exdates.node.querySelectorAll('input, button')) b.disabled = true;
  }

  const node = h('div', { class: 'sections' },
    fieldset(t('pf.about'), null,
      orgField?.node,
      field(t('pf.title'), title, { required: true }),
      field(t('pf.artForm'), artForm, { required: true }),
      field(t('pf.description'), description, { hint: t('pf.descriptionHint') }),
      languages.node,
      format.node,
      venueField,
      linkField,
      field(t('pf.capacity'), capacity, { required: true }),
      therapeuticNode,
      field(t('pf.funding'), funding, { hint: t('pf.fundingHint') })),
    fieldset(t('pf.when'), published ? t('pf.whenLocked') : t('pf.whenIntro'),
      field(t('pf.timezone'), zone, { required: true, hint: t('pf.timezoneHint') }),
      h('div', { class: 'slot-fields' },
        field(t('pf.startDate'), startDate, { required: true }),
        field(t('pf.startTime'), startTime, { required: true }),
        field(t('pf.duration'), duration, { required: true })),
      repeat.node,
      repeatBox),
    fieldset(t('pf.team'), t('pf.teamIntro'), team.node),
    fieldset(t('pf.plan'), t('pf.planIntro'),
      values('plan_parts').map((part) => field(t(`pf.plan.${part}`), plan[part], { hint: t(`pf.plan.${part}.hint`) }))));

  function buildRule(errs) {
    const r = repeat.get();
    if (r === 'once') return { rrule: null };
    const chosen = days.get().map((d) => rruleDays()[values('weekdays').indexOf(d)]);
    let text;
    if (r === 'monthly') {
      if (week.value === 'date') {
        text = 'FREQ=MONTHLY';
      } else {
        if (!chosen.length) return errs.show({ message: t('pf.error.days'), path: 'rrule' });
        text = `FREQ=MONTHLY;BYDAY=${chosen.map((d) => `${week.value}${d}`).join(',')}`;
      }
    } else {
      if (!chosen.length) return errs.show({ message: t('pf.error.days'), path: 'rrule' });
      text = `FREQ=WEEKLY;${r === 'fortnightly' ? 'INTERVAL=2;' : ''}BYDAY=${chosen.join(',')}`;
    }
    let endDate = null;
    if (ends.get() === 'until') {
      if (!until.value) return errs.show({ message: t('form.error.missing', { field: t('pf.until') }), path: 'end_date' });
      text += `;UNTIL=${until.value.replace(/-/g, '')}`;
      endDate = until.value;
    } else {
      const n = Number(count.value);
      if (!Number.isInteger(n) || n < 1 || n > 500) return errs.show({ message: t('pf.error.count'), path: 'rrule' });
      text += `;COUNT=${n}`;
    }
    return { rrule: text, end_date: endDate };
  }

  function collect() {
    errors.clear();
    const need = [[title, 'title', t('pf.title')], [artForm, 'art_form', t('pf.artForm')],
      [capacity, 'capacity', t('pf.capacity')]];
    if (!published) need.push([startDate, 'start_date', t('pf.startDate')], [startTime, 'start_time', t('pf.startTime')],
      [duration, 'duration_minutes', t('pf.duration')]);
    for (const [el, path, labelText] of need) {
      if (!String(el.value).trim()) {
        errors.show({ message: t('form.error.missing', { field: labelText }), path });
        return null;
      }
    }
    if (orgField && !orgField.get()) {
      errors.show({ message: t('form.error.missing', { field: t('prog.organisation') }), path: 'organisation_id' });
      return null;
    }
    if (!languages.get().length) {
      errors.show({ message: t('pf.error.languages'), path: 'languages' });
      return null;
    }
    const f = format.get();
    if (f !== 'online' && !venue.value) {
      errors.show({ message: t('pf.error.venue'), path: 'venue_id' });
      return null;
    }
    if (f !== 'in_person' && !value(link)) {
      errors.show({ message: t('pf.error.link'), path: 'online_link' });
      return null;
    }
    const teamList = team.collect(errors);
    if (!teamList) return null;
    const body = {
      title: value(title),
      art_form: artForm.value,
      description: value(description),
      languages: languages.get(),
      format: f,
      capacity: Number(capacity.value),
      therapeutic: therapeutic.checked,
      funding_stream: value(funding),
      team: teamList,
      trauma_plan: Object.fromEntries(values('plan_parts').map((part) => [part, value(plan[part])])),
    };
    body.venue_id = f === 'online' ? null : Number(venue.value);
    body.online_link = f === 'in_person' ? null : value(link);
    if (!published) {
      const r = buildRule(errors);
      if (!r) return null;
      body.timezone = zone.value;
      body.start_date = startDate.value;
      body.start_time = startTime.value;
      body.duration_minutes = Number(duration.value);
      if (r.rrule) body.rrule = r.rrule;
      else if (mode === 'edit') body.rrule = null;
      if (r.end_date) body.end_date = r.end_date;
      else if (mode === 'edit') body.end_date = null;
      body.exdates = r.rrule ? exdates.get() : [];
    }
    if (mode === 'create') {
      body.organisation_id = orgField.get();
      if (body.venue_id === null) delete body.venue_id;
      if (body.online_link === null) delete body.online_link;
    }
    return body;
  }

  return { node, errors, collect };
}
