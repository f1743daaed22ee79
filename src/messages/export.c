/*
 * The messages module's part of a person's export (people_on_export): the
 * messages written to them (kind, the ids and times they carry, what became
 * of the email, when they read it) and their message preferences. The
 * sealed one-time secrets are never exported: they open someone's account.
 */
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/messages.h"
#include "people/people.h"
#include "core/banned.h"

static const char SQL_MESSAGES[] =
    "SELECT kind, params, email_state, created_at, sent_at, read_at FROM messages"
    " WHERE participant_id = ?1 OR user_id = ?2 ORDER BY id";
static const char SQL_PREFS[] =
    "SELECT lang, inbox_only, quiet_start, quiet_end, time_zone, updated_at FROM message_prefs"
    " WHERE participant_id = ?1 OR user_id = ?2";

static json_t *when(struct db_stmt *s, int col)
{
	if (db_col_null(s, col))
		return json_null();
	char at[32];
	util_iso8601(at, sizeof at, db_col_i64(s, col));
	return json_string(at);
}

static json_t *text(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? json_null() : json_string(db_col_text(s, col));
}

static int export_messages(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                           int64_t pid, json_t *out, const void *arg)
{
	(void)px;
	(void)a;
	int64_t user = 0;
	int rc = people_user_of(c, pid, &user);
	if (rc)
		return rc;
	bool prefs = arg != NULL;
	struct db_stmt *s = db_prepare(c, prefs ? SQL_PREFS : SQL_MESSAGES);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, pid);
	db_bind_i64(s, 2, user > 0 ? user : -1);
	while (db_next(s, &rc)) {
		if (prefs) {
			json_array_append_new(out, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			                                     "lang", text(s, 0), "inbox_only",
			                                     text(s, 1), "quiet_start", text(s, 2),
			                                     "quiet_end", text(s, 3), "time_zone",
			                                     text(s, 4), "updated_at", when(s, 5)));
			continue;
		}
		const char *params = db_col_text(s, 1);
		json_t *p = params ? json_loads(params, 0, NULL) : NULL;
		json_array_append_new(out, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "kind",
		                                     text(s, 0), "params", p ? p : json_object(),
		                                     "email", text(s, 2), "created_at", when(s, 3),
		                                     "sent_at", when(s, 4), "read_at", when(s, 5)));
	}
	db_finish(s);
	return rc;
}

void messages_init(void)
{
	static const int prefs = 1;
	people_on_export("messages", "messages", export_messages, NULL);
	people_on_export("message_preferences", "message_prefs", export_messages, &prefs);
}
