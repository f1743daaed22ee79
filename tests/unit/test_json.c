/*
 * Unit tests for JSON at the edge (src/core/json.h). json_parse_body is the
 * only door request bodies come through, so each limit it promises is tried
 * with a body that just breaks it (and, where there is a boundary, one that
 * just fits): empty bodies, invalid UTF-8 of every kind, NUL bytes raw or
 * escaped, nesting depth, integer and real range, duplicate keys and
 * non-object top levels. json_fields_parse is then driven through one field
 * table covering every field type, checking both the typed values handlers
 * receive and the name and message a client gets back on each error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/buf.h"
#include "core/banned.h"

/* --- json_parse_body --- */

/* Parses exactly len bytes; returns the object or NULL with err filled. */
static json_t *parse_n(const char *data, size_t len, char *err, size_t errlen)
{
	err[0] = '\0';
	json_t *v = json_parse_body(data, len, err, errlen);
	if (!v)
		assert_true(err[0] != '\0'); /* every refusal says why */
	return v;
}

static json_t *parse(const char *s, char *err, size_t errlen)
{
	return parse_n(s, strlen(s), err, errlen);
}

static void expect_refused(const char *data, size_t len, const char *msg_part)
{
	char err[256];
	json_t *v = parse_n(data, len, err, sizeof err);
	if (v) {
		json_decref(v);
		fail_msg("accepted a body that should be refused (%zu bytes)", len);
	}
	if (msg_part && !strstr(err, msg_part))
		fail_msg("message \"%s\" does not mention \"%s\"", err, msg_part);
}

static void json_parse_body_accepts_object(void **state)
{
	(void)state;
	char err[256];
	json_t *v = parse("{\"name\": \"Zo\xc3\xab \xf0\x9f\x98\x80\", \"n\": -12, \"r\": 1.5,"
	                  " \"ok\": true, \"list\": [1, {\"x\": null}], \"s\": \"\\u00e9\\\"{[\"}",
	                  err, sizeof err);
	assert_non_null(v);
	assert_true(json_is_object(v));
	assert_string_equal(json_string_value(json_object_get(v, "name")),
	                    "Zo\xc3\xab \xf0\x9f\x98\x80");
	assert_int_equal(json_integer_value(json_object_get(v, "n")), -12);
	assert_string_equal(json_string_value(json_object_get(v, "s")), "\xc3\xa9\"{[");
	json_decref(v);
}

static void json_parse_body_refuses_empty(void **state)
{
	(void)state;
	expect_refused("", 0, "empty");
	expect_refused("{}", 0, "empty"); /* len is what counts, not the pointer */
}

static void json_parse_body_refuses_whitespace_only(void **state)
{
	(void)state;
	expect_refused("   \n", 4, NULL);
}

static void json_parse_body_refuses_overlong_utf8(void **state)
{
	(void)state;
	/* "/" encoded in two bytes, and NUL in two bytes (the classic bypass). */
	static const char a[] = "{\"a\":\"\xc0\xaf\"}";
	static const char b[] = "{\"a\":\"\xc0\x80\"}";
	static const char c[] = "{\"a\":\"\xe0\x80\xaf\"}";     /* three-byte overlong */
	static const char d[] = "{\"a\":\"\xf0\x80\x80\xaf\"}"; /* four-byte overlong */
	expect_refused(a, sizeof a - 1, "UTF-8");
	expect_refused(b, sizeof b - 1, "UTF-8");
	expect_refused(c, sizeof c - 1, "UTF-8");
	expect_refused(d, sizeof d - 1, "UTF-8");
}

static void json_parse_body_refuses_surrogate(void **state)
{
	(void)state;
	static const char hi[] = "{\"a\":\"\xed\xa0\x80\"}"; /* U+D800 */
	static const char lo[] = "{\"a\":\"\xed\xbf\xbf\"}"; /* U+DFFF */
	expect_refused(hi, sizeof hi - 1, "UTF-8");
	expect_refused(lo, sizeof lo - 1, "UTF-8");
	/* Just outside the surrogate range is fine. */
	char err[256];
	json_t *v = parse("{\"a\":\"\xed\x9f\xbf\xee\x80\x80\"}", err, sizeof err);
	assert_non_null(v);
	json_decref(v);
}

static void json_parse_body_refuses_truncated_utf8(void **state)
{
	(void)state;
	static const char mid[] = "{\"a\":\"\xe2\x82\"}";            /* € missing its last byte */
	static const char end[] = "{\"a\":\"x\"}\xe2\x82";           /* body ends mid-sequence */
	static const char lone[] = "{\"a\":\"\x80\"}";               /* lone continuation byte */
	static const char f8[] = "{\"a\":\"\xf8\x88\x80\x80\x80\"}"; /* five-byte form */
	static const char big[] = "{\"a\":\"\xf4\x90\x80\x80\"}";    /* above U+10FFFF */
	expect_refused(mid, sizeof mid - 1, "UTF-8");
	expect_refused(end, sizeof end - 1, "UTF-8");
	expect_refused(lone, sizeof lone - 1, "UTF-8");
	expect_refused(f8, sizeof f8 - 1, "UTF-8");
	expect_refused(big, sizeof big - 1, "UTF-8");
}

static void json_parse_body_refuses_raw_nul(void **state)
{
	(void)state;
	static const char in_str[] = "{\"a\":\"x\0y\"}";
	static const char after[] = "{\"a\":1}\0";
	expect_refused(in_str, sizeof in_str - 1, "NUL");
	expect_refused(after, sizeof after - 1, "NUL");
}

static void json_parse_body_refuses_escaped_nul(void **state)
{
	(void)state;
	static const char val[] = "{\"a\":\"x\\u0000y\"}";
	static const char key[] = "{\"a\\u0000b\":1}";
	expect_refused(val, sizeof val - 1, NULL);
	expect_refused(key, sizeof key - 1, NULL);
}

/* {"a": [[...]]} with depth levels in total (the object counts as one). */
static char *nested(struct buf *b, int depth)
{
	buf_puts(b, "{\"a\":");
	for (int i = 1; i < depth; i++)
		buf_puts(b, "[");
	buf_puts(b, "1");
	for (int i = 1; i < depth; i++)
		buf_puts(b, "]");
	buf_puts(b, "}");
	return b->data;
}

static void json_parse_body_depth_limit(void **state)
{
	(void)state;
	char err[256];
	struct buf ok = BUF_INIT, deep = BUF_INIT, strs = BUF_INIT;
	json_t *v = parse(nested(&ok, JSON_MAX_DEPTH), err, sizeof err);
	assert_non_null(v);
	json_decref(v);
	const char *too_deep = nested(&deep, JSON_MAX_DEPTH + 1);
	expect_refused(too_deep, deep.len, "nested");
	/* Brackets inside strings (even after an escaped quote) are not nesting. */
	buf_puts(&strs, "{\"a\":\"\\\"");
	for (int i = 0; i < 100; i++)
		buf_puts(&strs, "[{");
	buf_puts(&strs, "\"}");
	v = parse(strs.data, err, sizeof err);
	assert_non_null(v);
	json_decref(v);
	buf_release(&ok);
	buf_release(&deep);
	buf_release(&strs);
}

static void json_parse_body_refuses_huge_integer(void **state)
{
	(void)state;
	char err[256];
	static const char big[] = "{\"n\": 9223372036854775808}";
	static const char neg[] = "{\"n\": -9223372036854775809}";
	static const char huge[] = "{\"n\": 123456789012345678901234567890}";
	expect_refused(big, sizeof big - 1, NULL);
	expect_refused(neg, sizeof neg - 1, NULL);
	expect_refused(huge, sizeof huge - 1, NULL);
	json_t *v =
	    parse("{\"n\": 9223372036854775807, \"m\": -9223372036854775808}", err, sizeof err);
	assert_non_null(v);
	assert_true(json_integer_value(json_object_get(v, "n")) == INT64_MAX);
	assert_true(json_integer_value(json_object_get(v, "m")) == INT64_MIN);
	json_decref(v);
}

static void json_parse_body_refuses_out_of_range_real(void **state)
{
	(void)state;
	static const char inf[] = "{\"r\": 1e400}";
	static const char ninf[] = "{\"r\": -1e400}";
	static const char big[] = "{\"r\": 1e300}";
	static const char nested_big[] = "{\"a\": [1, {\"r\": 2.5e20}]}";
	expect_refused(inf, sizeof inf - 1, NULL);
	expect_refused(ninf, sizeof ninf - 1, NULL);
	expect_refused(big, sizeof big - 1, "out of range");
	expect_refused(nested_big, sizeof nested_big - 1, "out of range");
	char err[256];
	json_t *v = parse("{\"r\": 123456.75, \"t\": 1e-300}", err, sizeof err);
	assert_non_null(v);
	json_decref(v);
}

static void json_parse_body_refuses_duplicate_keys(void **state)
{
	(void)state;
	static const char top[] = "{\"a\":1,\"b\":2,\"a\":3}";
	static const char inner[] = "{\"x\":{\"k\":1,\"k\":1}}";
	expect_refused(top, sizeof top - 1, NULL);
	expect_refused(inner, sizeof inner - 1, NULL);
}

static void json_parse_body_refuses_non_object(void **state)
{
	(void)state;
	static const char *const bodies[] = {"[]", "[{\"a\":1}]", "\"str\"", "42", "null", "true"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		expect_refused(bodies[i], strlen(bodies[i]), NULL);
	expect_refused("[1]", 3, "object");
}

static void json_parse_body_refuses_malformed(void **state)
{
	(void)state;
	static const char *const bodies[] = {
	    "{", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1} {\"b\":2}", "{\"a\":01}"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		expect_refused(bodies[i], strlen(bodies[i]), NULL);
	expect_refused("{\"a\":}", 6, "line 1");
}

/* --- json_fields_parse --- */

static const char *const colours[] = {"red", "green", "blue", NULL};

enum { F_NAME, F_EMAIL, F_AGE, F_ACTIVE, F_COLOUR, F_STARTS, F_NOTE, F__N };

static const struct field fields[F__N] = {
    [F_NAME] = {.name = "name", .type = FIELD_STRING, .required = true, .min = 2, .max = 10},
    [F_EMAIL] = {.name = "email", .type = FIELD_EMAIL},
    [F_AGE] = {.name = "age", .type = FIELD_INT, .min = 0, .max = 130},
    [F_ACTIVE] = {.name = "active", .type = FIELD_BOOL},
    [F_COLOUR] = {.name = "colour", .type = FIELD_ENUM, .choices = colours},
    [F_STARTS] = {.name = "starts", .type = FIELD_TIME},
    [F_NOTE] = {.name = "note", .type = FIELD_STRING}, /* max 0 = default */
};

struct fx {
	struct arena *arena;
	struct field_value out[F__N];
	const char *bad;
	char err[256];
};

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	fx->arena = arena_new(1024);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	arena_free(fx->arena);
	free(fx);
	return 0;
}

/* Runs json_fields_parse on the JSON text s. */
static int run(struct fx *fx, const char *s)
{
	json_error_t je;
	json_t *obj = json_loads(s, JSON_REJECT_DUPLICATES, &je);
	if (!obj)
		fail_msg("test fixture is not JSON: %s: %s", s, je.text);
	fx->bad = "(unset)";
	fx->err[0] = '\0';
	int rc = json_fields_parse(obj, fields, F__N, fx->arena, fx->out, &fx->bad, fx->err,
	                           sizeof fx->err);
	json_decref(obj);
	return rc;
}

/* Asserts a refusal naming field and with a message containing each part. */
static void expect_bad(struct fx *fx, const char *s, const char *field, const char *part1,
                       const char *part2)
{
	int rc = run(fx, s);
	if (rc != -HEARTH_EINVAL)
		fail_msg("%s: expected -HEARTH_EINVAL, got %d", s, rc);
	assert_non_null(fx->bad);
	assert_string_equal(fx->bad, field);
	if (part1 && !strstr(fx->err, part1))
		fail_msg("%s: message \"%s\" lacks \"%s\"", s, fx->err, part1);
	if (part2 && !strstr(fx->err, part2))
		fail_msg("%s: message \"%s\" lacks \"%s\"", s, fx->err, part2);
}

static void json_fields_parse_accepts_all_types(void **state)
{
	struct fx *fx = *state;
	int rc = run(fx, "{\"name\":\"Ada\",\"email\":\"ada@example.org\",\"age\":36,"
	                 "\"active\":true,\"colour\":\"green\",\"starts\":\"2026-01-31T09:00:00Z\","
	                 "\"note\":\"hi\"}");
	assert_int_equal(rc, 0);
	assert_null(fx->bad);
	for (int i = 0; i < F__N; i++)
		assert_true(fx->out[i].present);
	assert_string_equal(fx->out[F_NAME].s, "Ada");
	assert_string_equal(fx->out[F_EMAIL].s, "ada@example.org");
	assert_int_equal(fx->out[F_AGE].i, 36);
	assert_int_equal(fx->out[F_ACTIVE].i, 1);
	assert_string_equal(fx->out[F_COLOUR].s, "green");
	assert_int_equal(fx->out[F_STARTS].i, 1769850000);
	assert_string_equal(fx->out[F_STARTS].s, "2026-01-31T09:00:00Z");
}

static void json_fields_parse_optional_absent_or_null(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"age\":null}"), 0);
	assert_true(fx->out[F_NAME].present);
	for (int i = F_EMAIL; i < F__N; i++) {
		assert_false(fx->out[i].present);
		assert_null(fx->out[i].s);
	}
}

static void json_fields_parse_required_missing(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"age\":3}", "name", "name", "required");
	expect_bad(fx, "{}", "name", "name", "required");
	expect_bad(fx, "{\"name\":null}", "name", "name", "required");
}

static void json_fields_parse_wrong_type(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":5}", "name", "name", "string");
	expect_bad(fx, "{\"name\":[\"Ada\"]}", "name", "name", "string");
	expect_bad(fx, "{\"name\":\"Ada\",\"email\":true}", "email", "email", NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"age\":\"36\"}", "age", "age", "integer");
	expect_bad(fx, "{\"name\":\"Ada\",\"age\":36.5}", "age", "age", "integer");
	expect_bad(fx, "{\"name\":\"Ada\",\"active\":1}", "active", "active", "true or false");
	expect_bad(fx, "{\"name\":\"Ada\",\"active\":\"true\"}", "active", "active", NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"colour\":1}", "colour", "colour", NULL);
}

static void json_fields_parse_string_length(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":\"A\"}", "name", "name", "at least 2");
	expect_bad(fx, "{\"name\":\"\"}", "name", "name", "at least 2");
	expect_bad(fx, "{\"name\":\"ABCDEFGHIJK\"}", "name", "name", "at most 10");
	assert_int_equal(run(fx, "{\"name\":\"AB\"}"), 0);
	assert_int_equal(run(fx, "{\"name\":\"ABCDEFGHIJ\"}"), 0);
	assert_string_equal(fx->out[F_NAME].s, "ABCDEFGHIJ");
	/* Length is in bytes: "é" is two, so five of them are ten bytes. */
	assert_int_equal(run(fx, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"), 0);
	expect_bad(fx, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x\"}", "name",
	           "at most", NULL);
}

static void json_fields_parse_string_default_max(void **state)
{
	struct fx *fx = *state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"name\":\"Ada\",\"note\":\"");
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\"}");
	assert_int_equal(run(fx, b.data), 0);
	assert_int_equal(strlen(fx->out[F_NOTE].s), 1000);
	b.len -= 2;
	buf_puts(&b, "x\"}");
	expect_bad(fx, b.data, "note", "at most 1000", NULL);
	buf_release(&b);
}

/* json.h promises FIELD_STRING checks the *trimmed* length, so a name of
 * only spaces must not satisfy a minimum length. */
static void json_fields_parse_string_whitespace_only_too_short(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":\"     \"}", "name", "name", "at least 2");
	expect_bad(fx, "{\"name\":\" A \"}", "name", "name", "at least 2");
}

static void json_fields_parse_email_normalised(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"email\":\"  Ada.Lovelace@Example.ORG \"}"),
	                 0);
	assert_true(fx->out[F_EMAIL].present);
	assert_string_equal(fx->out[F_EMAIL].s, "ada.lovelace@example.org");
}

static void json_fields_parse_email_invalid(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":\"Ada\",\"email\":\"not-an-email\"}", "email", "email",
	           "not a valid email");
	expect_bad(fx, "{\"name\":\"Ada\",\"email\":\"a@b\"}", "email", "email", NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"email\":\"a b@c.de\"}", "email", "email", NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"email\":\"   \"}", "email", "email", NULL);
}

static void json_fields_parse_enum_outside_choices(void **state)
{
	struct fx *fx = *state;
	int rc = run(fx, "{\"name\":\"Ada\",\"colour\":\"purple\"}");
	assert_int_equal(rc, -HEARTH_EINVAL);
	assert_string_equal(fx->bad, "colour");
	assert_non_null(strstr(fx->err, "colour"));
	assert_non_null(strstr(fx->err, "red"));
	assert_non_null(strstr(fx->err, "green"));
	assert_non_null(strstr(fx->err, "blue"));
	/* Case matters; prefixes do not count. */
	expect_bad(fx, "{\"name\":\"Ada\",\"colour\":\"Red\"}", "colour", "red", NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"colour\":\"gree\"}", "colour", NULL, NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"colour\":\"\"}", "colour", NULL, NULL);
	/* The value handed back is the table's own string. */
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"colour\":\"blue\"}"), 0);
	assert_ptr_equal(fx->out[F_COLOUR].s, colours[2]);
}

static void json_fields_parse_enum_message_truncates_safely(void **state)
{
	(void)state;
	/* A tiny error buffer must not overflow while listing the choices. */
	static const struct field f[] = {
	    {.name = "colour", .type = FIELD_ENUM, .required = true, .choices = colours}};
	struct arena *a = arena_new(256);
	struct field_value out[1];
	const char *bad = NULL;
	char err[12];
	json_t *obj = json_loads("{\"colour\":\"purple\"}", 0, NULL);
	assert_int_equal(json_fields_parse(obj, f, 1, a, out, &bad, err, sizeof err),
	                 -HEARTH_EINVAL);
	assert_string_equal(bad, "colour");
	assert_true(strlen(err) < sizeof err);
	json_decref(obj);
	arena_free(a);
}

static void json_fields_parse_int_range(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":\"Ada\",\"age\":-1}", "age", "age", "between 0 and 130");
	expect_bad(fx, "{\"name\":\"Ada\",\"age\":131}", "age", "age", "between 0 and 130");
	expect_bad(fx, "{\"name\":\"Ada\",\"age\":-9223372036854775808}", "age", NULL, NULL);
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"age\":0}"), 0);
	assert_int_equal(fx->out[F_AGE].i, 0);
	assert_true(fx->out[F_AGE].present);
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"age\":130}"), 0);
	assert_int_equal(fx->out[F_AGE].i, 130);
}

static void json_fields_parse_bool(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"active\":false}"), 0);
	assert_true(fx->out[F_ACTIVE].present);
	assert_int_equal(fx->out[F_ACTIVE].i, 0);
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"active\":true}"), 0);
	assert_int_equal(fx->out[F_ACTIVE].i, 1);
}

static void json_fields_parse_time(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(run(fx, "{\"name\":\"Ada\",\"starts\":\"2026-01-31\"}"), 0);
	assert_int_equal(fx->out[F_STARTS].i, 1769817600);
	expect_bad(fx, "{\"name\":\"Ada\",\"starts\":\"tomorrow\"}", "starts", "starts",
	           "UTC time");
	expect_bad(fx, "{\"name\":\"Ada\",\"starts\":\"2026-01-31T09:00:00\"}", "starts", NULL,
	           NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"starts\":\"2026-13-01T09:00:00Z\"}", "starts", NULL,
	           NULL);
	expect_bad(fx, "{\"name\":\"Ada\",\"starts\":1769850000}", "starts", NULL, NULL);
}

static void json_fields_parse_unknown_field(void **state)
{
	struct fx *fx = *state;
	expect_bad(fx, "{\"name\":\"Ada\",\"nmae\":\"typo\"}", "nmae", "unknown", "nmae");
	/* Even when the known fields would otherwise fail, the typo is named. */
	expect_bad(fx, "{\"colour\":\"purple\",\"isAdmin\":true}", "isAdmin", "isAdmin", NULL);
	/* Field names are case-sensitive. */
	expect_bad(fx, "{\"Name\":\"Ada\"}", "Name", "Name", NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json_parse_body_accepts_object),
	    cmocka_unit_test(json_parse_body_refuses_empty),
	    cmocka_unit_test(json_parse_body_refuses_whitespace_only),
	    cmocka_unit_test(json_parse_body_refuses_overlong_utf8),
	    cmocka_unit_test(json_parse_body_refuses_surrogate),
	    cmocka_unit_test(json_parse_body_refuses_truncated_utf8),
	    cmocka_unit_test(json_parse_body_refuses_raw_nul),
	    cmocka_unit_test(json_parse_body_refuses_escaped_nul),
	    cmocka_unit_test(json_parse_body_depth_limit),
	    cmocka_unit_test(json_parse_body_refuses_huge_integer),
	    cmocka_unit_test(json_parse_body_refuses_out_of_range_real),
	    cmocka_unit_test(json_parse_body_refuses_duplicate_keys),
	    cmocka_unit_test(json_parse_body_refuses_non_object),
	    cmocka_unit_test(json_parse_body_refuses_malformed),
	    T(json_fields_parse_accepts_all_types),
	    T(json_fields_parse_optional_absent_or_null),
	    T(json_fields_parse_required_missing),
	    T(json_fields_parse_wrong_type),
	    T(json_fields_parse_string_length),
	    T(json_fields_parse_string_default_max),
	    T(json_fields_parse_string_whitespace_only_too_short),
	    T(json_fields_parse_email_normalised),
	    T(json_fields_parse_email_invalid),
	    T(json_fields_parse_enum_outside_choices),
	    cmocka_unit_test(json_fields_parse_enum_message_truncates_safely),
	    T(json_fields_parse_int_range),
	    T(json_fields_parse_bool),
	    T(json_fields_parse_time),
	    T(json_fields_parse_unknown_field),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
