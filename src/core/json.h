/*
 * JSON at the edge. Bodies are parsed once, with limits (size, depth, UTF-8,
 * NUL, number range), and validated against a declarative field table, so
 * that handlers receive typed values and never look into json_t themselves
 * (after kcgi's kvalid tables).
 */
#ifndef HEARTH_JSON_H
#define HEARTH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct arena;

#define JSON_MAX_DEPTH 32

/* Parses len bytes into a JSON object. On failure returns NULL and writes a
 * message a person can act on into err (size errlen). The caller owns the
 * result (json_decref). Refuses: invalid UTF-8, NUL bytes (raw or \u0000),
 * nesting deeper than JSON_MAX_DEPTH, integers outside int64, non-finite or
 * out-of-range reals, duplicate keys, and any top-level value but an object. */
json_t *json_parse_body(const char *data, size_t len, char *err, size_t errlen);

enum field_type {
	FIELD_STRING, /* UTF-8 text, trimmed length checked against min/max */
	FIELD_EMAIL,  /* a string that looks like an email, normalised to lower case */
	FIELD_INT,    /* an integer within [min, max] */
	FIELD_BOOL,
	FIELD_ENUM,    /* a string from a NULL-terminated list */
	FIELD_TIME,    /* ISO 8601 UTC string, stored as epoch seconds */
	FIELD_DATE,    /* "YYYY-MM-DD", stored as epoch seconds at midnight UTC */
	FIELD_STRINGS, /* array of strings (each min/max bytes; from choices if set),
	                * at most max_items; value in .j (borrowed) */
	FIELD_OBJECT,  /* object validated by sub[0..nsub); value in .j (borrowed) */
	FIELD_OBJECTS, /* array of such objects, at most max_items; value in .j */
	FIELD_INTS,    /* array of integers within [min, max], at most max_items; .j */
};

struct field {
	const char *name;
	enum field_type type;
	bool required;
	int64_t min; /* string: minimum length in bytes; int: minimum value */
	int64_t max; /* string: maximum length in bytes; int: maximum value; 0 = default */
	const char *const *choices; /* FIELD_ENUM and FIELD_STRINGS */
	const struct field *sub;    /* FIELD_OBJECT(S): the nested table */
	size_t nsub;
	size_t max_items; /* FIELD_STRINGS, FIELD_OBJECTS; 0 = 50 */
};

/* A field table with its length, so that one object can be named by the
 * handler that validates with it and by the route table that documents it
 * (the OpenAPI request schemas are generated from these). */
struct field_table {
	const struct field *fields;
	size_t n;
};

#define FIELD_TABLE(arr)                              \
	{                                             \
		(arr), sizeof(arr) / sizeof((arr)[0]) \
	}

struct field_value {
	bool present;
	const char *s; /* strings, emails, enums: arena copy */
	int64_t i;     /* ints, bools (0/1), times */
	json_t *j;     /* arrays and objects: borrowed from the parsed body */
};

/* Validates obj against fields[0..n). Unknown keys are refused too, so that
 * a typo never passes silently. On success fills out[0..n) (strings copied
 * into arena) and returns 0. On failure returns -HEARTH_EINVAL and sets
 * *bad_field to the offending field's name and writes the reason into err. */
/* Nested objects are validated recursively; a failure names the nested
 * field as "outer.inner" (or "outer[2].inner"), in arena memory. */
int json_fields_parse(json_t *obj, const struct field *fields, size_t n, struct arena *arena,
                      struct field_value *out, const char **bad_field, char *err, size_t errlen);

#endif
