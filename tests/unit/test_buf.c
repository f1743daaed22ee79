/*
 * Unit tests for the growable buffer (src/core/buf.h). The buffer's
 * invariant is that data[len] is a NUL whenever data is set, so every test
 * checks it after each operation; growth is pushed well past the initial
 * capacity so that realloc moves the bytes; buf_html must escape exactly the
 * five characters that matter in HTML text and attributes; and buf_detach
 * must hand over ownership (the caller frees, the buffer is empty again).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/banned.h"

/* Asserts the documented invariant and that len matches the C string. */
static void check_invariant(const struct buf *b)
{
	if (!b->data) {
		assert_int_equal(b->len, 0);
		return;
	}
	assert_true(b->cap > b->len);
	assert_int_equal(b->data[b->len], '\0');
}

static void buf_append_grows_and_keeps_bytes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	char chunk[37];
	for (int i = 0; i < 1000; i++) {
		memset(chunk, 'a' + (i % 26), sizeof chunk);
		buf_append(&b, chunk, sizeof chunk);
		check_invariant(&b);
	}
	assert_int_equal(b.len, 37000);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.data[i], 'a' + (int)((i / 37) % 26));
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void buf_append_binary_and_empty(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_append(&b, "", 0);
	assert_non_null(b.data); /* an empty append still yields a valid string */
	check_invariant(&b);
	assert_string_equal(b.data, "");
	buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	check_invariant(&b);
	buf_release(&b);
}

static void buf_puts_concatenates(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "hello");
	check_invariant(&b);
	buf_puts(&b, ", ");
	buf_puts(&b, "");
	buf_puts(&b, "world");
	check_invariant(&b);
	assert_string_equal(b.data, "hello, world");
	assert_int_equal(b.len, strlen("hello, world"));
	buf_release(&b);
}

static void buf_printf_appends_and_grows(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "x=");
	buf_printf(&b, "%d;%s", 42, "y");
	check_invariant(&b);
	assert_string_equal(b.data, "x=42;y");
	/* One printf much larger than the current capacity. */
	buf_printf(&b, "%0500d", 1);
	check_invariant(&b);
	assert_int_equal(b.len, 6 + 500);
	assert_int_equal(b.data[6], '0');
	assert_int_equal(b.data[505], '1');
	/* Many small ones. */
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%c", 'A' + i % 26);
	check_invariant(&b);
	assert_int_equal(b.len, 506 + 1000);
	assert_int_equal(b.data[506], 'A');
	assert_int_equal(b.data[b.len - 1], 'A' + 999 % 26);
	buf_release(&b);
}

static void buf_printf_empty_result(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "keep");
	buf_printf(&b, "%s", "");
	check_invariant(&b);
	assert_string_equal(b.data, "keep");
	assert_int_equal(b.len, 4);
	buf_release(&b);
}

static void buf_html_escapes_special_characters(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_html(&b, "<a href=\"x\" title='y'>Tom & Jerry</a>");
	check_invariant(&b);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; "
	                            "Jerry&lt;/a&gt;");
	assert_int_equal(b.len, strlen(b.data));
	buf_release(&b);
}

static void buf_html_passes_other_text_through(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "[");
	buf_html(&b, "plain text, Zoë 😀 / \\ ;:=");
	buf_html(&b, "");
	buf_html(&b, NULL);
	buf_puts(&b, "]");
	check_invariant(&b);
	assert_string_equal(b.data, "[plain text, Zoë 😀 / \\ ;:=]");
	buf_release(&b);
}

static void buf_html_reescapes_entities(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	/* Already-escaped input is escaped again: the function escapes text, not HTML. */
	buf_html(&b, "&amp;&&");
	assert_string_equal(b.data, "&amp;amp;&amp;&amp;");
	buf_release(&b);
}

static void buf_detach_transfers_ownership(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_puts(&b, "owned by caller");
	size_t len = 0;
	char *s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "owned by caller");
	assert_int_equal(len, strlen("owned by caller"));
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The buffer is reusable and independent of the detached bytes. */
	buf_puts(&b, "new");
	assert_string_equal(b.data, "new");
	assert_string_equal(s, "owned by caller");
	free(s); /* ASan reports a leak or double free if ownership is wrong */
	buf_release(&b);
}

static void buf_detach_empty_gives_empty_string(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	assert_null(b.data);
	free(s);
	/* len may be NULL. */
	buf_puts(&b, "x");
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "x");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buf_append_grows_and_keeps_bytes),
	    cmocka_unit_test(buf_append_binary_and_empty),
	    cmocka_unit_test(buf_puts_concatenates),
	    cmocka_unit_test(buf_printf_appends_and_grows),
	    cmocka_unit_test(buf_printf_empty_result),
	    cmocka_unit_test(buf_html_escapes_special_characters),
	    cmocka_unit_test(buf_html_passes_other_text_through),
	    cmocka_unit_test(buf_html_reescapes_entities),
	    cmocka_unit_test(buf_detach_transfers_ownership),
	    cmocka_unit_test(buf_detach_empty_gives_empty_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
