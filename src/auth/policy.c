/*
 * The policy: one table of which roles may perform each action, read in one
 * place and tested as a matrix (tests/unit/test_policy.c and the API test
 * that tries every role against every admin route). Deny by default: an
 * action missing from the table is allowed to nobody.
 */
#include <string.h>

#include "auth/auth.h"
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
};

/* Which roles may do what. Admin rights are platform-wide: an admin of any
 * organisation manages users, organisations, tokens and reads the audit log.
 * Later modules add their actions here, scoped by organisation and consent
 * in their own checks. */
static const struct {
	enum action act;
	uint32_t roles;
	bool anonymous;     /* allowed without logging in */
	bool any_logged_in; /* allowed to anyone logged in, whatever their roles */
} table[] = {
    {ACT_PUBLIC, ANY_ROLE, true},
    /* Seeing yourself and logging out never depend on having a role. */
    {ACT_SELF, ANY_ROLE, false, true},
    {ACT_ORG_LIST, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false},
    {ACT_ORG_CREATE, R(ROLE_ADMIN), false},
    {ACT_ORG_UPDATE, R(ROLE_ADMIN), false},
    {ACT_USER_LIST, R(ROLE_ADMIN), false},
    {ACT_USER_CREATE, R(ROLE_ADMIN), false},
    {ACT_USER_UPDATE, R(ROLE_ADMIN), false},
    {ACT_MEMBERSHIP_CREATE, R(ROLE_ADMIN), false},
    {ACT_MEMBERSHIP_DELETE, R(ROLE_ADMIN), false},
    {ACT_TOKEN_LIST, R(ROLE_ADMIN), false},
    {ACT_TOKEN_CREATE, R(ROLE_ADMIN), false},
    {ACT_TOKEN_REVOKE, R(ROLE_ADMIN), false},
    {ACT_AUDIT_READ, R(ROLE_ADMIN), false},
    /* People: who may touch a person's record at all. Which records is
     * decided per person by organisation and data-sharing agreements
     * (people_sharing_allows), at the moment of use. Funders never. */
    {ACT_PERSON_CREATE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR), false},
    {ACT_PERSON_SEARCH, STAFF, false},
    {ACT_PERSON_READ, STAFF, false},
    {ACT_PERSON_UPDATE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false},
    {ACT_PERSON_ERASE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false},
    {ACT_CONSENT_RECORD, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR), false},
    {ACT_SELF_PERSON, R(ROLE_PARTICIPANT), false},
    {ACT_ERASURE_REVIEW, R(ROLE_ADMIN), false},
    {ACT_AGREEMENT_LIST, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_CLINICIAN), false},
    {ACT_AGREEMENT_MANAGE, R(ROLE_ADMIN) | R(ROLE_COORDINATOR), false},
    {ACT_RETENTION, R(ROLE_ADMIN), false},
    /* Programmes. Which organisation's records is checked in the module
     * (staff act within organisations where they hold an allowed role). */
    {ACT_PROGRAM_READ, ANY_ROLE, false},
    {ACT_PROGRAM_MANAGE, MANAGE, false},
    {ACT_SESSION_EDIT, MANAGE | R(ROLE_FACILITATOR), false},
    {ACT_ROSTER_READ, STAFF, false},
    {ACT_TRAINING_READ, STAFF | R(ROLE_MODERATOR), false},
    {ACT_TRAINING_MANAGE, MANAGE, false},
    {ACT_LISTENING_MANAGE, MANAGE, false},
    {ACT_LISTENING_RESPOND, FRONTLINE | R(ROLE_PARTICIPANT), false},
    {ACT_THEME_PROPOSE, STAFF | R(ROLE_PARTICIPANT), false},
    {ACT_VOTE, R(ROLE_PARTICIPANT), false},
    {ACT_ENROL, MANAGE | R(ROLE_FACILITATOR), false},
    {ACT_ENROL_READ, STAFF, false},
    {ACT_ENROL_ANSWER, MANAGE | R(ROLE_FACILITATOR) | R(ROLE_PARTICIPANT), false},
    {ACT_SELF_PROGRAM, R(ROLE_PARTICIPANT), false},
    {ACT_FIT_PERSON, STAFF, false},
    {ACT_SUPPORT_REQUEST, STAFF, false},
    {ACT_SUPPORT_MANAGE, MANAGE, false},
    {ACT_ATTENDANCE, FRONTLINE, false},
    {ACT_FOLLOWUP, FRONTLINE, false},
    {ACT_FOLLOWUP_LOG, MANAGE, false},
    {ACT_DUTY_SELF, STAFF, false},
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

int role_from_name(const char *name)
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
