/*
 * Practical supports (transport stipends, childcare, interpreters,
 * equipment) a person asks for, or staff record for them, in a programme
 * where they hold or wait for a place; their decisions; and the ledger of
 * a programme's supports by kind. Notes are sealed with the person's key,
 * so that erasing the person erases them.
 *
 * Plain logic: functions take a struct part_ctx, return 0 or a negative
 * enum hearth_err and say refusals in a struct part_refusal
 * (taking_part.h); the HTTP edge is taking_part_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

const char *const support_kinds[] = {"transport_stipend", "childcare", "interpreter", "equipment",
                                     NULL};
const char *const support_states[] = {"approved", "declined", "provided", NULL};

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

/* The row at the cursor. The note is sealed with the person's key (older
 * rows: in the clear until start-up seals them); once the person is erased
 * it reads as NULL. */
static void support_read(const struct part_ctx *x, struct db_stmt *s, struct support *o)
{
	memset(o, 0, sizeof *o);
	size_t len = 0;
	const void *sealed = db_col_null(s, 13) ? NULL : db_col_blob(s, 13, &len);
	o->id = db_col_i64(s, 0);
	o->programme_id = db_col_i64(s, 1);
	o->session_id = db_col_null(s, 2) ? 0 : db_col_i64(s, 2);
	o->participant_id = db_col_i64(s, 3);
	o->kind = arena_strdup(x->a, db_col_text(s, 4));
	o->status = arena_strdup(x->a, db_col_text(s, 5));
	o->amount_cents = db_col_i64(s, 6);
	if (programs_note_open(x->px, x->a, o->participant_id, sealed, len, db_col_text(s, 7),
	                       &o->notes) != 0)
		o->notes = NULL; /* unreadable: shown as no note rather than failing the list */
	o->requested_by = db_col_null(s, 8) ? 0 : db_col_i64(s, 8);
	o->requested_at = db_col_i64(s, 9);
	o->decided_by = db_col_null(s, 10) ? 0 : db_col_i64(s, 10);
	o->has_decided_at = !db_col_null(s, 11);
	o->decided_at = db_col_i64(s, 11);
	o->has_provided_at = !db_col_null(s, 12);
	o->provided_at = db_col_i64(s, 12);
}

/* Support id; -HEARTH_ENOTFOUND when there is none. */
static int support_get(const struct part_ctx *x, int64_t id, struct support *out)
{
	struct db_stmt *s = db_prepare(x->c, SQL_SUPPORT_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		support_read(x, s, out);
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
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

/* The programme's facts, for someone who manages supports in its
 * organisation; otherwise the policy's refusal (policy_check: 404 through
 * the error, as for a missing programme, or 403). shown: the thing named
 * is the programme itself (seen by everyone once published), not one of
 * its supports. */
static int managed_programme(const struct part_ctx *x, int64_t programme, bool shown,
                             struct prog_ref *ref, struct part_refusal *no)
{
	no->what = "the programme";
	int rc = programs_programme_ref(x->c, x->a, programme, ref);
	if (!rc)
		rc = programs_check(x->actor, ACT_SUPPORT_MANAGE, ref->organisation_id,
		                    shown ? ref->status : NULL);
	if (rc == -HEARTH_EDENIED)
		rc = programs_part_refuse(no, 403, NULL,
		                          "this programme belongs to another organisation");
	return rc;
}

int support_request(const struct part_ctx *x, const struct support_in *in, struct support *out,
                    struct part_refusal *no)
{
	struct db_conn *c = x->c;
	struct prog_ref ref;
	const char *pfield = in->by_self ? "programme_id" : "id";
	int64_t of = 0, holds = 0, id = 0;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	memset(no, 0, sizeof *no);
	memset(out, 0, sizeof *out);
	no->what = "the programme";
	int rc = programs_programme_ref(c, x->a, in->programme, &ref);
	if (rc == -HEARTH_ENOTFOUND ||
	    (!rc && in->by_self && strcmp(ref.status, "published") != 0)) {
		rc = programs_part_refuse(
		    no, 404, pfield,
		    arena_printf(x->a, "there is no programme %" PRId64, in->programme));
		goto out;
	}
	if (rc)
		goto out;
	if (!in->by_self)
		rc = programs_check(x->actor, ACT_SUPPORT_REQUEST, ref.organisation_id, ref.status);
	if (rc == -HEARTH_ENOTFOUND) /* as for a missing programme */
		rc = programs_part_refuse(
		    no, 404, pfield,
		    arena_printf(x->a, "there is no programme %" PRId64, in->programme));
	else if (rc)
		rc = programs_part_refuse(no, 403, NULL,
		                          "this programme belongs to another organisation");
	if (rc)
		goto out;
	if (!in->by_self &&
	    (rc = programs_part_scope_participant(x, "participant_id", in->person,
	                                          ref.organisation_id, NULL, no)) != 0)
		goto out;
	no->what = "the session";
	if (in->session &&
	    ((rc = one_int(c, SQL_SESSION_OF, in->session, 0, &of)) != 0 || of != in->programme)) {
		if (!rc)
			rc =
			    programs_part_refuse(no, 400, "session_id",
			                         arena_printf(x->a,
			                                      "session_id: session %" PRId64
			                                      " is not a session of this programme",
			                                      in->session));
		goto out;
	}
	no->what = "the support";
	if ((rc = one_int(c, SQL_HOLDS_PLACE, in->programme, in->person, &holds)) != 0)
		goto out;
	if (!holds) {
		rc = programs_part_refuse(
		    no, 409, in->by_self ? "programme_id" : "participant_id",
		    in->by_self ? "programme_id: you have no place (or waitlist place) in this "
		                  "programme"
		                : "participant_id: this person has no place (or waitlist "
		                  "place) in this programme");
		goto out;
	}
	/* The note is sealed with the person's key, so erasure reaches it. */
	if (in->notes && *in->notes &&
	    (rc = people_seal(x->px, x->a, in->person, in->notes, strlen(in->notes), &sealed,
	                      &sealed_len)) != 0) {
		if (rc == -HEARTH_ENOTFOUND)
			rc = programs_part_refuse(no, 410, NULL, "this person's record was erased");
		goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_SUPPORT_INSERT);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, in->programme);
	db_bind_id(s, 2, in->session);
	db_bind_i64(s, 3, in->person);
	db_bind_text(s, 4, in->kind);
	db_bind_i64(s, 5, in->amount);
	if (sealed)
		db_bind_blob(s, 6, sealed, sealed_len);
	else
		db_bind_null(s, 6);
	db_bind_id(s, 7, x->actor->user_id); /* NULL for API tokens */
	db_bind_i64(s, 8, util_now());
	if ((rc = db_insert_id(s, &id)) != 0)
		goto out;
	rc = support_get(x, id, out);
	if (rc == -HEARTH_ENOTFOUND)
		rc = -HEARTH_EDB;
out:
	return rc;
}

int support_list(const struct part_ctx *x, int64_t programme, struct support **rows, size_t *n,
                 struct part_refusal *no)
{
	struct prog_ref ref;
	size_t cap = 16;
	memset(no, 0, sizeof *no);
	*rows = NULL;
	*n = 0;
	int rc = managed_programme(x, programme, true, &ref, no);
	if (rc)
		goto out;
	no->what = "the supports";
	struct db_stmt *s = db_prepare(x->c, SQL_SUPPORT_LIST);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, programme);
	*rows = arena_alloc(x->a, cap * sizeof **rows);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct support *more = arena_alloc(x->a, 2 * cap * sizeof *more);
			memcpy(more, *rows, cap * sizeof *more);
			*rows = more;
			cap *= 2;
		}
		support_read(x, s, &(*rows)[(*n)++]);
	}
	db_finish(s);
	if (rc < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < *n; i++)
		(*rows)[i].name =
		    programs_person_name(x, (*rows)[i].participant_id, &(*rows)[i].erased);
out:
	return rc;
}

int support_decide(const struct part_ctx *x, int64_t id, const char *to, bool has_amount,
                   int64_t amount, struct support *out, struct part_refusal *no)
{
	struct support cur;
	struct prog_ref ref;
	memset(no, 0, sizeof *no);
	memset(out, 0, sizeof *out);
	no->what = "the support";
	int rc = support_get(x, id, &cur);
	if (rc)
		goto out;
	if ((rc = managed_programme(x, cur.programme_id, false, &ref, no)) != 0) {
		if (rc == -HEARTH_ENOTFOUND) /* as for a missing support */
			no->what = "the support";
		goto out;
	}
	no->what = "the support";
	/* requested -> approved | declined | provided; approved -> provided |
	 * declined (or approved again to correct the amount). Declined and
	 * provided supports are settled. */
	const char *from = cur.status;
	if (strcmp(from, "requested") != 0 && strcmp(from, "approved") != 0) {
		rc = programs_part_refuse(
		    no, 409, "status",
		    arena_printf(x->a, "status: a %s support cannot become %s", from, to));
		goto out;
	}
	int64_t now = util_now();
	bool decides = strcmp(from, "requested") == 0 || strcmp(to, "declined") == 0;
	struct db_stmt *s = db_prepare(x->c, SQL_SUPPORT_DECIDE);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, to);
	db_bind_i64(s, 3, has_amount ? amount : cur.amount_cents);
	if (decides) {
		db_bind_id(s, 4, x->actor->user_id);
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
	if (rc)
		goto out;
	rc = support_get(x, id, out);
	if (rc == -HEARTH_ENOTFOUND)
		rc = -HEARTH_EDB;
out:
	return rc;
}

int support_ledger(const struct part_ctx *x, int64_t programme, struct support_ledger *out,
                   struct part_refusal *no)
{
	struct prog_ref ref;
	memset(no, 0, sizeof *no);
	memset(out, 0, sizeof *out);
	int rc = managed_programme(x, programme, true, &ref, no);
	if (rc)
		goto out;
	no->what = "the ledger";
	struct db_stmt *s = db_prepare(x->c, SQL_SUPPORT_LEDGER);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, programme);
	while (db_next(s, &rc))
		for (int k = 0; support_kinds[k]; k++)
			if (strcmp(db_col_text(s, 0), support_kinds[k]) == 0)
				for (int j = 0; j < 7; j++)
					out->by_kind[k][j] = db_col_i64(s, j + 1);
	db_finish(s);
	if (rc < 0)
		goto out;
	rc = 0;
	/* "approved" counts every support that was approved, including those
	 * since provided; amounts likewise. */
	for (int k = 0; support_kinds[k]; k++) {
		out->cents_approved += out->by_kind[k][5];
		out->cents_provided += out->by_kind[k][6];
	}
out:
	return rc;
}
