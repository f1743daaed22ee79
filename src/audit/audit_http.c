/* GET /api/v1/audit: admins page through the audit log, newest first,
 * filtered by actor, resource and time. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_http.h"
#include "core/err.h"
#include "core/util.h"
#include "http/http.h"
#include "core/banned.h"

static void add_row(const struct audit_row *row, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, row->at);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)row->id, "at", at,
	                      "action", row->action, "resource", row->resource, "outcome",
	                      row->outcome, "request_id", row->request_id);
	json_object_set_new(o, "actor_id",
	                    row->actor_id ? json_integer(row->actor_id) : json_null());
	json_object_set_new(o, "actor_token_id",
	                    row->actor_token_id ? json_integer(row->actor_token_id) : json_null());
	json_object_set_new(o, "organisation_id",
	                    row->organisation_id ? json_integer(row->organisation_id)
	                                         : json_null());
	json_array_append_new(ctx, o);
}

/* Parses an optional non-negative integer query parameter. */
static bool query_int(struct req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static bool query_time(struct req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	return !s || util_parse_iso8601(s, out) == 0;
}

void audit_http_list(struct req *r)
{
	struct audit_filter f = {.limit = 50};
	int64_t limit = 50;
	const char *bad = NULL;
	if (!query_int(r, "actor", &f.actor_id))
		bad = "actor";
	else if (!query_int(r, "after_id", &f.after_id))
		bad = "after_id";
	else if (!query_int(r, "limit", &limit) || limit < 1 || limit > 500)
		bad = "limit";
	else if (!query_time(r, "since", &f.since))
		bad = "since";
	else if (!query_time(r, "until", &f.until))
		bad = "until";
	if (bad) {
		http_problem_ext(r, 400, json_pack("{s:s}", "field", bad),
		                 "%s is not valid (ids and limit are integers, limit 1-500; times "
		                 "look like 2026-01-31T09:00:00Z)",
		                 bad);
		return;
	}
	f.limit = (int)limit;
	f.resource = req_query(r, "resource");
	/* Counts of finished days become their entries before anyone reads
	 * the log (the server also does this every few minutes). */
	int n = audit_flush(req_db(r), &r->app->kr, util_now());
	if (n < 0) {
		http_error(r, n, "audit log");
		return;
	}
	json_t *items = json_array();
	n = audit_list(req_db(r), &f, add_row, items);
	if (n < 0) {
		json_decref(items);
		http_error(r, n, "audit log");
		return;
	}
	json_t *next = json_null();
	if (n == f.limit)
		next = json_integer(json_integer_value(
		    json_object_get(json_array_get(items, (size_t)n - 1), "id")));
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_after_id", next));
}
