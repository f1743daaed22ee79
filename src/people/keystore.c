/*
 * The key store: per-person data keys, wrapped by the master key, in a
 * database of their own. It is small (one row per person), is never part of
 * the main database or its backups, and deleting a row is erasure: SQLite
 * runs with secure_delete (deleted bytes are overwritten) and the WAL is
 * checkpointed and truncated after each deletion, so the wrapped key does
 * not linger on disk in the store.
 */
#include <inttypes.h>
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
	return ks;
}

void keystore_close(struct keystore *ks)
{
	if (!ks)
		return;
	db_pool_close(ks->db);
	free(ks);
}

int people_key_create(const struct people_ctx *px, int64_t subject, unsigned char dk[32])
{
	unsigned char wrapped[HC_WRAPPED_KEY_BYTES];
	hc_datakey_new(dk);
	hc_datakey_wrap(px->kr, wrapped, subject, dk);
	struct db_conn *c = db_acquire(px->ks->db);
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	int rc = -HEARTH_EDB;
	if (s) {
		db_bind_i64(s, 1, subject);
		db_bind_blob(s, 2, wrapped, sizeof wrapped);
		db_bind_i64(s, 3, util_now());
		rc = db_run(s);
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
			rc = hc_datakey_unwrap(px->kr, dk, subject, w, n);
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
	hc_seal(*out, dk, plain, n, ad, sizeof ad);
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
	rc = hc_open((unsigned char *)*out, dk, sealed, n, ad, sizeof ad);
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
	while ((rc = db_step(s)) == DB_ROW) {
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
