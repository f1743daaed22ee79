/*
 * A growable byte buffer that carries its length (after git's strbuf).
 * Invariant: data[len] == '\0' whenever data != NULL. Heap-backed; the
 * owner calls buf_release().
 */
#ifndef HEARTH_BUF_H
#define HEARTH_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT           \
	{                  \
		NULL, 0, 0 \
	}

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with HTML special characters escaped. */
void buf_html(struct buf *b, const char *s);
void buf_release(struct buf *b);
/* Hands the bytes to the caller (who frees them) and empties b. */
char *buf_detach(struct buf *b, size_t *len);

#endif
