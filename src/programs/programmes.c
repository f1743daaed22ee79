/*
 * Programmes: storage, the team, the place checks that need no other
 * record, and what a therapeutic programme needs before it is published
 * (its team is checked at the edge, with the scope of each member). The
 * HTTP edge is programmes_http.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/programmes.h"
#include "programs/programs.h"
#include "core/banned.h"

const char *const programme_plan_parts[] = {"grounding", "difficult_content", "debrief", "opt_out",
                                            NULL};

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
    "SELECT t.user_id, t.role FROM programme_team t WHERE t.programme_id = ?1 "
    "ORDER BY t.role, t.user_id";
static const char SQL_TEAM_CLEAR[] = "DELETE FROM programme_team WHERE programme_id = ?1";
static const char SQL_TEAM_ADD[] =
    "INSERT INTO programme_team (programme_id, user_id, role) VALUES (?1, ?2, ?3) "
    "ON CONFLICT DO NOTHING";

static const char SQL_PROGRAMME_INSERT[] =
    "INSERT INTO programmes (organisation_id, title, art_form, description, languages, format, "
    "capacity, therapeutic, timezone, start_date, end_date, start_time, duration_minutes, rrule, "
    "exdates, weekdays, start_minute, venue_id, online_link, trauma_plan, funding_stream, "
    "created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, 0, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?22) RETURNING id";
static const char SQL_PROGRAMME_WEEKDAYS[] = "UPDATE programmes SET weekdays = ?2 WHERE id = ?1";

static const char SQL_PROG_ROW[] =
    "SELECT organisation_id, capacity, duration_minutes, venue_id, status, format, online_link, "
    "timezone, start_date, end_date, start_time, rrule, exdates, title, art_form, description, "
    "languages, trauma_plan, funding_stream, therapeutic, "
    "(SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = p.id "
    " AND e.status IN ('enrolled', 'offered')), "
    "(SELECT COUNT(*) FROM roster d JOIN programme_sessions s ON s.id = d.session_id "
    " WHERE s.programme_id = p.id) "
    "FROM programmes p WHERE id = ?1";

static const char SQL_PROGRAMME_UPDATE[] =
    "UPDATE programmes SET title = ?2, art_form = ?3, description = ?4, languages = ?5, "
    "format = ?6, capacity = ?7, therapeutic = ?8, timezone = ?9, start_date = ?10, "
    "end_date = ?11, start_time = ?12, duration_minutes = ?13, rrule = ?14, exdates = ?15, "
    "start_minute = ?16, venue_id = ?17, online_link = ?18, trauma_plan = ?19, "
    "funding_stream = ?20, status = ?21, updated_at = ?22 WHERE id = ?1";
static const char SQL_SESSIONS_DROP[] = "DELETE FROM programme_sessions WHERE programme_id = ?1";
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

int programmes_row_load(struct db_conn *c, struct arena *a, int64_t id, struct prog_row *p)
{
	struct db_stmt *s = db_prepare(c, SQL_PROG_ROW);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
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

/* Parameters 2 to 20 of SQL_PROGRAMME_INSERT and SQL_PROGRAMME_UPDATE: the
 * programme's own fields, in the same order in both statements. */
static void bind_fields(struct db_stmt *s, const struct programme_input *in)
{
	db_bind_text(s, 2, in->title);
	db_bind_text(s, 3, in->art);
	db_bind_text(s, 4, in->desc);
	db_bind_text(s, 5, in->langs);
	db_bind_text(s, 6, in->format);
	db_bind_i64(s, 7, in->capacity);
	db_bind_i64(s, 8, in->therapeutic);
	db_bind_text(s, 9, in->zone);
	db_bind_text(s, 10, in->start);
	db_bind_text(s, 11, in->end);
	db_bind_text(s, 12, in->time);
	db_bind_i64(s, 13, in->duration);
	db_bind_text(s, 14, in->rule);
	db_bind_text(s, 15, in->exdates);
	db_bind_i64(s, 16, in->start_minute);
	db_bind_id(s, 17, in->venue);
	db_bind_text(s, 18, in->link);
	db_bind_text(s, 19, in->plan);
	db_bind_text(s, 20, in->funding);
}

int programmes_insert(struct db_conn *c, struct arena *a, const struct programme_input *in,
                      int64_t *id, struct programs_refusal *why)
{
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_INSERT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, in->org);
	bind_fields(s, in);
	db_bind_id(s, 21, in->created_by);
	db_bind_i64(s, 22, util_now());
	int rc = db_insert_id(s, id);
	if (rc == -HEARTH_ECONFLICT)
		rc = programs_refuse(why, a, 400, "organisation_id", "no such organisation");
	return rc;
}

int programmes_update(struct db_conn *c, int64_t id, const struct programme_input *in)
{
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_UPDATE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	bind_fields(s, in);
	db_bind_text(s, 21, in->status);
	db_bind_i64(s, 22, util_now());
	return db_run(s);
}

int programmes_set_weekdays(struct db_conn *c, int64_t id, int weekdays)
{
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_WEEKDAYS);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	db_bind_i64(s, 2, weekdays);
	return db_run(s);
}

int programmes_sessions_drop(struct db_conn *c, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSIONS_DROP);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	return db_run(s);
}

int programmes_publish(struct db_conn *c, int64_t id, int64_t now)
{
	struct db_stmt *s = db_prepare(c, SQL_PUBLISH_PROGRAMME);
	int rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, now), db_run(s)) : -HEARTH_EDB;
	if (!rc) {
		s = db_prepare(c, SQL_PUBLISH_SESSIONS);
		rc = s ? (db_bind_i64(s, 1, id), db_bind_i64(s, 2, now), db_run(s)) : -HEARTH_EDB;
	}
	return rc;
}

struct team_row {
	int64_t user_id;
	const char *role, *name;
};

/* By role, then display name (as ORDER BY in C collation), then user id. */
static int team_cmp(const void *x, const void *y)
{
	const struct team_row *a = x, *b = y;
	int d = strcmp(a->role, b->role);
	if (!d)
		d = strcmp(a->name, b->name);
	return d ? d : (a->user_id > b->user_id) - (a->user_id < b->user_id);
}

json_t *programmes_team_json(struct db_conn *c, int64_t id)
{
	struct arena *a = arena_new(1024);
	json_t *arr = NULL;
	struct team_row *rows = NULL;
	int64_t *ids = NULL;
	const char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -HEARTH_EDB;
	struct db_stmt *s = db_prepare(c, SQL_TEAM);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	while (db_next(s, &rc)) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct team_row *more = arena_alloc(a, ncap * sizeof *more);
			if (n)
				memcpy(more, rows, n * sizeof *more);
			rows = more;
			cap = ncap;
		}
		rows[n].user_id = db_col_i64(s, 0);
		rows[n++].role = arena_strdup(a, db_col_text(s, 1));
	}
	db_finish(s);
	if (rc) /* not a short team: none */
		goto out;
	ids = arena_alloc(a, (n ? n : 1) * sizeof *ids);
	names = arena_alloc(a, (n ? n : 1) * sizeof *names);
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i].user_id;
	if ((rc = auth_user_names(c, a, ids, n, names)) != 0)
		goto out;
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (names[i]) { /* a member without a user is not shown */
			rows[kept] = rows[i];
			rows[kept++].name = names[i];
		}
	if (kept)
		qsort(rows, kept, sizeof *rows, team_cmp);
	arr = json_array();
	for (size_t i = 0; i < kept; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "user_id",
		                                     (json_int_t)rows[i].user_id, "role",
		                                     rows[i].role, "name", rows[i].name));
out:
	arena_free(a);
	return arr;
}

int programmes_team_store(struct db_conn *c, int64_t id, json_t *team)
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

/* May who see this programme at all? Published ones: everyone logged in.
 * Drafts and closed ones: staff of its organisation. 0, or the policy's
 * refusal (403 for another role there, 404 for the unseen). */
static int may_see(const struct actor *who, int64_t org, const char *status)
{
	int rc = programs_check(who, ACT_ENROL_READ, org, status);
	return rc == -HEARTH_EDENIED && strcmp(status, "published") == 0 ? 0 : rc;
}

int programmes_get(struct db_conn *c, const struct actor *who, int64_t id, json_t **out)
{
	*out = NULL;
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	json_t *o = NULL;
	int rc = db_step(s);
	if (rc == DB_ROW && (rc = may_see(who, db_col_i64(s, 1), db_col_text(s, 9))) == 0)
		o = programme_row(s);
	else if (rc == DB_DONE)
		rc = -HEARTH_ENOTFOUND;
	db_finish(s);
	if (!o)
		return rc < 0 ? rc : -HEARTH_EDB;
	json_t *team = programmes_team_json(c, id);
	if (!team) {
		json_decref(o);
		return -HEARTH_EDB;
	}
	json_object_set_new(o, "team", team);
	*out = o;
	return 0;
}

int programmes_list(struct db_conn *c, const struct actor *who, const char *status, int64_t org,
                    json_t **items)
{
	*items = NULL;
	struct db_stmt *s = db_prepare(c, SQL_PROGRAMME_LIST);
	if (!s)
		return -HEARTH_EDB;
	db_bind_text(s, 1, status ? status : "");
	db_bind_i64(s, 2, org);
	json_t *arr = json_array();
	int rc;
	while (db_next(s, &rc))
		if (may_see(who, db_col_i64(s, 1), db_col_text(s, 9)) == 0)
			json_array_append_new(arr, programme_row(s));
	db_finish(s);
	if (rc)
		json_decref(arr);
	else
		*items = arr;
	return rc;
}

bool programmes_link_valid(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

int programmes_place_check(struct arena *a, const char *format, int64_t venue, const char *link,
                           struct programs_refusal *why)
{
	bool in_room = strcmp(format, "online") != 0;
	bool online = strcmp(format, "in_person") != 0;
	if (in_room && !venue)
		return programs_refuse(
		    why, a, 400, "venue_id", "a programme held %s needs a venue_id",
		    strcmp(format, "hybrid") == 0 ? "in a room and online" : "in person");
	if (online && (!link || !*link))
		return programs_refuse(why, a, 400, "online_link",
		                       "an online or hybrid programme needs an online_link");
	if (link && *link && !programmes_link_valid(link))
		return programs_refuse(why, a, 400, "online_link",
		                       "online_link must start with https://");
	return 0;
}

int programmes_capacity_check(struct arena *a, const char *format, int64_t capacity,
                              int64_t venue_capacity, struct programs_refusal *why)
{
	if (strcmp(format, "in_person") == 0 && capacity > venue_capacity)
		return programs_refuse(why, a, 400, "capacity",
		                       "capacity %" PRId64 " is more than the venue holds (%" PRId64
		                       ")",
		                       capacity, venue_capacity);
	return 0;
}

void programmes_plan_missing(struct arena *a, const char *plan, const char ***parts, size_t *n)
{
	json_t *o = json_loads(plan, 0, NULL);
	const char **out = arena_alloc(a, sizeof programme_plan_parts);
	*n = 0;
	for (int i = 0; programme_plan_parts[i]; i++) {
		const char *v = json_string_value(json_object_get(o, programme_plan_parts[i]));
		if (!v || !*v)
			out[(*n)++] = programme_plan_parts[i];
	}
	json_decref(o);
	*parts = out;
}

int programmes_sessions_without_duty(struct db_conn *c, struct arena *a, int64_t id, int64_t **ids,
                                     size_t *n)
{
	*ids = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_SESSIONS_WITHOUT_DUTY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	size_t cap = 16;
	int64_t *out = arena_alloc(a, cap * sizeof *out);
	int rc;
	while (db_next(s, &rc)) {
		if (*n == cap) {
			int64_t *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, out, cap * sizeof *out);
			out = more;
			cap *= 2;
		}
		out[(*n)++] = db_col_i64(s, 0);
	}
	db_finish(s);
	if (!rc)
		*ids = out;
	return rc;
}
