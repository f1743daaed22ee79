/* Synthetic demo data; see demo.h. Idempotent: running it twice changes
 * nothing the second time. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"
/* The demo writes through the people module's storage functions, as its
 * HTTP layer does; it is tooling, not a module with tables of its own. */
#include "core/arena.h"
#include "core/util.h"
#include "people/internal.h"
#include "programs/programs.h"
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

/* Invented residents. The first three have logins (the participant demo
 * users above, in order); the others were registered by staff. */
static const struct {
	const char *profile, *name, *email, *phone, *age_band;
	bool minor;
	const char *consents; /* purposes granted, comma-separated */
} residents[] = {
    {"{\"name\":\"Sam Rivera\",\"preferred_name\":\"Sam\",\"pronouns\":\"they/them\","
     "\"languages\":[\"en\",\"es\"],\"email\":\"participant@example.org\",\"phone\":\"+44 20 7946 "
     "0001\","
     "\"preferred_contact\":\"sms\",\"age_band\":\"26_40\",\"interests\":[\"painting\",\"music\"],"
     "\"availability\":[{\"day\":\"tue\",\"start\":\"17:00\",\"end\":\"20:00\"}],"
     "\"needs\":{\"neurodivergence\":[\"quiet_room\",\"breaks\"],\"transport_help\":true},"
     "\"emergency_contact\":{\"name\":\"Ana Rivera\",\"phone\":\"+44 20 7946 "
     "0002\",\"relationship\":\"sister\"}}",
     "Sam Rivera", "participant@example.org", "+44 20 7946 0001", "26_40", false,
     "participation,contact,evaluation,clinical_sharing,peer_community"},
    {"{\"name\":\"Noor Haddad\",\"pronouns\":\"she/her\",\"languages\":[\"en\",\"ar\"],"
     "\"email\":\"participant2@example.org\",\"preferred_contact\":\"email\",\"age_band\":\"41_"
     "64\","
     "\"interests\":[\"writing\",\"theatre\"],\"needs\":{\"mobility\":[\"step_free_access\"]}}",
     "Noor Haddad", "participant2@example.org", NULL, "41_64", false,
     "participation,contact,evaluation"},
    {"{\"name\":\"Teo Kowalczyk\",\"pronouns\":\"he/him\",\"languages\":[\"en\",\"pl\"],"
     "\"email\":\"participant3@example.org\",\"age_band\":\"65_plus\",\"interests\":[\"singing\","
     "\"craft\"],"
     "\"needs\":{\"sensory\":[\"hearing_loop\",\"large_print\"]}}",
     "Teo Kowalczyk", "participant3@example.org", NULL, "65_plus", false, "participation,media"},
    {"{\"name\":\"Lucía Fernández\",\"preferred_name\":\"Lucía\",\"languages\":[\"es\"],"
     "\"email\":\"lucia.f@example.org\",\"phone\":\"+1 555 0100 "
     "123\",\"preferred_contact\":\"phone\","
     "\"age_band\":\"18_25\",\"interests\":[\"dance\",\"photography\"],"
     "\"needs\":{\"interpretation_language\":\"es\",\"childcare\":true}}",
     "Lucía Fernández", "lucia.f@example.org", "+1 555 0100 123", "18_25", false,
     "participation,contact"},
    {"{\"name\":\"Jamie Okonkwo\",\"languages\":[\"en\"],\"email\":\"jamie.o@example.org\","
     "\"date_of_birth\":\"2011-04-02\",\"age_band\":\"under_18\",\"interests\":[\"digital\","
     "\"drawing\"]}",
     "Jamie Okonkwo", "jamie.o@example.org", NULL, "under_18", true, "participation"},
};

static int demo_people(struct db_conn *c, const struct people_ctx *px, const int64_t *user_ids,
                       int64_t org, int64_t partner, int64_t *created)
{
	struct arena *a = arena_new(16384);
	int rc = 0;
	*created = 0;
	for (size_t i = 0; i < sizeof residents / sizeof residents[0]; i++) {
		struct person_new in = {
		    .profile = residents[i].profile,
		    .name = residents[i].name,
		    .email = residents[i].email,
		    .phone = residents[i].phone,
		    .age_band = residents[i].age_band,
		    .is_minor = residents[i].minor,
		    .org_ids = &org,
		    .norgs = 1,
		};
		int64_t id = 0, cid;
		if ((rc = people__create(px, c, a, &in, &id)) != 0)
			goto out;
		created[(*created)++] = id;
		if (i < 3 && (rc = people__link_user(c, id, user_ids[i])) != 0)
			goto out;
		char list[128];
		snprintf(list, sizeof list, "%s", residents[i].consents);
		for (char *p = list, *next; p && *p; p = next) {
			next = strchr(p, ',');
			if (next)
				*next++ = '\0';
			struct consent_in ci = {
			    .purpose = (enum consent_purpose)people_purpose_from_name(p),
			    .granted = true,
			    .given_by = residents[i].minor ? "guardian" : "self",
			    .method = "paper",
			    .guardian_name = residents[i].minor ? "Grace Okonkwo" : NULL,
			    .lang = "en",
			};
			const char *bad;
			char err[200];
			if ((rc = people__consent_record(px, c, a, id, &ci, &cid, &bad, err,
			                                 sizeof err)) != 0)
				goto out;
		}
	}
	/* Riverside shares contact, check-ins, safety plans and referrals with
	 * its mental-health partner for a year. */
	int64_t aid;
	rc = people__agreement_create(c, org, partner, "contact,checkins,safety_plan,referrals",
	                              util_now() - 86400, util_now() + 365 * 86400, 0, &aid);
out:
	arena_free(a);
	return rc;
}

int demo_load(struct db_pool *p, const struct people_ctx *px, struct auth_limits *lim, FILE *out)
{
	const struct keyring *kr = px->kr;
	int64_t user_ids[sizeof people / sizeof people[0]];
	int64_t resident_ids[sizeof residents / sizeof residents[0]] = {0}, nresidents = 0;
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
			if ((rc = auth_org_ensure(c, orgs[i].name, orgs[i].kind, &org_ids[i],
			                          NULL)) != 0)
				goto fail;
		for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
			int64_t uid = 0, mid = 0;
			char res[40];
			if ((rc = auth_user_find(c, people[i].email, &uid)) != 0)
				goto fail;
			/* Participants' logins are stored as keyed hashes, as the
			 * claim page stores them (see auth_login_key). */
			char login[80];
			bool participant = people[i].role == ROLE_PARTICIPANT;
			if (participant)
				auth_login_key(kr, people[i].email, login);
			if (!uid &&
			    (rc = auth_user_create(c, participant ? login : people[i].email,
			                           participant ? "Participant" : people[i].name,
			                           hashes[i], &uid)) != 0)
				goto fail;
			user_ids[i] = uid;
			if ((rc = auth_membership_add(c, uid, org_ids[people[i].org],
			                              people[i].role, &mid)) != 0)
				goto fail;
			snprintf(res, sizeof res, "user:%lld", (long long)uid);
			struct audit_entry e = {
			    0,         org_ids[people[i].org], "demo.user.create", res, "success",
			    "cli:demo"};
			if ((rc = audit_append(c, kr, &e)) != 0)
				goto fail;
		}
		/* The participant logins are the last three people. */
		size_t first = sizeof people / sizeof people[0] - 3;
		if ((rc = demo_people(c, px, user_ids + first, org_ids[0], org_ids[1],
		                      resident_ids)) != 0)
			goto fail_people;
		nresidents = (int64_t)(sizeof residents / sizeof residents[0]);
		if ((rc = programs_demo_load(c, px, org_ids[0], org_ids[1], user_ids,
		                             resident_ids)) != 0)
			goto fail_people;
		if ((rc = db_commit(c)) != 0)
			goto fail_people;
		fprintf(out,
		        "Demo data loaded: %zu organisations, %zu staff and participant logins, "
		        "%lld participant records, 3 programmes with their sessions.\n",
		        sizeof orgs / sizeof orgs[0], sizeof people / sizeof people[0],
		        (long long)nresidents);
	} else {
		fprintf(out, "Demo data is already loaded.\n");
	}
	fprintf(out, "\nDemo logins (synthetic people; password for all: %s)\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		fprintf(out, "  %-15s %-38s %s\n", role_names[people[i].role], people[i].email,
		        orgs[people[i].org].name);
	goto out;
fail_people:
	/* Keys made for people who were never committed are orphans. */
	for (size_t i = 0; i < sizeof residents / sizeof residents[0]; i++)
		if (resident_ids[i])
			people_key_destroy(px, resident_ids[i]);
fail:
	db_rollback(c);
out:
	db_release(p, c);
	return rc;
}
