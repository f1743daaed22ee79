/*
 * HTTP edge of the roster, a programme's rotation and the staff list
 * (logic in roster.c): parses, checks the scope of the ids a body names
 * (scope.h), calls the logic and answers.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "programs/roster.h"
#include "programs/scope.h"
#include "core/banned.h"

static char *iso(struct arena *a, int64_t t)
{
	char *s = arena_alloc(a, 32);
	util_iso8601(s, 32, t);
	return s;
}

/* Ends a read transaction; audited when it opened someone's record. */
static bool finish_read(struct req *r, bool audit, const char *action, const char *res,
                        const char *what)
{
	if (audit)
		return req_commit(r, 0, action, res, what);
	int rc = db_commit(req_db(r));
	if (rc)
		programs_http_refused(r, rc, NULL, what);
	return rc == 0;
}

void programs_http_roster_list(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	struct programs_refusal why = {0};
	struct roster_entry *es;
	size_t n;
	bool people;
	const char *what = "the session";
	int rc = programs_http_open_ref(r, true, id, ACT_ROSTER_READ,
	                                "only staff of the session's organisation see its roster",
	                                &ref, &why);
	/* Not an empty roster when it could not be read: an error. */
	if (!rc && (rc = roster_list(c, r->arena, &r->app->people, id, &es, &n, &people)) != 0)
		what = "the roster";
	if (rc) {
		programs_http_refused(r, rc, &why, what);
		return;
	}
	if (!finish_read(r, people, "roster.read", programs_http_resource(r, "session", id),
	                 "the roster"))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)es[i].id, "role", es[i].role);
		if (es[i].user_id) {
			json_object_set_new(o, "user_id", json_integer(es[i].user_id));
			json_object_set_new(o, "name", json_string(es[i].name));
		} else {
			json_object_set_new(o, "participant_id",
			                    json_integer(es[i].participant_id));
			json_object_set_new(o, "name", json_string(es[i].name));
		}
		json_array_append_new(items, o);
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

enum { RA_USER_ID, RA_PARTICIPANT_ID, RA_ROLE };
static const struct field programs_http_roster_add_fields[] = {
    [RA_USER_ID] = {"user_id", FIELD_INT, false, 1},
    [RA_PARTICIPANT_ID] = {"participant_id", FIELD_INT, false, 1},
    [RA_ROLE] = {"role", FIELD_ENUM, true, 0, 0, roster_roles},
};
const struct field_table programs_http_roster_add_body =
    FIELD_TABLE(programs_http_roster_add_fields);

void programs_http_roster_add(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_roster_add_fields)];
	if (!req_body_fields(r, &programs_http_roster_add_body, v))
		return;
	bool lead = strcmp(v[RA_ROLE].s, "participant_lead") == 0;
	if (lead && (!v[RA_PARTICIPANT_ID].present || v[RA_USER_ID].present)) {
		programs_bad(
		    r, 400, "participant_id",
		    "a participant lead is a participant: give participant_id (not user_id)");
		return;
	}
	if (!lead && (!v[RA_USER_ID].present || v[RA_PARTICIPANT_ID].present)) {
		programs_bad(r, 400, "user_id",
		             "give the user_id of the staff member or volunteer");
		return;
	}
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	struct programs_refusal why = {0};
	const char *what = "the session";
	int64_t rid = 0;
	const char *field = lead ? "participant_id" : "user_id";
	struct roster_input in = {.role = v[RA_ROLE].s,
	                          .user_id = lead ? 0 : v[RA_USER_ID].i,
	                          .participant_id = lead ? v[RA_PARTICIPANT_ID].i : 0};
	int rc = programs_http_open_ref(
	    r, true, id, ACT_PROGRAM_MANAGE,
	    "you can change the roster only of programmes you coordinate", &ref, &why);
	if (rc)
		goto out;
	/* Scope first: a person of another organisation is refused like one
	 * who does not exist, before anything else is said. */
	if (lead &&
	    !programs_scope_participant(r, field, in.participant_id, ref.organisation_id, NULL)) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	if (!lead && !programs_http_part_fits(r, field, in.user_id, ref.organisation_id, in.role,
	                                      &in.name)) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	what = "the roster";
	rc = roster_add(c, r->arena, &r->actor, &ref, &in, &rid, &why);
out:
	if (!programs_http_finish(r, rc, &why, what, "roster.add",
	                          programs_http_resource(r, "session", id)))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:I, s:s}", "id", (json_int_t)rid, "session_id", (json_int_t)id,
	                    "role", v[RA_ROLE].s));
}

void programs_http_roster_delete(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct programs_refusal why = {0};
	int64_t session = 0;
	int rc = db_begin(c, true);
	if (!rc)
		rc = roster_remove(c, r->arena, &r->actor, id, &session, &why);
	/* Another organisation's entry (404 from the policy) answers as a
	 * missing one does. */
	bool entry = why.status || !session || rc == -HEARTH_ENOTFOUND;
	if (!programs_http_finish(r, rc, &why, entry ? "the roster entry" : "the roster",
	                          "roster.remove", programs_http_resource(r, "session", session)))
		return;
	http_no_content(r);
}

/* counts: one row per (person, role), in order of first appearance. */
static void count_add(json_t *counts, const char *kind, int64_t id, const char *name,
                      const char *role)
{
	size_t i;
	json_t *c;
	json_array_foreach(counts, i, c)
	{
		if (json_integer_value(json_object_get(c, "id")) == id &&
		    strcmp(json_string_value(json_object_get(c, "kind")), kind) == 0 &&
		    strcmp(json_string_value(json_object_get(c, "role")), role) == 0) {
			json_object_set_new(
			    c, "times",
			    json_integer(json_integer_value(json_object_get(c, "times")) + 1));
			return;
		}
	}
	json_array_append_new(counts,
	                      json_pack("{s:s, s:I, s:s, s:s, s:i}", "kind", kind, "id",
	                                (json_int_t)id, "name", name, "role", role, "times", 1));
}

void programs_http_rotation(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	struct programs_refusal why = {0};
	struct rotation_slot *xs;
	size_t n;
	bool people;
	const char *what = "the programme";
	int rc = programs_http_open_ref(
	    r, false, id, ACT_ROSTER_READ,
	    "only staff of the programme's organisation see its rotation", &ref, &why);
	if (!rc && (rc = roster_rotation(c, r->arena, &r->app->people, id, &xs, &n, &people)) != 0)
		what = "the rotation";
	if (rc) {
		programs_http_refused(r, rc, &why, what);
		return;
	}
	if (!finish_read(r, people, "rotation.read", programs_http_resource(r, "programme", id),
	                 "the rotation"))
		return;
	json_t *sessions = json_array(), *counts = json_array(), *cur = NULL;
	json_t **of = arena_alloc(r->arena, (n ? n : 1) * sizeof *of);
	int64_t cur_id = 0;
	/* Staff first, in order; then participant leads, as before. */
	for (size_t i = 0; i < n; i++) {
		if (xs[i].session_id != cur_id) {
			cur_id = xs[i].session_id;
			cur = json_pack("{s:I, s:s, s:[], s:[], s:[], s:[]}", "session_id",
			                (json_int_t)cur_id, "starts_at",
			                iso(r->arena, xs[i].starts_at), "lead", "co_facilitator",
			                "participant_lead", "on_duty");
			json_array_append_new(sessions, cur);
		}
		of[i] = cur;
		if (xs[i].role && xs[i].user_id) {
			json_array_append_new(json_object_get(cur, xs[i].role),
			                      json_string(xs[i].name));
			count_add(counts, "user", xs[i].user_id, xs[i].name, xs[i].role);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (xs[i].role && !xs[i].user_id) {
			json_array_append_new(json_object_get(of[i], "participant_lead"),
			                      json_string(xs[i].name));
			count_add(counts, "participant", xs[i].participant_id, xs[i].name,
			          "participant_lead");
		}
	http_json(r, 200, json_pack("{s:o, s:o}", "sessions", sessions, "counts", counts));
}

/* ------------------------------------------------------------------ */
/* Staff who can be named in a team or put on a roster                 */

void programs_http_staff_list(struct req *r)
{
	const char *role = req_query(r, "role");
	int64_t org_id;
	if (!programs_query_id(r, "organisation_id", &org_id))
		return;
	struct staff_member *ms;
	size_t n;
	struct programs_refusal why = {0};
	int rc = roster_staff_list(req_db(r), r->arena, &r->actor, org_id, role, &ms, &n, &why);
	if (rc) {
		programs_http_refused(r, why.status ? rc : -HEARTH_EDB, &why, "staff");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *roles = json_array();
		for (size_t k = 0; k < ms[i].nroles; k++)
			json_array_append_new(roles,
			                      json_pack("{s:I, s:s, s:s}", "organisation_id",
			                                (json_int_t)ms[i].roles[k].organisation_id,
			                                "organisation", ms[i].roles[k].organisation,
			                                "role", ms[i].roles[k].role));
		json_array_append_new(items, json_pack("{s:I, s:s, s:o}", "id",
		                                       (json_int_t)ms[i].id, "display_name",
		                                       ms[i].display_name, "roles", roles));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}
