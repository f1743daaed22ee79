/*
 * Matching a method and path against the route table. Patterns are literal
 * segments and {name} parameters; a parameter matches one non-empty segment.
 * The table is small, so a linear scan is both simple and fast.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "http/http.h"
#include "core/banned.h"

/* Matches path against pattern; on success records parameters in r (when
 * r is not NULL). */
static bool match(const char *pattern, const char *path, struct req *r)
{
	const char *p = pattern, *s = path;
	int n = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			const char *send = strchr(s, '/');
			if (!pend)
				return false;
			if (!send)
				send = s + strlen(s);
			if (send == s || n >= REQ_MAX_PARAMS)
				return false;
			if (r) {
				r->param_names[n] =
				    arena_strndup(r->arena, p + 1, (size_t)(pend - p - 1));
				r->params[n] = arena_strndup(r->arena, s, (size_t)(send - s));
			}
			n++;
			p = pend + 1;
			s = send;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (r)
		r->nparams = n;
	return true;
}

const struct route *router_match(const char *method, const char *path, struct req *r,
                                 bool *path_known, char *allow, size_t allowlen)
{
	*path_known = false;
	size_t used = 0;
	if (allowlen)
		allow[0] = '\0';
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *rt = &routes[i];
		if (!match(rt->pattern, path, NULL))
			continue;
		if (strcmp(rt->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
			match(rt->pattern, path, r);
			return rt;
		}
		*path_known = true;
		if (!strstr(allow, rt->method)) {
			int n = snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "",
			                 rt->method);
			if (n > 0 && (size_t)n < allowlen - used)
				used += (size_t)n;
		}
	}
	return NULL;
}
