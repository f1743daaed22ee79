/* Small helpers; see util.h. */
#include <ctype.h>
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

int util_parse_iso8601(const char *s, int64_t *out)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	size_t len = strlen(s);
	if (len == 10) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
			return -HEARTH_EINVAL;
	} else if (len == 20) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 20)
			return -HEARTH_EINVAL;
	} else {
		return -HEARTH_EINVAL;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
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
