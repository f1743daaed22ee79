/*
 * The command line's commands (src/cli/), called by main.c after it has
 * parsed the arguments. Each cli_<command> returns the process exit status (0, 1,
 * or 2 for a usage error); helpers that cannot go on print why and exit.
 */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/auth.h"
#include "db/db.h"

struct keyring;
struct keystore;

/* Options of every command, from flags and the environment (main.c). */
struct cli_opts {
	const char *db, *key_file, *key_store, *listen, *admin_email, *org, *email, *role, *name,
	    *from, *to, *default_country, *trusted_proxies;
	/* serve: email (src/messages/messages.h) */
	const char *smtp_url, *smtp_user, *smtp_password_file, *mail_from, *mail_dir, *public_url;
	int threads, body_timeout, db_pool, db_wait;
	struct db_options dbo;
	long max_body;
	bool password_stdin, secure_cookies, no_access_log;
};

/* --- main.c --- */

/* Prints "hearth: " and the message, then the usage, to stderr; exits 2. */
__attribute__((format(printf, 1, 2), noreturn)) void cli_usage_error(const char *fmt, ...);
/* The environment variable name when it is set and not empty, else def. */
const char *cli_env_or(const char *name, const char *def);
/* s as a number from min to max; otherwise names flag, prints the usage and
 * exits 2. */
long cli_parse_long(const char *s, const char *flag, long min, long max);

/* --- cli_common.c --- */

/* Creates the parent directory of path if it is missing (one level); a
 * PostgreSQL URI has none. */
void cli_ensure_parent_dir(const char *path);
/* Opens the database --db with size connections; exits 1 on failure. The
 * caller closes it with db_pool_close(). */
struct db_pool *cli_open_db(const struct cli_opts *o, int size);
/* Loads the key file --key-file into kr; exits 1 on failure. The caller
 * wipes kr with crypto_keyring_wipe(). */
void cli_load_keys(const struct cli_opts *o, struct keyring *kr);
/* Opens the key store named by --key-store, or the default beside the key
 * file; exits 1 on failure. The caller closes it with keystore_close(). */
struct keystore *cli_open_keystore(const struct cli_opts *o);
/* Applies pending migrations; exits 1 on failure. */
void cli_migrate_or_die(struct db_pool *p);
/* Checks a --default-country value into out (normalised, "GB"). Prints why
 * and returns false when it is not a country code; warns, and accepts it,
 * when Hearth has no crisis lines for that country. */
bool cli_check_country(const char *s, char out[3]);

/* --- cli_admin.c --- */

/* Reads one line of standard input as a password (exits 1 when there is
 * none or it is shorter than 12 characters), or generates one and sets
 * *generated. */
void cli_get_password(bool from_stdin, char *out, size_t size, bool *generated);
/* Creates a user (or finds the existing one) and gives them role in org
 * (created if missing) inside one audited transaction; *existed tells
 * which. Returns 0 or a negative hearth_err. */
int cli_add_user(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim,
                 const char *email, const char *name, enum role role, const char *org,
                 const char *password, bool *existed);
/* hearth user add. */
int cli_user_add(const struct cli_opts *o);
/* hearth demo: loads the synthetic demo data and prints the demo logins. */
int cli_demo(const struct cli_opts *o);
/* hearth audit verify: checks the audit log's hash chain. */
int cli_audit_verify(const struct cli_opts *o);

/* --- cli_db.c --- */

/* hearth init: the key file, the database, the deployment's country and
 * optionally the first admin. */
int cli_init(const struct cli_opts *o);
/* hearth migrate [--default-country CC]. */
int cli_migrate(const struct cli_opts *o);
/* hearth backup OUT. */
int cli_backup(const struct cli_opts *o, const char *out);
/* hearth restore BACKUP. */
int cli_restore(const struct cli_opts *o, const char *backup);
/* hearth copy --from sqlite:PATH --to postgres://... */
int cli_copy(const struct cli_opts *o);

/* --- cli_keys.c --- */

/* hearth keys rotate. */
int cli_keys_rotate(const struct cli_opts *o);
/* hearth keys destroy-old. */
int cli_keys_destroy_old(const struct cli_opts *o);

/* --- cli_serve.c --- */

/* hearth serve: runs the server until SIGTERM or SIGINT. */
int cli_serve(const struct cli_opts *o);
/* hearth routes: prints the route table as JSON. */
int cli_routes(void);

#endif
