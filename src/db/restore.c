/*
 * Restoring a SQLite backup (`hearth restore`): checking that a file is a
 * whole Hearth database before anything is replaced, and copying one
 * database file into another under an exclusive lock, so that a restore
 * never writes under a running server. PostgreSQL deployments restore with
 * pg_restore/psql and point-in-time recovery instead (docs/operator.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "core/embedded.h"
#include "core/err.h"
#include "db/db.h"
#include "core/banned.h"

/* Tables every Hearth database has had since its first release. */
static const char SQL_TABLES[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
    " ('schema_migrations', 'users', 'organisations', 'audit_log', 'participants')";
static const char SQL_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_INTEGRITY[] = "PRAGMA integrity_check(20)";
static const char SQL_FK_CHECK[] = "PRAGMA foreign_key_check";

int db_migrations_latest(void)
{
	int latest = 0;
	for (unsigned long i = 0; i < migration_assets_count; i++) {
		int v = atoi(migration_assets[i].name);
		if (v > latest)
			latest = v;
	}
	return latest;
}

/* Runs a statement that answers one integer; -1 when it fails. */
static long long one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_restore_stage(const char *from, const char *to, char *errmsg, size_t errlen)
{
	char buf[65536];
	int in = -1, out = -1, rc = -HEARTH_EIO;
	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(errmsg, errlen, "cannot read %s: %s", from, strerror(errno));
		goto out;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(errmsg, errlen, "cannot create %s: %s", to, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(errmsg, errlen, "cannot read %s: %s", from, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				snprintf(errmsg, errlen, "cannot write %s: %s", to,
				         strerror(errno));
				goto out;
			}
			done += w;
		}
	}
	if (fsync(out) != 0) {
		snprintf(errmsg, errlen, "cannot write %s: %s", to, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && rc == 0) {
		snprintf(errmsg, errlen, "cannot write %s: %s", to, strerror(errno));
		rc = -HEARTH_EIO;
	}
	return rc;
}

int db_restore_check(const char *path, const char *name, int max_version, char *errmsg,
                     size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -HEARTH_EINVAL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot open %s: %s", name,
		         db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* Reading the header says whether it is a SQLite database at all. */
	long long tables = one_int(db, SQL_TABLES);
	if (tables < 0 && sqlite3_errcode(db) == SQLITE_NOTADB) {
		snprintf(errmsg, errlen, "%s is not a SQLite database", name);
		goto out;
	}
	if (tables < 0) {
		snprintf(errmsg, errlen, "%s is damaged (%s); use an older backup", name,
		         sqlite3_errmsg(db));
		goto out;
	}
	if (tables != 5) {
		snprintf(errmsg, errlen,
		         "%s is a SQLite database but not a Hearth database (no schema_migrations, "
		         "users, organisations, audit_log and participants tables)",
		         name);
		goto out;
	}
	if (sqlite3_prepare_v2(db, SQL_INTEGRITY, -1, &st, NULL) != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot check %s: %s", name, sqlite3_errmsg(db));
		goto out;
	}
	int step = sqlite3_step(st);
	const char *first = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (!first || strcmp(first, "ok") != 0) {
		snprintf(errmsg, errlen,
		         "%s is damaged (SQLite integrity_check: %s); use an older backup", name,
		         first ? first : sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, SQL_FK_CHECK, -1, &st, NULL) != SQLITE_OK ||
	    (step = sqlite3_step(st)) != SQLITE_DONE) {
		snprintf(errmsg, errlen,
		         "%s is damaged: %s (SQLite foreign_key_check); use an older backup", name,
		         step == SQLITE_ROW ? "a row refers to one that is missing"
		                            : sqlite3_errmsg(db));
		goto out;
	}
	long long version = one_int(db, SQL_VERSION);
	if (version < 1) {
		snprintf(errmsg, errlen, "%s has no schema version", name);
		goto out;
	}
	if (version > max_version) {
		snprintf(errmsg, errlen,
		         "%s has schema version %lld, newer than this hearth's %d: restore it with "
		         "the release that made it (or a newer one)",
		         name, version, max_version);
		goto out;
	}
	rc = (int)version;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int db_restore_copy(const char *from, const char *to, char *errmsg, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b = NULL;
	int rc = -HEARTH_EIO;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot open %s: %s", from,
		         src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot open %s: %s", to,
		         dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	/* No waiting: a lock held by someone else means a server (or another
	 * program) has the database open. In exclusive locking mode SQLite
	 * keeps the lock it takes until the connection closes, and in WAL mode
	 * every open connection holds a shared lock on the file, so
	 * BEGIN EXCLUSIVE succeeds only when nobody else has it open, and
	 * nobody can open it until the copy is done. */
	sqlite3_busy_timeout(dst, 0);
	int st = sqlite3_exec(dst, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", NULL,
	                      NULL, NULL);
	if ((st & 0xff) == SQLITE_BUSY || (st & 0xff) == SQLITE_LOCKED) {
		snprintf(errmsg, errlen,
		         "%s is in use (is `hearth serve` running on it?); stop every server using "
		         "it, then restore",
		         to);
		rc = -HEARTH_EBUSY;
		goto out;
	}
	if (st != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot lock %s: %s", to, sqlite3_errmsg(dst));
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(errmsg, errlen, "cannot copy into %s: %s", to, sqlite3_errmsg(dst));
		goto out;
	}
	/* One step: nobody else writes either file. */
	st = sqlite3_backup_step(b, -1);
	if (st != SQLITE_DONE) {
		snprintf(errmsg, errlen, "copying %s into %s failed: %s", from, to,
		         sqlite3_errstr(st));
		goto out;
	}
	rc = 0;
out:
	if (b)
		sqlite3_backup_finish(b);
	sqlite3_close(dst);
	sqlite3_close(src);
	return rc;
}
