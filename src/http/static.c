/*
 * Static files: the web UI embedded at build time. Paths are looked up in a
 * sorted table; a client can never name a file on disk. Each file is there
 * under its plain path (no-cache, revalidated by ETag) and, but index.html,
 * under its content-hashed path (immutable), each with its identity, gzip and
 * Brotli bodies (tools/embed.c) and their headers formatted once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Hashed URLs never change content: a year, and no revalidation. Plain URLs
 * (index.html, bookmarks, /app.css) are revalidated with their ETag. */
static const char immutable[] = "public, max-age=31536000, immutable";

/* The security headers, with the import map of index.html allowed by its
 * hash: an inline script, which script-src 'self' alone would block. */
static char *security_headers_for(const struct embedded_file *f)
{
	static const char open[] = "<script type=\"importmap\">";
	const char *d = (const char *)f->data;
	const char *s = strstr(d, open);
	const char *e = s ? strstr(s, "</script>") : NULL;
	const char *csp = strstr(http_security_headers, "script-src 'self';");
	if (!s || !e || !csp)
		return xstrdup(http_security_headers);
	s += sizeof open - 1;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, (unsigned long long)(e - s));
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	struct buf out = BUF_INIT;
	size_t before = (size_t)(csp - http_security_headers) + strlen("script-src 'self'");
	buf_printf(&out, "%.*s 'sha256-%s'%s", (int)before, http_security_headers, b64,
	           http_security_headers + before);
	size_t n;
	return buf_detach(&out, &n);
}

static void variant(struct static_variant *v, const struct static_asset *a,
                    const unsigned char *data, size_t len, const char *coding, const char *hex,
                    const char *security)
{
	if (!data)
		return;
	v->data = data;
	v->len = len;
	snprintf(v->etag, sizeof v->etag, "\"%s%s%s\"", hex, coding ? "-" : "",
	         coding ? coding : "");
	struct buf head = BUF_INIT;
	buf_printf(&head, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", a->type,
	           len);
	if (coding)
		buf_printf(&head, "Content-Encoding: %s\r\n", coding);
	buf_printf(&head, "Vary: Accept-Encoding\r\nCache-Control: %s\r\nETag: %s\r\n",
	           a->cache_control, v->etag);
	buf_puts(&head, security);
	v->head = buf_detach(&head, &v->headlen);
	struct buf h304 = BUF_INIT;
	buf_printf(&h304,
	           "HTTP/1.1 304 Not Modified\r\nVary: Accept-Encoding\r\nCache-Control: %s\r\n"
	           "ETag: %s\r\n",
	           a->cache_control, v->etag);
	buf_puts(&h304, security);
	v->head304 = buf_detach(&h304, &v->head304len);
}

static void add(const struct embedded_file *f, const char *name, const char *cache_control,
                const char *security)
{
	struct static_asset *a = &assets[nassets++];
	size_t n = strlen(name) + 2;
	char *path = xmalloc(n);
	snprintf(path, n, "/%s", name);
	a->path = path;
	a->type = mime_for(f->name);
	a->cache_control = cache_control;
	a->data = f->data;
	a->len = f->len;
	unsigned char h[8];
	char hex[17];
	crypto_generichash(h, sizeof h, f->data, f->len, NULL, 0);
	util_hex(hex, h, sizeof h);
	variant(&a->plain, a, f->data, f->len, NULL, hex, security);
	variant(&a->gzip, a, f->gz, f->gzlen, "gzip", hex, security);
	variant(&a->br, a, f->br, f->brlen, "br", hex, security);
}

void static_init(void)
{
	if (assets)
		return;
	assets = xcalloc(2 * web_assets_count + 1, sizeof *assets);
	for (unsigned long i = 0; i < web_assets_count; i++) {
		const struct embedded_file *f = &web_assets[i];
		const char *security = http_security_headers;
		char *own = NULL;
		if (strcmp(f->name, "index.html") == 0)
			security = own = security_headers_for(f);
		add(f, f->name, "no-cache", security);
		if (f->hashed)
			add(f, f->hashed, immutable, security);
		free(own);
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

/* The q value a coding gets from an Accept-Encoding list (RFC 9110 12.5.3):
 * its own entry, else "*"'s, else 0 (not acceptable). In thousandths. */
static int quality(const char *list, const char *coding)
{
	int own = -1, star = -1;
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *name = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t n = (size_t)(p - name);
		int q = 1000;
		while (*p && *p != ',') {
			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
				p += 2;
				q = 0;
				if (*p == '1') {
					q = 1000;
				} else if (*p == '0') {
					p++;
					if (*p == '.') {
						p++;
						for (int scale = 100;
						     scale >= 1 && *p >= '0' && *p <= '9';
						     scale /= 10)
							q += (*p++ - '0') * scale;
					}
				}
			}
			while (*p && *p != ',' && *p != ';')
				p++;
		}
		if (n == strlen(coding) && strncasecmp(name, coding, n) == 0)
			own = q;
		else if (n == 1 && name[0] == '*')
			star = q;
	}
	return own >= 0 ? own : star >= 0 ? star : 0;
}

const struct static_variant *static_pick(const struct static_asset *a, const char *accept_encoding)
{
	if (!accept_encoding)
		return &a->plain;
	int br = a->br.data ? quality(accept_encoding, "br") : 0;
	int gz = a->gzip.data ? quality(accept_encoding, "gzip") : 0;
	if (br > 0 && br >= gz)
		return &a->br;
	if (gz > 0)
		return &a->gzip;
	return &a->plain;
}

bool static_etag_match(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2; /* weak comparison (RFC 9110 13.1.2) */
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}
