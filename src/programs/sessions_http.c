/*
 * HTTP edge of sessions (logic in sessions.c): one by one, their list and
 * a person's duties; parses, checks, calls the logic and answers.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/calendar/cal.h"
#include "programs/programmes.h"
#include "programs/programs.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "programs/roster.h"
#include "programs/sessions.h"
#include "core/banned.h"

#define DAY 86400

/* Whether the caller sees programme ref as its organisation's staff do
 * (drafts, cancelled sessions): 0 and *staff, 0 for a published one seen
 * by anyone logged in, or the policy's refusal (403 for another role in
 * its organisation, 404 as for a missing one). */
static int staff_view(struct req *r, const struct prog_ref *ref, bool *staff)
{
	int rc = programs_check(&r->actor, ACT_ROSTER_READ, ref->organisation_id, ref->status);
	*staff = rc == 0;
	return rc == -HEARTH_EDENIED && strcmp(ref->status, "published") == 0 ? 0 : rc;
}

void programs_http_session_list(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct prog_ref ref;
	bool staff = false;
	int rc = programs_programme_ref(req_db(r), r->arena, id, &ref);
	if (!rc)
		rc = staff_view(r, &ref, &staff);
	if (rc) {
		http_error(r, rc, "the programme");
		return;
	}
	json_t *items;
	rc = sessions_list(req_db(r), id, staff, &items);
	if (rc) {
		http_error(r, rc, "sessions");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Loads a session the actor may see; NULL and an answer sent otherwise. */
static json_t *session_load(struct req *r, int64_t id, struct prog_ref *ref)
{
	int rc = programs_session_ref(req_db(r), r->arena, id, ref);
	if (rc) {
		http_error(r, rc, "the session");
		return NULL;
	}
	bool staff = false;
	json_t *o = NULL;
	rc = staff_view(r, ref, &staff);
	if (!rc)
		rc = sessions_get(req_db(r), id, staff, ref->status, &o);
	if (rc)
		http_error(r, rc, "the session");
	return o;
}

void programs_http_session_get(struct req *r)
{
	struct prog_ref ref;
	json_t *o = session_load(r, req_param_id(r, "id"), &ref);
	if (!o)
		return;
	/* Whether the caller may move or cancel it: the policy's answer, so a
	 * page offers only what will work (a facilitator: the sessions they
	 * run). A check that could not run is an error, never "no". */
	int rc = policy_allows(&r->actor, ACT_SESSION_EDIT)
	             ? sessions_check(req_db(r), &r->actor, ACT_SESSION_EDIT, &ref, NULL)
	             : -HEARTH_EDENIED;
	if (rc && rc != -HEARTH_EDENIED && rc != -HEARTH_ENOTFOUND) {
		json_decref(o);
		http_error(r, rc, "the session");
		return;
	}
	json_object_set_new(o, "may_edit", json_boolean(rc == 0));
	http_json(r, 200, o);
}

/* How many are on duty at session (0 when it cannot be read). */
static int64_t duty_count(struct db_conn *c, int64_t session)
{
	int64_t n;
	return roster_duty_count(c, session, &n) ? 0 : n;
}

/* Session times lie in the programme calendar's window (CAL_FIRST_YEAR in
 * cal.h, as programme dates); answers 400 naming the field otherwise. */
static bool session_times_in_window(struct req *r, const struct field_value *starts,
                                    const struct field_value *ends)
{
	const struct field_value *f[2] = {starts, ends};
	static const char *const names[2] = {"starts_at", "ends_at"};
	for (int i = 0; i < 2; i++) {
		if (!f[i]->present)
			continue;
		int64_t t = f[i]->i, days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
		if (!cal_date_in_window(cal_from_days(days))) {
			programs_bad(r, 400, names[i], "%s must be from %d-01-01 to %d-12-31",
			             names[i], CAL_FIRST_YEAR, CAL_LAST_YEAR);
			return false;
		}
	}
	return true;
}

enum { SC_STARTS_AT, SC_ENDS_AT, SC_VENUE_ID, SC_ONLINE_LINK };
static const struct field programs_http_session_create_fields[] = {
    [SC_STARTS_AT] = {"starts_at", FIELD_TIME, true},
    [SC_ENDS_AT] = {"ends_at", FIELD_TIME, true},
    [SC_VENUE_ID] = {"venue_id", FIELD_INT, false, 1},
    [SC_ONLINE_LINK] = {"online_link", FIELD_STRING, false, 0, 500},
};
const struct field_table programs_http_session_create_body =
    FIELD_TABLE(programs_http_session_create_fields);

void programs_http_session_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_session_create_fields)];
	if (!req_body_fields(r, &programs_http_session_create_body, v))
		return;
	int64_t id = req_param_id(r, "id");
	if (!session_times_in_window(r, &v[SC_STARTS_AT], &v[SC_ENDS_AT]))
		return;
	if (v[SC_ENDS_AT].i <= v[SC_STARTS_AT].i ||
	    v[SC_ENDS_AT].i - v[SC_STARTS_AT].i > 12 * 3600) {
		programs_bad(r, 400, "ends_at",
		             "ends_at must be after starts_at, at most 12 hours");
		return;
	}
	struct db_conn *c = req_db(r);
	struct prog_row p = {0};
	struct programs_refusal why = {0};
	int64_t sid = 0;
	int rc = programs_http_open_managed(r, id, &p, "add sessions to", &why);
	if (rc)
		goto out;
	if (strcmp(p.status, "closed") == 0) {
		rc = programs_refuse(&why, r->arena, 409, NULL,
		                     "the programme is closed; reopen it before adding sessions");
		goto out;
	}
	int64_t venue = v[SC_VENUE_ID].present ? v[SC_VENUE_ID].i : p.venue;
	const char *link = v[SC_ONLINE_LINK].present
	                       ? (*v[SC_ONLINE_LINK].s ? v[SC_ONLINE_LINK].s : NULL)
	                       : p.link;
	if (!programs_http_place_valid(r, p.org, p.format, venue, link, p.capacity)) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	rc = sessions_venue_free(c, r->arena, &r->actor, venue, v[SC_STARTS_AT].i, v[SC_ENDS_AT].i,
	                         0, &why);
	if (rc)
		goto out;
	/* In a published programme a new session is public at once, unless it
	 * is therapeutic: then it waits for someone on duty. */
	const char *status =
	    strcmp(p.status, "published") == 0 && !p.therapeutic ? "published" : "draft";
	rc = sessions_insert(c, id, v[SC_STARTS_AT].i, v[SC_ENDS_AT].i, 0, venue, link, status,
	                     &sid);
out:
	if (!programs_http_finish(r, rc, &why, "the session", "session.create",
	                          programs_http_resource(r, "session", sid)))
		return;
	json_t *o = sessions_json(c, sid, v[SC_STARTS_AT].i, p.zone);
	http_json(r, 201, o ? o : json_pack("{s:I}", "id", (json_int_t)sid));
}

int programs_http_open_ref(struct req *r, bool session, int64_t id, enum action act,
                           const char *denied, struct prog_ref *ref, struct programs_refusal *why)
{
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = session ? programs_session_ref(c, r->arena, id, ref)
		             : programs_programme_ref(c, r->arena, id, ref);
	bool only_assigned = false;
	if (!rc)
		rc = session ? sessions_check(c, &r->actor, act, ref, &only_assigned)
		             : programs_check(&r->actor, act, ref->organisation_id, ref->status);
	if (rc == -HEARTH_EDENIED)
		rc = programs_refuse(why, r->arena, 403, NULL, "%s",
		                     only_assigned ? "you can change only the sessions you run or "
		                                     "are on the roster of"
		                                   : denied);
	return rc;
}

static const char *const programs_http_session_update_statuses[] = {"published", "cancelled", NULL};
enum { SU_STARTS_AT, SU_ENDS_AT, SU_VENUE_ID, SU_ONLINE_LINK, SU_STATUS, SU_CANCEL_REASON };
static const struct field programs_http_session_update_fields[] = {
    [SU_STARTS_AT] = {"starts_at", FIELD_TIME, false},
    [SU_ENDS_AT] = {"ends_at", FIELD_TIME, false},
    [SU_VENUE_ID] = {"venue_id", FIELD_INT, false, 0},
    [SU_ONLINE_LINK] = {"online_link", FIELD_STRING, false, 0, 500},
    [SU_STATUS] = {"status", FIELD_ENUM, false, 0, 0, programs_http_session_update_statuses},
    [SU_CANCEL_REASON] = {"cancel_reason", FIELD_STRING, false, 1, 500},
};
const struct field_table programs_http_session_update_body =
    FIELD_TABLE(programs_http_session_update_fields);

void programs_http_session_update(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_session_update_fields)];
	if (!req_body_fields(r, &programs_http_session_update_body, v))
		return;
	if (!session_times_in_window(r, &v[SU_STARTS_AT], &v[SU_ENDS_AT]))
		return;
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	struct programs_refusal why = {0};
	struct session_state st;
	bool cancelling = v[SU_STATUS].present && strcmp(v[SU_STATUS].s, "cancelled") == 0;
	const char *what = "the session";
	int rc = programs_http_open_ref(
	    r, true, id, ACT_SESSION_EDIT,
	    "you can change sessions only of your organisation's programmes", &ref, &why);
	if (rc)
		goto out;
	if ((rc = sessions_state_get(c, r->arena, id, &st)) != 0) {
		rc = -HEARTH_EDB;
		goto out;
	}
	int64_t start = st.start, end = st.end, venue = st.venue;
	const char *link = st.link, *status = st.status, *reason = st.reason;
	int64_t was_published = st.was_published, cancelled_at = st.cancelled_at;
	if (strcmp(status, "cancelled") == 0 && !cancelling &&
	    !(v[SU_STATUS].present && strcmp(v[SU_STATUS].s, "published") == 0)) {
		rc = programs_refuse(
		    &why, r->arena, 409, "status",
		    "the session is cancelled; set status to published to bring it back first");
		goto out;
	}
	if (cancelling && !v[SU_CANCEL_REASON].present) {
		rc = programs_refuse(
		    &why, r->arena, 400, "cancel_reason",
		    "cancel_reason is required: say why, so the people coming are told");
		goto out;
	}
	/* Moving: ends_at follows starts_at unless given. */
	if (v[SU_STARTS_AT].present) {
		int64_t len = end - start;
		start = v[SU_STARTS_AT].i;
		end = v[SU_ENDS_AT].present ? v[SU_ENDS_AT].i : start + len;
	} else if (v[SU_ENDS_AT].present) {
		end = v[SU_ENDS_AT].i;
	}
	if (end <= start || end - start > 12 * 3600) {
		rc = programs_refuse(&why, r->arena, 400, "ends_at",
		                     "ends_at must be after starts_at, at most 12 hours");
		goto out;
	}
	if (v[SU_VENUE_ID].present)
		venue = v[SU_VENUE_ID].i;
	if (v[SU_ONLINE_LINK].present)
		link = *v[SU_ONLINE_LINK].s ? v[SU_ONLINE_LINK].s : NULL;
	if (link && !programmes_link_valid(link)) {
		rc = programs_refuse(&why, r->arena, 400, "online_link",
		                     "online_link must start with https://");
		goto out;
	}
	if ((v[SU_VENUE_ID].present || v[SU_ONLINE_LINK].present) && !cancelling) {
		/* The programme's format decides what a session needs. */
		struct prog_row p = {0};
		if ((rc = programmes_row_load(c, r->arena, ref.programme_id, &p)) != 0)
			goto out;
		if (!programs_http_place_valid(r, p.org, p.format, venue, link, p.capacity)) {
			rc = -HEARTH_EINVAL; /* answered */
			goto out;
		}
	}
	if (venue &&
	    (v[SU_STARTS_AT].present || v[SU_ENDS_AT].present || v[SU_VENUE_ID].present ||
	     v[SU_STATUS].present) &&
	    !cancelling) {
		rc = sessions_venue_free(c, r->arena, &r->actor, venue, start, end, id, &why);
		if (rc)
			goto out;
	}
	if (v[SU_STARTS_AT].present && !cancelling) {
		/* A check that could not run does not pass. */
		if ((rc = sessions_duty_check(c, r->arena, id, start, ref.timezone, &why)) != 0) {
			what = "the duty check";
			goto out;
		}
	}
	if (cancelling) {
		status = "cancelled";
		reason = v[SU_CANCEL_REASON].s;
		cancelled_at = util_now();
	} else if (v[SU_STATUS].present) {
		if (ref.therapeutic && duty_count(c, id) == 0) {
			rc = programs_refuse(
			    &why, r->arena, 409, "status",
			    "a session of a therapeutic programme needs someone on duty before "
			    "it is published");
			goto out;
		}
		status = "published";
		was_published = 1;
		reason = NULL;
		cancelled_at = 0;
	}
	st = (struct session_state){.start = start,
	                            .end = end,
	                            .venue = venue,
	                            .link = link,
	                            .status = status,
	                            .was_published = was_published,
	                            .reason = reason,
	                            .cancelled_at = cancelled_at};
	rc = sessions_state_put(c, id, &st);
out:
	if (!programs_http_finish(r, rc, &why, what,
	                          cancelling ? "session.cancel" : "session.update",
	                          programs_http_resource(r, "session", id)))
		return;
	programs_http_session_get(r);
}

void programs_http_me_duties(struct req *r)
{
	json_t *items;
	int rc = sessions_duties(req_db(r), r->actor.user_id, util_now() - DAY, &items);
	if (rc) {
		http_error(r, rc, "duties");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}
