/*
 * The HTTP server: CivetWeb with everything we do not use turned off (no
 * document root, no directory listing, no CGI, no Lua), one begin_request
 * callback that owns every request (the request/response helpers are in
 * request.c).
 *
 * A request runs: route -> who is asking (cookie or bearer) -> CSRF ->
 * policy -> body limits and JSON parsing -> handler -> metrics and access
 * log. Everything it allocates lives in its arena.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <civetweb.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

const char http_security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'\r\n";

#define SESSION_COOKIE "hearth_session"

/* Shutdown: CivetWeb refuses writes once mg_stop() begins, so we drain
 * first: new requests get 503, requests in flight finish, then we stop. */
static _Atomic int in_flight;
static _Atomic bool draining;
static char request_prefix[9];

bool server_draining(void)
{
	return atomic_load(&draining);
}

/* The Date header (RFC 9110), formatted once a second per thread. */
const char *http_date(void)
{
	static _Thread_local char buf[40];
	static _Thread_local time_t last;
	time_t now = time(NULL);
	if (now != last) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return buf;
}

/* --- the pipeline --- */

static bool is_state_changing(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Borrows the request's connection, waiting at most --db-pool-wait for a
 * free one. Returns 0 or -HEARTH_EBUSY (503 with Retry-After). Every
 * request with a session or token passes here first (identify), so a full
 * pool answers 503 instead of holding the worker thread; routes without a
 * login borrow lazily through req_db(). */
static int req_db_wait(struct req *r)
{
	if (r->db)
		return 0;
	return db_acquire_wait(r->app->db, r->app->cfg.db_wait_ms, &r->db);
}

/* Finds who is asking. Returns 0 (maybe anonymous), -HEARTH_EAUTH when a
 * credential was presented but is not valid, or a storage error. */
static int identify(struct req *r)
{
	const char *authz = req_header(r, "Authorization");
	int rc;
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		const char *tok = authz + 7;
		while (*tok == ' ')
			tok++;
		if ((rc = req_db_wait(r)) != 0)
			return rc;
		return auth_token_resolve(r->db, r->arena, tok, &r->actor);
	}
	const char *cookies = req_header(r, "Cookie");
	if (!cookies)
		return 0;
	char tok[64];
	if (mg_get_cookie(cookies, SESSION_COOKIE, tok, sizeof tok) <= 0)
		return 0;
	/* A route marked ROUTE_NO_TOUCH (answering a listening round) leaves the
	 * session's last_seen_at as it was: its new value would date the
	 * request, anonymous or not. */
	bool touch = !(r->route->flags & ROUTE_NO_TOUCH);
	if ((rc = req_db_wait(r)) != 0)
		return rc;
	rc = auth_session_resolve(r->db, r->arena, tok, r->app->cfg.session_idle, touch, &r->actor);
	if (rc == -HEARTH_EAUTH) {
		/* A stale cookie: treat as anonymous, and clear it. */
		http_add_header(r,
		                "Set-Cookie: " SESSION_COOKIE
		                "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		                r->app->cfg.secure_cookies ? "; Secure" : "");
		memset(&r->actor, 0, sizeof r->actor);
		return 0;
	}
	return rc;
}

static bool content_type_json(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Reads and parses the body for routes that take one. Returns true to go on. */
static bool read_body(struct req *r)
{
	size_t max = r->app->cfg.max_body;
	long long declared = r->ri->content_length;
	if (declared > (long long)max) {
		r->close_conn = true; /* do not read the body it declared */
		http_problem(r, 413, "the request body is %lld bytes; the limit is %zu", declared,
		             max);
		return false;
	}
	if (declared == 0) {
		http_problem(r, 400, "the request body is empty; send a JSON object");
		return false;
	}
	if (!content_type_json(req_header(r, "Content-Type"))) {
		http_problem(r, 415, "send the body as application/json");
		return false;
	}
	size_t cap = declared > 0 ? (size_t)declared : 16384, len = 0;
	char *data = arena_alloc(r->arena, cap + 1);
	/* A client that declares a body and then sends it slowly, or never,
	 * holds a worker thread: the whole body must arrive within the body
	 * timeout (each read also gives up after CivetWeb's request timeout). */
	uint64_t deadline = util_mono_ns() + (uint64_t)r->app->cfg.body_timeout_ms * 1000000u;
	bool late = false;
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *bigger = arena_alloc(r->arena, ncap + 1);
			memcpy(bigger, data, len);
			data = bigger;
			cap = ncap;
		}
		/* One byte at a time: mg_read() waits until it has every byte asked
		 * for, so only single-byte reads let the deadline cut off a client
		 * that sends a byte just before each read times out. What came
		 * with the headers is copied from CivetWeb's buffer without a
		 * system call; bench/http.sh measures a large body. */
		int n = mg_read(r->conn, data + len, 1);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (util_mono_ns() > deadline) {
			late = true;
			break;
		}
	}
	if (late || (declared > 0 && len < (size_t)declared)) {
		/* Never parse half a body: the rest did not come in time. */
		r->close_conn = true;
		http_add_header(r, "Connection: close");
		http_problem(r, 408,
		             "the request body did not arrive within %d seconds; send it again",
		             (r->app->cfg.body_timeout_ms + 999) / 1000);
		return false;
	}
	if (len > max) {
		r->close_conn = true;
		http_problem(r, 413, "the request body is over the limit of %zu bytes", max);
		return false;
	}
	char err[200];
	r->body = json_parse_body(data, len, err, sizeof err);
	if (!r->body) {
		http_problem(r, 400, "%s", err);
		return false;
	}
	return true;
}

static void dispatch_route(struct req *r)
{
	const struct route *rt = r->route;
	int rc = identify(r);
	if (rc == -HEARTH_EAUTH) {
		http_problem(r, 401, "the credentials sent are not valid; log in again");
		return;
	}
	if (rc && (rt->flags & ROUTE_NO_DB)) {
		/* Routes that need no database (health, "Get help now") still
		 * answer when it cannot say who is asking: as to anyone. */
		memset(&r->actor, 0, sizeof r->actor);
		rc = 0;
	}
	if (rc) {
		http_error(r, rc, "authentication");
		return;
	}
	if (!(rt->flags & ROUTE_PUBLIC) && r->actor.kind == AUTH_NONE) {
		http_problem(r, 401, "log in first");
		return;
	}
	if (r->actor.kind == AUTH_SESSION && is_state_changing(r->method) &&
	    !(rt->flags & ROUTE_NO_CSRF)) {
		char expect[65];
		const char *got = req_header(r, "X-CSRF-Token");
		auth_csrf_token(&r->app->kr, r->actor.session_token, expect);
		if (!got || !crypto_streq(got, expect)) {
			http_problem(r, 403, "missing or wrong X-CSRF-Token header");
			return;
		}
	}
	if (!policy_allows(&r->actor, rt->action)) {
		http_problem(r, 403, "your role does not allow %s", action_names[rt->action]);
		return;
	}
	/* Every path parameter but {token} (a secret its handler checks) is a
	 * record id: checked once here, so handlers take req_param_id() as
	 * given. */
	for (int i = 0; i < r->nparams; i++) {
		if (strcmp(r->param_names[i], "token") != 0 &&
		    !req_param_id(r, r->param_names[i])) {
			http_problem_ext(r, 400, json_pack("{s:s}", "field", r->param_names[i]),
			                 "%s must be a positive integer", r->param_names[i]);
			return;
		}
	}
	if (rt->flags & ROUTE_BODY) {
		/* No connection is held while a client sends its body: a slow
		 * sender must not take one from everybody else. One who was
		 * identified gets one back (a bounded wait, as in identify());
		 * others borrow theirs when the handler needs it, which may be
		 * after hashing a password, so as not to hold it meanwhile. */
		bool had_db = r->db != NULL;
		if (had_db) {
			db_release(r->app->db, r->db);
			r->db = NULL;
		}
		if (!read_body(r))
			return;
		if (had_db && (rc = req_db_wait(r)) != 0) {
			http_error(r, rc, "database connection");
			return;
		}
	}
	rt->handler(r);
	if (!r->status) {
		log_msg(LOG_ERROR, "handler for %s %s sent no response", rt->method, rt->pattern);
		http_problem(r, 500, "something went wrong on our side (request %s)",
		             r->request_id);
	}
}

static bool serve_static(struct req *r)
{
	const struct static_asset *a = static_find(r->path);
	if (!a) {
		/* SPA fallback: extension-less paths get the app shell. */
		const char *last = strrchr(r->path, '/');
		if (last && !strchr(last, '.'))
			a = static_find("/index.html");
	}
	if (!a)
		return false;
	/* The encoding the client takes (static.c), each with its own ETag. */
	const struct static_variant *v = static_pick(a, req_header(r, "Accept-Encoding"));
	const char *inm = req_header(r, "If-None-Match");
	bool fresh = inm && static_etag_match(inm, v->etag);
	/* The headers were formatted once at start-up; only Date changes. One
	 * write of headers and body together, from the request's arena. The
	 * body is written as is: CivetWeb compresses only the files it serves
	 * itself, never what a handler writes. A 304 has the 200's headers
	 * (index.html's CSP allows its import map), so a cache that merges
	 * them keeps them. */
	bool head = fresh || strcmp(r->method, "HEAD") == 0;
	const char *date = http_date();
	const char *h = fresh ? v->head304 : v->head;
	size_t hlen = fresh ? v->head304len : v->headlen;
	size_t dlen = strlen(date), n = 0;
	size_t total = hlen + 6 + dlen + 4 + (head ? 0 : v->len);
	char *out = arena_alloc(r->arena, total);
	memcpy(out, h, hlen);
	n = hlen;
	memcpy(out + n, "Date: ", 6);
	n += 6;
	memcpy(out + n, date, dlen);
	n += dlen;
	memcpy(out + n, "\r\n\r\n", 4);
	n += 4;
	if (!head) {
		memcpy(out + n, v->data, v->len);
		n += v->len;
	}
	mg_write(r->conn, out, n);
	r->status = fresh ? 304 : 200;
	r->bytes = fresh ? 0 : (long long)v->len;
	return true;
}

/* Every occurrence of a header joined with commas, in the order received
 * (RFC 9110 5.3), in the request's arena; NULL when absent. A proxy may add
 * its own X-Forwarded-For line after the client's instead of appending to
 * it, and the first line alone would then be the client's choice. */
static const char *joined_header(struct req *r, const char *name)
{
	const char *out = NULL;
	for (int i = 0; i < r->ri->num_headers; i++) {
		if (strcasecmp(r->ri->http_headers[i].name, name) != 0)
			continue;
		const char *v = r->ri->http_headers[i].value;
		out = out ? arena_printf(r->arena, "%s, %s", out, v) : v;
	}
	return out;
}

static int begin_request(struct mg_connection *conn)
{
	struct app *app = mg_get_user_data(mg_get_context(conn));
	const struct mg_request_info *ri = mg_get_request_info(conn);
	uint64_t t0 = util_mono_ns();
	/* Each worker thread keeps one arena, reset after every request. */
	struct arena *arena = mg_get_thread_pointer(conn);
	bool own_arena = !arena;
	if (own_arena)
		arena = arena_new(8192);
	struct req r = {
	    .app = app,
	    .conn = conn,
	    .ri = ri,
	    .arena = arena,
	    .method = ri->request_method,
	    .path = ri->local_uri ? ri->local_uri : "/",
	    .query = ri->query_string,
	};
	/* Behind a trusted reverse proxy, the client it names; otherwise the
	 * socket's peer (proxy.h). Per-address limits count this address. */
	if (app->cfg.trusted_proxies.n)
		proxy_client_addr(&app->cfg.trusted_proxies, ri->remote_addr,
		                  joined_header(&r, "X-Forwarded-For"),
		                  joined_header(&r, "Forwarded"), r.client_buf,
		                  sizeof r.client_buf);
	else
		snprintf(r.client_buf, sizeof r.client_buf, "%s", ri->remote_addr);
	r.client_addr = r.client_buf;
	/* Random, not counted: a request left out of the access log (an
	 * anonymous answer) must leave no gap in a sequence. */
	uint32_t rid;
	crypto_random(&rid, sizeof rid);
	snprintf(r.request_id, sizeof r.request_id, "%s%08" PRIx32, request_prefix, rid);
	atomic_fetch_add(&in_flight, 1);
	const char *label = "static";
	if (atomic_load(&draining)) {
		label = "shutting_down";
		http_add_header(&r, "Connection: close");
		http_add_header(&r, "Retry-After: 2");
		http_problem(&r, 503, "the server is restarting; try again in a moment");
		goto done;
	}
	bool known = false;
	char allow[64] = "";
	/* Only /api/, /metrics and /help are routes; everything else is a
	 * static file, found without walking the route table. */
	bool routed = strncmp(r.path, "/api/", 5) == 0 || strcmp(r.path, "/metrics") == 0 ||
	              strcmp(r.path, "/help") == 0;
	r.route = routed ? router_match(r.method, r.path, &r, &known, allow, sizeof allow) : NULL;
	if (r.route) {
		label = r.route->pattern;
		dispatch_route(&r);
	} else if (known) {
		label = "method_not_allowed";
		http_add_header(&r, "Allow: %s", allow);
		http_problem(&r, 405, "%s is not allowed here; use %s", r.method, allow);
	} else if ((strcmp(r.method, "GET") == 0 || strcmp(r.method, "HEAD") == 0) &&
	           strncmp(r.path, "/api/", 5) != 0 && serve_static(&r)) {
		label = "static";
	} else {
		label = "not_found";
		http_problem(&r, 404, "there is nothing at %s", r.path);
	}
done:
	if (r.db)
		db_release(app->db, r.db);
	uint64_t ns = util_mono_ns() - t0;
	/* An anonymous answer is neither logged nor counted: its line (even
	 * without a user) would sit between its sender's own lines, and a
	 * counter scraped every few seconds would date it. */
	if (!r.anonymous) {
		metrics_record(r.route, label, r.status, r.streamed ? METRICS_NO_DURATION : ns);
		log_access(r.request_id, r.method, label, r.status, (double)ns / 1e6, r.bytes,
		           (long long)r.actor.user_id);
	}
	json_decref(r.body);
	buf_release(&r.headers);
	if (own_arena)
		arena_free(arena);
	else
		arena_reset(arena);
	atomic_fetch_sub(&in_flight, 1);
	/* CivetWeb (1.15) reads and discards the rest of a request body after
	 * a handled request, however slowly it comes; a negative answer skips
	 * that, and a body left unread then closes the connection
	 * (tests/api/stall.test.mjs holds it to that). */
	if (r.close_conn)
		return -1;
	return r.status ? r.status : 500;
}

static void *init_thread(const struct mg_context *ctx, int thread_type)
{
	(void)ctx;
	return thread_type == 1 ? arena_new(16384) : NULL;
}

static void exit_thread(const struct mg_context *ctx, int thread_type, void *arena)
{
	(void)ctx;
	(void)thread_type;
	arena_free(arena);
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_msg(LOG_WARN, "http: %s", message);
	return 1;
}

/* Housekeeping: turns the audit log's deferred counts of finished days
 * into their entries (audit_flush) at start and every five minutes, apart
 * from any request, so that no entry is written at the moment of the act
 * it counts. Every node runs it; each count is written once. */
static pthread_mutex_t housekeeping_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t housekeeping_wake = PTHREAD_COND_INITIALIZER;
static bool housekeeping_stop;

static void *housekeeping(void *arg)
{
	struct app *app = arg;
	pthread_mutex_lock(&housekeeping_lock);
	while (!housekeeping_stop) {
		pthread_mutex_unlock(&housekeeping_lock);
		struct db_conn *c = db_acquire(app->db);
		int rc = audit_flush(c, &app->kr, util_now());
		db_release(app->db, c);
		if (rc < 0)
			log_msg(LOG_WARN, "audit: deferred entries not written yet: %s",
			        hearth_strerror(rc));
		pthread_mutex_lock(&housekeeping_lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 300;
		while (!housekeeping_stop &&
		       pthread_cond_timedwait(&housekeeping_wake, &housekeeping_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&housekeeping_lock);
	return NULL;
}

/* Each connection (an open event stream too) is a file descriptor: with
 * --threads 1200 the common soft limit of 1024 would refuse connections
 * long before the threads run out. Raises the soft limit towards the hard
 * one, and says so when even that is too low. */
static void raise_fd_limit(int threads)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)threads + 256; /* the pool, the database files, logs */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rlim_t to = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (to > rl.rlim_cur) {
		rl.rlim_cur = to;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (to < want)
		log_msg(LOG_WARN,
		        "open files are limited to %llu; %d threads want %llu (raise LimitNOFILE)",
		        (unsigned long long)to, threads, (unsigned long long)want);
}

void server_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int server_run(struct app *app)
{
	char threads[16];
	unsigned char rnd[4];
	crypto_random(rnd, sizeof rnd);
	util_hex(request_prefix, rnd, sizeof rnd);
	snprintf(threads, sizeof threads, "%d", app->cfg.threads);
	const char *options[] = {
	    "listening_ports",
	    app->cfg.listen,
	    "num_threads",
	    threads,
	    "enable_directory_listing",
	    "no",
	    "enable_keep_alive",
	    "yes",
	    "keep_alive_timeout_ms",
	    "2000", /* an idle connection holds a thread */
	    /* Each connection holds a worker thread (CivetWeb's model), so a slow
	     * or idle client must let go soon: 5 s for any one read or write,
	     * and the body timeout for a whole body (read_body). Put a reverse
	     * proxy in front on the internet (docs/deploy.md). */
	    "request_timeout_ms",
	    "5000",
	    "tcp_nodelay",
	    "1",
	    "listen_backlog",
	    "1024",
	    "decode_url",
	    "yes",
	    NULL,
	};
	/* SIGTERM and SIGINT are blocked in every thread (server_block_signals,
	 * called before any thread starts); this one waits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	raise_fd_limit(app->cfg.threads);
	mg_init_library(0);
	struct mg_callbacks cb = {0};
	cb.begin_request = begin_request;
	cb.log_message = log_message;
	cb.init_thread = init_thread;
	cb.exit_thread = exit_thread;
	struct mg_context *ctx = mg_start(&cb, app, options);
	if (!ctx) {
		log_msg(LOG_ERROR, "cannot listen on %s (is another server using it?)",
		        app->cfg.listen);
		mg_exit_library();
		return -HEARTH_EIO;
	}
	log_msg(LOG_INFO, "hearth %s serving on http://%s with %d threads (%s, %d connections)",
	        HEARTH_VERSION, app->cfg.listen, app->cfg.threads, db_pool_kind_name(app->db),
	        app->cfg.db_pool);
	pthread_t hk;
	bool hk_started = pthread_create(&hk, NULL, housekeeping, app) == 0;
	if (!hk_started)
		log_msg(LOG_WARN, "audit: no housekeeping thread; deferred entries are written "
		                  "when the audit log is read");
	int sig = 0;
	sigwait(&set, &sig);
	log_msg(LOG_INFO, "received %s; finishing requests in flight",
	        sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&draining, true);
	/* Let requests in flight finish and answer (up to 15 s). */
	for (int i = 0; i < 1500 && atomic_load(&in_flight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (hk_started) {
		pthread_mutex_lock(&housekeeping_lock);
		housekeeping_stop = true;
		pthread_cond_signal(&housekeeping_wake);
		pthread_mutex_unlock(&housekeeping_lock);
		pthread_join(hk, NULL);
	}
	mg_stop(ctx);
	mg_exit_library();
	log_msg(LOG_INFO, "stopped");
	return 0;
}
