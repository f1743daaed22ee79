/*
 * Notifications (db.h): a counter per channel, moved on by every commit
 * that asked for it (db_notify) and by other nodes' NOTIFY, heard by one
 * listener thread per process on a PostgreSQL connection of its own.
 * Waiters sleep on one condition variable and compare counters, so a
 * notification between two waits is never missed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "core/banned.h"

#define NCHANNELS 2

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static pthread_once_t cv_once = PTHREAD_ONCE_INIT;
static uint64_t gen[NCHANNELS];

static void cv_init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &attr);
	pthread_condattr_destroy(&attr);
}

void db_notify(struct db_conn *c, unsigned channels)
{
	c->notify |= channels & DB_CH__ALL;
}

void db__notify_local(unsigned channels)
{
	pthread_once(&cv_once, cv_init);
	pthread_mutex_lock(&mu);
	for (int i = 0; i < NCHANNELS; i++)
		if (channels & (1u << i))
			gen[i]++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

void db_notify_snapshot(struct db_notify_seen *seen)
{
	pthread_mutex_lock(&mu);
	for (int i = 0; i < NCHANNELS; i++)
		seen->gen[i] = gen[i];
	pthread_mutex_unlock(&mu);
}

static unsigned changed(unsigned mask, const struct db_notify_seen *seen)
{
	unsigned out = 0;
	for (int i = 0; i < NCHANNELS; i++)
		if ((mask & (1u << i)) && gen[i] != seen->gen[i])
			out |= 1u << i;
	return out;
}

unsigned db_wait_notify(unsigned mask, struct db_notify_seen *seen, int timeout_ms)
{
	pthread_once(&cv_once, cv_init);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mu);
	unsigned got;
	while (!(got = changed(mask, seen)))
		if (pthread_cond_timedwait(&cv, &mu, &until) != 0)
			break;
	got = changed(mask, seen);
	for (int i = 0; i < NCHANNELS; i++)
		if (got & (1u << i))
			seen->gen[i] = gen[i];
	pthread_mutex_unlock(&mu);
	return got;
}

/* --- other nodes (PostgreSQL) --- */

static pthread_t listener;
static bool listener_running;
static atomic_bool listener_stop;

static void *listen_main(void *arg)
{
	struct db_pool *p = arg;
	struct db_conn *c = NULL;
	bool warned = false;
	while (!atomic_load(&listener_stop)) {
		if (!c) {
			char err[256] = "";
			c = db__pool_open_own(p, err, sizeof err);
			if (c && c->be->listen(c) != 0) {
				c->be->close(c);
				c = NULL;
				snprintf(err, sizeof err, "LISTEN failed");
			}
			if (!c) {
				if (!warned)
					log_msg(
					    LOG_WARN,
					    "notifications: cannot listen (%s); other nodes' "
					    "messages and events are noticed within a few seconds",
					    err);
				warned = true;
				struct timespec ts = {1, 0};
				nanosleep(&ts, NULL);
				continue;
			}
			if (warned)
				log_msg(LOG_INFO, "notifications: listening again");
			warned = false;
			/* Whatever was notified while nobody listened is looked for. */
			db__notify_local(DB_CH__ALL);
		}
		int got = c->be->wait_notify(c, 500);
		if (got < 0) {
			c->be->close(c);
			c = NULL;
			continue;
		}
		if (got)
			db__notify_local((unsigned)got);
	}
	if (c)
		c->be->close(c);
	return NULL;
}

int db_listen_start(struct db_pool *p)
{
	if (listener_running || !db__pool_backend(p)->listen)
		return 0;
	atomic_store(&listener_stop, false);
	if (pthread_create(&listener, NULL, listen_main, p) != 0)
		return -HEARTH_ENOMEM;
	listener_running = true;
	return 0;
}

void db_listen_stop(void)
{
	if (!listener_running)
		return;
	atomic_store(&listener_stop, true);
	pthread_join(listener, NULL);
	listener_running = false;
}
