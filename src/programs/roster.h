/*
 * The roster of a programme's sessions (roster.c): who leads, co-facilitates,
 * is on duty, or leads as a participant, and the rules for adding and
 * removing them. Logic only: a database connection, typed inputs, 0 or
 * -HEARTH_E... with a refusal (programs.h). The handlers answer over HTTP
 * (roster_http.c); the scope of the ids they name is checked there first
 * (scope.h).
 */
#ifndef HEARTH_PROGRAMS_ROSTER_H
#define HEARTH_PROGRAMS_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;
struct arena;
struct db_conn;
struct people_ctx;
struct prog_ref;
struct programs_refusal;

/* The roles of a roster entry, NULL-terminated (the field table's enum). */
extern const char *const roster_roles[];

/* One entry: a staff member (user_id) or a participant lead
 * (participant_id); the other id is 0. name is arena text: a user's
 * display name, a participant's name, "(erased)" or "(unknown)". */
struct roster_entry {
	int64_t id, user_id, participant_id;
	const char *role, *name;
};

/* Session session's roster, by role. *people is set when a participant's
 * record was opened for a name (the caller audits the read). */
int roster_list(struct db_conn *c, struct arena *a, const struct people_ctx *px, int64_t session,
                struct roster_entry **out, size_t *n, bool *people);

/* What to add: role, and user_id (staff) or participant_id (lead). name
 * is the staff member's display name (for the duty refusal). */
struct roster_input {
	const char *role;
	int64_t user_id, participant_id;
	const char *name;
};
/* Adds in to the session of ref (already in scope: see scope.h), created
 * by who. Refuses 409 naming the id's field: a participant lead who is
 * not enrolled in the programme, someone put on duty without valid
 * training on the session's local date (training.h), or someone already
 * there in that role. Inside the caller's write transaction. */
int roster_add(struct db_conn *c, struct arena *a, const struct actor *who,
               const struct prog_ref *ref, const struct roster_input *in, int64_t *id,
               struct programs_refusal *why);
/* Removes entry id (-HEARTH_ENOTFOUND) of a programme who coordinates
 * (403); the last person on duty of a published session of a therapeutic
 * programme stays (409). *session gets the entry's session. Inside the
 * caller's write transaction. */
int roster_remove(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                  int64_t *session, struct programs_refusal *why);
/* How many are on duty at session session. */
int roster_duty_count(struct db_conn *c, int64_t session, int64_t *n);

/* Staff who can be named in a team or put on a roster. */
extern const char *const staff_roles[]; /* what GET /staff lists; NULL-terminated */
struct staff_role {
	int64_t organisation_id;
	const char *organisation, *role;
};
struct staff_member {
	int64_t id;
	const char *display_name;
	struct staff_role *roles;
	size_t nroles;
};
/* The enabled staff of organisation org (0: any) in role (NULL: any of
 * staff_roles; another value is a 400 naming role) that who may see:
 * staff of who's own organisations and of the partners those share data
 * with, everyone for admins. By display name; arena memory. */
int roster_staff_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t org,
                      const char *role, struct staff_member **out, size_t *n,
                      struct programs_refusal *why);

/* A programme's rotation: one slot per roster entry of each session not
 * cancelled (a session with nobody on its roster has one slot with role
 * NULL), by start time, then role. name as in struct roster_entry.
 * *people is set when a participant's record was opened for a name. */
struct rotation_slot {
	int64_t session_id, starts_at;
	const char *role; /* NULL: the session has nobody on its roster */
	int64_t user_id, participant_id;
	const char *name;
};
int roster_rotation(struct db_conn *c, struct arena *a, const struct people_ctx *px,
                    int64_t programme, struct rotation_slot **out, size_t *n, bool *people);

#endif
