/*
 * The commands that make, upgrade and move a database: init, migrate,
 * backup, restore and copy (SQLite onto PostgreSQL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "http/http.h"
#include "programs/programs.h"
#include "core/banned.h"

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
	const char *loc = cli_env_or("LC_ALL", cli_env_or("LC_MESSAGES", cli_env_or("LANG", "")));
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
static bool init_country(const struct cli_opts *o, char out[3])
{
	if (o->default_country)
		return cli_check_country(o->default_country, out);
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
			fprintf(stderr,
			        "Country of this deployment (two letters, ISO 3166-1) [%s]: ",
			        suggestion);
		else
			fprintf(stderr,
			        "Country of this deployment (two letters, ISO 3166-1, e.g. GB): ");
		if (!fgets(line, sizeof line, stdin)) {
			fprintf(stderr, "\nhearth: no country given; pass --default-country CC\n");
			return false;
		}
		line[strcspn(line, "\r\n")] = '\0';
		const char *answer = *line ? line : suggestion;
		if (*answer && cli_check_country(answer, out))
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
	struct audit_entry e = {0,         0,    "settings.update", "setting:default_country",
	                        "success", "cli"};
	if ((rc = auth_setting_set(c, "default_country", cc)) != 0 ||
	    (rc = audit_append(c, kr, &e)) != 0 || (rc = db_commit(c)) != 0)
		db_rollback(c);
out:
	db_release(p, c);
	return rc;
}

int cli_init(const struct cli_opts *o)
{
	struct keyring kr;
	cli_ensure_parent_dir(o->db);
	cli_ensure_parent_dir(o->key_file);
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
		cli_get_password(o->password_stdin, pw, sizeof pw, &generated);
	/* A database that is already set up belongs to an existing key file: a
	 * new key would write entries the old key cannot verify. (An existing
	 * key file is refused below, with its own message.) */
	struct stat key_st;
	if (stat(o->key_file, &key_st) != 0) {
		struct db_pool *existing = cli_open_db(o, 1);
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
	int rc = crypto_keyfile_create(o->key_file);
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
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	cli_migrate_or_die(p);
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
		rc = cli_add_user(p, &kr, lim, email, "Administrator", ROLE_ADMIN, o->org, pw,
		                  &existed);
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
	crypto_keyring_wipe(&kr);
	return 0;
}

int cli_migrate(const struct cli_opts *o)
{
	struct keyring kr;
	char country[3] = "";
	help_init();
	if (o->default_country && !cli_check_country(o->default_country, country))
		return 2;
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
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
	crypto_keyring_wipe(&kr);
	return 0;
}

int cli_backup(const struct cli_opts *o, const char *out)
{
	struct keyring kr;
	char msg[512] = "";
	struct stat st;
	if (stat(out, &st) == 0) {
		fprintf(stderr, "hearth: %s already exists; refusing to overwrite it\n", out);
		return 1;
	}
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	int rc = db_backup(p, out, msg, sizeof msg);
	db_pool_close(p);
	crypto_keyring_wipe(&kr);
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
int cli_restore(const struct cli_opts *o, const char *backup)
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
	cli_load_keys(o, &kr);
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
	ks = cli_open_keystore(o);
	if (snprintf(tmp, sizeof tmp, "%s.restoring", target) >= (int)sizeof tmp) {
		fprintf(stderr, "hearth: the path %s is too long\n", target);
		goto out;
	}
	cli_ensure_parent_dir(target);
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
	crypto_keyring_wipe(&kr);
	return ret;
}

int cli_copy(const struct cli_opts *o)
{
	char err[512];
	if (!o->from || !o->to)
		cli_usage_error("copy needs --from sqlite:PATH and --to postgres://...");
	int rc = db_copy(o->from, o->to, stdout, err, sizeof err);
	if (rc) {
		fprintf(stderr, "hearth: copy failed: %s\n", err[0] ? err : hearth_strerror(rc));
		return 1;
	}
	printf("Copy complete and verified. Point HEARTH_DB at %s and keep the same key file.\n",
	       "the PostgreSQL URI");
	return 0;
}
