// What the server says the UI may offer (GET /api/v1/meta): the actions the
// signed-in person may perform in each of their organisations, read from the
// server's one policy table, and the value lists the server validates with.
// Loaded once at start and again after each sign-in or sign-out; pages ask
// can(action) / canIn(org, action) instead of keeping role lists, and take
// their choices from values(name) instead of keeping copies. The server
// checks again on every request.

import { ApiError } from './api.js';
import { getMeta } from '../endpoints/auth.js';
import { listOrganisations } from '../endpoints/admin.js';
import { setRegion } from './i18n.js';

let current = { roles: {}, organisations: [], everywhere: [], enums: {} };

// Reads /meta for whoever is signed in now (nobody: the value lists only).
export async function loadMeta() {
  current = await getMeta();
  // Dates and times follow the country of the person's (first) organisation that has one.
  setRegion((current.organisations || []).find((o) => o.country)?.country || '');
  return current;
}

// The value list the server accepts under name ("art_forms", "weekdays",
// ...); [] for a name this server does not know.
export function values(name) {
  const list = current.enums?.[name];
  if (!Array.isArray(list)) {
    console.warn(`meta: no value list "${name}"`);
    return [];
  }
  return list;
}

// Every value list, by name (for tests and the label check).
export function allValues() {
  return current.enums || {};
}

// True when the signed-in person may perform action in some organisation.
export function can(action) {
  return current.everywhere.includes(action) || current.organisations.some((o) => o.actions.includes(action));
}

// True when they may perform action on a record of organisation org (an
// admin acts in every organisation).
export function canIn(org, action) {
  return current.everywhere.includes(action)
    || current.organisations.some((o) => o.id === org && o.actions.includes(action));
}

// The roles the policy allows action, for texts that name them.
export function rolesFor(action) {
  return Object.entries(current.roles || {}).filter(([, actions]) => actions.includes(action)).map(([role]) => role);
}

// True when the user holds one of roles in some organisation (for content
// chosen by role, such as the dashboard's cards; permissions use can()).
export function hasRole(user, roles) {
  return Boolean(user?.memberships?.some((m) => roles.includes(m.role)));
}

// The organisations where the person may perform action: [{id, name}].
// Someone who may do it everywhere (an admin) gets every organisation.
export async function organisationsFor(action) {
  const mine = new Map();
  for (const o of current.organisations) if (o.actions.includes(action)) mine.set(o.id, o.name);
  if (current.everywhere.includes(action)) {
    try {
      const { items } = await listOrganisations();
      for (const o of items) mine.set(o.id, o.name);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
    }
  }
  return [...mine].map(([id, name]) => ({ id, name }));
}
