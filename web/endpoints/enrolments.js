// One enrolment: cancel it, or answer an offered place. One function per
// endpoint of /api/v1/enrolments.

import { api } from '../lib/api.js';

export function cancelEnrolment(id) {
  return api(`/enrolments/${id}`, { method: 'DELETE' });
}

export function acceptOffer(id) {
  return api(`/enrolments/${id}/accept`, { method: 'POST' });
}

export function declineOffer(id) {
  return api(`/enrolments/${id}/decline`, { method: 'POST' });
}
