/* The connection pool and dispatch to the backend; see db.h. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

struct db_pool {
	const struct db_backend *be;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int size;
	int nfree;
	struct db_conn **all;
	struct db_conn **freelist;
	/* background upkeep (backends with maintain only) */
	pthread_t upkeep;
	pthread_cond_t upkeep_cv; /* its own: release() must only wake acquirers */
	bool upkeep_running, stopping;
	struct db_conn *upkeep_conn;
	/* the health check's connection and its last answer (db_pool_ping) */
	char *target;
	pthread_mutex_t probe_mu;
	struct db_conn *probe;
	int probe_rc;
	uint64_t probe_at; /* util_mono_ns() of the last check, 0 = never */
};

static struct db_options options = {
    .connect_timeout_s = 5,
    .statement_timeout_s = 30,
    .keepalive_idle_s = 10,
    .keepalive_interval_s = 5,
    .keepalive_count = 3,
};

void db_set_options(const struct db_options *o)
{
	options = *o;
}

const struct db_options *db_get_options(void)
{
	return &options;
}

static bool is_postgres_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int db_pool_default_size(const char *url, int threads)
{
	int most = is_postgres_url(url) ? DB_POOL_DEFAULT_PG : DB_POOL_DEFAULT_SQLITE;
	return threads < most ? threads : most;
}

/* How many of the most recently used idle connections keep their caches. */
#define POOL_KEEP_WARM 8

static void *upkeep_main(void *arg)
{
	struct db_pool *p = arg;
	struct timespec ts;
	unsigned ticks = 0;
	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->upkeep_cv, &p->mu, &ts);
		if (p->stopping)
			break;
		/* Every ~10 s, the connections idle at the bottom of the free
		 * list (the least recently used: it is a stack) give their caches
		 * back, so a burst that warmed every connection does not keep
		 * that memory for ever; the most recently used stay warm. They
		 * are in the free list, so no request holds them meanwhile. */
		if (p->be->trim && ++ticks % 40 == 0)
			for (int i = 0; i + POOL_KEEP_WARM < p->nfree; i++)
				p->be->trim(p->freelist[i]);
		pthread_mutex_unlock(&p->mu);
		p->be->maintain(p->upkeep_conn);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static _Atomic uint64_t total_ns;

uint64_t db_time_ns(void)
{
	return atomic_load(&total_ns);
}

struct db_pool *db_pool_open(const char *url, int size, int *err, char *errmsg, size_t errlen)
{
	const struct db_backend *be = &db_sqlite_backend;
	const char *target = url;
	if (is_postgres_url(url))
		be = &db_postgres_backend;
	else if (strncmp(url, "sqlite:", 7) == 0)
		target = url + 7;
	if (size < 1)
		size = 1;
	struct db_pool *p = xcalloc(1, sizeof *p);
	p->be = be;
	p->size = size;
	p->all = xcalloc((size_t)size, sizeof *p->all);
	p->freelist = xcalloc((size_t)size, sizeof *p->freelist);
	p->target = xstrdup(target);
	pthread_mutex_init(&p->probe_mu, NULL);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->upkeep_cv, NULL);
	for (int i = 0; i < size; i++) {
		p->all[i] = be->open(target, errmsg, errlen);
		if (!p->all[i]) {
			*err = -HEARTH_EDB;
			db_pool_close(p);
			return NULL;
		}
		p->freelist[p->nfree++] = p->all[i];
	}
	if (be->maintain && size > 1) {
		p->upkeep_conn = be->open(target, errmsg, errlen);
		if (p->upkeep_conn && pthread_create(&p->upkeep, NULL, upkeep_main, p) == 0) {
			p->upkeep_running = true;
			for (int i = 0; i < size && be->maintained; i++)
				be->maintained(p->all[i]);
		}
	}
	*err = 0;
	return p;
}

void db_pool_close(struct db_pool *p)
{
	if (!p)
		return;
	if (p->upkeep_running) {
		pthread_mutex_lock(&p->mu);
		p->stopping = true;
		pthread_cond_signal(&p->upkeep_cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->upkeep, NULL);
	}
	if (p->upkeep_conn)
		p->be->close(p->upkeep_conn);
	if (p->probe)
		p->be->close(p->probe);
	for (int i = 0; i < p->size; i++)
		if (p->all[i])
			p->be->close(p->all[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->upkeep_cv);
	pthread_mutex_destroy(&p->probe_mu);
	free(p->target);
	free(p->all);
	free(p->freelist);
	free(p);
}

enum db_kind db_pool_kind(const struct db_pool *p)
{
	return p->be->kind;
}
const char *db_pool_kind_name(const struct db_pool *p)
{
	return p->be->name;
}

struct db_conn *db_acquire(struct db_pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	struct db_conn *c = p->freelist[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	return c;
}

int db_acquire_wait(struct db_pool *p, int timeout_ms, struct db_conn **out)
{
	int rc = 0;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	*out = NULL;
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0) {
		if (timeout_ms <= 0) {
			pthread_cond_wait(&p->cv, &p->mu);
		} else if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT &&
		           p->nfree == 0) {
			rc = -HEARTH_EBUSY;
			goto out;
		}
	}
	*out = p->freelist[--p->nfree];
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* A query every schema answers: it reads a table, so a database that lost
 * its schema or its file fails too. */
static const char SQL_PING[] = "SELECT count(*) FROM schema_migrations";

int db_pool_ping(struct db_pool *p, int timeout_ms)
{
	int rc = -HEARTH_EUNAVAILABLE;
	pthread_mutex_lock(&p->probe_mu);
	if (p->probe_at && util_mono_ns() - p->probe_at < 1000000000ULL) {
		rc = p->probe_rc;
		goto out;
	}
	if (!p->probe) {
		char msg[512];
		p->probe = p->be->open(p->target, msg, sizeof msg);
		if (!p->probe) {
			log_msg(LOG_WARN, "health: %s", msg);
			goto done;
		}
		if (p->be->set_timeout)
			p->be->set_timeout(p->probe, timeout_ms);
	}
	struct db_stmt *s = db_prepare(p->probe, SQL_PING);
	rc = s ? db_step(s) : -HEARTH_EDB;
	db_finish(s);
	rc = rc == DB_ROW ? 0 : (rc < 0 ? rc : -HEARTH_EDB);
done:
	p->probe_rc = rc;
	p->probe_at = util_mono_ns();
out:
	pthread_mutex_unlock(&p->probe_mu);
	return rc;
}

void db_release(struct db_pool *p, struct db_conn *c)
{
	if (!c)
		return;
	if (c->in_tx) {
		log_msg(LOG_WARN, "connection released inside a transaction; rolling back");
		db_rollback(c);
	}
	pthread_mutex_lock(&p->mu);
	p->freelist[p->nfree++] = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

#define TIMED(expr)                                        \
	uint64_t t0_ = util_mono_ns();                     \
	__typeof__(expr) r_ = (expr);                      \
	atomic_fetch_add(&total_ns, util_mono_ns() - t0_); \
	return r_

static bool fault_commit_hit(struct db_conn *c);

int db_begin(struct db_conn *c, bool write)
{
	int rc = c->be->begin(c, write);
	if (rc == 0)
		c->in_tx = true;
	c->fault_armed = false;
	return rc;
}

int db_commit(struct db_conn *c)
{
	if (fault_commit_hit(c)) {
		/* As a commit the server refused: nothing of the transaction stays. */
		db_rollback(c);
		return -HEARTH_EDB;
	}
	unsigned notify = c->notify;
	c->notify = 0;
	if (notify && c->be->notify) {
		/* Other nodes hear it when (and only if) the transaction commits. */
		int nrc = c->be->notify(c, notify);
		if (nrc) {
			db_rollback(c);
			return nrc;
		}
	}
	int rc = c->be->commit(c);
	if (rc == 0) {
		c->in_tx = false;
		if (notify)
			db__notify_local(notify);
	}
	c->fault_armed = false;
	return rc;
}

void db_rollback(struct db_conn *c)
{
	if (c->in_tx)
		c->be->rollback(c);
	c->in_tx = false;
	c->notify = 0;
	c->fault_armed = false;
}

bool db_in_transaction(const struct db_conn *c)
{
	return c->in_tx;
}

int db_exec_script(struct db_conn *c, const char *sql, char *errmsg, size_t errlen)
{
	return c->be->exec_script(c, sql, errmsg, errlen);
}

struct db_stmt *db_prepare(struct db_conn *c, const char *sql)
{
	return c->be->prepare(c, sql);
}
int db_bind_i64(struct db_stmt *s, int idx, int64_t v)
{
	return s->be->bind_i64(s, idx, v);
}
int db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	return v ? s->be->bind_text(s, idx, v) : s->be->bind_null(s, idx);
}
int db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t n)
{
	return s->be->bind_blob(s, idx, v, n);
}
int db_bind_null(struct db_stmt *s, int idx)
{
	return s->be->bind_null(s, idx);
}

int db_bind_id(struct db_stmt *s, int idx, int64_t v)
{
	return v ? db_bind_i64(s, idx, v) : db_bind_null(s, idx);
}
/* Fault injection for tests of error paths (never set in production):
 * HEARTH_TEST_FAULT_STEP="SQL-FRAGMENT@N" makes the N-th step (counted in
 * the whole process, from 1) of any statement whose SQL contains
 * SQL-FRAGMENT fail as a database error would: -HEARTH_EDB.
 * HEARTH_TEST_FAULT_COMMIT="SQL-FRAGMENT@N" makes the N-th commit (counted
 * in the whole process, from 1) of a transaction that stepped a statement
 * containing SQL-FRAGMENT fail: the transaction is rolled back and
 * db_commit answers -HEARTH_EDB, as when the server refuses a commit. The
 * fragment names the transaction, since start-up and logins commit too.
 * Both are read once. */
struct fault_spec {
	char fragment[128];
	long at;
	atomic_long seen;
	bool on;
};
static struct fault_spec fault, fault_commit;
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;

static void fault_parse(struct fault_spec *f, const char *var, const char *what)
{
	const char *spec = getenv(var);
	const char *at = spec ? strrchr(spec, '@') : NULL;
	if (!at || at == spec || (size_t)(at - spec) >= sizeof f->fragment)
		return;
	memcpy(f->fragment, spec, (size_t)(at - spec));
	f->at = strtol(at + 1, NULL, 10);
	f->on = f->at > 0;
	if (f->on)
		log_msg(LOG_WARN, "test fault: %s %ld of statements containing \"%s\" fails", what,
		        f->at, f->fragment);
}

static void fault_init(void)
{
	fault_parse(&fault, "HEARTH_TEST_FAULT_STEP", "step");
	fault_parse(&fault_commit, "HEARTH_TEST_FAULT_COMMIT", "the commit after");
}

static bool fault_hit(const struct db_stmt *s)
{
	pthread_once(&fault_once, fault_init);
	if (fault_commit.on && s->key && s->conn && s->conn->in_tx &&
	    strstr(s->key, fault_commit.fragment))
		s->conn->fault_armed = true;
	return fault.on && s->key && strstr(s->key, fault.fragment) &&
	       atomic_fetch_add(&fault.seen, 1) + 1 == fault.at;
}

static bool fault_commit_hit(struct db_conn *c)
{
	pthread_once(&fault_once, fault_init);
	return fault_commit.on && c->fault_armed && c->in_tx &&
	       atomic_fetch_add(&fault_commit.seen, 1) + 1 == fault_commit.at;
}

int db_step(struct db_stmt *s)
{
	if (fault_hit(s))
		return -HEARTH_EDB;
	TIMED(s->be->step(s));
}

bool db_next(struct db_stmt *s, int *rc)
{
	int step = db_step(s);
	*rc = step < 0 ? step : 0;
	return step == DB_ROW;
}
int64_t db_col_i64(struct db_stmt *s, int col)
{
	return s->be->col_i64(s, col);
}
const char *db_col_text(struct db_stmt *s, int col)
{
	return s->be->col_text(s, col);
}
const void *db_col_blob(struct db_stmt *s, int col, size_t *len)
{
	return s->be->col_blob(s, col, len);
}
bool db_col_null(struct db_stmt *s, int col)
{
	return s->be->col_null(s, col);
}
void db_finish(struct db_stmt *s)
{
	if (s)
		s->be->finish(s);
}
int64_t db_changes(struct db_conn *c)
{
	return c->be->changes(c);
}

int db_run(struct db_stmt *s)
{
	int rc = db_step(s);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int db_run_one(struct db_stmt *s)
{
	struct db_conn *c = s->conn;
	int rc = db_run(s);
	if (rc)
		return rc;
	return db_changes(c) == 1 ? 0 : -HEARTH_ENOTFOUND;
}

int db_insert_id(struct db_stmt *s, int64_t *id)
{
	int rc = db_step(s);
	if (rc == DB_ROW && id)
		*id = db_col_i64(s, 0);
	db_finish(s);
	return rc == DB_ROW ? 0 : (rc < 0 ? rc : -HEARTH_EDB);
}

int db_backup(struct db_pool *p, const char *out, char *errmsg, size_t errlen)
{
	struct db_conn *c = db_acquire(p);
	int rc = c->be->backup(c, out, errmsg, errlen);
	db_release(p, c);
	return rc;
}

struct db_conn *db__pool_open_own(struct db_pool *p, char *errmsg, size_t errlen)
{
	return p->be->open(p->target, errmsg, errlen);
}

const struct db_backend *db__pool_backend(const struct db_pool *p)
{
	return p->be;
}
