/*
 * libFuzzer target: the router (src/http/router.c) over the real route
 * table, then the path parameters as handlers read them (req_param,
 * req_param_id in src/http/server.c).
 *
 * Input: "METHOD PATH" (no space: the whole input is a GET path), cut at
 * the first NUL as CivetWeb would hand it over. Properties: a matched
 * route has the method asked for (or GET for HEAD), and its pattern with
 * the parameters put back gives the path exactly; parameters are
 * non-empty and hold no '/'; the Allow list fits its buffer and is empty
 * when the path is unknown.
 */
#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "http/http.h"
#include "fuzz.h"

/* Puts the parameters back into the pattern; true when that gives path. */
static bool rebuilds(const struct route *rt, const struct req *r, const char *path)
{
	const char *p = rt->pattern, *s = path;
	int k = 0;
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			CHECK(close && k < r->nparams);
			size_t n = strlen(r->params[k]);
			CHECK(strlen(r->param_names[k]) == (size_t)(close - p - 1));
			CHECK(strncmp(r->param_names[k], p + 1, (size_t)(close - p - 1)) == 0);
			if (strncmp(s, r->params[k], n) != 0)
				return false;
			s += n;
			p = close + 1;
			k++;
			continue;
		}
		if (*s++ != *p++)
			return false;
	}
	return *s == '\0' && k == r->nparams;
}

static void route_one(struct arena *a, const char *method, const char *path, size_t allowlen)
{
	struct req r;
	memset(&r, 0, sizeof r);
	r.arena = a;
	bool known = true;
	char allow[64];
	memset(allow, 'Z', sizeof allow);
	const struct route *rt = router_match(method, path, &r, &known, allow, allowlen);
	if (rt) {
		CHECK(strcmp(rt->method, method) == 0 ||
		      (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0));
		CHECK(r.nparams >= 0 && r.nparams <= REQ_MAX_PARAMS);
		CHECK(rebuilds(rt, &r, path));
		for (int i = 0; i < r.nparams; i++) {
			CHECK(r.params[i][0] != '\0' && !strchr(r.params[i], '/'));
			CHECK(req_param(&r, r.param_names[i]) != NULL);
			int64_t id = req_param_id(&r, r.param_names[i]);
			CHECK(id >= 0);
		}
		CHECK(req_param(&r, "no-such-parameter") == NULL);
		return;
	}
	CHECK(memchr(allow, '\0', allowlen) != NULL);
	if (!known)
		CHECK(allow[0] == '\0');
	else
		CHECK(allow[0] != '\0' || allowlen < 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *method = "GET", *path = buf;
	char *sp = strchr(buf, ' ');
	if (sp) {
		*sp = '\0';
		method = buf;
		path = sp + 1;
	}
	struct arena *a = arena_new(1024);
	route_one(a, method, path, 64); /* what server.c passes */
	route_one(a, method, path, 6);  /* an Allow list that does not fit */
	arena_free(a);
	free(buf);
	return 0;
}
