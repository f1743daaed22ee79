// Staff and volunteers: who can be rostered, training records, and
// follow-ups with people who missed sessions. One function per endpoint.

import { api } from '../lib/api.js';

export function listStaff() {
  return api('/staff');
}

export function listTraining() {
  return api('/training');
}

// Training that expires within days, or has expired.
export function expiringTraining(days) {
  return api(`/training/expiring?days=${encodeURIComponent(days)}`);
}

export function recordTraining(body) {
  return api('/training', { method: 'POST', body });
}

export function removeTraining(id) {
  return api(`/training/${id}`, { method: 'DELETE' });
}

export function listFollowups() {
  return api('/followups');
}

export function followupLog() {
  return api('/followups/log');
}

export function recordFollowup(body) {
  return api('/followups', { method: 'POST', body });
}
