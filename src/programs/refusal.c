/*
 * Refusals from the programmes module's logic: a status, the field it
 * names and a message, handed back to the HTTP edge, which answers them as
 * problem+json (programs_http_refused in refusal_http.c). Kept apart so
 * that logic files need nothing from http.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/err.h"
#include "programs/programs.h"
#include "core/banned.h"

int programs_refuse(struct programs_refusal *why, struct arena *a, int status, const char *field,
                    const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = arena_alloc(a, n > 0 ? (size_t)n + 1 : 1);
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, aq);
	else
		msg[0] = '\0';
	va_end(aq);
	why->status = status;
	why->field = field;
	why->message = msg;
	switch (status) {
	case 403: return -HEARTH_EDENIED;
	case 404: return -HEARTH_ENOTFOUND;
	case 409: return -HEARTH_ECONFLICT;
	default: return -HEARTH_EINVAL;
	}
}
