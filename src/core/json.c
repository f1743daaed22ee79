/* JSON input limits and field tables; see json.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "core/banned.h"

/* Validates UTF-8 strictly (no overlongs, no surrogates, max U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n, size_t *bad_at)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			if (c == 0)
				goto bad;
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (i + len > n)
			goto bad;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += len;
	}
	return true;
bad:
	*bad_at = i;
	return false;
}

/* Measures nesting depth outside strings; returns false when over limit. */
static bool depth_ok(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

/* Walks a parsed value and refuses non-finite or absurd reals. */
static bool numbers_ok(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_REAL: {
		double d = json_real_value(v);
		return isfinite(d) && fabs(d) < 1e15;
	}
	case JSON_OBJECT:
		json_object_foreach(v, k, x) if (!numbers_ok(x)) return false;
		return true;
	case JSON_ARRAY: json_array_foreach(v, i, x) if (!numbers_ok(x)) return false; return true;
	default: return true;
	}
}

json_t *json_parse_body(const char *data, size_t len, char *err, size_t errlen)
{
	size_t bad_at = 0;
	if (len == 0) {
		snprintf(err, errlen, "the request body is empty; send a JSON object");
		return NULL;
	}
	if (!utf8_valid((const unsigned char *)data, len, &bad_at)) {
		snprintf(err, errlen,
		         "the body is not valid UTF-8 or contains a NUL byte (at byte %zu)",
		         bad_at);
		return NULL;
	}
	if (!depth_ok(data, len)) {
		snprintf(err, errlen, "the JSON is nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		snprintf(err, errlen, "malformed JSON at line %d, column %d: %s", je.line,
		         je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "the body must be a JSON object");
		return NULL;
	}
	if (!numbers_ok(v)) {
		json_decref(v);
		snprintf(err, errlen, "a number in the body is out of range");
		return NULL;
	}
	return v;
}

/* type_name's text names the date window; keep them together. */
_Static_assert(UTIL_YEAR_FIRST == 1900 && UTIL_YEAR_LAST == 2199, "say the window");

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING: return "a string";
	case FIELD_EMAIL: return "an email address";
	case FIELD_INT: return "an integer";
	case FIELD_BOOL: return "true or false";
	case FIELD_ENUM: return "one of the listed values";
	/* The window below is UTIL_YEAR_FIRST..UTIL_YEAR_LAST (core/util.h). */
	case FIELD_TIME: return "a UTC time like 2026-01-31T09:00:00Z, in the years 1900 to 2199";
	case FIELD_DATE: return "a date like 2026-01-31, from 1900-01-01 to 2199-12-31";
	case FIELD_STRINGS: return "a list of strings";
	case FIELD_OBJECT: return "an object";
	case FIELD_OBJECTS: return "a list of objects";
	case FIELD_INTS: return "a list of integers";
	}
	return "a value";
}

static bool in_choices(const char *const *choices, const char *s)
{
	for (const char *const *c = choices; *c; c++)
		if (strcmp(*c, s) == 0)
			return true;
	return false;
}

static void list_choices(char *err, size_t errlen, const char *name, const char *const *choices)
{
	size_t off = (size_t)snprintf(err, errlen, "%s must be one of:", name);
	for (const char *const *c = choices; *c && off < errlen; c++)
		off += (size_t)snprintf(err + off, errlen - off, " %s", *c);
}

/* Validates a nested object; on failure prefixes the nested field's name. */
static int parse_nested(json_t *v, const struct field *f, const char *label, struct arena *arena,
                        const char **bad_field, char *err, size_t errlen)
{
	struct field_value *sub = arena_calloc(arena, f->nsub ? f->nsub : 1, sizeof *sub);
	const char *inner = NULL;
	if (!json_is_object(v)) {
		*bad_field = label;
		snprintf(err, errlen, "%s must be an object", label);
		return -HEARTH_EINVAL;
	}
	int rc = json_fields_parse(v, f->sub, f->nsub, arena, sub, &inner, err, errlen);
	if (rc) {
		*bad_field = arena_printf(arena, "%s.%s", label, inner ? inner : "?");
		/* Name the full path in the message too. */
		char *msg = arena_strdup(arena, err);
		if (inner && strncmp(msg, inner, strlen(inner)) == 0)
			snprintf(err, errlen, "%s.%s", label, msg);
	}
	return rc;
}

int json_fields_parse(json_t *obj, const struct field *fields, size_t n, struct arena *arena,
                      struct field_value *out, const char **bad_field, char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(fields[i].name, key) == 0)
				break;
		if (i == n) {
			*bad_field = arena_strdup(arena, key);
			snprintf(err, errlen, "unknown field \"%.64s\"", key);
			return -HEARTH_EINVAL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		json_t *v = json_object_get(obj, f->name);
		out[i] = (struct field_value){0};
		*bad_field = f->name;
		if (!v || json_is_null(v)) {
			if (f->required) {
				snprintf(err, errlen, "%s is required", f->name);
				return -HEARTH_EINVAL;
			}
			continue;
		}
		if (f->type == FIELD_STRINGS || f->type == FIELD_OBJECTS || f->type == FIELD_INTS) {
			size_t max_items = f->max_items ? f->max_items : 50;
			if (!json_is_array(v))
				goto wrong_type;
			if (json_array_size(v) > max_items) {
				snprintf(err, errlen, "%s may hold at most %zu items", f->name,
				         max_items);
				return -HEARTH_EINVAL;
			}
		}
		switch (f->type) {
		case FIELD_STRINGS: {
			size_t k;
			json_t *x;
			json_array_foreach(v, k, x)
			{
				size_t len = json_string_length(x);
				if (!json_is_string(x) || (int64_t)len < (f->min ? f->min : 1) ||
				    (int64_t)len > (f->max ? f->max : 200)) {
					snprintf(err, errlen,
					         "%s[%zu] must be a string of %lld to %lld bytes",
					         f->name, k, (long long)(f->min ? f->min : 1),
					         (long long)(f->max ? f->max : 200));
					return -HEARTH_EINVAL;
				}
				if (f->choices && !in_choices(f->choices, json_string_value(x))) {
					list_choices(err, errlen, f->name, f->choices);
					return -HEARTH_EINVAL;
				}
			}
			out[i].j = v;
			break;
		}
		case FIELD_OBJECT:
			if (parse_nested(v, f, f->name, arena, bad_field, err, errlen))
				return -HEARTH_EINVAL;
			out[i].j = v;
			break;
		case FIELD_OBJECTS: {
			size_t k;
			json_t *x;
			json_array_foreach(v, k, x)
			{
				const char *label = arena_printf(arena, "%s[%zu]", f->name, k);
				if (parse_nested(x, f, label, arena, bad_field, err, errlen))
					return -HEARTH_EINVAL;
			}
			out[i].j = v;
			break;
		}
		case FIELD_INTS: {
			size_t k;
			json_t *x;
			json_array_foreach(v, k, x)
			{
				if (!json_is_integer(x) || json_integer_value(x) < f->min ||
				    (f->max && json_integer_value(x) > f->max)) {
					snprintf(err, errlen,
					         "%s[%zu] must be an integer from %lld", f->name, k,
					         (long long)f->min);
					return -HEARTH_EINVAL;
				}
			}
			out[i].j = v;
			break;
		}
		case FIELD_DATE: {
			if (!json_is_string(v) || json_string_length(v) != 10 ||
			    util_parse_iso8601(json_string_value(v), &out[i].i) != 0)
				goto wrong_type;
			out[i].s = arena_strdup(arena, json_string_value(v));
			break;
		}
		case FIELD_STRING:
		case FIELD_EMAIL:
		case FIELD_ENUM:
		case FIELD_TIME: {
			if (!json_is_string(v))
				goto wrong_type;
			size_t len = json_string_length(v);
			const char *s = json_string_value(v);
			int64_t max = f->max ? f->max : 1000;
			if (f->type == FIELD_STRING) {
				/* Surrounding white space does not count and is not kept:
				 * a name of spaces is no name. */
				while (len &&
				       (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
					s++;
					len--;
				}
				while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
				               s[len - 1] == '\n' || s[len - 1] == '\r'))
					len--;
				if ((int64_t)len < (f->min ? f->min : 0)) {
					snprintf(err, errlen, "%s must be at least %lld characters",
					         f->name, (long long)f->min);
					return -HEARTH_EINVAL;
				}
				if ((int64_t)len > max) {
					snprintf(err, errlen, "%s must be at most %lld bytes",
					         f->name, (long long)max);
					return -HEARTH_EINVAL;
				}
				out[i].s = arena_strndup(arena, s, len);
			} else if (f->type == FIELD_EMAIL) {
				char *e = util_normalise_email(arena, arena_strndup(arena, s, len));
				if (!util_email_valid(e)) {
					snprintf(err, errlen, "%s is not a valid email address",
					         f->name);
					return -HEARTH_EINVAL;
				}
				out[i].s = e;
			} else if (f->type == FIELD_ENUM) {
				const char *const *c = f->choices;
				for (; *c; c++)
					if (strcmp(*c, s) == 0)
						break;
				if (!*c) {
					list_choices(err, errlen, f->name, f->choices);
					return -HEARTH_EINVAL;
				}
				out[i].s = *c;
			} else {
				if (util_parse_iso8601(s, &out[i].i) != 0)
					goto wrong_type;
				out[i].s = arena_strndup(arena, s, len);
			}
			break;
		}
		case FIELD_INT:
			if (!json_is_integer(v))
				goto wrong_type;
			out[i].i = json_integer_value(v);
			if (out[i].i < f->min || (f->max && out[i].i > f->max)) {
				if (f->max)
					snprintf(err, errlen, "%s must be between %lld and %lld",
					         f->name, (long long)f->min, (long long)f->max);
				else
					snprintf(err, errlen, "%s must be at least %lld", f->name,
					         (long long)f->min);
				return -HEARTH_EINVAL;
			}
			break;
		case FIELD_BOOL:
			if (!json_is_boolean(v))
				goto wrong_type;
			out[i].i = json_is_true(v);
			break;
		}
		out[i].present = true;
		continue;
	wrong_type:
		snprintf(err, errlen, "%s must be %s", f->name, type_name(f->type));
		return -HEARTH_EINVAL;
	}
	*bad_field = NULL;
	return 0;
}
