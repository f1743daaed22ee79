/* Small helpers: clocks, hex and ISO 8601 time formatting. */
#ifndef HEARTH_UTIL_H
#define HEARTH_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* Wall-clock seconds since the epoch. Tests may shift it with util_time_shift. */
int64_t util_now(void);
/* Adds delta seconds to what util_now() returns (tests only). */
void util_time_shift(int64_t delta);
/* Monotonic nanoseconds, for latency measurement. */
uint64_t util_mono_ns(void);
/* Writes 2*n lowercase hex characters and a NUL into out (size >= 2n+1). */
void util_hex(char *out, const unsigned char *in, size_t n);
/* A wall-clock time "HH:MM" (00:00 to 23:59) as minutes after midnight,
 * or -1. */
int util_parse_hhmm(const char *s);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (size >= 21). */
void util_iso8601(char *out, size_t size, int64_t t);
/* The years any date or time Hearth takes in may fall in (dates of birth,
 * training, listening rounds, audit filters, session times): a window that
 * holds every real date and refuses typos such as 0001 or 9999. Programme
 * calendars are narrower still (CAL_FIRST_YEAR in programs/cal.h). */
#define UTIL_YEAR_FIRST 1900
#define UTIL_YEAR_LAST  2199
/* Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" with a year from
 * UTIL_YEAR_FIRST to UTIL_YEAR_LAST; returns 0 or -HEARTH_EINVAL. */
int util_parse_iso8601(const char *s, int64_t *out);
/* True if s is a plausible email address (one @, dot in domain, no spaces). */
int util_email_valid(const char *s);
/* How util_utf8_normal folds case: not at all; simple folding (one code
 * point to one: "É" -> "é", "ẞ" -> "ß"); full folding ("ß" -> "ss", "ﬁ" ->
 * "fi"), what Unicode calls canonical caseless matching. */
enum util_fold { UTIL_FOLD_NONE, UTIL_FOLD_SIMPLE, UTIL_FOLD_FULL };
/* s[0..n) in Unicode Normalization Form C, case-folded as fold says, so
 * that text typed differently but meaning the same ("Renée" composed or as
 * "e" + combining acute; "NUÑEZ" and "nuñez") compares equal byte for byte.
 * ASCII comes out lower-cased (any fold) or unchanged (UTIL_FOLD_NONE), as
 * before Hearth used Unicode. Text that is not valid UTF-8 is copied with
 * only its ASCII folded. Returns a NUL-terminated copy allocated in a, or
 * with malloc when a is NULL (the caller frees it); never NULL (ICU, from
 * Debian's libicu-dev, does the work). */
char *util_utf8_normal(struct arena *a, const char *s, size_t n, enum util_fold fold);
/* An email address as Hearth stores, indexes and compares it: surrounding
 * spaces and tabs trimmed, NFC, simple case folding (ASCII lower case, as
 * before; "JOSÉ@X.ORG" -> "josé@x.org"; "ß" stays, so the address still
 * delivers). Allocation as util_utf8_normal. */
char *util_normalise_email(struct arena *a, const char *s);

#endif
