/*
 * The SQLite backend: WAL, foreign keys on, a busy timeout, one writer at a
 * time (BEGIN IMMEDIATE for write transactions), statements prepared once
 * per connection and cached by the address of their SQL text.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

/* Writers to one database file queue on a mutex of their own in this
 * process: SQLite's busy handler sleeps and polls, which under load turns
 * into long tail latencies; a mutex hands the write lock over at once. */
struct writer_lock {
	char *path;
	pthread_mutex_t mu;
	_Atomic int wal_pages; /* WAL size after the last commit (the WAL hook) */
};
static struct writer_lock writer_locks[16];
static size_t nwriter_locks;
static pthread_mutex_t writer_locks_mu = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t *writer_lock_for(const char *path)
{
	if (strcmp(path, ":memory:") == 0 || !*path)
		return NULL; /* every connection is its own database */
	char *real = realpath(path, NULL);
	const char *key = real ? real : path;
	pthread_mutex_t *mu = NULL;
	pthread_mutex_lock(&writer_locks_mu);
	for (size_t i = 0; i < nwriter_locks; i++)
		if (strcmp(writer_locks[i].path, key) == 0)
			mu = &writer_locks[i].mu;
	if (!mu && nwriter_locks < sizeof writer_locks / sizeof writer_locks[0]) {
		writer_locks[nwriter_locks].path = xstrdup(key);
		pthread_mutex_init(&writer_locks[nwriter_locks].mu, NULL);
		mu = &writer_locks[nwriter_locks++].mu;
	}
	pthread_mutex_unlock(&writer_locks_mu);
	free(real);
	return mu;
}

struct sq_conn {
	struct db_conn base;
	sqlite3 *db;
	pthread_mutex_t *writer; /* shared by connections to the same file */
	struct writer_lock *wl;
	bool holds_writer;
	struct db_stmt_cache cache;
};

static int map_rc(sqlite3 *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE: return DB_DONE;
	case SQLITE_ROW: return DB_ROW;
	case SQLITE_CONSTRAINT: return -HEARTH_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -HEARTH_EBUSY;
	default: log_msg(LOG_ERROR, "sqlite: %s", sqlite3_errmsg(db)); return -HEARTH_EDB;
	}
}

static struct db_conn *sq_open(const char *target, char *errmsg, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(
	    target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot open database %s: %s", target,
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	static const char *const pragmas = "PRAGMA journal_mode=WAL;"
	                                   "PRAGMA foreign_keys=ON;"
	                                   "PRAGMA synchronous=NORMAL;"
	                                   "PRAGMA secure_delete=ON;"
	                                   /* Reads from the page cache of the OS
	                                    * without a copy per page (pread). */
	                                   "PRAGMA mmap_size=268435456;";
	char *em = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &em) != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot configure database %s: %s", target, em ? em : "?");
		sqlite3_free(em);
		sqlite3_close(db);
		return NULL;
	}
	struct sq_conn *c = xcalloc(1, sizeof *c);
	c->base.be = &db_sqlite_backend;
	c->db = db;
	c->writer = writer_lock_for(target);
	c->wl = c->writer
	            ? (struct writer_lock *)((char *)c->writer - offsetof(struct writer_lock, mu))
	            : NULL;
	db__cache_init(&c->cache);
	return &c->base;
}

static void sq_close(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	for (size_t i = 0; i < c->cache.cap; i++) {
		struct sq_stmt *st = (struct sq_stmt *)c->cache.slots[i];
		if (st) {
			sqlite3_finalize(st->st);
			free(st);
		}
	}
	db__cache_release(&c->cache);
	sqlite3_close(c->db);
	free(c);
}

static int simple(struct sq_conn *c, const char *sql)
{
	char *em = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &em);
	if (rc != SQLITE_OK) {
		int mapped = map_rc(c->db, rc);
		sqlite3_free(em);
		return mapped < 0 ? mapped : -HEARTH_EDB;
	}
	return 0;
}

static void release_writer(struct sq_conn *c)
{
	if (c->holds_writer) {
		c->holds_writer = false;
		pthread_mutex_unlock(c->writer);
	}
}

static int sq_begin(struct db_conn *bc, bool write)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	if (write && c->writer) {
		pthread_mutex_lock(c->writer);
		c->holds_writer = true;
	}
	int rc = simple(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
	if (rc)
		release_writer(c);
	return rc;
}

static int sq_commit(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	int rc = simple(c, "COMMIT");
	if (rc == 0)
		release_writer(c);
	return rc;
}

static void sq_rollback(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	(void)simple(c, "ROLLBACK");
	release_writer(c);
}

static int sq_exec_script(struct db_conn *bc, const char *sql, char *errmsg, size_t errlen)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	char *em = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &em) != SQLITE_OK) {
		snprintf(errmsg, errlen, "%s", em ? em : sqlite3_errmsg(c->db));
		sqlite3_free(em);
		return -HEARTH_EDB;
	}
	return 0;
}

static struct db_stmt *sq_prepare(struct db_conn *bc, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	struct db_stmt *found = db__cache_find(&c->cache, sql);
	if (found)
		return found;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_msg(LOG_ERROR, "sqlite prepare failed: %s", sqlite3_errmsg(c->db));
		return NULL;
	}
	struct sq_stmt *s = xcalloc(1, sizeof *s);
	s->base.be = &db_sqlite_backend;
	s->base.conn = bc;
	s->base.key = sql;
	s->st = st;
	db__cache_add(&c->cache, &s->base);
	return &s->base;
}

#define ST(s)  (((struct sq_stmt *)(s))->st)
#define DBH(s) (((struct sq_conn *)((s)->conn))->db)

static int sq_bind_i64(struct db_stmt *s, int idx, int64_t v)
{
	return map_rc(DBH(s), sqlite3_bind_int64(ST(s), idx, v));
}

static int sq_bind_text(struct db_stmt *s, int idx, const char *v)
{
	return map_rc(DBH(s), sqlite3_bind_text(ST(s), idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_blob(struct db_stmt *s, int idx, const void *v, size_t n)
{
	return map_rc(DBH(s), sqlite3_bind_blob64(ST(s), idx, v, n, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *s, int idx)
{
	return map_rc(DBH(s), sqlite3_bind_null(ST(s), idx));
}

static int sq_step(struct db_stmt *s)
{
	return map_rc(DBH(s), sqlite3_step(ST(s)));
}

static int64_t sq_col_i64(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(ST(s), col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(ST(s), col);
}

static const void *sq_col_blob(struct db_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(ST(s), col);
	*len = (size_t)sqlite3_column_bytes(ST(s), col);
	return p;
}

static bool sq_col_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(ST(s), col) == SQLITE_NULL;
}

static void sq_finish(struct db_stmt *s)
{
	sqlite3_reset(ST(s));
	sqlite3_clear_bindings(ST(s));
}

static int64_t sq_changes(struct db_conn *bc)
{
	return sqlite3_changes64(((struct sq_conn *)bc)->db);
}

static int sq_backup(struct db_conn *bc, const char *out, char *errmsg, size_t errlen)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	sqlite3 *dst = NULL;
	int rc = -HEARTH_EIO;
	if (sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot create %s: %s", out, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
	if (!b) {
		snprintf(errmsg, errlen, "backup failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	int st;
	/* Copy in steps so writers are only paused briefly; restart on change. */
	do {
		st = sqlite3_backup_step(b, 256);
		if (st == SQLITE_BUSY || st == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (st == SQLITE_OK || st == SQLITE_BUSY || st == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (st != SQLITE_DONE) {
		snprintf(errmsg, errlen, "backup failed: %s", sqlite3_errstr(st));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(dst);
	return rc;
}

/* WAL frames (4 KiB pages) after which the upkeep thread rewinds the WAL. */
#define WAL_REWIND_FRAMES 4096
/* WAL frames before the upkeep thread checkpoints at all. */
#define WAL_CHECKPOINT_FRAMES 1000

static void sq_maintain(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	int log = 0, done = 0;
	/* Checkpoint only when the WAL has grown (an fsync on a quiet database
	 * would only slow the next commit down). */
	if (c->wl && atomic_load(&c->wl->wal_pages) < WAL_CHECKPOINT_FRAMES)
		return;
	/* PASSIVE never blocks readers or writers; it copies what it can. */
	(void)sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (log < WAL_REWIND_FRAMES || !c->writer)
		return;
	/* Under steady writes a passive checkpoint never reaches the end of the
	 * WAL, so it would grow without bound. Now and then, hold the writers
	 * (our in-process writer lock) and rewind it: a short pause for writes,
	 * none for reads. */
	pthread_mutex_lock(c->writer);
	(void)sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	pthread_mutex_unlock(c->writer);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	atomic_store(&((struct writer_lock *)arg)->wal_pages, pages);
	return SQLITE_OK;
}

static void sq_maintained(struct db_conn *bc)
{
	/* A request that commits must not pay for a checkpoint (copying pages
	 * and an fsync: milliseconds); the pool's upkeep thread does it. The
	 * hook (which replaces SQLite's automatic checkpoints) only notes how
	 * big the WAL has grown. */
	struct sq_conn *c = (struct sq_conn *)bc;
	if (c->wl)
		sqlite3_wal_hook(c->db, wal_hook, c->wl);
	else
		sqlite3_wal_autocheckpoint(c->db, 0);
}

static int sq_lock_migrations(struct db_conn *bc)
{
	(void)bc; /* BEGIN IMMEDIATE already holds the only write lock */
	return 0;
}

const struct db_backend db_sqlite_backend = {
    .name = "sqlite",
    .kind = DB_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec_script = sq_exec_script,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_null = sq_col_null,
    .finish = sq_finish,
    .changes = sq_changes,
    .backup = sq_backup,
    .lock_migrations = sq_lock_migrations,
    .maintain = sq_maintain,
    .maintained = sq_maintained,
};
