/*
 * The inbox (live.h): every message that is not email-only also lands in
 * its recipient's inbox (outbox.c writes one row for both), listed newest
 * first, counted while unread, and marked read by its owner. Marking read
 * publishes a "message_read" event so that the person's other pages update
 * their count. A message of someone else is answered as a missing one.
 */
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/live.h"
#include "messages/messages.h"
#include "core/banned.h"

/* A message is in the inbox from shown_at on (a reminder: once due); a
 * withdrawn reminder has left it (in_inbox = 0). */
static const char SQL_LIST[] = "SELECT id, kind, params, created_at, read_at FROM messages"
                               " WHERE user_id = ?1 AND in_inbox = 1 AND shown_at <= ?4 AND id < ?2"
                               " ORDER BY id DESC LIMIT ?3";
static const char SQL_UNREAD[] = "SELECT COUNT(*) FROM messages WHERE user_id = ?1 AND in_inbox = 1"
                                 " AND shown_at <= ?2 AND read_at IS NULL";
static const char SQL_READ[] = "UPDATE messages SET read_at = ?3 WHERE id = ?2 AND user_id = ?1"
                               " AND in_inbox = 1 AND shown_at <= ?3 AND read_at IS NULL";
static const char SQL_EXISTS[] = "SELECT 1 FROM messages WHERE id = ?2 AND user_id = ?1"
                                 " AND in_inbox = 1 AND shown_at <= ?3";
static const char SQL_READ_ALL[] = "UPDATE messages SET read_at = ?2 WHERE user_id = ?1"
                                   " AND in_inbox = 1 AND shown_at <= ?2 AND read_at IS NULL";

static json_t *time_or_null(struct db_stmt *s, int col)
{
	if (db_col_null(s, col))
		return json_null();
	char when[32];
	util_iso8601(when, sizeof when, db_col_i64(s, col));
	return json_string(when);
}

int inbox_list(struct db_conn *c, int64_t user_id, int limit, int64_t cursor, json_t **out,
               int64_t *next)
{
	int rc = -HEARTH_EDB;
	json_t *items = json_array();
	*out = NULL;
	*next = 0;
	struct db_stmt *s = db_prepare(c, SQL_LIST);
	if (!s)
		goto out;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, cursor > 0 ? cursor : INT64_MAX);
	db_bind_i64(s, 3, (int64_t)limit + 1);
	db_bind_i64(s, 4, util_now());
	int n = 0;
	int64_t last = 0;
	while (db_next(s, &rc)) {
		if (n == limit) {
			*next = last;
			break;
		}
		const char *params = db_col_text(s, 2);
		json_t *p = params ? json_loads(params, 0, NULL) : NULL;
		if (!json_is_object(p)) {
			json_decref(p);
			p = json_object();
		}
		last = db_col_i64(s, 0);
		json_array_append_new(items,
		                      json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)last,
		                                "kind", db_col_text(s, 1) ? db_col_text(s, 1) : "",
		                                "params", p, "created_at", time_or_null(s, 3),
		                                "read_at", time_or_null(s, 4)));
		n++;
	}
	db_finish(s);
	if (rc)
		goto out;
	*out = items;
	items = NULL;
out:
	json_decref(items);
	return rc;
}

int inbox_unread(struct db_conn *c, int64_t user_id, int64_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_UNREAD);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, util_now());
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*n = db_col_i64(s, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = -HEARTH_EDB;
	}
	db_finish(s);
	return rc;
}

int inbox_mark_read(struct db_conn *c, int64_t user_id, int64_t id)
{
	int64_t now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_EXISTS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, id);
	db_bind_i64(s, 3, now);
	int rc = db_step(s);
	db_finish(s);
	if (rc == DB_DONE)
		return -HEARTH_ENOTFOUND;
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	if (!(s = db_prepare(c, SQL_READ)))
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, id);
	db_bind_i64(s, 3, now);
	if ((rc = db_run(s)) != 0)
		return rc;
	if (db_changes(c) == 0)
		return 0; /* read before: nothing changed, nobody to tell */
	return events_publish(c, user_id, 0, "message_read", id);
}

int inbox_mark_all_read(struct db_conn *c, int64_t user_id, int64_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_READ_ALL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, util_now());
	int rc = db_run(s);
	if (rc)
		return rc;
	*n = db_changes(c);
	if (*n == 0)
		return 0;
	return events_publish(c, user_id, 0, "message_read", 0);
}
