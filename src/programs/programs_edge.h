/*
 * Inside the programmes edge only (programmes_http.c, sessions_http.c,
 * roster_http.c, taking_part_http.c, supports_http.c): the helpers their
 * handlers share. Those returning bool
 * answer the refusal themselves (after rolling back: programs_bad) and
 * return false, true meaning go on; those returning int leave answering to
 * the handler's single exit (programs_http_finish).
 */
#ifndef HEARTH_PROGRAMS_EDGE_H
#define HEARTH_PROGRAMS_EDGE_H

#include <stdbool.h>
#include <stdint.h>

struct req;
struct prog_ref;
struct prog_row;

/* "kind:id" in the request's arena, for the audit log. */
const char *programs_http_resource(struct req *r, const char *kind, int64_t id);

/* taking_part_http.c: what the taking-part edges (enrolment, fit,
 * supports, attendance, follow-up) share. */
#include "programs/taking_part.h"
const struct people_ctx *programs_http_px(struct req *r);
/* The logic's context for this request. */
struct part_ctx programs_http_part_ctx(struct req *r);
/* The participant record of the logged-in participant; answers 404 and
 * returns 0 when the login has none. */
int64_t programs_http_self_or_404(struct req *r);
/* Begins the request's write transaction; answers and returns false on
 * failure. */
bool programs_http_begin_write(struct req *r, const char *what);
/* Answers a refusal of the logic (no->base.status set) and returns true:
 * the transaction is committed first when the settling it did is kept
 * (audited as enrolment.settle), else rolled back. False: no refusal. */
bool programs_http_part_refused(struct req *r, const struct part_refusal *no);

/* sessions_http.c: begins a write transaction and loads the session (or
 * programme) id for someone allowed act in its organisation
 * (programs_check). Returns 0, or the policy's refusal: 403 with detail
 * denied in *why, or -HEARTH_ENOTFOUND (answered as for a missing one),
 * or an error; the handler's single exit (programs_http_finish) answers
 * it and rolls back. */
#include "auth/auth.h"
struct programs_refusal;
int programs_http_open_ref(struct req *r, bool session, int64_t id, enum action act,
                           const char *denied, struct prog_ref *ref, struct programs_refusal *why);

/* programmes_http.c: user may take part (a team or roster role: part) in
 * a programme of organisation org; answers 400 naming field otherwise.
 * *name (may be NULL) gets their display name. */
bool programs_http_part_fits(struct req *r, const char *field, int64_t user, int64_t org,
                             const char *part, const char **name);
/* programmes_http.c: format, venue (one of org's: programs_scope_venue)
 * and link fit together and the venue holds capacity; answers 400. */
bool programs_http_place_valid(struct req *r, int64_t org, const char *format, int64_t venue,
                               const char *link, int64_t capacity);
/* programmes_http.c: begins a write transaction and loads programme id for
 * someone who may manage it (ACT_PROGRAM_MANAGE in its organisation).
 * Returns 0, or the policy's refusal (403 in *why, 404 as for a missing
 * programme) or an error, for the handler's single exit. doing says what
 * for: "change", "publish". */
int programs_http_open_managed(struct req *r, int64_t id, struct prog_row *p, const char *doing,
                               struct programs_refusal *why);

#endif
