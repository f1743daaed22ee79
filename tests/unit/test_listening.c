/*
 * Unit tests for listening (src/programs/listening.h), without HTTP: a
 * round and who sees it, an answer given by name (sealed with the person's
 * key and opened for the coordinator), an anonymous online answer (random
 * id, no participant, only the day, counted instead of audited), one
 * changeable vote per person and round, and a participant's theme sealed
 * with their key (removed once the key is destroyed).
 *
 * The fixture is test_people.c's: a fresh migrated SQLite database and key
 * store in a temporary directory, and three organisations.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "people/internal.h"
#include "people/people.h"
#include "programs/listening.h"
#include "programs/programs.h"
#include "core/banned.h"

#include "fixture.h"

static int fx_setup(void **state)
{
	return fx_open(state, "listen");
}

/* --- helpers --- */

static int64_t person(struct fx *fx, const char *name)
{
	return person_in(fx, fx->org_a, name, true);
}

/* A coordinator of org (user id 0: no login needed for what they do). */
struct staff {
	struct membership m;
	struct actor a;
};
static void coordinator(struct staff *st, int64_t org)
{
	st->m = (struct membership){.organisation_id = org, .role = ROLE_COORDINATOR};
	st->a = (struct actor){.kind = AUTH_SESSION,
	                       .roles = 1u << ROLE_COORDINATOR,
	                       .organisation_id = org,
	                       .memberships = &st->m,
	                       .nmemberships = 1};
}

/* A participant with a login linked to their record pid. */
static struct actor participant_login(struct fx *fx, int64_t pid, const char *email)
{
	int64_t uid = 0;
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_user_create(c, email, "P", NULL, &uid);
	if (!rc)
		rc = people__link_user(c, pid, uid);
	if (!rc)
		rc = db_commit(c);
	if (rc && db_in_transaction(c))
		db_rollback(c);
	db_release(fx->pool, c);
	if (rc)
		fail_msg("participant login returned %d", rc);
	return (struct actor){.kind = AUTH_SESSION, .user_id = uid, .roles = 1u << ROLE_PARTICIPANT};
}

/* Opens a round in org as st; returns its id. */
static int64_t round_open(struct fx *fx, const struct actor *st, int64_t org)
{
	struct listening_round_input in = {.org = org, .title = "What would help?"};
	struct programs_refusal why = {0};
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = listening_round_create(c, fx->arena, st, &in, &id, &why);
	if (!rc)
		rc = db_commit(c);
	if (rc && db_in_transaction(c))
		db_rollback(c);
	db_release(fx->pool, c);
	assert_int_equal(rc, 0);
	return id;
}

/* Runs one statement selecting one integer (first column) for id. */
static int64_t one_i64(struct fx *fx, const char *sql, int64_t id)
{
	int64_t v = -1;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(listening_count_of(c, sql, id, &v), 0);
	db_release(fx->pool, c);
	return v;
}

/* Adds an answer as who; returns the logic's rc (why and out filled). */
static int answer(struct fx *fx, const struct actor *who, int64_t round,
                  const struct listening_answer_input *in, struct listening_answer_added *out,
                  struct programs_refusal *why)
{
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = listening_answer_add(c, &fx->px, fx->arena, who, round, in, out, why);
	if (!rc)
		rc = db_commit(c);
	if (rc && db_in_transaction(c))
		db_rollback(c);
	db_release(fx->pool, c);
	return rc;
}

static void test_round_scope_and_close(void **state)
{
	struct fx *fx = *state;
	struct staff a, b;
	coordinator(&a, fx->org_a);
	coordinator(&b, fx->org_b);
	int64_t id = round_open(fx, &a.a, fx->org_a);
	struct listening_round rd;
	struct programs_refusal why = {0};
	struct db_conn *c = db_acquire(fx->pool);

	/* Its coordinator and every participant see it; another
	 * organisation's coordinator is told there is no such round. */
	assert_int_equal(listening_round_get(c, fx->arena, &a.a, id, &rd, &why), 0);
	assert_string_equal(rd.status, "open");
	assert_int_equal(rd.org, fx->org_a);
	struct actor someone = {.kind = AUTH_SESSION, .roles = 1u << ROLE_PARTICIPANT};
	assert_int_equal(listening_round_get(c, fx->arena, &someone, id, &rd, &why), 0);
	assert_int_equal(listening_round_get(c, fx->arena, &b.a, id, &rd, &why), -HEARTH_ENOTFOUND);
	assert_int_equal(why.status, 404);

	/* Opening one elsewhere, or closing in the past, is refused. */
	struct listening_round_input in = {.org = fx->org_b, .title = "x"};
	int64_t nid = 0;
	memset(&why, 0, sizeof why);
	assert_int_equal(listening_round_create(c, fx->arena, &a.a, &in, &nid, &why),
	                 -HEARTH_EDENIED);
	assert_string_equal(why.field, "organisation_id");
	in = (struct listening_round_input){
	    .org = fx->org_a, .title = "x", .has_closes_at = true, .closes_at = util_now() - 1};
	memset(&why, 0, sizeof why);
	assert_int_equal(listening_round_create(c, fx->arena, &a.a, &in, &nid, &why),
	                 -HEARTH_EINVAL);
	assert_string_equal(why.field, "closes_at");

	/* Closing it says so in the audit action and the round. */
	const char *action = NULL;
	in = (struct listening_round_input){.status = "closed", .has_status = true};
	memset(&why, 0, sizeof why);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(listening_round_update(c, fx->arena, &a.a, id, &in, &rd, &action, &why),
	                 0);
	assert_int_equal(db_commit(c), 0);
	assert_string_equal(action, "listening.round.close");
	assert_string_equal(rd.status, "closed");
	assert_true(rd.has_closed_at);
	db_release(fx->pool, c);
}

static void test_answer_by_name_sealed(void **state)
{
	struct fx *fx = *state;
	struct staff a;
	coordinator(&a, fx->org_a);
	int64_t pid = person(fx, "Grace");
	int64_t round = round_open(fx, &a.a, fx->org_a);
	static const char *const tags[] = {"transport"};
	struct listening_answer_input in = {
	    .participant_id = pid, .lang = "en", .tags = tags, .ntags = 1};
	in.answers[LQ_CREATIVE] = "  printmaking on Saturdays ";
	struct listening_answer_added out;
	struct programs_refusal why = {0};
	assert_int_equal(answer(fx, &a.a, round, &in, &out, &why), 0);
	assert_false(out.anonymous_online);
	assert_string_equal(out.resource, arena_printf(fx->arena, "participant:%" PRId64, pid));

	/* Stored sealed, never in the clear. */
	assert_int_equal(
	    one_i64(fx, "SELECT sealed FROM listening_responses WHERE id = ?1", out.id), 1);
	assert_int_equal(one_i64(fx,
	                         "SELECT COUNT(*) FROM listening_responses WHERE id = ?1 "
	                         "AND CAST(answers AS TEXT) LIKE '%printmaking%'",
	                         out.id),
	                 0);

	/* The coordinator reads it opened, trimmed, with its tags. */
	struct listening_round rd;
	struct listening_answer *rows;
	size_t n = 0;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(
	    listening_answer_list(c, &fx->px, fx->arena, &a.a, round, 0, 10, &rd, &rows, &n, &why),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].participant_id, pid);
	assert_string_equal(rows[0].channel, "in_person");
	assert_false(rows[0].erased);
	assert_non_null(strstr(rows[0].doc, "\"creative\":\"printmaking on Saturdays\""));
	assert_non_null(strstr(rows[0].doc, "\"barrier_tags\":[\"transport\"]"));

	/* Once the person's key is gone the answer reads as erased. */
	assert_int_equal(people_key_destroy(&fx->px, pid), 0);
	assert_int_equal(
	    listening_answer_list(c, &fx->px, fx->arena, &a.a, round, 0, 10, &rd, &rows, &n, &why),
	    0);
	assert_int_equal(n, 1);
	assert_true(rows[0].erased);
	assert_null(rows[0].doc);
	db_release(fx->pool, c);

	/* Blank answers are no answer. */
	struct listening_answer_input blank = {.participant_id = pid, .lang = "en"};
	blank.answers[LQ_SOCIAL] = " \t ";
	memset(&why, 0, sizeof why);
	assert_int_equal(answer(fx, &a.a, round, &blank, &out, &why), -HEARTH_EINVAL);
	assert_string_equal(why.field, "answers");
}

static void test_anonymous_answer(void **state)
{
	struct fx *fx = *state;
	struct staff a;
	coordinator(&a, fx->org_a);
	int64_t pid = person(fx, "Ada");
	struct actor me = participant_login(fx, pid, "ada@example.org");
	int64_t round = round_open(fx, &a.a, fx->org_a);
	struct listening_answer_input in = {.anonymous = true, .lang = "es"};
	in.answers[LQ_SOCIAL] = "más grupos";
	struct listening_answer_added out;
	struct programs_refusal why = {0};
	assert_int_equal(answer(fx, &me, round, &in, &out, &why), 0);
	assert_true(out.anonymous_online);
	assert_string_equal(out.resource,
	                    arena_printf(fx->arena, "listening_round:%" PRId64, round));
	/* A random id below 2^53, no link to anyone, only the day. */
	assert_true(out.id > 0 && out.id < (INT64_C(1) << 53));
	assert_int_equal(
	    one_i64(fx,
	            "SELECT COUNT(*) FROM listening_responses WHERE id = ?1 AND participant_id IS "
	            "NULL AND entered_by IS NULL AND sealed = 0 AND channel = 'online'",
	            out.id),
	    1);
	assert_int_equal(
	    one_i64(fx, "SELECT created_at % 86400 FROM listening_responses WHERE id = ?1", out.id),
	    0);
	/* Counted for the day instead of audited. */
	assert_int_equal(one_i64(fx,
	                         "SELECT COALESCE(SUM(count), 0) FROM audit_pending WHERE "
	                         "action = 'listening.response.anonymous' AND resource = "
	                         "'listening_round:' || ?1",
	                         round),
	                 1);
	assert_int_equal(one_i64(fx, "SELECT COUNT(*) FROM audit_log WHERE ?1 = ?1", 0), 0);

	/* A second anonymous answer does not follow the first. */
	struct listening_answer_added out2;
	assert_int_equal(answer(fx, &me, round, &in, &out2, &why), 0);
	assert_true(out2.id != out.id + 1);

	/* A participant may not answer for someone else. */
	struct listening_answer_input other = {.participant_id = pid, .lang = "en"};
	other.answers[LQ_SOCIAL] = "x";
	memset(&why, 0, sizeof why);
	assert_int_equal(answer(fx, &me, round, &other, &out2, &why), -HEARTH_EDENIED);
	assert_string_equal(why.field, "participant_id");
}

static void test_one_changeable_vote(void **state)
{
	struct fx *fx = *state;
	struct staff a;
	coordinator(&a, fx->org_a);
	int64_t pid = person(fx, "Lin");
	struct actor me = participant_login(fx, pid, "lin@example.org");
	int64_t round = round_open(fx, &a.a, fx->org_a);
	struct listening_round rd;
	struct programs_refusal why = {0};
	int64_t t1 = 0, t2 = 0, votes = 0;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(listening_theme_create(&fx->px, c, fx->arena, &a.a, round, "Evenings", "",
	                                        &t1, &rd, &why),
	                 0);
	assert_int_equal(listening_theme_create(&fx->px, c, fx->arena, &a.a, round, "Weekends", "",
	                                        &t2, &rd, &why),
	                 0);
	assert_int_equal(
	    listening_vote_put(&fx->px, c, fx->arena, &me, round, t1, &rd, &votes, &why), 0);
	assert_int_equal(votes, 1);
	/* A second vote replaces the first. */
	assert_int_equal(
	    listening_vote_put(&fx->px, c, fx->arena, &me, round, t2, &rd, &votes, &why), 0);
	assert_int_equal(votes, 1);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	assert_int_equal(one_i64(fx, "SELECT COUNT(*) FROM theme_votes WHERE theme_id = ?1", t1),
	                 0);
	assert_int_equal(one_i64(fx, "SELECT COUNT(*) FROM theme_votes WHERE round_id = ?1", round),
	                 1);

	c = db_acquire(fx->pool);
	struct listening_theme *ts;
	size_t n;
	int64_t mine = 0;
	assert_int_equal(
	    listening_theme_list(&fx->px, c, fx->arena, &me, round, &rd, &ts, &n, &mine, &why), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mine, t2);

	/* Staff have no vote; a closed round takes none. */
	memset(&why, 0, sizeof why);
	assert_int_equal(
	    listening_vote_put(&fx->px, c, fx->arena, &a.a, round, t1, &rd, &votes, &why),
	    -HEARTH_EDENIED);
	assert_int_equal(why.status, 403);
	assert_int_equal(one_i64(fx, "SELECT COUNT(*) FROM listening_rounds WHERE id = ?1", round),
	                 1);
	struct listening_round_input close = {.status = "closed", .has_status = true};
	const char *action;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(
	    listening_round_update(c, fx->arena, &a.a, round, &close, &rd, &action, &why), 0);
	assert_int_equal(db_commit(c), 0);
	memset(&why, 0, sizeof why);
	assert_int_equal(
	    listening_vote_put(&fx->px, c, fx->arena, &me, round, t1, &rd, &votes, &why),
	    -HEARTH_ECONFLICT);
	assert_int_equal(why.status, 409);
	assert_null(why.field);
	assert_string_equal(why.ext_str_name, "round_status");
	assert_string_equal(why.ext_str, "closed");
	db_release(fx->pool, c);
}

static void test_theme_sealed_with_proposer_key(void **state)
{
	struct fx *fx = *state;
	struct staff a;
	coordinator(&a, fx->org_a);
	int64_t pid = person(fx, "Noor");
	struct actor me = participant_login(fx, pid, "noor@example.org");
	int64_t round = round_open(fx, &a.a, fx->org_a);
	struct listening_round rd;
	struct programs_refusal why = {0};
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(listening_theme_create(&fx->px, c, fx->arena, &me, round, "Grief circle",
	                                        "for carers", &id, &rd, &why),
	                 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);

	/* The row holds no words, only the sealed copy and the proposer. */
	assert_int_equal(one_i64(fx,
	                         "SELECT COUNT(*) FROM themes WHERE id = ?1 AND title = '' AND "
	                         "description = '' AND sealed IS NOT NULL AND "
	                         "proposer_kind = 'participant'",
	                         id),
	                 1);
	assert_int_equal(one_i64(fx, "SELECT participant_id FROM themes WHERE id = ?1", id), pid);

	struct listening_theme t;
	c = db_acquire(fx->pool);
	assert_int_equal(listening_theme_load(&fx->px, c, fx->arena, id, &t), 0);
	assert_string_equal(t.title, "Grief circle");
	assert_string_equal(t.description, "for carers");
	assert_false(t.removed);

	/* Shredding the proposer's key removes the words. */
	assert_int_equal(people_key_destroy(&fx->px, pid), 0);
	assert_int_equal(listening_theme_load(&fx->px, c, fx->arena, id, &t), 0);
	assert_true(t.removed);
	assert_null(t.title);
	db_release(fx->pool, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_scope_and_close, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_answer_by_name_sealed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_anonymous_answer, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_one_changeable_vote, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_theme_sealed_with_proposer_key, fx_setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
