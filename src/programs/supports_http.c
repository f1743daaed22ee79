/*
 * The HTTP edge of practical supports (travel, materials, childcare, ...):
 * staff requests, a participant's own, deciding them, the list and the
 * programme's ledger. The logic is supports.c (taking_part.h); the shared
 * taking-part edge helpers are in taking_part_http.c (programs_edge.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "programs/taking_part.h"
#include "core/banned.h"

static json_t *support_json(const struct support *x, bool named)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)x->id,
	                      "programme_id", (json_int_t)x->programme_id, "session_id",
	                      x->session_id ? json_integer(x->session_id) : json_null(),
	                      "participant_id", (json_int_t)x->participant_id, "kind", x->kind,
	                      "status", x->status, "amount_cents", (json_int_t)x->amount_cents,
	                      "notes", programs_json_text(x->notes));
	json_object_set_new(o, "requested_by",
	                    x->requested_by ? json_integer(x->requested_by) : json_null());
	json_object_set_new(o, "requested_at", programs_json_time(x->requested_at));
	json_object_set_new(o, "decided_by",
	                    x->decided_by ? json_integer(x->decided_by) : json_null());
	json_object_set_new(o, "decided_at",
	                    x->has_decided_at ? programs_json_time(x->decided_at) : json_null());
	json_object_set_new(o, "provided_at",
	                    x->has_provided_at ? programs_json_time(x->provided_at) : json_null());
	if (named) {
		json_object_set_new(o, "name", programs_json_text(x->name));
		if (x->erased)
			json_object_set_new(o, "erased", json_true());
	}
	return o;
}

/* Records a support request and answers. */
static void support_request_do(struct req *r, const struct support_in *in)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct support out;
	if (!programs_http_begin_write(r, "the support"))
		return;
	int rc = support_request(&x, in, &out, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, in->by_self ? "self.support.request" : "support.request",
	                programs_http_resource(r, "support", out.id), no.what))
		return;
	http_json(r, 201, support_json(&out, false));
}

enum { SC_PARTICIPANT_ID, SC_SESSION_ID, SC_KIND, SC_AMOUNT_CENTS, SC_NOTES };
static const struct field programs_http_support_create_fields[] = {
    [SC_PARTICIPANT_ID] = {"participant_id", FIELD_INT, true, 1},
    [SC_SESSION_ID] = {"session_id", FIELD_INT, false, 1},
    [SC_KIND] = {"kind", FIELD_ENUM, true, 0, 0, support_kinds},
    [SC_AMOUNT_CENTS] = {"amount_cents", FIELD_INT, false, 0, 100000000},
    [SC_NOTES] = {"notes", FIELD_STRING, false, 0, 500},
};
const struct field_table programs_http_support_create_body =
    FIELD_TABLE(programs_http_support_create_fields);

void programs_http_support_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_support_create_fields)];
	if (!req_body_fields(r, &programs_http_support_create_body, v))
		return;
	struct support_in in = {
	    .programme = req_param_id(r, "id"),
	    .person = v[SC_PARTICIPANT_ID].i,
	    .session = v[SC_SESSION_ID].present ? v[SC_SESSION_ID].i : 0,
	    .kind = v[SC_KIND].s,
	    .amount = v[SC_AMOUNT_CENTS].present ? v[SC_AMOUNT_CENTS].i : 0,
	    .notes = v[SC_NOTES].s,
	};
	support_request_do(r, &in);
}

enum { MS_PROGRAMME_ID, MS_SESSION_ID, MS_KIND, MS_NOTES };
static const struct field programs_http_me_support_fields[] = {
    [MS_PROGRAMME_ID] = {"programme_id", FIELD_INT, true, 1},
    [MS_SESSION_ID] = {"session_id", FIELD_INT, false, 1},
    [MS_KIND] = {"kind", FIELD_ENUM, true, 0, 0, support_kinds},
    [MS_NOTES] = {"notes", FIELD_STRING, false, 0, 500},
};
const struct field_table programs_http_me_support_body =
    FIELD_TABLE(programs_http_me_support_fields);

void programs_http_me_support(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_me_support_fields)];
	int64_t me;
	if (!req_body_fields(r, &programs_http_me_support_body, v) ||
	    !(me = programs_http_self_or_404(r)))
		return;
	struct support_in in = {
	    .programme = v[MS_PROGRAMME_ID].i,
	    .person = me,
	    .session = v[MS_SESSION_ID].present ? v[MS_SESSION_ID].i : 0,
	    .kind = v[MS_KIND].s,
	    .notes = v[MS_NOTES].s,
	    .by_self = true,
	};
	support_request_do(r, &in);
}

void programs_http_support_list(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct support *rows;
	size_t n;
	int64_t programme = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the supports"))
		return;
	int rc = support_list(&x, programme, &rows, &n, &no);
	/* Names shown are reads of those people's records. */
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "support.read", programs_http_resource(r, "programme", programme),
	                no.what))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, support_json(&rows[i], true));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

enum { SU_STATUS, SU_AMOUNT_CENTS };
static const struct field programs_http_support_update_fields[] = {
    [SU_STATUS] = {"status", FIELD_ENUM, true, 0, 0, support_states},
    [SU_AMOUNT_CENTS] = {"amount_cents", FIELD_INT, false, 0, 100000000},
};
const struct field_table programs_http_support_update_body =
    FIELD_TABLE(programs_http_support_update_fields);

void programs_http_support_update(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_support_update_fields)];
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct support out;
	int64_t id = req_param_id(r, "id");
	if (!req_body_fields(r, &programs_http_support_update_body, v) ||
	    !programs_http_begin_write(r, "the support"))
		return;
	int rc = support_decide(&x, id, v[SU_STATUS].s, v[SU_AMOUNT_CENTS].present,
	                        v[SU_AMOUNT_CENTS].i, &out, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, arena_printf(r->arena, "support.%s", v[SU_STATUS].s),
	                programs_http_resource(r, "support", id), no.what))
		return;
	http_json(r, 200, support_json(&out, false));
}

void programs_http_support_ledger(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct support_ledger l;
	int64_t programme = req_param_id(r, "id");
	int rc = support_ledger(&x, programme, &l, &no);
	if (programs_http_part_refused(r, &no))
		return;
	if (rc) {
		http_error(r, rc, no.what);
		return;
	}
	json_t *by = json_array();
	for (int k = 0; support_kinds[k]; k++) {
		const int64_t *v = l.by_kind[k];
		json_array_append_new(by, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		                                    "kind", support_kinds[k], "requested",
		                                    (json_int_t)v[0], "approved", (json_int_t)v[1],
		                                    "provided", (json_int_t)v[2], "declined",
		                                    (json_int_t)v[3], "pending", (json_int_t)v[4],
		                                    "amount_cents_approved", (json_int_t)v[5],
		                                    "amount_cents_provided", (json_int_t)v[6]));
	}
	http_json(r, 200,
	          json_pack("{s:I, s:s, s:o, s:I, s:I}", "programme_id", (json_int_t)programme,
	                    "currency_unit", "cents", "by_kind", by, "total_cents_approved",
	                    (json_int_t)l.cents_approved, "total_cents_provided",
	                    (json_int_t)l.cents_provided));
}
