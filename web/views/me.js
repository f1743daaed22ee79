// A participant's own pages: my details, my needs, my consents (give or
// withdraw each one), and my data (download, ask to erase). Everything is
// read and written through /me/... (web/endpoints/me.js), which only ever touches the
// signed-in person's own record.

import { ApiError } from '../lib/api.js';
import {
  myConsents, myExportPageUrl, myExportUrl, myProfile, recordMyConsent, requestMyErasure, updateMyProfile,
} from '../endpoints/me.js';
import { h, uid } from '../lib/dom.js';
import { formatDateTime, language, t } from '../lib/i18n.js';
import { label } from '../lib/labels.js';
import { values } from '../lib/meta.js';
import { busy, FormErrors } from '../components/forms.js';
import { consentHistoryTable, consentTexts, personForm } from '../components/person.js';

function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

// One page that edits part of the profile: the form is filled with what
// Hearth holds, so reading it is seeing your record.
async function profilePage(ctx, { titleKey, introKey, prefix, sections }) {
  const person = await myProfile();
  const form = personForm({ prefix, sections, person, mode: 'edit', hints: { email: t('me.emailHint') } });
  const submit = h('button', { type: 'submit', class: 'button', id: `${prefix}-submit` }, t('form.save'));
  // Next to the button, where the eyes are after pressing it.
  const status = h('p', { class: 'save-status', id: `${prefix}-status`, role: 'status' });

  async function onSubmit(event) {
    event.preventDefault();
    status.textContent = '';
    const body = form.collect();
    if (!body) return;
    await busy(submit, t('form.saving'), async () => {
      try {
        await updateMyProfile(body);
        status.textContent = t('me.saved');
      } catch (err) {
        if (!form.errors.showApiError(err)) ctx.sessionExpired();
      }
    });
  }

  return page(t(titleKey),
    h('p', { class: 'lede' }, t(introKey)),
    h('form', { id: `${prefix}-form`, class: 'form', novalidate: true, onsubmit: onSubmit },
      form.errors.box, form.node, submit, status));
}

export function myDetailsView(ctx) {
  return profilePage(ctx, { titleKey: 'me.details.title', introKey: 'me.details.intro', prefix: 'me', sections: ['about', 'contact'] });
}

export function myNeedsView(ctx) {
  return profilePage(ctx, { titleKey: 'me.needs.title', introKey: 'me.needs.intro', prefix: 'needs', sections: ['needs', 'availability', 'interests'] });
}

// --- consents ---

// What the person decided, in words, for the line under each consent.
function stateText(c) {
  if (!c || !c.at) return t('myConsents.stateNone');
  return t(c.granted ? 'myConsents.stateYes' : 'myConsents.stateNo', { date: formatDateTime(c.at) });
}

// One consent: its plain-language text, where it stands, and one button
// that withdraws (after a confirmation) or gives it.
function consentCard(ctx, purpose, text, state, { minor, onChange }) {
  const headingId = uid('consent');
  const stateLine = h('p', { class: 'consent-state', id: `state-${purpose}` });
  const status = h('p', { class: 'consent-status', id: `status-${purpose}`, role: 'status' });
  const errors = new FormErrors(`consent-${purpose}`);
  // The button says "Withdraw" or "Agree"; its description names the consent.
  const toggle = h('button', { type: 'button', class: 'button', id: `toggle-${purpose}`, 'aria-describedby': headingId });
  const confirmText = h('p', { id: `confirm-text-${purpose}` });
  const yes = h('button', { type: 'button', class: 'button button-danger', id: `confirm-${purpose}`, 'aria-describedby': confirmText.id },
    t('myConsents.confirmWithdraw'));
  const no = h('button', { type: 'button', class: 'button button-quiet', id: `keep-${purpose}` }, t('myConsents.keep'));
  const confirm = h('div', { class: 'confirm', hidden: true }, confirmText, h('div', { class: 'actions' }, yes, no));
  let current = state;

  function paint() {
    const granted = Boolean(current?.at && current.granted);
    stateLine.textContent = stateText(current);
    stateLine.className = `consent-state ${granted ? 'is-yes' : 'is-no'}`;
    toggle.textContent = granted ? t('myConsents.withdraw') : t('myConsents.give');
    toggle.className = granted ? 'button button-quiet' : 'button';
    toggle.hidden = minor;
    confirm.hidden = true;
  }

  async function decide(granted) {
    errors.clear();
    status.textContent = '';
    try {
      const text_version = text.version;
      await recordMyConsent({ purpose, granted, lang: language(), text_version });
      current = { granted, at: new Date().toISOString() };
      paint();
      status.textContent = t(granted ? 'myConsents.given' : 'myConsents.withdrawn', { purpose: label('purpose', purpose) });
      toggle.focus();
      onChange();
    } catch (err) {
      paint();
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }

  toggle.addEventListener('click', () => {
    if (current?.at && current.granted) {
      // Withdrawing takes one more click, on a button that says what happens.
      confirmText.textContent = t('myConsents.confirmText', { purpose: label('purpose', purpose) });
      toggle.hidden = true;
      confirm.hidden = false;
      yes.focus();
    } else {
      busy(toggle, t('form.saving'), () => decide(true));
    }
  });
  yes.addEventListener('click', () => busy(yes, t('form.saving'), () => decide(false)));
  no.addEventListener('click', () => {
    paint();
    toggle.focus();
  });
  paint();

  return h('li', { class: 'card consent-card', id: `consent-${purpose}` },
    h('h2', { id: headingId }, label('purpose', purpose)),
    h('p', { class: 'consent-text' }, text.text),
    stateLine,
    errors.box,
    toggle,
    confirm,
    status);
}

export async function myConsentsView(ctx) {
  const [mine, texts] = await Promise.all([myConsents(), consentTexts()]);
  const historyBox = h('div', {});
  const showHistory = async () => {
    try {
      const fresh = await myConsents();
      historyBox.replaceChildren(consentHistoryTable(fresh.history, 'my-consent-history'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) ctx.sessionExpired();
    }
  };
  historyBox.replaceChildren(consentHistoryTable(mine.history, 'my-consent-history'));
  const purposes = values('consent_purposes').filter((p) => texts.has(p));
  const cards = purposes.map((p) => consentCard(ctx, p, texts.get(p), mine.current[p],
    { minor: Boolean(mine.is_minor), onChange: showHistory }));
  return page(t('myConsents.title'),
    h('p', { class: 'lede' }, t('myConsents.intro')),
    mine.is_minor && h('p', { class: 'notice' }, t('myConsents.minor')),
    h('ul', { class: 'consent-cards' }, cards),
    h('details', { class: 'history' },
      h('summary', {}, t('myConsents.history')),
      historyBox));
}

// --- my data ---

export async function myDataView(ctx) {
  const me = await myProfile();
  const request = me.erasure_request;
  const errors = new FormErrors('erasure');
  const result = h('div', { id: 'erasure-result', tabindex: '-1', hidden: true, class: 'notice' });
  const ask = h('button', { type: 'button', class: 'button button-quiet', id: 'erasure-ask' }, t('myData.eraseAsk'));
  // Where an earlier request stands: waiting (nothing more to ask), or
  // refused with the reason (the person may ask again).
  const state = h('div', { id: 'erasure-state', class: 'notice', hidden: !request });
  if (request?.status === 'pending') {
    state.textContent = t('myData.pendingSince', { date: formatDateTime(request.requested_at) });
    ask.hidden = true;
  } else if (request?.status === 'rejected') {
    state.append(
      h('p', {}, t('myData.rejected', { date: formatDateTime(request.requested_at), decided: formatDateTime(request.decided_at) })),
      request.reason ? h('p', {}, t('myData.rejectedReason'), ' ', h('q', {}, request.reason)) : null,
      h('p', {}, t('myData.askAgain')));
  } else {
    state.hidden = true;
  }
  const yes = h('button', { type: 'button', class: 'button button-danger', id: 'erasure-confirm' }, t('myData.eraseConfirm'));
  const no = h('button', { type: 'button', class: 'button button-quiet', id: 'erasure-cancel' }, t('myData.eraseCancel'));
  const confirm = h('div', { class: 'confirm', hidden: true, id: 'erasure-box' },
    h('p', { id: 'erasure-warning' }, t('myData.eraseWarning')),
    h('div', { class: 'actions' }, yes, no));
  yes.setAttribute('aria-describedby', 'erasure-warning');
  ask.addEventListener('click', () => {
    ask.hidden = true;
    confirm.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  yes.addEventListener('click', () => busy(yes, t('form.saving'), async () => {
    errors.clear();
    try {
      const res = await requestMyErasure();
      if (res?.status === 'erased') {
        ctx.signOut('myData.erased');
        return;
      }
      confirm.hidden = true;
      state.hidden = true;
      result.textContent = t('myData.pending');
      result.hidden = false;
      result.focus();
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    }
  }));

  const sectionOf = (key, ...content) => {
    const headingId = uid('sec');
    return h('section', { 'aria-labelledby': headingId }, h('h2', { id: headingId }, t(key)), ...content);
  };

  return page(t('myData.title'),
    h('p', { class: 'lede' }, t('myData.intro')),
    sectionOf('myData.downloadTitle',
      h('p', {}, t('myData.downloadText')),
      h('ul', { class: 'link-list' },
        h('li', {}, h('a', { href: myExportUrl, download: 'my-hearth-data.json', id: 'export-json' }, t('myData.json')),
          h('span', { class: 'hint' }, ` ${t('myData.jsonHint')}`)),
        h('li', {}, h('a', { href: myExportPageUrl(language()), id: 'export-html' }, t('myData.html')),
          h('span', { class: 'hint' }, ` ${t('myData.htmlHint')}`)))),
    sectionOf('myData.eraseTitle',
      h('p', {}, t('myData.eraseText')),
      h('p', {}, t('myData.eraseAfter')),
      state,
      errors.box,
      ask,
      confirm,
      result));
}
