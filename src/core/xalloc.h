/* Allocation that aborts on out-of-memory (after Redis's zmalloc). */
#ifndef HEARTH_XALLOC_H
#define HEARTH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
