/*
 * The OpenAPI 3.1 document, generated from the route table so it cannot
 * drift from what the server serves. Request schemas are generated from the
 * field tables the handlers validate bodies with (struct route .body), so the
 * document states the same types, limits, choices and required fields the
 * server enforces; success answers come from openapi_schemas.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "http/http.h"
#include "http/openapi_schemas.h"
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

static json_t *choices_array(const char *const *choices)
{
	json_t *a = json_array();
	for (const char *const *c = choices; *c; c++)
		json_array_append_new(a, json_string(*c));
	return a;
}

static json_t *object_schema(const struct field *f, size_t n);

/* The JSON Schema of one field, with the limits json_fields_parse applies
 * (core/json.c): its defaults too, so the document names every bound. */
static json_t *field_schema(const struct field *f)
{
	json_t *s = json_object();
	switch (f->type) {
	case FIELD_STRING:
		json_object_set_new(s, "type", json_string("string"));
		if (f->min)
			json_object_set_new(s, "minLength", json_integer(f->min));
		json_object_set_new(s, "maxLength", json_integer(f->max ? f->max : 1000));
		json_object_set_new(s, "description",
		                    json_string("Surrounding white space is not counted and "
		                                "not kept; lengths are counted in UTF-8 bytes."));
		break;
	case FIELD_EMAIL:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("email"));
		if (f->max)
			json_object_set_new(s, "maxLength", json_integer(f->max));
		break;
	case FIELD_INT:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "minimum", json_integer(f->min));
		if (f->max)
			json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case FIELD_BOOL: json_object_set_new(s, "type", json_string("boolean")); break;
	case FIELD_ENUM:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "enum", choices_array(f->choices));
		break;
	case FIELD_TIME:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date-time"));
		json_object_set_new(s, "description",
		                    json_string("UTC, like 2026-01-31T09:00:00Z, in the years "
		                                "1900 to 2199"));
		break;
	case FIELD_DATE:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date"));
		json_object_set_new(s, "description", json_string("From 1900-01-01 to 2199-12-31"));
		break;
	case FIELD_STRINGS: {
		json_t *item = json_pack("{s:s, s:I, s:I}", "type", "string", "minLength",
		                         (json_int_t)(f->min ? f->min : 1), "maxLength",
		                         (json_int_t)(f->max ? f->max : 200));
		if (f->choices)
			json_object_set_new(item, "enum", choices_array(f->choices));
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", item);
		json_object_set_new(s, "maxItems",
		                    json_integer((json_int_t)(f->max_items ? f->max_items : 50)));
		break;
	}
	case FIELD_OBJECT:
		json_decref(s);
		s = object_schema(f->sub, f->nsub);
		break;
	case FIELD_OBJECTS:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", object_schema(f->sub, f->nsub));
		json_object_set_new(s, "maxItems",
		                    json_integer((json_int_t)(f->max_items ? f->max_items : 50)));
		break;
	case FIELD_INTS: {
		json_t *item =
		    json_pack("{s:s, s:I}", "type", "integer", "minimum", (json_int_t)f->min);
		if (f->max)
			json_object_set_new(item, "maximum", json_integer(f->max));
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", item);
		json_object_set_new(s, "maxItems",
		                    json_integer((json_int_t)(f->max_items ? f->max_items : 50)));
		break;
	}
	}
	return s;
}

/* An object validated by fields[0..n): unknown keys are refused, and an
 * optional field may be null, which means the same as leaving it out. */
static json_t *object_schema(const struct field *f, size_t n)
{
	json_t *props = json_object(), *required = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *s = field_schema(&f[i]);
		if (f[i].required) {
			json_array_append_new(required, json_string(f[i].name));
		} else {
			s = json_pack("{s:[o, {s:s}]}", "anyOf", s, "type", "null");
		}
		json_object_set_new(props, f[i].name, s);
	}
	json_t *o = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props,
	                      "additionalProperties", 0);
	if (json_array_size(required))
		json_object_set_new(o, "required", required);
	else
		json_decref(required);
	return o;
}

/* The JSON Schema of a body validated by t. The caller
 * owns the result. */
json_t *openapi_fields_schema(const struct field_table *t)
{
	return object_schema(t->fields, t->n);
}

static const struct openapi_response *response_of(const struct route *rt)
{
	const struct {
		const struct openapi_response *rows;
		const size_t *n;
	} tables[] = {
	    {openapi_responses, &openapi_responses_count},
	    {openapi_responses_people, &openapi_responses_people_count},
	    {openapi_responses_programs, &openapi_responses_programs_count},
	    {openapi_responses_live, &openapi_responses_live_count},
	    {openapi_responses_mail, &openapi_responses_mail_count},
	};
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (strcmp(tables[t].rows[i].method, rt->method) == 0 &&
			    strcmp(tables[t].rows[i].pattern, rt->pattern) == 0)
				return &tables[t].rows[i];
	return NULL;
}

/* Parses a schema written with ' for " (openapi_schemas.h). Returns NULL
 * when the text is not JSON, which the API test reports as a missing schema. */
static json_t *schema_parse(const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i <= len; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	json_t *v = json_loads(buf, 0, NULL);
	free(buf);
	return v;
}

static const char *status_text(int status)
{
	switch (status) {
	case 404: return "Not found, or not visible to you";
	case 409: return "Conflicts with the current state; detail says how";
	case 410: return "Gone: the person's record was erased";
	case 413: return "The body is too large";
	case 429: return "Too many attempts; retry_after says when to try again";
	case 503: return "The database is not available; Retry-After says when to try again";
	default: return "Refused; detail says why";
	}
}

static json_t *responses_of(const struct route *rt)
{
	json_t *resp = json_object();
	const struct openapi_response *ok = response_of(rt);
	char code[8];
	if (ok) {
		json_t *r = json_pack("{s:s}", "description",
		                      ok->status == 201   ? "Created"
		                      : ok->status == 202 ? "Accepted"
		                      : ok->status == 204 ? "Done, no content"
		                                          : "Success");
		json_t *schema = ok->schema ? schema_parse(ok->schema) : NULL;
		if (ok->media && schema)
			json_object_set_new(r, "content",
			                    json_pack("{s:{s:o}}", ok->media, "schema", schema));
		else
			json_decref(schema);
		snprintf(code, sizeof code, "%d", ok->status);
		json_object_set_new(resp, code, r);
	} else {
		json_object_set_new(resp, "200", json_pack("{s:s}", "description", "Success"));
	}
	json_object_set_new(resp, "400",
	                    problem_ref("Invalid input; detail and field name the field"));
	if (!(rt->flags & ROUTE_PUBLIC)) {
		json_object_set_new(resp, "401", problem_ref("Not logged in"));
		json_object_set_new(resp, "403", problem_ref("Not allowed, or CSRF token missing"));
	}
	for (const char *e = ok ? ok->errors : ""; *e;) {
		char *end;
		long status = strtol(e, &end, 10);
		if (end == e)
			break;
		snprintf(code, sizeof code, "%ld", status);
		json_object_set_new(resp, code, problem_ref(status_text((int)status)));
		e = end;
		while (*e == ' ')
			e++;
	}
	json_object_set_new(resp, "default",
	                    problem_ref("Any other error (500, 503): RFC 9457 problem+json"));
	return resp;
}

/* The JSON Schema of one query parameter (openapi_schemas.h). */
static json_t *query_schema(const struct query_param *q)
{
	json_t *s = json_object();
	switch (q->type) {
	case QUERY_ID:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "minimum", json_integer(1));
		break;
	case QUERY_INT:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "minimum", json_integer(q->min));
		if (q->max)
			json_object_set_new(s, "maximum", json_integer(q->max));
		if (q->def)
			json_object_set_new(s, "default", json_integer(q->def));
		break;
	case QUERY_ENUM:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "enum", choices_array(q->choices));
		break;
	case QUERY_STRING:
		json_object_set_new(s, "type", json_string("string"));
		if (q->min)
			json_object_set_new(s, "minLength", json_integer(q->min));
		if (q->max)
			json_object_set_new(s, "maxLength", json_integer(q->max));
		break;
	case QUERY_TIME:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date-time"));
		break;
	}
	return s;
}

/* Appends the query parameters rt reads (openapi_query.c) to params. */
static void query_params(const struct route *rt, json_t *params)
{
	for (size_t i = 0; i < openapi_queries_count; i++) {
		const struct openapi_query *t = &openapi_queries[i];
		if (strcmp(t->method, rt->method) != 0 || strcmp(t->pattern, rt->pattern) != 0)
			continue;
		for (size_t k = 0; k < t->n; k++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:o}", "name",
			                                        t->params[k].name, "in", "query",
			                                        "required", 0, "description",
			                                        t->params[k].description, "schema",
			                                        query_schema(&t->params[k])));
	}
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
			/* {id} is a number; {token} (the calendar feed) is text. */
			bool is_id = (size_t)(e - p - 1) == 2 && strncmp(p + 1, "id", 2) == 0;
			json_t *schema = json_pack("{s:s}", "type", is_id ? "integer" : "string");
			/* The pipeline refuses an id that is not positive (400). */
			if (is_id)
				json_object_set_new(schema, "minimum", json_integer(1));
			json_array_append_new(params,
			                      json_pack("{s:s%, s:s, s:b, s:o}", "name", p + 1,
			                                (size_t)(e - p - 1), "in", "path",
			                                "required", 1, "schema", schema));
		}
		query_params(rt, params);
		if (json_array_size(params))
			json_object_set_new(op, "parameters", params);
		else
			json_decref(params);
		if (rt->flags & ROUTE_BODY) {
			json_t *schema = rt->body ? openapi_fields_schema(rt->body)
			                          : json_pack("{s:s}", "type", "object");
			json_object_set_new(op, "requestBody",
			                    json_pack("{s:b, s:{s:{s:o}}}", "required", 1,
			                              "content", "application/json", "schema",
			                              schema));
		}
		json_object_set_new(op, "responses", responses_of(rt));
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
