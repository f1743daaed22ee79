// Dates, times and recurrence rules in words: a programme's wall clock in
// its own time zone (the server stores UTC instants and IANA zone names),
// days in the UI language, and an RRULE as a sentence.

import { language, locale, plural, t } from './i18n.js';
import { label } from './labels.js';
import { values } from './meta.js';

const pad = (n) => String(n).padStart(2, '0');

// The browser's own time zone, for defaults.
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// IANA zone names for the time zone select; UTC first.
export function zoneNames() {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = ['Europe/London', 'Europe/Dublin', 'Europe/Madrid', 'America/New_York', 'America/Mexico_City'];
  }
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

// The zone's offset from UTC at instant ms (ms), from Intl.
function zoneOffset(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - ms;
}

// "2026-12-01" + "17:30" in zone -> "2026-12-01T17:30:00Z" (UTC). A time
// that does not exist (clocks going forward) moves forward, like the server.
export function zonedToUtc(date, time, zone) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  const tm = /^(\d{2}):(\d{2})/.exec(time || '');
  if (!d || !tm) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +tm[1], +tm[2]);
  let utc = wall - zoneOffset(wall, zone);
  utc = wall - zoneOffset(utc, zone);
  return new Date(utc).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// An instant as {date: "YYYY-MM-DD", time: "HH:MM"} on the wall clock of zone.
export function utcToZoned(iso, zone) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { date: '', time: '' };
  const local = new Date(ms + zoneOffset(ms, zone));
  return {
    date: `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`,
    time: `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`,
  };
}

// A wall-clock "2026-12-01T17:30" as a Date whose UTC fields are that clock.
function wallDate(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])) : null;
}

// The locale's own clock (24-hour in en-GB and es-ES, 12-hour in en-US),
// the same for every time shown.
const WHEN = {
  weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC',
};
const CLOCK = { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' };

// "2026-12-01T17:30" (wall clock) in words: "Tuesday, 1 December 2026, 17:30"
// (en-GB) or "Tuesday, December 1, 2026 at 5:30 PM" (en-US).
function formatLocal(local) {
  const d = wallDate(local);
  return d ? new Intl.DateTimeFormat(locale(), WHEN).format(d) : local || '';
}

// "17:30" (wall clock) in the locale's clock: "17:30" or "5:30 PM".
export function formatClock(hhmm) {
  const d = wallDate(`2000-01-01T${hhmm || ''}`);
  return d ? new Intl.DateTimeFormat(locale(), CLOCK).format(d) : hhmm || '';
}

// "17:30" to "19:00" in the locale's clock, both ends alike: "17:30–19:00",
// "5:30 – 7:00 PM".
export function clockRange(start, end) {
  const a = wallDate(`2000-01-01T${start || ''}`);
  const b = wallDate(`2000-01-01T${end || ''}`);
  if (!a || !b) return `${formatClock(start)} – ${formatClock(end)}`;
  const f = new Intl.DateTimeFormat(locale(), CLOCK);
  return b >= a && f.formatRange ? f.formatRange(a, b) : `${f.format(a)} – ${f.format(b)}`;
}

// A session's wall-clock start ("2026-12-01T17:30") in its zone.
function localStart(s, zone) {
  if (s.local_start) return s.local_start;
  if (!s.starts_at) return '';
  const z = utcToZoned(s.starts_at, zone);
  return `${z.date}T${z.time}`;
}

function inZone(text, zone) {
  return zone === browserZone() ? text : t('prog.inZone', { when: text, zone: zone.replace(/_/g, ' ') });
}

// A session's start in words, in its programme's time zone, naming the zone
// when it is not the reader's own.
export function sessionWhen(s) {
  if (!s) return '';
  const zone = s.timezone || browserZone();
  return inZone(formatLocal(localStart(s, zone)), zone);
}

// A session's start and end in words, both in the same clock: "Tuesday,
// 1 December 2026, 17:30–19:00" (formatRange where the browser has it).
export function sessionRange(s) {
  if (!s) return '';
  if (!s.ends_at) return sessionWhen(s);
  const zone = s.timezone || browserZone();
  const a = wallDate(localStart(s, zone));
  const e = utcToZoned(s.ends_at, zone);
  const b = wallDate(`${e.date}T${e.time}`);
  if (!a || !b) return sessionWhen(s);
  const f = new Intl.DateTimeFormat(locale(), WHEN);
  const text = b >= a && f.formatRange ? f.formatRange(a, b) : `${f.format(a)} – ${formatClock(e.time)}`;
  return inZone(text, zone);
}

// The end time of a session on its own wall clock, in the locale's clock
// ("19:00" in en-GB, "7:00 PM" in en-US).
export function sessionEndTime(s) {
  if (!s?.ends_at) return '';
  return formatClock(utcToZoned(s.ends_at, s.timezone || browserZone()).time);
}


// A short "1 Dec 2026" for a YYYY-MM-DD day.
export function shortDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return day || '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

// Today as YYYY-MM-DD in the browser's zone.
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// A YYYY-MM-DD date n days from day.
export function addDays(day, n) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
  return d.toISOString().slice(0, 10);
}

// "2011-04-02" in the UI language (dates from the API are plain days).
export function formatDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return day || '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

// RRULE day codes (MO, TU, ...) in the order of the server's weekdays.
export function rruleDays() {
  return values('weekdays').map((d) => d.slice(0, 2).toUpperCase());
}

// --- recurrence in words ---

// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=6" -> "Every 2 weeks on Tuesday
// and Thursday, 6 sessions". Unknown parts are shown as the rule itself.
// exdates: the dates skipped; a COUNT counts them (RFC 5545), so with one
// of COUNT=8 skipped the rule makes "7 sessions (1 skipped)". Only skipped
// dates the rule could fall on count (from start, on a BYDAY weekday).
export function ruleText(rrule, exdates = [], start = '') {
  if (!rrule) return t('rule.once');
  const parts = Object.fromEntries(rrule.split(';').map((p) => p.split('=')));
  const interval = Number(parts.INTERVAL || 1);
  const days = (parts.BYDAY || '').split(',').filter(Boolean);
  const list = new Intl.ListFormat(language(), { type: 'conjunction' });
  // Day names are capitalised in the catalogs; Spanish writes them in lower case mid-sentence.
  const dayName = (code) => {
    const name = label('day', values('weekdays')[rruleDays().indexOf(code)]);
    return language() === 'es' ? name.toLocaleLowerCase('es') : name;
  };
  let text;
  if (parts.FREQ === 'WEEKLY') {
    const on = list.format(days.map(dayName));
    if (interval === 1) text = t('rule.weekly', { days: on });
    else if (interval === 2) text = t('rule.fortnightly', { days: on });
    else text = t('rule.everyNWeeks', { n: interval, days: on });
  } else if (parts.FREQ === 'MONTHLY') {
    if (days.length) {
      const on = list.format(days.map((d) => {
        const m = /^(-?\d)([A-Z]{2})$/.exec(d);
        return m ? t('rule.nth', { nth: t(`rule.nth.${m[1]}`), day: dayName(m[2]) }) : d;
      }));
      text = t('rule.monthlyOn', { days: on });
    } else if (parts.BYMONTHDAY) {
      text = t('rule.monthlyDay', { day: parts.BYMONTHDAY });
    } else {
      text = t('rule.monthly');
    }
    if (interval > 1) text = `${text} ${t('rule.everyNMonths', { n: interval })}`;
  } else {
    return rrule;
  }
  const weekday = (d) => ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][new Date(`${d}T00:00:00Z`).getUTCDay()];
  const skipped = (exdates || []).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && (!start || d >= start)
    && (parts.FREQ !== 'WEEKLY' || !days.length || days.includes(weekday(d)))).length;
  if (parts.COUNT) text = `${text}, ${plural('rule.sessions', Math.max(Number(parts.COUNT) - skipped, 0))}`;
  if (parts.UNTIL) {
    const u = parts.UNTIL.slice(0, 8);
    text = `${text}, ${t('rule.until', { date: shortDay(`${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}`) })}`;
  }
  if (skipped) text = `${text} ${plural('rule.skipped', skipped)}`;
  return text;
}
