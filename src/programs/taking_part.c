/*
 * What the logic files of taking part share (taking_part.h): refusals, the
 * scope of a participant named in a request, a person's name, and a
 * session row read into a struct, so that JSON is made only at the edge.
 */
#include <string.h>

#include "core/err.h"
#include "people/people.h"

#include "core/arena.h"
#include "db/db.h"
#include "programs/programs.h"
#include "programs/taking_part.h"
#include "core/banned.h"

static const char *text_or_null(struct db_stmt *st, int col, struct arena *a)
{
	return db_col_null(st, col) ? NULL : arena_strdup(a, db_col_text(st, col));
}

void programs_session_read(struct db_stmt *st, struct arena *a, struct part_session *out)
{
	memset(out, 0, sizeof *out);
	out->id = db_col_i64(st, 0);
	out->programme_id = db_col_i64(st, 1);
	out->starts_at = db_col_i64(st, 2);
	out->ends_at = db_col_i64(st, 3);
	out->has_original_start = !db_col_null(st, 4);
	out->original_start = db_col_i64(st, 4);
	out->has_venue = !db_col_null(st, 5);
	out->venue_id = db_col_i64(st, 5);
	out->online_link = text_or_null(st, 6, a);
	out->status = arena_strdup(a, db_col_text(st, 7));
	out->cancel_reason = text_or_null(st, 8, a);
	out->edited = db_col_i64(st, 9) != 0;
	out->timezone = arena_strdup(a, db_col_text(st, 10));
	out->title = arena_strdup(a, db_col_text(st, 11));
	out->on_duty = db_col_i64(st, 12) > 0;
	out->sequence = db_col_i64(st, 13);
}

int programs_part_refuse(struct part_refusal *no, int status, const char *field,
                         const char *message)
{
	no->base.status = status;
	no->base.field = field;
	no->base.message = message;
	switch (status) {
	case 404: return -HEARTH_ENOTFOUND;
	case 409: return -HEARTH_ECONFLICT;
	default: return -HEARTH_EDENIED;
	}
}

/* The rule and the uniform refusal of programs_scope_participant (scope.h),
 * without a request. */
int programs_part_scope_participant(const struct part_ctx *x, const char *field, int64_t pid,
                                    int64_t org, bool *erased, struct part_refusal *no)
{
	struct person_view v;
	memset(&v, 0, sizeof v);
	if (erased)
		*erased = false;
	int rc = people_view(x->px, x->c, x->a, pid, &v);
	if (rc == -HEARTH_ENOTFOUND) {
		rc =
		    programs_part_refuse(no, 403, field, "this person is not in your organisation");
		goto out;
	}
	if (rc) {
		no->what = "the person";
		goto out;
	}
	struct membership m = {.organisation_id = org, .role = ROLE_COORDINATOR};
	struct actor as_org = {.memberships = &m, .nmemberships = 1};
	bool shared;
	if ((rc = people_sharing(x->c, &as_org, pid, SHARE_ATTENDANCE, &shared)) != 0) {
		no->what = "the person";
		goto out;
	}
	if (!shared) {
		rc =
		    programs_part_refuse(no, 403, field, "this person is not in your organisation");
		goto out;
	}
	if (erased)
		*erased = v.erased;
out:
	json_decref(v.profile);
	return rc;
}

const char *programs_person_name(const struct part_ctx *x, int64_t id, bool *erased)
{
	struct person_view v;
	*erased = false;
	if (people_view(x->px, x->c, x->a, id, &v) != 0)
		return NULL;
	*erased = v.erased;
	const char *n = arena_strdup(x->a, people_display_name(v.profile));
	json_decref(v.profile);
	return n;
}
