/*
 * HTTP edge of the people module: participants (register, search, read,
 * correct, erase), consent on a person's behalf and by the person, the
 * person's own page and data export, self-registration with account codes,
 * data-sharing agreements, erasure requests and retention.
 *
 * Every read of a person's record is audited in the same transaction as the
 * read; every write is audited; nothing is half-written.
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
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "people/internal.h"
#include "audit/audit.h"
#include "people/people_http.h"
#include "http/meta.h"
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
static const char *const langs[] = {"en", "es", NULL};

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
    {"consent_languages", langs},
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
    {"lang", FIELD_ENUM, false, 0, 0, langs},
};

/* The profile: everything about a person that is sealed. Order matters:
 * the P_ indexes below name the slots. */
enum {
	P_NAME,
	P_PREFERRED,
	P_PRONOUNS,
	P_LANGUAGES,
	P_EMAIL,
	P_PHONE,
	P_CONTACT,
	P_AGE_BAND,
	P_DOB,
	P_EMERGENCY,
	P_INTERESTS,
	P_AVAILABILITY,
	P_NEEDS,
	P_NOTES,
	P_ORGS,
	P_CONSENTS,
	P__MAX
};
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

/* --- helpers --- */

static const struct people_ctx *px(struct req *r)
{
	return &r->app->people;
}

#define bad_field http_field_problem

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

/* Checks what field tables cannot: phone shapes, times, dates, age. Works
 * on the merged profile document. Fills *age_band and *is_minor. */
static bool profile_rules(struct req *r, json_t *doc, const char **age_band, bool *is_minor)
{
	const char *phone = json_string_value(json_object_get(doc, "phone"));
	if (phone && !people_phone_valid(phone)) {
		bad_field(r, 400, "phone", "phone must be a phone number (7 to 15 digits)");
		return false;
	}
	json_t *ec = json_object_get(doc, "emergency_contact");
	const char *ecp = json_string_value(json_object_get(ec, "phone"));
	if (ecp && !people_phone_valid(ecp)) {
		bad_field(r, 400, "emergency_contact.phone",
		          "emergency_contact.phone must be a phone number (7 to 15 digits)");
		return false;
	}
	size_t i;
	json_t *slot;
	json_array_foreach(json_object_get(doc, "availability"), i, slot)
	{
		const char *st = json_string_value(json_object_get(slot, "start"));
		const char *en = json_string_value(json_object_get(slot, "end"));
		if (!st || !en || !hhmm_valid(st) || !hhmm_valid(en) || strcmp(st, en) >= 0) {
			http_problem_ext(
			    r, 400,
			    json_pack("{s:s}", "field",
			              arena_printf(r->arena, "availability[%zu]", i)),
			    "availability[%zu]: start and end must be times like 09:30, "
			    "start before end",
			    i);
			return false;
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
			bad_field(r, 400, "date_of_birth",
			          "date_of_birth is not a plausible date of birth");
			return false;
		}
		*is_minor = age < 18;
		if (*is_minor)
			*age_band = "under_18";
		else if (!*age_band)
			/* Derived, so those who may not see the date still see the band. */
			*age_band = age <= 25 ? "18_25" : age <= 40 ? "26_40" : age <= 64 ? "41_64" : "65_plus";
		else if (*age_band && strcmp(*age_band, "under_18") == 0) {
			bad_field(r, 400, "age_band",
			          "age_band under_18 does not match date_of_birth");
			return false;
		}
	} else if (*is_minor) {
		bad_field(r, 400, "date_of_birth", "date_of_birth is needed for a person under 18");
		return false;
	}
	return true;
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
static json_t *profile_doc(json_t *body, json_t *base)
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

static const char *dumps(struct req *r, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	const char *out = arena_strdup(r->arena, s ? s : "{}");
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
	return out;
}

static const char *res_of(struct req *r, int64_t id)
{
	return arena_printf(r->arena, "participant:%" PRId64, id);
}

/* Organisations where the actor has one of the roles in mask. */
static size_t actor_orgs(const struct actor *a, uint32_t mask, int64_t *out, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < a->nmemberships && n < max; i++) {
		if (!((1u << a->memberships[i].role) & mask))
			continue;
		size_t k;
		for (k = 0; k < n; k++)
			if (out[k] == a->memberships[i].organisation_id)
				break;
		if (k == n)
			out[n++] = a->memberships[i].organisation_id;
	}
	return n;
}

#define STAFF_MASK                                                                  \
	((1u << ROLE_ADMIN) | (1u << ROLE_COORDINATOR) | (1u << ROLE_FACILITATOR) | \
	 (1u << ROLE_CLINICIAN) | (1u << ROLE_PEER_SUPPORTER))
#define MANAGE_MASK ((1u << ROLE_ADMIN) | (1u << ROLE_COORDINATOR))

/* True when the actor holds a role in mask in one of the person's
 * organisations. */
static bool serves(const struct actor *a, uint32_t mask, const struct person_row *p)
{
	int64_t mine[16];
	size_t nmine = actor_orgs(a, mask, mine, 16);
	for (size_t i = 0; i < nmine; i++)
		for (size_t k = 0; k < p->norgs; k++)
			if (p->org_ids[k] == mine[i])
				return true;
	return false;
}

/* The roles the actor holds in one of the person's organisations. */
static uint32_t roles_in(const struct actor *a, const struct person_row *p)
{
	uint32_t roles = 0;
	for (int i = 0; i < a->nmemberships; i++)
		for (size_t k = 0; k < p->norgs; k++)
			if (p->org_ids[k] == a->memberships[i].organisation_id)
				roles |= 1u << a->memberships[i].role;
	return roles;
}

/* The person's latest decision per purpose, as an object. */
static json_t *consent_state(struct consent_row *rows, size_t n)
{
	json_t *o = json_object();
	for (int p = 0; p < PURPOSE__MAX; p++)
		json_object_set_new(o, purpose_names[p],
		                    json_pack("{s:b, s:n}", "granted", 0, "at"));
	for (size_t i = 0; i < n; i++) {
		char at[32];
		util_iso8601(at, sizeof at, rows[i].at);
		json_object_set_new(o, rows[i].purpose,
		                    json_pack("{s:b, s:s, s:s, s:I}", "granted", rows[i].granted,
		                              "at", at, "given_by", rows[i].given_by,
		                              "text_version", (json_int_t)rows[i].version));
	}
	return o;
}

static json_t *consent_history(struct consent_row *rows, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[32];
		util_iso8601(at, sizeof at, rows[i].at);
		json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:s, s:I, s:s, s:s}", "id",
		                      (json_int_t)rows[i].id, "purpose", rows[i].purpose, "granted",
		                      rows[i].granted, "given_by", rows[i].given_by, "method",
		                      rows[i].method, "text_version", (json_int_t)rows[i].version,
		                      "lang", rows[i].lang, "at", at);
		json_object_set_new(o, "guardian_name",
		                    rows[i].guardian_name ? json_string(rows[i].guardian_name)
		                                          : json_null());
		json_object_set_new(o, "recorded_by",
		                    rows[i].recorded_by ? json_integer(rows[i].recorded_by)
		                                        : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The JSON for a person: profile fields, then what is not sealed. */
static json_t *person_json(struct person_row *p, struct consent_row *rows, size_t n, bool notes)
{
	json_t *o = NULL;
	if (p->profile)
		o = json_loads(p->profile, 0, NULL);
	if (!o)
		o = json_object();
	if (!notes)
		json_object_del(o, "notes");
	json_t *orgs = json_array();
	for (size_t i = 0; i < p->norgs; i++)
		json_array_append_new(orgs, json_integer(p->org_ids[i]));
	char created[32], updated[32];
	util_iso8601(created, sizeof created, p->created_at);
	util_iso8601(updated, sizeof updated, p->updated_at);
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "status", json_string("active"));
	json_object_set_new(o, "is_minor", json_boolean(p->is_minor));
	if (p->age_band && !json_object_get(o, "age_band"))
		json_object_set_new(o, "age_band",
		                    json_string(p->age_band)); /* derived from date of birth */
	json_object_set_new(o, "organisation_ids", orgs);
	json_object_set_new(o, "has_account", json_boolean(p->user_id != 0));
	json_object_set_new(o, "created_at", json_string(created));
	json_object_set_new(o, "updated_at", json_string(updated));
	if (rows)
		json_object_set_new(o, "consents", consent_state(rows, n));
	return o;
}

/* Only the fields of the contact category, for a partner organisation. */
static json_t *contact_json(struct person_row *p)
{
	json_t *full = p->profile ? json_loads(p->profile, 0, NULL) : NULL;
	json_t *o = json_object();
	static const char *const keys[] = {
	    "name",  "preferred_name", "pronouns",          "languages",
	    "email", "phone",          "preferred_contact", NULL};
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(full, *k);
		if (v)
			json_object_set(o, *k, v);
	}
	json_decref(full);
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "status", json_string("active"));
	json_object_set_new(o, "shared_categories", json_pack("[s]", "contact"));
	return o;
}

static void gone(struct req *r)
{
	http_problem(r, 410,
	             "this person's record was erased; only a tombstone without identity remains");
}

/* Records a list of consents (validated by consent_fields) for id. */
static int record_consents(struct req *r, int64_t id, json_t *list, const char *default_giver,
                           const char *default_method, const char **bad, char *err, size_t errlen)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		struct consent_in in = {
		    .purpose = (enum consent_purpose)purpose_from_name(
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

/* Answers a failed consent or create with the right status. */
static void answer_rc(struct req *r, int rc, const char *bad, const char *err, const char *what)
{
	if (rc == -HEARTH_ECONFLICT && bad && strcmp(bad, "id") == 0) {
		http_problem(r, 410, "%s", err); /* the person was erased */
	} else if (rc == -HEARTH_EINVAL && bad) {
		bad_field(r, 400, bad, "%s", err);
	} else if (rc == -HEARTH_ECONFLICT && bad) {
		bad_field(r, 409, bad, "%s", err);
	} else {
		http_error(r, rc, what);
	}
}

/* --- staff: participants --- */

void people_http_create(struct req *r)
{
	struct field_value v[NFIELDS(create_fields)];
	int64_t orgs[10];
	size_t norgs = 0, i;
	json_t *x;
	const char *age_band, *bad = NULL;
	bool is_minor;
	char err[400] = "";
	if (!req_body_fields(r, &people_http_create_body, v))
		return;
	/* Organisations: given ones must be the actor's own; default to them. */
	int64_t mine[16];
	size_t nmine = actor_orgs(&r->actor, STAFF_MASK, mine, 16);
	if (v[P_ORGS].present) {
		json_array_foreach(v[P_ORGS].j, i, x)
		{
			int64_t org = json_integer_value(x);
			size_t k;
			for (k = 0; k < nmine; k++)
				if (mine[k] == org)
					break;
			if (k == nmine) {
				bad_field(r, 403, "organisation_ids",
				          "you can only register people in your own organisations");
				return;
			}
			orgs[norgs++] = org;
		}
	} else {
		norgs = nmine < 10 ? nmine : 10;
		memcpy(orgs, mine, norgs * sizeof *orgs);
	}
	if (!norgs) {
		bad_field(r, 400, "organisation_ids",
		          "organisation_ids: name at least one organisation");
		return;
	}
	json_t *doc = profile_doc(r->body, NULL);
	if (!profile_rules(r, doc, &age_band, &is_minor)) {
		json_decref(doc);
		return;
	}
	struct person_new in = {
	    .profile = dumps(r, doc),
	    .name = v[P_NAME].s,
	    .email = v[P_EMAIL].s,
	    .phone = v[P_PHONE].s,
	    .age_band = age_band ? arena_strdup(r->arena, age_band) : NULL,
	    .is_minor = is_minor,
	    .org_ids = orgs,
	    .norgs = norgs,
	    .created_by = r->actor.user_id,
	};
	json_decref(doc);
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__create(px(r), c, r->arena, &in, &id);
	if (rc == -HEARTH_ECONFLICT) {
		db_rollback(c);
		if (id)
			people_key_destroy(px(r), id);
		bad_field(r, 409, "email", "a person with this email is already registered");
		return;
	}
	if (!rc && v[P_CONSENTS].present)
		rc = record_consents(r, id, v[P_CONSENTS].j, "staff", "paper", &bad, err,
		                     sizeof err);
	if (rc) {
		db_rollback(c);
		if (id)
			people_key_destroy(px(r), id);
		answer_rc(r, rc, bad, err, "the person");
		return;
	}
	if (!req_commit(r, 0, "participant.create", res_of(r, id), "the person")) {
		people_key_destroy(px(r), id);
		return;
	}
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* A person's latest erasure request as the API shows it, or JSON null.
 * pending_only: only a request still waiting (the flag staff see). */
static json_t *erasure_json(struct req *r, int64_t id, bool pending_only)
{
	struct erasure_row row;
	if (people__erasure_latest(px(r), req_db(r), r->arena, id, &row) != 0 ||
	    (pending_only && strcmp(row.status, "pending") != 0))
		return json_null();
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
	return o;
}

/* Reads a person for the actor, audited; answers errors itself. Returns
 * true with *p filled when the actor may see the whole record; *contact_only
 * when only the contact category is shared with them. */
static bool load_for_actor(struct req *r, int64_t id, struct person_row *p, bool *contact_only,
                           const char *action, bool whole_record_only)
{
	struct db_conn *c = req_db(r);
	*contact_only = false;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, p);
	if (rc) {
		db_rollback(c);
		http_error(r, rc, "the person");
		return false;
	}
	if (!serves(&r->actor, STAFF_MASK, p)) {
		if (!whole_record_only && !p->erased &&
		    people_sharing_allows(c, &r->actor, id, SHARE_CONTACT)) {
			*contact_only = true;
		} else {
			/* Denials of a person's record are audited too. */
			(void)req_audit(r, action, res_of(r, id), "denied");
			db_commit(c);
			http_problem(r, 403,
			             "this person is not in your organisation and no data-sharing "
			             "agreement with their consent covers you");
			return false;
		}
	}
	if (p->erased) {
		db_rollback(c);
		gone(r);
		return false;
	}
	if (!req_commit(r, 0, action, res_of(r, id), "the person"))
		return false;
	return true;
}

void people_http_get(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	bool contact_only;
	if (!load_for_actor(r, id, &p, &contact_only, "participant.read", false))
		return;
	if (contact_only) {
		http_json(r, 200, contact_json(&p));
		return;
	}
	struct consent_row *rows;
	size_t n;
	int rc = people__consents(px(r), req_db(r), r->arena, id, &rows, &n);
	if (rc) {
		http_error(r, rc, "consents");
		return;
	}
	json_t *o = person_json(&p, rows, n, true);
	/* Staff of the person's organisation see that they asked to be erased. */
	json_object_set_new(o, "erasure_request", erasure_json(r, id, true));
	/* What the reader's roles in the person's organisations may not see
	 * (the policy decides: volunteers see less). */
	for (const char *const *k = policy_person_hidden(roles_in(&r->actor, &p)); *k; k++)
		json_object_del(o, *k);
	http_json(r, 200, o);
}

void people_http_list(struct req *r)
{
	const char *field = NULL, *value = NULL;
	static const char *const searchable[] = {"email", "phone", "name"};
	for (size_t i = 0; i < 3; i++) {
		const char *q = req_query(r, searchable[i]);
		if (q) {
			if (field) {
				bad_field(r, 400, searchable[i],
				          "search by one of email, phone or name at a time");
				return;
			}
			field = searchable[i];
			value = q;
		}
	}
	int64_t ids[100];
	size_t n = 0;
	struct db_conn *c = req_db(r);
	int64_t mine[16];
	size_t nmine = actor_orgs(&r->actor, STAFF_MASK, mine, 16);
	int rc;
	if (field) {
		const char *norm = strcmp(field, "email") == 0
		                       ? util_normalise_email(r->arena, value)
		                   : strcmp(field, "phone") == 0
		                       ? people_normalise_phone(r->arena, value)
		                       : people_normalise_name(r->arena, value);
		if (!*norm || strlen(norm) > 254) {
			bad_field(r, 400, field, "%s must not be empty", field);
			return;
		}
		rc = people__find_value(px(r), c, r->arena, field, value, ids, 20, &n);
	} else {
		const char *after = req_query(r, "after"), *limit = req_query(r, "limit");
		long long a = after ? strtoll(after, NULL, 10) : 0,
		          l = limit ? strtoll(limit, NULL, 10) : 50;
		if (a < 0 || l < 1 || l > 100) {
			bad_field(r, 400, "limit",
			          "limit must be 1 to 100 and after a non-negative id");
			return;
		}
		rc = people__list_for_orgs(c, mine, nmine, a, (int)l, ids, &n);
	}
	if (rc) {
		http_error(r, rc, "people");
		return;
	}
	/* Each person shown is a read of their record: audited, and only those
	 * the actor may see. */
	json_t *items = json_array();
	if ((rc = db_begin(c, true)) != 0) {
		json_decref(items);
		http_error(r, rc, "people");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct person_row p;
		if (people__get(px(r), c, r->arena, ids[i], &p) || p.erased)
			continue;
		bool own = serves(&r->actor, STAFF_MASK, &p);
		json_t *full = p.profile ? json_loads(p.profile, 0, NULL) : NULL;
		json_t *item = NULL;
		if (own)
			item = json_pack("{s:I, s:O?, s:O?, s:O?, s:O?, s:b}", "id",
			                 (json_int_t)p.id, "name", json_object_get(full, "name"),
			                 "preferred_name", json_object_get(full, "preferred_name"),
			                 "email", json_object_get(full, "email"), "phone",
			                 json_object_get(full, "phone"), "is_minor", p.is_minor);
		else if (people_sharing_allows(c, &r->actor, p.id, SHARE_CONTACT))
			item = contact_json(&p);
		json_decref(full);
		if (!item)
			continue;
		json_array_append_new(items, item);
		if ((rc = req_audit(r, field ? "participant.search" : "participant.list",
		                    res_of(r, p.id), "success")) != 0)
			break;
	}
	if (!rc)
		rc = db_commit(c);
	if (rc) {
		db_rollback(c);
		json_decref(items);
		http_error(r, rc, "people");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Shared by staff and self updates: merges body into the profile. */
/* How many times a day a participant may change their own email. */
#define EMAIL_CHANGES_PER_DAY 5

static bool same_email(struct req *r, const char *profile, const char *email)
{
	json_t *doc = json_loads(profile ? profile : "{}", 0, NULL);
	const char *old = json_string_value(json_object_get(doc, "email"));
	bool same = old && email &&
	            strcmp(util_normalise_email(r->arena, old), util_normalise_email(r->arena, email)) == 0;
	json_decref(doc);
	return same || (!old && !email);
}

static int email_change_hit(struct req *r, struct db_conn *c, int64_t user_id, int64_t *retry)
{
	char who[32];
	snprintf(who, sizeof who, "u%" PRId64, user_id);
	return auth_rate_hit(c, &r->app->kr, "email", who, 86400, EMAIL_CHANGES_PER_DAY, retry);
}

static void too_many_changes(struct req *r, int64_t retry)
{
	http_add_header(r, "Retry-After: %" PRId64, retry);
	http_problem_ext(r, 429,
	                 json_pack("{s:I, s:s}", "retry_after", (json_int_t)retry, "field", "email"),
	                 "email: too many changes of email today; try again in %" PRId64
	                 " seconds",
	                 retry);
}

static void update_person(struct req *r, int64_t id, bool self)
{
	struct field_value v[NFIELDS(update_fields)];
	const char *age_band;
	bool is_minor;
	if (!req_body_fields(r, self ? &people_http_me_update_body : &people_http_update_body, v))
		return;
	if ((v[P_NAME].present || json_is_null(json_object_get(r->body, "name"))) &&
	    !v[P_NAME].present) {
		bad_field(r, 400, "name", "name cannot be removed");
		return;
	}
	if (json_is_null(json_object_get(r->body, "email"))) {
		bad_field(r, 400, "email", "email cannot be removed");
		return;
	}
	struct db_conn *c = req_db(r);
	struct person_row p;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (rc) {
		db_rollback(c);
		http_error(r, rc, "the person");
		return;
	}
	if (p.erased) {
		db_rollback(c);
		gone(r);
		return;
	}
	if (!self) {
		if (!serves(&r->actor, MANAGE_MASK, &p)) {
			db_rollback(c);
			http_problem(
			    r, 403,
			    "only staff of this person's organisation may change the record");
			return;
		}
	}
	json_t *base = json_loads(p.profile ? p.profile : "{}", 0, NULL);
	json_t *doc = profile_doc(r->body, base);
	json_decref(base);
	if (!profile_rules(r, doc, &age_band, &is_minor)) {
		db_rollback(c);
		json_decref(doc);
		return;
	}
	const char *text = dumps(r, doc);
	const char *name = arena_strdup(r->arena, json_string_value(json_object_get(doc, "name")));
	const char *email =
	    arena_strdup(r->arena, json_string_value(json_object_get(doc, "email")));
	const char *phone =
	    arena_strdup(r->arena, json_string_value(json_object_get(doc, "phone")));
	const char *band = age_band ? arena_strdup(r->arena, age_band) : NULL;
	json_decref(doc);
	/* A participant may change their own email a few times a day: every
	 * change counts, whether the address turns out to be taken or not, so
	 * the answer cannot be used to test addresses one after another. */
	bool email_change = self && !same_email(r, p.profile, email);
	int64_t retry = 0;
	if (email_change &&
	    (rc = email_change_hit(r, c, p.user_id, &retry)) == -HEARTH_ELOCKED) {
		db_rollback(c);
		too_many_changes(r, retry);
		return;
	}
	if (!rc)
		rc = people__update(px(r), c, r->arena, id, text, name, email, phone, band,
		                    is_minor);
	if (!rc && p.user_id) {
		/* Their login follows their email (stored as a keyed hash). */
		char login[80];
		auth_login_key(&r->app->kr, email, login);
		rc = auth_user_set_login(c, p.user_id, login);
	}
	if (rc == -HEARTH_ECONFLICT) {
		db_rollback(c);
		/* The refused change counts too (its count rolled back with it). */
		if (email_change) {
			rc = db_begin(c, true);
			if (!rc && (rc = email_change_hit(r, c, p.user_id, &retry)) == 0)
				rc = db_commit(c);
			db_rollback(c);
			if (rc == -HEARTH_ELOCKED) {
				too_many_changes(r, retry);
				return;
			}
			if (rc) {
				http_error(r, rc, "the person");
				return;
			}
		}
		bad_field(r, 409, "email", "another person is registered with this email");
		return;
	}
	if (!req_commit(r, rc, self ? "self.participant.update" : "participant.update",
	                res_of(r, id), "the person"))
		return;
	http_no_content(r);
}

void people_http_update(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	update_person(r, id, false);
}

void people_http_erase(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	struct db_conn *c = req_db(r);
	int rc = people__get(px(r), c, r->arena, id, &p);
	if (rc) {
		http_error(r, rc, "the person");
		return;
	}
	if (!serves(&r->actor, MANAGE_MASK, &p)) {
		http_problem(r, 403,
		             "only staff of this person's organisation may erase the record");
		return;
	}
	rc = people_erase(px(r), c, id, r->actor.user_id, r->request_id);
	if (rc == -HEARTH_ECONFLICT) {
		gone(r);
		return;
	}
	if (rc) {
		http_error(r, rc, "the erasure");
		return;
	}
	http_no_content(r);
}

void people_http_consents(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	bool contact_only;
	/* Consent history is not part of any shared category: only the
	 * person's own organisation sees it. */
	if (!load_for_actor(r, id, &p, &contact_only, "consent.read", true))
		return;
	struct consent_row *rows;
	size_t n;
	int rc = people__consents(px(r), req_db(r), r->arena, id, &rows, &n);
	if (rc) {
		http_error(r, rc, "consents");
		return;
	}
	http_json(r, 200,
	          json_pack("{s:o, s:o}", "current", consent_state(rows, n), "history",
	                    consent_history(rows, n)));
}

void people_http_consent_record(struct req *r)
{
	struct field_value v[NFIELDS(consent_fields)];
	int64_t id = req_param_id(r, "id");
	const char *bad = NULL;
	char err[400] = "";
	if (!req_body_fields(r, &people_http_consent_record_body, v))
		return;
	struct db_conn *c = req_db(r);
	struct person_row p;
	int rc = people__get(px(r), c, r->arena, id, &p);
	if (rc) {
		http_error(r, rc, "the person");
		return;
	}
	if (!serves(&r->actor, STAFF_MASK, &p)) {
		http_problem(r, 403,
		             "only staff of this person's organisation may record their consent");
		return;
	}
	struct consent_in in = {
	    .purpose = (enum consent_purpose)purpose_from_name(v[0].s),
	    .granted = v[1].i != 0,
	    .given_by = v[2].present ? v[2].s : "staff",
	    .method = v[3].present ? v[3].s : "paper",
	    .guardian_name = v[4].s,
	    .version = v[5].i,
	    .lang = v[6].present ? v[6].s : "en",
	    .recorded_by = r->actor.user_id,
	};
	int64_t cid = 0;
	if ((rc = db_begin(c, true)) == 0)
		rc = people__consent_record(px(r), c, r->arena, id, &in, &cid, &bad, err,
		                            sizeof err);
	if (rc) {
		db_rollback(c);
		answer_rc(r, rc, bad, err, "the consent");
		return;
	}
	if (!req_commit(r, 0, in.granted ? "consent.grant" : "consent.withdraw", res_of(r, id),
	                "the consent"))
		return;
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)cid));
}

void people_http_account_code(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct person_row p;
	char code[16];
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc && p.erased) {
		db_rollback(c);
		gone(r);
		return;
	}
	if (!rc && p.user_id) {
		db_rollback(c);
		http_problem(r, 409, "this person already has a login");
		return;
	}
	if (!rc) {
		if (!serves(&r->actor, MANAGE_MASK, &p)) {
			db_rollback(c);
			http_problem(r, 403,
			             "only staff of this person's organisation may do this");
			return;
		}
		rc = people__code_create(c, id, r->actor.user_id, code);
	}
	if (!req_commit(r, rc, "participant.account_code", res_of(r, id), "the person"))
		return;
	http_json(r, 201, json_pack("{s:s, s:i}", "code", code, "valid_days", 14));
	sodium_memzero(code, sizeof code);
}

void people_http_consent_texts(struct req *r)
{
	const char *lang = req_query(r, "lang");
	if (!lang)
		lang = "en";
	if (strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0) {
		bad_field(r, 400, "lang", "lang must be en or es");
		return;
	}
	json_t *items = json_array();
	for (int p = 0; p < PURPOSE__MAX; p++) {
		int64_t version;
		const char *body;
		if (people__consent_text(req_db(r), r->arena, purpose_names[p], 0, lang, &version,
		                         &body) == 0)
			json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s}", "purpose",
			                                       purpose_names[p], "version",
			                                       (json_int_t)version, "lang", lang,
			                                       "text", body));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --- self-registration --- */

#define FORM_MAX_AGE 7200

static void form_token(struct req *r, int64_t ts, char *out, size_t size)
{
	char msg[48], mac[65];
	snprintf(msg, sizeof msg, "register:%" PRId64, ts);
	hc_hash_hex(mac, r->app->kr.csrf, msg, strlen(msg));
	snprintf(out, size, "%" PRId64 ".%s", ts, mac);
}

/* Organisations people may register themselves with: arts organisations
 * and partners (a mental-health service registers its own patients). */
static bool takes_registrations(const char *kind)
{
	return strcmp(kind, "arts") == 0 || strcmp(kind, "partner") == 0;
}

void people_http_register_form(struct req *r)
{
	char token[96];
	form_token(r, util_now(), token, sizeof token);
	struct auth_org *all;
	size_t n;
	int rc = auth_org_list(req_db(r), r->arena, &all, &n);
	if (rc) {
		/* No organisations to choose would look like "nobody takes
		 * registrations": say it failed instead. */
		http_error(r, rc, "the registration form");
		return;
	}
	json_t *orgs = json_array();
	for (size_t i = 0; i < n; i++)
		if (takes_registrations(all[i].kind))
			json_array_append_new(orgs, json_pack("{s:I, s:s, s:s}", "id",
			                                      (json_int_t)all[i].id, "name", all[i].name,
			                                      "kind", all[i].kind));
	http_json(r, 200,
	          json_pack("{s:s, s:o, s:I}", "form_token", token, "organisations", orgs,
	                    "min_seconds", (json_int_t)r->app->register_min_seconds));
}

static const struct field register_fields[] = {
    PROFILE_FIELDS(true),
    {"organisation_id", FIELD_INT, true, 1},
    {"consents", FIELD_OBJECTS, true, 0, 0, NULL, consent_fields, NFIELDS(consent_fields), 12},
    {"form_token", FIELD_STRING, true, 10, 200},
    {"website", FIELD_STRING, false, 0, 200}, /* a honeypot: people leave it empty */
};
enum { R_ORG = P__MAX - 3, R_CONSENTS, R_TOKEN, R_WEBSITE };
const struct field_table people_http_register_body = FIELD_TABLE(register_fields);

void people_http_register(struct req *r)
{
	struct field_value v[NFIELDS(register_fields)];
	const char *age_band, *bad = NULL;
	bool is_minor;
	char err[400] = "";
	int64_t retry = 0, id = 0;
	if (!req_body_fields(r, &people_http_register_body, v))
		return;
	if (v[R_WEBSITE].present && *v[R_WEBSITE].s) {
		bad_field(r, 400, "website", "leave the website field empty");
		return;
	}
	/* The form token proves a person spent a moment on the form. */
	const char *tok = v[R_TOKEN].s;
	const char *dot = strchr(tok, '.');
	int64_t ts = dot ? strtoll(tok, NULL, 10) : 0;
	char expect[96];
	form_token(r, ts, expect, sizeof expect);
	int64_t age = util_now() - ts;
	if (!dot || !hc_streq(tok, expect) || age > FORM_MAX_AGE) {
		bad_field(r, 400, "form_token",
		          "the form has expired; reload the page and try again");
		return;
	}
	if (age < r->app->register_min_seconds) {
		bad_field(r, 429, "form_token",
		          "that was very fast; please check the form and send it again");
		return;
	}
	/* Participation consent is what registration is for. */
	bool participation = false;
	size_t i;
	json_t *x;
	json_array_foreach(v[R_CONSENTS].j, i, x) participation |=
	    strcmp(json_string_value(json_object_get(x, "purpose")), "participation") == 0 &&
	    json_is_true(json_object_get(x, "granted"));
	if (!participation) {
		bad_field(r, 400, "consents", "consents must include participation, granted");
		return;
	}
	json_t *doc = profile_doc(r->body, NULL);
	if (!profile_rules(r, doc, &age_band, &is_minor)) {
		json_decref(doc);
		return;
	}
	struct db_conn *c = req_db(r);
	struct auth_org chosen;
	int org_rc = auth_org_get(c, r->arena, v[R_ORG].i, &chosen);
	if (org_rc && org_rc != -HEARTH_ENOTFOUND) {
		json_decref(doc);
		http_error(r, org_rc, "the registration");
		return;
	}
	if (org_rc || !takes_registrations(chosen.kind)) {
		json_decref(doc);
		bad_field(r, 400, "organisation_id",
		          "organisation_id: no such organisation takes registrations");
		return;
	}
	int64_t org = v[R_ORG].i;
	struct person_new in = {
	    .profile = dumps(r, doc),
	    .name = v[P_NAME].s,
	    .email = v[P_EMAIL].s,
	    .phone = v[P_PHONE].s,
	    .age_band = age_band ? arena_strdup(r->arena, age_band) : NULL,
	    .is_minor = is_minor,
	    .self_registered = true,
	    .org_ids = &org,
	    .norgs = 1,
	};
	json_decref(doc);
	/* Every attempt counts, committed on its own before the address is
	 * looked at: an attempt that finds the email taken (and rolls back)
	 * counts like any other, so the answer cannot be asked for freely. */
	int rc = db_begin(c, true);
	if (!rc) {
		rc = auth_rate_hit(c, &r->app->kr, "reg", r->client_addr, 3600,
		                   r->app->register_per_hour, &retry);
		if (rc == -HEARTH_ELOCKED) {
			db_commit(c);
			http_add_header(r, "Retry-After: %" PRId64, retry);
			http_problem_ext(
			    r, 429, json_pack("{s:I}", "retry_after", (json_int_t)retry),
			    "too many registrations from here; try again in %" PRId64 " seconds",
			    retry);
			return;
		}
	}
	if (!rc)
		rc = db_commit(c);
	if (!rc)
		rc = db_begin(c, true);
	if (!rc)
		rc = people__create(px(r), c, r->arena, &in, &id);
	if (rc == -HEARTH_ECONFLICT) {
		db_rollback(c);
		if (id)
			people_key_destroy(px(r), id);
		bad_field(r, 409, "email",
		          "this email is already registered; ask the team for a code to log in");
		return;
	}
	if (!rc)
		rc = record_consents(r, id, v[R_CONSENTS].j, is_minor ? "guardian" : "self",
		                     "online", &bad, err, sizeof err);
	char code[16] = "";
	if (!rc)
		rc = people__code_create(c, id, 0, code);
	if (rc) {
		db_rollback(c);
		if (id)
			people_key_destroy(px(r), id);
		answer_rc(r, rc, bad, err, "the registration");
		return;
	}
	if (!req_commit(r, 0, "participant.register", res_of(r, id), "the registration")) {
		people_key_destroy(px(r), id);
		return;
	}
	http_json(r, 201,
	          json_pack("{s:I, s:s, s:i}", "id", (json_int_t)id, "account_code", code,
	                    "valid_days", 14));
	sodium_memzero(code, sizeof code);
}

static const struct field people_http_register_claim_fields[] = {
    {"code", FIELD_STRING, true, 8, 40},
    {"password", FIELD_STRING, true, 12, 1024},
};
const struct field_table people_http_register_claim_body =
    FIELD_TABLE(people_http_register_claim_fields);

void people_http_register_claim(struct req *r)
{
	struct field_value v[NFIELDS(people_http_register_claim_fields)];
	char hash[128];
	int64_t id = 0, uid = 0, retry = 0;
	if (!req_body_fields(r, &people_http_register_claim_body, v))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc) {
		rc = auth_rate_hit(c, &r->app->kr, "claim", r->client_addr, 3600, 20, &retry);
		if (rc == -HEARTH_ELOCKED) {
			db_commit(c);
			http_add_header(r, "Retry-After: %" PRId64, retry);
			http_problem_ext(
			    r, 429, json_pack("{s:I}", "retry_after", (json_int_t)retry),
			    "too many attempts; try again in %" PRId64 " seconds", retry);
			return;
		}
	}
	/* The attempt counts even if the code is wrong. Look at the code
	 * before the slow password hash, without using it up yet. */
	if (!rc)
		rc = db_commit(c);
	if (!rc && (rc = db_begin(c, true)) == 0) {
		rc = people__code_claim(c, v[0].s, &id);
		db_rollback(c);
	}
	if (rc == -HEARTH_ENOTFOUND) {
		bad_field(r, 400, "code",
		          "this code is not valid or has expired; ask the team for a new one");
		return;
	}
	if (rc) {
		db_rollback(c);
		http_error(r, rc, "the code");
		return;
	}
	if ((rc = auth_password_hash(r->app->limits, hash, v[1].s)) != 0) {
		http_error(r, rc, "password");
		return;
	}
	struct person_row p;
	rc = db_begin(c, true);
	if (!rc)
		rc = people__code_claim(c, v[0].s, &id);
	if (rc == -HEARTH_ENOTFOUND) {
		db_rollback(c);
		bad_field(r, 400, "code",
		          "this code is not valid or has expired; ask the team for a new one");
		return;
	}
	if (!rc)
		rc = people__get(px(r), c, r->arena, id, &p);
	if (!rc && (p.erased || p.user_id))
		rc = -HEARTH_ECONFLICT;
	if (!rc) {
		/* The login is stored under a keyed hash of the email and a generic
		 * display name: the users table holds no participant's details. */
		json_t *doc = json_loads(p.profile, 0, NULL);
		char login[80];
		auth_login_key(&r->app->kr, json_string_value(json_object_get(doc, "email")),
		               login);
		json_decref(doc);
		rc = auth_user_create(c, login, "Participant", hash, &uid);
		if (rc == -HEARTH_ECONFLICT) {
			db_rollback(c);
			bad_field(r, 409, "code",
			          "a login with this person's email already exists");
			return;
		}
	}
	int64_t mid;
	if (!rc)
		rc = auth_membership_add(c, uid, p.org_ids[0], ROLE_PARTICIPANT, &mid);
	if (!rc)
		rc = people__link_user(c, id, uid);
	if (!req_commit(r, rc, "participant.account_create", res_of(r, id), "the login"))
		return;
	http_json(r, 201, json_pack("{s:I}", "user_id", (json_int_t)uid));
}

/* --- the person's own page --- */

/* Finds the participant linked to the logged-in person; answers 404. */
static int64_t my_id(struct req *r)
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
static bool load_self(struct req *r, int64_t id, struct person_row *p, struct consent_row **rows,
                      size_t *n, const char *action)
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
	return req_commit(r, rc, action, res_of(r, id), "your record");
}

void people_http_me(struct req *r)
{
	int64_t id = my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	if (!id || !load_self(r, id, &p, &rows, &n, "self.participant.read"))
		return;
	json_t *o = person_json(&p, rows, n, false);
	/* Where their erasure request stands: pending, or why it was refused. */
	json_object_set_new(o, "erasure_request", erasure_json(r, id, false));
	http_json(r, 200, o);
}

void people_http_me_update(struct req *r)
{
	int64_t id = my_id(r);
	if (id)
		update_person(r, id, true);
}

void people_http_me_consents(struct req *r)
{
	int64_t id = my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	if (!id || !load_self(r, id, &p, &rows, &n, "self.consent.read"))
		return;
	http_json(r, 200,
	          json_pack("{s:o, s:o, s:b}", "current", consent_state(rows, n), "history",
	                    consent_history(rows, n), "is_minor", p.is_minor));
}

static const struct field people_http_me_consent_fields[] = {
    {"purpose", FIELD_ENUM, true, 0, 0, purpose_names},
    {"granted", FIELD_BOOL, true},
    {"text_version", FIELD_INT, false, 1, 1000},
    {"lang", FIELD_ENUM, false, 0, 0, langs},
};
const struct field_table people_http_me_consent_body = FIELD_TABLE(people_http_me_consent_fields);

void people_http_me_consent(struct req *r)
{
	struct field_value v[NFIELDS(people_http_me_consent_fields)];
	const char *bad = NULL;
	char err[400] = "";
	int64_t id, cid = 0;
	if (!req_body_fields(r, &people_http_me_consent_body, v) || !(id = my_id(r)))
		return;
	struct consent_in in = {
	    .purpose = (enum consent_purpose)purpose_from_name(v[0].s),
	    .granted = v[1].i != 0,
	    .given_by = "self",
	    .method = "online",
	    .version = v[2].i,
	    .lang = v[3].present ? v[3].s : "en",
	    .recorded_by = r->actor.user_id,
	};
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__consent_record(px(r), c, r->arena, id, &in, &cid, &bad, err,
		                            sizeof err);
	if (rc) {
		db_rollback(c);
		answer_rc(r, rc, bad, err, "your consent");
		return;
	}
	if (!req_commit(r, 0, in.granted ? "self.consent.grant" : "self.consent.withdraw",
	                res_of(r, id), "your consent"))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:s, s:b}", "id", (json_int_t)cid, "purpose", v[0].s, "granted",
	                    in.granted));
}

static void add_audit_row(const struct audit_row *row, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, row->at);
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s}", "at", at, "action", row->action,
	                                     "outcome", row->outcome));
}

/* The people module's own parts of the export, with the tables each one
 * covers; other modules add theirs with people_on_export(). */
static const struct people_export_section own_sections[] = {
    {"person", "participants,participant_orgs", NULL},
    {"consent_history", "consents", NULL},
    {"record_history", "audit_log", NULL},
    {"account", "users,account_codes", NULL},
    {"erasure_requests", "erasure_requests", NULL},
};

static json_t *tables_json(const char *list)
{
	json_t *arr = json_array();
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		json_array_append_new(arr, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	return arr;
}

/* Everything Hearth holds about the person, as one JSON document: the
 * people module's parts, then every registered module's sections, and
 * "covers", which names the tables behind each section. NULL (and *rcp set)
 * when a section cannot be read. The caller owns the result. */
static json_t *export_doc(struct req *r, int64_t id, struct person_row *p, struct consent_row *rows,
                          size_t n, int *rcp)
{
	char now[32];
	util_iso8601(now, sizeof now, util_now());
	json_t *person = person_json(p, NULL, 0, true);
	json_t *access = json_array(), *codes = json_array(), *requests = json_array();
	json_t *covers = json_object();
	struct db_conn *c = req_db(r);
	struct audit_filter f = {.resource = res_of(r, id), .limit = 1000};
	(void)audit_list(c, &f, add_audit_row, access);
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:b, s:o}, s:o}", "generated_at",
	                        now, "about",
	                        "Everything Hearth holds about you. Questions: ask your programme "
	                        "team.",
	                        "person", person, "consent_history", consent_history(rows, n),
	                        "record_history", access, "account", "login",
	                        "the email address in your details", "has_login", p->user_id != 0,
	                        "account_codes", codes, "erasure_requests", requests);
	for (size_t i = 0; i < NFIELDS(own_sections); i++)
		json_object_set_new(covers, own_sections[i].section,
		                    tables_json(own_sections[i].tables));
	const struct people_export_section *sec;
	size_t nsec = people_export_sections(&sec);
	int rc = db_begin(c, false);
	if (!rc)
		rc = people__export_own(px(r), c, r->arena, id, codes, requests);
	for (size_t i = 0; i < nsec && !rc; i++) {
		json_t *items = json_array();
		rc = sec[i].fn(c, px(r), r->arena, id, items, sec[i].arg);
		json_object_set_new(doc, sec[i].section, items);
		json_object_set_new(covers, sec[i].section, tables_json(sec[i].tables));
	}
	if (db_in_transaction(c))
		db_rollback(c); /* read only */
	json_object_set_new(doc, "covers", covers);
	*rcp = rc;
	if (rc) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

void people_http_me_export(struct req *r)
{
	int64_t id = my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	int rc;
	if (!id || !load_self(r, id, &p, &rows, &n, "self.participant.export"))
		return;
	json_t *doc = export_doc(r, id, &p, rows, n, &rc);
	if (!doc) {
		http_error(r, rc, "your data");
		return;
	}
	http_add_header(r, "Content-Disposition: attachment; filename=\"my-hearth-data.json\"");
	http_json(r, 200, doc);
}

/* --- the export as a page: words from the UI's catalogs, no keys --- */

/* The UI's message catalogs (web/i18n/<lang>.json, embedded), parsed per
 * request: the page is rare and the catalogs small. */
struct words {
	json_t *lang, *en;
};

static json_t *catalog_load(const char *lang)
{
	char path[32];
	snprintf(path, sizeof path, "/i18n/%s.json", lang);
	const struct static_asset *f = static_find(path);
	return f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
}

/* The word for key in the page's language (English when the catalog lacks
 * it); NULL when neither has it. */
static const char *word(const struct words *w, const char *key)
{
	const char *s = json_string_value(json_object_get(w->lang, key));
	return s ? s : json_string_value(json_object_get(w->en, key));
}

static const char *wordf(struct req *r, const struct words *w, const char *prefix,
                         const char *key)
{
	return word(w, arena_printf(r->arena, "%s%s", prefix, key));
}

/* Values that are codes, and the catalog prefix that turns them into
 * words; section NULL applies everywhere. */
static const struct {
	const char *section, *key, *prefix;
} value_words[] = {
    {"person", "status", "export.personStatus."},
    {"enrolments", "status", "enrolStatus."},
    {"supports", "status", "supportStatus."},
    {"supports", "kind", "supportKind."},
    {"attendance", "status", "mark."},
    {"followups", "action", "followupAction."},
    {"record_history", "action", "export.action."},
    {"record_history", "outcome", "export.outcome."},
    {"themes_proposed", "outcome", "export.themeOutcome."},
    {"erasure_requests", "status", "export.erasureStatus."},
    {NULL, "age_band", "age."},
    {NULL, "preferred_contact", "contact."},
    {NULL, "interests", "interest."},
    {NULL, "day", "day."},
    {NULL, "purpose", "purpose."},
    {NULL, "formats", "format."},
    {NULL, "mobility", "need."},
    {NULL, "sensory", "need."},
    {NULL, "neurodivergence", "need."},
    {NULL, "given_by", "givenBy."},
    {NULL, "method", "method."},
    {NULL, "channel", "channel."},
    {NULL, "lang", "export.lang."},
    {NULL, "barrier_tags", "barrier."},
    {NULL, "role", "rosterRole."},
    {NULL, "cancel_reason", "export.cancelReason."},
};

static const char *value_prefix(const char *section, const char *key)
{
	for (size_t i = 0; i < NFIELDS(value_words); i++)
		if ((!value_words[i].section || strcmp(value_words[i].section, section) == 0) &&
		    strcmp(value_words[i].key, key) == 0)
			return value_words[i].prefix;
	return NULL;
}

/* "2026-12-07T16:48:00Z" -> "2026-12-07 16:48 UTC"; other text as it is. */
static void html_time(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (n == 20 && s[10] == 'T' && s[19] == 'Z') {
		buf_append(b, s, 10);
		buf_puts(b, " ");
		buf_append(b, s + 11, 5);
		buf_puts(b, " UTC");
	} else {
		buf_html(b, s);
	}
}

struct page {
	struct req *r;
	struct words *w;
	struct buf *b;
	const char *section;
};

static void html_words(struct page *pg, const char *parent, const char *key, json_t *v);

static void html_object(struct page *pg, const char *parent, json_t *o)
{
	const char *k;
	json_t *x;
	buf_puts(pg->b, "<dl>");
	json_object_foreach(o, k, x)
	{
		/* Record numbers are not words; the JSON export keeps them. */
		size_t kl = strlen(k);
		if (strcmp(k, "id") == 0 || (kl > 3 && strcmp(k + kl - 3, "_id") == 0))
			continue;
		const char *label = parent && strcmp(parent, "answers") == 0
		                        ? wordf(pg->r, pg->w, "answer.q.", k)
		                        : wordf(pg->r, pg->w, "export.field.", k);
		buf_puts(pg->b, "<dt>");
		buf_html(pg->b, label ? label : k);
		buf_puts(pg->b, "</dt><dd>");
		html_words(pg, k, k, x);
		buf_puts(pg->b, "</dd>\n");
	}
	buf_puts(pg->b, "</dl>");
}

/* Renders v (the value of key) in words, escaped. */
static void html_words(struct page *pg, const char *parent, const char *key, json_t *v)
{
	struct buf *b = pg->b;
	size_t i;
	json_t *x;
	const char *prefix = key ? value_prefix(pg->section, key) : NULL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: html_object(pg, parent, v); break;
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			buf_html(b, word(pg->w, "export.none"));
			break;
		}
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x)
		{
			buf_puts(b, "<li>");
			html_words(pg, parent, json_is_object(x) ? NULL : key, x);
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		const char *w = prefix ? wordf(pg->r, pg->w, prefix, s) : NULL;
		if (!w && prefix && strcmp(prefix, "export.action.") == 0)
			w = word(pg->w, "export.action.other");
		size_t kl = key ? strlen(key) : 0;
		if (w)
			buf_html(b, w);
		else if (kl > 3 && (strcmp(key + kl - 3, "_at") == 0 || strcmp(key, "at") == 0 ||
		                    strcmp(key, "session_start") == 0))
			html_time(b, s);
		else
			buf_html(b, s);
		break;
	}
	case JSON_INTEGER:
		if (key && strcmp(key, "amount_cents") == 0)
			buf_printf(b, "%" JSON_INTEGER_FORMAT ".%02d", json_integer_value(v) / 100,
			           (int)(json_integer_value(v) % 100));
		else
			buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_TRUE: buf_html(b, word(pg->w, "consent.yes")); break;
	case JSON_FALSE: buf_html(b, word(pg->w, "consent.no")); break;
	default: buf_puts(b, "—");
	}
}

/* The page's language: ?lang= (the app passes its own), else the
 * browser's, else English. */
static const char *page_lang(struct req *r)
{
	const char *q = req_query(r, "lang"), *al = req_header(r, "Accept-Language");
	if (q && (strcmp(q, "en") == 0 || strcmp(q, "es") == 0))
		return q;
	return al && strncmp(al, "es", 2) == 0 ? "es" : "en";
}

void people_http_me_export_html(struct req *r)
{
	int64_t id = my_id(r);
	struct person_row p;
	struct consent_row *rows;
	size_t n;
	int rc;
	if (!id || !load_self(r, id, &p, &rows, &n, "self.participant.export"))
		return;
	json_t *doc = export_doc(r, id, &p, rows, n, &rc);
	if (!doc) {
		http_error(r, rc, "your data");
		return;
	}
	const char *lang = page_lang(r);
	struct words w = {catalog_load(lang), catalog_load("en")};
	struct buf b = BUF_INIT;
	buf_printf(&b,
	           "<!doctype html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\">"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	           "<title>",
	           lang);
	buf_html(&b, word(&w, "export.title"));
	buf_puts(&b, " — Hearth</title><link rel=\"stylesheet\" href=\"/app.css\">"
	             "<link rel=\"icon\" href=\"/favicon.svg\"></head>\n<body>\n"
	             "<a class=\"skip-link\" href=\"#main\">");
	buf_html(&b, word(&w, "skip.link"));
	buf_printf(&b, "</a>\n<header><p><a class=\"help-link\" href=\"/help?lang=%s\">", lang);
	buf_html(&b, word(&w, "help.link"));
	buf_puts(&b, "</a></p>\n<nav><a href=\"/#/me/data\">");
	buf_html(&b, word(&w, "export.back"));
	buf_printf(&b, "</a> · <a href=\"/api/v1/me/export.html?lang=%s\" lang=\"%s\">%s</a></nav>"
	               "</header>\n<main id=\"main\">\n<h1>",
	           strcmp(lang, "es") == 0 ? "en" : "es", strcmp(lang, "es") == 0 ? "en" : "es",
	           strcmp(lang, "es") == 0 ? "English" : "Español");
	buf_html(&b, word(&w, "export.title"));
	buf_puts(&b, "</h1>\n<p>");
	buf_html(&b, word(&w, "export.intro"));
	buf_puts(&b, " ");
	buf_html(&b, word(&w, "export.generated"));
	buf_puts(&b, " ");
	html_time(&b, json_string_value(json_object_get(doc, "generated_at")));
	buf_puts(&b, ".</p>\n");
	/* The people module's parts first, then every registered section. */
	static const char *const first[] = {"person", "consent_history", "account",
	                                    "erasure_requests"};
	const struct people_export_section *sec;
	size_t nsec = people_export_sections(&sec);
	for (size_t i = 0; i < NFIELDS(first) + nsec + 1; i++) {
		const char *name = i < NFIELDS(first) ? first[i]
		                   : i < NFIELDS(first) + nsec ? sec[i - NFIELDS(first)].section
		                                               : "record_history";
		json_t *v = json_object_get(doc, name);
		if (!v)
			continue;
		struct page pg = {r, &w, &b, name};
		const char *title = wordf(r, &w, "export.section.", name);
		buf_puts(&b, "<section><h2>");
		buf_html(&b, title ? title : name);
		buf_puts(&b, "</h2>\n");
		html_words(&pg, NULL, NULL, v);
		buf_puts(&b, "</section>\n");
	}
	buf_puts(&b, "<p><a href=\"/#/me/data\">");
	buf_html(&b, word(&w, "export.back"));
	buf_puts(&b, "</a></p>\n</main>\n</body>\n</html>\n");
	json_decref(doc);
	json_decref(w.lang);
	json_decref(w.en);
	http_send(r, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_release(&b);
}

void people_http_me_erasure(struct req *r)
{
	int64_t id = my_id(r), request_id = 0;
	bool automatic = false;
	if (!id)
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__erasure_request(c, id, &request_id, &automatic);
	if (rc == -HEARTH_ECONFLICT) {
		/* Asked twice at once: the other request stands; answer with it. */
		db_rollback(c);
		rc = db_begin(c, true);
		if (!rc)
			rc = people__erasure_request(c, id, &request_id, &automatic);
	}
	if (!req_commit(r, rc, "self.erasure.request", res_of(r, id), "your request"))
		return;
	if (automatic) {
		rc = people_erase(px(r), c, id, r->actor.user_id, r->request_id);
		if (rc) {
			http_error(r, rc, "the erasure");
			return;
		}
		http_json(r, 200, json_pack("{s:s}", "status", "erased"));
		return;
	}
	http_json(
	    r, 202,
	    json_pack("{s:s, s:I}", "status", "pending", "request_id", (json_int_t)request_id));
}

/* --- erasure requests (admins) --- */

static void add_erasure(const struct erasure_row *row, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, row->requested_at);
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)row->id,
	                                     "participant_id", (json_int_t)row->participant_id,
	                                     "status", row->status, "requested_at", at));
}

void people_http_erasure_list(struct req *r)
{
	const char *status = req_query(r, "status");
	if (status && strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
	    strcmp(status, "rejected") != 0) {
		bad_field(r, 400, "status", "status must be pending, approved or rejected");
		return;
	}
	json_t *items = json_array();
	int rc = people__erasure_list(req_db(r), status, add_erasure, items);
	/* The organisations of each person, so the queue can say whose it is
	 * and link to the record; the record itself is read (and audited)
	 * on the person's page. */
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
	{
		if (rc)
			break;
		struct person_view v;
		rc = people_view(px(r), req_db(r), r->arena,
		                 json_integer_value(json_object_get(item, "participant_id")), &v);
		if (rc == -HEARTH_ENOTFOUND) {
			rc = 0;
			continue;
		}
		json_decref(v.profile);
		json_t *orgs = json_array();
		for (size_t k = 0; k < v.norgs; k++)
			json_array_append_new(orgs, json_integer(v.org_ids[k]));
		json_object_set_new(item, "organisation_ids", orgs);
		json_object_set_new(item, "erased", json_boolean(v.erased));
	}
	if (rc) {
		json_decref(items);
		http_error(r, rc, "erasure requests");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void people_http_erasure_approve(struct req *r)
{
	int64_t rid = req_param_id(r, "id"), pid = 0;
	int rc = people__erasure_pending(req_db(r), rid, &pid);
	if (!rc)
		rc = people_erase(px(r), req_db(r), pid, r->actor.user_id, r->request_id);
	if (rc == -HEARTH_ENOTFOUND) {
		http_problem(r, 404, "there is no pending erasure request %" PRId64, rid);
		return;
	}
	if (rc) {
		http_error(r, rc, "the erasure");
		return;
	}
	http_no_content(r);
}

static const struct field people_http_erasure_reject_fields[] = {
    {"reason", FIELD_STRING, true, 3, 500},
};
const struct field_table people_http_erasure_reject_body =
    FIELD_TABLE(people_http_erasure_reject_fields);

void people_http_erasure_reject(struct req *r)
{
	struct field_value v[1];
	int64_t rid = req_param_id(r, "id");
	if (!req_body_fields(r, &people_http_erasure_reject_body, v))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__erasure_reject(px(r), c, r->arena, rid, r->actor.user_id, v[0].s);
	if (!req_commit(r, rc, "erasure.reject",
	                arena_printf(r->arena, "erasure_request:%" PRId64, rid),
	                "the pending request"))
		return;
	http_no_content(r);
}

/* --- data-sharing agreements --- */

static void add_agreement(const struct agreement_row *row, void *ctx)
{
	char st[32], en[32];
	util_iso8601(st, sizeof st, row->starts_at);
	util_iso8601(en, sizeof en, row->ends_at);
	json_t *cats = json_array();
	const char *p = row->categories;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		json_array_append_new(cats, json_stringn(p, len));
		p = e ? e + 1 : NULL;
	}
	json_t *o =
	    json_pack("{s:I, s:I, s:I, s:o, s:s, s:s}", "id", (json_int_t)row->id,
	              "from_organisation_id", (json_int_t)row->from_org, "to_organisation_id",
	              (json_int_t)row->to_org, "categories", cats, "starts_on", st, "ends_on", en);
	json_object_set_new(o, "revoked", json_boolean(row->revoked_at != 0));
	json_array_append_new(ctx, o);
}

void people_http_agreement_list(struct req *r)
{
	json_t *items = json_array();
	int64_t mine[16];
	size_t nmine = actor_orgs(&r->actor, ~0u, mine, 16);
	int rc = 0;
	bool admin = r->actor.roles & (1u << ROLE_ADMIN);
	if (admin)
		rc = people__agreement_list(req_db(r), 0, add_agreement, items);
	for (size_t i = 0; !admin && i < nmine && !rc; i++)
		rc = people__agreement_list(req_db(r), mine[i], add_agreement, items);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "agreements");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field people_http_agreement_create_fields[] = {
    {"from_organisation_id", FIELD_INT, true, 1},
    {"to_organisation_id", FIELD_INT, true, 1},
    {"categories", FIELD_STRINGS, true, 1, 40, share_names, NULL, 0, SHARE__MAX},
    {"starts_on", FIELD_DATE, true},
    {"ends_on", FIELD_DATE, true},
};
const struct field_table people_http_agreement_create_body =
    FIELD_TABLE(people_http_agreement_create_fields);

void people_http_agreement_create(struct req *r)
{
	struct field_value v[NFIELDS(people_http_agreement_create_fields)];
	if (!req_body_fields(r, &people_http_agreement_create_body, v))
		return;
	if (v[0].i == v[1].i) {
		bad_field(r, 400, "to_organisation_id",
		          "an agreement is between two different organisations");
		return;
	}
	if (v[4].i <= v[3].i) {
		bad_field(r, 400, "ends_on", "ends_on must be after starts_on");
		return;
	}
	if (!json_array_size(v[2].j)) {
		bad_field(r, 400, "categories", "categories must name at least one category");
		return;
	}
	bool admin = r->actor.roles & (1u << ROLE_ADMIN);
	int64_t mine[16];
	size_t nmine = actor_orgs(&r->actor, MANAGE_MASK, mine, 16), k;
	for (k = 0; k < nmine; k++)
		if (mine[k] == v[0].i)
			break;
	if (!admin && k == nmine) {
		bad_field(r, 403, "from_organisation_id",
		          "only the organisation that shares the data can make the agreement");
		return;
	}
	struct buf cats = BUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(v[2].j, i, x)
	{
		if (i)
			buf_puts(&cats, ",");
		buf_puts(&cats, json_string_value(x));
	}
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__agreement_create(c, v[0].i, v[1].i, cats.data, v[3].i, v[4].i + 86400,
		                              r->actor.user_id, &id);
	buf_release(&cats);
	if (rc == -HEARTH_ECONFLICT) {
		db_rollback(c);
		bad_field(r, 400, "to_organisation_id", "both organisations must exist");
		return;
	}
	if (!req_commit(r, rc, "agreement.create", arena_printf(r->arena, "agreement:%" PRId64, id),
	                "the agreement"))
		return;
	http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

void people_http_agreement_revoke(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct agreement_row row;
	struct db_conn *c = req_db(r);
	int rc = people__agreement_get(c, id, &row);
	if (rc) {
		http_error(r, rc, "the agreement");
		return;
	}
	bool admin = r->actor.roles & (1u << ROLE_ADMIN);
	int64_t mine[16];
	size_t nmine = actor_orgs(&r->actor, MANAGE_MASK, mine, 16), k;
	for (k = 0; k < nmine; k++)
		if (mine[k] == row.from_org || mine[k] == row.to_org)
			break;
	if (!admin && k == nmine) {
		http_problem(r, 403, "only the two organisations of this agreement may end it");
		return;
	}
	rc = db_begin(c, true);
	if (!rc)
		rc = people__agreement_revoke(c, id);
	if (!req_commit(r, rc, "agreement.revoke", arena_printf(r->arena, "agreement:%" PRId64, id),
	                "the agreement"))
		return;
	http_no_content(r);
}

/* --- retention --- */

static void add_expired(int64_t id, int64_t last, void *ctx)
{
	char at[32];
	util_iso8601(at, sizeof at, last);
	json_array_append_new(
	    ctx, json_pack("{s:I, s:s}", "id", (json_int_t)id, "last_activity_at", at));
}

static bool retention_days(struct req *r, const char *s, int64_t *days)
{
	*days = r->app->retention_days;
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 30 || v > 36500) {
		bad_field(r, 400, "inactive_days",
		          "inactive_days must be a number of days from 30 to 36500");
		return false;
	}
	*days = v;
	return true;
}

void people_http_retention_list(struct req *r)
{
	int64_t days;
	if (!retention_days(r, req_query(r, "inactive_days"), &days))
		return;
	int64_t cutoff = util_now() - days * 86400;
	json_t *items = json_array();
	int rc = people__expired(req_db(r), cutoff, 1000, add_expired, items);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "retention");
		return;
	}
	char at[32];
	util_iso8601(at, sizeof at, cutoff);
	http_json(r, 200,
	          json_pack("{s:I, s:s, s:o}", "inactive_days", (json_int_t)days, "inactive_since",
	                    at, "items", items));
}

static const struct field people_http_retention_erase_fields[] = {
    {"inactive_days", FIELD_INT, true, 30, 36500},
    {"ids", FIELD_INTS, true, 1, 0, NULL, NULL, 0, 1000},
    {"confirm", FIELD_BOOL, true},
};
const struct field_table people_http_retention_erase_body =
    FIELD_TABLE(people_http_retention_erase_fields);

void people_http_retention_erase(struct req *r)
{
	struct field_value v[NFIELDS(people_http_retention_erase_fields)];
	if (!req_body_fields(r, &people_http_retention_erase_body, v))
		return;
	if (!v[2].i) {
		bad_field(r, 400, "confirm", "confirm must be true: erasure cannot be undone");
		return;
	}
	int64_t cutoff = util_now() - v[0].i * 86400;
	json_t *erased = json_array(), *skipped = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(v[1].j, i, x)
	{
		int64_t id = json_integer_value(x);
		/* Checked again now: someone may have come back since the list. */
		if (!people__is_expired(req_db(r), id, cutoff) ||
		    people_erase(px(r), req_db(r), id, r->actor.user_id, r->request_id) != 0)
			json_array_append_new(skipped, json_integer(id));
		else
			json_array_append_new(erased, json_integer(id));
	}
	http_json(r, 200, json_pack("{s:o, s:o}", "erased", erased, "skipped", skipped));
}
