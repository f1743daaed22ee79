/*
 * The outbox's sender: one thread per node that claims due messages and
 * delivers them by email (smtp.c), one at a time, outside any transaction.
 *
 * A claim is a write transaction that selects up to 16 due rows (queued
 * and due, or "sending" under a claim that lapsed: a node killed mid-send)
 * with FOR UPDATE SKIP LOCKED on PostgreSQL, so two nodes never take the
 * same row, and marks them "sending" under this node's id until now +
 * lease. After delivery a row becomes sent, or is queued again with
 * exponential backoff and jitter, or after max tries failed. Every update
 * after the claim checks that the claim is still ours.
 *
 * At delivery the sender decides, at the moment of use: the address (a
 * login's email, or a participant's contact email only while their contact
 * consent allows, except for essential kinds), the person's preferences
 * (inbox only for this kind; quiet hours for non-urgent kinds) and their
 * language.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/internal.h"
#include "messages/mail.h"
#include "messages/messages.h"
#include "people/people.h"
#include "core/banned.h"

#define CLAIM_BATCH 16

static const char SQL_DUE[] =
    "SELECT id, user_id, in_inbox,"
    " CASE WHEN shown_at > created_at AND attempts = 0 THEN 1 ELSE 0 END"
    " FROM messages WHERE (email_state = 'queued' AND next_at <= ?1)"
    " OR (email_state = 'sending' AND claimed_until < ?1) ORDER BY next_at, id LIMIT "
    "16 " DB_SKIP_LOCKED;
static const char SQL_CLAIM[] = "UPDATE messages SET email_state = 'sending', claimed_by = ?2,"
                                " claimed_until = ?3 WHERE id = ?1";
static const char SQL_ROW[] =
    "SELECT kind, user_id, participant_id, params, secret, attempts, message_id, created_at"
    " FROM messages WHERE id = ?1 AND email_state = 'sending' AND claimed_by = ?2";
static const char SQL_SET_MESSAGE_ID[] =
    "UPDATE messages SET message_id = ?3 WHERE id = ?1 AND claimed_by = ?2"
    " AND email_state = 'sending'";
static const char SQL_SENT[] =
    "UPDATE messages SET email_state = 'sent', sent_via = ?3, sent_at = ?4, secret = NULL,"
    " last_error = NULL, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";
static const char SQL_RETRY[] =
    "UPDATE messages SET email_state = 'queued', attempts = attempts + 1, next_at = ?3,"
    " last_error = ?4, claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";
static const char SQL_FAILED[] =
    "UPDATE messages SET email_state = 'failed', attempts = attempts + 1, last_error = ?3,"
    " secret = NULL, claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";
static const char SQL_NONE[] =
    "UPDATE messages SET email_state = 'none', last_error = ?3, secret = NULL,"
    " claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";
static const char SQL_UNCLAIM[] =
    "UPDATE messages SET email_state = 'queued', claimed_by = NULL, claimed_until = NULL"
    " WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";
static const char SQL_LATER[] =
    "UPDATE messages SET email_state = 'queued', next_at = ?3, claimed_by = NULL,"
    " claimed_until = NULL WHERE id = ?1 AND claimed_by = ?2 AND email_state = 'sending'";

/* What messages_start() was given, copied. */
static struct messages_config cfg;
static bool cfg_set;
static const struct keyring *keys;
static const struct people_ctx *people;
static struct db_pool *pool;
static pthread_t thread;
static bool running;
static atomic_bool stopping;
static char node_id[17];

const struct messages_config *mail__config(void)
{
	return cfg_set ? &cfg : NULL;
}

const struct keyring *mail__keyring(void)
{
	return keys;
}

const struct people_ctx *mail__people(void)
{
	return people;
}

int messages_config_check(const struct messages_config *c, char *err, size_t errlen)
{
	if (c->smtp_url) {
		const char *u = c->smtp_url;
		size_t scheme = strncmp(u, "smtp://", 7) == 0    ? 7
		                : strncmp(u, "smtps://", 8) == 0 ? 8
		                                                 : 0;
		if (!scheme) {
			snprintf(err, errlen,
			         "--smtp-url: \"%s\" is not an SMTP URL (smtp://host[:port] for "
			         "STARTTLS, smtps://host[:port] for TLS)",
			         u);
			return -HEARTH_EINVAL;
		}
		const char *h = u + scheme;
		size_t hl = strcspn(h, ":/?#");
		if (hl == 0 || strchr(u, ' ') || strchr(h, '@')) {
			snprintf(err, errlen,
			         "--smtp-url: \"%s\" has no host (smtp://host[:port]; the login "
			         "goes in --smtp-user and --smtp-password-file)",
			         u);
			return -HEARTH_EINVAL;
		}
		if (h[hl] == ':') {
			char *end;
			long port = strtol(h + hl + 1, &end, 10);
			if (end == h + hl + 1 || port < 1 || port > 65535 ||
			    (*end && *end != '/')) {
				snprintf(err, errlen, "--smtp-url: \"%s\" has a bad port", u);
				return -HEARTH_EINVAL;
			}
		}
	}
	if (c->smtp_user && !c->smtp_url) {
		snprintf(err, errlen, "--smtp-user: needs --smtp-url");
		return -HEARTH_EINVAL;
	}
	if (c->mail_from) {
		char addr[256];
		mail_bare_address(c->mail_from, addr, sizeof addr);
		if (!util_email_valid(addr) || strchr(c->mail_from, '\r') ||
		    strchr(c->mail_from, '\n')) {
			snprintf(err, errlen,
			         "--mail-from: \"%s\" is not an address (\"Hearth "
			         "<hearth@example.org>\" or hearth@example.org)",
			         c->mail_from);
			return -HEARTH_EINVAL;
		}
	}
	if (c->public_url && strncmp(c->public_url, "http://", 7) != 0 &&
	    strncmp(c->public_url, "https://", 8) != 0) {
		snprintf(err, errlen, "--public-url: \"%s\" must start with https:// or http://",
		         c->public_url);
		return -HEARTH_EINVAL;
	}
	return 0;
}

int mail__recipient(struct db_conn *c, struct arena *a, int kind, int64_t user_id,
                    int64_t participant_id, const char **addr, const char **why)
{
	*addr = NULL;
	*why = NULL;
	const struct message_kind_info *k = &message_kinds[kind];
	int64_t pid = participant_id;
	int rc;
	if (!pid && user_id) {
		/* A staff login's address is its login; a participant's login is
		 * a keyed hash, and their address is in their record. */
		if ((rc = auth_user_email(c, a, user_id, addr)) != 0)
			return rc;
		if (*addr)
			return 0;
		if ((rc = people_by_user(c, user_id, &pid)) != 0)
			return rc;
	}
	if (!pid) {
		*why = "no email address";
		return 0;
	}
	if (!k->essential) {
		bool granted = false;
		if ((rc = people_consent_granted(c, pid, PURPOSE_CONTACT, &granted)) != 0)
			return rc;
		if (!granted) {
			*why = "no consent to contact by email";
			return 0;
		}
	}
	if (!people)
		return -HEARTH_EINVAL;
	if ((rc = people_contact_email(people, c, a, pid, addr)) != 0)
		return rc;
	if (!*addr)
		*why = "no email address";
	return 0;
}

/* An address that goes into a header and an SMTP command as it is: one
 * line, no spaces or angle brackets (both sources validate addresses; this
 * keeps a bad row from becoming a header). */
static bool address_safe(const char *a)
{
	return a && *a && strcspn(a, " \t\r\n<>,;\"") == strlen(a) && strchr(a, '@');
}

/* Runs one of the update statements above for message id under our claim. */
static int mark(struct db_conn *c, const char *sql, int64_t id, const char *t3, int64_t i3,
                const char *t4, int64_t i4)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, node_id);
	if (sql == SQL_UNCLAIM)
		; /* two parameters only */
	else if (t3)
		db_bind_text(s, 3, t3);
	else
		db_bind_i64(s, 3, i3);
	if (sql == SQL_SENT)
		db_bind_i64(s, 4, i4);
	else if (sql == SQL_RETRY)
		db_bind_text(s, 4, t4);
	return db_run(s);
}

/* The delay before try attempts + 1: base * 2^attempts, +-50%, at most an
 * hour. */
static int64_t backoff(int attempts)
{
	double d = cfg.retry_base_s > 0 ? cfg.retry_base_s : 30;
	for (int i = 0; i < attempts && d < 3600; i++)
		d *= 2;
	uint32_t r;
	crypto_random(&r, sizeof r);
	d *= 0.5 + (double)r / 4294967296.0;
	if (d > 3600)
		d = 3600;
	return d < 1 ? 1 : (int64_t)(d + 0.5);
}

bool mail__stopping(void)
{
	return atomic_load(&stopping);
}

/* Delivers message id, which this node has claimed. A connection is held
 * only around the database steps, never while the email travels (an SMTP
 * server may take a minute). */
static void deliver(int64_t id)
{
	struct db_conn *c = db_acquire(pool);
	struct arena *a = arena_new(16384);
	struct buf eml = BUF_INIT;
	char err[300] = "";
	int rc;
	struct db_stmt *s = db_prepare(c, SQL_ROW);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, node_id);
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_finish(s);
		goto out; /* no longer ours */
	}
	int kind = message_kind_from_name(db_col_text(s, 0));
	int64_t user_id = db_col_i64(s, 1), participant_id = db_col_i64(s, 2);
	const char *params_text = arena_strdup(a, db_col_text(s, 3));
	size_t slen = 0;
	const void *sb = db_col_null(s, 4) ? NULL : db_col_blob(s, 4, &slen);
	void *sealed = NULL;
	if (sb) {
		sealed = arena_alloc(a, slen);
		memcpy(sealed, sb, slen);
	}
	int attempts = (int)db_col_i64(s, 5);
	const char *msgid = db_col_null(s, 6) ? NULL : arena_strdup(a, db_col_text(s, 6));
	int64_t created_at = db_col_i64(s, 7);
	db_finish(s);
	if (kind < 0) {
		mark(c, SQL_FAILED, id, "unknown kind of message", 0, NULL, 0);
		goto out;
	}
	const struct message_kind_info *k = &message_kinds[kind];

	/* Where to, and whether by email at all. */
	const char *addr = NULL, *why = NULL;
	struct mail_prefs prefs;
	rc = mail__recipient(c, a, kind, user_id, participant_id, &addr, &why);
	if (!rc)
		rc = mail_prefs_get(c, user_id, participant_id, &prefs);
	if (rc) {
		snprintf(err, sizeof err, "could not read the recipient: %s", hearth_strerror(rc));
		goto retry;
	}
	if (!addr || !address_safe(addr)) {
		mark(c, SQL_NONE, id, why ? why : "no usable email address", 0, NULL, 0);
		goto out;
	}
	if (!k->email_only && mail_prefs_inbox_only(&prefs, k->name)) {
		mark(c, SQL_NONE, id, "inbox only (the person's choice)", 0, NULL, 0);
		goto out;
	}
	int64_t now = util_now();
	if (!k->urgent) {
		int64_t after = mail_prefs_after_quiet(&prefs, now);
		if (after > now) {
			mark(c, SQL_LATER, id, NULL, after, NULL, 0);
			goto out;
		}
	}

	/* The Message-ID is kept from the first try, so retries reuse it. */
	if (!msgid) {
		char mid[320];
		mail_message_id(id, cfg.mail_from, mid, sizeof mid);
		if (mark(c, SQL_SET_MESSAGE_ID, id, mid, 0, NULL, 0) != 0)
			goto out;
		msgid = arena_strdup(a, mid);
	}
	char secret[300] = "";
	if (sealed && messages__secret_open(keys, sealed, slen, secret, sizeof secret) != 0) {
		mark(c, SQL_FAILED, id, "the one-time link cannot be opened", 0, NULL, 0);
		goto out;
	}
	char unsub[128] = "";
	if (!k->essential)
		mail_unsub_token(keys, user_id, participant_id, k->name, unsub, sizeof unsub);
	json_t *params = json_loads(params_text ? params_text : "{}", 0, NULL);
	struct mail_input in = {
	    .kind = kind,
	    .id = id,
	    .to = addr,
	    .message_id = msgid,
	    .date = now,
	    .params = params,
	    .secret = sealed ? secret : NULL,
	    .prefs = &prefs,
	    .unsub_token = k->essential ? NULL : unsub,
	};
	mail_render(&in, &eml);
	json_decref(params);
	sodium_memzero(secret, sizeof secret);

	const char *via = cfg.smtp_url ? "smtp" : "file";
	db_release(pool, c);
	c = NULL;
	if (cfg.smtp_url) {
		rc = mail_smtp_send(&cfg, addr, eml.data, eml.len, err, sizeof err);
	} else {
		char name[64];
		snprintf(name, sizeof name, "%" PRId64 "-%" PRId64 ".eml", created_at, id);
		rc = mail_file_write(cfg.mail_dir, name, eml.data, eml.len, err, sizeof err);
	}
	sodium_memzero(eml.data, eml.len);
	c = db_acquire(pool);
	if (rc == 0) {
		if (mark(c, SQL_SENT, id, via, 0, NULL, util_now()) != 0)
			log_msg(LOG_WARN,
			        "outbox: message %" PRId64 " was sent but not marked sent", id);
		goto out;
	}
retry:
	if (mail__stopping()) {
		/* Cut short by the shutdown: not a failed try. */
		mark(c, SQL_UNCLAIM, id, NULL, 0, NULL, 0);
	} else if (attempts + 1 >= (cfg.max_tries > 0 ? cfg.max_tries : 8)) {
		log_msg(LOG_WARN, "outbox: message %" PRId64 " failed after %d tries: %s", id,
		        attempts + 1, err);
		mark(c, SQL_FAILED, id, err, 0, NULL, 0);
	} else {
		mark(c, SQL_RETRY, id, NULL, util_now() + backoff(attempts), err, 0);
	}
out:
	buf_release(&eml);
	arena_free(a);
	if (c)
		db_release(pool, c);
}

/* Claims up to CLAIM_BATCH due messages into ids; returns how many. */
static int claim(struct db_conn *c, int64_t *ids)
{
	int n = 0, rc = 0;
	int64_t now = util_now();
	if (db_begin(c, true) != 0)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_DUE);
	if (!s)
		goto fail;
	db_bind_i64(s, 1, now);
	/* A message written for later (a reminder) enters the inbox when it
	 * comes due: its event, for the recipient's open pages, is published
	 * now. (A claim taken again after a crash may publish it twice; a
	 * page only counts its unread messages again.) */
	struct {
		int64_t id, user;
	} due[CLAIM_BATCH];
	int ndue = 0;
	while (n < CLAIM_BATCH && db_next(s, &rc)) {
		ids[n] = db_col_i64(s, 0);
		if (!db_col_null(s, 1) && db_col_i64(s, 2) == 1 && db_col_i64(s, 3) != 0) {
			due[ndue].id = ids[n];
			due[ndue++].user = db_col_i64(s, 1);
		}
		n++;
	}
	db_finish(s);
	if (rc)
		goto fail;
	for (int i = 0; i < ndue; i++)
		if (events_publish(c, due[i].user, 0, "message", due[i].id) != 0)
			goto fail;
	for (int i = 0; i < n; i++) {
		s = db_prepare(c, SQL_CLAIM);
		if (!s)
			goto fail;
		db_bind_i64(s, 1, ids[i]);
		db_bind_text(s, 2, node_id);
		db_bind_i64(s, 3, now + (cfg.lease_s > 0 ? cfg.lease_s : 120));
		if (db_run(s) != 0)
			goto fail;
	}
	if (db_commit(c) != 0)
		return 0;
	return n;
fail:
	db_rollback(c);
	return 0;
}

static void *sender_main(void *arg)
{
	(void)arg;
	struct db_notify_seen seen;
	db_notify_snapshot(&seen);
	int64_t ids[CLAIM_BATCH];
	while (!atomic_load(&stopping)) {
		struct db_conn *c = NULL;
		int n = 0;
		if (db_acquire_wait(pool, 1000, &c) == 0) {
			n = claim(c, ids);
			db_release(pool, c);
			/* Claims left when stopping lapse and are taken again. */
			int i = 0;
			for (; i < n && !atomic_load(&stopping); i++)
				deliver(ids[i]);
			if (i < n) {
				c = db_acquire(pool);
				for (; i < n; i++)
					mark(c, SQL_UNCLAIM, ids[i], NULL, 0, NULL, 0);
				db_release(pool, c);
			}
		}
		/* A full batch: there may be more due at once. */
		if (n < CLAIM_BATCH)
			db_wait_notify(DB_CH_OUTBOX, &seen, 1000);
	}
	mail_smtp_close();
	return NULL;
}

int messages_start(struct db_pool *p, const struct keyring *kr, const struct people_ctx *px,
                   const struct messages_config *c)
{
	int rc;
	if (running)
		return -HEARTH_ECONFLICT;
	if ((rc = mail_catalog_init()) != 0) {
		log_msg(LOG_ERROR,
		        "outbox: the embedded catalogs web/i18n/{en,es}.json are unreadable");
		return rc;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return -HEARTH_EIO;
	cfg = *c;
	if (!cfg.max_tries)
		cfg.max_tries = 8;
	if (!cfg.retry_base_s)
		cfg.retry_base_s = 30;
	if (!cfg.lease_s)
		cfg.lease_s = 120;
	if (!cfg.mail_from)
		cfg.mail_from = "Hearth <hearth@localhost>";
	if (!cfg.public_url)
		cfg.public_url = "http://127.0.0.1:8080";
	if (!cfg.mail_dir)
		cfg.mail_dir = "./data/mail";
	cfg_set = true;
	keys = kr;
	people = px;
	pool = p;
	unsigned char rnd[8];
	crypto_random(rnd, sizeof rnd);
	util_hex(node_id, rnd, sizeof rnd);
	if (!cfg.smtp_url) {
		mkdir(cfg.mail_dir, 0700);
		log_msg(LOG_INFO, "outbox: no --smtp-url; emails are written to %s", cfg.mail_dir);
	}
	if ((rc = db_listen_start(p)) != 0)
		return rc;
	if ((rc = events__dispatch_start(p)) != 0)
		return rc;
	atomic_store(&stopping, false);
	if (pthread_create(&thread, NULL, sender_main, NULL) != 0)
		return -HEARTH_ENOMEM;
	running = true;
	return 0;
}

void messages_stop(void)
{
	if (!running)
		return;
	atomic_store(&stopping, true);
	pthread_join(thread, NULL);
	running = false;
	events__dispatch_stop();
	db_listen_stop();
}
