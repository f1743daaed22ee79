// Email pages: my message preferences (/me/messages: language, quiet hours,
// which kinds come by email; every message is in the inbox anyway), the
// page an emailed unsubscribe link opens (/unsubscribe?t=...), and the
// admins' outbox (/admin/outbox: messages by state, the error of a failed
// one, retry, the email a message sends, a test message).

import { ApiError } from '../lib/api.js';
import {
  listOutbox, myMessagePreferences, outboxEmail, retryOutboxMessage, sendTestMessage, setMyMessagePreferences,
  unsubscribe, unsubscribeInfo,
} from '../endpoints/mail.js';
import { dataTable, h, tableRow } from '../lib/dom.js';
import { formatDateTime, has, t } from '../lib/i18n.js';
import { languageName } from '../lib/labels.js';
import { zoneNames } from '../lib/time.js';
import { field, input, select } from '../components/forms.js';
import { actionButton, miniForm } from '../components/actions.js';
import { failed, page, section, serverWords } from '../components/page.js';

const STATES = ['queued', 'sending', 'sent', 'failed', 'none', 'cancelled'];

function kindName(kind) {
  return has(`mailkind.${kind}`) ? t(`mailkind.${kind}`) : `[${kind}]`;
}

// --- my message preferences ---

export async function messagePrefsView(ctx) {
  let prefs;
  try {
    prefs = await myMessagePreferences();
  } catch (err) {
    return page(t('mailprefs.title'), failed(err, 'mailprefs-failed'));
  }
  const lang = select('mailprefs-lang', ['en', 'es'].map((c) => ({ value: c, label: languageName(c) })), prefs.lang);
  const zone = select('mailprefs-zone', zoneNames().map((z) => ({ value: z, label: z })), prefs.time_zone);
  const start = input('mailprefs-quiet-start', { type: 'time', value: prefs.quiet_hours?.start ?? '' });
  const end = input('mailprefs-quiet-end', { type: 'time', value: prefs.quiet_hours?.end ?? '' });
  const boxes = prefs.kinds.map((k) => h('input', {
    type: 'checkbox', id: `mailprefs-kind-${k.kind}`, value: k.kind, checked: k.email,
  }));
  const kinds = h('fieldset', { class: 'group', id: 'mailprefs-kinds', 'aria-describedby': 'mailprefs-kinds-hint' },
    h('legend', {}, t('mailprefs.kinds')),
    h('p', { class: 'hint', id: 'mailprefs-kinds-hint' }, t('mailprefs.kindsHint')),
    h('ul', { class: 'choices' }, prefs.kinds.map((k, i) => h('li', {},
      h('div', { class: 'choice' }, boxes[i],
        h('label', { for: boxes[i].id }, kindName(k.kind), k.essential ? ` (${t('mailprefs.essential')})` : ''))))));
  const status = h('p', { class: 'save-status', id: 'mailprefs-status', role: 'status' });
  const { form } = miniForm(ctx, {
    id: 'mailprefs-form',
    submitText: t('form.save'),
    children: [
      field(t('mailprefs.lang'), lang),
      field(t('mailprefs.zone'), zone),
      h('fieldset', { class: 'group' }, h('legend', {}, t('mailprefs.quiet')),
        h('p', { class: 'hint' }, t('mailprefs.quietHint')),
        field(t('mailprefs.quietStart'), start), field(t('mailprefs.quietEnd'), end)),
      kinds,
    ],
    collect: (errors) => {
      status.textContent = '';
      if (!start.value !== !end.value) {
        errors.show({ message: t('mailprefs.quietBoth'), path: start.value ? 'quiet_hours.end' : 'quiet_hours.start' });
        return false;
      }
      return {
        lang: lang.value,
        time_zone: zone.value,
        quiet_hours: start.value ? { start: start.value.slice(0, 5), end: end.value.slice(0, 5) } : null,
        kinds: boxes.map((b) => ({ kind: b.value, email: b.checked })),
      };
    },
    run: async (body) => {
      await setMyMessagePreferences(body);
      status.textContent = t('mailprefs.saved');
    },
  });
  form.append(status);
  return page(t('mailprefs.title'), h('p', { class: 'lede' }, t('mailprefs.intro')), form);
}

// --- unsubscribe (public: the link in an email) ---

export async function unsubscribeView(ctx) {
  const query = location.hash.split('?')[1] || '';
  const token = new URLSearchParams(query).get('t') || '';
  let info;
  try {
    info = await unsubscribeInfo(token);
  } catch (err) {
    const words = err instanceof ApiError && err.status === 400 ? t('unsub.bad') : t('error.generic');
    return page(t('unsub.title'), h('div', { class: 'alert', id: 'unsub-error', role: 'alert' }, h('p', {}, words)));
  }
  const status = h('p', { class: 'save-status', id: 'unsub-status', role: 'status' });
  const { button, errors } = actionButton(ctx, {
    id: 'unsub-confirm',
    text: t('unsub.confirm'),
    work: async () => {
      await unsubscribe(token);
      button.hidden = true;
      status.textContent = t('unsub.done');
    },
  });
  return page(t('unsub.title'),
    h('p', { class: 'lede' }, t('unsub.what', { kind: kindName(info.kind) })),
    h('p', {}, t('unsub.inbox')),
    errors.box, button, status);
}

// --- the admins' outbox ---

export async function outboxView(ctx) {
  const query = location.hash.split('?')[1] || '';
  const state = new URLSearchParams(query).get('state') || '';
  const filter = select('outbox-state', [{ value: '', label: t('outbox.all') },
    ...STATES.map((s) => ({ value: s, label: t(`outbox.state.${s}`) }))], state);
  filter.addEventListener('change', () => {
    location.hash = filter.value ? `#/admin/outbox?state=${filter.value}` : '#/admin/outbox';
  });
  const viewer = h('pre', { class: 'eml', id: 'outbox-email', tabindex: '0', hidden: true });
  const columns = [
    { label: t('outbox.id'), cell: (m) => String(m.id) },
    { label: t('outbox.kind'), cell: (m) => kindName(m.kind) },
    { label: t('outbox.recipient'), cell: (m) => m.recipient },
    { label: t('outbox.stateCol'), cell: (m) => t(`outbox.state.${m.state}`) },
    { label: t('outbox.attempts'), cell: (m) => String(m.attempts) },
    { label: t('outbox.when'), cell: (m) => formatDateTime(m.sent_at ?? m.next_at) },
    { label: t('outbox.error'), cell: (m) => serverWords(m.last_error) ?? '' },
    {
      label: t('outbox.actions'),
      cell: (m) => {
        const show = h('button', { type: 'button', class: 'button button-quiet', id: `outbox-view-${m.id}` },
          t('outbox.view', { id: m.id }));
        show.addEventListener('click', async () => {
          try {
            viewer.textContent = await outboxEmail(m.id);
          } catch (err) {
            viewer.textContent = err instanceof ApiError && err.detail ? err.detail : t('error.generic');
          }
          viewer.hidden = false;
          viewer.focus();
        });
        if (m.state !== 'failed') return show;
        const { button, errors } = actionButton(ctx, {
          id: `outbox-retry-${m.id}`, text: t('outbox.retry', { id: m.id }),
          work: async () => {
            await retryOutboxMessage(m.id);
            await ctx.refresh(t('outbox.retried'));
          },
        });
        return h('div', {}, show, ' ', button, errors.box);
      },
    },
  ];
  let first;
  try {
    first = await listOutbox({ state });
  } catch (err) {
    return page(t('nav.outbox'), failed(err, 'outbox-failed'));
  }
  const table = dataTable({ id: 'outbox-table', caption: t('outbox.caption', { count: first.items.length }), columns, rows: first.items, emptyText: t('common.empty') });
  const tbody = table.querySelector('tbody');
  let cursor = first.next_cursor;
  const more = h('button', { type: 'button', class: 'button button-quiet', id: 'outbox-more', hidden: cursor == null }, t('outbox.more'));
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await listOutbox({ state, cursor });
      tbody.append(...next.items.map((m) => tableRow(columns, m)));
      cursor = next.next_cursor;
      more.hidden = cursor == null;
    } catch (err) {
      ctx.announce(err instanceof ApiError && err.detail ? err.detail : t('error.generic'));
    }
    more.disabled = false;
  });
  const test = actionButton(ctx, {
    id: 'outbox-test', text: t('outbox.test'), quiet: true,
    work: async () => {
      await sendTestMessage();
      await ctx.refresh(t('outbox.testSent'));
    },
  });
  return page(t('nav.outbox'),
    h('p', { class: 'lede' }, t('outbox.intro')),
    h('div', { class: 'actions' }, test.button), test.errors.box,
    field(t('outbox.filter'), filter),
    table, more,
    section(t('outbox.email'), { id: 'outbox-email-section' }, h('p', { class: 'hint' }, t('outbox.emailHint')), viewer));
}
