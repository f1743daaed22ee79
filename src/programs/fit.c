/*
 * Fit ranking: the published programmes with a session to come, scored for
 * one person's profile (access needs against the venue, languages, formats,
 * availability, interests, places), with the reason for each criterion.
 *
 * Ranking reads hundreds of rows, so it reads numbers and decisions only
 * (struct fit_row); the text, the next published session and the places
 * taken are read only for the rows that may be shown (fit_verify), which
 * can only make a row rank lower. Plain logic: a connection and an arena in,
 * typed items out; taking_part_http.c turns them into JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

const char *const fit_codes[FIT__MAX + 1] = {"access", "language", "format",
                                             "time",   "art_form", "places"};
const char *const fit_day_names[8] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

/* What ranking needs of a programme: numbers and decisions only, so that
 * reading hundreds of rows copies no text. The rest, and the places taken,
 * are read for the rows that may be shown (fit_verify). */
struct fit_row {
	int64_t id, capacity, duration, next_start, enrol_id;
	int64_t taken, waiting;                   /* once counted */
	int weekdays, start_minute, score, enrol; /* enrol: ENR_ */
	uint32_t features;                        /* the venue's; 0 without a venue */
	unsigned format;                          /* FMT_ bit */
	bool has_venue, lang_ok, art_ok;          /* decided while the row was read */
	bool waitlist;                            /* someone is waiting for a place */
	bool counted;                             /* taken and waiting are known */
	const char *art_form;                     /* an art_form_names entry */
	struct fit_item *item;                    /* the answer's item, once verified */
};

/* Points per criterion; the score is the share of points earned among the
 * criteria the person's profile says something about (a criterion with
 * nothing recorded is neutral: shown, but not counted). */
static const int fit_weight[FIT__MAX] = {25, 20, 15, 20, 10, 10};

/* What a profile's needs ask of a venue. */
static const struct {
	const char *group, *need;
	enum venue_feature feature;
} need_map[] = {
    {"mobility", "wheelchair_user", VF_STEP_FREE_ACCESS},
    {"mobility", "step_free_access", VF_STEP_FREE_ACCESS},
    {"mobility", "mobility_aid", VF_STEP_FREE_ACCESS},
    {"mobility", "accessible_toilet", VF_ACCESSIBLE_TOILET},
    {"mobility", "lift", VF_LIFT},
    {"sensory", "hearing_loop", VF_HEARING_LOOP},
    {"neurodivergence", "quiet_room", VF_QUIET_ROOM},
};


static bool json_has(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *v = json_string_value(x);
		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

void fit_person_load(const json_t *profile, struct fit_person *p)
{
	memset(p, 0, sizeof *p);
	const json_t *needs = json_object_get(profile, "needs");
	for (size_t i = 0; i < sizeof need_map / sizeof need_map[0]; i++)
		if (json_has(json_object_get(needs, need_map[i].group), need_map[i].need))
			p->features |= 1u << need_map[i].feature;
	const json_t *l = json_object_get(profile, "languages");
	p->languages = json_array_size(l) ? l : NULL;
	const json_t *in = json_object_get(profile, "interests");
	p->interests = json_array_size(in) ? in : NULL;
	const json_t *f = json_object_get(needs, "formats");
	if (json_has(f, "in_person"))
		p->formats |= FMT_IN_PERSON;
	if (json_has(f, "online"))
		p->formats |= FMT_ONLINE;
	if (json_has(f, "hybrid"))
		p->formats |= FMT_HYBRID;
	size_t i;
	const json_t *slot;
	json_array_foreach(json_object_get(profile, "availability"), i, slot)
	{
		if (p->nslots == (int)(sizeof p->slots / sizeof p->slots[0]))
			break;
		const char *day = json_string_value(json_object_get(slot, "day"));
		int d = -1;
		for (int k = 0; day && fit_day_names[k]; k++)
			if (strcmp(day, fit_day_names[k]) == 0)
				d = k;
		int st = util_parse_hhmm(json_string_value(json_object_get(slot, "start")));
		int en = util_parse_hhmm(json_string_value(json_object_get(slot, "end")));
		if (d < 0 || st < 0 || en <= st)
			continue;
		p->slots[p->nslots].day = d;
		p->slots[p->nslots].start = st;
		p->slots[p->nslots].end = en;
		p->nslots++;
	}
}

static unsigned format_bit(const char *f)
{
	return strcmp(f, "online") == 0   ? FMT_ONLINE
	       : strcmp(f, "hybrid") == 0 ? FMT_HYBRID
	                                  : FMT_IN_PERSON;
}

const char *fit_format_name(unsigned fmt)
{
	return fmt == FMT_ONLINE ? "online" : fmt == FMT_HYBRID ? "hybrid" : "in_person";
}

static const char *format_text(unsigned fmt)
{
	return fmt == FMT_IN_PERSON ? "in person" : fit_format_name(fmt);
}

/* "en, es" from ",en,es,". */
static const char *list_text(struct arena *a, const char *wrapped)
{
	size_t n = strlen(wrapped);
	char *s = arena_alloc(a, 2 * n + 1), *o = s;
	for (const char *p = wrapped; *p; p++) {
		if (*p != ',') {
			*o++ = *p;
		} else if (o != s && p[1]) {
			*o++ = ',';
			*o++ = ' ';
		}
	}
	*o = '\0';
	return s;
}

static const char *feature_text(struct arena *a, uint32_t mask)
{
	const char *s = "";
	for (int f = 0; f < VF__MAX; f++)
		if (mask & (1u << f))
			s = arena_printf(a, "%s%s%s", s, *s ? ", " : "", venue_feature_names[f]);
	return s;
}

static const char *days_text(struct arena *a, unsigned mask)
{
	const char *s = "";
	for (int d = 0; d < 7; d++)
		if (mask & (1u << d))
			s = arena_printf(a, "%s%s%s", s, *s ? ", " : "", fit_day_names[d]);
	return s;
}

/* The first of the person's languages the programme is held in, or NULL. */
static const char *shared_language(const struct fit_person *p, const char *wrapped)
{
	size_t i;
	const json_t *l;
	json_array_foreach(p->languages, i, l)
	{
		const char *code = json_string_value(l);
		char key[48];
		if (code && snprintf(key, sizeof key, ",%s,", code) < (int)sizeof key &&
		    strstr(wrapped, key))
			return code;
	}
	return NULL;
}

/* Details of a row that will be shown (NULL while ranking). */
struct fit_text {
	struct arena *a;
	const char *languages; /* ',en,es,' */
	const char *spoken;    /* the language shared, if any */
};

static void rate_access(const struct fit_person *p, const struct fit_row *row, struct fit_reason *x,
                        const struct fit_text *t)
{
	bool online_ok = !p->formats || (p->formats & (FMT_ONLINE | FMT_HYBRID));
	uint32_t missing = p->features & ~(row->has_venue ? row->features : 0);
	const char *d = NULL;
	if (!p->features) {
		x->neutral = x->ok = true;
		x->says = "no_needs";
		d = "no access needs recorded";
	} else if (row->format == FMT_ONLINE) {
		x->ok = true;
		x->says = "online";
		d = "online: no venue to reach";
	} else if (!missing) {
		x->ok = true;
		x->says = "venue_has";
		x->features = p->features;
		if (t)
			d = arena_printf(t->a, "the venue has %s", feature_text(t->a, p->features));
	} else if (row->format == FMT_HYBRID && online_ok) {
		x->ok = true;
		x->says = "venue_lacks_online";
		x->features = missing;
		if (t)
			d = arena_printf(t->a, "the venue lacks %s, but you can join online",
			                 feature_text(t->a, missing));
	} else {
		int needed = __builtin_popcount(p->features), lacking = __builtin_popcount(missing);
		x->points = fit_weight[FIT_ACCESS] * (needed - lacking) / needed;
		x->says = "venue_lacks";
		x->features = missing;
		if (t)
			d = arena_printf(t->a, "the venue lacks %s", feature_text(t->a, missing));
	}
	x->detail = t ? d : NULL;
}

static void rate_time(const struct fit_person *p, const struct fit_row *row, struct fit_reason *x,
                      const struct fit_text *t)
{
	unsigned days = (unsigned)row->weekdays & 0x7f;
	int end = row->start_minute + (int)row->duration;
	if (!p->nslots || !days) {
		x->neutral = x->ok = true;
		x->says = !p->nslots ? "no_availability" : "no_weekday";
		if (t)
			x->detail = !p->nslots ? "no availability recorded" : "no regular weekday";
		return;
	}
	unsigned fits = 0;
	for (int k = 0; k < p->nslots; k++)
		if ((days & (1u << p->slots[k].day)) && p->slots[k].start <= row->start_minute &&
		    end <= p->slots[k].end)
			fits |= 1u << p->slots[k].day;
	int n = __builtin_popcount(days), m = __builtin_popcount(fits);
	x->ok = m == n;
	x->points = fit_weight[FIT_TIME] * m / n;
	x->says = x->ok ? "time_inside" : m ? "time_partly" : "time_outside";
	x->days = days;
	x->start = row->start_minute;
	x->end = end % (24 * 60);
	if (t)
		x->detail = arena_printf(t->a, "%s %02d:%02d-%02d:%02d is %s your availability",
		                         days_text(t->a, days), row->start_minute / 60,
		                         row->start_minute % 60, (end / 60) % 24, end % 60,
		                         x->ok ? "inside"
		                         : m   ? "partly inside"
		                               : "outside");
}

/* A place is there for a newcomer when none is waiting (those waiting are
 * owed freed places first) and fewer than capacity are taken. Before the
 * places are counted the second half is assumed: ranking then errs only
 * upwards, which fit_answer relies on. */
static void rate_places(const struct fit_row *row, struct fit_reason *x, const struct fit_text *t)
{
	int64_t left = row->capacity - row->taken;
	const char *d = NULL;
	if (row->enrol == ENR_ENROLLED || row->enrol == ENR_OFFERED) {
		x->ok = true;
		x->says = row->enrol == ENR_ENROLLED ? "have_place" : "offered";
		d = row->enrol == ENR_ENROLLED ? "you have a place" : "a place is offered to you";
	} else if (row->enrol == ENR_WAITLISTED) {
		x->says = "waitlisted";
		d = "you are on the waitlist";
	} else if (!row->waitlist && (!row->counted || left > 0)) {
		x->ok = true;
		x->says = "places_left";
		x->n = left;
		if (t)
			d = arena_printf(t->a, "%" PRId64 " place%s left", left,
			                 left == 1 ? "" : "s");
	} else {
		x->says = "full";
		x->n = row->waiting;
		if (t)
			d = arena_printf(t->a, "full; %" PRId64 " on the waitlist", row->waiting);
	}
	x->detail = t ? d : NULL;
}

/* Fills why[0..FIT__MAX) and returns the score 0..100. Details are written
 * only when t is given (for the rows that will be shown). */
static int fit_rate(const struct fit_person *p, const struct fit_row *row, struct fit_reason *why,
                    const struct fit_text *t)
{
	memset(why, 0, FIT__MAX * sizeof *why);
	struct arena *a = t ? t->a : NULL;
	rate_access(p, row, &why[FIT_ACCESS], t);
	struct fit_reason *x = &why[FIT_LANGUAGE];
	if (!p->languages) {
		x->neutral = x->ok = true;
		x->says = "no_languages";
		x->detail = t ? "no languages recorded" : NULL;
	} else {
		x->ok = row->lang_ok;
		x->says = x->ok && t && t->spoken ? "spoken" : "held_in";
		x->lang = x->ok && t && t->spoken ? arena_strdup(a, t->spoken) : NULL;
		if (t)
			x->detail =
			    x->ok && t->spoken
			        ? arena_printf(a, "held in %s, a language you speak", t->spoken)
			        : arena_printf(a, "held in %s", list_text(a, t->languages));
	}
	x = &why[FIT_FORMAT];
	if (!p->formats) {
		x->neutral = x->ok = true;
		x->says = "no_format";
		if (t)
			x->detail =
			    arena_printf(a, "%s; no preference recorded", format_text(row->format));
	} else {
		x->ok = row->format == FMT_HYBRID || (p->formats & row->format);
		x->says = x->ok ? "format_ok" : "format_no";
		if (t)
			x->detail =
			    arena_printf(a,
			                 x->ok ? "%s, a way you can take part"
			                       : "%s only, not a way you said you can take part",
			                 format_text(row->format));
	}
	rate_time(p, row, &why[FIT_TIME], t);
	x = &why[FIT_ART_FORM];
	if (!p->interests) {
		x->neutral = x->ok = true;
		x->says = "no_interests";
		x->detail = t ? "no interests recorded" : NULL;
	} else {
		x->ok = row->art_ok;
		x->says = x->ok ? "interest" : "not_interest";
		if (t)
			x->detail = arena_printf(a,
			                         x->ok ? "%s is one of your interests"
			                               : "%s is not among your interests",
			                         row->art_form);
	}
	rate_places(row, &why[FIT_PLACES], t);
	int earned = 0, possible = 0;
	for (int k = 0; k < FIT__MAX; k++) {
		if (why[k].neutral)
			continue;
		if (why[k].ok)
			why[k].points = fit_weight[k];
		earned += why[k].points;
		possible += fit_weight[k];
	}
	return possible ? (earned * 100 + possible / 2) / possible : 100;
}

/* One query over published programmes and their venues, in id order; the
 * next session start and whether anyone waits come from subqueries that
 * read one index entry each. Places taken are not counted here: with long
 * lists that is most of the cost, so they are counted for the rows that may
 * be shown. The next start read here ignores a session's status (reading it
 * would touch a table page per programme); cancelled sessions are rare, and
 * the row's real next session is read when it is verified. No text is read
 * but what ranking compares. */
static const char SQL_FIT[] =
    "SELECT p.id, p.art_form, p.languages, p.format, p.capacity, p.duration_minutes, "
    "p.weekdays, p.start_minute, p.venue_id, v.features, "
    "CASE WHEN EXISTS (SELECT 1 FROM enrolments e WHERE e.programme_id = p.id "
    "AND e.status = 'waitlisted') THEN 1 ELSE 0 END, "
    "(SELECT MIN(s.starts_at) FROM programme_sessions s WHERE s.programme_id = p.id "
    "AND s.starts_at > ?1) "
    "FROM programmes p LEFT JOIN venues v ON v.id = p.venue_id "
    "WHERE p.status = 'published' ORDER BY p.id";
/* The person's own places, in programme order (merged with SQL_FIT). */
static const char SQL_FIT_MINE[] =
    "SELECT programme_id, id, status FROM enrolments WHERE participant_id = ?1 "
    "AND status <> 'cancelled' ORDER BY programme_id";
/* For a row that may be shown: its next session, the rest of the programme
 * and its places, in one query. Columns from 15 on follow the session's.
 * An offer past its expiry still counts until the programme is next
 * touched and settles it. */
static const char SQL_FIT_ITEM[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS ", p.organisation_id, p.languages, p.therapeutic, "
    "p.start_date, p.end_date, p.start_time, p.venue_id, v.name, "
    "(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    "AND e.status = 'waitlisted'), "
    "(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    "AND e.status IN ('enrolled', 'offered')) "
    "FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id "
    "LEFT JOIN venues v ON v.id = p.venue_id "
    "WHERE s.programme_id = ?1 AND s.starts_at > ?2 AND s.status = 'published' "
    "ORDER BY s.starts_at, s.id LIMIT 1";

static int fit_cmp(const void *a, const void *b)
{
	const struct fit_row *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	if (x->next_start != y->next_start)
		return x->next_start < y->next_start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int enrol_code(const char *status)
{
	if (!status)
		return ENR_NONE;
	return strcmp(status, "enrolled") == 0  ? ENR_ENROLLED
	       : strcmp(status, "offered") == 0 ? ENR_OFFERED
	                                        : ENR_WAITLISTED;
}

static const char *art_form_of(struct arena *a, const char *s)
{
	for (int i = 0; art_form_names[i]; i++)
		if (strcmp(s, art_form_names[i]) == 0)
			return art_form_names[i];
	return arena_strdup(a, s);
}

struct mine {
	int64_t programme, id;
	int enrol;
};

/* The person's places, in programme order. */
static int fit_mine(struct db_conn *c, struct arena *a, int64_t person, struct mine **out,
                    size_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_FIT_MINE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, person);
	size_t cap = 16;
	*out = arena_alloc(a, cap * sizeof **out);
	*n = 0;
	int rc;
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct mine *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, *out, cap * sizeof *more);
			*out = more;
			cap *= 2;
		}
		(*out)[*n].programme = db_col_i64(s, 0);
		(*out)[*n].id = db_col_i64(s, 1);
		(*out)[*n].enrol = enrol_code(db_col_text(s, 2));
		(*n)++;
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

static int fit_load(struct db_conn *c, struct arena *a, const struct fit_person *p, int64_t person,
                    int64_t now, struct fit_row **rows, size_t *n)
{
	struct mine *mine;
	size_t nmine, k = 0;
	int rc = fit_mine(c, a, person, &mine, &nmine);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_FIT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, now);
	size_t cap = 256;
	*rows = arena_alloc(a, cap * sizeof **rows);
	*n = 0;
	while (db_next(s, &rc)) {
		if (db_col_null(s, 11))
			continue; /* no session still to come */
		if (*n == cap) {
			struct fit_row *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, *rows, cap * sizeof *more);
			*rows = more;
			cap *= 2;
		}
		struct fit_row *x = &(*rows)[(*n)++];
		memset(x, 0, sizeof *x);
		x->id = db_col_i64(s, 0);
		x->art_form = art_form_of(a, db_col_text(s, 1));
		x->art_ok = p->interests && json_has(p->interests, x->art_form);
		x->lang_ok = p->languages && shared_language(p, db_col_text(s, 2)) != NULL;
		x->format = format_bit(db_col_text(s, 3));
		x->capacity = db_col_i64(s, 4);
		x->duration = db_col_i64(s, 5);
		x->weekdays = (int)db_col_i64(s, 6);
		x->start_minute = (int)db_col_i64(s, 7);
		x->has_venue = !db_col_null(s, 8);
		x->features = (uint32_t)db_col_i64(s, 9);
		x->waitlist = db_col_i64(s, 10) != 0;
		x->next_start = db_col_i64(s, 11);
		while (k < nmine && mine[k].programme < x->id)
			k++;
		if (k < nmine && mine[k].programme == x->id) {
			x->enrol = mine[k].enrol;
			x->enrol_id = mine[k].id;
		}
		x->score = fit_rate(p, x, (struct fit_reason[FIT__MAX]){0}, NULL);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Reads the row's next published session and counts its places, scores it
 * for good and fills its item (left NULL when no published session is to
 * come). Both can only make the row rank lower than it did. */
static int fit_verify(struct db_conn *c, struct arena *a, const struct fit_person *p,
                      struct fit_row *x, int64_t now)
{
	struct db_stmt *s = db_prepare(c, SQL_FIT_ITEM);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, x->id);
	db_bind_i64(s, 2, now);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		x->next_start = db_col_i64(s, 2);
		x->waiting = db_col_i64(s, 23);
		x->taken = db_col_i64(s, 24);
		x->waitlist = x->waiting > 0;
		x->counted = true;
		struct fit_item *it = arena_alloc(a, sizeof *it);
		memset(it, 0, sizeof *it);
		struct fit_text t = {a, arena_strdup(a, db_col_text(s, 16)), NULL};
		if (p->languages)
			t.spoken = shared_language(p, t.languages);
		x->score = fit_rate(p, x, it->why, &t);
		it->id = x->id;
		it->organisation_id = db_col_i64(s, 15);
		it->capacity = x->capacity;
		it->duration = x->duration;
		it->taken = x->taken;
		it->waiting = x->waiting;
		it->venue_id = db_col_null(s, 21) ? 0 : db_col_i64(s, 21);
		it->enrol_id = x->enrol_id;
		it->score = x->score;
		it->enrol = x->enrol;
		it->format = x->format;
		it->therapeutic = db_col_i64(s, 17) != 0;
		it->title = arena_strdup(a, db_col_text(s, 11));
		it->art_form = x->art_form;
		it->languages = t.languages;
		it->timezone = arena_strdup(a, db_col_text(s, 10));
		it->start_date = arena_strdup(a, db_col_text(s, 18));
		it->end_date = db_col_null(s, 19) ? NULL : arena_strdup(a, db_col_text(s, 19));
		it->start_time = arena_strdup(a, db_col_text(s, 20));
		it->venue = db_col_null(s, 22) ? NULL : arena_strdup(a, db_col_text(s, 22));
		programs_session_read(s, a, &it->next);
		x->item = it;
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* The rows are ranked first with places taken assumed free and the next
 * session the earliest of any status (so a row can only fall once it is
 * verified). Rows are then verified in that order, each placed among the
 * verified ones, until limit are verified and the next row's hopeful rank
 * is no better than the last of them: nothing after it can do better. So
 * places are counted for the rows shown and the few that a full programme
 * pushed out, never for all. */
int fit_rank(struct db_conn *c, struct arena *a, const struct fit_person *p, int64_t person,
             int64_t now, int limit, struct fit_item ***items, size_t *n)
{
	struct fit_row *rows;
	size_t nrows, nbest = 0;
	*items = NULL;
	*n = 0;
	int rc = fit_load(c, a, p, person, now, &rows, &nrows);
	if (rc)
		goto out;
	qsort(rows, nrows, sizeof *rows, fit_cmp);
	struct fit_row **best = arena_alloc(a, (nrows ? nrows : 1) * sizeof *best);
	for (size_t i = 0; i < nrows && !rc; i++) {
		if (nbest >= (size_t)limit && fit_cmp(best[limit - 1], &rows[i]) <= 0)
			break;
		if ((rc = fit_verify(c, a, p, &rows[i], now)) != 0 || !rows[i].item)
			continue;
		size_t k = nbest++;
		while (k > 0 && fit_cmp(best[k - 1], &rows[i]) > 0) {
			best[k] = best[k - 1];
			k--;
		}
		best[k] = &rows[i];
	}
	if (rc)
		goto out;
	*items = arena_alloc(a, (nbest ? nbest : 1) * sizeof **items);
	for (size_t i = 0; i < nbest && i < (size_t)limit; i++)
		(*items)[(*n)++] = best[i]->item;
out:
	return rc;
}

static bool serves_person(const struct actor *a, enum action act, const struct person_view *v)
{
	for (size_t i = 0; i < v->norgs; i++)
		if (policy_in(a, act, v->org_ids[i]))
			return true;
	return false;
}

int fit_for(const struct part_ctx *x, int64_t person, bool self, int limit,
            struct fit_item ***items, size_t *n, struct part_refusal *no)
{
	struct person_view v;
	struct fit_person p;
	memset(&v, 0, sizeof v);
	memset(no, 0, sizeof *no);
	*items = NULL;
	*n = 0;
	no->what = self ? "your record" : "the person";
	int rc = people_view(x->px, x->c, x->a, person, &v);
	if (self) {
		if (!rc && v.erased)
			rc = -HEARTH_ENOTFOUND;
		if (rc)
			goto out;
	} else {
		if (rc && rc != -HEARTH_ENOTFOUND)
			goto out;
		/* The one rule (docs/api.md): someone of an organisation where
		 * the caller holds no role is answered as nobody by that id is
		 * (404), so the answer says nothing about who exists; another
		 * role in the person's organisation is 403. */
		if (rc == -HEARTH_ENOTFOUND || !serves_person(x->actor, ACT_FIT_PERSON, &v)) {
			bool known = !rc && serves_person(x->actor, ACT_ORG_SEE, &v);
			rc = known ? programs_part_refuse(
			                 no, 403, NULL,
			                 "your role in this person's organisation does not "
			                 "allow this")
			           : programs_part_refuse(no, 404, NULL, "there is no such person");
			no->denied = true;
			goto out;
		}
		if (v.erased) {
			rc = programs_part_refuse(
			    no, 410, NULL,
			    "this person's record was erased; only a tombstone remains");
			goto out;
		}
	}
	no->what = self ? "sessions that fit you" : "sessions that fit this person";
	fit_person_load(v.profile, &p);
	rc = fit_rank(x->c, x->a, &p, person, util_now(), limit, items, n);
out:
	json_decref(v.profile);
	return rc;
}
