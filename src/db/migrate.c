/*
 * Forward-only numbered migrations, embedded from src/db/migrations/. Each
 * file NNNN_name.sql runs once, in its own transaction, and is recorded in
 * schema_migrations. A migration runs when its own number is not recorded,
 * not only when it is above the highest one recorded: a database that was
 * made while a lower number was still missing (a development database, a
 * branch) still gets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                 " applied_at INTEGER NOT NULL)";
static const char SQL_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_HAS[] = "SELECT 1 FROM schema_migrations WHERE version = ?";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

/* 1 when version is recorded, 0 when not, or a negative hearth_err. */
static int has_version(struct db_conn *c, int version)
{
	struct db_stmt *s = db_prepare(c, SQL_HAS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, version);
	int rc = db_step(s);
	db_finish(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

static int current_version(struct db_conn *c)
{
	struct db_stmt *s = db_prepare(c, SQL_MAX);
	if (!s)
		return -HEARTH_EDB;
	int rc = db_step(s);
	int v = rc == DB_ROW ? (int)db_col_i64(s, 0) : (rc < 0 ? rc : 0);
	db_finish(s);
	return v;
}

int db_schema_version(struct db_pool *p)
{
	struct db_conn *c = db_acquire(p);
	char em[256];
	int v = db_exec_script(c, SQL_CREATE, em, sizeof em);
	if (v == 0)
		v = current_version(c);
	db_release(p, c);
	return v;
}

int db_migrate(struct db_pool *p, char *errmsg, size_t errlen)
{
	struct db_conn *c = db_acquire(p);
	int applied = 0;
	/* Create the bookkeeping table under the migration lock: several nodes
	 * may start at once against one PostgreSQL. */
	int rc = db_begin(c, true);
	if (rc)
		goto out;
	if ((rc = c->be->lock_migrations(c)) != 0 ||
	    (rc = db_exec_script(c, SQL_CREATE, errmsg, errlen)) != 0 || (rc = db_commit(c)) != 0)
		goto fail;
	for (unsigned long i = 0; i < migration_assets_count; i++) {
		const struct embedded_file *m = &migration_assets[i];
		int version = atoi(m->name);
		if (version <= 0)
			continue;
		if ((rc = db_begin(c, true)) != 0)
			goto out;
		if ((rc = c->be->lock_migrations(c)) != 0)
			goto fail;
		int done = has_version(c, version); /* read under the write lock */
		if (done < 0) {
			rc = done;
			goto fail;
		}
		if (done) {
			db_rollback(c);
			continue;
		}
		if ((rc = db_exec_script(c, (const char *)m->data, errmsg, errlen)) != 0) {
			size_t used = strlen(errmsg);
			snprintf(errmsg + used, errlen - used, " (in migration %s)", m->name);
			goto fail;
		}
		struct db_stmt *s = db_prepare(c, SQL_RECORD);
		if (!s) {
			rc = -HEARTH_EDB;
			goto fail;
		}
		db_bind_i64(s, 1, version);
		db_bind_text(s, 2, m->name);
		db_bind_i64(s, 3, util_now());
		if ((rc = db_run(s)) != 0)
			goto fail;
		if ((rc = db_commit(c)) != 0)
			goto fail;
		log_msg(LOG_INFO, "applied migration %s", m->name);
		applied++;
	}
	rc = applied;
	goto out;
fail:
	db_rollback(c);
out:
	db_release(p, c);
	return rc;
}
