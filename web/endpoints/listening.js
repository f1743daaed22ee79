// Listening rounds, their answers, themes and votes, and "you said, we
// did" decisions. One function per endpoint.

import { api } from '../lib/api.js';

export function listRounds() {
  return api('/listening-rounds');
}

export function openRound(body) {
  return api('/listening-rounds', { method: 'POST', body });
}

export function getRound(id) {
  return api(`/listening-rounds/${id}`);
}

export function updateRound(id, changes) {
  return api(`/listening-rounds/${id}`, { method: 'PATCH', body: changes });
}

export function answerRound(id, body) {
  return api(`/listening-rounds/${id}/responses`, { method: 'POST', body });
}

export function roundAnswers(id) {
  return api(`/listening-rounds/${id}/responses`);
}

export function roundThemes(id) {
  return api(`/listening-rounds/${id}/themes`);
}

export function proposeTheme(id, body) {
  return api(`/listening-rounds/${id}/themes`, { method: 'POST', body });
}

export function voteFor(roundId, themeId) {
  return api(`/listening-rounds/${roundId}/vote`, { method: 'PUT', body: { theme_id: themeId } });
}

export function takeVoteBack(roundId) {
  return api(`/listening-rounds/${roundId}/vote`, { method: 'DELETE' });
}

export function updateTheme(id, changes) {
  return api(`/themes/${id}`, { method: 'PATCH', body: changes });
}

export function listDecisions() {
  return api('/decisions');
}

export function recordDecision(body) {
  return api('/decisions', { method: 'POST', body });
}
