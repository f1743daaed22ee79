/*
 * Files compiled into the binary by tools/embed.c: the web UI, the SQL
 * migrations and the crisis resources. Arrays end with a zeroed entry.
 */
#ifndef HEARTH_EMBEDDED_H
#define HEARTH_EMBEDDED_H

struct embedded_file {
	const char *name;          /* path relative to its root, e.g. "app.js" */
	const unsigned char *data; /* NUL-terminated for convenience */
	unsigned long len;         /* length without the terminator */
	/* The web UI only (tools/embed.c --web), else 0: the content-hashed
	 * name ("lib/api.3f9c2a1b.js"; none for index.html), and the gzip and
	 * Brotli encodings of data, each only when smaller. */
	const char *hashed;
	const unsigned char *gz;
	unsigned long gzlen;
	const unsigned char *br;
	unsigned long brlen;
};

extern const struct embedded_file web_assets[];
extern const unsigned long web_assets_count;
extern const struct embedded_file migration_assets[];
extern const unsigned long migration_assets_count;
extern const struct embedded_file crisis_assets[];
extern const unsigned long crisis_assets_count;

#endif
