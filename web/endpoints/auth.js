// Logging in and out, who I am, and what the server lets the UI offer.
// One function per endpoint of /api/v1/auth and /api/v1/meta.

import { api } from '../lib/api.js';

export function logIn(email, password) {
  return api('/auth/login', { method: 'POST', body: { email, password } });
}

export function logOut() {
  return api('/auth/logout', { method: 'POST' });
}

// Forgot password: the same answer whether an account uses email or not.
export function requestPasswordReset(email) {
  return api('/auth/password-reset', { method: 'POST', body: { email } });
}

// A reset link's token and the new password.
export function resetPassword(token, password) {
  return api('/auth/password-reset/complete', { method: 'POST', body: { token, password } });
}

export function currentUser() {
  return api('/auth/me');
}

// Who is signed in, if anyone: 200 either way ({authenticated: false} for a
// visitor), so a signed-out page load makes no failed request.
export function currentSession() {
  return api('/auth/session');
}

export function getMeta() {
  return api('/meta');
}
