/*
 * The OpenAPI 3.1 document, generated from the route table so it cannot
 * drift from what the server serves. Request schemas are summarised; the
 * field tables in each *_http.c are the detailed contract.
 */
#include <string.h>

#include "auth/auth.h"
#include "http/http.h"
#include "core/banned.h"

static json_t *problem_ref(const char *desc)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", desc, "content",
	                 "application/problem+json", "schema", "$ref",
	                 "#/components/schemas/Problem");
}

static char *lower_method(const char *m, char out[8])
{
	size_t i = 0;
	for (; m[i] && i < 7; i++)
		out[i] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] + 32 : m[i]);
	out[i] = '\0';
	return out;
}

json_t *openapi_document(void)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *rt = &routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, rt->pattern, item);
		}
		json_t *op = json_object();
		json_object_set_new(op, "summary", json_string(rt->summary));
		json_object_set_new(op, "tags", json_pack("[s]", rt->tag));
		json_object_set_new(op, "x-hearth-action", json_string(action_names[rt->action]));
		json_t *params = json_array();
		for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
			const char *e = strchr(p, '}');
			if (!e)
				break;
			json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name",
			                                        p + 1, (size_t)(e - p - 1), "in",
			                                        "path", "required", 1, "schema",
			                                        "type", "integer"));
		}
		if (json_array_size(params))
			json_object_set_new(op, "parameters", params);
		else
			json_decref(params);
		if (rt->flags & ROUTE_BODY)
			json_object_set_new(op, "requestBody",
			                    json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1,
			                              "content", "application/json", "schema",
			                              "type", "object"));
		json_t *resp = json_object();
		json_object_set_new(resp, "200", json_pack("{s:s}", "description", "Success"));
		json_object_set_new(resp, "400",
		                    problem_ref("Invalid input; detail names the field"));
		if (!(rt->flags & ROUTE_PUBLIC)) {
			json_object_set_new(resp, "401", problem_ref("Not logged in"));
			json_object_set_new(resp, "403",
			                    problem_ref("Not allowed, or CSRF token missing"));
		}
		json_object_set_new(op, "responses", resp);
		if (rt->flags & ROUTE_PUBLIC)
			json_object_set_new(op, "security", json_array());
		char m[8];
		json_object_set_new(item, lower_method(rt->method, m), op);
	}
	json_t *doc = json_pack(
	    "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, "
	    "s:{s:s}, s:{s:s}}}}, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
	    "openapi", "3.1.0", "info", "title", "Hearth API", "version", HEARTH_VERSION,
	    "description",
	    "Community arts and mental-health programmes. Errors are RFC 9457 problem+json.",
	    "servers", "url", "/", "paths", paths, "components", "schemas", "Problem", "type",
	    "object", "properties", "type", "type", "string", "title", "type", "string", "status",
	    "type", "integer", "detail", "type", "string", "request_id", "type", "string",
	    "securitySchemes", "cookie", "type", "apiKey", "in", "cookie", "name", "hearth_session",
	    "bearer", "type", "http", "scheme", "bearer", "security", "cookie", "bearer");
	return doc;
}
