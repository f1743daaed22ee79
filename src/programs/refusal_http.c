/*
 * The edge's half of the programmes module's refusals: turns what a logic
 * function returned into the answer.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "programs/programs_http.h"
#include "core/banned.h"

void programs_http_close(struct req *r)
{
	req_rollback(r); /* nothing to roll back when no connection was borrowed */
}

void programs_bad(struct req *r, int status, const char *field, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	req_refuse(r, status, field, "%s", msg);
}

bool programs_http_finish(struct req *r, int rc, const struct programs_refusal *why,
                          const char *what, const char *action, const char *resource)
{
	if (!rc && !(why && why->status) && !r->status)
		return req_commit(r, 0, action, resource, what);
	if (r->status) /* a helper answered already */
		programs_http_close(r);
	else
		programs_http_refused(r, rc ? rc : -HEARTH_EINVAL, why, what);
	return false;
}

void programs_http_refused(struct req *r, int rc, const struct programs_refusal *why,
                           const char *what)
{
	programs_http_close(r);
	if (why && why->status && (why->ext_int_name || why->ext_str_name)) {
		json_t *ext = json_object();
		if (why->field)
			json_object_set_new(ext, "field", json_string(why->field));
		if (why->ext_int_name)
			json_object_set_new(ext, why->ext_int_name, json_integer(why->ext_int));
		if (why->ext_str_name)
			json_object_set_new(ext, why->ext_str_name, json_string(why->ext_str));
		http_problem_ext(r, why->status, ext, "%s", why->message);
		return;
	}
	if (why && why->status) {
		if (why->field)
			http_field_problem(r, why->status, why->field, "%s", why->message);
		else
			http_problem(r, why->status, "%s", why->message);
		return;
	}
	http_error(r, rc, what);
}

bool programs_query_id(struct req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	*out = 0;
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1) {
		programs_bad(r, 400, name, "%s must be a positive id", name);
		return false;
	}
	*out = v;
	return true;
}
