/*
 * Venues of the programmes module (venues.c): the places an organisation
 * holds its programmes, with capacity and accessibility features. Logic
 * only: typed inputs, a database connection, 0 or -HEARTH_E... with a
 * refusal (programs.h). The edge is venues_http.c.
 */
#ifndef HEARTH_PROGRAMS_VENUES_H
#define HEARTH_PROGRAMS_VENUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;
struct arena;
struct db_conn;
struct programs_refusal;

/* A venue as stored; strings are arena memory. */
struct venue {
	int64_t id, organisation_id;
	const char *name, *address, *notes;
	int64_t capacity;
	int64_t features; /* bits of enum venue_feature */
};

/* What a create or an update sets: on update only the has_ fields change. */
struct venue_input {
	int64_t organisation_id; /* create only */
	const char *name, *address, *notes;
	int64_t capacity, features;
	bool has_name, has_address, has_capacity, has_features, has_notes;
};

/* The venues of organisation org (every organisation when 0), by name.
 * *out is an arena array of *n venues. */
int venues_list(struct db_conn *c, struct arena *a, int64_t org, struct venue **out, size_t *n);
/* Venue id into *out; -HEARTH_ENOTFOUND when there is none. */
int venues_get(struct db_conn *c, struct arena *a, int64_t id, struct venue *out);
/* Adds a venue for in->organisation_id, which who must coordinate (403
 * naming organisation_id); an unknown organisation is a 400 naming it.
 * Inside the caller's write transaction; *id gets the new venue's id. */
int venues_create(struct db_conn *c, struct arena *a, const struct actor *who,
                  const struct venue_input *in, int64_t *id, struct programs_refusal *why);
/* Changes venue id (-HEARTH_ENOTFOUND when there is none) of an
 * organisation who coordinates (403). The capacity may not fall below what
 * an open in-person programme there needs (409 naming capacity). Inside the
 * caller's write transaction. */
int venues_update(struct db_conn *c, struct arena *a, const struct actor *who, int64_t id,
                  const struct venue_input *in, struct programs_refusal *why);

#endif
