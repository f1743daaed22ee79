/*
 * The policy: one table of which roles may perform each action, read in one
 * place and tested as a matrix (tests/unit/test_policy.c and the API test
 * that tries every role against every admin route). Deny by default: an
 * action missing from the table is allowed to nobody.
 */
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/banned.h"

#define R(x)     (1u << (x))
#define ANY_ROLE ((1u << ROLE__MAX) - 1)
/* Staff who work with people's records. */
#define STAFF                                                                            \
	(R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) | R(ROLE_CLINICIAN) | \
	 R(ROLE_PEER_SUPPORTER))

/* Those who run the organisation's programmes. */
#define MANAGE (R(ROLE_ADMIN) | R(ROLE_COORDINATOR))
/* Those who are in the room with participants. */
#define FRONTLINE (MANAGE | R(ROLE_FACILITATOR) | R(ROLE_PEER_SUPPORTER))

const char *const role_names[ROLE__MAX + 1] = {
    [ROLE_ADMIN] = "admin",
    [ROLE_COORDINATOR] = "coordinator",
    [ROLE_FACILITATOR] = "facilitator",
    [ROLE_CLINICIAN] = "clinician",
    [ROLE_PEER_SUPPORTER] = "peer_supporter",
    [ROLE_MODERATOR] = "moderator",
    [ROLE_FUNDER] = "funder",
    [ROLE_PARTICIPANT] = "participant",
    [ROLE__MAX] = NULL,
};

const char *const scope_names[] = {
    [SCOPE_PLATFORM] = "platform", [SCOPE_SELF] = "self",     [SCOPE_ORG] = "organisation",
    [SCOPE_MEMBER] = "member",     [SCOPE_SHARED] = "shared",
};

const char *const org_kinds[] = {"arts", "mental_health", "partner", NULL};

const char *const action_names[ACT__MAX] = {
    [ACT_PUBLIC] = "public",
    [ACT_SELF] = "self",
    [ACT_ORG_LIST] = "organisation.list",
    [ACT_ORG_CREATE] = "organisation.create",
    [ACT_ORG_UPDATE] = "organisation.update",
    [ACT_USER_LIST] = "user.list",
    [ACT_USER_CREATE] = "user.create",
    [ACT_USER_UPDATE] = "user.update",
    [ACT_MEMBERSHIP_CREATE] = "membership.create",
    [ACT_MEMBERSHIP_DELETE] = "membership.delete",
    [ACT_TOKEN_LIST] = "token.list",
    [ACT_TOKEN_CREATE] = "token.create",
    [ACT_TOKEN_REVOKE] = "token.revoke",
    [ACT_AUDIT_READ] = "audit.read",
    [ACT_ORG_SEE] = "organisation.see",
    [ACT_PERSON_CREATE] = "participant.create",
    [ACT_PERSON_SEARCH] = "participant.search",
    [ACT_PERSON_READ] = "participant.read",
    [ACT_PERSON_UPDATE] = "participant.update",
    [ACT_PERSON_ERASE] = "participant.erase",
    [ACT_CONSENT_RECORD] = "consent.record",
    [ACT_SELF_PERSON] = "self.participant",
    [ACT_ERASURE_REVIEW] = "erasure.review",
    [ACT_AGREEMENT_LIST] = "agreement.list",
    [ACT_AGREEMENT_MANAGE] = "agreement.manage",
    [ACT_RETENTION] = "retention.erase",
    [ACT_PROGRAM_READ] = "programme.read",
    [ACT_PROGRAM_MANAGE] = "programme.manage",
    [ACT_SESSION_EDIT] = "session.edit",
    [ACT_ROSTER_READ] = "roster.read",
    [ACT_TRAINING_READ] = "training.read",
    [ACT_TRAINING_MANAGE] = "training.manage",
    [ACT_LISTENING_MANAGE] = "listening.manage",
    [ACT_LISTENING_RESPOND] = "listening.respond",
    [ACT_THEME_PROPOSE] = "theme.propose",
    [ACT_VOTE] = "theme.vote",
    [ACT_ENROL] = "enrolment.create",
    [ACT_ENROL_READ] = "enrolment.read",
    [ACT_ENROL_ANSWER] = "enrolment.answer",
    [ACT_SELF_PROGRAM] = "self.programme",
    [ACT_FIT_PERSON] = "participant.fit",
    [ACT_SUPPORT_REQUEST] = "support.request",
    [ACT_SUPPORT_MANAGE] = "support.manage",
    [ACT_ATTENDANCE] = "attendance.mark",
    [ACT_FOLLOWUP] = "followup.act",
    [ACT_FOLLOWUP_LOG] = "followup.log",
    [ACT_DUTY_SELF] = "self.duty",
    [ACT_OUTBOX] = "outbox.manage",
};

/* Which roles may do what, and to which organisations' things. Admin rights
 * are platform-wide: an admin of any organisation manages users,
 * organisations, tokens and reads the audit log, and acts in every
 * organisation. A module adds its actions here; handlers never test roles
 * or memberships themselves (policy_allows at the route, policy_check and
 * policy_orgs below it). */
static const struct {
	enum action act;
	uint32_t roles;
	bool anonymous;     /* allowed without logging in */
	bool any_logged_in; /* allowed to anyone logged in, whatever their roles */
	enum scope scope;   /* which things: see enum scope in auth.h */
	/* Of roles, those allowed act only on a thing they are assigned to (a
	 * session they lead or are on the roster of: policy_check_assigned);
	 * elsewhere in the organisation they are refused (403). */
	uint32_t assigned;
} table[] = {
    {ACT_PUBLIC, ANY_ROLE, true, false, SCOPE_PLATFORM},
    /* Seeing yourself and logging out never depend on having a role. */
    {ACT_SELF, ANY_ROLE, false, true, SCOPE_SELF},
    /* Running the platform: admins of any organisation (platform-wide). */
    {ACT_ORG_LIST, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false, false, SCOPE_PLATFORM},
    {ACT_ORG_CREATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_ORG_UPDATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_USER_LIST, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_USER_CREATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_USER_UPDATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_MEMBERSHIP_CREATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_MEMBERSHIP_DELETE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_TOKEN_LIST, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_TOKEN_CREATE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_TOKEN_REVOKE, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_AUDIT_READ, R(ROLE_ADMIN), false, false, SCOPE_PLATFORM},
    {ACT_OUTBOX, R(ROLE_ADMIN), false, false, SCOPE_ORG},
    /* Who may see that an organisation's thing exists at all: anyone
     * holding any role there. */
    {ACT_ORG_SEE, ANY_ROLE, false, false, SCOPE_ORG},
    /* People: who may touch a person's record at all. Which records: the
     * person's organisations (where the caller holds the role: an admin
     * too, a person's record is never platform-wide), or for reads a
     * partner's under an active data-sharing agreement that covers the
     * purpose and the person's consent (people_sharing_allows), at the
     * moment of use. Funders never. */
    {ACT_PERSON_CREATE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR), false, false,
     SCOPE_MEMBER},
    {ACT_PERSON_SEARCH, STAFF, false, false, SCOPE_SHARED},
    {ACT_PERSON_READ, STAFF, false, false, SCOPE_SHARED},
    {ACT_PERSON_UPDATE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false, false, SCOPE_MEMBER},
    {ACT_PERSON_ERASE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false, false, SCOPE_MEMBER},
    {ACT_CONSENT_RECORD, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR), false, false,
     SCOPE_MEMBER},
    {ACT_SELF_PERSON, R(ROLE_PARTICIPANT), false, false, SCOPE_SELF},
    /* Reviewing erasure requests and the retention sweep act on people
     * too: only the admins of the person's organisations. */
    {ACT_ERASURE_REVIEW, R(ROLE_ADMIN), false, false, SCOPE_MEMBER},
    {ACT_AGREEMENT_LIST, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_CLINICIAN), false, false,
     SCOPE_ORG},
    {ACT_AGREEMENT_MANAGE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false, false, SCOPE_MEMBER},
    {ACT_RETENTION, R(ROLE_ADMIN), false, false, SCOPE_MEMBER},
    /* Programmes: the things of the organisations where the caller holds
     * one of the roles. A published programme and its sessions are seen
     * by anyone logged in (programme.read), so acting on one without the
     * role is 403, not 404. */
    {ACT_PROGRAM_READ, ANY_ROLE, false, false, SCOPE_ORG},
    {ACT_PROGRAM_MANAGE, MANAGE, false, false, SCOPE_ORG},
    /* A facilitator moves or cancels only the sessions they run (the
     * programme's team) or are on the roster of. */
    {ACT_SESSION_EDIT, MANAGE | R(ROLE_FACILITATOR), false, false, SCOPE_ORG, R(ROLE_FACILITATOR)},
    {ACT_ROSTER_READ, STAFF, false, false, SCOPE_ORG},
    {ACT_TRAINING_READ, STAFF | R(ROLE_MODERATOR), false, false, SCOPE_ORG},
    {ACT_TRAINING_MANAGE, MANAGE, false, false, SCOPE_ORG},
    {ACT_LISTENING_MANAGE, MANAGE, false, false, SCOPE_ORG},
    {ACT_LISTENING_RESPOND, FRONTLINE | R(ROLE_PARTICIPANT), false, false, SCOPE_ORG},
    {ACT_THEME_PROPOSE, STAFF | R(ROLE_PARTICIPANT), false, false, SCOPE_ORG},
    {ACT_VOTE, R(ROLE_PARTICIPANT), false, false, SCOPE_SELF},
    {ACT_ENROL, MANAGE | R(ROLE_FACILITATOR), false, false, SCOPE_ORG},
    {ACT_ENROL_READ, STAFF, false, false, SCOPE_ORG},
    {ACT_ENROL_ANSWER, MANAGE | R(ROLE_FACILITATOR) | R(ROLE_PARTICIPANT), false, false, SCOPE_ORG},
    {ACT_SELF_PROGRAM, R(ROLE_PARTICIPANT), false, false, SCOPE_SELF},
    {ACT_FIT_PERSON, STAFF, false, false, SCOPE_SHARED},
    {ACT_SUPPORT_REQUEST, STAFF, false, false, SCOPE_ORG},
    {ACT_SUPPORT_MANAGE, MANAGE, false, false, SCOPE_ORG},
    {ACT_ATTENDANCE, FRONTLINE, false, false, SCOPE_ORG},
    {ACT_FOLLOWUP, FRONTLINE, false, false, SCOPE_ORG},
    {ACT_FOLLOWUP_LOG, MANAGE, false, false, SCOPE_ORG},
    {ACT_DUTY_SELF, STAFF, false, false, SCOPE_SELF},
};

const char *const *policy_person_hidden(uint32_t roles)
{
	static const char *const none[] = {NULL};
	static const char *const volunteer[] = {"notes", "date_of_birth", "emergency_contact",
	                                        NULL};
	if (roles & (R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) | R(ROLE_CLINICIAN)))
		return none;
	return volunteer;
}

int auth_role_from_name(const char *name)
{
	for (int i = 0; i < ROLE__MAX; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

uint32_t policy_roles(enum action act)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].act == act)
			return table[i].roles;
	return 0;
}

bool policy_allows(const struct actor *a, enum action act)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].act != act)
			continue;
		if (table[i].anonymous)
			return true;
		if (a->kind == AUTH_NONE)
			return false;
		if (table[i].any_logged_in)
			return true;
		return (a->roles & table[i].roles) != 0;
	}
	return false;
}

enum scope policy_scope(enum action act)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].act == act)
			return table[i].scope;
	return SCOPE_PLATFORM;
}

static int find(enum action act)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].act == act)
			return (int)i;
	return -1;
}

static bool is_admin(const struct actor *a)
{
	for (int i = 0; i < a->nmemberships; i++)
		if (a->memberships[i].role == ROLE_ADMIN)
			return true;
	return false;
}

int policy_check(const struct actor *a, enum action act, int64_t org, bool seen)
{
	return policy_check_assigned(a, act, org, seen, false);
}

int policy_check_assigned(const struct actor *a, enum action act, int64_t org, bool seen,
                          bool assigned)
{
	int i = find(act);
	if (i < 0)
		return -HEARTH_EDENIED;
	if (table[i].anonymous)
		return 0;
	if (a->kind == AUTH_NONE)
		return -HEARTH_EAUTH;
	if (table[i].any_logged_in || table[i].scope == SCOPE_PLATFORM)
		return policy_allows(a, act) ? 0 : -HEARTH_EDENIED;
	if (table[i].scope == SCOPE_ORG && is_admin(a))
		return 0;
	bool member = false;
	for (int k = 0; k < a->nmemberships; k++) {
		const struct membership *m = &a->memberships[k];
		if (m->organisation_id != org)
			continue;
		member = true;
		uint32_t roles = assigned ? table[i].roles : table[i].roles & ~table[i].assigned;
		if ((R(m->role) & roles) != 0)
			return 0;
	}
	return member || seen ? -HEARTH_EDENIED : -HEARTH_ENOTFOUND;
}

bool policy_in(const struct actor *a, enum action act, int64_t org)
{
	return policy_check(a, act, org, false) == 0;
}

size_t policy_orgs(const struct actor *a, enum action act, int64_t *out, size_t max, bool *all)
{
	int i = find(act);
	size_t n = 0;
	*all = false;
	if (i < 0 || a->kind == AUTH_NONE)
		return 0;
	for (int k = 0; k < a->nmemberships; k++) {
		const struct membership *m = &a->memberships[k];
		if (m->role == ROLE_ADMIN && table[i].scope == SCOPE_ORG)
			*all = true;
		if ((R(m->role) & table[i].roles) == 0)
			continue;
		size_t j;
		for (j = 0; j < n; j++)
			if (out[j] == m->organisation_id)
				break;
		if (j == n && n < max)
			out[n++] = m->organisation_id;
	}
	return n;
}

uint32_t policy_roles_in(const struct actor *a, int64_t org)
{
	uint32_t roles = 0;
	for (int k = 0; k < a->nmemberships; k++)
		if (a->memberships[k].organisation_id == org)
			roles |= R(a->memberships[k].role);
	return roles;
}

bool policy_everywhere(enum action act)
{
	int i = find(act);
	return i >= 0 && (table[i].roles & R(ROLE_ADMIN)) &&
	       (table[i].scope == SCOPE_ORG || table[i].scope == SCOPE_PLATFORM);
}
