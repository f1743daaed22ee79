/*
 * embed: turns a list of files into a C source file holding their bytes, so
 * that assets ship inside the hearth binary. Usage:
 *   embed [--web] SYMBOL ROOT OUT.c FILE...
 * Each entry is named by its path relative to ROOT. The output defines
 *   const struct embedded_file SYMBOL[]; const size_t SYMBOL_count;
 *
 * With --web (the web UI), each file but index.html also gets a
 * content-hashed name ("lib/api.js" -> "lib/api.3f9c2a1b.js", the first 8
 * hex digits of its BLAKE2b hash), its gzip (zlib) and Brotli (libbrotlienc)
 * compressions are kept when smaller, and index.html is rewritten:
 *  - href="/x" and src="/x" naming an embedded file name its hashed URL;
 *  - an import map sends every module's plain URL to its hashed one, so the
 *    modules' own relative imports (static and dynamic) need no rewriting
 *    and import cycles do not matter; it goes before the first module script;
 *  - <link rel="modulepreload"> for every module the entry script imports
 *    statically, directly or not, so the browser fetches them in parallel.
 * The server (src/http/static.c) serves both the plain and the hashed URLs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <brotli/encode.h>
#include <sodium.h>
#include <zlib.h>

struct file {
	const char *name; /* the path given */
	const char *rel;  /* relative to ROOT */
	unsigned char *data;
	size_t len;
	char *hashed; /* web: relative hashed name, or NULL */
	unsigned char *gz, *br;
	size_t gzlen, brlen;
	int seen; /* module graph walk */
};

static struct file *files;
static int nfiles;

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "embed: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xrealloc(NULL, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* A growing byte buffer. */
struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const void *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->p = xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static struct file *find(const char *rel, size_t n)
{
	for (int i = 0; i < nfiles; i++)
		if (strlen(files[i].rel) == n && memcmp(files[i].rel, rel, n) == 0)
			return &files[i];
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "lib/api.js" + hash -> "lib/api.HASH.js"; NULL without an extension. */
static char *hashed_name(const struct file *f)
{
	const char *slash = strrchr(f->rel, '/');
	const char *dot = strrchr(f->rel, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : f->rel))
		return NULL;
	unsigned char h[4];
	char hex[9];
	crypto_generichash(h, sizeof h, f->data, f->len, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	size_t n = strlen(f->rel) + sizeof hex + 1;
	char *out = xrealloc(NULL, n);
	snprintf(out, n, "%.*s.%s%s", (int)(dot - f->rel), f->rel, hex, dot);
	return out;
}

/* The file a module specifier names, relative to the importing module;
 * NULL for bare specifiers and for what is not embedded. */
static struct file *resolve(const char *from_rel, const char *spec, size_t n)
{
	char path[1024];
	size_t len = 0;
	if (n == 0 || n >= 512)
		return NULL;
	if (spec[0] == '/') {
		spec++;
		n--;
	} else if (strncmp(spec, "./", 2) == 0 || strncmp(spec, "../", 3) == 0) {
		const char *slash = strrchr(from_rel, '/');
		if (slash) {
			len = (size_t)(slash - from_rel) + 1;
			memcpy(path, from_rel, len);
		}
	} else {
		return NULL;
	}
	/* Append the segments, folding "." and "..". */
	while (n > 0) {
		const char *end = memchr(spec, '/', n);
		size_t seg = end ? (size_t)(end - spec) : n;
		if (seg == 2 && spec[0] == '.' && spec[1] == '.') {
			if (len > 0)
				len--; /* the trailing slash */
			while (len > 0 && path[len - 1] != '/')
				len--;
		} else if (!(seg == 1 && spec[0] == '.') && seg > 0) {
			memcpy(path + len, spec, seg);
			len += seg;
			if (end)
				path[len++] = '/';
		}
		spec += seg;
		n -= seg;
		if (n > 0) {
			spec++;
			n--;
		}
	}
	return find(path, len);
}

static int word_at(const unsigned char *d, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);
	if (i + n > len || memcmp(d + i, w, n) != 0)
		return 0;
	if (i > 0 && (d[i - 1] == '_' || d[i - 1] == '$' || d[i - 1] == '.' ||
	              (d[i - 1] >= 'a' && d[i - 1] <= 'z') ||
	              (d[i - 1] >= 'A' && d[i - 1] <= 'Z') || (d[i - 1] >= '0' && d[i - 1] <= '9')))
		return 0;
	return 1;
}

/* Depth first through the static imports ("import ... from 'x'",
 * "export ... from 'x'", "import 'x'"; never "import('x')"), appending each
 * module reached to the preload list. A specifier that is only text in a
 * string or a comment costs at most a needless preload of a real file. */
static void walk(struct file *m, struct out *preload)
{
	if (m->seen)
		return;
	m->seen = 1;
	const unsigned char *d = m->data;
	for (size_t i = 0; i < m->len; i++) {
		size_t j;
		if (word_at(d, m->len, i, "from"))
			j = i + 4;
		else if (word_at(d, m->len, i, "import"))
			j = i + 6;
		else
			continue;
		while (j < m->len && (d[j] == ' ' || d[j] == '\t' || d[j] == '\n'))
			j++;
		if (j >= m->len || (d[j] != '\'' && d[j] != '"'))
			continue;
		unsigned char q = d[j++];
		size_t start = j;
		while (j < m->len && d[j] != q && d[j] != '\n')
			j++;
		if (j >= m->len || d[j] != q)
			continue;
		struct file *dep = resolve(m->rel, (const char *)d + start, j - start);
		if (dep && dep->hashed && ends_with(dep->rel, ".js") && !dep->seen) {
			walk(dep, preload);
			puts_(preload, "  <link rel=\"modulepreload\" href=\"/");
			puts_(preload, dep->hashed);
			puts_(preload, "\">\n");
		}
		i = j;
	}
}

/* index.html with hashed URLs, the import map and the preloads. */
static void rewrite_index(struct file *index)
{
	const char *d = (const char *)index->data;
	struct out o = {0};
	struct out map = {0}, preload = {0};
	puts_(&map, "<script type=\"importmap\">{\"imports\":{");
	int first = 1;
	for (int i = 0; i < nfiles; i++) {
		if (!files[i].hashed || !ends_with(files[i].rel, ".js"))
			continue;
		puts_(&map, first ? "\"/" : ",\"/");
		puts_(&map, files[i].rel);
		puts_(&map, "\":\"/");
		puts_(&map, files[i].hashed);
		puts_(&map, "\"");
		first = 0;
	}
	puts_(&map, "}}</script>\n");
	/* The entry modules: <script type="module" src="/x.js">. */
	const char *tag = "<script type=\"module\" src=\"/";
	for (const char *p = strstr(d, tag); p; p = strstr(p + 1, tag)) {
		const char *s = p + strlen(tag), *e = strchr(s, '"');
		struct file *m = e ? find(s, (size_t)(e - s)) : NULL;
		if (m)
			walk(m, &preload);
	}
	const char *insert = strstr(d, "<script type=\"module\"");
	size_t i = 0;
	while (i < index->len) {
		if (d + i == insert) {
			/* after the script tag's indentation: the map, the preloads
			 * (a line each), then the tag indented again */
			put(&o, map.p, map.len);
			if (preload.len)
				put(&o, preload.p, preload.len);
			puts_(&o, "  ");
		}
		if ((strncmp(d + i, "href=\"/", 7) == 0 || strncmp(d + i, "src=\"/", 6) == 0)) {
			size_t a = d[i] == 'h' ? 7 : 6;
			const char *s = d + i + a, *e = strchr(s, '"');
			struct file *f = e ? find(s, (size_t)(e - s)) : NULL;
			if (f && f->hashed) {
				put(&o, d + i, a);
				puts_(&o, f->hashed);
				i = (size_t)(e - d);
				continue;
			}
		}
		put(&o, d + i, 1);
		i++;
	}
	free(map.p);
	free(preload.p);
	free(index->data);
	index->data = (unsigned char *)o.p;
	index->len = o.len;
}

static void compress_file(struct file *f)
{
	/* gzip, best compression; kept only when smaller */
	uLong bound = compressBound((uLong)f->len) + 32;
	unsigned char *gz = xrealloc(NULL, bound);
	z_stream z = {0};
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "embed: deflateInit2 failed\n");
		exit(1);
	}
	z.next_in = f->data;
	z.avail_in = (uInt)f->len;
	z.next_out = gz;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		fprintf(stderr, "embed: deflate failed for %s\n", f->name);
		exit(1);
	}
	size_t gzlen = z.total_out;
	deflateEnd(&z);
	if (gzlen < f->len) {
		f->gz = gz;
		f->gzlen = gzlen;
	} else {
		free(gz);
	}
	size_t brlen = BrotliEncoderMaxCompressedSize(f->len);
	if (brlen == 0)
		brlen = f->len + 1024;
	unsigned char *br = xrealloc(NULL, brlen);
	if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
	                           f->len, f->data, &brlen, br)) {
		fprintf(stderr, "embed: brotli failed for %s\n", f->name);
		exit(1);
	}
	if (brlen < f->len) {
		f->br = br;
		f->brlen = brlen;
	} else {
		free(br);
	}
}

static void emit_bytes(FILE *out, const char *prefix, int k, const unsigned char *d, size_t len)
{
	fprintf(out, "static const unsigned char %s%d[] = {", prefix, k);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%s%d,", i % 24 == 0 ? "\n" : "", d[i]);
	fprintf(out, "0};\n");
}

int main(int argc, char **argv)
{
	int web = argc > 1 && strcmp(argv[1], "--web") == 0;
	if (web) {
		argc--;
		argv++;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: embed [--web] SYMBOL ROOT OUT.c FILE...\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "embed: sodium_init failed\n");
		return 1;
	}
	const char *sym = argv[1], *root = argv[2];
	size_t rootlen = strlen(root);
	int n = argc - 4;
	char **names = argv + 4;
	qsort(names, (size_t)n, sizeof(char *), compare); /* stable output */
	files = xrealloc(NULL, sizeof *files * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		const char *name = names[i];
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		if (base[0] == '.' || strstr(name, "~"))
			continue; /* editor and hidden files never ship */
		struct file *f = &files[nfiles++];
		memset(f, 0, sizeof *f);
		f->name = name;
		f->rel = name;
		if (strncmp(name, root, rootlen) == 0)
			f->rel = name + rootlen;
		while (*f->rel == '/')
			f->rel++;
		FILE *in = fopen(name, "rb");
		if (!in) {
			perror(name);
			return 1;
		}
		struct out o = {0};
		char chunk[8192];
		size_t got;
		while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
			put(&o, chunk, got);
		if (ferror(in)) {
			perror(name);
			return 1;
		}
		fclose(in);
		f->data = o.p ? (unsigned char *)o.p : (unsigned char *)xstrndup("", 0);
		f->len = o.len;
	}
	if (web) {
		struct file *index = NULL;
		for (int i = 0; i < nfiles; i++) {
			if (strcmp(files[i].rel, "index.html") == 0)
				index = &files[i];
			else
				files[i].hashed = hashed_name(&files[i]);
		}
		if (index)
			rewrite_index(index);
		for (int i = 0; i < nfiles; i++)
			compress_file(&files[i]);
	}
	FILE *out = fopen(argv[3], "w");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	fprintf(out, "/* Generated by tools/embed.c. Do not edit. */\n"
	             "#include \"core/embedded.h\"\n");
	for (int k = 0; k < nfiles; k++) {
		emit_bytes(out, "d", k, files[k].data, files[k].len);
		if (files[k].gz)
			emit_bytes(out, "g", k, files[k].gz, files[k].gzlen);
		if (files[k].br)
			emit_bytes(out, "b", k, files[k].br, files[k].brlen);
	}
	fprintf(out, "const struct embedded_file %s[] = {\n", sym);
	for (int k = 0; k < nfiles; k++) {
		const struct file *f = &files[k];
		fprintf(out, "\t{\"%s\", d%d, sizeof(d%d) - 1, ", f->rel, k, k);
		if (f->hashed)
			fprintf(out, "\"%s\", ", f->hashed);
		else
			fprintf(out, "0, ");
		if (f->gz)
			fprintf(out, "g%d, sizeof(g%d) - 1, ", k, k);
		else
			fprintf(out, "0, 0, ");
		if (f->br)
			fprintf(out, "b%d, sizeof(b%d) - 1},\n", k, k);
		else
			fprintf(out, "0, 0},\n");
	}
	fprintf(out, "\t{0, 0, 0, 0, 0, 0, 0, 0}};\nconst unsigned long %s_count = %d;\n", sym,
	        nfiles);
	return fclose(out) == 0 ? 0 : 1;
}
