/*
 * The inbox routes: GET /api/v1/me/messages (?limit=&cursor=), GET
 * /api/v1/me/messages/unread, POST /api/v1/me/messages/{id}/read and POST
 * /api/v1/me/messages/read-all. Each parses, calls one function of
 * inbox.c with the caller's own user id (so another person's message is
 * not found, like a missing one) and answers.
 */
#include <stdlib.h>

#include "db/db.h"
#include "http/http.h"
#include "messages/live.h"
#include "messages/live_http.h"
#include "core/banned.h"

/* A whole number query parameter in [lo, hi]; absent leaves *out. */
static bool query_num(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = req_query(r, name);
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || s[0] == ' ' || s[0] == '+' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

void inbox_http_list(struct req *r)
{
	int64_t limit = 50, cursor = 0;
	if (!query_num(r, "limit", 1, 100, &limit)) {
		http_field_problem(r, 400, "limit", "limit must be a whole number from 1 to 100");
		return;
	}
	if (!query_num(r, "cursor", 1, INT64_MAX, &cursor)) {
		http_field_problem(r, 400, "cursor",
		                   "cursor must be the next_cursor of the previous page");
		return;
	}
	json_t *items = NULL;
	int64_t next = 0;
	int rc = inbox_list(req_db(r), r->actor.user_id, (int)limit, cursor, &items, &next);
	if (rc) {
		http_error(r, rc, "the inbox");
		return;
	}
	http_json(r, 200,
	          json_pack("{s:o,s:o}", "items", items, "next_cursor",
	                    next ? json_integer(next) : json_null()));
}

void inbox_http_unread(struct req *r)
{
	int64_t n = 0;
	int rc = inbox_unread(req_db(r), r->actor.user_id, &n);
	if (rc) {
		http_error(r, rc, "the unread count");
		return;
	}
	http_json(r, 200, json_pack("{s:I}", "unread", (json_int_t)n));
}

void inbox_http_read(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = inbox_mark_read(c, r->actor.user_id, id);
	char resource[48];
	snprintf(resource, sizeof resource, "message:%lld", (long long)id);
	if (!req_commit(r, rc, "message.read", resource, "the message"))
		return;
	http_no_content(r);
}

void inbox_http_read_all(struct req *r)
{
	struct db_conn *c = req_db(r);
	int64_t n = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = inbox_mark_all_read(c, r->actor.user_id, &n);
	if (!req_commit(r, rc, "message.read_all", "inbox", "the inbox"))
		return;
	http_json(r, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}
