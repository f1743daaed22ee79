/*
 * HTTP edge of training records (logic in training.c): parses with the
 * field table, calls one function and answers.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/scope.h"
#include "programs/training.h"
#include "core/banned.h"

#define DAY 86400

enum { TR_ORG, TR_USER, TR_KIND, TR_TITLE, TR_COMPLETED, TR_EXPIRES };
static const struct field programs_http_training_create_fields[] = {
    [TR_ORG] = {"organisation_id", FIELD_INT, true, 1},
    [TR_USER] = {"user_id", FIELD_INT, true, 1},
    [TR_KIND] = {"kind", FIELD_ENUM, true, 0, 0, training_kinds},
    [TR_TITLE] = {"title", FIELD_STRING, false, 0, 200},
    [TR_COMPLETED] = {"completed_on", FIELD_STRING, true, 10, 10},
    [TR_EXPIRES] = {"expires_on", FIELD_STRING, false, 10, 10},
};
const struct field_table programs_http_training_create_body =
    FIELD_TABLE(programs_http_training_create_fields);

static json_t *training_json(const struct training_record *t)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)t->id,
	                 "organisation_id", (json_int_t)t->organisation_id, "user_id",
	                 (json_int_t)t->user_id, "name", t->name, "kind", t->kind, "title",
	                 t->title, "completed_on", t->completed_on, "expires_on",
	                 t->expires_on ? json_string(t->expires_on) : json_null());
}

void programs_http_training_list(struct req *r)
{
	int64_t uid;
	if (!programs_query_id(r, "user_id", &uid))
		return;
	struct training_record *ts;
	size_t n;
	struct programs_refusal why = {0};
	int rc = training_list(req_db(r), r->arena, &r->actor, uid, &ts, &n, &why);
	if (rc) {
		programs_http_refused(r, rc, &why, "training records");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, training_json(&ts[i]));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void programs_http_training_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_training_create_fields)];
	if (!req_body_fields(r, &programs_http_training_create_body, v))
		return;
	struct training_input in = {
	    .organisation_id = v[TR_ORG].i,
	    .user_id = v[TR_USER].i,
	    .kind = v[TR_KIND].s,
	    .title = v[TR_TITLE].present ? v[TR_TITLE].s : NULL,
	    .completed_on = v[TR_COMPLETED].s,
	    .expires_on = v[TR_EXPIRES].present ? v[TR_EXPIRES].s : NULL,
	};
	struct programs_refusal why = {0};
	int rc = training_validate(r->arena, &r->actor, &in, util_now() / DAY, &why);
	if (rc) {
		programs_http_refused(r, rc, &why, "the record");
		return;
	}
	struct db_conn *c = req_db(r);
	rc = db_begin(c, true);
	/* Training is recorded for the organisation's staff and volunteers, or
	 * a partner's under an agreement; anyone else is "no such" person. */
	if (!rc && !programs_scope_user(
	               r, "user_id", in.user_id, in.organisation_id,
	               ((1u << ROLE__MAX) - 1) & ~((1u << ROLE_PARTICIPANT) | (1u << ROLE_FUNDER)),
	               "someone with a training record", "a staff member or volunteer", NULL))
		return;
	int64_t id = 0;
	if (!rc)
		rc = training_create(c, r->arena, &r->actor, &in, &id, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the record");
		return;
	}
	if (!req_commit(r, rc, "training.create",
	                arena_printf(r->arena, "user:%" PRId64, in.user_id), "the record"))
		return;
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

void programs_http_training_delete(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct programs_refusal why = {0};
	int rc = db_begin(c, true);
	if (!rc)
		rc = training_delete(c, r->arena, &r->actor, id, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the record");
		return;
	}
	if (!req_commit(r, rc, "training.delete", arena_printf(r->arena, "training:%" PRId64, id),
	                "the record"))
		return;
	http_no_content(r);
}

void programs_http_training_expiring(struct req *r)
{
	const char *q = req_query(r, "days");
	long days = 60;
	if (q) {
		char *end;
		days = strtol(q, &end, 10);
		if (*end || days < 0 || days > 730) {
			http_field_problem(r, 400, "days",
			                   "days must be a whole number from 0 to 730");
			return;
		}
	}
	struct training_record *ts;
	size_t n;
	char by[11], now_s[11];
	int rc = training_expiring(req_db(r), r->arena, &r->actor, util_now() / DAY, days, &ts, &n,
	                           by, now_s);
	if (rc) {
		http_error(r, rc, "training records");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = training_json(&ts[i]);
		json_object_set_new(o, "days_left", json_integer(ts[i].days_left));
		json_object_set_new(o, "state",
		                    json_string(ts[i].days_left < 0 ? "expired" : "expiring"));
		json_array_append_new(items, o);
	}
	http_json(r, 200,
	          json_pack("{s:s, s:s, s:o}", "today", now_s, "until", by, "items", items));
}
