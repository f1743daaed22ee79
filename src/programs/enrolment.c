/*
 * Enrolment: a programme's places, its waitlist and the offers that fill
 * freed places by themselves, and the listener that gives up a person's
 * future places when they withdraw their consent to participation.
 *
 * Places: a programme's capacity is shared by 'enrolled' and 'offered'
 * rows. Every transaction that changes a programme's places first locks the
 * programme row (an UPDATE that changes nothing: a row lock on PostgreSQL,
 * where writers run at READ COMMITTED; SQLite writers are serial anyway),
 * then settles expired offers and fills free places from the waitlist
 * (programs_offer_next), so the rules hold on both backends and many nodes.
 *
 * Plain logic: every function runs inside its caller's write transaction,
 * returns 0 or a negative enum hearth_err, and says a refusal in a struct
 * part_refusal (taking_part.h); the HTTP edge is taking_part_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/messages.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

/* ------------------------------------------------------------------ */
/* Places: capacity, waitlist, offers                                  */

static const char SQL_LOCK_PROGRAMME[] =
    "UPDATE programmes SET updated_at = updated_at WHERE id = ?1";
static const char SQL_PLACES[] =
    "SELECT p.capacity, p.status, (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    "AND e.status IN ('enrolled', 'offered')) FROM programmes p WHERE p.id = ?1";
static const char SQL_EXPIRED_AFTER[] =
    "SELECT id FROM enrolments WHERE programme_id = ?1 AND status = 'offered' "
    "AND offer_expires_at <= ?2 AND id > ?3 ORDER BY id LIMIT 64";
static const char SQL_EXPIRE_OFFERS[] =
    "UPDATE enrolments SET status = 'cancelled', cancel_reason = 'offer_expired', updated_at = ?2 "
    "WHERE programme_id = ?1 AND status = 'offered' AND offer_expires_at <= ?2";
static const char SQL_OFFER_WHO[] = "SELECT e.participant_id, p.organisation_id FROM enrolments e "
                                    "JOIN programmes p ON p.id = e.programme_id WHERE e.id = ?1";
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

/* The key that withdraws an offer's queued reminder. */
static void offer_cancel_key(int64_t enrolment_id, char key[40])
{
	snprintf(key, 40, "offer:%" PRId64, enrolment_id);
}

/* The offer's reminder is no longer due: the offer was answered, cancelled
 * or expired. Inside the caller's transaction. */
static int offer_withdraw_reminder(struct db_conn *c, int64_t enrolment_id)
{
	char key[40];
	offer_cancel_key(enrolment_id, key);
	return messages_cancel(c, key);
}

/* Tells the person offered a place (MSG_WAITLIST_OFFER) and queues the
 * reminder before the offer expires: a day before, or half-way through an
 * offer shorter than two days. Params are ids and times only. */
static int offer_tell(struct db_conn *c, int64_t programme_id, int64_t enrolment_id, int64_t now,
                      int64_t expires)
{
	struct db_stmt *s = db_prepare(c, SQL_OFFER_WHO);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, enrolment_id);
	int rc = db_step(s);
	int64_t person = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	int64_t org = rc == DB_ROW ? db_col_i64(s, 1) : 0;
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	json_t *params =
	    json_pack("{s:I,s:I,s:o}", "programme_id", (json_int_t)programme_id, "enrolment_id",
	              (json_int_t)enrolment_id, "expires_at", programs_json_time(expires));
	if (!params)
		return -HEARTH_ENOMEM;
	char key[40];
	offer_cancel_key(enrolment_id, key);
	int64_t remind = expires - now >= 2 * 86400 ? expires - 86400 : now + (expires - now) / 2;
	struct message m = {
	    .kind = MSG_WAITLIST_OFFER, .org = org, .participant_id = person, .params = params};
	rc = messages_send(c, NULL, &m, NULL);
	if (!rc) {
		m.kind = MSG_WAITLIST_REMINDER;
		m.not_before = remind;
		m.cancel_key = key;
		rc = messages_send(c, NULL, &m, NULL);
	}
	json_decref(params);
	return rc;
}

/* Settles expired offers (cancelled, offer_expired, their reminders
 * withdrawn), then offers every free place to the first on the waitlist and
 * tells them (offer_tell). Places are offered only while the
 * programme is published. Runs inside the caller's write transaction and
 * locks the programme for the rest of it. */
int programs_offer_next(struct db_conn *c, int64_t programme_id)
{
	int64_t now = util_now(), capacity = 0, taken = 0, next = 0;
	bool published = false;
	int rc = lock_programme(c, programme_id);
	if (rc)
		return rc;
	/* The reminders of expiring offers are withdrawn first, a batch of ids
	 * at a time (read before any is written), then the offers expire. */
	struct db_stmt *s;
	for (int64_t last = 0;;) {
		int64_t ids[64];
		size_t n = 0;
		if (!(s = db_prepare(c, SQL_EXPIRED_AFTER)))
			return -HEARTH_EDB;
		db_bind_i64(s, 1, programme_id);
		db_bind_i64(s, 2, now);
		db_bind_i64(s, 3, last);
		while (n < 64 && db_next(s, &rc))
			ids[n++] = db_col_i64(s, 0);
		db_finish(s);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++)
			if ((rc = offer_withdraw_reminder(c, ids[i])) != 0)
				return rc;
		if (n < 64)
			break;
		last = ids[n - 1];
	}
	if (!(s = db_prepare(c, SQL_EXPIRE_OFFERS)))
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
		db_bind_i64(s, 3, now + PART_OFFER_SECONDS);
		if ((rc = db_run_one(s)) != 0 ||
		    (rc = offer_tell(c, programme_id, next, now, now + PART_OFFER_SECONDS)) != 0)
			return rc;
		taken++;
	}
	return 0;
}

/* 1-based place in the programme's waitlist. */
int64_t enrolment_waitlist_position(struct db_conn *c, int64_t programme_id, int64_t enrolment_id)
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

/* ------------------------------------------------------------------ */
/* Consent withdrawn: future places go at once                         */

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
	int rc = db_run_one(s);
	/* An offer's reminder goes with the offer (nothing queued otherwise). */
	return rc ? rc : offer_withdraw_reminder(c, id);
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
int enrolment_on_consent_withdrawn(struct db_conn *c, int64_t participant_id,
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

/* ------------------------------------------------------------------ */
/* Enrolling and answering                                             */

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
static const char SQL_MY_EXPIRED[] =
    "SELECT programme_id FROM enrolments WHERE participant_id = ?1 AND status = 'offered' "
    "AND offer_expires_at <= ?2 ORDER BY programme_id LIMIT 1";

struct enrolment {
	int64_t id, programme_id, participant_id, organisation_id, offer_expires_at;
	const char *status, *cancel_reason;
};

static int enrolment_get(const struct part_ctx *x, int64_t id, struct enrolment *e)
{
	struct db_stmt *s = db_prepare(x->c, SQL_ENROL_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		e->id = db_col_i64(s, 0);
		e->programme_id = db_col_i64(s, 1);
		e->participant_id = db_col_i64(s, 2);
		e->organisation_id = db_col_i64(s, 3);
		e->status = arena_strdup(x->a, db_col_text(s, 4));
		e->cancel_reason = arena_strdup(x->a, db_col_text(s, 5));
		e->offer_expires_at = db_col_i64(s, 6);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* The person's row in the programme: *id 0 when none. */
static int enrolment_find(const struct part_ctx *x, int64_t programme, int64_t person, int64_t *id,
                          const char **status)
{
	struct db_stmt *s = db_prepare(x->c, SQL_ENROL_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, person);
	int rc = db_step(s);
	*id = 0;
	if (rc == DB_ROW) {
		*id = db_col_i64(s, 0);
		*status = arena_strdup(x->a, db_col_text(s, 1));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int enrolment_enrol(const struct part_ctx *x, int64_t programme, int64_t person, bool by_self,
                    struct enrolment_out *out, struct part_refusal *no)
{
	struct db_conn *c = x->c;
	struct prog_ref ref;
	int64_t existing = 0, capacity = 0, taken = 0, id = 0;
	const char *status = NULL, *state;
	bool published, published_now, erased;
	int rc;
	memset(out, 0, sizeof *out);
	memset(no, 0, sizeof *no);
	no->what = "the programme";
	no->programme_id = programme;
	if ((rc = lock_programme(c, programme)) != 0 ||
	    (rc = programs_programme_ref(c, x->a, programme, &ref)) != 0) {
		if (rc == -HEARTH_ENOTFOUND)
			rc = programs_part_refuse(
			    no, 404, by_self ? "programme_id" : "id",
			    arena_printf(x->a, "there is no programme %" PRId64, programme));
		goto out;
	}
	no->what = "the enrolment";
	published = strcmp(ref.status, "published") == 0;
	if (!by_self) {
		rc = programs_check(x->actor, ACT_ENROL, ref.organisation_id, ref.status);
		if (rc == -HEARTH_ENOTFOUND) { /* as for a missing programme */
			rc = programs_part_refuse(
			    no, 404, "id",
			    arena_printf(x->a, "there is no programme %" PRId64, programme));
			goto out;
		}
		if (rc) {
			rc = programs_part_refuse(
			    no, 403, NULL,
			    "you can enrol people only in programmes of your organisation");
			goto out;
		}
		/* The person must be the programme's organisation's (or shared
		 * with it): anyone else is refused like nobody, before their
		 * erasure or consent is said. */
		if ((rc = programs_part_scope_participant(x, "participant_id", person,
		                                          ref.organisation_id, &erased, no)) != 0)
			goto out;
		if (erased) {
			rc =
			    programs_part_refuse(no, 410, "participant_id",
			                         "participant_id: this person's record was erased");
			goto out;
		}
	} else if (!published) {
		/* A participant sees published programmes only. */
		rc = programs_part_refuse(
		    no, 404, "programme_id",
		    arena_printf(x->a, "there is no programme %" PRId64, programme));
		goto out;
	}
	if (!published) {
		rc = programs_part_refuse(
		    no, 409, NULL,
		    "this programme is not open for enrolment (it is not published)");
		no->programme_status = ref.status;
		goto out;
	}
	bool consented;
	if ((rc = people_consent_granted(c, person, PURPOSE_PARTICIPATION, &consented)) != 0)
		goto out;
	if (!consented) {
		rc = programs_part_refuse(
		    no, 403, NULL,
		    by_self ? "taking part needs your consent to participation; you can "
		              "give it on your consents page"
		            : "this person has not consented to participation; record "
		              "their consent first");
		no->consent = "participation";
		goto out;
	}
	/* Settle expired offers and fill free places first, so that a newcomer
	 * never takes a place someone on the waitlist is owed. */
	if ((rc = programs_offer_next(c, programme)) != 0 ||
	    (rc = enrolment_find(x, programme, person, &existing, &status)) != 0)
		goto out;
	if (existing && strcmp(status, "cancelled") != 0) {
		/* The settling above is kept: it is due whatever happens next. */
		rc = programs_part_refuse(no, 409, NULL,
		                          arena_printf(x->a, "%s already %s in this programme",
		                                       by_self ? "you are" : "this person is",
		                                       strcmp(status, "enrolled") == 0 ? "enrolled"
		                                       : strcmp(status, "offered") == 0
		                                           ? "offered a place"
		                                           : "on the waitlist"));
		no->keep = true;
		no->enrolment_id = existing;
		no->enrolment_status = status;
		goto out;
	}
	if (existing) {
		/* A cancelled place is replaced by a new row, so that the waitlist
		 * (ordered by id) stays first come, first served. */
		struct db_stmt *s = db_prepare(c, SQL_ENROL_DELETE);
		if (!s) {
			rc = -HEARTH_EDB;
			goto out;
		}
		db_bind_i64(s, 1, existing);
		if ((rc = db_run_one(s)) != 0)
			goto out;
	}
	if ((rc = places(c, programme, &capacity, &published_now, &taken)) != 0)
		goto out;
	state = taken < capacity ? "enrolled" : "waitlisted";
	struct db_stmt *s = db_prepare(c, SQL_ENROL_INSERT);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, person);
	db_bind_text(s, 3, state);
	db_bind_id(s, 4, x->actor->user_id); /* NULL for API tokens (no user) */
	db_bind_i64(s, 5, util_now());
	if ((rc = db_insert_id(s, &id)) != 0)
		goto out;
	*out = (struct enrolment_out){
	    .id = id, .programme_id = programme, .participant_id = person, .status = state};
	if (strcmp(state, "waitlisted") == 0)
		out->position = enrolment_waitlist_position(c, programme, id);
out:
	return rc;
}

int enrolment_reply(const struct part_ctx *x, int64_t id, int64_t me, enum enrolment_reply what,
                    struct enrolment_out *out, struct part_refusal *no)
{
	struct db_conn *c = x->c;
	struct enrolment e;
	const char *conflict = NULL;
	bool own, frees = false;
	int rc;
	memset(out, 0, sizeof *out);
	memset(no, 0, sizeof *no);
	no->what = "the enrolment";
	if ((rc = enrolment_get(x, id, &e)) != 0)
		goto out;
	own = me && me == e.participant_id;
	/* Someone else's place: staff who may enrol in its organisation; a
	 * participant never learns of another's place (404, as for none). */
	if (!own && (rc = policy_check(x->actor, ACT_ENROL, e.organisation_id, false)) != 0) {
		if (me || rc == -HEARTH_ENOTFOUND)
			rc = -HEARTH_ENOTFOUND;
		else
			rc = programs_part_refuse(
			    no, 403, NULL,
			    "your role in this programme's organisation does not "
			    "allow this");
		goto out;
	}
	if ((rc = programs_offer_next(c, e.programme_id)) != 0 ||
	    (rc = enrolment_get(x, id, &e)) != 0)
		goto out;
	if (what == ENROLMENT_CANCEL) {
		if (strcmp(e.status, "cancelled") == 0)
			conflict = "this place was already cancelled";
		frees = strcmp(e.status, "enrolled") == 0 || strcmp(e.status, "offered") == 0;
		if (!conflict)
			rc = cancel_row(c, id, own ? "self" : "staff");
	} else if (strcmp(e.status, "offered") != 0) {
		conflict = e.cancel_reason && strcmp(e.cancel_reason, "offer_expired") == 0
		               ? "this offer expired (an offer is held for 48 hours)"
		               : "there is no open offer of a place to answer";
	} else if (what == ENROLMENT_ACCEPT) {
		struct db_stmt *s = db_prepare(c, SQL_ENROL_ACCEPT);
		rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, util_now()), db_run_one(s))
		       : -HEARTH_EDB;
		if (!rc)
			rc = offer_withdraw_reminder(c, id);
	} else {
		frees = true;
		rc = cancel_row(c, id, "offer_declined");
	}
	if (conflict) {
		rc = programs_part_refuse(no, 409, NULL, conflict);
		no->keep = true;
		no->programme_id = e.programme_id;
		no->enrolment_status = e.status;
		goto out;
	}
	if (!rc && frees)
		rc = programs_offer_next(c, e.programme_id);
	if (rc)
		goto out;
	*out =
	    (struct enrolment_out){.id = id,
	                           .programme_id = e.programme_id,
	                           .participant_id = e.participant_id,
	                           .status = what == ENROLMENT_ACCEPT ? "enrolled" : "cancelled"};
out:
	return rc;
}

int enrolment_settle_mine(struct db_conn *c, int64_t person)
{
	int rc = 0;
	for (int guard = 0; guard < 1000 && !rc; guard++) {
		struct db_stmt *s = db_prepare(c, SQL_MY_EXPIRED);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, person);
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
	return rc;
}

/* ------------------------------------------------------------------ */
/* Lists                                                               */

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
static const char SQL_MY_SESSIONS[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS
    " FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id "
    "JOIN enrolments e ON e.programme_id = p.id AND e.participant_id = ?1 "
    "AND e.status = 'enrolled' "
    "WHERE s.ends_at > ?2 AND (s.status = 'published' OR (s.status = 'cancelled' "
    "AND s.was_published = 1)) ORDER BY s.starts_at, s.id LIMIT ?3";

/* The rows of a statement selecting ENROL_COLUMNS; waitlisted rows are
 * numbered in order. Finishes the statement. */
static int enrolment_rows(const struct part_ctx *x, struct db_stmt *s, struct enrolment_row **rows,
                          size_t *n)
{
	size_t cap = 16;
	int64_t waiting = 0;
	int rc;
	*rows = arena_alloc(x->a, cap * sizeof **rows);
	*n = 0;
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct enrolment_row *more = arena_alloc(x->a, 2 * cap * sizeof *more);
			memcpy(more, *rows, cap * sizeof *more);
			*rows = more;
			cap *= 2;
		}
		struct enrolment_row *e = &(*rows)[(*n)++];
		memset(e, 0, sizeof *e);
		e->id = db_col_i64(s, 0);
		e->programme_id = db_col_i64(s, 1);
		e->participant_id = db_col_i64(s, 2);
		e->status = arena_strdup(x->a, db_col_text(s, 3));
		e->cancel_reason = db_col_null(s, 4) ? NULL : arena_strdup(x->a, db_col_text(s, 4));
		e->has_offered_at = !db_col_null(s, 5);
		e->offered_at = db_col_i64(s, 5);
		e->has_offer_expires_at = strcmp(e->status, "offered") == 0 && !db_col_null(s, 6);
		e->offer_expires_at = db_col_i64(s, 6);
		e->created_at = db_col_i64(s, 7);
		e->updated_at = db_col_i64(s, 8);
		e->programme = arena_strdup(x->a, db_col_text(s, 9));
		if (strcmp(e->status, "waitlisted") == 0)
			e->position = ++waiting;
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int enrolment_list(const struct part_ctx *x, int64_t programme, struct enrolment_row **rows,
                   size_t *n, struct part_refusal *no)
{
	struct prog_ref ref;
	memset(no, 0, sizeof *no);
	*rows = NULL;
	*n = 0;
	no->what = "the programme";
	int rc = programs_programme_ref(x->c, x->a, programme, &ref);
	if (!rc)
		rc = programs_check(x->actor, ACT_ENROL_READ, ref.organisation_id, ref.status);
	if (rc == -HEARTH_EDENIED)
		rc = programs_part_refuse(no, 403, NULL,
		                          "this programme belongs to another organisation");
	if (rc)
		goto out;
	no->what = "the enrolments";
	if ((rc = programs_offer_next(x->c, programme)) != 0)
		goto out;
	struct db_stmt *s = db_prepare(x->c, SQL_ENROL_LIST);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, programme);
	if ((rc = enrolment_rows(x, s, rows, n)) != 0)
		goto out;
	for (size_t i = 0; i < *n; i++)
		(*rows)[i].name =
		    programs_person_name(x, (*rows)[i].participant_id, &(*rows)[i].erased);
out:
	return rc;
}

int enrolment_list_mine(const struct part_ctx *x, int64_t person, struct enrolment_row **rows,
                        size_t *n)
{
	*rows = NULL;
	*n = 0;
	/* Settle my expired offers (and offer those places on). */
	int rc = enrolment_settle_mine(x->c, person);
	if (rc)
		goto out;
	struct db_stmt *s = db_prepare(x->c, SQL_MY_ENROLMENTS);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, person);
	if ((rc = enrolment_rows(x, s, rows, n)) != 0)
		goto out;
	/* Positions are per programme: number them from the waitlist itself. */
	for (size_t i = 0; i < *n; i++)
		if ((*rows)[i].position)
			(*rows)[i].position = enrolment_waitlist_position(
			    x->c, (*rows)[i].programme_id, (*rows)[i].id);
out:
	return rc;
}

int enrolment_my_sessions(const struct part_ctx *x, int64_t person, int limit,
                          struct part_session **rows, size_t *n)
{
	size_t cap = 16;
	int rc;
	*rows = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(x->c, SQL_MY_SESSIONS);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, person);
	db_bind_i64(s, 2, util_now());
	db_bind_i64(s, 3, limit);
	*rows = arena_alloc(x->a, cap * sizeof **rows);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct part_session *more = arena_alloc(x->a, 2 * cap * sizeof *more);
			memcpy(more, *rows, cap * sizeof *more);
			*rows = more;
			cap *= 2;
		}
		programs_session_read(s, x->a, &(*rows)[(*n)++]);
	}
	db_finish(s);
	rc = rc < 0 ? rc : 0;
out:
	return rc;
}
