/*
 * Inside the people module's HTTP edge (the *_http.c files): the field
 * tables' slot names, the helpers every handler shares, and the one exit a
 * handler that writes goes through (people_edge_finish). Nothing outside
 * src/people includes this.
 */
#ifndef HEARTH_PEOPLE_EDGE_H
#define HEARTH_PEOPLE_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"
#include "http/http.h"
#include "people/internal.h"

/* The profile: everything about a person that is sealed. The slots of the
 * create, update and self-update tables (edge.c); create adds notes,
 * organisation_ids and consents, update adds notes. */
enum {
	P_NAME,
	P_PREFERRED,
	P_PRONOUNS,
	P_LANGUAGES,
	P_EMAIL,
	P_PHONE,
	P_CONTACT,
	P_AGE_BAND,
	P_DOB,
	P_EMERGENCY,
	P_INTERESTS,
	P_AVAILABILITY,
	P_NEEDS,
	P_NOTES,
	P_ORGS,
	P_CONSENTS,
	P__MAX
};
/* Self-registration: the profile, then these. */
enum { R_ORG = P__MAX - 3, R_CONSENTS, R_TOKEN, R_WEBSITE, R__MAX };
/* A consent recorded on a person's behalf (consent_fields). */
enum { C_PURPOSE, C_GRANTED, C_GIVEN_BY, C_METHOD, C_GUARDIAN, C_VERSION, C_LANG, C__MAX };

/* The consent languages (GET /api/v1/meta and the person's own consents). */
extern const char *const people_edge_langs[];

static inline const struct people_ctx *px(struct req *r)
{
	return &r->app->people;
}

#define bad_field http_field_problem

/* What a handler answers instead of going ahead: a status, the field it
 * names (NULL: none), the detail, and for 429 the seconds to wait. audited:
 * the refusal is itself written to the audit log ("denied") and committed. */
struct people_refusal {
	int status;
	const char *field;
	const char *detail;
	int64_t retry;
	bool audited;
	int error; /* instead: answer this error (-HEARTH_ENOTFOUND: as a missing id) */
};
/* A refusal in the request's arena; detail printf-formatted (naming the
 * field, as http_field_problem does when it does not). */
const struct people_refusal *people_edge_refuse(struct req *r, int status, const char *field,
                                                const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The one exit of a handler that began a transaction on req_db(r):
 *   ref and ref->status: answers the refusal (rolled back, or with audited
 *     its "denied" entry committed) and returns false;
 *   rc != 0: rolls back if a transaction is still open, answers the error
 *     (what names the thing) and returns false;
 *   otherwise appends the audit entry (action, resource), commits (or, when
 *     action is NULL, only commits what is open) and returns true; a failed
 *     commit is answered like rc. */
bool people_edge_finish(struct req *r, int rc, const struct people_refusal *ref, const char *action,
                        const char *resource, const char *what);

/* 410 for an erased person. */
extern const struct people_refusal people_edge_gone;

/* Checks what field tables cannot: phone shapes, times, dates, age. Works
 * on the merged profile document. Fills *age_band and *is_minor; returns
 * NULL, or the refusal (400 naming the field) when a rule fails. */
const struct people_refusal *people_edge_profile_rules(struct req *r, json_t *doc,
                                                       const char **age_band, bool *is_minor);
/* The profile document: the body without relational fields, nulls
 * dropped, text in NFC, over base (copied; may be NULL). */
json_t *people_edge_profile_doc(json_t *body, json_t *base);
/* doc as compact text in the request's arena (the temporary wiped). */
const char *people_edge_dumps(struct req *r, json_t *doc);
/* "participant:<id>", the audit resource. */
const char *people_edge_res(struct req *r, int64_t id);

/* Records a list of consents (validated by consent_fields) for id, inside
 * the caller's transaction; on failure *bad names the field
 * ("consents[i].x") and err says why. */
int people_edge_record_consents(struct req *r, int64_t id, json_t *list, const char *default_giver,
                                const char *default_method, const char **bad, char *err,
                                size_t errlen);
/* The refusal for a failed consent, creation or registration (bad: the
 * field people__consent_record named; err its words), or NULL when rc is an
 * error to answer as it is. */
const struct people_refusal *people_edge_refusal(struct req *r, int rc, const char *bad,
                                                 const char *err);

/* A person's latest erasure request as the API shows it, or JSON null,
 * into *out (the caller owns it). pending_only: only a request still
 * waiting (the flag staff see). Returns 0 or a negative hearth_err (then
 * *out is NULL): an error is never shown as "no request". */
int people_edge_erasure_json(struct req *r, int64_t id, bool pending_only, json_t **out);

/* Reads a person for the actor in a transaction of its own, audited as
 * action (refusals too, as "denied"); answers refusals and errors itself.
 * Returns true with *p filled when the actor may read the record;
 * *contact_only when only the contact category is shared with them
 * (contact_only NULL: the whole record or nothing). (people_http.c) */
bool people_edge_load_person(struct req *r, int64_t id, struct person_row *p, bool *contact_only,
                             const char *action);

/* The participant linked to the logged-in person, or 0 with 404 (or the
 * error) answered. */
int64_t people_edge_my_id(struct req *r);
/* Reads the person's own record and consents, audited as action (a
 * self-read); answers and returns false on failure. */
bool people_edge_load_self(struct req *r, int64_t id, struct person_row *p,
                           struct consent_row **rows, size_t *n, const char *action);

#endif
