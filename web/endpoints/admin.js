// Administration: users, organisations, API tokens, the audit log and
// erasure requests. One function per endpoint.

import { api } from '../lib/api.js';

export function listUsers() {
  return api('/users');
}

export function listOrganisations() {
  return api('/organisations');
}

export function setOrganisationCountry(id, country) {
  return api(`/organisations/${id}`, { method: 'PATCH', body: { country } });
}

// One page of the audit log, newest first; afterId is the last id of the
// page before.
export function listAudit({ limit, afterId } = {}) {
  const q = new URLSearchParams();
  if (limit !== undefined) q.set('limit', String(limit));
  if (afterId !== undefined && afterId !== null) q.set('after_id', String(afterId));
  const s = q.toString();
  return api(`/audit${s ? `?${s}` : ''}`);
}

export function listTokens() {
  return api('/tokens');
}

export function listErasureRequests() {
  return api('/erasure-requests');
}

export function approveErasure(id) {
  return api(`/erasure-requests/${id}/approve`, { method: 'POST' });
}

export function rejectErasure(id, reason) {
  return api(`/erasure-requests/${id}/reject`, { method: 'POST', body: { reason } });
}
