// Sign-in page: an email + password form. Errors appear in a role="alert"
// box that takes focus, so keyboard and screen-reader users notice them.

import { ApiError } from '../lib/api.js';
import { logIn } from '../endpoints/auth.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

// The email typed so far survives a re-render (e.g. a language switch).
// The password is never kept outside its field.
let draftEmail = '';

// Fills the email field the next time the page shows (after creating a login).
export function setLoginEmail(email) {
  draftEmail = email || '';
}

function errorMessages(err) {
  if (!(err instanceof ApiError)) return [t('error.generic')];
  if (err.status === 0) return [t('error.network')];
  if (err.status === 401) return [t('login.error.invalid'), err.detail];
  if (err.status === 429) {
    const seconds = Number(err.problem.retry_after);
    const minutes = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds / 60) : null;
    return [minutes ? t('login.error.lockedFor', { minutes }) : t('login.error.locked'), err.detail];
  }
  return [t('error.generic'), err.detail];
}

export async function loginView(ctx) {
  const alertBox = h('div', { id: 'login-error', class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  const email = h('input', {
    id: 'login-email', name: 'email', type: 'email', autocomplete: 'username',
    required: true, spellcheck: 'false', value: draftEmail,
    oninput: () => { draftEmail = email.value; },
  });
  const password = h('input', {
    id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const submit = h('button', { id: 'login-submit', type: 'submit', class: 'button' }, t('login.submit'));

  function showError(lines) {
    alertBox.replaceChildren(...lines.filter(Boolean).map((line) => h('p', {}, line)));
    alertBox.hidden = false;
    for (const field of [email, password]) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', 'login-error');
    }
    alertBox.focus();
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (!email.value.trim() || !password.value) {
      showError([t('login.error.missing')]);
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.submitting');
    try {
      const data = await logIn(email.value.trim(), password.value);
      draftEmail = '';
      ctx.signIn(data);
    } catch (err) {
      if (!(err instanceof ApiError)) console.error(err);
      password.value = '';
      submit.disabled = false;
      submit.textContent = t('login.submit');
      showError(errorMessages(err));
    }
  }

  const node = h('div', { class: 'narrow' },
    h('h1', { tabindex: '-1' }, t('login.title')),
    // What Hearth is and for whom, before anything is asked of a visitor.
    h('div', { class: 'about', id: 'login-about' },
      h('p', { class: 'lede' }, t('login.about')),
      h('p', {}, t('login.forWhom'))),
    h('p', {}, t('login.intro')),
    alertBox,
    h('form', { id: 'login-form', class: 'form', novalidate: true, onsubmit: onSubmit },
      h('div', { class: 'field' }, h('label', { for: 'login-email' }, t('login.email')), email),
      h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), password),
      submit),
    h('p', {}, h('a', { href: '#/forgot-password', id: 'forgot-link' }, t('login.forgot'))),
    h('div', { class: 'join-box' },
      h('h2', {}, t('login.newHere')),
      h('p', {}, h('a', { href: '#/join', id: 'join-link', class: 'button button-quiet' }, t('login.join'))),
      h('p', {}, t('login.haveCode'), ' ', h('a', { href: '#/claim', id: 'claim-link' }, t('login.claim'))),
      h('p', { class: 'hint' }, t('login.noAccount'))));
  return { title: t('login.title'), node };
}
