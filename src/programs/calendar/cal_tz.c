/*
 * Time zones from the system's tz database: TZif files (RFC 8536, versions
 * 1 to 4) under /usr/share/zoneinfo (Debian package tzdata), read once per
 * zone and kept for the life of the process. The 64-bit data of version 2+
 * files is used; instants after the last transition follow the footer's
 * POSIX TZ rule ("GMT0BST,M3.5.0/1,M10.5.0"), which is also what a "slim"
 * file relies on for every instant after its last rule change. We never
 * touch the C library's TZ machinery (setenv("TZ") + tzset is process-wide
 * state and not thread-safe).
 *
 * HEARTH_ZONEINFO, when set, replaces /usr/share/zoneinfo (tests only).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "programs/calendar/cal.h"
#include "core/banned.h"

#define TZ_NAME_MAX 64
#define TZ_FILE_MAX (1 << 20) /* real files are < 4 KiB; anything huge is not a zone */
#define TZ_ABBR_MAX 16

struct tz_type {
	int32_t off;
	bool isdst;
	uint32_t abbr; /* index into abbrs */
};

/* A POSIX TZ date rule: Jn (1..365, no leap day), n (0..365) or Mm.w.d. */
struct posix_date {
	enum { PD_JULIAN1, PD_JULIAN0, PD_MWD } kind;
	int n, m, w, d;
	int32_t secs; /* local time of the change, may be negative or > 24h (v3) */
};

struct posix_rule {
	bool valid;
	int32_t std_off; /* UTC offsets, east positive (the inverse of POSIX's sign) */
	char std_abbr[TZ_ABBR_MAX];
	bool has_dst;
	int32_t dst_off;
	char dst_abbr[TZ_ABBR_MAX];
	struct posix_date start, end;
};

struct tz {
	char name[TZ_NAME_MAX + 1];
	size_t ntrans;
	int64_t *trans; /* ascending UTC instants */
	uint8_t *idx;   /* type after each transition */
	size_t ntypes;
	struct tz_type *types;
	char *abbrs; /* NUL-separated, NUL-terminated */
	size_t nabbrs;
	struct posix_rule rule;
	struct tz *next; /* cache list */
};

/* --- POSIX TZ strings --- */

/* Parses [+-]hh[:mm[:ss]] with hours up to max; returns the seconds. */
static const char *parse_hms(const char *s, int max_h, int32_t *out)
{
	int sign = 1;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*s))
		return NULL;
	int h = 0, m = 0, sec = 0, nd = 0;
	while (isdigit((unsigned char)*s) && nd < 3)
		h = h * 10 + (*s++ - '0'), nd++;
	if (h > max_h || isdigit((unsigned char)*s))
		return NULL;
	if (*s == ':') {
		s++;
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
			return NULL;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
				return NULL;
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
	}
	if (m > 59 || sec > 59)
		return NULL;
	*out = sign * (h * 3600 + m * 60 + sec);
	return s;
}

/* An abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static const char *parse_abbr(const char *s, char out[TZ_ABBR_MAX])
{
	size_t n = 0;
	if (*s == '<') {
		s++;
		while (isalnum((unsigned char)*s) || *s == '+' || *s == '-') {
			if (n + 1 >= TZ_ABBR_MAX)
				return NULL;
			out[n++] = *s++;
		}
		if (*s != '>' || n < 3)
			return NULL;
		s++;
	} else {
		while (isalpha((unsigned char)*s)) {
			if (n + 1 >= TZ_ABBR_MAX)
				return NULL;
			out[n++] = *s++;
		}
		if (n < 3)
			return NULL;
	}
	out[n] = '\0';
	return s;
}

static const char *parse_posix_date(const char *s, struct posix_date *d)
{
	memset(d, 0, sizeof *d);
	if (*s == 'J') {
		s++;
		d->kind = PD_JULIAN1;
	} else if (*s == 'M') {
		d->kind = PD_MWD;
		if (sscanf(s + 1, "%2d.%1d.%1d", &d->m, &d->w, &d->d) != 3 || d->m < 1 ||
		    d->m > 12 || d->w < 1 || d->w > 5 || d->d < 0 || d->d > 6)
			return NULL;
		s++;
		while (isdigit((unsigned char)*s) || *s == '.')
			s++;
	} else {
		d->kind = PD_JULIAN0;
	}
	if (d->kind != PD_MWD) {
		if (!isdigit((unsigned char)*s))
			return NULL;
		while (isdigit((unsigned char)*s) && d->n < 1000)
			d->n = d->n * 10 + (*s++ - '0');
		if ((d->kind == PD_JULIAN1 && (d->n < 1 || d->n > 365)) ||
		    (d->kind == PD_JULIAN0 && d->n > 365))
			return NULL;
	}
	d->secs = 2 * 3600;
	if (*s == '/')
		s = parse_hms(s + 1, 167, &d->secs);
	return s;
}

/* Parses a TZ string such as "EST5EDT,M3.2.0,M11.1.0" or "<+10>-10". */
static bool parse_posix(const char *s, struct posix_rule *r)
{
	int32_t off;
	memset(r, 0, sizeof *r);
	if (!(s = parse_abbr(s, r->std_abbr)) || !(s = parse_hms(s, 24, &off)))
		return false;
	r->std_off = -off;
	if (*s == '\0') {
		r->valid = true;
		return true;
	}
	if (!(s = parse_abbr(s, r->dst_abbr)))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s && *s != ',') {
		if (!(s = parse_hms(s, 24, &off)))
			return false;
		r->dst_off = -off;
	}
	if (*s == '\0') {
		/* POSIX leaves the default rule to the implementation; the
		 * United States' is the usual choice (glibc's too). */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s != ',' || !(s = parse_posix_date(s + 1, &r->start)) || *s != ',' ||
	    !(s = parse_posix_date(s + 1, &r->end)) || *s != '\0')
		return false;
	r->valid = true;
	return true;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day number (days since 1970-01-01) a rule date falls on in year y. */
static int64_t posix_day(const struct posix_date *d, int y)
{
	struct cal_date jan1 = {y, 1, 1};
	switch (d->kind) {
	case PD_JULIAN1: return cal_days(jan1) + d->n - 1 + (leap_year(y) && d->n >= 60);
	case PD_JULIAN0: return cal_days(jan1) + d->n;
	case PD_MWD:
	default: {
		struct cal_date first = {y, d->m, 1};
		int64_t day1 = cal_days(first);
		int wd = (cal_weekday(first) + 1) % 7; /* POSIX counts from Sunday */
		int64_t day = day1 + (d->d - wd + 7) % 7 + 7 * (d->w - 1);
		int next_m = d->m == 12 ? 1 : d->m + 1;
		struct cal_date nextfirst = {d->m == 12 ? y + 1 : y, next_m, 1};
		while (day >= cal_days(nextfirst)) /* w == 5: the last such day */
			day -= 7;
		return day;
	}
	}
}

/* The UTC instants DST starts and ends in year y. A change's time is in
 * the local time in force before it. */
static void posix_year(const struct posix_rule *r, int y, int64_t *start, int64_t *end)
{
	*start = posix_day(&r->start, y) * 86400 + r->start.secs - r->std_off;
	*end = posix_day(&r->end, y) * 86400 + r->end.secs - r->dst_off;
}

/* Instants further than this from 1970 (about 34,800 years) are taken as
 * this far: every date Hearth writes is far inside, and a TZif file may
 * hold any 64-bit instant, whose year would not fit an int and would wrap
 * round (tests/fuzz/fuzz_tzif.c found a year loop that then ran for
 * ever). */
#define TZ_INSTANT_MAX (INT64_C(1) << 40)

static int year_of(int64_t t)
{
	if (t > TZ_INSTANT_MAX)
		t = TZ_INSTANT_MAX;
	if (t < -TZ_INSTANT_MAX)
		t = -TZ_INSTANT_MAX;
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	return cal_from_days(days).year;
}

static bool posix_isdst(const struct posix_rule *r, int64_t t)
{
	if (!r->has_dst)
		return false;
	int64_t s, e;
	posix_year(r, year_of(t + r->std_off), &s, &e);
	if (s < e)
		return t >= s && t < e;
	/* Southern hemisphere: DST spans the new year. */
	return !(t >= e && t < s);
}

/* --- TZif --- */

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

static bool read_counts(const unsigned char *p, size_t len, struct tzif_counts *c, char *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	*version = (char)p[4];
	c->isut = (uint32_t)be(p + 20, 4);
	c->isstd = (uint32_t)be(p + 24, 4);
	c->leap = (uint32_t)be(p + 28, 4);
	c->time = (uint32_t)be(p + 32, 4);
	c->type = (uint32_t)be(p + 36, 4);
	c->chr = (uint32_t)be(p + 40, 4);
	return c->type >= 1 && c->type <= 256 && c->chr >= 1 && c->time <= 100000 &&
	       c->leap <= 100000 && c->chr <= 65536 && (c->isut == 0 || c->isut == c->type) &&
	       (c->isstd == 0 || c->isstd == c->type);
}

static size_t block_size(const struct tzif_counts *c, int tsize)
{
	return (size_t)c->time * (size_t)tsize + c->time + (size_t)c->type * 6 + c->chr +
	       (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
}

/* Fills z from a TZif image; false when it is not a well-formed one. Leap
 * second ("right/") zones are refused: civil time does not count them. */
static bool parse_tzif(struct tz *z, const unsigned char *p, size_t len)
{
	struct tzif_counts c;
	char version;
	int tsize = 4;
	if (!read_counts(p, len, &c, &version))
		return false;
	size_t hdr = 44, v1 = block_size(&c, 4);
	if (version >= '2') {
		if (len < hdr + v1)
			return false;
		p += hdr + v1;
		len -= hdr + v1;
		if (!read_counts(p, len, &c, &version))
			return false;
		tsize = 8;
	}
	size_t need = hdr + block_size(&c, tsize);
	if (len < need || c.leap)
		return false;
	const unsigned char *q = p + hdr;
	z->ntrans = c.time;
	z->trans = xcalloc(c.time ? c.time : 1, sizeof *z->trans);
	z->idx = xcalloc(c.time ? c.time : 1, 1);
	for (uint32_t i = 0; i < c.time; i++, q += tsize) {
		z->trans[i] = be(q, tsize);
		if (i && z->trans[i] <= z->trans[i - 1])
			return false;
	}
	for (uint32_t i = 0; i < c.time; i++) {
		z->idx[i] = *q++;
		if (z->idx[i] >= c.type)
			return false;
	}
	z->ntypes = c.type;
	z->types = xcalloc(c.type, sizeof *z->types);
	for (uint32_t i = 0; i < c.type; i++, q += 6) {
		z->types[i].off = (int32_t)be(q, 4);
		z->types[i].isdst = q[4] != 0;
		z->types[i].abbr = q[5];
		if (q[5] >= c.chr || z->types[i].off < -26 * 3600 || z->types[i].off > 26 * 3600)
			return false;
	}
	z->nabbrs = c.chr;
	z->abbrs = xcalloc(c.chr + 1, 1);
	memcpy(z->abbrs, q, c.chr);
	if (tsize == 8) {
		/* The footer: "\n" TZ-string "\n". An empty or unreadable one
		 * leaves the last transition's type in force. */
		const unsigned char *f = p + need, *fend = p + len;
		if (f < fend && *f == '\n') {
			const unsigned char *nl = memchr(f + 1, '\n', (size_t)(fend - f - 1));
			char s[128];
			if (nl && (size_t)(nl - f - 1) < sizeof s) {
				memcpy(s, f + 1, (size_t)(nl - f - 1));
				s[nl - f - 1] = '\0';
				if (s[0] && !parse_posix(s, &z->rule))
					z->rule.valid = false;
			}
		}
	}
	return true;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z->abbrs);
	free(z);
}

struct tz *tz_new(const char *name, const unsigned char *data, size_t len)
{
	struct tz *z = xcalloc(1, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name ? name : "");
	if (!data || !parse_tzif(z, data, len)) {
		tz_free(z);
		z = NULL;
	}
	return z;
}

/* Only A-Z a-z 0-9 _ + - and '/' between non-empty parts: no "..", no
 * absolute paths, nothing a shell or the file system would read specially. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '/' && name[i + 1] == '/')
			return false;
		if (!isalnum(ch) && ch != '_' && ch != '+' && ch != '-' && ch != '/')
			return false;
	}
	return strstr(name, "..") == NULL;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	unsigned char *data = NULL;
	struct stat st;
	if (fd < 0 && errno == ELOOP) /* zoneinfo has symlinks (UTC -> Etc/UTC) */
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > TZ_FILE_MAX)
		goto out;
	data = xmalloc((size_t)st.st_size);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, data + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(data);
			data = NULL;
			goto out;
		}
		got += (size_t)k;
	}
	*len = got;
out:
	close(fd);
	return data;
}

/* UTC without a file, so that the one zone everybody needs works even on
 * a machine without tzdata. */
static struct tz *builtin_utc(const char *name)
{
	struct tz *z = xcalloc(1, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	z->ntypes = 1;
	z->types = xcalloc(1, sizeof *z->types);
	z->abbrs = xcalloc(4, 1);
	memcpy(z->abbrs, "UTC", 3);
	z->nabbrs = 4;
	z->trans = xcalloc(1, sizeof *z->trans);
	z->idx = xcalloc(1, 1);
	return z;
}

static struct tz *load(const char *name)
{
	const char *dir = getenv("HEARTH_ZONEINFO");
	char path[512];
	size_t len = 0;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	int k = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (k < 0 || (size_t)k >= sizeof path)
		return NULL;
	unsigned char *data = read_file(path, &len);
	if (!data) {
		if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
			return builtin_utc(name);
		return NULL;
	}
	struct tz *z = tz_new(name, data, len);
	free(data);
	return z;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *cache;

const struct tz *tz_get(const char *name)
{
	if (!name || !name_ok(name))
		return NULL;
	struct tz *z;
	pthread_mutex_lock(&cache_lock);
	for (z = cache; z; z = z->next)
		if (strcmp(z->name, name) == 0)
			break;
	/* Loading under the lock is simple and cheap (a few KiB, once per
	 * zone); unknown names are not cached, so a stream of made-up names
	 * cannot grow memory. */
	if (!z && (z = load(name)) != NULL) {
		z->next = cache;
		cache = z;
	}
	pthread_mutex_unlock(&cache_lock);
	return z;
}

/* --- the names tzdata lists --- */

static pthread_once_t listed_once = PTHREAD_ONCE_INIT;
static const char **listed; /* sorted; NULL when tzdata.zi could not be read */
static size_t nlisted;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The n-th (0-based) space-separated word of line, NUL-terminated in place. */
static char *word(char *line, int n)
{
	for (int i = 0;; i++) {
		while (*line == ' ')
			line++;
		if (!*line)
			return NULL;
		char *w = line;
		while (*line && *line != ' ')
			line++;
		if (i == n) {
			*line = '\0';
			return w;
		}
	}
}

/* Reads the zone and link names of tzdata.zi (zic's own compact input:
 * "Z name ..." for a zone, "L target name" for a link) once. The text is
 * kept for the life of the process; listed points into it. */
static void listed_load(void)
{
	const char *dir = getenv("HEARTH_ZONEINFO");
	char path[512];
	size_t len = 0, cap = 0;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	int k = snprintf(path, sizeof path, "%s/tzdata.zi", dir);
	if (k < 0 || (size_t)k >= sizeof path)
		return;
	unsigned char *data = read_file(path, &len);
	if (!data)
		return;
	char *text = xmalloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	free(data);
	const char **names = NULL;
	size_t n = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *name = NULL;
		if (line[0] == 'Z' && line[1] == ' ')
			name = word(line + 2, 0);
		else if (line[0] == 'L' && line[1] == ' ')
			name = word(line + 2, 1);
		if (!name || !name_ok(name) || strcmp(name, "Factory") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = name;
	}
	if (!n) {
		free(names);
		free(text);
		return;
	}
	qsort(names, n, sizeof *names, cmp_names);
	listed = names;
	nlisted = n;
}

bool tz_name_listed(const char *name)
{
	if (!name || !name_ok(name))
		return false;
	pthread_once(&listed_once, listed_load);
	if (listed) {
		if (!bsearch(&name, listed, nlisted, sizeof *listed, cmp_names))
			return false;
	} else if (strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0 ||
	           strcmp(name, "Factory") == 0 || strncmp(name, "posix/", 6) == 0 ||
	           strncmp(name, "right/", 6) == 0) {
		/* Without the list: at least not the files that are no zone. */
		return false;
	}
	return tz_get(name) != NULL;
}

const char *tz_name(const struct tz *z)
{
	return z->name;
}

/* The offset, DST flag and abbreviation in force at t. */
void cal__tz_state(const struct tz *z, int64_t t, int *off, bool *isdst, const char **abbr)
{
	const struct tz_type *ty = &z->types[0];
	bool use_rule = z->rule.valid && (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]);
	if (use_rule) {
		bool dst = posix_isdst(&z->rule, t);
		*off = dst ? z->rule.dst_off : z->rule.std_off;
		*isdst = dst;
		*abbr = dst ? z->rule.dst_abbr : z->rule.std_abbr;
		return;
	}
	if (z->ntrans && t >= z->trans[0]) {
		size_t lo = 0, hi = z->ntrans; /* last transition <= t */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		ty = &z->types[z->idx[lo]];
	}
	*off = ty->off;
	*isdst = ty->isdst;
	*abbr = z->abbrs + ty->abbr;
}

int tz_offset_at(const struct tz *z, int64_t t)
{
	int off;
	bool dst;
	const char *abbr;
	cal__tz_state(z, t, &off, &dst, &abbr);
	return off;
}

const char *tz_abbr_at(const struct tz *z, int64_t t)
{
	int off;
	bool dst;
	const char *abbr;
	cal__tz_state(z, t, &off, &dst, &abbr);
	return abbr;
}

static bool same_state(const struct tz *z, int64_t a, int64_t b)
{
	int oa, ob;
	bool da, db;
	const char *aa, *ab;
	cal__tz_state(z, a, &oa, &da, &aa);
	cal__tz_state(z, b, &ob, &db, &ab);
	return oa == ob && da == db && strcmp(aa, ab) == 0;
}

/* The first instant after t, and not after limit, where the offset, DST
 * flag or abbreviation changes; false when there is none. */
bool cal__tz_next(const struct tz *z, int64_t t, int64_t limit, int64_t *when)
{
	/* Transitions in the table that change something. */
	size_t lo = 0, hi = z->ntrans; /* first transition > t */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < z->ntrans && z->trans[i] <= limit; i++) {
		if (!same_state(z, z->trans[i] - 1, z->trans[i])) {
			*when = z->trans[i];
			return true;
		}
	}
	if (!z->rule.valid || !z->rule.has_dst)
		return false;
	/* Then the footer rule, year by year. */
	int64_t from = z->ntrans && z->trans[z->ntrans - 1] > t ? z->trans[z->ntrans - 1] : t;
	if (from >= limit) /* the table runs past limit: nothing left for the rule */
		return false;
	for (int y = year_of(from) - 1; y <= year_of(limit) + 1; y++) {
		int64_t s, e;
		posix_year(&z->rule, y, &s, &e);
		int64_t first = s < e ? s : e, second = s < e ? e : s;
		if (first > from && first <= limit && !same_state(z, first - 1, first)) {
			*when = first;
			return true;
		}
		if (second > from && second <= limit && !same_state(z, second - 1, second)) {
			*when = second;
			return true;
		}
	}
	return false;
}

static int64_t local_seconds(int year, int month, int day, int hour, int minute)
{
	struct cal_date d = {year, month, day};
	return cal_days(d) * 86400 + (int64_t)hour * 3600 + (int64_t)minute * 60;
}

int64_t tz_local_to_utc(const struct tz *z, int year, int month, int day, int hour, int minute)
{
	int64_t l = local_seconds(year, month, day, hour, minute);
	/* The offsets a day either side: transitions are never closer. */
	int before = tz_offset_at(z, l - 86400 - 26 * 3600);
	int after = tz_offset_at(z, l + 86400 + 26 * 3600);
	int64_t ta = l - before, tb = l - after;
	bool a_ok = tz_offset_at(z, ta) == before, b_ok = tz_offset_at(z, tb) == after;
	if (a_ok && b_ok)
		return ta < tb ? ta : tb; /* an overlap: the earlier instant */
	if (a_ok)
		return ta;
	if (b_ok)
		return tb;
	/* A gap: the wall clock jumped over l. Reading l with the offset
	 * from before the jump lands as far after the jump as l was after
	 * its start, i.e. the time moves forward by the gap. */
	return ta;
}

void tz_utc_to_local(const struct tz *z, int64_t t, struct local_time *out)
{
	int64_t l = t + tz_offset_at(z, t);
	int64_t days = l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
	int64_t secs = l - days * 86400;
	struct cal_date d = cal_from_days(days);
	out->year = d.year;
	out->month = d.month;
	out->day = d.day;
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
	out->wday = cal_weekday(d);
}
