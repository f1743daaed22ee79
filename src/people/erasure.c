/*
 * Erasure: requests to be forgotten, crypto-shredding (the person's data
 * key destroyed first, then the rows wiped, audited), the retention sweep
 * of people inactive too long, and the start-up reconciliation that
 * finishes erasures a restored backup brought back.
 */
#include <ctype.h>
#include <inttypes.h>
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
#include "people/internal.h"
#include "core/banned.h"

/* SQL catalogue for erasure. */
static const char SQL_ERASE[] =
    "UPDATE participants SET status = 'erased', profile = NULL, name_bi = NULL, email_bi = NULL,"
    " phone_bi = NULL, user_id = NULL, erased_at = ?, updated_at = ? WHERE id = ?";
static const char SQL_ERASE_CONSENT_NAMES[] =
    "UPDATE consents SET guardian_name = NULL WHERE participant_id = ?";
static const char SQL_ERASE_CODES[] = "DELETE FROM account_codes WHERE participant_id = ?";
static const char SQL_ERASE_LINKS[] = "DELETE FROM account_links WHERE participant_id = ?";
static const char SQL_ERASE_REQUESTS[] =
    "UPDATE erasure_requests SET status = 'approved', decided_at = ?, decided_by = ?"
    " WHERE participant_id = ? AND status = 'pending'";
static const char SQL_STATUS[] = "SELECT status, user_id FROM participants WHERE id = ?";
static const char SQL_REQUEST_PENDING[] =
    "SELECT id FROM erasure_requests WHERE participant_id = ? AND status = 'pending'";
static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO erasure_requests (participant_id, status, requested_at) VALUES (?, 'pending', ?)"
    " RETURNING id";
/* Whether erasure is automatic is the organisations' policy: asked of auth. */
static const char SQL_PERSON_ORGS[] =
    "SELECT organisation_id FROM participant_orgs WHERE participant_id = ?"
    " ORDER BY organisation_id";

static const char SQL_ERASURE_LATEST[] =
    "SELECT id, participant_id, status, requested_at, decided_at, reason_sealed"
    " FROM erasure_requests WHERE participant_id = ?1"
    " ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT 1";
static const char SQL_ERASURE_REJECT[] =
    "UPDATE erasure_requests SET status = 'rejected', decided_by = ?, decided_at = ?,"
    " reason_sealed = ? WHERE id = ? AND status = 'pending'";
static const char SQL_ERASURE_PENDING[] =
    "SELECT participant_id FROM erasure_requests WHERE id = ? AND status = 'pending'";
static const char SQL_EXPIRED[] =
    "SELECT DISTINCT p.id, p.last_activity_at FROM participants p"
    " JOIN participant_orgs po ON po.participant_id = p.id WHERE po.organisation_id = ?"
    " AND p.status = 'active' AND p.last_activity_at < ?"
    " ORDER BY p.last_activity_at, p.id LIMIT ?";
static const char SQL_IS_EXPIRED[] =
    "SELECT 1 FROM participants WHERE id = ? AND status = 'active' AND last_activity_at < ?";

int people__erasure_request(struct db_conn *c, int64_t id, int64_t *request_id, bool *automatic)
{
	struct db_stmt *s = db_prepare(c, SQL_PERSON_ORGS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	/* A person is registered with at most 10 organisations (people_http.c's
	 * organisation_ids), well within this. */
	int64_t orgs[64];
	size_t norgs = 0;
	int rc;
	while (norgs < sizeof orgs / sizeof orgs[0] && db_next(s, &rc))
		orgs[norgs++] = db_col_i64(s, 0);
	db_finish(s);
	if (rc)
		return rc;
	*automatic = false;
	for (size_t i = 0; i < norgs && !*automatic; i++) {
		int arc = auth_org_erasure_automatic(c, orgs[i], automatic);
		if (arc)
			return arc;
	}
	s = db_prepare(c, SQL_REQUEST_PENDING);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	*request_id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (*request_id)
		return 0; /* asking twice is the same request */
	s = db_prepare(c, SQL_REQUEST_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, util_now());
	/* Another request for the same person may win the race (the unique
	 * index: -HEARTH_ECONFLICT); the caller retries and finds that one. */
	return db_insert_id(s, request_id);
}

static int run_id(struct db_conn *c, const char *sql, int64_t id)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	return db_run(s);
}

/* Step 2 of people_erase: wipes what is left of the person in the main
 * database, audited, in one transaction. Returns 0 or -HEARTH_E… with
 * nothing written. */
static int erase_rows(const struct people_ctx *px, struct db_conn *c, int64_t participant_id,
                      int64_t user_id, int64_t actor_id, const char *request_id)
{
	int64_t now = util_now();
	int rc;
	if ((rc = db_begin(c, true)) != 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ERASE);
	if (!s) {
		rc = -HEARTH_EDB;
		goto fail;
	}
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, now);
	db_bind_i64(s, 3, participant_id);
	if ((rc = db_run(s)) != 0 ||
	    (rc = run_id(c, SQL_ERASE_CONSENT_NAMES, participant_id)) != 0 ||
	    (rc = run_id(c, SQL_ERASE_CODES, participant_id)) != 0 ||
	    (rc = run_id(c, SQL_ERASE_LINKS, participant_id)) != 0)
		goto fail;
	/* Their account, if they had one, is auth's to wipe. */
	if (user_id && (rc = auth_user_erase(c, user_id)) != 0)
		goto fail;
	s = db_prepare(c, SQL_ERASE_REQUESTS);
	if (!s) {
		rc = -HEARTH_EDB;
		goto fail;
	}
	db_bind_i64(s, 1, now);
	db_bind_id(s, 2, actor_id);
	db_bind_i64(s, 3, participant_id);
	if ((rc = db_run(s)) != 0)
		goto fail;
	/* An erased person takes part in nothing: modules holding their future
	 * places release them as if participation had been withdrawn. */
	if ((rc = people__consent_withdrawn(c, participant_id, PURPOSE_PARTICIPATION)) != 0)
		goto fail;
	char res[40];
	snprintf(res, sizeof res, "participant:%" PRId64, participant_id);
	struct audit_entry e = {actor_id, 0, "participant.erase", res, "success", request_id};
	if ((rc = audit_append(c, px->kr, &e)) != 0)
		goto fail;
	if ((rc = db_commit(c)) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(c);
	return rc;
}

/* Tries of step 2 once the key is gone (see people_erase). */
#define ERASE_TRIES 3

int people_erase(const struct people_ctx *px, struct db_conn *c, int64_t participant_id,
                 int64_t actor_id, const char *request_id)
{
	int64_t user_id = 0;
	struct db_stmt *s = db_prepare(c, SQL_STATUS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	int rc = db_step(s);
	bool erased = rc == DB_ROW && strcmp(db_col_text(s, 0), "erased") == 0;
	if (rc == DB_ROW)
		user_id = db_col_i64(s, 1);
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_ENOTFOUND;
	if (erased)
		return -HEARTH_ECONFLICT;
	/* 1. Crypto-shred first: from this moment every sealed field of the
	 * person, in this database and in every backup, is unreadable. A
	 * failure here leaves the person whole. */
	if ((rc = people_key_destroy(px, participant_id)) != 0)
		return rc;
	/* 2. Then wipe the rest. The key cannot come back, so a person left
	 * keyless with their account still open would be half erased: a failed
	 * wipe (a deadlock, a lost connection, a refused commit) is tried again
	 * at once. Should every try fail, the start-up reconciliation finishes
	 * the erasure (people_reconcile_erasures), as does asking again. */
	for (int i = 0; i < ERASE_TRIES; i++) {
		rc = erase_rows(px, c, participant_id, user_id, actor_id, request_id);
		if (!rc)
			break;
		log_msg(LOG_WARN, "erasure: wiping the rows failed (%s); try %d of %d",
		        hearth_strerror(rc), i + 1, ERASE_TRIES);
	}
	return rc;
}

static const char SQL_ERASURE_QUEUE[] =
    "SELECT r.id, r.participant_id, r.status, r.requested_at, r.decided_at, p.status"
    " FROM erasure_requests r JOIN participants p ON p.id = r.participant_id"
    " WHERE (COALESCE(?1, '') = '' OR r.status = ?1) AND EXISTS (SELECT 1 FROM"
    " participant_orgs o WHERE o.participant_id = r.participant_id AND o.organisation_id = ?2)";

static int queued_cmp(const void *a, const void *b)
{
	const struct erasure_queued *x = a, *y = b;
	return (x->row.id > y->row.id) - (x->row.id < y->row.id);
}

int people__erasure_queue(struct db_conn *c, struct arena *a, const char *status,
                          const int64_t *orgs, size_t norgs,
                          void (*fn)(const struct erasure_queued *q, void *ctx), void *ctx)
{
	int rc = 0;
	size_t n = 0, cap = 16;
	struct erasure_queued *q = arena_alloc(a, cap * sizeof *q);
	for (size_t k = 0; k < norgs && !rc; k++) {
		struct db_stmt *s = db_prepare(c, SQL_ERASURE_QUEUE);
		if (!s)
			return -HEARTH_EDB;
		db_bind_text(s, 1, status);
		db_bind_i64(s, 2, orgs[k]);
		while (db_next(s, &rc)) {
			int64_t id = db_col_i64(s, 0);
			bool seen = false;
			for (size_t i = 0; i < n && !seen; i++)
				seen = q[i].row.id == id;
			if (seen)
				continue; /* a person of two of the reviewer's organisations */
			if (n == cap) {
				struct erasure_queued *more =
				    arena_alloc(a, 2 * cap * sizeof *more);
				memcpy(more, q, cap * sizeof *more);
				q = more;
				cap *= 2;
			}
			q[n++] = (struct erasure_queued){
			    .row = {.id = id,
			            .participant_id = db_col_i64(s, 1),
			            .status = arena_strdup(a, db_col_text(s, 2)),
			            .requested_at = db_col_i64(s, 3),
			            .decided_at = db_col_i64(s, 4)},
			    .erased = strcmp(db_col_text(s, 5), "erased") == 0,
			};
		}
		db_finish(s);
	}
	qsort(q, n, sizeof *q, queued_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t *ids;
		rc = people__orgs_of(c, a, q[i].row.participant_id, &ids, &q[i].norgs);
		q[i].org_ids = ids;
	}
	for (size_t i = 0; i < n && !rc; i++)
		fn(&q[i], ctx);
	return rc;
}

int people__erasure_latest(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t participant_id, struct erasure_row *out)
{
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_LATEST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, participant_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *sealed = db_col_blob(s, 5, &n);
		char *reason = NULL;
		size_t len;
		/* An erased person's reason cannot be opened: it reads as none. */
		if (sealed && n &&
		    people_open(px, a, participant_id, sealed, n, &reason, &len) != 0)
			reason = NULL;
		*out = (struct erasure_row){
		    .id = db_col_i64(s, 0),
		    .participant_id = db_col_i64(s, 1),
		    .status = arena_strdup(a, db_col_text(s, 2)),
		    .requested_at = db_col_i64(s, 3),
		    .decided_at = db_col_i64(s, 4),
		    .reason = reason,
		};
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

int people__erasure_reject(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t request_id, int64_t actor, const char *reason)
{
	int64_t pid = 0;
	unsigned char *sealed = NULL;
	size_t n = 0;
	int rc = people__erasure_pending(c, request_id, &pid);
	if (!rc)
		rc = people_seal(px, a, pid, reason, strlen(reason), &sealed, &n);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_REJECT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_id(s, 1, actor);
	db_bind_i64(s, 2, util_now());
	db_bind_blob(s, 3, sealed, n);
	db_bind_i64(s, 4, request_id);
	return db_run_one(s);
}

int people__erasure_pending(struct db_conn *c, int64_t request_id, int64_t *participant_id)
{
	struct db_stmt *s = db_prepare(c, SQL_ERASURE_PENDING);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, request_id);
	int rc = db_step(s);
	*participant_id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	return *participant_id ? 0 : -HEARTH_ENOTFOUND;
}

int people__erasure_ask(struct db_conn *c, int64_t id, int64_t *request_id, bool *automatic)
{
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__erasure_request(c, id, request_id, automatic);
	if (rc == -HEARTH_ECONFLICT) {
		/* Asked twice at once: the other request stands; answer with it. */
		db_rollback(c);
		rc = db_begin(c, true);
		if (!rc)
			rc = people__erasure_request(c, id, request_id, automatic);
	}
	if (rc && db_in_transaction(c))
		db_rollback(c);
	return rc;
}

struct expired {
	int64_t id, last;
};

static int expired_cmp(const void *x, const void *y)
{
	const struct expired *a = x, *b = y;
	if (a->last != b->last)
		return a->last < b->last ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

int people__expired(struct db_conn *c, const int64_t *orgs, size_t norgs, int64_t cutoff, int limit,
                    void (*fn)(int64_t id, int64_t last_activity_at, void *ctx), void *ctx)
{
	/* Per organisation, merged: a person in two of them is listed once,
	 * oldest first, at most limit in all. */
	size_t cap = (size_t)(limit > 0 ? limit : 0) * norgs, n = 0;
	struct expired *rows = xmalloc((cap ? cap : 1) * sizeof *rows);
	int rc = 0;
	for (size_t o = 0; o < norgs && !rc; o++) {
		struct db_stmt *s = db_prepare(c, SQL_EXPIRED);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, orgs[o]);
		db_bind_i64(s, 2, cutoff);
		db_bind_i64(s, 3, limit);
		while (db_next(s, &rc)) {
			int64_t id = db_col_i64(s, 0);
			size_t k;
			for (k = 0; k < n; k++)
				if (rows[k].id == id)
					break;
			if (k == n && n < cap)
				rows[n++] = (struct expired){id, db_col_i64(s, 1)};
		}
		db_finish(s);
	}
	if (!rc) {
		qsort(rows, n, sizeof *rows, expired_cmp);
		for (size_t k = 0; k < n && k < (size_t)limit; k++)
			fn(rows[k].id, rows[k].last, ctx);
	}
	free(rows);
	return rc;
}

int people__is_expired(struct db_conn *c, int64_t id, int64_t cutoff)
{
	struct db_stmt *s = db_prepare(c, SQL_IS_EXPIRED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, cutoff);
	int rc;
	bool yes = db_next(s, &rc);
	db_finish(s);
	return rc ? rc : yes ? 0 : -HEARTH_ENOTFOUND;
}

/* --- the key store's erasure record wins (restored backups) --- */

/* Living participants whose sealed profile needs their key: every person
 * made through people__create has one. Rows that never had sealed data
 * (the benchmark's bulk rows, written by SQL) never had a key either, and
 * are not mistaken for an erasure. */
static const char SQL_LIVE_IDS[] = "SELECT id FROM participants WHERE status <> 'erased' "
                                   "AND profile IS NOT NULL ORDER BY id";

int people_reconcile_erasures(const struct people_ctx *px, struct db_pool *pool, size_t *finished)
{
	int64_t *live = NULL, *keyed = NULL, *gone = NULL;
	size_t nlive = 0, nkeyed = 0, ngone = 0, cap = 256;
	unsigned char dk[32];
	int rc = -HEARTH_EDB;
	*finished = 0;
	struct db_conn *c = db_acquire(pool);
	/* 1. The main database's living participants, then the key store's
	 * subjects: in this order (see people.h). */
	struct db_stmt *s = db_prepare(c, SQL_LIVE_IDS);
	if (!s)
		goto out;
	live = xmalloc(cap * sizeof *live);
	while (db_next(s, &rc)) {
		if (nlive == cap)
			live = xrealloc(live, (cap *= 2) * sizeof *live);
		live[nlive++] = db_col_i64(s, 0);
	}
	db_finish(s);
	if (rc || (rc = people__key_subjects(px, &keyed, &nkeyed)) != 0)
		goto out;
	/* 2. Both ascending: one merge finds the living without a key. */
	gone = xmalloc((nlive ? nlive : 1) * sizeof *gone);
	for (size_t i = 0, j = 0; i < nlive; i++) {
		while (j < nkeyed && keyed[j] < live[i])
			j++;
		if (j == nkeyed || keyed[j] != live[i])
			gone[ngone++] = live[i];
	}
	rc = 0;
	if (!ngone)
		goto out;
	/* 3. Erasure cannot be undone: act on this key store only once one of
	 * its keys opens with this key file (keys are bound to it). */
	rc = nkeyed ? people_key_load(px, keyed[0], dk) : -HEARTH_ECRYPTO;
	sodium_memzero(dk, sizeof dk);
	if (rc) {
		rc = -HEARTH_ECRYPTO;
		goto out;
	}
	/* 4. Finish each erasure. When another node starting at the same time
	 * got there first, people_erase answers "already erased": done too.
	 * (Two nodes at the very same moment may both write the tombstone,
	 * which is harmless, and leave two audit entries.) */
	for (size_t i = 0; i < ngone; i++) {
		rc = people_erase(px, c, gone[i], 0, "");
		if (rc == -HEARTH_ECONFLICT || rc == -HEARTH_ENOTFOUND)
			rc = 0;
		else if (rc)
			goto out;
		else
			(*finished)++;
	}
out:
	db_release(pool, c);
	free(live);
	free(keyed);
	free(gone);
	return rc;
}
