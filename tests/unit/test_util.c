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
#include <stdlib.h>
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

/* Dates from 1900-01-01 to 2199-12-31: 0001 and 9999 are typos, not dates. */
static void util_parse_iso8601_year_window(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(util_parse_iso8601("1900-01-01", &t), 0);
	assert_int_equal(util_parse_iso8601("2199-12-31T23:59:59Z", &t), 0);
	static const char *const out[] = {"0001-01-01",           "1899-12-31",
	                                  "2200-01-01",           "9999-12-31",
	                                  "9999-03-26T18:00:00Z", "0001-01-01T00:00:00Z"};
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
		if (util_parse_iso8601(out[i], &t) != -HEARTH_EINVAL)
			fail_msg("accepted %s", out[i]);
}

/* util_normalise_email(NULL, s), compared and freed. */
static void email_is(const char *in, const char *want)
{
	char *got = util_normalise_email(NULL, in);
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\" gave \"%s\", want \"%s\"", in, got, want);
	free(got);
}

static void util_normalise_email_trims_and_lowercases(void **state)
{
	(void)state;
	email_is("  Alice.Smith@Example.ORG\t ", "alice.smith@example.org");
	email_is("bob@example.org", "bob@example.org");
	email_is(" \t ", "");
	email_is("", "");
	/* Inner spaces are kept (and then refused by util_email_valid). */
	char *e = util_normalise_email(NULL, " A B@C.D ");
	assert_string_equal(e, "a b@c.d");
	assert_false(util_email_valid(e));
	free(e);
}

static void util_normalise_email_nfc_and_case_folded(void **state)
{
	(void)state;
	/* renée@example.org composed, decomposed, in capitals: one address. */
	email_is("ren\xc3\xa9"
	         "e@example.org",
	         "ren\xc3\xa9"
	         "e@example.org");
	email_is("rene\xcc\x81"
	         "e@example.org",
	         "ren\xc3\xa9"
	         "e@example.org");
	email_is(" RENE\xcc\x81"
	         "E@EXAMPLE.ORG ",
	         "ren\xc3\xa9"
	         "e@example.org");
	email_is("REN\xc3\x89"
	         "E@EXAMPLE.ORG",
	         "ren\xc3\xa9"
	         "e@example.org");
	/* Simple folding keeps ß (the address must still deliver); ẞ -> ß. */
	email_is("stra\xc3\x9f"
	         "e@example.de",
	         "stra\xc3\x9f"
	         "e@example.de");
	email_is("STRA\xe1\xba\x9e"
	         "E@EXAMPLE.DE",
	         "stra\xc3\x9f"
	         "e@example.de");
}

/* util_utf8_normal(NULL, s, strlen(s), fold), compared and freed. */
static void normal_is(const char *in, enum util_fold fold, const char *want)
{
	char *got = util_utf8_normal(NULL, in, strlen(in), fold);
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\" (fold %d) gave \"%s\", want \"%s\"", in, (int)fold, got, want);
	free(got);
}

static void util_utf8_normal_nfd_equals_nfc(void **state)
{
	(void)state;
	const char *nfc = "Ren\xc3\xa9"
	                  "e Nu\xc3\xb1"
	                  "ez",
	           *nfd = "Rene\xcc\x81"
	                  "e Nun\xcc\x83"
	                  "ez";
	normal_is(nfd, UTIL_FOLD_NONE, nfc);
	normal_is(nfc, UTIL_FOLD_NONE, nfc);
	/* A singleton (Ångström sign) and a reordered pair of marks. */
	normal_is("\xe2\x84\xab", UTIL_FOLD_NONE, "\xc3\x85");
	normal_is("a\xcc\x81\xcc\xa3", UTIL_FOLD_NONE, "\xe1\xba\xa1\xcc\x81");
}

static void util_utf8_normal_folds_non_ascii(void **state)
{
	(void)state;
	const char *want = "ren\xc3\xa9"
	                   "e nu\xc3\xb1"
	                   "ez";
	normal_is("REN\xc3\x89"
	          "E NU\xc3\x91"
	          "EZ",
	          UTIL_FOLD_FULL, want);
	normal_is("RENE\xcc\x81"
	          "E NUN\xcc\x83"
	          "EZ",
	          UTIL_FOLD_FULL, want);
	normal_is("Stra\xc3\x9f"
	          "e",
	          UTIL_FOLD_FULL, "strasse");
	normal_is("Stra\xc3\x9f"
	          "e",
	          UTIL_FOLD_SIMPLE,
	          "stra\xc3\x9f"
	          "e");
	/* ΟΔΥΣΣΕΥΣ and οδυσσευς fold alike (final sigma). */
	normal_is("\xce\x9f\xce\x94\xce\xa5\xce\xa3\xce\xa3\xce\x95\xce\xa5\xce\xa3",
	          UTIL_FOLD_FULL,
	          "\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x83");
	normal_is("\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x82",
	          UTIL_FOLD_FULL,
	          "\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x83");
	/* Without folding, case stays. */
	normal_is("REN\xc3\x89"
	          "E",
	          UTIL_FOLD_NONE,
	          "REN\xc3\x89"
	          "E");
}

/* ASCII comes out as it always did: lower-cased when folding, else as is;
 * so indexes of ASCII names and emails made before ICU still match. */
static void util_utf8_normal_ascii_unchanged(void **state)
{
	(void)state;
	char in[2] = {0}, low[2] = {0};
	for (int c = 1; c < 0x80; c++) {
		in[0] = (char)c;
		low[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		normal_is(in, UTIL_FOLD_NONE, in);
		normal_is(in, UTIL_FOLD_SIMPLE, low);
		normal_is(in, UTIL_FOLD_FULL, low);
	}
	/* The same inside non-ASCII text. */
	normal_is("Ada \xc3\x89"
	          "mile",
	          UTIL_FOLD_FULL,
	          "ada \xc3\xa9"
	          "mile");
}

static void util_utf8_normal_invalid_utf8_copied(void **state)
{
	(void)state;
	normal_is("AB\xff\xfe"
	          "C",
	          UTIL_FOLD_FULL,
	          "ab\xff\xfe"
	          "c");
	normal_is("AB\xc3", UTIL_FOLD_NONE, "AB\xc3");
	/* Only n bytes are read. */
	char *got = util_utf8_normal(NULL, "ABCDEF", 3, UTIL_FOLD_FULL);
	assert_string_equal(got, "abc");
	free(got);
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
	    cmocka_unit_test(util_normalise_email_nfc_and_case_folded),
	    cmocka_unit_test(util_parse_iso8601_year_window),
	    cmocka_unit_test(util_utf8_normal_nfd_equals_nfc),
	    cmocka_unit_test(util_utf8_normal_folds_non_ascii),
	    cmocka_unit_test(util_utf8_normal_ascii_unchanged),
	    cmocka_unit_test(util_utf8_normal_invalid_utf8_copied),
	    cmocka_unit_test(util_hex_encodes_lowercase),
	    cmocka_unit_test(util_time_shift_moves_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
