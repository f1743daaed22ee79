/* HTTP handlers for the audit log. */
#ifndef HEARTH_AUDIT_HTTP_H
#define HEARTH_AUDIT_HTTP_H

struct req;
void audit_http_list(struct req *r);

#endif
