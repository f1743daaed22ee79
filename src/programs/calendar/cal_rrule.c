/*
 * Dates and recurrence rules: the proleptic Gregorian calendar as day
 * counts, and the RFC 5545 RRULE subset Hearth supports (see cal.h), parsed
 * with messages a coordinator can act on, written back in one canonical
 * form, and expanded into local dates. No time zones here: a rule yields
 * dates, and the caller puts the programme's wall-clock time on them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "programs/calendar/cal.h"
#include "core/banned.h"

/* No rule yields more than this many occurrences, whatever it says. */
#define RRULE_MAX_OCCURRENCES 500

static const char *const day_codes[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

/* --- dates --- */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Days from civil, after Howard Hinnant's algorithm: exact for every
 * proleptic Gregorian date, with no loops and no tables. */
int64_t cal_days(struct cal_date d)
{
	int64_t y = d.year - (d.month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d.month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct cal_date cal_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct cal_date d;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	return d;
}

int cal_weekday(struct cal_date d)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = (cal_days(d) + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool date_valid(struct cal_date d)
{
	return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
	       d.day <= days_in_month(d.year, d.month);
}

bool cal_date_parse(const char *s, struct cal_date *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	struct cal_date d = {num(s, 4), num(s + 5, 2), num(s + 8, 2)};
	if (!date_valid(d))
		return false;
	*out = d;
	return true;
}

bool cal_date_in_window(struct cal_date d)
{
	return date_valid(d) && d.year >= CAL_FIRST_YEAR && d.year <= CAL_LAST_YEAR;
}

void cal_date_format(struct cal_date d, char out[11])
{
	/* Fields outside their ranges cannot come from cal_date_parse or
	 * cal_from_days; clamp so the output always fits. */
	unsigned y = d.year < 0 ? 0u : d.year > 9999 ? 9999u : (unsigned)d.year;
	unsigned m = d.month < 0 ? 0u : d.month > 99 ? 99u : (unsigned)d.month;
	unsigned dd = d.day < 0 ? 0u : d.day > 99 ? 99u : (unsigned)d.day;
	snprintf(out, 11, "%04u-%02u-%02u", y % 10000u, m % 100u, dd % 100u);
}

/* --- parsing --- */

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a reason into err and returns false, so parsers can end with
 * "return fail(...)". */
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static int day_code(const char *s, size_t n)
{
	if (n != 2)
		return -1;
	for (int i = 0; i < 7; i++)
		if (strncasecmp(s, day_codes[i], 2) == 0)
			return i;
	return -1;
}

/* A positive decimal integer of at most 4 digits, the whole of s[0..n). */
static bool small_int(const char *s, size_t n, int *out)
{
	if (n == 0 || n > 4 || !digits(s, n))
		return false;
	*out = num(s, n);
	return true;
}

/* UNTIL=YYYYMMDD or YYYYMMDDTHHMMSSZ; only the date is kept, because
 * Hearth's hard end is a local date. */
static bool parse_until(const char *v, size_t n, struct cal_date *out)
{
	if (n != 8 && !(n == 16 && (v[8] == 'T' || v[8] == 't') && digits(v + 9, 6) &&
	                (v[15] == 'Z' || v[15] == 'z')))
		return false;
	if (!digits(v, 8))
		return false;
	struct cal_date d = {num(v, 4), num(v + 4, 2), num(v + 6, 2)};
	if (!date_valid(d))
		return false;
	*out = d;
	return true;
}

/* Parts of RFC 5545 rules Hearth refuses, each with what to do instead. */
static const struct {
	const char *name;
	const char *why;
} unsupported[] = {
    {"BYSETPOS", "BYSETPOS is not supported: use BYDAY with a position (e.g. 1TU or -1FR)"},
    {"BYWEEKNO", "BYWEEKNO is not supported: use FREQ=WEEKLY with INTERVAL"},
    {"BYYEARDAY", "BYYEARDAY is not supported: use FREQ=MONTHLY with BYMONTHDAY"},
    {"BYMONTH", "BYMONTH is not supported: give the programme start and end dates instead"},
    {"BYHOUR", "BYHOUR is not supported: the programme's start time sets the time"},
    {"BYMINUTE", "BYMINUTE is not supported: the programme's start time sets the time"},
    {"BYSECOND", "BYSECOND is not supported: the programme's start time sets the time"},
    {"RSCALE", "RSCALE is not supported: only the Gregorian calendar is"},
    {"SKIP", "SKIP is not supported: only the Gregorian calendar is"},
};

struct rr_parts {
	const char *freq, *interval, *byday, *bymonthday, *count, *until, *wkst;
	size_t freq_n, interval_n, byday_n, bymonthday_n, count_n, until_n, wkst_n;
};

/* Splits "NAME=VALUE;..." into parts; refuses unknown, unsupported and
 * repeated names. */
static bool split_parts(const char *s, struct rr_parts *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	while (*s) {
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (len == 0)
			return fail(err, errlen, "empty part in the rule (two ';' in a row)");
		if (!eq || eq == s)
			return fail(err, errlen, "each part of the rule must be NAME=VALUE");
		size_t nlen = (size_t)(eq - s);
		const char *v = eq + 1;
		size_t vlen = len - nlen - 1;
		char name[16];
		if (nlen >= sizeof name)
			return fail(err, errlen, "unknown rule part");
		for (size_t i = 0; i < nlen; i++)
			name[i] = (char)toupper((unsigned char)s[i]);
		name[nlen] = '\0';
		for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
			if (strcmp(name, unsupported[i].name) == 0)
				return fail(err, errlen, "%s", unsupported[i].why);
		const char **slot = NULL;
		size_t *slot_n = NULL;
		if (strcmp(name, "FREQ") == 0)
			slot = &p->freq, slot_n = &p->freq_n;
		else if (strcmp(name, "INTERVAL") == 0)
			slot = &p->interval, slot_n = &p->interval_n;
		else if (strcmp(name, "BYDAY") == 0)
			slot = &p->byday, slot_n = &p->byday_n;
		else if (strcmp(name, "BYMONTHDAY") == 0)
			slot = &p->bymonthday, slot_n = &p->bymonthday_n;
		else if (strcmp(name, "COUNT") == 0)
			slot = &p->count, slot_n = &p->count_n;
		else if (strcmp(name, "UNTIL") == 0)
			slot = &p->until, slot_n = &p->until_n;
		else if (strcmp(name, "WKST") == 0)
			slot = &p->wkst, slot_n = &p->wkst_n;
		else
			return fail(err, errlen, "%s is not a supported rule part", name);
		if (*slot)
			return fail(err, errlen, "%s is given twice", name);
		if (vlen == 0)
			return fail(err, errlen, "%s has no value", name);
		*slot = v;
		*slot_n = vlen;
		s += len;
		if (*s == ';')
			s++;
	}
	return true;
}

static bool parse_freq(const struct rr_parts *p, struct rrule *r, char *err, size_t errlen)
{
	char f[12];
	if (!p->freq)
		return fail(err, errlen, "FREQ is required (FREQ=WEEKLY or FREQ=MONTHLY)");
	if (p->freq_n >= sizeof f)
		return fail(err, errlen, "FREQ must be WEEKLY or MONTHLY");
	for (size_t i = 0; i < p->freq_n; i++)
		f[i] = (char)toupper((unsigned char)p->freq[i]);
	f[p->freq_n] = '\0';
	if (strcmp(f, "WEEKLY") == 0)
		r->freq = RR_WEEKLY;
	else if (strcmp(f, "MONTHLY") == 0)
		r->freq = RR_MONTHLY;
	else if (strcmp(f, "DAILY") == 0)
		return fail(err, errlen, "FREQ=DAILY is not supported: use WEEKLY with BYDAY%s",
		            "=MO,TU,WE,TH,FR,SA,SU");
	else if (strcmp(f, "YEARLY") == 0)
		return fail(err, errlen,
		            "FREQ=YEARLY is not supported: use MONTHLY with INTERVAL=12");
	else if (strcmp(f, "HOURLY") == 0 || strcmp(f, "MINUTELY") == 0 ||
	         strcmp(f, "SECONDLY") == 0)
		return fail(err, errlen,
		            "FREQ=%s is not supported: sessions repeat weekly or monthly", f);
	else
		return fail(err, errlen, "FREQ must be WEEKLY or MONTHLY");
	return true;
}

static bool parse_interval(const struct rr_parts *p, struct rrule *r, char *err, size_t errlen)
{
	r->interval = 1;
	if (!p->interval)
		return true;
	int max = r->freq == RR_WEEKLY ? 4 : 12;
	if (!small_int(p->interval, p->interval_n, &r->interval) || r->interval < 1 ||
	    r->interval > max)
		return fail(err, errlen, "%s",
		            r->freq == RR_WEEKLY
		                ? "INTERVAL must be 1 to 4 with FREQ=WEEKLY (2 is fortnightly)"
		                : "INTERVAL must be 1 to 12 with FREQ=MONTHLY");
	return true;
}

/* One BYDAY item: "TU" or, for MONTHLY, "1TU" .. "4TU" or "-1TU". */
static bool parse_day_item(const char *s, size_t n, struct rrule *r, char *err, size_t errlen)
{
	char item[16];
	snprintf(item, sizeof item, "%.*s", (int)(n < 15 ? n : 15), s);
	if (n < 2)
		return fail(err, errlen, "BYDAY item '%s' is not a weekday (MO..SU)", item);
	int w = day_code(s + n - 2, 2);
	if (w < 0)
		return fail(err, errlen, "BYDAY item '%s' is not a weekday (MO..SU)", item);
	size_t plen = n - 2;
	if (r->freq == RR_WEEKLY) {
		if (plen)
			return fail(err, errlen,
			            "BYDAY '%s' has a position, which needs FREQ=MONTHLY; with "
			            "FREQ=WEEKLY give plain weekdays (e.g. BYDAY=TU)",
			            item);
		if (r->weekdays & (1u << w))
			return fail(err, errlen, "BYDAY names %s twice", day_codes[w]);
		r->weekdays |= (uint8_t)(1u << w);
		return true;
	}
	int pos = 0;
	if (plen == 0)
		return fail(
		    err, errlen,
		    "with FREQ=MONTHLY, BYDAY '%s' needs a position: 1 to 4 or -1 (e.g. 1TU "
		    "for the first Tuesday, -1FR for the last Friday)",
		    item);
	if (plen == 2 && s[0] == '-' && s[1] == '1')
		pos = -1;
	else if (plen == 2 && s[0] == '+' && s[1] >= '1' && s[1] <= '4')
		pos = s[1] - '0';
	else if (plen == 1 && s[0] >= '1' && s[0] <= '4')
		pos = s[0] - '0';
	else
		return fail(err, errlen,
		            "BYDAY '%s': the position must be 1 to 4 or -1 (the last); not every "
		            "month has a fifth weekday",
		            item);
	if (r->nth[w])
		return fail(err, errlen,
		            "BYDAY names %s twice: each weekday can have one position (use two "
		            "programmes for e.g. the first and third Tuesday)",
		            day_codes[w]);
	r->nth[w] = pos;
	return true;
}

static bool parse_byday(const struct rr_parts *p, struct rrule *r, char *err, size_t errlen)
{
	if (!p->byday)
		return true;
	const char *s = p->byday, *end = p->byday + p->byday_n;
	while (s <= end) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		size_t n = c ? (size_t)(c - s) : (size_t)(end - s);
		if (n == 0)
			return fail(err, errlen, "BYDAY has an empty item");
		if (!parse_day_item(s, n, r, err, errlen))
			return false;
		s += n + 1;
	}
	return true;
}

static bool parse_monthday(const struct rr_parts *p, struct rrule *r, char *err, size_t errlen)
{
	if (!p->bymonthday)
		return true;
	if (r->freq != RR_MONTHLY)
		return fail(err, errlen, "BYMONTHDAY needs FREQ=MONTHLY");
	if (p->byday)
		return fail(err, errlen,
		            "BYMONTHDAY and BYDAY cannot both be given: choose a day of the month "
		            "or a weekday");
	if (memchr(p->bymonthday, ',', p->bymonthday_n))
		return fail(err, errlen, "BYMONTHDAY takes one day");
	if (!small_int(p->bymonthday, p->bymonthday_n, &r->monthday) || r->monthday < 1 ||
	    r->monthday > 28)
		return fail(err, errlen,
		            "BYMONTHDAY must be 1 to 28, so that every month has the day (for the "
		            "end of the month use BYDAY=-1MO..-1SU)");
	return true;
}

static bool parse_end(const struct rr_parts *p, struct rrule *r, char *err, size_t errlen)
{
	if (p->count && p->until)
		return fail(err, errlen, "COUNT and UNTIL cannot both be given");
	if (p->count && (!small_int(p->count, p->count_n, &r->count) || r->count < 1 ||
	                 r->count > RRULE_MAX_OCCURRENCES))
		return fail(err, errlen, "COUNT must be a number from 1 to 500");
	if (p->until) {
		if (!parse_until(p->until, p->until_n, &r->until))
			return fail(err, errlen,
			            "UNTIL must be a date YYYYMMDD (or YYYYMMDDTHHMMSSZ)");
		r->has_until = true;
	}
	if (p->wkst && !(p->wkst_n == 2 && strncasecmp(p->wkst, "MO", 2) == 0))
		return fail(err, errlen, "WKST must be MO: weeks start on Monday");
	return true;
}

bool rrule_parse(const char *s, struct rrule *out, char *err, size_t errlen)
{
	struct rr_parts p;
	struct rrule r;
	memset(&r, 0, sizeof r);
	if (err && errlen)
		err[0] = '\0';
	if (!s)
		return fail(err, errlen, "the rule is empty");
	/* A rule copied from a calendar file may carry its property name. */
	if (strncasecmp(s, "RRULE:", 6) == 0)
		s += 6;
	if (!*s)
		return fail(err, errlen, "the rule is empty");
	if (strlen(s) > 200)
		return fail(err, errlen, "the rule is too long (at most 200 characters)");
	if (!split_parts(s, &p, err, errlen) || !parse_freq(&p, &r, err, errlen) ||
	    !parse_interval(&p, &r, err, errlen) || !parse_byday(&p, &r, err, errlen) ||
	    !parse_monthday(&p, &r, err, errlen) || !parse_end(&p, &r, err, errlen))
		return false;
	*out = r;
	return true;
}

/* --- formatting --- */

void rrule_format(const struct rrule *r, char *out, size_t size)
{
	char s[160];
	size_t n = 0;
#define PUT(...)                                                                        \
	do {                                                                            \
		int k_ = snprintf(s + n, sizeof s - n, __VA_ARGS__);                    \
		if (k_ > 0)                                                             \
			n += (size_t)k_ < sizeof s - n ? (size_t)k_ : sizeof s - n - 1; \
	} while (0)
	PUT("FREQ=%s", r->freq == RR_WEEKLY ? "WEEKLY" : "MONTHLY");
	if (r->interval > 1)
		PUT(";INTERVAL=%d", r->interval);
	const char *sep = ";BYDAY=";
	for (int w = 0; w < 7; w++) {
		if (r->freq == RR_WEEKLY && (r->weekdays & (1u << w))) {
			PUT("%s%s", sep, day_codes[w]);
			sep = ",";
		} else if (r->freq == RR_MONTHLY && r->nth[w]) {
			PUT("%s%d%s", sep, r->nth[w], day_codes[w]);
			sep = ",";
		}
	}
	if (r->freq == RR_MONTHLY && r->monthday)
		PUT(";BYMONTHDAY=%d", r->monthday);
	if (r->count)
		PUT(";COUNT=%d", r->count);
	if (r->has_until)
		PUT(";UNTIL=%04d%02d%02d", r->until.year, r->until.month, r->until.day);
#undef PUT
	if (size)
		snprintf(out, size, "%s", s);
}

/* --- expansion --- */

struct expand {
	const struct rrule *r;
	int64_t start, last; /* day numbers */
	const struct cal_date *ex;
	size_t nex;
	struct cal_date *out;
	size_t max, n;
	int seen; /* occurrences so far, exceptions included (COUNT) */
	bool done;
};

static bool excluded(const struct expand *e, int64_t day)
{
	for (size_t i = 0; i < e->nex; i++)
		if (cal_days(e->ex[i]) == day)
			return true;
	return false;
}

/* Offers the candidate day (candidates come in ascending order). */
static void offer(struct expand *e, int64_t day)
{
	if (e->done || day < e->start)
		return;
	if (day > e->last || (e->r->has_until && day > cal_days(e->r->until))) {
		e->done = true;
		return;
	}
	e->seen++;
	if (!excluded(e, day))
		e->out[e->n++] = cal_from_days(day);
	if (e->n >= e->max || e->seen >= RRULE_MAX_OCCURRENCES ||
	    (e->r->count && e->seen >= e->r->count))
		e->done = true;
}

static void expand_weekly(struct expand *e, int start_wday)
{
	unsigned mask = e->r->weekdays ? e->r->weekdays : 1u << start_wday;
	int64_t week = e->start - start_wday; /* the Monday of the start's week */
	for (; !e->done; week += 7 * e->r->interval)
		for (int w = 0; w < 7 && !e->done; w++)
			if (mask & (1u << w))
				offer(e, week + w);
}

/* The day number of the nth (1..4, or -1 = last) weekday w of a month. */
static int64_t nth_weekday(int y, int m, int w, int nth)
{
	if (nth > 0) {
		struct cal_date first = {y, m, 1};
		int64_t d = cal_days(first);
		return d + (w - cal_weekday(first) + 7) % 7 + 7 * (nth - 1);
	}
	struct cal_date lastd = {y, m, days_in_month(y, m)};
	int64_t d = cal_days(lastd);
	return d - (cal_weekday(lastd) - w + 7) % 7;
}

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void expand_monthly(struct expand *e, struct cal_date start)
{
	bool any_nth = false;
	for (int w = 0; w < 7; w++)
		any_nth |= e->r->nth[w] != 0;
	int monthday = e->r->monthday ? e->r->monthday : start.day;
	/* Months with no candidate (day 31 in a 30-day month) are skipped; the
	 * cap keeps such a rule from looping for ever. */
	for (int64_t k = 0; !e->done && k < 12 * RRULE_MAX_OCCURRENCES; k += e->r->interval) {
		int64_t mi = (int64_t)start.year * 12 + (start.month - 1) + k;
		int y = (int)(mi / 12), m = (int)(mi % 12) + 1;
		if (y > 9999)
			break;
		int64_t cand[7];
		size_t nc = 0;
		if (any_nth) {
			for (int w = 0; w < 7; w++)
				if (e->r->nth[w])
					cand[nc++] = nth_weekday(y, m, w, e->r->nth[w]);
			qsort(cand, nc, sizeof cand[0], cmp_day);
		} else if (monthday <= days_in_month(y, m)) {
			struct cal_date d = {y, m, monthday};
			cand[nc++] = cal_days(d);
		}
		for (size_t i = 0; i < nc && !e->done; i++)
			offer(e, cand[i]);
	}
}

size_t rrule_expand(const struct rrule *r, struct cal_date start, struct cal_date last,
                    const struct cal_date *ex, size_t nex, struct cal_date *out, size_t max)
{
	struct expand e = {
	    .r = r,
	    .start = cal_days(start),
	    .last = cal_days(last),
	    .ex = ex,
	    .nex = ex ? nex : 0,
	    .out = out,
	    .max = max,
	};
	if (max == 0 || e.last < e.start || r->interval < 1)
		return 0;
	if (r->freq == RR_WEEKLY)
		expand_weekly(&e, cal_weekday(start));
	else
		expand_monthly(&e, start);
	return e.n;
}
