/*
 * What the parts of the programmes module share: organisation scoping,
 * the venue feature list, and programme/session lookups.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/programs.h"
#include "core/banned.h"

const char *const venue_feature_names[VF__MAX + 1] = {
    [VF_STEP_FREE_ACCESS] = "step_free_access",
    [VF_ACCESSIBLE_TOILET] = "accessible_toilet",
    [VF_HEARING_LOOP] = "hearing_loop",
    [VF_QUIET_ROOM] = "quiet_room",
    [VF_PARKING] = "parking",
    [VF_PUBLIC_TRANSPORT] = "public_transport",
    [VF_GENDER_NEUTRAL_TOILET] = "gender_neutral_toilet",
    [VF_LIFT] = "lift",
    [VF__MAX] = NULL,
};

const char *const art_form_names[] = {"painting",    "drawing", "music",   "singing",
                                      "theatre",     "dance",   "writing", "craft",
                                      "photography", "digital", NULL};

const char *const programme_languages[] = {"en", "es", "fr",  "pt",  "pl", "ar", "ur",
                                           "bn", "zh", "so",  "ro",  "it", "de", "tr",
                                           "cy", "ga", "bsl", "asl", NULL};

int programs_check(const struct actor *a, enum action act, int64_t org, const char *status)
{
	return policy_check(a, act, org, status && strcmp(status, "published") == 0);
}

int64_t programs_self_participant(struct db_conn *c, const struct actor *a)
{
	return people_of_user(c, a->user_id);
}

static const char SQL_PROGRAMME_REF[] =
    "SELECT id, organisation_id, status, timezone, therapeutic, capacity FROM programmes "
    "WHERE id = ?1";
static const char SQL_SESSION_REF[] =
    "SELECT p.id, p.organisation_id, p.status, p.timezone, p.therapeutic, p.capacity "
    "FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1";

static int load_ref(struct db_conn *c, struct arena *a, const char *sql, int64_t id,
                    struct prog_ref *out)
{
	memset(out, 0, sizeof *out);
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		out->programme_id = db_col_i64(s, 0);
		out->organisation_id = db_col_i64(s, 1);
		out->status = arena_strdup(a, db_col_text(s, 2));
		out->timezone = arena_strdup(a, db_col_text(s, 3));
		out->therapeutic = db_col_i64(s, 4) != 0;
		out->capacity = db_col_i64(s, 5);
	}
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

int programs_programme_ref(struct db_conn *c, struct arena *a, int64_t programme_id,
                           struct prog_ref *out)
{
	return load_ref(c, a, SQL_PROGRAMME_REF, programme_id, out);
}

int programs_session_ref(struct db_conn *c, struct arena *a, int64_t session_id,
                         struct prog_ref *out)
{
	int rc = load_ref(c, a, SQL_SESSION_REF, session_id, out);
	if (rc == 0)
		out->session_id = session_id;
	return rc;
}

json_t *programs_json_time(int64_t t)
{
	char s[32];
	util_iso8601(s, sizeof s, t);
	return json_string(s);
}

json_t *programs_json_text(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *iso_or_null(int64_t t, bool null)
{
	return null ? json_null() : programs_json_time(t);
}

json_t *programs_session_row(struct db_stmt *st)
{
	int64_t start = db_col_i64(st, 2);
	const char *zone = db_col_text(st, 10);
	json_t *o = json_pack(
	    "{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:b, s:s, s:s, s:b}", "id",
	    (json_int_t)db_col_i64(st, 0), "programme_id", (json_int_t)db_col_i64(st, 1),
	    "starts_at", iso_or_null(start, false), "ends_at",
	    iso_or_null(db_col_i64(st, 3), false), "original_start",
	    iso_or_null(db_col_i64(st, 4), db_col_null(st, 4)), "venue_id",
	    db_col_null(st, 5) ? json_null() : json_integer(db_col_i64(st, 5)), "online_link",
	    programs_json_text(db_col_text(st, 6)), "status", db_col_text(st, 7), "cancel_reason",
	    programs_json_text(db_col_text(st, 8)), "edited", db_col_i64(st, 9) != 0, "timezone",
	    zone, "programme", db_col_text(st, 11), "on_duty", db_col_i64(st, 12) > 0);
	if (!o)
		return NULL;
	/* local_start is added by the caller that has the zone loaded (cal.h). */
	json_object_set_new(o, "sequence", json_integer(db_col_i64(st, 13)));
	return o;
}

static const char SQL_SESSION_ONE[] =
    "SELECT " PROGRAMS_SESSION_COLUMNS
    " FROM programme_sessions s JOIN programmes p ON p.id = s.programme_id "
    "WHERE s.id = ?1";

json_t *programs_session_json(struct db_conn *c, int64_t session_id)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_ONE);
	if (!s)
		return NULL;
	db_bind_i64(s, 1, session_id);
	json_t *o = db_step(s) == DB_ROW ? programs_session_row(s) : NULL;
	db_finish(s);
	return o;
}
