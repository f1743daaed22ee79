// Read-only admin pages: users, organisations, the audit log and API tokens.
// The server checks the admin role on every request; a refusal shows its
// problem detail in an alert.

import { api, ApiError } from '../api.js';
import { dataTable, h, tableRow } from '../dom.js';
import { formatDateTime, has, t } from '../i18n.js';
import { roleLabel } from './dashboard.js';

const AUDIT_PAGE = 50;

function page(titleKey, introKey, ...content) {
  return {
    title: t(titleKey),
    node: h('div', {},
      h('h1', { tabindex: '-1' }, t(titleKey)),
      h('p', { class: 'lede' }, t(introKey)),
      ...content),
  };
}

// The page's table: caption from captionKey with the row count filled in.
function table(id, captionKey, columns, rows) {
  return dataTable({ id, caption: t(captionKey, { count: rows.length }), columns, rows, emptyText: t('common.empty') });
}

function kindLabel(kind) {
  return has(`kind.${kind}`) ? t(`kind.${kind}`) : kind;
}

// id -> name lookups for the tables that only carry ids. Best effort: if a
// list can't be read the tables fall back to showing "#id".
async function lookup(path, name) {
  try {
    const data = await api(path);
    return new Map(data.items.map((item) => [item.id, name(item)]));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    return new Map();
  }
}

function named(map, id) {
  if (id === null || id === undefined) return t('common.none');
  return map.get(id) ?? `#${id}`;
}

export async function usersView() {
  const { items } = await api('/users');
  const columns = [
    { label: t('users.name'), cell: (u) => u.display_name || '' },
    { label: t('users.email'), cell: (u) => u.email },
    { label: t('users.status'), cell: (u) => (u.disabled ? t('users.disabled') : t('users.active')) },
    {
      label: t('users.memberships'),
      cell: (u) => ((u.memberships || []).length
        ? h('ul', { class: 'plain' }, u.memberships.map((m) =>
          h('li', {}, t('dashboard.membership', { role: roleLabel(m.role), organisation: m.organisation }))))
        : t('common.none')),
    },
  ];
  return page('nav.users', 'users.intro',
    table('users-table', 'users.caption', columns, items));
}

export async function organisationsView() {
  const { items } = await api('/organisations');
  const columns = [
    { label: t('organisations.name'), cell: (o) => o.name },
    { label: t('organisations.kind'), cell: (o) => kindLabel(o.kind) },
  ];
  return page('nav.organisations', 'organisations.intro',
    table('organisations-table', 'organisations.caption', columns, items));
}

export async function auditView(ctx) {
  const [first, users, orgs] = await Promise.all([
    api(`/audit?limit=${AUDIT_PAGE}`),
    lookup('/users', (u) => u.display_name || u.email),
    lookup('/organisations', (o) => o.name),
  ]);
  const columns = [
    { label: t('audit.at'), cell: (e) => formatDateTime(e.at) },
    { label: t('audit.actor'), cell: (e) => named(users, e.actor_id) },
    { label: t('audit.organisation'), cell: (e) => named(orgs, e.organisation_id) },
    { label: t('audit.action'), cell: (e) => e.action },
    { label: t('audit.resource'), cell: (e) => e.resource ?? '' },
    { label: t('audit.outcome'), cell: (e) => e.outcome },
    { label: t('audit.request'), cell: (e) => h('code', {}, e.request_id ?? '') },
  ];
  const log = table('audit-table', 'audit.caption', columns, first.items);
  const tbody = log.querySelector('tbody');
  let after = first.next_after_id;
  const more = h('button', { type: 'button', class: 'button button-quiet', id: 'audit-more', hidden: after == null },
    t('audit.more'));
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await api(`/audit?limit=${AUDIT_PAGE}&after_id=${encodeURIComponent(after)}`);
      tbody.append(...next.items.map((e) => tableRow(columns, e)));
      after = next.next_after_id;
      more.hidden = after == null;
      ctx.announce(t('audit.loaded', { count: next.items.length }));
    } catch (err) {
      ctx.announce(err instanceof ApiError && err.detail ? err.detail : t('error.generic'));
    }
    more.disabled = false;
  });
  return page('nav.audit', 'audit.intro', log, more);
}

export async function tokensView() {
  const [{ items }, orgs] = await Promise.all([api('/tokens'), lookup('/organisations', (o) => o.name)]);
  const columns = [
    { label: t('tokens.name'), cell: (k) => k.name },
    { label: t('tokens.role'), cell: (k) => roleLabel(k.role) },
    { label: t('tokens.organisation'), cell: (k) => named(orgs, k.organisation_id) },
    { label: t('tokens.created'), cell: (k) => formatDateTime(k.created_at) },
    {
      label: t('tokens.status'),
      cell: (k) => (k.revoked_at ? t('tokens.revoked', { date: formatDateTime(k.revoked_at) }) : t('tokens.active')),
    },
  ];
  return page('nav.tokens', 'tokens.intro',
    table('tokens-table', 'tokens.caption', columns, items));
}
