/*
 * Unit tests for fit ranking (src/programs/fit.c, taking_part.h) without
 * HTTP: a profile read into what ranking needs, and programmes ranked for
 * it, best first, with the reason for each criterion: access needs against
 * the venue, languages, formats, availability, interests and places (a
 * full programme, someone waiting, the person's own place).
 *
 * The fixture is test_enrolment.c's (itself test_people.c's): a migrated
 * SQLite database in a temporary directory, a key store and three
 * organisations. Programmes, venues and sessions are inserted as rows.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "people/internal.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

#define DAY 86400

#include "fixture.h"

static int fx_setup(void **state)
{
	return fx_open(state, "fit");
}

/* --- helpers --- */

static int64_t person(struct fx *fx, const char *name)
{
	return person_in(fx, fx->org_a, name, true);
}

static const char SQL_VENUE[] =
    "INSERT INTO venues (organisation_id, name, address, capacity, features, created_at, "
    "updated_at) VALUES (?1, ?2, 'High Street 1', 40, ?3, 0, 0) RETURNING id";
static const char SQL_PROGRAMME[] =
    "INSERT INTO programmes (organisation_id, title, art_form, languages, format, capacity, "
    "status, timezone, start_date, start_time, duration_minutes, weekdays, start_minute, "
    "venue_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'published', "
    "'Europe/London', '2026-01-05', '18:00', ?7, ?8, ?9, ?10, 0, 0) RETURNING id";
static const char SQL_SESSION[] =
    "INSERT INTO programme_sessions (programme_id, starts_at, ends_at, status, updated_at) "
    "VALUES (?1, ?2, ?2 + 5400, 'published', 0)";

static int64_t venue(struct fx *fx, const char *name, uint32_t features)
{
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(c, SQL_VENUE);
	assert_non_null(s);
	db_bind_i64(s, 1, fx->org_a);
	db_bind_text(s, 2, name);
	db_bind_i64(s, 3, features);
	assert_int_equal(db_insert_id(s, &id), 0);
	db_release(fx->pool, c);
	return id;
}

struct prog {
	const char *title, *art_form, *languages, *format;
	int64_t capacity, duration;
	int weekdays, start_minute; /* bit 0 = Monday; minutes after midnight */
	int64_t venue;              /* 0: none */
	int64_t starts_in;          /* the next session, seconds from now */
};

static int64_t programme(struct fx *fx, const struct prog *p)
{
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME);
	assert_non_null(s);
	db_bind_i64(s, 1, fx->org_a);
	db_bind_text(s, 2, p->title);
	db_bind_text(s, 3, p->art_form);
	db_bind_text(s, 4, p->languages);
	db_bind_text(s, 5, p->format);
	db_bind_i64(s, 6, p->capacity ? p->capacity : 10);
	db_bind_i64(s, 7, p->duration ? p->duration : 90);
	db_bind_i64(s, 8, p->weekdays);
	db_bind_i64(s, 9, p->start_minute);
	db_bind_id(s, 10, p->venue);
	assert_int_equal(db_insert_id(s, &id), 0);
	s = db_prepare(c, SQL_SESSION);
	assert_non_null(s);
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, util_now() + (p->starts_in ? p->starts_in : 7 * DAY));
	assert_int_equal(db_run(s), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	return id;
}

static const char SQL_ENROL[] =
    "INSERT INTO enrolments (programme_id, participant_id, status, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, 0, 0)";

static void place(struct fx *fx, int64_t prog, int64_t pid, const char *status)
{
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(c, SQL_ENROL);
	assert_non_null(s);
	db_bind_i64(s, 1, prog);
	db_bind_i64(s, 2, pid);
	db_bind_text(s, 3, status);
	assert_int_equal(db_run(s), 0);
	db_release(fx->pool, c);
}

/* Ranks for profile (JSON text) as person; the items in *items. */
static size_t rank(struct fx *fx, const char *profile, int64_t person, int limit,
                   struct fit_item ***items)
{
	json_error_t err;
	json_t *pj = json_loads(profile, 0, &err);
	assert_non_null(pj);
	struct fit_person p;
	fit_person_load(pj, &p);
	size_t n = 0;
	struct db_conn *c = db_acquire(fx->pool);
	int rc = fit_rank(c, fx->arena, &p, person, util_now(), limit, items, &n);
	db_release(fx->pool, c);
	json_decref(pj);
	assert_int_equal(rc, 0);
	return n;
}

static const struct fit_item *find(struct fit_item **items, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (items[i]->id == id)
			return items[i];
	fail_msg("programme %" PRId64 " is not among the items", id);
	return NULL;
}

/* --- the profile --- */

static void fit_person_load_reads_needs_and_availability(void **state)
{
	(void)state;
	json_error_t err;
	json_t *pj = json_loads(
	    "{\"needs\":{\"mobility\":[\"wheelchair_user\",\"lift\"],\"sensory\":[\"hearing_loop\"]"
	    ","
	    "\"formats\":[\"online\",\"hybrid\"]},\"languages\":[\"es\"],\"interests\":[],"
	    "\"availability\":[{\"day\":\"tue\",\"start\":\"17:30\",\"end\":\"21:00\"},"
	    "{\"day\":\"xyz\",\"start\":\"10:00\",\"end\":\"11:00\"},"
	    "{\"day\":\"wed\",\"start\":\"12:00\",\"end\":\"11:00\"},"
	    "{\"day\":\"sun\",\"start\":\"9:00\",\"end\":\"11:00\"}]}",
	    0, &err);
	assert_non_null(pj);
	struct fit_person p;
	fit_person_load(pj, &p);
	assert_int_equal(p.features,
	                 (1u << VF_STEP_FREE_ACCESS) | (1u << VF_LIFT) | (1u << VF_HEARING_LOOP));
	assert_int_equal(p.formats, FMT_ONLINE | FMT_HYBRID);
	assert_non_null(p.languages);
	assert_null(p.interests);      /* an empty list says nothing */
	assert_int_equal(p.nslots, 1); /* unknown day, end before start, "9:00" left out */
	assert_int_equal(p.slots[0].day, 1);
	assert_int_equal(p.slots[0].start, 17 * 60 + 30);
	assert_int_equal(p.slots[0].end, 21 * 60);
	json_decref(pj);
}

/* --- ranking --- */

static void fit_rank_best_match_first_with_reasons(void **state)
{
	struct fx *fx = *state;
	int64_t good = programme(fx, &(struct prog){"Songs", "music", ",es,en,", "online", 10, 90,
	                                            1 << 0, 18 * 60, 0, 8 * DAY});
	int64_t poor = programme(fx, &(struct prog){"Clay", "craft", ",en,", "in_person", 10, 90,
	                                            1 << 1, 10 * 60, 0, 2 * DAY});
	struct fit_item **items;
	size_t n =
	    rank(fx,
	         "{\"languages\":[\"es\"],\"interests\":[\"music\"],"
	         "\"needs\":{\"formats\":[\"online\"]},"
	         "\"availability\":[{\"day\":\"mon\",\"start\":\"17:00\",\"end\":\"21:00\"}]}",
	         0, 20, &items);
	assert_int_equal(n, 2);
	assert_int_equal(items[0]->id, good); /* later, but a better fit */
	assert_int_equal(items[1]->id, poor);
	const struct fit_item *g = items[0], *b = items[1];
	assert_int_equal(g->score, 100);
	for (int k = 0; k < FIT__MAX; k++)
		assert_true(g->why[k].ok);
	assert_string_equal(g->why[FIT_ACCESS].detail, "no access needs recorded");
	assert_true(g->why[FIT_ACCESS].neutral);
	assert_string_equal(g->why[FIT_LANGUAGE].detail, "held in es, a language you speak");
	assert_string_equal(g->why[FIT_FORMAT].detail, "online, a way you can take part");
	assert_string_equal(g->why[FIT_TIME].detail, "mon 18:00-19:30 is inside your availability");
	assert_string_equal(g->why[FIT_ART_FORM].detail, "music is one of your interests");
	assert_string_equal(g->why[FIT_PLACES].detail, "10 places left");
	assert_string_equal(g->title, "Songs");
	assert_int_equal(g->next.programme_id, good);
	/* language 20, format 15, time 20, art form 10 lost; places 10 kept:
	 * 10 of 75 points counted. */
	assert_int_equal(b->score, 13);
	assert_false(b->why[FIT_LANGUAGE].ok);
	assert_string_equal(b->why[FIT_LANGUAGE].detail, "held in en");
	assert_string_equal(b->why[FIT_FORMAT].detail,
	                    "in person only, not a way you said you can take part");
	assert_string_equal(b->why[FIT_TIME].detail,
	                    "tue 10:00-11:30 is outside your availability");
	assert_string_equal(b->why[FIT_ART_FORM].detail, "craft is not among your interests");
}

static void fit_rank_empty_profile_orders_by_next_session(void **state)
{
	struct fx *fx = *state;
	int64_t later = programme(
	    fx, &(struct prog){"Later", "dance", ",en,", "hybrid", 10, 60, 0, 0, 0, 9 * DAY});
	int64_t sooner = programme(
	    fx, &(struct prog){"Sooner", "dance", ",en,", "online", 10, 60, 0, 0, 0, 3 * DAY});
	struct fit_item **items;
	size_t n = rank(fx, "{}", 0, 20, &items);
	assert_int_equal(n, 2);
	assert_int_equal(items[0]->id, sooner);
	assert_int_equal(items[1]->id, later);
	assert_int_equal(items[0]->score, 100);
	assert_string_equal(items[0]->why[FIT_LANGUAGE].detail, "no languages recorded");
	assert_string_equal(items[1]->why[FIT_FORMAT].detail, "hybrid; no preference recorded");
	assert_string_equal(items[0]->why[FIT_TIME].detail, "no availability recorded");
	n = rank(fx, "{}", 0, 1, &items); /* limit */
	assert_int_equal(n, 1);
	assert_int_equal(items[0]->id, sooner);
}

static void fit_rank_access_needs_against_the_venue(void **state)
{
	struct fx *fx = *state;
	int64_t ramp = venue(fx, "Ramp Hall", 1u << VF_STEP_FREE_ACCESS);
	int64_t stairs = venue(fx, "Stair House", 0);
	int64_t ok = programme(
	    fx, &(struct prog){"A", "music", ",en,", "in_person", 10, 90, 0, 0, ramp, 5 * DAY});
	int64_t no = programme(
	    fx, &(struct prog){"B", "music", ",en,", "in_person", 10, 90, 0, 0, stairs, 4 * DAY});
	int64_t hyb = programme(
	    fx, &(struct prog){"C", "music", ",en,", "hybrid", 10, 90, 0, 0, stairs, 6 * DAY});
	struct fit_item **items;
	size_t n = rank(fx, "{\"needs\":{\"mobility\":[\"wheelchair_user\"]}}", 0, 20, &items);
	assert_int_equal(n, 3);
	assert_int_equal(items[0]->id, ok); /* then hybrid: both fit, ok starts sooner */
	assert_int_equal(items[1]->id, hyb);
	assert_int_equal(items[2]->id, no);
	assert_string_equal(find(items, n, ok)->why[FIT_ACCESS].detail,
	                    "the venue has step_free_access");
	assert_string_equal(find(items, n, ok)->venue, "Ramp Hall");
	assert_string_equal(find(items, n, hyb)->why[FIT_ACCESS].detail,
	                    "the venue lacks step_free_access, but you can join online");
	const struct fit_item *x = find(items, n, no);
	assert_false(x->why[FIT_ACCESS].ok);
	assert_string_equal(x->why[FIT_ACCESS].detail, "the venue lacks step_free_access");
	assert_int_equal(x->score, 29); /* 10 of 35 points: places only */
}

static void fit_rank_places_waitlist_and_own_place(void **state)
{
	struct fx *fx = *state;
	int64_t me = person(fx, "Ada"), a = person(fx, "Bea"), b = person(fx, "Cyd");
	int64_t full = programme(
	    fx, &(struct prog){"Full", "music", ",en,", "online", 1, 90, 0, 0, 0, 1 * DAY});
	int64_t open = programme(
	    fx, &(struct prog){"Open", "music", ",en,", "online", 1, 90, 0, 0, 0, 2 * DAY});
	int64_t mine = programme(
	    fx, &(struct prog){"Mine", "music", ",en,", "online", 1, 90, 0, 0, 0, 3 * DAY});
	place(fx, full, a, "enrolled");
	place(fx, full, b, "waitlisted");
	place(fx, mine, me, "enrolled");
	struct fit_item **items;
	size_t n = rank(fx, "{}", me, 20, &items);
	assert_int_equal(n, 3);
	assert_int_equal(items[0]->id, open);
	assert_int_equal(items[1]->id, mine);
	assert_int_equal(items[2]->id, full); /* sooner, but full: ranks last */
	const struct fit_item *x = find(items, n, full);
	assert_false(x->why[FIT_PLACES].ok);
	assert_string_equal(x->why[FIT_PLACES].detail, "full; 1 on the waitlist");
	assert_int_equal(x->taken, 1);
	assert_int_equal(x->waiting, 1);
	assert_int_equal(x->score, 0);
	x = find(items, n, mine);
	assert_string_equal(x->why[FIT_PLACES].detail, "you have a place");
	assert_int_equal(x->enrol, ENR_ENROLLED);
	assert_string_equal(find(items, n, open)->why[FIT_PLACES].detail, "1 place left");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	    cmocka_unit_test(fit_person_load_reads_needs_and_availability),
	    T(fit_rank_best_match_first_with_reasons),
	    T(fit_rank_empty_profile_orders_by_next_session),
	    T(fit_rank_access_needs_against_the_venue),
	    T(fit_rank_places_waitlist_and_own_place),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
