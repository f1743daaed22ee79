/* Bump allocator implementation; see arena.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define ALIGN 16u

struct block {
	struct block *next;
	size_t cap;
	size_t used;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct block *head; /* current block, newest first */
	struct block *first;
	size_t total;
};

static struct block *block_new(size_t cap)
{
	struct block *b = xmalloc(sizeof(*b) + cap);
	b->next = NULL;
	b->cap = cap;
	b->used = 0;
	return b;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("hearth: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p) {
		fputs("hearth: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("hearth: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

struct arena *arena_new(size_t first_block)
{
	struct arena *a = xmalloc(sizeof(*a));
	a->first = a->head = block_new(first_block < 256 ? 256 : first_block);
	a->total = 0;
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void arena_reset(struct arena *a)
{
	struct block *b = a->head;
	while (b && b != a->first) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	a->head = a->first;
	a->first->used = 0;
	a->total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ALIGN) {
		fputs("hearth: allocation too large\n", stderr);
		abort();
	}
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct block *b = a->head;
	if (b->cap - b->used < need) {
		size_t cap = b->cap * 2;
		if (cap < need)
			cap = need;
		struct block *nb = block_new(cap);
		nb->next = a->head;
		a->head = b = nb;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		fputs("hearth: allocation too large\n", stderr);
		abort();
	}
	void *p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *d = arena_alloc(a, len + 1);
	if (len)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	char *s = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}
