// Public pages: "Join" (register yourself, no account needed) and "Create
// your login" with the one-time code that registration or the team gives.
// There is no honeypot field here: the form token and its minimum time do
// that job without an invisible field that assistive technology could find.

import { claimAccount, register, registrationForm } from '../endpoints/register.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { busy, field, FormErrors, input, select } from '../components/forms.js';
import { consentTexts, personForm } from '../components/person.js';
import { setLoginEmail } from './login.js';
import { grouped } from './people.js';

function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page narrow-form' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

// The form that turns a code into a login. email (if known) is passed on
// to the sign-in page.
function claimForm(ctx, { code = '', email = '' } = {}) {
  const errors = new FormErrors('claim');
  const codeInput = input('claim-code', { value: code, autocomplete: 'one-time-code', spellcheck: 'false', autocapitalize: 'characters' });
  const password = input('claim-password', { type: 'password', autocomplete: 'new-password' });
  const again = input('claim-again', { type: 'password', autocomplete: 'new-password' });
  errors.register('code', codeInput, t('claim.code'));
  errors.register('password', password, t('claim.password'));
  errors.register('again', again, t('claim.again'));
  const submit = h('button', { type: 'submit', class: 'button', id: 'claim-submit' }, t('claim.submit'));

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (codeInput.value.replace(/[\s-]/g, '').length < 8) return errors.show({ message: t('claim.error.code'), path: 'code' });
    if (password.value.length < 12) return errors.show({ message: t('claim.error.short'), path: 'password' });
    if (password.value !== again.value) return errors.show({ message: t('claim.error.mismatch'), path: 'again' });
    return busy(submit, t('claim.working'), async () => {
      try {
        await claimAccount(codeInput.value.trim(), password.value);
        password.value = '';
        again.value = '';
        if (email) setLoginEmail(email);
        ctx.announceAfterNavigation(t('claim.done'));
        ctx.navigate('/login');
      } catch (err) {
        password.value = '';
        again.value = '';
        errors.showApiError(err);
      }
    });
  }

  return h('form', { id: 'claim-form', class: 'form', novalidate: true, onsubmit: onSubmit },
    errors.box,
    field(t('claim.code'), codeInput, { required: true, hint: t('claim.codeHint') }),
    field(t('claim.password'), password, { required: true, hint: t('claim.passwordHint') }),
    field(t('claim.again'), again, { required: true }),
    submit);
}

export async function claimView(ctx) {
  return page(t('claim.title'),
    h('p', { class: 'lede' }, t('claim.intro')),
    claimForm(ctx),
    h('p', { class: 'hint' }, h('a', { href: '#/join' }, t('claim.noCode'))));
}

export async function joinView(ctx) {
  const [start, texts] = await Promise.all([registrationForm(), consentTexts()]);
  let token = start.form_token;
  const orgs = start.organisations || [];
  if (!orgs.length) {
    return page(t('join.title'), h('p', { class: 'lede' }, t('join.closed')));
  }
  const errors = new FormErrors('join');
  const org = select('join-org', [
    ...(orgs.length > 1 ? [{ value: '', label: t('form.choose') }] : []),
    ...orgs.map((o) => ({ value: String(o.id), label: o.name })),
  ], orgs.length === 1 ? String(orgs[0].id) : '');
  errors.register('organisation_id', org, t('join.organisation'));
  const form = personForm({
    prefix: 'join',
    sections: ['about', 'contact', 'needs', 'availability', 'interests', 'consents'],
    consent: { texts, by: 'self' },
    errors,
  });
  const submit = h('button', { type: 'submit', class: 'button', id: 'join-submit' }, t('join.submit'));
  const box = h('div', { id: 'join-box' });

  function done(data, body) {
    if (data.status === 'check_email') {
      // The same answer whether the address was known or not: the way in
      // (or, for a known address, a note to its owner) goes by email.
      const sent = h('h2', { tabindex: '-1', id: 'join-done' }, t('join.checkTitle'));
      box.replaceChildren(
        sent,
        h('p', { id: 'join-check' }, t('join.checkText', { email: body.email })),
        h('p', { class: 'hint' }, t('join.checkHint')),
        h('p', {}, h('a', { href: '#/login' }, t('forgot.back'))));
      sent.focus();
      return;
    }
    const heading = h('h2', { tabindex: '-1', id: 'join-done' }, t('join.doneTitle', { name: body.preferred_name || body.name }));
    box.replaceChildren(
      heading,
      h('p', {}, t('join.doneText')),
      h('div', { class: 'code-box' },
        h('p', { class: 'code-label' }, t('join.codeLabel')),
        h('p', { class: 'code', id: 'join-code' }, grouped(data.account_code)),
        h('p', {}, t('code.valid', { days: data.valid_days }))),
      h('h2', {}, t('claim.title')),
      h('p', {}, t('join.claimIntro')),
      claimForm(ctx, { code: data.account_code, email: body.email }));
    heading.focus();
  }

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (!org.value) return errors.show({ message: t('join.pickOrganisation'), path: 'organisation_id' });
    const body = form.collect();
    if (!body) return undefined;
    body.organisation_id = Number(org.value);
    body.form_token = token;
    return busy(submit, t('join.working'), async () => {
      try {
        const data = await register(body);
        done(data, body);
      } catch (err) {
        errors.showApiError(err);
        // An expired form gets a fresh token, so sending again works.
        if (err.problem?.field === 'form_token') {
          try {
            token = (await registrationForm()).form_token;
          } catch {
            // The message already asks them to reload.
          }
        }
      }
    });
  }

  box.append(
    h('form', { id: 'join-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      errors.box,
      h('fieldset', { class: 'section' },
        h('legend', {}, t('join.where')),
        field(t('join.organisation'), org, { required: true, hint: t('join.organisationHint') })),
      form.node,
      submit));
  return page(t('join.title'),
    h('p', { class: 'lede' }, t('join.intro')),
    h('p', {}, t('join.haveCode'), ' ', h('a', { href: '#/claim', id: 'join-claim-link' }, t('join.haveCodeLink'))),
    box);
}
