/*
 * Writing messages (messages.h): the outbox row, which is also the inbox
 * entry, and the event that tells the recipient's open pages. Sending is
 * sender.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/internal.h"
#include "messages/messages.h"
#include "people/people.h"
#include "core/banned.h"

static const char SQL_INSERT[] =
    "INSERT INTO messages (organisation_id, user_id, participant_id, kind, in_inbox, params,"
    " secret, email_state, next_at, cancel_key, created_at, shown_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?10, ?8) RETURNING id";
/* A withdrawn reminder leaves the inbox too (its reason went away). */
static const char SQL_CANCEL[] =
    "UPDATE messages SET email_state = 'cancelled', secret = NULL, in_inbox = 0"
    " WHERE cancel_key = ?1 AND email_state = 'queued'";

static const char SECRET_AD[] = "hearth.outbox.secret";

void messages__secret_key(const struct keyring *kr, unsigned char key[HC_KEY_BYTES])
{
	static const char label[] = "hearth outbox secret v1";
	crypto_generichash(key, HC_KEY_BYTES, (const unsigned char *)label, sizeof label - 1,
	                   kr->csrf, sizeof kr->csrf);
}

int messages__secret_open(const struct keyring *kr, const void *sealed, size_t n, char *out,
                          size_t outlen)
{
	if (n <= HC_SEAL_OVERHEAD || n - HC_SEAL_OVERHEAD >= outlen)
		return -HEARTH_ECRYPTO;
	unsigned char key[HC_KEY_BYTES];
	messages__secret_key(kr, key);
	int rc = crypto_open((unsigned char *)out, key, sealed, n, SECRET_AD, sizeof SECRET_AD - 1);
	sodium_memzero(key, sizeof key);
	if (rc)
		return rc;
	out[n - HC_SEAL_OVERHEAD] = '\0';
	return 0;
}

int messages_send(struct db_conn *c, const struct keyring *kr, const struct message *m, int64_t *id)
{
	if (m->kind < 0 || m->kind >= MSG__MAX || (!m->user_id && !m->participant_id))
		return -HEARTH_EINVAL;
	const struct message_kind_info *k = &message_kinds[m->kind];
	int64_t user = m->user_id;
	int rc;
	if (!user && (rc = people_user_of(c, m->participant_id, &user)) != 0)
		return rc;
	char *params = m->params ? json_dumps(m->params, JSON_COMPACT) : NULL;
	if (m->params && !params)
		return -HEARTH_ENOMEM;
	unsigned char sealed[256 + HC_SEAL_OVERHEAD];
	size_t slen = 0;
	if (m->secret) {
		size_t n = strlen(m->secret);
		if (n > 256) {
			free(params);
			return -HEARTH_EINVAL;
		}
		unsigned char key[HC_KEY_BYTES];
		messages__secret_key(kr, key);
		crypto_seal(sealed, key, m->secret, n, SECRET_AD, sizeof SECRET_AD - 1);
		sodium_memzero(key, sizeof key);
		slen = n + HC_SEAL_OVERHEAD;
	}
	int64_t now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	if (!s) {
		free(params);
		return -HEARTH_EDB;
	}
	db_bind_id(s, 1, m->org);
	db_bind_id(s, 2, user);
	db_bind_id(s, 3, m->participant_id);
	db_bind_text(s, 4, k->name);
	db_bind_i64(s, 5, k->email_only ? 0 : 1);
	db_bind_text(s, 6, params ? params : "{}");
	if (slen)
		db_bind_blob(s, 7, sealed, slen);
	else
		db_bind_null(s, 7);
	db_bind_i64(s, 8, m->not_before > now ? m->not_before : now);
	db_bind_text(s, 9, m->cancel_key);
	db_bind_i64(s, 10, now);
	free(params);
	int64_t mid = 0;
	rc = db_insert_id(s, &mid);
	sodium_memzero(sealed, sizeof sealed);
	if (rc)
		return rc;
	if (id)
		*id = mid;
	/* The recipient's open pages learn of it (their unread count); the
	 * sender is woken when the transaction commits. A message for later
	 * (a reminder) is shown, and its event published, by the sender when
	 * it comes due. A message is the recipient's own whatever organisation
	 * it is about (a participant offered a place in another organisation's
	 * programme holds no role there), so its event names none. */
	if (user && !k->email_only && m->not_before <= now &&
	    (rc = events_publish(c, user, 0, "message", mid)) != 0)
		return rc;
	messages__wake_sender(c);
	return 0;
}

int messages_cancel(struct db_conn *c, const char *cancel_key)
{
	struct db_stmt *s = db_prepare(c, SQL_CANCEL);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, cancel_key);
	return db_run(s);
}
