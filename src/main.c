/*
 * hearth: the command line. One binary serves the API and UI and does the
 * operator's work: init, migrate, demo, user add, backup, restore, audit verify.
 * Every command that touches data takes --db and --key-file (or HEARTH_DB,
 * HEARTH_KEY_FILE). Unknown commands and bad flags print usage and exit 2.
 * This file parses the arguments and prints the usage; the commands are in
 * src/cli/ (cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"
#include "db/db.h"
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
    "                         default 1200: 1,000 open event streams leave room)\n"
    "  --body-timeout S       a request body must arrive within S seconds, else 408 (env\n"
    "                         HEARTH_BODY_TIMEOUT, default 10)\n"
    "  --db-pool N            database connections (env HEARTH_DB_POOL, default 32 on\n"
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
    "  --smtp-url URL         send email through smtp://host[:port] (STARTTLS required but on\n"
    "                         loopback) or smtps://host[:port] (env HEARTH_SMTP_URL); without\n"
    "                         it emails are written as .eml files to --mail-dir\n"
    "  --smtp-user NAME       SMTP login (env HEARTH_SMTP_USER); --smtp-password-file PATH\n"
    "                         holds its password (env HEARTH_SMTP_PASSWORD_FILE)\n"
    "  --mail-from ADDR       the From of every email (env HEARTH_MAIL_FROM, default\n"
    "                         \"Hearth <hearth@localhost>\")\n"
    "  --mail-dir DIR         .eml files without SMTP (env HEARTH_MAIL_DIR; default \"mail\"\n"
    "                         beside a SQLite database, ./data/mail otherwise)\n"
    "  --public-url URL       the address links in emails start with (env HEARTH_PUBLIC_URL,\n"
    "                         default http://LISTEN)\n"
    "  outbox (env): HEARTH_SMTP_MAX_TRIES (8), HEARTH_SMTP_RETRY_BASE (30 s),\n"
    "                         HEARTH_OUTBOX_LEASE (120 s)\n"
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

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s%s", usage_text, usage_text2);
	exit(2);
}

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
	OPT_SMTP_URL,
	OPT_SMTP_USER,
	OPT_SMTP_PASSWORD_FILE,
	OPT_MAIL_FROM,
	OPT_MAIL_DIR,
	OPT_PUBLIC_URL,
};

const char *cli_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

long cli_parse_long(const char *s, const char *flag, long min, long max)
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
static int parse_opts(int argc, char **argv, struct cli_opts *o)
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
	    {"smtp-url", required_argument, NULL, OPT_SMTP_URL},
	    {"smtp-user", required_argument, NULL, OPT_SMTP_USER},
	    {"smtp-password-file", required_argument, NULL, OPT_SMTP_PASSWORD_FILE},
	    {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
	    {"mail-dir", required_argument, NULL, OPT_MAIL_DIR},
	    {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	o->db = cli_env_or("HEARTH_DB", "./data/hearth.db");
	o->key_file = cli_env_or("HEARTH_KEY_FILE", "./data/hearth.key");
	o->key_store = cli_env_or("HEARTH_KEY_STORE", NULL);
	o->listen = cli_env_or("HEARTH_LISTEN", "127.0.0.1:8080");
	o->threads =
	    (int)cli_parse_long(cli_env_or("HEARTH_THREADS", "1200"), "HEARTH_THREADS", 1, 4096);
	o->body_timeout = (int)cli_parse_long(cli_env_or("HEARTH_BODY_TIMEOUT", "10"),
	                                      "HEARTH_BODY_TIMEOUT", 1, 600);
	o->max_body = cli_parse_long(cli_env_or("HEARTH_MAX_BODY", "1048576"), "HEARTH_MAX_BODY",
	                             1024, 64L * 1024 * 1024);
	o->secure_cookies = strcmp(cli_env_or("HEARTH_SECURE_COOKIES", "0"), "1") == 0;
	o->no_access_log = strcmp(cli_env_or("HEARTH_ACCESS_LOG", "on"), "off") == 0;
	o->db_pool =
	    (int)cli_parse_long(cli_env_or("HEARTH_DB_POOL", "0"), "HEARTH_DB_POOL", 0, 1024);
	o->db_wait = (int)cli_parse_long(cli_env_or("HEARTH_DB_POOL_WAIT", "5"),
	                                 "HEARTH_DB_POOL_WAIT", 1, 600);
	o->dbo = *db_get_options();
	o->dbo.connect_timeout_s = (int)cli_parse_long(cli_env_or("HEARTH_DB_CONNECT_TIMEOUT", "5"),
	                                               "HEARTH_DB_CONNECT_TIMEOUT", 0, 3600);
	/* `copy` moves whole tables in one statement each: no statement
	 * timeout unless one is asked for. */
	bool copying = argc > 0 && strcmp(argv[0], "copy") == 0; /* argv[0]: the command */
	o->dbo.statement_timeout_s =
	    (int)cli_parse_long(cli_env_or("HEARTH_DB_STATEMENT_TIMEOUT", copying ? "0" : "30"),
	                        "HEARTH_DB_STATEMENT_TIMEOUT", 0, 86400);
	parse_keepalive(cli_env_or("HEARTH_DB_KEEPALIVE", "10,5,3"), "HEARTH_DB_KEEPALIVE",
	                &o->dbo);
	o->default_country = cli_env_or("HEARTH_DEFAULT_COUNTRY", NULL);
	o->trusted_proxies = cli_env_or("HEARTH_TRUSTED_PROXIES", "");
	o->smtp_url = cli_env_or("HEARTH_SMTP_URL", NULL);
	o->smtp_user = cli_env_or("HEARTH_SMTP_USER", NULL);
	o->smtp_password_file = cli_env_or("HEARTH_SMTP_PASSWORD_FILE", NULL);
	o->mail_from = cli_env_or("HEARTH_MAIL_FROM", NULL);
	o->mail_dir = cli_env_or("HEARTH_MAIL_DIR", NULL);
	o->public_url = cli_env_or("HEARTH_PUBLIC_URL", NULL);
	o->org = "Hearth";
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_KEY: o->key_file = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_THREADS:
			o->threads = (int)cli_parse_long(optarg, "--threads", 1, 4096);
			break;
		case OPT_BODY_TIMEOUT:
			o->body_timeout = (int)cli_parse_long(optarg, "--body-timeout", 1, 600);
			break;
		case OPT_MAX_BODY:
			o->max_body = cli_parse_long(optarg, "--max-body", 1024, 64L * 1024 * 1024);
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
		case OPT_DB_POOL:
			o->db_pool = (int)cli_parse_long(optarg, "--db-pool", 1, 1024);
			break;
		case OPT_DB_POOL_WAIT:
			o->db_wait = (int)cli_parse_long(optarg, "--db-pool-wait", 1, 600);
			break;
		case OPT_DB_CONNECT_TIMEOUT:
			o->dbo.connect_timeout_s =
			    (int)cli_parse_long(optarg, "--db-connect-timeout", 0, 3600);
			break;
		case OPT_DB_STATEMENT_TIMEOUT:
			o->dbo.statement_timeout_s =
			    (int)cli_parse_long(optarg, "--db-statement-timeout", 0, 86400);
			break;
		case OPT_DB_KEEPALIVE: parse_keepalive(optarg, "--db-keepalive", &o->dbo); break;
		case OPT_TO: o->to = optarg; break;
		case OPT_DEFAULT_COUNTRY: o->default_country = optarg; break;
		case OPT_TRUSTED_PROXY: o->trusted_proxies = optarg; break;
		case OPT_SMTP_URL: o->smtp_url = optarg; break;
		case OPT_SMTP_USER: o->smtp_user = optarg; break;
		case OPT_SMTP_PASSWORD_FILE: o->smtp_password_file = optarg; break;
		case OPT_MAIL_FROM: o->mail_from = optarg; break;
		case OPT_MAIL_DIR: o->mail_dir = optarg; break;
		case OPT_PUBLIC_URL: o->public_url = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(usage_text2, stdout);
			exit(0);
		default: cli_usage_error("unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	db_set_options(&o->dbo); /* before any pool opens */
	return optind;
}

int main(int argc, char **argv)
{
	struct cli_opts o = {0};
	if (argc < 2)
		cli_usage_error("a command is needed");
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
	if (crypto_init() != 0) {
		fprintf(stderr, "hearth: libsodium failed to initialise\n");
		return 1;
	}
	const char *cmd = argv[1];
	int shift = 1;
	if ((strcmp(cmd, "user") == 0 || strcmp(cmd, "audit") == 0 || strcmp(cmd, "keys") == 0)) {
		if (argc < 3 || argv[2][0] == '-')
			cli_usage_error("%s needs a subcommand", cmd);
		shift = 2;
	}
	int first = parse_opts(argc - shift, argv + shift, &o) + shift;
	int npos = argc - first;
	if (strcmp(cmd, "serve") == 0 && npos == 0)
		return cli_serve(&o);
	if (strcmp(cmd, "init") == 0 && npos == 0)
		return cli_init(&o);
	if (strcmp(cmd, "migrate") == 0 && npos == 0)
		return cli_migrate(&o);
	if (strcmp(cmd, "demo") == 0 && npos == 0)
		return cli_demo(&o);
	if (strcmp(cmd, "copy") == 0 && npos == 0)
		return cli_copy(&o);
	if (strcmp(cmd, "routes") == 0 && npos == 0)
		return cli_routes();
	if (strcmp(cmd, "backup") == 0 && npos == 1)
		return cli_backup(&o, argv[first]);
	if (strcmp(cmd, "restore") == 0 && npos == 1)
		return cli_restore(&o, argv[first]);
	if (strcmp(cmd, "user") == 0 && strcmp(argv[2], "add") == 0 && npos == 0)
		return cli_user_add(&o);
	if (strcmp(cmd, "audit") == 0 && strcmp(argv[2], "verify") == 0 && npos == 0)
		return cli_audit_verify(&o);
	if (strcmp(cmd, "keys") == 0 && strcmp(argv[2], "rotate") == 0 && npos == 0)
		return cli_keys_rotate(&o);
	if (strcmp(cmd, "keys") == 0 && strcmp(argv[2], "destroy-old") == 0 && npos == 0)
		return cli_keys_destroy_old(&o);
	if (strcmp(cmd, "backup") == 0)
		cli_usage_error("backup needs exactly one output path");
	if (strcmp(cmd, "restore") == 0)
		cli_usage_error("restore needs exactly one backup file");
	if (npos > 0)
		cli_usage_error("unexpected argument \"%s\"", argv[first]);
	cli_usage_error("unknown command \"%s\"", shift == 2 ? argv[2] : cmd);
}
