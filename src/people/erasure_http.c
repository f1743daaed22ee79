/*
 * HTTP edge of the people module, erasure requests (admins) and retention.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "core/banned.h"

/* --- erasure requests (admins) --- */

/* The organisations where the caller may do act (policy_orgs; for these
 * people's actions, those where they are an admin), in the request's arena. */
static size_t my_orgs(struct req *r, enum action act, int64_t **out)
{
	size_t max = r->actor.nmemberships > 0 ? (size_t)r->actor.nmemberships : 1;
	bool all;
	*out = arena_alloc(r->arena, max * sizeof **out);
	return policy_orgs(&r->actor, act, *out, max, &all);
}

/* The one rule for the person pid (people__check): 0 when the caller may do
 * act to them; -HEARTH_ENOTFOUND, answered as for a missing id, when they
 * cannot know the person exists; -HEARTH_EDENIED when they can. */
static int person_scope(struct req *r, enum action act, int64_t pid)
{
	struct person_row p;
	int rc = people__get(px(r), req_db(r), r->arena, pid, &p);
	if (!rc)
		rc = people__check(req_db(r), &r->actor, act, &p, NULL);
	return rc;
}

static const char review_denied[] =
    "only an admin of this person's organisation may review their erasure request";

static void add_queued(const struct erasure_queued *q, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, q->row.requested_at);
	json_t *orgs = json_array();
	for (size_t k = 0; k < q->norgs; k++)
		json_array_append_new(orgs, json_integer(q->org_ids[k]));
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:o, s:b}", "id",
	                                     (json_int_t)q->row.id, "participant_id",
	                                     (json_int_t)q->row.participant_id, "status",
	                                     q->row.status, "requested_at", at, "organisation_ids",
	                                     orgs, "erased", q->erased));
}

void people_http_erasure_list(struct req *r)
{
	const char *status = req_query(r, "status");
	if (status && strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
	    strcmp(status, "rejected") != 0) {
		bad_field(r, 400, "status", "status must be pending, approved or rejected");
		return;
	}
	/* Only the requests of people in an organisation where the caller is
	 * an admin (a person's record is never platform-wide: policy.c), with
	 * their organisations, so the queue can say whose it is and link to the
	 * record; the record itself is read (and audited) on the person's page. */
	int64_t *mine;
	size_t nmine = my_orgs(r, ACT_ERASURE_REVIEW, &mine);
	json_t *items = json_array();
	int rc = people__erasure_queue(req_db(r), r->arena, status, mine, nmine, add_queued, items);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "erasure requests");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void people_http_erasure_approve(struct req *r)
{
	int64_t rid = req_param_id(r, "id"), pid = 0;
	int rc = people__erasure_pending(req_db(r), rid, &pid);
	/* Another organisation's request is answered as a missing one. */
	if (!rc)
		rc = person_scope(r, ACT_ERASURE_REVIEW, pid);
	if (rc == -HEARTH_EDENIED) {
		http_problem(r, 403, review_denied);
		return;
	}
	if (!rc)
		rc = people_erase(px(r), req_db(r), pid, r->actor.user_id, r->request_id);
	if (rc == -HEARTH_ENOTFOUND) {
		http_problem(r, 404, "there is no pending erasure request %" PRId64, rid);
		return;
	}
	if (rc) {
		http_error(r, rc, "the erasure");
		return;
	}
	http_no_content(r);
}

enum { RJ_REASON };
static const struct field people_http_erasure_reject_fields[] = {
    {"reason", FIELD_STRING, true, 3, 500},
};
const struct field_table people_http_erasure_reject_body =
    FIELD_TABLE(people_http_erasure_reject_fields);

void people_http_erasure_reject(struct req *r)
{
	struct field_value v[RJ_REASON + 1];
	int64_t rid = req_param_id(r, "id");
	if (!req_body_fields(r, &people_http_erasure_reject_body, v))
		return;
	struct db_conn *c = req_db(r);
	const struct people_refusal *ref = NULL;
	int64_t pid = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__erasure_pending(c, rid, &pid);
	/* Another organisation's request is answered as a missing one. */
	if (!rc)
		rc = person_scope(r, ACT_ERASURE_REVIEW, pid);
	if (rc == -HEARTH_EDENIED)
		ref = people_edge_refuse(r, 403, NULL, "%s", review_denied);
	else if (!rc)
		rc = people__erasure_reject(px(r), c, r->arena, rid, r->actor.user_id,
		                            v[RJ_REASON].s);
	if (!people_edge_finish(r, rc, ref, "erasure.reject",
	                        arena_printf(r->arena, "erasure_request:%" PRId64, rid),
	                        "the pending request"))
		return;
	http_no_content(r);
}

/* --- retention --- */

static void add_expired(int64_t id, int64_t last, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, last);
	json_array_append_new(
	    ctx, json_pack("{s:I, s:s}", "id", (json_int_t)id, "last_activity_at", at));
}

static bool retention_days(struct req *r, const char *s, int64_t *days)
{
	*days = r->app->retention_days;
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 30 || v > 36500) {
		bad_field(r, 400, "inactive_days",
		          "inactive_days must be a number of days from 30 to 36500");
		return false;
	}
	*days = v;
	return true;
}

void people_http_retention_list(struct req *r)
{
	int64_t days;
	if (!retention_days(r, req_query(r, "inactive_days"), &days))
		return;
	int64_t cutoff = util_now() - days * 86400;
	json_t *items = json_array();
	/* Only the people of the organisations where the caller is an admin. */
	int64_t *mine;
	size_t nmine = my_orgs(r, ACT_RETENTION, &mine);
	int rc = people__expired(req_db(r), mine, nmine, cutoff, 1000, add_expired, items);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "retention");
		return;
	}
	char at[32];
	util_iso8601(at, sizeof at, cutoff);
	http_json(r, 200,
	          json_pack("{s:I, s:s, s:o}", "inactive_days", (json_int_t)days, "inactive_since",
	                    at, "items", items));
}

enum { RE_DAYS, RE_IDS, RE_CONFIRM };
static const struct field people_http_retention_erase_fields[] = {
    {"inactive_days", FIELD_INT, true, 30, 36500},
    {"ids", FIELD_INTS, true, 1, 0, NULL, NULL, 0, 1000},
    {"confirm", FIELD_BOOL, true},
};
const struct field_table people_http_retention_erase_body =
    FIELD_TABLE(people_http_retention_erase_fields);

void people_http_retention_erase(struct req *r)
{
	struct field_value v[NFIELDS(people_http_retention_erase_fields)];
	if (!req_body_fields(r, &people_http_retention_erase_body, v))
		return;
	if (!v[RE_CONFIRM].i) {
		bad_field(r, 400, "confirm", "confirm must be true: erasure cannot be undone");
		return;
	}
	int64_t cutoff = util_now() - v[RE_DAYS].i * 86400;
	json_t *erased = json_array(), *skipped = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(v[RE_IDS].j, i, x)
	{
		int64_t id = json_integer_value(x);
		/* Another organisation's person is skipped like an id nobody has;
		 * expiry is checked again now: someone may have come back since
		 * the list. */
		if (person_scope(r, ACT_RETENTION, id) != 0 ||
		    people__is_expired(req_db(r), id, cutoff) != 0 ||
		    people_erase(px(r), req_db(r), id, r->actor.user_id, r->request_id) != 0)
			json_array_append_new(skipped, json_integer(id));
		else
			json_array_append_new(erased, json_integer(id));
	}
	http_json(r, 200, json_pack("{s:o, s:o}", "erased", erased, "skipped", skipped));
}
