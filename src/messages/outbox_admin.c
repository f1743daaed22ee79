/*
 * What admins see of the outbox and do with it: the list (by state, newest
 * first; the recipient as "user #N" or "participant #N", never an address
 * or a name), the email a message would send (its one-time link masked,
 * its address left out), retrying a failed message, and a test message to
 * check the email setup.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "core/banned.h"

#define ROW_COLS                                                                              \
	"id, organisation_id, user_id, participant_id, kind, email_state, attempts, next_at," \
	" last_error, sent_via, sent_at, message_id, created_at, params"

static const char SQL_LIST[] = "SELECT " ROW_COLS " FROM messages"
                               " WHERE (COALESCE(?1, '') = '' OR email_state = ?1)"
                               " AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3";
static const char SQL_GET[] = "SELECT " ROW_COLS " FROM messages WHERE id = ?1";
static const char SQL_RETRY[] =
    "UPDATE messages SET email_state = 'queued', attempts = 0, next_at = ?2,"
    " last_error = NULL, claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND email_state = 'failed'";

static void read_row(struct db_stmt *s, struct arena *a, struct outbox_row *r, const char **params)
{
	r->id = db_col_i64(s, 0);
	r->organisation_id = db_col_i64(s, 1);
	r->user_id = db_col_i64(s, 2);
	r->participant_id = db_col_i64(s, 3);
	r->kind = arena_strdup(a, db_col_text(s, 4));
	r->state = arena_strdup(a, db_col_text(s, 5));
	r->attempts = db_col_i64(s, 6);
	r->next_at = db_col_i64(s, 7);
	r->last_error = db_col_null(s, 8) ? NULL : arena_strdup(a, db_col_text(s, 8));
	r->sent_via = db_col_null(s, 9) ? NULL : arena_strdup(a, db_col_text(s, 9));
	r->sent_at = db_col_i64(s, 10);
	r->message_id = db_col_null(s, 11) ? NULL : arena_strdup(a, db_col_text(s, 11));
	r->created_at = db_col_i64(s, 12);
	if (params)
		*params = arena_strdup(a, db_col_text(s, 13));
}

int outbox_list(struct db_conn *c, struct arena *a, const char *state, int64_t cursor, int limit,
                void (*fn)(const struct outbox_row *, void *), void *ctx)
{
	struct db_stmt *s = db_prepare(c, SQL_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, state ? state : "");
	db_bind_i64(s, 2, cursor);
	db_bind_i64(s, 3, limit);
	int rc, n = 0;
	while (db_next(s, &rc)) {
		struct outbox_row r;
		read_row(s, a, &r, NULL);
		fn(&r, ctx);
		n++;
	}
	db_finish(s);
	return rc ? rc : n;
}

static int get(struct db_conn *c, struct arena *a, int64_t id, struct outbox_row *out,
               const char **params)
{
	struct db_stmt *s = db_prepare(c, SQL_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		read_row(s, a, out, params);
	db_finish(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

int outbox_get(struct db_conn *c, struct arena *a, int64_t id, struct outbox_row *out)
{
	return get(c, a, id, out, NULL);
}

int outbox_render(struct db_conn *c, struct arena *a, int64_t id, struct buf *out)
{
	struct outbox_row r;
	const char *params_text = NULL;
	int rc = get(c, a, id, &r, &params_text);
	if (rc)
		return rc;
	int kind = message_kind_from_name(r.kind);
	if (kind < 0)
		return -HEARTH_ENOTFOUND;
	const struct message_kind_info *k = &message_kinds[kind];
	struct mail_prefs prefs;
	if ((rc = mail_prefs_get(c, r.user_id, r.participant_id, &prefs)) != 0)
		return rc;
	char unsub[128] = "";
	const struct keyring *kr = mail__keyring();
	if (!k->essential && kr)
		mail_unsub_token(kr, r.user_id, r.participant_id, k->name, unsub, sizeof unsub);
	char mid[320];
	if (!r.message_id) {
		const struct messages_config *cfg = mail__config();
		mail_message_id(id, cfg && cfg->mail_from ? cfg->mail_from : "hearth@localhost",
		                mid, sizeof mid);
	}
	json_t *params = json_loads(params_text ? params_text : "{}", 0, NULL);
	/* The address is left out: admins see what was said, not to whom. */
	struct mail_input in = {
	    .kind = kind,
	    .id = id,
	    .to = NULL,
	    .message_id = r.message_id ? r.message_id : mid,
	    .date = r.sent_at ? r.sent_at : util_now(),
	    .params = params,
	    .secret = NULL,
	    .mask_secret = true,
	    .prefs = &prefs,
	    .unsub_token = k->essential || !unsub[0] ? NULL : unsub,
	};
	mail_render(&in, out);
	json_decref(params);
	return 0;
}

int outbox_retry(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_RETRY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, util_now());
	int rc = db_run(s);
	if (rc)
		return rc;
	if (db_changes(c) != 1)
		return -HEARTH_ECONFLICT;
	db_notify(c, DB_CH_OUTBOX);
	return 0;
}

int outbox_test(struct db_conn *c, const struct keyring *kr, int64_t user_id, int64_t org,
                int64_t *id)
{
	struct message m = {.kind = MSG_TEST, .org = org, .user_id = user_id};
	return messages_send(c, kr, &m, id);
}
