/*
 * Programmes: listening and co-authorship. A coordinator opens a round of
 * needs gathering; residents answer it online, or staff enter their answers
 * in person, in English or Spanish, anonymously if the person prefers.
 * Participants and staff propose themes and participants vote on them (one
 * vote per person per round, changeable until the round closes). "You said,
 * we did" links each decision to the themes and answers that led to it, and
 * lists the themes not acted on with the reason why.
 *
 * Privacy: an attributed answer is sealed with the person's own data key
 * (people_seal), so erasing the person crypto-shreds it; an anonymous answer
 * keeps no link to anyone. Reading answers is audited in the same
 * transaction as the read; every write is audited by req_commit.
 *
 * Scope: participants may read the rounds and decisions of every
 * organisation; staff those of organisations where they hold a staff role;
 * managing a round needs the admin or coordinator role in its organisation.
 * A round the actor may not see answers 404, as if it did not exist.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/scope.h"
#include "core/banned.h"

/* --- field tables --- */

static const char *const round_statuses[] = {"open", "closed", NULL};
static const char *const answer_langs[] = {"en", "es", NULL};
static const char *const barrier_tags[] = {"transport", "cost",        "childcare", "caring_duties",
                                           "timing",    "language",    "access",    "anxiety",
                                           "stigma",    "not_knowing", "other",     NULL};
/* The questions of a round, in the order the answers object lists them. */
static const char *const questions[] = {"emotional",           "creative", "social", "strengths",
                                        "cultural_traditions", "barriers", NULL};
static const char *const outcomes[] = {"pending", "not_acted", "acted", NULL};
static const char *const decision_kinds[] = {"new_programme",     "changed_time", "new_venue",
                                             "changed_programme", "other",        NULL};

/* What the UI offers for these fields (GET /api/v1/meta). */
const struct meta_enum listening_http_enums[] = {
    {"round_statuses", round_statuses},
    {"listening_questions", questions},
    {"barrier_tags", barrier_tags},
    {"theme_outcomes", outcomes},
    {"decision_kinds", decision_kinds},
    {NULL, NULL},
};

#define ANSWER_MAX 2000

static const struct field answer_fields[] = {
    {"emotional", FIELD_STRING, false, 0, ANSWER_MAX},
    {"creative", FIELD_STRING, false, 0, ANSWER_MAX},
    {"social", FIELD_STRING, false, 0, ANSWER_MAX},
    {"strengths", FIELD_STRING, false, 0, ANSWER_MAX},
    {"cultural_traditions", FIELD_STRING, false, 0, ANSWER_MAX},
    {"barriers", FIELD_STRING, false, 0, ANSWER_MAX},
};

enum { RC_ORG, RC_TITLE, RC_DESCRIPTION, RC_CLOSES_AT };
static const struct field round_create_fields[] = {
    [RC_ORG] = {"organisation_id", FIELD_INT, true, 1},
    [RC_TITLE] = {"title", FIELD_STRING, true, 1, 200},
    [RC_DESCRIPTION] = {"description", FIELD_STRING, false, 0, 4000},
    [RC_CLOSES_AT] = {"closes_at", FIELD_TIME},
};

enum { RU_TITLE, RU_DESCRIPTION, RU_CLOSES_AT, RU_STATUS };
static const struct field round_update_fields[] = {
    [RU_TITLE] = {"title", FIELD_STRING, false, 1, 200},
    [RU_DESCRIPTION] = {"description", FIELD_STRING, false, 0, 4000},
    [RU_CLOSES_AT] = {"closes_at", FIELD_TIME},
    [RU_STATUS] = {"status", FIELD_ENUM, false, 0, 0, round_statuses},
};

enum { RS_PARTICIPANT, RS_ANONYMOUS, RS_LANG, RS_ANSWERS, RS_TAGS };
static const struct field response_fields[] = {
    [RS_PARTICIPANT] = {"participant_id", FIELD_INT, false, 1},
    [RS_ANONYMOUS] = {"anonymous", FIELD_BOOL},
    [RS_LANG] = {"lang", FIELD_ENUM, true, 0, 0, answer_langs},
    [RS_ANSWERS] = {"answers", FIELD_OBJECT, true, 0, 0, NULL, answer_fields,
                    NFIELDS(answer_fields)},
    [RS_TAGS] = {"barrier_tags", FIELD_STRINGS, false, 1, 40, barrier_tags, NULL, 0, 11},
};

enum { TC_TITLE, TC_DESCRIPTION };
static const struct field theme_create_fields[] = {
    [TC_TITLE] = {"title", FIELD_STRING, true, 1, 200},
    [TC_DESCRIPTION] = {"description", FIELD_STRING, false, 0, 2000},
};

static const struct field vote_fields[] = {
    {"theme_id", FIELD_INT, true, 1},
};

enum { TU_OUTCOME, TU_REASON };
static const struct field theme_update_fields[] = {
    [TU_OUTCOME] = {"outcome", FIELD_ENUM, true, 0, 0, outcomes},
    [TU_REASON] = {"outcome_reason", FIELD_STRING, false, 3, 1000},
};

enum { DC_ORG, DC_ROUND, DC_KIND, DC_TITLE, DC_BODY, DC_PROGRAMME, DC_THEMES, DC_RESPONSES };
static const struct field decision_fields[] = {
    [DC_ORG] = {"organisation_id", FIELD_INT, true, 1},
    [DC_ROUND] = {"round_id", FIELD_INT, false, 1},
    [DC_KIND] = {"kind", FIELD_ENUM, true, 0, 0, decision_kinds},
    [DC_TITLE] = {"title", FIELD_STRING, true, 1, 200},
    [DC_BODY] = {"body", FIELD_STRING, false, 0, 4000},
    [DC_PROGRAMME] = {"programme_id", FIELD_INT, false, 1},
    [DC_THEMES] = {"theme_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 100},
    [DC_RESPONSES] = {"response_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 500},
};

/* The tables above, as the route table documents them (routes.c). */
const struct field_table listening_http_round_create_body = FIELD_TABLE(round_create_fields);
const struct field_table listening_http_round_update_body = FIELD_TABLE(round_update_fields);
const struct field_table listening_http_response_create_body = FIELD_TABLE(response_fields);
const struct field_table listening_http_theme_create_body = FIELD_TABLE(theme_create_fields);
const struct field_table listening_http_vote_put_body = FIELD_TABLE(vote_fields);
const struct field_table listening_http_theme_update_body = FIELD_TABLE(theme_update_fields);
const struct field_table listening_http_decision_create_body = FIELD_TABLE(decision_fields);

/* --- SQL --- */

#define ROUND_COLUMNS                                                                          \
	"r.id, r.organisation_id, r.title, r.description, r.status, r.opens_at, r.closes_at, " \
	"r.created_at, r.closed_at, "                                                          \
	"(SELECT COUNT(*) FROM themes t WHERE t.round_id = r.id), "                            \
	"(SELECT COUNT(*) FROM listening_responses x WHERE x.round_id = r.id)"

static const char SQL_ROUND_GET[] =
    "SELECT " ROUND_COLUMNS " FROM listening_rounds r WHERE r.id = ?1";
static const char SQL_ROUND_LIST[] = "SELECT " ROUND_COLUMNS " FROM listening_rounds r "
                                     "WHERE (?1 = 0 OR r.organisation_id = ?1) "
                                     "AND (?2 = '' OR r.status = ?2) ORDER BY r.id DESC";
static const char SQL_ROUND_INSERT[] =
    "INSERT INTO listening_rounds (organisation_id, title, description, status, opens_at, "
    "closes_at, created_by, created_at) VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?4) "
    "RETURNING id";
static const char SQL_ROUND_ORG[] = "SELECT organisation_id FROM listening_rounds WHERE id = ?1";
static const char SQL_ROUND_UPDATE[] =
    "UPDATE listening_rounds SET title = ?2, description = ?3, closes_at = ?4, status = ?5, "
    "closed_at = ?6 WHERE id = ?1";

/* Answers get random ids (response_new_id): sequential ones would order an
 * anonymous answer among the attributed ones around it. A clash, one in
 * billions, inserts nothing and is tried again with another id. */
static const char SQL_RESPONSE_INSERT[] =
    "INSERT INTO listening_responses (id, round_id, participant_id, channel, lang, answers, "
    "sealed, entered_by, created_at) VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
/* Rewrites the anonymous online answers of a round and day in place when
 * their aggregate audit entry is written (listening_settle_anonymous). */
static const char SQL_RESPONSE_SETTLE[] =
    "UPDATE listening_responses SET answers = answers WHERE round_id = ?1 AND created_at = ?2 "
    "AND participant_id IS NULL AND channel = 'online'";
static const char SQL_RESPONSE_LIST[] =
    "SELECT id, participant_id, channel, lang, answers, sealed, created_at "
    "FROM listening_responses WHERE round_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
static const char SQL_RESPONSE_ORG[] =
    "SELECT r.organisation_id FROM listening_responses x "
    "JOIN listening_rounds r ON r.id = x.round_id WHERE x.id = ?1";

#define THEME_COLUMNS                                                                       \
	"t.id, t.round_id, t.title, t.description, t.proposer_kind, t.outcome, "            \
	"t.outcome_reason, t.created_at, "                                                  \
	"(SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), r.organisation_id, " \
	"r.status, t.participant_id, t.sealed"

static const char SQL_THEME_GET[] =
    "SELECT " THEME_COLUMNS " FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.id = ?1";
static const char SQL_THEME_LIST[] =
    "SELECT " THEME_COLUMNS " FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.round_id = ?1 ORDER BY t.id";
static const char SQL_THEME_ORG[] = "SELECT r.organisation_id FROM themes t "
                                    "JOIN listening_rounds r ON r.id = t.round_id WHERE t.id = ?1";
static const char SQL_THEME_INSERT[] =
    "INSERT INTO themes (round_id, title, description, proposed_by, proposer_kind, created_at, "
    "participant_id, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_THEME_OUTCOME[] =
    "UPDATE themes SET outcome = ?2, outcome_reason = ?3 WHERE id = ?1";
static const char SQL_THEME_ACTED[] =
    "UPDATE themes SET outcome = 'acted', outcome_reason = NULL WHERE id = ?1";

static const char SQL_VOTE_GET[] =
    "SELECT theme_id FROM theme_votes WHERE round_id = ?1 AND participant_id = ?2";
/* One row per person per round (the primary key): a second vote replaces. */
static const char SQL_VOTE_PUT[] =
    "INSERT INTO theme_votes (round_id, participant_id, theme_id, voted_at) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (round_id, participant_id) "
    "DO UPDATE SET theme_id = excluded.theme_id, voted_at = excluded.voted_at";
static const char SQL_VOTE_DELETE[] =
    "DELETE FROM theme_votes WHERE round_id = ?1 AND participant_id = ?2";
static const char SQL_VOTES_OF[] = "SELECT COUNT(*) FROM theme_votes WHERE theme_id = ?1";

static const char SQL_DECISION_INSERT[] =
    "INSERT INTO decisions (organisation_id, round_id, kind, title, body, programme_id, "
    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_LINK_THEME[] =
    "INSERT INTO decision_links (decision_id, theme_id) VALUES (?1, ?2)";
static const char SQL_LINK_RESPONSE[] =
    "INSERT INTO decision_links (decision_id, response_id) VALUES (?1, ?2)";
#define DECISION_COLUMNS \
	"id, organisation_id, round_id, kind, title, body, programme_id, created_at"
static const char SQL_DECISION_GET[] = "SELECT " DECISION_COLUMNS " FROM decisions WHERE id = ?1";
static const char SQL_DECISION_LIST[] =
    "SELECT " DECISION_COLUMNS " FROM decisions WHERE (?1 = 0 OR organisation_id = ?1) "
    "AND (?2 = 0 OR round_id = ?2) ORDER BY id DESC";
static const char SQL_DECISION_THEMES[] =
    "SELECT t.id, t.title, (SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), "
    "t.participant_id, t.sealed "
    "FROM decision_links l JOIN themes t ON t.id = l.theme_id WHERE l.decision_id = ?1 "
    "ORDER BY t.id";
static const char SQL_DECISION_RESPONSES[] =
    "SELECT COUNT(*) FROM decision_links WHERE decision_id = ?1 AND response_id IS NOT NULL";
static const char SQL_NOT_ACTED[] =
    "SELECT t.id, t.title, (SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), "
    "t.outcome_reason, r.organisation_id, t.round_id, t.participant_id, t.sealed "
    "FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.outcome = 'not_acted' AND (?1 = 0 OR r.organisation_id = ?1) "
    "AND (?2 = 0 OR t.round_id = ?2) ORDER BY t.id";

/* --- who may see what --- */

static bool is_participant(const struct actor *a)
{
	return (a->roles & (1u << ROLE_PARTICIPANT)) != 0;
}

/* Rounds and their themes: participants see every organisation's, staff
 * their own organisations', admins all. */
static bool sees_round(const struct actor *a, int64_t org)
{
	return is_participant(a) || programs_serves(a, PM_STAFF, org);
}

/* "You said, we did" is for everyone the organisation works with: anyone
 * with a role in it, and every participant. */
static bool sees_decisions(const struct actor *a, int64_t org)
{
	return is_participant(a) || programs_serves(a, ~0u, org);
}

/* --- small helpers --- */

static json_t *time_json(int64_t t, bool null)
{
	if (null)
		return json_null();
	char s[32];
	util_iso8601(s, sizeof s, t);
	return json_string(s);
}

static json_t *id_or_null(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? json_null() : json_integer(db_col_i64(s, col));
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Rolls back the request's transaction, if one is open, before an answer
 * that is not a commit. */
static void rollback(struct req *r)
{
	struct db_conn *c = req_db(r);
	if (db_in_transaction(c))
		db_rollback(c);
}

#define query_id programs_query_id

/* Runs a statement that selects one count (or id) with id bound to ?1. */
static int count_of(struct db_conn *c, const char *sql, int64_t id, int64_t *out)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	*out = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

static const char *resource(struct req *r, const char *kind, int64_t id)
{
	return arena_printf(r->arena, "%s:%" PRId64, kind, id);
}

/* --- rounds --- */

struct round {
	int64_t id, org, opens_at, closes_at, created_at, closed_at;
	bool has_closes_at, has_closed_at;
	const char *title, *description, *status;
	int64_t themes, responses;
};

static void round_row(struct db_stmt *s, struct arena *a, struct round *out)
{
	out->id = db_col_i64(s, 0);
	out->org = db_col_i64(s, 1);
	out->title = arena_strdup(a, db_col_text(s, 2));
	out->description = arena_strdup(a, db_col_text(s, 3));
	out->status = arena_strdup(a, db_col_text(s, 4));
	out->opens_at = db_col_i64(s, 5);
	out->has_closes_at = !db_col_null(s, 6);
	out->closes_at = db_col_i64(s, 6);
	out->created_at = db_col_i64(s, 7);
	out->has_closed_at = !db_col_null(s, 8);
	out->closed_at = db_col_i64(s, 8);
	out->themes = db_col_i64(s, 9);
	out->responses = db_col_i64(s, 10);
}

static bool round_open(const struct round *rd)
{
	return strcmp(rd->status, "open") == 0;
}

static json_t *round_json(const struct round *rd)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I}", "id",
	                 (json_int_t)rd->id, "organisation_id", (json_int_t)rd->org, "title",
	                 rd->title, "description", rd->description, "status", rd->status,
	                 "opens_at", time_json(rd->opens_at, false), "closes_at",
	                 time_json(rd->closes_at, !rd->has_closes_at), "closed_at",
	                 time_json(rd->closed_at, !rd->has_closed_at), "created_at",
	                 time_json(rd->created_at, false), "theme_count", (json_int_t)rd->themes,
	                 "response_count", (json_int_t)rd->responses);
}

static int round_load(struct db_conn *c, struct arena *a, int64_t id, struct round *out)
{
	struct db_stmt *s = db_prepare(c, SQL_ROUND_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		round_row(s, a, out);
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* Loads the round named in the path for an actor who may see it. Answers
 * 404 (rolling back any open transaction) when there is no such round or
 * it belongs to an organisation the actor may not see. */
static bool round_for(struct req *r, struct round *out)
{
	int64_t id = req_param_id(r, "id");
	int rc = round_load(req_db(r), r->arena, id, out);
	if (rc == 0 && sees_round(&r->actor, out->org))
		return true;
	rollback(r);
	if (rc && rc != -HEARTH_ENOTFOUND)
		http_error(r, rc, "the listening round");
	else
		http_problem(r, 404, "there is no listening round %" PRId64, id);
	return false;
}

/* Like round_for, for changes: also needs the admin or coordinator role in
 * the round's organisation (403 otherwise). */
static bool round_to_manage(struct req *r, struct round *out)
{
	if (!round_for(r, out))
		return false;
	if (programs_serves(&r->actor, PM_MANAGE, out->org))
		return true;
	rollback(r);
	http_problem(r, 403, "only coordinators of the round's organisation may manage it");
	return false;
}

/* 409 unless the round takes answers, themes and votes. */
static bool round_must_be_open(struct req *r, const struct round *rd, const char *what)
{
	if (round_open(rd))
		return true;
	rollback(r);
	http_problem_ext(r, 409, json_pack("{s:s}", "round_status", rd->status),
	                 "listening round %" PRId64 " is closed: it takes no more %s", rd->id,
	                 what);
	return false;
}

void listening_http_round_list(struct req *r)
{
	int64_t org;
	const char *status = req_query(r, "status");
	if (!query_id(r, "organisation_id", &org))
		return;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0) {
		programs_bad(r, 400, "status", "status must be open or closed");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), SQL_ROUND_LIST);
	if (!s) {
		http_error(r, -HEARTH_EDB, "listening rounds");
		return;
	}
	db_bind_i64(s, 1, org);
	db_bind_text(s, 2, status ? status : "");
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		struct round rd;
		round_row(s, r->arena, &rd);
		if (sees_round(&r->actor, rd.org))
			json_array_append_new(items, round_json(&rd));
	}
	db_finish(s);
	if (rc < 0) {
		json_decref(items);
		http_error(r, rc, "listening rounds");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void listening_http_round_create(struct req *r)
{
	struct field_value v[NFIELDS(round_create_fields)];
	if (!req_body_fields(r, &listening_http_round_create_body, v))
		return;
	int64_t org = v[RC_ORG].i, now = util_now(), id = 0;
	if (!programs_serves(&r->actor, PM_MANAGE, org)) {
		programs_bad(r, 403, "organisation_id",
		             "you can only open rounds in organisations you coordinate");
		return;
	}
	if (v[RC_CLOSES_AT].present && v[RC_CLOSES_AT].i <= now) {
		programs_bad(r, 400, "closes_at", "closes_at must be in the future");
		return;
	}
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_ROUND_INSERT);
	if (!rc && !s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, org);
		db_bind_text(s, 2, v[RC_TITLE].s);
		db_bind_text(s, 3, v[RC_DESCRIPTION].present ? v[RC_DESCRIPTION].s : "");
		db_bind_i64(s, 4, now);
		db_bind_id(s, 5, v[RC_CLOSES_AT].present ? v[RC_CLOSES_AT].i : 0);
		db_bind_id(s, 6, r->actor.user_id);
		rc = db_insert_id(s, &id);
	}
	if (rc == -HEARTH_ECONFLICT) {
		/* Only an admin gets here with an organisation that does not exist. */
		rollback(r);
		programs_bad(r, 400, "organisation_id", "there is no organisation %" PRId64, org);
		return;
	}
	if (!req_commit(r, rc, "listening.round.create", resource(r, "listening_round", id),
	                "the listening round"))
		return;
	struct round rd;
	rc = round_load(c, r->arena, id, &rd);
	if (rc) {
		http_error(r, rc, "the listening round");
		return;
	}
	http_json(r, 201, round_json(&rd));
}

void listening_http_round_get(struct req *r)
{
	struct round rd;
	if (!round_for(r, &rd))
		return;
	http_json(r, 200, round_json(&rd));
}

void listening_http_round_update(struct req *r)
{
	struct field_value v[NFIELDS(round_update_fields)];
	if (!req_body_fields(r, &listening_http_round_update_body, v))
		return;
	bool clear_closes = json_is_null(json_object_get(r->body, "closes_at"));
	struct db_conn *c = req_db(r);
	struct round rd;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the listening round");
		return;
	}
	if (!round_to_manage(r, &rd))
		return;
	const char *action = "listening.round.update";
	if (v[RU_TITLE].present)
		rd.title = v[RU_TITLE].s;
	if (v[RU_DESCRIPTION].present)
		rd.description = v[RU_DESCRIPTION].s;
	if (v[RU_CLOSES_AT].present) {
		rd.closes_at = v[RU_CLOSES_AT].i;
		rd.has_closes_at = true;
	} else if (clear_closes) {
		rd.has_closes_at = false;
	}
	if (v[RU_STATUS].present && strcmp(v[RU_STATUS].s, rd.status) != 0) {
		bool closing = strcmp(v[RU_STATUS].s, "closed") == 0;
		rd.status = v[RU_STATUS].s;
		rd.has_closed_at = closing;
		rd.closed_at = closing ? util_now() : 0;
		action = closing ? "listening.round.close" : "listening.round.reopen";
	}
	struct db_stmt *s = db_prepare(c, SQL_ROUND_UPDATE);
	if (!s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, rd.id);
		db_bind_text(s, 2, rd.title);
		db_bind_text(s, 3, rd.description);
		db_bind_id(s, 4, rd.has_closes_at ? rd.closes_at : 0);
		db_bind_text(s, 5, rd.status);
		db_bind_id(s, 6, rd.has_closed_at ? rd.closed_at : 0);
		rc = db_run_one(s);
	}
	if (!req_commit(r, rc, action, resource(r, "listening_round", rd.id),
	                "the listening round"))
		return;
	http_json(r, 200, round_json(&rd));
}

/* --- responses --- */

/* The document kept for one answer: the answers given (empty ones left
 * out) and the barrier tags. NULL when no question was answered. The
 * caller owns the result. */
static json_t *answers_doc(json_t *answers, json_t *tags)
{
	json_t *a = json_object();
	for (const char *const *q = questions; *q; q++) {
		const char *text = json_string_value(json_object_get(answers, *q));
		size_t n = text ? strlen(text) : 0;
		/* Trimmed as the field table trims, so that spaces are no answer. */
		while (n && strchr(" \t\r\n", *text)) {
			text++;
			n--;
		}
		while (n && strchr(" \t\r\n", text[n - 1]))
			n--;
		if (n)
			json_object_set_new(a, *q, json_stringn(text, n));
	}
	if (!json_object_size(a)) {
		json_decref(a);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "answers", a, "barrier_tags",
	                 tags ? json_incref(tags) : json_array());
}

/* Who answers: staff of the round's organisation entering an answer given
 * in person, or a participant answering online for themself. */
struct answerer {
	bool in_person;
	int64_t participant_id; /* 0 when anonymous */
};

/* Decides who the answer is from and checks it; answers the error itself. */
static bool answerer_for(struct req *r, const struct round *rd, const struct field_value *v,
                         struct answerer *out)
{
	bool anonymous = v[RS_ANONYMOUS].present && v[RS_ANONYMOUS].i;
	int64_t given = v[RS_PARTICIPANT].present ? v[RS_PARTICIPANT].i : 0;
	memset(out, 0, sizeof *out);
	if (given && anonymous) {
		programs_bad(r, 400, "participant_id",
		             "leave out participant_id for an anonymous answer");
		return false;
	}
	if (!programs_serves(&r->actor, PM_FRONTLINE, rd->org)) {
		/* A participant, online: for themself only. */
		if (given) {
			programs_bad(
			    r, 403, "participant_id",
			    "participant_id is for staff entering answers given in person");
			return false;
		}
		int64_t self = programs_self_participant(req_db(r), &r->actor);
		if (!self) {
			http_problem(r, 403, "your login is not linked to a participant record");
			return false;
		}
		out->participant_id = anonymous ? 0 : self;
		return true;
	}
	out->in_person = true;
	if (anonymous)
		return true;
	if (!given) {
		programs_bad(r, 400, "participant_id",
		             "participant_id is required unless the answer is anonymous");
		return false;
	}
	/* The person must be the round's organisation's (or shared with it):
	 * anyone else is refused like nobody (scope.h), before their erasure
	 * is said. */
	struct person_view pv;
	if (!programs_scope_participant(r, "participant_id", given, rd->org, &pv))
		return false;
	json_decref(pv.profile);
	if (pv.erased) {
		programs_bad(r, 400, "participant_id",
		             "participant %" PRId64 " was erased; answer anonymously instead",
		             given);
		return false;
	}
	out->participant_id = given;
	return true;
}

/* Serialises doc and, for an attributed answer, seals it with the person's
 * data key. *data is arena memory; the plaintext copy is wiped. */
static int answers_store(struct req *r, json_t *doc, int64_t participant_id,
                         const unsigned char **data, size_t *len)
{
	char *plain = json_dumps(doc, JSON_COMPACT);
	if (!plain)
		return -HEARTH_ENOMEM;
	size_t n = strlen(plain);
	int rc = 0;
	if (participant_id) {
		unsigned char *sealed;
		rc = people_seal(&r->app->people, r->arena, participant_id, plain, n, &sealed, len);
		*data = sealed;
	} else {
		*data = (const unsigned char *)arena_strndup(r->arena, plain, n);
		*len = n;
	}
	sodium_memzero(plain, n);
	free(plain);
	return rc;
}

/* The audit action counted, per round and day, for anonymous online answers. */
#define ANONYMOUS_ANSWERS "listening.response.anonymous"

/* A random id from 1 to 2^53 - 1: unguessable, says nothing about when the
 * answer came, and stays exact in JSON clients that read numbers as
 * doubles. */
static int64_t response_new_id(void)
{
	uint64_t x = 0;
	while (!x) {
		randombytes_buf(&x, sizeof x);
		x &= (UINT64_C(1) << 53) - 1;
	}
	return (int64_t)x;
}

/* Inserts the answer under a new random id, tried again on the rare clash.
 * Binds every column but the id from the caller's values. */
static int response_insert(struct db_conn *c, int64_t round, const struct answerer *who,
                           const char *lang, const unsigned char *data, size_t len,
                           int64_t entered_by, int64_t at, int64_t *id)
{
	int rc = -HEARTH_ECONFLICT;
	for (int attempt = 0; attempt < 4 && rc == -HEARTH_ECONFLICT; attempt++) {
		struct db_stmt *s = db_prepare(c, SQL_RESPONSE_INSERT);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, round);
		db_bind_id(s, 2, who->participant_id);
		db_bind_text(s, 3, who->in_person ? "in_person" : "online");
		db_bind_text(s, 4, lang);
		db_bind_blob(s, 5, data, len);
		db_bind_i64(s, 6, who->participant_id ? 1 : 0);
		db_bind_id(s, 7, entered_by);
		db_bind_i64(s, 8, at);
		db_bind_i64(s, 9, response_new_id());
		rc = db_step(s);
		if (rc == DB_ROW) {
			*id = db_col_i64(s, 0);
			rc = 0;
		} else if (rc == DB_DONE) {
			rc = -HEARTH_ECONFLICT; /* the id was taken: another one */
		}
		db_finish(s);
	}
	return rc;
}

/* Settles a day's anonymous answers of a round when audit_flush() writes
 * their aggregate entry: rewriting the rows in the flush's transaction
 * gives them its transaction id on PostgreSQL (xmin), instead of the one
 * of the request that wrote them, which would order each answer among its
 * author's own audit entries. */
static int listening_settle_anonymous(struct db_conn *c, const char *resource, int64_t day)
{
	long long round;
	if (sscanf(resource, "listening_round:%lld", &round) != 1)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_RESPONSE_SETTLE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, (int64_t)round);
	db_bind_i64(s, 2, day);
	return db_run(s);
}

void listening_http_init(void)
{
	audit_on_settle(ANONYMOUS_ANSWERS, listening_settle_anonymous);
}

void listening_http_response_create(struct req *r)
{
	struct field_value v[NFIELDS(response_fields)];
	if (!req_body_fields(r, &listening_http_response_create_body, v))
		return;
	json_t *doc = answers_doc(v[RS_ANSWERS].j, v[RS_TAGS].j);
	if (!doc) {
		programs_bad(r, 400, "answers", "answers must answer at least one question");
		return;
	}
	struct db_conn *c = req_db(r);
	struct round rd;
	struct answerer who;
	const unsigned char *data = NULL;
	size_t len = 0;
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (rc) {
		json_decref(doc);
		http_error(r, rc, "the answer");
		return;
	}
	if (!round_for(r, &rd) || !round_must_be_open(r, &rd, "answers") ||
	    !answerer_for(r, &rd, v, &who)) {
		rollback(r);
		json_decref(doc);
		return;
	}
	rc = answers_store(r, doc, who.participant_id, &data, &len);
	json_decref(doc);
	/* An anonymous answer keeps only the day it was given, so its time
	 * cannot be matched against who was logged in at that moment. */
	int64_t now = util_now();
	int64_t at = who.participant_id ? now : now - now % 86400;
	/* Staff who entered an answer stay accountable for it; a participant
	 * answering anonymously online leaves no trace of themself on it. */
	int64_t entered_by = who.in_person ? r->actor.user_id : 0;
	if (!rc)
		rc = response_insert(c, rd.id, &who, v[RS_LANG].s, data, len, entered_by, at, &id);
	const char *res = who.participant_id ? resource(r, "participant", who.participant_id)
	                                     : resource(r, "listening_round", rd.id);
	if (!rc && !who.in_person && !who.participant_id) {
		/* Anonymous online: no audit entry now, whose time and place in
		 * the chain would sit among the sender's own entries; only a count
		 * for the round and day, written as one entry without an actor
		 * after the day is over (audit_flush). The access log and the
		 * metrics leave the request out (r->anonymous). */
		r->anonymous = true;
		rc = audit_defer(c, ANONYMOUS_ANSWERS, res, at);
		if (!rc)
			rc = db_commit(c);
		if (rc) {
			db_rollback(c);
			http_error(r, rc, "the answer");
			return;
		}
	} else if (!req_commit(r, rc, "listening.response.create", res, "the answer")) {
		return;
	}
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

struct response_row {
	int64_t id, participant_id, created_at;
	bool sealed;
	const char *channel, *lang;
	const unsigned char *data;
	size_t len;
};

/* Reads up to max responses of a round after id after into rows (arena). */
static int responses_load(struct db_conn *c, struct arena *a, int64_t round, int64_t after,
                          int64_t max, struct response_row *rows, size_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_RESPONSE_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, round);
	db_bind_i64(s, 2, after);
	db_bind_i64(s, 3, max);
	int rc;
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW && (int64_t)*n < max) {
		struct response_row *x = &rows[(*n)++];
		x->id = db_col_i64(s, 0);
		x->participant_id = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
		x->channel = arena_strdup(a, db_col_text(s, 2));
		x->lang = arena_strdup(a, db_col_text(s, 3));
		size_t len = 0;
		const void *blob = db_col_blob(s, 4, &len);
		unsigned char *copy = arena_alloc(a, len + 1);
		if (len)
			memcpy(copy, blob, len);
		copy[len] = 0;
		x->data = copy;
		x->len = len;
		x->sealed = db_col_i64(s, 5) != 0;
		x->created_at = db_col_i64(s, 6);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* One answer as coordinators see it. Opens a sealed answer with the
 * person's key; an erased person's answers read null. */
static int response_json(struct req *r, const struct response_row *x, json_t **out)
{
	json_t *doc = NULL;
	bool erased = false;
	if (x->sealed) {
		char *plain;
		size_t n;
		int rc = people_open(&r->app->people, r->arena, x->participant_id, x->data, x->len,
		                     &plain, &n);
		if (rc == -HEARTH_ENOTFOUND)
			erased = true;
		else if (rc)
			return rc;
		else {
			doc = json_loadb(plain, n, 0, NULL);
			sodium_memzero(plain, n);
		}
	} else {
		doc = json_loadb((const char *)x->data, x->len, 0, NULL);
	}
	if (!doc && !erased)
		return -HEARTH_EDB;
	json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)x->id, "channel",
	                      x->channel, "lang", x->lang, "anonymous", !x->participant_id,
	                      "created_at", time_json(x->created_at, false));
	if (x->participant_id)
		json_object_set_new(o, "participant_id", json_integer(x->participant_id));
	json_object_set(o, "answers", doc ? json_object_get(doc, "answers") : json_null());
	json_object_set(o, "barrier_tags",
	                doc ? json_object_get(doc, "barrier_tags") : json_null());
	if (erased)
		json_object_set_new(o, "erased", json_true());
	json_decref(doc);
	*out = o;
	return 0;
}

void listening_http_response_list(struct req *r)
{
	int64_t after, limit = 100;
	if (!query_id(r, "after_id", &after))
		return;
	const char *l = req_query(r, "limit");
	if (l) {
		char *end;
		limit = strtoll(l, &end, 10);
		if (!*l || *end || limit < 1 || limit > 500) {
			programs_bad(r, 400, "limit", "limit must be a number from 1 to 500");
			return;
		}
	}
	struct db_conn *c = req_db(r);
	struct round rd;
	struct response_row *rows = arena_alloc(r->arena, (size_t)limit * sizeof *rows);
	size_t n = 0;
	json_t *items = json_array();
	/* The read and its audit entries commit together, or neither. */
	int rc = db_begin(c, true);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "the answers");
		return;
	}
	if (!round_to_manage(r, &rd)) {
		json_decref(items);
		return;
	}
	rc = responses_load(c, r->arena, rd.id, after, limit, rows, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *o = NULL;
		rc = response_json(r, &rows[i], &o);
		if (!rc)
			json_array_append_new(items, o);
		if (!rc && rows[i].participant_id)
			rc = req_audit(r, "listening.response.read",
			               resource(r, "participant", rows[i].participant_id),
			               "success");
	}
	if (!req_commit(r, rc, "listening.response.list", resource(r, "listening_round", rd.id),
	                "the answers")) {
		json_decref(items);
		return;
	}
	json_t *next = (int64_t)n == limit ? json_integer(rows[n - 1].id) : json_null();
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_after_id", next));
}

/* --- themes and votes --- */

struct theme {
	int64_t id, round_id, created_at, votes, org;
	const char *title, *description, *proposer_kind, *outcome, *reason, *round_status;
	bool removed; /* its proposer was erased: the words are gone */
};

/* A theme a participant proposed is sealed with their key (see
 * programs_privacy.c); once they are erased it reads as removed. */
static int theme_row(const struct people_ctx *px, struct db_stmt *s, struct arena *a,
                     struct theme *out)
{
	out->id = db_col_i64(s, 0);
	out->round_id = db_col_i64(s, 1);
	out->title = arena_strdup(a, db_col_text(s, 2));
	out->description = arena_strdup(a, db_col_text(s, 3));
	out->proposer_kind = arena_strdup(a, db_col_text(s, 4));
	out->outcome = arena_strdup(a, db_col_text(s, 5));
	out->reason = arena_strdup(a, db_col_text(s, 6));
	out->created_at = db_col_i64(s, 7);
	out->votes = db_col_i64(s, 8);
	out->org = db_col_i64(s, 9);
	out->round_status = arena_strdup(a, db_col_text(s, 10));
	out->removed = false;
	size_t len = 0;
	const void *sealed = db_col_null(s, 12) ? NULL : db_col_blob(s, 12, &len);
	if (sealed) {
		int rc = programs_theme_open(px, a, db_col_i64(s, 11), sealed, len, &out->title,
		                             &out->description);
		if (rc)
			return rc;
	}
	bool cleared = !sealed && out->title && !*out->title &&
	               strcmp(out->proposer_kind, "participant") == 0;
	if (!out->title || cleared) {
		out->removed = true;
		out->title = out->description = NULL;
	}
	return 0;
}

static json_t *theme_json(const struct theme *t)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:s, s:I, s:s, s:o, s:o}", "id",
	                      (json_int_t)t->id, "round_id", (json_int_t)t->round_id, "title",
	                      text_or_null(t->title), "description", text_or_null(t->description),
	                      "proposer_kind", t->proposer_kind, "votes", (json_int_t)t->votes,
	                      "outcome", t->outcome, "outcome_reason", text_or_null(t->reason),
	                      "created_at", time_json(t->created_at, false));
	if (o && t->removed)
		json_object_set_new(o, "removed", json_true());
	return o;
}

static int theme_load(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                      struct theme *out)
{
	struct db_stmt *s = db_prepare(c, SQL_THEME_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW && (rc = theme_row(px, s, a, out)) == 0)
		rc = DB_ROW;
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* The theme the actor voted for in a round; 0 when none. */
static int my_vote(struct db_conn *c, int64_t round, int64_t participant, int64_t *theme)
{
	*theme = 0;
	if (!participant)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_VOTE_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, round);
	db_bind_i64(s, 2, participant);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*theme = db_col_i64(s, 0);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

void listening_http_theme_list(struct req *r)
{
	struct round rd;
	if (!round_for(r, &rd))
		return;
	struct db_conn *c = req_db(r);
	int64_t mine = 0;
	int rc = my_vote(c, rd.id, programs_self_participant(c, &r->actor), &mine);
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_THEME_LIST);
	if (!rc && !s)
		rc = -HEARTH_EDB;
	json_t *items = json_array();
	if (!rc) {
		db_bind_i64(s, 1, rd.id);
		while ((rc = db_step(s)) == DB_ROW) {
			struct theme t;
			if ((rc = theme_row(&r->app->people, s, r->arena, &t)) != 0)
				break;
			json_array_append_new(items, theme_json(&t));
		}
		db_finish(s);
	}
	if (rc < 0) {
		json_decref(items);
		http_error(r, rc, "the themes");
		return;
	}
	http_json(r, 200,
	          json_pack("{s:I, s:s, s:o, s:o}", "round_id", (json_int_t)rd.id, "status",
	                    rd.status, "items", items, "my_vote",
	                    mine ? json_integer(mine) : json_null()));
}

void listening_http_theme_create(struct req *r)
{
	struct field_value v[NFIELDS(theme_create_fields)];
	if (!req_body_fields(r, &listening_http_theme_create_body, v))
		return;
	struct db_conn *c = req_db(r);
	struct round rd;
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the theme");
		return;
	}
	if (!round_for(r, &rd) || !round_must_be_open(r, &rd, "themes"))
		return;
	/* Staff of the organisation propose as staff; anyone else who sees
	 * the round is a participant (the policy allows no one else here). */
	const char *kind = programs_serves(&r->actor, PM_STAFF, rd.org) ? "staff" : "participant";
	const char *title = v[TC_TITLE].s;
	const char *description = v[TC_DESCRIPTION].present ? v[TC_DESCRIPTION].s : "";
	/* A participant's words are sealed with their own key, so that
	 * erasing them reaches the theme too (it then shows as removed). */
	int64_t self = strcmp(kind, "participant") == 0
	                   ? programs_self_participant(c, &r->actor)
	                   : 0;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	if (self) {
		rc = programs_theme_seal(&r->app->people, r->arena, self, title, description,
		                         &sealed, &sealed_len);
		title = description = "";
	}
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_THEME_INSERT);
	if (!rc && !s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, rd.id);
		db_bind_text(s, 2, title);
		db_bind_text(s, 3, description);
		db_bind_id(s, 4, r->actor.user_id);
		db_bind_text(s, 5, kind);
		db_bind_i64(s, 6, util_now());
		db_bind_id(s, 7, self);
		if (sealed)
			db_bind_blob(s, 8, sealed, sealed_len);
		else
			db_bind_null(s, 8);
		rc = db_insert_id(s, &id);
	}
	if (!req_commit(r, rc, "theme.create", resource(r, "theme", id), "the theme"))
		return;
	struct theme t;
	rc = theme_load(&r->app->people, c, r->arena, id, &t);
	if (rc) {
		http_error(r, rc, "the theme");
		return;
	}
	http_json(r, 201, theme_json(&t));
}

/* The participant record of a voter; answers 403 when there is none. */
static int64_t voter(struct req *r)
{
	int64_t self = programs_self_participant(req_db(r), &r->actor);
	if (!self) {
		rollback(r);
		http_problem(r, 403, "your login is not linked to a participant record");
	}
	return self;
}

void listening_http_vote_put(struct req *r)
{
	struct field_value v[NFIELDS(vote_fields)];
	if (!req_body_fields(r, &listening_http_vote_put_body, v))
		return;
	struct db_conn *c = req_db(r);
	struct round rd;
	struct theme t;
	int64_t self;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "your vote");
		return;
	}
	if (!round_for(r, &rd) || !(self = voter(r)) || !round_must_be_open(r, &rd, "votes"))
		return;
	rc = theme_load(&r->app->people, c, r->arena, v[0].i, &t);
	if (rc == -HEARTH_ENOTFOUND || (!rc && t.round_id != rd.id)) {
		rollback(r);
		programs_bad(r, 400, "theme_id",
		             "theme_id: there is no theme %" PRId64 " in listening round %" PRId64,
		             v[0].i, rd.id);
		return;
	}
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_VOTE_PUT);
	if (!rc && !s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, rd.id);
		db_bind_i64(s, 2, self);
		db_bind_i64(s, 3, t.id);
		db_bind_i64(s, 4, util_now());
		rc = db_run(s);
	}
	int64_t votes = 0;
	if (!rc)
		rc = count_of(c, SQL_VOTES_OF, t.id, &votes);
	if (!req_commit(r, rc, "theme.vote", resource(r, "listening_round", rd.id), "your vote"))
		return;
	http_json(r, 200,
	          json_pack("{s:I, s:I, s:I}", "round_id", (json_int_t)rd.id, "theme_id",
	                    (json_int_t)t.id, "votes", (json_int_t)votes));
}

void listening_http_vote_delete(struct req *r)
{
	struct db_conn *c = req_db(r);
	struct round rd;
	int64_t self;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "your vote");
		return;
	}
	if (!round_for(r, &rd) || !(self = voter(r)) || !round_must_be_open(r, &rd, "votes"))
		return;
	struct db_stmt *s = db_prepare(c, SQL_VOTE_DELETE);
	if (!s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, rd.id);
		db_bind_i64(s, 2, self);
		rc = db_run_one(s);
	}
	if (rc == -HEARTH_ENOTFOUND) {
		rollback(r);
		http_problem(r, 404, "you have no vote in listening round %" PRId64, rd.id);
		return;
	}
	if (!req_commit(r, rc, "theme.vote.withdraw", resource(r, "listening_round", rd.id),
	                "your vote"))
		return;
	http_no_content(r);
}

void listening_http_theme_update(struct req *r)
{
	struct field_value v[NFIELDS(theme_update_fields)];
	if (!req_body_fields(r, &listening_http_theme_update_body, v))
		return;
	bool not_acted = strcmp(v[TU_OUTCOME].s, "not_acted") == 0;
	if (strcmp(v[TU_OUTCOME].s, "acted") == 0) {
		programs_bad(r, 400, "outcome",
		             "outcome acted is recorded by linking the theme to a decision "
		             "(POST /api/v1/decisions)");
		return;
	}
	if (not_acted && !v[TU_REASON].present) {
		programs_bad(r, 400, "outcome_reason",
		             "outcome_reason is required: say why the theme was not acted on");
		return;
	}
	if (!not_acted && v[TU_REASON].present) {
		programs_bad(r, 400, "outcome_reason",
		             "outcome_reason goes only with the outcome not_acted");
		return;
	}
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct theme t;
	int rc = db_begin(c, true);
	if (!rc)
		rc = theme_load(&r->app->people, c, r->arena, id, &t);
	if (rc == -HEARTH_ENOTFOUND || (!rc && !sees_round(&r->actor, t.org))) {
		rollback(r);
		http_problem(r, 404, "there is no theme %" PRId64, id);
		return;
	}
	if (!rc && !programs_serves(&r->actor, PM_MANAGE, t.org)) {
		rollback(r);
		http_problem(r, 403, "only coordinators of the round's organisation may do this");
		return;
	}
	if (!rc && strcmp(t.outcome, "acted") == 0) {
		rollback(r);
		programs_bad(r, 409, "outcome",
		             "theme %" PRId64 " was acted on: a decision links to it", id);
		return;
	}
	struct db_stmt *s = rc ? NULL : db_prepare(c, SQL_THEME_OUTCOME);
	if (!rc && !s)
		rc = -HEARTH_EDB;
	if (!rc) {
		t.outcome = v[TU_OUTCOME].s;
		t.reason = not_acted ? v[TU_REASON].s : NULL;
		db_bind_i64(s, 1, id);
		db_bind_text(s, 2, t.outcome);
		db_bind_text(s, 3, t.reason);
		rc = db_run_one(s);
	}
	if (!req_commit(r, rc, "theme.update", resource(r, "theme", id), "the theme"))
		return;
	http_json(r, 200, theme_json(&t));
}

/* --- "you said, we did" --- */

/* A theme's title in a listing: in the clear (staff's), or opened with its
 * proposer's key; NULL once the proposer was erased (the theme is
 * removed). The columns of the title, t.participant_id and t.sealed. */
static int theme_title_at(struct req *r, struct db_stmt *s, int title_col, int pid_col,
                          int sealed_col, const char **title)
{
	size_t len = 0;
	const void *sealed = db_col_null(s, sealed_col) ? NULL : db_col_blob(s, sealed_col, &len);
	const char *description;
	*title = arena_strdup(r->arena, db_col_text(s, title_col));
	if (sealed)
		return programs_theme_open(&r->app->people, r->arena, db_col_i64(s, pid_col), sealed,
		                           len, title, &description);
	if (*title && !**title)
		*title = NULL; /* a participant's theme whose words were cleared */
	return 0;
}

/* A decision with its linked themes (and their votes) and the number of
 * linked answers: never the answers themselves, nor who gave them. */
static json_t *decision_row(struct req *r, struct db_conn *c, struct db_stmt *s, int *rcp)
{
	int64_t id = db_col_i64(s, 0), nresp = 0;
	json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)id,
	                      "organisation_id", (json_int_t)db_col_i64(s, 1), "round_id",
	                      id_or_null(s, 2), "kind", db_col_text(s, 3), "title",
	                      db_col_text(s, 4), "body", db_col_text(s, 5), "programme_id",
	                      id_or_null(s, 6), "created_at", time_json(db_col_i64(s, 7), false));
	json_t *themes = json_array();
	struct db_stmt *t = db_prepare(c, SQL_DECISION_THEMES);
	int rc = t ? 0 : -HEARTH_EDB;
	if (t) {
		db_bind_i64(t, 1, id);
		while ((rc = db_step(t)) == DB_ROW) {
			const char *title;
			if ((rc = theme_title_at(r, t, 1, 3, 4, &title)) != 0)
				break;
			json_t *th = json_pack("{s:I, s:o, s:I}", "id", (json_int_t)db_col_i64(t, 0),
			                       "title", text_or_null(title), "votes",
			                       (json_int_t)db_col_i64(t, 2));
			if (!title)
				json_object_set_new(th, "removed", json_true());
			json_array_append_new(themes, th);
		}
		db_finish(t);
	}
	if (rc >= 0)
		rc = count_of(c, SQL_DECISION_RESPONSES, id, &nresp);
	json_object_set_new(o, "themes", themes);
	json_object_set_new(o, "responses", json_integer(nresp));
	*rcp = rc < 0 ? rc : 0;
	return o;
}

/* The themes not acted on, with why, in organisations the actor sees. */
static int not_acted_list(struct req *r, int64_t org, int64_t round, json_t *out)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_NOT_ACTED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org);
	db_bind_i64(s, 2, round);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (!sees_decisions(&r->actor, db_col_i64(s, 4)))
			continue;
		const char *title;
		if ((rc = theme_title_at(r, s, 1, 6, 7, &title)) != 0)
			break;
		json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:o}", "theme_id",
		                      (json_int_t)db_col_i64(s, 0), "round_id",
		                      (json_int_t)db_col_i64(s, 5), "title", text_or_null(title),
		                      "votes", (json_int_t)db_col_i64(s, 2), "reason",
		                      text_or_null(db_col_text(s, 3)));
		if (!title)
			json_object_set_new(o, "removed", json_true());
		json_array_append_new(out, o);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

void listening_http_decision_list(struct req *r)
{
	int64_t org, round;
	if (!query_id(r, "organisation_id", &org) || !query_id(r, "round_id", &round))
		return;
	struct db_conn *c = req_db(r);
	json_t *items = json_array(), *not_acted = json_array();
	struct db_stmt *s = db_prepare(c, SQL_DECISION_LIST);
	int rc = s ? 0 : -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, org);
		db_bind_i64(s, 2, round);
		while ((rc = db_step(s)) == DB_ROW)
			if (sees_decisions(&r->actor, db_col_i64(s, 1))) {
				json_array_append_new(items, decision_row(r, c, s, &rc));
				if (rc)
					break;
			}
		db_finish(s);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = not_acted_list(r, org, round, not_acted);
	if (rc) {
		json_decref(items);
		json_decref(not_acted);
		http_error(r, rc, "decisions");
		return;
	}
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "not_acted", not_acted));
}

/* Checks a list of linked ids (themes or answers): each must exist in the
 * decision's organisation, once. Answers 400 naming the list otherwise. */
static bool links_valid(struct req *r, const char *field, const char *sql, const char *what,
                        json_t *ids, int64_t org)
{
	size_t i, k;
	json_t *x;
	json_array_foreach(ids, i, x)
	{
		int64_t id = json_integer_value(x), in_org = 0;
		for (k = 0; k < i; k++)
			if (json_integer_value(json_array_get(ids, k)) == id) {
				programs_bad(r, 400, field, "%s lists %s %" PRId64 " twice", field,
				             what, id);
				return false;
			}
		int rc = count_of(req_db(r), sql, id, &in_org);
		if (rc && rc != -HEARTH_ENOTFOUND) {
			http_error(r, rc, "the decision");
			return false;
		}
		if (rc || in_org != org) {
			programs_bad(r, 400, field,
			             "%s: there is no %s %" PRId64 " in organisation %" PRId64,
			             field, what, id, org);
			return false;
		}
	}
	return true;
}

/* Checks what the field table cannot: the round, programme, themes and
 * answers named must be the organisation's. Answers 400 itself. */
static bool decision_refs_valid(struct req *r, const struct field_value *v, int64_t org)
{
	struct db_conn *c = req_db(r);
	if (v[DC_ROUND].present) {
		int64_t in_org = 0;
		int rc = count_of(c, SQL_ROUND_ORG, v[DC_ROUND].i, &in_org);
		if (rc && rc != -HEARTH_ENOTFOUND) {
			http_error(r, rc, "the decision");
			return false;
		}
		if (rc || in_org != org) {
			programs_bad(r, 400, "round_id",
			             "round_id: there is no listening round %" PRId64
			             " in organisation %" PRId64,
			             v[DC_ROUND].i, org);
			return false;
		}
	}
	if (v[DC_PROGRAMME].present) {
		struct prog_ref p;
		int rc = programs_programme_ref(c, r->arena, v[DC_PROGRAMME].i, &p);
		if (rc && rc != -HEARTH_ENOTFOUND) {
			http_error(r, rc, "the decision");
			return false;
		}
		if (rc || p.organisation_id != org) {
			programs_bad(r, 400, "programme_id",
			             "programme_id: there is no programme %" PRId64
			             " in organisation %" PRId64,
			             v[DC_PROGRAMME].i, org);
			return false;
		}
	}
	return links_valid(r, "theme_ids", SQL_THEME_ORG, "theme", v[DC_THEMES].j, org) &&
	       links_valid(r, "response_ids", SQL_RESPONSE_ORG, "answer", v[DC_RESPONSES].j, org);
}

/* Stores the links of decision id and marks its themes acted on. */
static int decision_links_add(struct db_conn *c, int64_t id, json_t *themes, json_t *responses)
{
	size_t i;
	json_t *x;
	int rc = 0;
	json_array_foreach(themes, i, x)
	{
		struct db_stmt *s = db_prepare(c, SQL_LINK_THEME);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, json_integer_value(x));
		if ((rc = db_run(s)) != 0)
			return rc;
		if (!(s = db_prepare(c, SQL_THEME_ACTED)))
			return -HEARTH_EDB;
		db_bind_i64(s, 1, json_integer_value(x));
		if ((rc = db_run_one(s)) != 0)
			return rc;
	}
	json_array_foreach(responses, i, x)
	{
		struct db_stmt *s = db_prepare(c, SQL_LINK_RESPONSE);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, json_integer_value(x));
		if ((rc = db_run(s)) != 0)
			return rc;
	}
	return 0;
}

void listening_http_decision_create(struct req *r)
{
	struct field_value v[NFIELDS(decision_fields)];
	if (!req_body_fields(r, &listening_http_decision_create_body, v))
		return;
	int64_t org = v[DC_ORG].i, id = 0;
	if (!programs_serves(&r->actor, PM_MANAGE, org)) {
		programs_bad(r, 403, "organisation_id",
		             "you can only record decisions of organisations you coordinate");
		return;
	}
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the decision");
		return;
	}
	if (!decision_refs_valid(r, v, org)) {
		rollback(r);
		return;
	}
	struct db_stmt *s = db_prepare(c, SQL_DECISION_INSERT);
	if (!s)
		rc = -HEARTH_EDB;
	if (!rc) {
		db_bind_i64(s, 1, org);
		db_bind_id(s, 2, v[DC_ROUND].present ? v[DC_ROUND].i : 0);
		db_bind_text(s, 3, v[DC_KIND].s);
		db_bind_text(s, 4, v[DC_TITLE].s);
		db_bind_text(s, 5, v[DC_BODY].present ? v[DC_BODY].s : "");
		db_bind_id(s, 6, v[DC_PROGRAMME].present ? v[DC_PROGRAMME].i : 0);
		db_bind_id(s, 7, r->actor.user_id);
		db_bind_i64(s, 8, util_now());
		rc = db_insert_id(s, &id);
	}
	if (rc == -HEARTH_ECONFLICT) {
		/* Only an admin gets here with an organisation that does not exist. */
		rollback(r);
		programs_bad(r, 400, "organisation_id", "there is no organisation %" PRId64, org);
		return;
	}
	if (!rc)
		rc = decision_links_add(c, id, v[DC_THEMES].j, v[DC_RESPONSES].j);
	if (!req_commit(r, rc, "decision.create", resource(r, "decision", id), "the decision"))
		return;
	json_t *o = NULL;
	s = db_prepare(c, SQL_DECISION_GET);
	rc = s ? 0 : -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, id);
		rc = db_step(s);
		if (rc == DB_ROW)
			o = decision_row(r, c, s, &rc);
		db_finish(s);
	}
	if (rc < 0 || !o) {
		json_decref(o);
		http_error(r, rc < 0 ? rc : -HEARTH_ENOTFOUND, "the decision");
		return;
	}
	http_json(r, 201, o);
}
