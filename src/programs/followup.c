/*
 * Gentle follow-up: enrolled people whose last two held sessions were both
 * missed (excused and sat-out marks never count), the actions staff record
 * about them (contacting needs their consent to be contacted, asked at the
 * moment), and the log of those actions with their sealed notes.
 *
 * Plain logic: functions take a struct part_ctx, return 0 or a negative
 * enum hearth_err and say refusals in a struct part_refusal
 * (taking_part.h); the HTTP edge is taking_part_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

const char *const followup_actions[] = {"called",   "messaged", "met", "no_answer",
                                        "resolved", "other",    NULL};

/* Enrolled people whose last two held sessions (published and already
 * started) in the programme were both marked absent; excused and sat-out
 * marks never count. ?1 now, ?2 organisation (0: all). */
static const char SQL_FOLLOWUP_DUE[] =
    "SELECT e.participant_id, p.id, p.title, p.timezone FROM enrolments e "
    "JOIN programmes p ON p.id = e.programme_id "
    "WHERE e.status = 'enrolled' AND (?2 = 0 OR p.organisation_id = ?2) AND 2 = ("
    "SELECT COUNT(*) FROM attendance a WHERE a.participant_id = e.participant_id "
    "AND a.status = 'absent' AND a.sat_out = 0 AND a.session_id IN ("
    "SELECT s.id FROM programme_sessions s WHERE s.programme_id = p.id "
    "AND s.status = 'published' AND s.starts_at <= ?1 "
    "ORDER BY s.starts_at DESC, s.id DESC LIMIT 2)) "
    "ORDER BY p.id, e.participant_id LIMIT 2000";
static const char SQL_LAST_HELD[] =
    "SELECT s.starts_at FROM programme_sessions s WHERE s.programme_id = ?1 "
    "AND s.status = 'published' AND s.starts_at <= ?2 ORDER BY s.starts_at DESC, s.id DESC "
    "LIMIT 2";
static const char SQL_LAST_ACTION[] =
    "SELECT f.id, f.action, f.user_id, f.created_at FROM followups f "
    "WHERE f.participant_id = ?1 AND f.programme_id = ?2 "
    "ORDER BY f.id DESC LIMIT 1";
static const char SQL_FOLLOWUP_INSERT[] =
    "INSERT INTO followups (participant_id, programme_id, action, note, user_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_HAS_ENROLMENT[] =
    "SELECT 1 FROM enrolments WHERE programme_id = ?1 AND participant_id = ?2";
static const char SQL_FOLLOWUP_LOG[] =
    "SELECT f.id, f.participant_id, f.programme_id, p.title, f.action, f.note, f.user_id, "
    "f.created_at FROM followups f JOIN programmes p ON p.id = f.programme_id "
    "WHERE (?1 = 0 OR p.organisation_id = ?1) AND (?2 = 0 OR f.participant_id = ?2) "
    "ORDER BY f.id DESC LIMIT 500";

/* The local date of instant t in zone ("YYYY-MM-DD"); the UTC date when the
 * zone cannot be loaded. */
static const char *local_date(struct arena *a, int64_t t, const char *zone)
{
	const struct tz *z = zone ? tz_get(zone) : NULL;
	if (!z) {
		char s[32];
		util_iso8601(s, sizeof s, t);
		return arena_strndup(a, s, 10);
	}
	struct local_time lt;
	tz_utc_to_local(z, t, &lt);
	return arena_printf(a, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
}

/* The organisations where the actor may do act (policy_orgs); one 0 (all)
 * for admins. */
static size_t orgs_of(const struct actor *a, enum action act, int64_t *orgs, size_t max)
{
	bool all;
	size_t n = policy_orgs(a, act, orgs, max, &all);
	if (all) {
		orgs[0] = 0;
		n = 1;
	}
	return n;
}

struct due_row {
	int64_t pid, programme;
	const char *title, *zone;
};

/* Appends the rows of SQL_FOLLOWUP_DUE for one organisation (0 = all). */
static int due_load(const struct part_ctx *x, int64_t org, struct due_row **rows, size_t *n,
                    size_t *cap)
{
	struct db_stmt *s = db_prepare(x->c, SQL_FOLLOWUP_DUE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, util_now());
	db_bind_i64(s, 2, org);
	int rc;
	while (db_next(s, &rc)) {
		if (*n == *cap) {
			size_t bigger = *cap ? 2 * *cap : 32;
			struct due_row *more = arena_alloc(x->a, bigger * sizeof *more);
			if (*n)
				memcpy(more, *rows, *n * sizeof *more);
			*rows = more;
			*cap = bigger;
		}
		struct due_row *d = &(*rows)[(*n)++];
		d->pid = db_col_i64(s, 0);
		d->programme = db_col_i64(s, 1);
		d->title = arena_strdup(x->a, db_col_text(s, 2));
		d->zone = arena_strdup(x->a, db_col_text(s, 3));
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* The latest follow-up action for d; 0 (none is fine) or the error. Who
 * took it (last_by) is filled in by staff_names(). */
static int last_action(const struct part_ctx *x, struct followup_due *d)
{
	struct db_stmt *s = db_prepare(x->c, SQL_LAST_ACTION);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, d->pid);
	db_bind_i64(s, 2, d->programme);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		d->has_last = true;
		d->last_id = db_col_i64(s, 0);
		d->last_action = arena_strdup(x->a, db_col_text(s, 1));
		d->last_has_user = !db_col_null(s, 2);
		d->last_user_id = db_col_i64(s, 2);
		d->last_at = db_col_i64(s, 3);
	}
	db_finish(s);
	return rc < 0 ? rc : 0;
}

/* The local dates of the programme's last two held sessions, oldest first.
 * Returns 0 or the error that stopped the rows (never a short list). */
static int missed_dates(const struct part_ctx *x, const struct due_row *r, struct followup_due *d)
{
	struct db_stmt *s = db_prepare(x->c, SQL_LAST_HELD);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, r->programme);
	db_bind_i64(s, 2, util_now());
	const char *dates[2];
	size_t n = 0;
	int rc = 0;
	while (n < 2 && db_next(s, &rc))
		dates[n++] = local_date(x->a, db_col_i64(s, 0), r->zone);
	db_finish(s);
	for (size_t i = 0; i < n; i++)
		d->missed[i] = dates[n - 1 - i];
	d->nmissed = n;
	return rc;
}

/* The display names of the n users of ids into names (NULL for none), one
 * lookup per distinct user (auth.h). */
static int staff_names(const struct part_ctx *x, const int64_t *ids, size_t n, const char ***names)
{
	*names = arena_alloc(x->a, (n ? n : 1) * sizeof **names);
	return auth_user_names(x->c, x->a, ids, n, *names);
}

int followup_due_list(const struct part_ctx *x, struct followup_due **rows, size_t *n)
{
	int64_t orgs[32];
	size_t norgs = orgs_of(x->actor, ACT_FOLLOWUP, orgs, 32);
	struct due_row *due = NULL;
	size_t ndue = 0, cap = 0;
	int rc = 0;
	*rows = NULL;
	*n = 0;
	for (size_t i = 0; i < norgs && !rc; i++)
		rc = due_load(x, orgs[i], &due, &ndue, &cap);
	if (rc)
		goto out;
	*rows = arena_alloc(x->a, (ndue ? ndue : 1) * sizeof **rows);
	for (size_t i = 0; i < ndue; i++) {
		bool erased;
		const char *name = programs_person_name(x, due[i].pid, &erased);
		if (erased)
			continue;
		struct followup_due *d = &(*rows)[(*n)++];
		memset(d, 0, sizeof *d);
		d->pid = due[i].pid;
		d->programme = due[i].programme;
		d->name = name;
		d->title = due[i].title;
		if ((rc = missed_dates(x, &due[i], d)) != 0)
			goto out;
		if ((rc = people_consent_granted(x->c, d->pid, PURPOSE_CONTACT, &d->may_contact)) !=
		    0)
			goto out;
		if ((rc = last_action(x, d)) != 0)
			goto out;
	}
	int64_t *ids = arena_alloc(x->a, (*n ? *n : 1) * sizeof *ids);
	for (size_t i = 0; i < *n; i++) {
		const struct followup_due *d = &(*rows)[i];
		ids[i] = d->has_last && d->last_has_user ? d->last_user_id : 0;
	}
	const char **names;
	if ((rc = staff_names(x, ids, *n, &names)) != 0)
		goto out;
	for (size_t i = 0; i < *n; i++)
		(*rows)[i].last_by = names[i];
out:
	return rc;
}

int followup_create(const struct part_ctx *x, const struct followup_in *in, int64_t *id,
                    int64_t *at, struct part_refusal *no)
{
	struct db_conn *c = x->c;
	struct prog_ref ref;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int64_t holds = 0;
	memset(no, 0, sizeof *no);
	*id = 0;
	*at = util_now();
	/* The programme: one refusal for "not yours" and "not there" (scope.h). */
	no->what = "the programme";
	int rc = programs_programme_ref(c, x->a, in->programme, &ref);
	if (rc == -HEARTH_ENOTFOUND ||
	    (!rc && !policy_in(x->actor, ACT_FOLLOWUP, ref.organisation_id)))
		rc = programs_part_refuse(no, 404, "programme_id", "there is no such programme");
	if (rc)
		goto out;
	if ((rc = programs_part_scope_participant(x, "participant_id", in->pid, ref.organisation_id,
	                                          NULL, no)) != 0)
		goto out;
	no->what = "the follow-up";
	struct db_stmt *s = db_prepare(c, SQL_HAS_ENROLMENT);
	if (!s) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, in->programme);
	db_bind_i64(s, 2, in->pid);
	rc = db_step(s);
	holds = rc == DB_ROW;
	db_finish(s);
	if (rc < 0)
		goto out;
	rc = 0;
	if (!holds) {
		rc = programs_part_refuse(
		    no, 409, "participant_id",
		    "participant_id: this person has no place in this programme");
		goto out;
	}
	/* Reaching out needs the person's consent to be contacted, asked now. */
	bool contacting = strcmp(in->action, "called") == 0 ||
	                  strcmp(in->action, "messaged") == 0 ||
	                  strcmp(in->action, "no_answer") == 0;
	bool may_contact = false;
	if (contacting &&
	    (rc = people_consent_granted(c, in->pid, PURPOSE_CONTACT, &may_contact)) != 0)
		goto out;
	if (contacting && !may_contact) {
		rc = programs_part_refuse(
		    no, 403, NULL,
		    "this person has not consented to being contacted; record a "
		    "meeting in person or another action instead");
		no->consent = "contact";
		goto out;
	}
	if (in->note && *in->note &&
	    (rc = people_seal(x->px, x->a, in->pid, in->note, strlen(in->note), &sealed,
	                      &sealed_len)) != 0) {
		if (rc == -HEARTH_ENOTFOUND)
			rc = programs_part_refuse(no, 410, NULL, "this person's record was erased");
		goto out;
	}
	if (!(s = db_prepare(c, SQL_FOLLOWUP_INSERT))) {
		rc = -HEARTH_EDB;
		goto out;
	}
	db_bind_i64(s, 1, in->pid);
	db_bind_i64(s, 2, in->programme);
	db_bind_text(s, 3, in->action);
	if (sealed)
		db_bind_blob(s, 4, sealed, sealed_len);
	else
		db_bind_null(s, 4);
	db_bind_id(s, 5, x->actor->user_id); /* NULL for API tokens */
	db_bind_i64(s, 6, *at);
	rc = db_insert_id(s, id);
out:
	return rc;
}

int followup_log(const struct part_ctx *x, int64_t only, struct followup_entry **rows, size_t *n)
{
	int64_t orgs[32];
	size_t norgs = orgs_of(x->actor, ACT_FOLLOWUP_LOG, orgs, 32);
	size_t cap = 32;
	int rc = 0;
	*n = 0;
	*rows = arena_alloc(x->a, cap * sizeof **rows);
	for (size_t k = 0; k < norgs && !rc; k++) {
		struct db_stmt *s = db_prepare(x->c, SQL_FOLLOWUP_LOG);
		if (!s) {
			rc = -HEARTH_EDB;
			break;
		}
		db_bind_i64(s, 1, orgs[k]);
		db_bind_i64(s, 2, only);
		while (db_next(s, &rc)) {
			if (*n == cap) {
				struct followup_entry *more =
				    arena_alloc(x->a, 2 * cap * sizeof *more);
				memcpy(more, *rows, cap * sizeof *more);
				*rows = more;
				cap *= 2;
			}
			struct followup_entry *e = &(*rows)[(*n)++];
			memset(e, 0, sizeof *e);
			e->id = db_col_i64(s, 0);
			e->pid = db_col_i64(s, 1);
			e->programme = db_col_i64(s, 2);
			e->title = arena_strdup(x->a, db_col_text(s, 3));
			e->action = arena_strdup(x->a, db_col_text(s, 4));
			size_t len = 0;
			const void *blob = db_col_null(s, 5) ? NULL : db_col_blob(s, 5, &len);
			if (blob && len) {
				/* Opened below, once the statement is done. */
				unsigned char *copy = arena_alloc(x->a, len);
				memcpy(copy, blob, len);
				e->note = (const char *)copy;
				e->note_len = len;
			}
			e->has_user = !db_col_null(s, 6);
			e->user_id = db_col_i64(s, 6);
			e->at = db_col_i64(s, 7);
		}
		db_finish(s);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc) {
		int64_t *ids = arena_alloc(x->a, (*n ? *n : 1) * sizeof *ids);
		for (size_t i = 0; i < *n; i++)
			ids[i] = (*rows)[i].has_user ? (*rows)[i].user_id : 0;
		const char **names;
		rc = staff_names(x, ids, *n, &names);
		for (size_t i = 0; i < *n && !rc; i++)
			(*rows)[i].by = names[i];
	}
	for (size_t i = 0; i < *n && !rc; i++) {
		struct followup_entry *e = &(*rows)[i];
		e->name = programs_person_name(x, e->pid, &e->erased);
		char *plain = NULL;
		size_t plen = 0;
		if (e->note && people_open(x->px, x->a, e->pid, (const unsigned char *)e->note,
		                           e->note_len, &plain, &plen) == 0) {
			e->note = plain;
			e->note_len = plen;
		} else {
			e->note = NULL;
			e->note_len = 0;
		}
	}
	return rc;
}
