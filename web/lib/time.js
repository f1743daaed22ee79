// Dates, times and recurrence rules in words: a programme's wall clock in
// its own time zone (the server stores UTC instants and IANA zone names),
// days in the UI language, and an RRULE as a sentence.

import { language, t } from './i18n.js';
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

// "2026-12-01T17:30" (wall clock) in words: "Tuesday, 1 December 2026, 17:30".
function formatLocal(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || '');
  if (!m) return local || '';
  return new Intl.DateTimeFormat(language(), {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])));
}

// A session's start in words, in its programme's time zone, naming the zone
// when it is not the reader's own.
export function sessionWhen(s) {
  if (!s) return '';
  const zone = s.timezone || browserZone();
  const local = s.local_start || (s.starts_at ? (() => {
    const z = utcToZoned(s.starts_at, zone);
    return `${z.date}T${z.time}`;
  })() : '');
  const text = formatLocal(local);
  return zone === browserZone() ? text : t('prog.inZone', { when: text, zone: zone.replace(/_/g, ' ') });
}

// The end time of a session on its own wall clock ("19:00").
export function sessionEndTime(s) {
  if (!s?.ends_at) return '';
  return utcToZoned(s.ends_at, s.timezone || browserZone()).time;
}


// A short "1 Dec 2026" for a YYYY-MM-DD day.
export function shortDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return day || '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' })
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
  return new Intl.DateTimeFormat(language(), { dateStyle: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

// RRULE day codes (MO, TU, ...) in the order of the server's weekdays.
export function rruleDays() {
  return values('weekdays').map((d) => d.slice(0, 2).toUpperCase());
}

// --- recurrence in words ---

// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=6" -> "Every 2 weeks on Tuesday
// and Thursday, 6 times". Unknown parts are shown as the rule itself.
export function ruleText(rrule) {
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
  if (parts.COUNT) text = `${text}, ${t('rule.count', { n: parts.COUNT })}`;
  if (parts.UNTIL) {
    const u = parts.UNTIL.slice(0, 8);
    text = `${text}, ${t('rule.until', { date: shortDay(`${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}`) })}`;
  }
  return text;
}
