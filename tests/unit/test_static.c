/*
 * Unit tests for src/http/static.c: the embedded web UI under its plain and
 * hashed paths, the encoding chosen by Accept-Encoding (odd and malformed
 * lists included) and If-None-Match against one encoding's ETag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/embedded.h"
#include "http/http.h"
#include "core/banned.h"

static const struct static_asset *css(void)
{
	static_init();
	const struct static_asset *a = static_find("/app.css");
	assert_non_null(a);
	assert_non_null(a->gzip.data);
	assert_non_null(a->br.data);
	return a;
}

static const char *coding(const char *accept)
{
	const struct static_asset *a = css();
	const struct static_variant *v = static_pick(a, accept);
	return v == &a->br ? "br" : v == &a->gzip ? "gzip" : v == &a->plain ? "identity" : "?";
}

static void plain_and_hashed_paths(void **state)
{
	(void)state;
	const struct static_asset *a = css();
	assert_string_equal(a->cache_control, "no-cache");
	const struct embedded_file *f = NULL;
	for (unsigned long i = 0; i < web_assets_count; i++)
		if (strcmp(web_assets[i].name, "app.css") == 0)
			f = &web_assets[i];
	assert_non_null(f);
	assert_non_null(f->hashed);
	char path[256];
	snprintf(path, sizeof path, "/%s", f->hashed);
	const struct static_asset *h = static_find(path);
	assert_non_null(h);
	assert_string_equal(h->cache_control, "public, max-age=31536000, immutable");
	assert_int_equal(h->len, a->len);
	assert_memory_equal(h->data, a->data, a->len);
	assert_null(static_find("/app.00000000.css"));
	assert_non_null(static_find("/"));
	assert_null(static_find("/index.00000000.html"));
}

static void picks_by_accept_encoding(void **state)
{
	(void)state;
	assert_string_equal(coding(NULL), "identity");
	assert_string_equal(coding(""), "identity");
	assert_string_equal(coding("gzip"), "gzip");
	assert_string_equal(coding("gzip, deflate, br"), "br");
	assert_string_equal(coding("br;q=0, gzip"), "gzip");
	assert_string_equal(coding("br;q=0.5, gzip;q=0.9"), "gzip");
	assert_string_equal(coding("br;q=0.9, gzip;q=0.9"), "br");
	assert_string_equal(coding("gzip;q=0, br;q=0"), "identity");
	assert_string_equal(coding("*"), "br");
	assert_string_equal(coding("*;q=0"), "identity");
	assert_string_equal(coding("br;q=0, *"), "gzip");
	assert_string_equal(coding("BR ; Q=1"), "br");
	assert_string_equal(coding("gzip;level=9;q=0.001"), "gzip");
	assert_string_equal(coding("x-br, brotli, gzipped"), "identity");
	/* malformed lists end and choose something sane */
	assert_string_equal(coding(";;;,,,;q="), "identity");
	assert_string_equal(coding("gzip;q"), "gzip");
	assert_string_equal(coding("gzip;q=0.0000000001"), "identity");
	assert_string_equal(coding(",gzip,"), "gzip");
}

static void etag_per_encoding(void **state)
{
	(void)state;
	const struct static_asset *a = css();
	assert_string_not_equal(a->plain.etag, a->gzip.etag);
	assert_string_not_equal(a->gzip.etag, a->br.etag);
	assert_true(static_etag_match(a->br.etag, a->br.etag));
	assert_false(static_etag_match(a->gzip.etag, a->br.etag));
	assert_false(static_etag_match(a->plain.etag, a->br.etag));
	char list[128];
	snprintf(list, sizeof list, "\"x\", W/%s", a->gzip.etag);
	assert_true(static_etag_match(list, a->gzip.etag));
	assert_true(static_etag_match("*", a->plain.etag));
	assert_false(static_etag_match("", a->plain.etag));
	assert_non_null(strstr(a->br.head, "Content-Encoding: br\r\n"));
	assert_non_null(strstr(a->br.head, "Vary: Accept-Encoding\r\n"));
	assert_null(strstr(a->plain.head, "Content-Encoding"));
	assert_non_null(strstr(a->plain.head304, "304 Not Modified"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_and_hashed_paths),
	    cmocka_unit_test(picks_by_accept_encoding),
	    cmocka_unit_test(etag_per_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
