/*
 * The HTTP edge of taking part in programmes: sessions that fit a person,
 * enrolment with its waitlist and offers, attendance and follow-up (supports
 * are supports_http.c), and the helpers these edges share. Each handler parses its input with a
 * field table, calls one logic function (enrolment.c, fit.c, supports.c,
 * attendance.c, followup.c; declared in taking_part.h) inside the request's
 * transaction, and turns the typed result, or the refusal the logic gives
 * (struct part_refusal), into JSON or problem+json. No SQL here.
 *
 * Names come from the people module (people_view): showing one is a read of
 * the person's record, allowed to staff of the programme's organisation and
 * audited in the same transaction.
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
#include "http/meta.h"
#include "people/people.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "programs/taking_part.h"
#include "core/banned.h"

#define FIT_DEFAULT 20
#define FIT_MAX     100

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

const struct people_ctx *programs_http_px(struct req *r)
{
	return &r->app->people;
}

/* A session as the API shows it (programs_session_row's members), with its
 * local start. */
static json_t *session_json(const struct part_session *x)
{
	json_t *o =
	    json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:b, s:s, s:s, s:b}", "id",
	              (json_int_t)x->id, "programme_id", (json_int_t)x->programme_id, "starts_at",
	              programs_json_time(x->starts_at), "ends_at", programs_json_time(x->ends_at),
	              "original_start",
	              x->has_original_start ? programs_json_time(x->original_start) : json_null(),
	              "venue_id", x->has_venue ? json_integer(x->venue_id) : json_null(),
	              "online_link", programs_json_text(x->online_link), "status", x->status,
	              "cancel_reason", programs_json_text(x->cancel_reason), "edited", x->edited,
	              "timezone", x->timezone, "programme", x->title, "on_duty", x->on_duty);
	if (!o)
		return NULL;
	json_object_set_new(o, "sequence", json_integer(x->sequence));
	const struct tz *z = tz_get(x->timezone);
	if (z) {
		struct local_time lt;
		tz_utc_to_local(z, x->starts_at, &lt);
		char s[32];
		snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d", lt.year, lt.month, lt.day,
		         lt.hour, lt.minute);
		json_object_set_new(o, "local_start", json_string(s));
	}
	return o;
}

/* The participant record of the logged-in participant; answers 404 and
 * returns 0 when the login has none. */
int64_t programs_http_self_or_404(struct req *r)
{
	int64_t id = programs_self_participant(req_db(r), &r->actor);
	if (!id)
		http_problem(r, 404, "no participant record is linked to your login");
	return id;
}

/* ?limit=: an integer in 1..max, def when absent. Answers 400 and returns
 * false when malformed. */
static bool query_limit(struct req *r, int def, int max, int *out)
{
	const char *q = req_query(r, "limit");
	*out = def;
	if (!q)
		return true;
	char *end;
	long v = strtol(q, &end, 10);
	if (!*q || *end || v < 1 || v > max) {
		programs_bad(r, 400, "limit", "limit must be a whole number from 1 to %d", max);
		return false;
	}
	*out = (int)v;
	return true;
}

/* Begins the request's write transaction; answers and returns false on
 * failure. */
bool programs_http_begin_write(struct req *r, const char *what)
{
	int rc = db_begin(req_db(r), true);
	if (rc)
		http_error(r, rc, what);
	return rc == 0;
}

/* ------------------------------------------------------------------ */
/* Enrolment (the logic is enrolment.c)                                */

void programs_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	people_on_consent_withdrawn(enrolment_on_consent_withdrawn);
	listening_http_init();      /* anonymous answers settle with their audit entry */
	programs_export_register(); /* the person's export: enrolments, supports, ... */
}

struct part_ctx programs_http_part_ctx(struct req *r)
{
	return (struct part_ctx){req_db(r), r->arena, programs_http_px(r), &r->actor};
}

/* Answers a refusal of the logic (no->base.status set) and returns true: the
 * transaction is committed first when the settling it did is kept
 * (audited as enrolment.settle), else rolled back. */
bool programs_http_part_refused(struct req *r, const struct part_refusal *no)
{
	if (!no->base.status)
		return false;
	if (no->keep) {
		if (!req_commit(r, 0, "enrolment.settle",
		                programs_http_resource(r, "programme", no->programme_id),
		                "the enrolment"))
			return true;
	} else {
		programs_http_close(r);
	}
	if (no->base.field) {
		http_field_problem(r, no->base.status, no->base.field, "%s", no->base.message);
		return true;
	}
	json_t *ext = NULL;
	if (no->programme_status)
		ext = json_pack("{s:s}", "programme_status", no->programme_status);
	else if (no->consent)
		ext = json_pack("{s:s}", "consent", no->consent);
	else if (no->enrolment_id)
		ext = json_pack("{s:I, s:s}", "enrolment_id", (json_int_t)no->enrolment_id,
		                "enrolment_status", no->enrolment_status);
	else if (no->enrolment_status)
		ext = json_pack("{s:s}", "enrolment_status", no->enrolment_status);
	else if (no->session_status)
		ext = json_pack("{s:s}", "session_status", no->session_status);
	http_problem_ext(r, no->base.status, ext, "%s", no->base.message);
	return true;
}

static json_t *enrolment_json(const struct enrolment_out *e)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)e->id, "programme_id",
	                      (json_int_t)e->programme_id, "participant_id",
	                      (json_int_t)e->participant_id, "status", e->status);
	json_object_set_new(o, "position", e->position ? json_integer(e->position) : json_null());
	return o;
}

/* Enrols person in programme (or on its waitlist) and answers. */
static void enrol(struct req *r, int64_t programme, int64_t person, bool by_self)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct enrolment_out e;
	if (!programs_http_begin_write(r, "the enrolment"))
		return;
	int rc = enrolment_enrol(&x, programme, person, by_self, &e, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, by_self ? "self.enrolment.create" : "enrolment.create",
	                programs_http_resource(r, "enrolment", e.id), no.what))
		return;
	http_json(r, 201, enrolment_json(&e));
}

enum { EC_PARTICIPANT_ID };
static const struct field programs_http_enrol_create_fields[] = {
    [EC_PARTICIPANT_ID] = {"participant_id", FIELD_INT, true, 1},
};
const struct field_table programs_http_enrol_create_body =
    FIELD_TABLE(programs_http_enrol_create_fields);

void programs_http_enrol_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_enrol_create_fields)];
	if (req_body_fields(r, &programs_http_enrol_create_body, v))
		enrol(r, req_param_id(r, "id"), v[EC_PARTICIPANT_ID].i, false);
}

enum { ME_PROGRAMME_ID };
static const struct field programs_http_me_enrol_fields[] = {
    [ME_PROGRAMME_ID] = {"programme_id", FIELD_INT, true, 1},
};
const struct field_table programs_http_me_enrol_body = FIELD_TABLE(programs_http_me_enrol_fields);

void programs_http_me_enrol(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_me_enrol_fields)];
	int64_t me;
	if (req_body_fields(r, &programs_http_me_enrol_body, v) &&
	    (me = programs_http_self_or_404(r)) != 0)
		enrol(r, v[ME_PROGRAMME_ID].i, me, true);
}

/* Cancel, accept or decline a place: the person themself or staff of the
 * programme's organisation. */
static void enrolment_reply_do(struct req *r, enum enrolment_reply what)
{
	static const char *const actions[] = {"enrolment.cancel", "enrolment.accept",
	                                      "enrolment.decline"};
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct enrolment_out e;
	int64_t id = req_param_id(r, "id");
	int64_t me = programs_self_participant(x.c, &r->actor);
	if (!programs_http_begin_write(r, "the enrolment"))
		return;
	int rc = enrolment_reply(&x, id, me, what, &e, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, actions[what], programs_http_resource(r, "enrolment", id), no.what))
		return;
	if (what == ENROLMENT_CANCEL)
		http_no_content(r);
	else
		http_json(r, 200, enrolment_json(&e));
}

void programs_http_enrol_cancel(struct req *r)
{
	enrolment_reply_do(r, ENROLMENT_CANCEL);
}

void programs_http_enrol_accept(struct req *r)
{
	enrolment_reply_do(r, ENROLMENT_ACCEPT);
}

void programs_http_enrol_decline(struct req *r)
{
	enrolment_reply_do(r, ENROLMENT_DECLINE);
}

/* --- lists --- */

static json_t *enrolment_row_json(const struct enrolment_row *e, bool named)
{
	json_t *o =
	    named ? json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)e->id, "programme_id",
	                      (json_int_t)e->programme_id, "participant_id",
	                      (json_int_t)e->participant_id, "status", e->status)
	          : json_pack("{s:I, s:I, s:s, s:I, s:s}", "id", (json_int_t)e->id, "programme_id",
	                      (json_int_t)e->programme_id, "programme", e->programme,
	                      "participant_id", (json_int_t)e->participant_id, "status", e->status);
	json_object_set_new(o, "position", e->position ? json_integer(e->position) : json_null());
	json_object_set_new(o, "cancel_reason", programs_json_text(e->cancel_reason));
	json_object_set_new(o, "offered_at",
	                    e->has_offered_at ? programs_json_time(e->offered_at) : json_null());
	json_object_set_new(o, "offer_expires_at",
	                    e->has_offer_expires_at ? programs_json_time(e->offer_expires_at)
	                                            : json_null());
	json_object_set_new(o, "created_at", programs_json_time(e->created_at));
	json_object_set_new(o, "updated_at", programs_json_time(e->updated_at));
	if (named) {
		json_object_set_new(o, "name", programs_json_text(e->name));
		if (e->erased)
			json_object_set_new(o, "erased", json_true());
	}
	return o;
}

void programs_http_enrol_list(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct enrolment_row *rows;
	size_t n;
	int64_t programme = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the enrolments"))
		return;
	int rc = enrolment_list(&x, programme, &rows, &n, &no);
	/* Names shown are reads of those people's records. */
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "enrolment.read", programs_http_resource(r, "programme", programme),
	                no.what))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, enrolment_row_json(&rows[i], true));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void programs_http_me_enrolments(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct enrolment_row *rows;
	size_t n;
	int64_t me = programs_http_self_or_404(r);
	if (!me || !programs_http_begin_write(r, "your enrolments"))
		return;
	int rc = enrolment_list_mine(&x, me, &rows, &n);
	if (!req_commit(r, rc, "self.enrolment.read", programs_http_resource(r, "participant", me),
	                "your enrolments"))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, enrolment_row_json(&rows[i], false));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

void programs_http_me_sessions(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_session *rows;
	size_t n;
	int limit;
	int64_t me;
	if (!query_limit(r, 50, 500, &limit) || !(me = programs_http_self_or_404(r)))
		return;
	int rc = enrolment_my_sessions(&x, me, limit, &rows, &n);
	if (rc) {
		http_error(r, rc, "your sessions");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, session_json(&rows[i]));
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* What the UI offers and explains (GET /api/v1/meta). */
const struct meta_enum taking_part_http_enums[] = {
    {"support_kinds", support_kinds},  {"support_states", support_states},
    {"attendance_marks", mark_states}, {"followup_actions", followup_actions},
    {"fit_codes", fit_codes},          {NULL, NULL},
};

/* ------------------------------------------------------------------ */
/* Sessions that fit a person (the ranking is fit.c)                   */

/* The programme as a fit item shows it. */
static json_t *fit_programme_json(const struct fit_item *x)
{
	json_t *langs = json_array();
	for (const char *p = x->languages; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n)
			json_array_append_new(langs, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	int64_t left = x->capacity - x->taken;
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:s, s:I, s:b, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:I}",
	    "id", (json_int_t)x->id, "organisation_id", (json_int_t)x->organisation_id, "title",
	    x->title, "art_form", x->art_form, "languages", langs, "format",
	    fit_format_name(x->format), "capacity", (json_int_t)x->capacity, "therapeutic",
	    x->therapeutic, "timezone", x->timezone, "start_date", x->start_date, "end_date",
	    programs_json_text(x->end_date), "start_time", x->start_time, "duration_minutes",
	    (json_int_t)x->duration, "enrolled", (json_int_t)x->taken, "waitlisted",
	    (json_int_t)x->waiting, "places_left", (json_int_t)(left > 0 ? left : 0));
	json_object_set_new(o, "venue_id", x->venue_id ? json_integer(x->venue_id) : json_null());
	json_object_set_new(o, "venue", programs_json_text(x->venue));
	return o;
}

/* "17:30" for minutes after midnight. */
static json_t *fit_clock_json(int minutes)
{
	char buf[8];
	snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
	return json_string(buf);
}

/* A criterion's reason as a code with its parameters, for the UI to word
 * in the reader's language: {"code":"venue_has","features":["quiet_room"]},
 * {"code":"time_inside","days":["tue"],"start":"17:30","end":"19:00"}, ... */
static json_t *fit_says_json(const struct fit_item *x, int k)
{
	const struct fit_reason *w = &x->why[k];
	json_t *o = json_pack("{s:s}", "code", w->says ? w->says : "none");
	if (k == FIT_ACCESS && w->features) {
		json_t *f = json_array();
		for (int i = 0; i < VF__MAX; i++)
			if (w->features & (1u << i))
				json_array_append_new(f, json_string(venue_feature_names[i]));
		json_object_set_new(o, "features", f);
	} else if (k == FIT_LANGUAGE && w->lang) {
		json_object_set_new(o, "lang", json_string(w->lang));
	} else if (k == FIT_FORMAT) {
		json_object_set_new(o, "format", json_string(fit_format_name(x->format)));
	} else if (k == FIT_TIME && w->days) {
		json_t *d = json_array();
		for (int i = 0; i < 7; i++)
			if (w->days & (1u << i))
				json_array_append_new(d, json_string(fit_day_names[i]));
		json_object_set_new(o, "days", d);
		json_object_set_new(o, "start", fit_clock_json(w->start));
		json_object_set_new(o, "end", fit_clock_json(w->end));
	} else if (k == FIT_ART_FORM && w->says && strcmp(w->says, "no_interests") != 0) {
		json_object_set_new(o, "art_form", json_string(x->art_form));
	} else if (k == FIT_PLACES && w->says &&
	           (!strcmp(w->says, "places_left") || !strcmp(w->says, "full"))) {
		json_object_set_new(o, "n", json_integer(w->n > 0 ? w->n : 0));
	}
	return o;
}

static json_t *fit_item_json(const struct fit_item *x)
{
	json_t *reasons = json_array();
	for (int k = 0; k < FIT__MAX; k++)
		json_array_append_new(reasons,
		                      json_pack("{s:s, s:b, s:o, s:s}", "code", fit_codes[k], "ok",
		                                x->why[k].ok, "reason", fit_says_json(x, k),
		                                "detail", x->why[k].detail));
	json_t *o = json_pack("{s:o, s:i, s:o, s:o}", "programme", fit_programme_json(x), "score",
	                      x->score, "reasons", reasons, "next_session", session_json(&x->next));
	json_object_set_new(o, "enrolment",
	                    x->enrol
	                        ? json_pack("{s:I, s:s}", "id", (json_int_t)x->enrol_id, "status",
	                                    x->enrol == ENR_ENROLLED  ? "enrolled"
	                                    : x->enrol == ENR_OFFERED ? "offered"
	                                                              : "waitlisted")
	                        : json_null());
	return o;
}

/* Answers the ranked items as {"items": [...]}. */
static void fit_json(struct req *r, struct fit_item **items, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, fit_item_json(items[i]));
	http_json(r, 200, json_pack("{s:o}", "items", arr));
}

void programs_http_fit_me(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct fit_item **items;
	size_t n;
	int limit;
	int64_t me;
	if (!query_limit(r, FIT_DEFAULT, FIT_MAX, &limit) || !(me = programs_http_self_or_404(r)))
		return;
	/* Not audited: the person's own needs, read to rank (it must stay
	 * fast); so no transaction either. */
	int rc = fit_for(&x, me, true, limit, &items, &n, &no);
	if (rc) {
		http_error(r, rc, no.what);
		return;
	}
	fit_json(r, items, n);
}

void programs_http_fit_person(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct fit_item **items;
	size_t n;
	int limit;
	int64_t id = req_param_id(r, "id");
	if (!query_limit(r, FIT_DEFAULT, FIT_MAX, &limit) ||
	    !programs_http_begin_write(r, "the person"))
		return;
	int rc = fit_for(&x, id, false, limit, &items, &n, &no);
	if (no.denied) {
		/* A denied read of a person is audited too. */
		(void)req_audit(r, "participant.fit", programs_http_resource(r, "participant", id),
		                "denied");
		db_commit(x.c);
		http_problem(r, no.base.status, "%s", no.base.message);
		return;
	}
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "participant.fit", programs_http_resource(r, "participant", id),
	                no.what))
		return;
	fit_json(r, items, n);
}

/* ------------------------------------------------------------------ */
/* Attendance (the logic is attendance.c)                              */

void programs_http_attendance_get(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	struct part_session sess;
	struct reg_item *items;
	size_t n;
	bool has_sess;
	int64_t session = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the register"))
		return;
	int rc = attendance_register(&x, session, &sess, &has_sess, &items, &n, &no);
	/* Names shown are reads of those people's records. */
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "attendance.read", programs_http_resource(r, "session", session),
	                no.what))
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:I, s:o, s:o, s:b, s:o}", "participant_id", (json_int_t)items[i].pid, "name",
		    programs_json_text(items[i].name), "status",
		    programs_json_text(items[i].status), "sat_out", items[i].sat_out, "enrolment",
		    programs_json_text(items[i].enrolment));
		if (items[i].erased)
			json_object_set_new(o, "erased", json_true());
		json_array_append_new(arr, o);
	}
	json_t *sj = has_sess ? session_json(&sess) : NULL;
	http_json(r, 200, json_pack("{s:o, s:o}", "session", sj ? sj : json_null(), "items", arr));
}

static const struct field programs_http_attendance_mark_mark_fields[] = {
    {"participant_id", FIELD_INT, true, 1},
    {"status", FIELD_ENUM, true, 0, 0, mark_states},
    {"sat_out", FIELD_BOOL},
    {"sat_out_agreed", FIELD_BOOL},
};
enum { AM_MARKS };
static const struct field programs_http_attendance_mark_fields[] = {
    [AM_MARKS] = {"marks", FIELD_OBJECTS, true, 0, 0, NULL,
                  programs_http_attendance_mark_mark_fields,
                  NFIELDS(programs_http_attendance_mark_mark_fields), PART_MAX_MARKS},
};
const struct field_table programs_http_attendance_mark_body =
    FIELD_TABLE(programs_http_attendance_mark_fields);

void programs_http_attendance_mark(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_attendance_mark_fields)];
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	if (!req_body_fields(r, &programs_http_attendance_mark_body, v))
		return;
	size_t n = json_array_size(v[AM_MARKS].j);
	struct attendance_mark *marks = arena_alloc(r->arena, (n ? n : 1) * sizeof *marks);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(v[AM_MARKS].j, i);
		marks[i] = (struct attendance_mark){
		    .pid = json_integer_value(json_object_get(m, "participant_id")),
		    .status = json_string_value(json_object_get(m, "status")),
		    .sat_out = json_is_true(json_object_get(m, "sat_out")),
		    .sat_out_agreed = json_is_true(json_object_get(m, "sat_out_agreed")),
		};
	}
	int64_t session = req_param_id(r, "id");
	if (!programs_http_begin_write(r, "the attendance"))
		return;
	int rc = attendance_mark(&x, session, marks, n, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "attendance.mark", programs_http_resource(r, "session", session),
	                no.what))
		return;
	http_json(r, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}

/* ------------------------------------------------------------------ */
/* Follow-up (the logic is followup.c)                                 */

void programs_http_followup_list(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct followup_due *rows;
	size_t n;
	if (!programs_http_begin_write(r, "the follow-ups"))
		return;
	int rc = followup_due_list(&x, &rows, &n);
	/* The names shown are reads of those people's records. */
	if (!req_commit(r, rc, "followup.read", "followups", "the follow-ups"))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct followup_due *d = &rows[i];
		json_t *missed = json_array();
		for (size_t k = 0; k < d->nmissed; k++)
			json_array_append_new(missed, json_string(d->missed[k]));
		json_t *last =
		    d->has_last
		        ? json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)d->last_id,
		                    "action", d->last_action, "user_id",
		                    d->last_has_user ? json_integer(d->last_user_id) : json_null(),
		                    "by", programs_json_text(d->last_by), "at",
		                    programs_json_time(d->last_at))
		        : json_null();
		json_array_append_new(items, json_pack("{s:I, s:o, s:I, s:s, s:o, s:b, s:o}",
		                                       "participant_id", (json_int_t)d->pid, "name",
		                                       programs_json_text(d->name), "programme_id",
		                                       (json_int_t)d->programme, "programme",
		                                       d->title, "missed", missed, "may_contact",
		                                       d->may_contact, "last_action", last));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

enum { FC_PARTICIPANT_ID, FC_PROGRAMME_ID, FC_ACTION, FC_NOTE };
static const struct field programs_http_followup_create_fields[] = {
    [FC_PARTICIPANT_ID] = {"participant_id", FIELD_INT, true, 1},
    [FC_PROGRAMME_ID] = {"programme_id", FIELD_INT, true, 1},
    [FC_ACTION] = {"action", FIELD_ENUM, true, 0, 0, followup_actions},
    [FC_NOTE] = {"note", FIELD_STRING, false, 0, 2000},
};
const struct field_table programs_http_followup_create_body =
    FIELD_TABLE(programs_http_followup_create_fields);

void programs_http_followup_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_followup_create_fields)];
	struct part_ctx x = programs_http_part_ctx(r);
	struct part_refusal no;
	int64_t id, at;
	if (!req_body_fields(r, &programs_http_followup_create_body, v))
		return;
	struct followup_in in = {v[FC_PARTICIPANT_ID].i, v[FC_PROGRAMME_ID].i, v[FC_ACTION].s,
	                         v[FC_NOTE].present ? v[FC_NOTE].s : NULL};
	if (!programs_http_begin_write(r, "the follow-up"))
		return;
	int rc = followup_create(&x, &in, &id, &at, &no);
	if (programs_http_part_refused(r, &no) ||
	    !req_commit(r, rc, "followup.create", programs_http_resource(r, "participant", in.pid),
	                no.what))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:I, s:I, s:s, s:o}", "id", (json_int_t)id, "participant_id",
	                    (json_int_t)in.pid, "programme_id", (json_int_t)in.programme, "action",
	                    in.action, "created_at", programs_json_time(at)));
}

void programs_http_followup_log(struct req *r)
{
	struct part_ctx x = programs_http_part_ctx(r);
	struct followup_entry *rows;
	size_t n;
	int64_t only;
	if (!programs_query_id(r, "participant_id", &only) ||
	    !programs_http_begin_write(r, "the follow-up log"))
		return;
	int rc = followup_log(&x, only, &rows, &n);
	if (!req_commit(r, rc, "followup.log.read",
	                only ? programs_http_resource(r, "participant", only) : "followups",
	                "the follow-up log"))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct followup_entry *e = &rows[i];
		json_t *o =
		    json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)e->id,
		              "participant_id", (json_int_t)e->pid, "programme_id",
		              (json_int_t)e->programme, "programme", e->title, "action", e->action,
		              "user_id", e->has_user ? json_integer(e->user_id) : json_null(), "by",
		              programs_json_text(e->by), "created_at", programs_json_time(e->at));
		json_object_set_new(o, "name", programs_json_text(e->name));
		if (e->erased)
			json_object_set_new(o, "erased", json_true());
		json_object_set_new(o, "note",
		                    e->note ? json_stringn(e->note, e->note_len) : json_null());
		json_array_append_new(items, o);
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}
