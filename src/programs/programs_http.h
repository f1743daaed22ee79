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
 *   taking_part_http.c  fit, enrolment and waitlist, supports, attendance, follow-up
 *   calendar_http.c     iCalendar feeds and their tokens (logic in calendar.c)
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

/* refusal_http.c: answers a logic function's failure rc: the refusal in
 * *why when it has a status (field problem when it names a field), else
 * http_error(rc, what). With in_tx the request's transaction is rolled
 * back first. */
struct programs_refusal;
void programs_http_refused(struct req *r, int rc, const struct programs_refusal *why,
                           const char *what, bool in_tx);

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
void part_http_fit_me(struct req *r);
void part_http_fit_person(struct req *r);
void part_http_enrol_create(struct req *r);
void part_http_enrol_list(struct req *r);
void part_http_me_enrol(struct req *r);
void part_http_me_enrolments(struct req *r);
void part_http_enrol_cancel(struct req *r);
void part_http_enrol_accept(struct req *r);
void part_http_enrol_decline(struct req *r);
void part_http_me_sessions(struct req *r);
void part_http_support_create(struct req *r);
void part_http_me_support(struct req *r);
void part_http_support_list(struct req *r);
void part_http_support_update(struct req *r);
void part_http_support_ledger(struct req *r);
void part_http_attendance_get(struct req *r);
void part_http_attendance_mark(struct req *r);
void part_http_followup_list(struct req *r);
void part_http_followup_create(struct req *r);
void part_http_followup_log(struct req *r);

/* calendar_http.c */
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
extern const struct field_table part_http_enrol_create_body;
extern const struct field_table part_http_me_enrol_body;
extern const struct field_table part_http_support_create_body;
extern const struct field_table part_http_me_support_body;
extern const struct field_table part_http_support_update_body;
extern const struct field_table part_http_attendance_mark_body;
extern const struct field_table part_http_followup_create_body;

#endif
