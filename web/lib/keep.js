// Nothing typed is lost: what a person has typed or chosen in the page is
// kept when the same page is drawn again (ctx.refresh after an action on
// it, a live event, switching language), and a page with unsaved changes
// asks before the person leaves it.
//
// The shell calls watchTyping(view) once, takeTyping(view) just before it
// replaces the view's content and putTyping(view, kept, path) just after,
// and asks mayLeave(path, question) before following a route change.
//
// A control counts as changed once the person has typed into it or changed
// it (input and change events) and its value differs from what the page
// showed before. Submitting its form ends that (the page drawn after a save
// shows what the server has); an error shown in the form (formNotSent, from
// FormErrors) or typing again brings it back. Controls are matched between
// the old and the new page by id, else by their place: the form (or nearest
// element with an id) they are in, their kind, their value for a checkbox
// or radio button, and how many such came before them there. Controls
// outside a form (filters), search boxes, passwords, files and read-only
// boxes are not kept and never count. A choice in a list whose options
// come later (a picker that loads when its disclosure opens) is put back
// when they come.

const CONTROLS = 'input, textarea, select';

let changed = new Set(); // controls the person changed on the page shown now
let before = new WeakMap(); // control -> its value before the person changed it
let sent = new Map(); // form -> Map(control -> value when the form was sent)
let shownPath = null; // the route of the page shown now

// Only what is in a form counts: a filter beside a table (outside any
// form) redraws the page by itself.
function keepable(el) {
  if (!el?.matches?.(CONTROLS) || !el.form) return false;
  if (['password', 'file', 'hidden', 'search', 'submit', 'button', 'reset', 'image'].includes(el.type)) return false;
  return !el.readOnly && !el.closest('[role="search"]');
}

function state(el) {
  if (el.type === 'checkbox' || el.type === 'radio') return el.checked;
  if (el.tagName === 'SELECT' && el.multiple) return [...el.selectedOptions].map((o) => o.value).join('\n');
  return el.value;
}

function setState(el, v) {
  if (el.type === 'checkbox' || el.type === 'radio') {
    el.checked = v;
  } else if (el.tagName === 'SELECT') {
    const wanted = el.multiple ? String(v).split('\n') : [String(v)];
    if (!el.multiple && ![...el.options].some((o) => o.value === v)) return false;
    for (const o of el.options) o.selected = wanted.includes(o.value);
  } else {
    el.value = v;
  }
  return true;
}

// Has the person changed el, and not sent it since?
function unsaved(el) {
  if (!changed.has(el) || !el.isConnected) return false;
  if (before.has(el) && before.get(el) === state(el)) return false;
  const was = el.form && sent.get(el.form);
  return !(was && was.has(el) && was.get(el) === state(el));
}

// Where el is, in words that stay the same when the page is drawn again.
function keys(root) {
  const out = new Map();
  const seen = new Map();
  for (const el of root.querySelectorAll(CONTROLS)) {
    if (!keepable(el)) continue;
    const scope = el.form?.id || el.parentElement?.closest('[id]')?.id || '';
    const what = el.type === 'checkbox' || el.type === 'radio' ? `${el.type}=${el.value}` : `${el.tagName}:${el.type}`;
    const base = `${scope}|${what}`;
    const n = (seen.get(base) || 0) + 1;
    seen.set(base, n);
    out.set(el, `${base}#${n}`);
  }
  return out;
}

// Listens on the view for what the person changes and sends (once).
export function watchTyping(root) {
  root.addEventListener('focusin', (event) => {
    const el = event.target;
    if (keepable(el) && !changed.has(el) && !before.has(el)) before.set(el, state(el));
  });
  const note = (event) => {
    const el = event.target;
    if (!keepable(el)) return;
    changed.add(el);
    if (el.type === 'radio') {
      // The other buttons of the group changed too.
      for (const r of root.querySelectorAll('input[type="radio"]')) if (r.name === el.name) changed.add(r);
    }
    if (el.form) sent.delete(el.form);
  };
  root.addEventListener('input', note);
  root.addEventListener('change', note);
  root.addEventListener('submit', (event) => {
    const form = event.target;
    sent.set(form, new Map([...form.elements].filter(keepable).map((el) => [el, state(el)])));
  }, true);
}

// An error shown in form: what was sent there is unsaved again.
export function formNotSent(form) {
  if (form) sent.delete(form);
}

// What the person changed and not sent, and where the focus is, to put back
// into the page drawn next for the same route.
export function takeTyping(root) {
  const at = keys(root);
  const items = [];
  for (const [el, key] of at) if (unsaved(el)) items.push({ id: el.id, tag: el.tagName, type: el.type, key, value: state(el) });
  const active = document.activeElement;
  let focus = null;
  if (active && at.has(active)) {
    focus = { id: active.id, tag: active.tagName, type: active.type, key: at.get(active), start: null, end: null };
    try {
      focus.start = active.selectionStart;
      focus.end = active.selectionEnd;
    } catch {
      // not a text box
    }
  }
  return { path: shownPath, items, focus };
}

function find(root, at, item) {
  const byId = item.id ? document.getElementById(item.id) : null;
  if (byId && root.contains(byId) && byId.tagName === item.tag && byId.type === item.type) return byId;
  for (const [el, key] of at) if (key === item.key) return el;
  return null;
}

// Puts back what takeTyping kept if the new page is for the same route.
// Returns where the focus was ({el, start, end}) for focusBack, or null.
export function putTyping(root, kept, path) {
  const same = kept && kept.path === path;
  shownPath = path;
  changed = new Set();
  before = new WeakMap();
  sent = new Map();
  if (!same) return null;
  const at = keys(root);
  const told = [];
  for (const item of kept.items) {
    const el = find(root, at, item);
    if (!el) continue;
    const drawn = state(el);
    if (!setState(el, item.value)) {
      if (el.tagName === 'SELECT') whenOptions(el, item.value, drawn);
      continue;
    }
    before.set(el, drawn);
    changed.add(el);
    told.push(el);
    // A changed control inside a closed disclosure: open it so it shows.
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
  }
  // What the page does when a choice changes (show the fields of a
  // format, the venues of an organisation) it does for the choices put back.
  for (const el of told) {
    if (el.tagName === 'SELECT' || el.type === 'checkbox' || el.type === 'radio') {
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
  const el = kept.focus && find(root, at, kept.focus);
  return el ? { el, start: kept.focus.start, end: kept.focus.end } : null;
}

// Puts value into a <select> once an option for it is there.
function whenOptions(el, v, drawn) {
  const watch = new MutationObserver(() => {
    if (!el.isConnected) {
      watch.disconnect();
    } else if (setState(el, v)) {
      watch.disconnect();
      before.set(el, drawn);
      changed.add(el);
    }
  });
  watch.observe(el, { childList: true, subtree: true });
}

// Focuses what putTyping found, with the caret where it was.
export function focusBack({ el, start, end }) {
  el.focus();
  if (start === null || start === undefined) return;
  try {
    el.setSelectionRange(start, end);
  } catch {
    // not a text box
  }
}

// The control that takes focus after a refresh when the one that had it
// (id) is gone: an element marked data-after="id" (an "Enrol" button that
// became "Cancel my place"), or null.
export function followOn(root, id) {
  if (!id) return null;
  for (const el of root.querySelectorAll('[data-after]')) {
    if (el.getAttribute('data-after').split(/\s+/).includes(id)) return el;
  }
  return null;
}

// Does the page shown now have changes the person has not sent?
export function hasUnsaved() {
  for (const el of changed) if (unsaved(el)) return true;
  return false;
}

// The route of the page shown now.
export function shownRoute() {
  return shownPath;
}

// May the person leave the page shown now for path? Asks (question) when
// the page has unsaved changes.
export function mayLeave(path, question) {
  if (path === shownPath || !hasUnsaved()) return true;
  // eslint-disable-next-line no-alert -- the browser's own dialog, read out and keyboard-usable everywhere
  return window.confirm(question);
}
