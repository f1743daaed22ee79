/*
 * Scope of the ids that arrive in a request's body or query string (the
 * edge: scope_http.c; logic files never include this).
 *
 * A path id names the record a route acts on, and its handler checks it.
 * Ids in a body or a query name *other* records the request would touch:
 * the person enrolled, the venue booked, the staff member named in a team
 * or put on a roster, the programme a follow-up is about. Each one goes
 * through one function here, one per kind of id, before the handler uses
 * it. (Path ids follow the one rule of docs/api.md through policy_check;
 * each entry point here takes the request, the field name, the id and the
 * organisation the record would belong to, and nothing else the policy
 * could not know.)
 *
 * The rule, the same for every kind: an id the caller may not use gets ONE
 * answer whether it names a record outside the caller's organisations or
 * no record at all, so the answer tells nothing about other organisations
 * (not even whether a person exists, was erased or gave consent: those
 * come only after the scope check passed). The answer names the field and
 * never echoes the id:
 *
 *   participant  403  "<field>: this person is not in your organisation"
 *   venue        400  "<field>: no such venue"
 *   staff user   400  "<field>: no such staff member or volunteer"
 *   programme    404  "<field>: there is no such programme"
 *
 * Functions answer the refusal themselves (rolling back the request's
 * transaction when one is open) and return false; true means the id may
 * be used. None of them audits: the caller's transaction does.
 */
#ifndef HEARTH_PROGRAMS_SCOPE_H
#define HEARTH_PROGRAMS_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

struct req;
struct prog_ref;
struct person_view;

/* Participant pid may be named in a record of organisation org (a
 * programme's, a round's): the person belongs to org, or an active
 * data-sharing agreement from one of their organisations to org covers
 * attendance and they consented to participation (people_sharing_allows).
 * With view non-NULL the person's view is returned on success (the caller
 * json_decref's view->profile; view->erased may be true: an erased person
 * of the caller's own organisation is in scope, and the caller says so). */
bool programs_scope_participant(struct req *r, const char *field, int64_t pid, int64_t org,
                                struct person_view *view);

/* Venue venue belongs to organisation org (a programme is held only at
 * its own organisation's venues). *capacity (may be NULL) gets the
 * venue's capacity. */
bool programs_scope_venue(struct req *r, const char *field, int64_t venue, int64_t org,
                          int64_t *capacity);

/* User user may be named in organisation org's programmes in a part that
 * needs one of the roles in fit (a mask of 1 << enum role): they hold such
 * a role in org, or in an organisation org shares data with under an
 * active agreement (people_orgs_share). A user outside both, disabled, or
 * unknown gets the uniform refusal; a user of those organisations without
 * a fitting role is refused naming what the part needs (part, e.g.
 * "an artist_facilitator", and needs, e.g. "a facilitator or coordinator").
 * *name (may be NULL) gets the display name, in the request's arena. */
bool programs_scope_user(struct req *r, const char *field, int64_t user, int64_t org, uint32_t fit,
                         const char *part, const char *needs, const char **name);

/* Programme programme is one of an organisation where the caller may do
 * act (policy_in), or, with ACT_PUBLIC, a published one (what
 * participants see). Fills ref. */
#include "auth/auth.h"
bool programs_scope_programme(struct req *r, const char *field, int64_t programme, enum action act,
                              struct prog_ref *ref);

#endif
