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

enum crypto_purpose {
	HC_PURPOSE_CSRF = 1,
	HC_PURPOSE_AUDIT = 2,
	HC_PURPOSE_BLIND_INDEX = 3,
	HC_PURPOSE_WRAP = 4,
	HC_PURPOSE_TOKEN = 5,
};

/*
 * Master keys have ids: 1 is the key `hearth init` made; `hearth keys
 * rotate` adds the next. A wrapped data key and an audit entry name the id
 * of the master key that made them, so that during a rotation (when the key
 * file holds the new key and the previous one) both still open, and the
 * previous master key can be destroyed once nothing needs it. The keys of
 * blind indexes and CSRF tokens are those of key 1 and are carried over
 * unchanged by a rotation (re-indexing every person would need downtime);
 * the audit key of a destroyed master key is kept to verify the chain's old
 * entries (it opens nothing, and the later entries' hashes, made with the
 * new key, pin the old ones).
 */
#define HC_KEYRING_MAX_OLD 8

/* Wrapped data key, master key 1: sealed bytes only (the original format). */
#define HC_WRAPPED_V1_BYTES HC_WRAPPED_KEY_BYTES
/* Wrapped data key, master key > 1: 'W', the key id (4 bytes, little
 * endian), then the sealed bytes. */
#define HC_WRAPPED_V2_BYTES  (5 + HC_WRAPPED_KEY_BYTES)
#define HC_WRAPPED_MAX_BYTES HC_WRAPPED_V2_BYTES

struct crypto_oldkey {
	uint32_t id;
	int has_master; /* 0: a destroyed master key's audit key only */
	/* For a destroyed key: the last audit entry it made (known when it was
	 * destroyed); an entry after that naming it is a forgery. -1: no limit. */
	int64_t last_entry;
	unsigned char master[HC_KEY_BYTES];
	unsigned char wrap[HC_KEY_BYTES];
	unsigned char audit[HC_KEY_BYTES];
};

struct keyring {
	unsigned char master[HC_KEY_BYTES]; /* the current master key */
	unsigned char csrf[HC_KEY_BYTES];
	unsigned char audit[HC_KEY_BYTES]; /* the current master key's */
	unsigned char blind[HC_KEY_BYTES];
	unsigned char wrap[HC_KEY_BYTES]; /* the current master key's */
	uint32_t id;                      /* the current master key's id */
	size_t nold;
	struct crypto_oldkey old[HC_KEYRING_MAX_OLD]; /* previous keys, newest first */
};

/* Initialises libsodium once; returns 0 or -HEARTH_ECRYPTO. */
int crypto_init(void);

/* Creates a new key file at path with a fresh random master key, mode 0600.
 * Refuses (-HEARTH_ECONFLICT) if the file exists. */
int crypto_keyfile_create(const char *path);

/* Loads the key file at path into kr: a version 1 file (one master key, id
 * 1) or a version 2 file (written by `hearth keys`: the current master key,
 * previous ones, destroyed keys' audit keys, and the blind-index and CSRF
 * keys carried over). Returns 0, -HEARTH_ENOTFOUND, -HEARTH_EIO or
 * -HEARTH_EINVAL (bad file). */
int crypto_keyring_load(struct keyring *kr, const char *path);

/* Derives purpose keys from an explicit master key, as key 1 (tests). */
void crypto_keyring_from_master(struct keyring *kr, const unsigned char master[HC_KEY_BYTES]);

/* Makes a new random master key current (id: one more than any id kr
 * knows); the current one becomes the newest previous key. Blind-index and
 * CSRF keys stay. Returns 0, or -HEARTH_EINVAL when kr already holds
 * HC_KEYRING_MAX_OLD old keys. */
int crypto_keyring_rotate(struct keyring *kr);

/* Drops every previous master key from kr, keeping only its audit key (to
 * verify old audit entries) and last_entry(id), the last audit entry it
 * made (an entry after that naming it is refused). Returns how many master
 * keys were dropped. */
size_t crypto_keyring_drop_previous(struct keyring *kr,
                                    int64_t (*last_entry)(uint32_t id, void *ctx), void *ctx);

/* True when kr still holds a previous master key (a rotation not finished
 * by `hearth keys destroy-old`). */
int crypto_keyring_has_previous(const struct keyring *kr);

/* Writes kr to path as a version 2 key file, mode 0600, atomically (a new
 * file renamed over the old one, both synced): a crash leaves the old file
 * or the new one, never a mix. Returns 0 or -HEARTH_EIO. */
int crypto_keyfile_write(const char *path, const struct keyring *kr);

/* The audit key of master key id for audit entry entry_id, or NULL when kr
 * does not hold it, or it was destroyed before that entry (a key leaked
 * after its destruction cannot add entries). */
const unsigned char *crypto_keyring_audit_key(const struct keyring *kr, uint32_t id,
                                              int64_t entry_id);

/* True when kr holds the wrap key of master key id (current or previous). */
int crypto_keyring_has_wrap_key(const struct keyring *kr, uint32_t id);

/* The id of the master key that wrapped w (n bytes), or 0 when w is not a
 * wrapped key. */
uint32_t crypto_wrapped_key_id(const unsigned char *w, size_t n);

/* Wipes all key material. */
void crypto_keyring_wipe(struct keyring *kr);

/* Fills buf with n random bytes. */
void crypto_random(void *buf, size_t n);

/* Generates a random token: 32 random bytes, base64url without padding,
 * written into out (size >= 44). */
void crypto_token(char *out, size_t size);

/* SHA-256-sized keyed or unkeyed BLAKE2b digest of data, hex in out
 * (size >= 65). key may be NULL. */
void crypto_hash_hex(char *out, const unsigned char *key, const void *data, size_t n);

/* Keyed blind index of a normalised value (hex, 64 chars). */
void crypto_blind_index(const struct keyring *kr, char out[65], const char *normalised);

/* Constant-time string comparison of equal-length strings; 1 if equal. */
int crypto_streq(const char *a, const char *b);

/* Password hashing with Argon2id (crypto_pwhash_str, interactive limits or
 * stronger). out must hold crypto_pwhash_STRBYTES (128). Returns 0 or
 * -HEARTH_ENOMEM. Callers bound concurrency (see auth/session.c). */
int crypto_password_hash(char out[128], const char *password);
/* Returns 1 if password matches the stored hash, 0 otherwise. */
int crypto_password_verify(const char *stored, const char *password);

/* Creates a new random data key. */
void crypto_datakey_new(unsigned char dk[HC_KEY_BYTES]);

/* Wraps dk for subject under the current master key's wrap key. out holds
 * HC_WRAPPED_MAX_BYTES; returns the bytes written: HC_WRAPPED_V1_BYTES under
 * key 1 (the format versions before key rotation read), HC_WRAPPED_V2_BYTES
 * (naming the key) under a later key. */
size_t crypto_datakey_wrap(const struct keyring *kr, unsigned char *out, int64_t subject,
                           const unsigned char dk[HC_KEY_BYTES]);

/* Unwraps a data key with the master key it names (the current or a
 * previous one); returns 0 or -HEARTH_ECRYPTO if the wrapped key was
 * altered, belongs to another subject, or a master key kr does not hold
 * made it. */
int crypto_datakey_unwrap(const struct keyring *kr, unsigned char dk[HC_KEY_BYTES], int64_t subject,
                          const unsigned char *wrapped, size_t wrapped_len);

/* Seals plaintext with key; ad (may be NULL) is authenticated, not stored.
 * out must hold n + HC_SEAL_OVERHEAD bytes. */
void crypto_seal(unsigned char *out, const unsigned char key[HC_KEY_BYTES], const void *plain,
                 size_t n, const void *ad, size_t adlen);

/* Opens a sealed message; out must hold n - HC_SEAL_OVERHEAD bytes.
 * Returns 0 or -HEARTH_ECRYPTO. */
int crypto_open(unsigned char *out, const unsigned char key[HC_KEY_BYTES],
                const unsigned char *sealed, size_t n, const void *ad, size_t adlen);

#endif
