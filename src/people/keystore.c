/*
 * The key store: per-person data keys, wrapped by the master key, in a
 * database of their own. It is small (one row per person), is never part of
 * the main database or its backups, and deleting a row is erasure: SQLite
 * runs with secure_delete (deleted bytes are overwritten) and the WAL is
 * checkpointed and truncated after each deletion, so the wrapped key does
 * not linger on disk in the store.
 *
 * A wrapped key names the master key that wrapped it (crypto.h), so `hearth
 * keys rotate` re-wraps row by row while nodes serve: every row opens with
 * the current or the previous master key until `hearth keys destroy-old`.
 *
 * A key is created before the main transaction that first seals with it
 * commits. A crash between the two commits leaves an orphan key: its
 * subject has no participant row. On SQLite that participant id is handed
 * out again, and the next person given it replaces the orphan
 * (people__key_replace_orphan); elsewhere the start-up sweep
 * (people_keys_sweep) removes orphans older than a grace period.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "people/internal.h"
#include "core/banned.h"

struct keystore {
	struct db_pool *db;
	/* A running node meets keys re-wrapped by `hearth keys rotate` under a
	 * master key it did not load at start: it then reads the key file again
	 * (at most once a second) and opens them with that keyring. */
	pthread_mutex_t mu;
	char *key_file;         /* NULL: no reloading (commands, tests) */
	struct keyring *fresh;  /* the key file as last reloaded, or NULL */
	int64_t fresh_tried_at; /* when it was last read */
};

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS data_keys ("
                                 " subject_id INTEGER PRIMARY KEY,"
                                 " wrapped BLOB NOT NULL,"
                                 " created_at INTEGER NOT NULL)";
static const char SQL_INSERT[] =
    "INSERT INTO data_keys (subject_id, wrapped, created_at) VALUES (?, ?, ?)";
static const char SQL_GET[] = "SELECT wrapped FROM data_keys WHERE subject_id = ?";
static const char SQL_DELETE[] = "DELETE FROM data_keys WHERE subject_id = ?";
static const char SQL_CHECKPOINT[] = "PRAGMA wal_checkpoint(TRUNCATE)";
static const char SQL_SUBJECTS[] = "SELECT subject_id FROM data_keys ORDER BY subject_id";
static const char SQL_REPLACE[] =
    "UPDATE data_keys SET wrapped = ?, created_at = ? WHERE subject_id = ?";
static const char SQL_ALL_WRAPPED[] =
    "SELECT subject_id, wrapped FROM data_keys ORDER BY subject_id";
/* Conditional on the old bytes: a row erased or re-wrapped meanwhile (by
 * another rotate run) is left alone. */
static const char SQL_REWRAP[] =
    "UPDATE data_keys SET wrapped = ? WHERE subject_id = ? AND wrapped = ?";
static const char SQL_SUBJECTS_AGES[] =
    "SELECT subject_id, created_at FROM data_keys ORDER BY subject_id";
/* The main database's side of the sweep: every participant row, erased or
 * not (an erased person's key is already gone). */
static const char SQL_PARTICIPANT_IDS[] = "SELECT id FROM participants ORDER BY id";

void keystore_default_path(const char *key_file, char *out, size_t size)
{
	const char *slash = strrchr(key_file, '/');
	if (!slash)
		snprintf(out, size, "hearth.keystore.db");
	else
		snprintf(out, size, "%.*s/hearth.keystore.db", (int)(slash - key_file), key_file);
}

struct keystore *keystore_open(const char *url, char *errmsg, size_t errlen)
{
	int err;
	struct db_pool *p = db_pool_open(url, 4, &err, errmsg, errlen);
	if (!p)
		return NULL;
	struct db_conn *c = db_acquire(p);
	/* Nodes starting together must not create the table twice. */
	int rc = db_begin(c, true);
	if (!rc && (rc = c->be->lock_migrations(c)) == 0 &&
	    (rc = db_exec_script(c, SQL_CREATE, errmsg, errlen)) == 0)
		rc = db_commit(c);
	if (rc)
		db_rollback(c);
	db_release(p, c);
	if (rc) {
		db_pool_close(p);
		return NULL;
	}
	struct keystore *ks = xcalloc(1, sizeof *ks);
	ks->db = p;
	pthread_mutex_init(&ks->mu, NULL);
	return ks;
}

void keystore_close(struct keystore *ks)
{
	if (!ks)
		return;
	db_pool_close(ks->db);
	if (ks->fresh) {
		crypto_keyring_wipe(ks->fresh);
		free(ks->fresh);
	}
	free(ks->key_file);
	pthread_mutex_destroy(&ks->mu);
	free(ks);
}

void keystore_set_key_file(struct keystore *ks, const char *key_file)
{
	free(ks->key_file);
	ks->key_file = key_file ? xstrdup(key_file) : NULL;
}

/* Unwraps w with the key file as it is now, for a wrapped key naming a
 * master key the node's keyring lacks (a rotation since the node started).
 * Returns 0 or -HEARTH_ECRYPTO. */
static int unwrap_fresh(struct keystore *ks, unsigned char dk[32], int64_t subject,
                        const unsigned char *w, size_t n)
{
	int rc = -HEARTH_ECRYPTO;
	if (!ks->key_file)
		return rc;
	pthread_mutex_lock(&ks->mu);
	if (ks->fresh)
		rc = crypto_datakey_unwrap(ks->fresh, dk, subject, w, n);
	if (rc && ks->fresh_tried_at != util_now()) {
		struct keyring *kr = xmalloc(sizeof *kr);
		ks->fresh_tried_at = util_now();
		if (crypto_keyring_load(kr, ks->key_file) == 0) {
			if (ks->fresh) {
				crypto_keyring_wipe(ks->fresh);
				free(ks->fresh);
			}
			ks->fresh = kr;
			kr = NULL;
			rc = crypto_datakey_unwrap(ks->fresh, dk, subject, w, n);
		}
		if (kr) {
			crypto_keyring_wipe(kr);
			free(kr);
		}
	}
	pthread_mutex_unlock(&ks->mu);
	return rc;
}

int people_key_create(const struct people_ctx *px, int64_t subject, unsigned char dk[32])
{
	unsigned char wrapped[HC_WRAPPED_MAX_BYTES];
	crypto_datakey_new(dk);
	size_t wn = crypto_datakey_wrap(px->kr, wrapped, subject, dk);
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	int rc = -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, subject);
		db_bind_blob(s, 2, wrapped, wn);
		db_bind_i64(s, 3, util_now());
		rc = db_run(s);
	}
	db_release(px->ks->db, c);
	if (rc)
		sodium_memzero(dk, 32);
	return rc;
}

int people__key_replace_orphan(const struct people_ctx *px, int64_t subject, unsigned char dk[32])
{
	unsigned char wrapped[HC_WRAPPED_MAX_BYTES];
	crypto_datakey_new(dk);
	size_t wn = crypto_datakey_wrap(px->kr, wrapped, subject, dk);
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_REPLACE);
	int rc = -HEARTH_EDB;
	if (s) {
		db_bind_blob(s, 1, wrapped, wn);
		db_bind_i64(s, 2, util_now());
		db_bind_i64(s, 3, subject);
		rc = db_run_one(s);
	}
	if (rc == 0 && db_pool_kind(px->ks->db) == DB_SQLITE) {
		/* The orphan's bytes were overwritten (secure_delete); empty the WAL. */
		char em[128];
		(void)db_exec_script(c, SQL_CHECKPOINT, em, sizeof em);
	}
	db_release(px->ks->db, c);
	if (rc)
		sodium_memzero(dk, 32);
	return rc;
}

int people_key_load(const struct people_ctx *px, int64_t subject, unsigned char dk[32])
{
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_GET);
	int rc = -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, subject);
		rc = db_step(s);
		if (rc == DB_ROW) {
			size_t n;
			const void *w = db_col_blob(s, 0, &n);
			rc = crypto_datakey_unwrap(px->kr, dk, subject, w, n);
			if (rc == -HEARTH_ECRYPTO &&
			    !crypto_keyring_has_wrap_key(px->kr, crypto_wrapped_key_id(w, n)))
				rc = unwrap_fresh(px->ks, dk, subject, w, n);
		} else if (rc == DB_DONE) {
			rc = -HEARTH_ENOTFOUND;
		}
		db_finish(s);
	}
	db_release(px->ks->db, c);
	return rc;
}

int people_key_destroy(const struct people_ctx *px, int64_t subject)
{
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_DELETE);
	int rc = -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, subject);
		rc = db_run(s);
	}
	if (rc == 0 && db_pool_kind(px->ks->db) == DB_SQLITE) {
		/* Push the overwritten page into the main file and empty the WAL. */
		char em[128];
		(void)db_exec_script(c, SQL_CHECKPOINT, em, sizeof em);
	}
	db_release(px->ks->db, c);
	return rc;
}

int people_seal(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                const void *plain, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned char dk[32];
	int rc = people_key_load(px, participant_id, dk);
	if (rc)
		return rc;
	unsigned char ad[8]; /* binds the ciphertext to its person */
	for (int i = 0; i < 8; i++)
		ad[i] = (unsigned char)((uint64_t)participant_id >> (8 * i));
	*outlen = n + HC_SEAL_OVERHEAD;
	*out = arena_alloc(a, *outlen);
	crypto_seal(*out, dk, plain, n, ad, sizeof ad);
	sodium_memzero(dk, sizeof dk);
	return 0;
}

int people_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                const unsigned char *sealed, size_t n, char **out, size_t *outlen)
{
	unsigned char dk[32];
	if (n < HC_SEAL_OVERHEAD)
		return -HEARTH_ECRYPTO;
	int rc = people_key_load(px, participant_id, dk);
	if (rc)
		return rc;
	unsigned char ad[8];
	for (int i = 0; i < 8; i++)
		ad[i] = (unsigned char)((uint64_t)participant_id >> (8 * i));
	*outlen = n - HC_SEAL_OVERHEAD;
	*out = arena_alloc(a, *outlen + 1);
	rc = crypto_open((unsigned char *)*out, dk, sealed, n, ad, sizeof ad);
	(*out)[*outlen] = '\0';
	sodium_memzero(dk, sizeof dk);
	return rc;
}

int people__key_subjects(const struct people_ctx *px, int64_t **ids, size_t *n)
{
	size_t cap = 256;
	int64_t *out = xmalloc(cap * sizeof *out);
	int rc = -HEARTH_EDB;
	*n = 0;
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_SUBJECTS);
	if (!s)
		goto out;
	while (db_next(s, &rc)) {
		if (*n == cap)
			out = xrealloc(out, (cap *= 2) * sizeof *out);
		out[(*n)++] = db_col_i64(s, 0);
	}
	db_finish(s);
out:
	db_release(px->ks->db, c);
	if (rc < 0) {
		free(out);
		out = NULL;
		*n = 0;
	}
	*ids = out;
	return rc < 0 ? rc : 0;
}

/* --- key rotation --- */

struct wrapped_row {
	int64_t subject;
	size_t n;
	unsigned char w[HC_WRAPPED_MAX_BYTES];
};

int people_keys_rewrap(const struct people_ctx *px, long crash_after, size_t *rewrapped,
                       size_t *failed)
{
	size_t cap = 256, nrows = 0;
	struct wrapped_row *rows = xmalloc(cap * sizeof *rows);
	unsigned char dk[32], neww[HC_WRAPPED_MAX_BYTES];
	int rc = -HEARTH_EDB;
	*rewrapped = *failed = 0;
	struct db_conn *c = db_acquire(px->ks->db);
	/* 1. The rows under another master key than the current one. */
	struct db_stmt *s = db_prepare(c, SQL_ALL_WRAPPED);
	if (!s)
		goto out;
	while (db_next(s, &rc)) {
		size_t n;
		const unsigned char *w = db_col_blob(s, 1, &n);
		if (crypto_wrapped_key_id(w, n) == px->kr->id || n > HC_WRAPPED_MAX_BYTES)
			continue;
		if (nrows == cap)
			rows = xrealloc(rows, (cap *= 2) * sizeof *rows);
		rows[nrows].subject = db_col_i64(s, 0);
		rows[nrows].n = n;
		memcpy(rows[nrows].w, w, n);
		nrows++;
	}
	db_finish(s);
	if (rc < 0)
		goto out;
	rc = 0;
	/* 2. One row at a time, each its own commit: a crash leaves every row
	 * under the old key or the new one, both in the key file. */
	for (size_t i = 0; i < nrows; i++) {
		if (crypto_datakey_unwrap(px->kr, dk, rows[i].subject, rows[i].w, rows[i].n) != 0) {
			(*failed)++; /* a key the key file does not open: left as it is */
			continue;
		}
		size_t wn = crypto_datakey_wrap(px->kr, neww, rows[i].subject, dk);
		sodium_memzero(dk, sizeof dk);
		s = db_prepare(c, SQL_REWRAP);
		if (!s) {
			rc = -HEARTH_EDB;
			goto out;
		}
		db_bind_blob(s, 1, neww, wn);
		db_bind_i64(s, 2, rows[i].subject);
		db_bind_blob(s, 3, rows[i].w, rows[i].n);
		if ((rc = db_run(s)) != 0)
			goto out;
		(*rewrapped)++;
		if (crash_after > 0 && *rewrapped == (size_t)crash_after)
			abort(); /* tests: HEARTH_TEST_ROTATE_CRASH_AFTER, as a kill -9 would */
	}
	if (nrows && db_pool_kind(px->ks->db) == DB_SQLITE) {
		/* The old wraps were overwritten (secure_delete); empty the WAL. */
		char em[128];
		(void)db_exec_script(c, SQL_CHECKPOINT, em, sizeof em);
	}
out:
	db_release(px->ks->db, c);
	sodium_memzero(dk, sizeof dk);
	sodium_memzero(rows, nrows * sizeof *rows);
	free(rows);
	return rc;
}

int people_keys_count(const struct people_ctx *px, uint32_t key_id, size_t *under, size_t *total)
{
	int rc = -HEARTH_EDB;
	*under = *total = 0;
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_ALL_WRAPPED);
	if (!s)
		goto out;
	while (db_next(s, &rc)) {
		size_t n;
		const unsigned char *w = db_col_blob(s, 1, &n);
		(*total)++;
		if (crypto_wrapped_key_id(w, n) == key_id)
			(*under)++;
	}
	db_finish(s);
	if (rc > 0)
		rc = 0;
out:
	db_release(px->ks->db, c);
	return rc;
}

/* --- orphan keys --- */

/* Ids from one statement's first column, ascending, malloc'd into *ids. */
static int load_ids(struct db_stmt *s, int64_t **ids, size_t *n)
{
	size_t cap = 256;
	int64_t *out = xmalloc(cap * sizeof *out);
	int rc;
	*n = 0;
	while (db_next(s, &rc)) {
		if (*n == cap)
			out = xrealloc(out, (cap *= 2) * sizeof *out);
		out[(*n)++] = db_col_i64(s, 0);
	}
	db_finish(s);
	*ids = out;
	return rc < 0 ? rc : 0;
}

int people_keys_sweep(const struct people_ctx *px, struct db_pool *pool, int64_t grace,
                      size_t *swept, size_t *left)
{
	int64_t *keyed = NULL, *rows = NULL, *orphans = NULL;
	size_t nkeyed = 0, nrows = 0, norphans = 0, matched = 0, cap = 256;
	int64_t cutoff = util_now() - grace;
	int rc = -HEARTH_EDB;
	*swept = *left = 0;
	/* 1. The key store's subjects; a negative id marks a key younger than
	 * the grace period: it may belong to a creation still in flight on
	 * another node, whose main transaction has not committed yet. */
	struct db_conn *kc = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(kc, SQL_SUBJECTS_AGES);
	if (s) {
		keyed = xmalloc(cap * sizeof *keyed);
		while (db_next(s, &rc)) {
			if (nkeyed == cap)
				keyed = xrealloc(keyed, (cap *= 2) * sizeof *keyed);
			int64_t id = db_col_i64(s, 0);
			keyed[nkeyed++] = db_col_i64(s, 1) < cutoff ? id : -id;
		}
		db_finish(s);
		rc = rc < 0 ? rc : 0;
	}
	db_release(px->ks->db, kc);
	if (rc)
		goto out;
	/* 2. Then the main database's participants (read after the keys: a
	 * creation that committed in between is seen). */
	struct db_conn *c = db_acquire(pool);
	s = db_prepare(c, SQL_PARTICIPANT_IDS);
	rc = s ? load_ids(s, &rows, &nrows) : -HEARTH_EDB;
	db_release(pool, c);
	if (rc)
		goto out;
	/* 3. Both ascending by subject: one merge finds the keys without a row. */
	orphans = xmalloc((nkeyed ? nkeyed : 1) * sizeof *orphans);
	for (size_t i = 0, j = 0; i < nkeyed; i++) {
		int64_t id = keyed[i] < 0 ? -keyed[i] : keyed[i];
		while (j < nrows && rows[j] < id)
			j++;
		if (j < nrows && rows[j] == id)
			matched++;
		else if (keyed[i] > 0)
			orphans[norphans++] = id;
	}
	/* 4. Destroying keys cannot be undone: only when this database is the
	 * key store's (it shares people with it) and the orphans are as few as
	 * crashes leave (one per creation in flight), never for a database that
	 * is empty, another one, or a much older backup. */
	if (!norphans)
		goto out;
	if (!matched || norphans > PEOPLE_SWEEP_MAX) {
		*left = norphans;
		goto out;
	}
	for (size_t i = 0; i < norphans; i++) {
		if ((rc = people_key_destroy(px, orphans[i])) != 0)
			goto out;
		(*swept)++;
	}
out:
	free(keyed);
	free(rows);
	free(orphans);
	return rc;
}
