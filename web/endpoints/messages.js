// My inbox and my live events. One function per endpoint of
// /api/v1/me/messages; the event stream's address for lib/events.js.

import { api } from '../lib/api.js';

// The Server-Sent Events stream (opened by lib/events.js, not fetched).
export const eventsUrl = '/api/v1/events';

export function myMessages({ limit = 50, cursor = null } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set('cursor', String(cursor));
  return api(`/me/messages?${q}`);
}

export function myUnreadCount() {
  return api('/me/messages/unread');
}

export function markMessageRead(id) {
  return api(`/me/messages/${encodeURIComponent(id)}/read`, { method: 'POST' });
}

export function markAllMessagesRead() {
  return api('/me/messages/read-all', { method: 'POST' });
}
