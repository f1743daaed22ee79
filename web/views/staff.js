// Staff pages around programmes: venues and their accessibility, training
// records (with what expires in the next 60 days) and the follow-up list of
// people who missed two sessions in a row. The server decides per record
// what each role may see and do; these pages hide what would be refused.

import { createVenue, getVenue, listVenues, updateVenue } from '../endpoints/programmes.js';
import {
  expiringTraining, followupLog, listFollowups, listTraining, recordFollowup, recordTraining, removeTraining,
} from '../endpoints/staff.js';
import { dataTable, h } from '../lib/dom.js';
import { formatDateTime, t } from '../lib/i18n.js';
import { label, options } from '../lib/labels.js';
import { settle } from '../lib/load.js';
import { can, organisationsFor, values } from '../lib/meta.js';
import { addDays, shortDay, today } from '../lib/time.js';
import { actionButton, miniForm, requireFields } from '../components/actions.js';
import { checkboxGroup, field, FormErrors, input, select, textarea, value } from '../components/forms.js';
import { back, failed, page, section } from '../components/page.js';
import { organisationField, staffDirectory, staffFailed, staffPicker } from '../components/pickers.js';

// --- venues ---

function featureList(features, id = null) {
  if (!features?.length) return h('p', { class: 'hint', id }, t('venue.noFeatures'));
  return h('ul', { class: 'feature-list', id }, features.map((f) => h('li', {}, label('feature', f))));
}

// The venue form's fields, filled from venue when editing.
function venueFields(prefix, errors, venue = {}, orgField = null) {
  const name = input(`${prefix}-name`, { value: venue.name || '', autocomplete: 'off' });
  const address = textarea(`${prefix}-address`, venue.address || '', { rows: 3 });
  const capacity = input(`${prefix}-capacity`, { type: 'number', min: '1', max: '10000', inputmode: 'numeric',
    value: venue.capacity ? String(venue.capacity) : '' });
  const features = checkboxGroup({
    legend: t('venue.features'), hint: t('venue.featuresHint'), name: `${prefix}-feature`,
    options: options('feature', values('venue_features')), values: venue.features || [],
  });
  const notes = textarea(`${prefix}-notes`, venue.notes || '', { rows: 3 });
  errors.register('name', name, t('venue.name'));
  errors.register('address', address, t('venue.address'));
  errors.register('capacity', capacity, t('venue.capacity'));
  errors.register('features', features.first, t('venue.features'));
  errors.register('notes', notes, t('venue.notes'));
  return {
    children: [
      orgField?.node,
      field(t('venue.name'), name, { required: true }),
      field(t('venue.address'), address, { required: true, hint: t('venue.addressHint') }),
      field(t('venue.capacity'), capacity, { required: true, hint: t('venue.capacityHint') }),
      features.node,
      field(t('venue.notes'), notes, { hint: t('venue.notesHint') }),
    ],
    collect: (errs) => {
      if (orgField && !orgField.get()) {
        errs.show({ message: t('form.error.missing', { field: t('prog.organisation') }), path: 'organisation_id' });
        return false;
      }
      if (!requireFields(errs, [[name, 'name', t('venue.name')], [address, 'address', t('venue.address')],
        [capacity, 'capacity', t('venue.capacity')]])) return false;
      const body = {
        name: value(name), address: value(address), capacity: Number(capacity.value),
        features: features.get(), notes: value(notes),
      };
      if (orgField) body.organisation_id = orgField.get();
      return body;
    },
  };
}

function venueCard(v, manage) {
  return h('li', { class: 'card venue-card', id: `venue-${v.id}` },
    h('h3', {}, h('a', { href: `#/venues/${v.id}` }, v.name)),
    h('p', { class: 'address' }, v.address),
    h('p', {}, t('venue.capacityN', { n: v.capacity })),
    featureList(v.features),
    v.notes && h('p', { class: 'hint' }, v.notes),
    manage && h('p', {}, h('a', { href: `#/venues/${v.id}`, 'aria-label': t('venue.editNamed', { name: v.name }) }, t('venue.edit'))));
}

export async function venuesView(ctx) {
  const user = ctx.session.user;
  const manage = can('programme.manage');
  const { items } = await listVenues();
  let createSection = null;
  if (manage) {
    const orgs = await organisationsFor('programme.manage');
    const errors = new FormErrors('venue-new');
    const orgField = organisationField('venue-new', orgs, errors);
    const f = venueFields('venue-new', errors, {}, orgField);
    const { form } = miniForm(ctx, {
      id: 'venue-new', errors, submitText: t('venue.add'), children: f.children, collect: f.collect,
      run: async (body) => {
        const v = await createVenue(body);
        ctx.refresh(t('venue.added', { name: v?.name || body.name }));
      },
    });
    createSection = section(t('venue.addTitle'), { id: 'venue-add' }, h('p', { class: 'hint' }, t('venue.addIntro')), form);
  }
  return page(t('venue.title'),
    h('p', { class: 'lede' }, t('venue.intro')),
    section(t('venue.listTitle', { count: items.length }), { id: 'venue-list' },
      items.length
        ? h('ul', { class: 'cards', id: 'venues' }, items.map((v) => venueCard(v, manage)))
        : h('p', { class: 'hint', id: 'venues' }, t('venue.none'))),
    createSection);
}

export async function venueView(ctx, { id }) {
  const user = ctx.session.user;
  const v = await getVenue(id);
  const content = [back('#/venues', t('venue.back'))];
  if (can('programme.manage')) {
    const errors = new FormErrors('venue-edit');
    const f = venueFields('venue-edit', errors, v);
    const { form } = miniForm(ctx, {
      id: 'venue-edit', errors, submitText: t('form.save'), children: f.children, collect: f.collect,
      run: async (body) => {
        await updateVenue(id, body);
        ctx.refresh(t('form.saved'));
      },
    });
    content.push(h('p', { class: 'lede' }, t('venue.editIntro')), form);
  } else {
    content.push(h('p', { class: 'address' }, v.address), h('p', {}, t('venue.capacityN', { n: v.capacity })),
      h('h2', {}, t('venue.features')), featureList(v.features, 'venue-features'), v.notes && h('p', {}, v.notes));
  }
  return page(v.name, ...content);
}

// --- training ---

// "Expires 1 Mar 2027" / "Expired 2 Jan 2026" / "Does not expire".
function expiryText(r) {
  if (!r.expires_on) return t('training.noExpiry');
  return r.expires_on < today() ? t('training.expired', { date: shortDay(r.expires_on) })
    : shortDay(r.expires_on);
}

function personName(r, names) {
  return r.user_name || r.name || names.get(r.user_id) || t('prog.userN', { id: r.user_id });
}

function trainingTable(ctx, id, caption, rows, names, { remove = false, emptyText } = {}) {
  const columns = [
    { label: t('training.person'), cell: (r) => personName(r, names) },
    { label: t('training.kind'), cell: (r) => label('trainingKind', r.kind) },
    { label: t('training.titleCol'), cell: (r) => r.title || '' },
    { label: t('training.completed'), cell: (r) => shortDay(r.completed_on) },
    { label: t('training.expires'), cell: (r) => {
      const text = expiryText(r);
      return r.expires_on && r.expires_on < today() ? h('strong', { class: 'expired' }, text) : text;
    } },
  ];
  if (remove) {
    columns.push({ label: t('prog.actions'), cell: (r) => {
      const { button, errors } = actionButton(ctx, {
        id: `training-remove-${r.id}`, text: t('training.remove'), quiet: true, working: t('prog.removing'),
        work: async () => {
          await removeTraining(r.id);
          ctx.refresh(t('training.removed'));
        },
      });
      button.classList.add('button-small');
      button.setAttribute('aria-label', t('training.removeNamed', { kind: label('trainingKind', r.kind), name: personName(r, names) }));
      return h('div', {}, errors.box, button);
    } });
  }
  return dataTable({ id, caption, columns, rows, emptyText: emptyText || t('common.empty') });
}

export async function trainingView(ctx) {
  const user = ctx.session.user;
  const manage = can('training.manage');
  const [records, expiring, people, orgs] = await settle(
    listTraining(),
    manage ? expiringTraining(60) : Promise.resolve(null),
    manage ? staffDirectory() : Promise.resolve([]),
    manage ? organisationsFor('training.manage') : Promise.resolve([]));
  const names = new Map((people.ok ? people.value : []).map((p) => [p.id, p.name]));
  const content = [h('p', { class: 'lede' }, t(manage ? 'training.introManage' : 'training.introOwn'))];

  if (manage) {
    content.push(section(t('training.expiringTitle'), { id: 'training-expiring' },
      h('p', { class: 'hint' }, t('training.expiringIntro', { date: shortDay(addDays(today(), 60)) })),
      expiring.ok
        ? trainingTable(ctx, 'expiring-table', t('training.expiringCaption', { count: expiring.value.items.length }),
          expiring.value.items, names, { emptyText: t('training.noneExpiring') })
        : failed(expiring.error)));
  }
  content.push(section(t(manage ? 'training.allTitle' : 'training.mineTitle'), { id: 'training-records' },
    records.ok
      ? trainingTable(ctx, 'training-table', t('training.caption', { count: records.value.items.length }),
        records.value.items, names, { remove: manage, emptyText: t('training.none') })
      : failed(records.error)));

  if (manage) {
    const errors = new FormErrors('training-new');
    const orgField = organisationField('training-new', orgs.ok ? orgs.value : [], errors);
    const who = staffPicker('training-new-user', t('training.person'), people.ok ? people.value : null);
    const kind = select('training-new-kind', [{ value: '', label: t('form.choose') }, ...options('trainingKind', values('training_kinds'))], '');
    const title = input('training-new-title', { autocomplete: 'off' });
    const completed = input('training-new-completed', { type: 'date', max: today() });
    const expires = input('training-new-expires', { type: 'date' });
    errors.register('user_id', who.control, t('training.person'));
    errors.register('kind', kind, t('training.kind'));
    errors.register('title', title, t('training.titleCol'));
    errors.register('completed_on', completed, t('training.completed'));
    errors.register('expires_on', expires, t('training.expires'));
    const { form } = miniForm(ctx, {
      id: 'training-new', errors, submitText: t('training.add'),
      children: [orgField.node, !people.ok && staffFailed('training-new-staff-failed'), who.node, field(t('training.kind'), kind, { required: true }),
        field(t('training.titleCol'), title, { hint: t('training.titleHint') }),
        field(t('training.completed'), completed, { required: true }),
        field(t('training.expires'), expires, { hint: t('training.expiresHint') })],
      collect: (errs) => {
        if (!orgField.get()) return errs.show({ message: t('form.error.missing', { field: t('prog.organisation') }), path: 'organisation_id' });
        if (!who.get()) return errs.show({ message: t('form.error.missing', { field: t('training.person') }), path: 'user_id' });
        if (!requireFields(errs, [[kind, 'kind', t('training.kind')], [completed, 'completed_on', t('training.completed')]])) return false;
        const body = { organisation_id: orgField.get(), user_id: who.get(), kind: kind.value, completed_on: completed.value };
        if (value(title)) body.title = value(title);
        if (expires.value) body.expires_on = expires.value;
        return body;
      },
      run: async (body) => {
        await recordTraining(body);
        ctx.refresh(t('training.added'));
      },
    });
    content.push(section(t('training.addTitle'), { id: 'training-add' }, form));
  }
  return page(t('training.title'), ...content);
}

// --- follow-up ---

function lastActionText(a) {
  if (!a) return t('followup.noAction');
  return t('followup.lastAction', {
    action: label('followupAction', a.action),
    date: formatDateTime(a.created_at ?? a.at),
  });
}

function followupCard(ctx, item, i) {
  const prefix = `fu-${i}`;
  const errors = new FormErrors(prefix);
  const action = select(`${prefix}-action`, [{ value: '', label: t('form.choose') }, ...options('followupAction', values('followup_actions'))], '');
  const note = textarea(`${prefix}-note`, '', { rows: 2 });
  errors.register('action', action, t('followup.action'));
  errors.register('note', note, t('followup.note'));
  const { form } = miniForm(ctx, {
    id: `${prefix}-form`, errors, submitText: t('followup.record'),
    children: [field(t('followup.action'), action, { required: true }),
      field(t('followup.note'), note, { hint: t('followup.noteHint') })],
    collect: (errs) => {
      if (!action.value) return errs.show({ message: t('form.error.missing', { field: t('followup.action') }), path: 'action' });
      const body = { participant_id: item.participant_id, programme_id: item.programme_id, action: action.value };
      if (value(note)) body.note = value(note);
      return body;
    },
    run: async (body) => {
      await recordFollowup(body);
      ctx.refresh(t('followup.recorded', { name: item.name }));
    },
  });
  const headingId = `${prefix}-name`;
  return h('li', { class: 'card followup-card', id: prefix, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, item.name || t('prog.personN', { id: item.participant_id })),
    h('p', {}, h('a', { href: `#/programmes/${item.programme_id}` }, item.programme || t('prog.programmeN', { id: item.programme_id }))),
    h('p', {}, t('followup.missed', { dates: (item.missed || []).map((d) => shortDay(String(d).slice(0, 10))).join(', ') })),
    item.may_contact
      ? h('p', { class: 'ok-note' }, t('followup.mayContact'))
      : h('p', { class: 'notice' }, t('followup.noContact')),
    h('p', { class: 'hint' }, lastActionText(item.last_action)),
    form);
}

export async function followupsView(ctx) {
  const user = ctx.session.user;
  const manage = can('followup.log');
  const [list, log] = await settle(listFollowups(), manage ? followupLog() : Promise.resolve(null));
  const content = [h('p', { class: 'lede' }, t('followup.intro'))];
  if (!list.ok) content.push(failed(list.error));
  else if (!list.value.items.length) content.push(h('p', { class: 'notice', id: 'followups' }, t('followup.none')));
  else content.push(h('ul', { class: 'cards followups', id: 'followups' }, list.value.items.map((item, i) => followupCard(ctx, item, i))));
  if (manage) {
    const columns = [
      { label: t('followup.when'), cell: (r) => formatDateTime(r.created_at) },
      { label: t('followup.person'), cell: (r) => r.name || t('prog.personN', { id: r.participant_id }) },
      { label: t('followup.programme'), cell: (r) => r.programme || (r.programme_id ? t('prog.programmeN', { id: r.programme_id }) : '') },
      { label: t('followup.action'), cell: (r) => label('followupAction', r.action) },
      { label: t('followup.by'), cell: (r) => r.user_name || r.by || (r.user_id ? t('prog.userN', { id: r.user_id }) : t('common.none')) },
      { label: t('followup.note'), cell: (r) => r.note || '' },
    ];
    content.push(section(t('followup.logTitle'), { id: 'followup-log' },
      log.ok ? dataTable({ id: 'followup-log-table', caption: t('followup.logCaption', { count: log.value.items.length }),
        columns, rows: log.value.items, emptyText: t('common.empty') }) : failed(log.error)));
  }
  return page(t('followup.title'), ...content);
}
