/*
 * Listening rounds and their answers: storage and rules (listening.h). A
 * coordinator opens a round of needs gathering; residents answer it online,
 * or staff enter their answers in person, in English or Spanish,
 * anonymously if the person prefers.
 *
 * Privacy: an attributed answer is sealed with the person's own data key
 * (people_seal), so erasing the person crypto-shreds it; an anonymous answer
 * keeps no link to anyone (docs/privacy.md, "Anonymous answers"). The HTTP
 * edge is listening_http.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "people/people.h"
#include "programs/listening.h"
#include "programs/programs.h"
#include "core/banned.h"

const char *const listening_questions[LQ__MAX + 1] = {
    "emotional", "creative", "social", "strengths", "cultural_traditions", "barriers", NULL};

#define ROUND_COLUMNS                                                                          \
	"r.id, r.organisation_id, r.title, r.description, r.status, r.opens_at, r.closes_at, " \
	"r.created_at, r.closed_at, "                                                          \
	"(SELECT COUNT(*) FROM themes t WHERE t.round_id = r.id), "                            \
	"(SELECT COUNT(*) FROM listening_responses x WHERE x.round_id = r.id)"

static const char SQL_ROUND_GET[] =
    "SELECT " ROUND_COLUMNS " FROM listening_rounds r WHERE r.id = ?1";
static const char SQL_ROUND_LIST[] = "SELECT " ROUND_COLUMNS " FROM listening_rounds r "
                                     "WHERE (?1 = 0 OR r.organisation_id = ?1) "
                                     "AND (?2 = '' OR r.status = ?2) ORDER BY r.id DESC";
static const char SQL_ROUND_INSERT[] =
    "INSERT INTO listening_rounds (organisation_id, title, description, status, opens_at, "
    "closes_at, created_by, created_at) VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?4) "
    "RETURNING id";
static const char SQL_ROUND_UPDATE[] =
    "UPDATE listening_rounds SET title = ?2, description = ?3, closes_at = ?4, status = ?5, "
    "closed_at = ?6 WHERE id = ?1";

/* Answers get random ids (response_new_id): sequential ones would order an
 * anonymous answer among the attributed ones around it. A clash, one in
 * billions, inserts nothing and is tried again with another id. */
static const char SQL_RESPONSE_INSERT[] =
    "INSERT INTO listening_responses (id, round_id, participant_id, channel, lang, answers, "
    "sealed, entered_by, created_at) VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
/* Rewrites the anonymous online answers of a round and day in place when
 * their aggregate audit entry is written (listening_settle_anonymous). */
static const char SQL_RESPONSE_SETTLE[] =
    "UPDATE listening_responses SET answers = answers WHERE round_id = ?1 AND created_at = ?2 "
    "AND participant_id IS NULL AND channel = 'online'";
static const char SQL_RESPONSE_LIST[] =
    "SELECT id, participant_id, channel, lang, answers, sealed, created_at "
    "FROM listening_responses WHERE round_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";

/* --- who may see what --- */

bool listening_sees_round(const struct actor *a, int64_t org)
{
	/* Participants (who may vote) see every organisation's rounds, staff
	 * their own organisations', admins all. */
	return policy_allows(a, ACT_VOTE) || policy_in(a, ACT_ROSTER_READ, org);
}

int listening_count_of(struct db_conn *c, const char *sql, int64_t id, int64_t *out)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	*out = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

/* --- rounds --- */

static void round_row(struct db_stmt *s, struct arena *a, struct listening_round *out)
{
	out->id = db_col_i64(s, 0);
	out->org = db_col_i64(s, 1);
	out->title = arena_strdup(a, db_col_text(s, 2));
	out->description = arena_strdup(a, db_col_text(s, 3));
	out->status = arena_strdup(a, db_col_text(s, 4));
	out->opens_at = db_col_i64(s, 5);
	out->has_closes_at = !db_col_null(s, 6);
	out->closes_at = db_col_i64(s, 6);
	out->created_at = db_col_i64(s, 7);
	out->has_closed_at = !db_col_null(s, 8);
	out->closed_at = db_col_i64(s, 8);
	out->themes = db_col_i64(s, 9);
	out->responses = db_col_i64(s, 10);
}

int listening_round_load(struct db_conn *c, struct arena *a, int64_t id,
                         struct listening_round *out)
{
	struct db_stmt *s = db_prepare(c, SQL_ROUND_GET);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		round_row(s, a, out);
	db_finish(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : -HEARTH_ENOTFOUND;
}

int listening_round_get(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                        struct listening_round *out, struct programs_refusal *why)
{
	int rc = listening_round_load(c, a, id, out);
	if (rc == 0 && listening_sees_round(who, out->org))
		goto out;
	/* Someone with another role in its organisation knows it is there. */
	if (!rc && policy_in(who, ACT_ORG_SEE, out->org)) {
		rc =
		    programs_refuse(why, a, 403, NULL,
		                    "your role does not show this organisation's listening rounds");
		goto out;
	}
	if (!rc || rc == -HEARTH_ENOTFOUND)
		rc = programs_refuse(why, a, 404, NULL, "there is no listening round %" PRId64, id);
out:
	return rc;
}

/* Like listening_round_get, for changes: also needs the admin or
 * coordinator role in the round's organisation (403 otherwise). */
static int round_to_manage(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                           struct listening_round *out, struct programs_refusal *why)
{
	int rc = listening_round_get(c, a, who, id, out, why);
	if (!rc && !policy_in(who, ACT_LISTENING_MANAGE, out->org))
		rc = programs_refuse(why, a, 403, NULL,
		                     "only coordinators of the round's organisation may manage it");
	return rc;
}

int listening_round_must_be_open(struct arena *a, const struct listening_round *rd,
                                 const char *what, struct programs_refusal *why)
{
	if (strcmp(rd->status, "open") == 0)
		return 0;
	int rc = programs_refuse(why, a, 409, NULL,
	                         "listening round %" PRId64 " is closed: it takes no more %s",
	                         rd->id, what);
	why->ext_str_name = "round_status";
	why->ext_str = rd->status;
	return rc;
}

int listening_round_list(struct db_conn *c, struct arena *a, const struct actor *who, int64_t org,
                         const char *status, struct listening_round **out, size_t *n)
{
	int rc = -HEARTH_EDB;
	size_t cap = 16;
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_ROUND_LIST);
	if (!s)
		goto out;
	db_bind_i64(s, 1, org);
	db_bind_text(s, 2, status ? status : "");
	struct listening_round *items = arena_alloc(a, cap * sizeof *items);
	while (db_next(s, &rc)) {
		if (*n == cap) {
			struct listening_round *more = arena_alloc(a, 2 * cap * sizeof *more);
			memcpy(more, items, cap * sizeof *items);
			items = more;
			cap *= 2;
		}
		round_row(s, a, &items[*n]);
		if (listening_sees_round(who, items[*n].org))
			(*n)++;
	}
	db_finish(s);
	if (!rc)
		*out = items;
out:
	return rc;
}

int listening_round_create(struct db_conn *c, struct arena *a, const struct actor *who,
                           const struct listening_round_input *in, int64_t *id,
                           struct programs_refusal *why)
{
	int rc;
	int64_t now = util_now();
	*id = 0;
	if (!policy_in(who, ACT_LISTENING_MANAGE, in->org)) {
		rc = programs_refuse(why, a, 403, "organisation_id",
		                     "you can only open rounds in organisations you coordinate");
		goto out;
	}
	if (in->has_closes_at && in->closes_at <= now) {
		rc = programs_refuse(why, a, 400, "closes_at", "closes_at must be in the future");
		goto out;
	}
	struct db_stmt *s = db_prepare(c, SQL_ROUND_INSERT);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, in->org);
	db_bind_text(s, 2, in->title);
	db_bind_text(s, 3, in->has_description ? in->description : "");
	db_bind_i64(s, 4, now);
	db_bind_id(s, 5, in->has_closes_at ? in->closes_at : 0);
	db_bind_id(s, 6, who->user_id);
	rc = db_insert_id(s, id);
	if (rc == -HEARTH_ECONFLICT) /* only an admin gets here with an unknown organisation */
		rc = programs_refuse(why, a, 400, "organisation_id",
		                     "there is no organisation %" PRId64, in->org);
out:
	return rc;
}

int listening_round_update(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                           const struct listening_round_input *in, struct listening_round *rd,
                           const char **action, struct programs_refusal *why)
{
	*action = "listening.round.update";
	int rc = round_to_manage(c, a, who, id, rd, why);
	if (rc)
		goto out;
	if (in->has_title)
		rd->title = in->title;
	if (in->has_description)
		rd->description = in->description;
	if (in->has_closes_at) {
		rd->closes_at = in->closes_at;
		rd->has_closes_at = true;
	} else if (in->clear_closes_at) {
		rd->has_closes_at = false;
	}
	if (in->has_status && strcmp(in->status, rd->status) != 0) {
		bool closing = strcmp(in->status, "closed") == 0;
		rd->status = in->status;
		rd->has_closed_at = closing;
		rd->closed_at = closing ? util_now() : 0;
		*action = closing ? "listening.round.close" : "listening.round.reopen";
	}
	struct db_stmt *s = db_prepare(c, SQL_ROUND_UPDATE);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	db_bind_text(s, 2, rd->title);
	db_bind_text(s, 3, rd->description);
	db_bind_id(s, 4, rd->has_closes_at ? rd->closes_at : 0);
	db_bind_text(s, 5, rd->status);
	db_bind_id(s, 6, rd->has_closed_at ? rd->closed_at : 0);
	rc = db_run_one(s);
out:
	return rc;
}

/* --- answers --- */

/* The document kept for one answer: the answers given (empty ones left
 * out) and the barrier tags. NULL when no question was answered. The
 * caller owns the result. */
static json_t *answers_doc(const struct listening_answer_input *in)
{
	json_t *a = json_object();
	for (int q = 0; q < LQ__MAX; q++) {
		const char *text = in->answers[q];
		size_t n = text ? strlen(text) : 0;
		/* Trimmed as the field table trims, so that spaces are no answer. */
		while (n && strchr(" \t\r\n", *text)) {
			text++;
			n--;
		}
		while (n && strchr(" \t\r\n", text[n - 1]))
			n--;
		if (n)
			json_object_set_new(a, listening_questions[q], json_stringn(text, n));
	}
	if (!json_object_size(a)) {
		json_decref(a);
		return NULL;
	}
	json_t *tags = json_array();
	for (size_t i = 0; i < in->ntags; i++)
		json_array_append_new(tags, json_string(in->tags[i]));
	return json_pack("{s:o, s:o}", "answers", a, "barrier_tags", tags);
}

/* Who answers: staff of the round's organisation entering an answer given
 * in person, or a participant answering online for themself. */
struct answerer {
	bool in_person;
	int64_t participant_id; /* 0 when anonymous */
};

static int answerer_for(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                        const struct actor *who, const struct listening_round *rd,
                        const struct listening_answer_input *in, struct answerer *out,
                        struct programs_refusal *why)
{
	int64_t given = in->participant_id;
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (given && in->anonymous) {
		rc = programs_refuse(why, a, 400, "participant_id",
		                     "leave out participant_id for an anonymous answer");
		goto out;
	}
	/* Staff in the room (who mark attendance) enter answers given in person. */
	if (!policy_in(who, ACT_ATTENDANCE, rd->org)) {
		/* A participant, online: for themself only. */
		if (given) {
			rc = programs_refuse(
			    why, a, 403, "participant_id",
			    "participant_id is for staff entering answers given in person");
			goto out;
		}
		int64_t self = programs_self_participant(c, who);
		if (!self) {
			rc = programs_refuse(why, a, 403, NULL,
			                     "your login is not linked to a participant record");
			goto out;
		}
		out->participant_id = in->anonymous ? 0 : self;
		goto out;
	}
	out->in_person = true;
	if (in->anonymous)
		goto out;
	if (!given) {
		rc = programs_refuse(why, a, 400, "participant_id",
		                     "participant_id is required unless the answer is anonymous");
		goto out;
	}
	/* The person must be the round's organisation's (or shared with it):
	 * anyone else is refused like nobody (scope.h), before their erasure
	 * is said. */
	struct person_view pv;
	memset(&pv, 0, sizeof pv);
	rc = people_view(px, c, a, given, &pv);
	if (rc == -HEARTH_ENOTFOUND) {
		rc = programs_refuse(why, a, 403, "participant_id",
		                     "this person is not in your organisation");
		goto out;
	}
	if (rc) {
		json_decref(pv.profile);
		goto out;
	}
	json_decref(pv.profile);
	struct membership m = {.organisation_id = rd->org, .role = ROLE_COORDINATOR};
	struct actor as_org = {.memberships = &m, .nmemberships = 1};
	bool shared;
	if ((rc = people_sharing(c, &as_org, given, SHARE_ATTENDANCE, &shared)) != 0)
		goto out;
	if (!shared) {
		rc = programs_refuse(why, a, 403, "participant_id",
		                     "this person is not in your organisation");
		goto out;
	}
	if (pv.erased) {
		rc = programs_refuse(
		    why, a, 400, "participant_id",
		    "participant %" PRId64 " was erased; answer anonymously instead", given);
		goto out;
	}
	out->participant_id = given;
out:
	return rc;
}

/* Serialises doc and, for an attributed answer, seals it with the person's
 * data key. *data is arena memory; the plaintext copy is wiped. */
static int answers_store(const struct people_ctx *px, struct arena *a, json_t *doc,
                         int64_t participant_id, const unsigned char **data, size_t *len)
{
	char *plain = json_dumps(doc, JSON_COMPACT);
	if (!plain)
		return -HEARTH_ENOMEM;
	size_t n = strlen(plain);
	int rc = 0;
	if (participant_id) {
		unsigned char *sealed;
		rc = people_seal(px, a, participant_id, plain, n, &sealed, len);
		*data = sealed;
	} else {
		*data = (const unsigned char *)arena_strndup(a, plain, n);
		*len = n;
	}
	sodium_memzero(plain, n);
	free(plain);
	return rc;
}

/* A random id from 1 to 2^53 - 1: unguessable, says nothing about when the
 * answer came, and stays exact in JSON clients that read numbers as
 * doubles. */
static int64_t response_new_id(void)
{
	uint64_t x = 0;
	while (!x) {
		randombytes_buf(&x, sizeof x);
		x &= (UINT64_C(1) << 53) - 1;
	}
	return (int64_t)x;
}

/* Inserts the answer under a new random id, tried again on the rare clash.
 * Binds every column but the id from the caller's values. */
static int response_insert(struct db_conn *c, int64_t round, const struct answerer *who,
                           const char *lang, const unsigned char *data, size_t len,
                           int64_t entered_by, int64_t at, int64_t *id)
{
	int rc = -HEARTH_ECONFLICT;
	for (int attempt = 0; attempt < 4 && rc == -HEARTH_ECONFLICT; attempt++) {
		struct db_stmt *s = db_prepare(c, SQL_RESPONSE_INSERT);
		if (!s)
			return -HEARTH_EDB;
		db_bind_i64(s, 1, round);
		db_bind_id(s, 2, who->participant_id);
		db_bind_text(s, 3, who->in_person ? "in_person" : "online");
		db_bind_text(s, 4, lang);
		db_bind_blob(s, 5, data, len);
		db_bind_i64(s, 6, who->participant_id ? 1 : 0);
		db_bind_id(s, 7, entered_by);
		db_bind_i64(s, 8, at);
		db_bind_i64(s, 9, response_new_id());
		rc = db_step(s);
		if (rc == DB_ROW) {
			*id = db_col_i64(s, 0);
			rc = 0;
		} else if (rc == DB_DONE) {
			rc = -HEARTH_ECONFLICT; /* the id was taken: another one */
		}
		db_finish(s);
	}
	return rc;
}

/* Settles a day's anonymous answers of a round when audit_flush() writes
 * their aggregate entry: rewriting the rows in the flush's transaction
 * gives them its transaction id on PostgreSQL (xmin), instead of the one
 * of the request that wrote them, which would order each answer among its
 * author's own audit entries. */
static int listening_settle_anonymous(struct db_conn *c, const char *resource, int64_t day)
{
	long long round;
	if (sscanf(resource, "listening_round:%lld", &round) != 1)
		return 0;
	struct db_stmt *s = db_prepare(c, SQL_RESPONSE_SETTLE);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, (int64_t)round);
	db_bind_i64(s, 2, day);
	return db_run(s);
}

void listening_init(void)
{
	audit_on_settle(LISTENING_ANONYMOUS_ANSWERS, listening_settle_anonymous);
}

int listening_answer_add(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                         const struct actor *who, int64_t round_id,
                         const struct listening_answer_input *in,
                         struct listening_answer_added *out, struct programs_refusal *why)
{
	struct answerer by;
	const unsigned char *data = NULL;
	size_t len = 0;
	memset(out, 0, sizeof *out);
	json_t *doc = answers_doc(in);
	int rc;
	if (!doc) {
		rc = programs_refuse(why, a, 400, "answers",
		                     "answers must answer at least one question");
		goto out;
	}
	rc = listening_round_get(c, a, who, round_id, &out->round, why);
	if (!rc)
		rc = listening_round_must_be_open(a, &out->round, "answers", why);
	if (!rc)
		rc = answerer_for(c, px, a, who, &out->round, in, &by, why);
	if (rc)
		goto out;
	rc = answers_store(px, a, doc, by.participant_id, &data, &len);
	/* An anonymous answer keeps only the day it was given, so its time
	 * cannot be matched against who was logged in at that moment. */
	int64_t now = util_now();
	int64_t at = by.participant_id ? now : now - now % 86400;
	/* Staff who entered an answer stay accountable for it; a participant
	 * answering anonymously online leaves no trace of themself on it. */
	int64_t entered_by = by.in_person ? who->user_id : 0;
	if (!rc)
		rc = response_insert(c, out->round.id, &by, in->lang, data, len, entered_by, at,
		                     &out->id);
	out->resource = by.participant_id
	                    ? arena_printf(a, "participant:%" PRId64, by.participant_id)
	                    : arena_printf(a, "listening_round:%" PRId64, out->round.id);
	if (!rc && !by.in_person && !by.participant_id) {
		/* Anonymous online: no audit entry now, whose time and place in
		 * the chain would sit among the sender's own entries; only a count
		 * for the round and day, written as one entry without an actor
		 * after the day is over (audit_flush). The edge leaves the request
		 * out of the access log and the metrics. */
		out->anonymous_online = true;
		rc = audit_defer(c, LISTENING_ANONYMOUS_ANSWERS, out->resource, at);
	}
out:
	json_decref(doc);
	return rc;
}

int listening_answer_list(struct db_conn *c, const struct people_ctx *px, struct arena *a,
                          const struct actor *who, int64_t round_id, int64_t after, int64_t limit,
                          struct listening_round *rd, struct listening_answer **out, size_t *n,
                          struct programs_refusal *why)
{
	*n = 0;
	*out = NULL;
	int rc = round_to_manage(c, a, who, round_id, rd, why);
	if (rc)
		goto out;
	struct listening_answer *rows = arena_alloc(a, (size_t)limit * sizeof *rows);
	struct db_stmt *s = db_prepare(c, SQL_RESPONSE_LIST);
	rc = -HEARTH_EDB;
	if (!s)
		goto out;
	db_bind_i64(s, 1, rd->id);
	db_bind_i64(s, 2, after);
	db_bind_i64(s, 3, limit);
	rc = 0;
	while ((int64_t)*n < limit && db_next(s, &rc)) {
		struct listening_answer *x = &rows[(*n)++];
		memset(x, 0, sizeof *x);
		x->id = db_col_i64(s, 0);
		x->participant_id = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
		x->channel = arena_strdup(a, db_col_text(s, 2));
		x->lang = arena_strdup(a, db_col_text(s, 3));
		size_t len = 0;
		const void *blob = db_col_blob(s, 4, &len);
		bool sealed = db_col_i64(s, 5) != 0;
		x->created_at = db_col_i64(s, 6);
		if (sealed) {
			/* Opened with the person's key; an erased person's answers
			 * read null. */
			int orc =
			    people_open(px, a, x->participant_id, blob, len, &x->doc, &x->len);
			if (orc == -HEARTH_ENOTFOUND) {
				x->erased = true;
				x->doc = NULL;
				x->len = 0;
			} else if (orc) {
				rc = orc;
				break;
			}
		} else {
			x->doc = arena_alloc(a, len + 1);
			if (len)
				memcpy(x->doc, blob, len);
			x->doc[len] = 0;
			x->len = len;
		}
	}
	db_finish(s);
	if (!rc)
		*out = rows;
out:
	return rc;
}
