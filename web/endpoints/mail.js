// Email: my message preferences, one-click unsubscribe (the page an
// emailed link opens) and the admins' outbox. One function per endpoint.

import { api, ApiError } from '../lib/api.js';

export function myMessagePreferences() {
  return api('/me/message-preferences');
}

// prefs: {lang, time_zone, quiet_hours: {start, end} | null, kinds: [{kind, email}]}
export function setMyMessagePreferences(prefs) {
  return api('/me/message-preferences', { method: 'PUT', body: prefs });
}

// What an unsubscribe link would do: {kind, done: false}.
export function unsubscribeInfo(token) {
  return api(`/unsubscribe?t=${encodeURIComponent(token)}`);
}

export function unsubscribe(token) {
  return api(`/unsubscribe?t=${encodeURIComponent(token)}`, { method: 'POST' });
}

// One page of the outbox, newest first; state filters, cursor is the
// next_cursor of the page before.
export function listOutbox({ state = '', limit = 50, cursor = null } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (state) q.set('state', state);
  if (cursor) q.set('cursor', String(cursor));
  return api(`/outbox?${q}`);
}

export function retryOutboxMessage(id) {
  return api(`/outbox/${encodeURIComponent(id)}/retry`, { method: 'POST' });
}

export function sendTestMessage() {
  return api('/outbox/test', { method: 'POST' });
}

// The email a message sends, as text (RFC 5322).
export async function outboxEmail(id) {
  let res;
  try {
    res = await fetch(`/api/v1/outbox/${encodeURIComponent(id)}/email`, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, {});
  }
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
  return res.text();
}
