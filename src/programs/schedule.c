/*
 * A programme's schedule: parsing the form's fields into a zone, dates, a
 * start time and a recurrence, with the refusal naming the field at fault,
 * and expanding it into the local dates and UTC instants of its sessions.
 * The recurrence and zone code itself is cal_rrule.c and cal_tz.c.
 */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/schedule.h"
#include "core/util.h"
#include "core/banned.h"

int schedule_parse_hhmm(const char *s)
{
	return util_parse_hhmm(s);
}

/* ',a,b,' from n strings (',' when n is 0). */
static char *list_join(struct arena *a, const char *const *xs, size_t n)
{
	size_t len = 2;
	for (size_t i = 0; i < n; i++)
		len += strlen(xs[i]) + 1;
	char *s = arena_alloc(a, len), *p = s;
	*p++ = ',';
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(xs[i]);
		memcpy(p, xs[i], k);
		p += k;
		*p++ = ',';
	}
	*p = '\0';
	return s;
}

const char **schedule_list_split(struct arena *a, const char *s, size_t *n)
{
	size_t max = 1;
	for (const char *p = s; p && *p; p++)
		max += *p == ',';
	const char **out = arena_alloc(a, max * sizeof *out);
	*n = 0;
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t k = e ? (size_t)(e - s) : strlen(s);
		if (k) {
			char *x = arena_alloc(a, k + 1);
			memcpy(x, s, k);
			x[k] = '\0';
			out[(*n)++] = x;
		}
		s = e ? e + 1 : NULL;
	}
	return out;
}

int schedule_parse(struct arena *a, const struct schedule_input *in, struct schedule *sc,
                   struct programs_refusal *why)
{
	int rc = 0;
	const char *zone = in->timezone;
	memset(sc, 0, sizeof *sc);
	/* Only names of tzdata's list: not localtime, posixrules, Factory or
	 * posix/..., which are files of the zoneinfo directory, not zones. */
	sc->zone = tz_name_listed(zone) ? tz_get(zone) : NULL;
	if (!sc->zone) {
		rc = programs_refuse(why, a, 400, "timezone",
		                     "timezone '%s' is not a time zone we know; use a name like "
		                     "Europe/London or America/New_York",
		                     zone);
		goto out;
	}
	sc->zone_name = zone;
	if (!cal_date_parse(in->start_date, &sc->start)) {
		rc = programs_refuse(why, a, 400, "start_date",
		                     "start_date must be a date like 2026-12-01");
		goto out;
	}
	if (!cal_date_in_window(sc->start)) {
		rc = programs_refuse(why, a, 400, "start_date",
		                     "start_date must be from %d-01-01 to %d-12-31", CAL_FIRST_YEAR,
		                     CAL_LAST_YEAR);
		goto out;
	}
	if (in->end_date && *in->end_date) {
		if (!cal_date_parse(in->end_date, &sc->end)) {
			rc = programs_refuse(why, a, 400, "end_date",
			                     "end_date must be a date like 2027-03-01");
			goto out;
		}
		if (!cal_date_in_window(sc->end)) {
			rc = programs_refuse(why, a, 400, "end_date",
			                     "end_date must be from %d-01-01 to %d-12-31",
			                     CAL_FIRST_YEAR, CAL_LAST_YEAR);
			goto out;
		}
		if (cal_days(sc->end) < cal_days(sc->start)) {
			rc = programs_refuse(why, a, 400, "end_date",
			                     "end_date must not be before start_date");
			goto out;
		}
		sc->has_end = true;
	}
	sc->start_minute = schedule_parse_hhmm(in->start_time);
	if (sc->start_minute < 0) {
		rc = programs_refuse(why, a, 400, "start_time",
		                     "start_time must be a time like 18:30");
		goto out;
	}
	sc->duration = (int)in->duration;
	const char *rule = in->rrule;
	if (rule && *rule) {
		char err[200];
		const char *body = strncmp(rule, "RRULE:", 6) == 0 ? rule + 6 : rule;
		if (!rrule_parse(body, &sc->rule, err, sizeof err)) {
			rc = programs_refuse(why, a, 400, "rrule", "rrule: %s", err);
			goto out;
		}
		if (sc->rule.has_until && !cal_date_in_window(sc->rule.until)) {
			rc = programs_refuse(why, a, 400, "rrule",
			                     "rrule: UNTIL must be a date from %d0101 to %d1231",
			                     CAL_FIRST_YEAR, CAL_LAST_YEAR);
			goto out;
		}
		sc->has_rule = true;
		rrule_format(&sc->rule, sc->rule_text, sizeof sc->rule_text);
	}
	for (size_t i = 0; i < in->nexdates; i++) {
		if (i >= SCHEDULE_MAX_EXDATES ||
		    !cal_date_parse(in->exdates[i], &sc->ex[sc->nex]) ||
		    !cal_date_in_window(sc->ex[sc->nex])) {
			rc = programs_refuse(why, a, 400, arena_printf(a, "exdates[%zu]", i),
			                     "exception dates must be dates like 2026-12-29, from "
			                     "%d-01-01 to %d-12-31",
			                     CAL_FIRST_YEAR, CAL_LAST_YEAR);
			goto out;
		}
		sc->nex++;
	}
	sc->exdates = in->exdates ? list_join(a, in->exdates, in->nexdates) : "";
out:
	return rc;
}

size_t schedule_dates(const struct schedule *sc, struct cal_date *out)
{
	if (!sc->has_rule) {
		out[0] = sc->start;
		return 1;
	}
	/* Without an end date or COUNT/UNTIL, a year of sessions. */
	struct cal_date last = sc->has_end ? sc->end : cal_from_days(cal_days(sc->start) + 365);
	return rrule_expand(&sc->rule, sc->start, last, sc->ex, sc->nex, out,
	                    SCHEDULE_MAX_SESSIONS);
}

int64_t schedule_instant(const struct schedule *sc, struct cal_date d)
{
	return tz_local_to_utc(sc->zone, d.year, d.month, d.day, sc->start_minute / 60,
	                       sc->start_minute % 60);
}
