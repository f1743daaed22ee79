/*
 * HTTP edge of venues (logic in venues.c): parses with the field tables,
 * calls one function and answers.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/venues.h"
#include "core/banned.h"

/* Field indexes of both tables (create adds organisation_id last). */
enum { VN_NAME, VN_ADDRESS, VN_CAPACITY, VN_FEATURES, VN_NOTES, VN_ORG };

#define VENUE_FIELDS(req)                                                                     \
	{"name", FIELD_STRING, req, 1, 200}, {"address", FIELD_STRING, req, 1, 500},          \
	    {"capacity", FIELD_INT, req, 1, 10000},                                           \
	    {"features", FIELD_STRINGS, false, 1, 40, venue_feature_names, NULL, 0, VF__MAX}, \
	{                                                                                     \
		"notes", FIELD_STRING, false, 0, 2000                                         \
	}

static const struct field programs_http_venue_create_fields[] = {
    VENUE_FIELDS(true),
    {"organisation_id", FIELD_INT, true, 1},
};
const struct field_table programs_http_venue_create_body =
    FIELD_TABLE(programs_http_venue_create_fields);

static const struct field programs_http_venue_update_fields[] = {VENUE_FIELDS(false)};
const struct field_table programs_http_venue_update_body =
    FIELD_TABLE(programs_http_venue_update_fields);

static int64_t features_mask(json_t *arr)
{
	int64_t m = 0;
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		for (int f = 0; f < VF__MAX; f++)
			if (strcmp(json_string_value(x), venue_feature_names[f]) == 0)
				m |= 1 << f;
	}
	return m;
}

static json_t *features_json(int64_t m)
{
	json_t *arr = json_array();
	for (int f = 0; f < VF__MAX; f++)
		if (m & (1 << f))
			json_array_append_new(arr, json_string(venue_feature_names[f]));
	return arr;
}

static json_t *venue_json(const struct venue *v)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:s}", "id", (json_int_t)v->id,
	                 "organisation_id", (json_int_t)v->organisation_id, "name", v->name,
	                 "address", v->address, "capacity", (json_int_t)v->capacity, "features",
	                 features_json(v->features), "notes", v->notes);
}

static void venue_input_from(const struct field_value *v, struct venue_input *in)
{
	memset(in, 0, sizeof *in);
	in->has_name = v[VN_NAME].present;
	in->name = v[VN_NAME].s;
	in->has_address = v[VN_ADDRESS].present;
	in->address = v[VN_ADDRESS].s;
	in->has_capacity = v[VN_CAPACITY].present;
	in->capacity = v[VN_CAPACITY].i;
	in->has_features = v[VN_FEATURES].present;
	in->features = in->has_features ? features_mask(v[VN_FEATURES].j) : 0;
	in->has_notes = v[VN_NOTES].present;
	in->notes = v[VN_NOTES].s;
}

void programs_http_venue_list(struct req *r)
{
	int64_t org;
	if (!programs_query_id(r, "organisation_id", &org))
		return;
	struct venue *vs;
	size_t n;
	int rc = venues_list(req_db(r), r->arena, org, &vs, &n);
	if (rc) {
		http_error(r, rc, "venues");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, venue_json(&vs[i]));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void programs_http_venue_get(struct req *r)
{
	struct venue v;
	int rc = venues_get(req_db(r), r->arena, req_param_id(r, "id"), &v);
	if (rc) {
		http_error(r, rc, "the venue");
		return;
	}
	http_json(r, 200, venue_json(&v));
}

void programs_http_venue_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_venue_create_fields)];
	if (!req_body_fields(r, &programs_http_venue_create_body, v))
		return;
	struct venue_input in;
	venue_input_from(v, &in);
	in.organisation_id = v[VN_ORG].i;
	struct programs_refusal why = {0};
	struct db_conn *c = req_db(r);
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (!rc) {
		rc = venues_create(c, r->arena, &r->actor, &in, &id, &why);
		if (why.status) {
			programs_http_refused(r, rc, &why, "the venue");
			return;
		}
	}
	if (!req_commit(r, rc, "venue.create", arena_printf(r->arena, "venue:%" PRId64, id),
	                "the venue"))
		return;
	struct venue out;
	if (venues_get(c, r->arena, id, &out) == 0)
		http_json(r, 201, venue_json(&out));
	else
		http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

void programs_http_venue_update(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_venue_update_fields)];
	if (!req_body_fields(r, &programs_http_venue_update_body, v))
		return;
	struct venue_input in;
	venue_input_from(v, &in);
	int64_t id = req_param_id(r, "id");
	struct programs_refusal why = {0};
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the venue");
		return;
	}
	rc = venues_update(c, r->arena, &r->actor, id, &in, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the venue");
		return;
	}
	if (!req_commit(r, rc, "venue.update", arena_printf(r->arena, "venue:%" PRId64, id),
	                "the venue"))
		return;
	programs_http_venue_get(r);
}
