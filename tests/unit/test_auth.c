/*
 * Unit tests for identity and access storage (src/auth/auth.h): users,
 * organisations and memberships, login with throttling, sessions with idle
 * and absolute expiry, API tokens, CSRF tokens and the password hashing
 * gate. Each test gets a fresh temporary SQLite file (two connections,
 * migrated) and a keyring from a fixed master key. Time is moved with
 * util_time_shift() instead of sleeping, and every test puts the clock and
 * the throttle settings back in its teardown. Argon2 is the slow part under
 * ASan, so the one password hash users share is computed once, and each
 * test performs only the logins it needs.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

#define PASSWORD "correct horse battery staple"
#define EMAIL    "ada@example.org"
#define ADDR     "192.0.2.1"
#define DAY      86400

static char g_hash[128];                /* hash of PASSWORD, made once */
static struct auth_throttle g_throttle; /* the defaults, restored after each test */

struct fx {
	char dir[64], db[96];
	struct db_pool *pool;
	struct keyring kr;
	struct auth_limits *lim;
	struct arena *arena;
	int64_t org, user;
	int64_t shifted;
};

static void shift(struct fx *fx, int64_t s)
{
	util_time_shift(s);
	fx->shifted += s;
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char msg[256];
	int err;
	unsigned char master[HC_KEY_BYTES];
	memset(master, 0x5A, sizeof master);
	crypto_keyring_from_master(&fx->kr, master);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/hearth-unit-auth-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/auth.db", fx->dir);
	fx->pool = db_pool_open(fx->db, 2, &err, msg, sizeof msg);
	if (!fx->pool)
		return -1;
	log_set_level(LOG_WARN);
	int applied = db_migrate(fx->pool, msg, sizeof msg);
	log_set_level(LOG_INFO);
	if (applied < 1)
		return -1;
	fx->lim = auth_limits_new(4, 16);
	fx->arena = arena_new(4096);

	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_org_ensure(c, "Northside Arts", "arts", &fx->org, NULL);
	if (!rc)
		rc = auth_user_create(c, EMAIL, "Ada", g_hash, &fx->user);
	if (!rc)
		rc = auth_membership_add(c, fx->user, fx->org, ROLE_COORDINATOR, NULL);
	if (!rc)
		rc = db_commit(c);
	db_release(fx->pool, c);
	if (rc)
		return -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char aux[128];
	util_time_shift(-fx->shifted);
	auth_throttle = g_throttle;
	arena_free(fx->arena);
	auth_limits_free(fx->lim);
	db_pool_close(fx->pool);
	unlink(fx->db);
	snprintf(aux, sizeof aux, "%s-wal", fx->db);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", fx->db);
	unlink(aux);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static int login(struct fx *fx, const char *email, const char *password,
                 struct auth_login_result *res)
{
	return auth_login(fx->pool, &fx->kr, fx->lim, email, password, ADDR, "req-test", 30 * DAY,
	                  res);
}

/* Logs in as EMAIL from a client address used by no other attempt, so that
 * only the account's throttle counts. */
static int login_from_new_addr(struct fx *fx, const char *password, struct auth_login_result *res)
{
	static int n;
	char addr[32];
	snprintf(addr, sizeof addr, "203.0.113.%d", ++n % 250);
	return auth_login(fx->pool, &fx->kr, fx->lim, EMAIL, password, addr, "req-test", 30 * DAY,
	                  res);
}

/* Time of the most recent recorded login failure (every key touched by one
 * attempt gets the same timestamp). */
static int64_t last_failure_at(struct fx *fx)
{
	static const char q[] = "SELECT MAX(last_failure_at) FROM login_throttle";
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *st = db_prepare(c, q);
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t t = db_col_i64(st, 0);
	db_finish(st);
	db_release(fx->pool, c);
	assert_true(t > 0);
	return t;
}

/* Makes one attempt with the clock set to offset seconds after the last
 * recorded failure. Under load a verification can take over a second, so
 * "right after the previous attempt" is pinned to the failure's own
 * timestamp instead of the wall clock. The clock may still tick between this
 * helper reading it and auth_login reading it (microseconds), so callers
 * allow one second of slack in the direction that cannot turn a wait into
 * no wait. */
static int at_last_failure(int64_t offset,
                           int (*fn)(struct fx *, const char *, struct auth_login_result *),
                           struct fx *fx, const char *password, struct auth_login_result *res)
{
	int64_t delta = last_failure_at(fx) + offset - util_now();
	util_time_shift(delta);
	int rc = fn(fx, password, res);
	util_time_shift(-delta);
	return rc;
}

static int login_ada(struct fx *fx, const char *password, struct auth_login_result *res)
{
	return login(fx, EMAIL, password, res);
}

static int resolve(struct fx *fx, const char *token, int64_t idle, struct actor *a)
{
	memset(a, 0, sizeof *a);
	struct db_conn *c = db_acquire(fx->pool);
	int rc = auth_session_resolve(c, fx->arena, token, idle, true, a);
	db_release(fx->pool, c);
	return rc;
}

static void sql(struct fx *fx, const char *script)
{
	char msg[256];
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_exec_script(c, script, msg, sizeof msg);
	db_release(fx->pool, c);
	if (rc)
		fail_msg("%s: %s", script, msg);
}

/* --- organisations, users, memberships --- */

static void auth_org_ensure_idempotent(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	int64_t a = 0, b = 0, d = 0;
	bool created = false;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_org_ensure(c, "Riverside Health", "mental_health", &a, &created), 0);
	assert_true(created);
	assert_true(a > 0);
	assert_true(a != fx->org);
	created = true;
	assert_int_equal(auth_org_ensure(c, "Riverside Health", "mental_health", &b, &created), 0);
	assert_false(created);
	assert_int_equal(a, b);
	/* Found by name: a different kind does not create a second one. */
	assert_int_equal(auth_org_ensure(c, "Riverside Health", "partner", &d, NULL), 0);
	assert_int_equal(a, d);
	assert_int_equal(auth_org_ensure(c, "Northside Arts", "arts", &d, &created), 0);
	assert_false(created);
	assert_int_equal(d, fx->org);
	/* A kind outside the schema's list is refused. */
	assert_true(auth_org_ensure(c, "Odd One", "club", &d, &created) < 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
}

static void auth_user_create_duplicate_email_conflict(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0, found = -1;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_create(c, EMAIL, "Someone Else", NULL, &id), -HEARTH_ECONFLICT);
	assert_int_equal(auth_user_create(c, "grace@example.org", "Grace", NULL, &id), 0);
	assert_true(id > 0 && id != fx->user);
	assert_int_equal(auth_user_create(c, "grace@example.org", "Grace", g_hash, NULL),
	                 -HEARTH_ECONFLICT);
	assert_int_equal(db_commit(c), 0);
	assert_int_equal(auth_user_find(c, "grace@example.org", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(auth_user_find(c, EMAIL, &found), 0);
	assert_int_equal(found, fx->user);
	assert_int_equal(auth_user_find(c, "nobody@example.org", &found), 0);
	assert_int_equal(found, 0);
	db_release(fx->pool, c);
}

static void auth_actor_load_roles_and_memberships(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	int64_t org2 = 0, m = 0, uid = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_org_ensure(c, "Riverside Health", "mental_health", &org2, NULL), 0);
	assert_int_equal(auth_user_create(c, "grace@example.org", "Grace", NULL, &uid), 0);
	assert_int_equal(auth_membership_add(c, uid, org2, ROLE_CLINICIAN, &m), 0);
	assert_true(m > 0);
	assert_int_equal(auth_membership_add(c, uid, fx->org, ROLE_ADMIN, NULL), 0);
	assert_int_equal(auth_membership_add(c, uid, org2, ROLE_FACILITATOR, NULL), 0);
	/* The same role twice in one organisation is a conflict. */
	assert_int_equal(auth_membership_add(c, uid, org2, ROLE_CLINICIAN, NULL),
	                 -HEARTH_ECONFLICT);
	assert_int_equal(db_commit(c), 0);

	struct actor a;
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_actor_load(c, fx->arena, &a, uid), 0);
	assert_int_equal(a.user_id, uid);
	assert_string_equal(a.email, "grace@example.org");
	assert_string_equal(a.display_name, "Grace");
	assert_int_equal(a.roles,
	                 (1u << ROLE_CLINICIAN) | (1u << ROLE_ADMIN) | (1u << ROLE_FACILITATOR));
	assert_int_equal(a.nmemberships, 3);
	assert_int_equal(a.organisation_id, org2); /* the first membership */
	assert_int_equal(a.memberships[0].id, m);
	assert_int_equal(a.memberships[0].role, ROLE_CLINICIAN);
	assert_string_equal(a.memberships[0].organisation, "Riverside Health");
	assert_string_equal(a.memberships[0].kind, "mental_health");
	assert_int_equal(a.memberships[1].role, ROLE_ADMIN);
	assert_int_equal(a.memberships[1].organisation_id, fx->org);
	assert_string_equal(a.memberships[1].organisation, "Northside Arts");
	db_release(fx->pool, c);
}

static void auth_actor_load_many_memberships(void **state)
{
	struct fx *fx = *state;
	static const char *const names[] = {"O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9"};
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	for (int i = 0; i < 9; i++) {
		int64_t org = 0;
		assert_int_equal(auth_org_ensure(c, names[i], "partner", &org, NULL), 0);
		assert_int_equal(
		    auth_membership_add(c, fx->user, org, (enum role)(i % ROLE__MAX), NULL), 0);
	}
	assert_int_equal(db_commit(c), 0);
	struct actor a;
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_actor_load(c, fx->arena, &a, fx->user), 0);
	assert_int_equal(a.nmemberships, 10); /* the fixture's one and nine more */
	assert_int_equal(a.memberships[0].organisation_id, fx->org);
	for (int i = 0; i < 9; i++)
		assert_string_equal(a.memberships[i + 1].organisation, names[i]);
	assert_int_equal(a.roles, (1u << ROLE__MAX) - 1);
	db_release(fx->pool, c);
}

static void auth_actor_load_unknown_or_disabled(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	struct actor a;
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_actor_load(c, fx->arena, &a, 999999), -HEARTH_EAUTH);
	db_release(fx->pool, c);
	sql(fx, "UPDATE users SET disabled = 1");
	c = db_acquire(fx->pool);
	assert_int_equal(auth_actor_load(c, fx->arena, &a, fx->user), -HEARTH_EAUTH);
	db_release(fx->pool, c);
}

/* --- login --- */

struct audit_seen {
	int n;
	char outcome[16], resource[32];
};

static void audit_collect(const struct audit_row *row, void *ctx)
{
	struct audit_seen *s = ctx;
	if (s->n++ == 0) {
		snprintf(s->outcome, sizeof s->outcome, "%s", row->outcome);
		snprintf(s->resource, sizeof s->resource, "%s", row->resource);
	}
}

/* The newest audit entry for action auth.login. */
static struct audit_seen last_audit(struct fx *fx)
{
	struct audit_seen s;
	memset(&s, 0, sizeof s);
	struct audit_filter f = {.limit = 1};
	struct db_conn *c = db_acquire(fx->pool);
	assert_true(audit_list(c, &f, audit_collect, &s) >= 0);
	db_release(fx->pool, c);
	return s;
}

static void auth_login_success_creates_session(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), 0);
	assert_int_equal(res.user_id, fx->user);
	assert_true(res.session_id > 0);
	assert_int_equal(strlen(res.token), 43);

	struct actor a;
	assert_int_equal(resolve(fx, res.token, DAY, &a), 0);
	assert_int_equal(a.kind, AUTH_SESSION);
	assert_int_equal(a.user_id, fx->user);
	assert_int_equal(a.session_id, res.session_id);
	assert_string_equal(a.email, EMAIL);
	assert_int_equal(a.roles, 1u << ROLE_COORDINATOR);
	assert_int_equal(a.organisation_id, fx->org);
	assert_string_equal(a.session_token, res.token);

	/* Audited, and the chain verifies. */
	struct audit_seen s = last_audit(fx);
	char want[32];
	snprintf(want, sizeof want, "user:%lld", (long long)fx->user);
	assert_string_equal(s.outcome, "success");
	assert_string_equal(s.resource, want);
	struct audit_verify_result vr;
	assert_int_equal(audit_verify(fx->pool, &fx->kr, &vr), 0);
	assert_int_equal(vr.checked, 1);

	/* The token is stored only as a hash. */
	struct db_conn *c = db_acquire(fx->pool);
	static const char q[] = "SELECT COUNT(*) FROM sessions WHERE token_hash = ?";
	struct db_stmt *st = db_prepare(c, q);
	db_bind_text(st, 1, res.token);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 0);
	db_finish(st);
	db_release(fx->pool, c);
}

static void auth_login_wrong_password(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	assert_int_equal(login(fx, EMAIL, "wrong horse", &res), -HEARTH_EAUTH);
	assert_int_equal(res.user_id, 0);
	assert_int_equal(res.session_id, 0);
	assert_string_equal(res.token, "");
	struct audit_seen s = last_audit(fx);
	assert_string_equal(s.outcome, "failure");
}

static void auth_login_unknown_email(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	assert_int_equal(login(fx, "nobody@example.org", PASSWORD, &res), -HEARTH_EAUTH);
	assert_string_equal(res.token, "");
	struct audit_seen s = last_audit(fx);
	assert_string_equal(s.outcome, "failure");
	assert_string_equal(s.resource, "user:unknown");
}

static void auth_login_user_without_password(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_create(c, "nopw@example.org", "No Password", NULL, NULL), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	struct auth_login_result res;
	assert_int_equal(login(fx, "nopw@example.org", "", &res), -HEARTH_EAUTH);
}

static void auth_login_disabled_user(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	struct actor a;
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), 0);
	sql(fx, "UPDATE users SET disabled = 1");
	/* The existing session stops working and a new login is refused. */
	assert_int_equal(resolve(fx, res.token, DAY, &a), -HEARTH_EAUTH);
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), -HEARTH_EAUTH);
}

static void auth_login_throttle_backoff_then_lock(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	auth_throttle.slow_after = 2;
	auth_throttle.lock_after = 4;
	auth_throttle.lock_seconds = 120;

	assert_int_equal(login_from_new_addr(fx, "wrong 1", &res), -HEARTH_EAUTH);
	assert_int_equal(login_from_new_addr(fx, "wrong 2", &res), -HEARTH_EAUTH);
	/* Two failures: the next attempt must wait (1 s), even with the right password. */
	assert_int_equal(at_last_failure(-1, login_from_new_addr, fx, PASSWORD, &res),
	                 -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 1, 2);
	assert_string_equal(res.token, "");
	assert_int_equal(res.session_id, 0);

	/* After the backoff an attempt is heard again; the backoff doubles (2 s). */
	assert_int_equal(at_last_failure(2, login_from_new_addr, fx, "wrong 3", &res),
	                 -HEARTH_EAUTH);
	assert_int_equal(at_last_failure(-1, login_from_new_addr, fx, PASSWORD, &res),
	                 -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 2, 3);

	/* The fourth failure locks the account; the right password is refused. */
	assert_int_equal(at_last_failure(3, login_from_new_addr, fx, "wrong 4", &res),
	                 -HEARTH_EAUTH);
	assert_int_equal(at_last_failure(0, login_from_new_addr, fx, PASSWORD, &res),
	                 -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 119, 120);
	assert_int_equal(at_last_failure(60, login_from_new_addr, fx, PASSWORD, &res),
	                 -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 59, 60);
	assert_int_equal(at_last_failure(118, login_from_new_addr, fx, PASSWORD, &res),
	                 -HEARTH_ELOCKED);

	/* Once the lock has passed, the right password works again. */
	assert_int_equal(at_last_failure(121, login_from_new_addr, fx, PASSWORD, &res), 0);
	assert_int_equal(res.user_id, fx->user);
	assert_int_equal(strlen(res.token), 43);
}

static int login_ghost(struct fx *fx, const char *password, struct auth_login_result *res)
{
	static int n;
	char addr[32];
	snprintf(addr, sizeof addr, "198.51.100.%d", ++n % 250);
	return auth_login(fx->pool, &fx->kr, fx->lim, "ghost@example.org", password, addr, "r", DAY,
	                  res);
}

/* Emails without an account are throttled the same way, so the answers never
 * reveal whether an account exists. Each attempt comes from a new address. */
static void auth_login_throttle_unknown_email_same_rules(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	auth_throttle.slow_after = 2;
	auth_throttle.lock_after = 4;
	assert_int_equal(login_ghost(fx, "x", &res), -HEARTH_EAUTH);
	assert_int_equal(login_ghost(fx, "y", &res), -HEARTH_EAUTH);
	assert_int_equal(at_last_failure(-1, login_ghost, fx, "z", &res), -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 1, 2);
}

/* Failures from one client address slow down every account tried from it. */
static void auth_login_throttle_per_address(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	auth_throttle.slow_after = 2;
	auth_throttle.addr_slow_after = 2;
	assert_int_equal(login(fx, "x1@example.org", "x", &res), -HEARTH_EAUTH);
	assert_int_equal(login(fx, "x2@example.org", "x", &res), -HEARTH_EAUTH);
	/* Ada's account is clean, but ADDR has two failures. */
	assert_int_equal(at_last_failure(-1, login_ada, fx, PASSWORD, &res), -HEARTH_ELOCKED);
	assert_in_range(res.retry_after, 1, 2);
	/* From another address she gets in at once. */
	assert_int_equal(at_last_failure(-1, login_from_new_addr, fx, PASSWORD, &res), 0);
}

/* Failures on another account from another address do not slow Ada down. */
static void auth_login_throttle_is_per_account(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	auth_throttle.slow_after = 2;
	for (int i = 0; i < 3; i++)
		(void)login_ghost(fx, "x", &res);
	assert_int_equal(at_last_failure(-1, login_ada, fx, PASSWORD, &res), 0);
}

/* --- sessions --- */

static void auth_session_idle_expiry(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	struct actor a;
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), 0);
	assert_int_equal(resolve(fx, res.token, 600, &a), 0);
	shift(fx, 500);
	assert_int_equal(resolve(fx, res.token, 600, &a), 0); /* and touches last_seen */
	shift(fx, 500);                                       /* 1000 s after login */
	assert_int_equal(resolve(fx, res.token, 600, &a), 0); /* sliding: 500 s idle */
	shift(fx, 601);
	assert_int_equal(resolve(fx, res.token, 600, &a), -HEARTH_EAUTH);
	/* A longer idle limit does not resurrect it either once absolute expiry passes. */
	shift(fx, 31 * DAY);
	assert_int_equal(resolve(fx, res.token, 365 * DAY, &a), -HEARTH_EAUTH);
}

static void auth_session_absolute_expiry(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	struct actor a;
	assert_int_equal(
	    auth_login(fx->pool, &fx->kr, fx->lim, EMAIL, PASSWORD, ADDR, "r", 1000, &res), 0);
	shift(fx, 500);
	assert_int_equal(resolve(fx, res.token, 10 * DAY, &a), 0);
	shift(fx, 450);
	assert_int_equal(resolve(fx, res.token, 10 * DAY, &a), 0);
	/* Activity does not extend the absolute lifetime. */
	shift(fx, 60);
	assert_int_equal(resolve(fx, res.token, 10 * DAY, &a), -HEARTH_EAUTH);
}

static void auth_session_delete_then_resolve(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res, res2;
	struct actor a;
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), 0);
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res2), 0);
	assert_string_not_equal(res.token, res2.token);
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(auth_session_delete(c, res.session_id), 0);
	db_release(fx->pool, c);
	assert_int_equal(resolve(fx, res.token, DAY, &a), -HEARTH_EAUTH);
	/* Only that session ended. */
	assert_int_equal(resolve(fx, res2.token, DAY, &a), 0);
}

/* --- erasure of a person's account (called by people's erasure) --- */

static void auth_user_erase_ends_login_sessions_and_memberships(void **state)
{
	struct fx *fx = *state;
	struct auth_login_result res;
	struct actor a;
	int64_t found = -1;
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), 0);
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_erase(c, fx->user), 0);
	assert_int_equal(db_commit(c), 0);
	/* Nothing left to find them by, and the login is gone. */
	assert_int_equal(auth_user_find(c, EMAIL, &found), 0);
	assert_int_equal(found, 0);
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_actor_load(c, fx->arena, &a, fx->user), -HEARTH_EAUTH);
	static const char q[] = "SELECT (SELECT count(*) FROM memberships WHERE user_id = ?1),"
	                        " (SELECT count(*) FROM sessions WHERE user_id = ?1),"
	                        " (SELECT display_name FROM users WHERE id = ?1)";
	struct db_stmt *st = db_prepare(c, q);
	assert_non_null(st);
	db_bind_i64(st, 1, fx->user);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 0);
	assert_int_equal(db_col_i64(st, 1), 0);
	assert_string_equal(db_col_text(st, 2), "Erased person");
	db_finish(st);
	db_release(fx->pool, c);
	assert_int_equal(resolve(fx, res.token, DAY, &a), -HEARTH_EAUTH);
	assert_int_equal(login(fx, EMAIL, PASSWORD, &res), -HEARTH_EAUTH);
}

static void auth_org_erasure_automatic_policy(void **state)
{
	struct fx *fx = *state;
	char script[160];
	bool automatic = true;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(auth_org_erasure_automatic(c, fx->org, &automatic), 0);
	assert_false(automatic); /* the default is review by staff */
	db_release(fx->pool, c);
	snprintf(script, sizeof script,
	         "UPDATE organisations SET erasure_policy = 'automatic' WHERE id = %lld;",
	         (long long)fx->org);
	sql(fx, script);
	c = db_acquire(fx->pool);
	assert_int_equal(auth_org_erasure_automatic(c, fx->org, &automatic), 0);
	assert_true(automatic);
	assert_int_equal(auth_org_erasure_automatic(c, fx->org + 1000, &automatic), 0);
	assert_false(automatic);
	db_release(fx->pool, c);
}

static void auth_session_resolve_rejects_bad_tokens(void **state)
{
	struct fx *fx = *state;
	struct actor a;
	char random[48], longer[200];
	crypto_token(random, sizeof random);
	memset(longer, 'A', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(resolve(fx, random, DAY, &a), -HEARTH_EAUTH);
	assert_int_equal(resolve(fx, "", DAY, &a), -HEARTH_EAUTH);
	assert_int_equal(resolve(fx, longer, DAY, &a), -HEARTH_EAUTH);
	assert_int_equal(a.kind, AUTH_NONE);
	assert_int_equal(a.user_id, 0);
}

/* --- API tokens --- */

static void auth_token_create_resolve_revoke(void **state)
{
	struct fx *fx = *state;
	char secret[64];
	int64_t id = 0;
	struct actor a;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(
	    auth_token_create(c, "reporting", ROLE_FUNDER, fx->org, fx->user, secret, &id), 0);
	assert_int_equal(db_commit(c), 0);
	assert_true(id > 0);
	assert_int_equal(strncmp(secret, "hth_", 4), 0);
	assert_int_equal(strlen(secret), 4 + 43);

	memset(&a, 0, sizeof a);
	assert_int_equal(auth_token_resolve(c, fx->arena, secret, &a), 0);
	assert_int_equal(a.kind, AUTH_TOKEN);
	assert_int_equal(a.token_id, id);
	assert_int_equal(a.user_id, 0);
	assert_int_equal(a.roles, 1u << ROLE_FUNDER);
	assert_int_equal(a.organisation_id, fx->org);
	assert_int_equal(a.nmemberships, 1);
	assert_int_equal(a.memberships[0].role, ROLE_FUNDER);
	assert_string_equal(a.memberships[0].organisation, "Northside Arts");
	assert_non_null(strstr(a.display_name, "reporting"));

	/* Stored only as a hash. */
	static const char q[] = "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?";
	struct db_stmt *st = db_prepare(c, q);
	db_bind_text(st, 1, secret);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 0);
	db_finish(st);

	assert_int_equal(auth_token_revoke(c, id), 0);
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_token_resolve(c, fx->arena, secret, &a), -HEARTH_EAUTH);
	assert_int_equal(a.roles, 0);
	assert_int_equal(auth_token_revoke(c, id), -HEARTH_ENOTFOUND);
	assert_int_equal(auth_token_revoke(c, 999999), -HEARTH_ENOTFOUND);
	db_release(fx->pool, c);
}

static void auth_token_resolve_rejects_unknown(void **state)
{
	struct fx *fx = *state;
	char secret[64], random[48], forged[64], longer[120];
	struct actor a;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_token_create(c, "t", ROLE_ADMIN, fx->org, 0, secret, NULL), 0);
	assert_int_equal(db_commit(c), 0);
	crypto_token(random, sizeof random);
	snprintf(forged, sizeof forged, "hth_%s", random);
	memset(&a, 0, sizeof a);
	assert_int_equal(auth_token_resolve(c, fx->arena, forged, &a), -HEARTH_EAUTH);
	/* The secret without its prefix, or with one character changed. */
	assert_int_equal(auth_token_resolve(c, fx->arena, secret + 4, &a), -HEARTH_EAUTH);
	char altered[64];
	snprintf(altered, sizeof altered, "%s", secret);
	altered[10] = altered[10] == 'A' ? 'B' : 'A';
	assert_int_equal(auth_token_resolve(c, fx->arena, altered, &a), -HEARTH_EAUTH);
	assert_int_equal(auth_token_resolve(c, fx->arena, "", &a), -HEARTH_EAUTH);
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	memcpy(longer, "hth_", 4);
	assert_int_equal(auth_token_resolve(c, fx->arena, longer, &a), -HEARTH_EAUTH);
	assert_int_equal(a.kind, AUTH_NONE);
	/* The real one still works. */
	assert_int_equal(auth_token_resolve(c, fx->arena, secret, &a), 0);
	assert_int_equal(a.roles, 1u << ROLE_ADMIN);
	db_release(fx->pool, c);
}

/* --- CSRF --- */

static void auth_csrf_token_per_session_and_keyring(void **state)
{
	struct fx *fx = *state;
	char a1[65], a2[65], b[65], other[65];
	struct keyring kr2;
	unsigned char master[HC_KEY_BYTES];
	memset(master, 0x5B, sizeof master);
	crypto_keyring_from_master(&kr2, master);
	auth_csrf_token(&fx->kr, "session-token-a", a1);
	auth_csrf_token(&fx->kr, "session-token-a", a2);
	auth_csrf_token(&fx->kr, "session-token-b", b);
	auth_csrf_token(&kr2, "session-token-a", other);
	assert_int_equal(strlen(a1), 64);
	assert_int_equal(strspn(a1, "0123456789abcdef"), 64);
	assert_string_equal(a1, a2);
	assert_string_not_equal(a1, b);
	assert_string_not_equal(a1, other);
	/* Not derivable without the key. */
	char unkeyed[65];
	crypto_hash_hex(unkeyed, NULL, "session-token-a", strlen("session-token-a"));
	assert_string_not_equal(a1, unkeyed);
}

/* --- the hashing gate --- */

struct hash_job {
	struct auth_limits *lim;
	pthread_barrier_t *start;
	int rc;
	char out[128];
};

static void *hash_main(void *arg)
{
	struct hash_job *j = arg;
	pthread_barrier_wait(j->start);
	j->rc = auth_password_hash(j->lim, j->out, "pw");
	return NULL;
}

/* Starts n hashing threads together; returns how many were refused. */
static int hash_race(struct auth_limits *lim, int n, int *ok)
{
	pthread_t t[8];
	struct hash_job jobs[8];
	pthread_barrier_t start;
	assert_true(n <= 8);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct hash_job){.lim = lim, .start = &start, .rc = 99};
		assert_int_equal(pthread_create(&t[i], NULL, hash_main, &jobs[i]), 0);
	}
	int refused = 0;
	*ok = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (jobs[i].rc == -HEARTH_EOVERLOAD)
			refused++;
		else if (jobs[i].rc == 0 && strncmp(jobs[i].out, "$argon2id$", 10) == 0)
			(*ok)++;
		else
			fail_msg("thread %d: unexpected rc %d", i, jobs[i].rc);
	}
	pthread_barrier_destroy(&start);
	return refused;
}

/* One hash at a time and no queue: of four threads released together, one
 * hashes and the others are refused. The gate cannot be observed from
 * outside, so this relies on a hash (~0.1 s) far outlasting the barrier
 * release (microseconds); a round where the threads happened not to overlap
 * at all is retried, up to three rounds. */
static void auth_password_hash_overload(void **state)
{
	(void)state;
	struct auth_limits *lim = auth_limits_new(1, 0);
	int refused = 0, ok = 0;
	for (int round = 0; round < 3 && refused == 0; round++)
		refused = hash_race(lim, 4, &ok);
	assert_true(refused >= 1);
	assert_true(ok >= 1);
	assert_int_equal(refused + ok, 4);
	/* The gate is released afterwards: a lone hash succeeds. */
	char out[128];
	assert_int_equal(auth_password_hash(lim, out, "pw"), 0);
	auth_limits_free(lim);
}

/* With room in the queue nobody is refused: waiters get their turn. */
static void auth_password_hash_queue_waits(void **state)
{
	(void)state;
	struct auth_limits *lim = auth_limits_new(1, 2);
	int ok = 0;
	assert_int_equal(hash_race(lim, 3, &ok), 0);
	assert_int_equal(ok, 3);
	auth_limits_free(lim);
}

static int group_setup(void **state)
{
	(void)state;
	if (crypto_init() != 0 || crypto_password_hash(g_hash, PASSWORD) != 0)
		return -1;
	g_throttle = auth_throttle;
	return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	    T(auth_org_ensure_idempotent),
	    T(auth_user_create_duplicate_email_conflict),
	    T(auth_actor_load_roles_and_memberships),
	    T(auth_actor_load_many_memberships),
	    T(auth_actor_load_unknown_or_disabled),
	    T(auth_login_success_creates_session),
	    T(auth_login_wrong_password),
	    T(auth_login_unknown_email),
	    T(auth_login_user_without_password),
	    T(auth_login_disabled_user),
	    T(auth_login_throttle_backoff_then_lock),
	    T(auth_login_throttle_unknown_email_same_rules),
	    T(auth_login_throttle_per_address),
	    T(auth_login_throttle_is_per_account),
	    T(auth_session_idle_expiry),
	    T(auth_session_absolute_expiry),
	    T(auth_session_delete_then_resolve),
	    T(auth_session_resolve_rejects_bad_tokens),
	    T(auth_user_erase_ends_login_sessions_and_memberships),
	    T(auth_org_erasure_automatic_policy),
	    T(auth_token_create_resolve_revoke),
	    T(auth_token_resolve_rejects_unknown),
	    T(auth_csrf_token_per_session_and_keyring),
	    cmocka_unit_test(auth_password_hash_overload),
	    cmocka_unit_test(auth_password_hash_queue_waits),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
