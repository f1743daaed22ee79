/* Synthetic demo data; see demo.h. Idempotent: running it twice changes
 * nothing the second time. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"
#include "core/banned.h"

static const struct {
	const char *name, *kind;
} orgs[] = {
	{"Riverside Community Arts", "arts"},
	{"Northside Mental Health Service", "mental_health"},
	{"Civic Wellbeing Fund", "partner"},
	{"Eastgate Library", "partner"},
};

static const struct {
	const char *email, *name;
	int org;
	enum role role;
} people[] = {
	{"admin@riverside-arts.example", "Alex Okafor", 0, ROLE_ADMIN},
	{"coordinator@riverside-arts.example", "Casey Lindqvist", 0, ROLE_COORDINATOR},
	{"facilitator@riverside-arts.example", "Frankie Moreno", 0, ROLE_FACILITATOR},
	{"peer@riverside-arts.example", "Pat Nakamura", 0, ROLE_PEER_SUPPORTER},
	{"moderator@riverside-arts.example", "Morgan Achterberg", 0, ROLE_MODERATOR},
	{"clinician@northside-mh.example", "Robin Adeyemi", 1, ROLE_CLINICIAN},
	{"funder@civic-fund.example", "Jordan Whitfield", 2, ROLE_FUNDER},
	{"librarian@eastgate-library.example", "Leslie Baptiste", 3, ROLE_FACILITATOR},
	{"participant@example.org", "Sam Rivera", 0, ROLE_PARTICIPANT},
	{"participant2@example.org", "Noor Haddad", 0, ROLE_PARTICIPANT},
	{"participant3@example.org", "Teo Kowalczyk", 0, ROLE_PARTICIPANT},
};

int demo_load(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim, FILE *out)
{
	int64_t org_ids[sizeof orgs / sizeof orgs[0]];
	int rc = 0;
	struct db_conn *c = db_acquire(p);
	int64_t existing = 0;
	if ((rc = auth_user_find(c, people[0].email, &existing)) != 0)
		goto out;
	if (!existing) {
		/* Hash outside the transaction: slow work never holds the write lock. */
		char hashes[sizeof people / sizeof people[0]][128];
		for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
			if ((rc = auth_password_hash(lim, hashes[i], DEMO_PASSWORD)) != 0)
				goto out;
		if ((rc = db_begin(c, true)) != 0)
			goto out;
		for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
			if ((rc = auth_org_ensure(c, orgs[i].name, orgs[i].kind, &org_ids[i], NULL)) != 0)
				goto fail;
		for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
			int64_t uid = 0, mid = 0;
			char res[40];
			if ((rc = auth_user_find(c, people[i].email, &uid)) != 0)
				goto fail;
			if (!uid && (rc = auth_user_create(c, people[i].email, people[i].name, hashes[i],
							   &uid)) != 0)
				goto fail;
			if ((rc = auth_membership_add(c, uid, org_ids[people[i].org], people[i].role,
						      &mid)) != 0)
				goto fail;
			snprintf(res, sizeof res, "user:%lld", (long long)uid);
			struct audit_entry e = {0, org_ids[people[i].org], "demo.user.create", res,
						"success", "cli:demo"};
			if ((rc = audit_append(c, kr, &e)) != 0)
				goto fail;
		}
		if ((rc = db_commit(c)) != 0)
			goto fail;
		fprintf(out, "Demo data loaded: %zu organisations, %zu people.\n",
			sizeof orgs / sizeof orgs[0], sizeof people / sizeof people[0]);
	} else {
		fprintf(out, "Demo data is already loaded.\n");
	}
	fprintf(out, "\nDemo logins (synthetic people; password for all: %s)\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		fprintf(out, "  %-15s %-38s %s\n", role_names[people[i].role], people[i].email,
			orgs[people[i].org].name);
	goto out;
fail:
	db_rollback(c);
out:
	db_release(p, c);
	return rc;
}
