/*
 * Taking part in programmes: sessions that fit a person (ranked, with the
 * reason for each criterion), enrolment with capacity and a waitlist that
 * offers freed places by itself, practical supports and their ledger,
 * attendance taken on a phone in batches, and gentle follow-up after two
 * missed sessions in a row.
 *
 * Places: a programme's capacity is shared by 'enrolled' and 'offered'
 * rows. Every transaction that changes a programme's places first locks the
 * programme row (an UPDATE that changes nothing: a row lock on PostgreSQL,
 * where writers run at READ COMMITTED; SQLite writers are serial anyway),
 * then settles expired offers and fills free places from the waitlist
 * (programs_offer_next), so the rules hold on both backends and many nodes.
 *
 * Names come from the people module (people_view): showing one is a read of
 * the person's record, allowed to staff of the programme's organisation and
 * audited in the same transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "people/people.h"
#include "programs/cal.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/scope.h"
#include "core/banned.h"

#define OFFER_SECONDS (48 * 3600) /* how long an offered place is held */
#define MAX_MARKS     200         /* attendance marks per request */
#define FIT_DEFAULT   20
#define FIT_MAX       100

/* Who may enrol people and answer offers on their behalf. */
#define PM_ENROL (PM_MANAGE | (1u << ROLE_FACILITATOR))

static const char *const support_kinds[] = {"transport_stipend", "childcare", "interpreter",
                                            "equipment", NULL};
static const char *const support_states[] = {"approved", "declined", "provided", NULL};
static const char *const mark_states[] = {"present", "late", "absent", "excused", NULL};
static const char *const followup_actions[] = {"called",   "messaged", "met", "no_answer",
                                               "resolved", "other",    NULL};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static const struct people_ctx *px(struct req *r)
{
	return &r->app->people;
}

static const char *resource(struct req *r, const char *kind, int64_t id)
{
	return arena_printf(r->arena, "%s:%" PRId64, kind, id);
}

static json_t *iso_json(int64_t t)
{
	char s[32];
	util_iso8601(s, sizeof s, t);
	return json_string(s);
}

static json_t *iso_or_null(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? json_null() : iso_json(db_col_i64(s, col));
}

static json_t *int_or_null(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? json_null() : json_integer(db_col_i64(s, col));
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Binds a user id, or NULL for API tokens (no user). */
static void bind_user(struct db_stmt *s, int idx, int64_t user_id)
{
	if (user_id > 0)
		db_bind_i64(s, idx, user_id);
	else
		db_bind_null(s, idx);
}

/* The local date of instant t in zone ("YYYY-MM-DD"); the UTC date when the
 * zone cannot be loaded. */
static const char *local_date(struct arena *a, int64_t t, const char *zone)
{
	const struct tz *z = zone ? tz_get(zone) : NULL;
	if (!z) {
		char s[32];
		util_iso8601(s, sizeof s, t);
		return arena_strndup(a, s, 10);
	}
	struct local_time lt;
	tz_utc_to_local(z, t, &lt);
	return arena_printf(a, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
}

/* A session row (PROGRAMS_SESSION_COLUMNS) with its local start. */
static json_t *session_row(struct db_stmt *st)
{
	json_t *o = programs_session_row(st);
	if (!o)
		return NULL;
	const struct tz *z = tz_get(db_col_text(st, 10));
	if (z) {
		struct local_time lt;
		tz_utc_to_local(z, db_col_i64(st, 2), &lt);
		char s[32];
		snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d", lt.year, lt.month, lt.day,
		         lt.hour, lt.minute);
		json_object_set_new(o, "local_start", json_string(s));
	}
	return o;
}

static const char SQL_SESSION_ONE[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS " FROM programme_sessions s JOIN programmes p ON p.id = "
    "s.programme_id WHERE s.id = ?1";

static json_t *session_by_id(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_ONE);
	if (!s)
		return NULL;
	db_bind_i64(s, 1, id);
	json_t *o = db_step(s) == DB_ROW ? session_row(s) : NULL;
	db_finish(s);
	return o;
}

/* The participant record of the logged-in participant; answers 404 and
 * returns 0 when the login has none. */
static int64_t self_or_404(struct req *r)
{
	int64_t id = programs_self_participant(req_db(r), &r->actor);
	if (!id)
		http_problem(r, 404, "no participant record is linked to your login");
	return id;
}

/* The name to show for a person, in arena; NULL once erased. */
static const char *person_name(struct req *r, int64_t id, bool *erased)
{
	struct person_view v;
	*erased = false;
	if (people_view(px(r), req_db(r), r->arena, id, &v) != 0)
		return NULL;
	*erased = v.erased;
	const char *n = arena_strdup(r->arena, people_display_name(v.profile));
	json_decref(v.profile);
	return n;
}

static void set_name(struct req *r, json_t *o, int64_t id)
{
	bool erased;
	const char *n = person_name(r, id, &erased);
	json_object_set_new(o, "name", text_or_null(n));
	if (erased)
		json_object_set_new(o, "erased", json_true());
}

/* ?limit=: an integer in 1..max, def when absent. Answers 400 and returns
 * false when malformed. */
static bool query_limit(struct req *r, int def, int max, int *out)
{
	const char *q = req_query(r, "limit");
	*out = def;
	if (!q)
		return true;
	char *end;
	long v = strtol(q, &end, 10);
	if (!*q || *end || v < 1 || v > max) {
		programs_bad(r, 400, "limit", "limit must be a whole number from 1 to %d", max);
		return false;
	}
	*out = (int)v;
	return true;
}

/* Rolls back and answers a problem. ext is stolen (may be NULL). */
static void abort_problem(struct req *r, int status, json_t *ext, const char *detail)
{
	db_rollback(req_db(r));
	http_problem_ext(r, status, ext, "%s", detail);
}

static void abort_error(struct req *r, int rc, const char *what)
{
	db_rollback(req_db(r));
	http_error(r, rc, what);
}

/* Begins the request's write transaction; answers and returns false on
 * failure. */
static bool begin_write(struct req *r, const char *what)
{
	int rc = db_begin(req_db(r), true);
	if (rc)
		http_error(r, rc, what);
	return rc == 0;
}

/* ------------------------------------------------------------------ */
/* Places: capacity, waitlist, offers                                  */

static const char SQL_LOCK_PROGRAMME[] =
    "UPDATE programmes SET updated_at = updated_at WHERE id = ?1";
static const char SQL_PLACES[] =
    "SELECT p.capacity, p.status, (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    "AND e.status IN ('enrolled', 'offered')) FROM programmes p WHERE p.id = ?1";
static const char SQL_EXPIRE_OFFERS[] =
    "UPDATE enrolments SET status = 'cancelled', cancel_reason = 'offer_expired', updated_at = ?2 "
    "WHERE programme_id = ?1 AND status = 'offered' AND offer_expires_at <= ?2";
static const char SQL_FIRST_WAITING[] =
    "SELECT id FROM enrolments WHERE programme_id = ?1 AND status = 'waitlisted' "
    "ORDER BY id LIMIT 1";
static const char SQL_OFFER[] =
    "UPDATE enrolments SET status = 'offered', offered_at = ?2, offer_expires_at = ?3, "
    "updated_at = ?2 WHERE id = ?1 AND status = 'waitlisted'";
static const char SQL_POSITION[] =
    "SELECT COUNT(*) FROM enrolments WHERE programme_id = ?1 AND status = 'waitlisted' "
    "AND id <= ?2";

/* Serialises changes to one programme's places until the transaction ends.
 * -HEARTH_ENOTFOUND when there is no such programme. */
static int lock_programme(struct db_conn *c, int64_t programme_id)
{
	struct db_stmt *s = db_prepare(c, SQL_LOCK_PROGRAMME);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme_id);
	return db_run_one(s);
}

/* Capacity, status and places taken (enrolled + offered). */
static int places(struct db_conn *c, int64_t programme_id, int64_t *capacity, bool *published,
                  int64_t *taken)
{
	struct db_stmt *s = db_prepare(c, SQL_PLACES);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*capacity = db_col_i64(s, 0);
		*published = strcmp(db_col_text(s, 1), "published") == 0;
		*taken = db_col_i64(s, 2);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

static int first_waiting(struct db_conn *c, int64_t programme_id, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_FIRST_WAITING);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme_id);
	int rc = db_step(s);
	*id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Settles expired offers (cancelled, offer_expired), then offers every free
 * place to the first on the waitlist. Places are offered only while the
 * programme is published. Runs inside the caller's write transaction and
 * locks the programme for the rest of it. */
int programs_offer_next(struct db_conn *c, int64_t programme_id)
{
	int64_t now = util_now(), capacity = 0, taken = 0, next = 0;
	bool published = false;
	int rc = lock_programme(c, programme_id);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_EXPIRE_OFFERS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme_id);
	db_bind_i64(s, 2, now);
	if ((rc = db_run(s)) != 0)
		return rc;
	if ((rc = places(c, programme_id, &capacity, &published, &taken)) != 0)
		return rc;
	while (published && taken < capacity) {
		if ((rc = first_waiting(c, programme_id, &next)) != 0 || !next)
			return rc;
		if (!(s = db_prepare(c, SQL_OFFER)))
			return -HEARTH_EDB;
		db_bind_i64(s, 1, next);
		db_bind_i64(s, 2, now);
		db_bind_i64(s, 3, now + OFFER_SECONDS);
		if ((rc = db_run_one(s)) != 0)
			return rc;
		taken++;
	}
	return 0;
}

/* 1-based place in the programme's waitlist. */
static int64_t waitlist_position(struct db_conn *c, int64_t programme_id, int64_t enrolment_id)
{
	struct db_stmt *s = db_prepare(c, SQL_POSITION);
	if (!s)
		return 0;
	db_bind_i64(s, 1, programme_id);
	db_bind_i64(s, 2, enrolment_id);
	int64_t n = db_step(s) == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return n;
}

/* --- consent withdrawn: future places go at once --- */

static const char SQL_WITHDRAW_NEXT[] =
    "SELECT e.id, e.programme_id FROM enrolments e "
    "WHERE e.participant_id = ?1 AND e.status IN ('enrolled', 'waitlisted', 'offered') "
    "AND EXISTS (SELECT 1 FROM programme_sessions s WHERE s.programme_id = e.programme_id "
    "AND s.starts_at > ?2 AND s.status <> 'cancelled') "
    "ORDER BY e.programme_id LIMIT 1";
static const char SQL_ENROL_STATUS[] = "SELECT status FROM enrolments WHERE id = ?1";
static const char SQL_ENROL_CANCEL[] =
    "UPDATE enrolments SET status = 'cancelled', cancel_reason = ?2, updated_at = ?3 "
    "WHERE id = ?1 AND status <> 'cancelled'";

static int cancel_row(struct db_conn *c, int64_t id, const char *reason)
{
	struct db_stmt *s = db_prepare(c, SQL_ENROL_CANCEL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, reason);
	db_bind_i64(s, 3, util_now());
	return db_run_one(s);
}

/* The status of a place as it is now: *held when it takes one of the
 * programme's places (enrolled or offered), *open when it is not cancelled.
 * Both false when the row is gone. */
static int place_status(struct db_conn *c, int64_t id, bool *open, bool *held)
{
	struct db_stmt *s = db_prepare(c, SQL_ENROL_STATUS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	*open = *held = false;
	if (rc == DB_ROW) {
		const char *status = db_col_text(s, 0);
		*open = strcmp(status, "cancelled") != 0;
		*held = strcmp(status, "enrolled") == 0 || strcmp(status, "offered") == 0;
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Called by the people module inside the transaction that records the
 * withdrawal: cancels every place the person holds or waits for in a
 * programme with sessions still to come, and offers each freed place. One
 * place per round, so the statement is never stepped while others run.
 *
 * A withdrawal must never fail because of what happens to a place at the
 * same moment. Each round therefore locks the programme first and only then
 * reads the place again (a new statement sees what the lock's previous
 * holder committed, on PostgreSQL's READ COMMITTED too): a place cancelled
 * meanwhile is simply done, and one offered meanwhile is a held place whose
 * release is offered on. Never answers -HEARTH_ENOTFOUND, which the people
 * module would report as a missing consent. */
static int on_consent_withdrawn(struct db_conn *c, int64_t participant_id,
                                enum consent_purpose purpose)
{
	int rc = 0;
	if (purpose != PURPOSE_PARTICIPATION)
		goto out;
	for (int guard = 0; guard < 10000; guard++) {
		struct db_stmt *s = db_prepare(c, SQL_WITHDRAW_NEXT);
		if (!s) {
			rc = -HEARTH_EDB;
			goto out;
		}
		db_bind_i64(s, 1, participant_id);
		db_bind_i64(s, 2, util_now());
		rc = db_step(s);
		int64_t id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		int64_t programme = rc == DB_ROW ? db_col_i64(s, 1) : 0;
		db_finish(s);
		if (rc != DB_ROW) {
			rc = rc < 0 ? rc : 0;
			goto out;
		}
		bool open, held;
		if ((rc = lock_programme(c, programme)) != 0 ||
		    (rc = place_status(c, id, &open, &held)) != 0)
			goto out;
		if (!open)
			continue; /* cancelled (or replaced) by someone else meanwhile */
		if ((rc = cancel_row(c, id, "consent_withdrawn")) != 0)
			goto out;
		if (held && (rc = programs_offer_next(c, programme)) != 0)
			goto out;
	}
	rc = -HEARTH_EDB; /* unreachable: each round closes one place */
out:
	/* The place or programme vanishing under the lock is a storage fault
	 * here, never "not found": the caller reports that as the consent. */
	return rc == -HEARTH_ENOTFOUND ? -HEARTH_EDB : rc;
}

void programs_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	people_on_consent_withdrawn(on_consent_withdrawn);
	listening_http_init(); /* anonymous answers settle with their audit entry */
	programs_export_register(); /* the person's export: enrolments, supports, ... */
}

/* ------------------------------------------------------------------ */
/* Enrolment                                                           */

static const char SQL_ENROL_FIND[] =
    "SELECT id, status FROM enrolments WHERE programme_id = ?1 AND participant_id = ?2";
static const char SQL_ENROL_DELETE[] =
    "DELETE FROM enrolments WHERE id = ?1 AND status = 'cancelled'";
static const char SQL_ENROL_INSERT[] =
    "INSERT INTO enrolments (programme_id, participant_id, status, created_by, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id";
static const char SQL_ENROL_GET[] =
    "SELECT e.id, e.programme_id, e.participant_id, p.organisation_id, e.status, "
    "e.cancel_reason, e.offer_expires_at FROM enrolments e "
    "JOIN programmes p ON p.id = e.programme_id WHERE e.id = ?1";
static const char SQL_ENROL_ACCEPT[] = "UPDATE enrolments SET status = 'enrolled', updated_at = ?2 "
                                       "WHERE id = ?1 AND status = 'offered'";

struct enrolment {
	int64_t id, programme_id, participant_id, organisation_id, offer_expires_at;
	const char *status, *cancel_reason;
};

static int enrolment_get(struct req *r, int64_t id, struct enrolment *e)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_ENROL_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		e->id = db_col_i64(s, 0);
		e->programme_id = db_col_i64(s, 1);
		e->participant_id = db_col_i64(s, 2);
		e->organisation_id = db_col_i64(s, 3);
		e->status = arena_strdup(r->arena, db_col_text(s, 4));
		e->cancel_reason = arena_strdup(r->arena, db_col_text(s, 5));
		e->offer_expires_at = db_col_i64(s, 6);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* The person's row in the programme: *id 0 when none. */
static int enrolment_find(struct req *r, int64_t programme, int64_t person, int64_t *id,
                          const char **status)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_ENROL_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, person);
	int rc = db_step(s);
	*id = 0;
	if (rc == DB_ROW) {
		*id = db_col_i64(s, 0);
		*status = arena_strdup(r->arena, db_col_text(s, 1));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

static json_t *enrolment_answer(int64_t id, int64_t programme, int64_t person, const char *status,
                                int64_t position)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)id, "programme_id",
	                      (json_int_t)programme, "participant_id", (json_int_t)person, "status",
	                      status);
	json_object_set_new(o, "position", position ? json_integer(position) : json_null());
	return o;
}

/* Enrols person in programme (or puts them on its waitlist when it is full)
 * and answers. by_self: the person asked themself; otherwise the actor must
 * serve the programme's organisation. */
static void enrol(struct req *r, int64_t programme, int64_t person, bool by_self)
{
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	int rc;
	if (!begin_write(r, "the enrolment"))
		return;
	if ((rc = lock_programme(c, programme)) != 0 ||
	    (rc = programs_programme_ref(c, r->arena, programme, &ref)) != 0) {
		if (rc == -HEARTH_ENOTFOUND) {
			db_rollback(c);
			programs_bad(r, 404, by_self ? "programme_id" : "id",
			             "there is no programme %" PRId64, programme);
		} else {
			abort_error(r, rc, "the programme");
		}
		return;
	}
	bool published = strcmp(ref.status, "published") == 0;
	if (!by_self) {
		if (!programs_serves(&r->actor, PM_ENROL, ref.organisation_id)) {
			abort_problem(
			    r, 403, NULL,
			    "you can enrol people only in programmes of your organisation");
			return;
		}
		/* The person must be the programme's organisation's (or shared
		 * with it): anyone else is refused like nobody, before their
		 * erasure or consent is said. */
		struct person_view v;
		if (!programs_scope_participant(r, "participant_id", person, ref.organisation_id,
		                                &v))
			return;
		json_decref(v.profile);
		if (v.erased) {
			db_rollback(c);
			programs_bad(r, 410, "participant_id",
			             "participant_id: this person's record was erased");
			return;
		}
	} else if (!published) {
		/* A participant sees published programmes only. */
		db_rollback(c);
		programs_bad(r, 404, "programme_id", "there is no programme %" PRId64, programme);
		return;
	}
	if (!published) {
		abort_problem(r, 409, json_pack("{s:s}", "programme_status", ref.status),
		              "this programme is not open for enrolment (it is not published)");
		return;
	}
	if (!consent_allows(c, person, PURPOSE_PARTICIPATION)) {
		abort_problem(r, 403, json_pack("{s:s}", "consent", "participation"),
		              by_self ? "taking part needs your consent to participation; you can "
		                        "give it on your consents page"
		                      : "this person has not consented to participation; record "
		                        "their consent first");
		return;
	}
	/* Settle expired offers and fill free places first, so that a newcomer
	 * never takes a place someone on the waitlist is owed. */
	int64_t existing = 0, capacity = 0, taken = 0, id = 0;
	const char *status = NULL;
	if ((rc = programs_offer_next(c, programme)) != 0 ||
	    (rc = enrolment_find(r, programme, person, &existing, &status)) != 0) {
		abort_error(r, rc, "the enrolment");
		return;
	}
	if (existing && strcmp(status, "cancelled") != 0) {
		/* The settling above is kept: it is due whatever happens next. */
		if (!req_commit(r, 0, "enrolment.settle", resource(r, "programme", programme),
		                "the enrolment"))
			return;
		http_problem_ext(r, 409,
		                 json_pack("{s:I, s:s}", "enrolment_id", (json_int_t)existing,
		                           "enrolment_status", status),
		                 "%s already %s in this programme",
		                 by_self ? "you are" : "this person is",
		                 strcmp(status, "enrolled") == 0  ? "enrolled"
		                 : strcmp(status, "offered") == 0 ? "offered a place"
		                                                  : "on the waitlist");
		return;
	}
	if (existing) {
		/* A cancelled place is replaced by a new row, so that the waitlist
		 * (ordered by id) stays first come, first served. */
		struct db_stmt *s = db_prepare(c, SQL_ENROL_DELETE);
		rc = s ? (db_bind_i64(s, 1, existing), db_run_one(s)) : -HEARTH_EDB;
	}
	bool published_now;
	if (!rc)
		rc = places(c, programme, &capacity, &published_now, &taken);
	const char *state = taken < capacity ? "enrolled" : "waitlisted";
	if (!rc) {
		struct db_stmt *s = db_prepare(c, SQL_ENROL_INSERT);
		if (!s) {
			rc = -HEARTH_EDB;
		} else {
			db_bind_i64(s, 1, programme);
			db_bind_i64(s, 2, person);
			db_bind_text(s, 3, state);
			bind_user(s, 4, r->actor.user_id);
			db_bind_i64(s, 5, util_now());
			rc = db_insert_id(s, &id);
		}
	}
	int64_t position = 0;
	if (!rc && strcmp(state, "waitlisted") == 0)
		position = waitlist_position(c, programme, id);
	if (!req_commit(r, rc, by_self ? "self.enrolment.create" : "enrolment.create",
	                resource(r, "enrolment", id), "the enrolment"))
		return;
	http_json(r, 201, enrolment_answer(id, programme, person, state, position));
}

static const struct field part_http_enrol_create_fields[] = {
    {"participant_id", FIELD_INT, true, 1}};
const struct field_table part_http_enrol_create_body = FIELD_TABLE(part_http_enrol_create_fields);

void part_http_enrol_create(struct req *r)
{
	struct field_value v[NFIELDS(part_http_enrol_create_fields)];
	if (req_body_fields(r, &part_http_enrol_create_body, v))
		enrol(r, req_param_id(r, "id"), v[0].i, false);
}

static const struct field part_http_me_enrol_fields[] = {{"programme_id", FIELD_INT, true, 1}};
const struct field_table part_http_me_enrol_body = FIELD_TABLE(part_http_me_enrol_fields);

void part_http_me_enrol(struct req *r)
{
	struct field_value v[NFIELDS(part_http_me_enrol_fields)];
	int64_t me;
	if (req_body_fields(r, &part_http_me_enrol_body, v) && (me = self_or_404(r)) != 0)
		enrol(r, v[0].i, me, true);
}

enum answer { ANSWER_CANCEL, ANSWER_ACCEPT, ANSWER_DECLINE };

/* Cancel, accept or decline a place: the person themself or staff of the
 * programme's organisation. Expired offers are settled first (and that is
 * kept even when the answer is a conflict). */
static void enrolment_answer_do(struct req *r, enum answer what)
{
	static const char *const actions[] = {"enrolment.cancel", "enrolment.accept",
	                                      "enrolment.decline"};
	struct db_conn *c = req_db(r);
	struct enrolment e;
	int64_t id = req_param_id(r, "id");
	int64_t me = programs_self_participant(c, &r->actor);
	int rc = enrolment_get(r, id, &e);
	if (rc) {
		http_error(r, rc, "the enrolment");
		return;
	}
	bool own = me && me == e.participant_id;
	if (!own && !programs_serves(&r->actor, PM_ENROL, e.organisation_id)) {
		if (me || !(r->actor.roles & PM_STAFF))
			http_error(r, -HEARTH_ENOTFOUND, "the enrolment"); /* not theirs to know */
		else
			http_problem(r, 403,
			             "this place is in a programme of another organisation");
		return;
	}
	if (!begin_write(r, "the enrolment"))
		return;
	if ((rc = programs_offer_next(c, e.programme_id)) != 0 ||
	    (rc = enrolment_get(r, id, &e)) != 0) {
		abort_error(r, rc, "the enrolment");
		return;
	}
	const char *conflict = NULL;
	bool frees = false;
	if (what == ANSWER_CANCEL) {
		if (strcmp(e.status, "cancelled") == 0)
			conflict = "this place was already cancelled";
		frees = strcmp(e.status, "enrolled") == 0 || strcmp(e.status, "offered") == 0;
		if (!conflict)
			rc = cancel_row(c, id, own ? "self" : "staff");
	} else if (strcmp(e.status, "offered") != 0) {
		conflict = e.cancel_reason && strcmp(e.cancel_reason, "offer_expired") == 0
		               ? "this offer expired (an offer is held for 48 hours)"
		               : "there is no open offer of a place to answer";
	} else if (what == ANSWER_ACCEPT) {
		struct db_stmt *s = db_prepare(c, SQL_ENROL_ACCEPT);
		rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, util_now()), db_run_one(s))
		       : -HEARTH_EDB;
	} else {
		frees = true;
		rc = cancel_row(c, id, "offer_declined");
	}
	if (conflict) {
		if (req_commit(r, 0, "enrolment.settle", resource(r, "programme", e.programme_id),
		               "the enrolment"))
			http_problem_ext(r, 409, json_pack("{s:s}", "enrolment_status", e.status),
			                 "%s", conflict);
		return;
	}
	if (!rc && frees)
		rc = programs_offer_next(c, e.programme_id);
	if (!req_commit(r, rc, actions[what], resource(r, "enrolment", id), "the enrolment"))
		return;
	if (what == ANSWER_CANCEL)
		http_no_content(r);
	else
		http_json(r, 200,
		          enrolment_answer(id, e.programme_id, e.participant_id,
		                           what == ANSWER_ACCEPT ? "enrolled" : "cancelled", 0));
}

void part_http_enrol_cancel(struct req *r)
{
	enrolment_answer_do(r, ANSWER_CANCEL);
}

void part_http_enrol_accept(struct req *r)
{
	enrolment_answer_do(r, ANSWER_ACCEPT);
}

void part_http_enrol_decline(struct req *r)
{
	enrolment_answer_do(r, ANSWER_DECLINE);
}

/* --- lists --- */

#define ENROL_COLUMNS                                                                       \
	"e.id, e.programme_id, e.participant_id, e.status, e.cancel_reason, e.offered_at, " \
	"e.offer_expires_at, e.created_at, e.updated_at, p.title"
static const char SQL_ENROL_LIST[] =
    "SELECT " ENROL_COLUMNS " FROM enrolments e JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.programme_id = ?1 ORDER BY CASE e.status WHEN 'enrolled' THEN 0 "
    "WHEN 'offered' THEN 1 WHEN 'waitlisted' THEN 2 ELSE 3 END, e.id LIMIT 2000";
static const char SQL_MY_ENROLMENTS[] =
    "SELECT " ENROL_COLUMNS " FROM enrolments e JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.participant_id = ?1 ORDER BY e.id DESC LIMIT 500";
static const char SQL_MY_EXPIRED[] =
    "SELECT programme_id FROM enrolments WHERE participant_id = ?1 AND status = 'offered' "
    "AND offer_expires_at <= ?2 ORDER BY programme_id LIMIT 1";

/* An enrolment row; waitlisted rows are numbered in order. */
static json_t *enrolment_row(struct db_stmt *s, int64_t *waiting)
{
	const char *status = db_col_text(s, 3);
	bool queued = strcmp(status, "waitlisted") == 0;
	json_t *o =
	    json_pack("{s:I, s:I, s:s, s:I, s:s}", "id", (json_int_t)db_col_i64(s, 0),
	              "programme_id", (json_int_t)db_col_i64(s, 1), "programme", db_col_text(s, 9),
	              "participant_id", (json_int_t)db_col_i64(s, 2), "status", status);
	json_object_set_new(o, "position", queued ? json_integer(++*waiting) : json_null());
	json_object_set_new(o, "cancel_reason", text_or_null(db_col_text(s, 4)));
	json_object_set_new(o, "offered_at", iso_or_null(s, 5));
	json_object_set_new(o, "offer_expires_at",
	                    strcmp(status, "offered") == 0 ? iso_or_null(s, 6) : json_null());
	json_object_set_new(o, "created_at", iso_json(db_col_i64(s, 7)));
	json_object_set_new(o, "updated_at", iso_json(db_col_i64(s, 8)));
	return o;
}

/* The rows of a statement selecting ENROL_COLUMNS, as a JSON array; finishes
 * the statement. */
static json_t *enrolment_rows(struct db_stmt *s, int *rc)
{
	json_t *items = json_array();
	int64_t waiting = 0;
	while ((*rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, enrolment_row(s, &waiting));
	db_finish(s);
	if (*rc > 0)
		*rc = 0;
	return items;
}

void part_http_enrol_list(struct req *r)
{
	struct db_conn *c = req_db(r);
	int64_t programme = req_param_id(r, "id");
	struct prog_ref ref;
	int rc = programs_programme_ref(c, r->arena, programme, &ref);
	if (rc) {
		http_error(r, rc, "the programme");
		return;
	}
	if (!programs_serves(&r->actor, PM_STAFF, ref.organisation_id)) {
		http_problem(r, 403, "this programme belongs to another organisation");
		return;
	}
	if (!begin_write(r, "the enrolments"))
		return;
	if ((rc = programs_offer_next(c, programme)) != 0) {
		abort_error(r, rc, "the enrolments");
		return;
	}
	struct db_stmt *s = db_prepare(c, SQL_ENROL_LIST);
	if (!s) {
		abort_error(r, -HEARTH_EDB, "the enrolments");
		return;
	}
	db_bind_i64(s, 1, programme);
	json_t *items = enrolment_rows(s, &rc);
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	{
		json_object_del(o, "programme");
		set_name(r, o, json_integer_value(json_object_get(o, "participant_id")));
	}
	/* Names shown are reads of those people's records. */
	if (!req_commit(r, rc, "enrolment.read", resource(r, "programme", programme),
	                "the enrolments")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void part_http_me_enrolments(struct req *r)
{
	struct db_conn *c = req_db(r);
	int64_t me = self_or_404(r);
	if (!me || !begin_write(r, "your enrolments"))
		return;
	/* Settle my expired offers (and offer those places on). */
	int rc = 0;
	for (int guard = 0; guard < 1000 && !rc; guard++) {
		struct db_stmt *s = db_prepare(c, SQL_MY_EXPIRED);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, me);
		db_bind_i64(s, 2, util_now());
		int step = db_step(s);
		int64_t programme = step == DB_ROW ? db_col_i64(s, 0) : 0;
		db_finish(s);
		if (step < 0)
			rc = step;
		else if (!programme)
			break;
		else
			rc = programs_offer_next(c, programme);
	}
	json_t *items = NULL;
	if (!rc) {
		struct db_stmt *s = db_prepare(c, SQL_MY_ENROLMENTS);
		if (!s) {
			rc = -HEARTH_EDB;
		} else {
			db_bind_i64(s, 1, me);
			items = enrolment_rows(s, &rc);
		}
	}
	/* Positions are per programme: number them from the waitlist itself. */
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	{
		if (json_is_integer(json_object_get(o, "position")))
			json_object_set_new(
			    o, "position",
			    json_integer(waitlist_position(
			        c, json_integer_value(json_object_get(o, "programme_id")),
			        json_integer_value(json_object_get(o, "id")))));
	}
	if (!req_commit(r, rc, "self.enrolment.read", resource(r, "participant", me),
	                "your enrolments")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char SQL_MY_SESSIONS[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS
    " FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id "
    "JOIN enrolments e ON e.programme_id = p.id AND e.participant_id = ?1 "
    "AND e.status = 'enrolled' "
    "WHERE s.ends_at > ?2 AND (s.status = 'published' OR (s.status = 'cancelled' "
    "AND s.was_published = 1)) ORDER BY s.starts_at, s.id LIMIT ?3";

void part_http_me_sessions(struct req *r)
{
	int limit;
	int64_t me;
	if (!query_limit(r, 50, 500, &limit) || !(me = self_or_404(r)))
		return;
	struct db_stmt *s = db_prepare(req_db(r), SQL_MY_SESSIONS);
	if (!s) {
		http_error(r, -HEARTH_EDB, "your sessions");
		return;
	}
	db_bind_i64(s, 1, me);
	db_bind_i64(s, 2, util_now());
	db_bind_i64(s, 3, limit);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, session_row(s));
	db_finish(s);
	if (rc < 0) {
		json_decref(items);
		http_error(r, rc, "your sessions");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ------------------------------------------------------------------ */
/* Sessions that fit a person                                          */

enum fit_code {
	FIT_ACCESS,
	FIT_LANGUAGE,
	FIT_FORMAT,
	FIT_TIME,
	FIT_ART_FORM,
	FIT_PLACES,
	FIT__MAX
};
static const char *const fit_codes[FIT__MAX + 1] = {"access", "language", "format",
                                                    "time",   "art_form", "places"};

/* What the UI offers and explains (GET /api/v1/meta). */
const struct meta_enum taking_part_http_enums[] = {
    {"support_kinds", support_kinds},
    {"support_states", support_states},
    {"attendance_marks", mark_states},
    {"followup_actions", followup_actions},
    {"fit_codes", fit_codes},
    {NULL, NULL},
};
/* Points per criterion; the score is the share of points earned among the
 * criteria the person's profile says something about (a criterion with
 * nothing recorded is neutral: shown, but not counted). */
static const int fit_weight[FIT__MAX] = {25, 20, 15, 20, 10, 10};

enum { FMT_IN_PERSON = 1, FMT_ONLINE = 2, FMT_HYBRID = 4 };

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

struct fit_person {
	uint32_t features; /* venue features needed */
	json_t *languages; /* borrowed from the profile; NULL when none recorded */
	json_t *interests; /* likewise */
	unsigned formats;  /* FMT_ bits; 0 = none recorded */
	struct {
		int day, start, end; /* minutes after midnight */
	} slots[32];
	int nslots;
};

enum { ENR_NONE, ENR_ENROLLED, ENR_OFFERED, ENR_WAITLISTED };

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
	json_t *item;                             /* the answer's item, once verified */
};

struct reason {
	bool ok, neutral;
	int points;
	const char *detail; /* NULL unless details were asked for */
};

static int hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static bool json_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *v = json_string_value(x);
		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

static void fit_person_load(json_t *profile, struct fit_person *p)
{
	memset(p, 0, sizeof *p);
	json_t *needs = json_object_get(profile, "needs");
	for (size_t i = 0; i < sizeof need_map / sizeof need_map[0]; i++)
		if (json_has(json_object_get(needs, need_map[i].group), need_map[i].need))
			p->features |= 1u << need_map[i].feature;
	json_t *l = json_object_get(profile, "languages");
	p->languages = json_array_size(l) ? l : NULL;
	json_t *in = json_object_get(profile, "interests");
	p->interests = json_array_size(in) ? in : NULL;
	json_t *f = json_object_get(needs, "formats");
	if (json_has(f, "in_person"))
		p->formats |= FMT_IN_PERSON;
	if (json_has(f, "online"))
		p->formats |= FMT_ONLINE;
	if (json_has(f, "hybrid"))
		p->formats |= FMT_HYBRID;
	size_t i;
	json_t *slot;
	json_array_foreach(json_object_get(profile, "availability"), i, slot)
	{
		if (p->nslots == (int)(sizeof p->slots / sizeof p->slots[0]))
			break;
		const char *day = json_string_value(json_object_get(slot, "day"));
		int d = -1;
		for (int k = 0; day && day_names[k]; k++)
			if (strcmp(day, day_names[k]) == 0)
				d = k;
		int st = hhmm(json_string_value(json_object_get(slot, "start")));
		int en = hhmm(json_string_value(json_object_get(slot, "end")));
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

static const char *format_name(unsigned fmt)
{
	return fmt == FMT_ONLINE ? "online" : fmt == FMT_HYBRID ? "hybrid" : "in_person";
}

static const char *format_text(unsigned fmt)
{
	return fmt == FMT_IN_PERSON ? "in person" : format_name(fmt);
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
			s = arena_printf(a, "%s%s%s", s, *s ? ", " : "", day_names[d]);
	return s;
}

/* The first of the person's languages the programme is held in, or NULL. */
static const char *shared_language(const struct fit_person *p, const char *wrapped)
{
	size_t i;
	json_t *l;
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

static void rate_access(const struct fit_person *p, const struct fit_row *row, struct reason *x,
                        const struct fit_text *t)
{
	bool online_ok = !p->formats || (p->formats & (FMT_ONLINE | FMT_HYBRID));
	uint32_t missing = p->features & ~(row->has_venue ? row->features : 0);
	const char *d = NULL;
	if (!p->features) {
		x->neutral = x->ok = true;
		d = "no access needs recorded";
	} else if (row->format == FMT_ONLINE) {
		x->ok = true;
		d = "online: no venue to reach";
	} else if (!missing) {
		x->ok = true;
		if (t)
			d = arena_printf(t->a, "the venue has %s", feature_text(t->a, p->features));
	} else if (row->format == FMT_HYBRID && online_ok) {
		x->ok = true;
		if (t)
			d = arena_printf(t->a, "the venue lacks %s, but you can join online",
			                 feature_text(t->a, missing));
	} else {
		int needed = __builtin_popcount(p->features), lacking = __builtin_popcount(missing);
		x->points = fit_weight[FIT_ACCESS] * (needed - lacking) / needed;
		if (t)
			d = arena_printf(t->a, "the venue lacks %s", feature_text(t->a, missing));
	}
	x->detail = t ? d : NULL;
}

static void rate_time(const struct fit_person *p, const struct fit_row *row, struct reason *x,
                      const struct fit_text *t)
{
	unsigned days = (unsigned)row->weekdays & 0x7f;
	int end = row->start_minute + (int)row->duration;
	if (!p->nslots || !days) {
		x->neutral = x->ok = true;
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
static void rate_places(const struct fit_row *row, struct reason *x, const struct fit_text *t)
{
	int64_t left = row->capacity - row->taken;
	const char *d = NULL;
	if (row->enrol == ENR_ENROLLED || row->enrol == ENR_OFFERED) {
		x->ok = true;
		d = row->enrol == ENR_ENROLLED ? "you have a place" : "a place is offered to you";
	} else if (row->enrol == ENR_WAITLISTED) {
		d = "you are on the waitlist";
	} else if (!row->waitlist && (!row->counted || left > 0)) {
		x->ok = true;
		if (t)
			d = arena_printf(t->a, "%" PRId64 " place%s left", left,
			                 left == 1 ? "" : "s");
	} else if (t) {
		d = arena_printf(t->a, "full; %" PRId64 " on the waitlist", row->waiting);
	}
	x->detail = t ? d : NULL;
}

/* Fills why[0..FIT__MAX) and returns the score 0..100. Details are written
 * only when t is given (for the rows that will be shown). */
static int fit_rate(const struct fit_person *p, const struct fit_row *row, struct reason *why,
                    const struct fit_text *t)
{
	memset(why, 0, FIT__MAX * sizeof *why);
	struct arena *a = t ? t->a : NULL;
	rate_access(p, row, &why[FIT_ACCESS], t);
	struct reason *x = &why[FIT_LANGUAGE];
	if (!p->languages) {
		x->neutral = x->ok = true;
		x->detail = t ? "no languages recorded" : NULL;
	} else {
		x->ok = row->lang_ok;
		if (t)
			x->detail =
			    x->ok && t->spoken
			        ? arena_printf(a, "held in %s, a language you speak", t->spoken)
			        : arena_printf(a, "held in %s", list_text(a, t->languages));
	}
	x = &why[FIT_FORMAT];
	if (!p->formats) {
		x->neutral = x->ok = true;
		if (t)
			x->detail =
			    arena_printf(a, "%s; no preference recorded", format_text(row->format));
	} else {
		x->ok = row->format == FMT_HYBRID || (p->formats & row->format);
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
		x->detail = t ? "no interests recorded" : NULL;
	} else {
		x->ok = row->art_ok;
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
static int fit_mine(struct req *r, int64_t person, struct mine **out, size_t *n)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_FIT_MINE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, person);
	size_t cap = 16;
	*out = arena_alloc(r->arena, cap * sizeof **out);
	*n = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			struct mine *more = arena_alloc(r->arena, 2 * cap * sizeof *more);
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

static int fit_load(struct req *r, const struct fit_person *p, int64_t person, int64_t now,
                    struct fit_row **rows, size_t *n)
{
	struct mine *mine;
	size_t nmine, k = 0;
	int rc = fit_mine(r, person, &mine, &nmine);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(req_db(r), SQL_FIT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, now);
	size_t cap = 256;
	*rows = arena_alloc(r->arena, cap * sizeof **rows);
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		if (db_col_null(s, 11))
			continue; /* no session still to come */
		if (*n == cap) {
			struct fit_row *more = arena_alloc(r->arena, 2 * cap * sizeof *more);
			memcpy(more, *rows, cap * sizeof *more);
			*rows = more;
			cap *= 2;
		}
		struct fit_row *x = &(*rows)[(*n)++];
		memset(x, 0, sizeof *x);
		x->id = db_col_i64(s, 0);
		x->art_form = art_form_of(r->arena, db_col_text(s, 1));
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
		x->score = fit_rate(p, x, (struct reason[FIT__MAX]){0}, NULL);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* The programme as a fit item shows it, from a SQL_FIT_ITEM row. */
static json_t *fit_programme_json(struct db_stmt *s, const struct fit_row *x)
{
	json_t *langs = json_array();
	for (const char *p = db_col_text(s, 16); p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n)
			json_array_append_new(langs, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	int64_t left = x->capacity - x->taken;
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:s, s:I, s:b, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:I}",
	    "id", (json_int_t)x->id, "organisation_id", (json_int_t)db_col_i64(s, 15), "title",
	    db_col_text(s, 11), "art_form", x->art_form, "languages", langs, "format",
	    format_name(x->format), "capacity", (json_int_t)x->capacity, "therapeutic",
	    db_col_i64(s, 17) != 0, "timezone", db_col_text(s, 10), "start_date",
	    db_col_text(s, 18), "end_date", text_or_null(db_col_text(s, 19)), "start_time",
	    db_col_text(s, 20), "duration_minutes", (json_int_t)x->duration, "enrolled",
	    (json_int_t)x->taken, "waitlisted", (json_int_t)db_col_i64(s, 23), "places_left",
	    (json_int_t)(left > 0 ? left : 0));
	json_object_set_new(o, "venue_id", int_or_null(s, 21));
	json_object_set_new(o, "venue", text_or_null(db_col_text(s, 22)));
	return o;
}

/* Reads the row's next published session and counts its places, scores it
 * for good and builds its item (left NULL when no published session is to
 * come). Both can only make the row rank lower than it did. */
static int fit_verify(struct req *r, const struct fit_person *p, struct fit_row *x, int64_t now)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_FIT_ITEM);
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
		struct fit_text t = {r->arena, arena_strdup(r->arena, db_col_text(s, 16)), NULL};
		if (p->languages)
			t.spoken = shared_language(p, t.languages);
		struct reason why[FIT__MAX];
		x->score = fit_rate(p, x, why, &t);
		json_t *reasons = json_array();
		for (int k = 0; k < FIT__MAX; k++)
			json_array_append_new(reasons,
			                      json_pack("{s:s, s:b, s:s}", "code", fit_codes[k],
			                                "ok", why[k].ok, "detail", why[k].detail));
		x->item = json_pack("{s:o, s:i, s:o, s:o}", "programme", fit_programme_json(s, x),
		                    "score", x->score, "reasons", reasons, "next_session",
		                    session_row(s));
		json_object_set_new(x->item, "enrolment",
		                    x->enrol ? json_pack("{s:I, s:s}", "id",
		                                         (json_int_t)x->enrol_id, "status",
		                                         x->enrol == ENR_ENROLLED  ? "enrolled"
		                                         : x->enrol == ENR_OFFERED ? "offered"
		                                                                   : "waitlisted")
		                             : json_null());
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Ranks the published programmes for the person's profile, best first, and
 * builds the answer for the first limit of them.
 *
 * The rows are ranked first with places taken assumed free and the next
 * session the earliest of any status (so a row can only fall once it is
 * verified). Rows are then verified in that
 * order, each placed among the verified ones, until limit are verified and
 * the next row's hopeful rank is no better than the last of them: nothing
 * after it can do better. So places are counted for the rows shown and the
 * few that a full programme pushed out, never for all. */
static json_t *fit_answer(struct req *r, int64_t person, json_t *profile, int limit, int *rc)
{
	struct fit_person p;
	struct fit_row *rows;
	size_t n, nbest = 0;
	int64_t now = util_now();
	fit_person_load(profile, &p);
	if ((*rc = fit_load(r, &p, person, now, &rows, &n)) != 0)
		return NULL;
	qsort(rows, n, sizeof *rows, fit_cmp);
	struct fit_row **best = arena_alloc(r->arena, (n ? n : 1) * sizeof *best);
	for (size_t i = 0; i < n && !*rc; i++) {
		if (nbest >= (size_t)limit && fit_cmp(best[limit - 1], &rows[i]) <= 0)
			break;
		if ((*rc = fit_verify(r, &p, &rows[i], now)) != 0 || !rows[i].item)
			continue;
		size_t k = nbest++;
		while (k > 0 && fit_cmp(best[k - 1], &rows[i]) > 0) {
			best[k] = best[k - 1];
			k--;
		}
		best[k] = &rows[i];
	}
	json_t *items = json_array();
	for (size_t i = 0; i < nbest; i++) {
		if (i < (size_t)limit && !*rc)
			json_array_append_new(items, best[i]->item);
		else
			json_decref(best[i]->item);
	}
	if (*rc) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o}", "items", items);
}

void part_http_fit_me(struct req *r)
{
	int limit, rc;
	int64_t me;
	if (!query_limit(r, FIT_DEFAULT, FIT_MAX, &limit) || !(me = self_or_404(r)))
		return;
	/* The person reading their own needs to rank programmes: not a read
	 * of someone else's record, so not audited (it must stay fast). */
	struct person_view v;
	rc = people_view(px(r), req_db(r), r->arena, me, &v);
	if (!rc && v.erased)
		rc = -HEARTH_ENOTFOUND;
	if (rc) {
		json_decref(v.profile);
		http_error(r, rc, "your record");
		return;
	}
	json_t *out = fit_answer(r, me, v.profile, limit, &rc);
	json_decref(v.profile);
	if (!out) {
		http_error(r, rc, "sessions that fit you");
		return;
	}
	http_json(r, 200, out);
}

static bool serves_person(const struct req *r, uint32_t mask, const struct person_view *v)
{
	for (size_t i = 0; i < v->norgs; i++)
		if (programs_serves(&r->actor, mask, v->org_ids[i]))
			return true;
	return false;
}

void part_http_fit_person(struct req *r)
{
	int limit, rc;
	int64_t id = req_param_id(r, "id");
	if (!query_limit(r, FIT_DEFAULT, FIT_MAX, &limit) || !begin_write(r, "the person"))
		return;
	struct db_conn *c = req_db(r);
	struct person_view v;
	memset(&v, 0, sizeof v);
	if ((rc = people_view(px(r), c, r->arena, id, &v)) != 0 && rc != -HEARTH_ENOTFOUND) {
		abort_error(r, rc, "the person");
		return;
	}
	/* Nobody by that id is refused like someone of another organisation
	 * (scope.h): the answer says nothing about who exists. */
	if (rc == -HEARTH_ENOTFOUND || !serves_person(r, PM_STAFF, &v)) {
		json_decref(v.profile);
		/* A denied read of a person is audited too. */
		(void)req_audit(r, "participant.fit", resource(r, "participant", id), "denied");
		db_commit(c);
		http_problem(r, 403, "this person is not in your organisation");
		return;
	}
	if (v.erased) {
		abort_problem(r, 410, NULL,
		              "this person's record was erased; only a tombstone remains");
		return;
	}
	json_t *out = fit_answer(r, id, v.profile, limit, &rc);
	json_decref(v.profile);
	if (!req_commit(r, out ? 0 : rc, "participant.fit", resource(r, "participant", id),
	                "sessions that fit this person")) {
		json_decref(out);
		return;
	}
	http_json(r, 200, out);
}

/* ------------------------------------------------------------------ */
/* Supports                                                            */

#define SUPPORT_COLUMNS                                                                     \
	"id, programme_id, session_id, participant_id, kind, status, amount_cents, notes, " \
	"requested_by, requested_at, decided_by, decided_at, provided_at, notes_sealed"
static const char SQL_SUPPORT_INSERT[] =
    "INSERT INTO supports (programme_id, session_id, participant_id, kind, amount_cents, notes, "
    "requested_by, requested_at, notes_sealed) VALUES (?1, ?2, ?3, ?4, ?5, '', ?7, ?8, ?6) "
    "RETURNING id";
static const char SQL_SUPPORT_GET[] = "SELECT " SUPPORT_COLUMNS " FROM supports WHERE id = ?1";
static const char SQL_SUPPORT_LIST[] =
    "SELECT " SUPPORT_COLUMNS " FROM supports WHERE programme_id = ?1 ORDER BY id LIMIT 2000";
static const char SQL_SUPPORT_DECIDE[] =
    "UPDATE supports SET status = ?2, amount_cents = ?3, decided_by = COALESCE(?4, decided_by), "
    "decided_at = COALESCE(?5, decided_at), provided_at = ?6 WHERE id = ?1 AND status = ?7";
static const char SQL_SUPPORT_LEDGER[] =
    "SELECT kind, COUNT(*), "
    "SUM(CASE WHEN status IN ('approved', 'provided') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'provided' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'declined' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'requested' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status IN ('approved', 'provided') THEN amount_cents ELSE 0 END), "
    "SUM(CASE WHEN status = 'provided' THEN amount_cents ELSE 0 END) "
    "FROM supports WHERE programme_id = ?1 GROUP BY kind";
static const char SQL_SESSION_OF[] = "SELECT programme_id FROM programme_sessions WHERE id = ?1";
static const char SQL_HOLDS_PLACE[] =
    "SELECT 1 FROM enrolments WHERE programme_id = ?1 AND participant_id = ?2 "
    "AND status IN ('enrolled', 'offered', 'waitlisted')";

/* A support as staff see it. The note is sealed with the person's key
 * (older rows: in the clear until start-up seals them); once the person is
 * erased it reads as null. */
static json_t *support_row(struct req *r, struct db_stmt *s)
{
	const char *notes = NULL;
	size_t len = 0;
	const void *sealed = db_col_null(s, 13) ? NULL : db_col_blob(s, 13, &len);
	if (programs_note_open(px(r), r->arena, db_col_i64(s, 3), sealed, len, db_col_text(s, 7),
	                       &notes) != 0)
		notes = NULL; /* unreadable: shown as no note rather than failing the list */
	json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:s, s:s, s:I, s:o}", "id",
	                      (json_int_t)db_col_i64(s, 0), "programme_id",
	                      (json_int_t)db_col_i64(s, 1), "session_id", int_or_null(s, 2),
	                      "participant_id", (json_int_t)db_col_i64(s, 3), "kind",
	                      db_col_text(s, 4), "status", db_col_text(s, 5), "amount_cents",
	                      (json_int_t)db_col_i64(s, 6), "notes", text_or_null(notes));
	json_object_set_new(o, "requested_by", int_or_null(s, 8));
	json_object_set_new(o, "requested_at", iso_json(db_col_i64(s, 9)));
	json_object_set_new(o, "decided_by", int_or_null(s, 10));
	json_object_set_new(o, "decided_at", iso_or_null(s, 11));
	json_object_set_new(o, "provided_at", iso_or_null(s, 12));
	return o;
}

static json_t *support_load(struct req *r, int64_t id)
{
	struct db_conn *c = req_db(r);
	struct db_stmt *s = db_prepare(c, SQL_SUPPORT_GET);
	if (!s)
		return NULL;
	db_bind_i64(s, 1, id);
	json_t *o = db_step(s) == DB_ROW ? support_row(r, s) : NULL;
	db_finish(s);
	return o;
}

static int one_int(struct db_conn *c, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, a);
	if (b)
		db_bind_i64(s, 2, b);
	int rc = db_step(s);
	*out = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

struct support_in {
	int64_t programme, session, person, amount;
	const char *kind, *notes;
	bool by_self;
};

/* Records a support request and answers. */
static void support_request(struct req *r, const struct support_in *in)
{
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	const char *pfield = in->by_self ? "programme_id" : "id";
	int rc = programs_programme_ref(c, r->arena, in->programme, &ref);
	if (rc == -HEARTH_ENOTFOUND ||
	    (!rc && in->by_self && strcmp(ref.status, "published") != 0)) {
		programs_bad(r, 404, pfield, "there is no programme %" PRId64, in->programme);
		return;
	}
	if (rc) {
		http_error(r, rc, "the programme");
		return;
	}
	if (!in->by_self && !programs_serves(&r->actor, PM_STAFF, ref.organisation_id)) {
		http_problem(r, 403, "this programme belongs to another organisation");
		return;
	}
	if (!in->by_self &&
	    !programs_scope_participant(r, "participant_id", in->person, ref.organisation_id, NULL))
		return;
	int64_t of = 0, holds = 0, id = 0;
	if (in->session &&
	    ((rc = one_int(c, SQL_SESSION_OF, in->session, 0, &of)) != 0 || of != in->programme)) {
		if (rc)
			http_error(r, rc, "the session");
		else
			programs_bad(r, 400, "session_id",
			             "session_id: session %" PRId64
			             " is not a session of this programme",
			             in->session);
		return;
	}
	if (!begin_write(r, "the support"))
		return;
	if ((rc = one_int(c, SQL_HOLDS_PLACE, in->programme, in->person, &holds)) != 0) {
		abort_error(r, rc, "the support");
		return;
	}
	if (!holds) {
		db_rollback(c);
		programs_bad(r, 409, in->by_self ? "programme_id" : "participant_id",
		             in->by_self
		                 ? "programme_id: you have no place (or waitlist place) in this "
		                   "programme"
		                 : "participant_id: this person has no place (or waitlist "
		                   "place) in this programme");
		return;
	}
	/* The note is sealed with the person's key, so erasure reaches it. */
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	if (in->notes && *in->notes &&
	    (rc = people_seal(px(r), r->arena, in->person, in->notes, strlen(in->notes), &sealed,
	                      &sealed_len)) != 0) {
		if (rc == -HEARTH_ENOTFOUND)
			abort_problem(r, 410, NULL, "this person's record was erased");
		else
			abort_error(r, rc, "the support");
		return;
	}
	struct db_stmt *s = db_prepare(c, SQL_SUPPORT_INSERT);
	if (!s) {
		rc = -HEARTH_EDB;
	} else {
		db_bind_i64(s, 1, in->programme);
		db_bind_id(s, 2, in->session);
		db_bind_i64(s, 3, in->person);
		db_bind_text(s, 4, in->kind);
		db_bind_i64(s, 5, in->amount);
		if (sealed)
			db_bind_blob(s, 6, sealed, sealed_len);
		else
			db_bind_null(s, 6);
		bind_user(s, 7, r->actor.user_id);
		db_bind_i64(s, 8, util_now());
		rc = db_insert_id(s, &id);
	}
	if (!req_commit(r, rc, in->by_self ? "self.support.request" : "support.request",
	                resource(r, "support", id), "the support"))
		return;
	json_t *o = support_load(r, id);
	if (!o)
		http_error(r, -HEARTH_EDB, "the support");
	else
		http_json(r, 201, o);
}

static const struct field part_http_support_create_fields[] = {
    {"participant_id", FIELD_INT, true, 1},
    {"session_id", FIELD_INT, false, 1},
    {"kind", FIELD_ENUM, true, 0, 0, support_kinds},
    {"amount_cents", FIELD_INT, false, 0, 100000000},
    {"notes", FIELD_STRING, false, 0, 500},
};
const struct field_table part_http_support_create_body =
    FIELD_TABLE(part_http_support_create_fields);

void part_http_support_create(struct req *r)
{
	struct field_value v[NFIELDS(part_http_support_create_fields)];
	if (!req_body_fields(r, &part_http_support_create_body, v))
		return;
	struct support_in in = {
	    .programme = req_param_id(r, "id"),
	    .person = v[0].i,
	    .session = v[1].present ? v[1].i : 0,
	    .kind = v[2].s,
	    .amount = v[3].present ? v[3].i : 0,
	    .notes = v[4].s,
	};
	support_request(r, &in);
}

static const struct field part_http_me_support_fields[] = {
    {"programme_id", FIELD_INT, true, 1},
    {"session_id", FIELD_INT, false, 1},
    {"kind", FIELD_ENUM, true, 0, 0, support_kinds},
    {"notes", FIELD_STRING, false, 0, 500},
};
const struct field_table part_http_me_support_body = FIELD_TABLE(part_http_me_support_fields);

void part_http_me_support(struct req *r)
{
	struct field_value v[NFIELDS(part_http_me_support_fields)];
	int64_t me;
	if (!req_body_fields(r, &part_http_me_support_body, v) || !(me = self_or_404(r)))
		return;
	struct support_in in = {
	    .programme = v[0].i,
	    .person = me,
	    .session = v[1].present ? v[1].i : 0,
	    .kind = v[2].s,
	    .notes = v[3].s,
	    .by_self = true,
	};
	support_request(r, &in);
}

/* The programme's organisation, answering 404/403 unless the actor holds a
 * role in mask there. */
static bool programme_scope(struct req *r, int64_t programme, uint32_t mask, struct prog_ref *ref)
{
	int rc = programs_programme_ref(req_db(r), r->arena, programme, ref);
	if (rc) {
		http_error(r, rc, "the programme");
		return false;
	}
	if (!programs_serves(&r->actor, mask, ref->organisation_id)) {
		http_problem(r, 403, "this programme belongs to another organisation");
		return false;
	}
	return true;
}

void part_http_support_list(struct req *r)
{
	struct prog_ref ref;
	int64_t programme = req_param_id(r, "id");
	if (!programme_scope(r, programme, PM_MANAGE, &ref) || !begin_write(r, "the supports"))
		return;
	struct db_conn *c = req_db(r);
	struct db_stmt *s = db_prepare(c, SQL_SUPPORT_LIST);
	if (!s) {
		abort_error(r, -HEARTH_EDB, "the supports");
		return;
	}
	db_bind_i64(s, 1, programme);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, support_row(r, s));
	db_finish(s);
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	    set_name(r, o, json_integer_value(json_object_get(o, "participant_id")));
	if (!req_commit(r, rc < 0 ? rc : 0, "support.read", resource(r, "programme", programme),
	                "the supports")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field part_http_support_update_fields[] = {
    {"status", FIELD_ENUM, true, 0, 0, support_states},
    {"amount_cents", FIELD_INT, false, 0, 100000000},
};
const struct field_table part_http_support_update_body =
    FIELD_TABLE(part_http_support_update_fields);

void part_http_support_update(struct req *r)
{
	struct field_value v[NFIELDS(part_http_support_update_fields)];
	if (!req_body_fields(r, &part_http_support_update_body, v))
		return;
	struct db_conn *c = req_db(r);
	int64_t id = req_param_id(r, "id");
	json_t *cur = support_load(r, id);
	if (!cur) {
		http_error(r, -HEARTH_ENOTFOUND, "the support");
		return;
	}
	struct prog_ref ref;
	int64_t programme = json_integer_value(json_object_get(cur, "programme_id"));
	const char *from =
	    arena_strdup(r->arena, json_string_value(json_object_get(cur, "status")));
	int64_t amount =
	    v[1].present ? v[1].i : json_integer_value(json_object_get(cur, "amount_cents"));
	json_decref(cur);
	if (!programme_scope(r, programme, PM_MANAGE, &ref))
		return;
	const char *to = v[0].s;
	/* requested -> approved | declined | provided; approved -> provided |
	 * declined (or approved again to correct the amount). Declined and
	 * provided supports are settled. */
	bool ok = strcmp(from, "requested") == 0 || strcmp(from, "approved") == 0;
	if (!ok) {
		programs_bad(r, 409, "status", "status: a %s support cannot become %s", from, to);
		return;
	}
	int64_t now = util_now();
	bool decides = strcmp(from, "requested") == 0 || strcmp(to, "declined") == 0;
	if (!begin_write(r, "the support"))
		return;
	struct db_stmt *s = db_prepare(c, SQL_SUPPORT_DECIDE);
	int rc;
	if (!s) {
		rc = -HEARTH_EDB;
	} else {
		db_bind_i64(s, 1, id);
		db_bind_text(s, 2, to);
		db_bind_i64(s, 3, amount);
		if (decides) {
			bind_user(s, 4, r->actor.user_id);
			db_bind_i64(s, 5, now);
		} else {
			db_bind_null(s, 4);
			db_bind_null(s, 5);
		}
		if (strcmp(to, "provided") == 0)
			db_bind_i64(s, 6, now);
		else
			db_bind_null(s, 6);
		db_bind_text(s, 7, from);
		rc = db_run_one(s);
		if (rc == -HEARTH_ENOTFOUND)
			rc = -HEARTH_ECONFLICT; /* changed by someone else meanwhile */
	}
	if (!req_commit(r, rc, arena_printf(r->arena, "support.%s", to), resource(r, "support", id),
	                "the support"))
		return;
	json_t *o = support_load(r, id);
	if (!o)
		http_error(r, -HEARTH_EDB, "the support");
	else
		http_json(r, 200, o);
}

void part_http_support_ledger(struct req *r)
{
	struct prog_ref ref;
	int64_t programme = req_param_id(r, "id");
	if (!programme_scope(r, programme, PM_MANAGE, &ref))
		return;
	struct db_stmt *s = db_prepare(req_db(r), SQL_SUPPORT_LEDGER);
	if (!s) {
		http_error(r, -HEARTH_EDB, "the ledger");
		return;
	}
	db_bind_i64(s, 1, programme);
	int64_t v[4][7] = {{0}}; /* per kind: requests, approved, provided, declined, pending,
	                           cents approved, cents provided */
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		for (int k = 0; support_kinds[k]; k++)
			if (strcmp(db_col_text(s, 0), support_kinds[k]) == 0)
				for (int j = 0; j < 7; j++)
					v[k][j] = db_col_i64(s, j + 1);
	db_finish(s);
	if (rc < 0) {
		http_error(r, rc, "the ledger");
		return;
	}
	json_t *by = json_array();
	int64_t approved = 0, provided = 0;
	for (int k = 0; support_kinds[k]; k++) {
		/* "approved" counts every support that was approved, including
		 * those since provided; amounts likewise. */
		json_array_append_new(
		    by,
		    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "kind", support_kinds[k],
		              "requested", (json_int_t)v[k][0], "approved", (json_int_t)v[k][1],
		              "provided", (json_int_t)v[k][2], "declined", (json_int_t)v[k][3],
		              "pending", (json_int_t)v[k][4], "amount_cents_approved",
		              (json_int_t)v[k][5], "amount_cents_provided", (json_int_t)v[k][6]));
		approved += v[k][5];
		provided += v[k][6];
	}
	http_json(r, 200,
	          json_pack("{s:I, s:s, s:o, s:I, s:I}", "programme_id", (json_int_t)programme,
	                    "currency_unit", "cents", "by_kind", by, "total_cents_approved",
	                    (json_int_t)approved, "total_cents_provided", (json_int_t)provided));
}

/* ------------------------------------------------------------------ */
/* Attendance                                                          */

static const char SQL_SESSION_STATE[] =
    "SELECT status, programme_id FROM programme_sessions WHERE id = ?1";
static const char SQL_REGISTER[] =
    "SELECT x.pid, a.status, a.sat_out, "
    "(SELECT e.status FROM enrolments e WHERE e.programme_id = ?2 AND e.participant_id = x.pid) "
    "FROM (SELECT participant_id AS pid FROM enrolments WHERE programme_id = ?2 "
    "AND status = 'enrolled' UNION SELECT participant_id FROM attendance WHERE session_id = ?1) x "
    "LEFT JOIN attendance a ON a.session_id = ?1 AND a.participant_id = x.pid "
    "ORDER BY x.pid LIMIT 2000";
static const char SQL_MARKABLE[] =
    "SELECT participant_id FROM enrolments WHERE programme_id = ?2 AND status = 'enrolled' "
    "UNION SELECT participant_id FROM attendance WHERE session_id = ?1 ORDER BY 1";
static const char SQL_MARK[] =
    "INSERT INTO attendance (session_id, participant_id, status, sat_out, marked_by, marked_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (session_id, participant_id) DO UPDATE SET "
    "status = excluded.status, sat_out = excluded.sat_out, marked_by = excluded.marked_by, "
    "marked_at = excluded.marked_at";

/* The session's programme facts and status; answers and returns false when
 * absent or when the actor does not serve its organisation. */
static bool session_scope(struct req *r, int64_t session, struct prog_ref *ref, const char **status)
{
	struct db_conn *c = req_db(r);
	int rc = programs_session_ref(c, r->arena, session, ref);
	if (rc) {
		http_error(r, rc, "the session");
		return false;
	}
	if (!programs_serves(&r->actor, PM_FRONTLINE, ref->organisation_id)) {
		http_problem(r, 403, "this session belongs to another organisation");
		return false;
	}
	struct db_stmt *s = db_prepare(c, SQL_SESSION_STATE);
	if (!s) {
		http_error(r, -HEARTH_EDB, "the session");
		return false;
	}
	db_bind_i64(s, 1, session);
	*status = db_step(s) == DB_ROW ? arena_strdup(r->arena, db_col_text(s, 0)) : "";
	db_finish(s);
	return true;
}

struct reg_item {
	int64_t pid;
	const char *name, *status, *enrolment;
	bool sat_out, marked, erased;
};

static int reg_cmp(const void *a, const void *b)
{
	const struct reg_item *x = a, *y = b;
	if (!x->name || !y->name)
		return x->name ? -1 : y->name ? 1 : (x->pid > y->pid) - (x->pid < y->pid);
	int c = strcasecmp(x->name, y->name);
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

void part_http_attendance_get(struct req *r)
{
	struct prog_ref ref;
	const char *state;
	int64_t session = req_param_id(r, "id");
	if (!session_scope(r, session, &ref, &state) || !begin_write(r, "the register"))
		return;
	struct db_conn *c = req_db(r);
	struct db_stmt *s = db_prepare(c, SQL_REGISTER);
	if (!s) {
		abort_error(r, -HEARTH_EDB, "the register");
		return;
	}
	db_bind_i64(s, 1, session);
	db_bind_i64(s, 2, ref.programme_id);
	size_t n = 0, cap = 32;
	struct reg_item *items = arena_alloc(r->arena, cap * sizeof *items);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			struct reg_item *more = arena_alloc(r->arena, 2 * cap * sizeof *more);
			memcpy(more, items, cap * sizeof *more);
			items = more;
			cap *= 2;
		}
		struct reg_item *x = &items[n++];
		memset(x, 0, sizeof *x);
		x->pid = db_col_i64(s, 0);
		x->marked = !db_col_null(s, 1);
		x->status = arena_strdup(r->arena, db_col_text(s, 1));
		x->sat_out = db_col_i64(s, 2) != 0;
		x->enrolment = arena_strdup(r->arena, db_col_text(s, 3));
	}
	db_finish(s);
	if (rc < 0) {
		abort_error(r, rc, "the register");
		return;
	}
	for (size_t i = 0; i < n; i++)
		items[i].name = person_name(r, items[i].pid, &items[i].erased);
	qsort(items, n, sizeof *items, reg_cmp);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:I, s:o, s:o, s:b, s:o}", "participant_id", (json_int_t)items[i].pid, "name",
		    text_or_null(items[i].name), "status", text_or_null(items[i].status), "sat_out",
		    items[i].sat_out, "enrolment", text_or_null(items[i].enrolment));
		if (items[i].erased)
			json_object_set_new(o, "erased", json_true());
		json_array_append_new(arr, o);
	}
	json_t *sess = session_by_id(c, session);
	if (!req_commit(r, 0, "attendance.read", resource(r, "session", session), "the register")) {
		json_decref(arr);
		json_decref(sess);
		return;
	}
	http_json(r, 200,
	          json_pack("{s:o, s:o}", "session", sess ? sess : json_null(), "items", arr));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Who may be marked in the session: enrolled people and anyone already
 * marked (a mark can be corrected after someone left). Sorted. */
static int markable(struct req *r, int64_t session, int64_t programme, int64_t **ids, size_t *n)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_MARKABLE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, session);
	db_bind_i64(s, 2, programme);
	size_t cap = 64;
	*ids = arena_alloc(r->arena, cap * sizeof **ids);
	*n = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			int64_t *more = arena_alloc(r->arena, 2 * cap * sizeof *more);
			memcpy(more, *ids, cap * sizeof *more);
			*ids = more;
			cap *= 2;
		}
		(*ids)[(*n)++] = db_col_i64(s, 0);
	}
	db_finish(s);
	/* UNION's ORDER BY sorts already; sort again so the order never
	 * depends on a backend's collation of integers. */
	qsort(*ids, *n, sizeof **ids, cmp_i64);
	return rc < 0 ? rc : 0;
}

static const struct field part_http_attendance_mark_mark_fields[] = {
    {"participant_id", FIELD_INT, true, 1},
    {"status", FIELD_ENUM, true, 0, 0, mark_states},
    {"sat_out", FIELD_BOOL},
    {"sat_out_agreed", FIELD_BOOL},
};
static const struct field part_http_attendance_mark_fields[] = {
    {"marks", FIELD_OBJECTS, true, 0, 0, NULL, part_http_attendance_mark_mark_fields,
     NFIELDS(part_http_attendance_mark_mark_fields), MAX_MARKS},
};
const struct field_table part_http_attendance_mark_body =
    FIELD_TABLE(part_http_attendance_mark_fields);

void part_http_attendance_mark(struct req *r)
{
	struct field_value v[NFIELDS(part_http_attendance_mark_fields)];
	if (!req_body_fields(r, &part_http_attendance_mark_body, v))
		return;
	size_t n = json_array_size(v[0].j);
	if (n == 0) {
		programs_bad(r, 400, "marks", "marks must hold 1 to %d marks", MAX_MARKS);
		return;
	}
	struct mark {
		int64_t pid;
		const char *status;
		bool sat_out;
	} *marks = arena_alloc(r->arena, n * sizeof *marks);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(v[0].j, i);
		marks[i].pid = json_integer_value(json_object_get(m, "participant_id"));
		marks[i].status = json_string_value(json_object_get(m, "status"));
		marks[i].sat_out = json_is_true(json_object_get(m, "sat_out"));
		bool came =
		    strcmp(marks[i].status, "present") == 0 || strcmp(marks[i].status, "late") == 0;
		/* Sitting out is recorded only when the person agreed to it being
		 * recorded; it counts as attending, so only someone who came can. */
		if (marks[i].sat_out && !json_is_true(json_object_get(m, "sat_out_agreed"))) {
			programs_bad(
			    r, 400, arena_printf(r->arena, "marks[%zu].sat_out_agreed", i),
			    "marks[%zu].sat_out_agreed: sitting out is recorded only when the "
			    "person agrees; send sat_out_agreed true, or leave sat_out out",
			    i);
			return;
		}
		if (marks[i].sat_out && !came) {
			programs_bad(
			    r, 400, arena_printf(r->arena, "marks[%zu].sat_out", i),
			    "marks[%zu].sat_out: only someone present or late can sit out an "
			    "activity",
			    i);
			return;
		}
	}
	struct prog_ref ref;
	const char *state;
	int64_t session = req_param_id(r, "id");
	if (!session_scope(r, session, &ref, &state))
		return;
	if (strcmp(state, "published") != 0) {
		http_problem_ext(
		    r, 409, json_pack("{s:s}", "session_status", state),
		    strcmp(state, "cancelled") == 0
		        ? "this session was cancelled; attendance cannot be marked"
		        : "this session is not published yet; attendance cannot be marked");
		return;
	}
	if (!begin_write(r, "the attendance"))
		return;
	struct db_conn *c = req_db(r);
	int64_t *ids;
	size_t nids;
	int rc = markable(r, session, ref.programme_id, &ids, &nids);
	if (rc) {
		abort_error(r, rc, "the attendance");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!bsearch(&marks[i].pid, ids, nids, sizeof *ids, cmp_i64)) {
			db_rollback(c);
			programs_bad(r, 400, arena_printf(r->arena, "marks[%zu].participant_id", i),
			             "marks[%zu].participant_id: person %" PRId64
			             " is not enrolled in this programme",
			             i, marks[i].pid);
			return;
		}
	/* One statement, prepared once, run for every mark in one transaction. */
	struct db_stmt *s = db_prepare(c, SQL_MARK);
	int64_t now = util_now();
	rc = s ? 0 : -HEARTH_EDB;
	for (size_t i = 0; i < n && !rc; i++) {
		db_bind_i64(s, 1, session);
		db_bind_i64(s, 2, marks[i].pid);
		db_bind_text(s, 3, marks[i].status);
		db_bind_i64(s, 4, marks[i].sat_out);
		bind_user(s, 5, r->actor.user_id);
		db_bind_i64(s, 6, now);
		rc = db_run(s);
	}
	if (!req_commit(r, rc, "attendance.mark", resource(r, "session", session),
	                "the attendance"))
		return;
	http_json(r, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}

/* ------------------------------------------------------------------ */
/* Follow-up                                                           */

/* Enrolled people whose last two held sessions (published and already
 * started) in the programme were both marked absent; excused and sat-out
 * marks never count. ?1 now, ?2 organisation (0: all). */
static const char SQL_FOLLOWUP_DUE[] =
    "SELECT e.participant_id, p.id, p.title, p.timezone FROM enrolments e "
    "JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.status = 'enrolled' AND (?2 = 0 OR p.organisation_id = ?2) AND 2 = ("
    "SELECT COUNT(*) FROM attendance a WHERE a.participant_id = e.participant_id "
    "AND a.status = 'absent' AND a.sat_out = 0 AND a.session_id IN ("
    "SELECT s.id FROM programme_sessions s WHERE s.programme_id = p.id "
    "AND s.status = 'published' AND s.starts_at <= ?1 "
    "ORDER BY s.starts_at DESC, s.id DESC LIMIT 2)) "
    "ORDER BY p.id, e.participant_id LIMIT 2000";
static const char SQL_LAST_HELD[] =
    "SELECT s.starts_at FROM programme_sessions s WHERE s.programme_id = ?1 "
    "AND s.status = 'published' AND s.starts_at <= ?2 ORDER BY s.starts_at DESC, s.id DESC "
    "LIMIT 2";
static const char SQL_LAST_ACTION[] =
    "SELECT f.id, f.action, f.user_id, u.display_name, f.created_at FROM followups f "
    "LEFT JOIN users u ON u.id = f.user_id WHERE f.participant_id = ?1 AND f.programme_id = ?2 "
    "ORDER BY f.id DESC LIMIT 1";
static const char SQL_FOLLOWUP_INSERT[] =
    "INSERT INTO followups (participant_id, programme_id, action, note, user_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_HAS_ENROLMENT[] =
    "SELECT 1 FROM enrolments WHERE programme_id = ?1 AND participant_id = ?2";
static const char SQL_FOLLOWUP_LOG[] =
    "SELECT f.id, f.participant_id, f.programme_id, p.title, f.action, f.note, f.user_id, "
    "u.display_name, f.created_at FROM followups f JOIN programmes p ON p.id = f.programme_id "
    "LEFT JOIN users u ON u.id = f.user_id "
    "WHERE (?1 = 0 OR p.organisation_id = ?1) AND (?2 = 0 OR f.participant_id = ?2) "
    "ORDER BY f.id DESC LIMIT 500";

struct due {
	int64_t pid, programme;
	const char *title, *zone;
};

/* Appends the rows of SQL_FOLLOWUP_DUE for one organisation (0 = all). */
static int due_load(struct req *r, int64_t org, struct due **rows, size_t *n, size_t *cap)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_FOLLOWUP_DUE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, util_now());
	db_bind_i64(s, 2, org);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == *cap) {
			size_t bigger = *cap ? 2 * *cap : 32;
			struct due *more = arena_alloc(r->arena, bigger * sizeof *more);
			if (*n)
				memcpy(more, *rows, *n * sizeof *more);
			*rows = more;
			*cap = bigger;
		}
		struct due *d = &(*rows)[(*n)++];
		d->pid = db_col_i64(s, 0);
		d->programme = db_col_i64(s, 1);
		d->title = arena_strdup(r->arena, db_col_text(s, 2));
		d->zone = arena_strdup(r->arena, db_col_text(s, 3));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

static json_t *last_action(struct db_conn *c, int64_t pid, int64_t programme)
{
	struct db_stmt *s = db_prepare(c, SQL_LAST_ACTION);
	if (!s)
		return json_null();
	db_bind_i64(s, 1, pid);
	db_bind_i64(s, 2, programme);
	json_t *o = json_null();
	if (db_step(s) == DB_ROW) {
		o = json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)db_col_i64(s, 0),
		              "action", db_col_text(s, 1), "user_id", int_or_null(s, 2), "by",
		              text_or_null(db_col_text(s, 3)), "at", iso_json(db_col_i64(s, 4)));
	}
	db_finish(s);
	return o;
}

static json_t *missed_dates(struct req *r, const struct due *d)
{
	json_t *arr = json_array();
	struct db_stmt *s = db_prepare(req_db(r), SQL_LAST_HELD);
	if (!s)
		return arr;
	db_bind_i64(s, 1, d->programme);
	db_bind_i64(s, 2, util_now());
	while (db_step(s) == DB_ROW)
		json_array_insert_new(arr, 0,
		                      json_string(local_date(r->arena, db_col_i64(s, 0), d->zone)));
	db_finish(s);
	return arr;
}

void part_http_followup_list(struct req *r)
{
	int64_t orgs[32];
	bool all;
	size_t norgs = programs_orgs(&r->actor, PM_FRONTLINE, orgs, 32, &all);
	if (all) {
		orgs[0] = 0;
		norgs = 1;
	}
	if (!begin_write(r, "the follow-ups"))
		return;
	struct db_conn *c = req_db(r);
	struct due *rows = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < norgs && !rc; i++)
		rc = due_load(r, orgs[i], &rows, &n, &cap);
	json_t *items = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		bool erased;
		const char *name = person_name(r, rows[i].pid, &erased);
		if (erased)
			continue;
		json_t *o =
		    json_pack("{s:I, s:o, s:I, s:s, s:o, s:b, s:o}", "participant_id",
		              (json_int_t)rows[i].pid, "name", text_or_null(name), "programme_id",
		              (json_int_t)rows[i].programme, "programme", rows[i].title, "missed",
		              missed_dates(r, &rows[i]), "may_contact",
		              consent_allows(c, rows[i].pid, PURPOSE_CONTACT), "last_action",
		              last_action(c, rows[i].pid, rows[i].programme));
		json_array_append_new(items, o);
	}
	/* The names shown are reads of those people's records. */
	if (!req_commit(r, rc, "followup.read", "followups", "the follow-ups")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field part_http_followup_create_fields[] = {
    {"participant_id", FIELD_INT, true, 1},
    {"programme_id", FIELD_INT, true, 1},
    {"action", FIELD_ENUM, true, 0, 0, followup_actions},
    {"note", FIELD_STRING, false, 0, 2000},
};
const struct field_table part_http_followup_create_body =
    FIELD_TABLE(part_http_followup_create_fields);

void part_http_followup_create(struct req *r)
{
	struct field_value v[NFIELDS(part_http_followup_create_fields)];
	if (!req_body_fields(r, &part_http_followup_create_body, v))
		return;
	int64_t pid = v[0].i, programme = v[1].i, holds = 0, id = 0;
	const char *action = v[2].s, *note = v[3].present ? v[3].s : NULL;
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	int rc;
	if (!programs_scope_programme(r, "programme_id", programme, PM_FRONTLINE, &ref) ||
	    !programs_scope_participant(r, "participant_id", pid, ref.organisation_id, NULL) ||
	    !begin_write(r, "the follow-up"))
		return;
	if ((rc = one_int(c, SQL_HAS_ENROLMENT, programme, pid, &holds)) != 0) {
		abort_error(r, rc, "the follow-up");
		return;
	}
	if (!holds) {
		db_rollback(c);
		programs_bad(r, 409, "participant_id",
		             "participant_id: this person has no place in this programme");
		return;
	}
	/* Reaching out needs the person's consent to be contacted, asked now. */
	bool contacting = strcmp(action, "called") == 0 || strcmp(action, "messaged") == 0 ||
	                  strcmp(action, "no_answer") == 0;
	if (contacting && !consent_allows(c, pid, PURPOSE_CONTACT)) {
		abort_problem(r, 403, json_pack("{s:s}", "consent", "contact"),
		              "this person has not consented to being contacted; record a meeting "
		              "in person or another action instead");
		return;
	}
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	if (note && *note &&
	    (rc = people_seal(px(r), r->arena, pid, note, strlen(note), &sealed, &sealed_len)) !=
	        0) {
		if (rc == -HEARTH_ENOTFOUND)
			abort_problem(r, 410, NULL, "this person's record was erased");
		else
			abort_error(r, rc, "the follow-up");
		return;
	}
	struct db_stmt *s = db_prepare(c, SQL_FOLLOWUP_INSERT);
	int64_t now = util_now();
	if (!s) {
		rc = -HEARTH_EDB;
	} else {
		db_bind_i64(s, 1, pid);
		db_bind_i64(s, 2, programme);
		db_bind_text(s, 3, action);
		if (sealed)
			db_bind_blob(s, 4, sealed, sealed_len);
		else
			db_bind_null(s, 4);
		bind_user(s, 5, r->actor.user_id);
		db_bind_i64(s, 6, now);
		rc = db_insert_id(s, &id);
	}
	if (!req_commit(r, rc, "followup.create", resource(r, "participant", pid), "the follow-up"))
		return;
	json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:o}", "id", (json_int_t)id, "participant_id",
	                      (json_int_t)pid, "programme_id", (json_int_t)programme, "action",
	                      action, "created_at", iso_json(now));
	http_json(r, 201, o);
}

struct log_row {
	int64_t id, pid, programme, user_id, at;
	const char *title, *action, *by;
	unsigned char *note;
	size_t note_len;
	bool has_user;
};

void part_http_followup_log(struct req *r)
{
	int64_t only;
	if (!programs_query_id(r, "participant_id", &only))
		return;
	int64_t orgs[32];
	bool all;
	size_t norgs = programs_orgs(&r->actor, PM_MANAGE, orgs, 32, &all);
	if (all) {
		orgs[0] = 0;
		norgs = 1;
	}
	if (!begin_write(r, "the follow-up log"))
		return;
	struct db_conn *c = req_db(r);
	size_t n = 0, cap = 32;
	struct log_row *rows = arena_alloc(r->arena, cap * sizeof *rows);
	int rc = 0;
	for (size_t k = 0; k < norgs && !rc; k++) {
		struct db_stmt *s = db_prepare(c, SQL_FOLLOWUP_LOG);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, orgs[k]);
		db_bind_i64(s, 2, only);
		while ((rc = db_step(s)) == DB_ROW) {
			if (n == cap) {
				struct log_row *more =
				    arena_alloc(r->arena, 2 * cap * sizeof *more);
				memcpy(more, rows, cap * sizeof *more);
				rows = more;
				cap *= 2;
			}
			struct log_row *x = &rows[n++];
			memset(x, 0, sizeof *x);
			x->id = db_col_i64(s, 0);
			x->pid = db_col_i64(s, 1);
			x->programme = db_col_i64(s, 2);
			x->title = arena_strdup(r->arena, db_col_text(s, 3));
			x->action = arena_strdup(r->arena, db_col_text(s, 4));
			size_t len = 0;
			const void *blob = db_col_null(s, 5) ? NULL : db_col_blob(s, 5, &len);
			if (blob && len) {
				x->note = arena_alloc(r->arena, len);
				memcpy(x->note, blob, len);
				x->note_len = len;
			}
			x->has_user = !db_col_null(s, 6);
			x->user_id = db_col_i64(s, 6);
			x->by = arena_strdup(r->arena, db_col_text(s, 7));
			x->at = db_col_i64(s, 8);
		}
		db_finish(s);
		rc = rc < 0 ? rc : 0;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		struct log_row *x = &rows[i];
		json_t *o =
		    json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)x->id,
		              "participant_id", (json_int_t)x->pid, "programme_id",
		              (json_int_t)x->programme, "programme", x->title, "action", x->action,
		              "user_id", x->has_user ? json_integer(x->user_id) : json_null(), "by",
		              text_or_null(x->by), "created_at", iso_json(x->at));
		set_name(r, o, x->pid);
		char *plain = NULL;
		size_t plen = 0;
		json_t *note = json_null();
		if (x->note &&
		    people_open(px(r), r->arena, x->pid, x->note, x->note_len, &plain, &plen) == 0)
			note = json_stringn(plain, plen);
		json_object_set_new(o, "note", note ? note : json_null());
		json_array_append_new(items, o);
	}
	if (!req_commit(r, rc, "followup.log.read",
	                only ? resource(r, "participant", only) : "followups",
	                "the follow-up log")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}
