/*
 * Unit tests for the hash-chained audit log (src/audit/audit.h). Each test
 * gets a fresh temporary SQLite file, migrated, holding six entries appended
 * in their own write transactions ten (shifted) seconds apart, and a keyring
 * loaded from a fresh key file. The tests then play the attacker who can
 * edit the database but has no key: change any column of a row, delete a
 * middle row or the last one, insert a forged row, or verify with another
 * key; audit_verify must report -HEARTH_ETAMPER and name the first bad
 * entry. audit_list is checked for each filter and for keyset paging, and
 * an append whose transaction is rolled back (or that races another writer)
 * must leave the chain intact.
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
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

#define N 6

/* The six entries every test starts with (ids 1..6). */
static const struct audit_entry seed[N] = {
    {7, 1, "user.create", "user:1", "success", "req-1"},
    {7, 1, "user.update", "user:2", "success", "req-2"},
    {8, 0, "auth.login", "user:1", "failure", "req-3"},
    {0, 0, "auth.login", "user:unknown", "failure", NULL},
    {8, 2, "token.create", "token:1", "success", "req-5"},
    {7, 1, "audit.read", "audit", "denied", "req-6"},
};

struct fx {
	char dir[64];
	char db[96], key_a[96], key_b[96];
	struct db_pool *pool;
	struct keyring kr, other;
	int64_t at[N + 1]; /* at[id] */
	int64_t shifted;
};

static void shift(struct fx *fx, int64_t s)
{
	util_time_shift(s);
	fx->shifted += s;
}

static int append(struct fx *fx, const struct audit_entry *e)
{
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (rc == 0)
		rc = audit_append(c, &fx->kr, e);
	if (rc == 0)
		rc = db_commit(c);
	db_release(fx->pool, c); /* rolls back on failure */
	return rc;
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char msg[256];
	int err;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/hearth-unit-audit-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/audit.db", fx->dir);
	snprintf(fx->key_a, sizeof fx->key_a, "%s/a.key", fx->dir);
	snprintf(fx->key_b, sizeof fx->key_b, "%s/b.key", fx->dir);
	if (crypto_keyfile_create(fx->key_a) || crypto_keyfile_create(fx->key_b) ||
	    crypto_keyring_load(&fx->kr, fx->key_a) || crypto_keyring_load(&fx->other, fx->key_b))
		return -1;
	fx->pool = db_pool_open(fx->db, 2, &err, msg, sizeof msg);
	if (!fx->pool)
		return -1;
	log_set_level(LOG_WARN);
	int applied = db_migrate(fx->pool, msg, sizeof msg);
	log_set_level(LOG_INFO);
	if (applied < 1)
		return -1;
	for (int i = 0; i < N; i++) {
		fx->at[i + 1] = util_now();
		if (append(fx, &seed[i]) != 0)
			return -1;
		shift(fx, 10);
	}
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char aux[128];
	util_time_shift(-fx->shifted);
	db_pool_close(fx->pool);
	unlink(fx->db);
	snprintf(aux, sizeof aux, "%s-wal", fx->db);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", fx->db);
	unlink(aux);
	unlink(fx->key_a);
	unlink(fx->key_b);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Runs raw SQL as the attacker would. */
static void tamper(struct fx *fx, const char *sql)
{
	char msg[256] = "";
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_exec_script(c, sql, msg, sizeof msg);
	db_release(fx->pool, c);
	if (rc != 0)
		fail_msg("tamper SQL failed: %s: %s", sql, msg);
}

static void expect_tamper(struct fx *fx, const struct keyring *kr, int64_t bad_id,
                          const char *reason_part)
{
	struct audit_verify_result res;
	int rc = audit_verify(fx->pool, kr, &res);
	if (rc != -HEARTH_ETAMPER)
		fail_msg("audit_verify returned %d (checked %lld), want -HEARTH_ETAMPER", rc,
		         (long long)res.checked);
	if (res.first_bad_id != bad_id)
		fail_msg("first_bad_id %lld, want %lld (%s)", (long long)res.first_bad_id,
		         (long long)bad_id, res.reason);
	if (reason_part && !strstr(res.reason, reason_part))
		fail_msg("reason \"%s\" lacks \"%s\"", res.reason, reason_part);
}

static void expect_intact(struct fx *fx, int64_t checked)
{
	struct audit_verify_result res;
	int rc = audit_verify(fx->pool, &fx->kr, &res);
	if (rc != 0)
		fail_msg("audit_verify returned %d: %s", rc, res.reason);
	assert_int_equal(res.checked, checked);
	assert_int_equal(res.first_bad_id, 0);
}

/* --- audit_verify --- */

static void audit_verify_intact_chain(void **state)
{
	struct fx *fx = *state;
	expect_intact(fx, N);
	/* Appending more keeps it intact. */
	assert_int_equal(append(fx, &seed[0]), 0);
	expect_intact(fx, N + 1);
}

static void audit_verify_empty_log(void **state)
{
	(void)state;
	char path[] = "/tmp/hearth-unit-audit-empty-XXXXXX", msg[256], aux[64];
	int fd = mkstemp(path), err;
	assert_true(fd >= 0);
	close(fd);
	struct db_pool *p = db_pool_open(path, 1, &err, msg, sizeof msg);
	assert_non_null(p);
	log_set_level(LOG_WARN);
	assert_true(db_migrate(p, msg, sizeof msg) >= 1);
	log_set_level(LOG_INFO);
	struct keyring kr;
	unsigned char master[HC_KEY_BYTES] = {1};
	crypto_keyring_from_master(&kr, master);
	struct audit_verify_result res;
	assert_int_equal(audit_verify(p, &kr, &res), 0);
	assert_int_equal(res.checked, 0);
	db_pool_close(p);
	unlink(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);
}

static void audit_verify_detects_changed_outcome(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "UPDATE audit_log SET outcome = 'success' WHERE id = 3");
	expect_tamper(fx, &fx->kr, 3, "changed");
	struct audit_verify_result res;
	audit_verify(fx->pool, &fx->kr, &res);
	assert_int_equal(res.checked, 2);
	/* Putting the value back restores the chain: verify is not sticky. */
	tamper(fx, "UPDATE audit_log SET outcome = 'failure' WHERE id = 3");
	expect_intact(fx, N);
}

/* Every column is covered by the hash (or by the chain). */
static void audit_verify_detects_any_changed_column(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *change, *undo, *reason;
	} cases[] = {
	    {"UPDATE audit_log SET at = at + 1 WHERE id = 2",
	     "UPDATE audit_log SET at = at - 1 WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET actor_id = 8 WHERE id = 2",
	     "UPDATE audit_log SET actor_id = 7 WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET organisation_id = 2 WHERE id = 2",
	     "UPDATE audit_log SET organisation_id = 1 WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET action = 'user.delete' WHERE id = 2",
	     "UPDATE audit_log SET action = 'user.update' WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET resource = 'user:3' WHERE id = 2",
	     "UPDATE audit_log SET resource = 'user:2' WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET request_id = 'req-x' WHERE id = 2",
	     "UPDATE audit_log SET request_id = 'req-2' WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET hash = upper(hash) WHERE id = 2",
	     "UPDATE audit_log SET hash = lower(hash) WHERE id = 2", "changed"},
	    {"UPDATE audit_log SET prev_hash = 'genesis' WHERE id = 2",
	     "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 1)"
	     " WHERE id = 2",
	     "does not follow"},
	    /* Moving a field's bytes into its neighbour must not keep the hash. */
	    {"UPDATE audit_log SET action = 'user.updateuser:2', resource = '' WHERE id = 2",
	     "UPDATE audit_log SET action = 'user.update', resource = 'user:2' WHERE id = 2",
	     "changed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tamper(fx, cases[i].change);
		expect_tamper(fx, &fx->kr, 2, cases[i].reason);
		tamper(fx, cases[i].undo);
		expect_intact(fx, N);
	}
}

static void audit_verify_detects_deleted_middle_row(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "DELETE FROM audit_log WHERE id = 3");
	expect_tamper(fx, &fx->kr, 4, "does not follow");
}

static void audit_verify_detects_deleted_first_row(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "DELETE FROM audit_log WHERE id = 1");
	expect_tamper(fx, &fx->kr, 2, "does not follow");
}

static void audit_verify_detects_deleted_last_row(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "DELETE FROM audit_log WHERE id = 6");
	expect_tamper(fx, &fx->kr, 6, "removed");
	struct audit_verify_result res;
	audit_verify(fx->pool, &fx->kr, &res);
	assert_int_equal(res.checked, N - 1);
}

static void audit_verify_detects_deleted_everything(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "DELETE FROM audit_log");
	expect_tamper(fx, &fx->kr, 1, "removed");
}

static void audit_verify_detects_forged_row_at_end(void **state)
{
	struct fx *fx = *state;
	/* The forger links to the real last hash but cannot compute a valid one. */
	tamper(fx,
	       "INSERT INTO audit_log (id, at, actor_id, organisation_id, action, resource,"
	       " outcome, request_id, prev_hash, hash) SELECT 7, at + 1, 1, NULL, 'user.create',"
	       " 'user:99', 'success', 'req-7', hash, hash FROM audit_log WHERE id = 6");
	expect_tamper(fx, &fx->kr, 7, "changed");
}

static void audit_verify_detects_forged_row_at_end_with_head(void **state)
{
	struct fx *fx = *state;
	/* Same forgery, and the head moved forward too, as a careful attacker would. */
	tamper(fx,
	       "INSERT INTO audit_log (id, at, actor_id, organisation_id, action, resource,"
	       " outcome, request_id, prev_hash, hash) SELECT 7, at + 1, 1, NULL, 'user.create',"
	       " 'user:99', 'success', 'req-7', hash, lower(hex(randomblob(32))) FROM audit_log"
	       " WHERE id = 6;"
	       "UPDATE audit_head SET last_id = 7, last_hash = (SELECT hash FROM audit_log"
	       " WHERE id = 7)");
	expect_tamper(fx, &fx->kr, 7, "changed");
}

static void audit_verify_detects_forged_row_before_start(void **state)
{
	struct fx *fx = *state;
	tamper(fx, "INSERT INTO audit_log (id, at, actor_id, organisation_id, action, resource,"
	           " outcome, request_id, prev_hash, hash) VALUES (0, 1, 1, NULL, 'user.create',"
	           " 'user:99', 'success', '', 'genesis', 'x')");
	struct audit_verify_result res;
	assert_int_equal(audit_verify(fx->pool, &fx->kr, &res), -HEARTH_ETAMPER);
	assert_int_equal(res.checked, 0);
}

static void audit_verify_other_keyring_reports_first_entry(void **state)
{
	struct fx *fx = *state;
	expect_tamper(fx, &fx->other, 1, "changed");
	struct audit_verify_result res;
	audit_verify(fx->pool, &fx->other, &res);
	assert_int_equal(res.checked, 0);
	/* The right key still verifies. */
	expect_intact(fx, N);
}

/* --- key rotation --- */

static int append_with(struct fx *fx, const struct keyring *kr, const struct audit_entry *e)
{
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (rc == 0)
		rc = audit_append(c, kr, e);
	if (rc == 0)
		rc = db_commit(c);
	db_release(fx->pool, c);
	return rc;
}

static int64_t last_entry_cb(uint32_t id, void *ctx)
{
	struct fx *fx = ctx;
	int64_t last = -1;
	assert_int_equal(audit_key_last_entry(fx->pool, id, &last), 0);
	return last;
}

static void audit_verify_across_key_rotation(void **state)
{
	struct fx *fx = *state;
	struct audit_verify_result res;
	struct keyring rotated = fx->kr;
	assert_int_equal(crypto_keyring_rotate(&rotated), 0);
	/* A node on the new key file and one still on the old one append. */
	assert_int_equal(append_with(fx, &rotated, &seed[0]), 0);
	assert_int_equal(append_with(fx, &fx->kr, &seed[1]), 0);
	assert_int_equal(append_with(fx, &rotated, &seed[2]), 0);
	assert_int_equal(audit_verify(fx->pool, &rotated, &res), 0);
	assert_int_equal(res.checked, N + 3);
	/* The old keyring alone cannot check the new entries. */
	expect_tamper(fx, &fx->kr, N + 1, "key 2");
	/* The previous master key destroyed: its audit key still checks the old
	 * entries, up to the last one it made. */
	int64_t last = 0;
	assert_int_equal(audit_key_last_entry(fx->pool, 1, &last), 0);
	assert_int_equal(last, N + 2);
	assert_int_equal(crypto_keyring_drop_previous(&rotated, last_entry_cb, fx), 1);
	assert_int_equal(audit_verify(fx->pool, &rotated, &res), 0);
	assert_int_equal(res.checked, N + 3);
	/* Someone holding the destroyed key cannot add an entry after that. */
	assert_int_equal(append_with(fx, &fx->kr, &seed[3]), 0);
	assert_int_equal(audit_verify(fx->pool, &rotated, &res), -HEARTH_ETAMPER);
	assert_int_equal(res.first_bad_id, N + 4);
	/* Nor pass an entry of the new key off as one of the old key's. */
	tamper(fx, "UPDATE audit_log SET key_id = 1 WHERE id = 9");
	expect_tamper(fx, &rotated, 9, "key 1");
}

/* --- audit_append --- */

static void audit_append_rolled_back_leaves_chain_intact(void **state)
{
	struct fx *fx = *state;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(audit_append(c, &fx->kr, &seed[0]), 0);
	assert_int_equal(audit_append(c, &fx->kr, &seed[1]), 0);
	db_rollback(c);
	db_release(fx->pool, c);
	expect_intact(fx, N);
	/* The next committed entry takes the next id: no gap, no fork. */
	static const struct audit_entry e = {9, 0, "user.create", "user:9", "success", "req-9"};
	assert_int_equal(append(fx, &e), 0);
	expect_intact(fx, N + 1);
}

struct list_result {
	int n;
	int64_t ids[16];
	struct audit_row first; /* strings not kept */
	char first_action[32], first_request[32];
};

static void collect(const struct audit_row *row, void *ctx)
{
	struct list_result *r = ctx;
	if (r->n == 0) {
		r->first = *row;
		snprintf(r->first_action, sizeof r->first_action, "%s", row->action);
		snprintf(r->first_request, sizeof r->first_request, "%s", row->request_id);
	}
	if (r->n < 16)
		r->ids[r->n] = row->id;
	r->n++;
}

static struct list_result list(struct fx *fx, struct audit_filter f)
{
	struct list_result r;
	memset(&r, 0, sizeof r);
	struct db_conn *c = db_acquire(fx->pool);
	int n = audit_list(c, &f, collect, &r);
	db_release(fx->pool, c);
	assert_int_equal(n, r.n);
	return r;
}

static void expect_ids(const struct list_result *r, int n, const int64_t *ids)
{
	if (r->n != n)
		fail_msg("got %d rows, want %d", r->n, n);
	for (int i = 0; i < n; i++)
		if (r->ids[i] != ids[i])
			fail_msg("row %d is id %lld, want %lld", i, (long long)r->ids[i],
			         (long long)ids[i]);
}

struct writer {
	struct fx *fx;
	int n, failures;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	static const struct audit_entry e = {5, 0, "user.update", "user:5", "success", "race"};
	for (int i = 0; i < w->n; i++)
		if (append(w->fx, &e) != 0)
			w->failures++;
	return NULL;
}

static void audit_append_concurrent_writers_keep_chain(void **state)
{
	struct fx *fx = *state;
	pthread_t t[2];
	struct writer w[2] = {{fx, 20, 0}, {fx, 20, 0}};
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].failures + w[1].failures, 0);
	expect_intact(fx, N + 40);
}

/* --- audit_list --- */

static void audit_list_all_newest_first(void **state)
{
	struct fx *fx = *state;
	struct list_result r = list(fx, (struct audit_filter){.limit = 100});
	static const int64_t want[] = {6, 5, 4, 3, 2, 1};
	expect_ids(&r, 6, want);
	assert_string_equal(r.first_action, "audit.read");
	assert_string_equal(r.first_request, "req-6");
	assert_int_equal(r.first.actor_id, 7);
	assert_int_equal(r.first.organisation_id, 1);
	assert_in_range(r.first.at, fx->at[6], fx->at[6] + 1); /* the clock may tick */
}

static void audit_list_row_fields_for_anonymous_entry(void **state)
{
	struct fx *fx = *state;
	struct list_result r =
	    list(fx, (struct audit_filter){.resource = "user:unknown", .limit = 10});
	static const int64_t want[] = {4};
	expect_ids(&r, 1, want);
	assert_int_equal(r.first.actor_id, 0);        /* stored as NULL */
	assert_int_equal(r.first.organisation_id, 0); /* stored as NULL */
	assert_string_equal(r.first_request, "");     /* NULL request id becomes "" */
}

static void audit_list_filters_by_actor(void **state)
{
	struct fx *fx = *state;
	static const int64_t a7[] = {6, 2, 1}, a8[] = {5, 3};
	struct list_result r = list(fx, (struct audit_filter){.actor_id = 7, .limit = 100});
	expect_ids(&r, 3, a7);
	r = list(fx, (struct audit_filter){.actor_id = 8, .limit = 100});
	expect_ids(&r, 2, a8);
	r = list(fx, (struct audit_filter){.actor_id = 12345, .limit = 100});
	expect_ids(&r, 0, NULL);
}

static void audit_list_filters_by_resource(void **state)
{
	struct fx *fx = *state;
	static const int64_t u1[] = {3, 1}, both[] = {3};
	struct list_result r = list(fx, (struct audit_filter){.resource = "user:1", .limit = 100});
	expect_ids(&r, 2, u1);
	/* Exact match, not prefix. */
	r = list(fx, (struct audit_filter){.resource = "user:", .limit = 100});
	expect_ids(&r, 0, NULL);
	r = list(fx, (struct audit_filter){.actor_id = 8, .resource = "user:1", .limit = 100});
	expect_ids(&r, 1, both);
}

static void audit_list_filters_by_time(void **state)
{
	struct fx *fx = *state;
	static const int64_t mid[] = {4, 3}, from5[] = {6, 5}, before2[] = {1};
	struct list_result r =
	    list(fx, (struct audit_filter){.since = fx->at[3], .until = fx->at[5], .limit = 100});
	expect_ids(&r, 2, mid);
	r = list(fx, (struct audit_filter){.since = fx->at[5], .limit = 100});
	expect_ids(&r, 2, from5);
	r = list(fx, (struct audit_filter){.until = fx->at[2], .limit = 100});
	expect_ids(&r, 1, before2);
}

static void audit_list_pages_with_after_id(void **state)
{
	struct fx *fx = *state;
	static const int64_t p1[] = {6, 5}, p2[] = {4, 3}, p3[] = {2, 1};
	struct list_result r = list(fx, (struct audit_filter){.limit = 2});
	expect_ids(&r, 2, p1);
	r = list(fx, (struct audit_filter){.after_id = r.ids[1], .limit = 2});
	expect_ids(&r, 2, p2);
	r = list(fx, (struct audit_filter){.after_id = r.ids[1], .limit = 2});
	expect_ids(&r, 2, p3);
	r = list(fx, (struct audit_filter){.after_id = r.ids[1], .limit = 2});
	expect_ids(&r, 0, NULL);
	/* Paging combines with filters. */
	static const int64_t a7_after6[] = {2};
	r = list(fx, (struct audit_filter){.actor_id = 7, .after_id = 6, .limit = 1});
	expect_ids(&r, 1, a7_after6);
}

static void audit_list_respects_limit(void **state)
{
	struct fx *fx = *state;
	static const int64_t one[] = {6};
	struct list_result r = list(fx, (struct audit_filter){.limit = 1});
	expect_ids(&r, 1, one);
	r = list(fx, (struct audit_filter){.limit = 0});
	expect_ids(&r, 0, NULL);
}

static int group_setup(void **state)
{
	(void)state;
	return crypto_init();
}

/* --- deferred, aggregate entries --- */

static int defer(struct fx *fx, const char *action, const char *resource, int64_t at)
{
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (rc == 0)
		rc = audit_defer(c, action, resource, at);
	if (rc == 0)
		rc = db_commit(c);
	db_release(fx->pool, c);
	return rc;
}

static int flush(struct fx *fx, int64_t now)
{
	struct db_conn *c = db_acquire(fx->pool);
	int rc = audit_flush(c, &fx->kr, now);
	db_release(fx->pool, c);
	return rc;
}

static int settled, settle_fail;
static char settled_resource[64];
static int64_t settled_day;

static int settle(struct db_conn *c, const char *resource, int64_t day)
{
	(void)c;
	settled++;
	snprintf(settled_resource, sizeof settled_resource, "%s", resource);
	settled_day = day;
	return settle_fail;
}

static void audit_flush_writes_finished_days_once(void **state)
{
	struct fx *fx = *state;
	const int64_t day = 1796601600; /* 2026-12-07T00:00:00Z */
	struct list_result got;
	for (int i = 0; i < 3; i++)
		assert_int_equal(defer(fx, "test.anonymous", "round:1", day + 3600 * i), 0);
	assert_int_equal(defer(fx, "test.anonymous", "round:2", day + 80000), 0);
	assert_int_equal(defer(fx, "test.anonymous", "round:1", day + 86400), 0);
	/* During the day nothing is written. */
	assert_int_equal(flush(fx, day + 86399), 0);
	expect_intact(fx, N);
	/* The next day: one entry per round for the finished day, no actor. */
	assert_int_equal(flush(fx, day + 86400 + 5), 2);
	expect_intact(fx, N + 2);
	got = list(fx, (struct audit_filter){.resource = "round:1", .limit = 10});
	assert_int_equal(got.n, 1);
	assert_string_equal(got.first_action, "test.anonymous");
	assert_string_equal(got.first_request, "day=2026-12-07 count=3");
	assert_int_equal(got.first.actor_id, 0);
	assert_int_equal(got.first.actor_token_id, 0);
	/* Written once; the count of the day after stays until it is over. */
	assert_int_equal(flush(fx, day + 86400 + 6), 0);
	assert_int_equal(flush(fx, day + 2 * 86400), 1);
	expect_intact(fx, N + 3);
}

static void audit_flush_settles_rows_and_rolls_back_on_error(void **state)
{
	struct fx *fx = *state;
	const int64_t day = 1796601600;
	audit_on_settle("test.settled", settle);
	assert_int_equal(defer(fx, "test.settled", "round:9", day + 10), 0);
	settled = 0;
	settle_fail = -HEARTH_EDB;
	assert_int_equal(flush(fx, day + 86400), -HEARTH_EDB);
	assert_int_equal(settled, 1);
	expect_intact(fx, N); /* nothing written, the count kept */
	settle_fail = 0;
	assert_int_equal(flush(fx, day + 86400), 1);
	assert_int_equal(settled, 2);
	assert_string_equal(settled_resource, "round:9");
	assert_int_equal(settled_day, day);
	expect_intact(fx, N + 1);
}

static void audit_defer_refuses_long_names(void **state)
{
	struct fx *fx = *state;
	char longname[200];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	assert_int_equal(defer(fx, longname, "round:1", 0), -HEARTH_EINVAL);
	assert_int_equal(defer(fx, "test.anonymous", longname, 0), -HEARTH_EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	    T(audit_verify_intact_chain),
	    cmocka_unit_test(audit_verify_empty_log),
	    T(audit_verify_detects_changed_outcome),
	    T(audit_verify_detects_any_changed_column),
	    T(audit_verify_detects_deleted_middle_row),
	    T(audit_verify_detects_deleted_first_row),
	    T(audit_verify_detects_deleted_last_row),
	    T(audit_verify_detects_deleted_everything),
	    T(audit_verify_detects_forged_row_at_end),
	    T(audit_verify_detects_forged_row_at_end_with_head),
	    T(audit_verify_detects_forged_row_before_start),
	    T(audit_verify_other_keyring_reports_first_entry),
	    T(audit_verify_across_key_rotation),
	    T(audit_append_rolled_back_leaves_chain_intact),
	    T(audit_append_concurrent_writers_keep_chain),
	    T(audit_list_all_newest_first),
	    T(audit_list_row_fields_for_anonymous_entry),
	    T(audit_list_filters_by_actor),
	    T(audit_list_filters_by_resource),
	    T(audit_list_filters_by_time),
	    T(audit_list_pages_with_after_id),
	    T(audit_list_respects_limit),
	    T(audit_flush_writes_finished_days_once),
	    T(audit_flush_settles_rows_and_rolls_back_on_error),
	    T(audit_defer_refuses_long_names),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
