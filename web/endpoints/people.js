// Participants' records, kept by staff. One function per endpoint of
// /api/v1/participants.

import { api } from '../lib/api.js';

// One page of participants; after is the last id of the page before.
export function listParticipants({ limit, after } = {}) {
  const q = new URLSearchParams();
  if (limit !== undefined) q.set('limit', String(limit));
  if (after !== undefined && after !== null) q.set('after', String(after));
  const s = q.toString();
  return api(`/participants${s ? `?${s}` : ''}`);
}

// Exact search by one of email, phone or name.
export function findParticipants(by, value) {
  return api(`/participants?${encodeURIComponent(by)}=${encodeURIComponent(value)}`);
}

export function createParticipant(body) {
  return api('/participants', { method: 'POST', body });
}

export function getParticipant(id) {
  return api(`/participants/${id}`);
}

export function updateParticipant(id, changes) {
  return api(`/participants/${id}`, { method: 'PATCH', body: changes });
}

export function eraseParticipant(id) {
  return api(`/participants/${id}`, { method: 'DELETE' });
}

export function newAccountCode(id) {
  return api(`/participants/${id}/account-code`, { method: 'POST' });
}

// Emails the person a one-time link to set a password (the code stays the fallback).
export function inviteByEmail(id) {
  return api(`/participants/${id}/invite`, { method: 'POST' });
}

export function participantConsents(id) {
  return api(`/participants/${id}/consents`);
}

export function recordParticipantConsent(id, body) {
  return api(`/participants/${id}/consents`, { method: 'POST', body });
}
