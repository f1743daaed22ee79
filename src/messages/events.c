/*
 * Live events (messages.h): written in the transaction of the change, read
 * by the streams of /api/v1/events once it commits.
 */
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/internal.h"
#include "messages/messages.h"
#include "core/banned.h"

static const char SQL_EVENT[] = "INSERT INTO events (user_id, organisation_id, kind, ref_id,"
                                " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";

int events_publish(struct db_conn *c, int64_t user_id, int64_t org, const char *kind,
                   int64_t ref_id)
{
	struct db_stmt *s = db_prepare(c, SQL_EVENT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_id(s, 2, org);
	db_bind_text(s, 3, kind);
	db_bind_id(s, 4, ref_id);
	db_bind_i64(s, 5, util_now());
	int64_t id;
	int rc = db_insert_id(s, &id);
	if (rc == 0)
		db_notify(c, DB_CH_EVENTS);
	return rc;
}

void messages__wake_sender(struct db_conn *c)
{
	db_notify(c, DB_CH_OUTBOX);
}
