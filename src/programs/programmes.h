/*
 * Programmes (programmes.c): their storage, the team, the checks on format,
 * venue and link that need no other record, and what a therapeutic
 * programme needs before it is published. Logic only: a database
 * connection, typed inputs, 0 or -HEARTH_E... with a refusal (programs.h).
 * The schedule is schedule.c, the sessions sessions.c; the edge is
 * programmes_http.c (which checks the scope of the ids a body names first:
 * scope.h).
 */
#ifndef HEARTH_PROGRAMS_PROGRAMMES_H
#define HEARTH_PROGRAMS_PROGRAMMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct actor;
struct arena;
struct db_conn;
struct programs_refusal;

/* The parts of a trauma-informed plan, NULL-terminated. */
extern const char *const programme_plan_parts[];

/* The stored programme, as a change needs it; strings are arena memory. */
struct prog_row {
	int64_t org, capacity, duration, venue, held; /* held: enrolled + offered */
	const char *status, *format, *link, *zone, *start, *end, *time, *rule, *exdates;
	const char *title, *art, *desc, *langs, *plan, *funding;
	bool therapeutic;
	int64_t rostered; /* roster rows on its sessions */
};
/* -HEARTH_ENOTFOUND when there is no programme id. */
int programmes_row_load(struct db_conn *c, struct arena *a, int64_t id, struct prog_row *p);

/* What a create or an update stores, every column given (an update passes
 * the stored value of what it does not change). languages and exdates are
 * stored lists (',a,b,'), plan JSON text. */
struct programme_input {
	int64_t org; /* create only */
	const char *title, *art, *desc, *langs, *format;
	int64_t capacity;
	bool therapeutic;
	const char *zone, *start, *end, *time;
	int64_t duration;
	const char *rule, *exdates;
	int64_t start_minute, venue;
	const char *link, *plan, *funding;
	const char *status; /* update only */
	int64_t created_by; /* create only */
};
/* Adds a draft programme; an unknown organisation is a 400 naming
 * organisation_id. *id gets its id. */
int programmes_insert(struct db_conn *c, struct arena *a, const struct programme_input *in,
                      int64_t *id, struct programs_refusal *why);
int programmes_update(struct db_conn *c, int64_t id, const struct programme_input *in);
/* The local weekdays (bits 0..6) its sessions fall on. */
int programmes_set_weekdays(struct db_conn *c, int64_t id, int weekdays);
/* Deletes all its sessions (before they are generated again). */
int programmes_sessions_drop(struct db_conn *c, int64_t id);
/* Publishes the programme and its draft sessions at now. */
int programmes_publish(struct db_conn *c, int64_t id, int64_t now);

/* The team: a new JSON array of {user_id, role, name}; NULL when it
 * cannot be read (never a short one). */
json_t *programmes_team_json(struct db_conn *c, int64_t id);
/* Replaces the team with team (an array of {user_id, role}). */
int programmes_team_store(struct db_conn *c, int64_t id, json_t *team);

/* Programme id as the API shows it, with its team, when who may see it
 * (published, or staff of its organisation); -HEARTH_ENOTFOUND otherwise. */
int programmes_get(struct db_conn *c, const struct actor *who, int64_t id, json_t **out);
/* The programmes who may see, of status (NULL: any) and organisation org
 * (0: any); *items is a new JSON array. */
int programmes_list(struct db_conn *c, const struct actor *who, const char *status, int64_t org,
                    json_t **items);

/* Format, venue and link fit together: a room needs a venue, online needs
 * a link, a link is http(s). 400 naming the field. */
int programmes_place_check(struct arena *a, const char *format, int64_t venue, const char *link,
                           struct programs_refusal *why);
/* An in-person programme fits its venue (venue_capacity). 400 naming
 * capacity. */
int programmes_capacity_check(struct arena *a, const char *format, int64_t capacity,
                              int64_t venue_capacity, struct programs_refusal *why);
/* A link is http(s). */
bool programmes_link_valid(const char *s);

/* The parts of plan (JSON text) that are missing or empty: an arena array
 * of *n names. */
void programmes_plan_missing(struct arena *a, const char *plan, const char ***parts, size_t *n);
/* The sessions not cancelled with nobody on duty, by start: an arena array
 * of *n ids. */
int programmes_sessions_without_duty(struct db_conn *c, struct arena *a, int64_t id, int64_t **ids,
                                     size_t *n);

#endif
