/* Hash-chained audit log; see audit.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

/* SQL catalogue for the audit module. */
static const char SQL_HEAD_ADVANCE[] =
    "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_head SET last_hash = ?, mac = ?, key_id = ? WHERE id = 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (id, at, actor_id, organisation_id, action, resource, outcome,"
    " request_id, prev_hash, hash, actor_token_id, key_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_WALK[] =
    "SELECT id, at, actor_id, organisation_id, action, resource, outcome, request_id,"
    " prev_hash, hash, actor_token_id, key_id FROM audit_log ORDER BY id";
static const char SQL_KEY_LAST[] = "SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE key_id = ?";
static const char SQL_HEAD[] =
    "SELECT last_id, last_hash, mac, key_id FROM audit_head WHERE id = 1";
static const char SQL_LIST[] =
    "SELECT id, at, actor_id, organisation_id, action, resource, outcome, request_id,"
    " actor_token_id FROM audit_log WHERE (?1 = 0 OR actor_id = ?1) AND (COALESCE(?2, '') = '' OR "
    "resource = ?2)"
    " AND (?3 = 0 OR at >= ?3) AND (?4 = 0 OR at < ?4) AND (?5 = 0 OR id < ?5)"
    " ORDER BY id DESC LIMIT ?6";

/* Deferred entries: counts per action, resource and UTC day. */
static const char SQL_PENDING_ADD[] =
    "INSERT INTO audit_pending (action, resource, day, count) VALUES (?1, ?2, ?3, 1) "
    "ON CONFLICT (action, resource, day) DO UPDATE SET count = audit_pending.count + 1";
static const char SQL_PENDING_DUE[] =
    "SELECT action, resource, day FROM audit_pending WHERE day < ?1 "
    "ORDER BY day, action, resource LIMIT 32";
/* RETURNING tells this node whether it took the count: on PostgreSQL a
 * second node flushing at the same moment waits for the first and then
 * deletes nothing. */
static const char SQL_PENDING_TAKE[] =
    "DELETE FROM audit_pending WHERE action = ?1 AND resource = ?2 AND day = ?3 RETURNING count";

/* The hashed message is each field's length and bytes in order, so no
 * separator can be smuggled into a field to shift another. */
static void add_field(crypto_generichash_state *st, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 24)};
	crypto_generichash_update(st, len, sizeof len);
	crypto_generichash_update(st, (const unsigned char *)s, n);
}

/* key is the audit key of the master key the entry names (key_id). */
static void entry_hash(char out[65], const unsigned char *key, int64_t id, int64_t at,
                       int64_t actor, int64_t org, int64_t token, const char *action,
                       const char *resource, const char *outcome, const char *request_id,
                       const char *prev)
{
	crypto_generichash_state st;
	unsigned char h[32];
	char nums[128];
	snprintf(nums, sizeof nums, "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64, id,
	         at, actor, org, token);
	crypto_generichash_init(&st, key, HC_KEY_BYTES, sizeof h);
	add_field(&st, nums);
	add_field(&st, action);
	add_field(&st, resource);
	add_field(&st, outcome);
	add_field(&st, request_id);
	add_field(&st, prev);
	crypto_generichash_final(&st, h, sizeof h);
	util_hex(out, h, sizeof h);
}

/* The head's MAC: proves (last_id, last_hash) was written with the key. */
static void head_mac(char out[65], const unsigned char *key, int64_t last_id, const char *last_hash)
{
	char msg[128];
	snprintf(msg, sizeof msg, "head %" PRId64 " %s", last_id, last_hash);
	crypto_hash_hex(out, key, msg, strlen(msg));
}

int audit_append(struct db_conn *c, const struct keyring *kr, const struct audit_entry *e)
{
	char prev[80], hash[65];
	int64_t id, at = util_now();
	int rc;
	struct db_stmt *s = db_prepare(c, SQL_HEAD_ADVANCE);
	if (!s)
		return -HEARTH_EDB;
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_EDB;
	}
	id = db_col_i64(s, 0);
	snprintf(prev, sizeof prev, "%s", db_col_text(s, 1));
	db_finish(s);

	const char *rid = e->request_id ? e->request_id : "";
	entry_hash(hash, kr->audit, id, at, e->actor_id, e->organisation_id, e->actor_token_id,
	           e->action, e->resource, e->outcome, rid, prev);
	s = db_prepare(c, SQL_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, at);
	db_bind_id(s, 3, e->actor_id);
	db_bind_id(s, 4, e->organisation_id);
	db_bind_text(s, 5, e->action);
	db_bind_text(s, 6, e->resource);
	db_bind_text(s, 7, e->outcome);
	db_bind_text(s, 8, rid);
	db_bind_text(s, 9, prev);
	db_bind_text(s, 10, hash);
	db_bind_id(s, 11, e->actor_token_id);
	db_bind_i64(s, 12, kr->id); /* the entry names the key that made its hash */
	if ((rc = db_run(s)) != 0)
		return rc;
	char mac[65];
	head_mac(mac, kr->audit, id, hash);
	s = db_prepare(c, SQL_HEAD_SET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, hash);
	db_bind_text(s, 2, mac);
	db_bind_i64(s, 3, kr->id);
	return db_run(s);
}

static const char *text_or_empty(struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);
	return t ? t : "";
}

/* --- deferred, aggregate entries (see audit.h) --- */

#define PENDING_TEXT_MAX 96

static struct {
	char action[PENDING_TEXT_MAX];
	audit_settle_fn fn;
} settlers[8];
static size_t nsettlers;

void audit_on_settle(const char *action, audit_settle_fn fn)
{
	for (size_t i = 0; i < nsettlers; i++)
		if (strcmp(settlers[i].action, action) == 0)
			return;
	if (nsettlers < sizeof settlers / sizeof settlers[0] && strlen(action) < PENDING_TEXT_MAX) {
		snprintf(settlers[nsettlers].action, PENDING_TEXT_MAX, "%s", action);
		settlers[nsettlers++].fn = fn;
	}
}

int audit_defer(struct db_conn *c, const char *action, const char *resource, int64_t at)
{
	if (strlen(action) >= PENDING_TEXT_MAX || strlen(resource) >= PENDING_TEXT_MAX)
		return -HEARTH_EINVAL;
	struct db_stmt *s = db_prepare(c, SQL_PENDING_ADD);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, action);
	db_bind_text(s, 2, resource);
	db_bind_i64(s, 3, at - at % 86400);
	return db_run(s);
}

struct pending {
	char action[PENDING_TEXT_MAX], resource[PENDING_TEXT_MAX];
	int64_t day;
};

/* Takes one due count (if no other node took it first) and writes its
 * entry. *written is set when an entry was written. */
static int flush_one(struct db_conn *c, const struct keyring *kr, const struct pending *p,
                     bool *written)
{
	*written = false;
	struct db_stmt *s = db_prepare(c, SQL_PENDING_TAKE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, p->action);
	db_bind_text(s, 2, p->resource);
	db_bind_i64(s, 3, p->day);
	int rc = db_step(s);
	int64_t count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return 0;
	for (size_t i = 0; i < nsettlers; i++)
		if (strcmp(settlers[i].action, p->action) == 0 &&
		    (rc = settlers[i].fn(c, p->resource, p->day)) != 0)
			return rc;
	char day[32], rid[64];
	util_iso8601(day, sizeof day, p->day);
	day[10] = '\0'; /* "YYYY-MM-DD" */
	snprintf(rid, sizeof rid, "day=%s count=%" PRId64, day, count);
	struct audit_entry e = {
	    .action = p->action, .resource = p->resource, .outcome = "success", .request_id = rid};
	if ((rc = audit_append(c, kr, &e)) != 0)
		return rc;
	*written = true;
	return 0;
}

int audit_flush(struct db_conn *c, const struct keyring *kr, int64_t now)
{
	struct pending due[32];
	size_t n;
	int written = 0;
	int rc = db_begin(c, true);
	if (rc)
		return rc;
	do {
		struct db_stmt *s = db_prepare(c, SQL_PENDING_DUE);
		if (!s) {
			rc = -HEARTH_EDB;
			goto out;
		}
		db_bind_i64(s, 1, now - now % 86400);
		n = 0;
		while (n < sizeof due / sizeof due[0] && db_next(s, &rc)) {
			snprintf(due[n].action, PENDING_TEXT_MAX, "%s", text_or_empty(s, 0));
			snprintf(due[n].resource, PENDING_TEXT_MAX, "%s", text_or_empty(s, 1));
			due[n].day = db_col_i64(s, 2);
			n++;
		}
		db_finish(s);
		if (rc < 0)
			goto out;
		rc = 0;
		/* Each count taken is gone, so the next pass reads the next ones;
		 * one another node took first is gone too. */
		for (size_t i = 0; i < n && !rc; i++) {
			bool w;
			rc = flush_one(c, kr, &due[i], &w);
			written += w;
		}
	} while (!rc && n == sizeof due / sizeof due[0]);
	if (!rc)
		rc = db_commit(c);
out:
	if (rc) {
		db_rollback(c);
		return rc;
	}
	return written;
}

int audit_verify(struct db_pool *p, const struct keyring *kr, struct audit_verify_result *res)
{
	char expect_prev[80] = "genesis", hash[65];
	int64_t last_id = 0;
	int rc;
	struct db_conn *c = db_acquire(p);
	memset(res, 0, sizeof *res);
	/* One read transaction: a consistent snapshot even while serving. */
	if ((rc = db_begin(c, false)) != 0)
		goto out;
	struct db_stmt *s = db_prepare(c, SQL_WALK);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	while (db_next(s, &rc)) {
		int64_t id = db_col_i64(s, 0);
		const char *prev = text_or_empty(s, 8);
		const char *stored = text_or_empty(s, 9);
		if (strcmp(prev, expect_prev) != 0) {
			res->first_bad_id = id;
			snprintf(res->reason, sizeof res->reason,
			         "entry %" PRId64 " does not follow entry %" PRId64
			         " (an entry was removed or inserted before it)",
			         id, last_id);
			rc = -HEARTH_ETAMPER;
			break;
		}
		const unsigned char *key =
		    crypto_keyring_audit_key(kr, (uint32_t)db_col_i64(s, 11), id);
		if (!key) {
			res->first_bad_id = id;
			snprintf(res->reason, sizeof res->reason,
			         "entry %" PRId64 " names key %" PRId64
			         ", which the key file does not hold or had destroyed before it",
			         id, db_col_i64(s, 11));
			rc = -HEARTH_ETAMPER;
			break;
		}
		entry_hash(hash, key, id, db_col_i64(s, 1), db_col_i64(s, 2), db_col_i64(s, 3),
		           db_col_i64(s, 10), text_or_empty(s, 4), text_or_empty(s, 5),
		           text_or_empty(s, 6), text_or_empty(s, 7), prev);
		if (!crypto_streq(hash, stored)) {
			res->first_bad_id = id;
			snprintf(res->reason, sizeof res->reason,
			         "entry %" PRId64
			         " was changed (its hash does not match its contents)",
			         id);
			rc = -HEARTH_ETAMPER;
			break;
		}
		snprintf(expect_prev, sizeof expect_prev, "%s", stored);
		last_id = id;
		res->checked++;
	}
	db_finish(s);
	if (rc < 0)
		goto out;
	s = db_prepare(c, SQL_HEAD);
	if (!s || db_step(s) != DB_ROW) {
		db_finish(s);
		rc = -HEARTH_EDB;
		goto out;
	}
	char mac[65] = "";
	const unsigned char *hkey =
	    crypto_keyring_audit_key(kr, (uint32_t)db_col_i64(s, 3), db_col_i64(s, 0));
	if (hkey)
		head_mac(mac, hkey, db_col_i64(s, 0), text_or_empty(s, 1));
	if (db_col_i64(s, 0) != 0 && (!hkey || !crypto_streq(mac, text_or_empty(s, 2)))) {
		res->first_bad_id = last_id + 1;
		snprintf(res->reason, sizeof res->reason,
		         "the chain's head was rewritten without the key (entries were removed "
		         "from the end)");
		rc = -HEARTH_ETAMPER;
	} else if (db_col_i64(s, 0) != last_id || strcmp(text_or_empty(s, 1), expect_prev) != 0) {
		res->first_bad_id = last_id + 1;
		snprintf(res->reason, sizeof res->reason,
		         "the log ends at entry %" PRId64 " but entries up to %" PRId64
		         " were written (entries were removed from the end)",
		         last_id, db_col_i64(s, 0));
		rc = -HEARTH_ETAMPER;
	} else {
		rc = 0;
	}
	db_finish(s);
out:
	db_rollback(c);
	db_release(p, c);
	return rc;
}

int audit_list(struct db_conn *c, const struct audit_filter *f,
               void (*fn)(const struct audit_row *row, void *ctx), void *ctx)
{
	struct db_stmt *s = db_prepare(c, SQL_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, f->actor_id);
	db_bind_text(s, 2, f->resource);
	db_bind_i64(s, 3, f->since);
	db_bind_i64(s, 4, f->until);
	db_bind_i64(s, 5, f->after_id);
	db_bind_i64(s, 6, f->limit);
	int n = 0, rc;
	while (db_next(s, &rc)) {
		struct audit_row r = {
		    .id = db_col_i64(s, 0),
		    .at = db_col_i64(s, 1),
		    .actor_id = db_col_i64(s, 2),
		    .organisation_id = db_col_i64(s, 3),
		    .action = text_or_empty(s, 4),
		    .resource = text_or_empty(s, 5),
		    .outcome = text_or_empty(s, 6),
		    .request_id = text_or_empty(s, 7),
		    .actor_token_id = db_col_i64(s, 8),
		};
		fn(&r, ctx);
		n++;
	}
	db_finish(s);
	return rc < 0 ? rc : n;
}

int audit_key_last_entry(struct db_pool *p, uint32_t key_id, int64_t *last)
{
	int rc = -HEARTH_EDB;
	*last = 0;
	struct db_conn *c = db_acquire(p);
	struct db_stmt *s = db_prepare(c, SQL_KEY_LAST);
	if (s) {
		db_bind_i64(s, 1, key_id);
		rc = db_step(s);
		if (rc == DB_ROW) {
			*last = db_col_i64(s, 0);
			rc = 0;
		} else if (rc >= 0) {
			rc = -HEARTH_EDB;
		}
		db_finish(s);
	}
	db_release(p, c);
	return rc;
}
