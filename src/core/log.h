/*
 * Logging as JSON lines on standard error. Callers must never pass a
 * person's sensitive fields or a request body: log what happened, not who.
 */
#ifndef HEARTH_LOG_H
#define HEARTH_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written (default LOG_INFO). */
void log_set_level(enum log_level lvl);
/* Turns the access log on or off (default on). */
void log_set_access(int on);
int log_access_enabled(void);
/* Writes {"ts":..,"level":..,"msg":..} with msg formatted printf-style. */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes one access-log line. route is the route pattern, never the raw path. */
void log_access(const char *request_id, const char *method, const char *route, int status,
                double ms, long long bytes, long long user_id);

#endif
