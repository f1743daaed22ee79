// How a programme is summed up wherever it is listed: its tags (status, art
// form, format, therapeutic) and the places left.

import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { label } from '../lib/labels.js';

// One programme's status, art form and format as tags.
export function programmeTags(p) {
  return h('ul', { class: 'tags' },
    p.status && h('li', { class: `tag-${p.status}` }, label('progStatus', p.status)),
    p.art_form && h('li', {}, label('artForm', p.art_form)),
    p.format && h('li', {}, label('format', p.format)),
    p.therapeutic && h('li', {}, t('prog.therapeutic')));
}

// "8 places left of 12" / "Full: 3 on the waitlist".
export function placesText(p) {
  if (p.places_left === undefined || p.places_left === null) return '';
  if (p.places_left > 0) return t('prog.placesLeft', { n: p.places_left, capacity: p.capacity });
  return t('prog.full', { n: p.waitlisted || 0 });
}
