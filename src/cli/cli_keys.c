/*
 * Master key rotation: keys rotate and keys destroy-old (docs/operator.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "core/banned.h"

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
int cli_keys_rotate(const struct cli_opts *o)
{
	struct keyring kr;
	int ret = 1, rc;
	bool resumed = true;
	cli_load_keys(o, &kr);
	struct db_pool *p = cli_open_db(o, 1);
	cli_migrate_or_die(p);
	struct keystore *ks = cli_open_keystore(o);
	struct people_ctx px = {ks, &kr};
	if (!crypto_keyring_has_previous(&kr)) {
		resumed = false;
		if (crypto_keyring_rotate(&kr) != 0) {
			fprintf(stderr,
			        "hearth: the key file already keeps the audit keys of %d "
			        "destroyed master keys, the most it holds\n",
			        HC_KEYRING_MAX_OLD);
			goto out;
		}
		if ((rc = crypto_keyfile_write(o->key_file, &kr)) != 0) {
			fprintf(stderr,
			        "hearth: cannot write the key file %s: %s; nothing changed\n",
			        o->key_file, hearth_strerror(rc));
			goto out;
		}
	}
	long crash_after = cli_parse_long(cli_env_or("HEARTH_TEST_ROTATE_CRASH_AFTER", "0"),
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
	crypto_keyring_wipe(&kr);
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
int cli_keys_destroy_old(const struct cli_opts *o)
{
	struct keyring kr;
	int ret = 1, rc;
	cli_load_keys(o, &kr);
	if (!crypto_keyring_has_previous(&kr)) {
		printf("No previous master key in %s: nothing to destroy.\n", o->key_file);
		crypto_keyring_wipe(&kr);
		return 0;
	}
	struct db_pool *p = cli_open_db(o, 1);
	cli_migrate_or_die(p);
	struct keystore *ks = cli_open_keystore(o);
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
	size_t dropped = crypto_keyring_drop_previous(&kr, last_entry_of, &lc);
	if (lc.rc) {
		fprintf(stderr, "hearth: cannot read the audit log: %s; nothing destroyed\n",
		        hearth_strerror(lc.rc));
		goto out;
	}
	if ((rc = crypto_keyfile_write(o->key_file, &kr)) != 0) {
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
	crypto_keyring_wipe(&kr);
	return ret;
}
