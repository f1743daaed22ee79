/*
 * Storage for identity and access: organisations, users, memberships,
 * settings and their administration. Sessions, login and throttling are in
 * session.c, API tokens in token.c; helpers shared between the three are
 * declared in auth/internal.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
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
static const char SQL_USER_GET[] = "SELECT email, display_name, disabled FROM users WHERE id = ?";
static const char SQL_MEMBERSHIP_INSERT[] =
    "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)"
    " RETURNING id";
static const char SQL_MEMBERSHIPS_OF[] =
    "SELECT m.id, m.organisation_id, m.role, o.name, o.kind FROM memberships m"
    " JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ? ORDER BY m.id";

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
	while (db_next(s, &rc)) {
		int role = auth_role_from_name(db_col_text(s, 2));
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
	crypto_hash_hex(h, kr->blind, msg, strlen(msg));
	snprintf(out, 80, "pbi:%s", h);
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
static const char SQL_ADMIN_USER_EXISTS[] = "SELECT id FROM users WHERE id = ?";
static const char SQL_ADMIN_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = ?";
static const char SQL_ADMIN_MEMBERSHIP_DELETE[] = "DELETE FROM memberships WHERE id = ?";

/* Grows an arena array of n elements of size sz to hold one more. */
void *auth__grow(struct arena *a, void *v, size_t n, size_t *cap, size_t sz)
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
		v = auth__grow(a, v, *n, &cap, sizeof *v);
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
		v = auth__grow(a, v, *n, &cap, sizeof *v);
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
		int role = auth_role_from_name(db_col_text(s, 5));
		size_t k = (size_t)e->nmemberships, *ec = &mcap[e - v];
		e->memberships = auth__grow(a, e->memberships, k, ec, sizeof *e->memberships);
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

/* Sets *found when organisation id exists. */
int auth__org_exists(struct db_conn *c, int64_t id, bool *found)
{
	return id_exists(c, SQL_ADMIN_ORG_EXISTS, id, found);
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

/* --- what other modules read about users --- */

static const char SQL_USER_NAME[] = "SELECT display_name FROM users WHERE id = ?1";
static const char SQL_USER_ENABLED[] = "SELECT 1 FROM users WHERE id = ?1 AND disabled = 0";
static const char SQL_USER_ERASED[] =
    "SELECT 1 FROM users WHERE id = ?1 AND password_hash IS NULL AND disabled = 1"
    " AND email LIKE 'erased-user-%@invalid'";
static const char SQL_USER_HAS_ROLE[] = "SELECT 1 FROM memberships WHERE user_id = ?1 AND role = ?2"
                                        " AND (?3 = 0 OR organisation_id = ?3)";
/* ?2..?9: the role names asked for (NULL for the others). */
static const char SQL_STAFF_LIST[] =
    "SELECT u.id, u.display_name, m.organisation_id, o.name, m.role FROM users u"
    " JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.organisation_id"
    " WHERE u.disabled = 0 AND m.role IN (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " AND (?1 = 0 OR m.organisation_id = ?1) ORDER BY u.display_name, u.id, o.name, m.role";
_Static_assert(ROLE__MAX == 8, "SQL_STAFF_LIST binds one parameter per role");

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

int auth_user_names(struct db_conn *c, struct arena *a, const int64_t *ids, size_t n,
                    const char **names)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	if (!n)
		return 0;
	/* The distinct ids, sorted, each looked up once. */
	int64_t *uniq = arena_alloc(a, n * sizeof *uniq);
	memcpy(uniq, ids, n * sizeof *uniq);
	qsort(uniq, n, sizeof *uniq, cmp_id);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (uniq[i] > 0 && (!m || uniq[m - 1] != uniq[i]))
			uniq[m++] = uniq[i];
	const char **found = arena_calloc(a, m ? m : 1, sizeof *found);
	for (size_t k = 0; k < m && !rc; k++) {
		struct db_stmt *s = db_prepare(c, SQL_USER_NAME);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, uniq[k]);
		rc = db_step(s);
		if (rc == DB_ROW)
			found[k] = arena_strdup(a, db_col_text(s, 0));
		db_finish(s);
		rc = rc < 0 ? rc : 0;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const int64_t *k =
		    ids[i] > 0 ? bsearch(&ids[i], uniq, m, sizeof *uniq, cmp_id) : NULL;
		names[i] = k ? found[k - uniq] : NULL;
	}
	return rc;
}

int auth_user_enabled(struct db_conn *c, int64_t user, bool *enabled)
{
	return id_exists(c, SQL_USER_ENABLED, user, enabled);
}

int auth_user_erased(struct db_conn *c, int64_t user, bool *erased)
{
	return id_exists(c, SQL_USER_ERASED, user, erased);
}

int auth_user_email(struct db_conn *c, struct arena *a, int64_t user, const char **email)
{
	*email = NULL;
	struct db_stmt *s = db_prepare(c, SQL_USER_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user);
	int rc = db_step(s);
	/* Disabled and erased accounts are not written to. A participant's
	 * login is a keyed hash ("pbi:..."), not an address. */
	if (rc == DB_ROW && db_col_i64(s, 2) == 0) {
		const char *e = db_col_text(s, 0);
		if (e && strncmp(e, "pbi:", 4) != 0 && strchr(e, '@'))
			*email = arena_strdup(a, e);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int auth_user_has_role(struct db_conn *c, int64_t user, int64_t org, enum role role, bool *has)
{
	*has = false;
	if ((int)role < 0 || role >= ROLE__MAX)
		return -HEARTH_EINVAL;
	struct db_stmt *s = db_prepare(c, SQL_USER_HAS_ROLE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user);
	db_bind_text(s, 2, role_names[role]);
	db_bind_i64(s, 3, org);
	int rc = db_step(s);
	*has = rc == DB_ROW;
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int auth_staff_list(struct db_conn *c, struct arena *a, int64_t org, uint32_t role_mask,
                    struct auth_staff_row **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_STAFF_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org);
	for (int r = 0; r < ROLE__MAX; r++)
		db_bind_text(s, 2 + r, role_mask & (1u << r) ? role_names[r] : NULL);
	struct auth_staff_row *v = NULL;
	size_t cap = 0;
	int rc;
	while (db_next(s, &rc)) {
		v = auth__grow(a, v, *n, &cap, sizeof *v);
		struct auth_staff_row *r = &v[(*n)++];
		r->user_id = db_col_i64(s, 0);
		r->display_name = arena_strdup(a, db_col_text(s, 1));
		r->organisation_id = db_col_i64(s, 2);
		r->organisation = arena_strdup(a, db_col_text(s, 3));
		r->role = arena_strdup(a, db_col_text(s, 4));
	}
	db_finish(s);
	if (rc)
		*n = 0;
	else
		*out = v;
	return rc;
}
