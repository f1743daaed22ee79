/*
 * GET /api/v1/events: the caller's live events as Server-Sent Events. The
 * edge reads Last-Event-ID (or ?last_event_id= for EventSource polyfills),
 * writes the response head, gives back the request's database connection
 * (a stream must not hold one while it waits) and hands the connection's
 * writes to events_stream() (events.c), which returns when the session
 * ends, the client goes away or the server drains.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "http/http.h"
#include "messages/live.h"
#include "messages/live_http.h"
#include "core/banned.h"

/* The heartbeat: every 15 s, or HEARTH_EVENTS_HEARTBEAT_MS (tests). */
static int heartbeat_ms(void)
{
	const char *e = getenv("HEARTH_EVENTS_HEARTBEAT_MS");
	long v = e ? strtol(e, NULL, 10) : 0;
	return v >= 50 && v <= 600000 ? (int)v : 15000;
}

static int stream_write(void *ctx, const char *data, size_t len)
{
	return http_stream_write(ctx, data, len);
}

/* Parses a Last-Event-ID: a whole number (what the stream sent as id). */
static bool parse_last_id(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return false;
	*out = v;
	return true;
}

void events_http_stream(struct req *r)
{
	int64_t last = -1;
	const char *h = req_header(r, "Last-Event-ID");
	const char *field = "Last-Event-ID";
	if (!h || !*h) {
		h = req_query(r, "last_event_id");
		field = "last_event_id";
	}
	if (h && *h && !parse_last_id(h, &last)) {
		http_field_problem(r, 400, field, "%s must be the id of an event (a whole number)",
		                   field);
		return;
	}
	struct events_stream s = {
	    .user_id = r->actor.user_id,
	    .bearer = r->actor.kind == AUTH_TOKEN,
	    .credential = r->actor.session_token,
	    .session_idle = r->app->cfg.session_idle,
	    .last_id = last,
	    .heartbeat_ms = heartbeat_ms(),
	    .write = stream_write,
	    .draining = server_draining,
	    .ctx = r,
	};
	if (s.bearer) {
		const char *authz = req_header(r, "Authorization");
		const char *tok = authz && strncasecmp(authz, "Bearer ", 7) == 0 ? authz + 7 : "";
		while (*tok == ' ')
			tok++;
		s.credential = tok;
	}
	/* The stream borrows a connection only when it has something to do. */
	if (r->db) {
		db_release(r->app->db, r->db);
		r->db = NULL;
	}
	http_stream_begin(r, 200, "text/event-stream; charset=utf-8");
	/* EventSource waits this long before it reconnects. */
	if (http_stream_write(r, "retry: 3000\n\n", 13) != 0)
		return;
	int rc = events_stream(r->app->db, &s);
	if (rc)
		log_msg(LOG_WARN, "request %s: event stream ended: %s", r->request_id,
		        hearth_strerror(rc));
}
