// Dashboard: one section per membership (organisation + role). Admins get
// cards linking to the admin pages; other roles get an honest "coming soon"
// card describing what their area will do. No links to pages that don't exist.

import { h, uid } from '../dom.js';
import { has, t } from '../i18n.js';

const ADMIN_CARDS = [
  { href: '#/admin/users', title: 'nav.users', text: 'dashboard.admin.users' },
  { href: '#/admin/organisations', title: 'nav.organisations', text: 'dashboard.admin.organisations' },
  { href: '#/admin/audit', title: 'nav.audit', text: 'dashboard.admin.audit' },
  { href: '#/admin/tokens', title: 'nav.tokens', text: 'dashboard.admin.tokens' },
];

export function isAdmin(user) {
  return Boolean(user?.memberships?.some((m) => m.role === 'admin'));
}

// A role's display name; unknown roles (newer server) show as they are.
export function roleLabel(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : role;
}

function adminCards() {
  return ADMIN_CARDS.map((c) => h('li', { class: 'card' },
    h('h3', {}, h('a', { href: c.href }, t(c.title))),
    h('p', {}, t(c.text))));
}

function comingSoonCard(role) {
  const key = has(`dashboard.coming.${role}`) ? `dashboard.coming.${role}` : 'dashboard.coming.other';
  return [h('li', { class: 'card card-coming' },
    h('h3', {}, t('dashboard.coming.title')),
    h('p', {}, t(key)),
    h('p', { class: 'hint' }, t('dashboard.coming.note')))];
}

function membershipSection(m) {
  const headingId = uid('membership');
  return h('section', { class: 'membership', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('dashboard.membership', { role: roleLabel(m.role), organisation: m.organisation })),
    h('ul', { class: 'cards' }, m.role === 'admin' ? adminCards() : comingSoonCard(m.role)));
}

export async function dashboardView(ctx) {
  const user = ctx.session.user;
  const memberships = user.memberships || [];
  const node = h('div', { id: 'dashboard' },
    h('h1', { tabindex: '-1' }, t('dashboard.title')),
    h('p', { class: 'lede' }, t('dashboard.signedInAs', { name: user.display_name || user.email })),
    memberships.length ? memberships.map(membershipSection) : h('p', {}, t('dashboard.noMemberships')));
  return { title: t('dashboard.title'), node };
}
