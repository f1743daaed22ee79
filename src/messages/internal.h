/*
 * Inside the messages module: what its parts (outbox, sender, email,
 * events, inbox, preferences) share. Other modules include messages.h.
 */
#ifndef HEARTH_MESSAGES_INTERNAL_H
#define HEARTH_MESSAGES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

struct db_conn;
struct keyring;

/* The key one-time links are sealed with in the outbox (derived from the
 * key file's first key, which a rotation keeps). */
void messages__secret_key(const struct keyring *kr, unsigned char key[HC_KEY_BYTES]);
/* Opens a sealed secret into out (NUL-terminated). 0 or -HEARTH_ECRYPTO. */
int messages__secret_open(const struct keyring *kr, const void *sealed, size_t n, char *out,
                          size_t outlen);
/* Wakes the senders of every node when the caller's transaction commits. */
void messages__wake_sender(struct db_conn *c);

struct db_pool;
/* events.c: the thread that hands committed events to the streams of this
 * node (started and stopped by messages_start/messages_stop). */
int events__dispatch_start(struct db_pool *p);
void events__dispatch_stop(void);

#endif
