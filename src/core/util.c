/* Small helpers; see util.h. */
#include <ctype.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "core/banned.h"

static _Atomic int64_t time_shift;

int64_t util_now(void)
{
	return (int64_t)time(NULL) + atomic_load(&time_shift);
}

void util_time_shift(int64_t delta)
{
	atomic_fetch_add(&time_shift, delta);
}

uint64_t util_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void util_hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void util_iso8601(char *out, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && size)
		out[0] = '\0';
}

/* Reads n decimal digits at s (digits only: no signs or spaces). */
static bool digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

int util_parse_iso8601(const char *s, int64_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t len = strlen(s);
	if (len != 10 && len != 20)
		return -HEARTH_EINVAL;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return -HEARTH_EINVAL;
	if (len == 20 &&
	    (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	     s[16] != ':' || !digits(s + 17, 2, &sec) || s[19] != 'Z'))
		return -HEARTH_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 || y < UTIL_YEAR_FIRST ||
	    y > UTIL_YEAR_LAST)
		return -HEARTH_EINVAL;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -HEARTH_EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int util_email_valid(const char *s)
{
	size_t len = strlen(s);
	if (len < 3 || len > 254)
		return 0;
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return 0;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return 0;
	return 1;
}

/* --- Unicode (ICU, Debian libicu-dev) --- */

/* n bytes from the arena, or from malloc when a is NULL. */
static char *out_alloc(struct arena *a, size_t n)
{
	return a ? arena_alloc(a, n) : xmalloc(n);
}

/* The fallback for text ICU cannot take (not UTF-8, or too long): a copy,
 * with ASCII lower-cased when folding, as Hearth did before Unicode. */
static char *copy_ascii_fold(struct arena *a, const char *s, size_t n, enum util_fold fold)
{
	char *out = out_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = fold != UTIL_FOLD_NONE ? (char)tolower((unsigned char)s[i]) : s[i];
	out[n] = '\0';
	return out;
}

/* s[0..len) normalised by nf into a new malloc'd buffer; NULL on failure. */
static UChar *normalise16(const UNormalizer2 *nf, const UChar *s, int32_t len, int32_t *out_len)
{
	int32_t cap = len + 16;
	for (int tries = 0; tries < 2; tries++) {
		UErrorCode e = U_ZERO_ERROR;
		UChar *d = xmalloc((size_t)cap * sizeof *d);
		int32_t k = unorm2_normalize(nf, s, len, d, cap, &e);
		if (U_SUCCESS(e)) {
			*out_len = k;
			return d;
		}
		free(d);
		if (e != U_BUFFER_OVERFLOW_ERROR)
			break;
		cap = k + 1;
	}
	return NULL;
}

/* s[0..len) case-folded into a new malloc'd buffer; NULL on failure. Full
 * folding may lengthen the text ("ß" -> "ss"); simple folding maps each
 * code point to one code point. */
static UChar *fold16(const UChar *s, int32_t len, enum util_fold fold, int32_t *out_len)
{
	if (fold == UTIL_FOLD_SIMPLE) {
		/* A code point and its simple fold need at most two units each. */
		int32_t cap = 2 * len + 2, i = 0, o = 0;
		UChar *d = xmalloc((size_t)cap * sizeof *d);
		while (i < len) {
			UChar32 c;
			UBool bad = false;
			U16_NEXT(s, i, len, c);
			U16_APPEND(d, o, cap, u_foldCase(c, U_FOLD_CASE_DEFAULT), bad);
			if (bad) {
				free(d);
				return NULL;
			}
		}
		*out_len = o;
		return d;
	}
	int32_t cap = len + 16;
	for (int tries = 0; tries < 2; tries++) {
		UErrorCode e = U_ZERO_ERROR;
		UChar *d = xmalloc((size_t)cap * sizeof *d);
		int32_t k = u_strFoldCase(d, cap, s, len, U_FOLD_CASE_DEFAULT, &e);
		if (U_SUCCESS(e)) {
			*out_len = k;
			return d;
		}
		free(d);
		if (e != U_BUFFER_OVERFLOW_ERROR)
			break;
		cap = k + 1;
	}
	return NULL;
}

char *util_utf8_normal(struct arena *a, const char *s, size_t n, enum util_fold fold)
{
	char *out = NULL;
	UChar *u = NULL, *v = NULL;
	int32_t ulen = 0, vlen = 0, k = 0;
	UErrorCode e = U_ZERO_ERROR;
	bool ascii = true;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	/* ASCII is already NFC, and folds to its lower case. */
	if (ascii || n > INT32_MAX / 4)
		goto fallback;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&e);
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
	if (U_FAILURE(e))
		goto fallback;
	/* UTF-16 never needs more units than UTF-8 has bytes. */
	u = xmalloc((n + 1) * sizeof *u);
	u_strFromUTF8(u, (int32_t)n + 1, &ulen, s, (int32_t)n, &e);
	if (U_FAILURE(e))
		goto fallback;
	if (fold != UTIL_FOLD_NONE) {
		/* Canonical caseless matching: fold the decomposed form (so that
		 * a combining mark folds with its letter), then compose. */
		if (!(v = normalise16(nfd, u, ulen, &vlen)))
			goto fallback;
		free(u);
		if (!(u = fold16(v, vlen, fold, &ulen)))
			goto fallback;
		free(v);
		v = NULL;
	}
	if (!(v = normalise16(nfc, u, ulen, &vlen)))
		goto fallback;
	e = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &k, v, vlen, &e);
	if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
		goto fallback;
	out = out_alloc(a, (size_t)k + 1);
	e = U_ZERO_ERROR;
	u_strToUTF8(out, k + 1, &k, v, vlen, &e);
	if (U_FAILURE(e)) {
		if (!a)
			free(out);
		out = NULL;
		goto fallback;
	}
	out[k] = '\0';
	goto out;
fallback:
	out = copy_ascii_fold(a, s, n, fold);
out:
	free(u);
	free(v);
	return out;
}

char *util_normalise_email(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return util_utf8_normal(a, s, len, UTIL_FOLD_SIMPLE);
}

int util_parse_hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}
