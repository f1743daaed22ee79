/*
 * HTTP edge of the one-time account links (links.c): staff inviting a
 * participant by email, the invitation's page setting a password, and a
 * forgotten password (asking for a link, then using it). Asking for a reset
 * link answers the same, in about the same time, whether an account uses
 * the address or not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "db/db.h"
#include "http/http.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "core/banned.h"

/* Asks for reset links: per client address per hour (429 beyond), and per
 * address asked about per hour (beyond: the same answer, nothing sent, so a
 * mailbox cannot be flooded and nothing tells the two apart). */
#define RESETS_PER_ADDR_HOUR  20
#define RESETS_PER_EMAIL_HOUR 5

static const struct people_refusal bad_link = {
    400, "token",
    "token: this link is not valid, was already used or has expired; ask for a new one"};

static void wipe(const char *s)
{
	/* The arena copy is ours to wipe; the const is the field table's. */
	sodium_memzero((void *)(uintptr_t)s, strlen(s));
}

void people_http_invite(struct req *r)
{
	static const struct people_refusal has_login = {409, "id",
	                                                "this person already has a login"};
	static const struct people_refusal no_email = {
	    400, "email",
	    "email: this person's record has no email; add one, or give them an account code"};
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	bool missing = false;
	const struct people_refusal *ref = NULL;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc)
		rc = people__check(c, &r->actor, ACT_PERSON_UPDATE, &p, NULL);
	if (rc == -HEARTH_EDENIED)
		ref = people_edge_refuse(r, 403, NULL,
		                         "only staff of this person's organisation may do this");
	else if (!rc && p.erased)
		ref = &people_edge_gone;
	else if (!rc && p.user_id)
		ref = &has_login;
	else if (!rc)
		rc = people__invite(px(r), c, r->arena, id, p.norgs ? p.org_ids[0] : 0, &missing);
	if (!rc && !ref && missing)
		ref = &no_email;
	if (!people_edge_finish(r, rc, ref, "participant.invite", people_edge_res(r, id),
	                        "the person"))
		return;
	http_json(
	    r, 202,
	    json_pack("{s:s, s:i}", "status", "sent", "valid_days", PEOPLE_INVITE_SECONDS / 86400));
}

enum { LK_TOKEN, LK_PASSWORD };
static const struct field people_http_link_fields[] = {
    [LK_TOKEN] = {"token", FIELD_STRING, true, 1, 200},
    [LK_PASSWORD] = {"password", FIELD_STRING, true, 12, 1024},
};
const struct field_table people_http_invite_accept_body = FIELD_TABLE(people_http_link_fields);
const struct field_table people_http_reset_complete_body = FIELD_TABLE(people_http_link_fields);

void people_http_invite_accept(struct req *r)
{
	static const struct people_refusal has_login = {
	    409, "token", "token: this person already has a login; log in, or reset the password"};
	struct field_value v[NFIELDS(people_http_link_fields)];
	const struct people_refusal *ref = NULL;
	char hash[128];
	int64_t pid = 0, uid = 0;
	if (!req_body_fields(r, &people_http_invite_accept_body, v))
		return;
	int rc = auth_password_hash(r->app->limits, hash, v[LK_PASSWORD].s);
	wipe(v[LK_PASSWORD].s);
	if (rc) {
		http_error(r, rc, "password");
		return;
	}
	struct db_conn *c = req_db(r);
	rc = db_begin(c, true);
	if (!rc)
		rc = people__invite_accept(px(r), c, r->arena, v[LK_TOKEN].s, hash, &pid, &uid);
	sodium_memzero(hash, sizeof hash);
	if (rc == -HEARTH_ENOTFOUND)
		ref = &bad_link;
	else if (rc == -HEARTH_ECONFLICT || rc == -HEARTH_EINVAL)
		ref = &has_login;
	if (!people_edge_finish(r, rc, ref, "participant.account_create", people_edge_res(r, pid),
	                        "the login"))
		return;
	http_json(r, 201, json_pack("{s:I}", "user_id", (json_int_t)uid));
}

enum { RS_EMAIL };
static const struct field people_http_reset_fields[] = {
    [RS_EMAIL] = {"email", FIELD_EMAIL, true, 3, 254},
};
const struct field_table people_http_reset_body = FIELD_TABLE(people_http_reset_fields);

void people_http_password_reset(struct req *r)
{
	struct field_value v[NFIELDS(people_http_reset_fields)];
	int64_t retry = 0, uid = 0;
	if (!req_body_fields(r, &people_http_reset_body, v))
		return;
	struct db_conn *c = req_db(r);
	int rc = people__count_attempt(c, &r->app->kr, "reset", r->client_addr,
	                               RESETS_PER_ADDR_HOUR, &retry);
	if (rc == -HEARTH_ELOCKED) {
		http_add_header(r, "Retry-After: %" PRId64, retry);
		http_problem_ext(r, 429, json_pack("{s:I}", "retry_after", (json_int_t)retry),
		                 "too many requests from here; try again in %" PRId64 " seconds",
		                 retry);
		return;
	}
	bool quiet = false;
	if (!rc) {
		rc = people__count_attempt(c, &r->app->kr, "reset-to", v[RS_EMAIL].s,
		                           RESETS_PER_EMAIL_HOUR, &retry);
		quiet = rc == -HEARTH_ELOCKED;
		if (quiet)
			rc = 0;
	}
	if (!rc)
		rc = db_begin(c, true);
	if (!rc && !quiet)
		rc = people__reset_request(px(r), c, r->arena, v[RS_EMAIL].s, &uid);
	char res[40];
	snprintf(res, sizeof res, "user:%" PRId64, uid);
	if (!people_edge_finish(r, rc, NULL, uid ? "auth.password_reset_request" : NULL,
	                        uid ? res : NULL, "the request"))
		return;
	/* The same answer whether an account uses the address or not. */
	http_json(r, 202, json_pack("{s:s}", "status", "check_email"));
}

void people_http_password_reset_complete(struct req *r)
{
	struct field_value v[NFIELDS(people_http_link_fields)];
	const struct people_refusal *ref = NULL;
	char hash[128];
	int64_t uid = 0;
	if (!req_body_fields(r, &people_http_reset_complete_body, v))
		return;
	int rc = auth_password_hash(r->app->limits, hash, v[LK_PASSWORD].s);
	wipe(v[LK_PASSWORD].s);
	if (rc) {
		http_error(r, rc, "password");
		return;
	}
	struct db_conn *c = req_db(r);
	rc = db_begin(c, true);
	if (!rc)
		rc = people__reset_complete(px(r), c, v[LK_TOKEN].s, hash, &uid);
	sodium_memzero(hash, sizeof hash);
	if (rc == -HEARTH_ENOTFOUND)
		ref = &bad_link;
	char res[40];
	snprintf(res, sizeof res, "user:%" PRId64, uid);
	if (!people_edge_finish(r, rc, ref, "auth.password_reset", res, "the password"))
		return;
	http_no_content(r);
}
