/*
 * The fixture the people, enrolment, fit and listening unit tests share: a
 * migrated SQLite database and a key store in a temporary folder (tmpfs
 * when there is one), two keyrings, and three organisations (arts, mental
 * health, partner). Each test file defines
 *     static int fx_setup(void **state) { return fx_open(state, "name"); }
 * and uses fx_teardown; shift() moves the clock and is undone at teardown.
 * Include after cmocka.h and the project headers the fixture names.
 */
#ifndef HEARTH_TEST_FIXTURE_H
#define HEARTH_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"

#include "auth/auth.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "people/internal.h"
#include "people/people.h"

struct fx {
	char dir[64], db[96], ks_path[96];
	struct db_pool *pool;
	struct keystore *ks;
	struct keyring kr, other;
	struct people_ctx px;
	struct arena *arena;
	int64_t org_a, org_b, org_c; /* arts, mental health, partner */
	int64_t shifted;
};

static inline void shift(struct fx *fx, int64_t s)
{
	util_time_shift(s);
	fx->shifted += s;
}

/* A fresh fixture whose temporary folder is named after name. */
static inline int fx_open(void **state, const char *name)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char msg[256];
	int err;
	unsigned char master[HC_KEY_BYTES];
	if (!fx)
		return -1;
	memset(master, 0x5A, sizeof master);
	crypto_keyring_from_master(&fx->kr, master);
	memset(master, 0xA5, sizeof master);
	crypto_keyring_from_master(&fx->other, master);
	/* tmpfs when there is one: SQLite's fsyncs on a disk cost seconds. */
	snprintf(fx->dir, sizeof fx->dir, "/dev/shm/hearth-unit-%s-XXXXXX", name);
	if (!mkdtemp(fx->dir)) {
		snprintf(fx->dir, sizeof fx->dir, "/tmp/hearth-unit-%s-XXXXXX", name);
		if (!mkdtemp(fx->dir))
			return -1;
	}
	snprintf(fx->db, sizeof fx->db, "%s/main.db", fx->dir);
	snprintf(fx->ks_path, sizeof fx->ks_path, "%s/hearth.keystore.db", fx->dir);
	fx->pool = db_pool_open(fx->db, 2, &err, msg, sizeof msg);
	if (!fx->pool)
		return -1;
	log_set_level(LOG_WARN);
	int applied = db_migrate(fx->pool, msg, sizeof msg);
	log_set_level(LOG_INFO);
	if (applied < 2)
		return -1;
	fx->ks = keystore_open(fx->ks_path, msg, sizeof msg);
	if (!fx->ks)
		return -1;
	fx->px = (struct people_ctx){fx->ks, &fx->kr};
	fx->arena = arena_new(4096);

	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = auth_org_ensure(c, "Northside Arts", "arts", &fx->org_a, NULL);
	if (!rc)
		rc = auth_org_ensure(c, "Riverside Minds", "mental_health", &fx->org_b, NULL);
	if (!rc)
		rc = auth_org_ensure(c, "Eastside Partners", "partner", &fx->org_c, NULL);
	if (!rc)
		rc = db_commit(c);
	db_release(fx->pool, c);
	if (rc)
		return -1;
	*state = fx;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *fx = *state;
	util_time_shift(-fx->shifted);
	arena_free(fx->arena);
	keystore_close(fx->ks);
	db_pool_close(fx->pool);
	test_tmpdir_remove(fx->dir);
	free(fx);
	return 0;
}


/* A person in org with consent to participation (unless !consenting). */
static inline int64_t person_in(struct fx *fx, int64_t org, const char *name, bool consenting)
{
	struct person_new in = {
	    .profile = arena_printf(fx->arena, "{\"name\":\"%s\",\"languages\":[\"en\"]}", name),
	    .name = name,
	    .age_band = "25_34",
	    .org_ids = &org,
	    .norgs = 1,
	};
	int64_t id = 0;
	struct db_conn *c = db_acquire(fx->pool);
	int rc = db_begin(c, true);
	if (!rc)
		rc = people__create(&fx->px, c, fx->arena, &in, &id);
	if (!rc)
		rc = db_commit(c);
	if (rc && db_in_transaction(c))
		db_rollback(c);
	db_release(fx->pool, c);
	if (rc)
		fail_msg("people__create(%s) returned %d", name, rc);
	if (consenting) {
		struct consent_in ci = {.purpose = PURPOSE_PARTICIPATION,
		                        .granted = true,
		                        .given_by = "self",
		                        .method = "paper",
		                        .lang = "en"};
		int64_t cid;
		const char *bad = NULL;
		char err[256] = "";
		c = db_acquire(fx->pool);
		rc = db_begin(c, true);
		if (!rc)
			rc = people__consent_record(&fx->px, c, fx->arena, id, &ci, &cid, &bad, err,
			                            sizeof err);
		if (!rc)
			rc = db_commit(c);
		if (rc && db_in_transaction(c))
			db_rollback(c);
		db_release(fx->pool, c);
		if (rc)
			fail_msg("consent returned %d (%s)", rc, err);
	}
	return id;
}

#endif
