/* Handlers that belong to no module: health, OpenAPI, metrics, help. */
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

/* How long the health check waits for the database's answer. Load
 * balancers give a check a few seconds (Kubernetes: 1 s by default), so it
 * is short; making a new connection can take up to --db-connect-timeout. */
#define HEALTH_TIMEOUT_MS 2000

/* Health for a load balancer: 200 only when the database answers a small
 * query, on a connection of its own (never waiting for a busy pool), with
 * the answer kept for a second (db_pool_ping). Otherwise 503 with
 * Retry-After, naming what failed in "checks". */
void core_health(struct req *r)
{
	const char *kind = db_pool_kind_name(r->app->db);
	int rc = db_pool_ping(r->app->db, HEALTH_TIMEOUT_MS);
	if (rc == 0) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "status", "ok", "version", HEARTH_VERSION,
		                      "db", kind);
		http_json(r, 200, o);
		return;
	}
	const char *why =
	    rc == -HEARTH_EUNAVAILABLE
	        ? "cannot be reached or did not answer in time"
	        : (rc == -HEARTH_EBUSY ? "is too busy to answer" : "answered with an error");
	http_add_header(r, "Retry-After: 5");
	http_problem_ext(r, 503,
	                 json_pack("{s:s, s:s, s:{s:s}}", "version", HEARTH_VERSION, "db", kind,
	                           "checks", "database", "failing"),
	                 "the database (%s) %s", kind, why);
}

void core_openapi(struct req *r)
{
	http_json(r, 200, openapi_document());
}

void core_metrics(struct req *r)
{
	struct buf b = BUF_INIT;
	metrics_render(&b);
	http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	buf_release(&b);
}

/* "Get help now". The organisation's country is that of the logged-in
 * user's (or token's) organisation, read per request (an admin's change
 * shows at once on every node); the deployment's was read at start, so an
 * anonymous visitor's page needs no database at all. The page must never
 * fail: a database error only loses the organisation's hint. */
void core_help(struct req *r)
{
	struct buf b = BUF_INIT;
	char org_country[3] = "";
	if (r->actor.kind != AUTH_NONE && r->actor.organisation_id &&
	    auth_org_country(req_db(r), r->actor.organisation_id, org_country) != 0)
		org_country[0] = '\0';
	struct help_request hr = {
	    .country = req_query(r, "country"),
	    .org_country = org_country,
	    .default_country = r->app->cfg.default_country,
	    .lang = req_query(r, "lang"),
	    .accept_language = req_header(r, "Accept-Language"),
	};
	help_render(&b, &hr);
	http_send(r, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_release(&b);
}
