/*
 * HTTP edge of listening rounds and their answers (logic in listening.c;
 * themes, votes and decisions in themes_http.c): parses with the field
 * tables, calls one function and answers.
 *
 * Privacy: reading attributed answers is audited in the same transaction
 * as the read; every write is audited by req_commit, except an anonymous
 * online answer, which leaves no audit entry, access-log line or metrics
 * (r->anonymous; the route has ROUTE_NO_TOUCH) and is only counted
 * (audit_defer in listening.c). See docs/privacy.md, "Anonymous answers".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "programs/listening.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

/* --- field tables --- */

static const char *const round_statuses[] = {"open", "closed", NULL};
static const char *const answer_langs[] = {"en", "es", NULL};
static const char *const barrier_tags[] = {"transport", "cost",        "childcare", "caring_duties",
                                           "timing",    "language",    "access",    "anxiety",
                                           "stigma",    "not_knowing", "other",     NULL};

/* What the UI offers for these fields (GET /api/v1/meta). */
const struct meta_enum listening_http_enums[] = {
    {"round_statuses", round_statuses},
    {"listening_questions", listening_questions},
    {"barrier_tags", barrier_tags},
    {"theme_outcomes", listening_theme_outcomes},
    {"decision_kinds", listening_decision_kinds},
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

/* The tables above, as the route table documents them (routes.c). */
const struct field_table listening_http_round_create_body = FIELD_TABLE(round_create_fields);
const struct field_table listening_http_round_update_body = FIELD_TABLE(round_update_fields);
const struct field_table listening_http_response_create_body = FIELD_TABLE(response_fields);

static const char *resource(struct req *r, const char *kind, int64_t id)
{
	return arena_printf(r->arena, "%s:%" PRId64, kind, id);
}

static json_t *time_json(int64_t t, bool null)
{
	if (null)
		return json_null();
	char s[32];
	util_iso8601(s, sizeof s, t);
	return json_string(s);
}

static json_t *round_json(const struct listening_round *rd)
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

void listening_http_init(void)
{
	listening_init();
}

/* --- rounds --- */

void listening_http_round_list(struct req *r)
{
	int64_t org;
	const char *status = req_query(r, "status");
	if (!programs_query_id(r, "organisation_id", &org))
		return;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0) {
		programs_bad(r, 400, "status", "status must be open or closed");
		return;
	}
	struct listening_round *rds;
	size_t n;
	int rc = listening_round_list(req_db(r), r->arena, &r->actor, org, status, &rds, &n);
	if (rc) {
		http_error(r, rc, "listening rounds");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, round_json(&rds[i]));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void listening_http_round_create(struct req *r)
{
	struct field_value v[NFIELDS(round_create_fields)];
	if (!req_body_fields(r, &listening_http_round_create_body, v))
		return;
	struct listening_round_input in = {
	    .org = v[RC_ORG].i,
	    .title = v[RC_TITLE].s,
	    .description = v[RC_DESCRIPTION].s,
	    .has_description = v[RC_DESCRIPTION].present,
	    .closes_at = v[RC_CLOSES_AT].i,
	    .has_closes_at = v[RC_CLOSES_AT].present,
	};
	struct programs_refusal why = {0};
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc) {
		rc = listening_round_create(c, r->arena, &r->actor, &in, &id, &why);
		if (why.status) {
			programs_http_refused(r, rc, &why, "the listening round");
			return;
		}
	}
	if (!req_commit(r, rc, "listening.round.create", resource(r, "listening_round", id),
	                "the listening round"))
		return;
	struct listening_round rd;
	rc = listening_round_load(c, r->arena, id, &rd);
	if (rc) {
		http_error(r, rc, "the listening round");
		return;
	}
	http_json(r, 201, round_json(&rd));
}

void listening_http_round_get(struct req *r)
{
	struct listening_round rd;
	struct programs_refusal why = {0};
	int rc =
	    listening_round_get(req_db(r), r->arena, &r->actor, req_param_id(r, "id"), &rd, &why);
	if (rc) {
		programs_http_refused(r, rc, &why, "the listening round");
		return;
	}
	http_json(r, 200, round_json(&rd));
}

void listening_http_round_update(struct req *r)
{
	struct field_value v[NFIELDS(round_update_fields)];
	if (!req_body_fields(r, &listening_http_round_update_body, v))
		return;
	struct listening_round_input in = {
	    .title = v[RU_TITLE].s,
	    .has_title = v[RU_TITLE].present,
	    .description = v[RU_DESCRIPTION].s,
	    .has_description = v[RU_DESCRIPTION].present,
	    .closes_at = v[RU_CLOSES_AT].i,
	    .has_closes_at = v[RU_CLOSES_AT].present,
	    .clear_closes_at = json_is_null(json_object_get(r->body, "closes_at")),
	    .status = v[RU_STATUS].s,
	    .has_status = v[RU_STATUS].present,
	};
	struct db_conn *c = req_db(r);
	struct listening_round rd = {0};
	struct programs_refusal why = {0};
	const char *action = NULL;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the listening round");
		return;
	}
	rc = listening_round_update(c, r->arena, &r->actor, req_param_id(r, "id"), &in, &rd,
	                            &action, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the listening round");
		return;
	}
	if (!req_commit(r, rc, action, resource(r, "listening_round", rd.id),
	                "the listening round"))
		return;
	http_json(r, 200, round_json(&rd));
}

/* --- answers --- */

void listening_http_response_create(struct req *r)
{
	struct field_value v[NFIELDS(response_fields)];
	if (!req_body_fields(r, &listening_http_response_create_body, v))
		return;
	struct listening_answer_input in = {
	    .participant_id = v[RS_PARTICIPANT].present ? v[RS_PARTICIPANT].i : 0,
	    .anonymous = v[RS_ANONYMOUS].present && v[RS_ANONYMOUS].i,
	    .lang = v[RS_LANG].s,
	};
	for (int q = 0; q < LQ__MAX; q++)
		in.answers[q] =
		    json_string_value(json_object_get(v[RS_ANSWERS].j, listening_questions[q]));
	size_t ntags = json_array_size(v[RS_TAGS].j);
	const char **tags = arena_alloc(r->arena, (ntags + 1) * sizeof *tags);
	for (size_t i = 0; i < ntags; i++)
		tags[i] = json_string_value(json_array_get(v[RS_TAGS].j, i));
	in.tags = tags;
	in.ntags = ntags;
	struct db_conn *c = req_db(r);
	struct listening_answer_added out;
	struct programs_refusal why = {0};
	memset(&out, 0, sizeof out);
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the answer");
		return;
	}
	rc = listening_answer_add(c, &r->app->people, r->arena, &r->actor, req_param_id(r, "id"),
	                          &in, &out, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the answer");
		return;
	}
	if (out.anonymous_online) {
		/* No audit entry, access-log line or metrics for this request:
		 * the answer was only counted (docs/privacy.md). */
		r->anonymous = true;
		if (!rc)
			rc = db_commit(c);
		if (rc) {
			programs_http_refused(r, rc, NULL, "the answer");
			return;
		}
	} else if (!req_commit(r, rc, "listening.response.create", out.resource, "the answer")) {
		return;
	}
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)out.id));
}

/* One answer as coordinators see it; an erased person's answers read null.
 * Wipes the opened words. */
static int answer_json(struct listening_answer *x, json_t **out)
{
	json_t *doc = x->doc ? json_loadb(x->doc, x->len, 0, NULL) : NULL;
	if (x->doc)
		sodium_memzero(x->doc, x->len);
	if (!doc && !x->erased)
		return -HEARTH_EDB;
	json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)x->id, "channel",
	                      x->channel, "lang", x->lang, "anonymous", !x->participant_id,
	                      "created_at", time_json(x->created_at, false));
	if (x->participant_id)
		json_object_set_new(o, "participant_id", json_integer(x->participant_id));
	json_object_set(o, "answers", doc ? json_object_get(doc, "answers") : json_null());
	json_object_set(o, "barrier_tags",
	                doc ? json_object_get(doc, "barrier_tags") : json_null());
	if (x->erased)
		json_object_set_new(o, "erased", json_true());
	json_decref(doc);
	*out = o;
	return 0;
}

void listening_http_response_list(struct req *r)
{
	int64_t after, limit = 100;
	if (!programs_query_id(r, "after_id", &after))
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
	struct listening_round rd = {0};
	struct listening_answer *rows = NULL;
	struct programs_refusal why = {0};
	size_t n = 0;
	/* The read and its audit entries commit together, or neither. */
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the answers");
		return;
	}
	rc = listening_answer_list(c, &r->app->people, r->arena, &r->actor, req_param_id(r, "id"),
	                           after, limit, &rd, &rows, &n, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the answers");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *o = NULL;
		rc = answer_json(&rows[i], &o);
		if (!rc)
			json_array_append_new(items, o);
		if (!rc && rows[i].participant_id)
			rc = req_audit(r, "listening.response.read",
			               resource(r, "participant", rows[i].participant_id),
			               "success");
	}
	for (size_t i = 0; i < n; i++) /* words not shown after an error */
		if (rows[i].doc)
			sodium_memzero(rows[i].doc, rows[i].len);
	if (!req_commit(r, rc, "listening.response.list", resource(r, "listening_round", rd.id),
	                "the answers")) {
		json_decref(items);
		return;
	}
	json_t *next = (int64_t)n == limit ? json_integer(rows[n - 1].id) : json_null();
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_after_id", next));
}
