/*
 * Prometheus metrics: requests by route and status, a latency histogram,
 * and time spent in the database. Counters are per (route, status) slot in
 * a fixed table guarded by one mutex; the histogram uses atomics.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof bucket_le / sizeof bucket_le[0])

/* Counters are a fixed table of atomics: [route or label][status], so that
 * recording a request takes no lock. */
#define MAX_ROUTES 192
static const char *const labels[] = {"static", "not_found", "method_not_allowed", "shutting_down"};
#define NLABELS (sizeof labels / sizeof labels[0])
static const int statuses[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405,
                               409, 410, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define NSTATUSES (sizeof statuses / sizeof statuses[0])
static _Atomic uint64_t counts[MAX_ROUTES + NLABELS][NSTATUSES];
static _Atomic uint64_t buckets[NBUCKETS + 1];
static _Atomic uint64_t sum_ns, total;

void metrics_init(void)
{
}

static size_t status_slot(int status)
{
	for (size_t i = 0; i + 1 < NSTATUSES; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUSES - 1;
}

void metrics_record(const struct route *rt, const char *label, int status, uint64_t ns)
{
	size_t row = NLABELS; /* "static" when nothing matches */
	if (rt && (size_t)(rt - routes) < routes_count && (size_t)(rt - routes) < MAX_ROUTES) {
		row = NLABELS + (size_t)(rt - routes);
	} else {
		for (size_t i = 0; i < NLABELS; i++)
			if (strcmp(labels[i], label) == 0)
				row = i;
		if (row == NLABELS)
			row = 0;
	}
	atomic_fetch_add_explicit(&counts[row][status_slot(status)], 1, memory_order_relaxed);
	if (ns == METRICS_NO_DURATION)
		return;
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < NBUCKETS && s > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
}

void metrics_render(struct buf *out)
{
	buf_puts(out, "# HELP hearth_http_requests_total HTTP requests by route and status.\n"
	              "# TYPE hearth_http_requests_total counter\n");
	for (size_t row = 0; row < NLABELS + routes_count && row < NLABELS + MAX_ROUTES; row++) {
		const char *label = row < NLABELS ? labels[row] : routes[row - NLABELS].pattern;
		const char *method = row < NLABELS ? "" : routes[row - NLABELS].method;
		for (size_t st = 0; st < NSTATUSES; st++) {
			uint64_t n = atomic_load(&counts[row][st]);
			if (!n)
				continue;
			if (statuses[st])
				buf_printf(out,
				           "hearth_http_requests_total{route=\"%s\",status=\"%d\","
				           "method=\"%s\"} %" PRIu64 "\n",
				           label, statuses[st], method, n);
			else
				buf_printf(out,
				           "hearth_http_requests_total{route=\"%s\",status="
				           "\"other\",method=\"%s\"} %" PRIu64 "\n",
				           label, method, n);
		}
	}
	buf_puts(out, "# HELP hearth_http_request_duration_seconds Request latency.\n"
	              "# TYPE hearth_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += atomic_load(&buckets[b]);
		buf_printf(out,
		           "hearth_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		           bucket_le[b], cum);
	}
	cum += atomic_load(&buckets[NBUCKETS]);
	buf_printf(out, "hearth_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
	           cum);
	buf_printf(out, "hearth_http_request_duration_seconds_sum %.6f\n",
	           (double)atomic_load(&sum_ns) / 1e9);
	buf_printf(out, "hearth_http_request_duration_seconds_count %" PRIu64 "\n",
	           atomic_load(&total));
	buf_printf(out,
	           "# HELP hearth_db_seconds_total Time spent in database calls.\n"
	           "# TYPE hearth_db_seconds_total counter\nhearth_db_seconds_total %.6f\n",
	           (double)db_time_ns() / 1e9);
}
