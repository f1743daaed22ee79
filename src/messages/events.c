/*
 * Live events (messages.h): written in the transaction of the change, read
 * by the streams of /api/v1/events once it commits.
 *
 * One dispatcher thread per process wakes on DB_CH_EVENTS (a commit here,
 * or another node's NOTIFY on PostgreSQL), reads the new rows of `events`
 * and puts them in a ring in memory, then wakes the streams of those
 * users. A stream waits on a condition variable holding no database
 * connection (the pool is sized apart from the threads), takes its user's
 * events from the ring, and borrows a connection only to check its
 * session again (at most once a second) and to read kept events from the
 * table when it resumes (Last-Event-ID) or fell behind the ring. The
 * dispatcher also deletes events older than a day.
 *
 * PostgreSQL hands out ids before commit, so a smaller id may commit after
 * a larger one: the dispatcher keeps reading below its highest id while
 * such a gap is young (EV_GAP_WAIT_S), and gives the gap up afterwards (a
 * rolled-back insert leaves one for ever). SQLite has one writer: no gaps.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "messages/internal.h"
#include "messages/live.h"
#include "messages/messages.h"
#include "core/banned.h"

static const char SQL_EVENT[] = "INSERT INTO events (user_id, organisation_id, kind, ref_id,"
                                " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";

int events_publish(struct db_conn *c, int64_t user_id, int64_t org, const char *kind,
                   int64_t ref_id)
{
	struct db_stmt *s = db_prepare(c, SQL_EVENT);
	if (!s)
		return -HEARTH_EDB;
	db_bind_i64(s, 1, user_id);
	db_bind_id(s, 2, org);
	db_bind_text(s, 3, kind);
	db_bind_id(s, 4, ref_id);
	db_bind_i64(s, 5, util_now());
	int64_t id;
	int rc = db_insert_id(s, &id);
	if (rc == 0)
		db_notify(c, DB_CH_EVENTS);
	return rc;
}

void messages__wake_sender(struct db_conn *c)
{
	db_notify(c, DB_CH_OUTBOX);
}

/* --- the dispatcher and its ring --- */

#define EV_RING             16384  /* events kept in memory (a power of two) */
#define EV_BUCKETS          64     /* streams wait per user-id bucket */
#define EV_BATCH            256    /* events a stream sends per wake */
#define EV_GAP_WAIT_S       10     /* how long a gap below the newest id is waited for */
#define EV_GAPS_MAX         100000 /* more ids above a gap than this: give the gaps up */
#define EV_KEEP_S           86400  /* events are kept a day (Last-Event-ID) */
#define EV_SWEEP_S          300    /* old events deleted this often */
#define EV_RESOLVE_MS       1000   /* a stream checks its session again at most this often */
#define EV_WAIT_SLICE_MS    1000   /* streams look at draining and heartbeats this often */
#define EV_CRED_SLOTS       256    /* credentials checked lately, shared by their streams */
#define EV_CRED_MEMBERSHIPS 32

struct ev_entry {
	int64_t id, user, org, ref, created;
	char kind[32];
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv[EV_BUCKETS];
	struct ev_entry ring[EV_RING];
	uint64_t head; /* entries [head - EV_RING, head) are valid */
	bool running, stop;
	pthread_t thread;
	struct db_pool *pool;
} ev = {.mu = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t ev_once = PTHREAD_ONCE_INIT;

static void ev_init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	for (int i = 0; i < EV_BUCKETS; i++)
		pthread_cond_init(&ev.cv[i], &attr);
	pthread_condattr_destroy(&attr);
}

static unsigned ev_bucket(int64_t user)
{
	return (unsigned)((uint64_t)user * 0x9E3779B97F4A7C15u >> 58) % EV_BUCKETS;
}

static const char SQL_EV_MAX[] = "SELECT COALESCE(MAX(id), 0) FROM events";
static const char SQL_EV_AFTER[] = "SELECT id, user_id, organisation_id, kind, ref_id, created_at"
                                   " FROM events WHERE id > ? ORDER BY id LIMIT 1000";
static const char SQL_EV_BETWEEN[] = "SELECT id, user_id, organisation_id, kind, ref_id, created_at"
                                     " FROM events WHERE id > ? AND id < ? ORDER BY id";
static const char SQL_EV_SWEEP[] = "DELETE FROM events WHERE created_at < ?";
static const char SQL_EV_USER_AFTER[] =
    "SELECT id, user_id, organisation_id, kind, ref_id, created_at"
    " FROM events WHERE user_id = ? AND id > ? ORDER BY id LIMIT 500";

static void ev_row(struct db_stmt *s, struct ev_entry *e)
{
	e->id = db_col_i64(s, 0);
	e->user = db_col_i64(s, 1);
	e->org = db_col_null(s, 2) ? 0 : db_col_i64(s, 2);
	const char *k = db_col_text(s, 3);
	snprintf(e->kind, sizeof e->kind, "%s", k ? k : "");
	e->ref = db_col_null(s, 4) ? 0 : db_col_i64(s, 4);
	e->created = db_col_i64(s, 5);
}

/* The ids above the dispatcher's low mark it has put in the ring (sorted),
 * so that a gap read again later does not put one twice. */
struct ev_seen {
	int64_t *ids;
	size_t n, cap;
};

static bool seen_has(const struct ev_seen *v, int64_t id)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v->ids[mid] == id)
			return true;
		if (v->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void seen_add(struct ev_seen *v, int64_t id)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		int64_t *ids = realloc(v->ids, cap * sizeof *ids);
		if (!ids)
			abort();
		v->ids = ids;
		v->cap = cap;
	}
	size_t i = v->n;
	while (i > 0 && v->ids[i - 1] > id) {
		v->ids[i] = v->ids[i - 1];
		i--;
	}
	v->ids[i] = id;
	v->n++;
}

/* Moves low over the ids in seen that follow it without a gap. */
static void seen_advance(struct ev_seen *v, int64_t *low)
{
	size_t k = 0;
	while (k < v->n && v->ids[k] <= *low)
		k++;
	while (k < v->n && v->ids[k] == *low + 1) {
		(*low)++;
		k++;
	}
	memmove(v->ids, v->ids + k, (v->n - k) * sizeof *v->ids);
	v->n -= k;
}

/* Puts the rows of s in the ring (skipping those already there) and marks
 * which buckets to wake. Returns the number of rows read, or a negative
 * hearth_err. */
static int ev_take(struct db_stmt *s, struct ev_seen *seen, int64_t low, int64_t *high,
                   bool wake[EV_BUCKETS])
{
	int rc, n = 0;
	while (db_next(s, &rc)) {
		struct ev_entry e;
		ev_row(s, &e);
		n++;
		if (e.id <= low || seen_has(seen, e.id))
			continue;
		seen_add(seen, e.id);
		if (e.id > *high)
			*high = e.id;
		wake[ev_bucket(e.user)] = true;
		pthread_mutex_lock(&ev.mu);
		ev.ring[ev.head % EV_RING] = e;
		ev.head++;
		pthread_mutex_unlock(&ev.mu);
	}
	db_finish(s);
	return rc ? rc : n;
}

static int ev_sweep(struct db_conn *c)
{
	int rc = db_begin(c, true);
	if (rc)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_EV_SWEEP);
	if (!s) {
		db_rollback(c);
		return -HEARTH_EDB;
	}
	db_bind_i64(s, 1, util_now() - EV_KEEP_S);
	if ((rc = db_run(s)) != 0) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c);
}

static void *ev_dispatch(void *arg)
{
	(void)arg;
	struct db_notify_seen notified;
	db_notify_snapshot(&notified);
	struct ev_seen seen = {0};
	int64_t low = -1, high = 0; /* every id <= low is in the ring or given up */
	int64_t gap_since = 0, next_sweep = 0;
	for (;;) {
		pthread_mutex_lock(&ev.mu);
		bool stop = ev.stop;
		pthread_mutex_unlock(&ev.mu);
		if (stop)
			break;
		struct db_conn *c = NULL;
		if (db_acquire_wait(ev.pool, 1000, &c) != 0) {
			db_wait_notify(DB_CH_EVENTS, &notified, 1000);
			continue;
		}
		int rc = 0;
		if (low < 0) {
			/* Start: only what commits from now on goes to the ring;
			 * older events are read by the streams that resume. */
			struct db_stmt *s = db_prepare(c, SQL_EV_MAX);
			if (!s)
				rc = -HEARTH_EDB;
			else if ((rc = db_step(s)) == DB_ROW) {
				low = high = db_col_i64(s, 0);
				rc = 0;
			} else if (rc == DB_DONE) {
				rc = -HEARTH_EDB;
			}
			if (s)
				db_finish(s);
		}
		bool wake[EV_BUCKETS] = {false};
		int n = 1000;
		while (rc == 0 && low >= 0 && n == 1000) {
			struct db_stmt *s = db_prepare(c, SQL_EV_AFTER);
			if (!s) {
				rc = -HEARTH_EDB;
				break;
			}
			db_bind_i64(s, 1, high);
			n = ev_take(s, &seen, low, &high, wake);
			if (n < 0)
				rc = n;
		}
		if (rc == 0 && low >= 0 && low < high) {
			/* Ids below the highest that were not there yet. */
			struct db_stmt *s = db_prepare(c, SQL_EV_BETWEEN);
			if (!s)
				rc = -HEARTH_EDB;
			else {
				db_bind_i64(s, 1, low);
				db_bind_i64(s, 2, high);
				n = ev_take(s, &seen, low, &high, wake);
				if (n < 0)
					rc = n;
			}
			seen_advance(&seen, &low);
			int64_t now = util_now();
			if (low == high) {
				gap_since = 0;
			} else if (!gap_since) {
				gap_since = now;
			} else if (now - gap_since > EV_GAP_WAIT_S || seen.n > EV_GAPS_MAX) {
				/* A rolled-back insert: its id never comes. */
				low = seen.n ? seen.ids[0] - 1 : high;
				seen_advance(&seen, &low);
				gap_since = low == high ? 0 : now;
			}
		}
		int64_t now = util_now();
		if (rc == 0 && now >= next_sweep) {
			int src = ev_sweep(c);
			if (src)
				log_msg(LOG_WARN, "events: old events not deleted yet: %s",
				        hearth_strerror(src));
			next_sweep = now + EV_SWEEP_S;
		}
		db_release(ev.pool, c);
		if (rc)
			log_msg(LOG_WARN, "events: reading new events failed: %s",
			        hearth_strerror(rc));
		pthread_mutex_lock(&ev.mu);
		for (int i = 0; i < EV_BUCKETS; i++)
			if (wake[i])
				pthread_cond_broadcast(&ev.cv[i]);
		pthread_mutex_unlock(&ev.mu);
		/* While a gap is young, look again soon even without news. */
		db_wait_notify(DB_CH_EVENTS, &notified, low < high ? 200 : 1000);
	}
	free(seen.ids);
	return NULL;
}

int events__dispatch_start(struct db_pool *p)
{
	pthread_once(&ev_once, ev_init);
	pthread_mutex_lock(&ev.mu);
	if (ev.running) {
		pthread_mutex_unlock(&ev.mu);
		return 0;
	}
	ev.pool = p;
	ev.stop = false;
	int rc = pthread_create(&ev.thread, NULL, ev_dispatch, NULL);
	ev.running = rc == 0;
	pthread_mutex_unlock(&ev.mu);
	if (rc) {
		log_msg(LOG_ERROR, "events: cannot start the dispatcher thread");
		return -HEARTH_ENOMEM;
	}
	return 0;
}

void events__dispatch_stop(void)
{
	pthread_once(&ev_once, ev_init);
	pthread_mutex_lock(&ev.mu);
	if (!ev.running) {
		pthread_mutex_unlock(&ev.mu);
		return;
	}
	ev.stop = true;
	for (int i = 0; i < EV_BUCKETS; i++)
		pthread_cond_broadcast(&ev.cv[i]);
	pthread_mutex_unlock(&ev.mu);
	/* Its wait for a notification lasts at most a second. */
	pthread_join(ev.thread, NULL);
	pthread_mutex_lock(&ev.mu);
	ev.running = false;
	pthread_mutex_unlock(&ev.mu);
}

/* --- credentials checked lately ---
 *
 * The tabs of one browser share a session cookie, and each tab has a
 * stream: the answer of one check is good for all of them for
 * EV_RESOLVE_MS, so a thousand streams of a few people do not each ask the
 * database every second. A slot keeps what the policy needs (the roles and
 * memberships), never names or addresses. */
struct ev_cred {
	char credential[72];
	bool bearer;
	uint64_t at_ns; /* 0: empty */
	struct actor actor;
	struct membership ms[EV_CRED_MEMBERSHIPS];
};
static struct ev_cred ev_creds[EV_CRED_SLOTS];
static pthread_mutex_t ev_creds_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned ev_cred_slot(const char *credential, bool bearer)
{
	uint64_t h = bearer ? 0x100000001b3u : 0xcbf29ce484222325u;
	for (const char *p = credential; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3u;
	return (unsigned)(h % EV_CRED_SLOTS);
}

/* Copies a into out with its memberships in ms (what policy_check reads). */
static void ev_actor_copy(struct actor *out, struct membership *ms, const struct actor *a)
{
	*out = *a;
	out->email = out->display_name = NULL;
	out->memberships = ms;
	for (int i = 0; i < a->nmemberships; i++) {
		ms[i] = a->memberships[i];
		ms[i].organisation = ms[i].kind = NULL;
	}
}

/* A check of credential made within EV_RESOLVE_MS into *out (memberships
 * in ms). True when there was one. */
static bool ev_cred_get(const char *credential, bool bearer, uint64_t now, struct actor *out,
                        struct membership *ms)
{
	if (strlen(credential) >= sizeof ev_creds[0].credential)
		return false;
	struct ev_cred *e = &ev_creds[ev_cred_slot(credential, bearer)];
	bool hit = false;
	pthread_mutex_lock(&ev_creds_mu);
	if (e->at_ns && now - e->at_ns < (uint64_t)EV_RESOLVE_MS * 1000000u &&
	    e->bearer == bearer && strcmp(e->credential, credential) == 0) {
		ev_actor_copy(out, ms, &e->actor);
		hit = true;
	}
	pthread_mutex_unlock(&ev_creds_mu);
	return hit;
}

static void ev_cred_put(const char *credential, bool bearer, uint64_t now, const struct actor *a)
{
	if (strlen(credential) >= sizeof ev_creds[0].credential ||
	    a->nmemberships > EV_CRED_MEMBERSHIPS)
		return;
	struct ev_cred *e = &ev_creds[ev_cred_slot(credential, bearer)];
	pthread_mutex_lock(&ev_creds_mu);
	snprintf(e->credential, sizeof e->credential, "%s", credential);
	e->bearer = bearer;
	e->at_ns = now;
	ev_actor_copy(&e->actor, e->ms, a);
	pthread_mutex_unlock(&ev_creds_mu);
}

/* --- one stream --- */

struct ev_stream_state {
	struct events_stream *s;
	struct db_pool *pool;
	struct arena *arena;
	struct actor actor;
	uint64_t resolved_ns; /* when the credential was last checked; 0: never */
	struct membership ms[EV_CRED_MEMBERSHIPS]; /* actor's, when it came from a slot */
	/* The last ids read from the table (ascending): the ring may bring
	 * them again, and a smaller id that commits later (PostgreSQL) must
	 * still go out. */
	int64_t from_table[1024];
	int nfrom_table;
	int64_t sent; /* the highest id sent (resume after falling behind) */
	char buf[4096];
};

/* Checks the stream's session or token again (without touching the
 * session's last_seen_at) unless that was done within EV_RESOLVE_MS, or
 * force. Returns 0, -HEARTH_EAUTH when it is no longer valid (logged out,
 * expired, revoked, another user), or a storage error. c may be NULL: a
 * connection is borrowed for it then. */
static int ev_resolve(struct ev_stream_state *st, struct db_conn *c, bool force)
{
	uint64_t now = util_mono_ns();
	if (!force && st->resolved_ns && now - st->resolved_ns < (uint64_t)EV_RESOLVE_MS * 1000000u)
		return 0;
	if (ev_cred_get(st->s->credential, st->s->bearer, now, &st->actor, st->ms) &&
	    st->actor.user_id == st->s->user_id) {
		st->resolved_ns = now;
		return 0;
	}
	bool own = !c;
	int rc;
	if (own && (rc = db_acquire_wait(st->pool, 5000, &c)) != 0)
		return rc;
	arena_reset(st->arena);
	memset(&st->actor, 0, sizeof st->actor);
	if (st->s->bearer)
		rc = auth_token_resolve(c, st->arena, st->s->credential, &st->actor);
	else
		rc = auth_session_resolve(c, st->arena, st->s->credential, st->s->session_idle,
		                          false, &st->actor);
	if (own)
		db_release(st->pool, c);
	if (rc == 0 && st->actor.user_id != st->s->user_id)
		rc = -HEARTH_EAUTH;
	if (rc == 0) {
		st->resolved_ns = now;
		ev_cred_put(st->s->credential, st->s->bearer, now, &st->actor);
	}
	return rc;
}

/* True when id was sent from the table already. */
static bool ev_sent_from_table(const struct ev_stream_state *st, int64_t id)
{
	for (int i = st->nfrom_table - 1; i >= 0 && st->from_table[i] >= id; i--)
		if (st->from_table[i] == id)
			return true;
	return false;
}

/* Writes one event when the caller may still see it. 0 or -1 (write failed). */
static int ev_send(struct ev_stream_state *st, const struct ev_entry *e)
{
	if (e->user != st->s->user_id)
		return 0;
	if (e->org && policy_check(&st->actor, ACT_ORG_SEE, e->org, false) != 0)
		return 0;
	char when[32];
	util_iso8601(when, sizeof when, e->created);
	char ref[24] = "null";
	if (e->ref)
		snprintf(ref, sizeof ref, "%lld", (long long)e->ref);
	/* kind is one of the module's own names (letters and _). */
	int n = snprintf(st->buf, sizeof st->buf,
	                 "id: %lld\nevent: %s\ndata: {\"kind\":\"%s\",\"ref_id\":%s,"
	                 "\"created_at\":\"%s\"}\n\n",
	                 (long long)e->id, e->kind, e->kind, ref, when);
	if (n < 0 || (size_t)n >= sizeof st->buf)
		return 0;
	if (e->id > st->sent)
		st->sent = e->id;
	return st->s->write(st->s->ctx, st->buf, (size_t)n);
}

/* Sends the kept events of the user after id after from the table (resume,
 * or fell behind the ring); *upto receives the highest id read. Returns 0,
 * 1 when a write failed, or a negative hearth_err. */
static int ev_from_table(struct ev_stream_state *st, int64_t after, int64_t *upto)
{
	*upto = after;
	for (;;) {
		struct db_conn *c;
		int rc = db_acquire_wait(st->pool, 5000, &c);
		if (rc)
			return rc;
		if ((rc = ev_resolve(st, c, false)) != 0) {
			db_release(st->pool, c);
			return rc;
		}
		struct ev_entry rows[64];
		int n = 0;
		bool more = false;
		struct db_stmt *s = db_prepare(c, SQL_EV_USER_AFTER);
		if (!s) {
			db_release(st->pool, c);
			return -HEARTH_EDB;
		}
		db_bind_i64(s, 1, st->s->user_id);
		db_bind_i64(s, 2, *upto);
		while (db_next(s, &rc)) {
			if (n == 64) {
				more = true;
				break;
			}
			ev_row(s, &rows[n++]);
		}
		db_finish(s);
		db_release(st->pool, c);
		if (rc)
			return rc;
		for (int i = 0; i < n; i++) {
			if (ev_send(st, &rows[i]) != 0)
				return 1;
			*upto = rows[i].id;
			if (st->nfrom_table == 1024) {
				memmove(st->from_table, st->from_table + 512,
				        512 * sizeof(int64_t));
				st->nfrom_table = 512;
			}
			st->from_table[st->nfrom_table++] = rows[i].id;
		}
		if (!more)
			return 0;
	}
}

int events_stream(struct db_pool *p, struct events_stream *s)
{
	pthread_once(&ev_once, ev_init);
	struct ev_stream_state *st = calloc(1, sizeof *st);
	struct ev_entry *batch = calloc(EV_BATCH, sizeof *batch);
	if (!st || !batch) {
		free(st);
		free(batch);
		return -HEARTH_ENOMEM;
	}
	st->s = s;
	st->pool = p;
	st->arena = arena_new(4096);
	st->sent = s->last_id > 0 ? s->last_id : 0;
	unsigned bucket = ev_bucket(s->user_id);
	int rc = ev_resolve(st, NULL, true);
	/* floor: ring entries at or below it may have been sent from the table. */
	int64_t floor = 0;
	pthread_mutex_lock(&ev.mu);
	uint64_t cursor = ev.head;
	pthread_mutex_unlock(&ev.mu);
	if (rc == 0 && s->last_id >= 0) {
		rc = ev_from_table(st, s->last_id, &floor);
		if (rc == 1)
			goto out;
	}
	uint64_t next_hb = util_mono_ns() + (uint64_t)s->heartbeat_ms * 1000000u;
	while (rc == 0) {
		if (s->draining())
			break;
		int n = 0;
		bool behind = false;
		pthread_mutex_lock(&ev.mu);
		if (ev.head == cursor && !ev.stop) {
			/* Until the next heartbeat, and at most a slice. */
			uint64_t now = util_mono_ns();
			uint64_t wait = (uint64_t)EV_WAIT_SLICE_MS * 1000000u;
			if (next_hb > now && next_hb - now < wait)
				wait = next_hb - now;
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += (time_t)(wait / 1000000000u);
			until.tv_nsec += (long)(wait % 1000000000u);
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			if (next_hb > now)
				pthread_cond_timedwait(&ev.cv[bucket], &ev.mu, &until);
		}
		if (ev.head - cursor > EV_RING) {
			behind = true;
			cursor = ev.head;
		} else {
			while (cursor != ev.head && n < EV_BATCH) {
				const struct ev_entry *e = &ev.ring[cursor % EV_RING];
				if (e->user == s->user_id &&
				    (e->id > floor || !ev_sent_from_table(st, e->id)))
					batch[n++] = *e;
				cursor++;
			}
		}
		pthread_mutex_unlock(&ev.mu);
		if (behind) {
			/* Fell behind the ring: what was missed is in the table. */
			rc = ev_from_table(st, st->sent, &floor);
			if (rc == 1)
				break;
			continue;
		}
		if (n) {
			if ((rc = ev_resolve(st, NULL, false)) != 0)
				break;
			for (int i = 0; i < n && rc == 0; i++)
				if (ev_send(st, &batch[i]) != 0)
					rc = 1;
			if (rc)
				break;
		}
		uint64_t now = util_mono_ns();
		if (now >= next_hb) {
			if ((rc = ev_resolve(st, NULL, true)) != 0)
				break;
			if (s->write(s->ctx, ": hb\n\n", 6) != 0)
				break;
			next_hb = now + (uint64_t)s->heartbeat_ms * 1000000u;
		}
	}
out:
	arena_free(st->arena);
	free(st);
	free(batch);
	/* Logged out, expired, revoked, or the client went away: an ordinary end. */
	return rc == -HEARTH_EAUTH || rc == 1 ? 0 : rc;
}
