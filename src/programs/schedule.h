/*
 * A programme's schedule (schedule.c): its time zone, first and last
 * dates, start time, length, recurrence (an RRULE of cal.h's subset) and
 * exception dates, parsed from typed input and expanded into the sessions
 * it makes. Logic only: no database, no HTTP.
 */
#ifndef HEARTH_PROGRAMS_SCHEDULE_H
#define HEARTH_PROGRAMS_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "programs/calendar/cal.h"

struct arena;
struct programs_refusal;

#define SCHEDULE_MAX_SESSIONS 500 /* generated from one recurrence */
#define SCHEDULE_MAX_EXDATES  100

/* What a programme's form gives. end_date, rrule may be NULL or "";
 * exdates is NULL when none were given (stored as ""), else nexdates
 * strings (at most SCHEDULE_MAX_EXDATES). */
struct schedule_input {
	const char *timezone, *start_date, *end_date, *start_time;
	int64_t duration; /* minutes */
	const char *rrule;
	const char *const *exdates;
	size_t nexdates;
};

struct schedule {
	const struct tz *zone;
	const char *zone_name;
	struct cal_date start, end;
	bool has_end;
	int start_minute, duration;
	bool has_rule;
	struct rrule rule;
	char rule_text[256]; /* canonical */
	struct cal_date ex[SCHEDULE_MAX_EXDATES];
	size_t nex;
	const char *exdates; /* ',YYYY-MM-DD,...,' as stored, arena memory */
};

/* Validates in and fills sc. On a refusal (400 naming timezone,
 * start_date, end_date, start_time, rrule or exdates[i]) fills *why and
 * returns -HEARTH_EINVAL. Strings of in must outlive sc. */
int schedule_parse(struct arena *a, const struct schedule_input *in, struct schedule *sc,
                   struct programs_refusal *why);
/* The dates the schedule gives, at most SCHEDULE_MAX_SESSIONS, into out
 * (room for that many); without a rule, the start date alone. Without an
 * end date, COUNT or UNTIL: a year of sessions. */
size_t schedule_dates(const struct schedule *sc, struct cal_date *out);
/* The UTC instant the session of local date d starts. */
int64_t schedule_instant(const struct schedule *sc, struct cal_date d);
/* Splits a stored ',a,b,' list into an arena array of *n strings. */
const char **schedule_list_split(struct arena *a, const char *s, size_t *n);
/* "HH:MM" -> minutes after midnight, or -1. */
int schedule_parse_hhmm(const char *s);

#endif
