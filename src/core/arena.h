/*
 * A bump allocator: one per request (after h2o's per-request pool). All
 * allocations die together with arena_free(); nothing allocated from a
 * request's arena may outlive the request. Allocation aborts on out of
 * memory, like xmalloc.
 */
#ifndef HEARTH_ARENA_H
#define HEARTH_ARENA_H

#include <stddef.h>

struct arena;

/* Creates an arena whose first block holds at least first_block bytes.
 * The caller owns the result and releases it with arena_free(). */
struct arena *arena_new(size_t first_block);

/* Releases every block. Safe on NULL. */
void arena_free(struct arena *a);

/* Forgets every allocation but keeps the first block for reuse. */
void arena_reset(struct arena *a);

/* Returns n bytes aligned for any type; never NULL (aborts on OOM). */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc, zeroed. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies len bytes of s and adds a NUL terminator. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Copies a NUL-terminated string; NULL gives NULL. */
char *arena_strdup(struct arena *a, const char *s);

/* printf into the arena; never NULL. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const struct arena *a);

#endif
