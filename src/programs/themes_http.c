/*
 * HTTP edge of themes, votes and "you said, we did" (logic in themes.c):
 * parses with the field tables, calls one function and answers.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/listening.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

enum { TC_TITLE, TC_DESCRIPTION };
static const struct field theme_create_fields[] = {
    [TC_TITLE] = {"title", FIELD_STRING, true, 1, 200},
    [TC_DESCRIPTION] = {"description", FIELD_STRING, false, 0, 2000},
};

enum { VO_THEME_ID };
static const struct field vote_fields[] = {
    [VO_THEME_ID] = {"theme_id", FIELD_INT, true, 1},
};

enum { TU_OUTCOME, TU_REASON };
static const struct field theme_update_fields[] = {
    [TU_OUTCOME] = {"outcome", FIELD_ENUM, true, 0, 0, listening_theme_outcomes},
    [TU_REASON] = {"outcome_reason", FIELD_STRING, false, 3, 1000},
};

enum { DC_ORG, DC_ROUND, DC_KIND, DC_TITLE, DC_BODY, DC_PROGRAMME, DC_THEMES, DC_RESPONSES };
static const struct field decision_fields[] = {
    [DC_ORG] = {"organisation_id", FIELD_INT, true, 1},
    [DC_ROUND] = {"round_id", FIELD_INT, false, 1},
    [DC_KIND] = {"kind", FIELD_ENUM, true, 0, 0, listening_decision_kinds},
    [DC_TITLE] = {"title", FIELD_STRING, true, 1, 200},
    [DC_BODY] = {"body", FIELD_STRING, false, 0, 4000},
    [DC_PROGRAMME] = {"programme_id", FIELD_INT, false, 1},
    [DC_THEMES] = {"theme_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 100},
    [DC_RESPONSES] = {"response_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 500},
};

/* The tables above, as the route table documents them (routes.c). */
const struct field_table listening_http_theme_create_body = FIELD_TABLE(theme_create_fields);
const struct field_table listening_http_vote_put_body = FIELD_TABLE(vote_fields);
const struct field_table listening_http_theme_update_body = FIELD_TABLE(theme_update_fields);
const struct field_table listening_http_decision_create_body = FIELD_TABLE(decision_fields);

static const char *resource(struct req *r, const char *kind, int64_t id)
{
	return arena_printf(r->arena, "%s:%" PRId64, kind, id);
}

static json_t *time_json(int64_t t)
{
	char s[32];
	util_iso8601(s, sizeof s, t);
	return json_string(s);
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *theme_json(const struct listening_theme *t)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:s, s:I, s:s, s:o, s:o}", "id",
	                      (json_int_t)t->id, "round_id", (json_int_t)t->round_id, "title",
	                      text_or_null(t->title), "description", text_or_null(t->description),
	                      "proposer_kind", t->proposer_kind, "votes", (json_int_t)t->votes,
	                      "outcome", t->outcome, "outcome_reason", text_or_null(t->reason),
	                      "created_at", time_json(t->created_at));
	if (o && t->removed)
		json_object_set_new(o, "removed", json_true());
	return o;
}

void listening_http_theme_list(struct req *r)
{
	struct listening_round rd = {0};
	struct listening_theme *ts = NULL;
	struct programs_refusal why = {0};
	size_t n = 0;
	int64_t mine = 0;
	int rc = listening_theme_list(&r->app->people, req_db(r), r->arena, &r->actor,
	                              req_param_id(r, "id"), &rd, &ts, &n, &mine, &why);
	if (rc) {
		programs_http_refused(r, rc, &why, "the themes");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, theme_json(&ts[i]));
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
	struct listening_round rd = {0};
	struct programs_refusal why = {0};
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the theme");
		return;
	}
	rc = listening_theme_create(
	    &r->app->people, c, r->arena, &r->actor, req_param_id(r, "id"), v[TC_TITLE].s,
	    v[TC_DESCRIPTION].present ? v[TC_DESCRIPTION].s : "", &id, &rd, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the theme");
		return;
	}
	if (!req_commit(r, rc, "theme.create", resource(r, "theme", id), "the theme"))
		return;
	struct listening_theme t;
	rc = listening_theme_load(&r->app->people, c, r->arena, id, &t);
	if (rc) {
		http_error(r, rc, "the theme");
		return;
	}
	http_json(r, 201, theme_json(&t));
}

void listening_http_vote_put(struct req *r)
{
	struct field_value v[NFIELDS(vote_fields)];
	if (!req_body_fields(r, &listening_http_vote_put_body, v))
		return;
	struct db_conn *c = req_db(r);
	struct listening_round rd = {0};
	struct programs_refusal why = {0};
	int64_t votes = 0;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "your vote");
		return;
	}
	rc = listening_vote_put(&r->app->people, c, r->arena, &r->actor, req_param_id(r, "id"),
	                        v[VO_THEME_ID].i, &rd, &votes, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "your vote");
		return;
	}
	if (!req_commit(r, rc, "theme.vote", resource(r, "listening_round", rd.id), "your vote"))
		return;
	http_json(r, 200,
	          json_pack("{s:I, s:I, s:I}", "round_id", (json_int_t)rd.id, "theme_id",
	                    (json_int_t)v[VO_THEME_ID].i, "votes", (json_int_t)votes));
}

void listening_http_vote_delete(struct req *r)
{
	struct db_conn *c = req_db(r);
	struct listening_round rd = {0};
	struct programs_refusal why = {0};
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "your vote");
		return;
	}
	rc = listening_vote_delete(c, r->arena, &r->actor, req_param_id(r, "id"), &rd, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "your vote");
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
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct listening_theme t;
	struct programs_refusal why = {0};
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the theme");
		return;
	}
	rc = listening_theme_set_outcome(&r->app->people, c, r->arena, &r->actor, id,
	                                 v[TU_OUTCOME].s,
	                                 v[TU_REASON].present ? v[TU_REASON].s : NULL, &t, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the theme");
		return;
	}
	if (!req_commit(r, rc, "theme.update", resource(r, "theme", id), "the theme"))
		return;
	http_json(r, 200, theme_json(&t));
}

/* --- "you said, we did" --- */

static json_t *theme_ref_json(const struct listening_theme_ref *t)
{
	json_t *o = json_pack("{s:I, s:o, s:I}", "id", (json_int_t)t->id, "title",
	                      text_or_null(t->title), "votes", (json_int_t)t->votes);
	if (!t->title)
		json_object_set_new(o, "removed", json_true());
	return o;
}

static json_t *not_acted_json(const struct listening_theme_ref *t)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:o}", "theme_id", (json_int_t)t->id,
	                      "round_id", (json_int_t)t->round_id, "title", text_or_null(t->title),
	                      "votes", (json_int_t)t->votes, "reason", text_or_null(t->reason));
	if (!t->title)
		json_object_set_new(o, "removed", json_true());
	return o;
}

/* A decision with its linked themes (and their votes) and the number of
 * linked answers: never the answers themselves, nor who gave them. */
static json_t *decision_json(const struct listening_decision *d)
{
	json_t *o =
	    json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)d->id,
	              "organisation_id", (json_int_t)d->org, "round_id", id_or_null(d->round_id),
	              "kind", d->kind, "title", d->title, "body", d->body, "programme_id",
	              id_or_null(d->programme_id), "created_at", time_json(d->created_at));
	json_t *themes = json_array();
	for (size_t i = 0; i < d->nthemes; i++)
		json_array_append_new(themes, theme_ref_json(&d->themes[i]));
	json_object_set_new(o, "themes", themes);
	json_object_set_new(o, "responses", json_integer(d->responses));
	return o;
}

void listening_http_decision_list(struct req *r)
{
	int64_t org, round;
	if (!programs_query_id(r, "organisation_id", &org) ||
	    !programs_query_id(r, "round_id", &round))
		return;
	struct listening_decision *ds;
	struct listening_theme_ref *na;
	size_t n, nna;
	int rc = listening_decision_list(&r->app->people, req_db(r), r->arena, &r->actor, org,
	                                 round, &ds, &n, &na, &nna);
	if (rc) {
		http_error(r, rc, "decisions");
		return;
	}
	json_t *items = json_array(), *not_acted = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, decision_json(&ds[i]));
	for (size_t i = 0; i < nna; i++)
		json_array_append_new(not_acted, not_acted_json(&na[i]));
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "not_acted", not_acted));
}

/* The ids of a FIELD_INTS value, in the request's arena. */
static const int64_t *ids_of(struct req *r, json_t *arr, size_t *n)
{
	*n = json_array_size(arr);
	int64_t *ids = arena_alloc(r->arena, (*n + 1) * sizeof *ids);
	for (size_t i = 0; i < *n; i++)
		ids[i] = json_integer_value(json_array_get(arr, i));
	return ids;
}

void listening_http_decision_create(struct req *r)
{
	struct field_value v[NFIELDS(decision_fields)];
	if (!req_body_fields(r, &listening_http_decision_create_body, v))
		return;
	struct listening_decision_input in = {
	    .org = v[DC_ORG].i,
	    .round_id = v[DC_ROUND].present ? v[DC_ROUND].i : 0,
	    .programme_id = v[DC_PROGRAMME].present ? v[DC_PROGRAMME].i : 0,
	    .kind = v[DC_KIND].s,
	    .title = v[DC_TITLE].s,
	    .body = v[DC_BODY].present ? v[DC_BODY].s : "",
	};
	in.theme_ids = ids_of(r, v[DC_THEMES].j, &in.nthemes);
	in.response_ids = ids_of(r, v[DC_RESPONSES].j, &in.nresponses);
	struct db_conn *c = req_db(r);
	struct programs_refusal why = {0};
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the decision");
		return;
	}
	rc = listening_decision_create(c, r->arena, &r->actor, &in, &id, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the decision");
		return;
	}
	if (!req_commit(r, rc, "decision.create", resource(r, "decision", id), "the decision"))
		return;
	struct listening_decision d;
	rc = listening_decision_get(&r->app->people, c, r->arena, id, &d);
	if (rc) {
		http_error(r, rc, "the decision");
		return;
	}
	http_json(r, 201, decision_json(&d));
}
