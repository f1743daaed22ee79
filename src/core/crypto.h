/*
 * Keys and cryptography, all from libsodium.
 *
 * The master key lives in a key file outside the database (mode 0600). From
 * it we derive purpose keys (session CSRF tokens, the audit chain, blind
 * indexes, key wrapping) with crypto_kdf, so one leaked purpose key never
 * reveals another.
 *
 * Envelope encryption: every subject (a person) gets a random data key;
 * fields are sealed with XChaCha20-Poly1305 under that data key; the data
 * key is stored only wrapped (sealed) by the master key's wrapping subkey,
 * bound to the subject id. Destroying the wrapped data key crypto-shreds
 * everything sealed with it.
 */
#ifndef HEARTH_CRYPTO_H
#define HEARTH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define HC_KEY_BYTES   32
#define HC_NONCE_BYTES 24
#define HC_TAG_BYTES   16
/* Ciphertext layout: nonce || ciphertext || tag. */
#define HC_SEAL_OVERHEAD     (HC_NONCE_BYTES + HC_TAG_BYTES)
#define HC_WRAPPED_KEY_BYTES (HC_KEY_BYTES + HC_SEAL_OVERHEAD)

enum hc_purpose {
	HC_PURPOSE_CSRF = 1,
	HC_PURPOSE_AUDIT = 2,
	HC_PURPOSE_BLIND_INDEX = 3,
	HC_PURPOSE_WRAP = 4,
	HC_PURPOSE_TOKEN = 5,
};

struct keyring {
	unsigned char master[HC_KEY_BYTES];
	unsigned char csrf[HC_KEY_BYTES];
	unsigned char audit[HC_KEY_BYTES];
	unsigned char blind[HC_KEY_BYTES];
	unsigned char wrap[HC_KEY_BYTES];
};

/* Initialises libsodium once; returns 0 or -HEARTH_ECRYPTO. */
int hc_init(void);

/* Creates a new key file at path with a fresh random master key, mode 0600.
 * Refuses (-HEARTH_ECONFLICT) if the file exists. */
int hc_keyfile_create(const char *path);

/* Loads the master key from path and derives purpose keys into kr.
 * Returns 0, -HEARTH_ENOTFOUND, -HEARTH_EIO or -HEARTH_EINVAL (bad file). */
int hc_keyring_load(struct keyring *kr, const char *path);

/* Derives purpose keys from an explicit master key (tests). */
void hc_keyring_from_master(struct keyring *kr, const unsigned char master[HC_KEY_BYTES]);

/* Wipes all key material. */
void hc_keyring_wipe(struct keyring *kr);

/* Fills buf with n random bytes. */
void hc_random(void *buf, size_t n);

/* Generates a random token: 32 random bytes, base64url without padding,
 * written into out (size >= 44). */
void hc_token(char *out, size_t size);

/* SHA-256-sized keyed or unkeyed BLAKE2b digest of data, hex in out
 * (size >= 65). key may be NULL. */
void hc_hash_hex(char *out, const unsigned char *key, const void *data, size_t n);

/* Keyed blind index of a normalised value (hex, 64 chars). */
void hc_blind_index(const struct keyring *kr, char out[65], const char *normalised);

/* Constant-time string comparison of equal-length strings; 1 if equal. */
int hc_streq(const char *a, const char *b);

/* Password hashing with Argon2id (crypto_pwhash_str, interactive limits or
 * stronger). out must hold crypto_pwhash_STRBYTES (128). Returns 0 or
 * -HEARTH_ENOMEM. Callers bound concurrency (see auth.c). */
int hc_password_hash(char out[128], const char *password);
/* Returns 1 if password matches the stored hash, 0 otherwise. */
int hc_password_verify(const char *stored, const char *password);

/* Creates a new random data key. */
void hc_datakey_new(unsigned char dk[HC_KEY_BYTES]);

/* Wraps dk for subject under the keyring's wrap key; out holds
 * HC_WRAPPED_KEY_BYTES. */
void hc_datakey_wrap(const struct keyring *kr, unsigned char *out, int64_t subject,
                     const unsigned char dk[HC_KEY_BYTES]);

/* Unwraps a data key; returns 0 or -HEARTH_ECRYPTO if the wrapped key was
 * altered, belongs to another subject, or another master key made it. */
int hc_datakey_unwrap(const struct keyring *kr, unsigned char dk[HC_KEY_BYTES], int64_t subject,
                      const unsigned char *wrapped, size_t wrapped_len);

/* Seals plaintext with key; ad (may be NULL) is authenticated, not stored.
 * out must hold n + HC_SEAL_OVERHEAD bytes. */
void hc_seal(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const void *plain, size_t n,
             const void *ad, size_t adlen);

/* Opens a sealed message; out must hold n - HC_SEAL_OVERHEAD bytes.
 * Returns 0 or -HEARTH_ECRYPTO. */
int hc_open(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const unsigned char *sealed,
            size_t n, const void *ad, size_t adlen);

#endif
