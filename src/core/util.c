/* Small helpers; see util.h. */
#include <ctype.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/util.h"
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
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 || y < 1900)
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

char *util_normalise_email(char *s)
{
	char *start = s;
	while (*start == ' ' || *start == '\t')
		start++;
	size_t len = strlen(start);
	while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	memmove(s, start, len);
	s[len] = '\0';
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}
