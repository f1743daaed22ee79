/*
 * Inside the programmes module: what its parts (listening, programmes,
 * taking part, calendar) share. Other modules do not include this.
 */
#ifndef HEARTH_PROGRAMS_H
#define HEARTH_PROGRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "auth/auth.h"

struct arena;
struct db_conn;
struct tz;

/* Venue accessibility features, in bit order (venues.features). */
enum venue_feature {
	VF_STEP_FREE_ACCESS,
	VF_ACCESSIBLE_TOILET,
	VF_HEARING_LOOP,
	VF_QUIET_ROOM,
	VF_PARKING,
	VF_PUBLIC_TRANSPORT,
	VF_GENDER_NEUTRAL_TOILET,
	VF_LIFT,
	VF__MAX
};
extern const char *const venue_feature_names[VF__MAX + 1];
extern const char *const art_form_names[];      /* NULL-terminated */
extern const char *const programme_languages[]; /* "en", "es", ... NULL-terminated */

/* Organisation scope is the policy's (auth.h: policy_check, policy_in,
 * policy_orgs). The staff of an organisation, who see its drafts, its
 * sessions' rosters and who is enrolled, are those it allows
 * ACT_ENROL_READ (programmes) and ACT_ROSTER_READ (sessions).
 *
 * policy_check() for a thing of a programme of organisation org whose
 * status is status (NULL: unknown): a published programme and its sessions
 * are seen by everyone logged in, so refusing them is 403, not 404. */
int programs_check(const struct actor *a, enum action act, int64_t org, const char *status);

/* The participant record linked to the actor's login; 0 when none. */
int64_t programs_self_participant(struct db_conn *c, const struct actor *a);

/* Facts about a programme or session, loaded in one query. */
struct prog_ref {
	int64_t programme_id, organisation_id, session_id;
	const char *status;   /* the programme's */
	const char *timezone; /* arena copy */
	bool therapeutic;
	int64_t capacity;
};
/* -HEARTH_ENOTFOUND when there is no such programme/session. */
int programs_programme_ref(struct db_conn *c, struct arena *a, int64_t programme_id,
                           struct prog_ref *out);
int programs_session_ref(struct db_conn *c, struct arena *a, int64_t session_id,
                         struct prog_ref *out);

/* An instant as ISO 8601 UTC text; a string or JSON null. */
json_t *programs_json_time(int64_t t);
json_t *programs_json_text(const char *s);

/* A session row as the API shows it. */
json_t *programs_session_json(struct db_conn *c, int64_t session_id);
/* The row at the cursor of a statement selecting PROGRAMS_SESSION_COLUMNS. */
#define PROGRAMS_SESSION_COLUMNS                                                             \
	"s.id, s.programme_id, s.starts_at, s.ends_at, s.original_start, s.venue_id, "       \
	"s.online_link, s.status, s.cancel_reason, s.edited, p.timezone, p.title, "          \
	"(SELECT COUNT(*) FROM roster d WHERE d.session_id = s.id AND d.role = 'on_duty'), " \
	"s.sequence, s.updated_at"
struct db_stmt;
json_t *programs_session_row(struct db_stmt *st);

/* Enrolment (enrolment.c; see taking_part.h): when a place frees in a programme, offers
 * it to the first on the waitlist. Inside the caller's write transaction. */
int programs_offer_next(struct db_conn *c, int64_t programme_id);
/* Loads the demo's programmes, venues, training, listening rounds,
 * enrolments and attendance (programs_demo.c), inside the caller's write
 * transaction. staff: the demo's admin, coordinator, facilitator, peer
 * supporter, moderator and clinician user ids; residents: five
 * participant ids (the first three have logins). */
struct people_ctx;
int programs_demo_load(struct db_conn *c, const struct people_ctx *px, int64_t org, int64_t partner,
                       const int64_t *staff, const int64_t *residents);

/* --- Logic and edge apart (issue 11) ------------------------------------
 * Logic files (venues.c, training.c, schedule.c, ...) take a database
 * connection and typed inputs, never http.h. When they refuse a request
 * they fill a struct programs_refusal and return the hearth_err matching
 * its status (400 -HEARTH_EINVAL, 403 -HEARTH_EDENIED, 404
 * -HEARTH_ENOTFOUND, 409 -HEARTH_ECONFLICT); the edge answers it as
 * problem+json with programs_http_refused() (programs_http.h). */
struct programs_refusal {
	int status;          /* 0 when nothing was refused */
	const char *field;   /* the field the problem names, or NULL */
	const char *message; /* the detail: static or arena memory */
	/* Optional members answered beside "field" (a NULL name: none), e.g.
	 * the session and programme a venue booking clashes with. */
	const char *ext_int_name;
	int64_t ext_int;
	const char *ext_str_name;
	const char *ext_str;
};
/* Fills *why (message printf-formatted into arena a) and returns the
 * negative hearth_err for status. */
int programs_refuse(struct programs_refusal *why, struct arena *a, int status, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Registers the consent-withdrawn listener (called once at start-up). */
void programs_init(void);

/* programs_privacy.c: free text by or about a person, sealed with their
 * data key (people_seal), and the module's part of the person's export. */
struct db_pool;
/* Seals a participant's theme ({"title","description"} as JSON text). *out
 * is arena memory. -HEARTH_ENOTFOUND once the proposer is erased. */
int programs_theme_seal(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                        const char *title, const char *description, unsigned char **out,
                        size_t *outlen);
/* Opens a sealed theme into arena strings; both are NULL (and 0 returned)
 * once the proposer is erased: the theme shows as removed. */
int programs_theme_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                        const void *sealed, size_t len, const char **title,
                        const char **description);
/* A note that is sealed (sealed, len) or, for rows older than sealing, in
 * the clear (plain). *out is arena memory, "" when there is none, NULL once
 * the person is erased. */
int programs_note_open(const struct people_ctx *px, struct arena *a, int64_t participant_id,
                       const void *sealed, size_t len, const char *plain, const char **out);
/* Seals support notes and participants' themes that older versions left in
 * the clear; run once at start-up, idempotent. */
int programs_seal_leftovers(struct db_pool *pool, const struct people_ctx *px);
/* Registers the module's export sections with people_on_export(). */
void programs_export_register(void);

#endif
