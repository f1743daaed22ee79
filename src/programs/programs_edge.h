/*
 * Inside the programmes edge only (programmes_http.c, sessions_http.c,
 * roster_http.c): the helpers their handlers share. Each answers the
 * refusal itself (rolled back when it opened the transaction) and returns
 * false; true means go on.
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

/* sessions_http.c: begins a write transaction and loads the session (or
 * programme) for someone holding a role in mask in its organisation.
 * Otherwise answers 403 with denied, or 404 when denied is NULL (the
 * record stays unseen), rolls back and returns false. */
bool programs_http_ref_begin(struct req *r, bool session, int64_t id, uint32_t mask,
                             const char *denied, struct prog_ref *ref);

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
 * someone who manages its organisation; answers (404, 403) and returns
 * false otherwise, rolled back. doing says what for: "change", "publish". */
bool programs_http_begin_managed(struct req *r, int64_t id, struct prog_row *p, const char *doing);

#endif
