/*
 * The SQLite backend: WAL, foreign keys on, a busy timeout, one writer at a
 * time (BEGIN IMMEDIATE for write transactions), statements prepared once
 * per connection and cached by the address of their SQL text.
 *
 * Write transactions of every connection to one file in this process run
 * on one shared SQLite handle (struct writer_lock's w), taken with the
 * writer mutex: SQLite drops a handle's whole page cache (and unmaps its
 * mmap) whenever another handle has committed since its last transaction,
 * so with a handle per request every write would start cold and read its
 * pages again. The shared one is the last to have written, so its cache
 * stays warm. A connection switches to it in sq_begin(write) and back in
 * sq_commit/sq_rollback; statements prepared meanwhile belong to it.
 *
 * Group commit: on that handle, each write transaction is a savepoint in
 * a transaction shared with the writers queued behind it. One that ends
 * while others wait for the writer lock releases its savepoint, hands the
 * lock on and waits; the last of the group (nobody queued, or the group
 * is GROUP_MAX strong or GROUP_NS old) commits for all and wakes them.
 * So sq_commit returns only once the transaction is committed, at the
 * same synchronous level: an acknowledged write is as durable as before,
 * but a commit's cost (its WAL frames: the audit head, the tail of the
 * audit log and its indexes) is paid once per group, not per request. A
 * transaction that rolls back undoes only its savepoint. When the group's
 * commit fails, every member's sq_commit fails: none was acknowledged.
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
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

/* A write transaction whose savepoint is released into the open group,
 * waiting for the group's commit (on its stack). */
struct group_member {
	struct group_member *next;
	int rc;
	bool done;
};

/* At most this many transactions, and this old (from the group's BEGIN),
 * before a group commits even with writers queued. */
#define GROUP_MAX 32
#define GROUP_NS  (4 * 1000000ull)

/* One SQLite handle and its prepared statements. */
struct sq_handle {
	sqlite3 *db;
	struct db_stmt_cache cache;
};

/* Writers to one database file queue on a mutex of their own in this
 * process: SQLite's busy handler sleeps and polls, which under load turns
 * into long tail latencies; a mutex hands the write lock over at once. */
struct writer_lock {
	char *path;
	pthread_mutex_t mu;
	_Atomic int wal_pages; /* WAL size after the last commit (the WAL hook) */
	/* Under writer_locks_mu: */
	int refs; /* connections open on the file */
	/* Under mu: the write handle (opened at the first write transaction,
	 * closed with the last connection) and whether the pool's upkeep
	 * thread checkpoints instead of SQLite (sq_maintained). */
	struct sq_handle *w;
	bool hooked;
	/* Group commit (see the top): writers queued for mu, the open group
	 * on w, its released members and when it began. */
	_Atomic int queued;
	pthread_cond_t group_done;
	bool group_open;
	int nmembers;
	struct group_member *members;
	uint64_t group_began;
};
static struct writer_lock writer_locks[16];
static size_t nwriter_locks;
static pthread_mutex_t writer_locks_mu = PTHREAD_MUTEX_INITIALIZER;

/* The file's writer lock, counting one more connection on it. */
static struct writer_lock *writer_lock_for(const char *path)
{
	if (strcmp(path, ":memory:") == 0 || !*path)
		return NULL; /* every connection is its own database */
	char *real = realpath(path, NULL);
	const char *key = real ? real : path;
	struct writer_lock *wl = NULL;
	pthread_mutex_lock(&writer_locks_mu);
	for (size_t i = 0; i < nwriter_locks; i++)
		if (strcmp(writer_locks[i].path, key) == 0)
			wl = &writer_locks[i];
	if (!wl && nwriter_locks < sizeof writer_locks / sizeof writer_locks[0]) {
		wl = &writer_locks[nwriter_locks++];
		wl->path = xstrdup(key);
		pthread_mutex_init(&wl->mu, NULL);
		pthread_cond_init(&wl->group_done, NULL);
	}
	if (wl)
		wl->refs++;
	pthread_mutex_unlock(&writer_locks_mu);
	free(real);
	return wl;
}

struct sq_conn {
	struct db_conn base;
	/* The handle in use: own, or the file's write handle (wl->w) while
	 * this connection holds the writer lock in a write transaction. */
	struct sq_handle *h;
	struct sq_handle own;
	pthread_mutex_t *writer; /* shared by connections to the same file */
	struct writer_lock *wl;
	bool holds_writer;
	bool own_tx;   /* a transaction open on own */
	bool in_group; /* this transaction's savepoint is open in wl's group */
};

#define CDB(c) ((c)->h->db)

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

static void handle_close(struct sq_handle *h)
{
	for (size_t i = 0; i < h->cache.cap; i++) {
		struct sq_stmt *st = (struct sq_stmt *)h->cache.slots[i];
		if (st) {
			sqlite3_finalize(st->st);
			free(st);
		}
	}
	db__cache_release(&h->cache);
	sqlite3_close(h->db);
	h->db = NULL;
}

/* Opens and configures a handle on target; 0 or -HEARTH_EDB with errmsg. */
static int handle_open(struct sq_handle *h, const char *target, char *errmsg, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(
	    target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot open database %s: %s", target,
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -HEARTH_EDB;
	}
	sqlite3_busy_timeout(db, 10000);
	static const char *const pragmas = "PRAGMA journal_mode=WAL;"
	                                   "PRAGMA foreign_keys=ON;"
	                                   "PRAGMA synchronous=NORMAL;"
	                                   "PRAGMA secure_delete=ON;"
	                                   /* No mmap: SQLite unmaps a handle's whole
	                                    * mapping whenever another handle has
	                                    * committed since its last read (on
	                                    * every request under writes): a TLB
	                                    * shootdown across cores and a page
	                                    * fault per page read again, dearer
	                                    * than reading those pages with pread
	                                    * (bench/README.md). */
	                                   "PRAGMA mmap_size=0;"
	                                   /* Without mmap a read's pages live in
	                                    * the handle's own cache: room for what
	                                    * "sessions that fit me" reads at scale
	                                    * (the default 2 MiB made it read them
	                                    * again per request). Grows only as
	                                    * used. */
	                                   "PRAGMA cache_size=-32768;";
	char *em = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &em) != SQLITE_OK) {
		snprintf(errmsg, errlen, "cannot configure database %s: %s", target, em ? em : "?");
		sqlite3_free(em);
		sqlite3_close(db);
		return -HEARTH_EDB;
	}
	h->db = db;
	db__cache_init(&h->cache);
	return 0;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages);

static struct db_conn *sq_open(const char *target, char *errmsg, size_t errlen)
{
	struct sq_conn *c = xcalloc(1, sizeof *c);
	if (handle_open(&c->own, target, errmsg, errlen) != 0) {
		free(c);
		return NULL;
	}
	c->base.be = &db_sqlite_backend;
	c->h = &c->own;
	c->wl = writer_lock_for(target);
	c->writer = c->wl ? &c->wl->mu : NULL;
	return &c->base;
}

static void sq_close(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	handle_close(&c->own);
	if (c->wl) {
		/* The last connection on the file closes its write handle, so
		 * that nothing keeps the file open (a restore replaces it). */
		pthread_mutex_lock(&writer_locks_mu);
		struct sq_handle *w = --c->wl->refs == 0 ? c->wl->w : NULL;
		if (w) {
			c->wl->w = NULL;
			c->wl->hooked = false;
		}
		pthread_mutex_unlock(&writer_locks_mu);
		if (w) {
			handle_close(w);
			free(w);
		}
	}
	free(c);
}

static int simple(struct sq_conn *c, const char *sql)
{
	char *em = NULL;
	int rc = sqlite3_exec(CDB(c), sql, NULL, NULL, &em);
	if (rc != SQLITE_OK) {
		int mapped = map_rc(CDB(c), rc);
		sqlite3_free(em);
		return mapped < 0 ? mapped : -HEARTH_EDB;
	}
	return 0;
}

static void release_writer(struct sq_conn *c)
{
	c->h = &c->own;
	if (c->holds_writer) {
		c->holds_writer = false;
		pthread_mutex_unlock(c->writer);
	}
}

/* The file's write handle, opened at the first write; NULL when it cannot
 * be opened (the connection then writes on its own handle). Called with
 * the writer lock held. */
static struct sq_handle *write_handle(struct sq_conn *c)
{
	struct writer_lock *wl = c->wl;
	if (wl->w)
		return wl->w;
	char msg[256];
	struct sq_handle *w = xcalloc(1, sizeof *w);
	if (handle_open(w, sqlite3_db_filename(c->own.db, "main"), msg, sizeof msg) != 0) {
		log_msg(LOG_WARN, "sqlite: no shared write handle (%s); writing on each connection",
		        msg);
		free(w);
		return NULL;
	}
	if (wl->hooked)
		sqlite3_wal_hook(w->db, wal_hook, wl);
	wl->w = w;
	return w;
}

/* Ends the open group: its outcome to every member, who are woken. With
 * the writer lock held. */
static void group_end(struct writer_lock *wl, int rc)
{
	for (struct group_member *m = wl->members; m; m = m->next) {
		m->rc = rc;
		m->done = true;
	}
	wl->members = NULL;
	wl->nmembers = 0;
	wl->group_open = false;
	pthread_cond_broadcast(&wl->group_done);
}

/* After a member's savepoint ended (released or rolled back): commits the
 * group unless more writers are queued to join it. With the writer lock
 * held and c on the write handle. */
static void group_settle(struct sq_conn *c)
{
	struct writer_lock *wl = c->wl;
	if (!wl->group_open)
		return;
	if (atomic_load(&wl->queued) > 0 && wl->nmembers < GROUP_MAX &&
	    util_mono_ns() - wl->group_began < GROUP_NS)
		return;
	int rc = 0;
	if (wl->nmembers == 0 || (rc = simple(c, "COMMIT")) != 0) {
		/* Nothing to keep, or a commit that failed: nothing of the
		 * group stays. */
		if (!sqlite3_get_autocommit(CDB(c)))
			(void)simple(c, "ROLLBACK");
	}
	group_end(wl, rc);
}

static int sq_begin(struct db_conn *bc, bool write)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	struct sq_handle *w = NULL;
	int rc;
	if (write && c->writer) {
		atomic_fetch_add(&c->wl->queued, 1);
		pthread_mutex_lock(c->writer);
		atomic_fetch_sub(&c->wl->queued, 1);
		c->holds_writer = true;
		w = write_handle(c);
	}
	if (!w) {
		/* A read, an in-memory database, or no write handle: a
		 * transaction of its own on the connection's handle. */
		if ((rc = simple(c, write ? "BEGIN IMMEDIATE" : "BEGIN")) != 0) {
			release_writer(c);
			return rc;
		}
		c->own_tx = true;
		return 0;
	}
	c->h = w;
	struct writer_lock *wl = c->wl;
	/* A group whose transaction SQLite rolled back by itself (an I/O
	 * error, a full disk) ends failed: its members' work is gone. */
	if (wl->group_open && sqlite3_get_autocommit(w->db))
		group_end(wl, -HEARTH_EDB);
	if (!wl->group_open) {
		if ((rc = simple(c, "BEGIN IMMEDIATE")) != 0) {
			release_writer(c);
			return rc;
		}
		wl->group_open = true;
		wl->group_began = util_mono_ns();
	}
	if ((rc = simple(c, "SAVEPOINT hearth_tx")) != 0) {
		group_settle(c);
		release_writer(c);
		return rc;
	}
	c->in_group = true;
	return 0;
}

static int sq_commit(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	int rc;
	if (!c->in_group) {
		if ((rc = simple(c, "COMMIT")) == 0) {
			c->own_tx = false;
			release_writer(c);
		}
		return rc;
	}
	/* A failed release leaves the savepoint open: the caller rolls back. */
	if ((rc = simple(c, "RELEASE hearth_tx")) != 0)
		return rc;
	c->in_group = false;
	struct writer_lock *wl = c->wl;
	struct group_member me = {.next = wl->members};
	wl->members = &me;
	wl->nmembers++;
	group_settle(c);
	/* Not done: the lock goes to the writers queued, one of whom commits. */
	while (!me.done)
		pthread_cond_wait(&wl->group_done, c->writer);
	release_writer(c);
	/* A failed group commit rolled everything back: there is nothing left
	 * for the caller's rollback to undo. */
	return me.rc;
}

static void sq_rollback(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	if (c->in_group) {
		/* Undoes this transaction only; the group goes on. */
		(void)simple(c, "ROLLBACK TO hearth_tx");
		(void)simple(c, "RELEASE hearth_tx");
		c->in_group = false;
		group_settle(c);
	} else if (c->own_tx) {
		(void)simple(c, "ROLLBACK");
	}
	c->own_tx = false;
	release_writer(c);
}

static int sq_exec_script(struct db_conn *bc, const char *sql, char *errmsg, size_t errlen)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	char *em = NULL;
	if (sqlite3_exec(CDB(c), sql, NULL, NULL, &em) != SQLITE_OK) {
		snprintf(errmsg, errlen, "%s", em ? em : sqlite3_errmsg(CDB(c)));
		sqlite3_free(em);
		return -HEARTH_EDB;
	}
	return 0;
}

static struct db_stmt *sq_prepare(struct db_conn *bc, const char *sql)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	struct db_stmt *found = db__cache_find(&c->h->cache, sql);
	if (found) {
		/* The write handle's statements serve whichever connection
		 * holds the writer lock now. */
		found->conn = bc;
		return found;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(CDB(c), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		log_msg(LOG_ERROR, "sqlite prepare failed: %s", sqlite3_errmsg(CDB(c)));
		return NULL;
	}
	struct sq_stmt *s = xcalloc(1, sizeof *s);
	s->base.be = &db_sqlite_backend;
	s->base.conn = bc;
	s->base.key = sql;
	s->st = st;
	db__cache_add(&c->h->cache, &s->base);
	return &s->base;
}

#define ST(s)  (((struct sq_stmt *)(s))->st)
#define DBH(s) sqlite3_db_handle(ST(s))

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
	/* A statement belongs to the handle it was prepared on: one prepared
	 * before its write transaction began (or kept after it ended) would
	 * run outside it. Prepare statements inside their transaction. */
	if (DBH(s) != CDB((struct sq_conn *)s->conn)) {
		log_msg(LOG_ERROR,
		        "sqlite: a statement was prepared outside the transaction it "
		        "runs in (%.60s)",
		        s->key);
		return -HEARTH_EDB;
	}
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
	return sqlite3_changes64(CDB((struct sq_conn *)bc));
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
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", CDB(c), "main");
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
	(void)sqlite3_wal_checkpoint_v2(CDB(c), NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (log < WAL_REWIND_FRAMES || !c->writer)
		return;
	/* Under steady writes a passive checkpoint never reaches the end of the
	 * WAL, so it would grow without bound. Now and then, hold the writers
	 * (our in-process writer lock) and rewind it: a short pause for writes,
	 * none for reads. */
	pthread_mutex_lock(c->writer);
	/* Not while a group's transaction is open (its members are waiting
	 * for the lock to commit it): next time. */
	if (!c->wl->group_open)
		(void)sqlite3_wal_checkpoint_v2(CDB(c), NULL, SQLITE_CHECKPOINT_TRUNCATE, &log,
		                                &done);
	pthread_mutex_unlock(c->writer);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	atomic_store(&((struct writer_lock *)arg)->wal_pages, pages);
	return SQLITE_OK;
}

static void sq_trim(struct db_conn *bc)
{
	struct sq_conn *c = (struct sq_conn *)bc;
	sqlite3_db_release_memory(c->own.db);
}

static void sq_maintained(struct db_conn *bc)
{
	/* A request that commits must not pay for a checkpoint (copying pages
	 * and an fsync: milliseconds); the pool's upkeep thread does it. The
	 * hook (which replaces SQLite's automatic checkpoints) only notes how
	 * big the WAL has grown. */
	struct sq_conn *c = (struct sq_conn *)bc;
	if (c->wl) {
		sqlite3_wal_hook(c->own.db, wal_hook, c->wl);
		pthread_mutex_lock(c->writer);
		c->wl->hooked = true;
		if (c->wl->w)
			sqlite3_wal_hook(c->wl->w->db, wal_hook, c->wl);
		pthread_mutex_unlock(c->writer);
	} else {
		sqlite3_wal_autocheckpoint(c->own.db, 0);
	}
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
    .trim = sq_trim,
};
