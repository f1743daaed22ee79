/* JSON-lines logging; see log.h. One write(2) per line keeps lines whole. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "core/log.h"
#include "core/util.h"
#include "core/banned.h"

static _Atomic int min_level = LOG_INFO;
static _Atomic int access_on = 1;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lvl)
{
	atomic_store(&min_level, (int)lvl);
}
void log_set_access(int on)
{
	atomic_store(&access_on, on);
}
int log_access_enabled(void)
{
	return atomic_load(&access_on);
}

static void emit(json_t *o)
{
	char ts[32];
	util_iso8601(ts, sizeof ts, util_now());
	json_object_set_new(o, "ts", json_string(ts));
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
	if (s) {
		size_t n = strlen(s);
		s[n] = '\n'; /* json_dumps leaves room: we overwrite the NUL and write n+1 */
		ssize_t w = write(STDERR_FILENO, s, n + 1);
		(void)w;
		free(s);
	}
	json_decref(o);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if ((int)lvl < atomic_load(&min_level))
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string(level_names[lvl]));
	json_object_set_new(o, "msg", json_string(msg));
	emit(o);
}

void log_access(const char *request_id, const char *method, const char *route, int status,
                double ms, long long bytes, long long user_id)
{
	if (!atomic_load(&access_on))
		return;
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string("info"));
	json_object_set_new(o, "msg", json_string("request"));
	json_object_set_new(o, "request_id", json_string(request_id));
	json_object_set_new(o, "method", json_string(method));
	json_object_set_new(o, "route", json_string(route));
	json_object_set_new(o, "status", json_integer(status));
	json_object_set_new(o, "ms", json_real(ms));
	json_object_set_new(o, "bytes", json_integer(bytes));
	if (user_id > 0)
		json_object_set_new(o, "user_id", json_integer(user_id));
	emit(o);
}
