/*
 * Who may act on a person's record: the policy's one rule (policy_check,
 * docs/api.md "Who may do what") applied over the person's organisations,
 * and a partner organisation's view under a data-sharing agreement.
 */
#include "auth/auth.h"
#include "core/err.h"
#include "people/internal.h"
#include "core/banned.h"

int people__check(struct db_conn *c, const struct actor *a, enum action act,
                  const struct person_row *p, bool *contact_only)
{
	int best = -HEARTH_ENOTFOUND, rc;
	if (contact_only)
		*contact_only = false;
	for (size_t k = 0; k < p->norgs; k++) {
		rc = policy_check(a, act, p->org_ids[k], false);
		if (rc == 0 || rc == -HEARTH_EAUTH)
			return rc;
		if (rc == -HEARTH_EDENIED)
			best = rc;
	}
	/* Shared with one of the caller's organisations: a read sees the
	 * contact category; anything else is known but refused. */
	bool shared = false;
	if (!p->erased && (rc = people_sharing(c, a, p->id, SHARE_CONTACT, &shared)) != 0)
		return rc;
	if (shared) {
		if (contact_only && policy_scope(act) == SCOPE_SHARED) {
			*contact_only = true;
			return 0;
		}
		return -HEARTH_EDENIED;
	}
	return best;
}

uint32_t people__roles_for(const struct actor *a, const struct person_row *p)
{
	uint32_t roles = 0;
	/* A person's record is never platform-wide: the roles held in the
	 * person's own organisations (policy.c, scope "member"). */
	for (size_t k = 0; k < p->norgs; k++)
		roles |= policy_roles_in(a, p->org_ids[k]);
	return roles;
}
