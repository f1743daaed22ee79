/*
 * Venues: storage and the rules for changing them (who may, and that a
 * venue never shrinks below what an open programme held there needs).
 * The HTTP edge is venues_http.c.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/programs.h"
#include "programs/venues.h"
#include "core/banned.h"

#define VENUE_COLUMNS "id, organisation_id, name, address, capacity, features, notes"
static const char SQL_VENUE_LIST[] = "SELECT " VENUE_COLUMNS " FROM venues "
                                     "WHERE (?1 = 0 OR organisation_id = ?1) ORDER BY name, id";
static const char SQL_VENUE_GET[] = "SELECT " VENUE_COLUMNS " FROM venues WHERE id = ?1";
static const char SQL_VENUE_INSERT[] =
    "INSERT INTO venues (organisation_id, name, address, capacity, features, notes, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id";
static const char SQL_VENUE_UPDATE[] =
    "UPDATE venues SET name = ?2, address = ?3, capacity = ?4, features = ?5, notes = ?6, "
    "updated_at = ?7 WHERE id = ?1";
static const char SQL_VENUE_BIGGEST_USE[] =
    "SELECT COALESCE(MAX(capacity), 0) FROM programmes WHERE venue_id = ?1 AND status <> 'closed' "
    "AND format = 'in_person'";

static void venue_read(struct db_stmt *s, struct arena *a, struct venue *v)
{
	v->id = db_col_i64(s, 0);
	v->organisation_id = db_col_i64(s, 1);
	v->name = arena_strdup(a, db_col_text(s, 2));
	v->address = arena_strdup(a, db_col_text(s, 3));
	v->capacity = db_col_i64(s, 4);
	v->features = db_col_i64(s, 5);
	v->notes = arena_strdup(a, db_col_text(s, 6));
}

int venues_list(struct db_conn *c, struct arena *a, int64_t org, struct venue **out, size_t *n)
{
	int rc = -HEARTH_EDB;
	size_t cap = 16;
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_VENUE_LIST);
	if (!s)
		goto out;
	db_bind_i64(s, 1, org);
	struct venue *items = arena_alloc(a, cap * sizeof *items);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct venue *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, items, cap * sizeof *items);
			items = more;
			cap *= 2;
		}
		venue_read(s, a, &items[(*n)++]);
	}
	db_finish(s);
	if (!rc)
		*out = items;
out:
	return rc;
}

int venues_get(struct db_conn *c, struct arena *a, int64_t id, struct venue *out)
{
	int rc = -HEARTH_EDB;
	struct db_stmt *s = db_prepare(c, SQL_VENUE_GET);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	int st = db_step(s);
	if (st == DB_ROW) {
		venue_read(s, a, out);
		rc = 0;
	} else {
		rc = st == DB_DONE ? -HEARTH_ENOTFOUND : st;
	}
	db_finish(s);
out:
	return rc;
}

int venues_create(struct db_conn *c, struct arena *a, const struct actor *who,
                  const struct venue_input *in, int64_t *id, struct programs_refusal *why)
{
	int rc;
	*id = 0;
	if (!policy_in(who, ACT_PROGRAM_MANAGE, in->organisation_id)) {
		rc = programs_refuse(why, a, 403, "organisation_id",
		                     "you can add venues only for an organisation you coordinate");
		goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_VENUE_INSERT);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, in->organisation_id);
	db_bind_text(s, 2, in->name);
	db_bind_text(s, 3, in->address);
	db_bind_i64(s, 4, in->capacity);
	db_bind_i64(s, 5, in->has_features ? in->features : 0);
	db_bind_text(s, 6, in->has_notes ? in->notes : "");
	db_bind_i64(s, 7, util_now());
	rc = db_insert_id(s, id);
	if (rc == -HEARTH_ECONFLICT) /* the organisation does not exist (foreign key) */
		rc = programs_refuse(why, a, 400, "organisation_id", "no such organisation");
out:
	return rc;
}

int venues_update(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                  const struct venue_input *in, struct programs_refusal *why)
{
	struct venue v;
	int rc = venues_get(c, a, id, &v);
	if (rc)
		goto out;
	/* Venues are shown to everyone logged in: 403, never 404. */
	if (policy_check(who, ACT_PROGRAM_MANAGE, v.organisation_id, true) != 0) {
		rc =
		    programs_refuse(why, a, 403, NULL,
		                    "you can change venues only of an organisation you coordinate");
		goto out;
	}
	if (in->has_capacity) {
		int64_t need = 0;
		struct db_stmt *u = db_prepare(c, SQL_VENUE_BIGGEST_USE);
		if (!u) {
			rc = -HEARTH_EDB;
			goto out;
		}
		db_bind_i64(u, 1, id);
		int step = db_step(u);
		if (step == DB_ROW)
			need = db_col_i64(u, 0);
		db_finish(u);
		if (step < 0) {
			rc = step;
			goto out;
		}
		if (in->capacity < need) {
			rc = programs_refuse(why, a, 409, "capacity",
			                     "capacity %" PRId64
			                     " is less than a programme here needs (%" PRId64
			                     "); change that programme first",
			                     in->capacity, need);
			goto out;
		}
		v.capacity = in->capacity;
	}
	struct db_stmt *s = db_prepare(c, SQL_VENUE_UPDATE);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, in->has_name ? in->name : v.name);
	db_bind_text(s, 3, in->has_address ? in->address : v.address);
	db_bind_i64(s, 4, v.capacity);
	db_bind_i64(s, 5, in->has_features ? in->features : v.features);
	db_bind_text(s, 6, in->has_notes ? in->notes : v.notes);
	db_bind_i64(s, 7, util_now());
	rc = db_run(s);
out:
	return rc;
}
