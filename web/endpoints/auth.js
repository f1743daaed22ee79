// Logging in and out, who I am, and what the server lets the UI offer.
// One function per endpoint of /api/v1/auth and /api/v1/meta.

import { api } from '../lib/api.js';

export function logIn(email, password) {
  return api('/auth/login', { method: 'POST', body: { email, password } });
}

export function logOut() {
  return api('/auth/logout', { method: 'POST' });
}

export function currentUser() {
  return api('/auth/me');
}

export function getMeta() {
  return api('/meta');
}
