/*
 * The PostgreSQL backend (libpq). Behind the same db.h interface as SQLite:
 *
 * - '?' and '?N' placeholders become $N (outside string literals);
 * - statements are prepared once per connection, lazily at their first
 *   step, with parameter types taken from that first binding (int64 ->
 *   int8, text -> text, blob -> bytea, NULL -> inferred by the server), so
 *   "? = 0" style SQL is typed as the module meant it;
 * - values travel as text, blobs in binary; results come back as text and
 *   bytea is decoded from its hex form;
 * - the schema dialect (AUTOINCREMENT, INTEGER, BLOB) is translated when a
 *   migration script runs;
 * - transactions run at READ COMMITTED: modules use row locks or
 *   conditional updates for read-modify-write (see docs/deploy.md);
 * - a partition fails fast (db_options in db.h): connections are made with
 *   connect_timeout and TCP keepalives, each session has a
 *   statement_timeout, and every round trip waits at most the statement
 *   timeout plus the connect timeout for its answer (a frozen or
 *   unreachable server never answers, and never enforces its own
 *   timeout); then the connection is dropped and made again on next use. A
 *   lost, refused or timed-out connection is -HEARTH_EUNAVAILABLE (503).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

#define MAX_PARAMS 32
#define OID_INT8   20
#define OID_TEXT   25
#define OID_BYTEA  17

struct pg_stmt {
	struct db_stmt base;
	char *sql; /* base.key rewritten with $N */
	char name[24];
	bool prepared;
	int nparams;
	/* bindings for the next execution */
	char *values[MAX_PARAMS];
	int lengths[MAX_PARAMS];
	int formats[MAX_PARAMS];
	unsigned types[MAX_PARAMS];
	char numbuf[MAX_PARAMS][24];
	/* the current result */
	PGresult *res;
	int row, nrows;
	unsigned char *blob; /* decoded bytea of the last col_blob call */
};

struct pg_conn {
	struct db_conn base;
	PGconn *pg;
	struct db_stmt_cache cache;
	unsigned next_name;
	int64_t changes;
	int timeout_ms; /* longest wait for an answer; 0 = no limit */
	bool lost;      /* no answer in time: the connection must be made again */
};

/* A connection that must be made again before its next use. */
static bool conn_bad(const struct pg_conn *c)
{
	return c->lost || PQstatus(c->pg) != CONNECTION_OK;
}

static int map_state(const PGresult *res, struct pg_conn *c)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state) {
		if (strncmp(state, "23", 2) == 0)
			return -HEARTH_ECONFLICT; /* integrity constraint violation */
		if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
			return -HEARTH_EBUSY;
	}
	/* Class 08 (connection exception) and 57P01-57P03 (the server shuts
	 * down or does not take connections now), or a connection that broke
	 * or timed out: the database is unreachable, not wrong. */
	if ((state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	               strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)) ||
	    conn_bad(c)) {
		log_msg(LOG_WARN, "postgres: unavailable: %s",
		        c->lost ? "no answer in time"
		                : (res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg)));
		return -HEARTH_EUNAVAILABLE;
	}
	log_msg(LOG_ERROR, "postgres: %s", res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
	return -HEARTH_EDB;
}

/* Waits for the answer to what PQsend*() sent, at most c->timeout_ms.
 * Returns the last result, or the first error; NULL when sending failed or
 * no answer came in time (then c->lost is set: the server may still be
 * working on it, so the connection cannot be used again). The caller
 * clears the result. */
static PGresult *await_result(struct pg_conn *c, bool sent)
{
	if (!sent)
		return NULL;
	uint64_t deadline =
	    c->timeout_ms > 0 ? util_mono_ns() + (uint64_t)c->timeout_ms * 1000000ULL : 0;
	PGresult *keep = NULL;
	for (;;) {
		while (PQisBusy(c->pg)) {
			int wait_ms = -1;
			if (deadline) {
				uint64_t now = util_mono_ns();
				if (now >= deadline)
					goto timeout;
				wait_ms = (int)((deadline - now) / 1000000ULL) + 1;
			}
			struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
			int n = poll(&pfd, 1, wait_ms);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				continue; /* the deadline is checked above */
			if (n < 0 || !PQconsumeInput(c->pg))
				break; /* PQgetResult reports the broken connection */
		}
		PGresult *r = PQgetResult(c->pg);
		if (!r)
			break;
		if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(keep);
			keep = r;
		}
		if (conn_bad(c))
			break;
	}
	return keep;
timeout:
	PQclear(keep);
	c->lost = true;
	return NULL;
}

/* PQexec with the connection's deadline. */
static PGresult *exec_timed(struct pg_conn *c, const char *sql)
{
	return await_result(c, PQsendQuery(c->pg, sql) == 1);
}

/* Session settings for a new connection: UTC, quiet notices, and the lock
 * and statement timeouts (a lock held too long, or a statement running too
 * long, answers "busy" (503) rather than hanging). */
static void setup_session(struct pg_conn *c)
{
	PGresult *r = exec_timed(c, "SET client_min_messages = warning; SET TIME ZONE 'UTC';"
	                            " SET lock_timeout = '10s'");
	PQclear(r);
	char ms[24];
	snprintf(ms, sizeof ms, "%lld", (long long)db_get_options()->statement_timeout_s * 1000);
	const char *values[1] = {ms};
	r = await_result(c, PQsendQueryParams(c->pg,
	                                      "SELECT set_config('statement_timeout', $1, false)",
	                                      1, NULL, values, NULL, NULL, 0) == 1);
	PQclear(r);
}

/* The longest wait for any answer: the statement timeout (the server's
 * own limit) plus the connect timeout (the network's share). */
static int default_timeout_ms(void)
{
	const struct db_options *o = db_get_options();
	if (o->statement_timeout_s <= 0)
		return 0;
	return (o->statement_timeout_s + (o->connect_timeout_s > 0 ? o->connect_timeout_s : 0)) *
	       1000;
}

/* Rewrites '?' and '?N' to '$N', leaving string literals alone. Returns a
 * heap string and the number of parameters. */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
	struct buf b = BUF_INIT;
	int next = 0, max = 0;
	bool in_str = false;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'') {
			in_str = !in_str;
			buf_append(&b, p, 1);
		} else if (!in_str && strncmp(p, DB_SKIP_LOCKED, strlen(DB_SKIP_LOCKED)) == 0) {
			/* Row claims (db.h): SQLite takes the whole write lock anyway. */
			buf_puts(&b, "FOR UPDATE SKIP LOCKED");
			p += strlen(DB_SKIP_LOCKED) - 1;
		} else if (*p == '?' && !in_str) {
			int n;
			if (isdigit((unsigned char)p[1])) {
				n = 0;
				while (isdigit((unsigned char)p[1]))
					n = n * 10 + (*++p - '0');
			} else {
				n = ++next;
			}
			if (n > max)
				max = n;
			buf_printf(&b, "$%d", n);
		} else {
			buf_append(&b, p, 1);
		}
	}
	*nparams = max;
	return buf_detach(&b, NULL);
}

/* Translates SQLite-flavoured DDL to PostgreSQL. Keywords are matched as
 * whole words, outside string literals and comments. */
static char *translate_ddl(const char *sql)
{
	static const struct {
		const char *from, *to;
	} words[] = {
	    {"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
	    {"INTEGER", "BIGINT"},
	    {"BLOB", "BYTEA"},
	};
	struct buf b = BUF_INIT;
	bool in_str = false;
	const char *p = sql;
	while (*p) {
		if (*p == '\'') {
			in_str = !in_str;
		} else if (!in_str && p[0] == '-' && p[1] == '-') {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			buf_append(&b, p, n);
			p += n;
			continue;
		} else if (!in_str &&
		           (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			size_t i;
			for (i = 0; i < sizeof words / sizeof words[0]; i++) {
				size_t n = strlen(words[i].from);
				if (strncmp(p, words[i].from, n) == 0 &&
				    !(isalnum((unsigned char)p[n]) || p[n] == '_')) {
					buf_puts(&b, words[i].to);
					p += n;
					break;
				}
			}
			if (i < sizeof words / sizeof words[0])
				continue;
		}
		buf_append(&b, p, 1);
		p++;
	}
	return buf_detach(&b, NULL);
}

static struct db_conn *pg_open(const char *target, char *errmsg, size_t errlen)
{
	/* The options go first: a value the URI sets itself (for example
	 * ?connect_timeout=2) wins over --db-connect-timeout. */
	const struct db_options *o = db_get_options();
	char ct[16], ki[16], kv[16], kc[16];
	snprintf(ct, sizeof ct, "%d", o->connect_timeout_s);
	snprintf(ki, sizeof ki, "%d", o->keepalive_idle_s);
	snprintf(kv, sizeof kv, "%d", o->keepalive_interval_s);
	snprintf(kc, sizeof kc, "%d", o->keepalive_count);
	const char *const keys[] = {"connect_timeout",
	                            "keepalives",
	                            "keepalives_idle",
	                            "keepalives_interval",
	                            "keepalives_count",
	                            "dbname",
	                            NULL};
	const char *const values[] = {ct, "1", ki, kv, kc, target, NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		snprintf(errmsg, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	struct pg_conn *c = xcalloc(1, sizeof *c);
	c->base.be = &db_postgres_backend;
	c->pg = pg;
	c->timeout_ms = default_timeout_ms();
	db__cache_init(&c->cache);
	setup_session(c);
	if (conn_bad(c)) {
		snprintf(errmsg, errlen, "cannot connect to PostgreSQL: %s",
		         c->lost ? "no answer in time" : PQerrorMessage(pg));
		PQfinish(pg);
		db__cache_release(&c->cache);
		free(c);
		return NULL;
	}
	return &c->base;
}

static void pg_set_timeout(struct db_conn *bc, int timeout_ms)
{
	((struct pg_conn *)bc)->timeout_ms = timeout_ms;
}

static void clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	PQfreemem(s->blob);
	s->blob = NULL;
}

static void clear_binds(struct pg_stmt *s)
{
	for (int i = 0; i < MAX_PARAMS; i++) {
		if (s->values[i] && s->values[i] != s->numbuf[i])
			free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
		s->types[i] = 0;
	}
}

static void pg_close(struct db_conn *bc)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	for (size_t i = 0; i < c->cache.cap; i++) {
		struct pg_stmt *s = (struct pg_stmt *)c->cache.slots[i];
		if (!s)
			continue;
		clear_result(s);
		clear_binds(s);
		free(s->sql);
		free(s);
	}
	db__cache_release(&c->cache);
	PQfinish(c->pg);
	free(c);
}

/* Reconnects a broken connection. Prepared statements belong to the old
 * server session, so every cached statement is prepared again on next use. */
static void reconnect(struct pg_conn *c)
{
	PQreset(c->pg); /* closes the socket: a timed-out query is abandoned */
	c->lost = false;
	for (size_t i = 0; i < c->cache.cap; i++)
		if (c->cache.slots[i])
			((struct pg_stmt *)c->cache.slots[i])->prepared = false;
	if (PQstatus(c->pg) == CONNECTION_OK) {
		setup_session(c);
		if (!c->lost)
			log_msg(LOG_WARN, "postgres: reconnected");
	}
}

/* Runs a command without parameters; a broken connection is reset once
 * (not one that timed out: the server is there but does not answer, and
 * would not answer the second time either). */
static int simple(struct pg_conn *c, const char *sql)
{
	if (conn_bad(c)) {
		/* Inside a transaction the server already rolled it back: a COMMIT
		 * on a new session would "succeed" with nothing saved. */
		if (c->base.in_tx)
			return map_state(NULL, c);
		reconnect(c);
	}
	PGresult *r = exec_timed(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && !c->lost &&
	    PQstatus(c->pg) != CONNECTION_OK && !c->base.in_tx) {
		/* The server went away since the last use (a restart, a fail-over):
		 * nothing of a transaction is lost yet, so reconnect and retry. */
		PQclear(r);
		reconnect(c);
		r = exec_timed(c, sql);
		st = PQresultStatus(r);
	}
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = map_state(r, c);
	PQclear(r);
	return rc;
}

static int pg_begin(struct db_conn *bc, bool write)
{
	/* Writers run at READ COMMITTED and take row locks where it matters;
	 * readers get one snapshot for the whole transaction, as on SQLite. */
	return simple((struct pg_conn *)bc,
	              write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

static int pg_commit(struct db_conn *bc)
{
	return simple((struct pg_conn *)bc, "COMMIT");
}

static void pg_rollback(struct db_conn *bc)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	/* A connection that broke or timed out took its transaction with it:
	 * the server rolls back when the session ends. Making it again here
	 * would only wait for an unreachable server once more. */
	if (conn_bad(c))
		return;
	(void)simple(c, "ROLLBACK");
}

/* Migrations may run longer than a request's statement timeout: the script
 * runs without one (SET inside the script's transaction; a failed script
 * rolls it back with everything else), and the session's timeout is put
 * back afterwards. */
static int pg_exec_script(struct db_conn *bc, const char *sql, char *errmsg, size_t errlen)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	if (conn_bad(c) && !c->base.in_tx)
		reconnect(c);
	struct buf b = BUF_INIT;
	char *t = translate_ddl(sql);
	buf_puts(&b, "SET statement_timeout = 0;\n");
	buf_puts(&b, t);
	free(t);
	int saved = c->timeout_ms;
	c->timeout_ms = 0;
	PGresult *r = exec_timed(c, b.data);
	c->timeout_ms = saved;
	buf_release(&b);
	int rc = 0;
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		snprintf(errmsg, errlen, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
		rc = conn_bad(c) ? -HEARTH_EUNAVAILABLE : -HEARTH_EDB;
	}
	PQclear(r);
	if (rc == 0) {
		char ms[24];
		snprintf(ms, sizeof ms, "%lld",
		         (long long)db_get_options()->statement_timeout_s * 1000);
		const char *values[1] = {ms};
		r = await_result(
		    c, PQsendQueryParams(c->pg, "SELECT set_config('statement_timeout', $1, false)",
		                         1, NULL, values, NULL, NULL, 0) == 1);
		PQclear(r);
	}
	return rc;
}

static struct db_stmt *pg_prepare(struct db_conn *bc, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	struct db_stmt *found = db__cache_find(&c->cache, sql);
	if (found)
		return found;
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	s->base.be = &db_postgres_backend;
	s->base.conn = bc;
	s->base.key = sql;
	s->sql = rewrite_placeholders(sql, &s->nparams);
	if (s->nparams > MAX_PARAMS) {
		log_msg(LOG_ERROR, "postgres: statement has more than %d parameters", MAX_PARAMS);
		free(s->sql);
		free(s);
		return NULL;
	}
	snprintf(s->name, sizeof s->name, "h%u", c->next_name++);
	s->row = -1;
	db__cache_add(&c->cache, &s->base);
	return &s->base;
}

#define PS(s) ((struct pg_stmt *)(s))

static int check_idx(struct pg_stmt *s, int idx)
{
	if (idx < 1 || idx > s->nparams) {
		log_msg(LOG_ERROR, "postgres: bind index %d out of range (1..%d)", idx, s->nparams);
		return -HEARTH_EINVAL;
	}
	return 0;
}

static int pg_bind_i64(struct db_stmt *bs, int idx, int64_t v)
{
	struct pg_stmt *s = PS(bs);
	if (check_idx(s, idx))
		return -HEARTH_EINVAL;
	int i = idx - 1;
	if (s->values[i] && s->values[i] != s->numbuf[i])
		free(s->values[i]);
	snprintf(s->numbuf[i], sizeof s->numbuf[i], "%" PRId64, v);
	s->values[i] = s->numbuf[i];
	s->lengths[i] = 0;
	s->formats[i] = 0;
	s->types[i] = OID_INT8;
	return 0;
}

static int pg_bind_text(struct db_stmt *bs, int idx, const char *v)
{
	struct pg_stmt *s = PS(bs);
	if (check_idx(s, idx))
		return -HEARTH_EINVAL;
	int i = idx - 1;
	if (s->values[i] && s->values[i] != s->numbuf[i])
		free(s->values[i]);
	s->values[i] = xstrdup(v);
	s->lengths[i] = 0;
	s->formats[i] = 0;
	s->types[i] = OID_TEXT;
	return 0;
}

static int pg_bind_blob(struct db_stmt *bs, int idx, const void *v, size_t n)
{
	struct pg_stmt *s = PS(bs);
	if (check_idx(s, idx))
		return -HEARTH_EINVAL;
	int i = idx - 1;
	if (s->values[i] && s->values[i] != s->numbuf[i])
		free(s->values[i]);
	s->values[i] = xmalloc(n ? n : 1);
	if (n)
		memcpy(s->values[i], v, n);
	s->lengths[i] = (int)n;
	s->formats[i] = 1;
	s->types[i] = OID_BYTEA;
	return 0;
}

static int pg_bind_null(struct db_stmt *bs, int idx)
{
	struct pg_stmt *s = PS(bs);
	if (check_idx(s, idx))
		return -HEARTH_EINVAL;
	int i = idx - 1;
	if (s->values[i] && s->values[i] != s->numbuf[i])
		free(s->values[i]);
	s->values[i] = NULL;
	s->types[i] = 0;
	return 0;
}

static int pg_step(struct db_stmt *bs)
{
	struct pg_stmt *s = PS(bs);
	struct pg_conn *c = (struct pg_conn *)bs->conn;
	if (s->res) {
		if (++s->row < s->nrows)
			return DB_ROW;
		return DB_DONE;
	}
	if (conn_bad(c) && !c->base.in_tx)
		reconnect(c);
	for (int attempt = 0;; attempt++) {
		if (!s->prepared) {
			Oid types[MAX_PARAMS];
			for (int i = 0; i < s->nparams; i++)
				types[i] = s->types[i];
			PGresult *r = await_result(
			    c, PQsendPrepare(c->pg, s->name, s->sql, s->nparams, types) == 1);
			if (PQresultStatus(r) != PGRES_COMMAND_OK) {
				if (attempt == 0 && !c->lost && PQstatus(c->pg) != CONNECTION_OK &&
				    !c->base.in_tx) {
					PQclear(r);
					reconnect(c); /* the server went away: retry once */
					continue;
				}
				int rc = map_state(r, c);
				PQclear(r);
				return rc;
			}
			PQclear(r);
			s->prepared = true;
		}
		s->res = await_result(c, PQsendQueryPrepared(c->pg, s->name, s->nparams,
		                                             (const char *const *)s->values,
		                                             s->lengths, s->formats, 0) == 1);
		/* The server forgot the statement (a pooler or a restart in between):
		 * prepare it again once, outside a transaction only. */
		const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
		if (attempt == 0 && state && strcmp(state, "26000") == 0 && !c->base.in_tx) {
			PQclear(s->res);
			s->res = NULL;
			s->prepared = false;
			continue;
		}
		/* The connection died under an autocommit statement: reconnect and
		 * run it again (inside a transaction the caller must start over). */
		ExecStatusType est = PQresultStatus(s->res);
		if (attempt == 0 && est != PGRES_COMMAND_OK && est != PGRES_TUPLES_OK && !c->lost &&
		    PQstatus(c->pg) != CONNECTION_OK && !c->base.in_tx) {
			PQclear(s->res);
			s->res = NULL;
			reconnect(c);
			continue;
		}
		break;
	}
	ExecStatusType st = PQresultStatus(s->res);
	if (st == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(s->res);
		c->changes = *n ? strtoll(n, NULL, 10) : 0;
		s->nrows = 0;
		s->row = 0;
		return DB_DONE;
	}
	if (st != PGRES_TUPLES_OK) {
		int rc = map_state(s->res, c);
		clear_result(s);
		return rc;
	}
	const char *n = PQcmdTuples(s->res);
	c->changes = *n ? strtoll(n, NULL, 10) : 0;
	s->nrows = PQntuples(s->res);
	s->row = 0;
	return s->nrows > 0 ? DB_ROW : DB_DONE;
}

static int64_t pg_col_i64(struct db_stmt *bs, int col)
{
	struct pg_stmt *s = PS(bs);
	if (!s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1; /* boolean true */
	return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct db_stmt *bs, int col)
{
	struct pg_stmt *s = PS(bs);
	if (!s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(struct db_stmt *bs, int col, size_t *len)
{
	struct pg_stmt *s = PS(bs);
	*len = 0;
	if (!s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
		return NULL;
	const unsigned char *v = (const unsigned char *)PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) != OID_BYTEA) {
		*len = (size_t)PQgetlength(s->res, s->row, col);
		return v;
	}
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea(v, len);
	return s->blob;
}

static bool pg_col_null(struct db_stmt *bs, int col)
{
	struct pg_stmt *s = PS(bs);
	return !s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col);
}

static void pg_finish(struct db_stmt *bs)
{
	clear_result(PS(bs));
	clear_binds(PS(bs));
}

static int64_t pg_changes(struct db_conn *bc)
{
	return ((struct pg_conn *)bc)->changes;
}

static int pg_backup(struct db_conn *bc, const char *out, char *errmsg, size_t errlen)
{
	(void)bc;
	(void)out;
	snprintf(errmsg, errlen,
	         "hearth backup copies SQLite databases; for PostgreSQL use pg_dump "
	         "(see docs/deploy.md)");
	return -HEARTH_EINVAL;
}

static int pg_lock_migrations(struct db_conn *bc)
{
	/* Nodes starting together must not run the same migration twice. */
	return simple((struct pg_conn *)bc, "SELECT pg_advisory_xact_lock(4242424242)");
}

/* Notifications (db.h, notify.c). Channel names only, no payload. */
static const char *const pg_channels[] = {"hearth_outbox", "hearth_events"};

static int pg_notify(struct db_conn *bc, unsigned channels)
{
	static const char *const sql[] = {"NOTIFY hearth_outbox", "NOTIFY hearth_events"};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		if (!(channels & (1u << i)))
			continue;
		int rc = simple((struct pg_conn *)bc, sql[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int pg_listen(struct db_conn *bc)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	int rc = simple(c, "LISTEN hearth_outbox");
	return rc ? rc : simple(c, "LISTEN hearth_events");
}

static int pg_wait_notify(struct db_conn *bc, int timeout_ms)
{
	struct pg_conn *c = (struct pg_conn *)bc;
	if (PQstatus(c->pg) != CONNECTION_OK)
		return -HEARTH_EUNAVAILABLE;
	struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
	if (pfd.fd < 0)
		return -HEARTH_EUNAVAILABLE;
	int n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -HEARTH_EUNAVAILABLE;
	if (n > 0 && (!PQconsumeInput(c->pg) || (pfd.revents & (POLLHUP | POLLERR))))
		return -HEARTH_EUNAVAILABLE;
	int got = 0;
	PGnotify *nt;
	while ((nt = PQnotifies(c->pg)) != NULL) {
		for (size_t i = 0; i < sizeof pg_channels / sizeof pg_channels[0]; i++)
			if (strcmp(nt->relname, pg_channels[i]) == 0)
				got |= 1 << i;
		PQfreemem(nt);
	}
	return got;
}

const struct db_backend db_postgres_backend = {
    .name = "postgres",
    .kind = DB_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec_script = pg_exec_script,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .finish = pg_finish,
    .changes = pg_changes,
    .backup = pg_backup,
    .lock_migrations = pg_lock_migrations,
    .set_timeout = pg_set_timeout,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
};
