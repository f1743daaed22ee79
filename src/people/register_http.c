/*
 * HTTP edge of the people module, self-registration: the form, the
 * registration (with its account code) and claiming a code for a login.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "core/banned.h"

#define FORM_MAX_AGE 7200

static void form_token(struct req *r, int64_t ts, char *out, size_t size)
{
	char msg[48], mac[65];
	snprintf(msg, sizeof msg, "register:%" PRId64, ts);
	crypto_hash_hex(mac, r->app->kr.csrf, msg, strlen(msg));
	snprintf(out, size, "%" PRId64 ".%s", ts, mac);
}

/* Organisations people may register themselves with: arts organisations
 * and partners (a mental-health service registers its own patients), and
 * of those only the ones where someone could look after a new
 * participant: an enabled member in a role the policy lets register one
 * (admin, coordinator, facilitator). A funder, or a partner with no such
 * team, takes nobody. staff is the answer of auth_staff_list() for those
 * roles; an organisation with a row there qualifies. */
static bool takes_registrations(const struct auth_org *org, const struct auth_staff_row *staff,
                                size_t nstaff)
{
	if (strcmp(org->kind, "arts") != 0 && strcmp(org->kind, "partner") != 0)
		return false;
	for (size_t i = 0; i < nstaff; i++)
		if (staff[i].organisation_id == org->id)
			return true;
	return false;
}

/* The memberships that make an organisation take registrations (in org,
 * or 0: everywhere), into an arena array. */
static int registration_staff(struct req *r, int64_t org, struct auth_staff_row **staff, size_t *n)
{
	return auth_staff_list(req_db(r), r->arena, org, policy_roles(ACT_PERSON_CREATE), staff, n);
}

/* 429 for too many attempts from one address. */
static const struct people_refusal *too_many(struct req *r, int64_t retry, const char *what)
{
	struct people_refusal *ref = arena_alloc(r->arena, sizeof *ref);
	memset(ref, 0, sizeof *ref);
	ref->status = 429;
	ref->retry = retry;
	ref->detail = arena_printf(r->arena, "%s; try again in %" PRId64 " seconds", what, retry);
	return ref;
}

void people_http_register_form(struct req *r)
{
	char token[96];
	form_token(r, util_now(), token, sizeof token);
	struct auth_org *all;
	struct auth_staff_row *staff;
	size_t n, nstaff;
	int rc = auth_org_list(req_db(r), r->arena, &all, &n);
	if (!rc)
		rc = registration_staff(r, 0, &staff, &nstaff);
	if (rc) {
		/* No organisations to choose would look like "nobody takes
		 * registrations": say it failed instead. */
		http_error(r, rc, "the registration form");
		return;
	}
	json_t *orgs = json_array();
	for (size_t i = 0; i < n; i++)
		if (takes_registrations(&all[i], staff, nstaff))
			json_array_append_new(orgs, json_pack("{s:I, s:s, s:s}", "id",
			                                      (json_int_t)all[i].id, "name",
			                                      all[i].name, "kind", all[i].kind));
	http_json(r, 200,
	          json_pack("{s:s, s:o, s:I}", "form_token", token, "organisations", orgs,
	                    "min_seconds", (json_int_t)r->app->register_min_seconds));
}

void people_http_register(struct req *r)
{
	struct field_value v[R__MAX];
	const char *age_band, *bad = NULL;
	bool is_minor;
	char err[400] = "";
	int64_t retry = 0, id = 0;
	if (!req_body_fields(r, &people_http_register_body, v))
		return;
	if (v[R_WEBSITE].present && *v[R_WEBSITE].s) {
		bad_field(r, 400, "website", "leave the website field empty");
		return;
	}
	/* The form token proves a person spent a moment on the form. */
	const char *tok = v[R_TOKEN].s;
	const char *dot = strchr(tok, '.');
	int64_t ts = dot ? strtoll(tok, NULL, 10) : 0;
	char expect[96];
	form_token(r, ts, expect, sizeof expect);
	int64_t age = util_now() - ts;
	if (!dot || !crypto_streq(tok, expect) || age > FORM_MAX_AGE) {
		bad_field(r, 400, "form_token",
		          "the form has expired; reload the page and try again");
		return;
	}
	if (age < r->app->register_min_seconds) {
		bad_field(r, 429, "form_token",
		          "that was very fast; please check the form and send it again");
		return;
	}
	/* Participation consent is what registration is for. */
	bool participation = false;
	size_t i;
	json_t *x;
	json_array_foreach(v[R_CONSENTS].j, i, x) participation |=
	    strcmp(json_string_value(json_object_get(x, "purpose")), "participation") == 0 &&
	    json_is_true(json_object_get(x, "granted"));
	if (!participation) {
		bad_field(r, 400, "consents", "consents must include participation, granted");
		return;
	}
	json_t *doc = people_edge_profile_doc(r->body, NULL);
	const struct people_refusal *bad_profile =
	    people_edge_profile_rules(r, doc, &age_band, &is_minor);
	if (bad_profile) {
		json_decref(doc);
		people_edge_finish(r, 0, bad_profile, NULL, NULL, "the registration");
		return;
	}
	struct db_conn *c = req_db(r);
	struct auth_org chosen;
	struct auth_staff_row *staff = NULL;
	size_t nstaff = 0;
	int org_rc = auth_org_get(c, r->arena, v[R_ORG].i, &chosen);
	if (!org_rc)
		org_rc = registration_staff(r, chosen.id, &staff, &nstaff);
	if (org_rc && org_rc != -HEARTH_ENOTFOUND) {
		json_decref(doc);
		http_error(r, org_rc, "the registration");
		return;
	}
	if (org_rc || !takes_registrations(&chosen, staff, nstaff)) {
		json_decref(doc);
		bad_field(r, 400, "organisation_id",
		          "organisation_id: no such organisation takes registrations");
		return;
	}
	int64_t org = v[R_ORG].i;
	struct person_new in = {
	    .profile = people_edge_dumps(r, doc),
	    .name = v[P_NAME].s,
	    .email = v[P_EMAIL].s,
	    .phone = v[P_PHONE].s,
	    .age_band = age_band ? arena_strdup(r->arena, age_band) : NULL,
	    .is_minor = is_minor,
	    .self_registered = true,
	    .org_ids = &org,
	    .norgs = 1,
	};
	json_decref(doc);
	/* Every attempt counts, committed on its own before the address is
	 * looked at, so the registration cannot be used to test addresses
	 * freely. With an email, the answer is the same whether the address is
	 * known or not (docs/security.md, "Whether an email is registered"):
	 * a new person's way in (an invitation link) is emailed to them, and
	 * the owner of a known address is told someone tried. Without an email
	 * there is nothing to find out, and the account code is shown. */
	const struct people_refusal *ref = NULL;
	char code[16] = "";
	bool has_email = in.email && *in.email, missing = false;
	int64_t owner = 0;
	int rc = people__count_attempt(c, &r->app->kr, "reg", r->client_addr,
	                               r->app->register_per_hour, &retry);
	if (rc == -HEARTH_ELOCKED)
		ref = too_many(r, retry, "too many registrations from here");
	else if (!rc)
		rc = db_begin(c, true);
	if (!rc && !ref && has_email)
		rc = people__address_owner_tell(px(r), c, r->arena, in.email, &owner);
	if (!rc && !ref && !owner)
		rc = people__create(px(r), c, r->arena, &in, &id);
	if (rc == -HEARTH_ECONFLICT && !ref && has_email) {
		/* Registered at the same moment by someone else: told as above. */
		req_rollback(r);
		id = 0;
		rc = db_begin(c, true);
		if (!rc)
			rc = people__address_owner_tell(px(r), c, r->arena, in.email, &owner);
		if (!rc && !owner)
			rc = -HEARTH_ECONFLICT;
	}
	if (!rc && !ref && !owner)
		rc = people_edge_record_consents(r, id, v[R_CONSENTS].j,
		                                 is_minor ? "guardian" : "self", "online", &bad,
		                                 err, sizeof err);
	if (!rc && !ref && !owner)
		rc = has_email ? people__invite(px(r), c, r->arena, id, org, &missing)
		               : people__code_create(c, id, 0, code);
	if (rc && !ref)
		ref = people_edge_refusal(r, rc, bad, err);
	if (!people_edge_finish(r, rc, ref,
	                        owner ? "participant.register_attempt" : "participant.register",
	                        people_edge_res(r, owner ? owner : id), "the registration")) {
		if (id)
			people_key_destroy(px(r), id);
		return;
	}
	if (has_email)
		http_json(r, 202, json_pack("{s:s}", "status", "check_email"));
	else
		http_json(r, 202,
		          json_pack("{s:s, s:I, s:s, s:i}", "status", "account_code", "id",
		                    (json_int_t)id, "account_code", code, "valid_days", 14));
	sodium_memzero(code, sizeof code);
}

enum { CL_CODE, CL_PASSWORD };
static const struct field people_http_register_claim_fields[] = {
    {"code", FIELD_STRING, true, 8, 40},
    {"password", FIELD_STRING, true, 12, 1024},
};
const struct field_table people_http_register_claim_body =
    FIELD_TABLE(people_http_register_claim_fields);

void people_http_register_claim(struct req *r)
{
	static const struct people_refusal bad_code = {
	    400, "code", "this code is not valid or has expired; ask the team for a new one"};
	static const struct people_refusal has_login = {
	    409, "code", "a login with this person's email already exists"};
	static const struct people_refusal no_email = {
	    409, "code",
	    "this person's record has no email to log in with; ask the team to add one"};
	struct field_value v[NFIELDS(people_http_register_claim_fields)];
	const struct people_refusal *ref = NULL;
	char hash[128];
	int64_t id = 0, uid = 0, retry = 0;
	if (!req_body_fields(r, &people_http_register_claim_body, v))
		return;
	struct db_conn *c = req_db(r);
	/* The attempt counts even if the code is wrong. Look at the code
	 * before the slow password hash, without using it up yet. */
	int rc = people__count_attempt(c, &r->app->kr, "claim", r->client_addr, 20, &retry);
	if (rc == -HEARTH_ELOCKED)
		ref = too_many(r, retry, "too many attempts");
	else if (!rc)
		rc = people__code_peek(c, v[CL_CODE].s, &id);
	if (rc == -HEARTH_ENOTFOUND)
		ref = &bad_code;
	if (ref || rc) {
		people_edge_finish(r, rc, ref, NULL, NULL, "the code");
		return;
	}
	if ((rc = auth_password_hash(r->app->limits, hash, v[CL_PASSWORD].s)) != 0) {
		http_error(r, rc, "password");
		return;
	}
	rc = db_begin(c, true);
	if (!rc)
		rc = people__code_claim(c, v[CL_CODE].s, &id);
	if (rc == -HEARTH_ENOTFOUND)
		ref = &bad_code;
	/* The login itself (links.c, shared with invitation links). */
	if (!rc)
		rc = people__login_create(px(r), c, r->arena, id, hash, &uid);
	sodium_memzero(hash, sizeof hash);
	if (rc == -HEARTH_ECONFLICT)
		ref = &has_login;
	else if (rc == -HEARTH_EINVAL)
		ref = &no_email;
	if (!people_edge_finish(r, rc, ref, "participant.account_create", people_edge_res(r, id),
	                        "the login"))
		return;
	http_json(r, 201, json_pack("{s:I}", "user_id", (json_int_t)uid));
}
