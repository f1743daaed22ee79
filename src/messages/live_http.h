/*
 * The routes of the messages module's live part (routes.c names them):
 * the event stream (events_http.c) and the inbox (inbox_http.c).
 */
#ifndef HEARTH_MESSAGES_LIVE_HTTP_H
#define HEARTH_MESSAGES_LIVE_HTTP_H

struct req;

void events_http_stream(struct req *r);
void inbox_http_list(struct req *r);
void inbox_http_unread(struct req *r);
void inbox_http_read(struct req *r);
void inbox_http_read_all(struct req *r);

#endif
