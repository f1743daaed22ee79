/*
 * Prometheus metrics: requests by route and status, a latency histogram,
 * and time spent in the database. Counters are per (route, status) slot in
 * a fixed table guarded by one mutex; the histogram uses atomics.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

#define MAX_SERIES 512

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS (sizeof bucket_le / sizeof bucket_le[0])

static struct series {
	const char *label; /* route pattern or a fixed label; static storage */
	int status;
	uint64_t count;
} series[MAX_SERIES];
static size_t nseries;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t buckets[NBUCKETS + 1];
static _Atomic uint64_t sum_ns, total;

void metrics_init(void) {}

void metrics_record(const struct route *rt, const char *label, int status, uint64_t ns)
{
	(void)rt;
	pthread_mutex_lock(&mu);
	size_t i;
	for (i = 0; i < nseries; i++)
		if (series[i].status == status && series[i].label == label)
			break;
	if (i == nseries && nseries < MAX_SERIES)
		series[nseries++] = (struct series){label, status, 0};
	if (i < MAX_SERIES)
		series[i].count++;
	pthread_mutex_unlock(&mu);
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < NBUCKETS && s > bucket_le[b])
		b++;
	atomic_fetch_add(&buckets[b], 1);
	atomic_fetch_add(&sum_ns, ns);
	atomic_fetch_add(&total, 1);
}

void metrics_render(struct buf *out)
{
	buf_puts(out, "# HELP hearth_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE hearth_http_requests_total counter\n");
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nseries; i++)
		buf_printf(out, "hearth_http_requests_total{route=\"%s\",status=\"%d\"} %" PRIu64 "\n",
			   series[i].label, series[i].status, series[i].count);
	pthread_mutex_unlock(&mu);
	buf_puts(out, "# HELP hearth_http_request_duration_seconds Request latency.\n"
		      "# TYPE hearth_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += atomic_load(&buckets[b]);
		buf_printf(out, "hearth_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
			   bucket_le[b], cum);
	}
	cum += atomic_load(&buckets[NBUCKETS]);
	buf_printf(out, "hearth_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
	buf_printf(out, "hearth_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&sum_ns) / 1e9);
	buf_printf(out, "hearth_http_request_duration_seconds_count %" PRIu64 "\n", atomic_load(&total));
	buf_printf(out, "# HELP hearth_db_seconds_total Time spent in database calls.\n"
			"# TYPE hearth_db_seconds_total counter\nhearth_db_seconds_total %.6f\n",
		   (double)db_time_ns() / 1e9);
}
