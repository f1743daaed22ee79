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

extern const struct openapi_response openapi_responses[];
extern const size_t openapi_responses_count;

#endif
