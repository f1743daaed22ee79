/*
 * hearth serve: reads the server's settings from options and environment,
 * opens everything the server needs, finishes what the key store records
 * (erasures, orphan keys) and serves until a signal. Also hearth routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "http/http.h"
#include "messages/messages.h"
#include "programs/programs.h"
#include "core/banned.h"

static bool is_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "localhost:", 10) == 0 ||
	       strncmp(listen, "[::1]", 5) == 0;
}

/* The sender's settings from the options and environment (messages.h).
 * Exits 2 naming the flag when one is wrong, before anything starts. */
static void mail_config(const struct cli_opts *o, struct messages_config *mc, char *password,
                        size_t pwlen, char *dir, size_t dirlen, char *url, size_t urllen)
{
	*mc = (struct messages_config){
	    .smtp_url = o->smtp_url,
	    .smtp_user = o->smtp_user,
	    .mail_from = o->mail_from,
	    .public_url = o->public_url,
	    .mail_dir = o->mail_dir,
	};
	mc->max_tries = (int)cli_parse_long(cli_env_or("HEARTH_SMTP_MAX_TRIES", "8"),
	                                    "HEARTH_SMTP_MAX_TRIES", 1, 100);
	mc->retry_base_s = (int)cli_parse_long(cli_env_or("HEARTH_SMTP_RETRY_BASE", "30"),
	                                       "HEARTH_SMTP_RETRY_BASE", 1, 3600);
	mc->lease_s = (int)cli_parse_long(cli_env_or("HEARTH_OUTBOX_LEASE", "120"),
	                                  "HEARTH_OUTBOX_LEASE", 1, 86400);
	if (o->smtp_password_file) {
		FILE *f = fopen(o->smtp_password_file, "r");
		if (!f || !fgets(password, (int)pwlen, f)) {
			fprintf(stderr, "hearth: --smtp-password-file: cannot read %s\n",
			        o->smtp_password_file);
			if (f)
				fclose(f);
			exit(2);
		}
		fclose(f);
		password[strcspn(password, "\r\n")] = '\0';
		mc->smtp_password = password;
	}
	/* "mail" beside a SQLite database file; ./data/mail for PostgreSQL. */
	if (!mc->mail_dir) {
		const char *db = strncmp(o->db, "sqlite:", 7) == 0 ? o->db + 7 : o->db;
		const char *slash = strrchr(db, '/');
		if (strstr(o->db, "://"))
			snprintf(dir, dirlen, "./data/mail");
		else if (slash)
			snprintf(dir, dirlen, "%.*smail", (int)(slash - db + 1), db);
		else
			snprintf(dir, dirlen, "mail");
		mc->mail_dir = dir;
	}
	if (!mc->public_url) {
		snprintf(url, urllen, "http://%s", o->listen);
		mc->public_url = url;
	}
	char err[400];
	if (messages_config_check(mc, err, sizeof err) != 0) {
		fprintf(stderr, "hearth: %s\n", err);
		exit(2);
	}
}

int cli_serve(const struct cli_opts *o)
{
	struct app app = {0};
	/* Checked before anything else, so a typo is named at once. */
	struct proxy_list proxies;
	char proxy_err[200];
	if (proxy_parse(o->trusted_proxies, &proxies, proxy_err, sizeof proxy_err) != 0)
		cli_usage_error("--trusted-proxy: %s", proxy_err);
	struct messages_config mail;
	static char smtp_password[512], mail_dir[4096], public_url[300];
	mail_config(o, &mail, smtp_password, sizeof smtp_password, mail_dir, sizeof mail_dir,
	            public_url, sizeof public_url);
	server_block_signals();
	cli_load_keys(o, &app.kr);
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
	auth_throttle.slow_after = (int)cli_parse_long(cli_env_or("HEARTH_LOGIN_SLOW_AFTER", "3"),
	                                               "HEARTH_LOGIN_SLOW_AFTER", 1, 1000);
	auth_throttle.lock_after = (int)cli_parse_long(cli_env_or("HEARTH_LOGIN_LOCK_AFTER", "10"),
	                                               "HEARTH_LOGIN_LOCK_AFTER", 1, 1000);
	auth_throttle.addr_slow_after =
	    (int)cli_parse_long(cli_env_or("HEARTH_LOGIN_ADDR_SLOW_AFTER", "10"),
	                        "HEARTH_LOGIN_ADDR_SLOW_AFTER", 1, 100000);
	auth_throttle.addr_lock_after =
	    (int)cli_parse_long(cli_env_or("HEARTH_LOGIN_ADDR_LOCK_AFTER", "50"),
	                        "HEARTH_LOGIN_ADDR_LOCK_AFTER", 1, 100000);
	auth_throttle.lock_seconds = cli_parse_long(cli_env_or("HEARTH_LOGIN_LOCK_SECONDS", "900"),
	                                            "HEARTH_LOGIN_LOCK_SECONDS", 1, 86400);
	app.cfg.session_idle = cli_parse_long(cli_env_or("HEARTH_SESSION_IDLE", "1800"),
	                                      "HEARTH_SESSION_IDLE", 60, 86400 * 30);
	app.cfg.session_absolute = cli_parse_long(cli_env_or("HEARTH_SESSION_ABSOLUTE", "43200"),
	                                          "HEARTH_SESSION_ABSOLUTE", 60, 86400 * 90);
	help_init();
	if (o->default_country && !cli_check_country(o->default_country, app.cfg.default_country))
		exit(2);
	app.db = cli_open_db(o, app.cfg.db_pool);
	cli_migrate_or_die(app.db);
	/* The deployment's country is read once, here: "Get help now" must work
	 * for anonymous visitors even while the database does not answer. It
	 * changes only from the command line (init, migrate), then restart. */
	if (!app.cfg.default_country[0]) {
		struct db_conn *c = db_acquire(app.db);
		auth_setting_get(c, "default_country", app.cfg.default_country,
		                 sizeof app.cfg.default_country);
		db_release(app.db, c);
		if (!app.cfg.default_country[0])
			log_msg(LOG_WARN,
			        "no default country: \"Get help now\" shows anonymous "
			        "visitors a country chooser; set one with `hearth migrate "
			        "--default-country CC` or serve --default-country CC");
	}
	app.limits = auth_limits_new(app.cfg.hash_concurrency, app.cfg.hash_queue);
	app.people.ks = cli_open_keystore(o);
	app.people.kr = &app.kr;
	keystore_set_key_file(app.people.ks, o->key_file); /* keys rotated while serving */
	app.retention_days = cli_parse_long(cli_env_or("HEARTH_RETENTION_DAYS", "2190"),
	                                    "HEARTH_RETENTION_DAYS", 30, 36500);
	app.register_min_seconds = cli_parse_long(cli_env_or("HEARTH_REGISTER_MIN_SECONDS", "3"),
	                                          "HEARTH_REGISTER_MIN_SECONDS", 0, 3600);
	app.register_per_hour = (int)cli_parse_long(cli_env_or("HEARTH_REGISTER_PER_HOUR", "10"),
	                                            "HEARTH_REGISTER_PER_HOUR", 1, 100000);
	static_init();
	programs_init(); /* consent withdrawal cancels future places */
	messages_init(); /* the person's export: their messages and preferences */
	/* The key store's erasure record wins over a restored backup: finish
	 * every erasure whose key is gone (after programs_init, so that their
	 * places are released too). */
	size_t reconciled = 0;
	int erc = people_reconcile_erasures(&app.people, app.db, &reconciled);
	if (erc == -HEARTH_ECRYPTO) {
		log_msg(LOG_ERROR,
		        "participants without a data key, but the key store holds no key "
		        "this key file opens: is --key-store right? Nobody was erased");
		exit(1);
	}
	if (erc) {
		log_msg(LOG_ERROR, "could not finish erasures recorded in the key store: %s",
		        hearth_strerror(erc));
		exit(1);
	}
	if (reconciled)
		log_msg(LOG_WARN,
		        "finished %zu erasure(s) recorded in the key store but not in the "
		        "database (a backup from before them was restored?)",
		        reconciled);
	/* Data keys left by creations that crashed between the key store's
	 * commit and the main one (people.h). */
	size_t swept = 0, unswept = 0;
	erc = people_keys_sweep(&app.people, app.db, PEOPLE_SWEEP_GRACE, &swept, &unswept);
	if (erc)
		log_msg(LOG_WARN, "could not sweep orphan data keys: %s", hearth_strerror(erc));
	if (swept)
		log_msg(LOG_INFO,
		        "removed %zu orphan data key(s): keys of creations that stopped "
		        "before the database committed them",
		        swept);
	if (unswept)
		log_msg(LOG_WARN,
		        "%zu data key(s) in the key store belong to no participant of this "
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
	int mrc = messages_start(app.db, &app.kr, &app.people, &mail);
	if (mrc) {
		log_msg(LOG_ERROR, "could not start the outbox's sender: %s", hearth_strerror(mrc));
		exit(1);
	}
	int rc = server_run(&app);
	messages_stop();
	sodium_memzero(smtp_password, sizeof smtp_password);
	keystore_close(app.people.ks);
	auth_limits_free(app.limits);
	db_pool_close(app.db);
	crypto_keyring_wipe(&app.kr);
	return rc ? 1 : 0;
}

int cli_routes(void)
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
