// My inbox (/inbox): every message Hearth sent me, newest first, in words
// from the catalogs ("inbox.<kind>", filled from the message's ids and
// times), unread ones marked, with links to the thing where there is one.
// It updates by itself when a message arrives or is read in another tab,
// keeping focus where it was.

import { h } from '../lib/dom.js';
import { formatDateTime, has, t } from '../lib/i18n.js';
import { onEvent } from '../lib/events.js';
import { markAllMessagesRead, markMessageRead, myMessages } from '../endpoints/messages.js';
import { actionButton } from '../components/actions.js';
import { failed, page } from '../components/page.js';

// The placeholders of the words: times in the UI language.
function wordsOf(m) {
  const p = m.params || {};
  const key = `inbox.${m.kind}`;
  if (!has(key)) console.warn(`inbox: no words for kind ${m.kind}`);
  return has(key)
    ? t(key, { when: formatDateTime(p.starts_at), was: formatDateTime(p.was_starts_at), expires: formatDateTime(p.expires_at) })
    : `[${m.kind}]`;
}

// Where the message points, from the ids in its params.
function linkOf(m) {
  const p = m.params || {};
  if (p.session_id) return h('a', { href: `#/sessions/${p.session_id}` }, t('inbox.openSession'));
  if (p.programme_id) return h('a', { href: `#/programmes/${p.programme_id}` }, t('inbox.openProgramme'));
  return null;
}

function item(ctx, m) {
  const unread = !m.read_at;
  const parts = [
    h('p', { class: 'inbox-when' }, unread && h('strong', { class: 'badge' }, t('inbox.unread')), unread ? ' ' : '',
      h('time', { datetime: m.created_at }, formatDateTime(m.created_at))),
    h('p', { class: 'inbox-words' }, wordsOf(m)),
  ];
  const link = linkOf(m);
  if (link) parts.push(h('p', {}, link));
  if (unread) {
    const { button, errors } = actionButton(ctx, {
      id: `read-${m.id}`, text: t('inbox.markRead'), quiet: true,
      work: async () => {
        await markMessageRead(m.id);
        await ctx.refresh(t('inbox.markedRead'));
      },
    });
    parts.push(errors.box, button);
  }
  return h('li', { class: `card${unread ? ' is-unread' : ''}`, id: `message-${m.id}` }, ...parts);
}

export async function inboxView(ctx) {
  let list;
  try {
    list = await myMessages({ limit: 100 });
  } catch (err) {
    return page(t('inbox.title'), failed(err, 'inbox-list'));
  }
  const items = list.items;
  const anyUnread = items.some((m) => !m.read_at);
  const all = anyUnread && actionButton(ctx, {
    id: 'read-all', text: t('inbox.markAllRead'),
    work: async () => {
      await markAllMessagesRead();
      await ctx.refresh(t('inbox.markedAllRead'));
    },
  });
  const result = page(t('inbox.title'),
    h('p', { class: 'lede' }, t('inbox.intro')),
    all && all.errors.box, all && all.button,
    items.length
      ? h('ul', { class: 'cards', id: 'inbox-list' }, items.map((m) => item(ctx, m)))
      : h('p', { class: 'hint', id: 'inbox-list' }, t('inbox.empty')));
  // Live: a new message, or one read elsewhere, shows without a reload
  // (focus stays on the same control, ctx.refresh). Stops once this page
  // is no longer shown.
  const node = result.node;
  let timer = null;
  const stop = onEvent('*', (data, kind) => {
    if (kind !== 'message' && kind !== 'message_read') return;
    if (!node.isConnected) {
      stop();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (node.isConnected) ctx.refresh(kind === 'message' ? t('inbox.arrived') : '');
      else stop();
    }, 150);
  });
  return result;
}
