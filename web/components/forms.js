// Form building blocks shared by the views: labelled inputs, checkbox and
// radio groups, and FormErrors, which shows a problem+json answer (or a
// check made here) in a role="alert" box and marks the named field
// aria-invalid with aria-describedby pointing at the message.

import { ApiError } from '../lib/api.js';
import { h, uid } from '../lib/dom.js';
import { language, t } from '../lib/i18n.js';
import { formNotSent } from '../lib/keep.js';

// Adds an id to an element's aria-describedby list (once).
export function describe(el, id) {
  const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  if (!ids.includes(id)) ids.push(id);
  el.setAttribute('aria-describedby', ids.join(' '));
}

function undescribe(el, id) {
  const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== id);
  if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
  else el.removeAttribute('aria-describedby');
}

// The text after a label: "(required)" for the few fields that must be filled.
function requiredMark(required) {
  return required ? h('span', { class: 'required' }, ` ${t('form.required')}`) : null;
}

// <input> (or <textarea>/<select> passed as control) with its label and hint.
export function field(label, control, { hint = null, required = false } = {}) {
  let hintNode = null;
  if (hint) {
    const hintId = `${control.id}-hint`;
    hintNode = h('p', { id: hintId, class: 'hint' }, hint);
    describe(control, hintId);
  }
  if (required) {
    control.required = true;
    control.setAttribute('aria-required', 'true');
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label, requiredMark(required)), hintNode, control);
}

export function input(id, attrs = {}) {
  return h('input', { id, name: id, type: 'text', ...attrs, value: attrs.value ?? '' });
}

export function textarea(id, value = '', attrs = {}) {
  const el = h('textarea', { id, name: id, rows: 4, ...attrs });
  el.value = value ?? '';
  return el;
}

// options: [{value, label}]; value: the selected one.
export function select(id, options, value = '') {
  const el = h('select', { id, name: id },
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  el.value = value ?? '';
  return el;
}

// A <fieldset> of checkboxes. get() gives the checked values; first is the
// element to mark when the server names the whole group.
export function checkboxGroup({ legend, hint = null, name, options, values = [] }) {
  const base = uid(name);
  const hintId = hint ? `${base}-hint` : null;
  const boxes = options.map((o, i) => h('input', {
    type: 'checkbox', id: `${base}-${i}`, name: base, value: o.value, checked: values.includes(o.value),
  }));
  const node = h('fieldset', { class: 'group', 'aria-describedby': hintId },
    h('legend', {}, legend),
    hint && h('p', { id: hintId, class: 'hint' }, hint),
    h('ul', { class: 'choices' }, options.map((o, i) => h('li', {},
      h('div', { class: 'choice' }, boxes[i], h('label', { for: boxes[i].id }, o.label))))));
  return {
    node,
    first: boxes[0],
    boxes,
    get: () => boxes.filter((b) => b.checked).map((b) => b.value),
  };
}

// A <fieldset> of radio buttons. get() gives the chosen value or ''.
export function radioGroup({ legend, hint = null, name, options, value = '', required = false }) {
  const base = uid(name);
  const hintId = hint ? `${base}-hint` : null;
  const radios = options.map((o, i) => h('input', {
    type: 'radio', id: `${base}-${i}`, name: base, value: o.value, checked: o.value === value,
  }));
  const node = h('fieldset', { class: 'group', 'aria-describedby': hintId },
    h('legend', {}, legend, requiredMark(required)),
    hint && h('p', { id: hintId, class: 'hint' }, hint),
    h('ul', { class: 'choices' }, options.map((o, i) => h('li', {},
      h('div', { class: 'choice' }, radios[i], h('label', { for: radios[i].id }, o.label))))));
  return {
    node,
    first: radios[0],
    radios,
    get: () => radios.find((r) => r.checked)?.value ?? '',
    set: (v) => { for (const r of radios) r.checked = r.value === v; },
  };
}

// Trimmed value of an input, '' when empty.
export function value(el) {
  return el.value.trim();
}

// Known problems that deserve a sentence of their own, in the UI language,
// by "status field". The server's detail is shown under it.
const KNOWN = {
  '409 email': 'form.error.emailTaken',
  '429 email': 'form.error.tooManyEmailChanges',
  '429 form_token': 'form.error.tooFast',
  '400 form_token': 'form.error.expired',
  '400 code': 'form.error.badCode',
  '409 code': 'form.error.codeUsed',
  '400 token': 'link.error.bad',
  '409 token': 'link.error.hasLogin',
};

// Shows errors for one form. register(path, element, label) names the
// element for a field path the API may return ("email",
// "emergency_contact.phone", "availability[2]", "consents[0].guardian_name").
export class FormErrors {
  constructor(prefix) {
    this.id = `${prefix}-error`;
    this.box = h('div', { id: this.id, class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
    this.fields = new Map();
    this.marked = [];
  }

  register(path, el, label) {
    this.fields.set(path, { el, label });
  }

  // The registered field for a path: exact, then with indices as [], then
  // the parent paths ("needs.mobility" -> "needs").
  find(path) {
    if (!path) return null;
    const tries = [path, path.replace(/\[\d+\]/g, '[]')];
    let p = path;
    while (/[.[]/.test(p)) {
      p = p.replace(/(\.[^.[]*|\[\d*\])$/, '');
      tries.push(p, p.replace(/\[\d+\]/g, '[]'));
    }
    for (const key of tries) if (this.fields.has(key)) return this.fields.get(key);
    return null;
  }

  clear() {
    this.box.hidden = true;
    this.box.replaceChildren();
    for (const el of this.marked) {
      el.removeAttribute('aria-invalid');
      undescribe(el, `${this.id}-msg`);
    }
    this.marked = [];
  }

  // message: in the UI language; detail: the server's words (English);
  // path: the field to mark.
  show({ message, detail = null, path = null }) {
    this.clear();
    const target = this.find(path);
    // Not sent after all: what is typed there is unsaved again (lib/keep.js).
    formNotSent(this.box.closest('form') || target?.el.form);
    const msgId = `${this.id}-msg`;
    const lines = [h('p', { id: msgId, class: 'alert-lead' }, message,
      detail && h('span', { class: 'alert-detail', lang: 'en' }, ` ${detail}`))];
    if (detail && language() === 'en') lines[0].lastChild.removeAttribute('lang');
    if (target) {
      target.el.setAttribute('aria-invalid', 'true');
      describe(target.el, msgId);
      this.marked.push(target.el);
      const jump = h('a', { href: `#${target.el.id}`, class: 'alert-jump' }, t('form.error.goTo', { field: target.label }));
      jump.addEventListener('click', (event) => {
        event.preventDefault(); // a bare #id would look like a route change
        target.el.focus();
      });
      lines.push(h('p', {}, jump));
    }
    this.box.replaceChildren(...lines);
    this.box.hidden = false;
    this.box.focus();
  }

  // Shows an error thrown by api(). Returns false for a 401 (the caller
  // should end the session) and true otherwise.
  showApiError(err) {
    if (!(err instanceof ApiError)) {
      console.error(err);
      this.show({ message: t('error.generic') });
      return true;
    }
    if (err.status === 401) return false;
    if (err.status === 0) {
      this.show({ message: t('error.network') });
      return true;
    }
    const path = typeof err.problem.field === 'string' ? err.problem.field : null;
    const known = KNOWN[`${err.status} ${path}`];
    const target = this.find(path);
    let message;
    if (known) message = t(known);
    else if (err.status === 503) message = t('error.unavailable');
    else if (target) message = t('form.error.check', { field: target.label });
    else message = t('form.error.notSaved');
    this.show({ message, detail: err.detail, path });
    return true;
  }
}

// A disabled button loses the focus to the page; give it back when nothing
// else took it meanwhile (an error box, a new page).
export function giveFocusBack(button, hadFocus) {
  const active = document.activeElement;
  if (hadFocus && button.isConnected && !button.disabled && (!active || active === document.body)) button.focus();
}

// Disables a submit button while work runs, with a "Saving…" label.
export async function busy(button, busyText, work) {
  const label = button.textContent;
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  button.textContent = busyText;
  try {
    return await work();
  } finally {
    button.disabled = false;
    // The work may have relabelled the button (a toggle); keep that.
    if (button.textContent === busyText) button.textContent = label;
    giveFocusBack(button, hadFocus);
  }
}
