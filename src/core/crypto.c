/* libsodium wrappers; see crypto.h. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "core/banned.h"

/* Key file format: one line "hearth-key-v1 <64 hex chars>\n". Text so that
 * an operator can copy it into a password manager. */
#define KEYFILE_MAGIC "hearth-key-v1 "
static const char kdf_context[crypto_kdf_CONTEXTBYTES] = {'h', 'e', 'a', 'r', 't', 'h', 'k', '1'};

int crypto_init(void)
{
	return sodium_init() < 0 ? -HEARTH_ECRYPTO : 0;
}

int crypto_keyfile_create(const char *path)
{
	unsigned char key[HC_KEY_BYTES];
	char hex[2 * HC_KEY_BYTES + 1];
	char line[sizeof(KEYFILE_MAGIC) + sizeof(hex) + 1];
	int rc = -HEARTH_EIO;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? -HEARTH_ECONFLICT : -HEARTH_EIO;
	crypto_kdf_keygen(key);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	int n = snprintf(line, sizeof line, "%s%s\n", KEYFILE_MAGIC, hex);
	if (n < 0 || (size_t)n >= sizeof line)
		goto out;
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(line, sizeof line);
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}

void crypto_keyring_from_master(struct keyring *kr, const unsigned char master[HC_KEY_BYTES])
{
	/* Whole struct zeroed: keyrings from the same master compare equal. */
	sodium_memzero(kr, sizeof *kr);
	memcpy(kr->master, master, HC_KEY_BYTES);
	crypto_kdf_derive_from_key(kr->csrf, HC_KEY_BYTES, HC_PURPOSE_CSRF, kdf_context, master);
	crypto_kdf_derive_from_key(kr->audit, HC_KEY_BYTES, HC_PURPOSE_AUDIT, kdf_context, master);
	crypto_kdf_derive_from_key(kr->blind, HC_KEY_BYTES, HC_PURPOSE_BLIND_INDEX, kdf_context,
	                           master);
	crypto_kdf_derive_from_key(kr->wrap, HC_KEY_BYTES, HC_PURPOSE_WRAP, kdf_context, master);
	kr->id = 1;
}

/* Sets kr's current master key to (id, master): its wrap and audit keys
 * derived; blind and CSRF keys untouched. */
static void set_current(struct keyring *kr, uint32_t id, const unsigned char master[HC_KEY_BYTES])
{
	memcpy(kr->master, master, HC_KEY_BYTES);
	crypto_kdf_derive_from_key(kr->audit, HC_KEY_BYTES, HC_PURPOSE_AUDIT, kdf_context, master);
	crypto_kdf_derive_from_key(kr->wrap, HC_KEY_BYTES, HC_PURPOSE_WRAP, kdf_context, master);
	kr->id = id;
}

static int hex_key(unsigned char out[HC_KEY_BYTES], const char *hex)
{
	size_t len = 0;
	const char *end;
	if (sodium_hex2bin(out, HC_KEY_BYTES, hex, strlen(hex), NULL, &len, &end) != 0 ||
	    len != HC_KEY_BYTES || *end != '\0')
		return -HEARTH_EINVAL;
	return 0;
}

static int parse_id(const char *s, uint32_t *id)
{
	unsigned long v = 0;
	if (*s < '1' || *s > '9' || strlen(s) > 9)
		return -HEARTH_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -HEARTH_EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*id = (uint32_t)v;
	return 0;
}

/*
 * Version 2 key file, one item per line:
 *   hearth-key-v2
 *   master <id> <64 hex>    the first is current, later ones previous
 *   audit <id> <64 hex> [<last entry>]
 *                           the audit key of a destroyed master key, and the
 *                           last audit entry it made
 *   blind <64 hex>          blind-index key (key 1's, carried over)
 *   csrf <64 hex>           CSRF and throttle key (key 1's, carried over)
 */
static int load_v2(struct keyring *kr, FILE *f)
{
	char line[256], w1[16], w2[80], w3[80], w4[24];
	unsigned char key[HC_KEY_BYTES];
	int rc = -HEARTH_EINVAL, have_current = 0, have_blind = 0, have_csrf = 0;
	sodium_memzero(kr, sizeof *kr);
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n')
			goto out;
		line[len - 1] = '\0';
		w1[0] = w2[0] = w3[0] = w4[0] = '\0';
		int n = sscanf(line, "%15s %79s %79s %23s", w1, w2, w3, w4);
		uint32_t id = 0, last = 0;
		if (n == 4 && strcmp(w1, "audit") == 0 && strcmp(w4, "0") != 0 &&
		    parse_id(w4, &last) != 0)
			goto out;
		if ((n == 3 || (n == 4 && strcmp(w1, "audit") == 0)) &&
		    (strcmp(w1, "master") == 0 || strcmp(w1, "audit") == 0)) {
			if (parse_id(w2, &id) || hex_key(key, w3))
				goto out;
			for (size_t i = 0; i < kr->nold; i++)
				if (kr->old[i].id == id)
					goto out;
			if (have_current && kr->id == id)
				goto out;
			if (strcmp(w1, "master") == 0 && !have_current) {
				set_current(kr, id, key);
				have_current = 1;
				continue;
			}
			if (kr->nold == HC_KEYRING_MAX_OLD)
				goto out;
			struct crypto_oldkey *o = &kr->old[kr->nold++];
			o->id = id;
			o->last_entry = n == 4 ? (int64_t)last : -1;
			if (strcmp(w1, "master") == 0) {
				o->has_master = 1;
				memcpy(o->master, key, HC_KEY_BYTES);
				crypto_kdf_derive_from_key(o->wrap, HC_KEY_BYTES, HC_PURPOSE_WRAP,
				                           kdf_context, key);
				crypto_kdf_derive_from_key(o->audit, HC_KEY_BYTES, HC_PURPOSE_AUDIT,
				                           kdf_context, key);
			} else {
				memcpy(o->audit, key, HC_KEY_BYTES);
			}
		} else if (n == 2 && strcmp(w1, "blind") == 0 && !have_blind) {
			if (hex_key(kr->blind, w2))
				goto out;
			have_blind = 1;
		} else if (n == 2 && strcmp(w1, "csrf") == 0 && !have_csrf) {
			if (hex_key(kr->csrf, w2))
				goto out;
			have_csrf = 1;
		} else {
			goto out;
		}
	}
	if (have_current && have_blind && have_csrf)
		rc = 0;
out:
	sodium_memzero(line, sizeof line);
	sodium_memzero(w2, sizeof w2);
	sodium_memzero(w3, sizeof w3);
	sodium_memzero(key, sizeof key);
	if (rc)
		sodium_memzero(kr, sizeof *kr);
	return rc;
}

int crypto_keyring_load(struct keyring *kr, const char *path)
{
	char line[256];
	unsigned char key[HC_KEY_BYTES];
	size_t keylen = 0;
	int rc = -HEARTH_EINVAL;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -HEARTH_ENOTFOUND : -HEARTH_EIO;
	if (!fgets(line, sizeof line, f))
		goto out;
	if (strcmp(line, "hearth-key-v2\n") == 0) {
		rc = load_v2(kr, f);
		goto out;
	}
	size_t mlen = strlen(KEYFILE_MAGIC);
	if (strncmp(line, KEYFILE_MAGIC, mlen) != 0)
		goto out;
	if (sodium_hex2bin(key, sizeof key, line + mlen, 2 * HC_KEY_BYTES, NULL, &keylen, NULL) !=
	        0 ||
	    keylen != HC_KEY_BYTES)
		goto out;
	crypto_keyring_from_master(kr, key);
	rc = 0;
out:
	sodium_memzero(line, sizeof line);
	sodium_memzero(key, sizeof key);
	fclose(f);
	return rc;
}

int crypto_keyring_rotate(struct keyring *kr)
{
	unsigned char key[HC_KEY_BYTES];
	uint32_t next = kr->id;
	if (kr->nold == HC_KEYRING_MAX_OLD)
		return -HEARTH_EINVAL;
	for (size_t i = 0; i < kr->nold; i++)
		if (kr->old[i].id > next)
			next = kr->old[i].id;
	memmove(&kr->old[1], &kr->old[0], kr->nold * sizeof kr->old[0]);
	kr->nold++;
	struct crypto_oldkey *o = &kr->old[0];
	o->id = kr->id;
	o->has_master = 1;
	o->last_entry = -1;
	memcpy(o->master, kr->master, HC_KEY_BYTES);
	memcpy(o->wrap, kr->wrap, HC_KEY_BYTES);
	memcpy(o->audit, kr->audit, HC_KEY_BYTES);
	crypto_kdf_keygen(key);
	set_current(kr, next + 1, key);
	sodium_memzero(key, sizeof key);
	return 0;
}

size_t crypto_keyring_drop_previous(struct keyring *kr,
                                    int64_t (*last_entry)(uint32_t id, void *ctx), void *ctx)
{
	size_t n = 0;
	for (size_t i = 0; i < kr->nold; i++) {
		if (!kr->old[i].has_master)
			continue;
		kr->old[i].has_master = 0;
		kr->old[i].last_entry = last_entry ? last_entry(kr->old[i].id, ctx) : -1;
		sodium_memzero(kr->old[i].master, HC_KEY_BYTES);
		sodium_memzero(kr->old[i].wrap, HC_KEY_BYTES);
		n++;
	}
	return n;
}

int crypto_keyring_has_previous(const struct keyring *kr)
{
	for (size_t i = 0; i < kr->nold; i++)
		if (kr->old[i].has_master)
			return 1;
	return 0;
}

const unsigned char *crypto_keyring_audit_key(const struct keyring *kr, uint32_t id,
                                              int64_t entry_id)
{
	if (id == kr->id)
		return kr->audit;
	for (size_t i = 0; i < kr->nold; i++)
		if (kr->old[i].id == id)
			return kr->old[i].last_entry < 0 || entry_id <= kr->old[i].last_entry
			           ? kr->old[i].audit
			           : NULL;
	return NULL;
}

static const unsigned char *wrap_key(const struct keyring *kr, uint32_t id)
{
	if (id == kr->id)
		return kr->wrap;
	for (size_t i = 0; i < kr->nold; i++)
		if (kr->old[i].id == id && kr->old[i].has_master)
			return kr->old[i].wrap;
	return NULL;
}

int crypto_keyring_has_wrap_key(const struct keyring *kr, uint32_t id)
{
	return id != 0 && wrap_key(kr, id) != NULL;
}

/* Appends "<word>[ <id>] <hex of key>[ <last>]\n" to buf at *at (last when
 * >= 0); -HEARTH_EIO when full. */
static int put_line(char *buf, size_t size, size_t *at, const char *word, uint32_t id,
                    const unsigned char key[HC_KEY_BYTES], int64_t last)
{
	char hex[2 * HC_KEY_BYTES + 1];
	int n;
	sodium_bin2hex(hex, sizeof hex, key, HC_KEY_BYTES);
	if (id && last >= 0)
		n = snprintf(buf + *at, size - *at, "%s %" PRIu32 " %s %" PRId64 "\n", word, id,
		             hex, last);
	else if (id)
		n = snprintf(buf + *at, size - *at, "%s %" PRIu32 " %s\n", word, id, hex);
	else
		n = snprintf(buf + *at, size - *at, "%s %s\n", word, hex);
	sodium_memzero(hex, sizeof hex);
	if (n < 0 || (size_t)n >= size - *at)
		return -HEARTH_EIO;
	*at += (size_t)n;
	return 0;
}

int crypto_keyfile_write(const char *path, const struct keyring *kr)
{
	char buf[4096], tmp[4096], dir[4096];
	size_t at = 0;
	int rc = -HEARTH_EIO, fd = -1;
	int n = snprintf(tmp, sizeof tmp, "%s.new", path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -HEARTH_EIO;
	n = snprintf(buf, sizeof buf, "hearth-key-v2\n");
	at = (size_t)n;
	if (put_line(buf, sizeof buf, &at, "master", kr->id, kr->master, -1))
		goto out;
	for (size_t i = 0; i < kr->nold; i++)
		if (kr->old[i].has_master &&
		    put_line(buf, sizeof buf, &at, "master", kr->old[i].id, kr->old[i].master, -1))
			goto out;
	for (size_t i = 0; i < kr->nold; i++)
		if (!kr->old[i].has_master && put_line(buf, sizeof buf, &at, "audit", kr->old[i].id,
		                                       kr->old[i].audit, kr->old[i].last_entry))
			goto out;
	if (put_line(buf, sizeof buf, &at, "blind", 0, kr->blind, -1) ||
	    put_line(buf, sizeof buf, &at, "csrf", 0, kr->csrf, -1))
		goto out;
	(void)unlink(tmp); /* left by a crash during an earlier write */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write(fd, buf, at) != (ssize_t)at || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	/* The rename itself is durable once the directory is synced. */
	const char *slash = strrchr(path, '/');
	n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path)
	          : snprintf(dir, sizeof dir, ".");
	if (n >= 0 && (size_t)n < sizeof dir) {
		int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	if (rc)
		(void)unlink(tmp);
	return rc;
}

void crypto_keyring_wipe(struct keyring *kr)
{
	sodium_memzero(kr, sizeof *kr);
}

void crypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void crypto_token(char *out, size_t size)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void crypto_hash_hex(char *out, const unsigned char *key, const void *data, size_t n)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, data, n, key, key ? HC_KEY_BYTES : 0);
	util_hex(out, h, sizeof h);
}

void crypto_blind_index(const struct keyring *kr, char out[65], const char *normalised)
{
	crypto_hash_hex(out, kr->blind, normalised, strlen(normalised));
}

int crypto_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int crypto_password_hash(char out[128], const char *password)
{
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -HEARTH_ENOMEM;
	return 0;
}

int crypto_password_verify(const char *stored, const char *password)
{
	return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

void crypto_datakey_new(unsigned char dk[HC_KEY_BYTES])
{
	crypto_aead_xchacha20poly1305_ietf_keygen(dk);
}

static void subject_ad(unsigned char ad[16], int64_t subject)
{
	memcpy(ad, "hearth-dk", 8);
	uint64_t s = (uint64_t)subject;
	for (int i = 0; i < 8; i++)
		ad[8 + i] = (unsigned char)(s >> (8 * i));
}

uint32_t crypto_wrapped_key_id(const unsigned char *w, size_t n)
{
	if (n == HC_WRAPPED_V1_BYTES)
		return 1;
	if (n == HC_WRAPPED_V2_BYTES && w[0] == 'W') {
		uint32_t id = (uint32_t)w[1] | (uint32_t)w[2] << 8 | (uint32_t)w[3] << 16 |
		              (uint32_t)w[4] << 24;
		return id > 1 ? id : 0;
	}
	return 0;
}

size_t crypto_datakey_wrap(const struct keyring *kr, unsigned char *out, int64_t subject,
                           const unsigned char dk[HC_KEY_BYTES])
{
	unsigned char ad[16];
	subject_ad(ad, subject);
	if (kr->id <= 1) {
		crypto_seal(out, kr->wrap, dk, HC_KEY_BYTES, ad, sizeof ad);
		return HC_WRAPPED_V1_BYTES;
	}
	out[0] = 'W';
	for (int i = 0; i < 4; i++)
		out[1 + i] = (unsigned char)(kr->id >> (8 * i));
	crypto_seal(out + 5, kr->wrap, dk, HC_KEY_BYTES, ad, sizeof ad);
	return HC_WRAPPED_V2_BYTES;
}

int crypto_datakey_unwrap(const struct keyring *kr, unsigned char dk[HC_KEY_BYTES], int64_t subject,
                          const unsigned char *wrapped, size_t wrapped_len)
{
	unsigned char ad[16];
	uint32_t id = crypto_wrapped_key_id(wrapped, wrapped_len);
	const unsigned char *key = id ? wrap_key(kr, id) : NULL;
	if (!key)
		return -HEARTH_ECRYPTO;
	if (wrapped_len == HC_WRAPPED_V2_BYTES) {
		wrapped += 5;
		wrapped_len -= 5;
	}
	subject_ad(ad, subject);
	return crypto_open(dk, key, wrapped, wrapped_len, ad, sizeof ad);
}

void crypto_seal(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const void *plain,
                 size_t n, const void *ad, size_t adlen)
{
	unsigned char *nonce = out;
	randombytes_buf(nonce, HC_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + HC_NONCE_BYTES, NULL, plain, n, ad, adlen,
	                                           NULL, nonce, key);
}

int crypto_open(unsigned char *out, const unsigned char key[HC_KEY_BYTES],
                const unsigned char *sealed, size_t n, const void *ad, size_t adlen)
{
	if (n < HC_SEAL_OVERHEAD)
		return -HEARTH_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, sealed + HC_NONCE_BYTES,
	                                               n - HC_NONCE_BYTES, ad, adlen, sealed,
	                                               key) != 0)
		return -HEARTH_ECRYPTO;
	return 0;
}
