/*
 * HTTP edge of programmes (logic in programmes.c, the schedule in
 * schedule.c, their sessions in sessions.c): parses with the field tables,
 * checks the scope of the ids a body names (scope.h), calls the logic and
 * answers. Also the enumerations GET /api/v1/meta offers for programmes.
 *
 * The rules a therapeutic programme lives by are kept here and in
 * programmes.c: it names an artist facilitator and a mental-health
 * partner, it has a trauma-informed plan, and none of its sessions is
 * published without someone on duty whose required training is valid on
 * the day.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/meta.h"
#include "programs/programmes.h"
#include "programs/programs.h"
#include "programs/programs_edge.h"
#include "programs/programs_http.h"
#include "programs/roster.h"
#include "programs/schedule.h"
#include "programs/scope.h"
#include "programs/sessions.h"
#include "programs/training.h"
#include "core/banned.h"

#define MAX_EXDATES SCHEDULE_MAX_EXDATES

static const char *const formats[] = {"in_person", "online", "hybrid", NULL};
static const char *const team_roles[] = {"artist_facilitator",
                                         "mental_health_partner",
                                         "participant_co_designer",
                                         "coordinator",
                                         "other",
                                         NULL};
/* A programme's states, for the list's ?status= filter. */
static const char *const programme_statuses[] = {"draft", "published", "closed", NULL};

/* What the UI offers for these fields (GET /api/v1/meta). */
const struct meta_enum programs_http_enums[] = {
    {"formats", formats},
    {"team_roles", team_roles},
    {"roster_roles", roster_roles},
    {"training_kinds", training_kinds},
    {"plan_parts", programme_plan_parts},
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

const char *programs_http_resource(struct req *r, const char *kind, int64_t id)
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
		programs_http_refused(r, rc, &why, "the schedule");
	return rc == 0;
}

/* Answers the programme, loaded again after a change, with status. */
static void programme_answer(struct req *r, int64_t id, int status)
{
	json_t *o;
	int rc = programmes_get(req_db(r), &r->actor, id, &o);
	if (rc)
		http_error(r, rc, "the programme");
	else
		http_json(r, status, o);
}

void programs_http_programme_get(struct req *r)
{
	programme_answer(r, req_param_id(r, "id"), 200);
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
	json_t *items;
	int rc = programmes_list(req_db(r), &r->actor, status, org, &items);
	if (rc) {
		http_error(r, rc, "programmes");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
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

bool programs_http_place_valid(struct req *r, int64_t org, const char *format, int64_t venue,
                               const char *link, int64_t capacity)
{
	struct programs_refusal why = {0};
	int rc = programmes_place_check(r->arena, format, venue, link, &why);
	if (!rc && venue) {
		int64_t cap = 0;
		if (!programs_scope_venue(r, "venue_id", venue, org, &cap))
			return false;
		rc = programmes_capacity_check(r->arena, format, capacity, cap, &why);
	}
	if (rc)
		programs_http_refused(r, rc, &why, "the programme");
	return rc == 0;
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

bool programs_http_part_fits(struct req *r, const char *field, int64_t user, int64_t org,
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
		if (!programs_http_part_fits(r, arena_printf(r->arena, "team[%zu].user_id", i),
		                             json_integer_value(json_object_get(m, "user_id")), org,
		                             role, NULL))
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
	if (!policy_in(&r->actor, ACT_PROGRAM_MANAGE, v[F_ORG].i)) {
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
	if (!programs_http_place_valid(r, v[F_ORG].i, v[F_FORMAT].s, venue, link, v[F_CAPACITY].i))
		return;
	json_t *team = v[F_TEAM].present ? v[F_TEAM].j : NULL;
	if (!team_valid(r, team, therapeutic, v[F_ORG].i))
		return;
	struct db_conn *c = req_db(r);
	struct programs_refusal why = {0};
	const char *what = "the programme";
	int64_t id = 0;
	int rc = db_begin(c, true);
	if (rc)
		goto out;
	struct programme_input in = {
	    .org = v[F_ORG].i,
	    .title = v[F_TITLE].s,
	    .art = v[F_ART].s,
	    .desc = v[F_DESC].present ? v[F_DESC].s : "",
	    .langs = wrap_list(r->arena, v[F_LANGS].j),
	    .format = v[F_FORMAT].s,
	    .capacity = v[F_CAPACITY].i,
	    .therapeutic = therapeutic,
	    .zone = sc.zone_name,
	    .start = v[F_START].s,
	    .end = v[F_END].present ? v[F_END].s : NULL,
	    .time = v[F_TIME].s,
	    .duration = v[F_DURATION].i,
	    .rule = sc.has_rule ? sc.rule_text : NULL,
	    .exdates = sc.exdates,
	    .start_minute = sc.start_minute,
	    .venue = venue,
	    .link = link,
	    .plan = plan_text(r, v[F_PLAN].present ? v[F_PLAN].j : NULL),
	    .funding = v[F_FUNDING].present ? v[F_FUNDING].s : "",
	    .created_by = r->actor.user_id,
	};
	rc = programmes_insert(c, r->arena, &in, &id, &why);
	if (!rc && team)
		rc = programmes_team_store(c, id, team);
	if (rc)
		goto out;
	int64_t count;
	int weekdays;
	what = "the sessions";
	rc = sessions_generate(c, r->arena, &r->actor, id, &sc, venue, link, &count, &weekdays,
	                       &why);
	if (rc)
		goto out;
	what = "the programme";
	rc = programmes_set_weekdays(c, id, weekdays);
out:
	if (!programs_http_finish(r, rc, &why, what, "programme.create",
	                          programs_http_resource(r, "programme", id)))
		return;
	programme_answer(r, id, 201);
}

int programs_http_open_managed(struct req *r, int64_t id, struct prog_row *p, const char *doing,
                               struct programs_refusal *why)
{
	struct db_conn *c = req_db(r);
	int rc = db_begin(c, true);
	if (!rc)
		rc = programmes_row_load(c, r->arena, id, p);
	if (!rc)
		rc = programs_check(&r->actor, ACT_PROGRAM_MANAGE, p->org, p->status);
	if (rc == -HEARTH_EDENIED)
		rc = programs_refuse(why, r->arena, 403, NULL,
		                     "you can %s only programmes of an organisation you coordinate",
		                     doing);
	return rc;
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
	struct programs_refusal why = {0};
	const char *what = "the programme";
	int rc = programs_http_open_managed(r, id, &p, "change", &why);
	if (rc)
		goto out;
	/* The recurrence: free to change while nothing hangs on its sessions. */
	static const int recurrence[] = {F_TZ,       F_START, F_END,    F_TIME,
	                                 F_DURATION, F_RRULE, F_EXDATES};
	bool regenerate = false;
	for (size_t k = 0; k < sizeof recurrence / sizeof recurrence[0]; k++) {
		if (!v[recurrence[k]].present)
			continue;
		if (strcmp(p.status, "draft") != 0 || p.rostered || p.held) {
			rc = programs_refuse(
			    &why, r->arena, 409,
			    programs_http_programme_update_fields[recurrence[k]].name,
			    "%s cannot change once the programme is published or its sessions "
			    "have people on the roster or enrolled; move, add or cancel "
			    "sessions one by one instead",
			    programs_http_programme_update_fields[recurrence[k]].name);
			goto out;
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
	if ((rc = schedule_parse(r->arena, &si, &sc, &why)) != 0) {
		what = "the schedule";
		goto out;
	}
	if (v[F_LANGS].present && !json_array_size(v[F_LANGS].j)) {
		rc = programs_refuse(&why, r->arena, 400, "languages",
		                     "languages must name at least one language");
		goto out;
	}
	int64_t capacity = v[F_CAPACITY].present ? v[F_CAPACITY].i : p.capacity;
	if (capacity < p.held) {
		rc = programs_refuse(&why, r->arena, 409, "capacity",
		                     "capacity %" PRId64 " is below the %" PRId64
		                     " places already taken or offered; cancel places first",
		                     capacity, p.held);
		goto out;
	}
	const char *format = v[F_FORMAT].present ? v[F_FORMAT].s : p.format;
	int64_t venue = v[F_VENUE].present ? v[F_VENUE].i : p.venue;
	const char *link = v[F_LINK].present ? (*v[F_LINK].s ? v[F_LINK].s : NULL) : p.link;
	if (v[F_FORMAT].present && strcmp(format, "online") == 0 && !v[F_VENUE].present)
		venue = 0;
	if (!programs_http_place_valid(r, p.org, format, venue, link, capacity)) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	bool therapeutic = v[F_THERAPEUTIC].present ? v[F_THERAPEUTIC].i != 0 : p.therapeutic;
	json_t *team = v[F_TEAM].present ? v[F_TEAM].j : programmes_team_json(c, id);
	if (!team) {
		rc = -HEARTH_EDB;
		goto out;
	}
	bool ok = team_valid(r, team, therapeutic, p.org);
	if (!v[F_TEAM].present)
		json_decref(team);
	if (!ok) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	const char *status = v[F_STATUS].present ? v[F_STATUS].s : p.status;
	struct programme_input in = {
	    .title = v[F_TITLE].present ? v[F_TITLE].s : p.title,
	    .art = v[F_ART].present ? v[F_ART].s : p.art,
	    .desc = v[F_DESC].present ? v[F_DESC].s : p.desc,
	    .langs = v[F_LANGS].present ? wrap_list(r->arena, v[F_LANGS].j) : p.langs,
	    .format = format,
	    .capacity = capacity,
	    .therapeutic = therapeutic,
	    .zone = zone,
	    .start = start,
	    .end = end,
	    .time = time,
	    .duration = duration,
	    .rule = sc.has_rule ? sc.rule_text : NULL,
	    .exdates = sc.exdates,
	    .start_minute = sc.start_minute,
	    .venue = venue,
	    .link = link,
	    .plan = v[F_PLAN].present ? plan_text(r, v[F_PLAN].j) : p.plan,
	    .funding = v[F_FUNDING].present ? v[F_FUNDING].s : p.funding,
	    .status = status,
	};
	rc = programmes_update(c, id, &in);
	if (!rc && v[F_TEAM].present)
		rc = programmes_team_store(c, id, v[F_TEAM].j);
	if (!rc && regenerate) {
		rc = programmes_sessions_drop(c, id);
		int64_t count;
		int weekdays;
		if (!rc && (rc = sessions_generate(c, r->arena, &r->actor, id, &sc, venue, link,
		                                   &count, &weekdays, &why))) {
			what = "the sessions";
			goto out;
		}
		if (!rc)
			rc = programmes_set_weekdays(c, id, weekdays);
	} else if (!rc && (v[F_VENUE].present || v[F_LINK].present || v[F_FORMAT].present)) {
		rc = sessions_move_place(c, r->arena, &r->actor, id, venue, link, &why);
		if (why.status) {
			what = "the sessions";
			goto out;
		}
	}
	/* A published therapeutic programme stays ready: a change may not take
	 * away its plan or make it therapeutic without someone on duty. */
	if (!rc && therapeutic && strcmp(status, "published") == 0) {
		const char *plan = v[F_PLAN].present ? plan_text(r, v[F_PLAN].j) : p.plan;
		if (!therapeutic_ready(r, id, p.org, plan)) {
			rc = -HEARTH_EINVAL; /* answered */
			goto out;
		}
	}
	/* More places: offer them to the waitlist, first come first served. */
	for (int64_t k = p.capacity; !rc && k < capacity && k < p.capacity + 1000; k++)
		rc = programs_offer_next(c, id);
out:
	if (!programs_http_finish(r, rc, &why, what, "programme.update",
	                          programs_http_resource(r, "programme", id)))
		return;
	programme_answer(r, id, 200);
}

/* --- publishing --- */

/* A published therapeutic programme has its team, a whole trauma-informed
 * plan and someone on duty in every session still on. Answers 409 (or 400
 * for the team), rolled back, and returns false. */
static bool therapeutic_ready(struct req *r, int64_t id, int64_t org, const char *plan)
{
	struct db_conn *c = req_db(r);
	json_t *team = programmes_team_json(c, id);
	if (!team) {
		programs_http_close(r);
		http_error(r, -HEARTH_EDB, "the team");
		return false;
	}
	bool ok = team_valid(r, team, true, org);
	json_decref(team);
	if (!ok)
		return false;
	const char **parts;
	size_t n;
	programmes_plan_missing(r->arena, plan, &parts, &n);
	if (n) {
		json_t *missing = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(missing, json_string(parts[i]));
		programs_http_close(r);
		http_problem_ext(
		    r, 409, json_pack("{s:s, s:o}", "field", "trauma_plan", "missing", missing),
		    "trauma_plan: a therapeutic programme needs a trauma-informed plan "
		    "(grounding, difficult_content, debrief, opt_out) before it is "
		    "published");
		return false;
	}
	/* Safety: a check that could not run must not pass. */
	int64_t *sessions;
	int rc = programmes_sessions_without_duty(c, r->arena, id, &sessions, &n);
	if (rc) {
		programs_http_close(r);
		http_error(r, rc, "the duty check");
		return false;
	}
	if (n) {
		json_t *ids = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(ids, json_integer(sessions[i]));
		programs_http_close(r);
		http_problem_ext(
		    r, 409, json_pack("{s:o}", "sessions_without_duty", ids),
		    "%zu session%s of this therapeutic programme %s nobody on duty; put a "
		    "clinician or trained person on duty in each before publishing",
		    n, n == 1 ? "" : "s", n == 1 ? "has" : "have");
		return false;
	}
	return true;
}

void programs_http_programme_publish(struct req *r)
{
	int64_t id = req_param_id(r, "id");
	struct db_conn *c = req_db(r);
	struct prog_row p = {0};
	struct programs_refusal why = {0};
	int rc = programs_http_open_managed(r, id, &p, "publish", &why);
	if (rc)
		goto out;
	if (strcmp(p.status, "closed") == 0) {
		rc = programs_refuse(&why, r->arena, 409, NULL, "the programme is closed");
		goto out;
	}
	if (p.therapeutic && !therapeutic_ready(r, id, p.org, p.plan)) {
		rc = -HEARTH_EINVAL; /* answered */
		goto out;
	}
	rc = programmes_publish(c, id, util_now());
out:
	if (!programs_http_finish(r, rc, &why, "the programme", "programme.publish",
	                          programs_http_resource(r, "programme", id)))
		return;
	programme_answer(r, id, 200);
}
