// DOM helpers for the views. Elements are built with createElement and text
// nodes, never innerHTML, so data from the server is always shown as text.
// (The CSP also forbids inline styles and handlers, so none are set here.)

// h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let nextId = 0;

// A page-unique id for aria-labelledby and friends.
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A read-only data table inside a scrollable, keyboard-focusable region so
// that wide tables still work on a 320px screen. With no rows it shows one
// row saying so (emptyText).
// columns: [{label, cell: row => string|Node}]
export function dataTable({ id, caption, columns, rows, emptyText }) {
  const captionId = uid('caption');
  const table = h('table', { id, class: 'data-table' },
    h('caption', { id: captionId }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, rows.length
      ? rows.map((row) => tableRow(columns, row))
      : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, emptyText))));
  return h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' }, table);
}

// One <tr> for dataTable's columns; exported so "load more" can append rows.
export function tableRow(columns, row) {
  return h('tr', {}, columns.map((c) => h('td', {}, c.cell(row))));
}
