/*
 * Inside the auth module: helpers shared by auth.c, session.c and token.c.
 * Other modules include auth.h only.
 */
#ifndef HEARTH_AUTH_INTERNAL_H
#define HEARTH_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db_conn;

/* Writes the stored form of a secret (session cookie, API token) into out:
 * its unkeyed BLAKE2b hash, hex (session.c). */
void auth__secret_hash(char out[65], const char *secret);
/* Returns v, an arena array of n elements of size sz, grown (a copy in a
 * when *cap is reached, *cap updated) to hold one more (auth.c). */
void *auth__grow(struct arena *a, void *v, size_t n, size_t *cap, size_t sz);
/* Sets *found when organisation id exists. Returns 0 or -HEARTH_EDB (auth.c). */
int auth__org_exists(struct db_conn *c, int64_t id, bool *found);

#endif
