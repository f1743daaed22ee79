/*
 * libFuzzer target: the RRULE subset (src/programs/calendar/cal_rrule.c): parsing,
 * the canonical form, and expansion into dates; and cal_date_parse.
 *
 * Input: the rule text (with or without "RRULE:"), cut at the first NUL.
 * Properties: a refusal says why; an accepted rule written back in its
 * canonical form parses to the same canonical form; expanded from several
 * start dates (month ends, a leap day, the last years a date can have)
 * into an output array of exactly the size allowed, the dates are real,
 * ascending, inside [start, last] and before UNTIL, at most COUNT, never
 * an exception, and on a weekday the rule names.
 */
#include <stdbool.h>
#include <string.h>

#include "programs/calendar/cal.h"
#include "fuzz.h"

static void expand_checked(const struct rrule *r, struct cal_date start, struct cal_date last,
                           size_t max)
{
	struct cal_date ex[2] = {start,
	                         {start.year, start.month, start.day < 28 ? start.day + 1 : 1}};
	struct cal_date *out = malloc(max * sizeof *out); /* exactly max: ASan sees any overrun */
	size_t n = rrule_expand(r, start, last, ex, 2, out, max);
	CHECK(n <= max && n <= 500);
	if (r->count)
		CHECK(n <= (size_t)r->count);
	int64_t prev = cal_days(start) - 1;
	for (size_t i = 0; i < n; i++) {
		char s[11];
		struct cal_date back;
		cal_date_format(out[i], s);
		CHECK(cal_date_parse(s, &back));
		CHECK(back.year == out[i].year && back.month == out[i].month &&
		      back.day == out[i].day);
		int64_t d = cal_days(out[i]);
		CHECK(d > prev && d <= cal_days(last));
		CHECK(d != cal_days(ex[0]) && d != cal_days(ex[1]));
		if (r->has_until)
			CHECK(d <= cal_days(r->until));
		if (r->freq == RR_WEEKLY && r->weekdays)
			CHECK(r->weekdays & (1u << cal_weekday(out[i])));
		if (r->freq == RR_MONTHLY && r->monthday)
			CHECK(out[i].day == r->monthday);
		if (r->freq == RR_MONTHLY && !r->monthday) {
			bool any = false;
			for (int w = 0; w < 7; w++)
				any |= r->nth[w] != 0;
			if (any)
				CHECK(r->nth[cal_weekday(out[i])] != 0);
			else
				CHECK(out[i].day == start.day);
		}
		prev = d;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1024)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct cal_date d;
	if (cal_date_parse(s, &d))
		CHECK(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);

	struct rrule r;
	char err[200];
	memset(err, 'Z', sizeof err);
	if (!rrule_parse(s, &r, err, sizeof err)) {
		CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
		free(s);
		return 0;
	}
	CHECK(r.interval >= 1 && r.interval <= 12);
	CHECK(r.count >= 0 && r.count <= 500);
	char canon[200], again[200];
	struct rrule back;
	rrule_format(&r, canon, sizeof canon);
	CHECK(rrule_parse(canon, &back, err, sizeof err));
	rrule_format(&back, again, sizeof again);
	CHECK(strcmp(canon, again) == 0);
	char tiny[5];
	rrule_format(&r, tiny, sizeof tiny);
	CHECK(strlen(tiny) < sizeof tiny);

	static const struct {
		struct cal_date start, last;
		size_t max;
	} spans[] = {
	    {{2026, 1, 31}, {2027, 12, 31}, 500}, {{2024, 2, 29}, {2100, 12, 31}, 500},
	    {{2026, 3, 1}, {2026, 6, 30}, 3},     {{9999, 11, 15}, {9999, 12, 31}, 500},
	    {{2000, 1, 1}, {1999, 12, 31}, 500},
	};
	for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++)
		expand_checked(&r, spans[i].start, spans[i].last, spans[i].max);
	free(s);
	return 0;
}
