/*
 * Scope of ids in bodies and query strings: one function per kind of id,
 * one answer for "not yours" and "not there" (see scope.h for the rule).
 */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "people/people.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/scope.h"
#include "programs/venues.h"
#include "core/banned.h"

/* The uniform refusals, one per kind of id. */
enum scope_kind { SCOPE_PARTICIPANT, SCOPE_VENUE, SCOPE_USER, SCOPE_PROGRAMME, SCOPE__MAX };
static const struct {
	int status;
	const char *detail;
} refusals[SCOPE__MAX] = {
    [SCOPE_PARTICIPANT] = {403, "this person is not in your organisation"},
    [SCOPE_VENUE] = {400, "no such venue"},
    [SCOPE_USER] = {400, "no such staff member or volunteer"},
    [SCOPE_PROGRAMME] = {404, "there is no such programme"},
};

static bool refuse(struct req *r, enum scope_kind kind, const char *field)
{
	programs_bad(r, refusals[kind].status, field, "%s", refusals[kind].detail);
	return false;
}

static bool fail(struct req *r, int rc, const char *what)
{
	programs_http_close(r);
	http_error(r, rc, what);
	return false;
}

bool programs_scope_participant(struct req *r, const char *field, int64_t pid, int64_t org,
                                struct person_view *view)
{
	struct db_conn *c = req_db(r);
	struct person_view v;
	memset(&v, 0, sizeof v);
	int rc = people_view(&r->app->people, c, r->arena, pid, &v);
	if (rc == -HEARTH_ENOTFOUND)
		return refuse(r, SCOPE_PARTICIPANT, field);
	if (rc) {
		json_decref(v.profile);
		return fail(r, rc, "the person");
	}
	/* The organisation the record belongs to, as a staff member of it
	 * would be seen by the people module: in the person's organisation,
	 * or covered by an agreement and the person's consent. */
	struct membership m = {.organisation_id = org, .role = ROLE_COORDINATOR};
	struct actor as_org = {.memberships = &m, .nmemberships = 1};
	bool shared;
	if ((rc = people_sharing(c, &as_org, pid, SHARE_ATTENDANCE, &shared)) != 0) {
		json_decref(v.profile);
		return fail(r, rc, "the person");
	}
	if (!shared) {
		json_decref(v.profile);
		return refuse(r, SCOPE_PARTICIPANT, field);
	}
	if (view)
		*view = v;
	else
		json_decref(v.profile);
	return true;
}

bool programs_scope_venue(struct req *r, const char *field, int64_t venue, int64_t org,
                          int64_t *capacity)
{
	struct venue v;
	int rc = venues_get(req_db(r), r->arena, venue, &v);
	if (rc == -HEARTH_ENOTFOUND || (!rc && v.organisation_id != org))
		return refuse(r, SCOPE_VENUE, field);
	if (rc)
		return fail(r, rc, "the venue");
	if (capacity)
		*capacity = v.capacity;
	return true;
}

bool programs_scope_user(struct req *r, const char *field, int64_t user, int64_t org, uint32_t fit,
                         const char *part, const char *needs, const char **name)
{
	struct db_conn *c = req_db(r);
	struct actor a;
	memset(&a, 0, sizeof a);
	int rc = auth_actor_load(c, r->arena, &a, user);
	if (rc == -HEARTH_EAUTH) /* unknown or disabled */
		return refuse(r, SCOPE_USER, field);
	if (rc)
		return fail(r, rc, "the staff member");
	bool known = false, fits = false;
	for (int i = 0; i < a.nmemberships && !fits; i++) {
		const struct membership *m = &a.memberships[i];
		bool here = m->organisation_id == org;
		if (!here && (rc = people_orgs_shared(c, org, m->organisation_id, &here)) != 0)
			return fail(r, rc, "the staff member");
		if (!here)
			continue;
		known = true;
		fits = ((1u << m->role) & fit) != 0;
	}
	if (!known)
		return refuse(r, SCOPE_USER, field);
	if (!fits) {
		programs_bad(r, 400, field,
		             "%s: %s does not hold a fitting role here; %s must be %s in this "
		             "organisation or a partner organisation under a data-sharing "
		             "agreement",
		             field, a.display_name, part, needs);
		return false;
	}
	if (name)
		*name = a.display_name;
	return true;
}

bool programs_scope_programme(struct req *r, const char *field, int64_t programme, enum action act,
                              struct prog_ref *ref)
{
	int rc = programs_programme_ref(req_db(r), r->arena, programme, ref);
	if (rc == -HEARTH_ENOTFOUND)
		return refuse(r, SCOPE_PROGRAMME, field);
	if (rc)
		return fail(r, rc, "the programme");
	bool ok = act != ACT_PUBLIC ? policy_in(&r->actor, act, ref->organisation_id)
	                            : strcmp(ref->status, "published") == 0;
	return ok ? true : refuse(r, SCOPE_PROGRAMME, field);
}
