/*
 * iCalendar (RFC 5545) text for calendar feeds. Times are written as the
 * programme's local wall-clock time with a TZID, and the calendar carries a
 * VTIMEZONE for that zone built from the same tz data as the rest of Hearth
 * (one observance per transition in the years the events span), so a client
 * without that zone, or with another version of it, shows the same times.
 * Text is escaped and lines folded at 75 octets without splitting a UTF-8
 * sequence; lines end in CRLF.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "programs/calendar/cal.h"
#include "core/banned.h"

#define ICAL_LINE_OCTETS 75

/* The instants a feed can write: a DATE-TIME has a four-digit year, and the
 * VTIMEZONE runs to 1 January of the year after the last event, so events
 * lie between 0001-01-03 and 9998-12-30 (UTC), two days inside for any
 * offset. Hearth takes dates only from 2000 to 2100 (cal.h); this keeps
 * anything stored before that check, or a bug, from writing "DTSTART:0000...". */
#define ICAL_FIRST_T (-62135424000LL) /* 0001-01-03T00:00:00Z */
#define ICAL_LAST_T  253370592000LL   /* 9998-12-30T00:00:00Z */

/* Writes one logical line folded: at most 75 octets a line, continuation
 * lines starting with a space; a fold never falls inside a UTF-8 sequence
 * (before a continuation byte 10xxxxxx). */
static void put_folded(struct buf *out, const char *s, size_t n)
{
	size_t room = ICAL_LINE_OCTETS;
	while (n > room) {
		size_t cut = room;
		while (cut > 1 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		buf_append(out, s, cut);
		buf_append(out, "\r\n ", 3);
		s += cut;
		n -= cut;
		room = ICAL_LINE_OCTETS - 1; /* the leading space counts */
	}
	buf_append(out, s, n);
	buf_append(out, "\r\n", 2);
}

/* Appends TEXT escaped: backslash, semicolon, comma and newline; CR and
 * other control characters (which TEXT may not hold) are dropped. */
static void put_text(struct buf *line, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '\\': buf_append(line, "\\\\", 2); break;
		case ';': buf_append(line, "\\;", 2); break;
		case ',': buf_append(line, "\\,", 2); break;
		case '\n': buf_append(line, "\\n", 2); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				buf_append(line, s, 1);
			else if (c == '\t')
				buf_append(line, " ", 1);
		}
	}
}

/* A property whose value is TEXT. */
static void prop_text(struct buf *out, struct buf *line, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	line->len = 0;
	buf_puts(line, name);
	buf_append(line, ":", 1);
	put_text(line, value);
	put_folded(out, line->data, line->len);
}

/* A property whose value is not TEXT (URI, RECUR, numbers): written as is
 * but for control characters, which no value may hold. */
static void prop_raw(struct buf *out, struct buf *line, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	line->len = 0;
	buf_puts(line, name);
	buf_append(line, ":", 1);
	for (const char *s = value; *s; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf_append(line, s, 1);
	put_folded(out, line->data, line->len);
}

static void fmt_utc(char out[17], int64_t t)
{
	char iso[32];
	util_iso8601(iso, sizeof iso, t); /* YYYY-MM-DDTHH:MM:SSZ */
	snprintf(out, 17, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11, iso + 14,
	         iso + 17);
}

/* Local wall-clock time l (seconds, as if UTC) as YYYYMMDDTHHMMSS. */
static void fmt_wall(char out[24], int64_t l)
{
	int64_t days = l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
	unsigned secs = (unsigned)(l - days * 86400);
	struct cal_date d = cal_from_days(days);
	/* ical_write keeps every instant it writes inside ICAL_FIRST_T..ICAL_LAST_T. */
	assert(d.year >= 1 && d.year <= 9999);
	unsigned y = d.year < 0 ? 0u : (unsigned)d.year % 10000u;
	snprintf(out, 24, "%04u%02u%02uT%02u%02u%02u", y, (unsigned)d.month % 100u,
	         (unsigned)d.day % 100u, secs / 3600u % 100u, secs / 60u % 60u, secs % 60u);
}

static void fmt_local(char out[24], const struct tz *z, int64_t t)
{
	fmt_wall(out, t + tz_offset_at(z, t));
}

static void fmt_offset(char out[8], int off)
{
	int a = off < 0 ? -off : off;
	if (a % 60)
		snprintf(out, 8, "%c%02d%02d%02d", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60,
		         a % 60);
	else
		snprintf(out, 8, "%c%02d%02d", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
}

static void observance(struct buf *out, struct buf *line, bool dst, int64_t wall, int from, int to,
                       const char *abbr)
{
	char s[24], o[8];
	buf_puts(out, dst ? "BEGIN:DAYLIGHT\r\n" : "BEGIN:STANDARD\r\n");
	fmt_wall(s, wall);
	buf_printf(out, "DTSTART:%s\r\n", s);
	fmt_offset(o, from);
	buf_printf(out, "TZOFFSETFROM:%s\r\n", o);
	fmt_offset(o, to);
	buf_printf(out, "TZOFFSETTO:%s\r\n", o);
	prop_text(out, line, "TZNAME", abbr);
	buf_puts(out, dst ? "END:DAYLIGHT\r\n" : "END:STANDARD\r\n");
}

/* One VTIMEZONE covering [lo, hi] in whole local years: the observance in
 * force at local midnight on 1 January of the first year, then one
 * observance per transition. */
static void write_vtimezone(struct buf *out, struct buf *line, const struct tz *z, int64_t lo,
                            int64_t hi)
{
	struct local_time a, b;
	tz_utc_to_local(z, lo, &a);
	tz_utc_to_local(z, hi, &b);
	int64_t from = tz_local_to_utc(z, a.year, 1, 1, 0, 0);
	int64_t to = tz_local_to_utc(z, b.year + 1, 1, 1, 0, 0);
	int off, prev;
	bool dst;
	const char *abbr;

	buf_puts(out, "BEGIN:VTIMEZONE\r\n");
	prop_raw(out, line, "TZID", tz_name(z));
	cal__tz_state(z, from, &off, &dst, &abbr);
	observance(out, line, dst, from + off, off, off, abbr);
	prev = off;
	int64_t t = from, next;
	/* A zone changes at most a few times a year; the cap is a guard. */
	for (int i = 0; i < 4096 && cal__tz_next(z, t, to, &next); i++) {
		cal__tz_state(z, next, &off, &dst, &abbr);
		observance(out, line, dst, next + prev, prev, off, abbr);
		prev = off;
		t = next;
	}
	buf_puts(out, "END:VTIMEZONE\r\n");
}

/* How far a master event's rule reaches, so the VTIMEZONE covers it. */
static int64_t rule_end(const struct ical_event *e)
{
	struct rrule r;
	char err[8];
	int64_t d = e->end > e->start ? e->end - e->start : 0;
	if (!e->rrule || !rrule_parse(e->rrule, &r, err, sizeof err))
		return e->end;
	if (r.has_until)
		return (cal_days(r.until) + 2) * 86400 + d;
	if (r.count) {
		int64_t per = r.freq == RR_WEEKLY ? 7 : 31;
		return e->start + (int64_t)r.count * per * r.interval * 86400 + d;
	}
	return e->start + 2 * 366 * 86400; /* open-ended: feeds always bound their rules */
}

static void event_span(const struct ical_event *ev, size_t n, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MAX;
	*hi = INT64_MIN;
#define SPAN(x)                    \
	do {                       \
		if ((x) < *lo)     \
			*lo = (x); \
		if ((x) > *hi)     \
			*hi = (x); \
	} while (0)
	for (size_t i = 0; i < n; i++) {
		SPAN(ev[i].start);
		SPAN(ev[i].end);
		SPAN(rule_end(&ev[i]));
		if (ev[i].recurrence_id)
			SPAN(ev[i].recurrence_id);
		for (size_t k = 0; k < ev[i].nexdates; k++)
			SPAN(ev[i].exdates[k]);
	}
#undef SPAN
	if (n == 0)
		*lo = *hi = util_now();
}

static void prop_local(struct buf *out, const char *name, const struct tz *z, int64_t t)
{
	char s[24];
	fmt_local(s, z, t);
	/* TZID values are zone names: letters, digits, _ + - /, no quoting needed. */
	buf_printf(out, "%s;TZID=%s:%s\r\n", name, tz_name(z), s);
}

static void write_exdates(struct buf *out, struct buf *line, const struct tz *z,
                          const struct ical_event *e)
{
	if (!e->nexdates)
		return;
	line->len = 0;
	buf_printf(line, "EXDATE;TZID=%s:", tz_name(z));
	for (size_t i = 0; i < e->nexdates; i++) {
		char s[24];
		fmt_local(s, z, e->exdates[i]);
		if (i)
			buf_append(line, ",", 1);
		buf_puts(line, s);
	}
	put_folded(out, line->data, line->len);
}

static void write_event(struct buf *out, struct buf *line, const struct tz *z,
                        const struct ical_event *e)
{
	static const char *const status[] = {
	    [ICAL_CONFIRMED] = "CONFIRMED",
	    [ICAL_TENTATIVE] = "TENTATIVE",
	    [ICAL_CANCELLED] = "CANCELLED",
	};
	char s[17];
	buf_puts(out, "BEGIN:VEVENT\r\n");
	prop_raw(out, line, "UID", e->uid);
	fmt_utc(s, e->stamp ? e->stamp : util_now());
	buf_printf(out, "DTSTAMP:%s\r\n", s);
	prop_local(out, "DTSTART", z, e->start);
	prop_local(out, "DTEND", z, e->end > e->start ? e->end : e->start);
	if (e->recurrence_id)
		prop_local(out, "RECURRENCE-ID", z, e->recurrence_id);
	prop_raw(out, line, "RRULE", e->rrule);
	write_exdates(out, line, z, e);
	prop_text(out, line, "SUMMARY", e->summary);
	prop_text(out, line, "DESCRIPTION", e->description);
	prop_text(out, line, "LOCATION", e->location);
	prop_raw(out, line, "URL", e->url);
	buf_printf(out, "STATUS:%s\r\n",
	           (unsigned)e->status <= ICAL_CANCELLED ? status[e->status] : "CONFIRMED");
	buf_printf(out, "SEQUENCE:%d\r\n", e->sequence < 0 ? 0 : e->sequence);
	buf_puts(out, "END:VEVENT\r\n");
}

static bool writable(int64_t t)
{
	return t >= ICAL_FIRST_T && t <= ICAL_LAST_T;
}

/* True when every instant of e can be written (see ICAL_FIRST_T). */
static bool event_writable(const struct ical_event *e)
{
	if (!writable(e->start) || !writable(e->end) ||
	    (e->recurrence_id && !writable(e->recurrence_id)))
		return false;
	for (size_t k = 0; k < e->nexdates; k++)
		if (!writable(e->exdates[k]))
			return false;
	return true;
}

void ical_write(struct buf *out, const char *name, const struct tz *zone,
                const struct ical_event *ev_in, size_t n_in)
{
	struct buf line = BUF_INIT;
	int64_t lo, hi;
	/* Events the format cannot hold are left out, never written malformed. */
	struct ical_event *ev = xcalloc(n_in ? n_in : 1, sizeof *ev);
	size_t n = 0;
	for (size_t i = 0; i < n_in; i++)
		if (event_writable(&ev_in[i]))
			ev[n++] = ev_in[i];
	buf_puts(out, "BEGIN:VCALENDAR\r\n"
	              "VERSION:2.0\r\n"
	              "PRODID:-//Hearth//Programmes//EN\r\n"
	              "CALSCALE:GREGORIAN\r\n"
	              "METHOD:PUBLISH\r\n");
	prop_text(out, &line, "X-WR-CALNAME", name);
	prop_raw(out, &line, "X-WR-TIMEZONE", tz_name(zone));
	event_span(ev, n, &lo, &hi);
	/* A rule's reach (rule_end) may run past what can be written. */
	lo = lo < ICAL_FIRST_T ? ICAL_FIRST_T : lo > ICAL_LAST_T ? ICAL_LAST_T : lo;
	hi = hi < ICAL_FIRST_T ? ICAL_FIRST_T : hi > ICAL_LAST_T ? ICAL_LAST_T : hi;
	write_vtimezone(out, &line, zone, lo, hi);
	for (size_t i = 0; i < n; i++)
		write_event(out, &line, zone, &ev[i]);
	buf_puts(out, "END:VCALENDAR\r\n");
	buf_release(&line);
	free(ev);
}
