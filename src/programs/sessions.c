/*
 * Sessions: storage, the venue booking rule and the duty rule a move must
 * keep. The HTTP edge is sessions_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/messages.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/schedule.h"
#include "programs/sessions.h"
#include "programs/training.h"
#include "auth/auth.h"
#include "core/banned.h"

static const char SQL_OVERLAP[] =
    "SELECT s.id, p.title, s.starts_at, p.organisation_id FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id "
    "WHERE s.venue_id = ?1 AND s.status <> 'cancelled' AND s.starts_at < ?3 AND s.ends_at > ?2 "
    "AND s.id <> ?4 LIMIT 1";
/* The user runs the session: on its roster, or in its programme's team. */
static const char SQL_ASSIGNED[] =
    "SELECT 1 FROM roster WHERE session_id = ?1 AND user_id = ?2 UNION ALL "
    "SELECT 1 FROM programme_team t JOIN programme_sessions s ON s.programme_id = "
    "t.programme_id WHERE s.id = ?1 AND t.user_id = ?2";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO programme_sessions (programme_id, starts_at, ends_at, original_start, venue_id, "
    "online_link, status, was_published, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "RETURNING id";
static const char SQL_FUTURE_UNEDITED[] =
    "SELECT id, starts_at, ends_at FROM programme_sessions WHERE programme_id = ?1 "
    "AND starts_at > ?2 AND status <> 'cancelled' AND edited = 0";
static const char SQL_SESSION_PLACE[] =
    "UPDATE programme_sessions SET venue_id = ?2, online_link = ?3, sequence = sequence + 1, "
    "updated_at = ?4 WHERE id = ?1";
static const char SQL_ON_DUTY[] =
    "SELECT d.user_id FROM roster d "
    "WHERE d.session_id = ?1 AND d.role = 'on_duty' AND d.user_id IS NOT NULL";
static const char SQL_SESSION_LIST[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS " FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id WHERE s.programme_id = ?1 "
    "AND (?2 = 1 OR s.status = 'published' OR (s.status = 'cancelled' AND s.was_published = 1)) "
    "ORDER BY s.starts_at, s.id";
static const char SQL_SESSION_ONE_FULL[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS ", s.was_published FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1";
static const char SQL_DUTIES[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS ", d.role FROM roster d "
    "JOIN programme_sessions s ON s.id = d.session_id JOIN programmes p ON p.id = s.programme_id "
    "WHERE d.user_id = ?1 AND s.ends_at >= ?2 ORDER BY s.starts_at, s.id LIMIT 200";
static const char SQL_SESSION_STATE[] =
    "SELECT starts_at, ends_at, venue_id, online_link, status, was_published, cancel_reason, "
    "cancelled_at FROM programme_sessions WHERE id = ?1";
static const char SQL_SESSION_UPDATE[] =
    "UPDATE programme_sessions SET starts_at = ?2, ends_at = ?3, venue_id = ?4, online_link = ?5, "
    "status = ?6, was_published = ?7, cancel_reason = ?8, cancelled_at = ?9, edited = 1, "
    "sequence = sequence + 1, updated_at = ?10 WHERE id = ?1";

static const char SQL_SESSION_WHO[] =
    "SELECT s.programme_id, p.organisation_id FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1";
/* Those told of a change: who holds a place (enrolled or offered), then
 * staff on the session's roster, each once (a row's user_id is 0 for a
 * participant and the other way round). */
static const char SQL_SESSION_PEOPLE[] =
    "SELECT e.participant_id, 0 FROM enrolments e WHERE e.programme_id = ?1 "
    "AND e.status IN ('enrolled', 'offered') "
    "UNION SELECT 0, d.user_id FROM roster d WHERE d.session_id = ?2 AND d.user_id IS NOT NULL "
    "ORDER BY 1, 2";

/* The session's local start in its programme's zone, "YYYY-MM-DDTHH:MM". */
static void add_local_start(json_t *o, int64_t start, const char *zone)
{
	const struct tz *z = tz_get(zone);
	if (!z)
		return;
	struct local_time lt;
	tz_utc_to_local(z, start, &lt);
	char s[32];
	snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d", lt.year, lt.month, lt.day, lt.hour,
	         lt.minute);
	json_object_set_new(o, "local_start", json_string(s));
}

static json_t *session_json(struct db_stmt *st)
{
	json_t *o = programs_session_row(st);
	if (o)
		add_local_start(o, db_col_i64(st, 2), db_col_text(st, 10));
	return o;
}

int sessions_venue_free(struct db_conn *c, struct arena *a, const struct actor *who, int64_t venue,
                        int64_t start, int64_t end, int64_t self, struct programs_refusal *why)
{
	if (!venue)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_OVERLAP);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, venue);
	db_bind_i64(s, 2, start);
	db_bind_i64(s, 3, end);
	db_bind_i64(s, 4, self);
	int rc = db_step(s);
	bool clash = rc == DB_ROW;
	rc = rc < 0 ? rc : 0; /* a check that could not run does not pass */
	if (clash && !policy_in(who, ACT_ROSTER_READ, db_col_i64(s, 3))) {
		rc = programs_refuse(why, a, 409, "venue_id",
		                     "venue_id: the venue is booked at that time; choose another "
		                     "time or venue");
	} else if (clash) {
		char at[32];
		util_iso8601(at, sizeof at, db_col_i64(s, 2));
		rc = programs_refuse(why, a, 409, "venue_id",
		                     "venue_id: the venue is already booked at %s by '%s' (session "
		                     "%" PRId64 "); choose another time or venue",
		                     at, db_col_text(s, 1), db_col_i64(s, 0));
		why->ext_int_name = "conflicting_session";
		why->ext_int = db_col_i64(s, 0);
		why->ext_str_name = "conflicting_programme";
		why->ext_str = arena_strdup(a, db_col_text(s, 1));
	}
	db_finish(s);
	return rc;
}

int sessions_insert(struct db_conn *c, int64_t programme, int64_t start, int64_t end,
                    int64_t original, int64_t venue, const char *link, const char *status,
                    int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, start);
	db_bind_i64(s, 3, end);
	db_bind_id(s, 4, original);
	db_bind_id(s, 5, venue);
	db_bind_text(s, 6, link);
	db_bind_text(s, 7, status);
	db_bind_i64(s, 8, strcmp(status, "draft") != 0);
	db_bind_i64(s, 9, util_now());
	return db_insert_id(s, id);
}

int sessions_generate(struct db_conn *c, struct arena *a, const struct actor *who,
                      int64_t programme, const struct schedule *sc, int64_t venue, const char *link,
                      int64_t *count, int *weekdays, struct programs_refusal *why)
{
	struct cal_date *dates = arena_alloc(a, SCHEDULE_MAX_SESSIONS * sizeof *dates);
	size_t n = schedule_dates(sc, dates);
	*weekdays = 0;
	*count = 0;
	if (n == 0)
		return programs_refuse(why, a, 400, "rrule",
		                       "the recurrence gives no session between start_date and "
		                       "end_date");
	for (size_t i = 0; i < n; i++) {
		int64_t start = schedule_instant(sc, dates[i]);
		int64_t end = start + (int64_t)sc->duration * 60;
		int rc = sessions_venue_free(c, a, who, venue, start, end, 0, why);
		if (rc)
			return rc;
		int64_t id;
		rc = sessions_insert(c, programme, start, end, start, venue, link, "draft", &id);
		if (rc)
			return rc;
		*weekdays |= 1 << cal_weekday(dates[i]);
	}
	*count = (int64_t)n;
	return 0;
}

int sessions_move_place(struct db_conn *c, struct arena *a, const struct actor *who,
                        int64_t programme, int64_t venue, const char *link,
                        struct programs_refusal *why)
{
	struct db_stmt *s = db_prepare(c, SQL_FUTURE_UNEDITED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, util_now());
	size_t n = 0, cap = 64;
	int64_t(*rows)[3] = arena_alloc(a, cap * sizeof *rows);
	int step;
	while (db_next(s, &step)) {
		if (n == cap) {
			int64_t(*more)[3] = arena_alloc(a, 2 * cap * sizeof *rows);
			memcpy(more, rows, n * sizeof *rows);
			rows = more;
			cap *= 2;
		}
		rows[n][0] = db_col_i64(s, 0);
		rows[n][1] = db_col_i64(s, 1);
		rows[n][2] = db_col_i64(s, 2);
		n++;
	}
	db_finish(s);
	if (step)
		return step; /* moving only some of them would be half a change */
	for (size_t i = 0; i < n; i++) {
		int rc =
		    sessions_venue_free(c, a, who, venue, rows[i][1], rows[i][2], rows[i][0], why);
		if (rc)
			return rc;
		s = db_prepare(c, SQL_SESSION_PLACE);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, rows[i][0]);
		db_bind_id(s, 2, venue);
		db_bind_text(s, 3, link);
		db_bind_i64(s, 4, util_now());
		if ((rc = db_run(s)))
			return rc;
	}
	return 0;
}

int sessions_duty_check(struct db_conn *c, struct arena *a, int64_t session, int64_t start,
                        const char *zone, struct programs_refusal *why)
{
	const struct tz *z = tz_get(zone);
	if (!z)
		return 0;
	struct local_time lt;
	tz_utc_to_local(z, start, &lt);
	char day[11];
	snprintf(day, sizeof day, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	struct db_stmt *s = db_prepare(c, SQL_ON_DUTY);
	size_t n = 0;
	int64_t ids[16];
	const char *names[16];
	/* Safety: a check that could not run must not pass. */
	int rc = s ? 0 : -HEARTH_EDB;
	if (s)
		db_bind_i64(s, 1, session);
	while (s && n < 16 && db_next(s, &rc))
		ids[n++] = db_col_i64(s, 0);
	db_finish(s);
	if (rc || (rc = auth_user_names(c, a, ids, n, names)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *no;
		if (!names[i]) /* no such user: nobody to check */
			continue;
		if (training_duty_refusal(c, a, ids[i], names[i], day, &no))
			no = "training records could not be read";
		if (no)
			return programs_refuse(
			    why, a, 409, "starts_at",
			    "starts_at: on the new date %s; take them off duty or "
			    "choose another date",
			    no);
	}
	return 0;
}

int sessions_list(struct db_conn *c, int64_t programme, bool staff, json_t **items)
{
	*items = NULL;
	struct db_stmt *s = db_prepare(c, SQL_SESSION_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, staff);
	json_t *arr = json_array();
	int rc;
	while (db_next(s, &rc))
		json_array_append_new(arr, session_json(s));
	db_finish(s);
	if (rc)
		json_decref(arr);
	else
		*items = arr;
	return rc;
}

int sessions_get(struct db_conn *c, int64_t id, bool staff, const char *programme_status,
                 json_t **out)
{
	*out = NULL;
	struct db_stmt *s = db_prepare(c, SQL_SESSION_ONE_FULL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		const char *st = db_col_text(s, 7);
		bool visible = staff || (strcmp(programme_status, "published") == 0 &&
		                         (strcmp(st, "published") == 0 || db_col_i64(s, 15)));
		if (visible)
			*out = session_json(s);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return *out ? 0 : -HEARTH_ENOTFOUND;
}

json_t *sessions_json(struct db_conn *c, int64_t id, int64_t start, const char *zone)
{
	json_t *o = programs_session_json(c, id);
	if (o)
		add_local_start(o, start, zone);
	return o;
}

int sessions_duties(struct db_conn *c, int64_t user, int64_t since, json_t **items)
{
	*items = NULL;
	struct db_stmt *s = db_prepare(c, SQL_DUTIES);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user);
	db_bind_i64(s, 2, since);
	json_t *arr = json_array();
	int rc;
	while (db_next(s, &rc)) {
		json_t *o = session_json(s);
		json_object_set_new(o, "role", json_string(db_col_text(s, 15)));
		json_array_append_new(arr, o);
	}
	db_finish(s);
	if (rc)
		json_decref(arr);
	else
		*items = arr;
	return rc;
}

int sessions_state_get(struct db_conn *c, struct arena *a, int64_t id, struct session_state *st)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_STATE);
	if (!s || db_bind_i64(s, 1, id) || db_step(s) != DB_ROW) {
		if (s)
			db_finish(s);
		return -HEARTH_EDB;
	}
	st->start = db_col_i64(s, 0);
	st->end = db_col_i64(s, 1);
	st->venue = db_col_i64(s, 2);
	st->link = db_col_text(s, 3) ? arena_strdup(a, db_col_text(s, 3)) : NULL;
	st->status = arena_strdup(a, db_col_text(s, 4));
	st->was_published = db_col_i64(s, 5);
	st->reason = db_col_text(s, 6) ? arena_strdup(a, db_col_text(s, 6)) : NULL;
	st->cancelled_at = db_col_i64(s, 7);
	db_finish(s);
	return 0;
}

/* Tells everyone who holds a place in the session's programme and the staff
 * on its roster that a published session was cancelled or moved
 * (MSG_SESSION_CANCELLED, MSG_SESSION_MOVED) or takes place elsewhere
 * (MSG_SESSION_CHANGED), inside the caller's
 * transaction. Params are ids and times only. */
static int session_tell(struct db_conn *c, int64_t id, enum message_kind kind, int64_t start,
                        int64_t was_start)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_WHO);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	int64_t programme = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	int64_t org = rc == DB_ROW ? db_col_i64(s, 1) : 0;
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	/* The recipients are read first: no message is written while the
	 * statement runs. */
	size_t n = 0, cap = 0;
	int64_t(*who)[2] = NULL;
	if (!(s = db_prepare(c, SQL_SESSION_PEOPLE)))
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, id);
	while (db_next(s, &rc)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			int64_t(*more)[2] = realloc(who, cap * sizeof *who);
			if (!more) {
				rc = -HEARTH_ENOMEM;
				break;
			}
			who = more;
		}
		who[n][0] = db_col_i64(s, 0);
		who[n][1] = db_col_i64(s, 1);
		n++;
	}
	db_finish(s);
	json_t *params = NULL;
	if (!rc) {
		params = json_pack("{s:I,s:I,s:o}", "session_id", (json_int_t)id, "programme_id",
		                   (json_int_t)programme, "starts_at", programs_json_time(start));
		if (params && kind == MSG_SESSION_MOVED)
			json_object_set_new(params, "was_starts_at", programs_json_time(was_start));
		if (!params)
			rc = -HEARTH_ENOMEM;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		struct message m = {.kind = kind,
		                    .org = org,
		                    .participant_id = who[i][0],
		                    .user_id = who[i][1],
		                    .params = params};
		rc = messages_send(c, NULL, &m, NULL);
	}
	json_decref(params);
	free(who);
	return rc;
}

int sessions_state_put(struct db_conn *c, int64_t id, const struct session_state *st)
{
	/* What people were told before: a published session's cancellation or
	 * new time is news to them; a draft's is not. */
	struct session_state was;
	struct arena *a = arena_new(1024);
	int rc = a ? sessions_state_get(c, a, id, &was) : -HEARTH_ENOMEM;
	if (rc) {
		arena_free(a);
		return rc;
	}
	bool shown = strcmp(was.status, "published") == 0;
	bool cancelled = shown && strcmp(st->status, "cancelled") == 0;
	bool moved =
	    shown && !cancelled && strcmp(st->status, "published") == 0 && st->start != was.start;
	/* Somewhere else (another venue, another online link) at the same time. */
	bool place = shown && !cancelled && !moved && strcmp(st->status, "published") == 0 &&
	             (st->venue != was.venue || strcmp(st->link ? st->link : "",
	                                               was.link ? was.link : "") != 0);
	int64_t was_start = was.start;
	arena_free(a);
	struct db_stmt *s = db_prepare(c, SQL_SESSION_UPDATE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, st->start);
	db_bind_i64(s, 3, st->end);
	db_bind_id(s, 4, st->venue);
	db_bind_text(s, 5, st->link);
	db_bind_text(s, 6, st->status);
	db_bind_i64(s, 7, st->was_published);
	db_bind_text(s, 8, st->reason);
	db_bind_id(s, 9, st->cancelled_at);
	db_bind_i64(s, 10, util_now());
	if ((rc = db_run(s)) != 0)
		return rc;
	if (cancelled)
		rc = session_tell(c, id, MSG_SESSION_CANCELLED, st->start, was_start);
	else if (moved)
		rc = session_tell(c, id, MSG_SESSION_MOVED, st->start, was_start);
	else if (place)
		rc = session_tell(c, id, MSG_SESSION_CHANGED, st->start, was_start);
	return rc;
}

int sessions_check(struct db_conn *c, const struct actor *a, enum action act,
                   const struct prog_ref *ref, bool *only_assigned)
{
	bool seen = ref->status && strcmp(ref->status, "published") == 0;
	bool assigned = false;
	if (only_assigned)
		*only_assigned = false;
	int rc = policy_check(a, act, ref->organisation_id, seen);
	if (rc != -HEARTH_EDENIED || a->user_id <= 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ASSIGNED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, ref->session_id);
	db_bind_i64(s, 2, a->user_id);
	int step = db_step(s);
	db_finish(s);
	if (step < 0)
		return step;
	assigned = step == DB_ROW;
	int with = policy_check_assigned(a, act, ref->organisation_id, seen, true);
	if (with == 0 && only_assigned)
		*only_assigned = !assigned;
	return assigned ? with : rc;
}
