// A person's record: how to show it (details, needs, consents) and the
// form that edits it, with its choices from GET /meta. Used by the staff
// pages (people.js), the participant's own pages (me.js) and Join (join.js).

import { consentTexts as loadConsentTexts } from '../endpoints/register.js';
import { dataTable, h, uid } from '../lib/dom.js';
import { formatDateTime, language, t } from '../lib/i18n.js';
import { label, languageName, options } from '../lib/labels.js';
import { values } from '../lib/meta.js';
import { formatDay } from '../lib/time.js';
import { checkboxGroup, field, FormErrors, input, radioGroup, select, textarea, value } from './forms.js';

// The needs a person picks from, by group (GET /meta), and the yes/no
// needs that are fields of their own.
export function needGroups() {
  return {
    mobility: values('needs_mobility'),
    sensory: values('needs_sensory'),
    neurodivergence: values('needs_neurodivergence'),
  };
}
export const NEED_FLAGS = ['childcare', 'caring_duties', 'transport_help'];

// Language fields hold codes ("es") or words ("Polish"). The form shows
// names; unchanged names go back as the codes they came from.
function languageEditor(codes) {
  const back = new Map((codes || []).map((c) => [languageName(c).toLowerCase(), c]));
  return {
    text: (codes || []).map(languageName).join(', '),
    parse: (text) => text.split(/[,;]/).map((x) => x.trim()).filter(Boolean)
      .map((x) => back.get(x.toLowerCase()) ?? x),
  };
}

export function displayName(p) {
  return p.preferred_name || p.name || '';
}

// Whole years from a YYYY-MM-DD date of birth to today.
function ageFrom(dob) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob || '');
  if (!m) return null;
  const now = new Date();
  let years = now.getFullYear() - +m[1];
  if (now.getMonth() + 1 < +m[2] || (now.getMonth() + 1 === +m[2] && now.getDate() < +m[3])) years -= 1;
  return years;
}

// --- showing a record ---

// <dl> of [label, value] rows; rows with no value are left out.
export function detailList(rows, id = null) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
  if (!shown.length) return h('p', { class: 'hint', id }, t('person.nothingRecorded'));
  return h('dl', { class: 'details', id }, shown.map(([k, v]) => h('div', { class: 'details-row' },
    h('dt', {}, k), h('dd', {}, v))));
}

function list(items) {
  return items.length ? h('ul', { class: 'plain' }, items.map((x) => h('li', {}, x))) : null;
}

export function slotText(s) {
  return t('availability.slot', { day: label('day', s.day), start: s.start, end: s.end });
}

export function aboutRows(p) {
  return [
    [t('person.name'), p.name],
    [t('person.view.preferredName'), p.preferred_name],
    [t('person.pronouns'), p.pronouns],
    [t('person.view.languages'), (p.languages || []).map(languageName).join(', ')],
    [t('person.ageBand'), p.age_band ? label('age', p.age_band) : null],
    [t('person.dateOfBirth'), p.date_of_birth ? formatDay(p.date_of_birth) : null],
  ];
}

export function contactRows(p) {
  const ec = p.emergency_contact;
  return [
    [t('person.email'), p.email],
    [t('person.phone'), p.phone],
    [t('person.view.preferredContact'), p.preferred_contact ? label('contact', p.preferred_contact) : null],
    [t('person.emergencyContact'), ec
      ? [ec.name, ec.relationship && ` (${ec.relationship})`, ec.phone && ` · ${ec.phone}`].filter(Boolean).join('')
      : null],
  ];
}

export function needsRows(needs = {}) {
  const n = needs || {};
  return [
    ...Object.entries(needGroups()).map(([group]) => [t(`needs.${group}`), list((n[group] || []).map((v) => label('need', v)))]),
    [t('needs.interpretation'), n.interpretation_language ? languageName(n.interpretation_language) : null],
    [t('needs.otherHelp'), list(NEED_FLAGS.filter((f) => n[f]).map((f) => label('need', f)))],
    [t('needs.equipment'), n.adaptive_equipment],
    [t('needs.freeText'), n.free_text],
  ];
}

export function preferenceRows(p) {
  return [
    [t('person.view.interests'), list((p.interests || []).map((v) => label('interest', v)))],
    [t('person.view.availability'), list((p.availability || []).map(slotText))],
  ];
}

// A consent decision in words: "Yes" / "No" / "Not asked yet".
export function decisionText(c) {
  if (!c || !c.at) return t('consent.notAsked');
  return c.granted ? t('consent.yes') : t('consent.no');
}

// The current decision per purpose: "Taking part: Yes, since <date>, decided by the person".
export function consentStateList(current, id) {
  const purposes = values('consent_purposes').filter((p) => p in current).concat(Object.keys(current).filter((p) => !values('consent_purposes').includes(p)));
  return h('dl', { class: 'details consent-now-list', id }, purposes.map((p) => {
    const c = current[p];
    const parts = [decisionText(c)];
    if (c?.at) parts.push(t('consent.sinceDate', { date: formatDateTime(c.at) }));
    if (c?.given_by) parts.push(t('consent.decidedBy', { who: label('givenBy', c.given_by).toLowerCase() }));
    return h('div', { class: `details-row ${c?.at && c.granted ? 'is-yes' : 'is-no'}` },
      h('dt', {}, label('purpose', p)),
      h('dd', {}, h('strong', {}, parts[0]), parts.length > 1 ? ` · ${parts.slice(1).join(' · ')}` : ''));
  }));
}

// Every decision, newest first.
export function consentHistoryTable(history, id, { recordedBy = null } = {}) {
  const columns = [
    { label: t('consent.when'), cell: (c) => formatDateTime(c.at) },
    { label: t('consent.purpose'), cell: (c) => label('purpose', c.purpose) },
    { label: t('consent.decision'), cell: (c) => (c.granted ? t('consent.gave') : t('consent.withdrew')) },
    { label: t('consent.givenBy'), cell: (c) => [label('givenBy', c.given_by), c.guardian_name && ` (${c.guardian_name})`].filter(Boolean).join('') },
    { label: t('consent.method'), cell: (c) => label('method', c.method) },
    { label: t('consent.textVersion'), cell: (c) => t('consent.versionLang', { version: c.text_version, lang: languageName(c.lang) }) },
  ];
  if (recordedBy) columns.push({ label: t('consent.recordedBy'), cell: recordedBy });
  return dataTable({
    id,
    caption: t('consent.historyCaption', { count: history.length }),
    columns,
    rows: [...history].reverse(),
    emptyText: t('consent.noHistory'),
  });
}

// The plain-language consent texts in the UI language: purpose -> {version, text}.
export async function consentTexts() {
  const { items } = await loadConsentTexts(language());
  return new Map(items.map((i) => [i.purpose, i]));
}

// --- the form ---

function section(legend, intro, ...children) {
  return h('fieldset', { class: 'section' },
    h('legend', {}, legend),
    intro && h('p', { class: 'hint' }, intro),
    ...children);
}

// The availability editor: a list of day + from + to rows with add/remove.
function availabilityEditor(prefix, slots, errors) {
  const listNode = h('ol', { class: 'slots' });
  const rows = [];
  const addButton = h('button', { type: 'button', class: 'button button-quiet', id: `${prefix}-slot-add` },
    t('availability.add'));

  function renumber() {
    rows.forEach((row, i) => {
      row.legend.textContent = t('availability.slotN', { n: i + 1 });
      row.remove.textContent = t('availability.remove', { n: i + 1 });
      errors.register(`availability[${i}]`, row.start, t('availability.slotN', { n: i + 1 }));
    });
    for (const key of [...errors.fields.keys()]) {
      const m = /^availability\[(\d+)\]$/.exec(key);
      if (m && +m[1] >= rows.length) errors.fields.delete(key);
    }
  }

  function addRow(slot = { day: 'mon', start: '', end: '' }, focus = false) {
    const id = uid(`${prefix}-slot`);
    const day = select(`${id}-day`, options('day', values('weekdays')), slot.day);
    const start = input(`${id}-start`, { type: 'time', value: slot.start });
    const end = input(`${id}-end`, { type: 'time', value: slot.end });
    const legend = h('legend', {});
    const remove = h('button', { type: 'button', class: 'button button-quiet button-small' });
    const node = h('li', {}, h('fieldset', { class: 'slot' }, legend,
      h('div', { class: 'slot-fields' },
        field(t('availability.day'), day),
        field(t('availability.from'), start),
        field(t('availability.to'), end)),
      remove));
    const row = { node, day, start, end, legend, remove };
    remove.addEventListener('click', () => {
      const i = rows.indexOf(row);
      rows.splice(i, 1);
      node.remove();
      renumber();
      (rows[i]?.day ?? rows[i - 1]?.day ?? addButton).focus();
    });
    rows.push(row);
    listNode.append(node);
    renumber();
    if (focus) day.focus();
  }

  for (const s of slots || []) addRow(s);
  addButton.addEventListener('click', () => addRow(undefined, true));
  errors.register('availability', addButton, t('person.availability'));
  return {
    node: h('div', {}, listNode, addButton),
    get: () => rows.map((r) => ({ day: r.day.value, start: r.start.value, end: r.end.value }))
      .filter((s) => s.start || s.end),
  };
}

// Builds the person form.
//   sections: any of about, contact, needs, availability, interests, consents, notes
//   person: current values (edit) or {} (new)
//   mode: 'create' (empty fields left out) or 'edit' (empty optional fields sent as null)
//   consent: for the consents section: {texts: Map, by: 'staff'|'self'}
// Returns {node, errors, collect()}; collect() returns the request body, or
// null after showing what is missing.
//   hints: extra hints by field ({email: "..."})
export function personForm({ prefix, sections, person = {}, mode = 'create', consent = null, errors = null, hints = {} }) {
  const errs = errors || new FormErrors(prefix);
  const parts = [];
  const getters = [];
  const checks = [];
  const want = new Set(sections);
  const id = (name) => `${prefix}-${name}`;
  const put = (body, key, v) => {
    const empty = v === '' || v === null || v === undefined || (Array.isArray(v) && !v.length);
    if (!empty) body[key] = v;
    else if (mode === 'edit') body[key] = null;
  };

  // Under 18: by age group, or by date of birth when one is given.
  let ageBand = null;
  let dob = null;
  const minorListeners = [];
  const isMinor = () => {
    const age = dob ? ageFrom(dob.value) : null;
    if (age !== null) return age < 18;
    return ageBand ? ageBand.value === 'under_18' : Boolean(person.is_minor);
  };
  const minorChanged = () => minorListeners.forEach((fn) => fn(isMinor()));

  if (want.has('about')) {
    const name = input(id('name'), { value: person.name, autocomplete: 'name' });
    const preferred = input(id('preferred-name'), { value: person.preferred_name, autocomplete: 'nickname' });
    const pronouns = input(id('pronouns'), { value: person.pronouns });
    const langs = languageEditor(person.languages);
    const languages = input(id('languages'), { value: langs.text });
    ageBand = select(id('age-band'), [{ value: '', label: t('form.choose') }, ...options('age', values('age_bands'))], person.age_band || '');
    dob = input(id('dob'), { type: 'date', value: person.date_of_birth, autocomplete: 'bday' });
    ageBand.addEventListener('change', minorChanged);
    dob.addEventListener('change', minorChanged);
    errs.register('name', name, t('person.name'));
    errs.register('preferred_name', preferred, t('person.preferredName'));
    errs.register('pronouns', pronouns, t('person.pronouns'));
    errs.register('languages', languages, t('person.languages'));
    errs.register('age_band', ageBand, t('person.ageBand'));
    errs.register('date_of_birth', dob, t('person.dateOfBirth'));
    parts.push(section(t('form.section.about'), null,
      field(t('person.name'), name, { required: true, hint: t('person.nameHint') }),
      field(t('person.preferredName'), preferred, { hint: t('person.preferredNameHint') }),
      field(t('person.pronouns'), pronouns, { hint: t('person.pronounsHint') }),
      field(t('person.languages'), languages, { hint: t('person.languagesHint') }),
      field(t('person.ageBand'), ageBand),
      field(t('person.dateOfBirth'), dob, { hint: t('person.dateOfBirthHint') })));
    checks.push(() => (!value(name) ? { message: t('form.error.missing', { field: t('person.name') }), path: 'name' } : null));
    checks.push(() => (ageBand.value === 'under_18' && !dob.value
      ? { message: t('form.error.dobNeeded'), path: 'date_of_birth' } : null));
    getters.push((body) => {
      if (mode === 'create' || value(name)) body.name = value(name);
      put(body, 'preferred_name', value(preferred));
      put(body, 'pronouns', value(pronouns));
      put(body, 'languages', langs.parse(value(languages)));
      put(body, 'age_band', ageBand.value);
      put(body, 'date_of_birth', dob.value);
    });
  }

  if (want.has('contact')) {
    const email = input(id('email'), { type: 'email', value: person.email, autocomplete: 'email', spellcheck: 'false' });
    const phone = input(id('phone'), { type: 'tel', value: person.phone, autocomplete: 'tel' });
    const method = radioGroup({
      legend: t('person.preferredContact'), name: id('contact'),
      options: options('contact', values('contact_methods')), value: person.preferred_contact || '',
    });
    const ec = person.emergency_contact || {};
    const ecName = input(id('ec-name'), { value: ec.name });
    const ecPhone = input(id('ec-phone'), { type: 'tel', value: ec.phone });
    const ecRel = input(id('ec-relationship'), { value: ec.relationship });
    errs.register('email', email, t('person.email'));
    errs.register('phone', phone, t('person.phone'));
    errs.register('preferred_contact', method.first, t('person.preferredContact'));
    errs.register('emergency_contact', ecName, t('person.emergencyContact'));
    errs.register('emergency_contact.name', ecName, t('person.ecName'));
    errs.register('emergency_contact.phone', ecPhone, t('person.ecPhone'));
    errs.register('emergency_contact.relationship', ecRel, t('person.ecRelationship'));
    parts.push(section(t('form.section.contact'), null,
      field(t('person.email'), email, { required: true, hint: hints.email || null }),
      field(t('person.phone'), phone, { hint: t('person.phoneHint') }),
      method.node,
      h('fieldset', { class: 'group' },
        h('legend', {}, t('person.emergencyContact')),
        h('p', { class: 'hint' }, t('person.emergencyContactHint')),
        field(t('person.ecName'), ecName),
        field(t('person.ecPhone'), ecPhone),
        field(t('person.ecRelationship'), ecRel))));
    checks.push(() => (!value(email) ? { message: t('form.error.missing', { field: t('person.email') }), path: 'email' } : null));
    checks.push(() => ((value(ecName) || value(ecRel)) && !value(ecPhone)
      ? { message: t('form.error.ecPhone'), path: 'emergency_contact.phone' }
      : (value(ecPhone) || value(ecRel)) && !value(ecName)
        ? { message: t('form.error.ecName'), path: 'emergency_contact.name' } : null));
    getters.push((body) => {
      if (mode === 'create' || value(email)) body.email = value(email);
      put(body, 'phone', value(phone));
      put(body, 'preferred_contact', method.get());
      const contact = {};
      if (value(ecName)) contact.name = value(ecName);
      if (value(ecPhone)) contact.phone = value(ecPhone);
      if (value(ecRel)) contact.relationship = value(ecRel);
      put(body, 'emergency_contact', Object.keys(contact).length ? contact : null);
    });
  }

  if (want.has('needs')) {
    const n = person.needs || {};
    const groups = Object.fromEntries(Object.entries(needGroups()).map(([group, values]) => {
      const g = checkboxGroup({ legend: t(`needs.${group}`), hint: t(`needs.${group}Hint`), name: id(group),
        options: options('need', values), values: n[group] || [] });
      errs.register(`needs.${group}`, g.first, t(`needs.${group}`));
      return [group, g];
    }));
    const flags = checkboxGroup({ legend: t('needs.otherHelp'), name: id('flags'),
      options: options('need', NEED_FLAGS), values: NEED_FLAGS.filter((f) => n[f]) });
    NEED_FLAGS.forEach((f, i) => errs.register(`needs.${f}`, flags.boxes[i], label('need', f)));
    const interpLang = languageEditor(n.interpretation_language ? [n.interpretation_language] : []);
    const interp = input(id('interpretation'), { value: interpLang.text });
    const equipment = input(id('equipment'), { value: n.adaptive_equipment });
    const free = textarea(id('needs-free'), n.free_text);
    errs.register('needs', groups.mobility.first, t('form.section.needs'));
    errs.register('needs.interpretation_language', interp, t('needs.interpretation'));
    errs.register('needs.adaptive_equipment', equipment, t('needs.equipment'));
    errs.register('needs.free_text', free, t('needs.freeText'));
    parts.push(section(t('form.section.needs'), t('needs.intro'),
      ...Object.values(groups).map((g) => g.node),
      flags.node,
      field(t('needs.interpretation'), interp, { hint: t('needs.interpretationHint') }),
      field(t('needs.equipment'), equipment, { hint: t('needs.equipmentHint') }),
      field(t('needs.freeText'), free, { hint: t('needs.freeTextHint') })));
    getters.push((body) => {
      const needs = {};
      for (const [group, g] of Object.entries(groups)) if (g.get().length) needs[group] = g.get();
      const on = flags.get();
      for (const f of NEED_FLAGS) if (on.includes(f)) needs[f] = true;
      if (value(interp)) needs.interpretation_language = interpLang.parse(value(interp)).join(', ');
      if (value(equipment)) needs.adaptive_equipment = value(equipment);
      if (value(free)) needs.free_text = value(free);
      put(body, 'needs', Object.keys(needs).length ? needs : null);
    });
  }

  if (want.has('availability')) {
    const editor = availabilityEditor(prefix, person.availability, errs);
    parts.push(section(t('form.section.availability'), t('availability.intro'), editor.node));
    checks.push(() => {
      const slots = editor.get();
      const bad = slots.findIndex((s) => !s.start || !s.end || s.start >= s.end);
      return bad >= 0 ? { message: t('form.error.slot', { n: bad + 1 }), path: `availability[${bad}]` } : null;
    });
    getters.push((body) => put(body, 'availability', editor.get()));
  }

  if (want.has('interests')) {
    const g = checkboxGroup({ legend: t('person.interests'), hint: t('person.interestsHint'), name: id('interests'),
      options: options('interest', values('art_forms')), values: person.interests || [] });
    errs.register('interests', g.first, t('person.interests'));
    parts.push(section(t('form.section.interests'), null, g.node));
    getters.push((body) => put(body, 'interests', g.get()));
  }

  if (want.has('consents') && consent) {
    const byStaff = consent.by === 'staff';
    const boxes = values('consent_purposes').filter((p) => consent.texts.has(p)).map((p) => {
      const box = h('input', { type: 'checkbox', id: id(`consent-${p}`), name: id('consent'), value: p });
      const textId = `${box.id}-text`;
      box.setAttribute('aria-describedby', textId);
      errs.register(`consent.${p}`, box, label('purpose', p));
      return {
        purpose: p,
        box,
        node: h('li', { class: 'consent-choice' },
          h('div', { class: 'choice' }, box, h('label', { for: box.id }, label('purpose', p),
            p === 'participation' && !byStaff ? h('span', { class: 'required' }, ` ${t('form.required')}`) : null)),
          h('p', { id: textId, class: 'consent-text' }, consent.texts.get(p).text)),
      };
    });
    const guardian = input(id('guardian'), { autocomplete: 'off' });
    const guardianField = field(t('consent.guardianName'), guardian, { hint: t('consent.guardianHint') });
    const method = byStaff ? radioGroup({
      legend: t('consent.howGiven'), name: id('method'), value: 'paper',
      options: options('method', values('consent_methods')),
    }) : null;
    const setMinor = (minor) => { guardianField.hidden = !minor; };
    minorListeners.push(setMinor);
    setMinor(isMinor());
    errs.register('consents', boxes[0]?.box, t('form.section.consents'));
    errs.register('consents[].guardian_name', guardian, t('consent.guardianName'));
    errs.register('consents[].given_by', guardian, t('consent.guardianName'));
    if (method) errs.register('consents[].method', method.first, t('consent.howGiven'));
    parts.push(section(t('form.section.consents'), byStaff ? t('consent.introStaff') : t('consent.introSelf'),
      h('ul', { class: 'consent-choices' }, boxes.map((b) => b.node)),
      guardianField,
      method && method.node));
    if (!byStaff) {
      checks.push(() => {
        const part = boxes.find((b) => b.purpose === 'participation');
        return part && !part.box.checked
          ? { message: t('form.error.participation'), path: 'consent.participation' } : null;
      });
    }
    checks.push(() => (isMinor() && boxes.some((b) => b.box.checked) && !value(guardian)
      ? { message: t('form.error.guardian'), path: 'consents[].guardian_name' } : null));
    getters.push((body) => {
      const minor = isMinor();
      const list = boxes.filter((b) => b.box.checked).map((b) => {
        const c = { purpose: b.purpose, granted: true, lang: language(), text_version: consent.texts.get(b.purpose).version };
        c.given_by = minor ? 'guardian' : 'self';
        c.method = method ? method.get() || 'paper' : 'online';
        if (minor) c.guardian_name = value(guardian);
        return c;
      });
      if (list.length) body.consents = list;
    });
  }

  if (want.has('notes')) {
    const notes = textarea(id('notes'), person.notes, { rows: 5 });
    errs.register('notes', notes, t('person.notes'));
    parts.push(section(t('form.section.notes'), null, field(t('person.notes'), notes, { hint: t('person.notesHint') })));
    getters.push((body) => put(body, 'notes', value(notes)));
  }

  return {
    node: h('div', { class: 'sections' }, parts),
    errors: errs,
    isMinor,
    collect() {
      errs.clear();
      for (const check of checks) {
        const problem = check();
        if (problem) {
          errs.show(problem);
          return null;
        }
      }
      const body = {};
      for (const get of getters) get(body);
      return body;
    },
  };
}
