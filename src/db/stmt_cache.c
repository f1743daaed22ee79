/*
 * The prepared-statement cache both backends use: an open-addressing table
 * keyed by the address of a statement's SQL text (modules keep their SQL in
 * static catalogues, so the address identifies the statement).
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/xalloc.h"
#include "db/db.h"
#include "core/banned.h"

static size_t slot_of(const void *key, size_t cap)
{
	uintptr_t h = (uintptr_t)key;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

void db__cache_init(struct db_stmt_cache *c)
{
	c->cap = 64;
	c->count = 0;
	c->slots = xcalloc(c->cap, sizeof *c->slots);
}

struct db_stmt *db__cache_find(const struct db_stmt_cache *c, const char *sql)
{
	for (size_t i = slot_of(sql, c->cap); c->slots[i]; i = (i + 1) & (c->cap - 1))
		if (c->slots[i]->key == sql)
			return c->slots[i];
	return NULL;
}

static void put(struct db_stmt **slots, size_t cap, struct db_stmt *s)
{
	size_t i = slot_of(s->key, cap);
	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = s;
}

void db__cache_add(struct db_stmt_cache *c, struct db_stmt *s)
{
	if ((c->count + 1) * 2 > c->cap) {
		size_t ncap = c->cap * 2;
		struct db_stmt **n = xcalloc(ncap, sizeof *n);
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i])
				put(n, ncap, c->slots[i]);
		free(c->slots);
		c->slots = n;
		c->cap = ncap;
	}
	put(c->slots, c->cap, s);
	c->count++;
}

void db__cache_release(struct db_stmt_cache *c)
{
	free(c->slots);
	c->slots = NULL;
	c->cap = c->count = 0;
}
