// Public pages reached from the one-time links Hearth emails: "Forgot your
// password?" (asks for a link; the answer is the same whether an account
// uses the address or not), the reset page (#/reset-password?t=...) and the
// invitation page (#/set-password?t=...), where a person invited by the team
// chooses a password and gets their login. The token stays in the address
// bar only until the page has read it.

import { requestPasswordReset, resetPassword } from '../endpoints/auth.js';
import { acceptInvite } from '../endpoints/register.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { busy, field, FormErrors, input } from '../components/forms.js';

function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page narrow-form' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

// The link's token from "#/path?t=...", then removed from the address bar
// (and so from the history), where it could be read over a shoulder.
function linkToken(path) {
  const query = location.hash.split('?')[1] || '';
  const token = new URLSearchParams(query).get('t') || '';
  if (token) history.replaceState(null, '', `#${path}`);
  return token;
}

export async function forgotPasswordView() {
  const errors = new FormErrors('forgot');
  const email = input('forgot-email', { type: 'email', autocomplete: 'username', spellcheck: 'false' });
  errors.register('email', email, t('forgot.email'));
  const submit = h('button', { type: 'submit', class: 'button', id: 'forgot-submit' }, t('forgot.submit'));
  const box = h('div', { id: 'forgot-box' });

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (!email.value.trim()) return errors.show({ message: t('forgot.error.email'), path: 'email' });
    return busy(submit, t('forgot.working'), async () => {
      try {
        await requestPasswordReset(email.value.trim());
        const heading = h('h2', { tabindex: '-1', id: 'forgot-done' }, t('forgot.doneTitle'));
        box.replaceChildren(heading, h('p', {}, t('forgot.doneText')),
          h('p', {}, h('a', { href: '#/login' }, t('forgot.back'))));
        heading.focus();
      } catch (err) {
        errors.showApiError(err);
      }
    });
  }

  box.append(h('form', { id: 'forgot-form', class: 'form', novalidate: true, onsubmit: onSubmit },
    errors.box,
    field(t('forgot.email'), email, { required: true }),
    submit));
  return page(t('forgot.title'), h('p', { class: 'lede' }, t('forgot.intro')), box);
}

// A new password, twice, sent with the link's token by send(token, password).
function passwordForm(ctx, { prefix, token, send, done }) {
  const errors = new FormErrors(prefix);
  const password = input(`${prefix}-password`, { type: 'password', autocomplete: 'new-password' });
  const again = input(`${prefix}-again`, { type: 'password', autocomplete: 'new-password' });
  errors.register('password', password, t('claim.password'));
  errors.register('again', again, t('claim.again'));
  const submit = h('button', { type: 'submit', class: 'button', id: `${prefix}-submit` }, t(`${prefix}.submit`));

  async function onSubmit(event) {
    event.preventDefault();
    errors.clear();
    if (password.value.length < 12) return errors.show({ message: t('claim.error.short'), path: 'password' });
    if (password.value !== again.value) return errors.show({ message: t('claim.error.mismatch'), path: 'again' });
    return busy(submit, t('claim.working'), async () => {
      try {
        await send(token, password.value);
        password.value = '';
        again.value = '';
        ctx.announceAfterNavigation(t(done));
        ctx.navigate('/login');
      } catch (err) {
        password.value = '';
        again.value = '';
        errors.showApiError(err);
      }
    });
  }

  return h('form', { id: `${prefix}-form`, class: 'form', novalidate: true, onsubmit: onSubmit },
    errors.box,
    field(t('claim.password'), password, { required: true, hint: t('claim.passwordHint') }),
    field(t('claim.again'), again, { required: true }),
    submit);
}

function noLink(title) {
  return page(title,
    h('div', { class: 'alert', role: 'alert', id: 'link-missing' }, h('p', {}, t('link.missing'))),
    h('p', {}, h('a', { href: '#/forgot-password' }, t('login.forgot'))));
}

export async function resetPasswordView(ctx) {
  const token = linkToken('/reset-password');
  if (!token) return noLink(t('reset.title'));
  return page(t('reset.title'),
    h('p', { class: 'lede' }, t('reset.intro')),
    passwordForm(ctx, { prefix: 'reset', token, send: resetPassword, done: 'reset.done' }),
    h('p', { class: 'hint' }, h('a', { href: '#/forgot-password' }, t('reset.again'))));
}

export async function setPasswordView(ctx) {
  const token = linkToken('/set-password');
  if (!token) return noLink(t('invite.title'));
  return page(t('invite.title'),
    h('p', { class: 'lede' }, t('invite.intro')),
    passwordForm(ctx, { prefix: 'invite', token, send: acceptInvite, done: 'claim.done' }),
    h('p', { class: 'hint' }, t('invite.code'), ' ', h('a', { href: '#/claim' }, t('login.claim'))));
}
