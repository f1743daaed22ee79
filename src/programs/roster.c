/*
 * The roster: storage and the rules of who may be on it. A participant
 * lead must be enrolled; whoever is on duty must hold valid training on
 * the session's local date; nobody twice in one role; and a published
 * therapeutic session never loses its last person on duty.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/messages.h"
#include "people/people.h"
#include "programs/calendar/cal.h"
#include "programs/programs.h"
#include "programs/roster.h"
#include "programs/training.h"
#include "core/banned.h"

const char *const staff_roles[] = {"admin",          "coordinator", "facilitator", "clinician",
                                   "peer_supporter", "moderator",   NULL};
const char *const roster_roles[] = {"lead", "co_facilitator", "participant_lead", "on_duty", NULL};

static const char SQL_ROSTER_LIST[] =
    "SELECT d.id, d.user_id, d.participant_id, d.role FROM roster d "
    "WHERE d.session_id = ?1 ORDER BY d.role, d.id";
static const char SQL_ROSTER_INSERT[] =
    "INSERT INTO roster (session_id, user_id, participant_id, role, created_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_ROSTER_DUP[] = "SELECT 1 FROM roster WHERE session_id = ?1 AND role = ?2 AND "
                                     "(user_id = ?3 OR participant_id = ?4)";
static const char SQL_ROSTER_ROW[] =
    "SELECT d.session_id, d.role, s.status, d.user_id FROM roster d "
    "JOIN programme_sessions s ON s.id = d.session_id WHERE d.id = ?1";
static const char SQL_ROSTER_DELETE[] = "DELETE FROM roster WHERE id = ?1";
static const char SQL_ENROLLED[] =
    "SELECT 1 FROM enrolments WHERE programme_id = ?1 AND participant_id = ?2 "
    "AND status = 'enrolled'";
static const char SQL_SESSION_DAY[] = "SELECT s.starts_at, p.timezone FROM programme_sessions s "
                                      "JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?1";
static const char SQL_HAS_DUTY[] =
    "SELECT COUNT(*) FROM roster WHERE session_id = ?1 AND role = 'on_duty'";

/* A participant lead's name; the read is audited by the caller. */
static const char *participant_name(struct db_conn *c, struct arena *a, const struct people_ctx *px,
                                    int64_t pid)
{
	struct person_view pv;
	if (people_view(px, c, a, pid, &pv) != 0)
		return "(unknown)";
	const char *n = pv.profile ? people_display_name(pv.profile) : NULL;
	char *out = n ? arena_strdup(a, n) : NULL;
	json_decref(pv.profile);
	return out ? out : "(erased)";
}

int roster_list(struct db_conn *c, struct arena *a, const struct people_ctx *px, int64_t session,
                struct roster_entry **out, size_t *n, bool *people)
{
	int rc = -HEARTH_EDB;
	size_t cap = 16;
	*out = NULL;
	*n = 0;
	*people = false;
	struct db_stmt *s = db_prepare(c, SQL_ROSTER_LIST);
	if (!s)
		goto out;
	struct roster_entry *items = arena_alloc(a, cap * sizeof *items);
	db_bind_i64(s, 1, session);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct roster_entry *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, items, cap * sizeof *items);
			items = more;
			cap *= 2;
		}
		struct roster_entry *e = &items[(*n)++];
		e->id = db_col_i64(s, 0);
		e->role = arena_strdup(a, db_col_text(s, 3));
		e->user_id = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
		e->participant_id = e->user_id ? 0 : db_col_i64(s, 2);
		e->name = NULL;
	}
	db_finish(s);
	if (rc) /* not an empty roster: the roster could not be read */
		goto out;
	/* Staff names (auth.h), one lookup per person. */
	int64_t *ids = arena_alloc(a, (*n ? *n : 1) * sizeof *ids);
	const char **names = arena_alloc(a, (*n ? *n : 1) * sizeof *names);
	for (size_t i = 0; i < *n; i++)
		ids[i] = items[i].user_id;
	if ((rc = auth_user_names(c, a, ids, *n, names)) != 0) {
		*n = 0;
		goto out;
	}
	for (size_t i = 0; i < *n; i++)
		if (items[i].user_id)
			items[i].name = names[i];
	/* Participant leads' names: opened after the statement is done. */
	for (size_t i = 0; i < *n; i++)
		if (!items[i].user_id) {
			items[i].name = participant_name(c, a, px, items[i].participant_id);
			*people = true;
		}
	*out = items;
out:
	return rc;
}

/* The session's local date ("" when it cannot be read). */
/* The session's local date; 0, -HEARTH_ENOTFOUND or the error. */
static int session_day(struct db_conn *c, int64_t session, char day[11])
{
	day[0] = '\0';
	struct db_stmt *s = db_prepare(c, SQL_SESSION_DAY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, session);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		const struct tz *z = tz_get(db_col_text(s, 1));
		struct local_time lt;
		if (z) {
			tz_utc_to_local(z, db_col_i64(s, 0), &lt);
			snprintf(day, 11, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
		}
	}
	db_finish(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* Tells a member of staff they were put on a session's roster or taken off
 * it (MSG_DUTY_ON, MSG_DUTY_OFF), inside the caller's transaction. Params
 * are ids, the role and the session's start. */
static int duty_tell(struct db_conn *c, const struct prog_ref *ref, int64_t user, const char *role,
                     enum message_kind kind)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_DAY);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, ref->session_id);
	int rc = db_step(s);
	int64_t start = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : -HEARTH_EDB;
	json_t *params = json_pack("{s:I,s:I,s:o,s:s}", "session_id", (json_int_t)ref->session_id,
	                           "programme_id", (json_int_t)ref->programme_id, "starts_at",
	                           programs_json_time(start), "role", role);
	if (!params)
		return -HEARTH_ENOMEM;
	struct message m = {
	    .kind = kind, .org = ref->organisation_id, .user_id = user, .params = params};
	rc = messages_send(c, NULL, &m, NULL);
	json_decref(params);
	return rc;
}

int roster_add(struct db_conn *c, struct arena *a, const struct actor *who,
               const struct prog_ref *ref, const struct roster_input *in, int64_t *id,
               struct programs_refusal *why)
{
	int rc = 0;
	bool lead = strcmp(in->role, "participant_lead") == 0;
	const char *field = lead ? "participant_id" : "user_id";
	int64_t person = lead ? in->participant_id : in->user_id;
	struct db_stmt *s;
	*id = 0;
	if (lead) {
		s = db_prepare(c, SQL_ENROLLED);
		bool ok = false;
		if (s) {
			db_bind_i64(s, 1, ref->programme_id);
			db_bind_i64(s, 2, person);
			ok = db_step(s) == DB_ROW;
			db_finish(s);
		}
		if (!ok) {
			rc =
			    programs_refuse(why, a, 409, field,
			                    "a participant lead must be enrolled in the programme");
			goto out;
		}
	} else if (strcmp(in->role, "on_duty") == 0) {
		/* Training must be valid on the day of the session (its local date). */
		char day[11];
		const char *reason;
		if ((rc = session_day(c, ref->session_id, day)) != 0)
			goto out;
		if (training_duty_refusal(c, a, person, in->name, day, &reason))
			reason = "training records could not be read";
		if (reason) {
			rc = programs_refuse(why, a, 409, field, "%s", reason);
			goto out;
		}
	}
	s = db_prepare(c, SQL_ROSTER_DUP);
	if (s) {
		db_bind_i64(s, 1, ref->session_id);
		db_bind_text(s, 2, in->role);
		db_bind_i64(s, 3, lead ? 0 : person);
		db_bind_i64(s, 4, lead ? person : 0);
		bool dup = db_step(s) == DB_ROW;
		db_finish(s);
		if (dup) {
			rc = programs_refuse(why, a, 409, field,
			                     "already on the roster in this role");
			goto out;
		}
	}
	rc = -HEARTH_EDB;
	s = db_prepare(c, SQL_ROSTER_INSERT);
	if (!s)
		goto out;
	db_bind_i64(s, 1, ref->session_id);
	if (lead) {
		db_bind_null(s, 2);
		db_bind_i64(s, 3, person);
	} else {
		db_bind_i64(s, 2, person);
		db_bind_null(s, 3);
	}
	db_bind_text(s, 4, in->role);
	db_bind_id(s, 5, who->user_id);
	db_bind_i64(s, 6, util_now());
	rc = db_insert_id(s, id);
	if (!rc && !lead)
		rc = duty_tell(c, ref, person, in->role, MSG_DUTY_ON);
out:
	return rc;
}

int roster_duty_count(struct db_conn *c, int64_t session, int64_t *n)
{
	int rc = -HEARTH_EDB;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_HAS_DUTY);
	if (!s)
		goto out;
	db_bind_i64(s, 1, session);
	int st = db_step(s);
	if (st == DB_ROW)
		*n = db_col_i64(s, 0);
	rc = st < 0 ? st : 0;
	db_finish(s);
out:
	return rc;
}

int roster_remove(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                  int64_t *session, struct programs_refusal *why)
{
	int rc = -HEARTH_EDB;
	const char *role = NULL, *status = NULL;
	int64_t user = 0;
	*session = 0;
	struct db_stmt *s = db_prepare(c, SQL_ROSTER_ROW);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	int st = db_step(s);
	if (st == DB_ROW) {
		*session = db_col_i64(s, 0);
		role = arena_strdup(a, db_col_text(s, 1));
		status = arena_strdup(a, db_col_text(s, 2));
		user = db_col_null(s, 3) ? 0 : db_col_i64(s, 3);
	}
	db_finish(s);
	rc = st < 0 ? st : *session ? 0 : -HEARTH_ENOTFOUND;
	struct prog_ref ref;
	if (!rc)
		rc = programs_session_ref(c, a, *session, &ref);
	if (!rc)
		rc = policy_check(who, ACT_PROGRAM_MANAGE, ref.organisation_id,
		                  false); /* rosters are staff's */
	if (rc == -HEARTH_EDENIED)
		rc = programs_refuse(why, a, 403, NULL,
		                     "you can change the roster only of programmes you coordinate");
	if (rc)
		goto out;
	if (ref.therapeutic && strcmp(role, "on_duty") == 0 && strcmp(status, "published") == 0) {
		int64_t n;
		rc = roster_duty_count(c, *session, &n);
		if (!rc && n <= 1)
			rc = programs_refuse(why, a, 409, NULL,
			                     "this is the only person on duty in a published "
			                     "session of a therapeutic "
			                     "programme; put someone else on duty first");
		if (rc)
			goto out;
	}
	rc = -HEARTH_EDB;
	s = db_prepare(c, SQL_ROSTER_DELETE);
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	rc = db_run(s);
	if (!rc && user)
		rc = duty_tell(c, &ref, user, role, MSG_DUTY_OFF);
out:
	return rc;
}

int roster_staff_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t org,
                      const char *role, struct staff_member **out, size_t *n,
                      struct programs_refusal *why)
{
	int rc = 0;
	*out = NULL;
	*n = 0;
	bool known = !role;
	for (int i = 0; role && staff_roles[i]; i++)
		known |= strcmp(role, staff_roles[i]) == 0;
	if (!known) {
		rc = programs_refuse(why, a, 400, "role",
		                     "role must be admin, coordinator, facilitator, clinician, "
		                     "peer_supporter or moderator");
		goto out;
	}
	/* Least privilege: staff of the caller's own organisations and of the
	 * partners those have an active data-sharing agreement with (who may
	 * be named in a co-design team); admins manage every organisation's
	 * users and see them all. Another organisation's id answers as an
	 * unknown one does: an empty list. */
	int64_t orgs[64];
	bool all;
	size_t norgs = policy_orgs(who, ACT_ROSTER_READ, orgs, 32, &all);
	for (size_t i = 0, own = norgs; !all && i < own; i++) {
		size_t k = 0;
		rc = people_partner_orgs(c, orgs[i], orgs + norgs,
		                         sizeof orgs / sizeof orgs[0] - norgs, &k);
		if (rc) {
			rc = -HEARTH_EDB;
			goto out;
		}
		norgs += k;
	}
	/* The enabled users holding a staff role (auth.h). */
	uint32_t mask = 0;
	for (int i = 0; staff_roles[i]; i++)
		if (!role || strcmp(role, staff_roles[i]) == 0)
			mask |= 1u << auth_role_from_name(staff_roles[i]);
	struct auth_staff_row *rows;
	size_t nrows;
	if ((rc = auth_staff_list(c, a, org, mask, &rows, &nrows)) != 0)
		goto out;
	/* Rows come grouped by user, each with its roles. */
	size_t cap = 16, rcap = 0;
	struct staff_member *items = arena_alloc(a, cap * sizeof *items), *cur = NULL;
	for (size_t k = 0; k < nrows; k++) {
		const struct auth_staff_row *row = &rows[k];
		bool visible = all;
		for (size_t i = 0; !visible && i < norgs; i++)
			visible = orgs[i] == row->organisation_id;
		if (!visible)
			continue;
		if (!cur || cur->id != row->user_id) {
			if (*n == cap) {
				struct staff_member *more = arena_alloc(a, 2 * cap * sizeof *more);
				memcpy(more, items, cap * sizeof *items);
				items = more;
				cap *= 2;
			}
			cur = &items[(*n)++];
			cur->id = row->user_id;
			cur->display_name = row->display_name;
			cur->roles = NULL;
			cur->nroles = 0;
			rcap = 0;
		}
		if (cur->nroles == rcap) {
			size_t ncap = rcap ? 2 * rcap : 4;
			struct staff_role *more = arena_alloc(a, ncap * sizeof *more);
			if (cur->nroles)
				memcpy(more, cur->roles, cur->nroles * sizeof *more);
			cur->roles = more;
			rcap = ncap;
		}
		struct staff_role *sr = &cur->roles[cur->nroles++];
		sr->organisation_id = row->organisation_id;
		sr->organisation = row->organisation;
		sr->role = row->role;
	}
	*out = items;
out:
	return rc;
}

static const char SQL_ROTATION[] =
    "SELECT s.id, s.starts_at, d.role, d.user_id, d.participant_id "
    "FROM programme_sessions s LEFT JOIN roster d ON d.session_id = s.id "
    "WHERE s.programme_id = ?1 "
    "AND s.status <> 'cancelled' ORDER BY s.starts_at, s.id, d.role, d.id";

int roster_rotation(struct db_conn *c, struct arena *a, const struct people_ctx *px,
                    int64_t programme, struct rotation_slot **out, size_t *n, bool *people)
{
	int rc = -HEARTH_EDB;
	size_t cap = 32;
	*out = NULL;
	*n = 0;
	*people = false;
	struct db_stmt *s = db_prepare(c, SQL_ROTATION);
	if (!s)
		goto out;
	struct rotation_slot *items = arena_alloc(a, cap * sizeof *items);
	db_bind_i64(s, 1, programme);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct rotation_slot *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, items, cap * sizeof *items);
			items = more;
			cap *= 2;
		}
		struct rotation_slot *x = &items[(*n)++];
		memset(x, 0, sizeof *x);
		x->session_id = db_col_i64(s, 0);
		x->starts_at = db_col_i64(s, 1);
		if (db_col_null(s, 2))
			continue;
		x->role = arena_strdup(a, db_col_text(s, 2));
		if (!db_col_null(s, 3))
			x->user_id = db_col_i64(s, 3);
		else
			x->participant_id = db_col_i64(s, 4);
	}
	db_finish(s);
	if (rc)
		goto out;
	/* Staff names (auth.h), one lookup per person. */
	int64_t *ids = arena_alloc(a, (*n ? *n : 1) * sizeof *ids);
	const char **names = arena_alloc(a, (*n ? *n : 1) * sizeof *names);
	for (size_t i = 0; i < *n; i++)
		ids[i] = items[i].user_id;
	if ((rc = auth_user_names(c, a, ids, *n, names)) != 0)
		goto out;
	for (size_t i = 0; i < *n; i++)
		if (items[i].user_id)
			items[i].name = names[i];
	/* Participant names are opened after the statement finishes. */
	for (size_t i = 0; i < *n; i++)
		if (items[i].role && !items[i].user_id) {
			items[i].name = participant_name(c, a, px, items[i].participant_id);
			*people = true;
		}
	*out = items;
out:
	if (rc)
		*n = 0;
	return rc;
}
