/*
 * The hash-chained audit log. Every write, and every read of a person's
 * record, appends an entry in the same transaction as the work it records.
 * Each entry holds a keyed BLAKE2b hash over its own fields and the previous
 * entry's hash (the key derives from the master key), so a row changed,
 * removed or inserted by someone with access to the database but not the
 * key file is found by audit_verify(). The head row (last id and hash) is
 * keyed too, so the tail cannot be cut off by rewriting it. What a database
 * alone cannot prove is a rollback to an older, complete copy of the whole
 * log; operators who need that record `hearth audit verify`'s last entry
 * elsewhere (see docs/security.md).
 */
#ifndef HEARTH_AUDIT_H
#define HEARTH_AUDIT_H

#include <stdint.h>

struct db_conn;
struct db_pool;
struct keyring;

struct audit_entry {
	int64_t actor_id;        /* 0 = anonymous / system / API token */
	int64_t organisation_id; /* 0 = none */
	const char *action;      /* e.g. "user.create" */
	const char *resource;    /* e.g. "user:12" — ids only, never personal details */
	const char *outcome;     /* "success", "denied", "failure" */
	const char *request_id;  /* "" for command-line work */
	int64_t actor_token_id;  /* the API token acting, 0 if none */
};

/* Appends e. Must be called inside a write transaction on c. Returns 0 or a
 * negative hearth_err (the caller then rolls back its whole transaction). */
int audit_append(struct db_conn *c, const struct keyring *kr, const struct audit_entry *e);

/*
 * Deferred, aggregate entries, for acts whose audit entry must not reveal
 * who acted (an anonymous listening answer): written at once, an entry's
 * exact time and its place in the chain between the actor's own entries
 * would tie the act to them. audit_defer() only adds one to a count per
 * (action, resource, UTC day) in the same transaction as the act; a
 * separate step, audit_flush(), later writes one entry per finished day
 * with no actor, no request and the day and count in request_id
 * ("day=2026-12-01 count=3").
 */

/* Counts one act of action on resource on the UTC day of at (epoch
 * seconds, normally util_now()). Must be called inside a write transaction
 * on c. action and resource are at most 95 bytes. Returns 0 or a negative
 * hearth_err. */
int audit_defer(struct db_conn *c, const char *action, const char *resource, int64_t at);

/* Called by audit_flush() for each count it turns into an entry, inside the
 * flush's transaction, so that the owner of the counted rows can rewrite
 * them (on PostgreSQL this gives them the flush's transaction id instead of
 * the one of the request that wrote them). Returns 0 or a negative
 * hearth_err (the flush then rolls back). */
typedef int (*audit_settle_fn)(struct db_conn *c, const char *resource, int64_t day);

/* Registers fn for deferred entries of action (once, at start-up). */
void audit_on_settle(const char *action, audit_settle_fn fn);

/* Turns every count of a day before now's UTC day into one audit entry
 * (actor none, outcome "success") and removes it, in one write transaction
 * of its own on c (the caller has none open). Safe to run on several nodes
 * at once: each count is written once. Returns the number of entries
 * written or a negative hearth_err. */
int audit_flush(struct db_conn *c, const struct keyring *kr, int64_t now);

struct audit_verify_result {
	int64_t checked;      /* entries whose hash was recomputed */
	int64_t first_bad_id; /* meaningful only when audit_verify returned
	                       * -HEARTH_ETAMPER (a forged row may carry id 0) */
	char reason[160];
};

/* Walks the chain from the start. Returns 0 when intact, -HEARTH_ETAMPER
 * with res->first_bad_id and res->reason filled when not, or another
 * negative hearth_err on storage failure. */
int audit_verify(struct db_pool *p, const struct keyring *kr, struct audit_verify_result *res);

/* The id of the last entry made with master key key_id's audit key (0 when
 * none), for `hearth keys destroy-old`: after it, an entry naming that key
 * is refused by the verifier. Returns 0 or a negative hearth_err. */
int audit_key_last_entry(struct db_pool *p, uint32_t key_id, int64_t *last);

struct audit_row {
	int64_t id, at, actor_id, organisation_id, actor_token_id;
	const char *action, *resource, *outcome, *request_id;
};

struct audit_filter {
	int64_t actor_id;     /* 0 = any */
	const char *resource; /* NULL = any */
	int64_t since, until; /* 0 = open */
	int64_t
	    after_id; /* keyset pagination: entries with id < after_id when > 0 (newest first) */
	int limit;
};

/* Calls fn for each matching entry, newest first, at most filter->limit.
 * Row strings are valid only during the call. Returns the number of rows or
 * a negative hearth_err. */
int audit_list(struct db_conn *c, const struct audit_filter *f,
               void (*fn)(const struct audit_row *row, void *ctx), void *ctx);

#endif
