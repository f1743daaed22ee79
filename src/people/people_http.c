/*
 * HTTP edge of the people module, participants: register, search, read,
 * correct, erase, and the one-time code for a person's login. The other
 * sub-domains have their own edge files: consent_http.c, register_http.c,
 * me_http.c, export_http.c, erasure_http.c, agreement_http.c; the helpers
 * they share are in edge_http.c.
 *
 * Who may act on which person is the policy's one rule (people__check,
 * scope.c): a person the caller cannot know exists is answered exactly as a
 * missing id (404). Every read of a person's record is audited in the same
 * transaction as the read; every write is audited; nothing is half-written.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "core/banned.h"

/* The refusal for a person the caller may know exists but not act on in
 * this way (403); NULL otherwise (a person they cannot know exists is
 * answered as the error -HEARTH_ENOTFOUND: exactly as a missing id). */
static const struct people_refusal *refused(struct req *r, int rc, const char *detail)
{
	return rc == -HEARTH_EDENIED ? people_edge_refuse(r, 403, NULL, "%s", detail) : NULL;
}

/* --- staff: participants --- */

/* The organisations a new person is registered with: the given ones, each
 * one where the caller may register people (another organisation's, or
 * none at all, answers 403 the same); else those where they may. */
static size_t create_orgs(struct req *r, const struct field_value *v, int64_t *orgs, size_t max)
{
	size_t norgs = 0, i;
	json_t *x;
	bool all;
	if (!v[P_ORGS].present)
		return policy_orgs(&r->actor, ACT_PERSON_CREATE, orgs, max, &all);
	json_array_foreach(v[P_ORGS].j, i, x)
	{
		int64_t org = json_integer_value(x);
		struct auth_org o;
		int rc = policy_check(&r->actor, ACT_PERSON_CREATE, org, false);
		/* An admin acts everywhere: the organisation must still exist. */
		if (!rc && !policy_roles_in(&r->actor, org))
			rc = auth_org_get(req_db(r), r->arena, org, &o);
		if (rc || norgs == max) {
			bad_field(r, 403, "organisation_ids",
			          "you can only register people in your own organisations");
			return SIZE_MAX;
		}
		orgs[norgs++] = org;
	}
	return norgs;
}

void people_http_create(struct req *r)
{
	struct field_value v[P__MAX];
	int64_t orgs[10];
	const char *age_band, *bad = NULL;
	bool is_minor;
	char err[400] = "";
	if (!req_body_fields(r, &people_http_create_body, v))
		return;
	size_t norgs = create_orgs(r, v, orgs, 10);
	if (norgs == SIZE_MAX)
		return;
	if (!norgs) {
		bad_field(r, 400, "organisation_ids",
		          "organisation_ids: name at least one organisation");
		return;
	}
	json_t *doc = people_edge_profile_doc(r->body, NULL);
	const struct people_refusal *ref = people_edge_profile_rules(r, doc, &age_band, &is_minor);
	if (ref) {
		json_decref(doc);
		people_edge_finish(r, 0, ref, NULL, NULL, NULL);
		return;
	}
	struct person_new in = {
	    .profile = people_edge_dumps(r, doc),
	    .name = v[P_NAME].s,
	    .email = v[P_EMAIL].s,
	    .phone = v[P_PHONE].s,
	    .age_band = age_band ? arena_strdup(r->arena, age_band) : NULL,
	    .is_minor = is_minor,
	    .org_ids = orgs,
	    .norgs = norgs,
	    .created_by = r->actor.user_id,
	};
	json_decref(doc);
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	static const struct people_refusal taken = {
	    409, "email", "a person with this email is already registered"};
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__create(px(r), c, r->arena, &in, &id);
	if (rc == -HEARTH_ECONFLICT)
		ref = &taken;
	else if (!rc && v[P_CONSENTS].present)
		rc = people_edge_record_consents(r, id, v[P_CONSENTS].j, "staff", "paper", &bad,
		                                 err, sizeof err);
	if (rc && !ref)
		ref = people_edge_refusal(r, rc, bad, err);
	if (!people_edge_finish(r, rc, ref, "participant.create", people_edge_res(r, id),
	                        "the person")) {
		if (id)
			people_key_destroy(px(r), id);
		return;
	}
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

bool people_edge_load_person(struct req *r, int64_t id, struct person_row *p, bool *contact_only,
                             const char *action)
{
	struct db_conn *c = req_db(r);
	struct people_refusal denied = {.audited = true};
	const struct people_refusal *ref = NULL;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, p);
	if (!rc)
		rc = people__check(c, &r->actor, ACT_PERSON_READ, p, contact_only);
	if (rc == -HEARTH_EDENIED || (rc == -HEARTH_ENOTFOUND && p->id)) {
		/* Denials of a person's record are audited too; one the caller
		 * cannot know exists is answered as a missing id. */
		if (rc == -HEARTH_EDENIED) {
			denied.status = 403;
			denied.detail =
			    "this person is not in your organisation and no data-sharing "
			    "agreement with their consent covers you";
		} else {
			denied.error = rc;
		}
		ref = &denied;
	} else if (!rc && p->erased) {
		ref = &people_edge_gone;
	}
	return people_edge_finish(r, rc, ref, action, people_edge_res(r, id), "the person");
}

void people_http_get(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	bool contact_only;
	if (!people_edge_load_person(r, id, &p, &contact_only, "participant.read"))
		return;
	if (contact_only) {
		http_json(r, 200, people__contact_json(&p));
		return;
	}
	struct consent_row *rows;
	size_t n;
	int rc = people__consents(px(r), req_db(r), r->arena, id, &rows, &n);
	if (rc) {
		http_error(r, rc, "consents");
		return;
	}
	/* Staff of the person's organisation see that they asked to be erased. */
	json_t *erasure;
	if ((rc = people_edge_erasure_json(r, id, true, &erasure)) != 0) {
		http_error(r, rc, "the erasure request");
		return;
	}
	json_t *o = people__person_json(&p, rows, n, true);
	json_object_set_new(o, "erasure_request", erasure);
	/* What the reader's roles in the person's organisations may not see
	 * (the policy decides: volunteers see less). */
	for (const char *const *k = policy_person_hidden(people__roles_for(&r->actor, &p)); *k; k++)
		json_object_del(o, *k);
	http_json(r, 200, o);
}

/* One person of a list or search as the actor may see them, into *out:
 * the whole entry, the contact category shared with them, or NULL (not
 * shown). Returns 0, or a negative hearth_err when who may see them could
 * not be decided (a database error: never read as "not shown"). */
static int list_item(struct req *r, struct person_row *p, json_t **out)
{
	bool contact_only;
	*out = NULL;
	if (p->erased)
		return 0;
	int rc = people__check(req_db(r), &r->actor, ACT_PERSON_SEARCH, p, &contact_only);
	if (rc == -HEARTH_EDENIED || rc == -HEARTH_ENOTFOUND || rc == -HEARTH_EAUTH)
		return 0;
	if (rc)
		return rc;
	if (contact_only) {
		*out = people__contact_json(p);
		return 0;
	}
	json_t *full = p->profile ? json_loads(p->profile, 0, NULL) : NULL;
	json_t *item = json_pack("{s:I, s:O?, s:O?, s:O?, s:O?, s:b}", "id", (json_int_t)p->id,
	                         "name", json_object_get(full, "name"), "preferred_name",
	                         json_object_get(full, "preferred_name"), "email",
	                         json_object_get(full, "email"), "phone",
	                         json_object_get(full, "phone"), "is_minor", p->is_minor);
	json_decref(full);
	*out = item;
	return 0;
}

/* An optional non-negative whole number in the query (digits only, no
 * sign, no trailing text) into *out; false when it is there but not one. */
static bool query_int(struct req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	if (!s)
		return true;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0 || errno == ERANGE || !isdigit((unsigned char)*s))
		return false;
	*out = v;
	return true;
}

void people_http_list(struct req *r)
{
	const char *field = NULL, *value = NULL;
	static const char *const searchable[] = {"email", "phone", "name"};
	for (size_t i = 0; i < 3; i++) {
		const char *q = req_query(r, searchable[i]);
		if (q) {
			if (field) {
				bad_field(r, 400, searchable[i],
				          "search by one of email, phone or name at a time");
				return;
			}
			field = searchable[i];
			value = q;
		}
	}
	int64_t ids[100];
	size_t n = 0;
	struct db_conn *c = req_db(r);
	int rc;
	if (field) {
		const char *norm =
		    strcmp(field, "email") == 0   ? util_normalise_email(r->arena, value)
		    : strcmp(field, "phone") == 0 ? people_normalise_phone(r->arena, value)
		                                  : people_normalise_name(r->arena, value);
		if (!*norm || strlen(norm) > 254) {
			bad_field(r, 400, field, "%s must not be empty", field);
			return;
		}
		rc = people__find_value(px(r), c, r->arena, field, value, ids, 20, &n);
	} else {
		int64_t a = 0, l = 50;
		if (!query_int(r, "after", &a)) {
			bad_field(r, 400, "after", "after must be a non-negative id");
			return;
		}
		if (!query_int(r, "limit", &l) || l < 1 || l > 100) {
			bad_field(r, 400, "limit", "limit must be a whole number from 1 to 100");
			return;
		}
		/* The list is of the caller's own organisations' people. */
		int64_t mine[16];
		bool all;
		size_t nmine = policy_orgs(&r->actor, ACT_PERSON_SEARCH, mine, 16, &all);
		rc = people__list_for_orgs(c, mine, nmine, a, (int)l, ids, &n);
	}
	if (rc) {
		http_error(r, rc, "people");
		return;
	}
	/* Each person shown is a read of their record: audited, and only those
	 * the actor may see. */
	json_t *items = json_array();
	rc = db_begin(c, true);
	for (size_t i = 0; i < n && !rc; i++) {
		struct person_row p;
		json_t *item = NULL;
		rc = people__get(px(r), c, r->arena, ids[i], &p);
		if (rc == -HEARTH_ENOTFOUND) {
			rc = 0; /* gone since the ids were read */
			continue;
		}
		if (rc || (rc = list_item(r, &p, &item)) != 0 || !item)
			continue;
		json_array_append_new(items, item);
		rc = req_audit(r, field ? "participant.search" : "participant.list",
		               people_edge_res(r, p.id), "success");
	}
	if (!people_edge_finish(r, rc, NULL, NULL, NULL, "people")) {
		json_decref(items);
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static bool same_email(struct req *r, const char *profile, const char *email)
{
	json_t *doc = json_loads(profile ? profile : "{}", 0, NULL);
	const char *old = json_string_value(json_object_get(doc, "email"));
	bool same =
	    old && email &&
	    strcmp(util_normalise_email(r->arena, old), util_normalise_email(r->arena, email)) == 0;
	json_decref(doc);
	return same || (!old && !email);
}

static const struct people_refusal *too_many_changes(struct req *r, int64_t retry)
{
	struct people_refusal *ref = arena_alloc(r->arena, sizeof *ref);
	memset(ref, 0, sizeof *ref);
	ref->status = 429;
	ref->field = "email";
	ref->retry = retry;
	ref->detail = arena_printf(
	    r->arena, "email: too many changes of email today; try again in %" PRId64 " seconds",
	    retry);
	return ref;
}

/* The merged, checked profile of an update and the values its indexes
 * need; the refusal (400) when a rule fails. */
struct profile_out {
	const char *text, *name, *email, *phone, *band;
	bool is_minor;
};

static const struct people_refusal *merged_profile(struct req *r, const struct person_row *p,
                                                   struct profile_out *o)
{
	const char *age_band;
	json_t *base = json_loads(p->profile ? p->profile : "{}", 0, NULL);
	json_t *doc = people_edge_profile_doc(r->body, base);
	json_decref(base);
	const struct people_refusal *ref =
	    people_edge_profile_rules(r, doc, &age_band, &o->is_minor);
	if (!ref) {
		o->text = people_edge_dumps(r, doc);
		o->name = arena_strdup(r->arena, json_string_value(json_object_get(doc, "name")));
		o->email = arena_strdup(r->arena, json_string_value(json_object_get(doc, "email")));
		o->phone = arena_strdup(r->arena, json_string_value(json_object_get(doc, "phone")));
		o->band = age_band ? arena_strdup(r->arena, age_band) : NULL;
	}
	json_decref(doc);
	return ref;
}

/* Shared by staff and self updates: merges body into the profile. */
static void update_person(struct req *r, int64_t id, bool self)
{
	static const struct people_refusal taken = {409, "email",
	                                            "another person is registered with this email"};
	struct field_value v[P_NOTES + 1];
	if (!req_body_fields(r, self ? &people_http_me_update_body : &people_http_update_body, v))
		return;
	if ((v[P_NAME].present || json_is_null(json_object_get(r->body, "name"))) &&
	    !v[P_NAME].present) {
		bad_field(r, 400, "name", "name cannot be removed");
		return;
	}
	if (json_is_null(json_object_get(r->body, "email"))) {
		bad_field(r, 400, "email", "email cannot be removed");
		return;
	}
	struct db_conn *c = req_db(r);
	struct person_row p = {0};
	struct profile_out o = {0};
	const struct people_refusal *ref = NULL;
	bool email_change = false;
	int64_t retry = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc && !self)
		rc = people__check(c, &r->actor, ACT_PERSON_UPDATE, &p, NULL);
	if (rc == -HEARTH_EDENIED)
		ref = refused(r, rc,
		              "only staff of this person's organisation may change the record");
	else if (!rc && p.erased)
		ref = &people_edge_gone;
	else if (!rc)
		ref = merged_profile(r, &p, &o);
	/* A participant may change their own email a few times a day: every
	 * change counts, whether the address turns out to be taken or not, so
	 * the answer cannot be used to test addresses one after another. */
	if (!rc && !ref) {
		email_change = self && !same_email(r, p.profile, o.email);
		if (email_change && (rc = people__email_change_hit(c, &r->app->kr, p.user_id,
		                                                   &retry)) == -HEARTH_ELOCKED)
			ref = too_many_changes(r, retry);
	}
	if (!rc && !ref)
		rc = people__update(px(r), c, r->arena, id, o.text, o.name, o.email, o.phone,
		                    o.band, o.is_minor);
	if (!rc && !ref && p.user_id) {
		/* Their login follows their email (stored as a keyed hash). */
		char login[80];
		auth_login_key(&r->app->kr, o.email, login);
		rc = auth_user_set_login(c, p.user_id, login);
	}
	if (rc == -HEARTH_ECONFLICT && self && email_change) {
		/* Another person's address: a participant gets the answer a free
		 * one gives (docs/security.md, "Whether an email is registered"),
		 * nothing of the change is kept, the change counts, and the owner
		 * of the address is told. */
		int64_t owner = 0;
		rc = people__email_change_refused(c, &r->app->kr, p.user_id, &retry);
		if (rc == -HEARTH_ELOCKED) {
			ref = too_many_changes(r, retry);
			rc = 0;
		} else if (!rc && (rc = db_begin(c, true)) == 0) {
			rc = people__address_owner_tell(px(r), c, r->arena, o.email, &owner);
		}
		if (!people_edge_finish(r, rc, ref, "self.participant.update",
		                        people_edge_res(r, id), "the person"))
			return;
		http_no_content(r);
		return;
	}
	if (rc == -HEARTH_ECONFLICT) {
		ref = &taken;
		/* The refused change counts too (its count rolls back with it). */
		if (email_change &&
		    (rc = people__email_change_refused(c, &r->app->kr, p.user_id, &retry)) != 0)
			ref = rc == -HEARTH_ELOCKED ? too_many_changes(r, retry) : NULL;
		if (ref)
			rc = 0;
	}
	if (!people_edge_finish(r, rc, ref, self ? "self.participant.update" : "participant.update",
	                        people_edge_res(r, id), "the person"))
		return;
	http_no_content(r);
}

void people_http_update(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	update_person(r, id, false);
}

void people_http_me_update(struct req *r)
{
	int64_t id = people_edge_my_id(r);
	if (id)
		update_person(r, id, true);
}

void people_http_erase(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	struct db_conn *c = req_db(r);
	int rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc)
		rc = people__check(c, &r->actor, ACT_PERSON_ERASE, &p, NULL);
	if (rc == -HEARTH_EDENIED) {
		http_problem(r, 403,
		             "only staff of this person's organisation may erase the record");
		return;
	}
	if (!rc)
		rc = people_erase(px(r), c, id, r->actor.user_id, r->request_id);
	if (rc == -HEARTH_ECONFLICT) {
		people_edge_finish(r, 0, &people_edge_gone, NULL, NULL, "the person");
		return;
	}
	if (rc) {
		http_error(r, rc, rc == -HEARTH_ENOTFOUND ? "the person" : "the erasure");
		return;
	}
	http_no_content(r);
}

void people_http_account_code(struct req *r)
{
	static const struct people_refusal has_login = {409, NULL,
	                                                "this person already has a login"};
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	char code[16];
	const struct people_refusal *ref = NULL;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc)
		rc = people__check(c, &r->actor, ACT_PERSON_UPDATE, &p, NULL);
	if (rc == -HEARTH_EDENIED)
		ref = refused(r, rc, "only staff of this person's organisation may do this");
	else if (!rc && p.erased)
		ref = &people_edge_gone;
	else if (!rc && p.user_id)
		ref = &has_login;
	else if (!rc)
		rc = people__code_create(c, id, r->actor.user_id, code);
	if (!people_edge_finish(r, rc, ref, "participant.account_code", people_edge_res(r, id),
	                        "the person"))
		return;
	http_json(r, 201, json_pack("{s:s, s:i}", "code", code, "valid_days", 14));
	sodium_memzero(code, sizeof code);
}
