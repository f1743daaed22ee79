/*
 * What other modules read about a person (people.h): whether a record is
 * still active and which record belongs to a login. Other modules call
 * these instead of reading the people tables (tests/api/modules.test.mjs).
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "people/internal.h"
#include "people/people.h"
#include "core/banned.h"

static const char SQL_ACTIVE[] = "SELECT 1 FROM participants WHERE id = ?1 AND status = 'active'";
static const char SQL_USER_OF[] =
    "SELECT user_id FROM participants WHERE id = ?1 AND status = 'active'";
static const char SQL_OF_USER[] =
    "SELECT id FROM participants WHERE user_id = ?1 AND status = 'active' ORDER BY id LIMIT 1";

int people_is_active(struct db_conn *c, int64_t pid, bool *active)
{
	*active = false;
	struct db_stmt *s = db_prepare(c, SQL_ACTIVE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, pid);
	int rc = db_step(s);
	*active = rc == DB_ROW;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int people_by_user(struct db_conn *c, int64_t user_id, int64_t *pid)
{
	*pid = 0;
	if (user_id <= 0)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_OF_USER);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*pid = db_col_i64(s, 0);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int people_user_of(struct db_conn *c, int64_t pid, int64_t *user_id)
{
	*user_id = 0;
	struct db_stmt *s = db_prepare(c, SQL_USER_OF);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, pid);
	int rc = db_step(s);
	if (rc == DB_ROW && !db_col_null(s, 0))
		*user_id = db_col_i64(s, 0);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int people_contact_email(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t pid, const char **email)
{
	*email = NULL;
	struct person_row row;
	int rc = people__get(px, c, a, pid, &row);
	if (rc == -HEARTH_ENOTFOUND)
		return 0;
	if (rc || row.erased || !row.profile)
		return rc;
	json_t *doc = json_loads(row.profile, 0, NULL);
	if (!doc)
		return -HEARTH_EINVAL;
	const char *e = json_string_value(json_object_get(doc, "email"));
	if (e && *e && strchr(e, '@'))
		*email = arena_strdup(a, e);
	json_decref(doc);
	return 0;
}
