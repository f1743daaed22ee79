/*
 * What the programmes module keeps about a person, seen from the person's
 * side: sealing the free text written by or about them (support notes,
 * themes a participant proposed) with their own data key, sealing rows left
 * in the clear by older versions once at start-up, and the sections the
 * module adds to the person's subject-access export.
 *
 * Sealed text follows people_seal(): erasing the person destroys the key,
 * so the text is unreadable in the live database and in every backup. A
 * theme whose proposer was erased keeps its votes and shows as removed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/programs.h"
#include "core/banned.h"

/* --- sealing helpers --- */

int programs_theme_seal(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                        const char *title, const char *description, unsigned char **out,
                        size_t *outlen)
{
	json_t *doc =
	    json_pack("{s:s, s:s}", "title", title, "description", description ? description : "");
	char *plain = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = plain ? people_seal(px, a, participant_id, plain, strlen(plain), out, outlen)
	               : -HEARTH_ENOMEM;
	free(plain);
	json_decref(doc);
	return rc;
}

int programs_theme_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                        const void *sealed, size_t len, const char **title,
                        const char **description)
{
	char *plain = NULL;
	size_t n = 0;
	*title = *description = NULL;
	int rc = people_open(px, a, participant_id, sealed, len, &plain, &n);
	if (rc == -HEARTH_ENOTFOUND)
		return 0; /* the proposer was erased: the theme is removed */
	if (rc)
		return rc;
	json_t *doc = json_loadb(plain, n, 0, NULL);
	if (!doc)
		return -HEARTH_ECRYPTO;
	*title = arena_strdup(a, json_string_value(json_object_get(doc, "title")));
	*description = arena_strdup(a, json_string_value(json_object_get(doc, "description")));
	json_decref(doc);
	return 0;
}

int programs_note_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                       const void *sealed, size_t len, const char *plain, const char **out)
{
	*out = NULL;
	if (!sealed || !len) {
		*out = plain && *plain ? arena_strdup(a, plain) : "";
		return 0;
	}
	char *text = NULL;
	size_t n = 0;
	int rc = people_open(px, a, participant_id, sealed, len, &text, &n);
	if (rc == -HEARTH_ENOTFOUND)
		return 0; /* erased */
	if (rc)
		return rc;
	*out = text;
	return 0;
}

/* --- rows left in the clear by older versions --- */

static const char SQL_PLAIN_SUPPORT[] =
    "SELECT id, participant_id, notes FROM supports WHERE notes <> '' AND id > ?1 "
    "ORDER BY id LIMIT 1";
static const char SQL_SEAL_SUPPORT[] =
    "UPDATE supports SET notes = '', notes_sealed = ?2 WHERE id = ?1";
static const char SQL_PLAIN_THEME[] =
    "SELECT t.id, t.proposed_by, t.title, t.description FROM themes t "
    "WHERE t.proposer_kind = 'participant' AND t.sealed IS NULL AND t.title <> '' AND t.id > ?1 "
    "ORDER BY t.id LIMIT 1";
static const char SQL_SEAL_THEME[] =
    "UPDATE themes SET title = '', description = '', participant_id = ?2, sealed = ?3 "
    "WHERE id = ?1";

/* Seals one support note found in the clear; the note is dropped when the
 * person is already erased. */
static int seal_support(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                        int64_t pid, const char *notes)
{
	unsigned char *sealed = NULL;
	size_t len = 0;
	int rc = people_seal(px, a, pid, notes, strlen(notes), &sealed, &len);
	if (rc && rc != -HEARTH_ENOTFOUND)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_SEAL_SUPPORT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	if (sealed)
		db_bind_blob(s, 2, sealed, len);
	else
		db_bind_null(s, 2);
	return db_run(s);
}

/* Seals one theme a participant proposed in the clear. Its proposer is
 * found through their login (user, 0 for none); a proposer already erased
 * leaves the theme removed; a login without a participant record (no key)
 * leaves it as it is, and *skip is set. */
static int seal_theme(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                      int64_t user, const char *title, const char *description, bool *skip)
{
	unsigned char *sealed = NULL;
	size_t len = 0;
	int64_t pid = 0;
	*skip = false;
	int rc = people_by_user(c, user, &pid);
	if (rc)
		return rc;
	if (pid) {
		rc = programs_theme_seal(px, a, pid, title, description, &sealed, &len);
		if (rc && rc != -HEARTH_ENOTFOUND)
			return rc;
	} else {
		bool erased = false;
		if (user && (rc = auth_user_erased(c, user, &erased)) != 0)
			return rc;
		if (!erased) {
			*skip = true;
			return 0;
		}
	}
	struct db_stmt *s = db_prepare(c, SQL_SEAL_THEME);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_id(s, 2, pid);
	if (sealed)
		db_bind_blob(s, 3, sealed, len);
	else
		db_bind_null(s, 3);
	return db_run(s);
}

int programs_seal_leftovers(struct db_pool *pool, const struct people_ctx *px)
{
	struct db_conn *c = db_acquire(pool);
	struct arena *a = arena_new(8192);
	int64_t after = 0, sealed = 0;
	int rc = 0;
	/* One row per transaction: start-up stays short on a large database,
	 * and another node doing the same meanwhile only finds fewer rows. */
	for (;;) {
		arena_reset(a);
		if ((rc = db_begin(c, true)) != 0)
			break;
		struct db_stmt *s = db_prepare(c, SQL_PLAIN_SUPPORT);
		if (!s) {
			rc = -HEARTH_EDB;
			db_rollback(c);
			break;
		}
		db_bind_i64(s, 1, after);
		rc = db_step(s);
		int64_t id = 0, pid = 0;
		const char *notes = NULL;
		if (rc == DB_ROW) {
			id = db_col_i64(s, 0);
			pid = db_col_i64(s, 1);
			notes = arena_strdup(a, db_col_text(s, 2));
		}
		db_finish(s);
		if (rc != DB_ROW) {
			db_rollback(c);
			rc = rc < 0 ? rc : 0;
			break;
		}
		after = id;
		if ((rc = seal_support(px, c, a, id, pid, notes)) != 0 ||
		    (rc = db_commit(c)) != 0) {
			db_rollback(c);
			break;
		}
		sealed++;
	}
	for (after = 0; !rc;) {
		arena_reset(a);
		if ((rc = db_begin(c, true)) != 0)
			break;
		struct db_stmt *s = db_prepare(c, SQL_PLAIN_THEME);
		if (!s) {
			rc = -HEARTH_EDB;
			db_rollback(c);
			break;
		}
		db_bind_i64(s, 1, after);
		rc = db_step(s);
		int64_t id = 0, user = 0;
		const char *title = NULL, *description = NULL;
		if (rc == DB_ROW) {
			id = db_col_i64(s, 0);
			user = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
			title = arena_strdup(a, db_col_text(s, 2));
			description = arena_strdup(a, db_col_text(s, 3));
		}
		db_finish(s);
		if (rc != DB_ROW) {
			db_rollback(c);
			rc = rc < 0 ? rc : 0;
			break;
		}
		after = id;
		bool skip;
		if ((rc = seal_theme(px, c, a, id, user, title, description, &skip)) != 0 ||
		    (rc = db_commit(c)) != 0) {
			db_rollback(c);
			break;
		}
		if (!skip)
			sealed++;
	}
	if (sealed)
		log_msg(LOG_INFO, "sealed %" PRId64 " support notes and themes left in the clear",
		        sealed);
	arena_free(a);
	db_release(pool, c);
	return rc;
}

/* --- the person's export --- */

static json_t *iso_or_null(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? json_null() : programs_json_time(db_col_i64(s, col));
}

/* Runs sql with the person's id as ?1 and calls row() per row; stops at the
 * first error. */
static int each_row(struct db_conn *c, const char *sql, int64_t pid,
                    int (*row)(struct db_stmt *s, void *ctx), void *ctx)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, pid);
	int rc;
	while (db_next(s, &rc))
		if ((rc = row(s, ctx)) != 0)
			break;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

struct xctx {
	const struct people_ctx *px;
	struct arena *a;
	int64_t pid;
	json_t *out;
	struct db_conn *c;
};

static const char SQL_X_ENROLMENTS[] =
    "SELECT e.programme_id, p.title, e.status, e.cancel_reason, e.created_at, e.updated_at, "
    "e.offer_expires_at FROM enrolments e JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.participant_id = ?1 ORDER BY e.id";

static int x_enrolment(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "programme_id",
	              (json_int_t)db_col_i64(s, 0), "programme", db_col_text(s, 1), "status",
	              db_col_text(s, 2), "cancel_reason", programs_json_text(db_col_text(s, 3)),
	              "created_at", programs_json_time(db_col_i64(s, 4)), "updated_at",
	              programs_json_time(db_col_i64(s, 5)), "offer_expires_at", iso_or_null(s, 6));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

static const char SQL_X_ATTENDANCE[] =
    "SELECT p.id, p.title, s.starts_at, a.status, a.sat_out, a.marked_at "
    "FROM attendance a JOIN programme_sessions s ON s.id = a.session_id "
    "JOIN programmes p ON p.id = s.programme_id WHERE a.participant_id = ?1 "
    "ORDER BY s.starts_at, s.id";

static int x_attendance(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	json_t *o =
	    json_pack("{s:I, s:s, s:o, s:s, s:b, s:o}", "programme_id",
	              (json_int_t)db_col_i64(s, 0), "programme", db_col_text(s, 1), "session_start",
	              programs_json_time(db_col_i64(s, 2)), "status", db_col_text(s, 3), "sat_out",
	              db_col_i64(s, 4) != 0, "marked_at", programs_json_time(db_col_i64(s, 5)));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

static const char SQL_X_ROSTER[] =
    "SELECT p.id, p.title, s.starts_at, r.role FROM roster r "
    "JOIN programme_sessions s ON s.id = r.session_id JOIN programmes p ON p.id = s.programme_id "
    "WHERE r.participant_id = ?1 ORDER BY s.starts_at, r.id";

static int x_roster(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	json_t *o = json_pack("{s:I, s:s, s:o, s:s}", "programme_id", (json_int_t)db_col_i64(s, 0),
	                      "programme", db_col_text(s, 1), "session_start",
	                      programs_json_time(db_col_i64(s, 2)), "role", db_col_text(s, 3));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

/* Answers given under the person's name; anonymous answers have no link
 * to anyone and cannot be part of anyone's export. */
static const char SQL_X_ANSWERS[] =
    "SELECT x.round_id, r.title, x.channel, x.lang, x.answers, x.sealed, x.created_at "
    "FROM listening_responses x JOIN listening_rounds r ON r.id = x.round_id "
    "WHERE x.participant_id = ?1 ORDER BY x.created_at, x.round_id";

static int x_answer(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	json_t *doc = NULL;
	size_t len = 0;
	const void *blob = db_col_blob(s, 4, &len);
	if (db_col_i64(s, 5) != 0) {
		char *plain = NULL;
		size_t n = 0;
		int rc = people_open(x->px, x->a, x->pid, blob, len, &plain, &n);
		if (rc)
			return rc;
		doc = json_loadb(plain, n, 0, NULL);
	} else if (blob) {
		doc = json_loadb(blob, len, 0, NULL);
	}
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o}", "round_id", (json_int_t)db_col_i64(s, 0),
	                      "round", db_col_text(s, 1), "channel", db_col_text(s, 2), "lang",
	                      db_col_text(s, 3), "given_at", programs_json_time(db_col_i64(s, 6)));
	json_t *answers = json_object_get(doc, "answers"),
	       *tags = json_object_get(doc, "barrier_tags");
	json_object_set_new(o, "answers", answers ? json_incref(answers) : json_object());
	json_object_set_new(o, "barrier_tags", tags ? json_incref(tags) : json_array());
	json_decref(doc);
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

static const char SQL_X_THEMES[] =
    "SELECT t.round_id, r.title, t.title, t.description, t.sealed, t.outcome, t.outcome_reason, "
    "t.created_at, (SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id) "
    "FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.participant_id = ?1 ORDER BY t.id";

static int x_theme(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	const char *title = db_col_text(s, 2), *description = db_col_text(s, 3);
	size_t len = 0;
	const void *blob = db_col_null(s, 4) ? NULL : db_col_blob(s, 4, &len);
	if (blob) {
		int rc = programs_theme_open(x->px, x->a, x->pid, blob, len, &title, &description);
		if (rc)
			return rc;
	}
	json_t *o = json_pack(
	    "{s:I, s:s, s:o, s:o, s:s, s:o, s:I, s:o}", "round_id", (json_int_t)db_col_i64(s, 0),
	    "round", db_col_text(s, 1), "title", programs_json_text(title), "description",
	    programs_json_text(description), "outcome", db_col_text(s, 5), "outcome_reason",
	    programs_json_text(db_col_text(s, 6)), "votes", (json_int_t)db_col_i64(s, 8),
	    "proposed_at", programs_json_time(db_col_i64(s, 7)));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

static const char SQL_X_VOTES[] =
    "SELECT v.round_id, r.title, t.title, t.participant_id, t.sealed, v.voted_at "
    "FROM theme_votes v JOIN themes t ON t.id = v.theme_id "
    "JOIN listening_rounds r ON r.id = v.round_id WHERE v.participant_id = ?1 "
    "ORDER BY v.round_id";

static int x_vote(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	const char *title = db_col_text(s, 2), *description;
	size_t len = 0;
	const void *blob = db_col_null(s, 4) ? NULL : db_col_blob(s, 4, &len);
	if (blob) {
		/* The theme is someone's words, shown to everyone in the round. */
		int rc = programs_theme_open(x->px, x->a, db_col_i64(s, 3), blob, len, &title,
		                             &description);
		if (rc)
			return rc;
	}
	json_t *o = json_pack("{s:I, s:s, s:o, s:o}", "round_id", (json_int_t)db_col_i64(s, 0),
	                      "round", db_col_text(s, 1), "theme", programs_json_text(title),
	                      "voted_at", programs_json_time(db_col_i64(s, 5)));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

static const char SQL_X_SUPPORTS[] =
    "SELECT su.programme_id, p.title, su.kind, su.status, su.amount_cents, su.notes, "
    "su.notes_sealed, su.requested_at, su.decided_at, su.provided_at "
    "FROM supports su JOIN programmes p ON p.id = su.programme_id "
    "WHERE su.participant_id = ?1 ORDER BY su.id";

static int x_support(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	size_t len = 0;
	const void *blob = db_col_null(s, 6) ? NULL : db_col_blob(s, 6, &len);
	const char *notes;
	int rc = programs_note_open(x->px, x->a, x->pid, blob, len, db_col_text(s, 5), &notes);
	if (rc)
		return rc;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "programme_id",
	                      (json_int_t)db_col_i64(s, 0), "programme", db_col_text(s, 1), "kind",
	                      db_col_text(s, 2), "status", db_col_text(s, 3), "amount_cents",
	                      (json_int_t)db_col_i64(s, 4), "notes", programs_json_text(notes),
	                      "requested_at", programs_json_time(db_col_i64(s, 7)), "decided_at",
	                      iso_or_null(s, 8), "provided_at", iso_or_null(s, 9));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

/* Follow-up notes are written by staff about the person; the form tells
 * staff that the person sees them in their export. */
static const char SQL_X_FOLLOWUPS[] =
    "SELECT f.programme_id, p.title, f.action, f.note, f.user_id, f.created_at "
    "FROM followups f JOIN programmes p ON p.id = f.programme_id "
    "WHERE f.participant_id = ?1 ORDER BY f.id";

static int x_followup(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	size_t len = 0;
	const void *blob = db_col_null(s, 3) ? NULL : db_col_blob(s, 3, &len);
	const char *note;
	int rc = programs_note_open(x->px, x->a, x->pid, blob, len, NULL, &note);
	if (rc)
		return rc;
	/* Who wrote it: a staff member's name (auth.h), null for none. */
	int64_t user = db_col_null(s, 4) ? 0 : db_col_i64(s, 4);
	const char *by = NULL;
	if ((rc = auth_user_names(x->c, x->a, &user, 1, &by)) != 0)
		return rc;
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "programme_id",
	              (json_int_t)db_col_i64(s, 0), "programme", db_col_text(s, 1), "action",
	              db_col_text(s, 2), "note", note && *note ? json_string(note) : json_null(),
	              "by", programs_json_text(by), "at", programs_json_time(db_col_i64(s, 5)));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

/* The token itself is never stored (only its hash): the export says that a
 * feed exists and since when. */
static const char SQL_X_CALENDAR[] =
    "SELECT created_at FROM calendar_tokens WHERE kind = 'participant' AND owner_id = ?1";

static int x_calendar(struct db_stmt *s, void *ctx)
{
	struct xctx *x = ctx;
	json_t *o = json_pack("{s:o}", "created_at", programs_json_time(db_col_i64(s, 0)));
	return json_array_append_new(x->out, o) ? -HEARTH_ENOMEM : 0;
}

/* Each section of the person's export: the rows of one statement taking
 * the person's id, each made into JSON by its function. */
static const struct export_part {
	const char *section, *tables, *sql;
	int (*row)(struct db_stmt *s, void *ctx);
} export_parts[] = {
    {"enrolments", "enrolments", SQL_X_ENROLMENTS, x_enrolment},
    {"attendance", "attendance", SQL_X_ATTENDANCE, x_attendance},
    {"session_roles", "roster", SQL_X_ROSTER, x_roster},
    {"listening_answers", "listening_responses", SQL_X_ANSWERS, x_answer},
    {"themes_proposed", "themes", SQL_X_THEMES, x_theme},
    {"theme_votes", "theme_votes", SQL_X_VOTES, x_vote},
    {"supports", "supports", SQL_X_SUPPORTS, x_support},
    {"followups", "followups", SQL_X_FOLLOWUPS, x_followup},
    {"calendar_feed", "calendar_tokens", SQL_X_CALENDAR, x_calendar},
};

static int export_part(struct db_conn *c, const struct people_ctx *px, struct arena *a, int64_t pid,
                       json_t *out, const void *arg)
{
	const struct export_part *part = arg;
	struct xctx x = {px, a, pid, out, c};
	return each_row(c, part->sql, pid, part->row, &x);
}

void programs_export_register(void)
{
	for (size_t i = 0; i < sizeof export_parts / sizeof export_parts[0]; i++)
		people_on_export(export_parts[i].section, export_parts[i].tables, export_part,
		                 &export_parts[i]);
}
