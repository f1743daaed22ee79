// Entry point of the Hearth web UI. Loads the language, asks the server who
// is signed in, and renders the view for the current #/route into <main>.
// Views are functions (ctx) => Promise<{title, node}>; see views/.

import { api, ApiError, setCsrfToken } from './api.js';
import { h } from './dom.js';
import { preferredLanguage, setLanguage, t } from './i18n.js';
import { loginView } from './views/login.js';
import { dashboardView, isAdmin } from './views/dashboard.js';
import { auditView, organisationsView, tokensView, usersView } from './views/admin.js';

// public: shown without signing in; admin: only for someone with the admin role.
const ROUTES = {
  '/login': { view: loginView, public: true },
  '/dashboard': { view: dashboardView, nav: 'nav.dashboard' },
  '/admin/users': { view: usersView, admin: true, nav: 'nav.users' },
  '/admin/organisations': { view: organisationsView, admin: true, nav: 'nav.organisations' },
  '/admin/audit': { view: auditView, admin: true, nav: 'nav.audit' },
  '/admin/tokens': { view: tokensView, admin: true, nav: 'nav.tokens' },
};

const session = { user: null };
const statusBox = document.getElementById('status');
const viewBox = document.getElementById('view');
let renderCount = 0;
let pendingStatus = ''; // shown once the next view is in place

// What views get: the session and a few actions on the shell.
const ctx = {
  session,
  navigate,
  announce,
  announceAfterNavigation,
  signIn(data) {
    session.user = data.user;
    setCsrfToken(data.csrf_token);
    navigate('/dashboard');
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
  setCsrfToken(null);
  announceAfterNavigation(t(messageKey));
  navigate('/login');
}

function updateHeader(path) {
  const user = session.user;
  document.getElementById('account').hidden = !user;
  document.getElementById('account-name').textContent = user ? user.display_name || user.email : '';
  const nav = document.getElementById('site-nav');
  nav.hidden = !user;
  const items = Object.entries(ROUTES).filter(([, r]) => r.nav && user && (!r.admin || isAdmin(user)));
  document.getElementById('nav-list').replaceChildren(...items.map(([p, r]) =>
    h('li', {}, h('a', { href: `#${p}`, 'aria-current': p === path ? 'page' : null }, t(r.nav)))));
}

function errorView(err) {
  const detail = err instanceof ApiError ? err.detail : null;
  return {
    title: t('error.title'),
    node: h('div', {},
      h('h1', { tabindex: '-1' }, t('error.title')),
      h('div', { class: 'alert', role: 'alert' },
        h('p', {}, err instanceof ApiError && err.status === 0 ? t('error.network') : t('error.generic')),
        detail && h('p', {}, detail))),
  };
}

// Renders the current route. focus=true moves focus to the new heading, as
// a screen reader user expects after following a link.
async function render({ focus = true } = {}) {
  const count = ++renderCount;
  const path = currentPath();
  const route = ROUTES[path];
  const redirect = (to) => navigate(to, { replace: true, focus });
  if (!route) return redirect(session.user ? '/dashboard' : '/login');
  if (!route.public && !session.user) return redirect('/login');
  if (path === '/login' && session.user) return redirect('/dashboard');
  if (route.admin && !isAdmin(session.user)) return redirect('/dashboard');

  updateHeader(path);
  viewBox.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await route.view(ctx);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && !route.public) {
      endSession('status.expired');
      return;
    }
    if (!(err instanceof ApiError)) console.error(err);
    result = errorView(err);
  }
  if (count !== renderCount) return; // a newer navigation won
  viewBox.replaceChildren(result.node);
  viewBox.removeAttribute('aria-busy');
  statusBox.textContent = pendingStatus;
  pendingStatus = '';
  document.title = `${result.title} – ${t('app.name')}`;
  if (focus) viewBox.querySelector('h1')?.focus();
}

async function logout() {
  try {
    await api('/auth/logout', { method: 'POST' });
  } catch (err) {
    // The session may already be gone; signing out locally is still right.
    if (!(err instanceof ApiError)) console.error(err);
  }
  endSession('status.signedOut');
}

function wireShell() {
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
  document.getElementById('logout').addEventListener('click', logout);
  // The skip link's #main would look like a route change; focus <main> directly.
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/') || location.hash === '') render();
  });
}

async function boot() {
  const lang = preferredLanguage();
  document.getElementById('lang-select').value = lang;
  await setLanguage(lang);
  wireShell();
  try {
    const me = await api('/auth/me');
    session.user = me.user;
    setCsrfToken(me.csrf_token);
  } catch (err) {
    // 401 just means nobody is signed in; anything else is worth a note.
    if (!(err instanceof ApiError && err.status === 401)) announceAfterNavigation(t('error.network'));
  }
  await render({ focus: false });
}

boot().catch((err) => {
  console.error(err);
  viewBox.replaceChildren(h('p', { role: 'alert', class: 'alert' },
    'Hearth could not start. Please reload the page. If you need support now, use "Get help now".'));
});
