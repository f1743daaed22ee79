/* libsodium wrappers; see crypto.h. */
#include <errno.h>
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

int hc_init(void)
{
	return sodium_init() < 0 ? -HEARTH_ECRYPTO : 0;
}

int hc_keyfile_create(const char *path)
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

void hc_keyring_from_master(struct keyring *kr, const unsigned char master[HC_KEY_BYTES])
{
	memcpy(kr->master, master, HC_KEY_BYTES);
	crypto_kdf_derive_from_key(kr->csrf, HC_KEY_BYTES, HC_PURPOSE_CSRF, kdf_context, master);
	crypto_kdf_derive_from_key(kr->audit, HC_KEY_BYTES, HC_PURPOSE_AUDIT, kdf_context, master);
	crypto_kdf_derive_from_key(kr->blind, HC_KEY_BYTES, HC_PURPOSE_BLIND_INDEX, kdf_context,
	                           master);
	crypto_kdf_derive_from_key(kr->wrap, HC_KEY_BYTES, HC_PURPOSE_WRAP, kdf_context, master);
}

int hc_keyring_load(struct keyring *kr, const char *path)
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
	size_t mlen = strlen(KEYFILE_MAGIC);
	if (strncmp(line, KEYFILE_MAGIC, mlen) != 0)
		goto out;
	if (sodium_hex2bin(key, sizeof key, line + mlen, 2 * HC_KEY_BYTES, NULL, &keylen, NULL) !=
	        0 ||
	    keylen != HC_KEY_BYTES)
		goto out;
	hc_keyring_from_master(kr, key);
	rc = 0;
out:
	sodium_memzero(line, sizeof line);
	sodium_memzero(key, sizeof key);
	fclose(f);
	return rc;
}

void hc_keyring_wipe(struct keyring *kr)
{
	sodium_memzero(kr, sizeof *kr);
}

void hc_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void hc_token(char *out, size_t size)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void hc_hash_hex(char *out, const unsigned char *key, const void *data, size_t n)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, data, n, key, key ? HC_KEY_BYTES : 0);
	util_hex(out, h, sizeof h);
}

void hc_blind_index(const struct keyring *kr, char out[65], const char *normalised)
{
	hc_hash_hex(out, kr->blind, normalised, strlen(normalised));
}

int hc_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int hc_password_hash(char out[128], const char *password)
{
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -HEARTH_ENOMEM;
	return 0;
}

int hc_password_verify(const char *stored, const char *password)
{
	return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

void hc_datakey_new(unsigned char dk[HC_KEY_BYTES])
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

void hc_datakey_wrap(const struct keyring *kr, unsigned char *out, int64_t subject,
                     const unsigned char dk[HC_KEY_BYTES])
{
	unsigned char ad[16];
	subject_ad(ad, subject);
	hc_seal(out, kr->wrap, dk, HC_KEY_BYTES, ad, sizeof ad);
}

int hc_datakey_unwrap(const struct keyring *kr, unsigned char dk[HC_KEY_BYTES], int64_t subject,
                      const unsigned char *wrapped, size_t wrapped_len)
{
	unsigned char ad[16];
	if (wrapped_len != HC_WRAPPED_KEY_BYTES)
		return -HEARTH_ECRYPTO;
	subject_ad(ad, subject);
	return hc_open(dk, kr->wrap, wrapped, wrapped_len, ad, sizeof ad);
}

void hc_seal(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const void *plain, size_t n,
             const void *ad, size_t adlen)
{
	unsigned char *nonce = out;
	randombytes_buf(nonce, HC_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + HC_NONCE_BYTES, NULL, plain, n, ad, adlen,
	                                           NULL, nonce, key);
}

int hc_open(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const unsigned char *sealed,
            size_t n, const void *ad, size_t adlen)
{
	if (n < HC_SEAL_OVERHEAD)
		return -HEARTH_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, sealed + HC_NONCE_BYTES,
	                                               n - HC_NONCE_BYTES, ad, adlen, sealed,
	                                               key) != 0)
		return -HEARTH_ECRYPTO;
	return 0;
}
