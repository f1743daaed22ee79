/*
 * Inside the messages module: what the email side (sender.c, email.c,
 * smtp.c, prefs.c, outbox_admin.c and messages_http.c) shares. Other
 * modules include messages.h only.
 */
#ifndef HEARTH_MESSAGES_MAIL_H
#define HEARTH_MESSAGES_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct arena;
struct buf;
struct db_conn;
struct keyring;
struct people_ctx;
struct messages_config;

/* --- sender.c --- */

/* The configuration messages_start() was given (NULL before it ran), and
 * the keyring and people context it keeps. */
const struct messages_config *mail__config(void);
const struct keyring *mail__keyring(void);
const struct people_ctx *mail__people(void);
/* True once messages_stop() began: a delivery under way gives up. */
bool mail__stopping(void);

/* --- prefs.c: what a person wants (message_prefs) --- */

/* A person is a login (user_id) or a participant without one. */
struct mail_prefs {
	char lang[3];         /* "en" or "es" */
	char inbox_only[512]; /* ",kind,kind," */
	char quiet_start[6];  /* "HH:MM" or "" */
	char quiet_end[6];    /* "HH:MM" or "" */
	char time_zone[65];   /* IANA name, "UTC" by default */
};
/* The preferences of user_id (when not 0) or else of participant_id; the
 * defaults when no row exists. Returns 0 or a negative hearth_err. */
int mail_prefs_get(struct db_conn *c, int64_t user_id, int64_t participant_id,
                   struct mail_prefs *out);
/* Writes p for the person (a row is made when none exists). Inside a write
 * transaction. Returns 0 or a negative hearth_err. */
int mail_prefs_put(struct db_conn *c, int64_t user_id, int64_t participant_id,
                   const struct mail_prefs *p);
/* True when kind is one p gets in the inbox only. */
bool mail_prefs_inbox_only(const struct mail_prefs *p, const char *kind);
/* A change to a person's preferences (PUT /api/v1/me/message-preferences).
 * NULL leaves a value as it is; quiet_set with both NULL clears the quiet
 * hours; kinds not listed keep their channel. */
struct prefs_change {
	const char *lang, *time_zone;
	bool quiet_set;
	const char *quiet_start, *quiet_end;
	struct {
		const char *kind;
		bool email;
	} kinds[16];
	size_t nkinds;
};
/* Validates ch (lang "en"/"es", a listed IANA time zone, quiet hours both
 * "HH:MM" or both unset, kinds by name and not email-only: essential kinds
 * may go inbox-only, as the inbox always gets them) and writes it. Inside a
 * write transaction. On bad input returns -HEARTH_EINVAL with the field's
 * name in *field. */
int prefs_update(struct db_conn *c, int64_t user_id, int64_t participant_id,
                 const struct prefs_change *ch, const char **field);
/* If t (UTC) falls in p's quiet hours, the UTC instant they end; else t. */
int64_t mail_prefs_after_quiet(const struct mail_prefs *p, int64_t t);

/* One-click unsubscribe tokens: base64url of (person, kind) and a keyed
 * MAC. mail_unsub_token writes a NUL-terminated token into out (at least
 * 96 bytes). */
void mail_unsub_token(const struct keyring *kr, int64_t user_id, int64_t participant_id,
                      const char *kind, char *out, size_t outlen);
/* Opens a token: -HEARTH_EINVAL when malformed, tampered with or naming an
 * unknown or essential kind. */
int mail_unsub_parse(const struct keyring *kr, const char *token, int64_t *user_id,
                     int64_t *participant_id, int *kind);
/* Sets kind to inbox-only for the token's person. Inside a write
 * transaction. */
int mail_unsubscribe(struct db_conn *c, int64_t user_id, int64_t participant_id, int kind);

/* --- email.c: the words and the RFC 5322 text --- */

/* Reads the embedded catalogs web/i18n/{en,es}.json once. 0 or an error. */
int mail_catalog_init(void);
/* The words for key in lang (falls back to English), or NULL. */
const char *mail_words(const char *lang, const char *key);

/* What an email is made of. */
struct mail_input {
	int kind;               /* enum message_kind */
	int64_t id;             /* the message's id */
	const char *to;         /* the recipient's address */
	const char *message_id; /* "<hearth.ID.RANDOM@domain>" */
	int64_t date;           /* the Date header */
	json_t *params;         /* the message's params (ids and times) */
	const char *secret;     /* an opened one-time secret, or NULL */
	bool mask_secret;       /* show the link with the secret masked */
	const struct mail_prefs *prefs;
	const char *unsub_token; /* for List-Unsubscribe, or NULL (essential) */
};
/* Writes the whole message (headers and body, CRLF line ends) into out. */
void mail_render(const struct mail_input *in, struct buf *out);
/* A fresh Message-ID for message id under mail_from's domain. */
void mail_message_id(int64_t id, const char *mail_from, char *out, size_t outlen);
/* The bare address of "Name <a@b>" or "a@b" into out. */
void mail_bare_address(const char *from, char *out, size_t outlen);

/* --- smtp.c: delivery --- */

/* Sends data (a whole message) to rcpt through cfg's SMTP server, reusing
 * the connection of the last call. Returns 0, or a negative hearth_err with
 * curl's reason (no addresses) in err. The sender thread's only. */
int mail_smtp_send(const struct messages_config *cfg, const char *rcpt, const char *data,
                   size_t len, char *err, size_t errlen);
/* Closes the connection mail_smtp_send keeps (the sender thread, at its end). */
void mail_smtp_close(void);
/* Writes data to <cfg->mail_dir>/<name> (0600, directory 0700) through a
 * temporary name and a rename. Returns 0 or -HEARTH_EIO with err. */
int mail_file_write(const char *dir, const char *name, const char *data, size_t len, char *err,
                    size_t errlen);

/* --- outbox_admin.c: what admins see and do --- */

struct outbox_row {
	int64_t id, organisation_id, user_id, participant_id;
	const char *kind, *state, *last_error, *sent_via, *message_id;
	int64_t attempts, next_at, sent_at, created_at;
};
/* The outbox newest first, filtered by state (NULL: all), after cursor
 * (an id; 0: from the newest). fn is called per row. Returns the number of
 * rows or a negative hearth_err. */
int outbox_list(struct db_conn *c, struct arena *a, const char *state, int64_t cursor, int limit,
                void (*fn)(const struct outbox_row *, void *), void *ctx);
/* One row into out (strings in a). -HEARTH_ENOTFOUND when none. */
int outbox_get(struct db_conn *c, struct arena *a, int64_t id, struct outbox_row *out);
/* The email message id would send, rendered into out (the one-time link
 * masked). Returns 0 or a negative hearth_err; -HEARTH_ENOTFOUND for an
 * inbox-only message nobody could be emailed. */
int outbox_render(struct db_conn *c, struct arena *a, int64_t id, struct buf *out);
/* Failed -> queued, attempts 0, due now. -HEARTH_ECONFLICT when the message
 * is not failed. Inside a write transaction. */
int outbox_retry(struct db_conn *c, int64_t id);
/* Queues a test message to user_id. Inside a write transaction. */
int outbox_test(struct db_conn *c, const struct keyring *kr, int64_t user_id, int64_t org,
                int64_t *id);

/* --- the recipient (sender.c) --- */

/* Decides where message row goes: its address into addr (arena memory), or
 * NULL with the reason in *why (no personal data). */
int mail__recipient(struct db_conn *c, struct arena *a, int kind, int64_t user_id,
                    int64_t participant_id, const char **addr, const char **why);

#endif
