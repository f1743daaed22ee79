// Listening: rounds of asking residents what they need. Participants answer
// online (in their language, anonymously if they prefer), propose themes and
// vote; frontline staff enter answers given in person; coordinators open and
// close rounds, read the answers, say which themes were not acted on and
// why, and record decisions that link back to the themes. "You said, we
// did" shows the decisions and what was not acted on, to everyone.

import {
  answerRound, getRound, listDecisions, listRounds, openRound, proposeTheme, recordDecision, roundAnswers, roundThemes,
  takeVoteBack, updateRound, updateTheme, voteFor,
} from '../endpoints/listening.js';
import { listProgrammes } from '../endpoints/programmes.js';
import { dataTable, h } from '../lib/dom.js';
import { formatDateTime, language, t } from '../lib/i18n.js';
import { label, options } from '../lib/labels.js';
import { settle } from '../lib/load.js';
import { can, canIn, organisationsFor, values } from '../lib/meta.js';
import { browserZone, utcToZoned, zonedToUtc } from '../lib/time.js';
import { actionButton, miniForm, pressed } from '../components/actions.js';
import { checkboxGroup, field, FormErrors, input, select, textarea, value } from '../components/forms.js';
import { back, disclosure, failed, page, section } from '../components/page.js';
import { organisationField, participantPicker } from '../components/pickers.js';

function closesText(r) {
  if (r.status === 'closed') return r.closed_at ? t('listen.closedOn', { date: formatDateTime(r.closed_at) }) : t('listen.closed');
  return r.closes_at ? t('listen.closesOn', { date: formatDateTime(r.closes_at) }) : t('listen.open');
}

// "1 vote" / "3 votes".
function votesText(n) {
  return t(n === 1 ? 'theme.vote1' : 'theme.votes', { n: n ?? 0 });
}

// A day picked in a date box, as the end of that day in the reader's zone.
function endOfDay(day) {
  return day ? zonedToUtc(day, '23:59', browserZone()) : null;
}

// --- the list ---

export async function listeningView(ctx) {
  const user = ctx.session.user;
  const manage = can('listening.manage');
  const { items } = await listRounds();
  const rounds = [...items].sort((a, b) => (a.status === b.status ? b.id - a.id : a.status === 'open' ? -1 : 1));
  const columns = [
    { label: t('listen.round'), cell: (r) => h('a', { href: `#/listening/${r.id}` }, r.title) },
    { label: t('listen.status'), cell: (r) => label('roundStatus', r.status) },
    { label: t('listen.closes'), cell: (r) => closesText(r) },
  ];
  let create = null;
  if (manage) {
    const orgs = await organisationsFor('listening.manage');
    const errors = new FormErrors('round-new');
    const orgField = organisationField('round-new', orgs, errors);
    const title = input('round-new-title', { autocomplete: 'off' });
    const description = textarea('round-new-description', '', { rows: 3 });
    const closes = input('round-new-closes', { type: 'date' });
    errors.register('title', title, t('listen.roundTitle'));
    errors.register('description', description, t('listen.description'));
    errors.register('closes_at', closes, t('listen.closesAt'));
    const { form } = miniForm(ctx, {
      id: 'round-new', errors, submitText: t('listen.open.button'),
      children: [orgField.node, field(t('listen.roundTitle'), title, { required: true, hint: t('listen.roundTitleHint') }),
        field(t('listen.description'), description, { hint: t('listen.descriptionHint') }),
        field(t('listen.closesAt'), closes, { hint: t('listen.closesAtHint') })],
      collect: (errs) => {
        if (!orgField.get()) return errs.show({ message: t('form.error.missing', { field: t('prog.organisation') }), path: 'organisation_id' });
        if (!value(title)) return errs.show({ message: t('form.error.missing', { field: t('listen.roundTitle') }), path: 'title' });
        const body = { organisation_id: orgField.get(), title: value(title) };
        if (value(description)) body.description = value(description);
        if (closes.value) body.closes_at = endOfDay(closes.value);
        return body;
      },
      run: async (body) => {
        const r = await openRound(body);
        ctx.announceAfterNavigation(t('listen.opened', { title: body.title }));
        ctx.navigate(`/listening/${r.id}`);
      },
    });
    create = section(t('listen.newTitle'), { id: 'round-add' }, form);
  }
  return page(t('listen.title'),
    h('p', { class: 'lede' }, t(manage ? 'listen.introManage' : can('theme.vote') ? 'listen.introParticipant' : 'listen.introStaff')),
    dataTable({ id: 'rounds-table', caption: t('listen.caption', { count: rounds.length }), columns, rows: rounds,
      emptyText: t('listen.none') }),
    create,
    h('p', {}, h('a', { href: '#/you-said' }, t('said.link'))));
}

// --- answering ---

function answerForm(ctx, round, { staff }) {
  const prefix = 'answer';
  const errors = new FormErrors(prefix);
  const children = [];
  let who = null;
  if (staff) {
    who = participantPicker(`${prefix}-person`, t('answer.person'), { required: false, hint: t('answer.personHint') });
    errors.register('participant_id', who.control, t('answer.person'));
    children.push(who.node);
  }
  const anon = h('input', { type: 'checkbox', id: `${prefix}-anonymous`, 'aria-describedby': `${prefix}-anonymous-hint` });
  children.push(h('div', { class: 'field' },
    h('div', { class: 'choice' }, anon, h('label', { for: anon.id }, t(staff ? 'answer.anonymousStaff' : 'answer.anonymous'))),
    h('p', { class: 'hint', id: `${prefix}-anonymous-hint` }, t('answer.anonymousHint'))));
  const lang = select(`${prefix}-lang`, [{ value: 'en', label: 'English' }, { value: 'es', label: 'Español' }], language());
  lang.options[0].lang = 'en';
  lang.options[1].lang = 'es';
  children.push(field(t('answer.lang'), lang, { hint: t('answer.langHint') }));
  const boxes = Object.fromEntries(values('listening_questions').map((k) => [k, textarea(`${prefix}-${k}`, '', { rows: 3, maxlength: 2000 })]));
  for (const k of values('listening_questions')) {
    children.push(field(t(`answer.q.${k}`), boxes[k], { hint: t(`answer.q.${k}.hint`) }));
    errors.register(`answers.${k}`, boxes[k], t(`answer.q.${k}`));
  }
  const tags = checkboxGroup({ legend: t('answer.barrierTags'), hint: t('answer.barrierTagsHint'), name: `${prefix}-tag`,
    options: options('barrier', values('barrier_tags')) });
  children.push(tags.node);
  errors.register('answers', boxes.emotional, t(`answer.q.${values('listening_questions')[0]}`));
  errors.register('barrier_tags', tags.first, t('answer.barrierTags'));
  errors.register('lang', lang, t('answer.lang'));
  errors.register('anonymous', anon, t('answer.anonymous'));
  const { form } = miniForm(ctx, {
    id: `${prefix}-form`, errors, submitText: t(staff ? 'answer.submitStaff' : 'answer.submit'), workingText: t('answer.sending'),
    children,
    collect: (errs) => {
      const answers = {};
      for (const k of values('listening_questions')) if (value(boxes[k])) answers[k] = value(boxes[k]);
      if (!Object.keys(answers).length) return errs.show({ message: t('answer.error.empty'), path: 'answers' });
      const body = { anonymous: anon.checked, lang: lang.value, answers };
      if (tags.get().length) body.barrier_tags = tags.get();
      if (staff && who.get() && !anon.checked) body.participant_id = who.get();
      return body;
    },
    run: async (body) => {
      await answerRound(round.id, body);
      ctx.refresh(t(staff ? 'answer.savedStaff' : 'answer.thanks'));
    },
  });
  const node = staff
    ? disclosure('answer-add', t('answer.staffTitle'), form, () => who.load().catch((err) => errors.showApiError(err)))
    : form;
  return node;
}

// --- themes ---

// A theme whose proposer erased their record has no words left.
const themeTitle = (th) => (th.removed ? t('theme.removed') : th.title);

function themeCard(ctx, round, th, { myVote, canVote, manage }) {
  const mine = myVote === th.id;
  const open = round.status === 'open';
  const parts = [
    h('h3', { id: `theme-title-${th.id}` }, themeTitle(th)),
    th.description && h('p', {}, th.description),
    h('p', { class: 'theme-votes', id: `theme-votes-${th.id}` }, votesText(th.votes),
      ' · ', label('proposer', th.proposer_kind)),
  ];
  if (th.outcome === 'acted') parts.push(h('p', { class: 'ok-note' }, t('theme.acted')));
  if (th.outcome === 'not_acted') parts.push(h('p', { class: 'notice' }, h('strong', {}, t('theme.notActed')), ' ', th.outcome_reason || ''));
  if (canVote && open) {
    const { button, errors } = actionButton(ctx, {
      id: `vote-${th.id}`, text: mine ? t('theme.yourVote') : t('theme.voteFor'), quiet: !mine, working: t('theme.voting'),
      describedBy: `theme-title-${th.id}`,
      work: async () => {
        if (mine) return;
        await voteFor(round.id, th.id);
        ctx.refresh(t('theme.voted', { title: th.title }));
      },
    });
    pressed(button, mine);
    parts.push(errors.box, button);
  } else if (mine) {
    parts.push(h('p', { class: 'ok-note' }, t('theme.yourVote')));
  }
  if (manage) {
    if (th.outcome === 'not_acted') {
      const { button, errors } = actionButton(ctx, {
        id: `theme-pending-${th.id}`, text: t('theme.undoNotActed'), quiet: true, describedBy: `theme-title-${th.id}`,
        work: async () => {
          await updateTheme(th.id, { outcome: 'pending' });
          ctx.refresh(t('theme.backToPending', { title: th.title }));
        },
      });
      button.classList.add('button-small');
      parts.push(errors.box, button);
    } else if (th.outcome !== 'acted') {
      const errors = new FormErrors(`theme-na-${th.id}`);
      const reason = textarea(`theme-na-${th.id}-reason`, '', { rows: 2 });
      errors.register('outcome_reason', reason, t('theme.reason'));
      const { form } = miniForm(ctx, {
        id: `theme-na-${th.id}`, errors, submitText: t('theme.markNotActed'),
        children: [field(t('theme.reason'), reason, { required: true, hint: t('theme.reasonHint') })],
        collect: (errs) => (value(reason) ? { outcome: 'not_acted', outcome_reason: value(reason) }
          : errs.show({ message: t('theme.error.reason'), path: 'outcome_reason' })),
        run: async (body) => {
          await updateTheme(th.id, body);
          ctx.refresh(t('theme.markedNotActed', { title: th.title }));
        },
      });
      parts.push(disclosure(`theme-na-box-${th.id}`, t('theme.notActedTitle', { title: th.title }), form));
    }
  }
  return h('li', { class: `card theme-card${mine ? ' is-mine' : ''}`, id: `theme-${th.id}`, 'aria-labelledby': `theme-title-${th.id}` }, parts);
}

function proposeForm(ctx, round) {
  const errors = new FormErrors('theme-new');
  const title = input('theme-new-title', { autocomplete: 'off', maxlength: 200 });
  const description = textarea('theme-new-description', '', { rows: 2 });
  errors.register('title', title, t('theme.title'));
  errors.register('description', description, t('theme.description'));
  const { form } = miniForm(ctx, {
    id: 'theme-new', errors, submitText: t('theme.propose'),
    children: [field(t('theme.title'), title, { required: true, hint: t('theme.titleHint') }),
      field(t('theme.description'), description)],
    collect: (errs) => {
      if (!value(title)) return errs.show({ message: t('form.error.missing', { field: t('theme.title') }), path: 'title' });
      const body = { title: value(title) };
      if (value(description)) body.description = value(description);
      return body;
    },
    run: async (body) => {
      await proposeTheme(round.id, body);
      ctx.refresh(t('theme.proposed', { title: body.title }));
    },
  });
  return form;
}

// --- coordinating ---

function roundControls(ctx, round) {
  const open = round.status === 'open';
  const { button, errors } = actionButton(ctx, {
    id: open ? 'round-close' : 'round-reopen', text: t(open ? 'listen.close' : 'listen.reopen'), quiet: !open,
    describedBy: 'round-close-hint',
    work: async () => {
      await updateRound(round.id, { status: open ? 'closed' : 'open' });
      ctx.refresh(t(open ? 'listen.closedNow' : 'listen.reopened'));
    },
  });
  const prefix = 'round-edit';
  const ferrors = new FormErrors(prefix);
  const title = input(`${prefix}-title`, { value: round.title });
  const description = textarea(`${prefix}-description`, round.description || '', { rows: 3 });
  const closes = input(`${prefix}-closes`, { type: 'date', value: round.closes_at ? utcToZoned(round.closes_at, browserZone()).date : '' });
  ferrors.register('title', title, t('listen.roundTitle'));
  ferrors.register('description', description, t('listen.description'));
  ferrors.register('closes_at', closes, t('listen.closesAt'));
  const { form } = miniForm(ctx, {
    id: prefix, errors: ferrors, submitText: t('form.save'),
    children: [field(t('listen.roundTitle'), title, { required: true }), field(t('listen.description'), description),
      field(t('listen.closesAt'), closes, { hint: t('listen.closesAtHint') })],
    collect: (errs) => {
      if (!value(title)) return errs.show({ message: t('form.error.missing', { field: t('listen.roundTitle') }), path: 'title' });
      const body = {};
      if (value(title) !== round.title) body.title = value(title);
      if (value(description) !== (round.description || '')) body.description = value(description);
      if (closes.value && endOfDay(closes.value) !== round.closes_at) body.closes_at = endOfDay(closes.value);
      if (!Object.keys(body).length) return errs.show({ message: t('sess.error.nothing') });
      return body;
    },
    run: async (body) => {
      await updateRound(round.id, body);
      ctx.refresh(t('form.saved'));
    },
  });
  return [h('p', { id: 'round-close-hint' }, t(open ? 'listen.closeHint' : 'listen.reopenHint')), errors.box, button,
    disclosure('round-edit-box', t('listen.editTitle'), form)];
}

function decisionForm(ctx, round, themes, programmes) {
  const prefix = 'decision-new';
  const errors = new FormErrors(prefix);
  const kind = select(`${prefix}-kind`, [{ value: '', label: t('form.choose') }, ...options('decisionKind', values('decision_kinds'))], '');
  const title = input(`${prefix}-title`, { autocomplete: 'off' });
  const body = textarea(`${prefix}-body`, '', { rows: 3 });
  const programme = select(`${prefix}-programme`, [{ value: '', label: t('decision.noProgramme') },
    ...programmes.filter((p) => p.organisation_id === round.organisation_id).map((p) => ({ value: String(p.id), label: p.title }))], '');
  const linkable = themes.filter((th) => th.outcome !== 'not_acted');
  const themeBoxes = checkboxGroup({ legend: t('decision.themes'), hint: t('decision.themesHint'), name: `${prefix}-theme`,
    options: linkable.map((th) => ({ value: String(th.id), label: t('decision.themeOption', { title: themeTitle(th), votes: votesText(th.votes) }) })) });
  errors.register('kind', kind, t('decision.kind'));
  errors.register('title', title, t('decision.title'));
  errors.register('body', body, t('decision.body'));
  errors.register('programme_id', programme, t('decision.programme'));
  if (themeBoxes.first) errors.register('theme_ids', themeBoxes.first, t('decision.themes'));
  const { form } = miniForm(ctx, {
    id: prefix, errors, submitText: t('decision.record'),
    children: [field(t('decision.kind'), kind, { required: true }), field(t('decision.title'), title, { required: true, hint: t('decision.titleHint') }),
      field(t('decision.body'), body, { hint: t('decision.bodyHint') }), field(t('decision.programme'), programme),
      linkable.length ? themeBoxes.node : h('p', { class: 'hint' }, t('decision.noThemes'))],
    collect: (errs) => {
      if (!kind.value) return errs.show({ message: t('form.error.missing', { field: t('decision.kind') }), path: 'kind' });
      if (!value(title)) return errs.show({ message: t('form.error.missing', { field: t('decision.title') }), path: 'title' });
      const out = { organisation_id: round.organisation_id, round_id: round.id, kind: kind.value, title: value(title) };
      if (value(body)) out.body = value(body);
      if (programme.value) out.programme_id = Number(programme.value);
      const ids = themeBoxes.get().map(Number);
      if (ids.length) out.theme_ids = ids;
      return out;
    },
    run: async (out) => {
      await recordDecision(out);
      ctx.refresh(t('decision.recorded', { title: out.title }));
    },
  });
  return form;
}

function responseCard(r) {
  const who = r.anonymous ? t('response.anonymous')
    : r.participant_id ? h('a', { href: `#/people/${r.participant_id}` }, t('prog.personN', { id: r.participant_id })) : t('response.unnamed');
  return h('li', { class: 'card', id: `response-${r.id}` },
    h('h4', {}, formatDateTime(r.created_at), ' · ', label('channel', r.channel), ' · ', r.lang === 'es' ? 'Español' : 'English'),
    h('p', {}, who),
    r.erased || r.answers === null
      ? h('p', { class: 'hint' }, t('response.erased'))
      : h('dl', { class: 'details' }, values('listening_questions').filter((k) => r.answers?.[k]).map((k) => h('div', { class: 'details-row' },
        h('dt', {}, t(`answer.q.${k}`)), h('dd', { lang: r.lang, class: 'notes' }, r.answers[k])))));
}

export async function roundView(ctx, { id }) {
  const user = ctx.session.user;
  const round = await getRound(id);
  // Staff parts only for staff of the round's own organisation.
  const manage = canIn(round.organisation_id, 'listening.manage');
  const frontline = canIn(round.organisation_id, 'attendance.mark');
  const staff = canIn(round.organisation_id, 'participant.read');
  const participant = can('theme.vote');
  const [themesR, programmesR] = await settle(roundThemes(id),
    manage ? listProgrammes() : Promise.resolve(null));
  const open = round.status === 'open';
  const themes = themesR.ok ? themesR.value.items || [] : [];
  const myVote = themesR.ok ? themesR.value.my_vote ?? null : null;
  const content = [
    back('#/listening', t('listen.back')),
    h('ul', { class: 'tags' }, h('li', {}, label('roundStatus', round.status)),
      (round.closes_at || round.closed_at) && h('li', {}, closesText(round))),
    round.description && h('p', { class: 'lede notes' }, round.description),
  ];
  if (manage) content.push(section(t('listen.manageTitle'), { id: 'round-manage' }, ...roundControls(ctx, round)));

  if (open && participant) {
    content.push(section(t('answer.title'), { id: 'round-answer' }, h('p', {}, t('answer.intro')), answerForm(ctx, round, { staff: false })));
  } else if (open && frontline) {
    content.push(section(t('answer.staffSection'), { id: 'round-answer' }, h('p', {}, t('answer.staffIntro')), answerForm(ctx, round, { staff: true })));
  } else if (!open) {
    content.push(h('p', { class: 'notice', id: 'round-closed' }, t('listen.closedNote')));
  }

  const themeList = themesR.ok
    ? (themes.length
      ? h('ul', { class: 'cards themes', id: 'themes' }, [...themes].sort((a, b) => (b.votes ?? 0) - (a.votes ?? 0))
        .map((th) => themeCard(ctx, round, th, { myVote, canVote: participant, manage })))
      : h('p', { class: 'hint', id: 'themes' }, t('theme.none')))
    : failed(themesR.error);
  const themeParts = [h('p', {}, t(participant && open ? 'theme.introVote' : 'theme.intro')), themeList];
  if (participant && open && myVote) {
    const { button, errors } = actionButton(ctx, {
      id: 'vote-withdraw', text: t('theme.withdrawVote'), quiet: true,
      work: async () => {
        await takeVoteBack(id);
        ctx.refresh(t('theme.voteWithdrawn'));
      },
    });
    themeParts.push(errors.box, button);
  }
  if (open && (participant || staff)) {
    themeParts.push(section(t('theme.proposeTitle'), { id: 'theme-propose', level: 3 }, proposeForm(ctx, round)));
  }
  content.push(section(t('theme.sectionTitle'), { id: 'round-themes' }, ...themeParts));

  if (manage) {
    content.push(section(t('decision.sectionTitle'), { id: 'round-decision' },
      h('p', {}, t('decision.intro')),
      decisionForm(ctx, round, themes, programmesR.ok ? programmesR.value.items : [])));
    const box = h('div', { id: 'responses-box' });
    const { button, errors } = actionButton(ctx, {
      id: 'responses-show', text: t('response.show'), quiet: true, working: t('common.loading'), describedBy: 'responses-hint',
      work: async () => {
        const { items } = await roundAnswers(id);
        const heading = h('h3', { tabindex: '-1', id: 'responses-heading' }, t('response.count', { count: items.length }));
        box.replaceChildren(heading, items.length
          ? h('ul', { class: 'cards responses', id: 'responses' }, items.map(responseCard))
          : h('p', { class: 'hint', id: 'responses' }, t('response.none')));
        heading.focus();
      },
    });
    content.push(section(t('response.title'), { id: 'round-responses' },
      h('p', { id: 'responses-hint' }, t('response.hint')), errors.box, button, box));
  }
  return page(round.title, ...content);
}

// --- you said, we did ---

export async function youSaidView() {
  const data = await listDecisions();
  const items = data.items || [];
  const notActed = data.not_acted || [];
  const decisionCard = (d) => h('li', { class: 'card said-card', id: `decision-${d.id}` },
    h('h3', {}, d.title),
    h('p', { class: 'hint' }, label('decisionKind', d.kind), ' · ', formatDateTime(d.created_at)),
    d.body && h('p', { class: 'notes' }, d.body),
    (d.themes?.length || d.responses) ? h('div', { class: 'said-because' },
      h('p', {}, h('strong', {}, t('said.because'))),
      d.themes?.length ? h('ul', {}, d.themes.map((th) => h('li', {}, t('said.theme', { title: themeTitle(th), votes: votesText(th.votes) })))) : null,
      d.responses ? h('p', {}, t(d.responses === 1 ? 'said.responses1' : 'said.responses', { n: d.responses })) : null) : null,
    d.programme_id && h('p', {}, h('a', { href: `#/programmes/${d.programme_id}` }, t('said.seeProgramme'))));
  return page(t('said.title'),
    h('p', { class: 'lede' }, t('said.intro')),
    section(t('said.didTitle'), { id: 'said-did' },
      items.length ? h('ul', { class: 'cards', id: 'decisions' }, items.map(decisionCard))
        : h('p', { class: 'hint', id: 'decisions' }, t('said.none'))),
    section(t('said.notTitle'), { id: 'said-not' },
      h('p', {}, t('said.notIntro')),
      notActed.length ? h('ul', { class: 'cards', id: 'not-acted' }, notActed.map((n) => h('li', { class: 'card', id: `not-acted-${n.theme_id}` },
        h('h3', {}, themeTitle(n)),
        h('p', { class: 'hint' }, votesText(n.votes)),
        h('p', {}, h('strong', {}, t('said.why')), ' ', n.reason || ''))))
        : h('p', { class: 'hint', id: 'not-acted' }, t('said.noneNot'))),
    h('p', {}, h('a', { href: '#/listening' }, t('said.haveYourSay'))));
}
