/*
 * Unit tests for the small helpers in src/core/util.h: ISO 8601 formatting
 * and parsing (round trips, and the malformed inputs a client might send),
 * the email plausibility check and normalisation that decide whether two
 * logins are the same account, hex encoding, and the test clock shift that
 * other tests use to move time forward.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "core/banned.h"

static void util_iso8601_formats_epoch_and_known_time(void **state)
{
	(void)state;
	char out[32];
	util_iso8601(out, sizeof out, 0);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	util_iso8601(out, sizeof out, 1769850000);
	assert_string_equal(out, "2026-01-31T09:00:00Z");
	util_iso8601(out, sizeof out, 951868799); /* leap day */
	assert_string_equal(out, "2000-02-29T23:59:59Z");
}

static void util_iso8601_too_small_buffer_gives_empty(void **state)
{
	(void)state;
	char out[10] = "garbage!!";
	util_iso8601(out, sizeof out, 1769850000);
	assert_string_equal(out, "");
}

static void util_parse_iso8601_round_trip(void **state)
{
	(void)state;
	static const int64_t times[] = {0, 1, 86399, 951868799, 1769850000, 4102444799};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char s[32];
		int64_t back = -1;
		util_iso8601(s, sizeof s, times[i]);
		assert_int_equal(util_parse_iso8601(s, &back), 0);
		assert_int_equal(back, times[i]);
	}
}

static void util_parse_iso8601_date_only(void **state)
{
	(void)state;
	int64_t t = -1;
	assert_int_equal(util_parse_iso8601("2026-01-31", &t), 0);
	assert_int_equal(t, 1769817600);
	assert_int_equal(util_parse_iso8601("1970-01-01", &t), 0);
	/* Dates of birth come before the epoch. */
	int64_t before;
	assert_int_equal(util_parse_iso8601("1969-12-31", &before), 0);
	assert_int_equal(before, -86400);
	assert_int_equal(t, 0);
}

static void util_parse_iso8601_rejects_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "2026-13-01T00:00:00Z", /* month 13 */
	    "2026-00-10T00:00:00Z", /* month 0 */
	    "2026-01-32",           /* day 32 */
	    "2026-01-00",           /* day 0 */
	    "2026-01-01T24:00:00Z", /* hour 24 */
	    "2026-01-01T00:60:00Z", /* minute 60 */
	    "2026-01-01T00:00:00",  /* missing Z */
	    "2026-01-01T00:00:00+00:00",
	    "2026-01-01 00:00:00Z", /* space instead of T */
	    "2026-01-01T00:00:00z", /* lower-case z */
	    "2026-1-01",            /* wrong length */
	    "26-01-01",
	    "2026-01-01T00:00Z",
	    "2026/01/01",
	    "yyyy-mm-dd",
	    "1899-12-31", /* before 1900: no living person's date */
	    "2026- 1-01", /* sscanf would have taken these */
	    "2026-+1-01",
	    "2026-01-01T00:00:00ZZ",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 12345;
		int rc = util_parse_iso8601(bad[i], &t);
		if (rc != -HEARTH_EINVAL)
			fail_msg("accepted \"%s\" (rc %d, t %lld)", bad[i], rc, (long long)t);
	}
}

/* A date that does not exist must be refused, not rolled over into the next
 * month (timegm normalises 2026-02-31 to 2026-03-03). */
static void util_parse_iso8601_rejects_impossible_dates(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "2026-02-31", "2026-02-30T12:00:00Z", "2026-04-31", "2025-02-29", "1900-02-29",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 0;
		int rc = util_parse_iso8601(bad[i], &t);
		if (rc != -HEARTH_EINVAL) {
			char back[32];
			util_iso8601(back, sizeof back, t);
			fail_msg("accepted \"%s\" as %s", bad[i], back);
		}
	}
	/* Real leap days are fine. */
	int64_t t = 0;
	assert_int_equal(util_parse_iso8601("2024-02-29", &t), 0);
	assert_int_equal(util_parse_iso8601("2000-02-29T23:59:59Z", &t), 0);
	assert_int_equal(t, 951868799);
}

static void util_email_valid_accepts_plausible(void **state)
{
	(void)state;
	static const char *const good[] = {
	    "a@b.co", "first.last+tag@example.org", "x@sub.domain.example",
	    "a@b.c",  "o'brien@example.ie",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!util_email_valid(good[i]))
			fail_msg("refused \"%s\"", good[i]);
}

static void util_email_valid_rejects_implausible(void **state)
{
	(void)state;
	char too_long[300];
	memset(too_long, 'a', sizeof too_long);
	memcpy(too_long + 250, "@b.co", 6); /* 255 characters */
	const char *const bad[] = {
	    "",         "a",          "@b.co",    "a@",       "a@b",     "a@b.",
	    "a@.co",    "a@@b.co",    "a@b@c.co", "a b@c.de", "a@b.co ", " a@b.co",
	    "<a@b.co>", "\"a\"@b.co", "a,b@c.de", "a@b\t.co", "a.b@c",   too_long,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (util_email_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
}

static void util_normalise_email_trims_and_lowercases(void **state)
{
	(void)state;
	char a[] = "  Alice.Smith@Example.ORG\t ";
	char *r = util_normalise_email(a);
	assert_ptr_equal(r, a);
	assert_string_equal(a, "alice.smith@example.org");
	char b[] = "bob@example.org";
	assert_string_equal(util_normalise_email(b), "bob@example.org");
	char c[] = " \t ";
	assert_string_equal(util_normalise_email(c), "");
	char d[] = "";
	assert_string_equal(util_normalise_email(d), "");
	/* Inner spaces are kept (and then refused by util_email_valid). */
	char e[] = " A B@C.D ";
	assert_string_equal(util_normalise_email(e), "a b@c.d");
	assert_false(util_email_valid(e));
}

static void util_hex_encodes_lowercase(void **state)
{
	(void)state;
	static const unsigned char in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof in + 1];
	memset(out, 'Z', sizeof out);
	util_hex(out, in, sizeof in);
	assert_string_equal(out, "00017f80abff");
	char empty[1] = {'Z'};
	util_hex(empty, in, 0);
	assert_string_equal(empty, "");
}

static void util_time_shift_moves_now(void **state)
{
	(void)state;
	int64_t before = util_now();
	util_time_shift(3600);
	int64_t shifted = util_now();
	util_time_shift(-3600);
	int64_t after = util_now();
	assert_in_range(shifted - before, 3600, 3602);
	assert_in_range(after - before, 0, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(util_iso8601_formats_epoch_and_known_time),
	    cmocka_unit_test(util_iso8601_too_small_buffer_gives_empty),
	    cmocka_unit_test(util_parse_iso8601_round_trip),
	    cmocka_unit_test(util_parse_iso8601_date_only),
	    cmocka_unit_test(util_parse_iso8601_rejects_malformed),
	    cmocka_unit_test(util_parse_iso8601_rejects_impossible_dates),
	    cmocka_unit_test(util_email_valid_accepts_plausible),
	    cmocka_unit_test(util_email_valid_rejects_implausible),
	    cmocka_unit_test(util_normalise_email_trims_and_lowercases),
	    cmocka_unit_test(util_hex_encodes_lowercase),
	    cmocka_unit_test(util_time_shift_moves_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
