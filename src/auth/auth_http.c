/*
 * HTTP edge of identity and access: login, logout, the current user, and the
 * admin endpoints for organisations, users, memberships and API tokens.
 * Input is validated by field tables; every write is audited in its own
 * transaction, so nothing is half-written.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/auth_http.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

static json_t *memberships_json(const struct actor *a)
{
	json_t *arr = json_array();
	for (int i = 0; i < a->nmemberships; i++) {
		const struct membership *m = &a->memberships[i];
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id",
		                                     (json_int_t)m->id, "organisation_id",
		                                     (json_int_t)m->organisation_id, "organisation",
		                                     m->organisation, "kind", m->kind, "role",
		                                     role_names[m->role]));
	}
	return arr;
}

static json_t *me_json(struct req *r, const struct actor *a, const char *session_token)
{
	/* A participant's login is a keyed hash of their email, not an email. */
	const char *email = a->email && strncmp(a->email, "pbi:", 4) == 0 ? NULL : a->email;
	json_t *user =
	    json_pack("{s:I, s:s?, s:s?, s:o}", "id", (json_int_t)a->user_id, "email", email,
	              "display_name", a->display_name, "memberships", memberships_json(a));
	json_t *o = json_pack("{s:o}", "user", user);
	if (session_token) {
		char csrf[65];
		auth_csrf_token(&r->app->kr, session_token, csrf);
		json_object_set_new(o, "csrf_token", json_string(csrf));
	}
	if (a->kind == AUTH_TOKEN)
		json_object_set_new(o, "token_id", json_integer(a->token_id));
	return o;
}

enum { F_LOGIN_EMAIL, F_LOGIN_PASSWORD };
static const struct field auth_http_login_fields[] = {
    [F_LOGIN_EMAIL] = {"email", FIELD_EMAIL, true, 0, 254, NULL},
    [F_LOGIN_PASSWORD] = {"password", FIELD_STRING, true, 1, 1024, NULL},
};
const struct field_table auth_http_login_body = FIELD_TABLE(auth_http_login_fields);

void auth_http_login(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_login_fields)];
	struct auth_login_result res;
	if (!req_body_fields(r, &auth_http_login_body, v))
		return;
	int rc = auth_login(r->app->db, &r->app->kr, r->app->limits, v[F_LOGIN_EMAIL].s,
	                    v[F_LOGIN_PASSWORD].s, r->client_addr, r->request_id,
	                    r->app->cfg.session_absolute, &res);
	/* The arena copy of the password is ours to wipe; the const is only the
	 * field table's promise to handlers. */
	sodium_memzero((void *)(uintptr_t)v[F_LOGIN_PASSWORD].s, strlen(v[F_LOGIN_PASSWORD].s));
	if (rc == -HEARTH_EAUTH) {
		http_problem(r, 401, "the email or password is not right");
		return;
	}
	if (rc == -HEARTH_ELOCKED) {
		http_add_header(r, "Retry-After: %" PRId64, res.retry_after);
		http_problem_ext(
		    r, 429, json_pack("{s:I}", "retry_after", (json_int_t)res.retry_after),
		    "too many failed attempts; try again in %" PRId64 " seconds", res.retry_after);
		return;
	}
	if (rc) {
		http_error(r, rc, "login");
		return;
	}
	struct actor a = {0};
	if ((rc = auth_actor_load(req_db(r), r->arena, &a, res.user_id)) != 0) {
		http_error(r, rc, "login");
		return;
	}
	a.kind = AUTH_SESSION;
	http_add_header(r,
	                "Set-Cookie: hearth_session=%s; Path=/; Max-Age=%" PRId64
	                "; HttpOnly; SameSite=Strict%s",
	                res.token, r->app->cfg.session_absolute,
	                r->app->cfg.secure_cookies ? "; Secure" : "");
	r->actor.user_id = res.user_id;
	http_json(r, 200, me_json(r, &a, res.token));
	sodium_memzero(res.token, sizeof res.token);
}

void auth_http_logout(struct req *r)
{
	if (r->actor.kind != AUTH_SESSION) {
		http_problem(r, 400,
		             "only a browser session can log out; revoke API tokens instead");
		return;
	}
	struct db_conn *c = req_db(r);
	char resource[40];
	snprintf(resource, sizeof resource, "user:%" PRId64, r->actor.user_id);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_session_delete(c, r->actor.session_id);
	if (!req_commit(r, rc, "auth.logout", resource, "logout"))
		return;
	http_add_header(
	    r, "Set-Cookie: hearth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
	    r->app->cfg.secure_cookies ? "; Secure" : "");
	http_no_content(r);
}

void auth_http_me(struct req *r)
{
	http_json(
	    r, 200,
	    me_json(r, &r->actor, r->actor.kind == AUTH_SESSION ? r->actor.session_token : NULL));
}

/* Whether anyone is signed in, answered 200 either way, so that a page
 * loaded by a visitor asks without a failed request (the browser logs a
 * 401 as an error): {"authenticated": false}, or true with what GET
 * /auth/me says. A stale cookie counts as nobody (it is cleared). */
void auth_http_session(struct req *r)
{
	if (r->actor.kind == AUTH_NONE) {
		http_json(r, 200, json_pack("{s:b}", "authenticated", 0));
		return;
	}
	json_t *o =
	    me_json(r, &r->actor, r->actor.kind == AUTH_SESSION ? r->actor.session_token : NULL);
	json_object_set_new(o, "authenticated", json_true());
	http_json(r, 200, o);
}

/* --- administration --- */

/* Answers a write that names a user or organisation that does not exist:
 * its transaction is rolled back (nothing was written) and the 400 names
 * the field. */
static void refuse_missing(struct req *r, const char *field)
{
	req_refuse(r, 400, field, "%s: no such %s", field,
	           strcmp(field, "user_id") == 0 ? "user" : "organisation");
}

void auth_http_admin_org_list(struct req *r)
{
	struct auth_org *v;
	size_t n;
	int rc = auth_org_list(req_db(r), r->arena, &v, &n);
	if (rc) {
		http_error(r, rc, "organisations");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *cc = v[i].country;
		json_array_append_new(
		    items, json_pack("{s:I, s:s, s:s, s:I, s:s?, s:b}", "id", (json_int_t)v[i].id,
		                     "name", v[i].name, "kind", v[i].kind, "created_at",
		                     (json_int_t)v[i].created_at, "country", cc, "crisis_lines",
		                     cc && help_country_has_lines(cc)));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Checks an organisation's country from a body: any assigned ISO 3166-1
 * alpha-2 code, normalised into out; "" (or absent) means none. Answers 400
 * naming the field and returns false when it is not a country code. */
static bool country_from_body(struct req *r, const struct field_value *v, char out[3])
{
	out[0] = '\0';
	if (!v->present || !*v->s)
		return true;
	if (help_country_normalise(v->s, out) != 0) {
		http_problem_ext(r, 400, json_pack("{s:s}", "field", "country"),
		                 "country: \"%.16s\" is not an ISO 3166-1 alpha-2 country code; "
		                 "use two letters such as GB, IE, US or ES",
		                 v->s);
		return false;
	}
	return true;
}

/* The organisation as the API shows it, with a warning a person can act on
 * when "Get help now" has no lines for its country. */
static json_t *org_json(int64_t id, const char *name, const char *kind, const char *country)
{
	bool lines = country && *country && help_country_has_lines(country);
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s?, s:b}", "id", (json_int_t)id, "name", name, "kind",
	              kind, "country", country && *country ? country : NULL, "crisis_lines", lines);
	if (country && *country && !lines)
		json_object_set_new(
		    o, "warning",
		    json_sprintf(
		        "Hearth has no crisis lines for %s yet, so \"Get help now\" will show "
		        "this organisation's people a country chooser and international "
		        "guidance. Add resources/crisis/%s.json (see its README) to list "
		        "that country's lines.",
		        country, country));
	return o;
}

enum { F_ORG_NAME, F_ORG_KIND, F_ORG_COUNTRY };
static const struct field auth_http_admin_org_create_fields[] = {
    [F_ORG_NAME] = {"name", FIELD_STRING, true, 2, 200, NULL},
    [F_ORG_KIND] = {"kind", FIELD_ENUM, true, 0, 0, org_kinds},
    [F_ORG_COUNTRY] = {"country", FIELD_STRING, false, 0, 16, NULL},
};
const struct field_table auth_http_admin_org_create_body =
    FIELD_TABLE(auth_http_admin_org_create_fields);

void auth_http_admin_org_create(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_org_create_fields)];
	char country[3];
	if (!req_body_fields(r, &auth_http_admin_org_create_body, v) ||
	    !country_from_body(r, &v[F_ORG_COUNTRY], country))
		return;
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	bool created = false;
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "organisation");
		return;
	}
	rc = auth_org_ensure(c, v[F_ORG_NAME].s, v[F_ORG_KIND].s, &id, &created);
	if (!rc && !created)
		rc = -HEARTH_ECONFLICT;
	if (!rc && *country)
		rc = auth_org_set_country(c, id, country);
	char *res = arena_printf(r->arena, "organisation:%" PRId64, id);
	if (!req_commit(r, rc, "organisation.create", res, "an organisation with this name"))
		return;
	http_json(r, 201, org_json(id, v[F_ORG_NAME].s, v[F_ORG_KIND].s, country));
}

enum { F_ORG_UPDATE_COUNTRY };
static const struct field auth_http_admin_org_update_fields[] = {
    [F_ORG_UPDATE_COUNTRY] = {"country", FIELD_STRING, true, 0, 16, NULL},
};
const struct field_table auth_http_admin_org_update_body =
    FIELD_TABLE(auth_http_admin_org_update_fields);

/* PATCH /organisations/{id}: sets the organisation's country, or clears it
 * with "" (then "Get help now" uses the deployment's default). */
void auth_http_admin_org_update(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_org_update_fields)];
	char country[3];
	int64_t id = req_param_id(r, "id");
	if (!req_body_fields(r, &auth_http_admin_org_update_body, v) ||
	    !country_from_body(r, &v[F_ORG_UPDATE_COUNTRY], country))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_org_set_country(c, id, country);
	if (!req_commit(r, rc, "organisation.update",
	                arena_printf(r->arena, "organisation:%" PRId64, id), "the organisation"))
		return;
	struct auth_org o;
	if (auth_org_get(c, r->arena, id, &o) != 0) {
		http_error(r, -HEARTH_EDB, "the organisation");
		return;
	}
	http_json(r, 200, org_json(id, o.name, o.kind, o.country));
}

void auth_http_admin_user_list(struct req *r)
{
	struct db_conn *c = req_db(r);
	const char *lim = req_query(r, "limit"), *off = req_query(r, "offset");
	char *end1 = NULL, *end2 = NULL;
	int64_t limit = lim ? strtoll(lim, &end1, 10) : 100,
	        offset = off ? strtoll(off, &end2, 10) : 0;
	if (limit < 1 || limit > 500 || (lim && (!*lim || *end1))) {
		http_field_problem(r, 400, "limit", "limit must be a whole number from 1 to 500");
		return;
	}
	if (offset < 0 || (off && (!*off || *end2))) {
		http_field_problem(r, 400, "offset", "offset must be a whole number, 0 or more");
		return;
	}
	struct auth_user_entry *v;
	size_t n;
	if (auth_user_list(c, r->arena, limit, offset, &v, &n) != 0) {
		http_error(r, -HEARTH_EDB, "users");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct user *u = &v[i].user;
		json_t *ms = json_array();
		for (int k = 0; k < v[i].nmemberships; k++) {
			const struct membership *m = &v[i].memberships[k];
			json_array_append_new(ms, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id",
			                                    (json_int_t)m->id, "organisation_id",
			                                    (json_int_t)m->organisation_id,
			                                    "organisation", m->organisation, "kind",
			                                    m->kind, "role", role_names[m->role]));
		}
		json_array_append_new(
		    items, json_pack("{s:I, s:s, s:s, s:b, s:I, s:o}", "id", (json_int_t)u->id,
		                     "email", u->email, "display_name", u->display_name, "disabled",
		                     (int)u->disabled, "created_at", (json_int_t)u->created_at,
		                     "memberships", ms));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

enum { F_USER_EMAIL, F_USER_DISPLAY_NAME, F_USER_PASSWORD };
static const struct field auth_http_admin_user_create_fields[] = {
    [F_USER_EMAIL] = {"email", FIELD_EMAIL, true, 0, 254, NULL},
    [F_USER_DISPLAY_NAME] = {"display_name", FIELD_STRING, true, 1, 200, NULL},
    [F_USER_PASSWORD] = {"password", FIELD_STRING, false, 12, 1024, NULL},
};
const struct field_table auth_http_admin_user_create_body =
    FIELD_TABLE(auth_http_admin_user_create_fields);

void auth_http_admin_user_create(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_user_create_fields)];
	char hash[128];
	if (!req_body_fields(r, &auth_http_admin_user_create_body, v))
		return;
	if (v[F_USER_PASSWORD].present) {
		int rc = auth_password_hash(r->app->limits, hash, v[F_USER_PASSWORD].s);
		if (rc) {
			http_error(r, rc, "password");
			return;
		}
	}
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_user_create(c, v[F_USER_EMAIL].s, v[F_USER_DISPLAY_NAME].s,
		                      v[F_USER_PASSWORD].present ? hash : NULL, &id);
	if (!req_commit(r, rc, "user.create", arena_printf(r->arena, "user:%" PRId64, id),
	                "a user with this email"))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "email", v[F_USER_EMAIL].s,
	                    "display_name", v[F_USER_DISPLAY_NAME].s));
}

enum { F_USER_UPDATE_DISPLAY_NAME, F_USER_UPDATE_DISABLED, F_USER_UPDATE_PASSWORD };
static const struct field auth_http_admin_user_update_fields[] = {
    [F_USER_UPDATE_DISPLAY_NAME] = {"display_name", FIELD_STRING, false, 1, 200, NULL},
    [F_USER_UPDATE_DISABLED] = {"disabled", FIELD_BOOL, false, 0, 0, NULL},
    [F_USER_UPDATE_PASSWORD] = {"password", FIELD_STRING, false, 12, 1024, NULL},
};
const struct field_table auth_http_admin_user_update_body =
    FIELD_TABLE(auth_http_admin_user_update_fields);

void auth_http_admin_user_update(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_user_update_fields)];
	char hash[128];
	int64_t id = req_param_id(r, "id");
	if (!req_body_fields(r, &auth_http_admin_user_update_body, v))
		return;
	const struct field_value *name = &v[F_USER_UPDATE_DISPLAY_NAME],
	                         *disabled = &v[F_USER_UPDATE_DISABLED],
	                         *password = &v[F_USER_UPDATE_PASSWORD];
	if (password->present && auth_password_hash(r->app->limits, hash, password->s) != 0) {
		http_error(r, -HEARTH_EOVERLOAD, "password");
		return;
	}
	struct auth_user_change ch = {
	    .display_name = name->present ? name->s : NULL,
	    .set_disabled = disabled->present,
	    .disabled = disabled->present && disabled->i,
	    .password_hash = password->present ? hash : NULL,
	};
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_user_update(c, id, &ch);
	if (!req_commit(r, rc, "user.update", arena_printf(r->arena, "user:%" PRId64, id),
	                "the user"))
		return;
	http_no_content(r);
}

static const char *const auth_http_admin_membership_create_roles[] = {
    "admin",     "coordinator", "facilitator", "clinician", "peer_supporter",
    "moderator", "funder",      "participant", NULL};
enum { F_MEMBERSHIP_USER_ID, F_MEMBERSHIP_ORGANISATION_ID, F_MEMBERSHIP_ROLE };
static const struct field auth_http_admin_membership_create_fields[] = {
    [F_MEMBERSHIP_USER_ID] = {"user_id", FIELD_INT, true, 1, INT64_MAX, NULL},
    [F_MEMBERSHIP_ORGANISATION_ID] = {"organisation_id", FIELD_INT, true, 1, INT64_MAX, NULL},
    [F_MEMBERSHIP_ROLE] = {"role", FIELD_ENUM, true, 0, 0, auth_http_admin_membership_create_roles},
};
const struct field_table auth_http_admin_membership_create_body =
    FIELD_TABLE(auth_http_admin_membership_create_fields);

void auth_http_admin_membership_create(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_membership_create_fields)];
	if (!req_body_fields(r, &auth_http_admin_membership_create_body, v))
		return;
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	const char *missing = NULL;
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_membership_create(
		    c, v[F_MEMBERSHIP_USER_ID].i, v[F_MEMBERSHIP_ORGANISATION_ID].i,
		    (enum role)auth_role_from_name(v[F_MEMBERSHIP_ROLE].s), &id, &missing);
	if (missing)
		refuse_missing(r, missing);
	else if (req_commit(r, rc, "membership.create",
	                    arena_printf(r->arena, "membership:%" PRId64, id), "this membership"))
		http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

void auth_http_admin_membership_delete(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_membership_delete(c, id);
	if (!req_commit(r, rc, "membership.delete",
	                arena_printf(r->arena, "membership:%" PRId64, id), "the membership"))
		return;
	http_no_content(r);
}

void auth_http_admin_token_list(struct req *r)
{
	struct auth_token_info *v;
	size_t n;
	int rc = auth_token_list(req_db(r), r->arena, &v, &n);
	if (rc) {
		http_error(r, rc, "tokens");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)v[i].id,
		                      "name", v[i].name, "role", v[i].role, "organisation_id",
		                      (json_int_t)v[i].organisation_id, "created_at",
		                      (json_int_t)v[i].created_at);
		json_object_set_new(t, "revoked_at",
		                    v[i].revoked ? json_integer(v[i].revoked_at) : json_null());
		json_array_append_new(items, t);
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const auth_http_admin_token_create_roles[] = {
    "admin",          "coordinator", "facilitator", "clinician",
    "peer_supporter", "moderator",   "funder",      NULL};
enum { F_TOKEN_NAME, F_TOKEN_ROLE, F_TOKEN_ORGANISATION_ID };
static const struct field auth_http_admin_token_create_fields[] = {
    [F_TOKEN_NAME] = {"name", FIELD_STRING, true, 1, 100, NULL},
    [F_TOKEN_ROLE] = {"role", FIELD_ENUM, true, 0, 0, auth_http_admin_token_create_roles},
    [F_TOKEN_ORGANISATION_ID] = {"organisation_id", FIELD_INT, true, 1, INT64_MAX, NULL},
};
const struct field_table auth_http_admin_token_create_body =
    FIELD_TABLE(auth_http_admin_token_create_fields);

void auth_http_admin_token_create(struct req *r)
{
	struct field_value v[NFIELDS(auth_http_admin_token_create_fields)];
	char secret[64];
	if (!req_body_fields(r, &auth_http_admin_token_create_body, v))
		return;
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	const char *missing = NULL;
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_token_issue(
		    c, v[F_TOKEN_NAME].s, (enum role)auth_role_from_name(v[F_TOKEN_ROLE].s),
		    v[F_TOKEN_ORGANISATION_ID].i, r->actor.user_id, secret, &id, &missing);
	if (missing)
		refuse_missing(r, missing);
	else if (req_commit(r, rc, "token.create", arena_printf(r->arena, "token:%" PRId64, id),
	                    "token"))
		http_json(r, 201,
		          json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name",
		                    v[F_TOKEN_NAME].s, "role", v[F_TOKEN_ROLE].s, "token", secret));
	sodium_memzero(secret, sizeof secret);
}

void auth_http_admin_token_revoke(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_token_revoke(c, id);
	if (!req_commit(r, rc, "token.revoke", arena_printf(r->arena, "token:%" PRId64, id),
	                "the token"))
		return;
	http_no_content(r);
}
