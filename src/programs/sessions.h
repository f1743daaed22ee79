/*
 * Sessions of a programme (sessions.c): generated from its schedule, then
 * moved, re-placed, cancelled or published one by one; the venue booking
 * rule and the duty rule a move must keep. Logic only: a database
 * connection, typed inputs, 0 or -HEARTH_E... with a refusal (programs.h).
 * The edge is sessions_http.c (and programmes_http.c, which generates them).
 */
#ifndef HEARTH_PROGRAMS_SESSIONS_H
#define HEARTH_PROGRAMS_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct actor;
struct arena;
struct db_conn;
struct programs_refusal;
struct schedule;

/* 0 when venue (0: none) is free over [start, end), not counting session
 * self. Else 409 naming venue_id: with the session in the way
 * (conflicting_session, conflicting_programme) when it is a programme of
 * one of who's organisations; another organisation's programme is never
 * named (not its title, not its session): the venue is just booked. */
int sessions_venue_free(struct db_conn *c, struct arena *a, const struct actor *who, int64_t venue,
                        int64_t start, int64_t end, int64_t self, struct programs_refusal *why);

/* The policy's decision (policy_check_assigned) on act for session ref
 * (programs_session_ref) by a: whether a is assigned to it (on its roster,
 * or in its programme's team) is read here, the rest is the policy's.
 * *only_assigned (may be NULL) is set when a was refused only because
 * they are not assigned (their role may act on the sessions they run). */
struct prog_ref;
#include "auth/auth.h"
int sessions_check(struct db_conn *c, const struct actor *a, enum action act,
                   const struct prog_ref *ref, bool *only_assigned);

/* Adds one session of programme; *id gets its id. */
int sessions_insert(struct db_conn *c, int64_t programme, int64_t start, int64_t end,
                    int64_t original, int64_t venue, const char *link, const char *status,
                    int64_t *id);

/* Generates the schedule's sessions of programme as drafts (400 naming
 * rrule when it gives none; the venue rule above). Fills *weekdays with the
 * local weekdays they fall on. Inside the caller's write transaction. */
int sessions_generate(struct db_conn *c, struct arena *a, const struct actor *who,
                      int64_t programme, const struct schedule *sc, int64_t venue, const char *link,
                      int64_t *count, int *weekdays, struct programs_refusal *why);

/* Moves the programme's future sessions that were not changed by hand to
 * venue and link (the venue rule above). All or none. */
int sessions_move_place(struct db_conn *c, struct arena *a, const struct actor *who,
                        int64_t programme, int64_t venue, const char *link,
                        struct programs_refusal *why);

/* After a move to start, everyone on duty at session still holds valid
 * training on its local date in zone (409 naming starts_at otherwise). A
 * check that cannot run does not pass. */
int sessions_duty_check(struct db_conn *c, struct arena *a, int64_t session, int64_t start,
                        const char *zone, struct programs_refusal *why);

/* The sessions of programme as the API shows them (staff: drafts and
 * cancelled ones too); *items is a new JSON array. */
int sessions_list(struct db_conn *c, int64_t programme, bool staff, json_t **items);
/* Session id as the API shows it, when visible: to staff always, else when
 * its programme (programme_status) and it are (or were) published;
 * -HEARTH_ENOTFOUND otherwise. */
int sessions_get(struct db_conn *c, int64_t id, bool staff, const char *programme_status,
                 json_t **out);
/* Session id as the API shows it, starting at start in zone; NULL when it
 * cannot be read. */
json_t *sessions_json(struct db_conn *c, int64_t id, int64_t start, const char *zone);
/* The sessions user is rostered at that end after since, with their role. */
int sessions_duties(struct db_conn *c, int64_t user, int64_t since, json_t **items);

/* What a change to one session reads and writes. Strings: arena memory. */
struct session_state {
	int64_t start, end, venue;
	const char *link, *status;
	int64_t was_published;
	const char *reason;
	int64_t cancelled_at;
};
int sessions_state_get(struct db_conn *c, struct arena *a, int64_t id, struct session_state *st);
/* Stores st as session id, changed by hand (edited, sequence + 1). */
int sessions_state_put(struct db_conn *c, int64_t id, const struct session_state *st);

#endif
