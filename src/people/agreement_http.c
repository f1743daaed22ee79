/*
 * HTTP edge of the people module, data-sharing agreements between
 * organisations.
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

/* --- data-sharing agreements --- */

static void add_agreement(const struct agreement_row *row, void *ctx)
{
	char st[32], en[32];
	util_iso8601(st, sizeof st, row->starts_at);
	util_iso8601(en, sizeof en, row->ends_at);
	json_t *cats = json_array();
	const char *p = row->categories;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		json_array_append_new(cats, json_stringn(p, len));
		p = e ? e + 1 : NULL;
	}
	json_t *o =
	    json_pack("{s:I, s:I, s:I, s:o, s:s, s:s}", "id", (json_int_t)row->id,
	              "from_organisation_id", (json_int_t)row->from_org, "to_organisation_id",
	              (json_int_t)row->to_org, "categories", cats, "starts_on", st, "ends_on", en);
	json_object_set_new(o, "revoked", json_boolean(row->revoked_at != 0));
	json_array_append_new(ctx, o);
}

void people_http_agreement_list(struct req *r)
{
	json_t *items = json_array();
	/* The agreements of every organisation where the caller holds a role
	 * (an admin's: all of them). */
	int64_t mine[16];
	bool admin;
	size_t nmine = policy_orgs(&r->actor, ACT_ORG_SEE, mine, 16, &admin);
	int rc = 0;
	if (admin)
		rc = people__agreement_list(req_db(r), 0, add_agreement, items);
	for (size_t i = 0; !admin && i < nmine && !rc; i++)
		rc = people__agreement_list(req_db(r), mine[i], add_agreement, items);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "agreements");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

enum { A_FROM, A_TO, A_CATEGORIES, A_STARTS, A_ENDS, A__MAX };
static const struct field people_http_agreement_create_fields[] = {
    {"from_organisation_id", FIELD_INT, true, 1},
    {"to_organisation_id", FIELD_INT, true, 1},
    {"categories", FIELD_STRINGS, true, 1, 40, share_names, NULL, 0, SHARE__MAX},
    {"starts_on", FIELD_DATE, true},
    {"ends_on", FIELD_DATE, true},
};
const struct field_table people_http_agreement_create_body =
    FIELD_TABLE(people_http_agreement_create_fields);

void people_http_agreement_create(struct req *r)
{
	struct field_value v[A__MAX];
	if (!req_body_fields(r, &people_http_agreement_create_body, v))
		return;
	if (v[A_FROM].i == v[A_TO].i) {
		bad_field(r, 400, "to_organisation_id",
		          "an agreement is between two different organisations");
		return;
	}
	if (v[A_ENDS].i <= v[A_STARTS].i) {
		bad_field(r, 400, "ends_on", "ends_on must be after starts_on");
		return;
	}
	if (!json_array_size(v[A_CATEGORIES].j)) {
		bad_field(r, 400, "categories", "categories must name at least one category");
		return;
	}
	/* Another organisation's, or none: the same answer. */
	if (policy_check(&r->actor, ACT_AGREEMENT_MANAGE, v[A_FROM].i, false) != 0) {
		bad_field(r, 403, "from_organisation_id",
		          "only the organisation that shares the data can make the agreement");
		return;
	}
	struct buf cats = BUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(v[A_CATEGORIES].j, i, x)
	{
		if (i)
			buf_puts(&cats, ",");
		buf_puts(&cats, json_string_value(x));
	}
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__agreement_create(c, v[A_FROM].i, v[A_TO].i, cats.data, v[A_STARTS].i,
		                              v[A_ENDS].i + 86400, r->actor.user_id, &id);
	buf_release(&cats);
	static const struct people_refusal no_org = {400, "to_organisation_id",
	                                             "both organisations must exist"};
	if (!people_edge_finish(r, rc == -HEARTH_ECONFLICT ? 0 : rc,
	                        rc == -HEARTH_ECONFLICT ? &no_org : NULL, "agreement.create",
	                        arena_printf(r->arena, "agreement:%" PRId64, id), "the agreement"))
		return;
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

void people_http_agreement_revoke(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct agreement_row row;
	struct db_conn *c = req_db(r);
	int rc = people__agreement_get(c, id, &row);
	if (rc) {
		http_error(r, rc, "the agreement");
		return;
	}
	/* Either side may end it; one who holds no role on either side cannot
	 * know it exists (404, as a missing id). */
	int from = policy_check(&r->actor, ACT_AGREEMENT_MANAGE, row.from_org, false);
	int to = policy_check(&r->actor, ACT_AGREEMENT_MANAGE, row.to_org, false);
	rc = !from || !to                                       ? 0
	     : from == -HEARTH_EDENIED || to == -HEARTH_EDENIED ? -HEARTH_EDENIED
	                                                        : from;
	if (rc == -HEARTH_EDENIED) {
		http_problem(r, 403, "only the two organisations of this agreement may end it");
		return;
	}
	if (rc) {
		http_error(r, rc, "the agreement");
		return;
	}
	rc = db_begin(c, true);
	if (!rc)
		rc = people__agreement_revoke(c, id);
	if (!people_edge_finish(r, rc, NULL, "agreement.revoke",
	                        arena_printf(r->arena, "agreement:%" PRId64, id), "the agreement"))
		return;
	http_no_content(r);
}
