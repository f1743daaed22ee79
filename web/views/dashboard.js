// Dashboard: one section per membership (organisation + role). Each role
// gets cards linking to the pages it can use (admin pages, people, the
// participant's own pages) and, where more is planned, an honest "coming
// soon" card describing what their area will do. No links to pages that
// don't exist.

import { h, uid } from '../lib/dom.js';
import { has, t } from '../lib/i18n.js';
import { roleLabel } from '../lib/labels.js';

const ADMIN_CARDS = [
  { href: '#/admin/users', title: 'nav.users', text: 'dashboard.admin.users' },
  { href: '#/admin/organisations', title: 'nav.organisations', text: 'dashboard.admin.organisations' },
  { href: '#/admin/audit', title: 'nav.audit', text: 'dashboard.admin.audit' },
  { href: '#/admin/tokens', title: 'nav.tokens', text: 'dashboard.admin.tokens' },
];

const PEOPLE_CARD = { href: '#/people', title: 'nav.people', text: 'dashboard.people.list' };
const READ_PEOPLE_CARD = { href: '#/people', title: 'nav.people', text: 'dashboard.people.search' };
const REGISTER_CARD = { href: '#/people/new', title: 'people.register', text: 'dashboard.people.register' };
const ME_CARDS = [
  { href: '#/me/details', title: 'nav.myDetails', text: 'dashboard.me.details' },
  { href: '#/me/needs', title: 'nav.myNeeds', text: 'dashboard.me.needs' },
  { href: '#/me/consents', title: 'nav.myConsents', text: 'dashboard.me.consents' },
  { href: '#/me/data', title: 'nav.myData', text: 'dashboard.me.data' },
];
const PROGRAMMES_MANAGE_CARD = { href: '#/programmes', title: 'nav.programmes', text: 'dashboard.prog.manage' };
const PROGRAMMES_CARD = { href: '#/programmes', title: 'nav.programmes', text: 'dashboard.prog.read' };
const VENUES_CARD = { href: '#/venues', title: 'nav.venues', text: 'dashboard.prog.venues' };
const LISTENING_MANAGE_CARD = { href: '#/listening', title: 'nav.listening', text: 'dashboard.prog.listeningManage' };
const LISTENING_STAFF_CARD = { href: '#/listening', title: 'nav.listening', text: 'dashboard.prog.listeningStaff' };
const TRAINING_MANAGE_CARD = { href: '#/training', title: 'nav.training', text: 'dashboard.prog.trainingManage' };
const TRAINING_CARD = { href: '#/training', title: 'nav.training', text: 'dashboard.prog.training' };
const FOLLOWUPS_CARD = { href: '#/followups', title: 'nav.followups', text: 'dashboard.prog.followups' };
const DUTIES_CARD = { href: '#/me/duties', title: 'nav.duties', text: 'dashboard.prog.duties' };
const PARTICIPANT_PROG_CARDS = [
  { href: '#/me/fit', title: 'nav.fit', text: 'dashboard.prog.fit' },
  { href: '#/me/sessions', title: 'nav.mySessions', text: 'dashboard.prog.mySessions' },
  { href: '#/listening', title: 'nav.listening', text: 'dashboard.prog.listening' },
  { href: '#/you-said', title: 'nav.youSaid', text: 'dashboard.prog.youSaid' },
];
const MANAGE_PROG_CARDS = [PROGRAMMES_MANAGE_CARD, VENUES_CARD, LISTENING_MANAGE_CARD, TRAINING_MANAGE_CARD,
  FOLLOWUPS_CARD, DUTIES_CARD];

// The cards for a role; admin pages first for admins.
const ROLE_CARDS = {
  admin: [...ADMIN_CARDS, PEOPLE_CARD, REGISTER_CARD, ...MANAGE_PROG_CARDS],
  coordinator: [PEOPLE_CARD, REGISTER_CARD, ...MANAGE_PROG_CARDS],
  facilitator: [DUTIES_CARD, PEOPLE_CARD, REGISTER_CARD, PROGRAMMES_CARD, FOLLOWUPS_CARD, LISTENING_STAFF_CARD, TRAINING_CARD],
  clinician: [READ_PEOPLE_CARD, DUTIES_CARD, PROGRAMMES_CARD, TRAINING_CARD],
  peer_supporter: [READ_PEOPLE_CARD, DUTIES_CARD, FOLLOWUPS_CARD, PROGRAMMES_CARD, LISTENING_STAFF_CARD, TRAINING_CARD],
  moderator: [TRAINING_CARD],
  participant: [...PARTICIPANT_PROG_CARDS, ...ME_CARDS],
};

function cards(list) {
  return list.map((c) => h('li', { class: 'card' },
    h('h3', {}, h('a', { href: c.href }, t(c.title))),
    h('p', {}, t(c.text))));
}

// more: the role already has working pages, so this card is about what comes next.
function comingSoonCard(role, more) {
  const key = has(`dashboard.coming.${role}`) ? `dashboard.coming.${role}` : 'dashboard.coming.other';
  return [h('li', { class: 'card card-coming' },
    h('h3', {}, t(more ? 'dashboard.coming.moreTitle' : 'dashboard.coming.title')),
    h('p', {}, t(key)),
    h('p', { class: 'hint' }, t(more ? 'dashboard.coming.moreNote' : 'dashboard.coming.note')))];
}

function membershipSection(m) {
  const headingId = uid('membership');
  return h('section', { class: 'membership', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('dashboard.membership', { role: roleLabel(m.role), organisation: m.organisation })),
    h('ul', { class: 'cards' }, cards(ROLE_CARDS[m.role] || []),
      m.role === 'admin' ? [] : comingSoonCard(m.role, Boolean(ROLE_CARDS[m.role]))));
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
