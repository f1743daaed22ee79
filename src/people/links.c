/*
 * One-time account links sent by email (account_links, 0010): a staff
 * invitation that lets a participant set a password and get their login
 * (seven days), and a forgotten password's reset (thirty minutes). Also the
 * note to the owner of an address someone tried to register (or move their
 * record) to, so that the answer to the person trying is the same whether
 * the address is known or not (docs/security.md).
 *
 * The token is 32 random bytes in hex. It goes only into the message's
 * sealed secret (messages.h); the table keeps a keyed hash of it. Using a
 * link marks it used in the same statement that checks it, so two uses at
 * once cannot both succeed. Every function runs inside the caller's write
 * transaction and returns 0 or a negative enum hearth_err.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/messages.h"
#include "people/internal.h"
#include "core/banned.h"

static const char SQL_LINK_INSERT[] =
    "INSERT INTO account_links (user_id, participant_id, purpose, token_hash, expires_at,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/* A new link of a purpose replaces the person's earlier ones. */
static const char SQL_LINK_SUPERSEDE[] =
    "UPDATE account_links SET used_at = ?4 WHERE purpose = ?3 AND used_at IS NULL"
    " AND ((?1 > 0 AND user_id = ?1) OR (?2 > 0 AND participant_id = ?2))";
static const char SQL_LINK_FIND[] =
    "SELECT id, user_id, participant_id FROM account_links WHERE token_hash = ?1"
    " AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3";
static const char SQL_LINK_USE[] =
    "UPDATE account_links SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL";

static void link_hash(const struct keyring *kr, const char *token, char out[65])
{
	char msg[160];
	snprintf(msg, sizeof msg, "account-link:%s", token);
	crypto_hash_hex(out, kr->csrf, msg, strlen(msg));
	sodium_memzero(msg, sizeof msg);
}

int people__link_create(struct db_conn *c, const struct keyring *kr, const char *purpose,
                        int64_t user_id, int64_t pid, int64_t ttl, char token[65])
{
	unsigned char raw[32];
	char h[65];
	int64_t now = util_now();
	crypto_random(raw, sizeof raw);
	util_hex(token, raw, sizeof raw);
	token[64] = '\0';
	sodium_memzero(raw, sizeof raw);
	link_hash(kr, token, h);
	struct db_stmt *s = db_prepare(c, SQL_LINK_SUPERSEDE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_i64(s, 2, pid);
	db_bind_text(s, 3, purpose);
	db_bind_i64(s, 4, now);
	int rc = db_run(s);
	if (rc)
		return rc;
	if (!(s = db_prepare(c, SQL_LINK_INSERT)))
		return -HEARTH_EDB;
	db_bind_id(s, 1, user_id);
	db_bind_id(s, 2, pid);
	db_bind_text(s, 3, purpose);
	db_bind_text(s, 4, h);
	db_bind_i64(s, 5, now + ttl);
	db_bind_i64(s, 6, now);
	return db_run(s);
}

int people__link_use(struct db_conn *c, const struct keyring *kr, const char *purpose,
                     const char *token, int64_t *user_id, int64_t *pid)
{
	char h[65];
	*user_id = *pid = 0;
	if (strlen(token) != 64)
		return -HEARTH_ENOTFOUND;
	link_hash(kr, token, h);
	int64_t now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_LINK_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_text(s, 2, purpose);
	db_bind_i64(s, 3, now);
	int rc = db_step(s);
	int64_t id = 0;
	if (rc == DB_ROW) {
		id = db_col_i64(s, 0);
		*user_id = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
		*pid = db_col_null(s, 2) ? 0 : db_col_i64(s, 2);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	if (!id)
		return -HEARTH_ENOTFOUND;
	if (!(s = db_prepare(c, SQL_LINK_USE)))
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, now);
	rc = db_run_one(s); /* -HEARTH_ENOTFOUND: used meanwhile */
	if (rc)
		*user_id = *pid = 0;
	return rc;
}

/* The participant's contact email (arena), NULL when none. */
static int contact_email(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t pid, const char **email)
{
	struct person_row p;
	*email = NULL;
	int rc = people__get(px, c, a, pid, &p);
	if (rc || p.erased || !p.profile)
		return rc;
	json_t *doc = json_loads(p.profile, 0, NULL);
	const char *e = json_string_value(json_object_get(doc, "email"));
	*email = e && *e ? arena_strdup(a, e) : NULL;
	json_decref(doc);
	return 0;
}

int people__invite(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t pid,
                   int64_t org, bool *no_email)
{
	char token[65];
	const char *email;
	*no_email = false;
	int rc = contact_email(px, c, a, pid, &email);
	if (rc)
		return rc;
	if (!email) {
		*no_email = true;
		return 0;
	}
	if ((rc = people__link_create(c, px->kr, "invite", 0, pid, PEOPLE_INVITE_SECONDS, token)) !=
	    0)
		return rc;
	json_t *params = json_pack("{s:i}", "valid_days", PEOPLE_INVITE_SECONDS / 86400);
	struct message m = {.kind = MSG_ACCOUNT_INVITE,
	                    .org = org,
	                    .participant_id = pid,
	                    .params = params,
	                    .secret = token};
	rc = params ? messages_send(c, px->kr, &m, NULL) : -HEARTH_ENOMEM;
	json_decref(params);
	sodium_memzero(token, sizeof token);
	return rc;
}

int people__login_create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t pid, const char *password_hash, int64_t *uid)
{
	struct person_row p;
	int64_t mid;
	*uid = 0;
	int rc = people__get(px, c, a, pid, &p);
	if (rc)
		return rc;
	if (p.erased || p.user_id || !p.norgs)
		return -HEARTH_ECONFLICT;
	/* The login is stored under a keyed hash of the email and a generic
	 * display name: the users table holds no participant's details. */
	json_t *doc = json_loads(p.profile, 0, NULL);
	const char *email = json_string_value(json_object_get(doc, "email"));
	char login[80];
	if (email)
		auth_login_key(px->kr, email, login);
	json_decref(doc);
	if (!email)
		return -HEARTH_EINVAL;
	if ((rc = auth_user_create(c, login, "Participant", password_hash, uid)) != 0 ||
	    (rc = auth_membership_add(c, *uid, p.org_ids[0], ROLE_PARTICIPANT, &mid)) != 0 ||
	    (rc = people__link_user(c, pid, *uid)) != 0)
		return rc;
	return 0;
}

int people__invite_accept(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                          const char *token, const char *password_hash, int64_t *pid, int64_t *uid)
{
	int64_t none;
	*uid = 0;
	int rc = people__link_use(c, px->kr, "invite", token, &none, pid);
	if (rc)
		return rc;
	return people__login_create(px, c, a, *pid, password_hash, uid);
}

/* The login that email opens: a member of staff's (their email is their
 * login) or a participant's (their login is a keyed hash of it), with the
 * participant. Both 0 when none, or when the login is disabled. */
static int login_of(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                    const char *email, int64_t *uid, int64_t *pid)
{
	char login[80];
	bool enabled = false;
	*uid = *pid = 0;
	int rc = auth_user_find(c, email, uid);
	if (!rc && !*uid) {
		auth_login_key(px->kr, email, login);
		rc = auth_user_find(c, login, uid);
	}
	if (!rc && *uid)
		rc = people_by_user(c, *uid, pid);
	if (!rc && *uid)
		rc = auth_user_enabled(c, *uid, &enabled);
	if (!rc && !enabled)
		*uid = *pid = 0;
	(void)a;
	return rc;
}

int people__reset_request(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                          const char *email, int64_t *uid)
{
	char token[65];
	int64_t pid;
	int rc = login_of(px, c, a, email, uid, &pid);
	if (rc || !*uid)
		return rc;
	if ((rc = people__link_create(c, px->kr, "reset", *uid, pid, PEOPLE_RESET_SECONDS,
	                              token)) != 0)
		return rc;
	json_t *params = json_pack("{s:i}", "valid_minutes", PEOPLE_RESET_SECONDS / 60);
	struct message m = {.kind = MSG_PASSWORD_RESET,
	                    .user_id = *uid,
	                    .participant_id = pid,
	                    .params = params,
	                    .secret = token};
	rc = params ? messages_send(c, px->kr, &m, NULL) : -HEARTH_ENOMEM;
	json_decref(params);
	sodium_memzero(token, sizeof token);
	return rc;
}

int people__reset_complete(const struct people_ctx *px, struct db_conn *c, const char *token,
                           const char *password_hash, int64_t *uid)
{
	int64_t pid;
	int rc = people__link_use(c, px->kr, "reset", token, uid, &pid);
	if (rc)
		return rc;
	bool enabled = false;
	if ((rc = auth_user_enabled(c, *uid, &enabled)) != 0)
		return rc;
	if (!enabled)
		return -HEARTH_ENOTFOUND; /* disabled since: the link is void */
	/* A new password ends every session of the user (auth_user_update);
	 * API tokens are not the user's password and stay. */
	struct auth_user_change ch = {.password_hash = password_hash};
	return auth_user_update(c, *uid, &ch);
}

int people__address_owner_tell(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                               const char *email, int64_t *owner)
{
	int64_t ids[1];
	size_t n = 0;
	*owner = 0;
	int rc = people__find_value(px, c, a, "email", email, ids, 1, &n);
	if (rc || !n)
		return rc;
	*owner = ids[0];
	struct message m = {.kind = MSG_REGISTER_ATTEMPT, .participant_id = ids[0]};
	return messages_send(c, px->kr, &m, NULL);
}
