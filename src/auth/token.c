/*
 * API tokens: bearer secrets for machines, each bound to one organisation
 * and one role. Stored only as BLAKE2b hashes; the secret is shown once.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "core/banned.h"

/* SQL catalogue for API tokens. */
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (name, token_hash, role, organisation_id, created_by, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_TOKEN_FIND[] =
    "SELECT t.id, t.role, t.organisation_id, t.name, o.name, o.kind FROM api_tokens t"
    " JOIN organisations o ON o.id = t.organisation_id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char SQL_ADMIN_TOKEN_LIST[] =
    "SELECT id, name, role, organisation_id, created_at, revoked_at FROM api_tokens ORDER BY id";

/* --- API tokens --- */

#define TOKEN_PREFIX "hth_"

int auth_token_create(struct db_conn *c, const char *name, enum role role, int64_t org_id,
                      int64_t created_by, char secret_out[64], int64_t *id)
{
	char raw[48], h[65];
	crypto_token(raw, sizeof raw);
	snprintf(secret_out, 64, TOKEN_PREFIX "%s", raw);
	auth__secret_hash(h, secret_out);
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
	auth__secret_hash(h, token);
	struct db_stmt *s = db_prepare(c, SQL_TOKEN_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	int rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		return rc < 0 ? rc : -HEARTH_EAUTH;
	}
	int role = auth_role_from_name(db_col_text(s, 1));
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
		v = auth__grow(a, v, *n, &cap, sizeof *v);
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
	int rc = auth__org_exists(c, org_id, &found);
	if (!rc && !found) {
		*missing = "organisation_id";
		rc = -HEARTH_EINVAL;
	}
	if (!rc)
		rc = auth_token_create(c, name, role, org_id, created_by, secret_out, id);
	return rc;
}
