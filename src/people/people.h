/*
 * People: participants, their needs and consents, data-sharing agreements
 * between organisations, and erasure that really erases.
 *
 * Other modules use this header only: consent_allows() at the moment of use,
 * people_sharing_allows() for cross-organisation reads, and
 * people_seal()/people_open() to encrypt their own sensitive fields (journal,
 * safety plan, free-text check-ins) with the person's data key, so that
 * erasing the person erases those too.
 */
#ifndef HEARTH_PEOPLE_H
#define HEARTH_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct actor;
struct arena;
struct db_conn;
struct db_pool;
struct keyring;

enum consent_purpose {
	PURPOSE_PARTICIPATION,
	PURPOSE_CONTACT,
	PURPOSE_EVALUATION,
	PURPOSE_CLINICAL_SHARING,
	PURPOSE_PEER_COMMUNITY,
	PURPOSE_MEDIA,
	PURPOSE__MAX
};
extern const char *const purpose_names[PURPOSE__MAX + 1];
int people_purpose_from_name(const char *name);

enum share_category {
	SHARE_CONTACT,
	SHARE_ATTENDANCE,
	SHARE_CHECKINS,
	SHARE_SAFETY_PLAN,
	SHARE_REFERRALS,
	SHARE_OUTCOMES,
	SHARE__MAX
};
extern const char *const share_names[SHARE__MAX + 1];
/* The consent each shared category needs from the person. */
extern const enum consent_purpose share_purpose[SHARE__MAX];

/* The key store: wrapped per-person data keys, kept apart from the main
 * database (a SQLite file beside the key file, or its own PostgreSQL
 * database), so backups of the main data never hold them. */
struct keystore;
/* Opens (creating if needed) the key store at url. Returns NULL and fills
 * errmsg on failure. The caller owns the result. */
struct keystore *keystore_open(const char *url, char *errmsg, size_t errlen);
void keystore_close(struct keystore *ks);
/* Lets a serving node open data keys re-wrapped under a master key added to
 * key_file after it started (`hearth keys rotate`): such a key makes it
 * read the key file again. Copies key_file; NULL turns this off. */
void keystore_set_key_file(struct keystore *ks, const char *key_file);
/* The default location for a key file: "<dir of key file>/hearth.keystore.db". */
void keystore_default_path(const char *key_file, char *out, size_t size);

/* Everything the module needs at hand. */
struct people_ctx {
	struct keystore *ks;
	const struct keyring *kr;
};

/* Creates a data key for a new subject and stores it wrapped. */
int people_key_create(const struct people_ctx *px, int64_t subject, unsigned char dk[32]);
/* Loads and unwraps a subject's data key; -HEARTH_ENOTFOUND once erased. */
int people_key_load(const struct people_ctx *px, int64_t subject, unsigned char dk[32]);
/* Destroys a subject's data key for good (crypto-shredding). */
int people_key_destroy(const struct people_ctx *px, int64_t subject);

/* Key rotation: re-wraps, under px's current master key, every data key
 * wrapped by another master key px's keyring holds, one row and one commit
 * at a time (safe to stop and run again, and while nodes serve). Keys no
 * key px holds opens are counted in *failed and left alone. crash_after > 0
 * aborts the process after that many re-wraps (tests). Returns 0 or a
 * negative hearth_err. */
int people_keys_rewrap(const struct people_ctx *px, long crash_after, size_t *rewrapped,
                       size_t *failed);
/* Counts the key store's data keys wrapped by master key key_id (*under) and
 * all of them (*total). Returns 0 or a negative hearth_err. */
int people_keys_count(const struct people_ctx *px, uint32_t key_id, size_t *under, size_t *total);

/* The grace period of the orphan sweep, seconds: far longer than any
 * creation's transaction. */
#define PEOPLE_SWEEP_GRACE 3600
/* More orphans than this are never swept (a crash leaves one per creation
 * in flight; more means another or an older main database). */
#define PEOPLE_SWEEP_MAX 64
/* Destroys orphan data keys: keys older than grace seconds whose subject
 * has no participant row in the main database (pool), left by a creation
 * that crashed between the key store's commit and the main one. Run at
 * start. Sweeps nothing, and reports the orphans in *left, when none of the
 * key store's subjects is a participant of this database or there are more
 * than PEOPLE_SWEEP_MAX orphans. Returns 0 or a negative hearth_err. */
int people_keys_sweep(const struct people_ctx *px, struct db_pool *pool, int64_t grace,
                      size_t *swept, size_t *left);

/* Seals plaintext for a person; *out is arena memory of *outlen bytes. */
int people_seal(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                const void *plain, size_t n, unsigned char **out, size_t *outlen);
/* Opens what people_seal() made; -HEARTH_ENOTFOUND when the person was erased.
 * *out is NUL-terminated arena memory. */
int people_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                const unsigned char *sealed, size_t n, char **out, size_t *outlen);

/* True when the person's latest decision for purpose is a grant (and the
 * person is not erased). Asked at the moment of use; never cache it. */
bool consent_allows(struct db_conn *c, int64_t participant_id, enum consent_purpose purpose);
/* Whether the person's latest decision for purpose grants it, into
 * *granted (false when they never decided or are erased). Unlike
 * consent_allows, a database error is returned, not read as "no". */
int people_consent_granted(struct db_conn *c, int64_t participant_id, enum consent_purpose purpose,
                           bool *granted);

/* True when actor may see category of the person's data: staff of one of
 * the person's organisations, or staff of an organisation that an active
 * data-sharing agreement from one of the person's organisations covers for
 * this category AND the person consented to sharing with the partner
 * service (clinical_sharing) AND to the category's own purpose. */
bool people_sharing_allows(struct db_conn *c, const struct actor *a, int64_t participant_id,
                           enum share_category cat);
/* people_sharing_allows with the error told apart, for a caller that
 * answers 500 on it: *allowed is set only when the answer is known;
 * returns 0 or a negative hearth_err. */
int people_sharing(struct db_conn *c, const struct actor *a, int64_t participant_id,
                   enum share_category cat, bool *allowed);

/* True when an active data-sharing agreement (any category, within its
 * dates, not revoked) runs from organisation from to organisation to: the
 * two work together, so staff of to may be named in from's programmes. */
bool people_orgs_share(struct db_conn *c, int64_t from, int64_t to);
/* The same, with a database error returned (0 or a negative hearth_err)
 * instead of read as "no agreement". */
int people_orgs_shared(struct db_conn *c, int64_t from, int64_t to, bool *shared);

/* The organisations linked to org by an active data-sharing agreement, in
 * either direction (partners who may work together on a programme). Fills
 * at most max ids into out and their count into *n. Returns 0 or
 * -HEARTH_EDB. */
int people_partner_orgs(struct db_conn *c, int64_t org, int64_t *out, size_t max, size_t *n);

/* Modules that hold future places (sessions, waitlists) register here to
 * act when a person withdraws a consent; called inside the withdrawing
 * transaction. */
typedef int (*consent_withdrawn_fn)(struct db_conn *c, int64_t participant_id,
                                    enum consent_purpose purpose);
void people_on_consent_withdrawn(consent_withdrawn_fn fn);

/* The subject-access export (/api/v1/me/export): every module that keeps
 * rows about a person registers one section per kind of row, once at
 * start-up. fn appends one JSON object per row to out (an array it does not
 * own) with the person's own values, opening what it sealed; it runs inside
 * the export's read transaction and returns 0 or a negative hearth_err.
 * tables names, comma-separated, the tables the section covers: the export
 * lists them so that a test can prove every table holding a participant id
 * is covered. section and tables must be string literals (not copied); arg
 * is handed to fn as it is (one function can serve several sections). More
 * than PEOPLE_EXPORT_MAX sections is a programming error: it aborts. */
#define PEOPLE_EXPORT_MAX 64
typedef int (*people_export_fn)(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                                int64_t participant_id, json_t *out, const void *arg);
void people_on_export(const char *section, const char *tables, people_export_fn fn,
                      const void *arg);
/* The registered sections, in registration order; returns how many. */
struct people_export_section {
	const char *section, *tables;
	people_export_fn fn;
	const void *arg;
};
size_t people_export_sections(const struct people_export_section **out);

/* Erases a person: destroys their data key, wipes every sealed field and
 * blind index, removes their login, leaves a tombstone (id, age band, dates,
 * organisations). Audited. Manages its own transaction on c. Never half:
 * an error before the key is gone leaves the person whole; after it, the
 * wipe is tried again (three tries), and an error returned then leaves the
 * rest to people_reconcile_erasures at the next start. */
int people_erase(const struct people_ctx *px, struct db_conn *c, int64_t participant_id,
                 int64_t actor_id, const char *request_id);

/* The key store's erasure record wins over the main database: finishes the
 * erasure (as people_erase, audited with no actor) of every participant who
 * is not erased in the main database, has a sealed profile (so had a key),
 * but whose data key is gone from the key store, as after restoring a backup taken before an
 * erasure, or when an erasure stopped between its two steps. Run at start, before serving. One scan
 * of each side: the main database's ids first, then the key store's (a person being registered gets
 * their key before their row is committed, so a row seen first has its key by the second scan).
 * Refuses (-HEARTH_ECRYPTO, erasing nothing) when people would be erased
 * but the key store holds no key that this key file opens: a key store of
 * another deployment, or an empty one, is a configuration mistake, not an
 * erasure record. *finished gets how many erasures were finished. Returns 0
 * or a negative hearth_err. */
int people_reconcile_erasures(const struct people_ctx *px, struct db_pool *pool, size_t *finished);

/* What another module may read of a person, for its own purpose (fit
 * ranking, registers). The caller decides whether the actor may see it and
 * audits the read. profile is the opened profile (name, preferred_name,
 * languages, interests, availability, needs, ...), owned by the caller
 * (json_decref), NULL once erased. org_ids in arena. */
struct person_view {
	bool erased;
	json_t *profile;
	int64_t *org_ids;
	size_t norgs;
};
int people_view(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                struct person_view *out);
/* The name to show for a profile: preferred name, else name; NULL if none. */
const char *people_display_name(const json_t *profile);
/* The participant linked to a login; 0 when none. */
int64_t people_of_user(struct db_conn *c, int64_t user_id);
/* What other modules read about a person (lookup.c; they never read the
 * people tables). *active: participant pid exists and is not erased. */
int people_is_active(struct db_conn *c, int64_t pid, bool *active);
/* *pid: the active participant linked to login user_id, 0 when none. Unlike
 * people_of_user(), an error is returned, never read as "none". */
int people_by_user(struct db_conn *c, int64_t user_id, int64_t *pid);
/* The login of active participant pid; 0 when they have none (or the
 * record is erased or missing). */
int people_user_of(struct db_conn *c, int64_t pid, int64_t *user_id);
/* *email: the contact email in participant pid's sealed record (arena
 * memory), or NULL when they gave none or are erased or missing. For the
 * messages module, which asks consent_allows(PURPOSE_CONTACT) first.
 * Returns 0 or a negative hearth_err. */
int people_contact_email(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t pid, const char **email);

/* Normalisation for blind indexes (exact-match search). Result in arena. */
char *people_normalise_name(struct arena *a, const char *name);
char *people_normalise_phone(struct arena *a, const char *phone);
/* True if phone looks like a phone number (7-15 digits, + ( ) - . space). */
bool people_phone_valid(const char *phone);

#endif
