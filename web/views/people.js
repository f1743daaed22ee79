// Staff pages for people: the list with exact search, registering a person,
// a person's page (details, needs, consents, login code, erasure), the edit
// form and recording a consent decision. The server decides per person what
// each role may see and do; these pages only hide buttons that would be
// refused for the roles the signed-in user has.

import { ApiError } from '../lib/api.js';
import {
  createParticipant, eraseParticipant, findParticipants, getParticipant, inviteByEmail, listParticipants, newAccountCode,
  participantConsents, recordParticipantConsent, updateParticipant,
} from '../endpoints/people.js';
import { dataTable, h, tableRow, uid } from '../lib/dom.js';
import { formatDateTime, language, t } from '../lib/i18n.js';
import { label } from '../lib/labels.js';
import { can, values } from '../lib/meta.js';
import { busy, field, FormErrors, input, radioGroup } from '../components/forms.js';
import { section } from '../components/page.js';
import {
  aboutRows, consentHistoryTable, consentStateList, consentTexts, contactRows, detailList, displayName, needsRows,
  personForm, preferenceRows,
} from '../components/person.js';

const PAGE = 50;

// The last search, so that it survives a language switch or coming back;
// only for the same user (someone else may sign in on this screen).
let search = { user: null, by: 'email', q: '' };

function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

function back(href, text) {
  return h('p', { class: 'back' }, h('a', { href }, text));
}

// --- the list ---

function peopleTable(rows, caption, emptyText) {
  const columns = [
    { label: t('person.name'), cell: (p) => h('a', { href: `#/people/${p.id}` }, p.name || `#${p.id}`) },
    { label: t('person.view.preferredName'), cell: (p) => p.preferred_name || '' },
    { label: t('person.email'), cell: (p) => p.email || '' },
    { label: t('person.phone'), cell: (p) => p.phone || '' },
    { label: t('people.minor'), cell: (p) => (p.is_minor ? t('people.under18') : '') },
  ];
  const table = dataTable({ id: 'people-table', caption, columns, rows, emptyText });
  return { table, columns };
}

export async function peopleListView(ctx) {
  const user = ctx.session.user;
  if (search.user !== user.id) search = { user: user.id, by: 'email', q: '' };
  const results = h('div', { id: 'people-results' });
  const by = h('select', { id: 'search-by', name: 'by' },
    ['email', 'phone', 'name'].map((k) => h('option', { value: k }, t(`people.searchBy.${k}`))));
  by.value = search.by;
  const q = input('search-q', { type: 'search', value: search.q, autocomplete: 'off', spellcheck: 'false' });
  const errors = new FormErrors('search');
  errors.register('email', q, t('people.searchFor'));
  errors.register('phone', q, t('people.searchFor'));
  errors.register('name', q, t('people.searchFor'));
  const showAll = h('button', { type: 'button', class: 'button button-quiet', id: 'search-clear' }, t('people.showAll'));

  async function showList() {
    const data = await listParticipants({ limit: PAGE });
    const { table, columns } = peopleTable(data.items, t('people.caption'), t('people.noneYet'));
    const tbody = table.querySelector('tbody');
    let last = data.items.at(-1)?.id;
    const more = h('button', { type: 'button', class: 'button button-quiet', id: 'people-more',
      hidden: data.items.length < PAGE }, t('people.more'));
    more.addEventListener('click', async () => {
      await busy(more, t('common.loading'), async () => {
        try {
          const next = await listParticipants({ limit: PAGE, after: last });
          if (!tbody.querySelector('td.empty')) tbody.append(...next.items.map((p) => tableRow(columns, p)));
          last = next.items.at(-1)?.id ?? last;
          more.hidden = next.items.length < PAGE;
          ctx.announce(t('people.loaded', { count: next.items.length }));
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) ctx.sessionExpired();
          else ctx.announce(err instanceof ApiError && err.detail ? err.detail : t('error.generic'));
        }
      });
    });
    results.replaceChildren(table, more);
  }

  async function showSearch() {
    const data = await findParticipants(search.by, search.q);
    const { table } = peopleTable(data.items, t('people.searchCaption', { count: data.items.length, q: search.q }), t('people.none'));
    results.replaceChildren(table);
    return data.items.length;
  }

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (!q.value.trim()) {
      errors.show({ message: t('people.searchEmpty'), path: by.value });
      return;
    }
    search = { user: user.id, by: by.value, q: q.value.trim() };
    try {
      const count = await showSearch();
      ctx.announce(t('people.found', { count }));
      showAll.hidden = false;
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }

  showAll.addEventListener('click', async () => {
    search = { user: user.id, by: by.value, q: '' };
    q.value = '';
    errors.clear();
    showAll.hidden = true;
    try {
      await showList();
      ctx.announce(t('people.showingAll'));
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  });

  if (search.q) await showSearch();
  else await showList();
  showAll.hidden = !search.q;

  const form = h('form', { id: 'search-form', class: 'search-form', role: 'search', 'aria-labelledby': 'search-heading', novalidate: true, onsubmit: onSubmit },
    h('h2', { id: 'search-heading' }, t('people.searchTitle')),
    h('p', { class: 'hint', id: 'search-hint' }, t('people.searchHint')),
    errors.box,
    h('div', { class: 'search-row' },
      field(t('people.searchByLabel'), by),
      field(t('people.searchFor'), q),
      h('button', { type: 'submit', class: 'button', id: 'search-submit' }, t('people.search'))),
    showAll);
  q.setAttribute('aria-describedby', 'search-hint');

  return page(t('people.title'),
    h('p', { class: 'lede' }, t('people.intro')),
    can('participant.create') && h('p', {}, h('a', { class: 'button', href: '#/people/new', id: 'register-link' }, t('people.register'))),
    form,
    results);
}

// --- register ---

export async function registerView(ctx) {
  const texts = await consentTexts();
  const form = personForm({
    prefix: 'reg',
    sections: ['about', 'contact', 'needs', 'availability', 'interests', 'consents', 'notes'],
    consent: { texts, by: 'staff' },
  });
  const submit = h('button', { type: 'submit', class: 'button', id: 'reg-submit' }, t('register.submit'));

  async function onSubmit(event) {
    event.preventDefault();
    const body = form.collect();
    if (!body) return;
    await busy(submit, t('form.saving'), async () => {
      try {
        const { id } = await createParticipant(body);
        ctx.announceAfterNavigation(t('register.done', { name: body.preferred_name || body.name }));
        ctx.navigate(`/people/${id}`);
      } catch (err) {
        if (!form.errors.showApiError(err)) ctx.sessionExpired();
      }
    });
  }

  return page(t('register.title'),
    back('#/people', t('people.back')),
    h('p', { class: 'lede' }, t('register.intro')),
    h('form', { id: 'register-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      form.errors.box, form.node, submit));
}

// --- a person's page ---

function erasedPage() {
  return page(t('person.erasedTitle'),
    h('p', { class: 'lede' }, t('person.erasedText')),
    back('#/people', t('people.back')));
}

// The erase confirmation: a modal <dialog> naming what will be lost.
function eraseDialog(ctx, person) {
  const titleId = uid('erase-title');
  const textId = uid('erase-text');
  const errors = new FormErrors('erase');
  const confirm = h('button', { type: 'button', class: 'button button-danger', id: 'erase-confirm' }, t('erase.confirm'));
  const cancel = h('button', { type: 'button', class: 'button button-quiet', id: 'erase-cancel' }, t('erase.cancel'));
  const dialog = h('dialog', { id: 'erase-dialog', 'aria-labelledby': titleId, 'aria-describedby': textId },
    h('h2', { id: titleId }, t('erase.title', { name: displayName(person) })),
    h('div', { id: textId },
      h('p', {}, t(person.has_account ? 'erase.consequenceLogin' : 'erase.consequence')),
      h('p', { class: 'warning' }, t('erase.permanent'))),
    errors.box,
    h('div', { class: 'actions' }, confirm, cancel));
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', () => busy(confirm, t('erase.working'), async () => {
    try {
      await eraseParticipant(person.id);
      dialog.close();
      ctx.announceAfterNavigation(t('erase.done'));
      ctx.navigate('/people');
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }));
  // The safe choice has focus when the dialog opens.
  const show = () => {
    errors.clear();
    dialog.showModal();
    cancel.focus();
  };
  return { dialog, show };
}

// Issues a login code and shows it once, large.
function codeSection(ctx, person) {
  const box = h('div', { id: 'code-box', class: 'code-box', hidden: true });
  const errors = new FormErrors('code');
  const button = h('button', { type: 'button', class: 'button button-quiet', id: 'code-issue' }, t('code.issue'));
  button.addEventListener('click', () => busy(button, t('code.working'), async () => {
    errors.clear();
    try {
      const data = await newAccountCode(person.id);
      const heading = h('h3', { tabindex: '-1' }, t('code.title', { name: displayName(person) }));
      box.replaceChildren(
        heading,
        h('p', { class: 'code', id: 'account-code' }, grouped(data.code)),
        h('p', {}, t('code.valid', { days: data.valid_days })),
        h('p', { class: 'hint' }, t('code.howTo')));
      box.hidden = false;
      button.hidden = true;
      heading.focus();
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }));
  return { button, box, errors };
}

// Emails the person a one-time link to set a password and get their login.
function inviteSection(ctx, person) {
  const errors = new FormErrors('invite');
  const done = h('p', { id: 'invite-sent', class: 'notice', tabindex: '-1', hidden: true });
  const button = h('button', { type: 'button', class: 'button button-quiet', id: 'invite-send' }, t('invite.send'));
  button.addEventListener('click', () => busy(button, t('invite.sending'), async () => {
    errors.clear();
    try {
      const data = await inviteByEmail(person.id);
      done.textContent = t('invite.sent', { days: data.valid_days });
      done.hidden = false;
      done.focus();
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }));
  return { button, done, errors };
}

// "ABCD2345WXYZ" -> "ABCD 2345 WXYZ", easier to read and copy.
export function grouped(code) {
  return String(code).replace(/(.{4})(?=.)/g, '$1 ');
}

export async function personView(ctx, { id }) {
  const user = ctx.session.user;
  let person;
  try {
    person = await getParticipant(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 410) return erasedPage();
    throw err;
  }
  const name = displayName(person);

  // A partner organisation sees only what the agreement and consent share.
  if (Array.isArray(person.shared_categories)) {
    return page(name,
      back('#/people', t('people.back')),
      h('p', { class: 'notice' }, t('person.sharedOnly')),
      h('h2', {}, t('person.contactTitle')),
      detailList([...aboutRows(person).slice(0, 4), ...contactRows(person).slice(0, 3)], 'person-contact'));
  }

  const consents = await participantConsents(id);
  const sessionId = user.id;
  // recorded_by is a user id (or null); names of other users are not ours to read.
  const recordedBy = (c) => {
    if (c.given_by === 'self' && c.method === 'online') return t('consent.recordedBySelf');
    if (c.recorded_by === null || c.recorded_by === undefined) return t('common.none');
    return c.recorded_by === sessionId ? t('consent.recordedByYou') : t('consent.recordedByStaff', { id: c.recorded_by });
  };

  const actions = [];
  const extras = [];
  if (can('participant.update')) actions.push(h('a', { class: 'button', href: `#/people/${id}/edit`, id: 'person-edit' }, t('person.edit')));
  if (can('consent.record')) actions.push(h('a', { class: 'button button-quiet', href: `#/people/${id}/consent`, id: 'person-consent' }, t('person.recordConsent')));
  if (can('participant.update') && !person.has_account) {
    if (person.email) {
      const invite = inviteSection(ctx, person);
      actions.push(invite.button);
      extras.push(invite.errors.box, invite.done);
    }
    const code = codeSection(ctx, person);
    actions.push(code.button);
    extras.push(code.errors.box, code.box);
  }

  // The person asked to be erased: staff see it before doing anything else.
  if (person.erasure_request?.status === 'pending') {
    extras.unshift(h('p', { class: 'notice', id: 'person-erasure-pending' },
      t('person.erasurePending', { date: formatDateTime(person.erasure_request.requested_at) })));
  }

  const tags = [person.is_minor && t('person.isMinor'), person.has_account ? t('person.hasAccount') : t('person.noAccount')]
    .filter(Boolean);
  const dates = [t('person.registered', { date: formatDateTime(person.created_at) }),
    person.updated_at !== person.created_at && t('person.updated', { date: formatDateTime(person.updated_at) })]
    .filter(Boolean).join(' · ');

  const section = (key, ...content) => {
    const headingId = uid('sec');
    return h('section', { 'aria-labelledby': headingId }, h('h2', { id: headingId }, t(key)), ...content);
  };

  // Erasing is rare and final: it gets its own section at the end.
  let eraseSection = null;
  if (can('participant.erase')) {
    const { dialog, show } = eraseDialog(ctx, person);
    const erase = h('button', { type: 'button', class: 'button button-danger', id: 'person-erase' }, t('person.erase'));
    erase.addEventListener('click', show);
    eraseSection = section('person.eraseTitle', h('p', {}, t('person.eraseText')), erase, dialog);
  }

  return page(person.name || name,
    back('#/people', t('people.back')),
    h('ul', { class: 'tags', id: 'person-status' }, tags.map((s) => h('li', {}, s))),
    h('p', { class: 'hint' }, dates),
    actions.length && h('div', { class: 'actions', id: 'person-actions' }, actions),
    ...extras,
    section('person.detailsTitle', detailList([...aboutRows(person), ...contactRows(person)], 'person-details')),
    section('person.needsTitle', detailList(needsRows(person.needs), 'person-needs')),
    section('person.preferencesTitle', detailList(preferenceRows(person), 'person-preferences')),
    person.notes && section('person.notes', h('p', { class: 'notes' }, person.notes)),
    section('person.consentsTitle',
      h('h3', {}, t('consent.currentCaption')),
      consentStateList(consents.current, 'consent-state'),
      consentHistoryTable(consents.history, 'consent-history', { recordedBy })),
    eraseSection);
}

// --- edit ---

export async function editView(ctx, { id }) {
  let person;
  try {
    person = await getParticipant(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 410) return erasedPage();
    throw err;
  }
  const form = personForm({
    prefix: 'edit',
    sections: ['about', 'contact', 'needs', 'availability', 'interests', 'notes'],
    person,
    mode: 'edit',
  });
  const submit = h('button', { type: 'submit', class: 'button', id: 'edit-submit' }, t('form.save'));

  async function onSubmit(event) {
    event.preventDefault();
    const body = form.collect();
    if (!body) return;
    await busy(submit, t('form.saving'), async () => {
      try {
        await updateParticipant(id, body);
        ctx.announceAfterNavigation(t('form.saved'));
        ctx.navigate(`/people/${id}`);
      } catch (err) {
        if (!form.errors.showApiError(err)) ctx.sessionExpired();
      }
    });
  }

  return page(t('edit.title', { name: displayName(person) }),
    back(`#/people/${id}`, t('person.back', { name: displayName(person) })),
    h('p', { class: 'lede' }, t('edit.intro')),
    h('form', { id: 'edit-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      form.errors.box, form.node,
      h('div', { class: 'actions' }, submit, h('a', { href: `#/people/${id}`, class: 'button button-quiet' }, t('form.cancel')))));
}

// --- record a consent decision ---

export async function recordConsentView(ctx, { id }) {
  let person;
  try {
    person = await getParticipant(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 410) return erasedPage();
    throw err;
  }
  const texts = await consentTexts();
  const errors = new FormErrors('rc');
  const name = displayName(person);
  const purposes = values('consent_purposes').filter((p) => texts.has(p));
  const purpose = radioGroup({
    legend: t('rc.purpose'), name: 'rc-purpose', required: true,
    options: purposes.map((p) => ({ value: p, label: label('purpose', p) })),
  });
  // Each purpose's plain-language text under its radio button.
  purpose.radios.forEach((radio, i) => {
    const textId = `${radio.id}-text`;
    radio.setAttribute('aria-describedby', textId);
    radio.closest('li').append(h('p', { id: textId, class: 'consent-text' },
      texts.get(purposes[i]).text,
      ' ',
      h('span', { class: 'consent-now' }, t('rc.now', { decision: (person.consents?.[purposes[i]]?.at
        ? (person.consents[purposes[i]].granted ? t('consent.yes') : t('consent.no')) : t('consent.notAsked')) }))));
  });
  const decision = radioGroup({
    legend: t('rc.decision'), name: 'rc-decision', required: true,
    options: [{ value: 'grant', label: t('rc.grant') }, { value: 'withdraw', label: t('rc.withdraw') }],
  });
  const minor = Boolean(person.is_minor);
  const who = radioGroup({
    legend: t('rc.who'), name: 'rc-who', value: minor ? 'guardian' : 'self',
    hint: minor ? t('rc.minorHint') : null,
    options: [{ value: 'self', label: t('givenBy.self') }, { value: 'guardian', label: t('givenBy.guardian') }],
  });
  if (minor) who.radios[0].disabled = true;
  const guardian = input('rc-guardian', { autocomplete: 'off' });
  const guardianField = field(t('consent.guardianName'), guardian);
  const syncGuardian = () => { guardianField.hidden = who.get() !== 'guardian'; };
  who.radios.forEach((r) => r.addEventListener('change', syncGuardian));
  syncGuardian();
  const method = radioGroup({
    legend: t('rc.how'), name: 'rc-method', value: 'paper',
    options: ['paper', 'verbal', 'online'].map((m) => ({ value: m, label: label('method', m) })),
  });
  errors.register('purpose', purpose.first, t('rc.purpose'));
  errors.register('granted', decision.first, t('rc.decision'));
  errors.register('given_by', who.first, t('rc.who'));
  errors.register('guardian_name', guardian, t('consent.guardianName'));
  errors.register('method', method.first, t('rc.how'));
  errors.register('lang', purpose.first, t('rc.purpose'));
  const submit = h('button', { type: 'submit', class: 'button', id: 'rc-submit' }, t('rc.submit'));

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (!purpose.get()) return errors.show({ message: t('rc.pickPurpose'), path: 'purpose' });
    if (!decision.get()) return errors.show({ message: t('rc.pickDecision'), path: 'granted' });
    if (who.get() === 'guardian' && !guardian.value.trim()) return errors.show({ message: t('form.error.guardian'), path: 'guardian_name' });
    const body = {
      purpose: purpose.get(),
      granted: decision.get() === 'grant',
      given_by: who.get(),
      method: method.get() || 'paper',
      lang: language(),
      text_version: texts.get(purpose.get()).version,
    };
    if (body.given_by === 'guardian') body.guardian_name = guardian.value.trim();
    return busy(submit, t('form.saving'), async () => {
      try {
        await recordParticipantConsent(id, body);
        ctx.announceAfterNavigation(t(body.granted ? 'rc.doneGrant' : 'rc.doneWithdraw',
          { purpose: label('purpose', body.purpose), name }));
        ctx.navigate(`/people/${id}`);
      } catch (err) {
        if (!errors.showApiError(err)) ctx.sessionExpired();
      }
    });
  }

  return page(t('rc.title', { name }),
    back(`#/people/${id}`, t('person.back', { name })),
    h('p', { class: 'lede' }, t('rc.intro')),
    h('form', { id: 'rc-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      errors.box, purpose.node, decision.node, who.node, guardianField, method.node,
      h('div', { class: 'actions' }, submit, h('a', { href: `#/people/${id}`, class: 'button button-quiet' }, t('form.cancel')))));
}
