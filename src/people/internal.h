/*
 * Inside the people module: storage functions shared by its logic files
 * (people.c, consent.c, agreement.c, code.c, erasure.c, export.c, scope.c)
 * and its edge (the _http.c files). Other modules include people.h only.
 */
#ifndef HEARTH_PEOPLE_INTERNAL_H
#define HEARTH_PEOPLE_INTERNAL_H

#include "auth/auth.h"
#include "people/people.h"

struct person_new {
	const char *profile;              /* the sealed document's plaintext (JSON text) */
	const char *name, *email, *phone; /* for blind indexes; phone may be NULL */
	const char *age_band;             /* may be NULL */
	bool is_minor;
	bool self_registered;
	const int64_t *org_ids;
	size_t norgs;
	int64_t created_by; /* 0 for self-registration */
};

struct person_row {
	int64_t id;
	bool erased;
	char *profile; /* opened JSON text, NULL when erased */
	const char *age_band;
	bool is_minor;
	int64_t user_id, created_at, updated_at, last_activity_at, erased_at;
	int64_t *org_ids;
	size_t norgs;
};

struct consent_in {
	enum consent_purpose purpose;
	bool granted;
	const char *given_by;      /* self, guardian, staff */
	const char *method;        /* online, paper, verbal */
	const char *guardian_name; /* required when the person is a minor */
	int64_t version;           /* 0 = the current version */
	const char *lang;          /* "en" or "es" */
	int64_t recorded_by;
};

struct consent_row {
	int64_t id;
	const char *purpose, *given_by, *method, *lang;
	bool granted;
	char *guardian_name; /* opened; NULL if none or erased */
	int64_t version, recorded_by, at;
};

/* All inside a write transaction the caller owns unless said otherwise. */
int people__create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                   const struct person_new *in, int64_t *id);
int people__get(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                struct person_row *out);
int people__update(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                   const char *profile, const char *name, const char *email, const char *phone,
                   const char *age_band, bool is_minor);
int people__find(const struct people_ctx *px, struct db_conn *c, const char *field,
                 const char *normalised, int64_t *ids, size_t max, size_t *n);
/* Exact search by what a person typed (value, not yet normalised): the
 * blind index of its normal form (NFC, case-folded), and, where it
 * differs, of the form indexes had before Hearth used Unicode
 * (people__legacy_form), so that records indexed then are still found
 * until their next update re-indexes them. At most max ids, each once. */
int people__find_value(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                       const char *field, const char *value, int64_t *ids, size_t max, size_t *n);
/* What name or email normalisation gave before Unicode (NFC of value, then
 * the old ASCII/Latin lower-casing for a name, ASCII lower-casing for an
 * email); NULL for other fields. In a. */
const char *people__legacy_form(struct arena *a, const char *field, const char *value);
int people__list_for_orgs(struct db_conn *c, const int64_t *orgs, size_t norgs, int64_t after,
                          int limit, int64_t *ids, size_t *n);
int people__touch(struct db_conn *c, int64_t id);
int people__link_user(struct db_conn *c, int64_t id, int64_t user_id);
int people__by_user(struct db_conn *c, int64_t user_id, int64_t *id);
/* A participant's change of their own email (user_id their login), counted
 * against the day's limit (EMAIL_CHANGES_PER_DAY) inside the caller's
 * transaction: -HEARTH_ELOCKED with *retry when it is one too many. */
int people__email_change_hit(struct db_conn *c, const struct keyring *kr, int64_t user_id,
                             int64_t *retry);
/* The same for a change refused (the address taken): the caller's
 * transaction, which failed, is rolled back, and the change is counted in
 * a transaction of its own, so that the refusal counts too. */
int people__email_change_refused(struct db_conn *c, const struct keyring *kr, int64_t user_id,
                                 int64_t *retry);

int people__consent_record(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t id, const struct consent_in *in, int64_t *consent_id,
                           const char **bad_field, char *err, size_t errlen);
int people__consents(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                     struct consent_row **rows, size_t *n);
int people__consent_text(struct db_conn *c, struct arena *a, const char *purpose, int64_t version,
                         const char *lang, int64_t *current_version, const char **body);
/* Tells every listener registered with people_on_consent_withdrawn that
 * the person withdrew purpose (or was erased: PURPOSE_PARTICIPATION), in
 * the caller's transaction. Returns 0 or the first listener's error. */
int people__consent_withdrawn(struct db_conn *c, int64_t id, enum consent_purpose purpose);

int people__code_create(struct db_conn *c, int64_t id, int64_t actor, char code[16]);
int people__code_claim(struct db_conn *c, const char *code, int64_t *id);
/* The person of an open code, looked at in a transaction of its own that
 * is rolled back (the code is not used up). -HEARTH_ENOTFOUND if none. */
int people__code_peek(struct db_conn *c, const char *code, int64_t *id);

/* --- one-time account links (links.c), inside the caller's write
 * transaction --- */

#define PEOPLE_INVITE_SECONDS (7 * 86400)
#define PEOPLE_RESET_SECONDS  (30 * 60)
/* A new link for purpose ("reset" or "invite") of a login or a participant,
 * valid ttl seconds; an earlier unused one of the same purpose is void from
 * now. token (64 hex) goes only into the message. */
int people__link_create(struct db_conn *c, const struct keyring *kr, const char *purpose,
                        int64_t user_id, int64_t pid, int64_t ttl, char token[65]);
/* Uses a link once: its login and participant, or -HEARTH_ENOTFOUND when the
 * token is unknown, of another purpose, used or expired. */
int people__link_use(struct db_conn *c, const struct keyring *kr, const char *purpose,
                     const char *token, int64_t *user_id, int64_t *pid);
/* Sends participant pid (of organisation org) an invitation link
 * (MSG_ACCOUNT_INVITE). *no_email, and nothing sent, when their record has
 * no email. The caller checks they have no login yet. */
int people__invite(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t pid,
                   int64_t org, bool *no_email);
/* Creates participant pid's login with password_hash (their email's keyed
 * hash as login name, a participant membership in their first
 * organisation). -HEARTH_ECONFLICT when they have one, are erased, or the
 * login name is taken; -HEARTH_EINVAL when their record has no email. */
int people__login_create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t pid, const char *password_hash, int64_t *uid);
/* Uses an invitation link and creates the login (people__login_create). */
int people__invite_accept(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                          const char *token, const char *password_hash, int64_t *pid, int64_t *uid);
/* A forgotten password: when email opens an enabled login, a reset link
 * (MSG_PASSWORD_RESET) and *uid; otherwise nothing and *uid 0. */
int people__reset_request(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                          const char *email, int64_t *uid);
/* Uses a reset link: sets the password and ends every session of its
 * login (*uid). -HEARTH_ENOTFOUND for a bad, used or expired token. */
int people__reset_complete(const struct people_ctx *px, struct db_conn *c, const char *token,
                           const char *password_hash, int64_t *uid);
/* Tells the active participant whose email this is that someone tried to
 * register with it or move their record to it (MSG_REGISTER_ATTEMPT);
 * *owner their id, 0 (nothing sent) when nobody has it. */
int people__address_owner_tell(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                               const char *email, int64_t *owner);
/* Counts an attempt from addr (register, claim: prefix) against limit an
 * hour, in a transaction of its own committed at once, so that an attempt
 * rolled back later still counts. -HEARTH_ELOCKED with *retry when it was
 * one too many (counted too). */
int people__count_attempt(struct db_conn *c, const struct keyring *kr, const char *prefix,
                          const char *addr, int limit, int64_t *retry);

int people__agreement_create(struct db_conn *c, int64_t from, int64_t to, const char *categories,
                             int64_t starts, int64_t ends, int64_t actor, int64_t *id);
int people__agreement_revoke(struct db_conn *c, int64_t id);

int people__erasure_request(struct db_conn *c, int64_t id, int64_t *request_id, bool *automatic);
/* Begins a write transaction and files the person's erasure request (see
 * people__erasure_request). Asked twice at once, the other request stands:
 * the transaction is begun again and its id returned. On 0 the transaction
 * is open for the caller to audit and commit; otherwise nothing is open. */
int people__erasure_ask(struct db_conn *c, int64_t id, int64_t *request_id, bool *automatic);

/* Rows for listings; fn is called per row (strings valid during the call). */
struct erasure_row {
	int64_t id, participant_id, requested_at, decided_at;
	const char *status;
	const char *reason; /* why it was rejected (opened); NULL otherwise and in lists */
};
/* The person's latest erasure request (pending, or the last decided one)
 * into *out, strings in arena; -HEARTH_ENOTFOUND when they never asked. */
int people__erasure_latest(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t participant_id, struct erasure_row *out);
/* The erasure queue as one reviewer sees it: the requests (status NULL or
 * "": every status) of people in one of organisations orgs[0..norgs), each
 * once, oldest first, with the person's organisations and whether they are
 * erased. Reads no sealed data. fn is called once per request. */
struct erasure_queued {
	struct erasure_row row;
	const int64_t *org_ids;
	size_t norgs;
	bool erased;
};
int people__erasure_queue(struct db_conn *c, struct arena *a, const char *status,
                          const int64_t *orgs, size_t norgs,
                          void (*fn)(const struct erasure_queued *q, void *ctx), void *ctx);
/* The organisations of participant id (arena array, by id). */
int people__orgs_of(struct db_conn *c, struct arena *a, int64_t id, int64_t **ids, size_t *n);
/* Marks a pending request rejected, the reason sealed with the person's
 * data key (it is written about them); -HEARTH_ENOTFOUND if none pending. */
int people__erasure_reject(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t request_id, int64_t actor, const char *reason);
/* The participant of a pending request; -HEARTH_ENOTFOUND if none pending. */
int people__erasure_pending(struct db_conn *c, int64_t request_id, int64_t *participant_id);

struct agreement_row {
	int64_t id, from_org, to_org, starts_at, ends_at, revoked_at;
	const char *categories;
};
/* Agreements involving org (0 = all). */
int people__agreement_list(struct db_conn *c, int64_t org,
                           void (*fn)(const struct agreement_row *row, void *ctx), void *ctx);
int people__agreement_get(struct db_conn *c, int64_t id, struct agreement_row *row);

/* The people module's rows for the person's export besides the record:
 * open account codes (their expiry; the code itself is never stored) and
 * erasure requests (with the reason of a refusal, opened), appended to the
 * two arrays. */
int people__export_own(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                       json_t *codes, json_t *requests);

/* --- the person as JSON and the export (export.c) --- */

/* The person's latest decision per purpose, as an object. */
json_t *people__consent_state(struct consent_row *rows, size_t n);
/* Every decision, oldest first. */
json_t *people__consent_history(struct consent_row *rows, size_t n);
/* The JSON for a person: profile fields (staff notes only when notes),
 * then what is not sealed; consents when rows is not NULL. */
json_t *people__person_json(struct person_row *p, struct consent_row *rows, size_t n, bool notes);
/* Only the fields of the contact category, for a partner organisation. */
json_t *people__contact_json(struct person_row *p);
/* Everything Hearth holds about the person, as one JSON document into *out
 * (the caller owns it): the people module's parts, then every registered
 * module's sections, and "covers", which names the tables behind each
 * section. Reads in a read-only transaction of its own. Returns 0 or a
 * negative hearth_err (then *out is NULL) when a section cannot be read. */
int people__export_doc(const struct people_ctx *px, struct db_conn *c, struct arena *a, int64_t id,
                       struct person_row *p, struct consent_row *rows, size_t n, json_t **out);

/* --- who may act on a person (scope.c) --- */

/* The one decision for a person's record (docs/api.md, "Who may do
 * what"): policy_check() over the person's organisations, the most
 * permissive answer winning. For SCOPE_SHARED actions (reads) a person
 * shared with the caller's organisation under an agreement covering
 * contact is allowed with *contact_only set; for the others such a person
 * counts as known (403, not 404). Erased people keep their organisations,
 * so their own staff are told they are gone (410) and others 404.
 * contact_only may be NULL. Returns 0, -HEARTH_EDENIED, -HEARTH_ENOTFOUND
 * or -HEARTH_EAUTH, or another negative hearth_err when the agreements or
 * consents cannot be read. */
int people__check(struct db_conn *c, const struct actor *a, enum action act,
                  const struct person_row *p, bool *contact_only);
/* The roles the caller holds in the person's organisations (for what a
 * reader may see: policy_person_hidden). A person's record is never
 * platform-wide: an admin's role counts only where they hold it. */
uint32_t people__roles_for(const struct actor *a, const struct person_row *p);

/* Active people of the organisations orgs (norgs of them; a person of
 * several is listed once) whose last activity is before cutoff, oldest
 * first, at most limit. */
int people__expired(struct db_conn *c, const int64_t *orgs, size_t norgs, int64_t cutoff, int limit,
                    void (*fn)(int64_t id, int64_t last_activity_at, void *ctx), void *ctx);
/* 0 when the person is active and their last activity is before cutoff,
 * -HEARTH_ENOTFOUND when not, or another negative hearth_err. */
int people__is_expired(struct db_conn *c, int64_t id, int64_t cutoff);

/* Every subject id that has a data key in the key store, ascending. *ids is
 * malloc'd (the caller frees it; NULL on error). Returns 0 or a negative
 * hearth_err. */
int people__key_subjects(const struct people_ctx *px, int64_t **ids, size_t *n);

/* Replaces subject's key in the key store with a new one (into dk), for
 * people__create only: it has just inserted participant subject in its open
 * transaction, so an existing key for that id is an orphan (a creation that
 * crashed between the key store's commit and the main one, the id then
 * handed out again by SQLite) and nobody's data. Returns 0 or a negative
 * hearth_err. */
int people__key_replace_orphan(const struct people_ctx *px, int64_t subject, unsigned char dk[32]);

#endif
