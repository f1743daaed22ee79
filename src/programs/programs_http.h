/*
 * HTTP edge of the programmes module: one file per part, all listed in
 * src/http/routes.c.
 *   listening_http.c    listening rounds and answers (logic in listening.c)
 *   themes_http.c       themes, votes, decisions (logic in themes.c)
 *   programmes_http.c   programmes (logic in programmes.c, the schedule in
 *                       schedule.c) and the enumerations /meta offers for them
 *   sessions_http.c     sessions and a person's duties (logic in sessions.c)
 *   roster_http.c       roster, rotation, staff list (logic in roster.c)
 *                       (the three share programs_edge.h)
 *   venues_http.c       venues (logic in venues.c)
 *   training_http.c     training records (logic in training.c)
 *   refusal_http.c      answers the refusals logic files return (programs.h)
 *                       and the handlers' single exit (programs_http_finish)
 *   scope_http.c        ids in bodies and query strings (scope.h)
 *   taking_part_http.c  fit, enrolment and waitlist, attendance, follow-up (and the
 *                       helpers of these edges: programs_edge.h)
 *   supports_http.c     supports and their ledger
 *   calendar/calendar_http.c  iCalendar feeds and their tokens (logic in calendar/calendar.c)
 */
#ifndef HEARTH_PROGRAMS_HTTP_H
#define HEARTH_PROGRAMS_HTTP_H

#include <stdbool.h>

struct req;

/* listening_http.c, themes_http.c */
/* Registers how anonymous answers are settled when their aggregate audit
 * entry is written (called once at start-up, by programs_init). */
void listening_http_init(void);
void listening_http_round_list(struct req *r);
void listening_http_round_create(struct req *r);
void listening_http_round_get(struct req *r);
void listening_http_round_update(struct req *r);
void listening_http_response_create(struct req *r);
void listening_http_response_list(struct req *r);
void listening_http_theme_list(struct req *r);
void listening_http_theme_create(struct req *r);
void listening_http_vote_put(struct req *r);
void listening_http_vote_delete(struct req *r);
void listening_http_theme_update(struct req *r);
void listening_http_decision_list(struct req *r);
void listening_http_decision_create(struct req *r);

/* refusal_http.c: the one transaction shape of the module's handlers.
 * A handler that begins a transaction keeps rc (and a struct
 * programs_refusal why) and leaves by one exit:
 *     out:
 *         if (!programs_http_finish(r, rc, &why, "the session", "session.update",
 *                                   programs_http_resource(r, "session", id)))
 *             return;
 *         ... answer the success ...
 * No handler rolls back by hand: every answer below rolls back first. */
struct programs_refusal;
/* Rolls back the request's transaction when one is still open. */
void programs_http_close(struct req *r);
/* Answers a logic function's failure rc, after programs_http_close(): the
 * refusal in *why when it has a status (field problem when it names a
 * field), else http_error(rc, what). */
void programs_http_refused(struct req *r, int rc, const struct programs_refusal *why,
                           const char *what);
/* With rc 0 (and nothing answered yet) appends the audit entry (action,
 * resource) and commits (req_commit); true when committed. Otherwise rolls
 * back and answers (programs_http_refused) unless a helper already did,
 * and returns false. */
bool programs_http_finish(struct req *r, int rc, const struct programs_refusal *why,
                          const char *what, const char *action, const char *resource);

/* refusal_http.c: parses an optional positive id from the query string
 * into *out (0 when absent). Answers 400 naming the parameter and returns
 * false otherwise. */
#include <stdint.h>
bool programs_query_id(struct req *r, const char *name, int64_t *out);

/* http_field_problem() after programs_http_close(): a problem naming a
 * field, never sent while the request's transaction holds its locks. */
void programs_bad(struct req *r, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* venues_http.c */
void programs_http_venue_list(struct req *r);
void programs_http_venue_create(struct req *r);
void programs_http_venue_get(struct req *r);
void programs_http_venue_update(struct req *r);
/* programmes_http.c, sessions_http.c, roster_http.c */
void programs_http_programme_list(struct req *r);
void programs_http_programme_create(struct req *r);
void programs_http_programme_get(struct req *r);
void programs_http_programme_update(struct req *r);
void programs_http_programme_publish(struct req *r);
void programs_http_session_list(struct req *r);
void programs_http_session_create(struct req *r);
void programs_http_rotation(struct req *r);
void programs_http_session_get(struct req *r);
void programs_http_session_update(struct req *r);
void programs_http_roster_list(struct req *r);
void programs_http_roster_add(struct req *r);
void programs_http_roster_delete(struct req *r);
/* training_http.c */
void programs_http_training_list(struct req *r);
void programs_http_training_create(struct req *r);
void programs_http_training_delete(struct req *r);
void programs_http_training_expiring(struct req *r);
/* sessions_http.c, roster_http.c */
void programs_http_me_duties(struct req *r);
void programs_http_staff_list(struct req *r);

/* taking_part_http.c */
void programs_http_fit_me(struct req *r);
void programs_http_fit_person(struct req *r);
void programs_http_enrol_create(struct req *r);
void programs_http_enrol_list(struct req *r);
void programs_http_me_enrol(struct req *r);
void programs_http_me_enrolments(struct req *r);
void programs_http_enrol_cancel(struct req *r);
void programs_http_enrol_accept(struct req *r);
void programs_http_enrol_decline(struct req *r);
void programs_http_me_sessions(struct req *r);
void programs_http_support_create(struct req *r);
void programs_http_me_support(struct req *r);
void programs_http_support_list(struct req *r);
void programs_http_support_update(struct req *r);
void programs_http_support_ledger(struct req *r);
void programs_http_attendance_get(struct req *r);
void programs_http_attendance_mark(struct req *r);
void programs_http_followup_list(struct req *r);
void programs_http_followup_create(struct req *r);
void programs_http_followup_log(struct req *r);

/* exports_http.c */
void programs_http_enrol_csv(struct req *r);
void programs_http_attendance_csv(struct req *r);

/* calendar/calendar_http.c */
void calendar_http_feed(struct req *r);
void calendar_http_me(struct req *r);
void calendar_http_duty(struct req *r);
void calendar_http_programme(struct req *r);

/* The field tables the handlers above validate their bodies with; each
 * route row in routes.c names its table, and the OpenAPI request schemas
 * are generated from them (http/openapi.c). */
struct field_table;
extern const struct field_table listening_http_round_create_body;
extern const struct field_table listening_http_round_update_body;
extern const struct field_table listening_http_response_create_body;
extern const struct field_table listening_http_theme_create_body;
extern const struct field_table listening_http_vote_put_body;
extern const struct field_table listening_http_theme_update_body;
extern const struct field_table listening_http_decision_create_body;
extern const struct field_table programs_http_venue_create_body;
extern const struct field_table programs_http_venue_update_body;
extern const struct field_table programs_http_programme_create_body;
extern const struct field_table programs_http_programme_update_body;
extern const struct field_table programs_http_session_create_body;
extern const struct field_table programs_http_session_update_body;
extern const struct field_table programs_http_roster_add_body;
extern const struct field_table programs_http_training_create_body;
extern const struct field_table programs_http_enrol_create_body;
extern const struct field_table programs_http_me_enrol_body;
extern const struct field_table programs_http_support_create_body;
extern const struct field_table programs_http_me_support_body;
extern const struct field_table programs_http_support_update_body;
extern const struct field_table programs_http_attendance_mark_body;
extern const struct field_table programs_http_followup_create_body;

#endif
