/*
 * Unit tests for enrolment (src/programs/enrolment.c, taking_part.h)
 * without HTTP: places filled in order, the waitlist and its positions,
 * offers accepted, declined and expired, withdrawal (by the person, by
 * staff, and of consent) releasing a place and offering it on, refusals
 * with their status, field and words, and a programme's capacity never
 * exceeded.
 *
 * The fixture is test_people.c's: a fresh temporary directory holding a
 * migrated SQLite database and a key store, a keyring from a fixed master
 * key, and three organisations. Programmes and sessions are inserted as
 * rows (the programmes module's own logic is not under test here); people
 * and their consent go through the people module. Time is moved with
 * util_time_shift(); the teardown puts the clock back.
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
	return fx_open(state, "enrol");
}

/* --- helpers --- */

static int64_t person(struct fx *fx, const char *name)
{
	return person_in(fx, fx->org_a, name, true);
}

static const char SQL_PROGRAMME[] =
    "INSERT INTO programmes (organisation_id, title, art_form, languages, format, capacity, "
    "status, timezone, start_date, start_time, duration_minutes, created_at, updated_at) "
    "VALUES (?1, 'Clay', 'ceramics', ',en,', 'in_person', ?2, ?3, 'Europe/London', "
    "'2026-01-05', '18:00', 90, 0, 0) RETURNING id";
static const char SQL_SESSION[] =
    "INSERT INTO programme_sessions (programme_id, starts_at, ends_at, status, updated_at) "
    "VALUES (?1, ?2, ?2 + 5400, 'published', 0)";

/* A programme of org with capacity places, in status, with one session a
 * week from now. */
static int64_t programme_of(struct fx *fx, int64_t org, int64_t capacity, const char *status)
{
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_PROGRAMME);
	if (s) {
		db_bind_i64(s, 1, org);
		db_bind_i64(s, 2, capacity);
		db_bind_text(s, 3, status);
		rc = db_insert_id(s, &id);
	}
	if (!rc && (s = db_prepare(c, SQL_SESSION)) != NULL) {
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, util_now() + 7 * DAY);
		rc = db_run(s);
	}
	if (!rc)
		rc = db_commit(c);
	if (rc && db_in_transaction(c))
		db_rollback(c);
	db_release(fx->pool, c);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static int64_t programme(struct fx *fx, int64_t capacity)
{
	return programme_of(fx, fx->org_a, capacity, "published");
}

/* A coordinator of org (no user: created_by stays NULL, as for tokens). */
struct staff {
	struct membership m;
	struct actor a;
};

static void staff_of(struct staff *st, int64_t org)
{
	memset(st, 0, sizeof *st);
	st->m = (struct membership){.organisation_id = org, .role = ROLE_COORDINATOR};
	st->a = (struct actor){.kind = AUTH_SESSION,
	                       .roles = 1u << ROLE_COORDINATOR,
	                       .organisation_id = org,
	                       .memberships = &st->m,
	                       .nmemberships = 1};
}

/* Runs one logic call in a write transaction, committed on success and on
 * a refusal that keeps its settling, rolled back otherwise. */
struct call {
	int rc;
	struct enrolment_out out;
	struct part_refusal no;
};

static struct call enrol_as(struct fx *fx, const struct actor *a, int64_t prog, int64_t pid,
                            bool by_self)
{
	struct call k;
	memset(&k, 0, sizeof k);
	struct db_conn *c = db_acquire(fx->pool);
	struct part_ctx x = {c, fx->arena, &fx->px, a};
	assert_int_equal(db_begin(c, true), 0);
	k.rc = enrolment_enrol(&x, prog, pid, by_self, &k.out, &k.no);
	if (!k.rc || k.no.keep)
		assert_int_equal(db_commit(c), 0);
	else
		db_rollback(c);
	db_release(fx->pool, c);
	return k;
}

static struct call enrol(struct fx *fx, int64_t prog, int64_t pid)
{
	struct staff st;
	staff_of(&st, fx->org_a);
	return enrol_as(fx, &st.a, prog, pid, false);
}

static struct call reply_as(struct fx *fx, const struct actor *a, int64_t me, int64_t id,
                            enum enrolment_reply what)
{
	struct call k;
	memset(&k, 0, sizeof k);
	struct db_conn *c = db_acquire(fx->pool);
	struct part_ctx x = {c, fx->arena, &fx->px, a};
	assert_int_equal(db_begin(c, true), 0);
	k.rc = enrolment_reply(&x, id, me, what, &k.out, &k.no);
	if (!k.rc || k.no.keep)
		assert_int_equal(db_commit(c), 0);
	else
		db_rollback(c);
	db_release(fx->pool, c);
	return k;
}

/* The person answers for themself (an actor without staff roles). */
static struct call reply_self(struct fx *fx, int64_t pid, int64_t id, enum enrolment_reply what)
{
	struct actor self = {.kind = 0};
	return reply_as(fx, &self, pid, id, what);
}

static int64_t enrolled_id(struct fx *fx, int64_t prog, int64_t pid)
{
	struct call k = enrol(fx, prog, pid);
	if (k.rc)
		fail_msg("enrol returned %d (%d %s)", k.rc, k.no.base.status,
		         k.no.base.message ? k.no.base.message : "-");
	return k.out.id;
}

static const char SQL_STATUS[] = "SELECT status, cancel_reason FROM enrolments WHERE id = ?1";

/* The status of enrolment id, and its cancel reason ("" when none). */
static const char *status_of(struct fx *fx, int64_t id, const char **reason)
{
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(c, SQL_STATUS);
	assert_non_null(s);
	db_bind_i64(s, 1, id);
	assert_int_equal(db_step(s), DB_ROW);
	const char *st = arena_strdup(fx->arena, db_col_text(s, 0));
	if (reason)
		*reason = arena_strdup(fx->arena, db_col_null(s, 1) ? "" : db_col_text(s, 1));
	db_finish(s);
	db_release(fx->pool, c);
	return st;
}

static const char SQL_HELD[] =
    "SELECT COUNT(*) FROM enrolments WHERE programme_id = ?1 AND status IN ('enrolled', "
    "'offered')";

static int64_t held(struct fx *fx, int64_t prog)
{
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(c, SQL_HELD);
	assert_non_null(s);
	db_bind_i64(s, 1, prog);
	assert_int_equal(db_step(s), DB_ROW);
	int64_t n = db_col_i64(s, 0);
	db_finish(s);
	db_release(fx->pool, c);
	return n;
}

/* Settles expired offers and fills free places, as every request does. */
static void settle(struct fx *fx, int64_t prog)
{
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(programs_offer_next(c, prog), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
}

/* --- places and the waitlist --- */

static void enrolment_enrol_fills_places_then_waitlists_in_order(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 2);
	int64_t p[4];
	for (int i = 0; i < 4; i++)
		p[i] = person(fx, arena_printf(fx->arena, "Person %d", i));
	struct call k[4];
	for (int i = 0; i < 4; i++) {
		k[i] = enrol(fx, prog, p[i]);
		assert_int_equal(k[i].rc, 0);
		assert_int_equal(k[i].out.programme_id, prog);
		assert_int_equal(k[i].out.participant_id, p[i]);
	}
	assert_string_equal(k[0].out.status, "enrolled");
	assert_string_equal(k[1].out.status, "enrolled");
	assert_int_equal(k[0].out.position, 0);
	assert_string_equal(k[2].out.status, "waitlisted");
	assert_int_equal(k[2].out.position, 1);
	assert_string_equal(k[3].out.status, "waitlisted");
	assert_int_equal(k[3].out.position, 2);
	assert_int_equal(held(fx, prog), 2);
}

static void enrolment_enrol_twice_conflict_keeps_settling(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 1);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea");
	int64_t ea = enrolled_id(fx, prog, a);
	int64_t eb = enrolled_id(fx, prog, b);
	struct call k = enrol(fx, prog, a);
	assert_int_equal(k.rc, -HEARTH_ECONFLICT);
	assert_int_equal(k.no.base.status, 409);
	assert_true(k.no.keep);
	assert_null(k.no.base.field);
	assert_int_equal(k.no.enrolment_id, ea);
	assert_string_equal(k.no.enrolment_status, "enrolled");
	assert_string_equal(k.no.base.message, "this person is already enrolled in this programme");
	k = enrol_as(fx, &(struct actor){0}, prog, b, true);
	assert_string_equal(k.no.base.message, "you are already on the waitlist in this programme");
	assert_int_equal(k.no.enrolment_id, eb);
}

static void enrolment_enrol_refusals(void **state)
{
	struct fx *fx = *state;
	int64_t draft = programme_of(fx, fx->org_a, 5, "draft");
	int64_t theirs = programme_of(fx, fx->org_b, 5, "published");
	int64_t mine = programme(fx, 5);
	int64_t a = person(fx, "Ada");
	int64_t unconsenting = person_in(fx, fx->org_a, "Una", false);
	int64_t elsewhere = person_in(fx, fx->org_b, "Eli", true);
	struct actor self = {0};

	struct call k = enrol(fx, draft, a);
	assert_int_equal(k.no.base.status, 409);
	assert_string_equal(k.no.programme_status, "draft");
	assert_string_equal(k.no.base.message,
	                    "this programme is not open for enrolment (it is not published)");
	k = enrol_as(fx, &self, draft, a, true); /* a participant sees published ones only */
	assert_int_equal(k.rc, -HEARTH_ENOTFOUND);
	assert_int_equal(k.no.base.status, 404);
	assert_string_equal(k.no.base.field, "programme_id");
	k = enrol(fx, 999999, a);
	assert_int_equal(k.no.base.status, 404);
	assert_string_equal(k.no.base.field, "id");
	assert_string_equal(k.no.base.message, "there is no programme 999999");
	k = enrol(fx, theirs, elsewhere);
	assert_int_equal(k.rc, -HEARTH_EDENIED);
	assert_int_equal(k.no.base.status, 403);
	assert_string_equal(k.no.base.message,
	                    "you can enrol people only in programmes of your organisation");
	k = enrol(fx, mine, elsewhere);
	assert_int_equal(k.no.base.status, 403);
	assert_string_equal(k.no.base.field, "participant_id");
	assert_string_equal(k.no.base.message, "this person is not in your organisation");
	k = enrol(fx, mine, unconsenting);
	assert_int_equal(k.no.base.status, 403);
	assert_string_equal(k.no.consent, "participation");
	k = enrol_as(fx, &self, mine, unconsenting, true);
	assert_int_equal(k.no.base.status, 403);
	assert_string_equal(k.no.base.message,
	                    "taking part needs your consent to participation; you "
	                    "can give it on your consents page");
	assert_int_equal(held(fx, mine), 0);
	assert_int_equal(held(fx, draft), 0);
}

/* --- offers --- */

static void enrolment_reply_cancel_offers_place_to_first_waiting(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 1);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea"), c = person(fx, "Cyd");
	int64_t ea = enrolled_id(fx, prog, a), eb = enrolled_id(fx, prog, b),
	        ec = enrolled_id(fx, prog, c);
	struct call k = reply_self(fx, a, ea, ENROLMENT_CANCEL);
	assert_int_equal(k.rc, 0);
	const char *why;
	assert_string_equal(status_of(fx, ea, &why), "cancelled");
	assert_string_equal(why, "self");
	assert_string_equal(status_of(fx, eb, NULL), "offered");
	assert_string_equal(status_of(fx, ec, NULL), "waitlisted");
	k = reply_self(fx, b, eb, ENROLMENT_ACCEPT);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.out.status, "enrolled");
	assert_string_equal(status_of(fx, eb, NULL), "enrolled");
	assert_int_equal(held(fx, prog), 1);
	/* Cancelling twice is a conflict naming the status. */
	k = reply_self(fx, a, ea, ENROLMENT_CANCEL);
	assert_int_equal(k.rc, -HEARTH_ECONFLICT);
	assert_string_equal(k.no.base.message, "this place was already cancelled");
	assert_string_equal(k.no.enrolment_status, "cancelled");
	/* Accepting what was never offered. */
	k = reply_self(fx, c, ec, ENROLMENT_ACCEPT);
	assert_int_equal(k.no.base.status, 409);
	assert_string_equal(k.no.base.message, "there is no open offer of a place to answer");
}

static void enrolment_reply_decline_passes_offer_on(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 1);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea"), c = person(fx, "Cyd");
	struct staff st;
	staff_of(&st, fx->org_a);
	int64_t ea = enrolled_id(fx, prog, a), eb = enrolled_id(fx, prog, b),
	        ec = enrolled_id(fx, prog, c);
	assert_int_equal(reply_as(fx, &st.a, 0, ea, ENROLMENT_CANCEL).rc, 0);
	const char *why;
	assert_string_equal(status_of(fx, ea, &why), "cancelled");
	assert_string_equal(why, "staff");
	struct call k = reply_self(fx, b, eb, ENROLMENT_DECLINE);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.out.status, "cancelled");
	assert_string_equal(status_of(fx, eb, &why), "cancelled");
	assert_string_equal(why, "offer_declined");
	assert_string_equal(status_of(fx, ec, NULL), "offered");
	assert_int_equal(held(fx, prog), 1);
}

static void enrolment_offer_expires_after_48_hours(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 1);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea"), c = person(fx, "Cyd");
	int64_t ea = enrolled_id(fx, prog, a), eb = enrolled_id(fx, prog, b),
	        ec = enrolled_id(fx, prog, c);
	assert_int_equal(reply_self(fx, a, ea, ENROLMENT_CANCEL).rc, 0);
	assert_string_equal(status_of(fx, eb, NULL), "offered");
	shift(fx, PART_OFFER_SECONDS - 60);
	settle(fx, prog);
	assert_string_equal(status_of(fx, eb, NULL), "offered"); /* still held */
	shift(fx, 120);
	settle(fx, prog);
	const char *why;
	assert_string_equal(status_of(fx, eb, &why), "cancelled");
	assert_string_equal(why, "offer_expired");
	assert_string_equal(status_of(fx, ec, NULL), "offered");
	struct call k = reply_self(fx, b, eb, ENROLMENT_ACCEPT);
	assert_int_equal(k.no.base.status, 409);
	assert_true(k.no.keep);
	assert_string_equal(k.no.base.message,
	                    "this offer expired (an offer is held for 48 hours)");
	/* An answer settles by itself: the next offer expires unseen too. */
	shift(fx, PART_OFFER_SECONDS + 1);
	k = reply_self(fx, c, ec, ENROLMENT_ACCEPT);
	assert_int_equal(k.no.base.status, 409);
	assert_string_equal(status_of(fx, ec, &why), "cancelled");
	assert_string_equal(why, "offer_expired");
	assert_int_equal(held(fx, prog), 0);
}

static void enrolment_reply_someone_elses_place(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 2);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea");
	int64_t ea = enrolled_id(fx, prog, a);
	/* Another participant may not know the place exists. */
	struct call k = reply_self(fx, b, ea, ENROLMENT_CANCEL);
	assert_int_equal(k.rc, -HEARTH_ENOTFOUND);
	assert_int_equal(k.no.base.status, 0);
	/* Nor staff of another organisation (the one rule, docs/api.md): a
	 * place is not shown outside its organisation, so it is answered as a
	 * missing one is. */
	struct staff st;
	staff_of(&st, fx->org_b);
	k = reply_as(fx, &st.a, 0, ea, ENROLMENT_CANCEL);
	assert_int_equal(k.rc, -HEARTH_ENOTFOUND);
	assert_int_equal(k.no.base.status, 0);
	assert_string_equal(status_of(fx, ea, NULL), "enrolled");
	k = reply_self(fx, a, 999999, ENROLMENT_CANCEL);
	assert_int_equal(k.rc, -HEARTH_ENOTFOUND);
}

/* --- withdrawal of consent --- */

static void enrolment_consent_withdrawn_releases_place(void **state)
{
	struct fx *fx = *state;
	int64_t prog = programme(fx, 1);
	int64_t a = person(fx, "Ada"), b = person(fx, "Bea");
	int64_t ea = enrolled_id(fx, prog, a), eb = enrolled_id(fx, prog, b);
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	/* Another purpose leaves places alone. */
	assert_int_equal(enrolment_on_consent_withdrawn(c, a, PURPOSE_CONTACT), 0);
	assert_int_equal(enrolment_on_consent_withdrawn(c, a, PURPOSE_PARTICIPATION), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	const char *why;
	assert_string_equal(status_of(fx, ea, &why), "cancelled");
	assert_string_equal(why, "consent_withdrawn");
	assert_string_equal(status_of(fx, eb, NULL), "offered");
	assert_int_equal(held(fx, prog), 1);
}

/* --- capacity --- */

static void enrolment_capacity_never_exceeded(void **state)
{
	struct fx *fx = *state;
	enum { N = 9, CAP = 3 };
	int64_t prog = programme(fx, CAP);
	int64_t p[N], e[N] = {0};
	for (int i = 0; i < N; i++)
		p[i] = person(fx, arena_printf(fx->arena, "Person %d", i));
	/* A fixed pseudo-random walk of enrolments, cancels, answers and
	 * expiries; after each step no more than CAP places are held. */
	uint32_t seed = 12345;
	for (int step = 0; step < 200; step++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 16) % N);
		int op = (int)((seed >> 8) % 5);
		if (op == 0 || !e[i]) {
			struct call k = enrol(fx, prog, p[i]);
			if (!k.rc)
				e[i] = k.out.id;
		} else if (op == 1) {
			reply_self(fx, p[i], e[i], ENROLMENT_CANCEL);
		} else if (op == 2) {
			reply_self(fx, p[i], e[i], ENROLMENT_ACCEPT);
		} else if (op == 3) {
			reply_self(fx, p[i], e[i], ENROLMENT_DECLINE);
		} else {
			shift(fx, PART_OFFER_SECONDS / 2);
			settle(fx, prog);
		}
		assert_true(held(fx, prog) <= CAP);
	}
	/* With enough people waiting, every place is taken or offered. */
	for (int i = 0; i < N; i++)
		enrol(fx, prog, p[i]);
	settle(fx, prog);
	assert_int_equal(held(fx, prog), CAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	    T(enrolment_enrol_fills_places_then_waitlists_in_order),
	    T(enrolment_enrol_twice_conflict_keeps_settling),
	    T(enrolment_enrol_refusals),
	    T(enrolment_reply_cancel_offers_place_to_first_waiting),
	    T(enrolment_reply_decline_passes_offer_on),
	    T(enrolment_offer_expires_after_48_hours),
	    T(enrolment_reply_someone_elses_place),
	    T(enrolment_consent_withdrawn_releases_place),
	    T(enrolment_capacity_never_exceeded),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
