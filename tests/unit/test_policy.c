/*
 * Unit tests for the access policy (src/auth/policy.c). The expected matrix
 * of action x role is written out here independently of the policy table,
 * so that a change to who may do what has to be made in both places on
 * purpose. Every action is tried for an actor holding exactly one role, by
 * session and by API token, for anonymous callers (even ones carrying stray
 * role bits) and for a logged-in actor without roles; the name tables for
 * actions and roles are checked too.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/banned.h"

#define R(x)      (1u << (x))
#define ALL_ROLES ((1u << ROLE__MAX) - 1)

/* The expected policy, written out by hand. An action added to enum action
 * without a row here fails the matrix test with a message saying so. */
#define STAFF_ROLES                                                                      \
	(R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) | R(ROLE_CLINICIAN) | \
	 R(ROLE_PEER_SUPPORTER))
static const struct {
	bool set;
	uint32_t roles;
} expected[ACT__MAX] = {
    [ACT_PUBLIC] = {true, ALL_ROLES},
    [ACT_SELF] = {true, ALL_ROLES},
    [ACT_ORG_LIST] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_ORG_CREATE] = {true, R(ROLE_ADMIN)},
    [ACT_ORG_UPDATE] = {true, R(ROLE_ADMIN)},
    [ACT_USER_LIST] = {true, R(ROLE_ADMIN)},
    [ACT_USER_CREATE] = {true, R(ROLE_ADMIN)},
    [ACT_USER_UPDATE] = {true, R(ROLE_ADMIN)},
    [ACT_MEMBERSHIP_CREATE] = {true, R(ROLE_ADMIN)},
    [ACT_MEMBERSHIP_DELETE] = {true, R(ROLE_ADMIN)},
    [ACT_TOKEN_LIST] = {true, R(ROLE_ADMIN)},
    [ACT_TOKEN_CREATE] = {true, R(ROLE_ADMIN)},
    [ACT_TOKEN_REVOKE] = {true, R(ROLE_ADMIN)},
    [ACT_AUDIT_READ] = {true, R(ROLE_ADMIN)},
    [ACT_ORG_SEE] = {true, ALL_ROLES},
    [ACT_PERSON_CREATE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR)},
    [ACT_PERSON_SEARCH] = {true, STAFF_ROLES},
    [ACT_PERSON_READ] = {true, STAFF_ROLES},
    [ACT_PERSON_UPDATE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_PERSON_ERASE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_CONSENT_RECORD] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR)},
    [ACT_SELF_PERSON] = {true, R(ROLE_PARTICIPANT)},
    [ACT_ERASURE_REVIEW] = {true, R(ROLE_ADMIN)},
    [ACT_AGREEMENT_LIST] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_CLINICIAN)},
    [ACT_AGREEMENT_MANAGE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_RETENTION] = {true, R(ROLE_ADMIN)},
    [ACT_PROGRAM_READ] = {true, ALL_ROLES},
    [ACT_PROGRAM_MANAGE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_SESSION_EDIT] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR)},
    [ACT_ROSTER_READ] = {true, STAFF_ROLES},
    [ACT_TRAINING_READ] = {true, STAFF_ROLES | R(ROLE_MODERATOR)},
    [ACT_TRAINING_MANAGE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_LISTENING_MANAGE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_LISTENING_RESPOND] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) |
                                         R(ROLE_PEER_SUPPORTER) | R(ROLE_PARTICIPANT)},
    [ACT_THEME_PROPOSE] = {true, STAFF_ROLES | R(ROLE_PARTICIPANT)},
    [ACT_VOTE] = {true, R(ROLE_PARTICIPANT)},
    [ACT_ENROL] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR)},
    [ACT_ENROL_READ] = {true, STAFF_ROLES},
    [ACT_ENROL_ANSWER] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) |
                                    R(ROLE_PARTICIPANT)},
    [ACT_SELF_PROGRAM] = {true, R(ROLE_PARTICIPANT)},
    [ACT_FIT_PERSON] = {true, STAFF_ROLES},
    [ACT_SUPPORT_REQUEST] = {true, STAFF_ROLES},
    [ACT_SUPPORT_MANAGE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_ATTENDANCE] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) |
                                  R(ROLE_PEER_SUPPORTER)},
    [ACT_FOLLOWUP] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR) | R(ROLE_FACILITATOR) |
                                R(ROLE_PEER_SUPPORTER)},
    [ACT_FOLLOWUP_LOG] = {true, R(ROLE_ADMIN) | R(ROLE_COORDINATOR)},
    [ACT_DUTY_SELF] = {true, STAFF_ROLES},
    [ACT_OUTBOX] = {true, R(ROLE_ADMIN)},
};

/* Actions that exist only for a participant's own record (and a
 * participant's vote): an admin is not a participant, so "admin may do
 * everything" excludes exactly these. */
static bool participant_only(enum action act)
{
	return act == ACT_SELF_PERSON || act == ACT_SELF_PROGRAM || act == ACT_VOTE;
}

static uint32_t expected_roles(enum action act)
{
	int i = (int)act;
	if (i < 0 || i >= ACT__MAX || !expected[i].set)
		fail_msg("action %d (%s) has no expected row in this test; add one", i,
		         i >= 0 && i < ACT__MAX ? action_names[i] : "?");
	return expected[i].roles;
}

static struct actor actor_with(enum auth_kind kind, uint32_t roles)
{
	struct actor a;
	memset(&a, 0, sizeof a);
	a.kind = kind;
	a.roles = roles;
	a.user_id = kind == AUTH_SESSION ? 1 : 0;
	return a;
}

static void policy_allows_matrix_single_role(void **state)
{
	(void)state;
	static const enum auth_kind kinds[] = {AUTH_SESSION, AUTH_TOKEN};
	for (size_t k = 0; k < 2; k++) {
		for (int act = 0; act < ACT__MAX; act++) {
			for (int role = 0; role < ROLE__MAX; role++) {
				struct actor a = actor_with(kinds[k], R(role));
				bool want = (expected_roles((enum action)act) & R(role)) != 0;
				bool got = policy_allows(&a, (enum action)act);
				if (got != want)
					fail_msg("%s as %s (kind %d): got %s, want %s",
					         action_names[act], role_names[role], (int)kinds[k],
					         got ? "allow" : "deny", want ? "allow" : "deny");
			}
		}
	}
}

static void policy_allows_admin_everything_but_participant_self(void **state)
{
	(void)state;
	struct actor a = actor_with(AUTH_SESSION, R(ROLE_ADMIN));
	for (int act = 0; act < ACT__MAX; act++)
		if (policy_allows(&a, (enum action)act) == participant_only((enum action)act))
			fail_msg("admin: wrong answer for %s", action_names[act]);
}

static void policy_allows_coordinator_org_list_not_admin(void **state)
{
	(void)state;
	struct actor a = actor_with(AUTH_SESSION, R(ROLE_COORDINATOR));
	assert_true(policy_allows(&a, ACT_ORG_LIST));
	assert_true(policy_allows(&a, ACT_PUBLIC));
	assert_true(policy_allows(&a, ACT_SELF));
	/* Everything that manages the platform stays with admins. */
	static const enum action admin_only[] = {
	    ACT_ORG_CREATE,        ACT_ORG_UPDATE,        ACT_USER_LIST,         ACT_USER_CREATE,    ACT_USER_UPDATE,
	    ACT_MEMBERSHIP_CREATE, ACT_MEMBERSHIP_DELETE, ACT_TOKEN_LIST,     ACT_TOKEN_CREATE,
	    ACT_TOKEN_REVOKE,      ACT_AUDIT_READ,        ACT_ERASURE_REVIEW, ACT_RETENTION,
	    ACT_OUTBOX,
	};
	for (size_t i = 0; i < sizeof admin_only / sizeof admin_only[0]; i++)
		if (policy_allows(&a, admin_only[i]))
			fail_msg("coordinator allowed %s", action_names[admin_only[i]]);
}

static void policy_allows_several_roles_union(void **state)
{
	(void)state;
	struct actor a = actor_with(AUTH_SESSION, R(ROLE_FACILITATOR) | R(ROLE_COORDINATOR));
	assert_true(policy_allows(&a, ACT_ORG_LIST));
	assert_false(policy_allows(&a, ACT_USER_LIST));
	a.roles |= R(ROLE_ADMIN);
	assert_true(policy_allows(&a, ACT_USER_LIST));
}

static void policy_allows_anonymous_public_only(void **state)
{
	(void)state;
	struct actor anon = actor_with(AUTH_NONE, 0);
	/* Stray role bits on an anonymous actor must not grant anything. */
	struct actor forged = actor_with(AUTH_NONE, ALL_ROLES);
	for (int act = 0; act < ACT__MAX; act++) {
		bool want = act == ACT_PUBLIC;
		if (policy_allows(&anon, (enum action)act) != want)
			fail_msg("anonymous: %s wrong", action_names[act]);
		if (policy_allows(&forged, (enum action)act) != want)
			fail_msg("anonymous with role bits: %s wrong", action_names[act]);
	}
}

/* A logged-in actor with no role at all gets public actions and ACT_SELF
 * (/auth/me, /auth/logout: everyone logged in can see themself and leave). */
static void policy_allows_no_roles_denied(void **state)
{
	(void)state;
	struct actor a = actor_with(AUTH_SESSION, 0);
	struct actor t = actor_with(AUTH_TOKEN, 0);
	for (int act = 0; act < ACT__MAX; act++) {
		bool want = act == ACT_PUBLIC || act == ACT_SELF;
		if (policy_allows(&a, (enum action)act) != want)
			fail_msg("session without roles: %s wrong", action_names[act]);
		if (policy_allows(&t, (enum action)act) != want)
			fail_msg("token without roles: %s wrong", action_names[act]);
	}
}

static void policy_allows_unknown_role_bits_denied(void **state)
{
	(void)state;
	/* Bits above the last role mean nothing. */
	struct actor a = actor_with(AUTH_SESSION, ~ALL_ROLES);
	for (int act = ACT_SELF + 1; act < ACT__MAX; act++)
		if (policy_allows(&a, (enum action)act))
			fail_msg("unknown role bits allowed %s", action_names[act]);
}

static void policy_allows_unknown_action_denied(void **state)
{
	(void)state;
	struct actor a = actor_with(AUTH_SESSION, ALL_ROLES);
	assert_false(policy_allows(&a, ACT__MAX));
	assert_false(policy_allows(&a, (enum action) - 1));
	assert_int_equal(policy_roles(ACT__MAX), 0);
}

static void policy_roles_matches_expected(void **state)
{
	(void)state;
	for (int act = 0; act < ACT__MAX; act++)
		if (policy_roles((enum action)act) != expected_roles((enum action)act))
			fail_msg("policy_roles(%s) = %#x", action_names[act],
			         (unsigned)policy_roles((enum action)act));
}

static void action_names_complete_and_unique(void **state)
{
	(void)state;
	for (int i = 0; i < ACT__MAX; i++) {
		if (!action_names[i] || !action_names[i][0])
			fail_msg("action %d has no name", i);
		for (int j = 0; j < i; j++)
			if (strcmp(action_names[i], action_names[j]) == 0)
				fail_msg("actions %d and %d share the name %s", i, j,
				         action_names[i]);
	}
}

static void role_from_name_round_trips(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE__MAX; r++) {
		assert_non_null(role_names[r]);
		assert_int_equal(auth_role_from_name(role_names[r]), r);
	}
	assert_null(role_names[ROLE__MAX]);
	assert_int_equal(auth_role_from_name("admin"), ROLE_ADMIN);
	assert_int_equal(auth_role_from_name("participant"), ROLE_PARTICIPANT);
}

static void role_from_name_rejects_unknown(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",    "Admin",         "ADMIN", "admin ",         " admin",
	    "adm", "administrator", "root",  "peer supporter", "guest"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (auth_role_from_name(bad[i]) != -1)
			fail_msg("\"%s\" was accepted as a role", bad[i]);
}

/* --- organisation scope: policy_check, the one 403/404 rule --- */

static struct actor member_of(struct membership *ms, int n)
{
	struct actor a = actor_with(AUTH_SESSION, 0);
	for (int i = 0; i < n; i++)
		a.roles |= R(ms[i].role);
	a.memberships = ms;
	a.nmemberships = n;
	return a;
}

static void policy_check_own_org_other_org_missing(void **state)
{
	(void)state;
	struct membership ms[] = {{.id = 1, .organisation_id = 10, .role = ROLE_COORDINATOR},
	                          {.id = 2, .organisation_id = 20, .role = ROLE_FACILITATOR}};
	struct actor a = member_of(ms, 2);
	/* Allowed where the role allows it. */
	assert_int_equal(policy_check(&a, ACT_PROGRAM_MANAGE, 10, false), 0);
	assert_true(policy_in(&a, ACT_PROGRAM_MANAGE, 10));
	/* Known (a role there) but not this action: 403. */
	assert_int_equal(policy_check(&a, ACT_PROGRAM_MANAGE, 20, false), -HEARTH_EDENIED);
	assert_int_equal(policy_check(&a, ACT_ATTENDANCE, 20, false), 0);
	/* No role in the organisation: as if it did not exist... */
	assert_int_equal(policy_check(&a, ACT_PROGRAM_MANAGE, 30, false), -HEARTH_ENOTFOUND);
	assert_int_equal(policy_check(&a, ACT_ORG_SEE, 30, false), -HEARTH_ENOTFOUND);
	assert_false(policy_in(&a, ACT_ORG_SEE, 30));
	/* ...unless the thing is shown to them anyway (a published programme). */
	assert_int_equal(policy_check(&a, ACT_PROGRAM_MANAGE, 30, true), -HEARTH_EDENIED);
	assert_int_equal(policy_check(&a, ACT_ORG_SEE, 10, false), 0);
	assert_int_equal(policy_roles_in(&a, 10), R(ROLE_COORDINATOR));
	assert_int_equal(policy_roles_in(&a, 30), 0);
}

/* A facilitator edits only the sessions they are assigned to; a
 * coordinator any of their organisation's; assignment never reaches
 * another organisation. */
static void policy_check_assigned_only(void **state)
{
	(void)state;
	struct membership ms[] = {{.id = 1, .organisation_id = 10, .role = ROLE_COORDINATOR},
	                          {.id = 2, .organisation_id = 20, .role = ROLE_FACILITATOR}};
	struct actor a = member_of(ms, 2);
	assert_int_equal(policy_check(&a, ACT_SESSION_EDIT, 10, false), 0);
	assert_int_equal(policy_check_assigned(&a, ACT_SESSION_EDIT, 10, false, false), 0);
	assert_int_equal(policy_check(&a, ACT_SESSION_EDIT, 20, true), -HEARTH_EDENIED);
	assert_int_equal(policy_check_assigned(&a, ACT_SESSION_EDIT, 20, true, false),
	                 -HEARTH_EDENIED);
	assert_int_equal(policy_check_assigned(&a, ACT_SESSION_EDIT, 20, true, true), 0);
	assert_int_equal(policy_check_assigned(&a, ACT_SESSION_EDIT, 30, false, true),
	                 -HEARTH_ENOTFOUND);
	assert_int_equal(policy_check_assigned(&a, ACT_SESSION_EDIT, 30, true, true),
	                 -HEARTH_EDENIED);
	/* An action without assigned-only roles is the same either way. */
	assert_int_equal(policy_check_assigned(&a, ACT_ATTENDANCE, 20, false, false), 0);
}

static void policy_check_admin_everywhere_platform_by_role(void **state)
{
	(void)state;
	struct membership ms[] = {{.id = 1, .organisation_id = 10, .role = ROLE_ADMIN}};
	struct actor a = member_of(ms, 1);
	assert_int_equal(policy_check(&a, ACT_PROGRAM_MANAGE, 99, false), 0);
	assert_int_equal(policy_check(&a, ACT_USER_LIST, 0, false), 0);
	/* Reviewing erasure and the retention sweep act on people: only in
	 * the admin's own organisations, never platform-wide. */
	static const enum action people_admin[] = {ACT_ERASURE_REVIEW, ACT_RETENTION};
	for (size_t i = 0; i < sizeof people_admin / sizeof people_admin[0]; i++) {
		assert_int_equal(policy_scope(people_admin[i]), SCOPE_MEMBER);
		assert_int_equal(policy_check(&a, people_admin[i], 10, false), 0);
		assert_int_equal(policy_check(&a, people_admin[i], 99, false), -HEARTH_ENOTFOUND);
		assert_false(policy_everywhere(people_admin[i]));
	}
	struct membership cs[] = {{.id = 1, .organisation_id = 10, .role = ROLE_COORDINATOR}};
	struct actor c = member_of(cs, 1);
	/* Platform actions: the role decides, whatever the organisation. */
	assert_int_equal(policy_check(&c, ACT_USER_LIST, 10, false), -HEARTH_EDENIED);
	assert_int_equal(policy_check(&c, ACT_ORG_LIST, 0, false), 0);
	struct actor anon = actor_with(AUTH_NONE, 0);
	assert_int_equal(policy_check(&anon, ACT_PROGRAM_READ, 10, false), -HEARTH_EAUTH);
	assert_int_equal(policy_check(&anon, ACT_PUBLIC, 10, false), 0);
	/* Every action has a scope; platform actions are the admin ones. */
	assert_int_equal(policy_scope(ACT_USER_LIST), SCOPE_PLATFORM);
	assert_int_equal(policy_scope(ACT_PROGRAM_MANAGE), SCOPE_ORG);
	assert_int_equal(policy_scope(ACT_PERSON_READ), SCOPE_SHARED);
	assert_int_equal(policy_scope(ACT_SELF_PERSON), SCOPE_SELF);
}

static void policy_orgs_lists_where_allowed(void **state)
{
	(void)state;
	struct membership ms[] = {{.id = 1, .organisation_id = 10, .role = ROLE_COORDINATOR},
	                          {.id = 2, .organisation_id = 20, .role = ROLE_FACILITATOR},
	                          {.id = 3, .organisation_id = 10, .role = ROLE_FACILITATOR}};
	struct actor a = member_of(ms, 3);
	int64_t out[4];
	bool all = true;
	assert_int_equal(policy_orgs(&a, ACT_PROGRAM_MANAGE, out, 4, &all), 1);
	assert_false(all);
	assert_int_equal(out[0], 10);
	assert_int_equal(policy_orgs(&a, ACT_ATTENDANCE, out, 4, &all), 2);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 20);
	assert_int_equal(policy_orgs(&a, ACT_ATTENDANCE, out, 1, &all), 1);
	struct membership am[] = {{.id = 1, .organisation_id = 10, .role = ROLE_ADMIN}};
	struct actor admin = member_of(am, 1);
	policy_orgs(&admin, ACT_PROGRAM_MANAGE, out, 4, &all);
	assert_true(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(policy_allows_matrix_single_role),
	    cmocka_unit_test(policy_allows_admin_everything_but_participant_self),
	    cmocka_unit_test(policy_allows_coordinator_org_list_not_admin),
	    cmocka_unit_test(policy_allows_several_roles_union),
	    cmocka_unit_test(policy_allows_anonymous_public_only),
	    cmocka_unit_test(policy_allows_no_roles_denied),
	    cmocka_unit_test(policy_allows_unknown_role_bits_denied),
	    cmocka_unit_test(policy_allows_unknown_action_denied),
	    cmocka_unit_test(policy_roles_matches_expected),
	    cmocka_unit_test(action_names_complete_and_unique),
	    cmocka_unit_test(policy_check_own_org_other_org_missing),
	    cmocka_unit_test(policy_check_assigned_only),
	    cmocka_unit_test(policy_check_admin_everywhere_platform_by_role),
	    cmocka_unit_test(policy_orgs_lists_where_allowed),
	    cmocka_unit_test(role_from_name_round_trips),
	    cmocka_unit_test(role_from_name_rejects_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
