/*
 * Static files: the web UI embedded at build time. Paths are looked up in a
 * sorted table; a client can never name a file on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "core/util.h"
#include "core/xalloc.h"
#include "http/http.h"
#include "core/banned.h"

static struct static_asset *assets;
static size_t nassets;

static const char *mime_for(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".webmanifest", "application/manifest+json"},
	    {".woff2", "font/woff2"},
	};
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct static_asset *)a)->path,
	              ((const struct static_asset *)b)->path);
}

void static_init(void)
{
	if (assets)
		return;
	assets = xcalloc(web_assets_count + 1, sizeof *assets);
	for (unsigned long i = 0; i < web_assets_count; i++) {
		const struct embedded_file *f = &web_assets[i];
		struct static_asset *a = &assets[nassets++];
		size_t n = strlen(f->name) + 2;
		char *path = xmalloc(n);
		snprintf(path, n, "/%s", f->name);
		a->path = path;
		a->type = mime_for(f->name);
		a->data = f->data;
		a->len = f->len;
		unsigned char h[8];
		char hex[17];
		crypto_generichash(h, sizeof h, f->data, f->len, NULL, 0);
		util_hex(hex, h, sizeof h);
		snprintf(a->etag, sizeof a->etag, "\"%s\"", hex);
		struct buf head = BUF_INIT;
		buf_printf(&head,
		           "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		           "Cache-Control: no-cache\r\nETag: %s\r\n",
		           a->type, a->len, a->etag);
		buf_puts(&head, http_security_headers);
		a->head = buf_detach(&head, &a->headlen);
	}
	qsort(assets, nassets, sizeof *assets, by_path);
}

const struct static_asset *static_find(const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	struct static_asset key = {.path = path};
	return bsearch(&key, assets, nassets, sizeof *assets, by_path);
}
