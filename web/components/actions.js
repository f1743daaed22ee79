// Small forms and one-button actions inside a page, each with its own error
// box that shows the server's answer next to the field it names.

import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { FormErrors, giveFocusBack } from './forms.js';

// A small form inside a page: its own FormErrors, a submit button and a
// handler that shows API errors next to the named field.
// run(body) does the work; return false from collect() to stop.
export function miniForm(ctx, { id, submitText, workingText = t('form.saving'), children, collect, run, errors = null }) {
  const errs = errors || new FormErrors(id);
  const submit = h('button', { type: 'submit', class: 'button', id: `${id}-submit` }, submitText);
  const form = h('form', { id, class: 'form', novalidate: true },
    errs.box, ...children, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errs.clear();
    const body = collect(errs);
    if (body === false || body === null || body === undefined) return;
    const label = submit.textContent;
    const hadFocus = document.activeElement === submit;
    submit.disabled = true;
    submit.textContent = workingText;
    try {
      await run(body, errs);
    } catch (err) {
      if (!errs.showApiError(err)) ctx.sessionExpired();
    } finally {
      submit.disabled = false;
      if (submit.textContent === workingText) submit.textContent = label;
      giveFocusBack(submit, hadFocus);
    }
  });
  return { form, errors: errs, submit };
}

// Checks required text boxes: returns false (and shows the first missing
// one) or true. fields: [[element, path, label]].
export function requireFields(errors, fields) {
  for (const [el, path, labelText] of fields) {
    if (!String(el.value ?? '').trim()) {
      errors.show({ message: t('form.error.missing', { field: labelText }), path });
      return false;
    }
  }
  return true;
}

// A one-button action (publish, cancel a place, reset a link) with its
// own error box. work() returns the status text to announce, or nothing.
export function actionButton(ctx, { id, text, working = t('form.saving'), quiet = false, danger = false, describedBy = null, work }) {
  const errors = new FormErrors(id);
  const cls = `button${quiet ? ' button-quiet' : ''}${danger ? ' button-danger' : ''}`;
  const button = h('button', { type: 'button', class: cls, id, 'aria-describedby': describedBy }, text);
  button.addEventListener('click', async () => {
    errors.clear();
    const label = button.textContent;
    const hadFocus = document.activeElement === button;
    button.disabled = true;
    button.textContent = working;
    try {
      await work(errors);
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    } finally {
      button.disabled = false;
      if (button.textContent === working) button.textContent = label;
      giveFocusBack(button, hadFocus);
    }
  });
  return { button, errors };
}

// Makes a button act as a toggle in a group (aria-pressed), for mark rows.
export function pressed(button, on) {
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
}
