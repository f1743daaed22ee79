/*
 * The people module's HTTP edge, shared by its *_http.c files: the field
 * tables requests are validated with (and the OpenAPI schemas generated
 * from), the profile rules a field table cannot say, and the one exit of a
 * handler that writes (people_edge_finish: commit, or roll back and answer).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "people/edge_http.h"
#include "people/people_http.h"
#include "programs/programs.h" /* art_form_names: a person's interests are programmes' art forms */
#include "core/banned.h"

/* --- field tables --- */

static const char *const contact_methods[] = {"email", "phone", "sms", "post", "none", NULL};
static const char *const age_bands[] = {"under_18",          "18_25", "26_40", "41_64", "65_plus",
                                        "prefer_not_to_say", NULL};
static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const mobility[] = {"wheelchair_user",
                                       "step_free_access",
                                       "seating",
                                       "mobility_aid",
                                       "accessible_toilet",
                                       "lift",
                                       NULL};
static const char *const sensory[] = {
    "hearing_loop",      "large_print", "sign_language", "captions", "low_light",
    "audio_description", NULL};
static const char *const neuro[] = {
    "quiet_room", "breaks", "clear_instructions", "fidget_tools", "predictable_routine", NULL};
static const char *const givers[] = {"self", "guardian", "staff", NULL};
static const char *const methods[] = {"online", "paper", "verbal", NULL};
const char *const people_edge_langs[] = {"en", "es", NULL};

/* What the UI offers for these fields (GET /api/v1/meta). */
const struct meta_enum people_http_enums[] = {
    {"contact_methods", contact_methods},
    {"age_bands", age_bands},
    {"weekdays", weekdays},
    {"needs_mobility", mobility},
    {"needs_sensory", sensory},
    {"needs_neurodivergence", neuro},
    {"consent_givers", givers},
    {"consent_methods", methods},
    {"consent_languages", people_edge_langs},
    {NULL, NULL},
};

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
static const char *const formats[] = {"in_person", "online", "hybrid", NULL};
static const struct field needs_fields[] = {
    {"formats", FIELD_STRINGS, false, 1, 20, formats}, /* ways I can take part */
    {"mobility", FIELD_STRINGS, false, 1, 40, mobility},
    {"sensory", FIELD_STRINGS, false, 1, 40, sensory},
    {"neurodivergence", FIELD_STRINGS, false, 1, 40, neuro},
    {"interpretation_language", FIELD_STRING, false, 2, 40},
    {"childcare", FIELD_BOOL},
    {"caring_duties", FIELD_BOOL},
    {"transport_help", FIELD_BOOL},
    {"adaptive_equipment", FIELD_STRING, false, 0, 500},
    {"free_text", FIELD_STRING, false, 0, 2000},
};
static const struct field consent_fields[] = {
    {"purpose", FIELD_ENUM, true, 0, 0, purpose_names},
    {"granted", FIELD_BOOL, true},
    {"given_by", FIELD_ENUM, false, 0, 0, givers},
    {"method", FIELD_ENUM, false, 0, 0, methods},
    {"guardian_name", FIELD_STRING, false, 1, 200},
    {"text_version", FIELD_INT, false, 1, 1000},
    {"lang", FIELD_ENUM, false, 0, 0, people_edge_langs},
};

/* The profile: everything about a person that is sealed. Order matters:
 * the P_ indexes below name the slots. */
#define PROFILE_FIELDS(required)                                                                   \
	{"name", FIELD_STRING, required, 1, 200}, {"preferred_name", FIELD_STRING, false, 0, 100}, \
	    {"pronouns", FIELD_STRING, false, 0, 50},                                              \
	    {"languages", FIELD_STRINGS, false, 2, 35, NULL, NULL, 0, 10},                         \
	    {"email", FIELD_EMAIL, required, 0, 254}, {"phone", FIELD_STRING, false, 3, 40},       \
	    {"preferred_contact", FIELD_ENUM, false, 0, 0, contact_methods},                       \
	    {"age_band", FIELD_ENUM, false, 0, 0, age_bands}, {"date_of_birth", FIELD_DATE},       \
	    {"emergency_contact",      FIELD_OBJECT, false, 0, 0, NULL, emergency_fields,          \
	     NFIELDS(emergency_fields)},                                                           \
	    {"interests", FIELD_STRINGS, false, 1, 40, art_form_names},                            \
	    {"availability",                                                                       \
	     FIELD_OBJECTS,                                                                        \
	     false,                                                                                \
	     0,                                                                                    \
	     0,                                                                                    \
	     NULL,                                                                                 \
	     availability_fields,                                                                  \
	     NFIELDS(availability_fields),                                                         \
	     21},                                                                                  \
	{                                                                                          \
		"needs", FIELD_OBJECT, false, 0, 0, NULL, needs_fields, NFIELDS(needs_fields)      \
	}

static const struct field create_fields[] = {
    PROFILE_FIELDS(true),
    {"notes", FIELD_STRING, false, 0, 4000},
    {"organisation_ids", FIELD_INTS, false, 1, 0, NULL, NULL, 0, 10},
    {"consents", FIELD_OBJECTS, false, 0, 0, NULL, consent_fields, NFIELDS(consent_fields), 12},
};
static const struct field update_fields[] = {
    PROFILE_FIELDS(false),
    {"notes", FIELD_STRING, false, 0, 4000},
};
/* What a person may correct about themself: no staff notes, no orgs. */
static const struct field self_update_fields[] = {
    PROFILE_FIELDS(false),
};
const struct field_table people_http_create_body = FIELD_TABLE(create_fields);
const struct field_table people_http_update_body = FIELD_TABLE(update_fields);
const struct field_table people_http_me_update_body = FIELD_TABLE(self_update_fields);
const struct field_table people_http_consent_record_body = FIELD_TABLE(consent_fields);
/* Keys of the body that are not part of the sealed profile. */
static const char *const not_profile[] = {"organisation_ids", "consents", "form_token", "website",
                                          NULL};

static const struct field register_fields[] = {
    PROFILE_FIELDS(true),
    {"organisation_id", FIELD_INT, true, 1},
    {"consents", FIELD_OBJECTS, true, 0, 0, NULL, consent_fields, NFIELDS(consent_fields), 12},
    {"form_token", FIELD_STRING, true, 10, 200},
    {"website", FIELD_STRING, false, 0, 200}, /* a honeypot: people leave it empty */
};
const struct field_table people_http_register_body = FIELD_TABLE(register_fields);

/* --- helpers --- */

/* Whole years between dob and now (both epoch seconds, UTC). */
static int age_years(int64_t dob, int64_t now)
{
	time_t a = (time_t)dob, b = (time_t)now;
	struct tm d, n;
	gmtime_r(&a, &d);
	gmtime_r(&b, &n);
	int years = n.tm_year - d.tm_year;
	if (n.tm_mon < d.tm_mon || (n.tm_mon == d.tm_mon && n.tm_mday < d.tm_mday))
		years--;
	return years;
}

static bool hhmm_valid(const char *s)
{
	return strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] == ':' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' &&
	       (s[0] < '2' || s[1] <= '3');
}

const struct people_refusal *people_edge_refuse(struct req *r, int status, const char *field,
                                                const char *fmt, ...)
{
	struct people_refusal *ref = arena_alloc(r->arena, sizeof *ref);
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memset(ref, 0, sizeof *ref);
	ref->status = status;
	ref->field = field;
	ref->detail = arena_strdup(r->arena, msg);
	return ref;
}

const struct people_refusal *people_edge_profile_rules(struct req *r, json_t *doc,
                                                       const char **age_band, bool *is_minor)
{
	const char *phone = json_string_value(json_object_get(doc, "phone"));
	if (phone && !people_phone_valid(phone)) {
		return people_edge_refuse(r, 400, "phone",
		                          "phone must be a phone number (7 to 15 digits)");
	}
	json_t *ec = json_object_get(doc, "emergency_contact");
	const char *ecp = json_string_value(json_object_get(ec, "phone"));
	if (ecp && !people_phone_valid(ecp)) {
		return people_edge_refuse(
		    r, 400, "emergency_contact.phone",
		    "emergency_contact.phone must be a phone number (7 to 15 digits)");
	}
	size_t i;
	json_t *slot;
	json_array_foreach(json_object_get(doc, "availability"), i, slot)
	{
		const char *st = json_string_value(json_object_get(slot, "start"));
		const char *en = json_string_value(json_object_get(slot, "end"));
		if (!st || !en || !hhmm_valid(st) || !hhmm_valid(en) || strcmp(st, en) >= 0) {
			return people_edge_refuse(
			    r, 400, arena_printf(r->arena, "availability[%zu]", i),
			    "availability[%zu]: start and end must be times like "
			    "09:30, start before end",
			    i);
		}
	}
	*age_band = json_string_value(json_object_get(doc, "age_band"));
	*is_minor = *age_band && strcmp(*age_band, "under_18") == 0;
	const char *dob = json_string_value(json_object_get(doc, "date_of_birth"));
	if (dob) {
		int64_t t;
		util_parse_iso8601(dob, &t); /* validated by the field table */
		int age = age_years(t, util_now());
		if (t > util_now() || age > 120) {
			return people_edge_refuse(r, 400, "date_of_birth",
			                          "date_of_birth is not a plausible date of birth");
		}
		*is_minor = age < 18;
		if (*is_minor)
			*age_band = "under_18";
		else if (!*age_band)
			/* Derived, so those who may not see the date still see the band. */
			*age_band = age <= 25   ? "18_25"
			            : age <= 40 ? "26_40"
			            : age <= 64 ? "41_64"
			                        : "65_plus";
		else if (*age_band && strcmp(*age_band, "under_18") == 0) {
			return people_edge_refuse(r, 400, "age_band",
			                          "age_band under_18 does not match date_of_birth");
		}
	} else if (*is_minor) {
		return people_edge_refuse(r, 400, "date_of_birth",
		                          "date_of_birth is needed for a person under 18");
	}
	return NULL;
}

/* A copy of v with every string in Unicode NFC, so that a name typed as
 * "e" + a combining accent is kept and shown like one typed composed. */
static json_t *nfc_json(json_t *v)
{
	json_t *o = NULL, *x;
	if (json_is_string(v)) {
		char *s = util_utf8_normal(NULL, json_string_value(v), json_string_length(v),
		                           UTIL_FOLD_NONE);
		o = json_string(s);
		free(s);
	} else if (json_is_array(v)) {
		size_t i;
		o = json_array();
		json_array_foreach(v, i, x) json_array_append_new(o, nfc_json(x));
	} else if (json_is_object(v)) {
		const char *k;
		o = json_object();
		json_object_foreach(v, k, x) json_object_set_new(o, k, nfc_json(x));
	}
	return o ? o : json_incref(v);
}

/* The profile document: the body without relational fields, nulls dropped,
 * text in NFC. */
json_t *people_edge_profile_doc(json_t *body, json_t *base)
{
	json_t *doc = base ? json_deep_copy(base) : json_object();
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		bool skip = false;
		for (const char *const *n = not_profile; *n; n++)
			skip |= strcmp(*n, k) == 0;
		if (skip)
			continue;
		if (json_is_null(v))
			json_object_del(doc, k);
		else
			json_object_set_new(doc, k, nfc_json(v));
	}
	/* Emails are stored as validated: NFC, lower case, trimmed. */
	const char *e = json_string_value(json_object_get(body, "email"));
	if (e) {
		char *norm = util_normalise_email(NULL, e);
		json_object_set_new(doc, "email", json_string(norm));
		free(norm);
	}
	return doc;
}

const char *people_edge_dumps(struct req *r, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	const char *out = arena_strdup(r->arena, s ? s : "{}");
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
	return out;
}

const char *people_edge_res(struct req *r, int64_t id)
{
	return arena_printf(r->arena, "participant:%" PRId64, id);
}

const struct people_refusal people_edge_gone = {
    410, NULL, "this person's record was erased; only a tombstone without identity remains", 0,
    false};

/* Records a list of consents (validated by consent_fields) for id. */
int people_edge_record_consents(struct req *r, int64_t id, json_t *list, const char *default_giver,
                                const char *default_method, const char **bad, char *err,
                                size_t errlen)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		struct consent_in in = {
		    .purpose = (enum consent_purpose)people_purpose_from_name(
		        json_string_value(json_object_get(c, "purpose"))),
		    .granted = json_is_true(json_object_get(c, "granted")),
		    .given_by = json_string_value(json_object_get(c, "given_by")),
		    .method = json_string_value(json_object_get(c, "method")),
		    .guardian_name = json_string_value(json_object_get(c, "guardian_name")),
		    .version = json_integer_value(json_object_get(c, "text_version")),
		    .lang = json_string_value(json_object_get(c, "lang")),
		    .recorded_by = r->actor.user_id,
		};
		if (!in.given_by)
			in.given_by = default_giver;
		if (!in.method)
			in.method = default_method;
		if (!in.lang)
			in.lang = "en";
		int64_t cid;
		const char *inner = NULL;
		int rc = people__consent_record(px(r), req_db(r), r->arena, id, &in, &cid, &inner,
		                                err, errlen);
		if (rc) {
			*bad = arena_printf(r->arena, "consents[%zu].%s", i,
			                    inner ? inner : "purpose");
			return rc;
		}
	}
	return 0;
}

const struct people_refusal *people_edge_refusal(struct req *r, int rc, const char *bad,
                                                 const char *err)
{
	if (!bad || (rc != -HEARTH_ECONFLICT && rc != -HEARTH_EINVAL))
		return NULL;
	struct people_refusal *ref = arena_alloc(r->arena, sizeof *ref);
	memset(ref, 0, sizeof *ref);
	ref->detail = arena_strdup(r->arena, err);
	if (rc == -HEARTH_ECONFLICT && strcmp(bad, "id") == 0) {
		ref->status = 410; /* the person was erased */
	} else {
		ref->status = rc == -HEARTH_EINVAL ? 400 : 409;
		ref->field = bad;
	}
	return ref;
}

bool people_edge_finish(struct req *r, int rc, const struct people_refusal *ref, const char *action,
                        const char *resource, const char *what)
{
	struct db_conn *c = req_db(r);
	if (ref && (ref->status || ref->error)) {
		if (ref->audited && db_in_transaction(c)) {
			/* Refusals of a person's record are audited too. */
			if (req_audit(r, action, resource, "denied") != 0 || db_commit(c) != 0)
				req_rollback(r);
		} else if (db_in_transaction(c)) {
			req_rollback(r);
		}
		if (ref->error) {
			http_error(r, ref->error, what); /* as if there were no such thing */
		} else if (ref->retry > 0) {
			json_t *ext = json_pack("{s:I}", "retry_after", (json_int_t)ref->retry);
			if (ref->field)
				json_object_set_new(ext, "field", json_string(ref->field));
			http_add_header(r, "Retry-After: %" PRId64, ref->retry);
			http_problem_ext(r, ref->status, ext, "%s", ref->detail);
		} else if (ref->field) {
			bad_field(r, ref->status, ref->field, "%s", ref->detail);
		} else {
			http_problem(r, ref->status, "%s", ref->detail);
		}
		return false;
	}
	if (action)
		return req_commit(r, rc, action, resource, what);
	if (!rc && db_in_transaction(c))
		rc = db_commit(c);
	if (rc) {
		req_rollback(r);
		http_error(r, rc, what);
		return false;
	}
	return true;
}

/* A person's latest erasure request as the API shows it, or JSON null.
 * pending_only: only a request still waiting (the flag staff see). */
int people_edge_erasure_json(struct req *r, int64_t id, bool pending_only, json_t **out)
{
	struct erasure_row row;
	*out = NULL;
	int rc = people__erasure_latest(px(r), req_db(r), r->arena, id, &row);
	if (rc && rc != -HEARTH_ENOTFOUND)
		return rc;
	if (rc || (pending_only && strcmp(row.status, "pending") != 0)) {
		*out = json_null();
		return 0;
	}
	char at[32], decided[32];
	util_iso8601(at, sizeof at, row.requested_at);
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)row.id, "status", row.status,
	                      "requested_at", at);
	if (row.decided_at) {
		util_iso8601(decided, sizeof decided, row.decided_at);
		json_object_set_new(o, "decided_at", json_string(decided));
	}
	if (row.reason)
		json_object_set_new(o, "reason", json_string(row.reason));
	*out = o;
	return 0;
}

/* Finds the participant linked to the logged-in person; answers 404. */
int64_t people_edge_my_id(struct req *r)
{
	int64_t id = 0;
	int rc = r->actor.user_id ? people__by_user(req_db(r), r->actor.user_id, &id)
	                          : -HEARTH_ENOTFOUND;
	if (rc == -HEARTH_ENOTFOUND) {
		http_problem(r, 404, "no participant record is linked to your login");
		return 0;
	}
	if (rc) {
		http_error(r, rc, "your record");
		return 0;
	}
	return id;
}

/* Reads the person's own record, audited as a self-read. */
bool people_edge_load_self(struct req *r, int64_t id, struct person_row *p,
                           struct consent_row **rows, size_t *n, const char *action)
{
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, p);
	if (!rc && p->erased)
		rc = -HEARTH_ENOTFOUND;
	if (!rc)
		rc = people__consents(px(r), c, r->arena, id, rows, n);
	if (!rc)
		rc = people__touch(c, id);
	return req_commit(r, rc, action, people_edge_res(r, id), "your record");
}
