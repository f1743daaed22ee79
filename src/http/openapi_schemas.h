/*
 * What each route answers when it succeeds, for the OpenAPI document: one
 * row per route of routes.c, kept apart from the route table because most of
 * it is schema text. Request bodies are not here: their schemas are generated
 * from the handlers' field tables (struct route .body).
 */
#ifndef HEARTH_OPENAPI_SCHEMAS_H
#define HEARTH_OPENAPI_SCHEMAS_H

#include <stddef.h>

struct openapi_response {
	const char *method;
	const char *pattern; /* as in routes.c */
	int status;          /* the success status: 200, 201, 202 or 204 */
	const char *media;   /* its media type; NULL when there is no body (204) */
	/* JSON Schema (2020-12) of the success body, written with ' for " so
	 * that it reads in C (no ' inside the schemas); NULL when no body. */
	const char *schema;
	/* Problem statuses this route gives besides 400, 401 and 403, space
	 * separated ("404 409"); every route may also answer 500 or 503. */
	const char *errors;
};

/* One table per part of the API (openapi_schemas.c: core, auth and admin;
 * openapi_schemas_people.c; openapi_schemas_programs.c). */
extern const struct openapi_response openapi_responses[];
extern const size_t openapi_responses_count;
extern const struct openapi_response openapi_responses_people[];
extern const size_t openapi_responses_people_count;
extern const struct openapi_response openapi_responses_programs[];
extern const size_t openapi_responses_programs_count;
extern const struct openapi_response openapi_responses_live[];
extern const size_t openapi_responses_live_count;
extern const struct openapi_response openapi_responses_mail[];
extern const size_t openapi_responses_mail_count;

/* The query parameters a route reads (req_query), for the OpenAPI
 * document: one row per route that reads any, in openapi_query.c. The
 * handlers that parse them live in each module; each row states the same
 * type, bounds and choices that handler enforces (400 naming the
 * parameter), and tests/api/openapi.test.mjs sends values the schema
 * refuses to prove it. */
enum query_type {
	QUERY_ID,     /* a positive id (programs_query_id) */
	QUERY_INT,    /* a whole number in [min, max] */
	QUERY_ENUM,   /* one of choices */
	QUERY_STRING, /* text; max bytes when max is set */
	QUERY_TIME,   /* ISO 8601 UTC date-time */
};

struct query_param {
	const char *name;
	enum query_type type;
	long long min, max;         /* QUERY_INT bounds; QUERY_STRING: minLength, maxLength */
	long long def;              /* QUERY_INT: the value when absent (0: none stated) */
	const char *const *choices; /* QUERY_ENUM, NULL-terminated */
	const char *description;
};

struct openapi_query {
	const char *method;
	const char *pattern; /* as in routes.c */
	const struct query_param *params;
	size_t n;
};

extern const struct openapi_query openapi_queries[];
extern const size_t openapi_queries_count;

#endif
