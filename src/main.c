/*
 * hearth: the command line. One binary serves the API and UI and does the
 * operator's work: init, migrate, demo, user add, backup, restore, audit verify.
 * Every command that touches data takes --db and --key-file (or HEARTH_DB,
 * HEARTH_KEY_FILE). Unknown commands and bad flags print usage and exit 2.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "demo/demo.h"
#include "http/http.h"
#include "programs/programs.h"
#include "core/banned.h"

static const char usage_text[] =
    "Usage: hearth COMMAND [OPTIONS]\n"
    "\n"
    "Hearth runs community arts programmes with mental-health partners.\n"
    "\n"
    "Commands:\n"
    "  serve                  serve the API and web UI\n"
    "  init                   create the database, key file and first admin\n"
    "  migrate                apply database migrations\n"
    "  demo                   load synthetic demo data and print the demo logins\n"
    "  user add               add a user or give an existing user a role\n"
    "  backup OUT             copy the database to OUT, consistently, while serving\n"
    "  restore BACKUP         put a backup in place of the (SQLite) database, checked,\n"
    "                         migrated, erasures since finished; servers stopped first\n"
    "  audit verify           check the audit log's hash chain\n"
    "  keys rotate            make a new master key, re-wrap every data key under it and\n"
    "                         key the audit chain with it; the previous key stays in the\n"
    "                         key file until `keys destroy-old` (docs/operator.md)\n"
    "  keys destroy-old       remove the previous master key from the key file, once every\n"
    "                         node was restarted on the new one\n"
    "  routes                 print the route table as JSON (method, path, action)\n"
    "  copy --from sqlite:PATH --to postgres://...\n"
    "                         move a SQLite database onto an empty PostgreSQL database,\n"
    "                         verified table by table (row counts and checksums)\n"
    "\n"
    "Options for every command that touches data:\n"
    "  --db PATH              database (env HEARTH_DB, default ./data/hearth.db)\n"
    "  --key-file PATH        master key file (env HEARTH_KEY_FILE, default ./data/hearth.key)\n"
    "  --key-store URL        per-person data keys, kept apart from the database (env\n"
    "                         HEARTH_KEY_STORE; default hearth.keystore.db beside the key\n"
    "                         file; a postgres:// URI of its own database for many nodes)\n"
    "  PostgreSQL, in seconds (env HEARTH_DB_CONNECT_TIMEOUT, ..._STATEMENT_TIMEOUT,\n"
    "  ..._KEEPALIVE): --db-connect-timeout S (5), --db-statement-timeout S (30; copy: 0),\n"
    "  --db-keepalive IDLE,INTERVAL,COUNT (10,5,3); docs/deploy.md\n"
    "\n";
/* In two parts: one string literal that long is past what C requires
 * compilers to support. */
static const char usage_text2[] =
    "serve:\n"
    "  --listen ADDR:PORT     (env HEARTH_LISTEN, default 127.0.0.1:8080)\n"
    "  --threads N            worker threads = concurrent connections (env HEARTH_THREADS,\n"
    "                         default 384, so hundreds of slow clients leave room)\n"
    "  --body-timeout S       a request body must arrive within S seconds, else 408 (env\n"
    "                         HEARTH_BODY_TIMEOUT, default 10)\n"
    "  --db-pool N            database connections (env HEARTH_DB_POOL, default threads on\n"
    "                         SQLite, 20 on PostgreSQL); --db-pool-wait S (5) for one\n"
    "  --max-body BYTES       request body limit (env HEARTH_MAX_BODY, default 1048576)\n"
    "  --secure-cookies       mark cookies Secure even on loopback (behind a TLS proxy;\n"
    "                         env HEARTH_SECURE_COOKIES=1); always on for other addresses\n"
    "  --no-access-log        do not write the JSON access log (env HEARTH_ACCESS_LOG=off)\n"
    "  --trusted-proxy CIDR[,CIDR...]\n"
    "                         reverse proxies whose X-Forwarded-For (or Forwarded) names\n"
    "                         the client (env HEARTH_TRUSTED_PROXIES; default none: the\n"
    "                         socket's peer is the client and those headers are ignored)\n"
    "  --default-country CC   override the deployment's country for \"Get help now\" (env\n"
    "                         HEARTH_DEFAULT_COUNTRY; default: the one stored by init)\n"
    "  login throttling (env): HEARTH_LOGIN_SLOW_AFTER (3), HEARTH_LOGIN_LOCK_AFTER (10),\n"
    "                         HEARTH_LOGIN_ADDR_SLOW_AFTER (10), HEARTH_LOGIN_ADDR_LOCK_AFTER "
    "(50),\n"
    "                         HEARTH_LOGIN_LOCK_SECONDS (900)\n"
    "  sessions (env): HEARTH_SESSION_IDLE (1800 s), HEARTH_SESSION_ABSOLUTE (43200 s)\n"
    "  people (env): HEARTH_RETENTION_DAYS (2190), HEARTH_REGISTER_MIN_SECONDS (3),\n"
    "                         HEARTH_REGISTER_PER_HOUR (10)\n"
    "init:\n"
    "  --admin-email EMAIL    create the first admin with this email\n"
    "  --org NAME             the admin's organisation (default \"Hearth\")\n"
    "  --default-country CC   required: the country whose crisis lines \"Get help now\"\n"
    "                         opens on (ISO 3166-1 alpha-2, e.g. GB; env\n"
    "                         HEARTH_DEFAULT_COUNTRY); asked for when run in a terminal\n"
    "  --password-stdin       read the admin password from one line of standard input;\n"
    "                         otherwise one is generated and printed once\n"
    "migrate:\n"
    "  --default-country CC   also store (or change) the deployment's country\n"
    "user add:\n"
    "  --email EMAIL --role ROLE [--org NAME] [--name NAME] [--password-stdin]\n"
    "                         ROLE: admin coordinator facilitator clinician peer_supporter\n"
    "                         moderator funder participant; --org is created if missing\n"
    "\n"
    "  -h, --help             show this help\n"
    "  -V, --version          show the version\n";

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s%s", usage_text, usage_text2);
	exit(2);
}

struct opts {
	const char *db, *key_file, *key_store, *listen, *admin_email, *org, *email, *role, *name,
	    *from, *to, *default_country, *trusted_proxies;
	int threads, body_timeout, db_pool, db_wait;
	struct db_options dbo;
	long max_body;
	bool password_stdin, secure_cookies, no_access_log;
};

enum {
	OPT_DB = 1000,
	OPT_KEY,
	OPT_LISTEN,
	OPT_THREADS,
	OPT_MAX_BODY,
	OPT_ADMIN_EMAIL,
	OPT_ORG,
	OPT_PW_STDIN,
	OPT_EMAIL,
	OPT_ROLE,
	OPT_NAME,
	OPT_SECURE,
	OPT_NO_ACCESS_LOG,
	OPT_FROM,
	OPT_TO,
	OPT_DB_POOL,
	OPT_DB_POOL_WAIT,
	OPT_DB_CONNECT_TIMEOUT,
	OPT_DB_STATEMENT_TIMEOUT,
	OPT_DB_KEEPALIVE,
	OPT_KEY_STORE,
	OPT_DEFAULT_COUNTRY,
	OPT_TRUSTED_PROXY,
	OPT_BODY_TIMEOUT,
};

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static long parse_long(const char *s, const char *flag, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "hearth: %s must be a number from %ld to %ld (got \"%s\")\n\n%s%s",
		        flag, min, max, s, usage_text, usage_text2);
		exit(2);
	}
	return v;
}

/* Parses "IDLE,INTERVAL,COUNT" (seconds, seconds, probes) into o; exits 2
 * on anything else. */
static void parse_keepalive(const char *s, const char *flag, struct db_options *o)
{
	long v[3];
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		char *end;
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (errno || end == p || v[i] < 0 || v[i] > 3600 || *end != (i < 2 ? ',' : '\0')) {
			fprintf(
			    stderr,
			    "hearth: %s must be IDLE,INTERVAL,COUNT: three numbers from 0 to 3600 "
			    "(got \"%s\")\n\n%s%s",
			    flag, s, usage_text, usage_text2);
			exit(2);
		}
		p = end + 1;
	}
	o->keepalive_idle_s = (int)v[0];
	o->keepalive_interval_s = (int)v[1];
	o->keepalive_count = (int)v[2];
}

/* Parses options after the command words; returns the index of the first
 * positional argument. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, OPT_DB},
	    {"key-file", required_argument, NULL, OPT_KEY},
	    {"listen", required_argument, NULL, OPT_LISTEN},
	    {"threads", required_argument, NULL, OPT_THREADS},
	    {"max-body", required_argument, NULL, OPT_MAX_BODY},
	    {"admin-email", required_argument, NULL, OPT_ADMIN_EMAIL},
	    {"org", required_argument, NULL, OPT_ORG},
	    {"password-stdin", no_argument, NULL, OPT_PW_STDIN},
	    {"email", required_argument, NULL, OPT_EMAIL},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"secure-cookies", no_argument, NULL, OPT_SECURE},
	    {"no-access-log", no_argument, NULL, OPT_NO_ACCESS_LOG},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"db-pool", required_argument, NULL, OPT_DB_POOL},
	    {"db-pool-wait", required_argument, NULL, OPT_DB_POOL_WAIT},
	    {"db-connect-timeout", required_argument, NULL, OPT_DB_CONNECT_TIMEOUT},
	    {"db-statement-timeout", required_argument, NULL, OPT_DB_STATEMENT_TIMEOUT},
	    {"db-keepalive", required_argument, NULL, OPT_DB_KEEPALIVE},
	    {"key-store", required_argument, NULL, OPT_KEY_STORE},
	    {"to", required_argument, NULL, OPT_TO},
	    {"default-country", required_argument, NULL, OPT_DEFAULT_COUNTRY},
	    {"trusted-proxy", required_argument, NULL, OPT_TRUSTED_PROXY},
	    {"body-timeout", required_argument, NULL, OPT_BODY_TIMEOUT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	o->db = env_or("HEARTH_DB", "./data/hearth.db");
	o->key_file = env_or("HEARTH_KEY_FILE", "./data/hearth.key");
	o->key_store = env_or("HEARTH_KEY_STORE", NULL);
	o->listen = env_or("HEARTH_LISTEN", "127.0.0.1:8080");
	o->threads = (int)parse_long(env_or("HEARTH_THREADS", "384"), "HEARTH_THREADS", 1, 4096);
	o->body_timeout = (int)parse_long(env_or("HEARTH_BODY_TIMEOUT", "10"), "HEARTH_BODY_TIMEOUT",
	                                  1, 600);
	o->max_body = parse_long(env_or("HEARTH_MAX_BODY", "1048576"), "HEARTH_MAX_BODY", 1024,
	                         64L * 1024 * 1024);
	o->secure_cookies = strcmp(env_or("HEARTH_SECURE_COOKIES", "0"), "1") == 0;
	o->no_access_log = strcmp(env_or("HEARTH_ACCESS_LOG", "on"), "off") == 0;
	o->db_pool = (int)parse_long(env_or("HEARTH_DB_POOL", "0"), "HEARTH_DB_POOL", 0, 1024);
	o->db_wait =
	    (int)parse_long(env_or("HEARTH_DB_POOL_WAIT", "5"), "HEARTH_DB_POOL_WAIT", 1, 600);
	o->dbo = *db_get_options();
	o->dbo.connect_timeout_s = (int)parse_long(env_or("HEARTH_DB_CONNECT_TIMEOUT", "5"),
	                                           "HEARTH_DB_CONNECT_TIMEOUT", 0, 3600);
	/* `copy` moves whole tables in one statement each: no statement
	 * timeout unless one is asked for. */
	bool copying = argc > 0 && strcmp(argv[0], "copy") == 0; /* argv[0]: the command */
	o->dbo.statement_timeout_s =
	    (int)parse_long(env_or("HEARTH_DB_STATEMENT_TIMEOUT", copying ? "0" : "30"),
	                    "HEARTH_DB_STATEMENT_TIMEOUT", 0, 86400);
	parse_keepalive(env_or("HEARTH_DB_KEEPALIVE", "10,5,3"), "HEARTH_DB_KEEPALIVE", &o->dbo);
	o->default_country = env_or("HEARTH_DEFAULT_COUNTRY", NULL);
	o->trusted_proxies = env_or("HEARTH_TRUSTED_PROXIES", "");
	o->org = "Hearth";
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_KEY: o->key_file = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_THREADS: o->threads = (int)parse_long(optarg, "--threads", 1, 4096); break;
		case OPT_BODY_TIMEOUT:
			o->body_timeout = (int)parse_long(optarg, "--body-timeout", 1, 600);
			break;
		case OPT_MAX_BODY:
			o->max_body = parse_long(optarg, "--max-body", 1024, 64L * 1024 * 1024);
			break;
		case OPT_ADMIN_EMAIL: o->admin_email = optarg; break;
		case OPT_ORG: o->org = optarg; break;
		case OPT_PW_STDIN: o->password_stdin = true; break;
		case OPT_EMAIL: o->email = optarg; break;
		case OPT_ROLE: o->role = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_SECURE: o->secure_cookies = true; break;
		case OPT_NO_ACCESS_LOG: o->no_access_log = true; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_KEY_STORE: o->key_store = optarg; break;
		case OPT_DB_POOL: o->db_pool = (int)parse_long(optarg, "--db-pool", 1, 1024); break;
		case OPT_DB_POOL_WAIT:
			o->db_wait = (int)parse_long(optarg, "--db-pool-wait", 1, 600);
			break;
		case OPT_DB_CONNECT_TIMEOUT:
			o->dbo.connect_timeout_s =
			    (int)parse_long(optarg, "--db-connect-timeout", 0, 3600);
			break;
		case OPT_DB_STATEMENT_TIMEOUT:
			o->dbo.statement_timeout_s =
			    (int)parse_long(optarg, "--db-statement-timeout", 0, 86400);
			break;
		case OPT_DB_KEEPALIVE: parse_keepalive(optarg, "--db-keepalive", &o->dbo); break;
		case OPT_TO: o->to = optarg; break;
		case OPT_DEFAULT_COUNTRY: o->default_country = optarg; break;
		case OPT_TRUSTED_PROXY: o->trusted_proxies = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(usage_text2, stdout);
			exit(0);
		default: usage_error("unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	db_set_options(&o->dbo); /* before any pool opens */
	return optind;
}

/* Creates the parent directory of path if it is missing (one level). */
static void ensure_parent_dir(const char *path)
{
	char tmp[4096];
	if (strncmp(path, "postgres", 8) == 0 ||
	    snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return;
	char *dir = dirname(tmp);
	if (strcmp(dir, ".") != 0 && mkdir(dir, 0700) != 0 && errno != EEXIST)
		fprintf(stderr, "hearth: cannot create directory %s: %s\n", dir, strerror(errno));
}

static struct db_pool *open_db(const struct opts *o, int size)
{
	int err;
	char msg[512];
	struct db_pool *p = db_pool_open(o->db, size, &err, msg, sizeof msg);
	if (!p) {
		fprintf(stderr, "hearth: %s\n", msg);
		exit(1);
	}
	return p;
}

static void load_keys(const struct opts *o, struct keyring *kr)
{
	int rc = hc_keyring_load(kr, o->key_file);
	if (rc == -HEARTH_ENOTFOUND) {
		fprintf(stderr, "hearth: key file %s does not exist; run `hearth init` first\n",
		        o->key_file);
		exit(1);
	}
	if (rc) {
		fprintf(stderr, "hearth: cannot read key file %s: %s\n", o->key_file,
		        hearth_strerror(rc));
		exit(1);
	}
}

/* Opens the key store named by --key-store, or the default beside the key
 * file; exits on failure. */
static struct keystore *open_keystore(const struct opts *o)
{
	char path[4096], msg[512];
	const char *url = o->key_store;
	if (!url) {
		keystore_default_path(o->key_file, path, sizeof path);
		url = path;
	}
	struct keystore *ks = keystore_open(url, msg, sizeof msg);
	if (!ks) {
		fprintf(stderr, "hearth: key store: %s\n", msg);
		exit(1);
	}
	return ks;
}

static void migrate_or_die(struct db_pool *p)
{
	char msg[512] = "";
	int n = db_migrate(p, msg, sizeof msg);
	if (n < 0) {
		fprintf(stderr, "hearth: migration failed: %s %s\n", hearth_strerror(n), msg);
		exit(1);
	}
}

/* Reads one line of standard input as a password, or generates one. */
static void get_password(bool from_stdin, char *out, size_t size, bool *generated)
{
	*generated = false;
	if (from_stdin) {
		if (!fgets(out, (int)size, stdin)) {
			fprintf(stderr,
			        "hearth: --password-stdin: no password on standard input\n");
			exit(1);
		}
		out[strcspn(out, "\r\n")] = '\0';
		if (strlen(out) < 12) {
			fprintf(stderr, "hearth: the password must be at least 12 characters\n");
			exit(1);
		}
		return;
	}
	unsigned char raw[15];
	hc_random(raw, sizeof raw);
	sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*generated = true;
}

/* Creates or extends a user inside one audited transaction. */
static int add_user(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim,
                    const char *email, const char *name, enum role role, const char *org,
                    const char *password, bool *existed)
{
	char hash[128];
	int64_t org_id = 0, uid = 0, mid = 0;
	int rc = auth_password_hash(lim, hash, password);
	if (rc)
		return rc;
	struct db_conn *c = db_acquire(p);
	if ((rc = db_begin(c, true)) != 0)
		goto out;
	if ((rc = auth_org_ensure(c, org, "arts", &org_id, NULL)) != 0)
		goto fail;
	if ((rc = auth_user_find(c, email, &uid)) != 0)
		goto fail;
	*existed = uid != 0;
	/* A participant's login is stored as a keyed hash of the email, as the
	 * claim page stores it (auth_login_key): the users table holds no
	 * participant's details. */
	char login[80];
	if (role == ROLE_PARTICIPANT) {
		auth_login_key(kr, email, login);
		if (!uid && (rc = auth_user_find(c, login, &uid)) != 0)
			goto fail;
		*existed = uid != 0;
	}
	if (!uid && (rc = auth_user_create(c, role == ROLE_PARTICIPANT ? login : email,
					   role == ROLE_PARTICIPANT ? "Participant" : name, hash,
					   &uid)) != 0)
		goto fail;
	if ((rc = auth_membership_add(c, uid, org_id, role, &mid)) != 0)
		goto fail;
	char res[40];
	snprintf(res, sizeof res, "user:%lld", (long long)uid);
	struct audit_entry e = {0,   org_id,    *existed ? "membership.create" : "user.create",
	                        res, "success", "cli"};
	if ((rc = audit_append(c, kr, &e)) != 0)
		goto fail;
	rc = db_commit(c);
	if (rc)
		goto fail;
	goto out;
fail:
	db_rollback(c);
out:
	db_release(p, c);
	return rc;
}

/* Checks a --default-country value into out (normalised, "GB"). Prints why
 * and returns false when it is not a country code; warns, and accepts it,
 * when Hearth has no crisis lines for that country. */
static bool check_country(const char *s, char out[3])
{
	if (help_country_normalise(s, out) != 0) {
		fprintf(stderr,
		        "hearth: --default-country: \"%s\" is not an ISO 3166-1 alpha-2 country "
		        "code; use two letters such as GB, IE, US or ES\n",
		        s);
		return false;
	}
	if (!help_country_has_lines(out))
		fprintf(stderr,
		        "hearth: note: Hearth has no crisis lines for %s yet, so \"Get help now\" "
		        "will show a country chooser and international guidance; add "
		        "resources/crisis/%s.json to list that country's lines\n",
		        out, out);
	return true;
}

/* A country to suggest at the prompt: the one the system's time zone is in
 * (zone.tab maps zones to countries), else the region of the locale. Writes
 * "" when there is no good guess. */
static void suggest_country(char out[3])
{
	char zone[256] = "", line[512];
	out[0] = '\0';
	const char *tz = getenv("TZ");
	if (tz && *tz)
		snprintf(zone, sizeof zone, "%s", tz[0] == ':' ? tz + 1 : tz);
	else {
		ssize_t n = readlink("/etc/localtime", line, sizeof line - 1);
		if (n > 0) {
			line[n] = '\0';
			const char *z = strstr(line, "zoneinfo/");
			if (z)
				snprintf(zone, sizeof zone, "%s", z + 9);
		}
	}
	FILE *f = *zone ? fopen("/usr/share/zoneinfo/zone.tab", "r") : NULL;
	while (f && fgets(line, sizeof line, f)) {
		/* CC<TAB>coordinates<TAB>Zone/Name[<TAB>comment] */
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (line[0] == '#' || !tab2)
			continue;
		size_t zl = strcspn(tab2 + 1, "\t\r\n");
		if (zl == strlen(zone) && strncmp(tab2 + 1, zone, zl) == 0) {
			line[2] = '\0';
			help_country_normalise(line, out);
			break;
		}
	}
	if (f)
		fclose(f);
	const char *loc = env_or("LC_ALL", env_or("LC_MESSAGES", env_or("LANG", "")));
	const char *us = strchr(loc, '_');
	if (!*out && us && strlen(us) >= 3) {
		char cc[3] = {us[1], us[2], 0};
		help_country_normalise(cc, out);
	}
}

/* The deployment's country for "Get help now", which init requires: from
 * --default-country / HEARTH_DEFAULT_COUNTRY, else asked for when standard
 * input is a terminal. `make run`, CI and scripts run init with no
 * terminal: they must pass it. Returns true with the code in out. */
static bool init_country(const struct opts *o, char out[3])
{
	if (o->default_country)
		return check_country(o->default_country, out);
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr,
		        "hearth: init needs the country whose crisis lines \"Get help now\" shows "
		        "first: pass --default-country CC (or set HEARTH_DEFAULT_COUNTRY), e.g. "
		        "--default-country GB. Standard input is not a terminal, so it cannot be "
		        "asked for.\n");
		return false;
	}
	char suggestion[3], line[64];
	suggest_country(suggestion);
	fprintf(stderr, "\"Get help now\" shows crisis lines for one country first. Hearth has "
	                "lines for:");
	for (size_t i = 0; help_country_at(i); i++)
		fprintf(stderr, " %s", help_country_at(i));
	fprintf(stderr, ".\n");
	for (int tries = 0; tries < 3; tries++) {
		if (*suggestion)
			fprintf(stderr, "Country of this deployment (two letters, ISO 3166-1) [%s]: ",
			        suggestion);
		else
			fprintf(stderr, "Country of this deployment (two letters, ISO 3166-1, e.g. GB): ");
		if (!fgets(line, sizeof line, stdin)) {
			fprintf(stderr, "\nhearth: no country given; pass --default-country CC\n");
			return false;
		}
		line[strcspn(line, "\r\n")] = '\0';
		const char *answer = *line ? line : suggestion;
		if (*answer && check_country(answer, out))
			return true;
	}
	fprintf(stderr, "hearth: no country given; pass --default-country CC\n");
	return false;
}

/* Stores the deployment's country in the settings table, audited. */
static int store_default_country(struct db_pool *p, const struct keyring *kr, const char *cc)
{
	struct db_conn *c = db_acquire(p);
	int rc = db_begin(c, true);
	if (rc)
		goto out;
	struct audit_entry e = {0, 0, "settings.update", "setting:default_country", "success",
	                        "cli"};
	if ((rc = auth_setting_set(c, "default_country", cc)) != 0 ||
	    (rc = audit_append(c, kr, &e)) != 0 || (rc = db_commit(c)) != 0)
		db_rollback(c);
out:
	db_release(p, c);
	return rc;
}

static int cmd_init(const struct opts *o)
{
	struct keyring kr;
	ensure_parent_dir(o->db);
	ensure_parent_dir(o->key_file);
	if (o->admin_email) {
		char *e = util_normalise_email(NULL, o->admin_email);
		if (!util_email_valid(e)) {
			fprintf(stderr,
			        "hearth: --admin-email: \"%s\" is not a valid email address\n",
			        o->admin_email);
			free(e);
			return 2;
		}
		free(e);
	}
	/* Everything that can be refused is checked before anything is made, so a
	 * refused init leaves nothing half-made behind. */
	char country[3];
	help_init();
	if (!init_country(o, country))
		return 2;
	char pw[256];
	bool generated = false;
	if (o->admin_email)
		get_password(o->password_stdin, pw, sizeof pw, &generated);
	/* A database that is already set up belongs to an existing key file: a
	 * new key would write entries the old key cannot verify. (An existing
	 * key file is refused below, with its own message.) */
	struct stat key_st;
	if (stat(o->key_file, &key_st) != 0) {
		struct db_pool *existing = open_db(o, 1);
		int version = db_schema_version(existing);
		db_pool_close(existing);
		if (version > 0) {
			fprintf(
			    stderr,
			    "hearth: %s is already set up (schema version %d); refusing to make a "
			    "new "
			    "key for it. Every node uses the key file made when it was set up; add "
			    "people with `hearth user add`, upgrade with `hearth migrate`.\n",
			    o->db, version);
			return 1;
		}
	}
	int rc = hc_keyfile_create(o->key_file);
	if (rc == -HEARTH_ECONFLICT) {
		fprintf(stderr,
		        "hearth: key file %s already exists; refusing to overwrite it "
		        "(it protects the data already encrypted with it)\n",
		        o->key_file);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "hearth: cannot create key file %s: %s\n", o->key_file,
		        strerror(errno));
		return 1;
	}
	printf("Created key file %s (mode 0600). Keep a copy somewhere safe: without it the\n"
	       "encrypted data and the audit chain cannot be read or checked.\n",
	       o->key_file);
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	migrate_or_die(p);
	if ((rc = store_default_country(p, &kr, country)) != 0) {
		fprintf(stderr, "hearth: cannot store the default country: %s\n",
		        hearth_strerror(rc));
		db_pool_close(p);
		return 1;
	}
	printf("Database %s is ready. \"Get help now\" opens on %s unless an organisation "
	       "sets its own country.\n",
	       o->db, country);
	if (o->admin_email) {
		char email[256];
		bool existed;
		struct auth_limits *lim = auth_limits_new(1, 0);
		char *norm = util_normalise_email(NULL, o->admin_email);
		snprintf(email, sizeof email, "%s", norm);
		free(norm);
		rc =
		    add_user(p, &kr, lim, email, "Administrator", ROLE_ADMIN, o->org, pw, &existed);
		auth_limits_free(lim);
		if (rc) {
			fprintf(stderr, "hearth: cannot create the admin: %s\n",
			        hearth_strerror(rc));
			db_pool_close(p);
			return 1;
		}
		printf("Created admin %s in organisation \"%s\".\n", email, o->org);
		if (generated)
			printf("Password (shown only now): %s\n", pw);
		sodium_memzero(pw, sizeof pw);
	} else {
		printf("No admin created (use --admin-email, or `hearth user add`).\n");
	}
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	return 0;
}

static int cmd_migrate(const struct opts *o)
{
	struct keyring kr;
	char country[3] = "";
	help_init();
	if (o->default_country && !check_country(o->default_country, country))
		return 2;
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	char msg[512] = "";
	int n = db_migrate(p, msg, sizeof msg);
	if (n < 0) {
		fprintf(stderr, "hearth: migration failed: %s %s\n", hearth_strerror(n), msg);
		db_pool_close(p);
		return 1;
	}
	printf("Applied %d migration(s); schema version %d.\n", n, db_schema_version(p));
	/* Databases made before init asked for it have no country: this is how
	 * an existing deployment sets (or changes) it. */
	if (*country) {
		int rc = store_default_country(p, &kr, country);
		if (rc) {
			fprintf(stderr, "hearth: cannot store the default country: %s\n",
			        hearth_strerror(rc));
			db_pool_close(p);
			return 1;
		}
		printf("\"Get help now\" now opens on %s unless an organisation sets its own "
		       "country.\n",
		       country);
	}
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	return 0;
}

static int cmd_demo(const struct opts *o)
{
	struct keyring kr;
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	migrate_or_die(p);
	struct auth_limits *lim = auth_limits_new(2, 64);
	struct people_ctx px = {open_keystore(o), &kr};
	int rc = demo_load(p, &px, lim, stdout);
	auth_limits_free(lim);
	keystore_close(px.ks);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	if (rc) {
		fprintf(stderr, "hearth: loading demo data failed: %s\n", hearth_strerror(rc));
		return 1;
	}
	return 0;
}

static int cmd_user_add(const struct opts *o)
{
	struct keyring kr;
	char email[256], pw[256];
	bool generated, existed = false;
	if (!o->email || !o->role)
		usage_error("user add needs --email and --role");
	char *norm = util_normalise_email(NULL, o->email);
	snprintf(email, sizeof email, "%s", norm);
	free(norm);
	if (!util_email_valid(email)) {
		fprintf(stderr, "hearth: --email: \"%s\" is not a valid email address\n", o->email);
		return 2;
	}
	int role = role_from_name(o->role);
	if (role < 0)
		usage_error("--role: unknown role \"%s\"", o->role);
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	migrate_or_die(p);
	get_password(o->password_stdin, pw, sizeof pw, &generated);
	struct auth_limits *lim = auth_limits_new(1, 0);
	int rc = add_user(p, &kr, lim, email, o->name ? o->name : email, (enum role)role, o->org,
	                  pw, &existed);
	auth_limits_free(lim);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	if (rc == -HEARTH_ECONFLICT) {
		fprintf(stderr, "hearth: %s already has the role %s in \"%s\"\n", email, o->role,
		        o->org);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "hearth: cannot add the user: %s\n", hearth_strerror(rc));
		return 1;
	}
	if (existed) {
		printf("Gave %s the role %s in \"%s\" (password unchanged).\n", email, o->role,
		       o->org);
	} else {
		printf("Created %s with role %s in \"%s\".\n", email, o->role, o->org);
		if (generated)
			printf("Password (shown only now): %s\n", pw);
	}
	sodium_memzero(pw, sizeof pw);
	return 0;
}

static int cmd_backup(const struct opts *o, const char *out)
{
	struct keyring kr;
	char msg[512] = "";
	struct stat st;
	if (stat(out, &st) == 0) {
		fprintf(stderr, "hearth: %s already exists; refusing to overwrite it\n", out);
		return 1;
	}
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	int rc = db_backup(p, out, msg, sizeof msg);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	if (rc) {
		fprintf(stderr, "hearth: %s\n", msg);
		unlink(out);
		return 1;
	}
	chmod(out, 0600);
	printf("Backed up %s to %s.\n", o->db, out);
	return 0;
}

/* Removes a SQLite file with its -wal and -shm, if they exist. */
static void unlink_sqlite(const char *path)
{
	char side[4200];
	unlink(path);
	if (snprintf(side, sizeof side, "%s-wal", path) < (int)sizeof side)
		unlink(side);
	if (snprintf(side, sizeof side, "%s-shm", path) < (int)sizeof side)
		unlink(side);
}

/* hearth restore BACKUP: puts a `hearth backup` file in place of the SQLite
 * database --db. Everything is done on a copy beside the target first:
 * the backup is checked (a Hearth database, SQLite's integrity and foreign
 * key checks, a schema this binary knows), migrated to this binary's
 * schema, the erasures the key store records since the backup are
 * finished, and the audit chain is verified. Only then is the target
 * replaced, under an exclusive lock that fails, leaving the target as it
 * was, while any server has it open. The key file and the key store are
 * this deployment's own, never from the backup (the key store holds no
 * key of anyone erased since; docs/privacy.md). */
static int cmd_restore(const struct opts *o, const char *backup)
{
	struct keyring kr;
	struct keystore *ks = NULL;
	struct db_pool *p = NULL;
	struct audit_verify_result res;
	struct stat st_backup, st_target, st_ks;
	char msg[512] = "", tmp[4096] = "", ks_path[4096];
	size_t reconciled = 0;
	int ret = 1, err, rc;
	if (strncmp(o->db, "postgres", 8) == 0) {
		fprintf(stderr, "hearth: restore puts a `hearth backup` file in place of a SQLite "
		                "database. On PostgreSQL, load a pg_dump into a new database "
		                "(pg_restore or psql) and start the servers on it: see "
		                "docs/operator.md, \"Restore\"\n");
		return 2;
	}
	const char *target = strncmp(o->db, "sqlite:", 7) == 0 ? o->db + 7 : o->db;
	if (stat(backup, &st_backup) != 0) {
		fprintf(stderr, "hearth: cannot read %s: %s\n", backup, strerror(errno));
		return 1;
	}
	bool existed = stat(target, &st_target) == 0;
	if (existed && st_target.st_dev == st_backup.st_dev &&
	    st_target.st_ino == st_backup.st_ino) {
		fprintf(stderr, "hearth: %s is the database itself; restore a backup of it\n",
		        backup);
		return 1;
	}
	load_keys(o, &kr);
	/* A missing key store would be made empty here, and then every person
	 * in the backup would look erased: name the mistake instead. */
	if (!o->key_store) {
		keystore_default_path(o->key_file, ks_path, sizeof ks_path);
		if (stat(ks_path, &st_ks) != 0) {
			fprintf(
			    stderr,
			    "hearth: not restoring: there is no key store at %s. Put this "
			    "deployment's key store (its newest copy, never an old one) beside the "
			    "key file, or name it with --key-store\n",
			    ks_path);
			goto out;
		}
	}
	ks = open_keystore(o);
	if (snprintf(tmp, sizeof tmp, "%s.restoring", target) >= (int)sizeof tmp) {
		fprintf(stderr, "hearth: the path %s is too long\n", target);
		goto out;
	}
	ensure_parent_dir(target);
	unlink_sqlite(tmp); /* left by a restore that was interrupted */
	/* The work is done on a copy: the backup file stays as it was. */
	if (db_restore_stage(backup, tmp, msg, sizeof msg) != 0) {
		fprintf(stderr, "hearth: not restoring: %s\n", msg);
		goto out;
	}
	int version = db_restore_check(tmp, backup, db_migrations_latest(), msg, sizeof msg);
	if (version < 0) {
		fprintf(stderr, "hearth: not restoring: %s\n", msg);
		goto out;
	}
	p = db_pool_open(tmp, 1, &err, msg, sizeof msg);
	if (!p) {
		fprintf(stderr, "hearth: not restoring: %s\n", msg);
		goto out;
	}
	int applied = db_migrate(p, msg, sizeof msg);
	if (applied < 0) {
		fprintf(stderr, "hearth: not restoring: migrating the backup failed: %s %s\n",
		        hearth_strerror(applied), msg);
		goto out;
	}
	/* The key store's erasure record wins over the backup, as at every
	 * start (after programs_init, so that places are released too). */
	programs_init();
	struct people_ctx px = {ks, &kr};
	rc = people_reconcile_erasures(&px, p, &reconciled);
	if (rc == -HEARTH_ECRYPTO) {
		fprintf(stderr,
		        "hearth: not restoring: the backup has participants without a data "
		        "key, and the key store holds no key this key file opens: is the key "
		        "file or --key-store right? Nobody was erased\n");
		goto out;
	}
	if (rc) {
		fprintf(stderr,
		        "hearth: not restoring: finishing the erasures recorded in the key "
		        "store failed: %s\n",
		        hearth_strerror(rc));
		goto out;
	}
	rc = audit_verify(p, &kr, &res);
	if (rc == -HEARTH_ETAMPER) {
		fprintf(stderr,
		        "hearth: not restoring: the backup's audit chain is broken at entry %lld "
		        "(%s); use another backup, or find out who changed it\n",
		        (long long)res.first_bad_id, res.reason);
		goto out;
	}
	if (rc) {
		fprintf(stderr,
		        "hearth: not restoring: cannot verify the backup's audit chain: %s\n",
		        hearth_strerror(rc));
		goto out;
	}
	db_pool_close(p);
	p = NULL;
	if (db_restore_copy(tmp, target, msg, sizeof msg) != 0) {
		fprintf(stderr, "hearth: not restoring: %s\n", msg);
		goto out;
	}
	if (!existed)
		chmod(target, 0600);
	printf("Restored %s (schema version %d) into %s: %d migration(s) applied, %zu erasure(s) "
	       "recorded in the key store finished, audit chain intact (%lld entries). Start the "
	       "server(s) on it.\n",
	       backup, version, target, applied, reconciled, (long long)res.checked);
	ret = 0;
out:
	if (p)
		db_pool_close(p);
	if (*tmp)
		unlink_sqlite(tmp);
	keystore_close(ks);
	hc_keyring_wipe(&kr);
	return ret;
}

/* Appends one audit entry of the key commands, made with kr's current key,
 * in a transaction of its own. Returns 0 or a negative hearth_err. */
static int audit_keys(struct db_pool *p, const struct keyring *kr, const char *action,
                      uint32_t key_id)
{
	char resource[32];
	struct db_conn *c = db_acquire(p);
	snprintf(resource, sizeof resource, "master_key:%u", (unsigned)key_id);
	struct audit_entry e = {
	    .action = action, .resource = resource, .outcome = "success", .request_id = ""};
	int rc = db_begin(c, true);
	if (!rc && (rc = audit_append(c, kr, &e)) == 0)
		rc = db_commit(c);
	if (rc)
		db_rollback(c);
	db_release(p, c);
	return rc;
}

/* hearth keys rotate: makes a new master key current in the key file (the
 * current one kept as previous), re-wraps every data key under it, row by
 * row, and appends an audit entry made with it (from then on, every node
 * started on the new key file keys the chain with it). Run again after an
 * interruption, it finishes the same rotation instead of starting another.
 * HEARTH_TEST_ROTATE_CRASH_AFTER=N aborts after N re-wraps (tests). */
static int cmd_keys_rotate(const struct opts *o)
{
	struct keyring kr;
	int ret = 1, rc;
	bool resumed = true;
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	migrate_or_die(p);
	struct keystore *ks = open_keystore(o);
	struct people_ctx px = {ks, &kr};
	if (!hc_keyring_has_previous(&kr)) {
		resumed = false;
		if (hc_keyring_rotate(&kr) != 0) {
			fprintf(stderr,
			        "hearth: the key file already keeps the audit keys of %d "
			        "destroyed master keys, the most it holds\n",
			        HC_KEYRING_MAX_OLD);
			goto out;
		}
		if ((rc = hc_keyfile_write(o->key_file, &kr)) != 0) {
			fprintf(stderr,
			        "hearth: cannot write the key file %s: %s; nothing changed\n",
			        o->key_file, hearth_strerror(rc));
			goto out;
		}
	}
	long crash_after = parse_long(env_or("HEARTH_TEST_ROTATE_CRASH_AFTER", "0"),
	                              "HEARTH_TEST_ROTATE_CRASH_AFTER", 0, 1000000000);
	size_t done = 0, failed = 0;
	if ((rc = people_keys_rewrap(&px, crash_after, &done, &failed)) != 0) {
		fprintf(stderr,
		        "hearth: re-wrapping data keys stopped after %zu: %s; run `hearth keys "
		        "rotate` again to finish\n",
		        done, hearth_strerror(rc));
		goto out;
	}
	if ((rc = audit_keys(p, &kr, "keys.rotate", kr.id)) != 0) {
		fprintf(stderr,
		        "hearth: cannot write the audit entry: %s; run `hearth keys rotate` "
		        "again to finish\n",
		        hearth_strerror(rc));
		goto out;
	}
	if (failed)
		fprintf(stderr,
		        "hearth: warning: %zu data key(s) open with no key in the key file "
		        "and were left as they are\n",
		        failed);
	printf("%s master key %u in %s: %zu data key(s) re-wrapped, the audit chain continues "
	       "with it. Restart every node now (each reads the key file at start), then run "
	       "`hearth keys destroy-old`.\n",
	       resumed ? "Finished the rotation to" : "Rotated to", (unsigned)kr.id, o->key_file,
	       done);
	ret = 0;
out:
	keystore_close(ks);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	return ret;
}

struct last_entry_ctx {
	struct db_pool *p;
	int rc;
};

static int64_t last_entry_of(uint32_t id, void *ctx)
{
	struct last_entry_ctx *lc = ctx;
	int64_t last = 0;
	int rc = audit_key_last_entry(lc->p, id, &last);
	if (rc && !lc->rc)
		lc->rc = rc;
	return last;
}

/* hearth keys destroy-old: re-wraps what nodes still on the previous key
 * wrote meanwhile, checks that no data key is left under a previous master
 * key, and then removes those keys from the key file (their audit keys stay
 * to verify older entries). */
static int cmd_keys_destroy_old(const struct opts *o)
{
	struct keyring kr;
	int ret = 1, rc;
	load_keys(o, &kr);
	if (!hc_keyring_has_previous(&kr)) {
		printf("No previous master key in %s: nothing to destroy.\n", o->key_file);
		hc_keyring_wipe(&kr);
		return 0;
	}
	struct db_pool *p = open_db(o, 1);
	migrate_or_die(p);
	struct keystore *ks = open_keystore(o);
	struct people_ctx px = {ks, &kr};
	size_t done = 0, failed = 0, under = 0, total = 0;
	if ((rc = people_keys_rewrap(&px, 0, &done, &failed)) != 0) {
		fprintf(stderr, "hearth: re-wrapping data keys failed: %s; nothing destroyed\n",
		        hearth_strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < kr.nold; i++) {
		if (!kr.old[i].has_master)
			continue;
		if ((rc = people_keys_count(&px, kr.old[i].id, &under, &total)) != 0) {
			fprintf(stderr,
			        "hearth: cannot read the key store: %s; nothing destroyed\n",
			        hearth_strerror(rc));
			goto out;
		}
		if (under) {
			fprintf(stderr,
			        "hearth: %zu data key(s) are still wrapped by master key %u; "
			        "nothing destroyed\n",
			        under, (unsigned)kr.old[i].id);
			goto out;
		}
	}
	uint32_t oldest = kr.old[0].id;
	/* Each destroyed key's last audit entry is written beside its audit key:
	 * the verifier refuses an entry after it that names the key. Nodes still
	 * running on the old key would write such entries: restart them first. */
	struct last_entry_ctx lc = {p, 0};
	size_t dropped = hc_keyring_drop_previous(&kr, last_entry_of, &lc);
	if (lc.rc) {
		fprintf(stderr, "hearth: cannot read the audit log: %s; nothing destroyed\n",
		        hearth_strerror(lc.rc));
		goto out;
	}
	if ((rc = hc_keyfile_write(o->key_file, &kr)) != 0) {
		fprintf(stderr, "hearth: cannot write the key file %s: %s; nothing destroyed\n",
		        o->key_file, hearth_strerror(rc));
		goto out;
	}
	if ((rc = audit_keys(p, &kr, "keys.destroy_old", oldest)) != 0)
		fprintf(stderr, "hearth: warning: the audit entry could not be written: %s\n",
		        hearth_strerror(rc));
	printf("Destroyed %zu previous master key(s) in %s (%zu data key(s) re-wrapped first); "
	       "master key %u is the only one. Destroy every other copy of the old key file and "
	       "keep a copy of the new one.\n",
	       dropped, o->key_file, done, (unsigned)kr.id);
	ret = 0;
out:
	keystore_close(ks);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	return ret;
}

static int cmd_audit_verify(const struct opts *o)
{
	struct keyring kr;
	struct audit_verify_result res;
	load_keys(o, &kr);
	struct db_pool *p = open_db(o, 1);
	int rc = audit_verify(p, &kr, &res);
	db_pool_close(p);
	hc_keyring_wipe(&kr);
	if (rc == -HEARTH_ETAMPER) {
		printf("audit chain BROKEN at entry %lld: %s\n", (long long)res.first_bad_id,
		       res.reason);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "hearth: cannot verify the audit log: %s\n", hearth_strerror(rc));
		return 1;
	}
	printf("audit chain intact: %lld entries verified\n", (long long)res.checked);
	return 0;
}

static int cmd_routes(void)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < routes_count; i++)
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:b}", "method", routes[i].method, "path",
		                   routes[i].pattern, "action", action_names[routes[i].action],
		                   "public", (routes[i].flags & ROUTE_PUBLIC) != 0));
	char *s = json_dumps(arr, JSON_INDENT(2));
	json_decref(arr);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int cmd_copy(const struct opts *o)
{
	char err[512];
	if (!o->from || !o->to)
		usage_error("copy needs --from sqlite:PATH and --to postgres://...");
	int rc = db_copy(o->from, o->to, stdout, err, sizeof err);
	if (rc) {
		fprintf(stderr, "hearth: copy failed: %s\n", err[0] ? err : hearth_strerror(rc));
		return 1;
	}
	printf("Copy complete and verified. Point HEARTH_DB at %s and keep the same key file.\n",
	       "the PostgreSQL URI");
	return 0;
}

static bool is_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "localhost:", 10) == 0 ||
	       strncmp(listen, "[::1]", 5) == 0;
}

static int cmd_serve(const struct opts *o)
{
	struct app app = {0};
	/* Checked before anything else, so a typo is named at once. */
	struct proxy_list proxies;
	char proxy_err[200];
	if (proxy_parse(o->trusted_proxies, &proxies, proxy_err, sizeof proxy_err) != 0)
		usage_error("--trusted-proxy: %s", proxy_err);
	server_block_signals();
	load_keys(o, &app.kr);
	app.cfg = (struct app_config){
	    .listen = o->listen,
	    .threads = o->threads,
	    .db_pool = o->db_pool ? o->db_pool : db_pool_default_size(o->db, o->threads),
	    .db_wait_ms = o->db_wait * 1000,
	    .max_body = (size_t)o->max_body,
	    .body_timeout_ms = o->body_timeout * 1000,
	    .secure_cookies = o->secure_cookies || !is_loopback(o->listen),
	    .session_idle = 30 * 60,
	    .session_absolute = 12 * 3600,
	    .hash_concurrency = 2,
	    .hash_queue = 64,
	};
	app.cfg.trusted_proxies = proxies;
	if (o->no_access_log)
		log_set_access(0);
	auth_throttle.slow_after = (int)parse_long(env_or("HEARTH_LOGIN_SLOW_AFTER", "3"),
	                                           "HEARTH_LOGIN_SLOW_AFTER", 1, 1000);
	auth_throttle.lock_after = (int)parse_long(env_or("HEARTH_LOGIN_LOCK_AFTER", "10"),
	                                           "HEARTH_LOGIN_LOCK_AFTER", 1, 1000);
	auth_throttle.addr_slow_after =
	    (int)parse_long(env_or("HEARTH_LOGIN_ADDR_SLOW_AFTER", "10"),
	                    "HEARTH_LOGIN_ADDR_SLOW_AFTER", 1, 100000);
	auth_throttle.addr_lock_after =
	    (int)parse_long(env_or("HEARTH_LOGIN_ADDR_LOCK_AFTER", "50"),
	                    "HEARTH_LOGIN_ADDR_LOCK_AFTER", 1, 100000);
	auth_throttle.lock_seconds = parse_long(env_or("HEARTH_LOGIN_LOCK_SECONDS", "900"),
	                                        "HEARTH_LOGIN_LOCK_SECONDS", 1, 86400);
	app.cfg.session_idle = parse_long(env_or("HEARTH_SESSION_IDLE", "1800"),
	                                  "HEARTH_SESSION_IDLE", 60, 86400 * 30);
	app.cfg.session_absolute = parse_long(env_or("HEARTH_SESSION_ABSOLUTE", "43200"),
	                                      "HEARTH_SESSION_ABSOLUTE", 60, 86400 * 90);
	help_init();
	if (o->default_country && !check_country(o->default_country, app.cfg.default_country))
		exit(2);
	app.db = open_db(o, app.cfg.db_pool);
	migrate_or_die(app.db);
	/* The deployment's country is read once, here: "Get help now" must work
	 * for anonymous visitors even while the database does not answer. It
	 * changes only from the command line (init, migrate), then restart. */
	if (!app.cfg.default_country[0]) {
		struct db_conn *c = db_acquire(app.db);
		auth_setting_get(c, "default_country", app.cfg.default_country,
		                 sizeof app.cfg.default_country);
		db_release(app.db, c);
		if (!app.cfg.default_country[0])
			log_msg(LOG_WARN, "no default country: \"Get help now\" shows anonymous "
			                  "visitors a country chooser; set one with `hearth migrate "
			                  "--default-country CC` or serve --default-country CC");
	}
	app.limits = auth_limits_new(app.cfg.hash_concurrency, app.cfg.hash_queue);
	app.people.ks = open_keystore(o);
	app.people.kr = &app.kr;
	keystore_set_key_file(app.people.ks, o->key_file); /* keys rotated while serving */
	app.retention_days =
	    parse_long(env_or("HEARTH_RETENTION_DAYS", "2190"), "HEARTH_RETENTION_DAYS", 30, 36500);
	app.register_min_seconds = parse_long(env_or("HEARTH_REGISTER_MIN_SECONDS", "3"),
	                                      "HEARTH_REGISTER_MIN_SECONDS", 0, 3600);
	app.register_per_hour = (int)parse_long(env_or("HEARTH_REGISTER_PER_HOUR", "10"),
	                                        "HEARTH_REGISTER_PER_HOUR", 1, 100000);
	static_init();
	programs_init(); /* consent withdrawal cancels future places */
	/* The key store's erasure record wins over a restored backup: finish
	 * every erasure whose key is gone (after programs_init, so that their
	 * places are released too). */
	size_t reconciled = 0;
	int erc = people_reconcile_erasures(&app.people, app.db, &reconciled);
	if (erc == -HEARTH_ECRYPTO) {
		log_msg(LOG_ERROR, "participants without a data key, but the key store holds no key "
		                   "this key file opens: is --key-store right? Nobody was erased");
		exit(1);
	}
	if (erc) {
		log_msg(LOG_ERROR, "could not finish erasures recorded in the key store: %s",
		        hearth_strerror(erc));
		exit(1);
	}
	if (reconciled)
		log_msg(LOG_WARN, "finished %zu erasure(s) recorded in the key store but not in the "
		                  "database (a backup from before them was restored?)",
		        reconciled);
	/* Data keys left by creations that crashed between the key store's
	 * commit and the main one (people.h). */
	size_t swept = 0, unswept = 0;
	erc = people_keys_sweep(&app.people, app.db, PEOPLE_SWEEP_GRACE, &swept, &unswept);
	if (erc)
		log_msg(LOG_WARN, "could not sweep orphan data keys: %s", hearth_strerror(erc));
	if (swept)
		log_msg(LOG_INFO, "removed %zu orphan data key(s): keys of creations that stopped "
		                  "before the database committed them",
		        swept);
	if (unswept)
		log_msg(LOG_WARN, "%zu data key(s) in the key store belong to no participant of this "
		                  "database and were left alone (more than crashes leave, or no "
		                  "participant in common: are --db and --key-store right?)",
		        unswept);
	/* Free text older versions kept in the clear is sealed with its
	 * person's key before the first request (idempotent). */
	if (programs_seal_leftovers(app.db, &app.people) != 0)
		log_msg(LOG_WARN, "could not seal every support note and theme left in the clear; "
		                  "they are sealed at the next start");
	if (help_init() != 0)
		log_msg(LOG_WARN, "no crisis resources loaded; /help will be empty");
	int rc = server_run(&app);
	keystore_close(app.people.ks);
	auth_limits_free(app.limits);
	db_pool_close(app.db);
	hc_keyring_wipe(&app.kr);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (argc < 2)
		usage_error("a command is needed");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		fputs(usage_text2, stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("hearth %s\n", HEARTH_VERSION);
		return 0;
	}
	if (hc_init() != 0) {
		fprintf(stderr, "hearth: libsodium failed to initialise\n");
		return 1;
	}
	const char *cmd = argv[1];
	int shift = 1;
	if ((strcmp(cmd, "user") == 0 || strcmp(cmd, "audit") == 0 || strcmp(cmd, "keys") == 0)) {
		if (argc < 3 || argv[2][0] == '-')
			usage_error("%s needs a subcommand", cmd);
		shift = 2;
	}
	int first = parse_opts(argc - shift, argv + shift, &o) + shift;
	int npos = argc - first;
	if (strcmp(cmd, "serve") == 0 && npos == 0)
		return cmd_serve(&o);
	if (strcmp(cmd, "init") == 0 && npos == 0)
		return cmd_init(&o);
	if (strcmp(cmd, "migrate") == 0 && npos == 0)
		return cmd_migrate(&o);
	if (strcmp(cmd, "demo") == 0 && npos == 0)
		return cmd_demo(&o);
	if (strcmp(cmd, "copy") == 0 && npos == 0)
		return cmd_copy(&o);
	if (strcmp(cmd, "routes") == 0 && npos == 0)
		return cmd_routes();
	if (strcmp(cmd, "backup") == 0 && npos == 1)
		return cmd_backup(&o, argv[first]);
	if (strcmp(cmd, "restore") == 0 && npos == 1)
		return cmd_restore(&o, argv[first]);
	if (strcmp(cmd, "user") == 0 && strcmp(argv[2], "add") == 0 && npos == 0)
		return cmd_user_add(&o);
	if (strcmp(cmd, "audit") == 0 && strcmp(argv[2], "verify") == 0 && npos == 0)
		return cmd_audit_verify(&o);
	if (strcmp(cmd, "keys") == 0 && strcmp(argv[2], "rotate") == 0 && npos == 0)
		return cmd_keys_rotate(&o);
	if (strcmp(cmd, "keys") == 0 && strcmp(argv[2], "destroy-old") == 0 && npos == 0)
		return cmd_keys_destroy_old(&o);
	if (strcmp(cmd, "backup") == 0)
		usage_error("backup needs exactly one output path");
	if (strcmp(cmd, "restore") == 0)
		usage_error("restore needs exactly one backup file");
	if (npos > 0)
		usage_error("unexpected argument \"%s\"", argv[first]);
	usage_error("unknown command \"%s\"", shift == 2 ? argv[2] : cmd);
}
