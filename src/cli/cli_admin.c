/*
 * The operator's commands on people and data: user add (also used by init
 * for the first admin), demo and audit verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "demo/demo.h"
#include "http/http.h"
#include "core/banned.h"

/* Reads one line of standard input as a password, or generates one. */
void cli_get_password(bool from_stdin, char *out, size_t size, bool *generated)
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
	crypto_random(raw, sizeof raw);
	sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*generated = true;
}

/* Creates or extends a user inside one audited transaction. */
int cli_add_user(struct db_pool *p, const struct keyring *kr, struct auth_limits *lim,
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

int cli_user_add(const struct cli_opts *o)
{
	struct keyring kr;
	char email[256], pw[256];
	bool generated, existed = false;
	if (!o->email || !o->role)
		cli_usage_error("user add needs --email and --role");
	char *norm = util_normalise_email(NULL, o->email);
	snprintf(email, sizeof email, "%s", norm);
	free(norm);
	if (!util_email_valid(email)) {
		fprintf(stderr, "hearth: --email: \"%s\" is not a valid email address\n", o->email);
		return 2;
	}
	int role = auth_role_from_name(o->role);
	if (role < 0)
		cli_usage_error("--role: unknown role \"%s\"", o->role);
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	cli_migrate_or_die(p);
	cli_get_password(o->password_stdin, pw, sizeof pw, &generated);
	struct auth_limits *lim = auth_limits_new(1, 0);
	int rc = cli_add_user(p, &kr, lim, email, o->name ? o->name : email, (enum role)role,
	                      o->org, pw, &existed);
	auth_limits_free(lim);
	db_pool_close(p);
	crypto_keyring_wipe(&kr);
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

int cli_demo(const struct cli_opts *o)
{
	struct keyring kr;
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	cli_migrate_or_die(p);
	struct auth_limits *lim = auth_limits_new(2, 64);
	struct people_ctx px = {cli_open_keystore(o), &kr};
	int rc = demo_load(p, &px, lim, stdout);
	auth_limits_free(lim);
	keystore_close(px.ks);
	db_pool_close(p);
	crypto_keyring_wipe(&kr);
	if (rc) {
		fprintf(stderr, "hearth: loading demo data failed: %s\n", hearth_strerror(rc));
		return 1;
	}
	return 0;
}

int cli_audit_verify(const struct cli_opts *o)
{
	struct keyring kr;
	struct audit_verify_result res;
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	int rc = audit_verify(p, &kr, &res);
	db_pool_close(p);
	crypto_keyring_wipe(&kr);
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
