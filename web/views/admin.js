// Admin pages: users, organisations, the audit log and API tokens (read
// only), and the queue of erasure requests (approve or refuse).
// The server checks the admin role on every request; a refusal shows its
// problem detail in an alert.

import { ApiError } from '../lib/api.js';
import {
  approveErasure, listAudit, listErasureRequests, listOrganisations, listTokens, listUsers, rejectErasure,
  setOrganisationCountry,
} from '../endpoints/admin.js';
import { dataTable, h, tableRow } from '../lib/dom.js';
import { formatDateTime, has, language, t } from '../lib/i18n.js';
import { roleLabel } from '../lib/labels.js';
import { busy, field, FormErrors, textarea } from '../components/forms.js';

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
async function lookup(load, name) {
  try {
    const data = await load();
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
  const { items } = await listUsers();
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

// A country's name in the UI language (the browser knows every ISO code).
function countryName(code) {
  try {
    return new Intl.DisplayNames([language()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

function countryState(o) {
  if (!o.country) return t('organisations.countryDefault');
  const country = countryName(o.country);
  return t(o.crisis_lines ? 'organisations.countryLines' : 'organisations.countryNoLines', { country });
}

// The organisation's country for "Get help now": a two-letter code, saved
// with PATCH; empty means the deployment's default.
function countryForm(o, ctx) {
  const id = `org-country-${o.id}`;
  const state = h('span', { id: `${id}-state`, class: 'hint' }, countryState(o));
  const code = h('input', {
    id, name: 'country', value: o.country ?? '', maxlength: '2', size: '3',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': state.id,
  });
  const save = h('button', { type: 'submit', class: 'button button-quiet' }, t('organisations.save'));
  const form = h('form', { class: 'org-country', novalidate: true },
    h('label', { for: id, class: 'visually-hidden' }, t('organisations.countryFor', { name: o.name })),
    code, ' ', save, ' ', state);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const res = await setOrganisationCountry(o.id, code.value.trim());
      code.value = res.country ?? '';
      code.removeAttribute('aria-invalid');
      state.textContent = countryState(res);
      ctx.announce(t('organisations.countrySaved', { name: o.name }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      code.setAttribute('aria-invalid', 'true');
      state.textContent = err instanceof ApiError && err.detail ? err.detail : t('error.generic');
      ctx.announce(state.textContent);
    }
    save.disabled = false;
  });
  return form;
}

export async function organisationsView(ctx) {
  const { items } = await listOrganisations();
  const columns = [
    { label: t('organisations.name'), cell: (o) => o.name },
    { label: t('organisations.kind'), cell: (o) => kindLabel(o.kind) },
    { label: t('organisations.country'), cell: (o) => countryForm(o, ctx) },
  ];
  return page('nav.organisations', 'organisations.intro',
    table('organisations-table', 'organisations.caption', columns, items));
}

export async function auditView(ctx) {
  const [first, users, orgs] = await Promise.all([
    listAudit({ limit: AUDIT_PAGE }),
    lookup(listUsers, (u) => u.display_name || u.email),
    lookup(listOrganisations, (o) => o.name),
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
      const next = await listAudit({ limit: AUDIT_PAGE, afterId: after });
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
  const [{ items }, orgs] = await Promise.all([listTokens(), lookup(listOrganisations, (o) => o.name)]);
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

// The erasure queue: people who asked for their record to be erased. An
// admin approves (the record is crypto-shredded at once) or refuses with a
// reason the person reads on their data page. Decided requests are listed
// below for reference.
export async function erasureRequestsView(ctx) {
  const [{ items }, orgs] = await Promise.all([listErasureRequests(), lookup(listOrganisations, (o) => o.name)]);
  const pending = items.filter((x) => x.status === 'pending');
  const decided = items.filter((x) => x.status !== 'pending').reverse();
  const status = h('p', { role: 'status', id: 'erasure-queue-status', class: 'save-status' });
  const orgNames = (x) => (x.organisation_ids || []).map((id) => named(orgs, id)).join(', ') || t('common.none');
  const personLink = (x) => (x.erased
    ? t('erasureQueue.erasedPerson', { id: x.participant_id })
    : h('a', { href: `#/people/${x.participant_id}` }, t('erasureQueue.person', { id: x.participant_id })));

  function actions(x) {
    const box = h('div', { class: 'actions' });
    const errors = new FormErrors(`erasure-${x.id}`);
    const approve = h('button', { type: 'button', class: 'button button-danger', id: `erasure-approve-${x.id}` },
      t('erasureQueue.approve'));
    const reasonId = `erasure-reason-${x.id}`;
    const reason = textarea(reasonId, '', { rows: 2, maxlength: 500 });
    const reject = h('button', { type: 'button', class: 'button button-quiet', id: `erasure-reject-${x.id}` },
      t('erasureQueue.reject'));
    errors.register('reason', reason, t('erasureQueue.reason'));
    const done = (key) => {
      box.replaceChildren(h('p', {}, t(key)));
      status.textContent = t(key);
    };
    approve.addEventListener('click', () => {
      // Final: ask once more, in words, before shredding the record.
      if (approve.dataset.armed !== '1') {
        approve.dataset.armed = '1';
        approve.textContent = t('erasureQueue.approveConfirm');
        return;
      }
      busy(approve, t('form.saving'), async () => {
        errors.clear();
        try {
          await approveErasure(x.id);
          done('erasureQueue.approved');
        } catch (err) {
          if (!errors.showApiError(err)) ctx.sessionExpired();
        }
      });
    });
    reject.addEventListener('click', () => busy(reject, t('form.saving'), async () => {
      errors.clear();
      try {
        await rejectErasure(x.id, reason.value.trim());
        done('erasureQueue.rejected');
      } catch (err) {
        if (!errors.showApiError(err)) ctx.sessionExpired();
      }
    }));
    box.append(errors.box, approve,
      field(t('erasureQueue.reason'), reason, { hint: t('erasureQueue.reasonHint') }), reject);
    return box;
  }

  const columns = [
    { label: t('erasureQueue.requested'), cell: (x) => formatDateTime(x.requested_at) },
    { label: t('erasureQueue.who'), cell: personLink },
    { label: t('erasureQueue.organisations'), cell: orgNames },
    { label: t('erasureQueue.decide'), cell: actions },
  ];
  const decidedColumns = [
    { label: t('erasureQueue.requested'), cell: (x) => formatDateTime(x.requested_at) },
    { label: t('erasureQueue.who'), cell: personLink },
    { label: t('erasureQueue.status'), cell: (x) => t(`erasureQueue.status.${x.status}`) },
    { label: t('erasureQueue.decided'), cell: (x) => (x.decided_at ? formatDateTime(x.decided_at) : t('common.none')) },
  ];
  return page('nav.erasureRequests', 'erasureQueue.intro',
    status,
    table('erasure-pending', 'erasureQueue.pendingCaption', columns, pending),
    table('erasure-decided', 'erasureQueue.decidedCaption', decidedColumns, decided));
}
