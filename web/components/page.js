// The frame of a page and its parts: heading and back link, sections, what
// shows in place of a part that could not be loaded, a disclosure that
// opens a form, and the box that shows a calendar address once.

import { ApiError } from '../lib/api.js';
import { h, uid } from '../lib/dom.js';
import { language, t } from '../lib/i18n.js';
import { field } from './forms.js';

export function page(title, ...content) {
  return {
    title,
    node: h('div', { class: 'page' }, h('h1', { tabindex: '-1' }, title), ...content),
  };
}

export function back(href, text) {
  return h('p', { class: 'back' }, h('a', { href }, text));
}

// <section aria-labelledby> with an h2; id names the section for tests and links.
export function section(heading, { id = null, level = 2 } = {}, ...content) {
  const headingId = id ? `${id}-heading` : uid('sec');
  return h('section', { id, 'aria-labelledby': headingId, class: 'prog-section' },
    h(`h${level}`, { id: headingId }, heading), ...content);
}

// What to show in place of a part that could not be loaded.
export function failed(err, id = null) {
  if (!(err instanceof ApiError)) console.error(err);
  const detail = err instanceof ApiError ? err.detail : null;
  const notYet = err instanceof ApiError && err.status === 501;
  return h('div', { class: 'alert', id },
    h('p', {}, notYet ? t('prog.notYet') : t('prog.partFailed')),
    detail && !notYet && h('p', { class: 'alert-detail', lang: language() === 'en' ? null : 'en' }, detail));
}

// The server's detail in English, marked as such in another UI language.
export function serverWords(text) {
  if (!text) return null;
  return h('span', { class: 'server-words', lang: language() === 'en' ? null : 'en' }, text);
}

// A <details> that opens a form; onOpen runs the first time it opens.
export function disclosure(id, summaryText, content, onOpen = null) {
  let opened = false;
  const node = h('details', { class: 'disclosure', id },
    h('summary', {}, summaryText), h('div', { class: 'disclosure-body' }, content));
  node.addEventListener('toggle', () => {
    if (node.open && !opened && onOpen) {
      opened = true;
      onOpen();
    }
  });
  return node;
}

// A calendar address shown once after it is made, with what to do with it.
export function calendarBox(id, url) {
  const full = new URL(url, location.origin).href;
  const link = h('input', { id: `${id}-url`, type: 'text', readonly: true, value: full, class: 'calendar-url', spellcheck: 'false' });
  link.value = full;
  const heading = h('h3', { tabindex: '-1' }, t('cal.ready'));
  const node = h('div', { class: 'code-box', id },
    heading,
    field(t('cal.address'), link, { hint: t('cal.howTo') }),
    h('p', { class: 'hint' }, t('cal.secret')));
  return { node, heading };
}
