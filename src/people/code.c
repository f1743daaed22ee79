/*
 * Account codes (a one-time code staff give a person so they can make
 * their own account) and the attempts counted on their own, in
 * transactions of their own: registrations and claims per address, and a
 * participant's changes of their own email.
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

/* SQL catalogue for account codes. */
static const char SQL_CODE_INSERT[] = "INSERT INTO account_codes (code_hash, participant_id, "
                                      "expires_at, created_by) VALUES (?, ?, ?, ?)";
static const char SQL_CODE_FIND[] =
    "SELECT participant_id FROM account_codes WHERE code_hash = ? AND expires_at > ?";
static const char SQL_CODE_DELETE[] = "DELETE FROM account_codes WHERE code_hash = ?";

static void code_hash(char out[65], const char *code)
{
	crypto_hash_hex(out, NULL, code, strlen(code));
}

int people__code_create(struct db_conn *c, int64_t id, int64_t actor, char code[16])
{
	/* 12 characters from an alphabet without look-alikes: easy to read out
	 * over the phone, about 60 bits. */
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[12];
	char h[65];
	crypto_random(raw, sizeof raw);
	for (int i = 0; i < 12; i++)
		code[i] = alphabet[raw[i] % 32];
	code[12] = '\0';
	code_hash(h, code);
	struct db_stmt *s = db_prepare(c, SQL_CODE_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, id);
	db_bind_i64(s, 3, util_now() + 14 * 86400);
	db_bind_id(s, 4, actor);
	return db_run(s);
}

int people__code_claim(struct db_conn *c, const char *code, int64_t *id)
{
	char h[65], upper[32];
	size_t n = 0;
	for (const char *p = code; *p && n < sizeof upper - 1; p++)
		if (*p != '-' && *p != ' ')
			upper[n++] = (char)toupper((unsigned char)*p);
	upper[n] = '\0';
	code_hash(h, upper);
	struct db_stmt *s = db_prepare(c, SQL_CODE_FIND);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	db_bind_i64(s, 2, util_now());
	int rc = db_step(s);
	*id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	if (!*id)
		return -HEARTH_ENOTFOUND;
	s = db_prepare(c, SQL_CODE_DELETE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, h);
	return db_run(s);
}

int people__code_peek(struct db_conn *c, const char *code, int64_t *id)
{
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__code_claim(c, code, id);
	db_rollback(c); /* looked at, not used up */
	return rc;
}

/* --- attempts and changes counted on their own --- */

/* How many times a day a participant may change their own email. */
#define EMAIL_CHANGES_PER_DAY 5

int people__email_change_hit(struct db_conn *c, const struct keyring *kr, int64_t user_id,
                             int64_t *retry)
{
	char who[32];
	snprintf(who, sizeof who, "u%" PRId64, user_id);
	return auth_rate_hit(c, kr, "email", who, 86400, EMAIL_CHANGES_PER_DAY, retry);
}

int people__email_change_refused(struct db_conn *c, const struct keyring *kr, int64_t user_id,
                                 int64_t *retry)
{
	db_rollback(c); /* the caller's failed transaction */
	int rc = db_begin(c, true);
	if (!rc && (rc = people__email_change_hit(c, kr, user_id, retry)) == 0)
		rc = db_commit(c);
	if (db_in_transaction(c))
		db_rollback(c);
	return rc;
}

int people__count_attempt(struct db_conn *c, const struct keyring *kr, const char *prefix,
                          const char *addr, int limit, int64_t *retry)
{
	int rc = db_begin(c, true);
	if (!rc) {
		rc = auth_rate_hit(c, kr, prefix, addr, 3600, limit, retry);
		/* One too many counts too: committed all the same. */
		if (!rc || rc == -HEARTH_ELOCKED) {
			int crc = db_commit(c);
			rc = rc ? rc : crc;
		}
	}
	if (db_in_transaction(c))
		db_rollback(c);
	return rc;
}
