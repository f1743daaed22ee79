/* Synthetic demo data: organisations, staff of every role and participants.
 * Every name and address is invented; emails use reserved .example domains. */
#ifndef HEARTH_DEMO_H
#define HEARTH_DEMO_H

#include <stdio.h>

struct db_pool;
struct auth_limits;
struct people_ctx;

#define DEMO_PASSWORD "hearth-demo-2026"

/* Loads the demo data unless it is there already, then prints the logins
 * to out. Returns 0 or a negative hearth_err. */
int demo_load(struct db_pool *p, const struct people_ctx *px, struct auth_limits *lim, FILE *out);

#endif
