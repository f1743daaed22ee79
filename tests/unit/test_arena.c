/*
 * Unit tests for the bump allocator (src/core/arena.h). They check the
 * promises a request handler relies on: every pointer is aligned for any
 * type (16 bytes), allocations never overlap even when they spill into new
 * blocks or exceed the block size, calloc really zeroes, the string helpers
 * copy exactly, arena_used() accounts for what was handed out, and an arena
 * keeps working after arena_reset(). ASan watches every byte we write, so a
 * block that is too small shows up as a heap overflow.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/banned.h"

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

static void arena_alloc_alignment(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	/* Odd sizes would misalign a naive bump pointer. */
	static const size_t sizes[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 1};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		void *p = arena_alloc(a, sizes[i]);
		assert_non_null(p);
		assert_true(aligned16(p));
		memset(p, 0xAB, sizes[i]);
	}
	arena_free(a);
}

static void arena_alloc_zero_size_gives_distinct_pointers(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	char *p = arena_alloc(a, 0);
	char *q = arena_alloc(a, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	arena_free(a);
}

/* Many allocations spill over several blocks; each keeps its own content. */
static void arena_alloc_many_cross_blocks(void **state)
{
	(void)state;
	enum { N = 2000, SZ = 40 };
	struct arena *a = arena_new(256);
	unsigned char *ptrs[N];
	for (int i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(a, SZ);
		assert_true(aligned16(ptrs[i]));
		memset(ptrs[i], (unsigned char)i, SZ);
	}
	for (int i = 0; i < N; i++)
		for (int k = 0; k < SZ; k++)
			assert_int_equal(ptrs[i][k], (unsigned char)i);
	arena_free(a);
}

static void arena_alloc_larger_than_block(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	char *small = arena_alloc(a, 10);
	memcpy(small, "before", 7);
	size_t big_n = 1 << 20; /* far more than twice the block */
	unsigned char *big = arena_alloc(a, big_n);
	assert_true(aligned16(big));
	memset(big, 0x5A, big_n); /* ASan catches a short block */
	assert_int_equal(big[0], 0x5A);
	assert_int_equal(big[big_n - 1], 0x5A);
	char *after = arena_alloc(a, 10);
	memcpy(after, "after", 6);
	assert_string_equal(small, "before");
	assert_string_equal(after, "after");
	assert_true(arena_used(a) >= big_n + 20);
	arena_free(a);
}

static void arena_calloc_zeroes(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	/* Dirty the first block, reset, then calloc over the same bytes. */
	memset(arena_alloc(a, 200), 0xFF, 200);
	arena_reset(a);
	unsigned char *z = arena_calloc(a, 50, 4);
	for (int i = 0; i < 200; i++)
		assert_int_equal(z[i], 0);
	/* And in a freshly spilled block too. */
	unsigned char *z2 = arena_calloc(a, 1000, 3);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(z2[i], 0);
	arena_free(a);
}

static void arena_strndup_copies_and_terminates(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	const char src[] = "hello, world";
	char *s = arena_strndup(a, src, 5);
	assert_string_equal(s, "hello");
	assert_ptr_not_equal(s, src);
	/* Embedded NUL in the source is copied as bytes; terminator still added. */
	char *t = arena_strndup(a, "ab\0cd", 5);
	assert_memory_equal(t, "ab\0cd", 6);
	char *e = arena_strndup(a, NULL, 0);
	assert_string_equal(e, "");
	arena_free(a);
}

static void arena_strdup_copies(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	char buf[] = "mutable";
	char *s = arena_strdup(a, buf);
	buf[0] = 'X';
	assert_string_equal(s, "mutable");
	assert_null(arena_strdup(a, NULL));
	assert_string_equal(arena_strdup(a, ""), "");
	arena_free(a);
}

static void arena_printf_formats(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	assert_string_equal(arena_printf(a, "%s-%d-%05.1f", "x", 42, 3.14159), "x-42-003.1");
	assert_string_equal(arena_printf(a, "%s", ""), "");
	/* Longer than the first block. */
	char *long_s = arena_printf(a, "%0600d|", 7);
	assert_int_equal(strlen(long_s), 601);
	assert_int_equal(long_s[599], '7');
	assert_int_equal(long_s[600], '|');
	arena_free(a);
}

static void arena_used_grows(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	assert_int_equal(arena_used(a), 0);
	arena_alloc(a, 1);
	size_t u1 = arena_used(a);
	assert_true(u1 >= 1);
	arena_alloc(a, 100);
	size_t u2 = arena_used(a);
	assert_true(u2 >= u1 + 100);
	arena_alloc(a, 5000); /* new block */
	assert_true(arena_used(a) >= u2 + 5000);
	arena_free(a);
}

static void arena_reset_keeps_working(void **state)
{
	(void)state;
	struct arena *a = arena_new(256);
	char *first = arena_alloc(a, 32);
	for (int i = 0; i < 100; i++)
		arena_alloc(a, 100); /* several extra blocks, freed by the reset */
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	/* The first block is kept for reuse. */
	char *again = arena_alloc(a, 32);
	assert_ptr_equal(first, again);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 50; i++) {
			char *s = arena_printf(a, "round %d item %d", round, i);
			assert_string_equal(s, arena_printf(a, "round %d item %d", round, i));
		}
		assert_true(arena_used(a) > 0);
		arena_reset(a);
		assert_int_equal(arena_used(a), 0);
	}
	arena_free(a);
}

static void arena_free_null_is_safe(void **state)
{
	(void)state;
	arena_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arena_alloc_alignment),
	    cmocka_unit_test(arena_alloc_zero_size_gives_distinct_pointers),
	    cmocka_unit_test(arena_alloc_many_cross_blocks),
	    cmocka_unit_test(arena_alloc_larger_than_block),
	    cmocka_unit_test(arena_calloc_zeroes),
	    cmocka_unit_test(arena_strndup_copies_and_terminates),
	    cmocka_unit_test(arena_strdup_copies),
	    cmocka_unit_test(arena_printf_formats),
	    cmocka_unit_test(arena_used_grows),
	    cmocka_unit_test(arena_reset_keeps_working),
	    cmocka_unit_test(arena_free_null_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
