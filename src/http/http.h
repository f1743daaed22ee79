/*
 * The HTTP edge: the server's shared state (struct app), one struct req per
 * request, the route table's shape, and the helpers handlers use to answer.
 * Handlers live in each module's *_http.c and are listed in routes.c.
 */
#ifndef HEARTH_HTTP_H
#define HEARTH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/crypto.h"
#include "http/proxy.h"
#include "people/people.h"

struct arena;
struct db_conn;
struct db_pool;
struct mg_connection;
struct mg_request_info;
struct route;

struct app_config {
	const char *listen;       /* "127.0.0.1:8080" */
	int threads;              /* worker threads */
	int db_pool;              /* connections */
	int db_wait_ms;           /* longest wait for a free connection, then 503 */
	size_t max_body;          /* bytes, default 1 MiB */
	int body_timeout_ms;      /* a whole request body must arrive within this */
	bool secure_cookies;      /* Secure attribute; off only on plain loopback */
	int64_t session_idle;     /* seconds */
	int64_t session_absolute; /* seconds */
	int hash_concurrency;     /* password hashes at a time */
	int hash_queue;           /* waiting hashes before 503 */
	/* The deployment's country for "Get help now" (ISO 3166-1 alpha-2):
	 * --default-country at serve, else the one `hearth init` stored in the
	 * database's settings (read at start), else "". */
	char default_country[3];
	/* Reverse proxies allowed to name the client (--trusted-proxy). */
	struct proxy_list trusted_proxies;
};

struct app {
	struct app_config cfg;
	struct db_pool *db;
	struct keyring kr;
	struct auth_limits *limits;   /* password hashing gate */
	struct people_ctx people;     /* key store and keys for people's data */
	int64_t retention_days;       /* default inactivity before records expire */
	int64_t register_min_seconds; /* self-registration: minimum form time */
	int register_per_hour;        /* self-registrations per client address */
};

#define REQ_MAX_PARAMS 4

struct req {
	struct app *app;
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	struct arena *arena;
	const char *method;
	const char *path;
	const char *query; /* raw query string or NULL */
	const struct route *route;
	const char *param_names[REQ_MAX_PARAMS];
	const char *params[REQ_MAX_PARAMS];
	int nparams;
	char request_id[24];
	const char *client_addr; /* the peer, or the client a trusted proxy names */
	char client_buf[64];
	struct actor actor;
	struct db_conn *db; /* borrowed lazily by req_db(), returned at the end */
	json_t *body;       /* parsed JSON object for routes that take one */
	int status;         /* what was sent, for logs and metrics */
	bool anonymous;     /* left out of the access log and metrics (anonymous answers) */
	bool close_conn;    /* the body was not read to its end: close, do not drain */
	bool streamed;      /* answered in parts (an event stream): no latency to record */
	long long bytes;
	struct buf headers; /* extra response headers, each ending in \r\n */
};

typedef void (*handler_fn)(struct req *r);

enum route_flags {
	ROUTE_PUBLIC = 1 << 0,   /* no login needed */
	ROUTE_BODY = 1 << 1,     /* takes a JSON object body */
	ROUTE_NO_CSRF = 1 << 2,  /* state-changing but exempt (login creates the session) */
	ROUTE_NO_TOUCH = 1 << 3, /* leaves the session's last_seen_at alone (anonymous answers) */
	ROUTE_NO_DB = 1 << 4,    /* works without the database: a caller it cannot identify
	                          * is answered as anyone (health, help, metrics, OpenAPI) */
};

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/users/{id}" */
	handler_fn handler;
	enum action action; /* what the policy is asked */
	unsigned flags;
	const char *summary; /* for the OpenAPI document */
	const char *tag;
	/* ROUTE_BODY: the field table the handler validates the body with; the
	 * OpenAPI request schema is generated from it. */
	const struct field_table *body;
};

/* routes.c: the one table. */
extern const struct route routes[];
extern const size_t routes_count;

/* router.c: finds the route for method+path. Returns the route, or NULL
 * with *path_known set when the path exists under another method (405);
 * allow receives the comma-separated methods then. Params go into r. */
const struct route *router_match(const char *method, const char *path, struct req *r,
                                 bool *path_known, char *allow, size_t allowlen);

/* Borrows a database connection for the rest of the request. */
struct db_conn *req_db(struct req *r);
/* Path parameter by name, or NULL. */
const char *req_param(struct req *r, const char *name);
/* Path parameter parsed as a positive id; 0 if absent or malformed. The
 * pipeline refuses a request whose path parameters are not positive ids
 * before its handler runs. */
int64_t req_param_id(struct req *r, const char *name);
/* Query parameter (URL-decoded, arena copy) or NULL. */
const char *req_query(struct req *r, const char *name);
/* Request header or NULL. */
const char *req_header(struct req *r, const char *name);

/* Adds a response header line ("Name: value"). */
void http_add_header(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends a complete response. */
void http_send(struct req *r, int status, const char *content_type, const void *body, size_t len);
/* A response sent in parts (text/event-stream): http_stream_begin writes
 * the status line and headers without a length (the connection closes at
 * the end); http_stream_write sends a part, returning 0 or -1 when the
 * client is gone. */
void http_stream_begin(struct req *r, int status, const char *content_type);
int http_stream_write(struct req *r, const char *data, size_t len);
/* Sends a JSON response; steals v. */
void http_json(struct req *r, int status, json_t *v);
/* Sends 204 No Content. */
void http_no_content(struct req *r);
/* Sends an RFC 9457 problem+json. detail is printf-formatted. */
void http_problem(struct req *r, int status, const char *detail, ...)
    __attribute__((format(printf, 3, 4)));
/* Like http_problem with extra members (steals ext, may be NULL). */
void http_problem_ext(struct req *r, int status, json_t *ext, const char *detail, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers status with a problem naming field ("field" member); the detail
 * always names the field too, so a person reading only the message knows
 * what to fix. */
void http_field_problem(struct req *r, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a negative hearth_err to a problem response. */
void http_error(struct req *r, int err, const char *what);

/* Validates r->body against a field table (see core/json.h). On failure
 * answers 400 naming the field and returns false. */
bool req_fields(struct req *r, const struct field *f, size_t n, struct field_value *out);
#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))
/* Validates r->body against t, the table the route's row names too (the
 * OpenAPI request schema is generated from it; a debug build asserts that the
 * two are the same table). Answers 400 and returns false like req_fields. */
bool req_body_fields(struct req *r, const struct field_table *t, struct field_value *out);

/* Finishes a write transaction begun on req_db(r): when rc is 0, appends
 * the audit entry (action, resource) and commits; otherwise, or when that
 * fails, rolls back and answers the error (what names the thing). Returns
 * true when committed. */
bool req_commit(struct req *r, int rc, const char *action, const char *resource, const char *what);
/* Ends the request's transaction without saving anything, when one is
 * open (before answering a refusal). Edge code never calls db_rollback:
 * this, req_commit, req_refuse or its module's one exit do. */
void req_rollback(struct req *r);
/* Rolls back the request's open transaction (nothing was written) and
 * answers like http_field_problem. */
void req_refuse(struct req *r, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends an audit entry for this request inside the current transaction. */
int req_audit(struct req *r, const char *action, const char *resource, const char *outcome);

/* server.c */
int server_run(struct app *app); /* blocks until SIGTERM/SIGINT */
/* True once SIGTERM/SIGINT came: long answers (event streams) end so that
 * the requests in flight finish before the server stops. */
bool server_draining(void);
/* Blocks SIGTERM/SIGINT in the calling thread; call before starting any
 * thread (pools start some) so that only server_run receives them. */
void server_block_signals(void);

/* metrics.c */
void metrics_init(void);
/* ns is the request's duration, or METRICS_NO_DURATION for one whose
 * length is not a latency (an event stream open for hours). */
#define METRICS_NO_DURATION UINT64_MAX
void metrics_record(const struct route *rt, const char *label, int status, uint64_t ns);
void metrics_render(struct buf *out);

/* help.c: the "Get help now" page (no login, no JavaScript). */
int help_init(void);
/* Normalises an ISO 3166-1 alpha-2 code ("gb", "UK" -> "GB") into out.
 * Returns 0, or -HEARTH_EINVAL when s is not an assigned code. */
int help_country_normalise(const char *s, char out[3]);
/* True when resources/crisis/ has lines for the (normalised) code.
 * help_init() must have run. */
bool help_country_has_lines(const char *code);
/* The code of the i-th country with lines (in code order), or NULL past
 * the last. */
const char *help_country_at(size_t i);
/* Where the page looks for its country, most specific first: the visitor's
 * own choice (?country=), the logged-in user's organisation, the
 * deployment's default, then the regions in Accept-Language. Any of them
 * may be NULL or "". */
struct help_request {
	const char *country;         /* ?country= */
	const char *org_country;     /* the user's organisation's country */
	const char *default_country; /* the deployment's */
	const char *lang;            /* ?lang= */
	const char *accept_language; /* the header */
};
void help_render(struct buf *out, const struct help_request *hr);

/* core_http.c: handlers that belong to no module. */
void core_health(struct req *r);
void core_openapi(struct req *r);
void core_metrics(struct req *r);
void core_help(struct req *r);

/* openapi.c */
json_t *openapi_document(void);
/* The JSON Schema (2020-12) of a body validated by t, with the limits the
 * field table enforces. The caller owns the result. */
json_t *openapi_fields_schema(const struct field_table *t);

/* static.c */
/* One encoding of an asset: identity, gzip or Brotli (src/http/static.c). */
struct static_variant {
	const unsigned char *data; /* NULL: the asset has no such encoding */
	size_t len;
	char etag[32]; /* one per encoding */
	char *head;    /* status line and headers but Date, each ending \r\n */
	size_t headlen;
	char *head304; /* the same for 304 Not Modified: the same CSP (a 304's
	                * headers replace the cached ones) */
	size_t head304len;
};
struct static_asset {
	const char *path; /* "/app.js", or the hashed "/app.3f9c2a1b.js" */
	const char *type;
	const char *cache_control; /* "no-cache", or immutable for hashed paths */
	const unsigned char *data; /* the identity bytes */
	size_t len;
	struct static_variant plain, gzip, br;
};
void static_init(void);
const struct static_asset *static_find(const char *path);
/* The variant to send for a request's Accept-Encoding (NULL: identity). */
const struct static_variant *static_pick(const struct static_asset *a, const char *accept_encoding);
/* Whether an If-None-Match value matches etag. */
bool static_etag_match(const char *if_none_match, const char *etag);

/* Security headers sent on every response. */
extern const char http_security_headers[];
/* The Date header value (RFC 9110), formatted once a second per thread. */
const char *http_date(void);

#endif
