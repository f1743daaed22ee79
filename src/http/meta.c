/*
 * GET /api/v1/meta: the policy table read per role, the caller's actions in
 * each of their organisations, and every value list the server validates
 * with. The web UI loads it once at start and after login, and takes its
 * role checks and its select, checkbox and radio options from it instead of
 * keeping copies (web/lib/meta.js). Nothing here is personal data: the
 * caller's own memberships are already theirs through /auth/me.
 */
#include <stdint.h>

#include <jansson.h>

#include "auth/auth.h"
#include "http/http.h"
#include "http/meta.h"
#include "people/people.h"
#include "programs/programs.h"
#include "core/banned.h"

/* Lists that belong to no single module's field tables: the roles and
 * organisation kinds of auth, consent purposes and shared categories of
 * people, and the programmes' own vocabulary (programs.c). */
static const struct meta_enum core_enums[] = {
    {"roles", role_names},
    {"organisation_kinds", org_kinds},
    {"consent_purposes", purpose_names},
    {"share_categories", share_names},
    {"art_forms", art_form_names},
    {"programme_languages", programme_languages},
    {"venue_features", venue_feature_names},
    {NULL, NULL},
};

static const struct meta_enum *const enum_tables[] = {
    core_enums,           people_http_enums,      programs_http_enums,
    listening_http_enums, taking_part_http_enums,
};

static json_t *strings_json(const char *const *values)
{
	json_t *arr = json_array();
	for (size_t i = 0; values[i]; i++)
		json_array_append_new(arr, json_string(values[i]));
	return arr;
}

/* The actions a holder of any of the roles in mask may perform, in the
 * order of enum action. */
static json_t *actions_json(uint32_t mask)
{
	json_t *arr = json_array();
	for (int act = 0; act < ACT__MAX; act++)
		if (policy_roles((enum action)act) & mask)
			json_array_append_new(arr, json_string(action_names[act]));
	return arr;
}

/* Every role, with what the policy lets it do. */
static json_t *roles_json(void)
{
	json_t *o = json_object();
	for (int role = 0; role < ROLE__MAX; role++)
		json_object_set_new(o, role_names[role], actions_json(1u << role));
	return o;
}

/* The caller's organisations in the order of their memberships, each with
 * the roles held there, the actions those roles allow and its country (an
 * ISO 3166-1 code or null: the UI's date and time formats follow it). */
static json_t *organisations_json(struct req *r, const struct actor *a)
{
	json_t *arr = json_array();
	for (int i = 0; i < a->nmemberships; i++) {
		const struct membership *m = &a->memberships[i];
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen = seen || a->memberships[j].organisation_id == m->organisation_id;
		if (seen)
			continue;
		uint32_t mask = 0;
		json_t *roles = json_array();
		for (int j = i; j < a->nmemberships; j++) {
			const struct membership *n = &a->memberships[j];
			if (n->organisation_id != m->organisation_id || (mask & (1u << n->role)))
				continue;
			mask |= 1u << n->role;
			json_array_append_new(roles, json_string(role_names[n->role]));
		}
		char country[3] = "";
		if (auth_org_country(req_db(r), m->organisation_id, country) != 0)
			country[0] = '\0';
		json_array_append_new(arr, json_pack("{s:I, s:s?, s:s?, s:o, s:o, s:s?}", "id",
		                                     (json_int_t)m->organisation_id, "name",
		                                     m->organisation, "kind", m->kind, "roles",
		                                     roles, "actions", actions_json(mask),
		                                     "country", country[0] ? country : NULL));
	}
	return arr;
}

static json_t *enums_json(void)
{
	json_t *o = json_object();
	for (size_t t = 0; t < sizeof enum_tables / sizeof enum_tables[0]; t++)
		for (const struct meta_enum *e = enum_tables[t]; e->name; e++)
			json_object_set_new(o, e->name, strings_json(e->values));
	return o;
}

void meta_http_get(struct req *r)
{
	const struct actor *a = &r->actor;
	/* Admin rights are platform-wide (policy.c): an admin of one
	 * organisation acts in every one, but for people's records only in
	 * their own (scope "member"). */
	bool admin = a->kind != AUTH_NONE && (a->roles & (1u << ROLE_ADMIN));
	json_t *everywhere = json_array();
	for (int act = 0; admin && act < ACT__MAX; act++)
		if (policy_everywhere((enum action)act))
			json_array_append_new(everywhere, json_string(action_names[act]));
	json_t *scopes = json_object();
	for (int act = 0; act < ACT__MAX; act++)
		json_object_set_new(scopes, action_names[act],
		                    json_string(scope_names[policy_scope((enum action)act)]));
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "roles", roles_json(), "scopes", scopes,
	                      "organisations", organisations_json(r, a), "everywhere", everywhere,
	                      "enums", enums_json());
	http_json(r, 200, o);
}
