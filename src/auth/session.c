/*
 * Sessions, login and throttling: the password hashing gate, login with
 * per-account and per-address throttling, session cookies (stored only as
 * BLAKE2b hashes; passwords as Argon2id strings), CSRF tokens and the
 * generic rate counter.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

/* SQL catalogue for sessions, login and throttling. */
static const char SQL_USER_LOGIN[] =
    "SELECT id, password_hash, disabled FROM users WHERE email = ? OR email = ? LIMIT 1";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?) RETURNING id";
/* One statement for the whole actor: the session, its user and one row per
 * membership (NULLs when there is none). Every authenticated request runs
 * it, so it is one round trip, not three. */
static const char SQL_SESSION_ACTOR[] =
    "SELECT s.id, s.user_id, s.last_seen_at, s.expires_at, u.disabled, u.email, u.display_name,"
    " m.id, m.organisation_id, m.role, o.name, o.kind FROM sessions s"
    " JOIN users u ON u.id = s.user_id"
    " LEFT JOIN memberships m ON m.user_id = u.id"
    " LEFT JOIN organisations o ON o.id = m.organisation_id"
    " WHERE s.token_hash = ? ORDER BY m.id";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id = ?";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?";
static const char SQL_THROTTLE_GET[] =
    "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?";
/* Counts an attempt. The count starts again after a quiet window, or once
 * a lock has run out (a lock is served, not added to). */
static const char SQL_THROTTLE_FAIL[] =
    "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until)"
    " VALUES (?1, 1, ?2, 0) ON CONFLICT (key) DO UPDATE SET"
    " failures = CASE WHEN login_throttle.last_failure_at < ?3"
    " OR (login_throttle.locked_until > 0 AND login_throttle.locked_until <= ?2) THEN 1"
    " ELSE login_throttle.failures + 1 END,"
    " locked_until = CASE WHEN login_throttle.locked_until <= ?2 THEN 0"
    " ELSE login_throttle.locked_until END,"
    " last_failure_at = ?2 RETURNING failures";
static const char SQL_THROTTLE_LOCK[] = "UPDATE login_throttle SET locked_until = ? WHERE key = ?";
static const char SQL_THROTTLE_CLEAR[] = "DELETE FROM login_throttle WHERE key = ?";

/* --- the password hashing gate --- */

struct auth_limits {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, waiting, max_running, max_waiting;
};

struct auth_limits *auth_limits_new(int n, int queue)
{
	struct auth_limits *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->max_running = n > 0 ? n : 1;
	l->max_waiting = queue >= 0 ? queue : 0;
	return l;
}

void auth_limits_free(struct auth_limits *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

static int gate_enter(struct auth_limits *l)
{
	pthread_mutex_lock(&l->mu);
	if (l->running >= l->max_running) {
		if (l->waiting >= l->max_waiting) {
			pthread_mutex_unlock(&l->mu);
			return -HEARTH_EOVERLOAD;
		}
		l->waiting++;
		while (l->running >= l->max_running)
			pthread_cond_wait(&l->cv, &l->mu);
		l->waiting--;
	}
	l->running++;
	pthread_mutex_unlock(&l->mu);
	return 0;
}

static void gate_leave(struct auth_limits *l)
{
	pthread_mutex_lock(&l->mu);
	l->running--;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

int auth_password_hash(struct auth_limits *l, char out[128], const char *password)
{
	int rc = gate_enter(l);
	if (rc)
		return rc;
	rc = crypto_password_hash(out, password);
	gate_leave(l);
	return rc;
}

/* Verifies under the gate. Unknown users are checked against a dummy hash so
 * that timing does not reveal whether an account exists. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[128];
static void make_dummy(void)
{
	if (crypto_password_hash(dummy_hash, "not a real password, only for timing") != 0)
		dummy_hash[0] = '\0';
}

static int verify_gated(struct auth_limits *l, const char *stored, const char *password, int *ok)
{
	int rc = gate_enter(l);
	if (rc)
		return rc;
	if (!stored) {
		pthread_once(&dummy_once, make_dummy);
		(void)crypto_password_verify(dummy_hash, password);
		*ok = 0;
	} else {
		*ok = crypto_password_verify(stored, password);
	}
	gate_leave(l);
	return 0;
}

/* --- sessions --- */

/* The stored form of a secret (session cookie, API token): BLAKE2b, hex. */
void auth__secret_hash(char out[65], const char *secret)
{
	crypto_hash_hex(out, NULL, secret, strlen(secret));
}

void auth_csrf_token(const struct keyring *kr, const char *session_token, char out[65])
{
	crypto_hash_hex(out, kr->csrf, session_token, strlen(session_token));
}

int auth_session_resolve(struct db_conn *c, struct arena *arena, const char *token,
                         int64_t idle_ttl, bool touch, struct actor *a)
{
	char h[65];
	int64_t now = util_now();
	if (strlen(token) >= sizeof a->session_token)
		return -HEARTH_EAUTH;
	auth__secret_hash(h, token);
	struct db_stmt *s = db_prepare(c, SQL_SESSION_ACTOR);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	int rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_EAUTH;
	}
	int64_t sid = db_col_i64(s, 0), uid = db_col_i64(s, 1);
	int64_t seen = db_col_i64(s, 2), expires = db_col_i64(s, 3);
	bool disabled = db_col_i64(s, 4) != 0;
	if (disabled || expires <= now || seen + idle_ttl <= now) {
		db_finish(s);
		return -HEARTH_EAUTH;
	}
	a->user_id = uid;
	a->email = arena_strdup(arena, db_col_text(s, 5));
	a->display_name = arena_strdup(arena, db_col_text(s, 6));
	int cap = 4, n = 0;
	struct membership *m = arena_alloc(arena, (size_t)cap * sizeof *m);
	a->roles = 0;
	do {
		if (db_col_null(s, 7))
			continue;
		int role = auth_role_from_name(db_col_text(s, 9));
		if (role < 0)
			continue;
		if (n == cap) {
			struct membership *bigger = arena_alloc(arena, (size_t)cap * 2 * sizeof *m);
			memcpy(bigger, m, (size_t)n * sizeof *m);
			m = bigger;
			cap *= 2;
		}
		m[n++] = (struct membership){
		    .id = db_col_i64(s, 7),
		    .organisation_id = db_col_i64(s, 8),
		    .role = (enum role)role,
		    .organisation = arena_strdup(arena, db_col_text(s, 10)),
		    .kind = arena_strdup(arena, db_col_text(s, 11)),
		};
		a->roles |= 1u << role;
	} while (db_next(s, &rc));
	db_finish(s);
	if (rc < 0)
		return rc;
	a->memberships = m;
	a->nmemberships = n;
	a->organisation_id = n ? m[0].organisation_id : 0;
	/* Sliding idle expiry, written at most once a minute to keep reads cheap. */
	if (touch && now - seen >= 60) {
		s = db_prepare(c, SQL_SESSION_TOUCH);
		if (s) {
			db_bind_i64(s, 1, now);
			db_bind_i64(s, 2, sid);
			(void)db_run(s); /* a busy database must not log the person out */
		}
	}
	a->kind = AUTH_SESSION;
	a->session_id = sid;
	snprintf(a->session_token, sizeof a->session_token, "%s", token);
	return 0;
}

int auth_session_delete(struct db_conn *c, int64_t session_id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_DELETE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, session_id);
	return db_run(s);
}

/* --- login with throttling --- */

struct auth_throttle auth_throttle = {
    .slow_after = 3,
    .lock_after = 10,
    .addr_slow_after = 10,
    .addr_lock_after = 50,
    .lock_seconds = 900,
    .window = 3600,
    .max_backoff = 60,
};

struct throttle {
	int64_t failures, last_failure, locked_until;
};

static int throttle_get(struct db_conn *c, const char *key, struct throttle *t)
{
	*t = (struct throttle){0};
	struct db_stmt *s = db_prepare(c, SQL_THROTTLE_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, key);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		t->failures = db_col_i64(s, 0);
		t->last_failure = db_col_i64(s, 1);
		t->locked_until = db_col_i64(s, 2);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Seconds the caller must still wait under t, 0 if it may try now; see
 * struct auth_throttle. */
static int64_t throttle_wait(const struct throttle *t, int64_t now, int slow_after)
{
	const struct auth_throttle *cfg = &auth_throttle;
	if (t->locked_until > now)
		return t->locked_until - now;
	if (t->last_failure < now - cfg->window || t->failures < slow_after)
		return 0;
	int64_t shift = t->failures - slow_after;
	int64_t backoff = shift >= 20 ? cfg->max_backoff : ((int64_t)1 << shift);
	if (backoff > cfg->max_backoff)
		backoff = cfg->max_backoff;
	int64_t until = t->last_failure + backoff;
	return until > now ? until - now : 0;
}

/* Counts one attempt for key (the window restarts after a quiet hour) and
 * returns the new count in *count. */
static int throttle_count(struct db_conn *c, const char *key, int64_t now, int64_t *count)
{
	struct db_stmt *s = db_prepare(c, SQL_THROTTLE_FAIL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, key);
	db_bind_i64(s, 2, now);
	db_bind_i64(s, 3, now - auth_throttle.window);
	int rc = db_step(s);
	*count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

static int throttle_lock(struct db_conn *c, const char *key, int64_t now)
{
	struct db_stmt *s = db_prepare(c, SQL_THROTTLE_LOCK);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, now + auth_throttle.lock_seconds);
	db_bind_text(s, 2, key);
	return db_run(s);
}

static void throttle_key(char out[80], const struct keyring *kr, const char *prefix,
                         const char *value)
{
	char h[65];
	/* Keyed so the table never holds a recoverable email or address. */
	crypto_hash_hex(h, kr->csrf, value, strlen(value));
	snprintf(out, 80, "%s:%s", prefix, h);
}

int auth_login(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim,
               const char *email, const char *password, const char *client_addr,
               const char *request_id, int64_t absolute_ttl, struct auth_login_result *res)
{
	char acct_key[80], addr_key[80], h[65];
	char *stored = NULL;
	int64_t uid = 0, now = util_now();
	int ok = 0, rc;
	struct throttle ta, tb;
	struct db_conn *c = db_acquire(p);
	memset(res, 0, sizeof *res);
	throttle_key(acct_key, kr, "acct", email);
	throttle_key(addr_key, kr, "addr", client_addr ? client_addr : "-");

	/* 1. Throttle check and user lookup: short reads, no lock held. */
	if ((rc = throttle_get(c, acct_key, &ta)) || (rc = throttle_get(c, addr_key, &tb)))
		goto out;
	int64_t wa = throttle_wait(&ta, now, auth_throttle.slow_after);
	int64_t wb = throttle_wait(&tb, now, auth_throttle.addr_slow_after);
	if (wa || wb) {
		res->retry_after = wa > wb ? wa : wb;
		rc = -HEARTH_ELOCKED;
		goto out;
	}
	/* 2. Count this attempt against the account before the slow check, and
	 * decide on the count the database returns: guesses at one account made
	 * at the same moment (threads, nodes) cannot all slip under its lock. A
	 * success takes it back. The client address counts failures only, once
	 * they are known: many people behind one address (a community centre,
	 * a proxy) logging in correctly at once are never refused for each
	 * other. Guesses at many accounts from one address in flight together
	 * are bounded by the hashing gate instead (auth_limits). */
	int64_t na = 0, nb = 0;
	if ((rc = db_begin(c, true)) != 0)
		goto out;
	if ((rc = throttle_count(c, acct_key, now, &na)) != 0)
		goto rollback;
	bool over = na > auth_throttle.lock_after;
	if (over && (rc = throttle_lock(c, acct_key, now)) != 0)
		goto rollback;
	if ((rc = db_commit(c)) != 0)
		goto rollback;
	if (over) {
		res->retry_after = auth_throttle.lock_seconds;
		rc = -HEARTH_ELOCKED;
		goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_USER_LOGIN);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	char login_key[80];
	auth_login_key(kr, email, login_key);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, login_key);
	rc = db_step(s);
	if (rc == DB_ROW && !db_col_i64(s, 2) && db_col_text(s, 1)) {
		uid = db_col_i64(s, 0);
		stored = xstrdup(db_col_text(s, 1));
	}
	db_finish(s);
	if (rc < 0)
		goto out;

	/* 2. The expensive part, outside any transaction. */
	if ((rc = verify_gated(lim, stored, password, &ok)) != 0)
		goto out;

	/* 3. Record the outcome in one write transaction, audited. */
	if ((rc = db_begin(c, true)) != 0)
		goto out;
	char resource[40];
	snprintf(resource, sizeof resource, "user:%" PRId64, uid);
	if (!ok) {
		if ((rc = throttle_count(c, addr_key, now, &nb)) != 0)
			goto rollback;
		if ((na >= auth_throttle.lock_after &&
		     (rc = throttle_lock(c, acct_key, now)) != 0) ||
		    (nb >= auth_throttle.addr_lock_after &&
		     (rc = throttle_lock(c, addr_key, now)) != 0))
			goto rollback;
		struct audit_entry e = {
		    uid, 0, "auth.login", uid ? resource : "user:unknown", "failure", request_id};
		if ((rc = audit_append(c, kr, &e)) != 0)
			goto rollback;
		if ((rc = db_commit(c)) != 0)
			goto rollback;
		rc = -HEARTH_EAUTH;
		goto out;
	}
	s = db_prepare(c, SQL_THROTTLE_CLEAR);
	if (!s) {
		rc = -HEARTH_EDB;
		goto rollback;
	}
	db_bind_text(s, 1, acct_key);
	if ((rc = db_run(s)) != 0)
		goto rollback;
	/* Opportunistic clean-up of expired sessions keeps the table small. */
	s = db_prepare(c, SQL_SESSION_PURGE);
	if (s) {
		db_bind_i64(s, 1, now);
		db_bind_i64(s, 2, now - 7 * 86400);
		if ((rc = db_run(s)) != 0)
			goto rollback;
	}
	crypto_token(res->token, sizeof res->token);
	auth__secret_hash(h, res->token);
	s = db_prepare(c, SQL_SESSION_INSERT);
	if (!s) {
		rc = -HEARTH_EDB;
		goto rollback;
	}
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, uid);
	db_bind_i64(s, 3, now);
	db_bind_i64(s, 4, now);
	db_bind_i64(s, 5, now + absolute_ttl);
	if ((rc = db_insert_id(s, &res->session_id)) != 0)
		goto rollback;
	struct audit_entry e = {uid, 0, "auth.login", resource, "success", request_id};
	if ((rc = audit_append(c, kr, &e)) != 0)
		goto rollback;
	if ((rc = db_commit(c)) != 0)
		goto rollback;
	res->user_id = uid;
	rc = 0;
	goto out;
rollback:
	db_rollback(c);
out:
	if (stored) {
		sodium_memzero(stored, strlen(stored));
		free(stored);
	}
	db_release(p, c);
	return rc;
}

int auth_rate_hit(struct db_conn *c, const struct keyring *kr, const char *prefix,
                  const char *value, int64_t window, int max, int64_t *retry_after)
{
	char key[80];
	int64_t now = util_now();
	throttle_key(key, kr, prefix, value ? value : "-");
	/* Count first, then decide on the count the database returns: two nodes
	 * (or threads) cannot both see room for one more. */
	struct db_stmt *s = db_prepare(c, SQL_THROTTLE_FAIL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, key);
	db_bind_i64(s, 2, now);
	db_bind_i64(s, 3, now - window);
	int rc = db_step(s);
	int64_t count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (count > max) {
		*retry_after = window;
		return -HEARTH_ELOCKED;
	}
	return 0;
}
