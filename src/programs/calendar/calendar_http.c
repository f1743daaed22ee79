/*
 * HTTP edge of the iCalendar feeds (logic in calendar.c): parses, calls one
 * function and answers. Feeds answer text/calendar with their own
 * Cache-Control; the rest is problem+json as everywhere.
 */
#include <inttypes.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/calendar/calendar.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

/* Makes a new address for the feed of (kind, owner), audited in the same
 * transaction; answers 201 {"url"}, the refusal or the error. */
static void issue(struct req *r, enum calendar_feed_kind kind, int64_t owner, const char *noun)
{
	char token[CALENDAR_TOKEN_HEX + 1] = "";
	struct programs_refusal why = {0};
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = calendar_token_reset(c, r->arena, &r->actor, kind, &owner, token, &why);
	if (why.status)
		programs_http_refused(r, rc, &why, "the calendar address");
	else if (req_commit(r, rc, "calendar.token.reset",
	                    arena_printf(r->arena, "%s:%" PRId64, noun, owner),
	                    "the calendar address"))
		http_json(r, 201,
		          json_pack("{s:s}", "url",
		                    arena_printf(r->arena, "/api/v1/calendar/%s.ics", token)));
	sodium_memzero(token, sizeof token);
}

void calendar_http_me(struct req *r)
{
	issue(r, CALENDAR_PARTICIPANT, 0, "participant");
}

void calendar_http_duty(struct req *r)
{
	issue(r, CALENDAR_FACILITATOR, r->actor.user_id, "user");
}

void calendar_http_programme(struct req *r)
{
	issue(r, CALENDAR_PROGRAMME, req_param_id(r, "id"), "programme");
}

void calendar_http_feed(struct req *r)
{
	char token[CALENDAR_TOKEN_HEX + 1];
	if (!calendar_token_parse(req_param(r, "token"), token)) {
		http_problem(r, 404, "there is no calendar at this address");
		return;
	}
	struct buf out = BUF_INIT;
	int rc = calendar_feed(req_db(r), r->arena, token, &out);
	if (rc == -HEARTH_ENOTFOUND)
		http_problem(r, 404,
		             "there is no calendar at this address (it may have been replaced by "
		             "a new one)");
	else if (rc)
		http_error(r, rc, "the calendar");
	else {
		/* Calendar applications poll; five minutes of caching spares us. */
		http_add_header(r, "Cache-Control: private, max-age=300");
		http_send(r, 200, "text/calendar; charset=utf-8", out.data, out.len);
	}
	buf_release(&out);
	sodium_memzero(token, sizeof token);
}
