/*
 * Messages below the HTTP edge: a message is written with the change that
 * causes it or not at all, its one-time secret is never stored in the
 * clear, a cancelled reminder stays unsent, and notifications wake waiters
 * when (and only when) a transaction commits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "messages/internal.h"
#include "messages/messages.h"

#include "fixture.h"

static int fx_setup(void **state)
{
	return fx_open(state, "messages");
}

static int64_t user(struct fx *fx, const char *email)
{
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_create(c, email, "Staff", "x", &id), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	return id;
}

static int64_t count(struct fx *fx, const char *sql, int64_t arg)
{
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(c, sql);
	assert_non_null(s);
	db_bind_i64(s, 1, arg);
	assert_int_equal(db_step(s), DB_ROW);
	int64_t n = db_col_i64(s, 0);
	db_finish(s);
	db_release(fx->pool, c);
	return n;
}

static bool contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static const char SQL_MESSAGES[] = "SELECT COUNT(*) FROM messages WHERE user_id = ?";
static const char SQL_EVENTS[] = "SELECT COUNT(*) FROM events WHERE user_id = ?";

static void send_commits_with_the_change_or_not_at_all(void **state)
{
	struct fx *fx = *state;
	int64_t u = user(fx, "duty@example.org");
	json_t *params = json_pack("{s:i}", "session_id", 7);
	struct message m = {.kind = MSG_DUTY_ON, .org = fx->org_a, .user_id = u, .params = params};

	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, &id), 0);
	assert_true(id > 0);
	db_rollback(c);
	db_release(fx->pool, c);
	assert_int_equal(count(fx, SQL_MESSAGES, u), 0);
	assert_int_equal(count(fx, SQL_EVENTS, u), 0);

	c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, &id), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	json_decref(params);
	assert_int_equal(count(fx, SQL_MESSAGES, u), 1);
	/* Its event tells the recipient's open pages. */
	assert_int_equal(count(fx, SQL_EVENTS, u), 1);
	assert_int_equal(
	    count(fx,
	          "SELECT COUNT(*) FROM messages WHERE id = ? AND email_state = 'queued'"
	          " AND params = '{\"session_id\":7}' AND kind = 'duty_on' AND in_inbox = 1",
	          id),
	    1);
}

static void secret_is_sealed(void **state)
{
	struct fx *fx = *state;
	int64_t u = user(fx, "reset@example.org");
	const char *token = "tok-0123456789abcdef";
	struct message m = {.kind = MSG_PASSWORD_RESET, .user_id = u, .secret = token};
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, &id), 0);
	assert_int_equal(db_commit(c), 0);
	/* A reset link is for someone who cannot log in: email only, and no
	 * event for a stream. */
	assert_int_equal(count(fx, "SELECT in_inbox FROM messages WHERE id = ?", id), 0);
	assert_int_equal(count(fx, SQL_EVENTS, u), 0);

	struct db_stmt *s = db_prepare(c, "SELECT secret FROM messages WHERE id = ?");
	db_bind_i64(s, 1, id);
	assert_int_equal(db_step(s), DB_ROW);
	size_t n = 0;
	const unsigned char *blob = db_col_blob(s, 0, &n);
	assert_int_equal(n, strlen(token) + HC_SEAL_OVERHEAD);
	assert_false(contains(blob, n, token));
	char out[64];
	assert_int_equal(messages__secret_open(&fx->kr, blob, n, out, sizeof out), 0);
	assert_string_equal(out, token);
	/* Another deployment's key opens nothing. */
	assert_int_equal(messages__secret_open(&fx->other, blob, n, out, sizeof out),
	                 -HEARTH_ECRYPTO);
	db_finish(s);
	db_release(fx->pool, c);
}

static void cancel_withdraws_only_queued(void **state)
{
	struct fx *fx = *state;
	int64_t u = user(fx, "wait@example.org");
	struct message m = {.kind = MSG_WAITLIST_REMINDER,
	                    .user_id = u,
	                    .not_before = util_now() + 3600,
	                    .cancel_key = "offer:42"};
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id1 = 0, id2 = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, &id1), 0);
	m.cancel_key = "offer:43";
	assert_int_equal(messages_send(c, &fx->kr, &m, &id2), 0);
	assert_int_equal(messages_cancel(c, "offer:42"), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	assert_int_equal(
	    count(fx, "SELECT COUNT(*) FROM messages WHERE id = ? AND email_state = 'cancelled'",
	          id1),
	    1);
	assert_int_equal(
	    count(fx, "SELECT COUNT(*) FROM messages WHERE id = ? AND email_state = 'queued'", id2),
	    1);
	assert_int_equal(
	    count(fx, "SELECT COUNT(*) FROM messages WHERE id = ? AND next_at > created_at", id2),
	    1);
}

static void refuses_a_message_without_recipient(void **state)
{
	struct fx *fx = *state;
	struct message m = {.kind = MSG_TEST};
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, NULL), -HEARTH_EINVAL);
	m.kind = MSG__MAX;
	m.user_id = 1;
	assert_int_equal(messages_send(c, &fx->kr, &m, NULL), -HEARTH_EINVAL);
	db_rollback(c);
	db_release(fx->pool, c);
	assert_int_equal(message_kind_from_name("waitlist_offer"), MSG_WAITLIST_OFFER);
	assert_int_equal(message_kind_from_name("nope"), -1);
}

static void notify_wakes_on_commit_only(void **state)
{
	struct fx *fx = *state;
	struct db_notify_seen seen;
	db_notify_snapshot(&seen);
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	db_notify(c, DB_CH_EVENTS);
	db_rollback(c);
	assert_int_equal(db_wait_notify(DB_CH__ALL, &seen, 50), 0);

	assert_int_equal(db_begin(c, true), 0);
	db_notify(c, DB_CH_EVENTS);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	/* Committed before the wait began: the wait returns at once. */
	assert_int_equal(db_wait_notify(DB_CH_OUTBOX, &seen, 50), 0);
	assert_int_equal(db_wait_notify(DB_CH__ALL, &seen, 50), DB_CH_EVENTS);
	assert_int_equal(db_wait_notify(DB_CH__ALL, &seen, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(send_commits_with_the_change_or_not_at_all, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(secret_is_sealed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(cancel_withdraws_only_queued, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(refuses_a_message_without_recipient, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(notify_wakes_on_commit_only, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
