/*
 * HTTP edge of the email side of messages (logic in prefs.c and
 * outbox_admin.c): parses, calls one function and answers. No SQL here.
 *
 *   GET/PUT /api/v1/me/message-preferences   the caller's own (ACT_SELF)
 *   GET/POST /api/v1/unsubscribe?t=TOKEN     one-click (RFC 8058), public
 *   GET /api/v1/outbox, /outbox/{id}/email,
 *   POST /outbox/{id}/retry, /outbox/test    admins (ACT_OUTBOX)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "messages/messages_http.h"
#include "core/banned.h"

/* --- preferences --- */

static json_t *prefs_json(const struct mail_prefs *p)
{
	json_t *kinds = json_array();
	for (int k = 0; k < MSG__MAX; k++) {
		const struct message_kind_info *i = &message_kinds[k];
		if (i->email_only)
			continue;
		json_array_append_new(kinds, json_pack("{s:s, s:b, s:b}", "kind", i->name,
		                                       "essential", i->essential, "email",
		                                       !mail_prefs_inbox_only(p, i->name)));
	}
	json_t *quiet = p->quiet_start[0]
	                    ? json_pack("{s:s, s:s}", "start", p->quiet_start, "end", p->quiet_end)
	                    : json_null();
	return json_pack("{s:s, s:o, s:s, s:o}", "lang", p->lang, "quiet_hours", quiet, "time_zone",
	                 p->time_zone, "kinds", kinds);
}

void messages_http_prefs_get(struct req *r)
{
	struct mail_prefs p;
	int rc = mail_prefs_get(req_db(r), r->actor.user_id, 0, &p);
	if (rc)
		http_error(r, rc, "message preferences");
	else
		http_json(r, 200, prefs_json(&p));
}

static const char *const pref_langs[] = {"en", "es", NULL};
enum { QH_START, QH_END };
static const struct field quiet_fields[] = {
    [QH_START] = {"start", FIELD_STRING, true, 5, 5},
    [QH_END] = {"end", FIELD_STRING, true, 5, 5},
};
enum { PK_KIND, PK_EMAIL };
static const struct field pref_kind_fields[] = {
    [PK_KIND] = {"kind", FIELD_STRING, true, 1, 40},
    [PK_EMAIL] = {"email", FIELD_BOOL, true},
};
enum { MP_LANG, MP_TZ, MP_QUIET, MP_KINDS };
static const struct field prefs_fields[] = {
    [MP_LANG] = {"lang", FIELD_ENUM, false, 0, 0, pref_langs},
    [MP_TZ] = {"time_zone", FIELD_STRING, false, 1, 64},
    [MP_QUIET] = {"quiet_hours", FIELD_OBJECT, false, 0, 0, NULL, quiet_fields,
                  NFIELDS(quiet_fields)},
    [MP_KINDS] = {"kinds", FIELD_OBJECTS, false, 0, 0, NULL, pref_kind_fields,
                  NFIELDS(pref_kind_fields), 16},
};
const struct field_table messages_http_prefs_body = FIELD_TABLE(prefs_fields);

void messages_http_prefs_put(struct req *r)
{
	struct field_value v[NFIELDS(prefs_fields)];
	if (!req_body_fields(r, &messages_http_prefs_body, v))
		return;
	struct prefs_change ch = {
	    .lang = v[MP_LANG].present ? v[MP_LANG].s : NULL,
	    .time_zone = v[MP_TZ].present ? v[MP_TZ].s : NULL,
	    /* quiet_hours: an object sets them, null clears them, absent keeps. */
	    .quiet_set = json_object_get(r->body, "quiet_hours") != NULL,
	};
	if (v[MP_QUIET].present) {
		ch.quiet_start = json_string_value(json_object_get(v[MP_QUIET].j, "start"));
		ch.quiet_end = json_string_value(json_object_get(v[MP_QUIET].j, "end"));
	}
	size_t i;
	json_t *item;
	if (v[MP_KINDS].present)
		json_array_foreach(v[MP_KINDS].j, i, item)
		{
			if (ch.nkinds == sizeof ch.kinds / sizeof ch.kinds[0])
				break;
			ch.kinds[ch.nkinds].kind = json_string_value(json_object_get(item, "kind"));
			ch.kinds[ch.nkinds].email = json_is_true(json_object_get(item, "email"));
			ch.nkinds++;
		}
	struct db_conn *c = req_db(r);
	const char *field = NULL;
	int rc = db_begin(c, true);
	if (!rc)
		rc = prefs_update(c, r->actor.user_id, 0, &ch, &field);
	if (rc == -HEARTH_EINVAL && field) {
		const char *why =
		    strcmp(field, "lang") == 0 ? "lang must be en or es"
		    : strcmp(field, "time_zone") == 0
		        ? "time_zone must be a time zone such as Europe/London"
		    : strcmp(field, "kinds") == 0
		        ? "kinds names a kind of message that does not exist or cannot be chosen"
		        : arena_printf(r->arena,
		                       "%s must be a time such as 22:00, and quiet hours need both "
		                       "start and end",
		                       field);
		req_refuse(r, 400, field, "%s", why);
		return;
	}
	if (!req_commit(r, rc, "messages.preferences.update",
	                arena_printf(r->arena, "user:%" PRId64, r->actor.user_id),
	                "message preferences"))
		return;
	struct mail_prefs p;
	rc = mail_prefs_get(req_db(r), r->actor.user_id, 0, &p);
	if (rc)
		http_error(r, rc, "message preferences");
	else
		http_json(r, 200, prefs_json(&p));
}

/* --- unsubscribe --- */

/* Parses ?t=; answers 400 naming "t" and returns false when it is bad. */
static bool unsub_token(struct req *r, int64_t *user, int64_t *pid, int *kind)
{
	const char *t = req_query(r, "t");
	if (!t) {
		http_field_problem(r, 400, "t", "t (the link's token) is missing");
		return false;
	}
	if (mail_unsub_parse(&r->app->kr, t, user, pid, kind) != 0) {
		http_field_problem(r, 400, "t",
		                   "t is not a valid unsubscribe token (the link may be cut short "
		                   "or changed; open it again from the email)");
		return false;
	}
	return true;
}

void messages_http_unsubscribe_get(struct req *r)
{
	int64_t user, pid;
	int kind;
	if (!unsub_token(r, &user, &pid, &kind))
		return;
	http_json(r, 200, json_pack("{s:s, s:b}", "kind", message_kinds[kind].name, "done", 0));
}

void messages_http_unsubscribe_post(struct req *r)
{
	int64_t user, pid;
	int kind;
	if (!unsub_token(r, &user, &pid, &kind))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = mail_unsubscribe(c, user, pid, kind);
	if (req_commit(r, rc, "messages.unsubscribe",
	               user ? arena_printf(r->arena, "user:%" PRId64, user)
	                    : arena_printf(r->arena, "participant:%" PRId64, pid),
	               "the unsubscribe"))
		http_json(r, 200,
		          json_pack("{s:s, s:b}", "kind", message_kinds[kind].name, "done", 1));
}

/* --- the admins' outbox --- */

static const char *const outbox_states[] = {"queued", "sending",   "sent", "failed",
                                            "none",   "cancelled", NULL};

static void add_row(const struct outbox_row *o, void *ctx)
{
	char next[32] = "", sent[32] = "", created[32] = "";
	util_iso8601(next, sizeof next, o->next_at);
	util_iso8601(created, sizeof created, o->created_at);
	if (o->sent_at)
		util_iso8601(sent, sizeof sent, o->sent_at);
	char who[48];
	if (o->participant_id)
		snprintf(who, sizeof who, "participant #%" PRId64, o->participant_id);
	else
		snprintf(who, sizeof who, "user #%" PRId64, o->user_id);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)o->id,
	                      "kind", o->kind, "recipient", who, "state", o->state, "attempts",
	                      (json_int_t)o->attempts, "next_at", next, "created_at", created);
	json_object_set_new(j, "organisation_id",
	                    o->organisation_id ? json_integer(o->organisation_id) : json_null());
	json_object_set_new(j, "last_error",
	                    o->last_error ? json_string(o->last_error) : json_null());
	json_object_set_new(j, "sent_via", o->sent_via ? json_string(o->sent_via) : json_null());
	json_object_set_new(j, "sent_at", o->sent_at ? json_string(sent) : json_null());
	json_object_set_new(j, "message_id",
	                    o->message_id ? json_string(o->message_id) : json_null());
	json_array_append_new(ctx, j);
}

void messages_http_outbox_list(struct req *r)
{
	const char *state = req_query(r, "state");
	if (state) {
		bool ok = false;
		for (const char *const *s = outbox_states; *s; s++)
			ok = ok || strcmp(*s, state) == 0;
		if (!ok) {
			http_field_problem(
			    r, 400, "state",
			    "state must be one of queued, sending, sent, failed, none, "
			    "cancelled");
			return;
		}
	}
	long long limit = 50, cursor = 0;
	const char *ls = req_query(r, "limit"), *cs = req_query(r, "cursor");
	char *end;
	if (ls && ((limit = strtoll(ls, &end, 10)) < 1 || limit > 200 || *end || !*ls)) {
		http_field_problem(r, 400, "limit", "limit must be a whole number from 1 to 200");
		return;
	}
	if (cs && ((cursor = strtoll(cs, &end, 10)) < 1 || *end || !*cs)) {
		http_field_problem(r, 400, "cursor",
		                   "cursor must be a positive whole number (the "
		                   "next_cursor of the page before)");
		return;
	}
	json_t *items = json_array();
	int n = outbox_list(req_db(r), r->arena, state, cursor, (int)limit, add_row, items);
	if (n < 0) {
		json_decref(items);
		http_error(r, n, "the outbox");
		return;
	}
	json_t *next = json_null();
	if (n == limit)
		next = json_integer(json_integer_value(
		    json_object_get(json_array_get(items, (size_t)n - 1), "id")));
	http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* Loads message {id} and checks the caller may act on it (404 or 403 as
 * for any thing of its organisation). */
static bool outbox_check(struct req *r, struct outbox_row *o)
{
	int rc = outbox_get(req_db(r), r->arena, req_param_id(r, "id"), o);
	if (!rc)
		rc = policy_check(&r->actor, r->route->action, o->organisation_id, false);
	if (rc == -HEARTH_ENOTFOUND) {
		http_problem(r, 404, "there is no message %" PRId64 " in the outbox",
		             req_param_id(r, "id"));
		return false;
	}
	if (rc) {
		http_error(r, rc, "the message");
		return false;
	}
	return true;
}

void messages_http_outbox_email(struct req *r)
{
	struct outbox_row o;
	if (!outbox_check(r, &o))
		return;
	struct buf out = BUF_INIT;
	int rc = outbox_render(req_db(r), r->arena, o.id, &out);
	if (rc)
		http_error(r, rc, "the email");
	else
		http_send(r, 200, "text/plain; charset=utf-8", out.data, out.len);
	buf_release(&out);
}

void messages_http_outbox_retry(struct req *r)
{
	struct outbox_row o;
	if (!outbox_check(r, &o))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = outbox_retry(c, o.id);
	if (rc == -HEARTH_ECONFLICT) {
		req_refuse(r, 409, "state", "only a failed message can be retried (this one is %s)",
		           o.state);
		return;
	}
	if (req_commit(r, rc, "outbox.retry", arena_printf(r->arena, "message:%" PRId64, o.id),
	               "the message"))
		http_json(r, 200,
		          json_pack("{s:I, s:s}", "id", (json_int_t)o.id, "state", "queued"));
}

void messages_http_outbox_test(struct req *r)
{
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = outbox_test(c, &r->app->kr, r->actor.user_id, 0, &id);
	if (req_commit(r, rc, "outbox.test",
	               arena_printf(r->arena, "user:%" PRId64, r->actor.user_id),
	               "the test message"))
		http_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "queued"));
}
