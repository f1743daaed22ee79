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
