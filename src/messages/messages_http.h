/*
 * HTTP edge of the messages module's email side (messages_http.c): the
 * person's message preferences, one-click unsubscribe, and the admins'
 * outbox. Routes in src/http/routes.c.
 */
#ifndef HEARTH_MESSAGES_HTTP_H
#define HEARTH_MESSAGES_HTTP_H

#include "core/json.h"

struct req;

void messages_http_prefs_get(struct req *r);
void messages_http_prefs_put(struct req *r);
extern const struct field_table messages_http_prefs_body;
void messages_http_unsubscribe_get(struct req *r);
void messages_http_unsubscribe_post(struct req *r);
void messages_http_outbox_list(struct req *r);
void messages_http_outbox_email(struct req *r);
void messages_http_outbox_retry(struct req *r);
void messages_http_outbox_test(struct req *r);

#endif
