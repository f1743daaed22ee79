/*
 * libFuzzer target: a request body as the server takes it, without HTTP:
 * json_parse_body (src/core/json.c: UTF-8, NUL, depth, duplicate keys,
 * number range) and then json_fields_parse against a representative field
 * table (a participant's profile as src/people/people_http.c declares it:
 * strings, an email, enums, a date, a nested object, a list of objects,
 * lists of strings and integers; plus a time, an integer and a boolean),
 * which is what req_fields() runs.
 *
 * Input: the body bytes. Properties: a refusal always says why; what is
 * accepted is an object, and what jansson writes back from it is accepted
 * again; a validation failure names a field; accepted values keep to their
 * field's limits.
 */
#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "fuzz.h"

static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const formats[] = {"in_person", "online", "hybrid", NULL};
static const char *const mobility[] = {"wheelchair_user", "step_free_access", "seating", NULL};
static const char *const sensory[] = {"hearing_loop", "large_print", "captions", NULL};
static const char *const arts[] = {"painting",    "drawing", "music",   "singing",
                                   "theatre",     "dance",   "writing", "craft",
                                   "photography", "digital", NULL};
static const char *const contact[] = {"email", "phone", "sms", "post", "none", NULL};
static const char *const age_bands[] = {"under_18", "18_25", "26_40", "41_64", "65_plus", NULL};
static const char *const purposes[] = {
    "participation", "contact", "evaluation", "clinical_sharing", "peer_community", "media", NULL};
static const char *const givers[] = {"self", "guardian", "staff", NULL};

static const struct field emergency_fields[] = {
    {"name", FIELD_STRING, true, 1, 200},
    {"phone", FIELD_STRING, true, 3, 40},
    {"relationship", FIELD_STRING, false, 0, 100},
};
static const struct field availability_fields[] = {
    {"day", FIELD_ENUM, true, 0, 0, weekdays},
    {"start", FIELD_STRING, true, 5, 5},
    {"end", FIELD_STRING, true, 5, 5},
};
static const struct field needs_fields[] = {
    {"formats", FIELD_STRINGS, false, 1, 20, formats},
    {"mobility", FIELD_STRINGS, false, 1, 40, mobility},
    {"sensory", FIELD_STRINGS, false, 1, 40, sensory},
    {"transport_help", FIELD_BOOL},
    {"interpretation_language", FIELD_STRING, false, 2, 40},
    {"childcare", FIELD_BOOL},
    {"free_text", FIELD_STRING, false, 0, 2000},
};
static const struct field consent_fields[] = {
    {"purpose", FIELD_ENUM, true, 0, 0, purposes},
    {"granted", FIELD_BOOL, true},
    {"given_by", FIELD_ENUM, false, 0, 0, givers},
    {"text_version", FIELD_INT, false, 1, 1000},
};
static const struct field fields[] = {
    {"name", FIELD_STRING, true, 1, 200},
    {"preferred_name", FIELD_STRING, false, 0, 100},
    {"languages", FIELD_STRINGS, false, 2, 35, NULL, NULL, 0, 10},
    {"email", FIELD_EMAIL, false, 0, 254},
    {"pronouns", FIELD_STRING, false, 0, 50},
    {"phone", FIELD_STRING, false, 3, 40},
    {"preferred_contact", FIELD_ENUM, false, 0, 0, contact},
    {"age_band", FIELD_ENUM, false, 0, 0, age_bands},
    {"date_of_birth", FIELD_DATE},
    {"emergency_contact", FIELD_OBJECT, false, 0, 0, NULL, emergency_fields,
     sizeof emergency_fields / sizeof emergency_fields[0]},
    {"interests", FIELD_STRINGS, false, 1, 40, arts},
    {"availability", FIELD_OBJECTS, false, 0, 0, NULL, availability_fields,
     sizeof availability_fields / sizeof availability_fields[0], 21},
    {"needs", FIELD_OBJECT, false, 0, 0, NULL, needs_fields,
     sizeof needs_fields / sizeof needs_fields[0]},
    {"notes", FIELD_STRING, false, 0, 4000},
    {"organisation_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 10},
    {"consents", FIELD_OBJECTS, false, 0, 0, NULL, consent_fields,
     sizeof consent_fields / sizeof consent_fields[0], 12},
    {"starts_at", FIELD_TIME},
    {"capacity", FIELD_INT, false, 1, 500},
    {"online", FIELD_BOOL},
};
#define NF (sizeof fields / sizeof fields[0])

static void check_values(const struct field_value *v)
{
	for (size_t i = 0; i < NF; i++) {
		const struct field *f = &fields[i];
		if (!v[i].present) {
			CHECK(!f->required);
			continue;
		}
		switch (f->type) {
		case FIELD_STRING: {
			size_t n = strlen(v[i].s);
			CHECK((int64_t)n >= f->min && (int64_t)n <= (f->max ? f->max : 1000));
			break;
		}
		case FIELD_ENUM: {
			bool found = false;
			for (const char *const *c = f->choices; *c; c++)
				found |= *c == v[i].s;
			CHECK(found);
			break;
		}
		case FIELD_INT: CHECK(v[i].i >= f->min && v[i].i <= f->max); break;
		case FIELD_BOOL: CHECK(v[i].i == 0 || v[i].i == 1); break;
		case FIELD_EMAIL:
		case FIELD_DATE:
		case FIELD_TIME: CHECK(v[i].s != NULL); break;
		case FIELD_STRINGS:
		case FIELD_OBJECTS:
		case FIELD_INTS:
			CHECK(json_is_array(v[i].j));
			CHECK(json_array_size(v[i].j) <= (f->max_items ? f->max_items : 50));
			break;
		case FIELD_OBJECT: CHECK(json_is_object(v[i].j)); break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char err[300];
	memset(err, 'Z', sizeof err);
	json_t *body = json_parse_body((const char *)data, size, err, sizeof err);
	if (!body) {
		CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
		return 0;
	}
	CHECK(json_is_object(body));
	/* What jansson writes back is a body we take again. */
	char *again = json_dumps(body, JSON_COMPACT);
	CHECK(again != NULL);
	char err2[300];
	json_t *back = json_parse_body(again, strlen(again), err2, sizeof err2);
	CHECK(back != NULL);
	json_decref(back);
	free(again);

	struct arena *a = arena_new(1024);
	struct field_value v[NF];
	const char *bad = NULL;
	memset(err, 'Z', sizeof err);
	int rc = json_fields_parse(body, fields, NF, a, v, &bad, err, sizeof err);
	if (rc == 0) {
		CHECK(bad == NULL);
		check_values(v);
	} else {
		CHECK(rc < 0 && bad != NULL);
		CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
	}
	arena_free(a);
	json_decref(body);
	return 0;
}
