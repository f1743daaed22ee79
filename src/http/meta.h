/*
 * GET /api/v1/meta: what the UI needs to know before it shows anything —
 * which actions each role may perform (from the policy table), what the
 * caller may do in each of their organisations, and the value lists the
 * server validates with. Each module lends its own validation tables here
 * (struct meta_enum rows in its *_http.c), so a value added to a table is
 * accepted by the server and offered by the UI in one edit.
 */
#ifndef HEARTH_META_H
#define HEARTH_META_H

struct req;

/* One value list: name is the key under "enums" in the answer; values is
 * the NULL-terminated table a field table validates with. A module's list
 * of these ends with {NULL, NULL}. */
struct meta_enum {
	const char *name;
	const char *const *values;
};

/* The tables each module's edge validates with (defined beside its field
 * tables). */
extern const struct meta_enum people_http_enums[];
extern const struct meta_enum programs_http_enums[];
extern const struct meta_enum listening_http_enums[];
extern const struct meta_enum taking_part_http_enums[];

/* GET /api/v1/meta. Public: a visitor who is not logged in (the Join page)
 * gets the policy and the value lists with no organisations. */
void meta_http_get(struct req *r);

#endif
