/*
 * Training records of staff and volunteers (training.c), and the rule for
 * who may be on duty at a therapeutic session. Logic only: typed inputs, a
 * database connection, 0 or -HEARTH_E... with a refusal (programs.h). The
 * edge is training_http.c.
 */
#ifndef HEARTH_PROGRAMS_TRAINING_H
#define HEARTH_PROGRAMS_TRAINING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;
struct arena;
struct db_conn;
struct programs_refusal;

/* The kinds of training, NULL-terminated (the field table's enum). */
extern const char *const training_kinds[];

/* A record as listed; strings are arena memory. */
struct training_record {
	int64_t id, organisation_id, user_id;
	const char *name; /* the user's display name */
	const char *kind, *title, *completed_on;
	const char *expires_on; /* NULL when it does not expire */
	int64_t days_left;      /* training_expiring only: expires_on - today */
};

/* A record to add; title and expires_on may be NULL. */
struct training_input {
	int64_t organisation_id, user_id;
	const char *kind, *title, *completed_on, *expires_on;
};

/* The records who may see: a coordinator (or admin) sees their
 * organisations' records and their own; anyone else only their own (403
 * naming user_id when user names someone else). user 0: everyone's. */
int training_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t user,
                  struct training_record **out, size_t *n, struct programs_refusal *why);
/* Checks a new record's dates (the window of core/util.h, not in the
 * future on day today (days since 1970), expiry after completion) and that
 * who coordinates its organisation. No database: the edge runs it before
 * its transaction. */
int training_validate(struct arena *a, const struct actor *who, const struct training_input *in,
                      int64_t today, struct programs_refusal *why);
/* Stores a validated record (created_by who); inside the caller's write
 * transaction. An unknown organisation is a 400 naming organisation_id. */
int training_create(struct db_conn *c, struct arena *a, const struct actor *who,
                    const struct training_input *in, int64_t *id, struct programs_refusal *why);
/* Removes record id (-HEARTH_ENOTFOUND) of an organisation who
 * coordinates (403); inside the caller's write transaction. */
int training_delete(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                    struct programs_refusal *why);
/* Records of who's organisations expiring by day today + days that no
 * later record of the same kind outlasts, soonest first; days_left is set.
 * by and today get the two dates ("YYYY-MM-DD"). */
int training_expiring(struct db_conn *c, struct arena *a, const struct actor *who, int64_t today,
                      long days, struct training_record **out, size_t *n, char by[11],
                      char now[11]);
/* The reason user (shown as name) may not be on duty on date
 * ("YYYY-MM-DD"): no valid safeguarding training, or neither a clinician's
 * role nor valid first aid training. *reason is NULL when they may, else
 * arena text. */
int training_duty_refusal(struct db_conn *c, struct arena *a, int64_t user, const char *name,
                          const char *date, const char **reason);

#endif
