/*
 * The inbox below the HTTP edge (src/messages/inbox.c): newest first and
 * only the caller's inbox rows, pages by cursor, the unread count, marking
 * read (someone else's message is not found; a second read changes
 * nothing and tells nobody), marking all read, and the "message_read"
 * event each change publishes for the person's other pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "messages/live.h"
#include "messages/messages.h"

#include "fixture.h"

static int fx_setup(void **state)
{
	return fx_open(state, "inbox");
}

static int64_t user(struct fx *fx, const char *email)
{
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(auth_user_create(c, email, "Someone", "x", &id), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	return id;
}

static int64_t send_msg(struct fx *fx, int64_t u, enum message_kind kind)
{
	struct message m = {.kind = kind, .org = fx->org_a, .user_id = u};
	struct db_conn *c = db_acquire(fx->pool);
	int64_t id = 0;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(messages_send(c, &fx->kr, &m, &id), 0);
	assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	return id;
}

static int64_t read_events(struct fx *fx, int64_t u)
{
	struct db_conn *c = db_acquire(fx->pool);
	struct db_stmt *s = db_prepare(
	    c, "SELECT COUNT(*) FROM events WHERE user_id = ? AND kind = 'message_read'");
	db_bind_i64(s, 1, u);
	assert_int_equal(db_step(s), DB_ROW);
	int64_t n = db_col_i64(s, 0);
	db_finish(s);
	db_release(fx->pool, c);
	return n;
}

static int64_t unread(struct fx *fx, int64_t u)
{
	struct db_conn *c = db_acquire(fx->pool);
	int64_t n = -1;
	assert_int_equal(inbox_unread(c, u, &n), 0);
	db_release(fx->pool, c);
	return n;
}

static int mark(struct fx *fx, int64_t u, int64_t id)
{
	struct db_conn *c = db_acquire(fx->pool);
	assert_int_equal(db_begin(c, true), 0);
	int rc = inbox_mark_read(c, u, id);
	if (rc)
		db_rollback(c);
	else
		assert_int_equal(db_commit(c), 0);
	db_release(fx->pool, c);
	return rc;
}

static void inbox_list_newest_first_only_mine(void **state)
{
	struct fx *fx = *state;
	int64_t me = user(fx, "me@example.org"), other = user(fx, "other@example.org");
	int64_t a = send_msg(fx, me, MSG_DUTY_ON);
	send_msg(fx, other, MSG_TEST);
	send_msg(fx, me, MSG_PASSWORD_RESET); /* email only: not in the inbox */
	int64_t b = send_msg(fx, me, MSG_TEST);
	int64_t c3 = send_msg(fx, me, MSG_TEST);

	struct db_conn *c = db_acquire(fx->pool);
	json_t *items = NULL;
	int64_t next = -1;
	assert_int_equal(inbox_list(c, me, 2, 0, &items, &next), 0);
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), c3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), b);
	assert_int_equal(next, b);
	assert_true(json_is_null(json_object_get(json_array_get(items, 0), "read_at")));
	assert_true(json_is_object(json_object_get(json_array_get(items, 0), "params")));
	json_decref(items);
	assert_int_equal(inbox_list(c, me, 2, next, &items, &next), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), a);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "kind")),
	                    "duty_on");
	assert_int_equal(next, 0);
	json_decref(items);
	db_release(fx->pool, c);
	assert_int_equal(unread(fx, me), 3);
	assert_int_equal(unread(fx, other), 1);
}

static void inbox_mark_read_someone_elses_is_not_found(void **state)
{
	struct fx *fx = *state;
	int64_t me = user(fx, "me@example.org"), other = user(fx, "other@example.org");
	int64_t theirs = send_msg(fx, other, MSG_TEST);
	int64_t hidden = send_msg(fx, me, MSG_PASSWORD_RESET);
	assert_int_equal(mark(fx, me, theirs), -HEARTH_ENOTFOUND);
	assert_int_equal(mark(fx, me, 987654321), -HEARTH_ENOTFOUND);
	assert_int_equal(mark(fx, me, hidden), -HEARTH_ENOTFOUND);
	assert_int_equal(unread(fx, other), 1);
	assert_int_equal(read_events(fx, me), 0);
}

static void inbox_mark_read_once_tells_once(void **state)
{
	struct fx *fx = *state;
	int64_t me = user(fx, "me@example.org");
	int64_t a = send_msg(fx, me, MSG_TEST);
	send_msg(fx, me, MSG_TEST);
	assert_int_equal(mark(fx, me, a), 0);
	assert_int_equal(unread(fx, me), 1);
	assert_int_equal(read_events(fx, me), 1);
	/* Read again: nothing changes, nobody is told. */
	assert_int_equal(mark(fx, me, a), 0);
	assert_int_equal(read_events(fx, me), 1);
}

static void inbox_mark_all_read_counts(void **state)
{
	struct fx *fx = *state;
	int64_t me = user(fx, "me@example.org"), other = user(fx, "other@example.org");
	send_msg(fx, me, MSG_TEST);
	send_msg(fx, me, MSG_TEST);
	send_msg(fx, other, MSG_TEST);
	struct db_conn *c = db_acquire(fx->pool);
	int64_t n = -1;
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(inbox_mark_all_read(c, me, &n), 0);
	assert_int_equal(db_commit(c), 0);
	assert_int_equal(n, 2);
	assert_int_equal(db_begin(c, true), 0);
	assert_int_equal(inbox_mark_all_read(c, me, &n), 0);
	assert_int_equal(db_commit(c), 0);
	assert_int_equal(n, 0);
	db_release(fx->pool, c);
	assert_int_equal(unread(fx, me), 0);
	assert_int_equal(unread(fx, other), 1);
	assert_int_equal(read_events(fx, me), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(inbox_list_newest_first_only_mine, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(inbox_mark_read_someone_elses_is_not_found, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(inbox_mark_read_once_tells_once, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(inbox_mark_all_read_counts, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
