/*
 * libFuzzer target: the TZif reader and what is computed from a zone
 * (src/programs/calendar/cal_tz.c, and the VTIMEZONE of src/programs/calendar/cal_ical.c),
 * fed bytes as a zone file through tz_new().
 *
 * Input: the bytes of a TZif file (versions 1 to 4, with its POSIX TZ
 * footer). Properties: offsets stay within +-26 hours, abbreviations are
 * strings, the next change after an instant is later than it, local and
 * UTC conversions and a whole iCalendar feed for the zone complete. Zones
 * come from tzdata, not from users, but a damaged or hostile file in
 * /usr/share/zoneinfo must still not crash the server.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "programs/calendar/cal.h"
#include "fuzz.h"

#define YEAR 31556952LL /* seconds in an average Gregorian year */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct tz *z = tz_new("Fuzz/Zone", data, size);
	if (!z)
		return 0;
	CHECK(strcmp(tz_name(z), "Fuzz/Zone") == 0);
	/* 1900 to 2200, every 37 days and a bit. */
	for (int64_t t = -70 * YEAR; t < 230 * YEAR; t += 37 * 86400 + 3607) {
		int off;
		bool dst;
		const char *abbr;
		cal__tz_state(z, t, &off, &dst, &abbr);
		CHECK(off >= -26 * 3600 && off <= 26 * 3600);
		CHECK(abbr != NULL && strlen(abbr) < 65536);
		CHECK(tz_offset_at(z, t) == off);
		struct local_time lt;
		tz_utc_to_local(z, t, &lt);
		CHECK(lt.month >= 1 && lt.month <= 12 && lt.hour >= 0 && lt.hour < 24);
		(void)tz_local_to_utc(z, lt.year, lt.month, lt.day, lt.hour, lt.minute);
	}
	/* The changes between 2020 and 2040, in order. */
	int64_t t = 50 * YEAR, limit = 70 * YEAR, when;
	for (int i = 0; i < 1000 && cal__tz_next(z, t, limit, &when); i++) {
		CHECK(when > t && when <= limit);
		t = when;
	}
	/* A feed with one weekly event in the zone. */
	struct buf out = BUF_INIT;
	int64_t start = tz_local_to_utc(z, 2026, 3, 24, 18, 30);
	struct ical_event ev = {
	    .uid = "fuzz@hearth",
	    .start = start,
	    .end = start + 5400,
	    .rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=40",
	    .summary = "Fuzz",
	    .stamp = start,
	};
	ical_write(&out, "Fuzz", z, &ev, 1);
	CHECK(out.data && strstr(out.data, "END:VCALENDAR"));
	buf_release(&out);
	tz_free(z);
	return 0;
}
