// Programmes, their sessions, enrolments, supports and feeds, and venues.
// One function per endpoint.

import { api } from '../lib/api.js';

export function listProgrammes() {
  return api('/programmes');
}

export function createProgramme(body) {
  return api('/programmes', { method: 'POST', body });
}

export function getProgramme(id) {
  return api(`/programmes/${id}`);
}

export function updateProgramme(id, changes) {
  return api(`/programmes/${id}`, { method: 'PATCH', body: changes });
}

export function publishProgramme(id) {
  return api(`/programmes/${id}/publish`, { method: 'POST' });
}

export function programmeSessions(id) {
  return api(`/programmes/${id}/sessions`);
}

export function addProgrammeSession(id, body) {
  return api(`/programmes/${id}/sessions`, { method: 'POST', body });
}

export function programmeRotation(id) {
  return api(`/programmes/${id}/rotation`);
}

export function programmeEnrolments(id) {
  return api(`/programmes/${id}/enrolments`);
}

/** The address of the programme's enrolments as a CSV download (a link, not a call). */
export function programmeEnrolmentsCsvUrl(id) {
  return `/api/v1/programmes/${id}/enrolments.csv`;
}

export function enrolInProgramme(id, body) {
  return api(`/programmes/${id}/enrolments`, { method: 'POST', body });
}

export function programmeSupports(id) {
  return api(`/programmes/${id}/supports`);
}

export function programmeSupportsLedger(id) {
  return api(`/programmes/${id}/supports/ledger`);
}

export function requestSupport(id, body) {
  return api(`/programmes/${id}/supports`, { method: 'POST', body });
}

export function updateSupport(id, changes) {
  return api(`/supports/${id}`, { method: 'PATCH', body: changes });
}

export function newProgrammeCalendarAddress(id) {
  return api(`/programmes/${id}/calendar`, { method: 'POST' });
}

export function listVenues() {
  return api('/venues');
}

export function getVenue(id) {
  return api(`/venues/${id}`);
}

export function createVenue(body) {
  return api('/venues', { method: 'POST', body });
}

export function updateVenue(id, changes) {
  return api(`/venues/${id}`, { method: 'PATCH', body: changes });
}
