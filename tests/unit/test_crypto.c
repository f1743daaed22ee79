/*
 * Unit tests for the libsodium wrappers in src/core/crypto.h. Key files are
 * created in a private temporary directory to check their mode, that an
 * existing key is never overwritten, and that loading refuses missing or
 * corrupt files. Purpose keys must differ from each other and from the
 * master. Sealing and data-key wrapping are attacked the ways storage can
 * be: one flipped bit in nonce, ciphertext or tag, the wrong key, the wrong
 * associated data, another subject, another master, a short buffer. Only
 * two Argon2 hashes are computed, to keep the suite fast under ASan.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/crypto.h"
#include "core/err.h"
#include "core/banned.h"

/* A private directory per test, removed with its files afterwards. */
struct tmp {
	char dir[64];
	char a[96], b[96], c[96];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/hearth-unit-crypto-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->a, sizeof t->a, "%s/a.key", t->dir);
	snprintf(t->b, sizeof t->b, "%s/b.key", t->dir);
	snprintf(t->c, sizeof t->c, "%s/c.key", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	unlink(t->a);
	unlink(t->b);
	unlink(t->c);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* True if needle (n bytes) occurs in hay (len bytes). */
static bool contains(const void *hay, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp((const unsigned char *)hay + i, needle, n) == 0)
			return true;
	return false;
}

static void fixed_keyring(struct keyring *kr, unsigned char fill)
{
	unsigned char master[HC_KEY_BYTES];
	memset(master, fill, sizeof master);
	crypto_keyring_from_master(kr, master);
}

/* --- key files and keyrings --- */

static void crypto_keyfile_create_mode_0600(void **state)
{
	struct tmp *t = *state;
	assert_int_equal(crypto_keyfile_create(t->a), 0);
	struct stat st;
	assert_int_equal(stat(t->a, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	char buf[256];
	size_t n = read_file(t->a, buf, sizeof buf);
	/* "hearth-key-v1 " + 64 hex + "\n" */
	assert_int_equal(n, 14 + 64 + 1);
	assert_memory_equal(buf, "hearth-key-v1 ", 14);
	assert_int_equal(strspn(buf + 14, "0123456789abcdef"), 64);
}

static void crypto_keyfile_create_refuses_overwrite(void **state)
{
	struct tmp *t = *state;
	assert_int_equal(crypto_keyfile_create(t->a), 0);
	char before[256], after[256];
	read_file(t->a, before, sizeof before);
	assert_int_equal(crypto_keyfile_create(t->a), -HEARTH_ECONFLICT);
	read_file(t->a, after, sizeof after);
	assert_string_equal(before, after);
	/* Any existing file is refused, not only key files. */
	write_file(t->b, "operator notes\n");
	assert_int_equal(crypto_keyfile_create(t->b), -HEARTH_ECONFLICT);
	read_file(t->b, after, sizeof after);
	assert_string_equal(after, "operator notes\n");
}

static void crypto_keyfile_create_unwritable_dir(void **state)
{
	struct tmp *t = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/missing/dir/k.key", t->dir);
	assert_int_equal(crypto_keyfile_create(path), -HEARTH_EIO);
}

static void crypto_keyring_load_round_trip(void **state)
{
	struct tmp *t = *state;
	struct keyring k1, k2, k3;
	assert_int_equal(crypto_keyfile_create(t->a), 0);
	assert_int_equal(crypto_keyfile_create(t->b), 0);
	assert_int_equal(crypto_keyring_load(&k1, t->a), 0);
	assert_int_equal(crypto_keyring_load(&k2, t->a), 0);
	assert_int_equal(crypto_keyring_load(&k3, t->b), 0);
	/* Same file: every key equal. */
	assert_memory_equal(&k1, &k2, sizeof k1);
	/* Another file: every key different. */
	assert_memory_not_equal(k1.master, k3.master, HC_KEY_BYTES);
	assert_memory_not_equal(k1.csrf, k3.csrf, HC_KEY_BYTES);
	assert_memory_not_equal(k1.audit, k3.audit, HC_KEY_BYTES);
	assert_memory_not_equal(k1.blind, k3.blind, HC_KEY_BYTES);
	assert_memory_not_equal(k1.wrap, k3.wrap, HC_KEY_BYTES);
}

static void crypto_keyring_load_matches_from_master(void **state)
{
	struct tmp *t = *state;
	/* A hand-written key file loads the same keys as the explicit master. */
	write_file(t->a, "hearth-key-v1 "
	                 "0101010101010101010101010101010101010101010101010101010101010101\n");
	struct keyring loaded, derived;
	assert_int_equal(crypto_keyring_load(&loaded, t->a), 0);
	fixed_keyring(&derived, 0x01);
	assert_memory_equal(&loaded, &derived, sizeof loaded);
}

static void crypto_keyring_load_rejects_corrupt(void **state)
{
	struct tmp *t = *state;
	static const char *const bad[] = {
	    "",
	    "\n",
	    "hearth-key-v1 \n",
	    "hearth-key-v1 0123\n", /* too short */
	    "hearth-key-v2 "
	    "0101010101010101010101010101010101010101010101010101010101010101\n", /* magic */
	    "HEARTH-KEY-V1 "
	    "0101010101010101010101010101010101010101010101010101010101010101\n",
	    "hearth-key-v1 "
	    "01010101010101010101010101010101010101010101010101010101010101\n", /* 62 hex */
	    "hearth-key-v1 "
	    "010101010101010101010101010101010101010101010101010101010101010g\n", /* not hex */
	    "hearth-key-v1 "
	    "0101010101010101 0101010101010101010101010101010101010101010101010101\n",
	    "0101010101010101010101010101010101010101010101010101010101010101\n", /* no magic */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct keyring kr;
		write_file(t->c, bad[i]);
		int rc = crypto_keyring_load(&kr, t->c);
		if (rc != -HEARTH_EINVAL)
			fail_msg("case %zu (\"%.20s...\"): got %d, want -HEARTH_EINVAL", i, bad[i],
			         rc);
	}
}

static void crypto_keyring_load_missing(void **state)
{
	struct tmp *t = *state;
	struct keyring kr;
	assert_int_equal(crypto_keyring_load(&kr, t->a), -HEARTH_ENOTFOUND);
}

/* --- key rotation --- */

static int64_t last_is_seven(uint32_t id, void *ctx)
{
	(void)id;
	(void)ctx;
	return 7;
}

static void crypto_keyring_rotate_write_load_round_trip(void **state)
{
	struct tmp *t = *state;
	struct keyring k1, k2, loaded;
	assert_int_equal(crypto_keyfile_create(t->a), 0);
	assert_int_equal(crypto_keyring_load(&k1, t->a), 0);
	assert_int_equal(k1.id, 1);
	assert_false(crypto_keyring_has_previous(&k1));
	k2 = k1;
	assert_int_equal(crypto_keyring_rotate(&k2), 0);
	assert_int_equal(k2.id, 2);
	assert_true(crypto_keyring_has_previous(&k2));
	/* New master, wrap and audit keys; blind-index and CSRF keys carried. */
	assert_memory_not_equal(k2.master, k1.master, HC_KEY_BYTES);
	assert_memory_not_equal(k2.wrap, k1.wrap, HC_KEY_BYTES);
	assert_memory_not_equal(k2.audit, k1.audit, HC_KEY_BYTES);
	assert_memory_equal(k2.blind, k1.blind, HC_KEY_BYTES);
	assert_memory_equal(k2.csrf, k1.csrf, HC_KEY_BYTES);
	/* Written and read back: the same keyring, file mode 0600, no temp left. */
	assert_int_equal(crypto_keyfile_write(t->a, &k2), 0);
	struct stat st;
	assert_int_equal(stat(t->a, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char tmp[128];
	snprintf(tmp, sizeof tmp, "%s.new", t->a);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(crypto_keyring_load(&loaded, t->a), 0);
	assert_memory_equal(&loaded, &k2, sizeof loaded);
	/* A data key wrapped under key 1 opens with both keyrings; one wrapped
	 * under key 2 names its key and opens only with the new keyring. */
	unsigned char dk[HC_KEY_BYTES], back[HC_KEY_BYTES], w1[HC_WRAPPED_MAX_BYTES],
	    w2[HC_WRAPPED_MAX_BYTES];
	crypto_datakey_new(dk);
	assert_int_equal(crypto_datakey_wrap(&k1, w1, 9, dk), HC_WRAPPED_V1_BYTES);
	assert_int_equal(crypto_datakey_wrap(&k2, w2, 9, dk), HC_WRAPPED_V2_BYTES);
	assert_int_equal(crypto_wrapped_key_id(w1, HC_WRAPPED_V1_BYTES), 1);
	assert_int_equal(crypto_wrapped_key_id(w2, HC_WRAPPED_V2_BYTES), 2);
	assert_int_equal(crypto_datakey_unwrap(&loaded, back, 9, w1, HC_WRAPPED_V1_BYTES), 0);
	assert_memory_equal(back, dk, HC_KEY_BYTES);
	assert_int_equal(crypto_datakey_unwrap(&loaded, back, 9, w2, HC_WRAPPED_V2_BYTES), 0);
	assert_memory_equal(back, dk, HC_KEY_BYTES);
	assert_int_equal(crypto_datakey_unwrap(&k1, back, 9, w2, HC_WRAPPED_V2_BYTES), -HEARTH_ECRYPTO);
	assert_int_equal(crypto_datakey_unwrap(&loaded, back, 10, w2, HC_WRAPPED_V2_BYTES),
	                 -HEARTH_ECRYPTO);
	/* The key id in the header cannot be swapped for another. */
	w2[1] = 1;
	assert_int_equal(crypto_datakey_unwrap(&loaded, back, 9, w2, HC_WRAPPED_V2_BYTES),
	                 -HEARTH_ECRYPTO);
	/* Rotating once more while a previous key is kept names key 3. */
	struct keyring k3 = loaded;
	assert_int_equal(crypto_keyring_rotate(&k3), 0);
	assert_int_equal(k3.id, 3);
}

static void crypto_keyring_drop_previous_keeps_audit_key_only(void **state)
{
	struct tmp *t = *state;
	struct keyring k1, k2, loaded;
	assert_int_equal(crypto_keyfile_create(t->a), 0);
	assert_int_equal(crypto_keyring_load(&k1, t->a), 0);
	k2 = k1;
	assert_int_equal(crypto_keyring_rotate(&k2), 0);
	unsigned char dk[HC_KEY_BYTES], back[HC_KEY_BYTES], w1[HC_WRAPPED_MAX_BYTES];
	crypto_datakey_new(dk);
	crypto_datakey_wrap(&k1, w1, 9, dk);
	assert_int_equal(crypto_keyring_drop_previous(&k2, last_is_seven, NULL), 1);
	assert_false(crypto_keyring_has_previous(&k2));
	assert_int_equal(crypto_keyfile_write(t->a, &k2), 0);
	assert_int_equal(crypto_keyring_load(&loaded, t->a), 0);
	assert_memory_equal(&loaded, &k2, sizeof loaded);
	/* The old master key is gone from the file: its wraps no longer open. */
	char buf[1024];
	read_file(t->a, buf, sizeof buf);
	char oldhex[2 * HC_KEY_BYTES + 1];
	for (int i = 0; i < HC_KEY_BYTES; i++)
		snprintf(oldhex + 2 * i, 3, "%02x", k1.master[i]);
	assert_null(strstr(buf, oldhex));
	assert_int_equal(crypto_datakey_unwrap(&loaded, back, 9, w1, HC_WRAPPED_V1_BYTES),
	                 -HEARTH_ECRYPTO);
	/* Its audit key still verifies entries up to the last one it made. */
	assert_non_null(crypto_keyring_audit_key(&loaded, 1, 7));
	assert_memory_equal(crypto_keyring_audit_key(&loaded, 1, 7), k1.audit, HC_KEY_BYTES);
	assert_null(crypto_keyring_audit_key(&loaded, 1, 8));
	assert_memory_equal(crypto_keyring_audit_key(&loaded, 2, 8), k2.audit, HC_KEY_BYTES);
	assert_null(crypto_keyring_audit_key(&loaded, 3, 1));
}

static void crypto_keyring_load_v2_rejects_corrupt(void **state)
{
	struct tmp *t = *state;
	const char *h = "0101010101010101010101010101010101010101010101010101010101010101";
	char good[1024];
	snprintf(good, sizeof good,
	         "hearth-key-v2\nmaster 2 %s\nmaster 1 %s\naudit 3 %s 5\nblind %s\ncsrf %s\n", h, h,
	         h, h, h);
	write_file(t->c, good);
	struct keyring kr;
	assert_int_equal(crypto_keyring_load(&kr, t->c), 0);
	assert_int_equal(kr.id, 2);
	assert_int_equal(kr.nold, 2);
#define H "0101010101010101010101010101010101010101010101010101010101010101"
	static const char *const cases[] = {
	    "hearth-key-v2\nmaster 2 " H "\nblind " H "\n",             /* no csrf */
	    "hearth-key-v2\nblind " H "\ncsrf " H "\n",                 /* no master */
	    "hearth-key-v2\nmaster 0 " H "\nblind " H "\ncsrf " H "\n", /* id 0 */
	    "hearth-key-v2\nmaster 2 " H "\nmaster 2 " H "\nblind " H "\ncsrf " H "\n",
	    "hearth-key-v2\nmaster 2 " H "\nmaster 2x " H "\nblind " H "\ncsrf " H "\n",
	    "hearth-key-v2\nmaster 2 " H "\nextra " H "\nblind " H "\ncsrf " H "\n",
	    "hearth-key-v2\nmaster 2 " H " 9\nblind " H "\ncsrf " H "\n", /* last on a master */
	    "hearth-key-v2\nmaster 2 " H "\nblind 0101\ncsrf " H "\n",    /* short key */
	};
#undef H
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_file(t->c, cases[i]);
		int rc = crypto_keyring_load(&kr, t->c);
		if (rc != -HEARTH_EINVAL)
			fail_msg("case %zu: got %d, want -HEARTH_EINVAL", i, rc);
	}
	/* Truncated: the last line without its newline. */
	good[strlen(good) - 1] = '\0';
	write_file(t->c, good);
	assert_int_equal(crypto_keyring_load(&kr, t->c), -HEARTH_EINVAL);
}

static void crypto_keyring_from_master_purpose_keys_distinct(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 0x42);
	const unsigned char *keys[] = {kr.master, kr.csrf, kr.audit, kr.blind, kr.wrap};
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < i; j++)
			if (memcmp(keys[i], keys[j], HC_KEY_BYTES) == 0)
				fail_msg("keys %zu and %zu are equal", i, j);
	/* Deterministic. */
	struct keyring again;
	fixed_keyring(&again, 0x42);
	assert_memory_equal(&kr, &again, sizeof kr);
}

static void crypto_keyring_wipe_zeroes(void **state)
{
	(void)state;
	struct keyring kr, zero;
	fixed_keyring(&kr, 0x42);
	memset(&zero, 0, sizeof zero);
	crypto_keyring_wipe(&kr);
	assert_memory_equal(&kr, &zero, sizeof kr);
}

/* --- sealing --- */

static const char plain[] = "a person's sensitive note";
static const char ad[] = "participant:7/notes";

static void seal(unsigned char *out, const unsigned char *key)
{
	crypto_seal(out, key, plain, sizeof plain, ad, sizeof ad);
}

static void crypto_seal_open_round_trip(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char box[sizeof plain + HC_SEAL_OVERHEAD], out[sizeof plain];
	seal(box, kr.wrap);
	/* The plaintext is not visible in the box. */
	assert_false(contains(box, sizeof box, "sensitive", 9));
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, ad, sizeof ad), 0);
	assert_memory_equal(out, plain, sizeof plain);
	/* Two seals of the same text differ (fresh nonce). */
	unsigned char box2[sizeof box];
	seal(box2, kr.wrap);
	assert_memory_not_equal(box, box2, HC_NONCE_BYTES);
	assert_memory_not_equal(box + HC_NONCE_BYTES, box2 + HC_NONCE_BYTES,
	                        sizeof box - HC_NONCE_BYTES);
}

static void crypto_seal_open_empty_and_no_ad(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char box[HC_SEAL_OVERHEAD], out[1];
	crypto_seal(box, kr.wrap, "", 0, NULL, 0);
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, NULL, 0), 0);
	/* Sealed without AD, opened with AD: refused, and the reverse too. */
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, ad, sizeof ad), -HEARTH_ECRYPTO);
	unsigned char box2[sizeof plain + HC_SEAL_OVERHEAD], out2[sizeof plain];
	seal(box2, kr.wrap);
	assert_int_equal(crypto_open(out2, kr.wrap, box2, sizeof box2, NULL, 0), -HEARTH_ECRYPTO);
}

static void crypto_open_tampered_fails(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char box[sizeof plain + HC_SEAL_OVERHEAD], out[sizeof plain];
	seal(box, kr.wrap);
	/* One flipped bit anywhere: nonce, ciphertext, tag. */
	static const size_t where[] = {0,
	                               HC_NONCE_BYTES - 1,
	                               HC_NONCE_BYTES,
	                               HC_NONCE_BYTES + sizeof plain / 2,
	                               sizeof box - HC_TAG_BYTES,
	                               sizeof box - 1};
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		box[where[i]] ^= 0x01;
		if (crypto_open(out, kr.wrap, box, sizeof box, ad, sizeof ad) != -HEARTH_ECRYPTO)
			fail_msg("a flipped bit at byte %zu was not detected", where[i]);
		box[where[i]] ^= 0x01;
	}
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, ad, sizeof ad), 0);
}

static void crypto_open_truncated_fails(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char box[sizeof plain + HC_SEAL_OVERHEAD], out[sizeof plain];
	seal(box, kr.wrap);
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box - 1, ad, sizeof ad),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_open(out, kr.wrap, box, HC_SEAL_OVERHEAD, ad, sizeof ad),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_open(out, kr.wrap, box, HC_SEAL_OVERHEAD - 1, ad, sizeof ad),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_open(out, kr.wrap, box, 0, ad, sizeof ad), -HEARTH_ECRYPTO);
}

static void crypto_open_wrong_key_fails(void **state)
{
	(void)state;
	struct keyring kr, other;
	fixed_keyring(&kr, 1);
	fixed_keyring(&other, 2);
	unsigned char box[sizeof plain + HC_SEAL_OVERHEAD], out[sizeof plain];
	seal(box, kr.wrap);
	assert_int_equal(crypto_open(out, other.wrap, box, sizeof box, ad, sizeof ad), -HEARTH_ECRYPTO);
	/* Another purpose key of the same master is just as wrong. */
	assert_int_equal(crypto_open(out, kr.csrf, box, sizeof box, ad, sizeof ad), -HEARTH_ECRYPTO);
}

static void crypto_open_wrong_ad_fails(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char box[sizeof plain + HC_SEAL_OVERHEAD], out[sizeof plain];
	seal(box, kr.wrap);
	static const char other[] = "participant:8/notes";
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, other, sizeof other),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_open(out, kr.wrap, box, sizeof box, ad, sizeof ad - 1),
	                 -HEARTH_ECRYPTO);
}

/* --- data keys --- */

static void crypto_datakey_wrap_unwrap_round_trip(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char dk[HC_KEY_BYTES], dk2[HC_KEY_BYTES], back[HC_KEY_BYTES];
	unsigned char wrapped[HC_WRAPPED_KEY_BYTES];
	crypto_datakey_new(dk);
	crypto_datakey_new(dk2);
	assert_memory_not_equal(dk, dk2, HC_KEY_BYTES);
	crypto_datakey_wrap(&kr, wrapped, 1234, dk);
	assert_false(contains(wrapped, sizeof wrapped, dk, 8)); /* not stored in the clear */
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, sizeof wrapped), 0);
	assert_memory_equal(back, dk, HC_KEY_BYTES);
	/* Subject ids use all 64 bits. */
	crypto_datakey_wrap(&kr, wrapped, INT64_MAX, dk);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, INT64_MAX, wrapped, sizeof wrapped), 0);
	assert_int_equal(
	    crypto_datakey_unwrap(&kr, back, INT64_MAX - (INT64_C(1) << 40), wrapped, sizeof wrapped),
	    -HEARTH_ECRYPTO);
}

static void crypto_datakey_unwrap_other_subject_fails(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char dk[HC_KEY_BYTES], back[HC_KEY_BYTES], wrapped[HC_WRAPPED_KEY_BYTES];
	crypto_datakey_new(dk);
	crypto_datakey_wrap(&kr, wrapped, 1234, dk);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1235, wrapped, sizeof wrapped),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 0, wrapped, sizeof wrapped), -HEARTH_ECRYPTO);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, -1234, wrapped, sizeof wrapped),
	                 -HEARTH_ECRYPTO);
}

static void crypto_datakey_unwrap_other_master_fails(void **state)
{
	(void)state;
	struct keyring kr, other;
	fixed_keyring(&kr, 1);
	fixed_keyring(&other, 2);
	unsigned char dk[HC_KEY_BYTES], back[HC_KEY_BYTES], wrapped[HC_WRAPPED_KEY_BYTES];
	crypto_datakey_new(dk);
	crypto_datakey_wrap(&kr, wrapped, 1234, dk);
	assert_int_equal(crypto_datakey_unwrap(&other, back, 1234, wrapped, sizeof wrapped),
	                 -HEARTH_ECRYPTO);
}

static void crypto_datakey_unwrap_truncated_or_tampered_fails(void **state)
{
	(void)state;
	struct keyring kr;
	fixed_keyring(&kr, 1);
	unsigned char dk[HC_KEY_BYTES], back[HC_KEY_BYTES], wrapped[HC_WRAPPED_KEY_BYTES + 1];
	crypto_datakey_new(dk);
	crypto_datakey_wrap(&kr, wrapped, 1234, dk);
	wrapped[HC_WRAPPED_KEY_BYTES] = 0;
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, HC_WRAPPED_KEY_BYTES - 1),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, HC_WRAPPED_KEY_BYTES + 1),
	                 -HEARTH_ECRYPTO);
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, 0), -HEARTH_ECRYPTO);
	wrapped[HC_NONCE_BYTES + 3] ^= 0x80;
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, HC_WRAPPED_KEY_BYTES),
	                 -HEARTH_ECRYPTO);
	wrapped[HC_NONCE_BYTES + 3] ^= 0x80;
	assert_int_equal(crypto_datakey_unwrap(&kr, back, 1234, wrapped, HC_WRAPPED_KEY_BYTES), 0);
	assert_memory_equal(back, dk, HC_KEY_BYTES);
}

/* --- passwords, tokens, digests --- */

static void crypto_password_hash_and_verify(void **state)
{
	(void)state;
	char h1[128], h2[128];
	assert_int_equal(crypto_password_hash(h1, "correct horse battery staple"), 0);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_true(strlen(h1) < sizeof h1);
	assert_null(strstr(h1, "correct horse"));
	assert_int_equal(crypto_password_verify(h1, "correct horse battery staple"), 1);
	assert_int_equal(crypto_password_verify(h1, "correct horse battery stapl"), 0);
	assert_int_equal(crypto_password_verify(h1, "Correct horse battery staple"), 0);
	assert_int_equal(crypto_password_verify(h1, ""), 0);
	/* Salted: the same password hashes differently. */
	assert_int_equal(crypto_password_hash(h2, "correct horse battery staple"), 0);
	assert_string_not_equal(h1, h2);
	/* Garbage stored hashes never verify. */
	assert_int_equal(crypto_password_verify("", "x"), 0);
	assert_int_equal(crypto_password_verify("$argon2id$v=19$garbage", "x"), 0);
}

static void crypto_token_format_and_uniqueness(void **state)
{
	(void)state;
	char a[48], b[48];
	memset(a, 'Z', sizeof a);
	crypto_token(a, sizeof a);
	crypto_token(b, sizeof b);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strlen(b), 43);
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                               "0123456789-_";
	assert_int_equal(strspn(a, alphabet), 43);
	assert_int_equal(strspn(b, alphabet), 43);
	assert_string_not_equal(a, b);
	/* The smallest documented buffer is enough. */
	char c[44];
	crypto_token(c, sizeof c);
	assert_int_equal(strlen(c), 43);
}

static void crypto_hash_hex_known_vector_and_key(void **state)
{
	(void)state;
	char h[65], k1[65], k2[65];
	/* BLAKE2b-256 of the empty string. */
	crypto_hash_hex(h, NULL, "", 0);
	assert_string_equal(h, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	struct keyring kr;
	fixed_keyring(&kr, 1);
	crypto_hash_hex(k1, kr.csrf, "", 0);
	crypto_hash_hex(k2, kr.audit, "", 0);
	assert_int_equal(strlen(k1), 64);
	assert_string_not_equal(k1, h);
	assert_string_not_equal(k1, k2);
}

static void crypto_blind_index_deterministic_per_keyring(void **state)
{
	(void)state;
	struct keyring k1, k2;
	fixed_keyring(&k1, 1);
	fixed_keyring(&k2, 2);
	char a[65], b[65], c[65], d[65];
	crypto_blind_index(&k1, a, "ada@example.org");
	crypto_blind_index(&k1, b, "ada@example.org");
	crypto_blind_index(&k2, c, "ada@example.org");
	crypto_blind_index(&k1, d, "ada@example.orh");
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	/* Not the unkeyed digest either. */
	char plain_h[65];
	crypto_hash_hex(plain_h, NULL, "ada@example.org", strlen("ada@example.org"));
	assert_string_not_equal(a, plain_h);
}

static void crypto_streq_compares(void **state)
{
	(void)state;
	assert_int_equal(crypto_streq("abc", "abc"), 1);
	assert_int_equal(crypto_streq("", ""), 1);
	assert_int_equal(crypto_streq("abc", "abd"), 0);
	assert_int_equal(crypto_streq("abc", "Abc"), 0);
	assert_int_equal(crypto_streq("abc", "abcd"), 0);
	assert_int_equal(crypto_streq("abcd", "abc"), 0);
	assert_int_equal(crypto_streq("", "a"), 0);
}

static void crypto_random_fills(void **state)
{
	(void)state;
	unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};
	crypto_random(a, sizeof a);
	crypto_random(b, sizeof b);
	assert_memory_not_equal(a, zero, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
}

static int group_setup(void **state)
{
	(void)state;
	return crypto_init();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
	const struct CMUnitTest tests[] = {
	    T(crypto_keyfile_create_mode_0600),
	    T(crypto_keyfile_create_refuses_overwrite),
	    T(crypto_keyfile_create_unwritable_dir),
	    T(crypto_keyring_load_round_trip),
	    T(crypto_keyring_load_matches_from_master),
	    T(crypto_keyring_load_rejects_corrupt),
	    T(crypto_keyring_load_missing),
	    T(crypto_keyring_rotate_write_load_round_trip),
	    T(crypto_keyring_drop_previous_keeps_audit_key_only),
	    T(crypto_keyring_load_v2_rejects_corrupt),
	    cmocka_unit_test(crypto_keyring_from_master_purpose_keys_distinct),
	    cmocka_unit_test(crypto_keyring_wipe_zeroes),
	    cmocka_unit_test(crypto_seal_open_round_trip),
	    cmocka_unit_test(crypto_seal_open_empty_and_no_ad),
	    cmocka_unit_test(crypto_open_tampered_fails),
	    cmocka_unit_test(crypto_open_truncated_fails),
	    cmocka_unit_test(crypto_open_wrong_key_fails),
	    cmocka_unit_test(crypto_open_wrong_ad_fails),
	    cmocka_unit_test(crypto_datakey_wrap_unwrap_round_trip),
	    cmocka_unit_test(crypto_datakey_unwrap_other_subject_fails),
	    cmocka_unit_test(crypto_datakey_unwrap_other_master_fails),
	    cmocka_unit_test(crypto_datakey_unwrap_truncated_or_tampered_fails),
	    cmocka_unit_test(crypto_password_hash_and_verify),
	    cmocka_unit_test(crypto_token_format_and_uniqueness),
	    cmocka_unit_test(crypto_hash_hex_known_vector_and_key),
	    cmocka_unit_test(crypto_blind_index_deterministic_per_keyring),
	    cmocka_unit_test(crypto_streq_compares),
	    cmocka_unit_test(crypto_random_fills),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
