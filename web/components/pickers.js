// Pickers: the organisation a new record belongs to, a member of staff
// (from GET /staff, grouped by role) and a participant. Each reads the list
// it offers when it needs it.

import { ApiError } from '../lib/api.js';
import { listParticipants } from '../endpoints/people.js';
import { listStaff } from '../endpoints/staff.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { label } from '../lib/labels.js';
import { values } from '../lib/meta.js';
import { field, select } from './forms.js';

// The organisation a new record belongs to: a select when there is a
// choice, else the one organisation named in words.
export function organisationField(prefix, orgs, errors, value = null) {
  const id = `${prefix}-org`;
  if (orgs.length === 1) {
    const node = h('p', { class: 'field-static', id }, h('span', { class: 'field-static-label' }, `${t('prog.organisation')}: `),
      orgs[0].name);
    errors.register('organisation_id', node, t('prog.organisation'));
    return { node, get: () => orgs[0].id, control: null };
  }
  const control = select(id, [{ value: '', label: t('form.choose') },
    ...orgs.map((o) => ({ value: String(o.id), label: o.name }))], value ? String(value) : '');
  errors.register('organisation_id', control, t('prog.organisation'));
  return {
    node: field(t('prog.organisation'), control, { required: true }),
    get: () => (control.value ? Number(control.value) : null),
    control,
  };
}

// --- staff pickers ---

// The roles /staff lists (GET /meta's staff_roles), in the order a picker
// shows its groups when nothing asks for another: the people who run
// sessions first, then the others in the server's order.
const LEADING_ROLES = ['facilitator', 'clinician', 'peer_supporter', 'coordinator', 'admin'];
export function staffRoles() {
  const listed = values('staff_roles');
  return [...LEADING_ROLES.filter((r) => listed.includes(r)), ...listed.filter((r) => !LEADING_ROLES.includes(r))];
}

// Which roles come first when choosing someone for a part in a programme's
// team or a session's roster. Someone on duty needs the clinician role or
// first aid training, so clinicians lead that list; a mental-health partner
// is usually a clinician of a partner service.
const PART_ROLES = {
  artist_facilitator: ['facilitator', 'peer_supporter', 'coordinator'],
  mental_health_partner: ['clinician', 'peer_supporter', 'facilitator'],
  participant_co_designer: ['peer_supporter', 'facilitator'],
  coordinator: ['coordinator', 'admin'],
  lead: ['facilitator', 'peer_supporter', 'coordinator', 'clinician'],
  co_facilitator: ['facilitator', 'peer_supporter', 'clinician', 'coordinator'],
  on_duty: ['clinician', 'facilitator', 'peer_supporter', 'coordinator'],
};

// The group order for a team or roster part ('' or unknown: staffRoles()).
export function staffOrder(part) {
  const first = PART_ROLES[part] || [];
  return [...first, ...staffRoles().filter((r) => !first.includes(r))];
}

// Every active member of staff and volunteer of every organisation, partner
// services included (GET /staff; no emails): [{id, name, roles:
// [{organisation_id, organisation, role}]}], by name.
export async function staffDirectory() {
  const { items } = await listStaff();
  return items.map((u) => ({ id: u.id, name: u.display_name || t('prog.userN', { id: u.id }), roles: u.roles || [] }));
}

// The directory, or null when it could not be read (a 401 still ends the page).
export async function staffDirectoryOrNull() {
  try {
    return await staffDirectory();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    if (!(err instanceof ApiError)) console.error(err);
    return null;
  }
}

// Said once above the pickers when the directory could not be read.
export function staffFailed(id) {
  return h('div', { class: 'alert', id }, h('p', {}, t('staff.failedNotice')));
}

// "Robin Adeyemi — Clinician, Northside Mental Health Service", the roles
// in the picker's order, several joined with "; ".
export function staffLabel(person, order = staffRoles()) {
  const rank = (r) => (order.includes(r.role) ? order.indexOf(r.role) : order.length);
  const roles = [...person.roles].sort((a, b) => rank(a) - rank(b) || a.organisation.localeCompare(b.organisation))
    .map((r) => t('staff.roleAt', { role: label('role', r.role), organisation: r.organisation }));
  return roles.length ? t('staff.option', { name: person.name, roles: roles.join('; ') }) : person.name;
}

// A labelled select of staff (people from staffDirectory; null when it could
// not be read), in <optgroup>s by role: everyone once, under the first of
// their roles in order. The person chosen before (value, named valueName)
// stays a choice even when the directory no longer lists them, so changing
// something else never drops them. setOrder(order) regroups, keeping the
// choice; get() gives the user id or null.
export function staffPicker(id, labelText, people, { value = null, valueName = null, order = staffRoles(),
  required = true, hint = t('staff.hint') } = {}) {
  const control = h('select', { id, name: id });
  const listed = people || [];
  const known = value === null || listed.some((p) => p.id === value);
  let filled = false;
  function fill(groupOrder) {
    const keep = filled ? control.value : (value !== null ? String(value) : '');
    filled = true;
    // A role the server lists that this page does not know still gets a group.
    const unknown = listed.flatMap((p) => p.roles.map((r) => r.role)).filter((r) => !groupOrder.includes(r));
    const groups = [...new Set([...groupOrder, ...unknown])].map((role) => ({ role, people: [] }));
    for (const p of listed) {
      const g = groups.find((x) => p.roles.some((r) => r.role === x.role));
      if (g) g.people.push(p);
    }
    const empty = people === null ? t('staff.failed') : t('staff.none');
    control.replaceChildren(
      h('option', { value: '' }, listed.length || !known ? t('form.choose') : empty),
      ...(known ? [] : [h('optgroup', { label: t('staff.group.current') },
        h('option', { value: String(value) }, valueName || t('prog.userN', { id: value })))]),
      ...groups.filter((g) => g.people.length).map((g) => h('optgroup', { label: label('staff.group', g.role) },
        g.people.map((p) => h('option', { value: String(p.id) }, staffLabel(p, groupOrder))))));
    control.value = [...control.options].some((o) => o.value === keep) ? keep : '';
  }
  fill(order);
  return {
    node: field(labelText, control, { required, hint }),
    control,
    setOrder: fill,
    get: () => (control.value ? Number(control.value) : null),
  };
}

// Every participant the user may list, 100 at a time (at most 2 000).
async function allParticipants() {
  const all = [];
  let after = 0;
  for (let i = 0; i < 20; i += 1) {
    const { items } = await listParticipants({ limit: 100, after: after || undefined });
    all.push(...items);
    if (items.length < 100) break;
    after = items.at(-1).id;
  }
  return all;
}

// The participants this user may see, for a select. The list is read when
// first needed (reading it is audited), not when the page opens.
export function participantPicker(id, labelText, { required = true, hint = null } = {}) {
  const control = select(id, [{ value: '', label: t('common.loading') }], '');
  control.disabled = true;
  let loaded = null;
  async function load() {
    if (!loaded) {
      loaded = allParticipants().then((items) => {
        control.replaceChildren(
          h('option', { value: '' }, items.length ? t('form.choose') : t('prog.noPeople')),
          ...items.map((p) => h('option', { value: String(p.id) }, p.preferred_name && p.name && p.preferred_name !== p.name
            ? `${p.name} (${p.preferred_name})` : p.name || p.preferred_name || `#${p.id}`)));
        control.disabled = false;
        return items;
      }).catch((err) => {
        loaded = null;
        control.replaceChildren(h('option', { value: '' }, t('prog.partFailed')));
        throw err;
      });
    }
    return loaded;
  }
  return {
    node: field(labelText, control, { required, hint }),
    control,
    load,
    get: () => (control.value ? Number(control.value) : null),
  };
}
