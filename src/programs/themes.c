/*
 * Themes, votes and "you said, we did": storage and rules (listening.h).
 * Participants and staff propose themes and participants vote on them (one
 * vote per person per round, changeable until the round closes). A
 * decision links to the themes and answers that led to it; the themes not
 * acted on are listed with the reason why. A participant's theme is sealed
 * with their key (programs_privacy.c) and reads as removed once they are
 * erased. The HTTP edge is themes_http.c.
 */
#include <inttypes.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "programs/listening.h"
#include "programs/programs.h"
#include "core/banned.h"

const char *const listening_theme_outcomes[] = {"pending", "not_acted", "acted", NULL};
const char *const listening_decision_kinds[] = {"new_programme",     "changed_time", "new_venue",
                                                "changed_programme", "other",        NULL};

static const char SQL_ROUND_ORG[] = "SELECT organisation_id FROM listening_rounds WHERE id = ?1";
static const char SQL_RESPONSE_ORG[] =
    "SELECT r.organisation_id FROM listening_responses x "
    "JOIN listening_rounds r ON r.id = x.round_id WHERE x.id = ?1";

#define THEME_COLUMNS                                                                       \
	"t.id, t.round_id, t.title, t.description, t.proposer_kind, t.outcome, "            \
	"t.outcome_reason, t.created_at, "                                                  \
	"(SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), r.organisation_id, " \
	"r.status, t.participant_id, t.sealed"

static const char SQL_THEME_GET[] =
    "SELECT " THEME_COLUMNS " FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.id = ?1";
static const char SQL_THEME_LIST[] =
    "SELECT " THEME_COLUMNS " FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.round_id = ?1 ORDER BY t.id";
static const char SQL_THEME_ORG[] = "SELECT r.organisation_id FROM themes t "
                                    "JOIN listening_rounds r ON r.id = t.round_id WHERE t.id = ?1";
static const char SQL_THEME_INSERT[] =
    "INSERT INTO themes (round_id, title, description, proposed_by, proposer_kind, created_at, "
    "participant_id, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_THEME_OUTCOME[] =
    "UPDATE themes SET outcome = ?2, outcome_reason = ?3 WHERE id = ?1";
static const char SQL_THEME_ACTED[] =
    "UPDATE themes SET outcome = 'acted', outcome_reason = NULL WHERE id = ?1";

static const char SQL_VOTE_GET[] =
    "SELECT theme_id FROM theme_votes WHERE round_id = ?1 AND participant_id = ?2";
/* One row per person per round (the primary key): a second vote replaces. */
static const char SQL_VOTE_PUT[] =
    "INSERT INTO theme_votes (round_id, participant_id, theme_id, voted_at) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (round_id, participant_id) "
    "DO UPDATE SET theme_id = excluded.theme_id, voted_at = excluded.voted_at";
static const char SQL_VOTE_DELETE[] =
    "DELETE FROM theme_votes WHERE round_id = ?1 AND participant_id = ?2";
static const char SQL_VOTES_OF[] = "SELECT COUNT(*) FROM theme_votes WHERE theme_id = ?1";

static const char SQL_DECISION_INSERT[] =
    "INSERT INTO decisions (organisation_id, round_id, kind, title, body, programme_id, "
    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_LINK_THEME[] =
    "INSERT INTO decision_links (decision_id, theme_id) VALUES (?1, ?2)";
static const char SQL_LINK_RESPONSE[] =
    "INSERT INTO decision_links (decision_id, response_id) VALUES (?1, ?2)";
#define DECISION_COLUMNS \
	"id, organisation_id, round_id, kind, title, body, programme_id, created_at"
static const char SQL_DECISION_GET[] = "SELECT " DECISION_COLUMNS " FROM decisions WHERE id = ?1";
static const char SQL_DECISION_LIST[] =
    "SELECT " DECISION_COLUMNS " FROM decisions WHERE (?1 = 0 OR organisation_id = ?1) "
    "AND (?2 = 0 OR round_id = ?2) ORDER BY id DESC";
static const char SQL_DECISION_THEMES[] =
    "SELECT t.id, t.title, (SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), "
    "t.participant_id, t.sealed "
    "FROM decision_links l JOIN themes t ON t.id = l.theme_id WHERE l.decision_id = ?1 "
    "ORDER BY t.id";
static const char SQL_DECISION_RESPONSES[] =
    "SELECT COUNT(*) FROM decision_links WHERE decision_id = ?1 AND response_id IS NOT NULL";
static const char SQL_NOT_ACTED[] =
    "SELECT t.id, t.title, (SELECT COUNT(*) FROM theme_votes v WHERE v.theme_id = t.id), "
    "t.outcome_reason, r.organisation_id, t.round_id, t.participant_id, t.sealed "
    "FROM themes t JOIN listening_rounds r ON r.id = t.round_id "
    "WHERE t.outcome = 'not_acted' AND (?1 = 0 OR r.organisation_id = ?1) "
    "AND (?2 = 0 OR t.round_id = ?2) ORDER BY t.id";

/* "You said, we did" is for everyone the organisation works with: anyone
 * with a role in it, and every participant. */
static bool sees_decisions(const struct actor *a, int64_t org)
{
	return policy_allows(a, ACT_VOTE) || policy_in(a, ACT_ORG_SEE, org);
}

/* Grows an arena array of elements of size sz holding *n of *cap. */
static void *grow(struct arena *a, void *items, size_t *cap, size_t n, size_t sz)
{
	if (items && n < *cap)
		return items;
	size_t ncap = items ? 2 * *cap : 16;
	void *more = arena_alloc(a, ncap * sz);
	if (items)
		memcpy(more, items, n * sz);
	*cap = ncap;
	return more;
}

/* --- themes --- */

/* A theme a participant proposed is sealed with their key (see
 * programs_privacy.c); once they are erased it reads as removed. */
static int theme_row(const struct people_ctx *px, struct db_stmt *s, struct arena *a,
                     struct listening_theme *out)
{
	out->id = db_col_i64(s, 0);
	out->round_id = db_col_i64(s, 1);
	out->title = arena_strdup(a, db_col_text(s, 2));
	out->description = arena_strdup(a, db_col_text(s, 3));
	out->proposer_kind = arena_strdup(a, db_col_text(s, 4));
	out->outcome = arena_strdup(a, db_col_text(s, 5));
	out->reason = arena_strdup(a, db_col_text(s, 6));
	out->created_at = db_col_i64(s, 7);
	out->votes = db_col_i64(s, 8);
	out->org = db_col_i64(s, 9);
	out->round_status = arena_strdup(a, db_col_text(s, 10));
	out->removed = false;
	size_t len = 0;
	const void *sealed = db_col_null(s, 12) ? NULL : db_col_blob(s, 12, &len);
	if (sealed) {
		int rc = programs_theme_open(px, a, db_col_i64(s, 11), sealed, len, &out->title,
		                             &out->description);
		if (rc)
			return rc;
	}
	bool cleared =
	    !sealed && out->title && !*out->title && strcmp(out->proposer_kind, "participant") == 0;
	if (!out->title || cleared) {
		out->removed = true;
		out->title = out->description = NULL;
	}
	return 0;
}

int listening_theme_load(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         int64_t id, struct listening_theme *out)
{
	struct db_stmt *s = db_prepare(c, SQL_THEME_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW && (rc = theme_row(px, s, a, out)) == 0)
		rc = DB_ROW;
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* The theme the actor voted for in a round; 0 when none. */
static int my_vote(struct db_conn *c, int64_t round, int64_t participant, int64_t *theme)
{
	*theme = 0;
	if (!participant)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_VOTE_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, round);
	db_bind_i64(s, 2, participant);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*theme = db_col_i64(s, 0);
	db_finish(s);
	return rc < 0 ? rc : 0;
}

int listening_theme_list(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                         const struct actor *who, int64_t round_id, struct listening_round *rd,
                         struct listening_theme **out, size_t *n, int64_t *mine,
                         struct programs_refusal *why)
{
	size_t cap = 0;
	struct listening_theme *items = NULL;
	*out = NULL;
	*n = 0;
	int rc = listening_round_get(c, a, who, round_id, rd, why);
	if (!rc)
		rc = my_vote(c, rd->id, programs_self_participant(c, who), mine);
	if (rc)
		goto out;
	struct db_stmt *s = db_prepare(c, SQL_THEME_LIST);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	while (db_next(s, &rc)) {
		items = grow(a, items, &cap, *n, sizeof *items);
		if ((rc = theme_row(px, s, a, &items[*n])) != 0)
			break;
		(*n)++;
	}
	db_finish(s);
	*out = items;
out:
	return rc;
}

int listening_theme_create(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           const struct actor *who, int64_t round_id, const char *title,
                           const char *description, int64_t *id, struct listening_round *rd,
                           struct programs_refusal *why)
{
	*id = 0;
	int rc = listening_round_get(c, a, who, round_id, rd, why);
	if (!rc)
		rc = listening_round_must_be_open(a, rd, "themes", why);
	if (rc)
		goto out;
	/* Staff of the organisation propose as staff; anyone else who sees
	 * the round is a participant (the policy allows no one else here). */
	const char *kind = policy_in(who, ACT_ROSTER_READ, rd->org) ? "staff" : "participant";
	/* A participant's words are sealed with their own key, so that
	 * erasing them reaches the theme too (it then shows as removed). */
	int64_t self = strcmp(kind, "participant") == 0 ? programs_self_participant(c, who) : 0;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	if (self) {
		rc = programs_theme_seal(px, a, self, title, description, &sealed, &sealed_len);
		title = description = "";
		if (rc)
			goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_THEME_INSERT);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	db_bind_text(s, 2, title);
	db_bind_text(s, 3, description);
	db_bind_id(s, 4, who->user_id);
	db_bind_text(s, 5, kind);
	db_bind_i64(s, 6, util_now());
	db_bind_id(s, 7, self);
	if (sealed)
		db_bind_blob(s, 8, sealed, sealed_len);
	else
		db_bind_null(s, 8);
	rc = db_insert_id(s, id);
out:
	return rc;
}

int listening_theme_set_outcome(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                                const struct actor *who, int64_t id, const char *outcome,
                                const char *reason, struct listening_theme *t,
                                struct programs_refusal *why)
{
	bool not_acted = strcmp(outcome, "not_acted") == 0;
	int rc;
	if (strcmp(outcome, "acted") == 0) {
		rc = programs_refuse(why, a, 400, "outcome",
		                     "outcome acted is recorded by linking the theme to a decision "
		                     "(POST /api/v1/decisions)");
		goto out;
	}
	if (not_acted && !reason) {
		rc = programs_refuse(
		    why, a, 400, "outcome_reason",
		    "outcome_reason is required: say why the theme was not acted on");
		goto out;
	}
	if (!not_acted && reason) {
		rc = programs_refuse(why, a, 400, "outcome_reason",
		                     "outcome_reason goes only with the outcome not_acted");
		goto out;
	}
	rc = listening_theme_load(px, c, a, id, t);
	if (!rc)
		rc = policy_check(who, ACT_LISTENING_MANAGE, t->org,
		                  listening_sees_round(who, t->org));
	if (rc == -HEARTH_ENOTFOUND) {
		rc = programs_refuse(why, a, 404, NULL, "there is no theme %" PRId64, id);
		goto out;
	}
	if (rc == -HEARTH_EDENIED) {
		rc = programs_refuse(why, a, 403, NULL,
		                     "only coordinators of the round's organisation may do this");
		goto out;
	}
	if (rc)
		goto out;
	if (strcmp(t->outcome, "acted") == 0) {
		rc = programs_refuse(why, a, 409, "outcome",
		                     "theme %" PRId64 " was acted on: a decision links to it", id);
		goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_THEME_OUTCOME);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	t->outcome = outcome;
	t->reason = not_acted ? reason : NULL;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, t->outcome);
	db_bind_text(s, 3, t->reason);
	rc = db_run_one(s);
out:
	return rc;
}

/* --- votes --- */

/* The round of a vote for who, with who's participant record (403 when
 * there is none) and open (409). */
static int vote_round(struct db_conn *c, struct arena *a, const struct actor *who, int64_t round_id,
                      struct listening_round *rd, int64_t *self, struct programs_refusal *why)
{
	int rc = listening_round_get(c, a, who, round_id, rd, why);
	if (rc)
		return rc;
	*self = programs_self_participant(c, who);
	if (!*self)
		return programs_refuse(why, a, 403, NULL,
		                       "your login is not linked to a participant record");
	return listening_round_must_be_open(a, rd, "votes", why);
}

int listening_vote_put(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                       const struct actor *who, int64_t round_id, int64_t theme_id,
                       struct listening_round *rd, int64_t *votes, struct programs_refusal *why)
{
	struct listening_theme t;
	int64_t self = 0;
	*votes = 0;
	int rc = vote_round(c, a, who, round_id, rd, &self, why);
	if (rc)
		goto out;
	rc = listening_theme_load(px, c, a, theme_id, &t);
	if (rc == -HEARTH_ENOTFOUND || (!rc && t.round_id != rd->id)) {
		rc = programs_refuse(why, a, 400, "theme_id",
		                     "theme_id: there is no theme %" PRId64
		                     " in listening round %" PRId64,
		                     theme_id, rd->id);
		goto out;
	}
	if (rc)
		goto out;
	struct db_stmt *s = db_prepare(c, SQL_VOTE_PUT);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	db_bind_i64(s, 2, self);
	db_bind_i64(s, 3, t.id);
	db_bind_i64(s, 4, util_now());
	rc = db_run(s);
	if (!rc)
		rc = listening_count_of(c, SQL_VOTES_OF, t.id, votes);
out:
	return rc;
}

int listening_vote_delete(struct db_conn *c, struct arena *a, const struct actor *who,
                          int64_t round_id, struct listening_round *rd,
                          struct programs_refusal *why)
{
	int64_t self = 0;
	int rc = vote_round(c, a, who, round_id, rd, &self, why);
	if (rc)
		goto out;
	struct db_stmt *s = db_prepare(c, SQL_VOTE_DELETE);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	db_bind_i64(s, 2, self);
	rc = db_run_one(s);
	if (rc == -HEARTH_ENOTFOUND)
		rc = programs_refuse(why, a, 404, NULL,
		                     "you have no vote in listening round %" PRId64, rd->id);
out:
	return rc;
}

/* --- "you said, we did" --- */

/* A theme's title in a listing: in the clear (staff's), or opened with its
 * proposer's key; NULL once the proposer was erased (the theme is
 * removed). The columns of the title, t.participant_id and t.sealed. */
static int theme_title_at(const struct people_ctx *px, struct arena *a, struct db_stmt *s,
                          int title_col, int pid_col, int sealed_col, const char **title)
{
	size_t len = 0;
	const void *sealed = db_col_null(s, sealed_col) ? NULL : db_col_blob(s, sealed_col, &len);
	const char *description;
	*title = arena_strdup(a, db_col_text(s, title_col));
	if (sealed)
		return programs_theme_open(px, a, db_col_i64(s, pid_col), sealed, len, title,
		                           &description);
	if (*title && !**title)
		*title = NULL; /* a participant's theme whose words were cleared */
	return 0;
}

static int64_t id_at(struct db_stmt *s, int col)
{
	return db_col_null(s, col) ? 0 : db_col_i64(s, col);
}

/* A decision with its linked themes (and their votes) and the number of
 * linked answers: never the answers themselves, nor who gave them. */
static int decision_row(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                        struct db_stmt *s, struct listening_decision *d)
{
	memset(d, 0, sizeof *d);
	d->id = db_col_i64(s, 0);
	d->org = db_col_i64(s, 1);
	d->round_id = id_at(s, 2);
	d->kind = arena_strdup(a, db_col_text(s, 3));
	d->title = arena_strdup(a, db_col_text(s, 4));
	d->body = arena_strdup(a, db_col_text(s, 5));
	d->programme_id = id_at(s, 6);
	d->created_at = db_col_i64(s, 7);
	size_t cap = 0;
	struct db_stmt *t = db_prepare(c, SQL_DECISION_THEMES);
	int rc = -HEARTH_EDB;
	if (!t)
		goto out;
	db_bind_i64(t, 1, d->id);
	while (db_next(t, &rc)) {
		d->themes = grow(a, d->themes, &cap, d->nthemes, sizeof *d->themes);
		struct listening_theme_ref *th = &d->themes[d->nthemes];
		memset(th, 0, sizeof *th);
		if ((rc = theme_title_at(px, a, t, 1, 3, 4, &th->title)) != 0)
			break;
		th->id = db_col_i64(t, 0);
		th->votes = db_col_i64(t, 2);
		d->nthemes++;
	}
	db_finish(t);
	if (!rc)
		rc = listening_count_of(c, SQL_DECISION_RESPONSES, d->id, &d->responses);
out:
	return rc;
}

/* The themes not acted on, with why, in organisations the actor sees. */
static int not_acted_list(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                          const struct actor *who, int64_t org, int64_t round,
                          struct listening_theme_ref **out, size_t *n)
{
	size_t cap = 0;
	struct db_stmt *s = db_prepare(c, SQL_NOT_ACTED);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, org);
	db_bind_i64(s, 2, round);
	int rc;
	while (db_next(s, &rc)) {
		if (!sees_decisions(who, db_col_i64(s, 4)))
			continue;
		*out = grow(a, *out, &cap, *n, sizeof **out);
		struct listening_theme_ref *x = &(*out)[*n];
		memset(x, 0, sizeof *x);
		if ((rc = theme_title_at(px, a, s, 1, 6, 7, &x->title)) != 0)
			break;
		x->id = db_col_i64(s, 0);
		x->round_id = db_col_i64(s, 5);
		x->votes = db_col_i64(s, 2);
		x->reason = db_col_null(s, 3) ? NULL : arena_strdup(a, db_col_text(s, 3));
		(*n)++;
	}
	db_finish(s);
	return rc;
}

int listening_decision_list(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                            const struct actor *who, int64_t org, int64_t round,
                            struct listening_decision **out, size_t *n,
                            struct listening_theme_ref **not_acted, size_t *nnot)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	*not_acted = NULL;
	*nnot = 0;
	struct db_stmt *s = db_prepare(c, SQL_DECISION_LIST);
	int rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, org);
	db_bind_i64(s, 2, round);
	while (db_next(s, &rc)) {
		if (!sees_decisions(who, db_col_i64(s, 1)))
			continue;
		*out = grow(a, *out, &cap, *n, sizeof **out);
		if ((rc = decision_row(px, c, a, s, &(*out)[*n])) != 0)
			break;
		(*n)++;
	}
	db_finish(s);
	if (!rc)
		rc = not_acted_list(px, c, a, who, org, round, not_acted, nnot);
out:
	return rc;
}

int listening_decision_get(const struct people_ctx *px, struct db_conn *c, struct arena *a,
                           int64_t id, struct listening_decision *out)
{
	struct db_stmt *s = db_prepare(c, SQL_DECISION_GET);
	int rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		rc = decision_row(px, c, a, s, out);
	else if (rc == DB_DONE)
		rc = -HEARTH_ENOTFOUND;
	db_finish(s);
out:
	return rc;
}

/* Checks a list of linked ids (themes or answers): each must exist in the
 * decision's organisation, once. Refused 400 naming the list otherwise. */
static int links_valid(struct db_conn *c, struct arena *a, const char *field, const char *sql,
                       const char *what, const int64_t *ids, size_t n, int64_t org,
                       struct programs_refusal *why)
{
	for (size_t i = 0; i < n; i++) {
		int64_t id = ids[i], in_org = 0;
		for (size_t k = 0; k < i; k++)
			if (ids[k] == id)
				return programs_refuse(why, a, 400, field,
				                       "%s lists %s %" PRId64 " twice", field, what,
				                       id);
		int rc = listening_count_of(c, sql, id, &in_org);
		if (rc && rc != -HEARTH_ENOTFOUND)
			return rc;
		if (rc || in_org != org)
			return programs_refuse(why, a, 400, field,
			                       "%s: there is no %s %" PRId64
			                       " in organisation %" PRId64,
			                       field, what, id, org);
	}
	return 0;
}

/* Checks what the field table cannot: the round, programme, themes and
 * answers named must be the organisation's. */
static int decision_refs_valid(struct db_conn *c, struct arena *a,
                               const struct listening_decision_input *in,
                               struct programs_refusal *why)
{
	int64_t org = in->org;
	int rc;
	if (in->round_id) {
		int64_t in_org = 0;
		rc = listening_count_of(c, SQL_ROUND_ORG, in->round_id, &in_org);
		if (rc && rc != -HEARTH_ENOTFOUND)
			return rc;
		if (rc || in_org != org)
			return programs_refuse(why, a, 400, "round_id",
			                       "round_id: there is no listening round %" PRId64
			                       " in organisation %" PRId64,
			                       in->round_id, org);
	}
	if (in->programme_id) {
		struct prog_ref p;
		rc = programs_programme_ref(c, a, in->programme_id, &p);
		if (rc && rc != -HEARTH_ENOTFOUND)
			return rc;
		if (rc || p.organisation_id != org)
			return programs_refuse(why, a, 400, "programme_id",
			                       "programme_id: there is no programme %" PRId64
			                       " in organisation %" PRId64,
			                       in->programme_id, org);
	}
	rc = links_valid(c, a, "theme_ids", SQL_THEME_ORG, "theme", in->theme_ids, in->nthemes, org,
	                 why);
	if (!rc)
		rc = links_valid(c, a, "response_ids", SQL_RESPONSE_ORG, "answer", in->response_ids,
		                 in->nresponses, org, why);
	return rc;
}

/* Stores the links of decision id and marks its themes acted on. */
static int decision_links_add(struct db_conn *c, int64_t id,
                              const struct listening_decision_input *in)
{
	int rc = 0;
	for (size_t i = 0; i < in->nthemes; i++) {
		struct db_stmt *s = db_prepare(c, SQL_LINK_THEME);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, in->theme_ids[i]);
		if ((rc = db_run(s)) != 0)
			return rc;
		if (!(s = db_prepare(c, SQL_THEME_ACTED)))
			return -HEARTH_EDB;
		db_bind_i64(s, 1, in->theme_ids[i]);
		if ((rc = db_run_one(s)) != 0)
			return rc;
	}
	for (size_t i = 0; i < in->nresponses; i++) {
		struct db_stmt *s = db_prepare(c, SQL_LINK_RESPONSE);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, id);
		db_bind_i64(s, 2, in->response_ids[i]);
		if ((rc = db_run(s)) != 0)
			return rc;
	}
	return 0;
}

int listening_decision_create(struct db_conn *c, struct arena *a, const struct actor *who,
                              const struct listening_decision_input *in, int64_t *id,
                              struct programs_refusal *why)
{
	int rc;
	*id = 0;
	if (!policy_in(who, ACT_LISTENING_MANAGE, in->org)) {
		rc = programs_refuse(
		    why, a, 403, "organisation_id",
		    "you can only record decisions of organisations you coordinate");
		goto out;
	}
	rc = decision_refs_valid(c, a, in, why);
	if (rc)
		goto out;
	struct db_stmt *s = db_prepare(c, SQL_DECISION_INSERT);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, in->org);
	db_bind_id(s, 2, in->round_id);
	db_bind_text(s, 3, in->kind);
	db_bind_text(s, 4, in->title);
	db_bind_text(s, 5, in->body ? in->body : "");
	db_bind_id(s, 6, in->programme_id);
	db_bind_id(s, 7, who->user_id);
	db_bind_i64(s, 8, util_now());
	rc = db_insert_id(s, id);
	if (rc == -HEARTH_ECONFLICT) { /* only an admin gets here with an unknown organisation */
		rc = programs_refuse(why, a, 400, "organisation_id",
		                     "there is no organisation %" PRId64, in->org);
		goto out;
	}
	if (!rc)
		rc = decision_links_add(c, *id, in);
out:
	return rc;
}
