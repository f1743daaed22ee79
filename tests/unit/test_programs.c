/*
 * Unit tests for the programmes module's logic, without HTTP: the schedule
 * (src/programs/schedule.c: RRULE, start date, zone and exception dates
 * into the sessions made; each refusal with the field it names), venues
 * (venues.c: who may add and change them) and training (training.c: the
 * dates a record takes and who may be on duty on a day), programmes
 * (programmes.c: format, venue and link; an unknown organisation) and
 * sessions (sessions.c: generated from the schedule, and a booked venue
 * named only to the programme's own organisation). Venue, training,
 * programme and session cases run on a migrated SQLite database in a
 * temporary directory.
 *
 * Expected instants were computed with Python's zoneinfo from the same
 * tzdata.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmpdir.h"

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/programmes.h"
#include "programs/programs.h"
#include "programs/roster.h"
#include "programs/schedule.h"
#include "programs/sessions.h"
#include "programs/training.h"
#include "programs/venues.h"
#include "core/banned.h"

/* --- the schedule (no database) --- */

static struct arena *A;

static int arena_setup(void **state)
{
	(void)state;
	A = arena_new(4096);
	return A ? 0 : -1;
}

static int arena_teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

/* A weekly Tuesday evening in London, three sessions, 18:30 local. */
static struct schedule_input base_input(void)
{
	struct schedule_input in = {
	    .timezone = "Europe/London",
	    .start_date = "2026-10-13",
	    .end_date = NULL,
	    .start_time = "18:30",
	    .duration = 90,
	    .rrule = "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4",
	};
	return in;
}

static void date_is(struct cal_date d, const char *want)
{
	char s[11];
	cal_date_format(d, s);
	assert_string_equal(s, want);
}

static void schedule_parse_weekly_with_exdate_across_dst(void **state)
{
	(void)state;
	static const char *const ex[] = {"2026-10-27"};
	struct schedule_input in = base_input();
	in.exdates = ex;
	in.nexdates = 1;
	struct schedule sc;
	struct programs_refusal why = {0};
	assert_int_equal(schedule_parse(A, &in, &sc, &why), 0);
	assert_int_equal(why.status, 0);
	assert_true(sc.has_rule);
	assert_string_equal(sc.exdates, ",2026-10-27,");
	assert_int_equal(sc.start_minute, 18 * 60 + 30);
	struct cal_date *d = arena_alloc(A, SCHEDULE_MAX_SESSIONS * sizeof *d);
	/* COUNT counts the excepted date too (RFC 5545): 13, 20, (27), 3. */
	size_t n = schedule_dates(&sc, d);
	assert_int_equal(n, 3);
	date_is(d[0], "2026-10-13");
	date_is(d[1], "2026-10-20");
	date_is(d[2], "2026-11-03");
	/* 18:30 BST is 17:30Z; after 25 October 18:30 GMT is 18:30Z. */
	assert_int_equal(schedule_instant(&sc, d[0]), 1791912600);
	assert_int_equal(schedule_instant(&sc, d[1]), 1792517400);
	assert_int_equal(schedule_instant(&sc, d[2]), 1793730600);
}

static void schedule_parse_without_rule_is_one_session(void **state)
{
	(void)state;
	struct schedule_input in = base_input();
	in.rrule = "";
	in.timezone = "America/New_York";
	in.start_date = "2026-03-10";
	in.start_time = "09:00";
	struct schedule sc;
	struct programs_refusal why = {0};
	assert_int_equal(schedule_parse(A, &in, &sc, &why), 0);
	assert_false(sc.has_rule);
	assert_string_equal(sc.exdates, "");
	struct cal_date d[SCHEDULE_MAX_SESSIONS];
	assert_int_equal(schedule_dates(&sc, d), 1);
	date_is(d[0], "2026-03-10");
	assert_int_equal(schedule_instant(&sc, d[0]), 1773147600);
}

static void schedule_parse_end_date_bounds_the_rule(void **state)
{
	(void)state;
	struct schedule_input in = base_input();
	in.rrule = "FREQ=WEEKLY;BYDAY=TU";
	in.end_date = "2026-10-27";
	struct schedule sc;
	struct programs_refusal why = {0};
	assert_int_equal(schedule_parse(A, &in, &sc, &why), 0);
	assert_string_equal(sc.rule_text, "FREQ=WEEKLY;BYDAY=TU");
	struct cal_date d[SCHEDULE_MAX_SESSIONS];
	assert_int_equal(schedule_dates(&sc, d), 3);
	date_is(d[2], "2026-10-27");
	/* No end and no COUNT/UNTIL: a year of Tuesdays. */
	in.end_date = NULL;
	assert_int_equal(schedule_parse(A, &in, &sc, &why), 0);
	assert_int_equal(schedule_dates(&sc, d), 53);
}

/* Parses in and expects a 400 naming field, its message containing want. */
static void refused(struct schedule_input in, const char *field, const char *want)
{
	struct schedule sc;
	struct programs_refusal why = {0};
	assert_int_equal(schedule_parse(A, &in, &sc, &why), -HEARTH_EINVAL);
	assert_int_equal(why.status, 400);
	assert_non_null(why.field);
	assert_string_equal(why.field, field);
	if (!strstr(why.message, want))
		fail_msg("%s: got \"%s\", want it to contain \"%s\"", field, why.message, want);
}

static void schedule_parse_refusals_name_their_field(void **state)
{
	(void)state;
	struct schedule_input in = base_input();
	in.timezone = "Mars/Olympus";
	refused(in, "timezone", "timezone 'Mars/Olympus' is not a time zone we know");
	in.timezone = "posixrules"; /* a file of zoneinfo, not a zone */
	refused(in, "timezone", "is not a time zone we know");
	in = base_input();
	in.start_date = "2026-13-01";
	refused(in, "start_date", "start_date must be a date like 2026-12-01");
	in.start_date = "1999-12-31";
	refused(in, "start_date", "start_date must be from 2000-01-01 to 2100-12-31");
	in = base_input();
	in.end_date = "2026-10-12";
	refused(in, "end_date", "end_date must not be before start_date");
	in.end_date = "tomorrow";
	refused(in, "end_date", "end_date must be a date like 2027-03-01");
	in = base_input();
	in.start_time = "24:00";
	refused(in, "start_time", "start_time must be a time like 18:30");
	in.start_time = "6:30";
	refused(in, "start_time", "start_time must be a time like 18:30");
	in = base_input();
	in.rrule = "FREQ=DAILY";
	refused(in, "rrule", "rrule: ");
	in.rrule = "FREQ=WEEKLY;UNTIL=21010101";
	refused(in, "rrule", "rrule: UNTIL must be a date from 20000101 to 21001231");
	in = base_input();
	static const char *const ex[] = {"2026-10-27", "27/10/2026"};
	in.exdates = ex;
	in.nexdates = 2;
	refused(in, "exdates[1]", "exception dates must be dates like 2026-12-29");
}

static void schedule_list_split_round_trip(void **state)
{
	(void)state;
	size_t n;
	const char **xs = schedule_list_split(A, ",2026-10-27,2026-11-03,", &n);
	assert_int_equal(n, 2);
	assert_string_equal(xs[0], "2026-10-27");
	assert_string_equal(xs[1], "2026-11-03");
	xs = schedule_list_split(A, "", &n);
	assert_non_null(xs);
	assert_int_equal(n, 0);
	xs = schedule_list_split(A, NULL, &n);
	assert_int_equal(n, 0);
	assert_int_equal(schedule_parse_hhmm("00:00"), 0);
	assert_int_equal(schedule_parse_hhmm("23:59"), 23 * 60 + 59);
	assert_int_equal(schedule_parse_hhmm("12:60"), -1);
	assert_int_equal(schedule_parse_hhmm(NULL), -1);
}

/* --- venues and training (a migrated SQLite database) --- */

struct fx {
	char dir[64], db[96];
	struct db_pool *pool;
	struct db_conn *c;
	struct arena *arena;
	int64_t org_a, org_b;
	int64_t coord_a, staff_a; /* a coordinator and a facilitator of org_a */
	struct membership m_coord, m_fac;
	struct actor coordinator, facilitator;
};

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char msg[256];
	int err;
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/dev/shm/hearth-unit-programs-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		snprintf(fx->dir, sizeof fx->dir, "/tmp/hearth-unit-programs-XXXXXX");
		if (!mkdtemp(fx->dir))
			return -1;
	}
	snprintf(fx->db, sizeof fx->db, "%s/main.db", fx->dir);
	fx->pool = db_pool_open(fx->db, 2, &err, msg, sizeof msg);
	if (!fx->pool)
		return -1;
	log_set_level(LOG_WARN);
	int applied = db_migrate(fx->pool, msg, sizeof msg);
	log_set_level(LOG_INFO);
	if (applied < 2)
		return -1;
	fx->arena = arena_new(4096);
	fx->c = db_acquire(fx->pool);
	int rc = db_begin(fx->c, true);
	int64_t mid;
	if (!rc)
		rc = auth_org_ensure(fx->c, "Northside Arts", "arts", &fx->org_a, NULL);
	if (!rc)
		rc = auth_org_ensure(fx->c, "Riverside Minds", "mental_health", &fx->org_b, NULL);
	if (!rc)
		rc = auth_user_create(fx->c, "coord@example.org", "Cora Ordin", "x", &fx->coord_a);
	if (!rc)
		rc = auth_membership_add(fx->c, fx->coord_a, fx->org_a, ROLE_COORDINATOR, &mid);
	if (!rc)
		rc = auth_user_create(fx->c, "fac@example.org", "Fay Cilitator", "x", &fx->staff_a);
	if (!rc)
		rc = auth_membership_add(fx->c, fx->staff_a, fx->org_a, ROLE_FACILITATOR, &mid);
	if (!rc)
		rc = db_commit(fx->c);
	if (rc)
		return -1;
	fx->m_coord = (struct membership){.organisation_id = fx->org_a, .role = ROLE_COORDINATOR};
	fx->m_fac = (struct membership){.organisation_id = fx->org_a, .role = ROLE_FACILITATOR};
	fx->coordinator = (struct actor){.kind = AUTH_SESSION,
	                                 .user_id = fx->coord_a,
	                                 .roles = 1u << ROLE_COORDINATOR,
	                                 .organisation_id = fx->org_a,
	                                 .memberships = &fx->m_coord,
	                                 .nmemberships = 1};
	fx->facilitator = (struct actor){.kind = AUTH_SESSION,
	                                 .user_id = fx->staff_a,
	                                 .roles = 1u << ROLE_FACILITATOR,
	                                 .organisation_id = fx->org_a,
	                                 .memberships = &fx->m_fac,
	                                 .nmemberships = 1};
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	db_release(fx->pool, fx->c);
	arena_free(fx->arena);
	db_pool_close(fx->pool);
	test_tmpdir_remove(fx->dir);
	free(fx);
	return 0;
}

static struct venue_input hall(int64_t org)
{
	struct venue_input in = {.organisation_id = org,
	                         .name = "Old Library",
	                         .address = "1 High Street",
	                         .capacity = 30,
	                         .features = 1 << VF_STEP_FREE_ACCESS,
	                         .has_features = true};
	return in;
}

static void venues_create_refuses_who_does_not_coordinate(void **state)
{
	struct fx *fx = *state;
	struct venue_input in = hall(fx->org_a);
	struct programs_refusal why = {0};
	int64_t id = 0;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(venues_create(fx->c, fx->arena, &fx->facilitator, &in, &id, &why),
	                 -HEARTH_EDENIED);
	assert_int_equal(why.status, 403);
	assert_string_equal(why.field, "organisation_id");
	assert_string_equal(why.message,
	                    "you can add venues only for an organisation you coordinate");
	/* Another organisation's coordinator neither. */
	in = hall(fx->org_b);
	why = (struct programs_refusal){0};
	assert_int_equal(venues_create(fx->c, fx->arena, &fx->coordinator, &in, &id, &why),
	                 -HEARTH_EDENIED);
	assert_int_equal(why.status, 403);
	db_rollback(fx->c);
}

static void venues_create_get_update(void **state)
{
	struct fx *fx = *state;
	struct venue_input in = hall(fx->org_a);
	struct programs_refusal why = {0};
	int64_t id = 0;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(venues_create(fx->c, fx->arena, &fx->coordinator, &in, &id, &why), 0);
	assert_true(id > 0);
	assert_int_equal(db_commit(fx->c), 0);

	struct venue v;
	assert_int_equal(venues_get(fx->c, fx->arena, id, &v), 0);
	assert_string_equal(v.name, "Old Library");
	assert_string_equal(v.notes, "");
	assert_int_equal(v.capacity, 30);
	assert_int_equal(v.features, 1 << VF_STEP_FREE_ACCESS);
	assert_int_equal(v.organisation_id, fx->org_a);
	assert_int_equal(venues_get(fx->c, fx->arena, id + 1000, &v), -HEARTH_ENOTFOUND);

	/* Only the fields given change. */
	struct venue_input ch = {
	    .capacity = 12, .has_capacity = true, .notes = "ring the bell", .has_notes = true};
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(venues_update(fx->c, fx->arena, &fx->facilitator, id, &ch, &why),
	                 -HEARTH_EDENIED);
	assert_int_equal(why.status, 403);
	assert_null(why.field);
	assert_string_equal(why.message,
	                    "you can change venues only of an organisation you coordinate");
	why = (struct programs_refusal){0};
	assert_int_equal(venues_update(fx->c, fx->arena, &fx->coordinator, id + 1000, &ch, &why),
	                 -HEARTH_ENOTFOUND);
	assert_int_equal(why.status, 0);
	assert_int_equal(venues_update(fx->c, fx->arena, &fx->coordinator, id, &ch, &why), 0);
	assert_int_equal(db_commit(fx->c), 0);
	assert_int_equal(venues_get(fx->c, fx->arena, id, &v), 0);
	assert_string_equal(v.name, "Old Library");
	assert_string_equal(v.notes, "ring the bell");
	assert_int_equal(v.capacity, 12);

	struct venue *vs;
	size_t n;
	assert_int_equal(venues_list(fx->c, fx->arena, fx->org_a, &vs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(vs[0].id, id);
	assert_int_equal(venues_list(fx->c, fx->arena, fx->org_b, &vs, &n), 0);
	assert_int_equal(n, 0);
}

static void training_validate_dates_then_scope(void **state)
{
	struct fx *fx = *state;
	int64_t today = cal_days((struct cal_date){2026, 6, 1});
	struct training_input in = {.organisation_id = fx->org_a,
	                            .user_id = fx->staff_a,
	                            .kind = "safeguarding",
	                            .completed_on = "2026-06-03",
	                            .expires_on = NULL};
	struct programs_refusal why = {0};
	assert_int_equal(training_validate(fx->arena, &fx->coordinator, &in, today, &why),
	                 -HEARTH_EINVAL);
	assert_string_equal(why.field, "completed_on");
	assert_string_equal(why.message, "completed_on cannot be in the future");
	in.completed_on = "2026-05-01";
	in.expires_on = "2026-05-01";
	assert_int_equal(training_validate(fx->arena, &fx->coordinator, &in, today, &why),
	                 -HEARTH_EINVAL);
	assert_string_equal(why.field, "expires_on");
	assert_string_equal(why.message, "expires_on must be after completed_on");
	in.expires_on = "2028-05-01";
	assert_int_equal(training_validate(fx->arena, &fx->facilitator, &in, today, &why),
	                 -HEARTH_EDENIED);
	assert_int_equal(why.status, 403);
	assert_string_equal(why.field, "organisation_id");
	why = (struct programs_refusal){0};
	assert_int_equal(training_validate(fx->arena, &fx->coordinator, &in, today, &why), 0);
	assert_int_equal(why.status, 0);
}

/* Records a training of the facilitator. */
static void record(struct fx *fx, const char *kind, const char *done, const char *expires)
{
	struct training_input in = {.organisation_id = fx->org_a,
	                            .user_id = fx->staff_a,
	                            .kind = kind,
	                            .completed_on = done,
	                            .expires_on = expires};
	struct programs_refusal why = {0};
	int64_t id;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(training_create(fx->c, fx->arena, &fx->coordinator, &in, &id, &why), 0);
	assert_int_equal(db_commit(fx->c), 0);
}

static const char *duty(struct fx *fx, const char *date)
{
	const char *why = "unset";
	assert_int_equal(training_duty_refusal(fx->c, fx->arena, fx->staff_a, "Fay", date, &why),
	                 0);
	return why;
}

static void training_duty_refusal_needs_safeguarding_and_first_aid(void **state)
{
	struct fx *fx = *state;
	assert_string_equal(duty(fx, "2026-06-01"),
	                    "Fay has no safeguarding training on record valid on 2026-06-01");
	record(fx, "safeguarding", "2025-01-10", "2026-01-10");
	assert_string_equal(duty(fx, "2026-06-01"),
	                    "Fay's safeguarding training expired on 2026-01-10; renew it before "
	                    "putting them on duty on 2026-06-01");
	record(fx, "safeguarding", "2026-01-05", NULL);
	assert_string_equal(duty(fx, "2026-06-01"),
	                    "Fay is not a clinician and has no Mental Health or Psychological "
	                    "First Aid training valid on 2026-06-01");
	record(fx, "mental_health_first_aid", "2026-02-01", "2027-02-01");
	assert_null(duty(fx, "2026-06-01"));
	/* Before the first aid course, and after it expired. */
	assert_non_null(duty(fx, "2026-01-20"));
	assert_string_equal(duty(fx, "2027-03-01"),
	                    "Fay's first aid training (Mental Health or Psychological First Aid) "
	                    "expired on 2027-02-01");

	/* The facilitator sees their own records only; the coordinator sees
	 * the organisation's. */
	struct training_record *ts;
	size_t n;
	struct programs_refusal why = {0};
	assert_int_equal(
	    training_list(fx->c, fx->arena, &fx->facilitator, fx->coord_a, &ts, &n, &why),
	    -HEARTH_EDENIED);
	assert_string_equal(why.field, "user_id");
	why = (struct programs_refusal){0};
	assert_int_equal(training_list(fx->c, fx->arena, &fx->facilitator, 0, &ts, &n, &why), 0);
	assert_int_equal(n, 3);
	assert_int_equal(training_list(fx->c, fx->arena, &fx->coordinator, 0, &ts, &n, &why), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ts[0].name, "Fay Cilitator");
}

static void staff_list_by_role_and_scope(void **state)
{
	struct fx *fx = *state;
	struct staff_member *ms;
	size_t n;
	struct programs_refusal why = {0};
	assert_int_equal(
	    roster_staff_list(fx->c, fx->arena, &fx->facilitator, 0, "participant", &ms, &n, &why),
	    -HEARTH_EINVAL);
	assert_int_equal(why.status, 400);
	assert_string_equal(why.field, "role");
	why = (struct programs_refusal){0};
	/* Both staff of the facilitator's organisation, by display name. */
	assert_int_equal(roster_staff_list(fx->c, fx->arena, &fx->facilitator, 0, NULL, &ms, &n, &why), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ms[0].display_name, "Cora Ordin");
	assert_int_equal(ms[0].nroles, 1);
	assert_string_equal(ms[0].roles[0].role, "coordinator");
	assert_string_equal(ms[0].roles[0].organisation, "Northside Arts");
	assert_string_equal(ms[1].display_name, "Fay Cilitator");
	assert_int_equal(
	    roster_staff_list(fx->c, fx->arena, &fx->facilitator, 0, "facilitator", &ms, &n, &why), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].id, fx->staff_a);
	/* Another organisation's staff are not listed, as if it had none. */
	assert_int_equal(
	    roster_staff_list(fx->c, fx->arena, &fx->facilitator, fx->org_b, NULL, &ms, &n, &why), 0);
	assert_int_equal(n, 0);
	struct actor nobody = {.user_id = 999};
	assert_int_equal(roster_staff_list(fx->c, fx->arena, &nobody, 0, NULL, &ms, &n, &why), 0);
	assert_int_equal(n, 0);
}

static void roster_remove_unknown_and_empty_duty(void **state)
{
	struct fx *fx = *state;
	struct programs_refusal why = {0};
	int64_t session = -1, duty = -1;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(roster_remove(fx->c, fx->arena, &fx->coordinator, 12345, &session, &why),
	                 -HEARTH_ENOTFOUND);
	assert_int_equal(session, 0);
	assert_int_equal(why.status, 0);
	db_rollback(fx->c);
	assert_int_equal(roster_duty_count(fx->c, 12345, &duty), 0);
	assert_int_equal(duty, 0);
}

/* --- programmes and their sessions --- */

static void programmes_place_check_refusals_name_their_field(void **state)
{
	(void)state;
	struct programs_refusal why = {0};
	assert_int_equal(programmes_place_check(A, "in_person", 0, NULL, &why), -HEARTH_EINVAL);
	assert_string_equal(why.field, "venue_id");
	assert_string_equal(why.message, "a programme held in person needs a venue_id");
	assert_int_equal(programmes_place_check(A, "hybrid", 0, "https://x.test", &why),
	                 -HEARTH_EINVAL);
	assert_string_equal(why.message, "a programme held in a room and online needs a venue_id");
	assert_int_equal(programmes_place_check(A, "online", 0, "", &why), -HEARTH_EINVAL);
	assert_string_equal(why.field, "online_link");
	assert_string_equal(why.message, "an online or hybrid programme needs an online_link");
	assert_int_equal(programmes_place_check(A, "online", 0, "ftp://x.test", &why),
	                 -HEARTH_EINVAL);
	assert_string_equal(why.message, "online_link must start with https://");
	why = (struct programs_refusal){0};
	assert_int_equal(programmes_place_check(A, "hybrid", 3, "https://x.test", &why), 0);
	assert_int_equal(programmes_place_check(A, "online", 0, "http://x.test", &why), 0);
	assert_int_equal(why.status, 0);
	assert_int_equal(programmes_capacity_check(A, "in_person", 31, 30, &why), -HEARTH_EINVAL);
	assert_int_equal(why.status, 400);
	assert_string_equal(why.field, "capacity");
	assert_string_equal(why.message, "capacity 31 is more than the venue holds (30)");
	why = (struct programs_refusal){0};
	/* A hybrid programme may have more people than the room: some are online. */
	assert_int_equal(programmes_capacity_check(A, "hybrid", 31, 30, &why), 0);
	assert_int_equal(why.status, 0);
}

static struct programme_input programme_at(int64_t org, const struct schedule *sc, int64_t venue)
{
	struct programme_input in = {.org = org,
	                             .title = "Clay on Tuesdays",
	                             .art = "craft",
	                             .desc = "",
	                             .langs = ",en,",
	                             .format = "in_person",
	                             .capacity = 10,
	                             .zone = sc->zone_name,
	                             .start = "2026-10-13",
	                             .time = "18:30",
	                             .duration = 90,
	                             .rule = sc->has_rule ? sc->rule_text : NULL,
	                             .exdates = sc->exdates,
	                             .start_minute = sc->start_minute,
	                             .venue = venue,
	                             .plan = "{}",
	                             .funding = ""};
	return in;
}

static void sessions_generate_and_a_booked_venue(void **state)
{
	struct fx *fx = *state;
	struct programs_refusal why = {0};
	struct schedule sc;
	struct schedule_input si = base_input();
	assert_int_equal(schedule_parse(fx->arena, &si, &sc, &why), 0);
	struct venue_input vin = hall(fx->org_a);
	int64_t venue = 0, prog = 0, other = 0, count = 0;
	int weekdays = 0;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(venues_create(fx->c, fx->arena, &fx->coordinator, &vin, &venue, &why), 0);
	struct programme_input in = programme_at(99999, &sc, venue);
	assert_int_equal(programmes_insert(fx->c, fx->arena, &in, &prog, &why), -HEARTH_EINVAL);
	assert_int_equal(why.status, 400);
	assert_string_equal(why.field, "organisation_id");
	assert_string_equal(why.message, "no such organisation");
	db_rollback(fx->c);

	why = (struct programs_refusal){0};
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(venues_create(fx->c, fx->arena, &fx->coordinator, &vin, &venue, &why), 0);
	in = programme_at(fx->org_a, &sc, venue);
	assert_int_equal(programmes_insert(fx->c, fx->arena, &in, &prog, &why), 0);
	assert_int_equal(sessions_generate(fx->c, fx->arena, &fx->coordinator, prog, &sc, venue,
	                                   NULL, &count, &weekdays, &why),
	                 0);
	assert_int_equal(count, 4);
	assert_int_equal(weekdays, 1 << cal_weekday((struct cal_date){2026, 10, 13}));
	/* A second programme at the same venue and times: the venue is booked. */
	assert_int_equal(programmes_insert(fx->c, fx->arena, &in, &other, &why), 0);
	assert_int_equal(sessions_generate(fx->c, fx->arena, &fx->coordinator, other, &sc, venue,
	                                   NULL, &count, &weekdays, &why),
	                 -HEARTH_ECONFLICT);
	assert_int_equal(why.status, 409);
	assert_string_equal(why.field, "venue_id");
	assert_int_equal(count, 0);
	assert_int_equal(db_commit(fx->c), 0);

	json_t *items;
	assert_int_equal(sessions_list(fx->c, prog, true, &items), 0);
	assert_int_equal(json_array_size(items), 4);
	json_t *first = json_array_get(items, 0);
	int64_t sid = json_integer_value(json_object_get(first, "id"));
	int64_t start = schedule_instant(&sc, (struct cal_date){2026, 10, 13});
	assert_string_equal(json_string_value(json_object_get(first, "local_start")),
	                    "2026-10-13T18:30");
	json_decref(items);

	/* Someone of the programme's organisation is told which session is in
	 * the way and of which programme. */
	why = (struct programs_refusal){0};
	assert_int_equal(sessions_venue_free(fx->c, fx->arena, &fx->coordinator, venue, start,
	                                     start + 600, 0, &why),
	                 -HEARTH_ECONFLICT);
	assert_string_equal(why.ext_int_name, "conflicting_session");
	assert_int_equal(why.ext_int, sid);
	assert_string_equal(why.ext_str_name, "conflicting_programme");
	assert_string_equal(why.ext_str, "Clay on Tuesdays");
	assert_non_null(strstr(why.message, "by 'Clay on Tuesdays'"));
	/* Someone of another organisation is not: the venue is just booked. */
	struct membership mb = {.organisation_id = fx->org_b, .role = ROLE_COORDINATOR};
	struct actor outsider = {.user_id = fx->coord_a,
	                         .roles = 1u << ROLE_COORDINATOR,
	                         .organisation_id = fx->org_b,
	                         .memberships = &mb,
	                         .nmemberships = 1};
	why = (struct programs_refusal){0};
	assert_int_equal(
	    sessions_venue_free(fx->c, fx->arena, &outsider, venue, start, start + 600, 0, &why),
	    -HEARTH_ECONFLICT);
	assert_null(why.ext_int_name);
	assert_null(why.ext_str_name);
	assert_string_equal(why.message,
	                    "venue_id: the venue is booked at that time; choose another time or "
	                    "venue");
	/* The session itself does not clash with itself; the hour after is free. */
	why = (struct programs_refusal){0};
	assert_int_equal(
	    sessions_venue_free(fx->c, fx->arena, &outsider, venue, start, start + 600, sid, &why),
	    0);
	assert_int_equal(sessions_venue_free(fx->c, fx->arena, &outsider, venue, start + 5400,
	                                     start + 9000, 0, &why),
	                 0);
	assert_int_equal(why.status, 0);
}

int main(void)
{
	const struct CMUnitTest schedule[] = {
	    cmocka_unit_test(schedule_parse_weekly_with_exdate_across_dst),
	    cmocka_unit_test(schedule_parse_without_rule_is_one_session),
	    cmocka_unit_test(schedule_parse_end_date_bounds_the_rule),
	    cmocka_unit_test(schedule_parse_refusals_name_their_field),
	    cmocka_unit_test(schedule_list_split_round_trip),
	    cmocka_unit_test(programmes_place_check_refusals_name_their_field),
	};
	const struct CMUnitTest stored[] = {
	    cmocka_unit_test_setup_teardown(venues_create_refuses_who_does_not_coordinate, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(venues_create_get_update, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(training_validate_dates_then_scope, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(training_duty_refusal_needs_safeguarding_and_first_aid,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(staff_list_by_role_and_scope, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(sessions_generate_and_a_booked_venue, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(roster_remove_unknown_and_empty_duty, fx_setup,
	                                    fx_teardown),
	};
	int failed = cmocka_run_group_tests_name("schedule", schedule, arena_setup, arena_teardown);
	failed += cmocka_run_group_tests_name("venues and training", stored, NULL, NULL);
	return failed;
}
