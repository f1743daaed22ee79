/* Handlers that belong to no module: health, OpenAPI, metrics, help. */
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

void core_health(struct req *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "status", "ok", "version", HEARTH_VERSION, "db",
	                      db_pool_kind_name(r->app->db));
	http_json(r, 200, o);
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

void core_help(struct req *r)
{
	struct buf b = BUF_INIT;
	help_render(&b, req_query(r, "country"), req_query(r, "lang"),
	            req_header(r, "Accept-Language"));
	http_send(r, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_release(&b);
}
