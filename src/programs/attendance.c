/*
 * Attendance: a session's register (enrolled people and anyone already
 * marked, by name) and marks taken in batches on a phone, all in one
 * transaction. Sitting out an activity is recorded only with the person's
 * agreement, and counts as attending.
 *
 * Plain logic: functions take a struct part_ctx, return 0 or a negative
 * enum hearth_err and say refusals in a struct part_refusal
 * (taking_part.h); the HTTP edge is taking_part_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

const char *const mark_states[] = {"present", "late", "absent", "excused", NULL};

static const char SQL_SESSION_STATE[] =
    "SELECT status, programme_id, starts_at FROM programme_sessions WHERE id = ?1";

/* Attendance is taken from this long before a session starts (people
 * arrive early and are welcomed at the door), never earlier. */
#define MARK_EARLY_SECONDS (15 * 60)
static const char SQL_SESSION_ONE[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS " FROM programme_sessions s JOIN programmes p ON p.id = "
    "s.programme_id WHERE s.id = ?1";
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

/* The session's programme facts and status, for someone who may mark
 * attendance in its organisation; otherwise the policy's refusal (404
 * through the error, as for a missing session, or 403). */
static int marked_session(const struct part_ctx *x, int64_t session, struct prog_ref *ref,
                          const char **status, int64_t *starts_at, struct part_refusal *no)
{
	no->what = "the session";
	int rc = programs_session_ref(x->c, x->a, session, ref);
	if (!rc)
		rc = programs_check(x->actor, ACT_ATTENDANCE, ref->organisation_id, ref->status);
	if (rc == -HEARTH_EDENIED)
		return programs_part_refuse(no, 403, NULL,
		                            "this session belongs to another organisation");
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(x->c, SQL_SESSION_STATE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, session);
	int step = db_step(s);
	*status = step == DB_ROW ? arena_strdup(x->a, db_col_text(s, 0)) : "";
	*starts_at = step == DB_ROW ? db_col_i64(s, 2) : 0;
	db_finish(s);
	return step < 0 ? step : 0;
}

static int reg_cmp(const void *a, const void *b)
{
	const struct reg_item *x = a, *y = b;
	if (!x->name || !y->name)
		return x->name ? -1 : y->name ? 1 : (x->pid > y->pid) - (x->pid < y->pid);
	int c = strcasecmp(x->name, y->name);
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

int attendance_register(const struct part_ctx *x, int64_t session, struct part_session *sess,
                        bool *has_session, struct reg_item **items, size_t *n,
                        struct part_refusal *no)
{
	struct prog_ref ref;
	const char *state;
	int64_t starts_at;
	size_t cap = 32;
	memset(no, 0, sizeof *no);
	*has_session = false;
	*items = NULL;
	*n = 0;
	int rc = marked_session(x, session, &ref, &state, &starts_at, no);
	if (rc)
		goto out;
	no->what = "the register";
	struct db_stmt *s = db_prepare(x->c, SQL_REGISTER);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, session);
	db_bind_i64(s, 2, ref.programme_id);
	*items = arena_alloc(x->a, cap * sizeof **items);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct reg_item *more = arena_alloc(x->a, 2 * cap * sizeof *more);
			memcpy(more, *items, cap * sizeof *more);
			*items = more;
			cap *= 2;
		}
		struct reg_item *it = &(*items)[(*n)++];
		memset(it, 0, sizeof *it);
		it->pid = db_col_i64(s, 0);
		it->marked = !db_col_null(s, 1);
		it->status = arena_strdup(x->a, db_col_text(s, 1));
		it->sat_out = db_col_i64(s, 2) != 0;
		it->enrolment = arena_strdup(x->a, db_col_text(s, 3));
	}
	db_finish(s);
	if (rc < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < *n; i++)
		(*items)[i].name = programs_person_name(x, (*items)[i].pid, &(*items)[i].erased);
	qsort(*items, *n, sizeof **items, reg_cmp);
	/* The session itself, as the register's heading (null when it is gone;
	 * a failing read is an error, never a missing heading). */
	if ((s = db_prepare(x->c, SQL_SESSION_ONE)) == NULL) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, session);
	int step = db_step(s);
	if (step == DB_ROW) {
		programs_session_read(s, x->a, sess);
		*has_session = true;
	}
	db_finish(s);
	if (step < 0)
		rc = step;
out:
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Who may be marked in the session: enrolled people and anyone already
 * marked (a mark can be corrected after someone left). Sorted. */
static int markable(const struct part_ctx *x, int64_t session, int64_t programme, int64_t **ids,
                    size_t *n)
{
	struct db_stmt *s = db_prepare(x->c, SQL_MARKABLE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, session);
	db_bind_i64(s, 2, programme);
	size_t cap = 64;
	*ids = arena_alloc(x->a, cap * sizeof **ids);
	*n = 0;
	int rc;
	while (db_next(s, &rc)) {
		if (*n == cap) {
			int64_t *more = arena_alloc(x->a, 2 * cap * sizeof *more);
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

int attendance_mark(const struct part_ctx *x, int64_t session, const struct attendance_mark *marks,
                    size_t n, struct part_refusal *no)
{
	struct prog_ref ref;
	const char *state;
	int64_t starts_at;
	int64_t *ids;
	size_t nids;
	int rc = 0;
	memset(no, 0, sizeof *no);
	no->what = "the attendance";
	if (n == 0) {
		rc = programs_part_refuse(
		    no, 400, "marks",
		    arena_printf(x->a, "marks must hold 1 to %d marks", PART_MAX_MARKS));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct attendance_mark *m = &marks[i];
		bool came = strcmp(m->status, "present") == 0 || strcmp(m->status, "late") == 0;
		/* Sitting out is recorded only when the person agreed to it being
		 * recorded; it counts as attending, so only someone who came can. */
		if (m->sat_out && !m->sat_out_agreed) {
			rc = programs_part_refuse(
			    no, 400, arena_printf(x->a, "marks[%zu].sat_out_agreed", i),
			    arena_printf(
			        x->a,
			        "marks[%zu].sat_out_agreed: sitting out is recorded only "
			        "when the person agrees; send sat_out_agreed true, or leave "
			        "sat_out out",
			        i));
			goto out;
		}
		if (m->sat_out && !came) {
			rc = programs_part_refuse(
			    no, 400, arena_printf(x->a, "marks[%zu].sat_out", i),
			    arena_printf(x->a,
			                 "marks[%zu].sat_out: only someone present or "
			                 "late can sit out an activity",
			                 i));
			goto out;
		}
	}
	if ((rc = marked_session(x, session, &ref, &state, &starts_at, no)) != 0)
		goto out;
	if (strcmp(state, "published") != 0) {
		rc = programs_part_refuse(
		    no, 409, NULL,
		    strcmp(state, "cancelled") == 0
		        ? "this session was cancelled; attendance cannot be marked"
		        : "this session is not published yet; attendance cannot be "
		          "marked");
		no->session_status = state;
		goto out;
	}
	if (util_now() < starts_at - MARK_EARLY_SECONDS) {
		rc = programs_part_refuse(
		    no, 409, "starts_at",
		    "starts_at: this session has not started yet; attendance can be marked "
		    "from 15 minutes before it starts");
		no->session_status = state;
		goto out;
	}
	no->what = "the attendance";
	if ((rc = markable(x, session, ref.programme_id, &ids, &nids)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!bsearch(&marks[i].pid, ids, nids, sizeof *ids, cmp_i64)) {
			rc = programs_part_refuse(
			    no, 400, arena_printf(x->a, "marks[%zu].participant_id", i),
			    arena_printf(x->a,
			                 "marks[%zu].participant_id: person %" PRId64
			                 " is not enrolled in this programme",
			                 i, marks[i].pid));
			goto out;
		}
	/* One statement, prepared once, run for every mark in one transaction. */
	struct db_stmt *s = db_prepare(x->c, SQL_MARK);
	int64_t now = util_now();
	rc = s ? 0 : -HEARTH_EDB;
	for (size_t i = 0; i < n && !rc; i++) {
		db_bind_i64(s, 1, session);
		db_bind_i64(s, 2, marks[i].pid);
		db_bind_text(s, 3, marks[i].status);
		db_bind_i64(s, 4, marks[i].sat_out);
		db_bind_id(s, 5, x->actor->user_id); /* NULL for API tokens */
		db_bind_i64(s, 6, now);
		rc = db_run(s);
	}
out:
	return rc;
}
