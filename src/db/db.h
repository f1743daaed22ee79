/*
 * The storage interface every module speaks. Backends (SQLite today,
 * PostgreSQL next) sit behind a small table of function pointers, after
 * lwan's sample; modules never test which backend they run on.
 *
 * SQL uses '?' placeholders only; a backend rewrites them if its dialect
 * needs to. A parameter that may be NULL must also appear where its type
 * is clear (PostgreSQL cannot type "? IS NULL" alone): write
 * "COALESCE(?1, '') = '' OR col = ?1" rather than "?1 IS NULL OR ...". Prepared statements are
 * cached per connection keyed by the SQL string's address, so modules keep their SQL in static
 * catalogues.
 *
 * Threading: a pool hands one connection to one thread at a time.
 */
#ifndef HEARTH_DB_H
#define HEARTH_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum db_kind { DB_SQLITE, DB_POSTGRES };

/* Put after the SELECT of rows a worker claims (the outbox's sender): on
 * PostgreSQL it becomes FOR UPDATE SKIP LOCKED, so that nodes claiming at
 * once never take the same row and never wait for each other; SQLite reads
 * it as a comment (its write transaction already excludes every other). */
#define DB_SKIP_LOCKED "/*skip-locked*/"


enum { DB_DONE = 0, DB_ROW = 1 };

struct db_pool;
struct db_conn;
struct db_stmt;

/* Opens a pool of size connections to url: a file path, "sqlite:PATH" or
 * "postgres://..." / "postgresql://..." (any libpq connection URI). The database file is created if
 * missing. Returns NULL and sets *err (negative hearth_err) and a message in errmsg on failure. */
struct db_pool *db_pool_open(const char *url, int size, int *err, char *errmsg, size_t errlen);
/* Closes every connection. All connections must have been released. */
void db_pool_close(struct db_pool *p);
enum db_kind db_pool_kind(const struct db_pool *p);
/* "sqlite" or "postgres". */
const char *db_pool_kind_name(const struct db_pool *p);

/* Connection settings for every pool opened after the call: `hearth serve`
 * sets them once at start, before any pool or thread exists. Only the
 * PostgreSQL backend uses them (SQLite is a local file). 0 turns a timeout
 * off. */
struct db_options {
	int connect_timeout_s;   /* libpq connect_timeout; default 5 */
	int statement_timeout_s; /* server-side statement_timeout; default 30 */
	/* TCP keepalives on idle connections: first probe after idle_s, then
	 * every interval_s, the connection is dead after count unanswered. */
	int keepalive_idle_s, keepalive_interval_s, keepalive_count; /* 10, 5, 3 */
};
/* Copies o; later pools use it. */
void db_set_options(const struct db_options *o);
/* The settings in force (the defaults until db_set_options). */
const struct db_options *db_get_options(void);
/* How many connections `hearth serve` opens when --db-pool is not given:
 * sized apart from the worker threads (most of which may be holding open
 * event streams, which take a connection only for a moment): at most
 * DB_POOL_DEFAULT_SQLITE on SQLite (each keeps a page cache) and
 * DB_POOL_DEFAULT_PG on PostgreSQL, so that two nodes fit in a stock
 * server's max_connections (100, 3 of them reserved); never more than the
 * threads. */
#define DB_POOL_DEFAULT_PG     20
#define DB_POOL_DEFAULT_SQLITE 32
int db_pool_default_size(const char *url, int threads);

/* Borrows a connection, waiting if all are in use. Never NULL. */
struct db_conn *db_acquire(struct db_pool *p);
/* Like db_acquire, but waits at most timeout_ms (<= 0: for ever). Returns 0
 * with *out set, or -HEARTH_EBUSY when no connection came free in time. */
int db_acquire_wait(struct db_pool *p, int timeout_ms, struct db_conn **out);
/* Checks that the database answers, on a connection of its own (opened on
 * first use, so it never waits for a busy pool): a small query that must
 * answer within timeout_ms. The result is kept for one second, so a load
 * balancer polling every node often costs the database one query a second
 * per node. Returns 0, -HEARTH_EUNAVAILABLE (cannot connect, connection
 * lost, no answer in time) or another negative hearth_err. */
int db_pool_ping(struct db_pool *p, int timeout_ms);
/* Returns a connection; rolls back a transaction left open by mistake. */
void db_release(struct db_pool *p, struct db_conn *c);

/* Starts a transaction. write=true takes the write lock up front (SQLite
 * BEGIN IMMEDIATE) so that read-modify-write cannot deadlock. */
int db_begin(struct db_conn *c, bool write);
int db_commit(struct db_conn *c);
void db_rollback(struct db_conn *c);
bool db_in_transaction(const struct db_conn *c);

/* Runs a script of several statements without parameters (migrations). */
int db_exec_script(struct db_conn *c, const char *sql, char *errmsg, size_t errlen);

/* Returns the cached prepared statement for sql, or NULL on error (logged).
 * The statement stays owned by the connection; call db_finish() when done. */
struct db_stmt *db_prepare(struct db_conn *c, const char *sql);
/* Parameters are numbered from 1. Text and blobs are copied. */
int db_bind_i64(struct db_stmt *s, int idx, int64_t v);
int db_bind_text(struct db_stmt *s, int idx, const char *v); /* NULL binds NULL */
int db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t n);
int db_bind_null(struct db_stmt *s, int idx);
/* An optional reference: binds v, or NULL when v is 0 (no such row). */
int db_bind_id(struct db_stmt *s, int idx, int64_t v);
/* Returns DB_ROW, DB_DONE, -HEARTH_ECONFLICT on a uniqueness or foreign-key
 * violation, -HEARTH_EBUSY on lock or statement timeout,
 * -HEARTH_EUNAVAILABLE when the database cannot be reached (connection
 * lost or refused, server shutting down, no answer in time), or
 * -HEARTH_EDB. */
int db_step(struct db_stmt *s);
/* For loops over rows, so that a failed statement is never taken for the
 * end of the rows (an empty or short list answered as if whole):
 *     int rc;
 *     while (db_next(s, &rc)) { ... }
 *     db_finish(s);
 *     if (rc) ... the error ...
 * True while s has a row; afterwards *rc is 0 at the end of the rows, or
 * the step's negative hearth_err. */
bool db_next(struct db_stmt *s, int *rc);
/* Columns are numbered from 0; pointers live until the next step/finish. */
int64_t db_col_i64(struct db_stmt *s, int col);
const char *db_col_text(struct db_stmt *s, int col); /* NULL for SQL NULL */
const void *db_col_blob(struct db_stmt *s, int col, size_t *len);
bool db_col_null(struct db_stmt *s, int col);
/* Resets the statement for reuse and clears its bindings. */
void db_finish(struct db_stmt *s);
/* Rows changed by the last completed statement on c. */
int64_t db_changes(struct db_conn *c);

/* Runs a statement expected to change rows or return nothing; finishes it. */
int db_run(struct db_stmt *s);
/* Like db_run, for a statement that must change exactly one row:
 * -HEARTH_ENOTFOUND when it changed none. */
int db_run_one(struct db_stmt *s);
/* Runs an INSERT ... RETURNING id, stores the id and finishes it. */
int db_insert_id(struct db_stmt *s, int64_t *id);

/* Notifications (notify.c): a commit wakes whoever waits for it, on every
 * node. Only a channel's name travels (PostgreSQL NOTIFY without a
 * payload); what changed stays in the tables, where the woken reader looks.
 * A rolled-back transaction notifies nobody. */
enum db_channel {
	DB_CH_OUTBOX = 1u << 0, /* messages to send (src/messages/sender.c) */
	DB_CH_EVENTS = 1u << 1, /* events for streams (src/messages/events.c) */
	DB_CH__ALL = (1u << 2) - 1,
};
/* Inside a transaction on c: when it commits, every db_wait_notify() for
 * one of channels wakes, in this process and (PostgreSQL) on every node. */
void db_notify(struct db_conn *c, unsigned channels);
/* Starts hearing other nodes' notifications (PostgreSQL: LISTEN on a
 * connection of its own, made again when lost; nothing to do on SQLite,
 * whose writers are this process). Returns 0 or a negative hearth_err. */
int db_listen_start(struct db_pool *p);
void db_listen_stop(void);
/* The notification counters, one per channel bit, for db_wait_notify. */
struct db_notify_seen {
	uint64_t gen[2];
};
/* Takes the current counters into *seen, so that a later wait returns at
 * once for anything committed after this call. */
void db_notify_snapshot(struct db_notify_seen *seen);
/* Waits until a channel of mask was notified since *seen, or timeout_ms
 * passed. Returns the channels notified (0 on timeout) and moves *seen on.
 * A lost PostgreSQL listener counts as a notification of every channel
 * once it is back (something may have been missed meanwhile). */
unsigned db_wait_notify(unsigned mask, struct db_notify_seen *seen, int timeout_ms);

/* Copies the database to out consistently while it is in use (SQLite online
 * backup). Returns 0 or a negative hearth_err. */
int db_backup(struct db_pool *p, const char *out, char *errmsg, size_t errlen);

/* restore.c (`hearth restore`, SQLite files only). db_restore_stage copies
 * the file from, byte for byte, into the new file to (mode 0600; refused if
 * it exists), so that the backup itself is never opened or changed.
 * Returns 0 or a negative hearth_err with errmsg. */
int db_restore_stage(const char *from, const char *to, char *errmsg, size_t errlen);
/* Opens the file at path read-only and checks that it is a whole Hearth
 * database: the core tables are there, SQLite's integrity_check and
 * foreign_key_check pass, and its schema version is from 1 to max_version
 * (a higher one was made by a newer release). Returns the schema version,
 * or a negative hearth_err with the reason in errmsg, which calls the file
 * name. */
int db_restore_check(const char *path, const char *name, int max_version, char *errmsg,
                     size_t errlen);
/* Replaces the database file to (created if missing) with a copy of the
 * database file from, under an exclusive lock on to. Returns 0,
 * -HEARTH_EBUSY without touching to when anyone else has it open (a
 * running server), or another negative hearth_err; errmsg says why. */
int db_restore_copy(const char *from, const char *to, char *errmsg, size_t errlen);
/* The highest migration version embedded in this binary. */
int db_migrations_latest(void);

/* Total nanoseconds spent inside the database since start (for /metrics). */
uint64_t db_time_ns(void);

/* Migrations (migrate.c): applies every embedded migration not yet applied,
 * each in its own transaction. Returns the number applied or a negative
 * hearth_err; prints progress to log. */
int db_migrate(struct db_pool *p, char *errmsg, size_t errlen);
/* Highest applied migration version, 0 if none, negative on error. */
int db_schema_version(struct db_pool *p);

/* copy.c: copies the SQLite database at from (a path or sqlite:PATH) into
 * the empty PostgreSQL database at to (migrated first), then verifies every
 * table by row count and checksum, printing progress to out. Returns 0 or a
 * negative hearth_err with err filled. */
int db_copy(const char *from, const char *to, FILE *out, char *err, size_t errlen);

/* Backend vtable (internal to src/db). */
struct db_backend {
	const char *name;
	enum db_kind kind;
	struct db_conn *(*open)(const char *target, char *errmsg, size_t errlen);
	void (*close)(struct db_conn *c);
	int (*begin)(struct db_conn *c, bool write);
	int (*commit)(struct db_conn *c);
	void (*rollback)(struct db_conn *c);
	int (*exec_script)(struct db_conn *c, const char *sql, char *errmsg, size_t errlen);
	struct db_stmt *(*prepare)(struct db_conn *c, const char *sql);
	int (*bind_i64)(struct db_stmt *s, int idx, int64_t v);
	int (*bind_text)(struct db_stmt *s, int idx, const char *v);
	int (*bind_blob)(struct db_stmt *s, int idx, const void *v, size_t n);
	int (*bind_null)(struct db_stmt *s, int idx);
	int (*step)(struct db_stmt *s);
	int64_t (*col_i64)(struct db_stmt *s, int col);
	const char *(*col_text)(struct db_stmt *s, int col);
	const void *(*col_blob)(struct db_stmt *s, int col, size_t *len);
	bool (*col_null)(struct db_stmt *s, int col);
	void (*finish)(struct db_stmt *s);
	int64_t (*changes)(struct db_conn *c);
	int (*backup)(struct db_conn *c, const char *out, char *errmsg, size_t errlen);
	/* Inside a write transaction: serialise migrations across processes. */
	int (*lock_migrations)(struct db_conn *c);
	/* Optional background upkeep run by the pool every ~250 ms on a
	 * connection of its own (SQLite: WAL checkpoints off the request path). */
	void (*maintain)(struct db_conn *c);
	/* Called on each pool connection once the upkeep thread runs (SQLite:
	 * commits stop checkpointing themselves; the thread does it). */
	void (*maintained)(struct db_conn *c);
	/* Optional: gives up on any answer after timeout_ms on this connection
	 * (PostgreSQL: the health check's own connection). */
	void (*set_timeout)(struct db_conn *c, int timeout_ms);
	/* Optional: gives back the memory an idle connection's caches hold
	 * (SQLite: its page cache, which otherwise only grows). */
	void (*trim)(struct db_conn *c);
	/* Optional (PostgreSQL): sends NOTIFY for each channel inside the
	 * open transaction; listen() subscribes a connection of its own, and
	 * wait_notify() waits up to timeout_ms on it, returning the channels
	 * heard (0 on timeout) or a negative hearth_err when it is lost. */
	int (*notify)(struct db_conn *c, unsigned channels);
	int (*listen)(struct db_conn *c);
	int (*wait_notify)(struct db_conn *c, int timeout_ms);
};

/* Every backend's connection and statement begin with these headers. */
struct db_conn {
	const struct db_backend *be;
	bool in_tx;
	bool fault_armed; /* tests only: this transaction stepped the commit fault's SQL */
	unsigned notify;  /* db_notify channels to wake when this transaction commits */
};
/* notify.c: called by db_commit once a transaction committed. */
void db__notify_local(unsigned channels);
/* A connection of the pool's database outside the pool (closed with
 * c->be->close), or NULL with errmsg. */
struct db_conn *db__pool_open_own(struct db_pool *p, char *errmsg, size_t errlen);
const struct db_backend *db__pool_backend(const struct db_pool *p);
struct db_stmt {
	const struct db_backend *be;
	struct db_conn *conn;
	const char *key; /* the module's SQL text: the cache key */
};

/* A connection's prepared statements, found by the address of their SQL
 * (stmt_cache.c; shared by the backends). */
struct db_stmt_cache {
	struct db_stmt **slots; /* open addressing; NULL = empty */
	size_t cap, count;
};
void db__cache_init(struct db_stmt_cache *c);
struct db_stmt *db__cache_find(const struct db_stmt_cache *c, const char *sql);
/* Adds s (s->key set); the cache does not own s. */
void db__cache_add(struct db_stmt_cache *c, struct db_stmt *s);
/* Frees the table only; the backend frees the statements in slots first. */
void db__cache_release(struct db_stmt_cache *c);

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_postgres_backend;

#endif
