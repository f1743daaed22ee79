/*
 * What the commands share: opening the database, the key file and the key
 * store (each exits with a message when it cannot), applying migrations,
 * and checking a country code.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

/* Creates the parent directory of path if it is missing (one level). */
void cli_ensure_parent_dir(const char *path)
{
	char tmp[4096];
	if (strncmp(path, "postgres", 8) == 0 ||
	    snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return;
	char *dir = dirname(tmp);
	if (strcmp(dir, ".") != 0 && mkdir(dir, 0700) != 0 && errno != EEXIST)
		fprintf(stderr, "hearth: cannot create directory %s: %s\n", dir, strerror(errno));
}

struct db_pool *cli_open_db(const struct cli_opts *o, int size)
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

void cli_load_keys(const struct cli_opts *o, struct keyring *kr)
{
	int rc = crypto_keyring_load(kr, o->key_file);
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
struct keystore *cli_open_keystore(const struct cli_opts *o)
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

void cli_migrate_or_die(struct db_pool *p)
{
	char msg[512] = "";
	int n = db_migrate(p, msg, sizeof msg);
	if (n < 0) {
		fprintf(stderr, "hearth: migration failed: %s %s\n", hearth_strerror(n), msg);
		exit(1);
	}
}

/* Checks a --default-country value into out (normalised, "GB"). Prints why
 * and returns false when it is not a country code; warns, and accepts it,
 * when Hearth has no crisis lines for that country. */
bool cli_check_country(const char *s, char out[3])
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
