/*
 * Training records: storage, who may see and change them, which are
 * running out, and the rule a therapeutic session's duty lives by (valid
 * safeguarding training, and a clinician's role or valid first aid
 * training, on the day). The HTTP edge is training_http.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/training.h"
#include "core/banned.h"

#define DAY      86400
#define MAX_ORGS 32

const char *const training_kinds[] = {"safeguarding",
                                      "mental_health_first_aid",
                                      "psychological_first_aid",
                                      "trauma_informed_practice",
                                      "other",
                                      NULL};

#define TRAINING_COLUMNS \
	"t.id, t.organisation_id, t.user_id, t.kind, t.title, t.completed_on, t.expires_on"
static const char SQL_TRAINING_LIST[] =
    "SELECT " TRAINING_COLUMNS " FROM training_records t "
    "WHERE (?1 = 0 OR t.user_id = ?1) ORDER BY t.kind, t.completed_on DESC, t.id";
static const char SQL_TRAINING_INSERT[] =
    "INSERT INTO training_records (organisation_id, user_id, kind, title, completed_on, "
    "expires_on, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_TRAINING_ORG[] = "SELECT organisation_id FROM training_records WHERE id = ?1";
static const char SQL_TRAINING_DELETE[] = "DELETE FROM training_records WHERE id = ?1";
/* Records expiring by ?1 that no later record of the same kind outlasts. */
static const char SQL_TRAINING_EXPIRING[] =
    "SELECT " TRAINING_COLUMNS " FROM training_records t "
    "WHERE t.expires_on IS NOT NULL AND t.expires_on <= ?1 AND NOT EXISTS ("
    " SELECT 1 FROM training_records n WHERE n.user_id = t.user_id AND n.kind = t.kind"
    " AND n.id <> t.id AND (n.expires_on IS NULL OR n.expires_on > t.expires_on)) "
    "ORDER BY t.expires_on, t.id";
static const char SQL_TRAINING_OF[] =
    "SELECT kind, completed_on, expires_on FROM training_records WHERE user_id = ?1 "
    "AND kind IN ('safeguarding', 'mental_health_first_aid', 'psychological_first_aid')";

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static void record_read(struct db_stmt *s, struct arena *a, struct training_record *t)
{
	t->id = db_col_i64(s, 0);
	t->organisation_id = db_col_i64(s, 1);
	t->user_id = db_col_i64(s, 2);
	t->name = NULL; /* named_sorted() */
	t->kind = arena_strdup(a, db_col_text(s, 3));
	t->title = arena_strdup(a, db_col_text(s, 4));
	t->completed_on = arena_strdup(a, db_col_text(s, 5));
	t->expires_on = dup_or_null(a, db_col_text(s, 6));
	t->days_left = 0;
}

/* The list by display name, then kind and newest completion first. */
static int by_name(const void *x, const void *y)
{
	const struct training_record *a = x, *b = y;
	int d = strcmp(a->name, b->name);
	if (!d)
		d = strcmp(a->kind, b->kind);
	if (!d)
		d = -strcmp(a->completed_on, b->completed_on);
	return d ? d : (a->id > b->id) - (a->id < b->id);
}

/* Expiring records: soonest first, then by display name. */
static int by_expiry(const void *x, const void *y)
{
	const struct training_record *a = x, *b = y;
	int d = strcmp(a->expires_on, b->expires_on);
	if (!d)
		d = strcmp(a->name, b->name);
	return d ? d : (a->id > b->id) - (a->id < b->id);
}

/* Fills in the users' display names (auth.h), drops records of a user who
 * no longer exists, and sorts the list with cmp. */
static int named_sorted(struct db_conn *c, struct arena *a, struct training_record *items,
                        size_t *n, int (*cmp)(const void *, const void *))
{
	int64_t *ids = arena_alloc(a, (*n ? *n : 1) * sizeof *ids);
	const char **names = arena_alloc(a, (*n ? *n : 1) * sizeof *names);
	for (size_t i = 0; i < *n; i++)
		ids[i] = items[i].user_id;
	int rc = auth_user_names(c, a, ids, *n, names);
	if (rc) {
		*n = 0;
		return rc;
	}
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++)
		if (names[i]) {
			items[kept] = items[i];
			items[kept++].name = names[i];
		}
	*n = kept;
	if (kept)
		qsort(items, kept, sizeof *items, cmp);
	return 0;
}

/* Appends a slot to a growing arena array; returns it. */
static struct training_record *record_push(struct arena *a, struct training_record **items,
                                           size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		struct training_record *more = arena_alloc(a, ncap * sizeof *more);
		if (*n)
			memcpy(more, *items, *n * sizeof *more);
		*items = more;
		*cap = ncap;
	}
	return &(*items)[(*n)++];
}

static bool org_in(const int64_t *orgs, size_t n, int64_t org)
{
	for (size_t i = 0; i < n; i++)
		if (orgs[i] == org)
			return true;
	return false;
}

int training_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t user,
                  struct training_record **out, size_t *n, struct programs_refusal *why)
{
	int rc;
	size_t cap = 0;
	int64_t orgs[MAX_ORGS];
	bool all;
	size_t norgs = policy_orgs(who, ACT_TRAINING_MANAGE, orgs, MAX_ORGS, &all);
	*out = NULL;
	*n = 0;
	if (!all && norgs == 0) {
		/* Everyone sees their own records. */
		if (user && user != who->user_id) {
			rc = programs_refuse(why, a, 403, "user_id",
			                     "you can see only your own training records");
			goto out;
		}
		user = who->user_id;
	}
	rc = -HEARTH_EDB;
	struct db_stmt *s = db_prepare(c, SQL_TRAINING_LIST);
	if (!s)
		goto out;
	db_bind_i64(s, 1, user);
	while (db_next(s, &rc)) {
		bool mine = db_col_i64(s, 2) == who->user_id;
		if (all || mine || org_in(orgs, norgs, db_col_i64(s, 1)))
			record_read(s, a, record_push(a, out, n, &cap));
	}
	db_finish(s);
	if (!rc)
		rc = named_sorted(c, a, *out, n, by_name);
out:
	return rc;
}

int training_validate(struct arena *a, const struct actor *who, const struct training_input *in,
                      int64_t today, struct programs_refusal *why)
{
	int rc = 0;
	struct cal_date done, exp;
	/* Training dates: the window of every date Hearth takes (core/util.h). */
	if (!cal_date_parse(in->completed_on, &done) || done.year < UTIL_YEAR_FIRST ||
	    done.year > UTIL_YEAR_LAST) {
		rc = programs_refuse(
		    why, a, 400, "completed_on",
		    "completed_on must be a date like 2026-03-31, from %d-01-01 to %d-12-31",
		    UTIL_YEAR_FIRST, UTIL_YEAR_LAST);
		goto out;
	}
	if (cal_days(done) > today + 1) {
		rc = programs_refuse(why, a, 400, "completed_on",
		                     "completed_on cannot be in the future");
		goto out;
	}
	if (in->expires_on && (!cal_date_parse(in->expires_on, &exp) ||
	                       exp.year < UTIL_YEAR_FIRST || exp.year > UTIL_YEAR_LAST)) {
		rc = programs_refuse(
		    why, a, 400, "expires_on",
		    "expires_on must be a date like 2028-03-31, from %d-01-01 to %d-12-31",
		    UTIL_YEAR_FIRST, UTIL_YEAR_LAST);
		goto out;
	}
	if (in->expires_on && cal_days(exp) <= cal_days(done)) {
		rc = programs_refuse(why, a, 400, "expires_on",
		                     "expires_on must be after completed_on");
		goto out;
	}
	if (!policy_in(who, ACT_TRAINING_MANAGE, in->organisation_id))
		rc = programs_refuse(why, a, 403, "organisation_id",
		                     "you can record training only for an organisation you "
		                     "coordinate");
out:
	return rc;
}

int training_create(struct db_conn *c, struct arena *a, const struct actor *who,
                    const struct training_input *in, int64_t *id, struct programs_refusal *why)
{
	int rc = -HEARTH_EDB;
	*id = 0;
	struct db_stmt *s = db_prepare(c, SQL_TRAINING_INSERT);
	if (!s)
		goto out;
	db_bind_i64(s, 1, in->organisation_id);
	db_bind_i64(s, 2, in->user_id);
	db_bind_text(s, 3, in->kind);
	db_bind_text(s, 4, in->title ? in->title : "");
	db_bind_text(s, 5, in->completed_on);
	db_bind_text(s, 6, in->expires_on);
	db_bind_i64(s, 7, who->user_id);
	db_bind_i64(s, 8, util_now());
	rc = db_insert_id(s, id);
	if (rc == -HEARTH_ECONFLICT)
		rc = programs_refuse(why, a, 400, "organisation_id", "no such organisation");
out:
	return rc;
}

int training_delete(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                    struct programs_refusal *why)
{
	int rc = -HEARTH_EDB;
	int64_t org = 0;
	struct db_stmt *s = db_prepare(c, SQL_TRAINING_ORG);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	int st = db_step(s);
	if (st == DB_ROW)
		org = db_col_i64(s, 0);
	db_finish(s);
	rc = st < 0 ? st : org ? 0 : -HEARTH_ENOTFOUND;
	if (!rc)
		rc = policy_check(who, ACT_TRAINING_MANAGE, org, false);
	if (rc == -HEARTH_EDENIED)
		rc = programs_refuse(why, a, 403, NULL,
		                     "you can remove training records only of an organisation you "
		                     "coordinate");
	if (rc)
		goto out;
	s = db_prepare(c, SQL_TRAINING_DELETE);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	rc = db_run(s);
out:
	return rc;
}

int training_expiring(struct db_conn *c, struct arena *a, const struct actor *who, int64_t today,
                      long days, struct training_record **out, size_t *n, char by[11], char now[11])
{
	int rc = -HEARTH_EDB;
	size_t cap = 0;
	cal_date_format(cal_from_days(today + days), by);
	cal_date_format(cal_from_days(today), now);
	int64_t orgs[MAX_ORGS];
	bool all;
	size_t norgs = policy_orgs(who, ACT_TRAINING_MANAGE, orgs, MAX_ORGS, &all);
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_TRAINING_EXPIRING);
	if (!s)
		goto out;
	db_bind_text(s, 1, by);
	while (db_next(s, &rc)) {
		if (!all && !org_in(orgs, norgs, db_col_i64(s, 1)))
			continue;
		struct training_record *t = record_push(a, out, n, &cap);
		record_read(s, a, t);
		struct cal_date e;
		cal_date_parse(t->expires_on, &e);
		t->days_left = cal_days(e) - today;
	}
	db_finish(s);
	if (!rc)
		rc = named_sorted(c, a, *out, n, by_expiry);
out:
	return rc;
}

int training_duty_refusal(struct db_conn *c, struct arena *a, int64_t user, const char *name,
                          const char *date, const char **reason)
{
	int rc = -HEARTH_EDB;
	bool safe = false, first_aid = false, clinician = false;
	const char *safe_expired = NULL, *aid_expired = NULL;
	*reason = NULL;
	struct db_stmt *s = db_prepare(c, SQL_TRAINING_OF);
	if (!s)
		goto out;
	db_bind_i64(s, 1, user);
	while (db_next(s, &rc)) {
		const char *kind = db_col_text(s, 0), *done = db_col_text(s, 1);
		const char *exp = db_col_text(s, 2);
		bool valid = strcmp(done, date) <= 0 && (!exp || strcmp(exp, date) >= 0);
		bool is_safe = strcmp(kind, "safeguarding") == 0;
		if (valid) {
			if (is_safe)
				safe = true;
			else
				first_aid = true;
		} else if (exp && strcmp(exp, date) < 0) {
			if (is_safe)
				safe_expired = arena_strdup(a, exp);
			else
				aid_expired = arena_strdup(a, exp);
		}
	}
	db_finish(s);
	if (rc)
		goto out;
	if ((rc = auth_user_has_role(c, user, 0, ROLE_CLINICIAN, &clinician)) != 0)
		goto out;
	if (!safe)
		*reason = safe_expired ? arena_printf(a,
		                                      "%s's safeguarding training expired on %s; "
		                                      "renew it before putting them on duty on %s",
		                                      name, safe_expired, date)
		                       : arena_printf(a,
		                                      "%s has no safeguarding training on record "
		                                      "valid on %s",
		                                      name, date);
	else if (!clinician && !first_aid)
		*reason = aid_expired
		              ? arena_printf(a,
		                             "%s's first aid training (Mental Health or "
		                             "Psychological First Aid) expired on %s",
		                             name, aid_expired)
		              : arena_printf(a,
		                             "%s is not a clinician and has no Mental Health "
		                             "or Psychological First Aid training valid on %s",
		                             name, date);
out:
	return rc;
}
