// My own record: profile, consents, erasure, enrolments, supports, the
// sessions that fit me, duties and calendar feeds. One function per endpoint
// of /api/v1/me.

import { api } from '../lib/api.js';

export function myProfile() {
  return api('/me/profile');
}

export function updateMyProfile(changes) {
  return api('/me/profile', { method: 'PATCH', body: changes });
}

export function myConsents() {
  return api('/me/consents');
}

export function recordMyConsent(body) {
  return api('/me/consents', { method: 'POST', body });
}

export function requestMyErasure() {
  return api('/me/erasure-request', { method: 'POST' });
}

// Addresses the browser opens itself (downloads), not fetched as JSON.
export const myExportUrl = '/api/v1/me/export';

export function myExportPageUrl(lang) {
  return `/api/v1/me/export.html?lang=${encodeURIComponent(lang)}`;
}

export function myEnrolments() {
  return api('/me/enrolments');
}

export function enrolMe(programmeId) {
  return api('/me/enrolments', { method: 'POST', body: { programme_id: programmeId } });
}

export function askForSupport(body) {
  return api('/me/supports', { method: 'POST', body });
}

export function sessionsThatFitMe() {
  return api('/me/fit');
}

export function mySessions() {
  return api('/me/sessions');
}

export function newMyCalendarAddress() {
  return api('/me/calendar', { method: 'POST' });
}

export function myDuties() {
  return api('/me/duties');
}

export function newMyDutyCalendarAddress() {
  return api('/me/duty-calendar', { method: 'POST' });
}
