/*
 * Unit tests for the storage interface (src/db/db.h) on its SQLite backend.
 * Most run on a one-connection ":memory:" pool; the backup test writes to a
 * temporary file. They check the statement cache (keyed by the SQL string's
 * address, including after the cache grows), how constraint violations are
 * reported, that rollback and a connection released mid-transaction really
 * discard writes, that migrations are idempotent and versioned, and that an
 * online backup is a readable copy. Error paths (bad SQL, unopenable files,
 * nested BEGIN) are exercised on purpose.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

/* Statements are cached by address, so every SQL text lives in static storage. */
static const char SQL_SCHEMA[] =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE, s TEXT, b BLOB);"
    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES "
    "parent(id));";
static const char SQL_INSERT[] = "INSERT INTO t (x, s, b) VALUES (?, ?, ?)";
static const char SQL_INSERT_COPY[] = "INSERT INTO t (x, s, b) VALUES (?, ?, ?)";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM t";
static const char SQL_GET[] = "SELECT x, s, b FROM t WHERE x = ?";
static const char SQL_ALL[] = "SELECT x, s FROM t ORDER BY x";
static const char SQL_UPDATE_ALL[] = "UPDATE t SET s = 'u'";
static const char SQL_CHILD[] = "INSERT INTO child (parent_id) VALUES (?)";
static const char SQL_BAD[] = "SELEKT nonsense FROM nowhere";
static const char SQL_NO_TABLE[] = "SELECT * FROM no_such_table";

struct fx {
	struct db_pool *pool;
	struct db_conn *c;
};

static struct db_pool *open_memory(void)
{
	int err = 1;
	char msg[256] = "";
	struct db_pool *p = db_pool_open(":memory:", 1, &err, msg, sizeof msg);
	if (!p)
		fail_msg("db_pool_open(:memory:): %d %s", err, msg);
	assert_int_equal(err, 0);
	return p;
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char msg[256];
	fx->pool = open_memory();
	fx->c = db_acquire(fx->pool);
	if (db_exec_script(fx->c, SQL_SCHEMA, msg, sizeof msg) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	if (fx->c)
		db_release(fx->pool, fx->c);
	db_pool_close(fx->pool);
	free(fx);
	return 0;
}

static int insert(struct db_conn *c, int64_t x, const char *s)
{
	struct db_stmt *st = db_prepare(c, SQL_INSERT);
	assert_non_null(st);
	db_bind_i64(st, 1, x);
	db_bind_text(st, 2, s);
	db_bind_null(st, 3);
	return db_run(st);
}

static int64_t count(struct db_conn *c)
{
	struct db_stmt *st = db_prepare(c, SQL_COUNT);
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_col_i64(st, 0);
	db_finish(st);
	return n;
}

static void db_prepare_caches_by_pointer(void **state)
{
	struct fx *fx = *state;
	struct db_stmt *a = db_prepare(fx->c, SQL_INSERT);
	struct db_stmt *b = db_prepare(fx->c, SQL_INSERT);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	/* Same text at another address is another cache entry. */
	struct db_stmt *copy = db_prepare(fx->c, SQL_INSERT_COPY);
	assert_non_null(copy);
	assert_ptr_not_equal(a, copy);
	assert_ptr_equal(db_prepare(fx->c, SQL_INSERT_COPY), copy);
	/* The cached statement is reusable after db_finish. */
	assert_int_equal(insert(fx->c, 1, "one"), 0);
	assert_int_equal(insert(fx->c, 2, "two"), 0);
	assert_int_equal(count(fx->c), 2);
}

static void db_prepare_cache_survives_growth(void **state)
{
	struct fx *fx = *state;
	enum { N = 150 }; /* well past the initial 64 slots */
	static char sql[N][32];
	static struct db_stmt *first[N];
	for (int i = 0; i < N; i++) {
		snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
		first[i] = db_prepare(fx->c, sql[i]);
		assert_non_null(first[i]);
	}
	for (int i = 0; i < N; i++) {
		struct db_stmt *s = db_prepare(fx->c, sql[i]);
		assert_ptr_equal(s, first[i]);
		assert_int_equal(db_step(s), DB_ROW);
		assert_int_equal(db_col_i64(s, 0), i);
		db_finish(s);
	}
}

static void db_prepare_invalid_sql_returns_null(void **state)
{
	struct fx *fx = *state;
	log_set_level(LOG_ERROR + 1); /* the failure is logged; keep test output quiet */
	assert_null(db_prepare(fx->c, SQL_BAD));
	assert_null(db_prepare(fx->c, SQL_NO_TABLE));
	log_set_level(LOG_INFO);
	/* The connection still works. */
	assert_int_equal(insert(fx->c, 1, "x"), 0);
}

static void db_step_rows_columns_and_done(void **state)
{
	struct fx *fx = *state;
	struct db_stmt *st = db_prepare(fx->c, SQL_INSERT);
	db_bind_i64(st, 1, INT64_MAX);
	db_bind_text(st, 2, NULL); /* NULL binds SQL NULL */
	static const unsigned char blob[] = {0, 1, 2, 0xff};
	db_bind_blob(st, 3, blob, sizeof blob);
	assert_int_equal(db_step(st), DB_DONE);
	db_finish(st);
	assert_int_equal(db_changes(fx->c), 1);

	st = db_prepare(fx->c, SQL_GET);
	db_bind_i64(st, 1, INT64_MAX);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_i64(st, 0) == INT64_MAX);
	assert_true(db_col_null(st, 1));
	assert_null(db_col_text(st, 1));
	size_t n = 0;
	const void *b = db_col_blob(st, 2, &n);
	assert_int_equal(n, sizeof blob);
	assert_memory_equal(b, blob, sizeof blob);
	assert_false(db_col_null(st, 2));
	assert_int_equal(db_step(st), DB_DONE);
	db_finish(st);

	/* db_finish clears bindings: an unbound parameter is NULL, matching nothing. */
	st = db_prepare(fx->c, SQL_GET);
	assert_int_equal(db_step(st), DB_DONE);
	db_finish(st);
}

static void db_step_unique_violation_conflict(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(insert(fx->c, 7, "first"), 0);
	assert_int_equal(insert(fx->c, 7, "again"), -HEARTH_ECONFLICT);
	/* The statement is usable again and the first row is untouched. */
	assert_int_equal(insert(fx->c, 8, "other"), 0);
	assert_int_equal(count(fx->c), 2);
	struct db_stmt *st = db_prepare(fx->c, SQL_GET);
	db_bind_i64(st, 1, 7);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 1), "first");
	db_finish(st);
}

static void db_step_foreign_key_violation_conflict(void **state)
{
	struct fx *fx = *state;
	struct db_stmt *st = db_prepare(fx->c, SQL_CHILD);
	db_bind_i64(st, 1, 999);
	assert_int_equal(db_step(st), -HEARTH_ECONFLICT);
	db_finish(st);
}

static void db_rollback_discards_writes(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(insert(fx->c, 1, "kept"), 0);
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_true(db_in_transaction(fx->c));
	assert_int_equal(insert(fx->c, 2, "discarded"), 0);
	assert_int_equal(insert(fx->c, 3, "discarded"), 0);
	assert_int_equal(count(fx->c), 3); /* visible inside the transaction */
	db_rollback(fx->c);
	assert_false(db_in_transaction(fx->c));
	assert_int_equal(count(fx->c), 1);
	/* Rolling back with no transaction is harmless. */
	db_rollback(fx->c);
	assert_int_equal(count(fx->c), 1);
}

static void db_commit_keeps_writes(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(db_begin(fx->c, false), 0);
	assert_int_equal(insert(fx->c, 1, "a"), 0);
	assert_int_equal(insert(fx->c, 2, "b"), 0);
	assert_int_equal(db_commit(fx->c), 0);
	assert_false(db_in_transaction(fx->c));
	db_rollback(fx->c);
	assert_int_equal(count(fx->c), 2);
}

static void db_begin_nested_fails(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(insert(fx->c, 1, "a"), 0);
	log_set_level(LOG_ERROR + 1); /* the backend logs the refusal */
	int rc = db_begin(fx->c, true);
	log_set_level(LOG_INFO);
	assert_true(rc < 0);
	/* The outer transaction is still open and still ours to roll back. */
	assert_true(db_in_transaction(fx->c));
	db_rollback(fx->c);
	assert_int_equal(count(fx->c), 0);
}

static void db_commit_without_transaction_fails(void **state)
{
	struct fx *fx = *state;
	log_set_level(LOG_ERROR + 1);
	int rc = db_commit(fx->c);
	log_set_level(LOG_INFO);
	assert_true(rc < 0);
	assert_false(db_in_transaction(fx->c));
}

static void db_release_rolls_back_open_transaction(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(insert(fx->c, 1, "kept"), 0);
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(insert(fx->c, 2, "lost"), 0);
	log_set_level(LOG_ERROR); /* the release logs a warning on purpose */
	db_release(fx->pool, fx->c);
	log_set_level(LOG_INFO);
	/* A pool of one hands back the same connection, now clean. */
	fx->c = db_acquire(fx->pool);
	assert_false(db_in_transaction(fx->c));
	assert_int_equal(count(fx->c), 1);
	/* And a new transaction can start. */
	assert_int_equal(db_begin(fx->c, true), 0);
	assert_int_equal(db_commit(fx->c), 0);
}

static void db_changes_counts_rows(void **state)
{
	struct fx *fx = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(insert(fx->c, i, "s"), 0);
	struct db_stmt *st = db_prepare(fx->c, SQL_UPDATE_ALL);
	assert_int_equal(db_run(st), 0);
	assert_int_equal(db_changes(fx->c), 3);
	st = db_prepare(fx->c, SQL_ALL);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_i64(st, 0), i);
		assert_string_equal(db_col_text(st, 1), "u");
	}
	assert_int_equal(db_step(st), DB_DONE);
	db_finish(st);
}

static void db_exec_script_error_reports(void **state)
{
	struct fx *fx = *state;
	char msg[256] = "";
	assert_int_equal(db_exec_script(fx->c, "CREATE TABLE t (x);", msg, sizeof msg),
	                 -HEARTH_EDB);
	assert_non_null(strstr(msg, "already exists"));
	msg[0] = '\0';
	assert_int_equal(db_exec_script(fx->c, "THIS IS NOT SQL", msg, sizeof msg), -HEARTH_EDB);
	assert_true(msg[0] != '\0');
}

/* --- migrations --- */

static int expected_version(int *count)
{
	int max = 0;
	*count = 0;
	for (unsigned long i = 0; i < migration_assets_count; i++) {
		int v = atoi(migration_assets[i].name);
		if (v <= 0)
			continue;
		(*count)++;
		if (v > max)
			max = v;
	}
	return max;
}

static void db_migrate_idempotent(void **state)
{
	(void)state;
	struct db_pool *p = open_memory();
	char msg[256] = "";
	int n = 0, want = expected_version(&n);
	assert_true(n >= 1);
	assert_int_equal(db_schema_version(p), 0);
	log_set_level(LOG_WARN);
	int applied = db_migrate(p, msg, sizeof msg);
	log_set_level(LOG_INFO);
	if (applied != n)
		fail_msg("first db_migrate applied %d of %d: %s", applied, n, msg);
	assert_int_equal(db_schema_version(p), want);
	assert_int_equal(db_migrate(p, msg, sizeof msg), 0);
	assert_int_equal(db_migrate(p, msg, sizeof msg), 0);
	assert_int_equal(db_schema_version(p), want);
	/* The core schema is there: the audit head row exists exactly once. */
	static const char sql[] = "SELECT COUNT(*) FROM audit_head";
	struct db_conn *c = db_acquire(p);
	struct db_stmt *st = db_prepare(c, sql);
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 1);
	db_finish(st);
	db_release(p, c);
	db_pool_close(p);
}

/* A database made while a lower-numbered migration was still missing (a
 * development database, a branch) gets it later: migrations run by their
 * own number, not only above the highest one recorded. */
static void db_migrate_fills_a_gap(void **state)
{
	(void)state;
	struct db_pool *p = open_memory();
	char msg[256] = "";
	int n = 0, want = expected_version(&n);
	log_set_level(LOG_WARN);
	assert_int_equal(db_migrate(p, msg, sizeof msg), n);
	/* Forget migration 0002 and what it made, as if it had never run. */
	struct db_conn *c = db_acquire(p);
	assert_int_equal(
	    db_exec_script(c, "DELETE FROM schema_migrations WHERE version = 2", msg, sizeof msg),
	    0);
	struct db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM schema_migrations");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), n - 1);
	db_finish(st);
	db_release(p, c);
	assert_int_equal(db_schema_version(p), want);
	/* 0002 runs again (it fails on its own tables, which still exist: the
	 * attempt itself proves it is not skipped). */
	int rc = db_migrate(p, msg, sizeof msg);
	log_set_level(LOG_INFO);
	assert_true(rc < 0);
	assert_non_null(strstr(msg, "0002"));
	db_pool_close(p);
}

static void db_schema_version_first_migration_is_1(void **state)
{
	(void)state;
	int n = 0;
	expected_version(&n);
	int lowest = 0;
	for (unsigned long i = 0; i < migration_assets_count; i++) {
		int v = atoi(migration_assets[i].name);
		if (v > 0 && (lowest == 0 || v < lowest))
			lowest = v;
	}
	assert_int_equal(lowest, 1);
}

/* --- backup and pool errors --- */

static void unlink_db(const char *path)
{
	char aux[160];
	unlink(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-journal", path);
	unlink(aux);
}

static void db_backup_copies_rows(void **state)
{
	struct fx *fx = *state;
	char path[] = "/tmp/hearth-unit-backup-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i < 50; i++)
		assert_int_equal(insert(fx->c, i, i % 2 ? "odd" : "even"), 0);
	db_release(fx->pool, fx->c); /* db_backup borrows the pool's only connection */
	fx->c = NULL;
	char msg[256] = "";
	int rc = db_backup(fx->pool, path, msg, sizeof msg);
	if (rc != 0)
		fail_msg("db_backup: %d %s", rc, msg);
	/* Writes after the backup do not reach it. */
	fx->c = db_acquire(fx->pool);
	assert_int_equal(insert(fx->c, 1000, "later"), 0);

	int err = 1;
	struct db_pool *copy = db_pool_open(path, 1, &err, msg, sizeof msg);
	assert_non_null(copy);
	struct db_conn *c = db_acquire(copy);
	assert_int_equal(count(c), 50);
	struct db_stmt *st = db_prepare(c, SQL_ALL);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_i64(st, 0), i);
		assert_string_equal(db_col_text(st, 1), i % 2 ? "odd" : "even");
	}
	assert_int_equal(db_step(st), DB_DONE);
	db_finish(st);
	db_release(copy, c);
	db_pool_close(copy);
	unlink_db(path);
}

static void db_backup_unwritable_target_fails(void **state)
{
	struct fx *fx = *state;
	db_release(fx->pool, fx->c);
	fx->c = NULL;
	char msg[256] = "";
	int rc = db_backup(fx->pool, "/nonexistent-hearth-dir/backup.db", msg, sizeof msg);
	assert_true(rc < 0);
	assert_true(msg[0] != '\0');
}

static void db_pool_open_bad_path_fails(void **state)
{
	(void)state;
	int err = 0;
	char msg[256] = "";
	struct db_pool *p = db_pool_open("/nonexistent-hearth-dir/x.db", 2, &err, msg, sizeof msg);
	assert_null(p);
	assert_int_equal(err, -HEARTH_EDB);
	assert_non_null(strstr(msg, "/nonexistent-hearth-dir/x.db"));
	/* The sqlite: prefix names the same kind of target. */
	p = db_pool_open("sqlite:/nonexistent-hearth-dir/x.db", 1, &err, msg, sizeof msg);
	assert_null(p);
	assert_int_equal(err, -HEARTH_EDB);
}

static void db_pool_open_sqlite_prefix(void **state)
{
	(void)state;
	int err = 1;
	char msg[256] = "";
	struct db_pool *p = db_pool_open("sqlite::memory:", 0, &err, msg, sizeof msg);
	assert_non_null(p);
	assert_int_equal(err, 0);
	assert_int_equal(db_pool_kind(p), DB_SQLITE);
	assert_string_equal(db_pool_kind_name(p), "sqlite");
	db_pool_close(p);
}

/* The fixture holds the pool's only connection: a bounded wait gives up
 * with -HEARTH_EBUSY after about its time, and succeeds once it is back. */
static void db_acquire_wait_times_out_when_pool_is_empty(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = NULL;
	uint64_t t0 = util_mono_ns();
	assert_int_equal(db_acquire_wait(fx->pool, 100, &c), -HEARTH_EBUSY);
	uint64_t ms = (util_mono_ns() - t0) / 1000000;
	assert_null(c);
	assert_true(ms >= 90 && ms < 2000);
	db_release(fx->pool, fx->c);
	fx->c = NULL;
	assert_int_equal(db_acquire_wait(fx->pool, 100, &c), 0);
	assert_non_null(c);
	fx->c = c;
}

/* The pool is sized apart from the threads (most of which may hold event
 * streams that need no connection), and never above them. */
static void db_pool_default_size_is_apart_from_threads(void **state)
{
	(void)state;
	assert_int_equal(db_pool_default_size("data/hearth.db", 1200), DB_POOL_DEFAULT_SQLITE);
	assert_int_equal(db_pool_default_size("sqlite:x.db", 8), 8);
	assert_int_equal(db_pool_default_size("postgres://h/db", 384), DB_POOL_DEFAULT_PG);
	assert_int_equal(db_pool_default_size("postgresql://h/db", 384), DB_POOL_DEFAULT_PG);
	assert_int_equal(db_pool_default_size("postgres://h/db", 8), 8);
}

/* The health check reads the schema on a connection of its own: 0 on a
 * migrated database (even with the pool's only connection in use), an
 * error on a database without one. */
static void db_pool_ping_checks_the_schema(void **state)
{
	(void)state;
	char path[] = "/tmp/hearth-test-ping-XXXXXX", msg[256] = "";
	int fd = mkstemp(path), err = 1;
	assert_true(fd >= 0);
	close(fd);
	struct db_pool *p = db_pool_open(path, 1, &err, msg, sizeof msg);
	assert_non_null(p);
	log_set_level(LOG_ERROR + 1);
	assert_int_not_equal(db_pool_ping(p, 1000), 0); /* no schema yet */
	db_pool_close(p);
	p = db_pool_open(path, 1, &err, msg, sizeof msg);
	assert_true(db_migrate(p, msg, sizeof msg) > 0);
	log_set_level(LOG_INFO);
	struct db_conn *held = db_acquire(p);
	assert_int_equal(db_pool_ping(p, 1000), 0);
	db_release(p, held);
	db_pool_close(p);
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	    T(db_prepare_caches_by_pointer),
	    T(db_prepare_cache_survives_growth),
	    T(db_prepare_invalid_sql_returns_null),
	    T(db_step_rows_columns_and_done),
	    T(db_step_unique_violation_conflict),
	    T(db_step_foreign_key_violation_conflict),
	    T(db_rollback_discards_writes),
	    T(db_commit_keeps_writes),
	    T(db_begin_nested_fails),
	    T(db_commit_without_transaction_fails),
	    T(db_release_rolls_back_open_transaction),
	    T(db_changes_counts_rows),
	    T(db_exec_script_error_reports),
	    cmocka_unit_test(db_migrate_idempotent),
	    cmocka_unit_test(db_migrate_fills_a_gap),
	    cmocka_unit_test(db_schema_version_first_migration_is_1),
	    T(db_backup_copies_rows),
	    T(db_backup_unwritable_target_fails),
	    cmocka_unit_test(db_pool_open_bad_path_fails),
	    cmocka_unit_test(db_pool_open_sqlite_prefix),
	    T(db_acquire_wait_times_out_when_pool_is_empty),
	    cmocka_unit_test(db_pool_default_size_is_apart_from_threads),
	    cmocka_unit_test(db_pool_ping_checks_the_schema),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
