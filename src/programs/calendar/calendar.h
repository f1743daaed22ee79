/*
 * iCalendar feeds of the programmes module (calendar.c): their tokens and
 * the feeds themselves. Logic only: typed inputs, a database connection,
 * 0 or -HEARTH_E... with a refusal (programs.h). The edge is
 * calendar_http.c.
 */
#ifndef HEARTH_PROGRAMS_CALENDAR_H
#define HEARTH_PROGRAMS_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

struct actor;
struct arena;
struct buf;
struct db_conn;
struct programs_refusal;

/* A token is 32 random bytes in hex, shown once to its owner. */
#define CALENDAR_TOKEN_HEX 64

enum calendar_feed_kind { CALENDAR_PARTICIPANT, CALENDAR_FACILITATOR, CALENDAR_PROGRAMME };

/* Makes a new token for a feed, replacing its owner's old one (which ends
 * the old address), into token. The owner is the participant linked to
 * who's login (403 when there is none), who themself (their duties), or
 * programme *owner, which who must coordinate (404 when there is no such
 * programme, 403 when not theirs). *owner gets the owner's id. Inside the
 * caller's write transaction. */
int calendar_token_reset(struct db_conn *c, struct arena *a, const struct actor *who,
                         enum calendar_feed_kind kind, int64_t *owner,
                         char token[CALENDAR_TOKEN_HEX + 1], struct programs_refusal *why);

/* The token of a feed path ("abc...", or "abc....ics") into out, or false
 * when it is not one we could have made (then no database is asked). */
bool calendar_token_parse(const char *path, char out[CALENDAR_TOKEN_HEX + 1]);

/* Writes the iCalendar text of the feed with this token into out, read in
 * one read transaction of its own (one consistent picture).
 * -HEARTH_ENOTFOUND when there is no such feed, or its owner was erased or
 * disabled. */
int calendar_feed(struct db_conn *c, struct arena *a, const char *token, struct buf *out);

#endif
