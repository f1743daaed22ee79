/*
 * hearth copy: moves a community centre's SQLite database onto PostgreSQL
 * without losing a row. The destination is migrated to the same schema
 * version and must be empty; every table is copied in creation order (so
 * foreign keys are satisfied) inside one destination transaction; id
 * sequences are moved past the copied ids; then each table is verified by
 * row count and by a checksum over every value, computed the same way on
 * both sides.
 *
 * This file reads SQLite's catalogue directly, which is why it lives in
 * src/db/: dialect knowledge stays here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

#define MAX_TABLES 128
#define MAX_COLS   64

struct table {
	char *name;
	int ncols;
	char *cols[MAX_COLS];
	bool blob[MAX_COLS];
	bool has_id;
	char *select_sql;     /* ordered by the first column */
	char *dst_select_sql; /* the same, ordered bytewise on PostgreSQL too */
	bool text_key;
	char *insert_sql;
	char *count_sql;
	char *clear_sql;
	char *setval_sql;
	int64_t rows;
	char sum_src[65], sum_dst[65];
};

static void table_free(struct table *t)
{
	free(t->name);
	for (int i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	free(t->select_sql);
	free(t->dst_select_sql);
	free(t->insert_sql);
	free(t->count_sql);
	free(t->clear_sql);
	free(t->setval_sql);
}

/* Identifiers come from the source's own catalogue, never from a user, and
 * are quoted anyway. */
static void quoted(struct buf *b, const char *ident)
{
	buf_puts(b, "\"");
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"");
		buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* Tables whose rows the migrations themselves insert. */
static bool seeded(const char *table)
{
	return strcmp(table, "audit_head") == 0 || strcmp(table, "consent_texts") == 0;
}

static int load_tables(sqlite3 *src, struct table *tables, int *ntables, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -HEARTH_EDB;
	*ntables = 0;
	if (sqlite3_prepare_v2(
	        src,
	        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
	        "'sqlite_%' AND name <> 'schema_migrations' ORDER BY rowid",
	        -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*ntables == MAX_TABLES) {
			snprintf(err, errlen, "too many tables");
			goto out;
		}
		struct table *t = &tables[(*ntables)++];
		memset(t, 0, sizeof *t);
		t->name = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	st = NULL;
	for (int i = 0; i < *ntables; i++) {
		struct table *t = &tables[i];
		struct buf q = BUF_INIT;
		buf_puts(&q, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
		if (sqlite3_prepare_v2(src, q.data, -1, &st, NULL) != SQLITE_OK) {
			buf_release(&q);
			goto out;
		}
		buf_release(&q);
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW && t->ncols < MAX_COLS) {
			const char *type = (const char *)sqlite3_column_text(st, 1);
			t->cols[t->ncols] = xstrdup((const char *)sqlite3_column_text(st, 0));
			t->blob[t->ncols] = type && strstr(type, "BLOB");
			if (t->ncols == 0)
				t->text_key = type && strstr(type, "TEXT");
			if (strcmp(t->cols[t->ncols], "id") == 0)
				t->has_id = true;
			t->ncols++;
		}
		sqlite3_finalize(st);
		st = NULL;
		struct buf sel = BUF_INIT, ins = BUF_INIT, cnt = BUF_INIT, sv = BUF_INIT;
		buf_puts(&sel, "SELECT ");
		buf_puts(&ins, "INSERT INTO ");
		quoted(&ins, t->name);
		buf_puts(&ins, " (");
		for (int c = 0; c < t->ncols; c++) {
			if (c) {
				buf_puts(&sel, ", ");
				buf_puts(&ins, ", ");
			}
			quoted(&sel, t->cols[c]);
			quoted(&ins, t->cols[c]);
		}
		buf_puts(&sel, " FROM ");
		quoted(&sel, t->name);
		buf_puts(&sel, " ORDER BY ");
		quoted(&sel, t->cols[0]);
		/* SQLite orders text bytewise; ask PostgreSQL for the same order. */
		struct buf dsel = BUF_INIT;
		buf_append(&dsel, sel.data, sel.len);
		if (t->text_key)
			buf_puts(&dsel, " COLLATE \"C\"");
		t->dst_select_sql = buf_detach(&dsel, NULL);
		buf_puts(&ins, ") VALUES (");
		for (int c = 0; c < t->ncols; c++)
			buf_puts(&ins, c ? ", ?" : "?");
		buf_puts(&ins, ")");
		buf_puts(&cnt, "SELECT COUNT(*) FROM ");
		quoted(&cnt, t->name);
		struct buf clr = BUF_INIT;
		buf_puts(&clr, "DELETE FROM ");
		quoted(&clr, t->name);
		t->clear_sql = buf_detach(&clr, NULL);
		if (t->has_id) {
			buf_printf(&sv,
			           "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
			           "COALESCE((SELECT MAX(id) FROM ",
			           t->name);
			quoted(&sv, t->name);
			buf_puts(&sv, "), 0) + 1, false)");
		}
		t->select_sql = buf_detach(&sel, NULL);
		t->insert_sql = buf_detach(&ins, NULL);
		t->count_sql = buf_detach(&cnt, NULL);
		t->setval_sql = t->has_id ? buf_detach(&sv, NULL) : NULL;
		buf_release(&sv);
	}
	rc = 0;
out:
	if (rc && !*err)
		snprintf(err, errlen, "reading the source catalogue failed: %s",
		         sqlite3_errmsg(src));
	sqlite3_finalize(st);
	return rc;
}

/* Feeds one value into the running checksum: a type tag, the length and
 * the bytes, so that no two different rows hash alike. */
static void sum_value(crypto_generichash_state *h, char tag, const void *p, size_t n)
{
	unsigned char hdr[9];
	hdr[0] = (unsigned char)tag;
	for (int i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_update(h, hdr, sizeof hdr);
	if (n)
		crypto_generichash_update(h, p, n);
}

static void sum_final(crypto_generichash_state *h, char out[65])
{
	unsigned char d[32];
	crypto_generichash_final(h, d, sizeof d);
	util_hex(out, d, sizeof d);
}

/* Copies one table, summing the source as it goes. */
static int copy_table(sqlite3 *src, struct db_conn *dst, struct table *t, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	crypto_generichash_state h;
	int rc = 0;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (sqlite3_prepare_v2(src, t->select_sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", t->name, sqlite3_errmsg(src));
		return -HEARTH_EDB;
	}
	struct db_stmt *ins = db_prepare(dst, t->insert_sql);
	if (!ins) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "%s: cannot prepare the insert on the destination", t->name);
		return -HEARTH_EDB;
	}
	t->rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < t->ncols; c++) {
			int type = sqlite3_column_type(st, c);
			if (type == SQLITE_NULL) {
				db_bind_null(ins, c + 1);
				sum_value(&h, 'n', NULL, 0);
			} else if (t->blob[c]) {
				const void *p = sqlite3_column_blob(st, c);
				size_t n = (size_t)sqlite3_column_bytes(st, c);
				db_bind_blob(ins, c + 1, p, n);
				sum_value(&h, 'v', p, n);
			} else if (type == SQLITE_INTEGER) {
				int64_t v = sqlite3_column_int64(st, c);
				char num[24];
				snprintf(num, sizeof num, "%" PRId64, v);
				db_bind_i64(ins, c + 1, v);
				sum_value(&h, 'v', num, strlen(num));
			} else {
				const char *s = (const char *)sqlite3_column_text(st, c);
				db_bind_text(ins, c + 1, s);
				sum_value(&h, 'v', s, strlen(s));
			}
		}
		if ((rc = db_run(ins)) != 0) {
			snprintf(err, errlen, "%s: inserting row %" PRId64 " failed: %s", t->name,
			         t->rows + 1, hearth_strerror(rc));
			break;
		}
		t->rows++;
	}
	sqlite3_finalize(st);
	sum_final(&h, t->sum_src);
	return rc;
}

/* Recomputes the checksum and count from the destination. */
static int verify_table(struct db_conn *dst, struct table *t, int64_t *count)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	struct db_stmt *s = db_prepare(dst, t->dst_select_sql);
	if (!s)
		return -HEARTH_EDB;
	int rc;
	*count = 0;
	while (db_next(s, &rc)) {
		for (int c = 0; c < t->ncols; c++) {
			if (db_col_null(s, c)) {
				sum_value(&h, 'n', NULL, 0);
			} else if (t->blob[c]) {
				size_t n;
				const void *p = db_col_blob(s, c, &n);
				sum_value(&h, 'v', p, n);
			} else {
				const char *v = db_col_text(s, c);
				sum_value(&h, 'v', v, strlen(v));
			}
		}
		(*count)++;
	}
	db_finish(s);
	sum_final(&h, t->sum_dst);
	return rc < 0 ? rc : 0;
}

static int dest_rows(struct db_conn *dst, struct table *t, int64_t *n)
{
	struct db_stmt *s = db_prepare(dst, t->count_sql);
	if (!s)
		return -HEARTH_EDB;
	int rc = db_step(s);
	*n = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* Copies the SQLite database at from (a path or sqlite:PATH) into the empty
 * PostgreSQL database at to, then verifies. Progress goes to out. Returns 0,
 * or a negative hearth_err with err filled. */
int db_copy(const char *from, const char *to, FILE *out, char *err, size_t errlen)
{
	static struct table tables[MAX_TABLES];
	int ntables = 0, rc = -HEARTH_EINVAL, dberr;
	sqlite3 *src = NULL;
	struct db_pool *dp = NULL;
	struct db_conn *dst = NULL;
	err[0] = '\0';
	if (strncmp(from, "sqlite:", 7) == 0)
		from += 7;
	if (strncmp(to, "postgres://", 11) != 0 && strncmp(to, "postgresql://", 13) != 0) {
		snprintf(err, errlen, "--to must be a postgres:// URI");
		return -HEARTH_EINVAL;
	}
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", from, sqlite3_errmsg(src));
		goto out;
	}
	/* Migrate the source's schema version check first. */
	struct db_pool *sp = db_pool_open(from, 1, &dberr, err, errlen);
	if (!sp)
		goto out;
	int src_version = db_schema_version(sp);
	db_pool_close(sp);
	dp = db_pool_open(to, 1, &dberr, err, errlen);
	if (!dp) {
		rc = dberr;
		goto out;
	}
	if ((rc = db_migrate(dp, err, errlen)) < 0)
		goto out;
	int dst_version = db_schema_version(dp);
	if (src_version != dst_version) {
		snprintf(err, errlen,
		         "the source is at schema version %d but this hearth is at %d; run `hearth "
		         "migrate` "
		         "on the source first",
		         src_version, dst_version);
		rc = -HEARTH_EINVAL;
		goto out;
	}
	if ((rc = load_tables(src, tables, &ntables, err, errlen)) != 0)
		goto out;
	dst = db_acquire(dp);
	/* The destination must hold nothing but what migrations put there. */
	for (int i = 0; i < ntables; i++) {
		int64_t n = 0;
		if ((rc = dest_rows(dst, &tables[i], &n)) != 0) {
			snprintf(err, errlen, "table %s is missing on the destination",
			         tables[i].name);
			goto out;
		}
		if (n && !seeded(tables[i].name)) {
			snprintf(err, errlen,
			         "the destination is not empty (%s has %" PRId64
			         " rows); copy only into a new database",
			         tables[i].name, n);
			rc = -HEARTH_ECONFLICT;
			goto out;
		}
	}
	if ((rc = db_begin(dst, true)) != 0)
		goto out;
	/* Rows the migrations seeded are replaced by the source's own. */
	struct db_stmt *s;
	for (int i = 0; i < ntables; i++) {
		if (!seeded(tables[i].name))
			continue;
		s = db_prepare(dst, tables[i].clear_sql);
		if (!s || (rc = db_run(s)) != 0) {
			snprintf(err, errlen, "cannot clear %s on the destination", tables[i].name);
			rc = rc ? rc : -HEARTH_EDB;
			goto rollback;
		}
	}
	for (int i = 0; i < ntables; i++) {
		if ((rc = copy_table(src, dst, &tables[i], err, errlen)) != 0)
			goto rollback;
		if (tables[i].setval_sql) {
			s = db_prepare(dst, tables[i].setval_sql);
			if (!s || (rc = db_run(s)) != 0) {
				snprintf(err, errlen, "%s: cannot move its id sequence",
				         tables[i].name);
				rc = rc ? rc : -HEARTH_EDB;
				goto rollback;
			}
		}
		fprintf(out, "copied %-20s %8" PRId64 " rows\n", tables[i].name, tables[i].rows);
	}
	if ((rc = db_commit(dst)) != 0) {
		snprintf(err, errlen, "commit failed: %s", hearth_strerror(rc));
		goto rollback;
	}
	int bad = 0;
	for (int i = 0; i < ntables; i++) {
		int64_t n = 0;
		if ((rc = verify_table(dst, &tables[i], &n)) != 0)
			goto out;
		bool ok = n == tables[i].rows && strcmp(tables[i].sum_src, tables[i].sum_dst) == 0;
		fprintf(out,
		        "verify %-20s %8" PRId64 " = %-8" PRId64 " checksum %.16s %s %.16s  %s\n",
		        tables[i].name, tables[i].rows, n, tables[i].sum_src,
		        ok ? "=" : "!=", tables[i].sum_dst, ok ? "ok" : "MISMATCH");
		bad += !ok;
	}
	if (bad) {
		snprintf(err, errlen, "%d table(s) differ after the copy", bad);
		rc = -HEARTH_ETAMPER;
		goto out;
	}
	rc = 0;
	goto out;
rollback:
	db_rollback(dst);
out:
	if (dst)
		db_release(dp, dst);
	db_pool_close(dp);
	sqlite3_close(src);
	for (int i = 0; i < ntables; i++)
		table_free(&tables[i]);
	return rc;
}
