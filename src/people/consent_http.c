/*
 * HTTP edge of the people module, consent: the history and recording on a
 * person's behalf (staff), the consent texts, and the person's own consents.
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

void people_http_consents(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	/* Consent history is not part of any shared category: only the
	 * person's own organisation sees it. */
	if (!people_edge_load_person(r, id, &p, NULL, "consent.read"))
		return;
	struct consent_row *rows;
	size_t n;
	int rc = people__consents(px(r), req_db(r), r->arena, id, &rows, &n);
	if (rc) {
		http_error(r, rc, "consents");
		return;
	}
	http_json(r, 200,
	          json_pack("{s:o, s:o}", "current", people__consent_state(rows, n), "history",
	                    people__consent_history(rows, n)));
}

void people_http_consent_record(struct req *r)
{
	struct field_value v[C__MAX];
	int64_t id = req_param_id(r, "id");
	const char *bad = NULL;
	char err[400] = "";
	if (!req_body_fields(r, &people_http_consent_record_body, v))
		return;
	struct consent_in in = {
	    .purpose = (enum consent_purpose)people_purpose_from_name(v[C_PURPOSE].s),
	    .granted = v[C_GRANTED].i != 0,
	    .given_by = v[C_GIVEN_BY].present ? v[C_GIVEN_BY].s : "staff",
	    .method = v[C_METHOD].present ? v[C_METHOD].s : "paper",
	    .guardian_name = v[C_GUARDIAN].s,
	    .version = v[C_VERSION].i,
	    .lang = v[C_LANG].present ? v[C_LANG].s : "en",
	    .recorded_by = r->actor.user_id,
	};
	struct db_conn *c = req_db(r);
	struct person_row p;
	const struct people_refusal *ref = NULL;
	int64_t cid = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc)
		rc = people__check(c, &r->actor, ACT_CONSENT_RECORD, &p, NULL);
	if (rc == -HEARTH_EDENIED)
		ref = people_edge_refuse(
		    r, 403, NULL,
		    "only staff of this person's organisation may record their consent");
	else if (!rc)
		rc = people__consent_record(px(r), c, r->arena, id, &in, &cid, &bad, err,
		                            sizeof err);
	if (rc && !ref)
		ref = people_edge_refusal(r, rc, bad, err);
	if (!people_edge_finish(r, rc, ref, in.granted ? "consent.grant" : "consent.withdraw",
	                        people_edge_res(r, id), "the consent"))
		return;
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)cid));
}

void people_http_consent_texts(struct req *r)
{
	const char *lang = req_query(r, "lang");
	if (!lang)
		lang = "en";
	if (strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0) {
		bad_field(r, 400, "lang", "lang must be en or es");
		return;
	}
	json_t *items = json_array();
	for (int p = 0; p < PURPOSE__MAX; p++) {
		int64_t version;
		const char *body;
		if (people__consent_text(req_db(r), r->arena, purpose_names[p], 0, lang, &version,
		                         &body) == 0)
			json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s}", "purpose",
			                                       purpose_names[p], "version",
			                                       (json_int_t)version, "lang", lang,
			                                       "text", body));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void people_http_me_consents(struct req *r)
{
	int64_t id = people_edge_my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	if (!id || !people_edge_load_self(r, id, &p, &rows, &n, "self.consent.read"))
		return;
	http_json(r, 200,
	          json_pack("{s:o, s:o, s:b}", "current", people__consent_state(rows, n), "history",
	                    people__consent_history(rows, n), "is_minor", p.is_minor));
}

enum { MC_PURPOSE, MC_GRANTED, MC_VERSION, MC_LANG };
static const struct field people_http_me_consent_fields[] = {
    {"purpose", FIELD_ENUM, true, 0, 0, purpose_names},
    {"granted", FIELD_BOOL, true},
    {"text_version", FIELD_INT, false, 1, 1000},
    {"lang", FIELD_ENUM, false, 0, 0, people_edge_langs},
};
const struct field_table people_http_me_consent_body = FIELD_TABLE(people_http_me_consent_fields);

void people_http_me_consent(struct req *r)
{
	struct field_value v[NFIELDS(people_http_me_consent_fields)];
	const char *bad = NULL;
	char err[400] = "";
	int64_t id, cid = 0;
	if (!req_body_fields(r, &people_http_me_consent_body, v) || !(id = people_edge_my_id(r)))
		return;
	struct consent_in in = {
	    .purpose = (enum consent_purpose)people_purpose_from_name(v[MC_PURPOSE].s),
	    .granted = v[MC_GRANTED].i != 0,
	    .given_by = "self",
	    .method = "online",
	    .version = v[MC_VERSION].i,
	    .lang = v[MC_LANG].present ? v[MC_LANG].s : "en",
	    .recorded_by = r->actor.user_id,
	};
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__consent_record(px(r), c, r->arena, id, &in, &cid, &bad, err,
		                            sizeof err);
	if (!people_edge_finish(r, rc, rc ? people_edge_refusal(r, rc, bad, err) : NULL,
	                        in.granted ? "self.consent.grant" : "self.consent.withdraw",
	                        people_edge_res(r, id), "your consent"))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:s, s:b}", "id", (json_int_t)cid, "purpose", v[MC_PURPOSE].s,
	                    "granted", in.granted));
}
