/*
 * Inside the messages module: the streams of /api/v1/events (events.c) and
 * the inbox (inbox.c), as their edge files (events_http.c, inbox_http.c)
 * call them. Logic only: no HTTP here; the edge hands a stream a function
 * that writes to its connection.
 */
#ifndef HEARTH_MESSAGES_LIVE_H
#define HEARTH_MESSAGES_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct arena;
struct db_conn;
struct db_pool;

/* One open stream. The edge fills it, writes the response head, and calls
 * events_stream(). */
struct events_stream {
	int64_t user_id;        /* the caller at subscribe time */
	bool bearer;            /* credential is an API token, else a session cookie */
	const char *credential; /* re-resolved at send time (never logged) */
	int64_t session_idle;   /* the sessions' idle lifetime (seconds) */
	int64_t last_id;        /* Last-Event-ID: send the kept events after it; -1: none */
	int heartbeat_ms;       /* ": hb" comment this often */
	/* Writes len bytes to the client: 0, or -1 when the write failed. */
	int (*write)(void *ctx, const char *data, size_t len);
	/* True once the server drains (SIGTERM): the stream ends. */
	bool (*draining)(void);
	void *ctx;
};

/* Sends s's events until the session or token is no longer valid, a write
 * fails, or the server drains. Holds no database connection while it
 * waits: it borrows one from p only to check the credential again and to
 * read kept events from the table (resume, or a stream that fell behind).
 * Returns 0 when it ended for one of those reasons, or a negative hearth_err
 * when the database failed (the stream ends too). */
int events_stream(struct db_pool *p, struct events_stream *s);

/* The inbox (inbox.c). Every function takes the caller's user id; a
 * message of someone else is -HEARTH_ENOTFOUND like a missing one. */

/* A page of user's inbox, newest first: at most limit messages with an id
 * below cursor (0: from the newest). *out is a JSON array of {id, kind,
 * params, created_at, read_at} (the caller owns it); *next the cursor of
 * the next page, 0 at the end. */
int inbox_list(struct db_conn *c, int64_t user_id, int limit, int64_t cursor, json_t **out,
               int64_t *next);
/* How many of user's inbox messages are unread. */
int inbox_unread(struct db_conn *c, int64_t user_id, int64_t *n);
/* Inside a write transaction: marks message id read (already read: stays
 * as it was) and tells the user's other pages (event "message_read"). */
int inbox_mark_read(struct db_conn *c, int64_t user_id, int64_t id);
/* Inside a write transaction: marks every unread message of user read;
 * *n how many. An event "message_read" (ref_id 0) when any changed. */
int inbox_mark_all_read(struct db_conn *c, int64_t user_id, int64_t *n);

#endif
