/*
 * Messages: the one way Hearth reaches a person. Other modules include this
 * header only.
 *
 * - messages_send() writes a message inside the caller's write
 *   transaction: into the outbox (email), into the recipient's inbox, and
 *   an event for their live stream. A change that rolls back takes its
 *   message with it; a change that commits cannot lose it.
 * - The sender (sender.c) delivers the outbox: SMTP through libcurl, or
 *   .eml files in the mail directory when no SMTP server is configured.
 *   Several nodes claim messages with FOR UPDATE SKIP LOCKED, so each is
 *   sent once; a claim a killed node left is taken again when it lapses.
 * - Events (events.c): /api/v1/events streams them to the logged-in user.
 *
 * What a message says is not stored. `kind` and `params` (ids and times,
 * never a person's details) become words when the email is written, in the
 * recipient's language, and when the inbox is shown, by the UI. No email
 * carries a person's needs, notes, mood, other people's names, or the title
 * of a programme: a therapeutic one would say what the person lives with.
 */
#ifndef HEARTH_MESSAGES_H
#define HEARTH_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct arena;
struct db_conn;
struct db_pool;
struct keyring;
struct people_ctx;

/* The kinds of message (kinds.c has each one's name and rules). Adding one:
 * a row in message_kinds[], its words in web/i18n/{en,es}.json
 * ("mail.<name>.subject", "mail.<name>.body", "inbox.<name>"), and a case
 * in tests/api/messages-privacy.test.mjs. */
enum message_kind {
	MSG_WAITLIST_OFFER,    /* a freed place is offered: params programme_id, expires_at */
	MSG_WAITLIST_REMINDER, /* the offer expires soon: params programme_id, expires_at */
	MSG_SESSION_CANCELLED, /* params session_id, starts_at */
	MSG_SESSION_MOVED,     /* params session_id, starts_at, was_starts_at */
	MSG_SESSION_CHANGED,   /* its venue or online link changed: params session_id, starts_at */
	MSG_DUTY_ON,           /* a facilitator put on duty: params session_id, starts_at */
	MSG_DUTY_OFF,          /* taken off duty: params session_id, starts_at */
	MSG_ACCOUNT_INVITE,    /* staff invite a person: a one-time link (secret) */
	MSG_PASSWORD_RESET,    /* a one-time, short-lived link (secret) */
	MSG_REGISTER_ATTEMPT,  /* someone tried to register with this address */
	MSG_TEST,              /* "send a test message" (admins checking email) */
	MSG__MAX
};

struct message_kind_info {
	const char *name;
	/* Safety or security: never unsubscribed (no List-Unsubscribe), and
	 * the person may only choose the channel. */
	bool essential;
	/* Sent at once, even in the person's quiet hours. */
	bool urgent;
	/* Only by email, never shown in an inbox (links for someone who
	 * cannot log in: a reset, an invitation). */
	bool email_only;
};
extern const struct message_kind_info message_kinds[MSG__MAX];
/* The kind named name, or -1. */
int message_kind_from_name(const char *name);

struct message {
	enum message_kind kind;
	int64_t org;            /* the organisation it is about; 0 for none */
	int64_t user_id;        /* a login: its inbox, and email to its address */
	int64_t participant_id; /* a participant: their login's inbox if they have
	                         * one; email while the contact consent allows
	                         * (asked when sending) */
	json_t *params;         /* borrowed; ids and times only; NULL for {} */
	const char *secret;     /* a one-time link's token, sealed until sent; NULL */
	int64_t not_before;     /* 0: now */
	const char *cancel_key; /* lets messages_cancel() withdraw it while queued */
};

/* Writes m inside the caller's write transaction (see above). Returns 0
 * with *id set (id may be NULL) or a negative hearth_err. */
int messages_send(struct db_conn *c, const struct keyring *kr, const struct message *m,
                  int64_t *id);
/* Cancels every message with cancel_key whose email is not sent yet (a
 * reminder for an offer that was answered). Inside a write transaction. */
int messages_cancel(struct db_conn *c, const char *cancel_key);

/* Events (events.c). Writes an event for user's stream inside the
 * caller's transaction; streams learn of it when it commits. org is the
 * organisation of the thing (0: none): a stream passes the event on only
 * while the user may still see that organisation's things. */
int events_publish(struct db_conn *c, int64_t user_id, int64_t org, const char *kind,
                   int64_t ref_id);

/* The sender's settings (hearth serve: --smtp-url, --smtp-user,
 * --smtp-password-file, --mail-from, and HEARTH_... variables). */
struct messages_config {
	const char *smtp_url;      /* smtp://host[:port] (STARTTLS), smtps://...; NULL: files */
	const char *smtp_user;     /* NULL: no login */
	const char *smtp_password; /* read from --smtp-password-file */
	const char *mail_from;     /* "Hearth <hearth@example.org>" */
	const char *mail_dir;      /* where .eml files go without SMTP */
	const char *public_url;    /* links in emails: "https://hearth.example.org" */
	int max_tries;             /* then the message is failed (default 8) */
	int retry_base_s;          /* first retry after about this (default 30) */
	int lease_s;               /* a claim lapses after this (default 120) */
};
/* Checks cfg (the SMTP URL's scheme and host, the sender address): 0, or
 * -HEARTH_EINVAL with a message naming the flag in err. */
int messages_config_check(const struct messages_config *cfg, char *err, size_t errlen);

/* Registers the module's part of a person's export (once at start-up,
 * before any thread runs). */
void messages_init(void);

/* Starts the sender and the events dispatcher on pool. Returns 0 or a
 * negative hearth_err. messages_stop() ends both (at shutdown). */
int messages_start(struct db_pool *pool, const struct keyring *kr, const struct people_ctx *px,
                   const struct messages_config *cfg);
void messages_stop(void);

#endif
