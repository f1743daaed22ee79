/*
 * Programmes: programmes, their sessions (generated from a recurrence,
 * then edited one by one), the roster and its rotation, the staff list
 * and a person's duties. Moved out so far (issue 11): venues (venues.c,
 * venues_http.c), training records and the duty rule (training.c,
 * training_http.c), the schedule (schedule.c), the roster's, rotation's
 * and staff list's storage and rules (roster.c).
 *
 * The rules a therapeutic programme lives by are checked here: it names an
 * artist facilitator and a mental-health partner, it has a trauma-informed
 * plan, and none of its sessions is published without someone on duty whose
 * required training is valid on the day.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "people/people.h"
#include "programs/cal.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "programs/roster.h"
#include "programs/schedule.h"
#include "programs/scope.h"
#include "programs/training.h"
#include "core/banned.h"

#define MAX_SESSIONS SCHEDULE_MAX_SESSIONS
#define MAX_EXDATES  SCHEDULE_MAX_EXDATES
#define DAY          86400

static const char *const formats[] = {"in_person", "online", "hybrid", NULL};
static const char *const team_roles[] = {"artist_facilitator",
                                         "mental_health_partner",
                                         "participant_co_designer",
                                         "coordinator",
                                         "other",
                                         NULL};
static const char *const plan_parts[] = {"grounding", "difficult_content", "debrief", "opt_out",
                                         NULL};
/* A programme's states, for the list's ?status= filter. */
static const char *const programme_statuses[] = {"draft", "published", "closed", NULL};
/* The roles GET /staff lists (and filters by with ?role=). */

/* What the UI offers for these fields (GET /api/v1/meta). */
const struct meta_enum programs_http_enums[] = {
    {"formats", formats},
    {"team_roles", team_roles},
    {"roster_roles", roster_roles},
    {"training_kinds", training_kinds},
    {"plan_parts", plan_parts},
    {"programme_statuses", programme_statuses},
    {"staff_roles", staff_roles},
    {NULL, NULL},
};

static const struct field plan_fields[] = {
    {"grounding", FIELD_STRING, false, 0, 2000},
    {"difficult_content", FIELD_STRING, false, 0, 2000},
    {"debrief", FIELD_STRING, false, 0, 2000},
    {"opt_out", FIELD_STRING, false, 0, 2000},
};
static const struct field team_fields[] = {
    {"user_id", FIELD_INT, true, 1},
    {"role", FIELD_ENUM, true, 0, 0, team_roles},
};

/* --- small helpers --- */

static char *iso(struct arena *a, int64_t t)
{
	char *s = arena_alloc(a, 32);
	util_iso8601(s, 32, t);
	return s;
}

static const char *resource(struct req *r, const char *kind, int64_t id)
{
	return arena_printf(r->arena, "%s:%" PRId64, kind, id);
}

/* ',a,b,' from a JSON array of strings. */
static char *wrap_list(struct arena *a, json_t *arr)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, ",");
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		buf_puts(&b, json_string_value(x));
		buf_puts(&b, ",");
	}
	char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* The strings of a JSON array (validated by a field table), as an arena
 * array; NULL when arr is NULL. */
static const char *const *strings_of(struct arena *a, json_t *arr, size_t *n)
{
	*n = 0;
	if (!arr)
		return NULL;
	const char **out = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *out);
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) out[(*n)++] = json_string_value(x);
	return out;
}

/* Parses a schedule, answering its refusal; true when sc is filled. */
static bool schedule_from(struct req *r, struct schedule *sc, struct schedule_input *in)
{
	struct programs_refusal why = {0};
	int rc = schedule_parse(r->arena, in, sc, &why);
	if (rc)
		programs_http_refused(r, rc, &why, "the schedule", false);
	return rc == 0;
}

/* JSON array from ',a,b,'. */
static json_t *unwrap_list(const char *s)
{
	json_t *arr = json_array();
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n)
			json_array_append_new(arr, json_stringn(s, n));
		s = e ? e + 1 : NULL;
	}
	return arr;
}

static bool link_valid(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* The session's local start in its programme's zone, "YYYY-MM-DDTHH:MM". */
static void add_local_start(json_t *o, int64_t start, const char *zone)
{
	const struct tz *z = tz_get(zone);
	if (!z)
		return;
	struct local_time lt;
	tz_utc_to_local(z, start, &lt);
	char s[32];
	snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d", lt.year, lt.month, lt.day, lt.hour,
	         lt.minute);
	json_object_set_new(o, "local_start", json_string(s));
}

static json_t *session_json(struct db_stmt *st)
{
	json_t *o = programs_session_row(st);
	if (o)
		add_local_start(o, db_col_i64(st, 2), db_col_text(st, 10));
	return o;
}

static bool is_staff_of(const struct req *r, uint32_t mask, int64_t org)
{
	return programs_serves(&r->actor, mask, org);
}

/* The reason user (shown as who) may not be on duty on date (NULL when
 * they may): the rule of training.c, with a failed read as its reason. */
static const char *duty_refusal(struct req *r, int64_t user, const char *who, const char *date)
{
	const char *why;
	if (training_duty_refusal(req_db(r), r->arena, user, who, date, &why))
		return "training records could not be read";
	return why;
}

/* ------------------------------------------------------------------ */
/* Programmes                                                          */

#define PROGRAMME_COLUMNS                                                                      \
	"p.id, p.organisation_id, p.title, p.art_form, p.description, p.languages, p.format, " \
	"p.capacity, p.therapeutic, p.status, p.timezone, p.start_date, p.end_date, "          \
	"p.start_time, "                                                                       \
	"p.duration_minutes, p.rrule, p.exdates, p.venue_id, p.online_link, p.trauma_plan, "   \
	"p.funding_stream, p.published_at, "                                                   \
	"(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id AND e.status = "       \
	"'enrolled'), "                                                                        \
	"(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id AND e.status = "       \
	"'offered'), "                                                                         \
	"(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id AND e.status = "       \
	"'waitlisted'), "                                                                      \
	"(SELECT COUNT(*) FROM programme_sessions s WHERE s.programme_id = p.id)"
static const char SQL_PROGRAMME_GET[] =
    "SELECT " PROGRAMME_COLUMNS " FROM programmes p WHERE p.id = ?1";
static const char SQL_PROGRAMME_LIST[] =
    "SELECT " PROGRAMME_COLUMNS " FROM programmes p "
    "WHERE (COALESCE(?1, '') = '' OR p.status = ?1) AND (?2 = 0 OR p.organisation_id = ?2) "
    "ORDER BY p.start_date DESC, p.id DESC LIMIT 1000";
static const char SQL_TEAM[] =
    "SELECT t.user_id, t.role, u.display_name FROM programme_team t "
    "JOIN users u ON u.id = t.user_id WHERE t.programme_id = ?1 ORDER BY t.role, u.display_name";

static json_t *team_json(struct db_conn *c, int64_t id)
{
	json_t *arr = json_array();
	struct db_stmt *s = db_prepare(c, SQL_TEAM);
	if (!s)
		return arr;
	db_bind_i64(s, 1, id);
	while (db_step(s) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "user_id",
		                                     (json_int_t)db_col_i64(s, 0), "role",
		                                     db_col_text(s, 1), "name", db_col_text(s, 2)));
	db_finish(s);
	return arr;
}

static json_t *text_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *programme_row(struct db_stmt *s)
{
	json_t *plan = json_loads(db_col_text(s, 19), 0, NULL);
	int64_t cap = db_col_i64(s, 7), enrolled = db_col_i64(s, 22), offered = db_col_i64(s, 23);
	int64_t left = cap - enrolled - offered;
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:b, s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:o}",
	    "id", (json_int_t)db_col_i64(s, 0), "organisation_id", (json_int_t)db_col_i64(s, 1),
	    "title", db_col_text(s, 2), "art_form", db_col_text(s, 3), "description",
	    db_col_text(s, 4), "languages", unwrap_list(db_col_text(s, 5)), "format",
	    db_col_text(s, 6), "capacity", (json_int_t)cap, "therapeutic", db_col_i64(s, 8) != 0,
	    "status", db_col_text(s, 9), "timezone", db_col_text(s, 10), "start_date",
	    db_col_text(s, 11), "end_date", text_json(db_col_text(s, 12)), "start_time",
	    db_col_text(s, 13), "duration_minutes", (json_int_t)db_col_i64(s, 14), "rrule",
	    text_json(db_col_text(s, 15)), "exdates", unwrap_list(db_col_text(s, 16)));
	json_object_set_new(o, "venue_id",
	                    db_col_null(s, 17) ? json_null() : json_integer(db_col_i64(s, 17)));
	json_object_set_new(o, "online_link", text_json(db_col_text(s, 18)));
	json_object_set_new(o, "trauma_plan", plan ? plan : json_object());
	json_object_set_new(o, "funding_stream", json_string(db_col_text(s, 20)));
	json_object_set_new(o, "enrolled", json_integer(enrolled));
	json_object_set_new(o, "offered", json_integer(offered));
	json_object_set_new(o, "waitlisted", json_integer(db_col_i64(s, 24)));
	json_object_set_new(o, "places_left", json_integer(left > 0 ? left : 0));
	json_object_set_new(o, "sessions", json_integer(db_col_i64(s, 25)));
	return o;
}

/* May the actor see this programme at all? Published ones: everyone logged
 * in. Drafts and closed ones: staff of its organisation. */
static bool may_see(const struct req *r, int64_t org, const char *status)
{
	return strcmp(status, "published") == 0 || is_staff_of(r, PM_STAFF, org);
}

/* Loads the programme with its team; NULL and an answer sent when absent
 * or not visible. */
static json_t *programme_load(struct req *r, int64_t id)
{
	struct db_conn *c = req_db(r);
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_GET);
	if (!s) {
		http_error(r, -HEARTH_EDB, "the programme");
		return NULL;
	}
	db_bind_i64(s, 1, id);
	json_t *o = NULL;
	if (db_step(s) == DB_ROW && may_see(r, db_col_i64(s, 1), db_col_text(s, 9)))
		o = programme_row(s);
	db_finish(s);
	if (!o) {
		http_error(r, -HEARTH_ENOTFOUND, "the programme");
		return NULL;
	}
	json_object_set_new(o, "team", team_json(c, id));
	return o;
}

void programs_http_programme_get(struct req *r)
{
	json_t *o = programme_load(r, req_param_id(r, "id"));
	if (o)
		http_json(r, 200, o);
}

void programs_http_programme_list(struct req *r)
{
	const char *status = req_query(r, "status");
	int64_t org;
	if (!programs_query_id(r, "organisation_id", &org))
		return;
	bool known = !status;
	for (int i = 0; status && programme_statuses[i]; i++)
		known |= strcmp(status, programme_statuses[i]) == 0;
	if (!known) {
		programs_bad(r, 400, "status", "status must be draft, published or closed");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), SQL_PROGRAMME_LIST);
	if (!s) {
		http_error(r, -HEARTH_EDB, "programmes");
		return;
	}
	db_bind_text(s, 1, status ? status : "");
	db_bind_i64(s, 2, org);
	json_t *items = json_array();
	int rc;
	while (db_next(s, &rc))
		if (may_see(r, db_col_i64(s, 1), db_col_text(s, 9)))
			json_array_append_new(items, programme_row(s));
	db_finish(s);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "programmes");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --- the recurrence and the sessions it makes --- */

static const char SQL_OVERLAP[] =
    "SELECT s.id, p.title, s.starts_at, p.organisation_id FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id "
    "WHERE s.venue_id = ?1 AND s.status <> 'cancelled' AND s.starts_at < ?3 AND s.ends_at > ?2 "
    "AND s.id <> ?4 LIMIT 1";

/* 0 when the venue is free over [start, end); else -HEARTH_ECONFLICT with
 * a 409 sent naming the session in the way, when it is a programme of one
 * of the caller's organisations; another organisation's programme is never
 * named (not its title, not its session): the venue is just booked. */
static int venue_free(struct req *r, int64_t venue, int64_t start, int64_t end, int64_t self)
{
	if (!venue)
		return 0;
	struct db_stmt *s = db_prepare(req_db(r), SQL_OVERLAP);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, venue);
	db_bind_i64(s, 2, start);
	db_bind_i64(s, 3, end);
	db_bind_i64(s, 4, self);
	int rc = 0;
	bool clash = db_step(s) == DB_ROW;
	if (clash && !is_staff_of(r, PM_STAFF, db_col_i64(s, 3))) {
		db_rollback(req_db(r));
		programs_bad(r, 409, "venue_id",
		             "venue_id: the venue is booked at that time; choose another time or "
		             "venue");
		rc = -HEARTH_ECONFLICT;
	} else if (clash) {
		db_rollback(req_db(r));
		http_problem_ext(
		    r, 409,
		    json_pack("{s:s, s:I, s:s}", "field", "venue_id", "conflicting_session",
		              (json_int_t)db_col_i64(s, 0), "conflicting_programme",
		              db_col_text(s, 1)),
		    "venue_id: the venue is already booked at %s by '%s' (session %" PRId64
		    "); choose another time or venue",
		    iso(r->arena, db_col_i64(s, 2)), db_col_text(s, 1), db_col_i64(s, 0));
		rc = -HEARTH_ECONFLICT;
	}
	db_finish(s);
	return rc;
}

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO programme_sessions (programme_id, starts_at, ends_at, original_start, venue_id, "
    "online_link, status, was_published, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "RETURNING id";

static int session_insert(struct db_conn *c, int64_t programme, int64_t start, int64_t end,
                          int64_t original, int64_t venue, const char *link, const char *status,
                          int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, programme);
	db_bind_i64(s, 2, start);
	db_bind_i64(s, 3, end);
	db_bind_id(s, 4, original);
	db_bind_id(s, 5, venue);
	db_bind_text(s, 6, link);
	db_bind_text(s, 7, status);
	db_bind_i64(s, 8, strcmp(status, "draft") != 0);
	db_bind_i64(s, 9, util_now());
	return db_insert_id(s, id);
}

/* Generates the schedule's sessions as drafts. Answers and returns
 * non-zero on failure (transaction rolled back then). Fills weekdays with
 * the local weekdays the sessions fall on. */
static int sessions_generate(struct req *r, int64_t programme, const struct schedule *sc,
                             int64_t venue, const char *link, int64_t *count, int *weekdays)
{
	struct cal_date *dates = arena_alloc(r->arena, MAX_SESSIONS * sizeof *dates);
	size_t n = schedule_dates(sc, dates);
	*weekdays = 0;
	*count = 0;
	if (n == 0) {
		db_rollback(req_db(r));
		programs_bad(r, 400, "rrule",
		             "the recurrence gives no session between start_date and end_date");
		return -HEARTH_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t start = schedule_instant(sc, dates[i]);
		int64_t end = start + (int64_t)sc->duration * 60;
		int rc = venue_free(r, venue, start, end, 0);
		if (rc)
			return rc;
		int64_t id;
		rc = session_insert(req_db(r), programme, start, end, start, venue, link, "draft",
		                    &id);
		if (rc) {
			db_rollback(req_db(r));
			http_error(r, rc, "the sessions");
			return rc;
		}
		*weekdays |= 1 << cal_weekday(dates[i]);
	}
	*count = (int64_t)n;
	return 0;
}

/* --- create and change --- */

#define PROGRAMME_FIELDS(req)                                                                      \
	{"title", FIELD_STRING, req, 1, 200}, {"art_form", FIELD_ENUM, req, 0, 0, art_form_names}, \
	    {"description", FIELD_STRING, false, 0, 4000},                                         \
	    {"languages", FIELD_STRINGS, req, 2, 3, programme_languages, NULL, 0, 10},             \
	    {"format", FIELD_ENUM, req, 0, 0, formats}, {"capacity", FIELD_INT, req, 1, 1000},     \
	    {"therapeutic", FIELD_BOOL}, {"timezone", FIELD_STRING, req, 1, 64},                   \
	    {"start_date", FIELD_STRING, req, 10, 10}, {"end_date", FIELD_STRING, false, 10, 10},  \
	    {"start_time", FIELD_STRING, req, 5, 5},                                               \
	    {"duration_minutes", FIELD_INT, req, 15, 720}, {"rrule", FIELD_STRING, false, 0, 250}, \
	    {"exdates", FIELD_STRINGS, false, 10, 10, NULL, NULL, 0, MAX_EXDATES},                 \
	    {"venue_id", FIELD_INT, false, 1}, {"online_link", FIELD_STRING, false, 0, 500},       \
	    {"team", FIELD_OBJECTS, false, 0, 0, NULL, team_fields, NFIELDS(team_fields), 30},     \
	    {"trauma_plan", FIELD_OBJECT, false, 0, 0, NULL, plan_fields, NFIELDS(plan_fields)},   \
	{                                                                                          \
		"funding_stream", FIELD_STRING, false, 0, 200                                      \
	}
enum {
	F_TITLE,
	F_ART,
	F_DESC,
	F_LANGS,
	F_FORMAT,
	F_CAPACITY,
	F_THERAPEUTIC,
	F_TZ,
	F_START,
	F_END,
	F_TIME,
	F_DURATION,
	F_RRULE,
	F_EXDATES,
	F_VENUE,
	F_LINK,
	F_TEAM,
	F_PLAN,
	F_FUNDING,
	F_ORG, /* create only */
};

/* Checks format, venue and link together for a programme of organisation
 * org (the venue must be one of org's: programs_scope_venue); answers and
 * returns false. */
static bool place_valid(struct req *r, int64_t org, const char *format, int64_t venue,
                        const char *link, int64_t capacity)
{
	bool in_room = strcmp(format, "online") != 0;
	bool online = strcmp(format, "in_person") != 0;
	if (in_room && !venue) {
		programs_bad(r, 400, "venue_id", "a programme held %s needs a venue_id",
		             strcmp(format, "hybrid") == 0 ? "in a room and online" : "in person");
		return false;
	}
	if (online && (!link || !*link)) {
		programs_bad(r, 400, "online_link",
		             "an online or hybrid programme needs an online_link");
		return false;
	}
	if (link && *link && !link_valid(link)) {
		programs_bad(r, 400, "online_link", "online_link must start with https://");
		return false;
	}
	if (venue) {
		int64_t cap = 0;
		if (!programs_scope_venue(r, "venue_id", venue, org, &cap))
			return false;
		if (strcmp(format, "in_person") == 0 && capacity > cap) {
			programs_bad(r, 400, "capacity",
			             "capacity %" PRId64 " is more than the venue holds (%" PRId64
			             ")",
			             capacity, cap);
			return false;
		}
	}
	return true;
}

/* Which roles fit each part of a programme's team or a session's roster
 * (docs/programs.md): the person holds one of them in the programme's
 * organisation, or in a partner organisation it shares data with under an
 * active agreement (programs_scope_user). */
#define RB(x) (1u << (x))
#define SESSION_STAFF \
	(RB(ROLE_FACILITATOR) | RB(ROLE_COORDINATOR) | RB(ROLE_PEER_SUPPORTER) | RB(ROLE_CLINICIAN))
static const struct {
	const char *part;
	uint32_t fit;
	const char *needs;
} part_fits[] = {
    {"artist_facilitator", RB(ROLE_FACILITATOR) | RB(ROLE_COORDINATOR),
     "a facilitator or coordinator"},
    {"mental_health_partner", RB(ROLE_CLINICIAN), "a clinician"},
    {"participant_co_designer",
     RB(ROLE_PARTICIPANT) | RB(ROLE_PEER_SUPPORTER) | RB(ROLE_FACILITATOR) | RB(ROLE_COORDINATOR),
     "a participant, peer supporter, facilitator or coordinator"},
    {"coordinator", RB(ROLE_COORDINATOR) | RB(ROLE_ADMIN), "a coordinator or admin"},
    {"other", SESSION_STAFF | RB(ROLE_ADMIN) | RB(ROLE_MODERATOR), "a staff member or volunteer"},
    {"lead", SESSION_STAFF, "a facilitator, coordinator, peer supporter or clinician"},
    {"co_facilitator", SESSION_STAFF, "a facilitator, coordinator, peer supporter or clinician"},
    {"on_duty", SESSION_STAFF, "a facilitator, coordinator, peer supporter or clinician"},
};

/* Checks that user may take part (a team or roster role) in a programme of
 * organisation org; answers 400 naming field and returns false otherwise.
 * *name gets their display name. */
static bool part_fits_user(struct req *r, const char *field, int64_t user, int64_t org,
                           const char *part, const char **name)
{
	for (size_t k = 0; k < sizeof part_fits / sizeof part_fits[0]; k++)
		if (strcmp(part_fits[k].part, part) == 0)
			return programs_scope_user(r, field, user, org, part_fits[k].fit,
			                           arena_printf(r->arena, "a%s %s",
			                                        strchr("aeiou", part[0]) ? "n" : "",
			                                        part),
			                           part_fits[k].needs, name);
	return programs_scope_user(r, field, user, org, 0, part, "a staff member", name);
}

/* A therapeutic programme names an artist facilitator and a mental-health
 * partner. team is the JSON array given; every member must fit their part
 * in organisation org (part_fits). */
static bool team_valid(struct req *r, json_t *team, bool therapeutic, int64_t org)
{
	bool artist = false, partner = false;
	size_t i;
	json_t *m;
	json_array_foreach(team, i, m)
	{
		const char *role = json_string_value(json_object_get(m, "role"));
		artist |= strcmp(role, "artist_facilitator") == 0;
		partner |= strcmp(role, "mental_health_partner") == 0;
		if (!part_fits_user(r, arena_printf(r->arena, "team[%zu].user_id", i),
		                    json_integer_value(json_object_get(m, "user_id")), org, role,
		                    NULL))
			return false;
	}
	if (therapeutic && (!artist || !partner)) {
		programs_bad(
		    r, 400, "team",
		    "a therapeutic programme must name at least one artist_facilitator and one "
		    "mental_health_partner in its team");
		return false;
	}
	return true;
}

static const char SQL_TEAM_CLEAR[] = "DELETE FROM programme_team WHERE programme_id = ?1";
static const char SQL_TEAM_ADD[] =
    "INSERT INTO programme_team (programme_id, user_id, role) VALUES (?1, ?2, ?3) "
    "ON CONFLICT DO NOTHING";

static int team_store(struct db_conn *c, int64_t id, json_t *team)
{
	struct db_stmt *s = db_prepare(c, SQL_TEAM_CLEAR);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_run(s);
	size_t i;
	json_t *m;
	json_array_foreach(team, i, m)
	{
		if (rc)
			break;
		s = db_prepare(c, SQL_TEAM_ADD);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, json_integer_value(json_object_get(m, "user_id")));
		db_bind_text(s, 3, json_string_value(json_object_get(m, "role")));
		rc = db_run(s);
	}
	return rc;
}

static const char SQL_PROGRAMME_INSERT[] =
    "INSERT INTO programmes (organisation_id, title, art_form, description, languages, format, "
    "capacity, therapeutic, timezone, start_date, end_date, start_time, duration_minutes, rrule, "
    "exdates, weekdays, start_minute, venue_id, online_link, trauma_plan, funding_stream, "
    "created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, 0, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?22) RETURNING id";
static const char SQL_PROGRAMME_WEEKDAYS[] = "UPDATE programmes SET weekdays = ?2 WHERE id = ?1";

static const char *plan_text(struct req *r, json_t *plan)
{
	if (!plan)
		return "{}";
	char *s = json_dumps(plan, JSON_COMPACT | JSON_SORT_KEYS);
	char *out = arena_strdup(r->arena, s ? s : "{}");
	free(s);
	return out;
}

static const struct field programs_http_programme_create_fields[] = {
    PROGRAMME_FIELDS(true),
    {"organisation_id", FIELD_INT, true, 1},
};
const struct field_table programs_http_programme_create_body =
    FIELD_TABLE(programs_http_programme_create_fields);

void programs_http_programme_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_programme_create_fields)];
	if (!req_body_fields(r, &programs_http_programme_create_body, v))
		return;
	if (!is_staff_of(r, PM_MANAGE, v[F_ORG].i)) {
		programs_bad(r, 403, "organisation_id",
		             "you can create programmes only for an organisation you coordinate");
		return;
	}
	if (!json_array_size(v[F_LANGS].j)) {
		programs_bad(r, 400, "languages", "languages must name at least one language");
		return;
	}
	struct schedule sc;
	struct schedule_input si = {
	    .timezone = v[F_TZ].s,
	    .start_date = v[F_START].s,
	    .end_date = v[F_END].present ? v[F_END].s : NULL,
	    .start_time = v[F_TIME].s,
	    .duration = v[F_DURATION].i,
	    .rrule = v[F_RRULE].present ? v[F_RRULE].s : NULL,
	};
	si.exdates =
	    strings_of(r->arena, v[F_EXDATES].present ? v[F_EXDATES].j : NULL, &si.nexdates);
	if (!schedule_from(r, &sc, &si))
		return;
	int64_t venue = v[F_VENUE].present ? v[F_VENUE].i : 0;
	const char *link = v[F_LINK].present && *v[F_LINK].s ? v[F_LINK].s : NULL;
	bool therapeutic = v[F_THERAPEUTIC].present && v[F_THERAPEUTIC].i;
	if (!place_valid(r, v[F_ORG].i, v[F_FORMAT].s, venue, link, v[F_CAPACITY].i))
		return;
	json_t *team = v[F_TEAM].present ? v[F_TEAM].j : NULL;
	if (!team_valid(r, team, therapeutic, v[F_ORG].i))
		return;
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (rc) {
		http_error(r, rc, "the programme");
		return;
	}
	int64_t id = 0, now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_INSERT);
	if (!s)
		rc = -HEARTH_EDB;
	else {
		db_bind_i64(s, 1, v[F_ORG].i);
		db_bind_text(s, 2, v[F_TITLE].s);
		db_bind_text(s, 3, v[F_ART].s);
		db_bind_text(s, 4, v[F_DESC].present ? v[F_DESC].s : "");
		db_bind_text(s, 5, wrap_list(r->arena, v[F_LANGS].j));
		db_bind_text(s, 6, v[F_FORMAT].s);
		db_bind_i64(s, 7, v[F_CAPACITY].i);
		db_bind_i64(s, 8, therapeutic);
		db_bind_text(s, 9, sc.zone_name);
		db_bind_text(s, 10, v[F_START].s);
		db_bind_text(s, 11, v[F_END].present ? v[F_END].s : NULL);
		db_bind_text(s, 12, v[F_TIME].s);
		db_bind_i64(s, 13, v[F_DURATION].i);
		db_bind_text(s, 14, sc.has_rule ? sc.rule_text : NULL);
		db_bind_text(s, 15, sc.exdates);
		db_bind_i64(s, 16, sc.start_minute);
		db_bind_id(s, 17, venue);
		db_bind_text(s, 18, link);
		db_bind_text(s, 19, plan_text(r, v[F_PLAN].present ? v[F_PLAN].j : NULL));
		db_bind_text(s, 20, v[F_FUNDING].present ? v[F_FUNDING].s : "");
		db_bind_id(s, 21, r->actor.user_id);
		db_bind_i64(s, 22, now);
		rc = db_insert_id(s, &id);
	}
	if (rc == -HEARTH_ECONFLICT) {
		db_rollback(c);
		programs_bad(r, 400, "organisation_id", "no such organisation");
		return;
	}
	if (!rc && team)
		rc = team_store(c, id, team);
	if (rc) {
		req_commit(r, rc, "programme.create", "programme", "the programme");
		return;
	}
	int64_t count;
	int weekdays;
	if (sessions_generate(r, id, &sc, venue, link, &count, &weekdays))
		return;
	s = db_prepare(c, SQL_PROGRAMME_WEEKDAYS);
	rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, weekdays), db_run(s)) : -HEARTH_EDB;
	if (!req_commit(r, rc, "programme.create", resource(r, "programme", id), "the programme"))
		return;
	json_t *o = programme_load(r, id);
	if (o)
		http_json(r, 201, o);
}

/* The stored programme, as PATCH needs it. */
struct prog_row {
	int64_t org, capacity, duration, venue, held; /* held: enrolled + offered */
	const char *status, *format, *link, *zone, *start, *end, *time, *rule, *exdates;
	const char *title, *art, *desc, *langs, *plan, *funding;
	bool therapeutic;
	int64_t rostered; /* roster rows on its sessions */
};

static const char SQL_PROG_ROW[] =
    "SELECT organisation_id, capacity, duration_minutes, venue_id, status, format, online_link, "
    "timezone, start_date, end_date, start_time, rrule, exdates, title, art_form, description, "
    "languages, trauma_plan, funding_stream, therapeutic, "
    "(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    " AND e.status IN ('enrolled', 'offered')), "
    "(SELECT COUNT(*) FROM roster d JOIN programme_sessions s ON s.id = d.session_id "
    " WHERE s.programme_id = p.id) "
    "FROM programmes p WHERE id = ?1";

static int prog_row_load(struct req *r, int64_t id, struct prog_row *p)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_PROG_ROW);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		struct arena *a = r->arena;
		p->org = db_col_i64(s, 0);
		p->capacity = db_col_i64(s, 1);
		p->duration = db_col_i64(s, 2);
		p->venue = db_col_i64(s, 3);
		p->status = arena_strdup(a, db_col_text(s, 4));
		p->format = arena_strdup(a, db_col_text(s, 5));
		p->link = db_col_text(s, 6) ? arena_strdup(a, db_col_text(s, 6)) : NULL;
		p->zone = arena_strdup(a, db_col_text(s, 7));
		p->start = arena_strdup(a, db_col_text(s, 8));
		p->end = db_col_text(s, 9) ? arena_strdup(a, db_col_text(s, 9)) : NULL;
		p->time = arena_strdup(a, db_col_text(s, 10));
		p->rule = db_col_text(s, 11) ? arena_strdup(a, db_col_text(s, 11)) : NULL;
		p->exdates = arena_strdup(a, db_col_text(s, 12));
		p->title = arena_strdup(a, db_col_text(s, 13));
		p->art = arena_strdup(a, db_col_text(s, 14));
		p->desc = arena_strdup(a, db_col_text(s, 15));
		p->langs = arena_strdup(a, db_col_text(s, 16));
		p->plan = arena_strdup(a, db_col_text(s, 17));
		p->funding = arena_strdup(a, db_col_text(s, 18));
		p->therapeutic = db_col_i64(s, 19) != 0;
		p->held = db_col_i64(s, 20);
		p->rostered = db_col_i64(s, 21);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* Begins a write transaction and loads programme id for someone who
 * manages its organisation. Answers (404, 403) and returns false otherwise,
 * rolled back. doing says what for: "change", "publish". */
static bool prog_begin_managed(struct req *r, int64_t id, struct prog_row *p, const char *doing)
{
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = prog_row_load(r, id, p);
	if (rc) {
		db_rollback(c);
		http_error(r, rc, "the programme");
		return false;
	}
	if (!is_staff_of(r, PM_MANAGE, p->org)) {
		db_rollback(c);
		http_problem(r, 403, "you can %s only programmes of an organisation you coordinate",
		             doing);
		return false;
	}
	return true;
}

static const char SQL_PROGRAMME_UPDATE[] =
    "UPDATE programmes SET title = ?2, art_form = ?3, description = ?4, languages = ?5, "
    "format = ?6, capacity = ?7, therapeutic = ?8, timezone = ?9, start_date = ?10, "
    "end_date = ?11, start_time = ?12, duration_minutes = ?13, rrule = ?14, exdates = ?15, "
    "start_minute = ?16, venue_id = ?17, online_link = ?18, trauma_plan = ?19, "
    "funding_stream = ?20, status = ?21, updated_at = ?22 WHERE id = ?1";
static const char SQL_SESSIONS_DROP[] = "DELETE FROM programme_sessions WHERE programme_id = ?1";
static const char SQL_FUTURE_UNEDITED[] =
    "SELECT id, starts_at, ends_at FROM programme_sessions WHERE programme_id = ?1 "
    "AND starts_at > ?2 AND status <> 'cancelled' AND edited = 0";
static const char SQL_SESSION_PLACE[] =
    "UPDATE programme_sessions SET venue_id = ?2, online_link = ?3, sequence = sequence + 1, "
    "updated_at = ?4 WHERE id = ?1";

/* Moves the programme's future sessions that were not changed by hand to
 * the new venue and link. Answers and returns non-zero on a clash. */
static int sessions_move_place(struct req *r, int64_t id, int64_t venue, const char *link)
{
	struct db_conn *c = req_db(r);
	struct db_stmt *s = db_prepare(c, SQL_FUTURE_UNEDITED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, util_now());
	size_t n = 0, cap = 64;
	int64_t(*rows)[3] = arena_alloc(r->arena, cap * sizeof *rows);
	int step;
	while (db_next(s, &step)) {
		if (n == cap) {
			int64_t(*more)[3] = arena_alloc(r->arena, 2 * cap * sizeof *rows);
			memcpy(more, rows, n * sizeof *rows);
			rows = more;
			cap *= 2;
		}
		rows[n][0] = db_col_i64(s, 0);
		rows[n][1] = db_col_i64(s, 1);
		rows[n][2] = db_col_i64(s, 2);
		n++;
	}
	db_finish(s);
	if (step)
		return step; /* moving only some of them would be half a change */
	for (size_t i = 0; i < n; i++) {
		int rc = venue_free(r, venue, rows[i][1], rows[i][2], rows[i][0]);
		if (rc)
			return rc;
		s = db_prepare(c, SQL_SESSION_PLACE);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, rows[i][0]);
		db_bind_id(s, 2, venue);
		db_bind_text(s, 3, link);
		db_bind_i64(s, 4, util_now());
		if ((rc = db_run(s)))
			return rc;
	}
	return 0;
}

static bool therapeutic_ready(struct req *r, int64_t id, int64_t org, const char *plan);

static const char *const programs_http_programme_update_statuses[] = {"closed", NULL};
static const struct field programs_http_programme_update_fields[] = {
    PROGRAMME_FIELDS(false),
    {"status", FIELD_ENUM, false, 0, 0, programs_http_programme_update_statuses},
};
const struct field_table programs_http_programme_update_body =
    FIELD_TABLE(programs_http_programme_update_fields);

void programs_http_programme_update(struct req *r)
{
	enum { F_STATUS = F_ORG };
	struct field_value v[NFIELDS(programs_http_programme_update_fields)];
	if (!req_body_fields(r, &programs_http_programme_update_body, v))
		return;
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_row p = {0};
	if (!prog_begin_managed(r, id, &p, "change"))
		return;
	int rc = 0;
	/* The recurrence: free to change while nothing hangs on its sessions. */
	static const int recurrence[] = {F_TZ,       F_START, F_END,    F_TIME,
	                                 F_DURATION, F_RRULE, F_EXDATES};
	bool regenerate = false;
	for (size_t k = 0; k < sizeof recurrence / sizeof recurrence[0]; k++) {
		if (!v[recurrence[k]].present)
			continue;
		if (strcmp(p.status, "draft") != 0 || p.rostered || p.held) {
			db_rollback(c);
			programs_bad(
			    r, 409, programs_http_programme_update_fields[recurrence[k]].name,
			    "%s cannot change once the programme is published or its sessions "
			    "have people on the roster or enrolled; move, add or cancel "
			    "sessions one by one instead",
			    programs_http_programme_update_fields[recurrence[k]].name);
			return;
		}
		regenerate = true;
	}
	const char *zone = v[F_TZ].present ? v[F_TZ].s : p.zone;
	const char *start = v[F_START].present ? v[F_START].s : p.start;
	const char *end = v[F_END].present ? v[F_END].s : p.end;
	const char *time = v[F_TIME].present ? v[F_TIME].s : p.time;
	int64_t duration = v[F_DURATION].present ? v[F_DURATION].i : p.duration;
	const char *rule = v[F_RRULE].present ? v[F_RRULE].s : p.rule;
	struct schedule_input si = {.timezone = zone,
	                            .start_date = start,
	                            .end_date = end,
	                            .start_time = time,
	                            .duration = duration,
	                            .rrule = rule};
	if (v[F_EXDATES].present)
		si.exdates = strings_of(r->arena, v[F_EXDATES].j, &si.nexdates);
	else
		si.exdates = schedule_list_split(r->arena, p.exdates, &si.nexdates);
	struct schedule sc;
	bool ok = schedule_from(r, &sc, &si);
	if (!ok) {
		db_rollback(c);
		return;
	}
	if (v[F_LANGS].present && !json_array_size(v[F_LANGS].j)) {
		db_rollback(c);
		programs_bad(r, 400, "languages", "languages must name at least one language");
		return;
	}
	int64_t capacity = v[F_CAPACITY].present ? v[F_CAPACITY].i : p.capacity;
	if (capacity < p.held) {
		db_rollback(c);
		programs_bad(r, 409, "capacity",
		             "capacity %" PRId64 " is below the %" PRId64
		             " places already taken or offered; cancel places first",
		             capacity, p.held);
		return;
	}
	const char *format = v[F_FORMAT].present ? v[F_FORMAT].s : p.format;
	int64_t venue = v[F_VENUE].present ? v[F_VENUE].i : p.venue;
	const char *link = v[F_LINK].present ? (*v[F_LINK].s ? v[F_LINK].s : NULL) : p.link;
	if (v[F_FORMAT].present && strcmp(format, "online") == 0 && !v[F_VENUE].present)
		venue = 0;
	if (!place_valid(r, p.org, format, venue, link, capacity)) {
		db_rollback(c);
		return;
	}
	bool therapeutic = v[F_THERAPEUTIC].present ? v[F_THERAPEUTIC].i != 0 : p.therapeutic;
	json_t *team = v[F_TEAM].present ? v[F_TEAM].j : team_json(c, id);
	ok = team_valid(r, team, therapeutic, p.org);
	if (!v[F_TEAM].present)
		json_decref(team);
	if (!ok) {
		db_rollback(c);
		return;
	}
	const char *status = v[F_STATUS].present ? v[F_STATUS].s : p.status;
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_UPDATE);
	if (!s)
		rc = -HEARTH_EDB;
	else {
		db_bind_i64(s, 1, id);
		db_bind_text(s, 2, v[F_TITLE].present ? v[F_TITLE].s : p.title);
		db_bind_text(s, 3, v[F_ART].present ? v[F_ART].s : p.art);
		db_bind_text(s, 4, v[F_DESC].present ? v[F_DESC].s : p.desc);
		db_bind_text(s, 5,
		             v[F_LANGS].present ? wrap_list(r->arena, v[F_LANGS].j) : p.langs);
		db_bind_text(s, 6, format);
		db_bind_i64(s, 7, capacity);
		db_bind_i64(s, 8, therapeutic);
		db_bind_text(s, 9, zone);
		db_bind_text(s, 10, start);
		db_bind_text(s, 11, end);
		db_bind_text(s, 12, time);
		db_bind_i64(s, 13, duration);
		db_bind_text(s, 14, sc.has_rule ? sc.rule_text : NULL);
		db_bind_text(s, 15, sc.exdates);
		db_bind_i64(s, 16, sc.start_minute);
		db_bind_id(s, 17, venue);
		db_bind_text(s, 18, link);
		db_bind_text(s, 19, v[F_PLAN].present ? plan_text(r, v[F_PLAN].j) : p.plan);
		db_bind_text(s, 20, v[F_FUNDING].present ? v[F_FUNDING].s : p.funding);
		db_bind_text(s, 21, status);
		db_bind_i64(s, 22, util_now());
		rc = db_run(s);
	}
	if (!rc && v[F_TEAM].present)
		rc = team_store(c, id, v[F_TEAM].j);
	if (!rc && regenerate) {
		s = db_prepare(c, SQL_SESSIONS_DROP);
		rc = s ? (db_bind_i64(s, 1, id), db_run(s)) : -HEARTH_EDB;
		int64_t count;
		int weekdays;
		if (!rc && sessions_generate(r, id, &sc, venue, link, &count, &weekdays))
			return;
		if (!rc) {
			s = db_prepare(c, SQL_PROGRAMME_WEEKDAYS);
			rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, weekdays), db_run(s))
			       : -HEARTH_EDB;
		}
	} else if (!rc && (v[F_VENUE].present || v[F_LINK].present || v[F_FORMAT].present)) {
		if ((rc = sessions_move_place(r, id, venue, link)) == -HEARTH_ECONFLICT)
			return;
	}
	/* A published therapeutic programme stays ready: a change may not take
	 * away its plan or make it therapeutic without someone on duty. */
	if (!rc && therapeutic && strcmp(status, "published") == 0) {
		const char *plan = v[F_PLAN].present ? plan_text(r, v[F_PLAN].j) : p.plan;
		if (!therapeutic_ready(r, id, p.org, plan)) {
			db_rollback(c);
			return;
		}
	}
	/* More places: offer them to the waitlist, first come first served. */
	for (int64_t k = p.capacity; !rc && k < capacity && k < p.capacity + 1000; k++)
		rc = programs_offer_next(c, id);
	if (!req_commit(r, rc, "programme.update", resource(r, "programme", id), "the programme"))
		return;
	json_t *o = programme_load(r, id);
	if (o)
		http_json(r, 200, o);
}

/* --- publishing --- */

static const char SQL_SESSIONS_WITHOUT_DUTY[] =
    "SELECT s.id FROM programme_sessions s WHERE s.programme_id = ?1 AND s.status <> 'cancelled' "
    "AND NOT EXISTS (SELECT 1 FROM roster d WHERE d.session_id = s.id AND d.role = 'on_duty') "
    "ORDER BY s.starts_at";
static const char SQL_PUBLISH_PROGRAMME[] =
    "UPDATE programmes SET status = 'published', published_at = COALESCE(published_at, ?2), "
    "updated_at = ?2 WHERE id = ?1";
static const char SQL_PUBLISH_SESSIONS[] =
    "UPDATE programme_sessions SET status = 'published', was_published = 1, "
    "sequence = sequence + 1, updated_at = ?2 WHERE programme_id = ?1 AND status = 'draft'";

/* Which parts of a trauma-informed plan are missing, as a JSON array. */
static json_t *plan_missing(const char *plan_text)
{
	json_t *plan = json_loads(plan_text, 0, NULL), *missing = json_array();
	for (int i = 0; plan_parts[i]; i++) {
		const char *v = json_string_value(json_object_get(plan, plan_parts[i]));
		if (!v || !*v)
			json_array_append_new(missing, json_string(plan_parts[i]));
	}
	json_decref(plan);
	return missing;
}

/* A published therapeutic programme has its team, a whole trauma-informed
 * plan and someone on duty in every session still on. Answers 409 (or 400
 * for the team) and returns false; the caller rolls back. */
static bool therapeutic_ready(struct req *r, int64_t id, int64_t org, const char *plan)
{
	struct db_conn *c = req_db(r);
	json_t *team = team_json(c, id);
	bool ok = team_valid(r, team, true, org);
	json_decref(team);
	if (!ok)
		return false;
	json_t *missing = plan_missing(plan);
	if (json_array_size(missing)) {
		http_problem_ext(
		    r, 409, json_pack("{s:s, s:o}", "field", "trauma_plan", "missing", missing),
		    "trauma_plan: a therapeutic programme needs a trauma-informed plan "
		    "(grounding, difficult_content, debrief, opt_out) before it is "
		    "published");
		return false;
	}
	json_decref(missing);
	struct db_stmt *s = db_prepare(c, SQL_SESSIONS_WITHOUT_DUTY);
	json_t *ids = json_array();
	/* Safety: a check that could not run must not pass. */
	int rc = s ? 0 : -HEARTH_EDB;
	if (s)
		db_bind_i64(s, 1, id);
	while (s && db_next(s, &rc))
		json_array_append_new(ids, json_integer(db_col_i64(s, 0)));
	db_finish(s);
	if (rc) {
		json_decref(ids);
		http_error(r, rc, "the duty check");
		return false;
	}
	size_t n = json_array_size(ids);
	if (n) {
		http_problem_ext(
		    r, 409, json_pack("{s:o}", "sessions_without_duty", ids),
		    "%zu session%s of this therapeutic programme %s nobody on duty; put a "
		    "clinician or trained person on duty in each before publishing",
		    n, n == 1 ? "" : "s", n == 1 ? "has" : "have");
		return false;
	}
	json_decref(ids);
	return true;
}

void programs_http_programme_publish(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_row p = {0};
	if (!prog_begin_managed(r, id, &p, "publish"))
		return;
	int rc;
	if (strcmp(p.status, "closed") == 0) {
		db_rollback(c);
		http_problem(r, 409, "the programme is closed");
		return;
	}
	if (p.therapeutic && !therapeutic_ready(r, id, p.org, p.plan)) {
		db_rollback(c);
		return;
	}
	int64_t now = util_now();
	struct db_stmt *s = db_prepare(c, SQL_PUBLISH_PROGRAMME);
	rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, now), db_run(s)) : -HEARTH_EDB;
	if (!rc) {
		s = db_prepare(c, SQL_PUBLISH_SESSIONS);
		rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, now), db_run(s)) : -HEARTH_EDB;
	}
	if (!req_commit(r, rc, "programme.publish", resource(r, "programme", id), "the programme"))
		return;
	json_t *o = programme_load(r, id);
	if (o)
		http_json(r, 200, o);
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

static const char SQL_SESSION_LIST[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS " FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id WHERE s.programme_id = ?1 "
    "AND (?2 = 1 OR s.status = 'published' OR (s.status = 'cancelled' AND s.was_published = 1)) "
    "ORDER BY s.starts_at, s.id";
static const char SQL_SESSION_ONE_FULL[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS ", s.was_published FROM programme_sessions s "
    "JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1";

void programs_http_session_list(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct prog_ref ref;
	int rc = programs_programme_ref(req_db(r), r->arena, id, &ref);
	bool staff = !rc && is_staff_of(r, PM_STAFF, ref.organisation_id);
	if (!rc && !staff && strcmp(ref.status, "published") != 0)
		rc = -HEARTH_ENOTFOUND;
	if (rc) {
		http_error(r, rc, "the programme");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), SQL_SESSION_LIST);
	if (!s) {
		http_error(r, -HEARTH_EDB, "sessions");
		return;
	}
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, staff);
	json_t *items = json_array();
	while (db_next(s, &rc))
		json_array_append_new(items, session_json(s));
	db_finish(s);
	if (rc) {
		json_decref(items);
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
	bool staff = is_staff_of(r, PM_STAFF, ref->organisation_id);
	struct db_stmt *s = db_prepare(req_db(r), SQL_SESSION_ONE_FULL);
	if (!s) {
		http_error(r, -HEARTH_EDB, "the session");
		return NULL;
	}
	db_bind_i64(s, 1, id);
	json_t *o = NULL;
	if (db_step(s) == DB_ROW) {
		const char *st = db_col_text(s, 7);
		bool visible = staff || (strcmp(ref->status, "published") == 0 &&
		                         (strcmp(st, "published") == 0 || db_col_i64(s, 15)));
		if (visible)
			o = session_json(s);
	}
	db_finish(s);
	if (!o)
		http_error(r, -HEARTH_ENOTFOUND, "the session");
	return o;
}

void programs_http_session_get(struct req *r)
{
	struct prog_ref ref;
	json_t *o = session_load(r, req_param_id(r, "id"), &ref);
	if (o)
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

static const struct field programs_http_session_create_fields[] = {
    {"starts_at", FIELD_TIME, true},
    {"ends_at", FIELD_TIME, true},
    {"venue_id", FIELD_INT, false, 1},
    {"online_link", FIELD_STRING, false, 0, 500},
};
const struct field_table programs_http_session_create_body =
    FIELD_TABLE(programs_http_session_create_fields);

void programs_http_session_create(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_session_create_fields)];
	if (!req_body_fields(r, &programs_http_session_create_body, v))
		return;
	int64_t id = req_param_id(r, "id");
	if (!session_times_in_window(r, &v[0], &v[1]))
		return;
	if (v[1].i <= v[0].i || v[1].i - v[0].i > 12 * 3600) {
		programs_bad(r, 400, "ends_at",
		             "ends_at must be after starts_at, at most 12 hours");
		return;
	}
	struct db_conn *c = req_db(r);
	struct prog_row p = {0};
	if (!prog_begin_managed(r, id, &p, "add sessions to"))
		return;
	int rc = 0;
	if (strcmp(p.status, "closed") == 0) {
		db_rollback(c);
		http_problem(r, 409, "the programme is closed; reopen it before adding sessions");
		return;
	}
	int64_t venue = v[2].present ? v[2].i : p.venue;
	const char *link = v[3].present ? (*v[3].s ? v[3].s : NULL) : p.link;
	if (!place_valid(r, p.org, p.format, venue, link, p.capacity)) {
		db_rollback(c);
		return;
	}
	if ((rc = venue_free(r, venue, v[0].i, v[1].i, 0)) == -HEARTH_ECONFLICT)
		return;
	/* In a published programme a new session is public at once, unless it
	 * is therapeutic: then it waits for someone on duty. */
	const char *status =
	    strcmp(p.status, "published") == 0 && !p.therapeutic ? "published" : "draft";
	int64_t sid = 0;
	if (!rc)
		rc = session_insert(c, id, v[0].i, v[1].i, 0, venue, link, status, &sid);
	if (!req_commit(r, rc, "session.create", resource(r, "session", sid), "the session"))
		return;
	json_t *o = programs_session_json(c, sid);
	if (o)
		add_local_start(o, v[0].i, p.zone);
	http_json(r, 201, o ? o : json_pack("{s:I}", "id", (json_int_t)sid));
}

static const char SQL_SESSION_UPDATE[] =
    "UPDATE programme_sessions SET starts_at = ?2, ends_at = ?3, venue_id = ?4, online_link = ?5, "
    "status = ?6, was_published = ?7, cancel_reason = ?8, cancelled_at = ?9, edited = 1, "
    "sequence = sequence + 1, updated_at = ?10 WHERE id = ?1";
static const char SQL_SESSION_STATE[] =
    "SELECT starts_at, ends_at, venue_id, online_link, status, was_published, cancel_reason, "
    "cancelled_at FROM programme_sessions WHERE id = ?1";

/* Begins a write transaction and loads the session (or programme) for
 * someone holding a role in mask in its organisation. Otherwise answers
 * 403 with denied, or 404 when denied is NULL (the record stays unseen),
 * rolls back and returns false. */
static bool ref_begin(struct req *r, bool session, int64_t id, uint32_t mask, const char *denied,
                      struct prog_ref *ref)
{
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = session ? programs_session_ref(c, r->arena, id, ref)
		             : programs_programme_ref(c, r->arena, id, ref);
	if (!rc && !denied && !is_staff_of(r, mask, ref->organisation_id))
		rc = -HEARTH_ENOTFOUND;
	if (rc) {
		db_rollback(c);
		http_error(r, rc, session ? "the session" : "the programme");
		return false;
	}
	if (!is_staff_of(r, mask, ref->organisation_id)) {
		db_rollback(c);
		http_problem(r, 403, "%s", denied);
		return false;
	}
	return true;
}

/* After a move, everyone on duty must still hold valid training on the
 * session's new local date. Answers 409 and rolls back otherwise. */
static const char SQL_ON_DUTY[] =
    "SELECT d.user_id, u.display_name FROM roster d JOIN users u ON u.id = d.user_id "
    "WHERE d.session_id = ?1 AND d.role = 'on_duty'";

static bool duty_still_valid(struct req *r, int64_t session, int64_t start, const char *zone)
{
	const struct tz *z = tz_get(zone);
	if (!z)
		return true;
	struct local_time lt;
	tz_utc_to_local(z, start, &lt);
	char day[11];
	snprintf(day, sizeof day, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	struct db_stmt *s = db_prepare(req_db(r), SQL_ON_DUTY);
	size_t n = 0;
	int64_t ids[16];
	const char *names[16];
	/* Safety: a check that could not run must not pass. */
	int rc = s ? 0 : -HEARTH_EDB;
	if (s)
		db_bind_i64(s, 1, session);
	while (s && n < 16 && db_next(s, &rc)) {
		ids[n] = db_col_i64(s, 0);
		names[n++] = arena_strdup(r->arena, db_col_text(s, 1));
	}
	db_finish(s);
	if (rc) {
		db_rollback(req_db(r));
		http_error(r, rc, "the duty check");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why = duty_refusal(r, ids[i], names[i], day);
		if (why) {
			db_rollback(req_db(r));
			programs_bad(r, 409, "starts_at",
			             "starts_at: on the new date %s; take them off duty or choose "
			             "another date",
			             why);
			return false;
		}
	}
	return true;
}

static const char *const programs_http_session_update_statuses[] = {"published", "cancelled", NULL};
static const struct field programs_http_session_update_fields[] = {
    {"starts_at", FIELD_TIME, false},
    {"ends_at", FIELD_TIME, false},
    {"venue_id", FIELD_INT, false, 0},
    {"online_link", FIELD_STRING, false, 0, 500},
    {"status", FIELD_ENUM, false, 0, 0, programs_http_session_update_statuses},
    {"cancel_reason", FIELD_STRING, false, 1, 500},
};
const struct field_table programs_http_session_update_body =
    FIELD_TABLE(programs_http_session_update_fields);

void programs_http_session_update(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_session_update_fields)];
	if (!req_body_fields(r, &programs_http_session_update_body, v))
		return;
	if (!session_times_in_window(r, &v[0], &v[1]))
		return;
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	if (!ref_begin(r, true, id, PM_MANAGE | (1u << ROLE_FACILITATOR),
	               "you can change sessions only of your organisation's programmes", &ref))
		return;
	int rc = 0;
	struct db_stmt *s = db_prepare(c, SQL_SESSION_STATE);
	if (!s || db_bind_i64(s, 1, id) || db_step(s) != DB_ROW) {
		if (s)
			db_finish(s);
		db_rollback(c);
		http_error(r, -HEARTH_EDB, "the session");
		return;
	}
	int64_t start = db_col_i64(s, 0), end = db_col_i64(s, 1), venue = db_col_i64(s, 2);
	const char *link = db_col_text(s, 3) ? arena_strdup(r->arena, db_col_text(s, 3)) : NULL;
	const char *status = arena_strdup(r->arena, db_col_text(s, 4));
	int64_t was_published = db_col_i64(s, 5);
	const char *reason = db_col_text(s, 6) ? arena_strdup(r->arena, db_col_text(s, 6)) : NULL;
	int64_t cancelled_at = db_col_i64(s, 7);
	db_finish(s);
	bool cancelling = v[4].present && strcmp(v[4].s, "cancelled") == 0;
	if (strcmp(status, "cancelled") == 0 && !cancelling &&
	    !(v[4].present && strcmp(v[4].s, "published") == 0)) {
		db_rollback(c);
		programs_bad(
		    r, 409, "status",
		    "the session is cancelled; set status to published to bring it back first");
		return;
	}
	if (cancelling && !v[5].present) {
		db_rollback(c);
		programs_bad(r, 400, "cancel_reason",
		             "cancel_reason is required: say why, so the people coming are told");
		return;
	}
	/* Moving: ends_at follows starts_at unless given. */
	if (v[0].present) {
		int64_t len = end - start;
		start = v[0].i;
		end = v[1].present ? v[1].i : start + len;
	} else if (v[1].present) {
		end = v[1].i;
	}
	if (end <= start || end - start > 12 * 3600) {
		db_rollback(c);
		programs_bad(r, 400, "ends_at",
		             "ends_at must be after starts_at, at most 12 hours");
		return;
	}
	if (v[2].present)
		venue = v[2].i;
	if (v[3].present)
		link = *v[3].s ? v[3].s : NULL;
	if (link && !link_valid(link)) {
		db_rollback(c);
		programs_bad(r, 400, "online_link", "online_link must start with https://");
		return;
	}
	if ((v[2].present || v[3].present) && !cancelling) {
		/* The programme's format decides what a session needs. */
		struct prog_row p = {0};
		if ((rc = prog_row_load(r, ref.programme_id, &p)) != 0) {
			db_rollback(c);
			http_error(r, rc, "the programme");
			return;
		}
		if (!place_valid(r, p.org, p.format, venue, link, p.capacity)) {
			db_rollback(c);
			return;
		}
	}
	if (venue && (v[0].present || v[1].present || v[2].present || v[4].present) &&
	    !cancelling && (rc = venue_free(r, venue, start, end, id)) == -HEARTH_ECONFLICT)
		return;
	if (v[0].present && !cancelling && !duty_still_valid(r, id, start, ref.timezone))
		return;
	if (cancelling) {
		status = "cancelled";
		reason = v[5].s;
		cancelled_at = util_now();
	} else if (v[4].present) {
		if (ref.therapeutic && duty_count(c, id) == 0) {
			db_rollback(c);
			programs_bad(
			    r, 409, "status",
			    "a session of a therapeutic programme needs someone on duty before "
			    "it is published");
			return;
		}
		status = "published";
		was_published = 1;
		reason = NULL;
		cancelled_at = 0;
	}
	s = db_prepare(c, SQL_SESSION_UPDATE);
	if (!s)
		rc = -HEARTH_EDB;
	else {
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, start);
		db_bind_i64(s, 3, end);
		db_bind_id(s, 4, venue);
		db_bind_text(s, 5, link);
		db_bind_text(s, 6, status);
		db_bind_i64(s, 7, was_published);
		db_bind_text(s, 8, reason);
		db_bind_id(s, 9, cancelled_at);
		db_bind_i64(s, 10, util_now());
		rc = db_run(s);
	}
	if (!req_commit(r, rc, cancelling ? "session.cancel" : "session.update",
	                resource(r, "session", id), "the session"))
		return;
	programs_http_session_get(r);
}

/* ------------------------------------------------------------------ */
/* Roster, rotation, duties                                            */

/* Ends a read transaction; audited when it opened someone's record. */
static bool finish_read(struct req *r, bool audit, const char *action, const char *res,
                        const char *what)
{
	if (audit)
		return req_commit(r, 0, action, res, what);
	int rc = db_commit(req_db(r));
	if (rc) {
		db_rollback(req_db(r));
		http_error(r, rc, what);
	}
	return rc == 0;
}

void programs_http_roster_list(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	if (!ref_begin(r, true, id, PM_STAFF, NULL, &ref))
		return;
	struct roster_entry *es;
	size_t n;
	bool people;
	int rc = roster_list(c, r->arena, &r->app->people, id, &es, &n, &people);
	if (rc) {
		/* Not an empty roster: the roster could not be read. */
		db_rollback(c);
		http_error(r, rc, "the roster");
		return;
	}
	if (!finish_read(r, people, "roster.read", resource(r, "session", id), "the roster"))
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)es[i].id, "role", es[i].role);
		if (es[i].user_id) {
			json_object_set_new(o, "user_id", json_integer(es[i].user_id));
			json_object_set_new(o, "name", json_string(es[i].name));
		} else {
			json_object_set_new(o, "participant_id", json_integer(es[i].participant_id));
			json_object_set_new(o, "name", json_string(es[i].name));
		}
		json_array_append_new(items, o);
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct field programs_http_roster_add_fields[] = {
    {"user_id", FIELD_INT, false, 1},
    {"participant_id", FIELD_INT, false, 1},
    {"role", FIELD_ENUM, true, 0, 0, roster_roles},
};
const struct field_table programs_http_roster_add_body =
    FIELD_TABLE(programs_http_roster_add_fields);

void programs_http_roster_add(struct req *r)
{
	struct field_value v[NFIELDS(programs_http_roster_add_fields)];
	if (!req_body_fields(r, &programs_http_roster_add_body, v))
		return;
	bool lead = strcmp(v[2].s, "participant_lead") == 0;
	if (lead && (!v[1].present || v[0].present)) {
		programs_bad(
		    r, 400, "participant_id",
		    "a participant lead is a participant: give participant_id (not user_id)");
		return;
	}
	if (!lead && (!v[0].present || v[1].present)) {
		programs_bad(r, 400, "user_id",
		             "give the user_id of the staff member or volunteer");
		return;
	}
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_ref ref;
	if (!ref_begin(r, true, id, PM_MANAGE,
	               "you can change the roster only of programmes you coordinate", &ref))
		return;
	const char *field = lead ? "participant_id" : "user_id";
	struct roster_input in = {.role = v[2].s,
	                          .user_id = lead ? 0 : v[0].i,
	                          .participant_id = lead ? v[1].i : 0};
	/* Scope first: a person of another organisation is refused like one
	 * who does not exist, before anything else is said. */
	if (lead && !programs_scope_participant(r, field, in.participant_id, ref.organisation_id,
	                                        NULL))
		return;
	if (!lead &&
	    !part_fits_user(r, field, in.user_id, ref.organisation_id, in.role, &in.name))
		return;
	struct programs_refusal why = {0};
	int64_t rid = 0;
	int rc = roster_add(c, r->arena, &r->actor, &ref, &in, &rid, &why);
	if (why.status) {
		programs_http_refused(r, rc, &why, "the roster", true);
		return;
	}
	if (!req_commit(r, rc, "roster.add", resource(r, "session", id), "the roster"))
		return;
	http_json(r, 201,
	          json_pack("{s:I, s:I, s:s}", "id", (json_int_t)rid, "session_id", (json_int_t)id,
	                    "role", v[2].s));
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
	if (rc && (why.status || !session)) {
		programs_http_refused(r, rc, &why, "the roster entry", true);
		return;
	}
	if (!req_commit(r, rc, "roster.remove", resource(r, "session", session), "the roster"))
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
	if (!ref_begin(r, false, id, PM_STAFF, NULL, &ref))
		return;
	struct rotation_slot *xs;
	size_t n;
	bool people;
	int rc = roster_rotation(c, r->arena, &r->app->people, id, &xs, &n, &people);
	if (rc) {
		db_rollback(c);
		http_error(r, rc, "the rotation");
		return;
	}
	if (!finish_read(r, people, "rotation.read", resource(r, "programme", id), "the rotation"))
		return;
	json_t *sessions = json_array(), *counts = json_array(), *cur = NULL;
	json_t **of = arena_alloc(r->arena, (n ? n : 1) * sizeof *of);
	int64_t cur_id = 0;
	/* Staff first, in order; then participant leads, as before. */
	for (size_t i = 0; i < n; i++) {
		if (xs[i].session_id != cur_id) {
			cur_id = xs[i].session_id;
			cur = json_pack("{s:I, s:s, s:[], s:[], s:[], s:[]}", "session_id",
			                (json_int_t)cur_id, "starts_at", iso(r->arena, xs[i].starts_at),
			                "lead", "co_facilitator", "participant_lead", "on_duty");
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

static const char SQL_DUTIES[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS ", d.role FROM roster d "
    "JOIN programme_sessions s ON s.id = d.session_id JOIN programmes p ON p.id = s.programme_id "
    "WHERE d.user_id = ?1 AND s.ends_at >= ?2 ORDER BY s.starts_at, s.id LIMIT 200";

void programs_http_me_duties(struct req *r)
{
	struct db_stmt *s = db_prepare(req_db(r), SQL_DUTIES);
	if (!s) {
		http_error(r, -HEARTH_EDB, "duties");
		return;
	}
	db_bind_i64(s, 1, r->actor.user_id);
	db_bind_i64(s, 2, util_now() - DAY);
	json_t *items = json_array();
	int rc;
	while (db_next(s, &rc)) {
		json_t *o = session_json(s);
		json_object_set_new(o, "role", json_string(db_col_text(s, 15)));
		json_array_append_new(items, o);
	}
	db_finish(s);
	if (rc) {
		json_decref(items);
		http_error(r, rc, "duties");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
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
	int rc = staff_list(req_db(r), r->arena, &r->actor, org_id, role, &ms, &n, &why);
	if (rc) {
		programs_http_refused(r, why.status ? rc : -HEARTH_EDB, &why, "staff", false);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *roles = json_array();
		for (size_t k = 0; k < ms[i].nroles; k++)
			json_array_append_new(
			    roles, json_pack("{s:I, s:s, s:s}", "organisation_id",
			                     (json_int_t)ms[i].roles[k].organisation_id, "organisation",
			                     ms[i].roles[k].organisation, "role", ms[i].roles[k].role));
		json_array_append_new(items, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)ms[i].id,
		                                       "display_name", ms[i].display_name, "roles",
		                                       roles));
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}
