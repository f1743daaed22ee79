/*
 * Calendar arithmetic for programmes, with no database and no HTTP:
 *   - time zones read from the system's tz database (TZif files under
 *     /usr/share/zoneinfo, Debian package tzdata);
 *   - the RFC 5545 RRULE subset Hearth supports, expanded into local dates;
 *   - iCalendar (RFC 5545) text for feeds, with VTIMEZONE built from the
 *     same tz data.
 * Pure functions; safe to call from any thread.
 */
#ifndef HEARTH_PROGRAMS_CAL_H
#define HEARTH_PROGRAMS_CAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

/* --- time zones --- */

struct tz; /* a loaded zone; immutable, shared, cached for the process */

/* Loads a zone by IANA name ("Europe/London", "UTC"). Returns NULL when the
 * name is malformed (only A-Z a-z 0-9 _ + - / allowed, no "..", at most 64
 * bytes) or no such zone exists. Loaded zones are cached for the process
 * (thread-safe) and never freed before exit. */
const struct tz *tz_get(const char *name);
/* Reads a TZif image (RFC 8536) held in memory, as tz_get() reads a file
 * (tests and tests/fuzz/ feed it bytes). name is only recorded (at most 64
 * bytes kept). Returns NULL when data is not a well-formed TZif image
 * Hearth can use (leap-second zones are refused). The caller owns the
 * result, which is not cached, and frees it with tz_free(). */
struct tz *tz_new(const char *name, const unsigned char *data, size_t len);
/* Frees a zone made by tz_new(); NULL is ignored. Never for tz_get()'s. */
void tz_free(struct tz *z);
/* True when name is a time zone a programme may use: a zone or a link
 * (such as Europe/Kiev -> Europe/Kyiv, or UTC) in tzdata's own list
 * (tzdata.zi, its "Z" and "L" lines), other than "Factory", that loads.
 * Files of the zoneinfo directory that are not in the list (localtime,
 * posixrules, posix/..., right/...) are refused. On a system without
 * tzdata.zi, any loadable name but those. The list is read once. */
bool tz_name_listed(const char *name);
const char *tz_name(const struct tz *z);
/* UTC offset in seconds at instant t (UTC epoch seconds). */
int tz_offset_at(const struct tz *z, int64_t t);
/* Abbreviation in force at t ("GMT", "BST"); points into z. */
const char *tz_abbr_at(const struct tz *z, int64_t t);
/* The UTC instant of a local wall-clock time. In a gap (clocks go forward)
 * the time is moved forward by the gap; in an overlap the first (earlier)
 * instant is taken. */
int64_t tz_local_to_utc(const struct tz *z, int year, int month, int day, int hour, int minute);
/* Local wall-clock fields of instant t. wday: 0 = Monday .. 6 = Sunday. */
struct local_time {
	int year, month, day, hour, minute, second, wday;
};
void tz_utc_to_local(const struct tz *z, int64_t t, struct local_time *out);

/* For cal_ical.c: the offset, daylight flag and abbreviation in force at
 * t, and the next change after t (before limit), if any. */
void cal__tz_state(const struct tz *z, int64_t t, int *off, bool *isdst, const char **abbr);
bool cal__tz_next(const struct tz *z, int64_t t, int64_t limit, int64_t *when);

/* --- recurrence --- */

/* A date (no time), as days are counted in a proleptic Gregorian calendar. */
struct cal_date {
	int year, month, day;
};
/* "YYYY-MM-DD" -> date; false when malformed or not a real date. */
bool cal_date_parse(const char *s, struct cal_date *out);
/* The dates a programme's calendar may hold (start and end dates,
 * exceptions, UNTIL, sessions): CAL_FIRST_YEAR-01-01 to CAL_LAST_YEAR-12-31
 * (docs/programs.md). Wide enough for any real programme, narrow enough
 * that a typo (0026, 9999) is refused rather than stored, and every year in
 * a feed has four digits. */
#define CAL_FIRST_YEAR 2000
#define CAL_LAST_YEAR  2100
bool cal_date_in_window(struct cal_date d);
void cal_date_format(struct cal_date d, char out[11]);
/* Days since 1970-01-01 and back. */
int64_t cal_days(struct cal_date d);
struct cal_date cal_from_days(int64_t days);
/* 0 = Monday .. 6 = Sunday */
int cal_weekday(struct cal_date d);

/* The supported subset:
 *   FREQ=WEEKLY|MONTHLY; INTERVAL=n (WEEKLY 1..4, so INTERVAL=2 is
 *   fortnightly; MONTHLY 1..12); BYDAY=MO,TU,... (WEEKLY) or BYDAY=1TU,
 *   -1FR,... (MONTHLY: nth weekday of the month, n in 1..4 or -1); with
 *   MONTHLY and no BYDAY, BYMONTHDAY=1..28 or the start date's day;
 *   COUNT=n (1..500) or UNTIL=YYYYMMDD (or YYYYMMDDTHHMMSSZ), not both;
 *   WKST=MO only. Anything else is refused. */
struct rrule {
	enum { RR_WEEKLY, RR_MONTHLY } freq;
	int interval;
	uint8_t weekdays; /* WEEKLY: bit set, bit 0 = Monday */
	int nth[7];       /* MONTHLY BYDAY: per weekday 0 = not used, 1..4 or -1; several allowed */
	int monthday;     /* MONTHLY BYMONTHDAY, 0 = none */
	int count;        /* 0 = none */
	bool has_until;
	struct cal_date until;
};
/* Parses an RRULE value (without the "RRULE:" prefix). On failure returns
 * false and writes a reason a person can act on ("BYSETPOS is not
 * supported; use ...") into err. */
bool rrule_parse(const char *s, struct rrule *out, char *err, size_t errlen);
/* Writes the rule back in canonical form (what feeds print). */
void rrule_format(const struct rrule *r, char *out, size_t size);
/* Expands the rule from start (which is the first occurrence when it
 * matches the rule; a start date that does not match is not an occurrence)
 * up to and including last (a hard end, e.g. the programme's end date), at
 * most max dates, skipping the dates in ex[0..nex). Writes dates into out
 * and returns how many; COUNT counts occurrences before exceptions are
 * removed, as RFC 5545 says. */
size_t rrule_expand(const struct rrule *r, struct cal_date start, struct cal_date last,
                    const struct cal_date *ex, size_t nex, struct cal_date *out, size_t max);

/* --- iCalendar --- */

enum ical_status { ICAL_CONFIRMED, ICAL_TENTATIVE, ICAL_CANCELLED };

struct ical_event {
	const char *uid;    /* stable, e.g. "session-42@hearth" */
	int64_t start, end; /* UTC instants; written as local time with TZID */
	int64_t
	    recurrence_id; /* 0 = none; else the original UTC start (overrides a rule instance) */
	const char *rrule; /* NULL, or canonical rule for a master event */
	const int64_t *exdates; /* UTC starts removed from the rule */
	size_t nexdates;
	const char *summary, *description, *location, *url; /* may be NULL */
	enum ical_status status;
	int sequence;
	int64_t stamp; /* DTSTAMP: last change */
};

/* Writes a complete VCALENDAR into out: PRODID, X-WR-CALNAME (name), one
 * VTIMEZONE for zone covering every event's years, then the events. Text is
 * escaped (backslash, comma, semicolon, newline) and lines are folded at 75
 * octets without splitting a UTF-8 sequence; lines end in CRLF. An event
 * with an instant a DATE-TIME cannot hold (outside 0001-01-03..9998-12-30
 * UTC, far outside the dates Hearth takes) is left out. */
void ical_write(struct buf *out, const char *name, const struct tz *zone,
                const struct ical_event *ev, size_t n);

#endif
