// Sessions, their roster and their register. One function per endpoint.

import { api } from '../lib/api.js';

export function getSession(id) {
  return api(`/sessions/${id}`);
}

export function updateSession(id, changes) {
  return api(`/sessions/${id}`, { method: 'PATCH', body: changes });
}

export function sessionRoster(id) {
  return api(`/sessions/${id}/roster`);
}

export function addToRoster(id, body) {
  return api(`/sessions/${id}/roster`, { method: 'POST', body });
}

export function removeFromRoster(rosterId) {
  return api(`/roster/${rosterId}`, { method: 'DELETE' });
}

export function sessionAttendance(id) {
  return api(`/sessions/${id}/attendance`);
}

/** The address of the session's register as a CSV download (a link, not a call). */
export function sessionAttendanceCsvUrl(id) {
  return `/api/v1/sessions/${id}/attendance.csv`;
}

export function markAttendance(id, marks) {
  return api(`/sessions/${id}/attendance`, { method: 'POST', body: { marks } });
}
