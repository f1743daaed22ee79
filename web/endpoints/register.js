// Joining without an account: self-registration and claiming a login with
// a code. One function per endpoint.

import { api } from '../lib/api.js';

export function registrationForm() {
  return api('/register/form');
}

export function register(body) {
  return api('/register', { method: 'POST', body });
}

export function claimAccount(code, password) {
  return api('/register/claim', { method: 'POST', body: { code, password } });
}

// An invitation link's token and the chosen password: creates the login.
export function acceptInvite(token, password) {
  return api('/register/invite', { method: 'POST', body: { token, password } });
}

// The current plain-language consent texts in lang (en or es).
export function consentTexts(lang) {
  return api(`/consent-texts?lang=${encodeURIComponent(lang)}`);
}
