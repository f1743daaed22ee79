// A participant's programme pages: "Sessions that fit me" (ranked, with
// each reason in words), enrolling or joining the waitlist, answering an
// offered place, cancelling, "My sessions" with a calendar link, and asking
// for support to take part.

import { ApiError } from '../lib/api.js';
import {
  askForSupport, enrolMe, myEnrolments, mySessions, newMyCalendarAddress, sessionsThatFitMe,
} from '../endpoints/me.js';
import { acceptOffer, cancelEnrolment, declineOffer } from '../endpoints/enrolments.js';
import { listVenues } from '../endpoints/programmes.js';
import { h } from '../lib/dom.js';
import { formatDateTime, has, language, plural, t } from '../lib/i18n.js';
import { label, options, progLanguage } from '../lib/labels.js';
import { settle } from '../lib/load.js';
import { values } from '../lib/meta.js';
import { clockRange, sessionRange } from '../lib/time.js';
import { actionButton, miniForm } from '../components/actions.js';
import { field, FormErrors, select, textarea, value } from '../components/forms.js';
import { calendarBox, disclosure, failed, page, section } from '../components/page.js';
import { placesText, programmeTags } from '../components/programme.js';

// Enrolment needs the participation consent; the server says so with
// "consent": "participation". Shows that in words with a way to fix it.
function showEnrolError(ctx, errors, err) {
  if (err instanceof ApiError && err.status === 403 && err.problem.consent === 'participation') {
    errors.show({ message: t('enrol.needConsent') });
    errors.box.append(h('p', {}, h('a', { href: '#/me/consents' }, t('enrol.needConsentLink'))));
    return;
  }
  if (!errors.showApiError(err)) ctx.sessionExpired();
}

// A button that asks once more before doing something the person may regret.
// after: the id of the control that had focus before this one was drawn
// in its place ("Enrol"); focus comes here after that refresh.
function confirmed(ctx, { id, text, question, yesText, noText, work, after = null }) {
  const errors = new FormErrors(id);
  const start = h('button', { type: 'button', class: 'button button-quiet', id, 'data-after': after }, text);
  const questionId = `${id}-question`;
  const yes = h('button', { type: 'button', class: 'button button-danger', id: `${id}-yes`, 'aria-describedby': questionId }, yesText);
  const no = h('button', { type: 'button', class: 'button button-quiet', id: `${id}-no` }, noText);
  const box = h('div', { class: 'confirm', hidden: true }, h('p', { id: questionId }, question), h('div', { class: 'actions' }, yes, no));
  start.addEventListener('click', () => {
    start.hidden = true;
    box.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    box.hidden = true;
    start.hidden = false;
    start.focus();
  });
  yes.addEventListener('click', async () => {
    errors.clear();
    yes.disabled = true;
    try {
      await work();
    } catch (err) {
      if (!errors.showApiError(err)) ctx.sessionExpired();
    } finally {
      yes.disabled = false;
    }
  });
  return h('div', {}, errors.box, start, box);
}

// Where a participant stands with one programme, and the one or two things
// they can do about it. enrolment: theirs (not cancelled) or null.
export function enrolPanel(ctx, programme, enrolment, prefix) {
  const pid = programme.id;
  const id = (what) => `${prefix}-${what}-${pid}`;
  const title = programme.title || enrolment?.title || enrolment?.programme || '';
  const status = h('p', { class: 'enrol-state', id: id('state') });
  const parts = [status];
  const e = enrolment;
  if (!e) {
    const full = programme.places_left !== undefined && programme.places_left <= 0;
    status.textContent = placesText(programme);
    const { button, errors } = actionButton(ctx, {
      id: id('enrol'), text: full ? t('enrol.joinWaitlist') : t('enrol.enrol'), working: t('enrol.working'),
      describedBy: id('state'),
      work: async (errs) => {
        try {
          const r = await enrolMe(pid);
          ctx.refresh(r?.status === 'waitlisted'
            ? t('enrol.doneWaitlist', { title, n: r.position ?? '' }) : t('enrol.done', { title }));
        } catch (err) {
          showEnrolError(ctx, errs, err);
        }
      },
    });
    button.setAttribute('aria-label', `${button.textContent}: ${title}`);
    // Focus comes back here after cancelling a place or leaving the waitlist.
    button.setAttribute('data-after', `${id('cancel')}-yes ${id('leave')}-yes ${id('decline')}`);
    parts.push(errors.box, button);
  } else if (e.status === 'enrolled') {
    status.textContent = t('enrol.youHavePlace');
    parts.push(confirmed(ctx, {
      id: id('cancel'), text: t('enrol.cancelMine'), question: t('enrol.cancelQuestion', { title }),
      yesText: t('enrol.cancelYes'), noText: t('enrol.cancelNo'), after: `${id('enrol')} ${id('accept')}`,
      work: async () => {
        await cancelEnrolment(e.id);
        ctx.refresh(t('enrol.cancelledMine', { title }));
      },
    }));
  } else if (e.status === 'waitlisted') {
    status.textContent = e.position ? t('enrol.waitlistYouN', { n: e.position }) : t('enrol.waitlistYou');
    parts.push(confirmed(ctx, {
      id: id('leave'), text: t('enrol.leaveWaitlist'), question: t('enrol.leaveQuestion', { title }),
      yesText: t('enrol.leaveYes'), noText: t('enrol.cancelNo'), after: id('enrol'),
      work: async () => {
        await cancelEnrolment(e.id);
        ctx.refresh(t('enrol.leftWaitlist', { title }));
      },
    }));
  } else if (e.status === 'offered') {
    status.textContent = e.offer_expires_at
      ? t('enrol.offeredUntil', { date: formatDateTime(e.offer_expires_at) }) : t('enrol.offered');
    status.classList.add('offer');
    const accept = actionButton(ctx, {
      id: id('accept'), text: t('enrol.accept'), describedBy: id('state'),
      work: async () => {
        await acceptOffer(e.id);
        ctx.refresh(t('enrol.accepted', { title }));
      },
    });
    const decline = actionButton(ctx, {
      id: id('decline'), text: t('enrol.decline'), quiet: true, describedBy: id('state'),
      work: async () => {
        await declineOffer(e.id);
        ctx.refresh(t('enrol.declined', { title }));
      },
    });
    parts.push(accept.errors.box, decline.errors.box, h('div', { class: 'actions' }, accept.button, decline.button));
  } else {
    status.textContent = label('enrolStatus', e.status);
  }
  if (e && e.status !== 'cancelled') parts.push(supportAsk(ctx, pid, id('support')));
  return h('div', { class: 'enrol-panel' }, parts);
}

// "Ask for help to take part": transport, childcare, an interpreter, equipment.
function supportAsk(ctx, programmeId, prefix) {
  const errors = new FormErrors(prefix);
  const kind = select(`${prefix}-kind`, [{ value: '', label: t('form.choose') }, ...options('supportKind', values('support_kinds'))], '');
  const notes = textarea(`${prefix}-notes`, '', { rows: 2 });
  errors.register('kind', kind, t('support.whatHelp'));
  errors.register('notes', notes, t('support.myNotes'));
  const { form } = miniForm(ctx, {
    id: `${prefix}-form`, errors, submitText: t('support.ask'),
    children: [field(t('support.whatHelp'), kind, { required: true }), field(t('support.myNotes'), notes, { hint: t('support.myNotesHint') })],
    collect: (errs) => {
      if (!kind.value) return errs.show({ message: t('form.error.missing', { field: t('support.whatHelp') }), path: 'kind' });
      const body = { programme_id: programmeId, kind: kind.value };
      if (value(notes)) body.notes = value(notes);
      return body;
    },
    run: async (body) => {
      await askForSupport(body);
      ctx.refresh(t('support.asked'));
    },
  });
  return disclosure(prefix, t('support.askTitle'), [h('p', { class: 'hint' }, t('support.askIntro')), form]);
}

// --- sessions that fit me ---

// "a, b and c" in the UI language.
function listWords(items) {
  return new Intl.ListFormat(language(), { type: 'conjunction' }).format(items);
}

// Weekday names for a list mid-sentence: Spanish writes them in lower case
// (the catalogs capitalise them); the sentence's first letter is upper case.
function dayList(days) {
  const names = days.map((d) => label('day', d));
  const text = listWords(language() === 'es' ? names.map((n) => n.toLocaleLowerCase('es')) : names);
  return text.charAt(0).toLocaleUpperCase(language()) + text.slice(1);
}

// A reason's code and parameters from the API ({"code":"venue_has",
// "features":["quiet_room"]}) in the reader's language; null for a code
// this UI has no words for (the sentence for the criterion still shows).
function reasonWords(why, programme) {
  if (!why?.code) return null;
  const key = `fitWhy.${why.code}`;
  const params = {
    features: listWords((why.features || []).map((f) => label('feature', f))),
    lang: why.lang ? progLanguage(why.lang) : '',
    langs: listWords((programme.languages || []).map(progLanguage)),
    format: label('format', why.format || programme.format),
    days: dayList(why.days || []),
    time: why.start && why.end ? clockRange(why.start, why.end) : '',
    artForm: label('artForm', why.art_form || programme.art_form),
  };
  if (has(`${key}.other`)) return plural(key, why.n ?? 0, params);
  return has(key) ? t(key, params) : null;
}

function reasonItem(r, programme) {
  const key = `fit.${r.code}.${r.ok ? 'ok' : 'no'}`;
  const known = values('fit_codes').includes(r.code);
  const words = reasonWords(r.reason, programme);
  return h('li', { class: r.ok ? 'fit-ok' : 'fit-no' },
    h('span', { class: 'fit-mark', 'aria-hidden': 'true' }, r.ok ? '✓' : '✗'),
    h('span', {}, h('span', { class: 'visually-hidden' }, `${r.ok ? t('fit.yes') : t('fit.no')}: `),
      known ? t(key) : label('fitCode', r.code),
      words ? h('span', { class: 'fit-detail' }, ' ', words) : null));
}

function fitCard(ctx, item, mine, rank) {
  const p = item.programme;
  const reasons = item.reasons || [];
  const good = reasons.filter((r) => r.ok).length;
  const headingId = `fit-title-${p.id}`;
  return h('li', { class: 'card fit-card', id: `fit-${p.id}`, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, h('a', { href: `#/programmes/${p.id}` }, p.title)),
    programmeTags({ ...p, status: null }),
    h('p', { class: 'fit-score' }, t('fit.rank', { n: rank }), ' · ', t('fit.matches', { ok: good, total: reasons.length })),
    item.next_session && h('p', { class: 'fit-next' }, h('strong', {}, `${t('fit.next')}: `), sessionRange(item.next_session)),
    h('h3', { class: 'fit-why' }, t('fit.why')),
    h('ul', { class: 'fit-reasons', id: `fit-reasons-${p.id}` }, reasons.map((r) => reasonItem(r, p))),
    enrolPanel(ctx, p, mine, 'fit'));
}

export async function fitView(ctx) {
  const [fit, mine] = await settle(sessionsThatFitMe(), myEnrolments());
  if (!fit.ok) throw fit.error;
  const byProgramme = new Map((mine.ok ? mine.value.items : []).filter((e) => e.status !== 'cancelled')
    .map((e) => [e.programme_id, e]));
  const items = fit.value.items || [];
  return page(t('fit.title'),
    h('p', { class: 'lede' }, t('fit.intro')),
    h('p', {}, h('a', { href: '#/me/needs' }, t('fit.changeNeeds'))),
    items.length
      ? h('ol', { class: 'fit-list', id: 'fit-list' }, items.map((item, i) => fitCard(ctx, item, byProgramme.get(item.programme.id) || null, i + 1)))
      : h('p', { class: 'notice', id: 'fit-list' }, t('fit.none')));
}

// --- my sessions ---

export async function mySessionsView(ctx) {
  const [mine, sessions, venuesR] = await settle(myEnrolments(), mySessions(), listVenues());
  const venues = new Map((venuesR.ok ? venuesR.value.items : []).map((v) => [v.id, v]));
  const places = mine.ok ? mine.value.items.filter((e) => e.status !== 'cancelled') : [];
  const placesPart = !mine.ok ? failed(mine.error)
    : places.length ? h('ul', { class: 'cards', id: 'my-places' }, places.map((e) => h('li', { class: 'card', id: `place-${e.id}` },
      h('h3', {}, h('a', { href: `#/programmes/${e.programme_id}` }, e.title || e.programme || t('prog.programmeN', { id: e.programme_id }))),
      enrolPanel(ctx, { id: e.programme_id, title: e.title || e.programme }, e, 'mine'))))
      : h('p', { class: 'hint', id: 'my-places' }, t('mine.noPlaces'), ' ', h('a', { href: '#/me/fit' }, t('mine.findSome')));
  const list = sessions.ok ? sessions.value.items : [];
  const sessionsPart = !sessions.ok ? failed(sessions.error)
    : list.length ? h('ul', { class: 'session-list', id: 'my-sessions' }, list.map((s) => h('li', { class: `card${s.status === 'cancelled' ? ' is-cancelled' : ''}` },
      h('h3', {}, s.programme || t('prog.programmeN', { id: s.programme_id })),
      h('p', { class: 'session-when' }, sessionRange(s)),
      s.status === 'cancelled' && h('p', { class: 'notice' }, t('mine.cancelled'), s.cancel_reason ? ` ${s.cancel_reason}` : ''),
      s.venue_id && venues.has(s.venue_id) && h('p', {}, `${venues.get(s.venue_id).name}, ${venues.get(s.venue_id).address}`),
      s.online_link && s.status !== 'cancelled' && h('p', {}, h('a', { href: s.online_link, rel: 'noopener noreferrer' }, t('mine.joinOnline'))))))
      : h('p', { class: 'hint', id: 'my-sessions' }, t('mine.noSessions'));
  const out = h('div', { id: 'my-calendar-box' });
  const { button, errors } = actionButton(ctx, {
    id: 'my-calendar', text: t('cal.mineMake'), quiet: true, describedBy: 'my-calendar-hint',
    work: async () => {
      const { url } = await newMyCalendarAddress();
      const box = calendarBox('my-calendar-result', url);
      out.replaceChildren(box.node);
      box.heading.focus();
    },
  });
  return page(t('mine.title'),
    h('p', { class: 'lede' }, t('mine.intro')),
    section(t('mine.placesTitle'), { id: 'mine-places' }, placesPart),
    section(t('mine.sessionsTitle'), { id: 'mine-sessions' }, sessionsPart),
    section(t('cal.mineTitle'), { id: 'mine-feed' }, h('p', { id: 'my-calendar-hint' }, t('cal.mineIntro')), errors.box, button, out));
}
