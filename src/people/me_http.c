/*
 * HTTP edge of the people module, the person's own page: their record,
 * corrections, and asking to be erased. Consents: consent_http.c; the
 * export: export_http.c.
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

void people_http_me(struct req *r)
{
	int64_t id = people_edge_my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	if (!id || !people_edge_load_self(r, id, &p, &rows, &n, "self.participant.read"))
		return;
	/* Where their erasure request stands: pending, or why it was refused. */
	json_t *erasure;
	int rc = people_edge_erasure_json(r, id, false, &erasure);
	if (rc) {
		http_error(r, rc, "the erasure request");
		return;
	}
	json_t *o = people__person_json(&p, rows, n, false);
	json_object_set_new(o, "erasure_request", erasure);
	http_json(r, 200, o);
}

void people_http_me_erasure(struct req *r)
{
	int64_t id = people_edge_my_id(r), request_id = 0;
	bool automatic = false;
	if (!id)
		return;
	struct db_conn *c = req_db(r);
	int rc = people__erasure_ask(c, id, &request_id, &automatic);
	if (!people_edge_finish(r, rc, NULL, "self.erasure.request", people_edge_res(r, id),
	                        "your request"))
		return;
	if (automatic) {
		rc = people_erase(px(r), c, id, r->actor.user_id, r->request_id);
		if (rc) {
			http_error(r, rc, "the erasure");
			return;
		}
		http_json(r, 200, json_pack("{s:s}", "status", "erased"));
		return;
	}
	http_json(
	    r, 202,
	    json_pack("{s:s, s:I}", "status", "pending", "request_id", (json_int_t)request_id));
}
