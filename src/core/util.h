/* Small helpers: clocks, hex and ISO 8601 time formatting. */
#ifndef HEARTH_UTIL_H
#define HEARTH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock seconds since the epoch. Tests may shift it with util_time_shift. */
int64_t util_now(void);
/* Adds delta seconds to what util_now() returns (tests only). */
void util_time_shift(int64_t delta);
/* Monotonic nanoseconds, for latency measurement. */
uint64_t util_mono_ns(void);
/* Writes 2*n lowercase hex characters and a NUL into out (size >= 2n+1). */
void util_hex(char *out, const unsigned char *in, size_t n);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (size >= 21). */
void util_iso8601(char *out, size_t size, int64_t t);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD"; returns 0 or -HEARTH_EINVAL. */
int util_parse_iso8601(const char *s, int64_t *out);
/* True if s is a plausible email address (one @, dot in domain, no spaces). */
int util_email_valid(const char *s);
/* Lowercases ASCII in place and trims surrounding spaces; returns s. */
char *util_normalise_email(char *s);

#endif
