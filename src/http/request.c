/*
 * The request and response helpers every handler uses (http.h): path and
 * query parameters, bodies checked against field tables, answers (JSON,
 * problem+json, no content), the request's audit entry, and the end of its
 * transaction (req_commit, req_rollback, req_refuse).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <civetweb.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* --- request helpers --- */

struct db_conn *req_db(struct req *r)
{
	if (!r->db)
		r->db = db_acquire(r->app->db);
	return r->db;
}

const char *req_param(struct req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->params[i];
	return NULL;
}

int64_t req_param_id(struct req *r, const char *name)
{
	const char *s = req_param(r, name);
	if (!s || !*s || strlen(s) > 18)
		return 0;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

const char *req_query(struct req *r, const char *name)
{
	if (!r->query)
		return NULL;
	size_t qlen = strlen(r->query);
	char *out = arena_alloc(r->arena, qlen + 1);
	int n = mg_get_var(r->query, qlen, name, out, qlen + 1);
	return n >= 0 ? out : NULL;
}

const char *req_header(struct req *r, const char *name)
{
	return mg_get_header(r->conn, name);
}

void http_add_header(struct req *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		return;
	buf_append(&r->headers, line, (size_t)n);
	buf_puts(&r->headers, "\r\n");
}

void http_send(struct req *r, int status, const char *content_type, const void *body, size_t len)
{
	struct buf h = BUF_INIT;
	if (r->status) {
		log_msg(LOG_ERROR, "second response for request %s ignored", r->request_id);
		return;
	}
	buf_printf(&h, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, status_text(status), http_date());
	if (content_type)
		buf_printf(&h, "Content-Type: %s\r\n", content_type);
	/* no-store unless the handler chose its own caching (calendar feeds). */
	bool cache_set = r->headers.data && strncasecmp(r->headers.data, "Cache-Control:", 14) == 0;
	for (const char *p = r->headers.data; p && !cache_set && (p = strstr(p, "\r\n")); p += 2)
		cache_set = strncasecmp(p + 2, "Cache-Control:", 14) == 0;
	buf_printf(&h, "Content-Length: %zu\r\n%sX-Request-Id: %s\r\n", len,
	           cache_set ? "" : "Cache-Control: no-store\r\n", r->request_id);
	buf_puts(&h, http_security_headers);
	if (r->headers.len)
		buf_append(&h, r->headers.data, r->headers.len);
	buf_puts(&h, "\r\n");
	if (len && strcmp(r->method, "HEAD") != 0)
		buf_append(&h, body, len);
	mg_write(r->conn, h.data, h.len);
	buf_release(&h);
	r->status = status;
	r->bytes = (long long)len;
}

void http_stream_begin(struct req *r, int status, const char *content_type)
{
	struct buf h = BUF_INIT;
	if (r->status) {
		log_msg(LOG_ERROR, "second response for request %s ignored", r->request_id);
		return;
	}
	buf_printf(&h,
	           "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
	           "Connection: close\r\nX-Accel-Buffering: no\r\nX-Request-Id: %s\r\n",
	           status, status_text(status), http_date(), content_type, r->request_id);
	buf_puts(&h, http_security_headers);
	if (r->headers.len)
		buf_append(&h, r->headers.data, r->headers.len);
	buf_puts(&h, "\r\n");
	mg_write(r->conn, h.data, h.len);
	buf_release(&h);
	r->status = status;
	/* No length: the connection ends with the answer. */
	r->close_conn = true;
	r->streamed = true;
}

int http_stream_write(struct req *r, const char *data, size_t len)
{
	if (mg_write(r->conn, data, len) != (int)len)
		return -1;
	r->bytes += (long long)len;
	return 0;
}

void http_field_problem(struct req *r, int status, const char *field, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (strstr(msg, field))
		http_problem_ext(r, status, json_pack("{s:s}", "field", field), "%s", msg);
	else
		http_problem_ext(r, status, json_pack("{s:s}", "field", field), "%s: %s", field,
		                 msg);
}

void http_json(struct req *r, int status, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (!s) {
		http_problem(r, 500, "the response could not be encoded");
		return;
	}
	http_send(r, status, "application/json", s, strlen(s));
	free(s);
}

void http_no_content(struct req *r)
{
	http_send(r, 204, NULL, NULL, 0);
}

/* fmt is a caller's printf format (clang's -Wformat-nonliteral wants to
 * know, for the fuzz build). */
static void problem_v(struct req *r, int status, json_t *ext, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void problem_v(struct req *r, int status, json_t *ext, const char *fmt, va_list ap)
{
	char detail[600];
	vsnprintf(detail, sizeof detail, fmt, ap);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("about:blank"));
	json_object_set_new(o, "title", json_string(status_text(status)));
	json_object_set_new(o, "status", json_integer(status));
	json_object_set_new(o, "detail", json_string(detail));
	json_object_set_new(o, "request_id", json_string(r->request_id));
	if (ext) {
		json_object_update(o, ext);
		json_decref(ext);
	}
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	http_send(r, status, "application/problem+json", s ? s : "{}", s ? strlen(s) : 2);
	free(s);
}

void http_problem(struct req *r, int status, const char *detail, ...)
{
	va_list ap;
	va_start(ap, detail);
	problem_v(r, status, NULL, detail, ap);
	va_end(ap);
}

void http_problem_ext(struct req *r, int status, json_t *ext, const char *detail, ...)
{
	va_list ap;
	va_start(ap, detail);
	problem_v(r, status, ext, detail, ap);
	va_end(ap);
}

void http_error(struct req *r, int err, const char *what)
{
	switch (-err) {
	case HEARTH_EINVAL: http_problem(r, 400, "%s: invalid input", what); break;
	case HEARTH_ENOTFOUND: http_problem(r, 404, "%s was not found", what); break;
	case HEARTH_ECONFLICT:
		http_problem(r, 409, "%s conflicts with an existing record", what);
		break;
	case HEARTH_EDENIED: http_problem(r, 403, "you are not allowed to do this"); break;
	case HEARTH_EAUTH: http_problem(r, 401, "log in first"); break;
	case HEARTH_EBUSY:
		http_add_header(r, "Retry-After: 1");
		http_problem(r, 503, "the database is busy; try again in a moment");
		break;
	case HEARTH_EOVERLOAD:
		http_add_header(r, "Retry-After: 2");
		http_problem(r, 503, "the server is busy; try again in a moment");
		break;
	case HEARTH_EUNAVAILABLE:
		http_add_header(r, "Retry-After: 5");
		http_problem(r, 503,
		             "the database cannot be reached right now; nothing was saved. Try "
		             "again in a moment");
		break;
	default:
		log_msg(LOG_ERROR, "request %s: %s: %s", r->request_id, what, hearth_strerror(err));
		http_problem(r, 500, "something went wrong on our side (request %s)",
		             r->request_id);
	}
}

int req_audit(struct req *r, const char *action, const char *resource, const char *outcome)
{
	struct audit_entry e = {
	    .actor_id = r->actor.user_id,
	    .organisation_id = r->actor.organisation_id,
	    .action = action,
	    .resource = resource,
	    .outcome = outcome,
	    .request_id = r->request_id,
	    .actor_token_id = r->actor.token_id,
	};
	return audit_append(req_db(r), &r->app->kr, &e);
}

bool req_fields(struct req *r, const struct field *f, size_t n, struct field_value *out)
{
	char err[300];
	const char *bad = NULL;
	if (json_fields_parse(r->body, f, n, r->arena, out, &bad, err, sizeof err) == 0)
		return true;
	http_problem_ext(r, 400, json_pack("{s:s}", "field", bad ? bad : ""), "%s", err);
	return false;
}

bool req_body_fields(struct req *r, const struct field_table *t, struct field_value *out)
{
	/* What the handler checks is what the API document promises. */
	assert(!r->route || r->route->body == t);
	return req_fields(r, t->fields, t->n, out);
}

bool req_commit(struct req *r, int rc, const char *action, const char *resource, const char *what)
{
	struct db_conn *c = req_db(r);
	if (!rc)
		rc = req_audit(r, action, resource, "success");
	if (!rc)
		rc = db_commit(c);
	if (rc) {
		db_rollback(c);
		http_error(r, rc, what);
		return false;
	}
	return true;
}

void req_rollback(struct req *r)
{
	if (r->db && db_in_transaction(r->db))
		db_rollback(r->db);
}

void req_refuse(struct req *r, int status, const char *field, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	req_rollback(r);
	http_field_problem(r, status, field, "%s", msg);
}
