// Entry point of the Hearth web UI. Loads the language, asks the server who
// is signed in, and renders the view for the current #/route into <main>.
// Views are functions (ctx, params) => Promise<{title, node}>; see views/.

import { ApiError, setCsrfToken } from './lib/api.js';
import { currentSession, logOut } from './endpoints/auth.js';
import { h } from './lib/dom.js';
import { preferredLanguage, setLanguage, t } from './lib/i18n.js';
import { can, loadMeta } from './lib/meta.js';
import { loginView } from './views/login.js';
// Every view but sign-in is loaded when its route is first opened: lazy()
// gives a view function that imports its module then (once; the browser
// keeps it), so a phone fetches only the shell first. index.html preloads
// the shell's static imports (tools/embed.c); a failed load is the route's
// error, as a failed API call is.
const lazy = (load, ...names) => Object.fromEntries(names.map((name) =>
  [name, (ctx, params) => load().then((m) => m[name](ctx, params))]));
const { dashboardView } = lazy(() => import('./views/dashboard.js'), 'dashboardView');
const { auditView, erasureRequestsView, organisationsView, tokensView, usersView } = lazy(() => import('./views/admin.js'),
  'auditView', 'erasureRequestsView', 'organisationsView', 'tokensView', 'usersView');
const { editView, peopleListView, personView, recordConsentView, registerView } = lazy(() => import('./views/people.js'),
  'editView', 'peopleListView', 'personView', 'recordConsentView', 'registerView');
const { myConsentsView, myDataView, myDetailsView, myNeedsView } = lazy(() => import('./views/me.js'),
  'myConsentsView', 'myDataView', 'myDetailsView', 'myNeedsView');
const { claimView, joinView } = lazy(() => import('./views/join.js'), 'claimView', 'joinView');
const { forgotPasswordView, resetPasswordView, setPasswordView } = lazy(() => import('./views/account-links.js'),
  'forgotPasswordView', 'resetPasswordView', 'setPasswordView');
const { programmeEditView, programmeNewView, programmeView, programmesView } = lazy(() => import('./views/programmes.js'),
  'programmeEditView', 'programmeNewView', 'programmeView', 'programmesView');
const { attendanceView, dutiesView, sessionView } = lazy(() => import('./views/sessions.js'),
  'attendanceView', 'dutiesView', 'sessionView');
const { followupsView, trainingView, venueView, venuesView } = lazy(() => import('./views/staff.js'),
  'followupsView', 'trainingView', 'venueView', 'venuesView');
const { fitView, mySessionsView } = lazy(() => import('./views/taking-part.js'), 'fitView', 'mySessionsView');
const { listeningView, roundView, youSaidView } = lazy(() => import('./views/listening.js'),
  'listeningView', 'roundView', 'youSaidView');
const { inboxView } = lazy(() => import('./views/inbox.js'), 'inboxView');
const { messagePrefsView, outboxView, unsubscribeView } = lazy(() => import('./views/mail.js'),
  'messagePrefsView', 'outboxView', 'unsubscribeView');
import { onEvent, startEvents, stopEvents } from './lib/events.js';
import { eventsUrl, myUnreadCount } from './endpoints/messages.js';
import { focusBack, followOn, hasUnsaved, mayLeave, putTyping, shownRoute, takeTyping, watchTyping } from './lib/keep.js';

// path: "/people/:id" matches "/people/12" and passes {id: "12"} to the view.
// public: shown without signing in; guest: only when signed out (signed-in
// people go to the dashboard); can: only for someone the policy allows this
// action in some organisation (GET /meta; the server checks again, per
// record); nav: the main navigation's label; navCan: show it in the
// navigation only to those allowed this action (the page itself follows can).
const ROUTES = [
  { path: '/login', view: loginView, public: true, guest: true },
  { path: '/join', view: joinView, public: true, guest: true },
  { path: '/claim', view: claimView, public: true, guest: true },
  // From the login page, and the one-time links Hearth emails (?t=token).
  { path: '/forgot-password', view: forgotPasswordView, public: true, guest: true },
  { path: '/reset-password', view: resetPasswordView, public: true, guest: true },
  { path: '/set-password', view: setPasswordView, public: true, guest: true },
  // The page an emailed unsubscribe link opens, signed in or not.
  { path: '/unsubscribe', view: unsubscribeView, public: true },
  { path: '/dashboard', view: dashboardView, nav: 'nav.dashboard' },
  // Linked from the header with the unread count, not from the navigation.
  { path: '/inbox', view: inboxView },
  { path: '/people', view: peopleListView, can: 'participant.search', nav: 'nav.people' },
  { path: '/people/new', view: registerView, can: 'participant.create' },
  { path: '/people/:id', view: personView, can: 'participant.read' },
  { path: '/people/:id/edit', view: editView, can: 'participant.update' },
  { path: '/people/:id/consent', view: recordConsentView, can: 'consent.record' },
  { path: '/programmes', view: programmesView, nav: 'nav.programmes', navCan: 'enrolment.read' },
  { path: '/programmes/new', view: programmeNewView, can: 'programme.manage' },
  { path: '/programmes/:id', view: programmeView },
  { path: '/programmes/:id/edit', view: programmeEditView, can: 'programme.manage' },
  { path: '/sessions/:id', view: sessionView },
  { path: '/sessions/:id/attendance', view: attendanceView, can: 'attendance.mark' },
  { path: '/me/fit', view: fitView, can: 'self.programme', nav: 'nav.fit' },
  { path: '/me/sessions', view: mySessionsView, can: 'self.programme', nav: 'nav.mySessions' },
  { path: '/me/duties', view: dutiesView, can: 'self.duty', nav: 'nav.duties' },
  { path: '/followups', view: followupsView, can: 'followup.act', nav: 'nav.followups' },
  { path: '/listening', view: listeningView, nav: 'nav.listening', navCan: 'theme.propose' },
  { path: '/listening/:id', view: roundView },
  { path: '/you-said', view: youSaidView, nav: 'nav.youSaid', navCan: 'theme.propose' },
  // Venues are for staff who run sessions (those who read rosters); managers find them in the navigation.
  { path: '/venues', view: venuesView, can: 'roster.read', nav: 'nav.venues', navCan: 'programme.manage' },
  { path: '/venues/:id', view: venueView, can: 'roster.read' },
  { path: '/training', view: trainingView, can: 'training.read', nav: 'nav.training' },
  { path: '/me/details', view: myDetailsView, can: 'self.participant', nav: 'nav.myDetails' },
  { path: '/me/needs', view: myNeedsView, can: 'self.participant', nav: 'nav.myNeeds' },
  { path: '/me/consents', view: myConsentsView, can: 'self.participant', nav: 'nav.myConsents' },
  { path: '/me/data', view: myDataView, can: 'self.participant', nav: 'nav.myData' },
  { path: '/admin/users', view: usersView, can: 'user.list', nav: 'nav.users' },
  { path: '/admin/organisations', view: organisationsView, can: 'organisation.update', nav: 'nav.organisations' },
  { path: '/admin/audit', view: auditView, can: 'audit.read', nav: 'nav.audit' },
  { path: '/admin/tokens', view: tokensView, can: 'token.list', nav: 'nav.tokens' },
  { path: '/admin/erasure-requests', view: erasureRequestsView, can: 'erasure.review', nav: 'nav.erasureRequests' },
  { path: '/admin/outbox', view: outboxView, can: 'outbox.manage', nav: 'nav.outbox' },
  { path: '/me/messages', view: messagePrefsView, nav: 'nav.messagePrefs' },
];
for (const route of ROUTES) {
  const pattern = route.path.replace(/:(\w+)/g, '(?<$1>\\d+)');
  // A query after the path ("?t=..." in an emailed link) is the view's to read.
  route.match = new RegExp(`^${pattern}(?:\\?.*)?$`);
}

function findRoute(path) {
  for (const route of ROUTES) {
    const m = route.match.exec(path);
    if (m) return { route, params: { ...m.groups } };
  }
  return { route: null, params: {} };
}

function allowed(route) {
  return !route.can || can(route.can);
}

function inNav(route, user) {
  return route.nav && user && allowed(route) && (!route.navCan || can(route.navCan));
}

// metaLoaded: GET /meta has been read for whoever is signed in now; it is
// read again after signing in or out.
const session = { user: null, metaLoaded: false };
const statusBox = document.getElementById('status');
const viewBox = document.getElementById('view');
let renderCount = 0;
let pendingStatus = ''; // shown once the next view is in place
let lastFocused = null; // id of the last element focused in the view
let viewTitle = ''; // the current view's title, for document.title
let unread = 0; // my unread messages, in the header and the page title

// What views get: the session and a few actions on the shell.
const ctx = {
  session,
  navigate,
  announce,
  announceAfterNavigation,
  signIn(data) {
    session.user = data.user;
    session.metaLoaded = false;
    setCsrfToken(data.csrf_token);
    startLive();
    navigate('/dashboard');
  },
  // A request answered 401: the session ended on the server.
  sessionExpired() {
    endSession('status.expired');
  },
  // Signs out (server and here) and shows messageKey on the login page.
  signOut(messageKey) {
    return logout(messageKey);
  },
  // Shows the current page again with fresh data after a change made on
  // it, announcing message. Focus stays on the control that has the same
  // id in the new page (the button just pressed), else on the one marked
  // data-after with that id, else goes to the heading. What the person
  // typed and has not sent stays (lib/keep.js).
  refresh(message = '') {
    pendingStatus = message;
    // A button disabled while it worked has lost focus; lastFocused has it.
    const active = document.activeElement;
    const keep = (active && active !== document.body && active.id) || lastFocused;
    return render({ focus: true, keep });
  },
};

function currentPath() {
  const hash = location.hash;
  return hash.startsWith('#/') ? hash.slice(1) : '/';
}

// Goes to a route. replace=true rewrites the history entry (for redirects).
function navigate(path, { replace = false, focus = true } = {}) {
  if (currentPath() === path) {
    render({ focus });
  } else if (replace) {
    history.replaceState(null, '', `#${path}`);
    render({ focus });
  } else {
    location.hash = `#${path}`; // hashchange renders
  }
}

// Puts a message in the polite live region at the top of <main>.
function announce(message) {
  statusBox.textContent = message;
}

// Same, but for a message about a navigation that is about to happen; any
// other status is cleared when the next view renders.
function announceAfterNavigation(message) {
  pendingStatus = message;
}

function endSession(messageKey) {
  session.user = null;
  session.metaLoaded = false;
  setCsrfToken(null);
  stopEvents();
  unread = 0;
  announceAfterNavigation(t(messageKey));
  navigate('/login');
}

// "(3) " before the view's title while I have unread messages.
function showTitle() {
  document.title = `${unread ? `(${unread}) ` : ''}${viewTitle} – ${t('app.name')}`;
}

// The header's link to the inbox: "Messages (3)", read out as "Messages (3 unread)".
function showUnread() {
  const link = document.getElementById('inbox-link');
  link.hidden = !session.user;
  const count = unread ? [' (', String(unread), h('span', { class: 'visually-hidden' }, ` ${t('inbox.unreadWord')}`), ')'] : [];
  link.replaceChildren(t('inbox.link'), ...count);
  link.setAttribute('aria-current', currentPath() === '/inbox' ? 'page' : 'false');
  showTitle();
}

let unreadTimer = null;
// Asks the server for the count again (after an event, a reconnect, a sign-in).
function refreshUnread() {
  clearTimeout(unreadTimer);
  unreadTimer = setTimeout(async () => {
    if (!session.user) return;
    try {
      unread = (await myUnreadCount()).unread;
    } catch (err) {
      if (!(err instanceof ApiError)) console.error(err);
      return;
    }
    showUnread();
  }, 100);
}

// The tab's live events: opened once while someone is signed in.
function startLive() {
  startEvents(eventsUrl);
  refreshUnread();
}

function updateHeader(path) {
  const user = session.user;
  document.getElementById('account').hidden = !user;
  showUnread();
  document.getElementById('account-name').textContent = user ? user.display_name || user.email : '';
  const nav = document.getElementById('site-nav');
  nav.hidden = !user;
  const items = ROUTES.filter((r) => inNav(r, user));
  // A person's page counts as being in "People".
  const current = (p) => (p === path ? 'page' : path.startsWith(`${p}/`) ? 'true' : null);
  document.getElementById('nav-list').replaceChildren(...items.map((r) =>
    h('li', {}, h('a', { href: `#${r.path}`, 'aria-current': current(r.path) }, t(r.nav)))));
}

function errorView(err) {
  const detail = err instanceof ApiError ? err.detail : null;
  return {
    title: t('error.title'),
    node: h('div', {},
      h('h1', { tabindex: '-1' }, t('error.title')),
      h('div', { class: 'alert', role: 'alert' },
        h('p', {}, err instanceof ApiError && err.status === 0 ? t('error.network')
          : err instanceof ApiError && err.status === 503 ? t('error.unavailable') : t('error.generic')),
        detail && h('p', {}, detail))),
  };
}

// Renders the current route. focus=true moves focus to the new heading, as
// a screen reader user expects after following a link.
async function render({ focus = true, keep = null } = {}) {
  const count = ++renderCount;
  const path = currentPath();
  const { route, params } = findRoute(path);
  const redirect = (to) => navigate(to, { replace: true, focus });
  if (!route) return redirect(session.user ? '/dashboard' : '/login');
  if (!route.public && !session.user) return redirect('/login');
  if (route.guest && session.user) return redirect('/dashboard');
  if (!session.metaLoaded) {
    try {
      await loadMeta();
      session.metaLoaded = true;
    } catch (err) {
      if (count !== renderCount) return;
      if (err instanceof ApiError && err.status === 401 && session.user) {
        endSession('status.expired');
        return;
      }
      if (!(err instanceof ApiError)) console.error(err);
      updateHeader(path);
      viewBox.replaceChildren(errorView(err).node);
      return;
    }
    if (count !== renderCount) return; // a newer navigation won
  }
  if (!allowed(route)) return redirect('/dashboard');

  updateHeader(path);
  viewBox.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await route.view(ctx, params);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && !route.public) {
      endSession('status.expired');
      return;
    }
    if (!(err instanceof ApiError)) console.error(err);
    result = errorView(err);
  }
  if (count !== renderCount) return; // a newer navigation won
  // What the person typed on this page stays in the page drawn again.
  const typed = takeTyping(viewBox);
  viewBox.replaceChildren(result.node);
  const typedFocus = putTyping(viewBox, typed, path);
  viewBox.removeAttribute('aria-busy');
  statusBox.textContent = pendingStatus;
  pendingStatus = '';
  viewTitle = result.title;
  showTitle();
  let kept = keep ? document.getElementById(keep) : null;
  if (!kept || !viewBox.contains(kept)) kept = followOn(viewBox, keep);
  if (kept && (!viewBox.contains(kept) || kept.closest('[hidden]'))) kept = null;
  // A control inside a closed <details>: its summary is the way back to it.
  const closed = kept?.closest('details:not([open])');
  if (closed) kept = closed.querySelector('summary');
  if (typedFocus && (!kept || kept === typedFocus.el)) focusBack(typedFocus);
  else if (kept) kept.focus();
  else if (focus) viewBox.querySelector('h1')?.focus();
}

async function logout(messageKey = 'status.signedOut') {
  try {
    await logOut();
  } catch (err) {
    // The session may already be gone; signing out locally is still right.
    if (!(err instanceof ApiError)) console.error(err);
  }
  endSession(messageKey);
}

// The header's menu, a <details> that opens and closes without JavaScript.
// On a wide screen it stays open and sits inline (its button hidden by
// .menu-inline); on a phone Escape closes it and gives focus back to its
// button, and choosing a link or button in it, or a click or focus
// outside it, closes it.
const WIDE_SCREEN = window.matchMedia('(min-width: 48rem)');

function wireMenu() {
  const header = document.getElementById('site-header');
  const menu = document.getElementById('site-menu');
  const button = document.getElementById('menu-button');
  const fit = () => {
    header.classList.toggle('menu-inline', WIDE_SCREEN.matches);
    menu.open = WIDE_SCREEN.matches;
  };
  fit();
  WIDE_SCREEN.addEventListener('change', fit);
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || WIDE_SCREEN.matches || !menu.open) return;
    event.preventDefault();
    menu.open = false;
    button.focus();
  });
  menu.addEventListener('click', (event) => {
    if (!WIDE_SCREEN.matches && event.target.closest('#menu-panel a, #menu-panel button')) menu.open = false;
  });
  // On a phone the open menu covers the page: leaving it closes it.
  const leave = (target) => {
    if (!WIDE_SCREEN.matches && menu.open && target instanceof Node && !menu.contains(target)) menu.open = false;
  };
  document.addEventListener('click', (event) => leave(event.target));
  menu.addEventListener('focusout', (event) => leave(event.relatedTarget));
}

function wireShell() {
  wireMenu();
  const select = document.getElementById('lang-select');
  select.addEventListener('change', async () => {
    try {
      await setLanguage(select.value, { remember: true });
    } catch (err) {
      console.warn(err);
      announce(t('error.network'));
      return;
    }
    await render({ focus: false });
  });
  document.getElementById('logout').addEventListener('click', () => logout());
  // The skip link's #main would look like a route change; focus <main> directly.
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  viewBox.addEventListener('focusin', (event) => {
    lastFocused = event.target.id || null;
  });
  for (const kind of ['message', 'message_read', 'open']) onEvent(kind, refreshUnread);
  watchTyping(viewBox);
  window.addEventListener('hashchange', () => {
    if (!(location.hash.startsWith('#/') || location.hash === '')) return;
    // Unsaved changes: ask before leaving the page; staying puts its address back.
    if (session.user && !mayLeave(currentPath(), t('leave.confirm'))) {
      history.replaceState(null, '', `#${shownRoute()}`);
      return;
    }
    render();
  });
  window.addEventListener('beforeunload', (event) => {
    if (session.user && hasUnsaved()) event.preventDefault();
  });
}

async function boot() {
  const lang = preferredLanguage();
  document.getElementById('lang-select').value = lang;
  // On a poor signal every request costs a round trip: the words, who is
  // signed in and what they may do (GET /meta, with the same cookie) are
  // asked for together. Each answer is awaited below.
  const [sessionAnswer, metaAnswer] = [currentSession(), loadMeta()];
  sessionAnswer.catch(() => {});
  metaAnswer.catch(() => {});
  await setLanguage(lang);
  wireShell();
  try {
    // 200 either way: a visitor's page load makes no failed request.
    const me = await sessionAnswer;
    if (me.authenticated) {
      session.user = me.user;
      setCsrfToken(me.csrf_token);
      startLive();
    }
  } catch (err) {
    if (!(err instanceof ApiError)) console.error(err);
    announceAfterNavigation(t('error.network'));
  }
  // render() asks again when this failed, and shows why.
  session.metaLoaded = await metaAnswer.then(() => true, () => false);
  await render({ focus: false });
}

boot().catch((err) => {
  console.error(err);
  viewBox.replaceChildren(h('p', { role: 'alert', class: 'alert' },
    'Hearth could not start. Please reload the page. If you need support now, use "Get help now".'));
});
