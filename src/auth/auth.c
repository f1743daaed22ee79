/*
 * Storage for identity and access: organisations, users, memberships,
 * sessions, API tokens and login throttling. Secrets (session cookies, API
 * tokens) are stored only as BLAKE2b hashes; passwords as Argon2id strings.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

/* SQL catalogue for the auth module. */
static const char SQL_ORG_FIND[] = "SELECT id FROM organisations WHERE name = ?";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO organisations (name, kind, created_at) VALUES (?, ?, ?) RETURNING id";
static const char SQL_ORG_SET_COUNTRY[] = "UPDATE organisations SET country = ? WHERE id = ?";
static const char SQL_ORG_COUNTRY[] = "SELECT country FROM organisations WHERE id = ?";
static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE name = ?";
static const char SQL_SETTING_SET[] =
    "INSERT INTO settings (name, value, updated_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)"
    " RETURNING id";
static const char SQL_USER_FIND[] = "SELECT id FROM users WHERE email = ?";
static const char SQL_USER_SET_LOGIN[] = "UPDATE users SET email = ? WHERE id = ?";
static const char SQL_USER_ERASE[] =
    "UPDATE users SET email = ?, display_name = 'Erased person', password_hash = NULL,"
    " disabled = 1 WHERE id = ?";
static const char SQL_USER_ERASE_MEMBERSHIPS[] = "DELETE FROM memberships WHERE user_id = ?";
static const char SQL_USER_ERASE_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";
static const char SQL_ORG_ERASURE_AUTOMATIC[] =
    "SELECT 1 FROM organisations WHERE id = ? AND erasure_policy = 'automatic'";
static const char SQL_USER_LOGIN[] =
    "SELECT id, password_hash, disabled FROM users WHERE email = ? OR email = ? LIMIT 1";
static const char SQL_USER_GET[] = "SELECT email, display_name, disabled FROM users WHERE id = ?";
static const char SQL_MEMBERSHIP_INSERT[] =
    "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)"
    " RETURNING id";
static const char SQL_MEMBERSHIPS_OF[] =
    "SELECT m.id, m.organisation_id, m.role, o.name, o.kind FROM memberships m"
    " JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ? ORDER BY m.id";
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
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (name, token_hash, role, organisation_id, created_by, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_TOKEN_FIND[] =
    "SELECT t.id, t.role, t.organisation_id, t.name, o.name, o.kind FROM api_tokens t"
    " JOIN organisations o ON o.id = t.organisation_id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
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
	rc = hc_password_hash(out, password);
	gate_leave(l);
	return rc;
}

/* Verifies under the gate. Unknown users are checked against a dummy hash so
 * that timing does not reveal whether an account exists. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[128];
static void make_dummy(void)
{
	if (hc_password_hash(dummy_hash, "not a real password, only for timing") != 0)
		dummy_hash[0] = '\0';
}

static int verify_gated(struct auth_limits *l, const char *stored, const char *password, int *ok)
{
	int rc = gate_enter(l);
	if (rc)
		return rc;
	if (!stored) {
		pthread_once(&dummy_once, make_dummy);
		(void)hc_password_verify(dummy_hash, password);
		*ok = 0;
	} else {
		*ok = hc_password_verify(stored, password);
	}
	gate_leave(l);
	return 0;
}

/* --- organisations, users, memberships --- */

int auth_org_ensure(struct db_conn *c, const char *name, const char *kind, int64_t *id,
                    bool *created)
{
	struct db_stmt *s = db_prepare(c, SQL_ORG_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, name);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_col_i64(s, 0);
		db_finish(s);
		if (created)
			*created = false;
		return 0;
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	s = db_prepare(c, SQL_ORG_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, kind);
	db_bind_i64(s, 3, util_now());
	rc = db_insert_id(s, id);
	if (created)
		*created = rc == 0;
	return rc;
}

int auth_org_set_country(struct db_conn *c, int64_t org_id, const char *country)
{
	struct db_stmt *s = db_prepare(c, SQL_ORG_SET_COUNTRY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, country && *country ? country : NULL);
	db_bind_i64(s, 2, org_id);
	return db_run_one(s);
}

/* Reads one text column of a one-row query keyed by an id or a name into
 * out ("" when there is no row or the value is NULL). */
static int read_short_text(struct db_stmt *s, char *out, size_t size)
{
	out[0] = '\0';
	int rc = db_step(s);
	if (rc == DB_ROW && db_col_text(s, 0))
		snprintf(out, size, "%s", db_col_text(s, 0));
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int auth_org_country(struct db_conn *c, int64_t org_id, char out[3])
{
	struct db_stmt *s = db_prepare(c, SQL_ORG_COUNTRY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org_id);
	return read_short_text(s, out, 3);
}

int auth_setting_get(struct db_conn *c, const char *name, char *out, size_t size)
{
	struct db_stmt *s = db_prepare(c, SQL_SETTING_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, name);
	return read_short_text(s, out, size);
}

int auth_setting_set(struct db_conn *c, const char *name, const char *value)
{
	struct db_stmt *s = db_prepare(c, SQL_SETTING_SET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, value);
	db_bind_i64(s, 3, util_now());
	return db_run(s);
}

int auth_user_create(struct db_conn *c, const char *email, const char *display_name,
                     const char *password_hash, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, display_name);
	db_bind_text(s, 3, password_hash);
	db_bind_i64(s, 4, util_now());
	return db_insert_id(s, id);
}

int auth_user_set_login(struct db_conn *c, int64_t user_id, const char *login)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_SET_LOGIN);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, login);
	db_bind_i64(s, 2, user_id);
	return db_run(s);
}

int auth_user_erase(struct db_conn *c, int64_t user_id)
{
	char email[64];
	snprintf(email, sizeof email, "erased-user-%" PRId64 "@invalid", user_id);
	struct db_stmt *s = db_prepare(c, SQL_USER_ERASE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, email);
	db_bind_i64(s, 2, user_id);
	int rc = db_run(s);
	const char *const more[] = {SQL_USER_ERASE_MEMBERSHIPS, SQL_USER_ERASE_SESSIONS};
	for (size_t i = 0; !rc && i < sizeof more / sizeof more[0]; i++) {
		if (!(s = db_prepare(c, more[i])))
			return -HEARTH_EDB;
		db_bind_i64(s, 1, user_id);
		rc = db_run(s);
	}
	return rc;
}

int auth_org_erasure_automatic(struct db_conn *c, int64_t org_id, bool *automatic)
{
	struct db_stmt *s = db_prepare(c, SQL_ORG_ERASURE_AUTOMATIC);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org_id);
	int rc = db_step(s);
	*automatic = rc == DB_ROW;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int auth_user_find(struct db_conn *c, const char *email, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, email);
	int rc = db_step(s);
	*id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int auth_membership_add(struct db_conn *c, int64_t user_id, int64_t org_id, enum role role,
                        int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_MEMBERSHIP_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, org_id);
	db_bind_text(s, 3, role_names[role]);
	db_bind_i64(s, 4, util_now());
	return db_insert_id(s, id);
}

int auth_actor_load(struct db_conn *c, struct arena *arena, struct actor *a, int64_t user_id)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	int rc = db_step(s);
	if (rc != DB_ROW || db_col_i64(s, 2)) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_EAUTH;
	}
	a->user_id = user_id;
	a->email = arena_strdup(arena, db_col_text(s, 0));
	a->display_name = arena_strdup(arena, db_col_text(s, 1));
	db_finish(s);

	s = db_prepare(c, SQL_MEMBERSHIPS_OF);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	int cap = 4, n = 0;
	struct membership *m = arena_alloc(arena, (size_t)cap * sizeof *m);
	a->roles = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int role = role_from_name(db_col_text(s, 2));
		if (role < 0)
			continue;
		if (n == cap) {
			struct membership *bigger = arena_alloc(arena, (size_t)cap * 2 * sizeof *m);
			memcpy(bigger, m, (size_t)n * sizeof *m);
			m = bigger;
			cap *= 2;
		}
		m[n] = (struct membership){
		    .id = db_col_i64(s, 0),
		    .organisation_id = db_col_i64(s, 1),
		    .role = (enum role)role,
		    .organisation = arena_strdup(arena, db_col_text(s, 3)),
		    .kind = arena_strdup(arena, db_col_text(s, 4)),
		};
		a->roles |= 1u << role;
		n++;
	}
	db_finish(s);
	a->memberships = m;
	a->nmemberships = n;
	a->organisation_id = n ? m[0].organisation_id : 0;
	return rc < 0 ? rc : 0;
}

void auth_login_key(const struct keyring *kr, const char *email, char out[80])
{
	char h[65], msg[300];
	snprintf(msg, sizeof msg, "login:%s", email);
	hc_hash_hex(h, kr->blind, msg, strlen(msg));
	snprintf(out, 80, "pbi:%s", h);
}

/* --- sessions --- */

static void secret_hash(char out[65], const char *secret)
{
	hc_hash_hex(out, NULL, secret, strlen(secret));
}

void auth_csrf_token(const struct keyring *kr, const char *session_token, char out[65])
{
	hc_hash_hex(out, kr->csrf, session_token, strlen(session_token));
}

int auth_session_resolve(struct db_conn *c, struct arena *arena, const char *token,
                         int64_t idle_ttl, bool touch, struct actor *a)
{
	char h[65];
	int64_t now = util_now();
	if (strlen(token) >= sizeof a->session_token)
		return -HEARTH_EAUTH;
	secret_hash(h, token);
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
		int role = role_from_name(db_col_text(s, 9));
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
	} while ((rc = db_step(s)) == DB_ROW);
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

/* --- API tokens --- */

#define TOKEN_PREFIX "hth_"

int auth_token_create(struct db_conn *c, const char *name, enum role role, int64_t org_id,
                      int64_t created_by, char secret_out[64], int64_t *id)
{
	char raw[48], h[65];
	hc_token(raw, sizeof raw);
	snprintf(secret_out, 64, TOKEN_PREFIX "%s", raw);
	secret_hash(h, secret_out);
	struct db_stmt *s = db_prepare(c, SQL_TOKEN_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, h);
	db_bind_text(s, 3, role_names[role]);
	db_bind_i64(s, 4, org_id);
	db_bind_id(s, 5, created_by);
	db_bind_i64(s, 6, util_now());
	sodium_memzero(raw, sizeof raw);
	return db_insert_id(s, id);
}

int auth_token_revoke(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_TOKEN_REVOKE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, util_now());
	db_bind_i64(s, 2, id);
	return db_run_one(s);
}

int auth_token_resolve(struct db_conn *c, struct arena *arena, const char *token, struct actor *a)
{
	char h[65];
	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 80)
		return -HEARTH_EAUTH;
	secret_hash(h, token);
	struct db_stmt *s = db_prepare(c, SQL_TOKEN_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	int rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_EAUTH;
	}
	int role = role_from_name(db_col_text(s, 1));
	if (role < 0) {
		db_finish(s);
		return -HEARTH_EAUTH;
	}
	struct membership *m = arena_alloc(arena, sizeof *m);
	*m = (struct membership){
	    .id = 0,
	    .organisation_id = db_col_i64(s, 2),
	    .role = (enum role)role,
	    .organisation = arena_strdup(arena, db_col_text(s, 4)),
	    .kind = arena_strdup(arena, db_col_text(s, 5)),
	};
	a->kind = AUTH_TOKEN;
	a->token_id = db_col_i64(s, 0);
	a->display_name = arena_printf(arena, "token %s", db_col_text(s, 3));
	a->roles = 1u << role;
	a->memberships = m;
	a->nmemberships = 1;
	a->organisation_id = m->organisation_id;
	db_finish(s);
	return 0;
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
	hc_hash_hex(h, kr->csrf, value, strlen(value));
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
	hc_token(res->token, sizeof res->token);
	secret_hash(h, res->token);
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

/* --- administration --- */

static const char SQL_ADMIN_ORG_LIST[] =
    "SELECT id, name, kind, created_at, country FROM organisations ORDER BY name";
static const char SQL_ADMIN_ORG_GET[] =
    "SELECT id, name, kind, created_at, country FROM organisations WHERE id = ?";
static const char SQL_ADMIN_USER_LIST[] =
    "SELECT id, email, display_name, disabled, created_at FROM users ORDER BY id LIMIT ? OFFSET ?";
static const char SQL_ADMIN_USER_MEMBERSHIPS[] =
    "SELECT m.id, m.user_id, m.organisation_id, o.name, o.kind, m.role FROM memberships m"
    " JOIN organisations o ON o.id = m.organisation_id ORDER BY m.user_id, m.id";
static const char SQL_ADMIN_USER_SET_NAME[] = "UPDATE users SET display_name = ? WHERE id = ?";
static const char SQL_ADMIN_USER_SET_DISABLED[] = "UPDATE users SET disabled = ? WHERE id = ?";
static const char SQL_ADMIN_USER_SET_PASSWORD[] = "UPDATE users SET password_hash = ? WHERE id = ?";
static const char SQL_ADMIN_USER_DROP_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";
static const char SQL_ADMIN_USER_EXISTS[] = "SELECT 1 FROM users WHERE id = ?";
static const char SQL_ADMIN_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = ?";
static const char SQL_ADMIN_MEMBERSHIP_DELETE[] = "DELETE FROM memberships WHERE id = ?";
static const char SQL_ADMIN_TOKEN_LIST[] =
    "SELECT id, name, role, organisation_id, created_at, revoked_at FROM api_tokens ORDER BY id";

/* Grows an arena array of n elements of size sz to hold one more. */
static void *grow(struct arena *a, void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? 2 * *cap : 16;
	void *w = arena_alloc(a, ncap * sz);
	if (n)
		memcpy(w, v, n * sz);
	*cap = ncap;
	return w;
}

static void org_read(struct db_stmt *s, struct arena *a, struct auth_org *o)
{
	o->id = db_col_i64(s, 0);
	o->name = arena_strdup(a, db_col_text(s, 1));
	o->kind = arena_strdup(a, db_col_text(s, 2));
	o->created_at = db_col_i64(s, 3);
	o->country = arena_strdup(a, db_col_text(s, 4));
}

int auth_org_list(struct db_conn *c, struct arena *a, struct auth_org **out, size_t *n)
{
	int rc = -HEARTH_EDB;
	size_t cap = 0;
	struct auth_org *v = NULL;
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_ADMIN_ORG_LIST);
	if (!s)
		goto out;
	while (db_next(s, &rc)) {
		v = grow(a, v, *n, &cap, sizeof *v);
		org_read(s, a, &v[(*n)++]);
	}
	db_finish(s);
	*out = v;
out:
	return rc;
}

int auth_org_get(struct db_conn *c, struct arena *a, int64_t id, struct auth_org *out)
{
	int rc = -HEARTH_EDB;
	struct db_stmt *s = db_prepare(c, SQL_ADMIN_ORG_GET);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		org_read(s, a, out);
	db_finish(s);
	rc = rc == DB_ROW ? 0 : rc < 0 ? rc : -HEARTH_ENOTFOUND;
out:
	return rc;
}

/* The user with id in v (ascending by id), or NULL. */
static struct auth_user_entry *user_entry(struct auth_user_entry *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].user.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].user.id == id ? &v[lo] : NULL;
}

int auth_user_list(struct db_conn *c, struct arena *a, int64_t limit, int64_t offset,
                   struct auth_user_entry **out, size_t *n)
{
	int rc = -HEARTH_EDB;
	size_t cap = 0;
	struct auth_user_entry *v = NULL;
	size_t *mcap = NULL;
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_ADMIN_USER_LIST);
	if (!s)
		goto out;
	db_bind_i64(s, 1, limit);
	db_bind_i64(s, 2, offset);
	while (db_next(s, &rc)) {
		v = grow(a, v, *n, &cap, sizeof *v);
		struct auth_user_entry *e = &v[(*n)++];
		memset(e, 0, sizeof *e);
		e->user.id = db_col_i64(s, 0);
		e->user.email = arena_strdup(a, db_col_text(s, 1));
		e->user.display_name = arena_strdup(a, db_col_text(s, 2));
		e->user.disabled = db_col_i64(s, 3) != 0;
		e->user.created_at = db_col_i64(s, 4);
	}
	db_finish(s);
	if (rc)
		goto out;
	mcap = arena_calloc(a, *n ? *n : 1, sizeof *mcap);
	rc = -HEARTH_EDB;
	if (!(s = db_prepare(c, SQL_ADMIN_USER_MEMBERSHIPS)))
		goto out;
	while (db_next(s, &rc)) {
		struct auth_user_entry *e = user_entry(v, *n, db_col_i64(s, 1));
		if (!e)
			continue;
		int role = role_from_name(db_col_text(s, 5));
		size_t k = (size_t)e->nmemberships, *ec = &mcap[e - v];
		e->memberships = grow(a, e->memberships, k, ec, sizeof *e->memberships);
		struct membership *m = &e->memberships[k];
		m->id = db_col_i64(s, 0);
		m->organisation_id = db_col_i64(s, 2);
		m->organisation = arena_strdup(a, db_col_text(s, 3));
		m->kind = arena_strdup(a, db_col_text(s, 4));
		m->role = role < 0 ? ROLE_PARTICIPANT : (enum role)role;
		e->nmemberships++;
	}
	db_finish(s);
	if (!rc)
		*out = v;
out:
	if (rc)
		*n = 0;
	return rc;
}

/* Sets *found when the statement (one id parameter) returns a row. */
static int id_exists(struct db_conn *c, const char *sql, int64_t id, bool *found)
{
	*found = false;
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	db_finish(s);
	*found = rc == DB_ROW;
	return rc < 0 ? rc : 0;
}

/* Runs sql with (text or integer, id). */
static int set_column(struct db_conn *c, const char *sql, const char *text, int64_t i, int64_t id)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	if (text)
		db_bind_text(s, 1, text);
	else
		db_bind_i64(s, 1, i);
	db_bind_i64(s, 2, id);
	return db_run(s);
}

int auth_user_update(struct db_conn *c, int64_t id, const struct auth_user_change *ch)
{
	bool found;
	int rc = id_exists(c, SQL_ADMIN_USER_EXISTS, id, &found);
	if (!rc && !found)
		rc = -HEARTH_ENOTFOUND;
	if (!rc && ch->display_name)
		rc = set_column(c, SQL_ADMIN_USER_SET_NAME, ch->display_name, 0, id);
	if (!rc && ch->set_disabled)
		rc = set_column(c, SQL_ADMIN_USER_SET_DISABLED, NULL, ch->disabled, id);
	if (!rc && ch->password_hash)
		rc = set_column(c, SQL_ADMIN_USER_SET_PASSWORD, ch->password_hash, 0, id);
	/* Disabling or a new password ends every session of that user at once. */
	if (!rc && ((ch->set_disabled && ch->disabled) || ch->password_hash)) {
		struct db_stmt *s = db_prepare(c, SQL_ADMIN_USER_DROP_SESSIONS);
		rc = s ? 0 : -HEARTH_EDB;
		if (s) {
			db_bind_i64(s, 1, id);
			rc = db_run(s);
		}
	}
	return rc;
}

int auth_membership_create(struct db_conn *c, int64_t user_id, int64_t org_id, enum role role,
                           int64_t *id, const char **missing)
{
	bool found;
	*missing = NULL;
	int rc = id_exists(c, SQL_ADMIN_USER_EXISTS, user_id, &found);
	if (!rc && !found)
		*missing = "user_id";
	if (!rc && found)
		rc = id_exists(c, SQL_ADMIN_ORG_EXISTS, org_id, &found);
	if (!rc && !*missing && !found)
		*missing = "organisation_id";
	if (!rc && *missing)
		rc = -HEARTH_EINVAL;
	if (!rc)
		rc = auth_membership_add(c, user_id, org_id, role, id);
	return rc;
}

int auth_membership_delete(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_ADMIN_MEMBERSHIP_DELETE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	return db_run_one(s);
}

int auth_token_list(struct db_conn *c, struct arena *a, struct auth_token_info **out, size_t *n)
{
	int rc = -HEARTH_EDB;
	size_t cap = 0;
	struct auth_token_info *v = NULL;
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_ADMIN_TOKEN_LIST);
	if (!s)
		goto out;
	while (db_next(s, &rc)) {
		v = grow(a, v, *n, &cap, sizeof *v);
		struct auth_token_info *t = &v[(*n)++];
		t->id = db_col_i64(s, 0);
		t->name = arena_strdup(a, db_col_text(s, 1));
		t->role = arena_strdup(a, db_col_text(s, 2));
		t->organisation_id = db_col_i64(s, 3);
		t->created_at = db_col_i64(s, 4);
		t->revoked = !db_col_null(s, 5);
		t->revoked_at = t->revoked ? db_col_i64(s, 5) : 0;
	}
	db_finish(s);
	if (!rc)
		*out = v;
	else
		*n = 0;
out:
	return rc;
}

int auth_token_issue(struct db_conn *c, const char *name, enum role role, int64_t org_id,
                     int64_t created_by, char secret_out[64], int64_t *id, const char **missing)
{
	bool found;
	*missing = NULL;
	int rc = id_exists(c, SQL_ADMIN_ORG_EXISTS, org_id, &found);
	if (!rc && !found) {
		*missing = "organisation_id";
		rc = -HEARTH_EINVAL;
	}
	if (!rc)
		rc = auth_token_create(c, name, role, org_id, created_by, secret_out, id);
	return rc;
}
