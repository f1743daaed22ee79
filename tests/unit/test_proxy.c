/*
 * Unit tests for src/http/proxy.c: parsing --trusted-proxy lists, matching
 * addresses against them, and choosing the client address from
 * X-Forwarded-For or Forwarded only when the peer is a trusted proxy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "http/proxy.h"
#include "core/banned.h"

static struct proxy_list list(const char *spec)
{
	struct proxy_list l;
	char err[200] = "";
	if (proxy_parse(spec, &l, err, sizeof err) != 0)
		fail_msg("proxy_parse(%s): %s", spec, err);
	return l;
}

static const char *client(const struct proxy_list *l, const char *peer, const char *xff,
                          const char *fwd)
{
	static char out[64];
	proxy_client_addr(l, peer, xff, fwd, out, sizeof out);
	return out;
}

static void proxy_parse_accepts_v4_v6_and_bare_addresses(void **state)
{
	(void)state;
	struct proxy_list l = list(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1");
	assert_int_equal(l.n, 4);
	assert_true(proxy_trusted(&l, "10.200.3.4"));
	assert_true(proxy_trusted(&l, "192.168.1.7"));
	assert_false(proxy_trusted(&l, "192.168.1.8"));
	assert_true(proxy_trusted(&l, "fd12:3456::1"));
	assert_true(proxy_trusted(&l, "::1"));
	assert_false(proxy_trusted(&l, "::2"));
	assert_false(proxy_trusted(&l, "11.0.0.1"));
	/* IPv4-mapped IPv6 peers (dual-stack sockets) match IPv4 networks. */
	assert_true(proxy_trusted(&l, "::ffff:10.1.2.3"));
	assert_false(proxy_trusted(&l, "not an address"));
	assert_false(proxy_trusted(&l, NULL));
	assert_int_equal(list("").n, 0);
}

static void proxy_parse_odd_prefixes(void **state)
{
	(void)state;
	struct proxy_list l = list("172.16.0.0/12,0.0.0.0/0");
	assert_true(proxy_trusted(&l, "172.31.255.255"));
	assert_true(proxy_trusted(&l, "8.8.8.8")); /* /0: every IPv4 address */
	assert_false(proxy_trusted(&l, "2001:db8::1"));
	l = list("172.16.0.0/12");
	assert_false(proxy_trusted(&l, "172.32.0.1"));
	assert_true(proxy_trusted(&l, "172.16.0.1"));
}

static void proxy_parse_refuses_bad_items_naming_them(void **state)
{
	(void)state;
	static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "fd00::/129",
	                                  "localhost",   "10.0.0.0/x", "1.2.3.4/-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct proxy_list l;
		char err[200] = "";
		if (proxy_parse(bad[i], &l, err, sizeof err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(err, bad[i]));
	}
}

static void proxy_client_addr_ignores_headers_from_untrusted_peers(void **state)
{
	(void)state;
	struct proxy_list none = list("");
	assert_string_equal(client(&none, "203.0.113.9", "1.2.3.4", NULL), "203.0.113.9");
	struct proxy_list l = list("10.0.0.0/8");
	/* A client on the internet cannot choose its own address. */
	assert_string_equal(client(&l, "203.0.113.9", "1.2.3.4", "for=1.2.3.4"), "203.0.113.9");
}

static void proxy_client_addr_takes_rightmost_untrusted(void **state)
{
	(void)state;
	struct proxy_list l = list("10.0.0.0/8");
	assert_string_equal(client(&l, "10.0.0.2", "198.51.100.7", NULL), "198.51.100.7");
	/* A client may prepend anything; the proxy appends what it saw. */
	assert_string_equal(client(&l, "10.0.0.2", "1.1.1.1, 198.51.100.7", NULL), "198.51.100.7");
	/* Chains of trusted proxies are skipped from the right. */
	assert_string_equal(client(&l, "10.0.0.2", "1.1.1.1, 198.51.100.7, 10.9.9.9", NULL),
	                    "198.51.100.7");
	assert_string_equal(client(&l, "10.0.0.2", "2001:db8::5", NULL), "2001:db8::5");
	assert_string_equal(client(&l, "10.0.0.2", "198.51.100.7:4711", NULL), "198.51.100.7");
	/* Only proxies in the list, or garbage: the peer stays. */
	assert_string_equal(client(&l, "10.0.0.2", "10.1.1.1", NULL), "10.0.0.2");
	assert_string_equal(client(&l, "10.0.0.2", "unknown", NULL), "10.0.0.2");
	assert_string_equal(client(&l, "10.0.0.2", "198.51.100.7, junk", NULL), "10.0.0.2");
}

static void proxy_client_addr_reads_forwarded(void **state)
{
	(void)state;
	struct proxy_list l = list("10.0.0.0/8,fd00::/8");
	assert_string_equal(client(&l, "10.0.0.2", NULL, "for=198.51.100.7;proto=https"),
	                    "198.51.100.7");
	assert_string_equal(
	    client(&l, "10.0.0.2", NULL, "for=1.1.1.1, for=\"[2001:db8::9]:443\";by=10.0.0.2"),
	    "2001:db8::9");
	assert_string_equal(client(&l, "fd00::1", NULL, "For=198.51.100.8, for=10.3.3.3"),
	                    "198.51.100.8");
	assert_string_equal(client(&l, "10.0.0.2", NULL, "proto=https"), "10.0.0.2");
	/* X-Forwarded-For wins when both are sent. */
	assert_string_equal(client(&l, "10.0.0.2", "198.51.100.1", "for=198.51.100.2"),
	                    "198.51.100.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(proxy_parse_accepts_v4_v6_and_bare_addresses),
	    cmocka_unit_test(proxy_parse_odd_prefixes),
	    cmocka_unit_test(proxy_parse_refuses_bad_items_naming_them),
	    cmocka_unit_test(proxy_client_addr_ignores_headers_from_untrusted_peers),
	    cmocka_unit_test(proxy_client_addr_takes_rightmost_untrusted),
	    cmocka_unit_test(proxy_client_addr_reads_forwarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
