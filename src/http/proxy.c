/*
 * Trusted reverse proxies (see proxy.h): CIDR lists, and the client address
 * taken from X-Forwarded-For or Forwarded only when the peer is trusted.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/proxy.h"
#include "core/banned.h"

/* The address in 128-bit form (IPv4 as ::ffff:a.b.c.d); false if not one. */
static bool to16(const char *s, size_t n, uint8_t out[16])
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	struct in_addr v4;
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return true;
	}
	struct in6_addr v6;
	if (inet_pton(AF_INET6, buf, &v6) == 1) {
		memcpy(out, &v6, 16);
		return true;
	}
	return false;
}

static bool is_v4(const uint8_t a[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, prefix, 12) == 0;
}

int proxy_parse(const char *spec, struct proxy_list *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	for (const char *p = spec ? spec : ""; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		size_t len = (size_t)(e - p);
		const char *slash = memchr(p, '/', len);
		struct proxy_net net;
		size_t alen = slash ? (size_t)(slash - p) : len;
		bool ok = to16(p, alen, net.addr);
		if (ok) {
			int max = is_v4(net.addr) ? 32 : 128;
			net.bits = max;
			if (slash) {
				char *end;
				char num[8] = "";
				size_t nlen = len - alen - 1;
				ok = nlen > 0 && nlen < sizeof num;
				if (ok) {
					memcpy(num, slash + 1, nlen);
					long b = strtol(num, &end, 10);
					ok = *end == '\0' && isdigit((unsigned char)num[0]) &&
					     b >= 0 && b <= max;
					net.bits = (int)b;
				}
			}
			if (max == 32)
				net.bits += 96;
		}
		if (!ok) {
			snprintf(err, errlen,
			         "\"%.*s\" is not an address or CIDR network (like 10.0.0.0/8 or "
			         "fd00::/8)",
			         (int)(len > 60 ? 60 : len), p);
			return -1;
		}
		if (out->n == PROXY_MAX_NETS) {
			snprintf(err, errlen, "at most %d trusted proxy networks", PROXY_MAX_NETS);
			return -1;
		}
		out->nets[out->n++] = net;
		p = e;
	}
	return 0;
}

static bool inside(const struct proxy_net *net, const uint8_t a[16])
{
	int full = net->bits / 8, rest = net->bits % 8;
	if (memcmp(net->addr, a, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a[full] & mask);
}

static bool trusted16(const struct proxy_list *l, const uint8_t a[16])
{
	for (size_t i = 0; i < l->n; i++)
		if (inside(&l->nets[i], a))
			return true;
	return false;
}

bool proxy_trusted(const struct proxy_list *l, const char *addr)
{
	uint8_t a[16];
	return addr && to16(addr, strlen(addr), a) && trusted16(l, a);
}

/* One element of a forwarding list, trimmed, with Forwarded's quoting,
 * [brackets] and :port taken off. */
static bool element_addr(const char *s, size_t n, uint8_t out[16], char *text, size_t textlen)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		s++, n -= 2;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return false;
		n = (size_t)(close - s - 1);
		s++;
	} else {
		const char *colon = memchr(s, ':', n);
		/* One colon: IPv4 with a port. More: a bare IPv6 address. */
		if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
			n = (size_t)(colon - s);
	}
	if (!to16(s, n, out) || n >= textlen)
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	return true;
}

/* Walks a comma-separated list from the right; picks the first element
 * that is not a trusted proxy. Returns false when the list is malformed or
 * holds only trusted proxies. forwarded: elements are "for=X;proto=..". */
static bool rightmost_untrusted(const struct proxy_list *l, const char *list, bool forwarded,
                                char *out, size_t outlen)
{
	const char *end = list + strlen(list);
	while (end > list) {
		const char *start = end;
		while (start > list && start[-1] != ',')
			start--;
		const char *s = start;
		size_t n = (size_t)(end - start);
		if (forwarded) {
			/* Find the for= parameter among ';'-separated pairs. */
			const char *f = NULL;
			for (const char *q = s; q < s + n; q++) {
				if ((q == s || q[-1] == ';' || q[-1] == ' ') && q + 4 <= s + n &&
				    strncasecmp(q, "for=", 4) == 0) {
					f = q + 4;
					break;
				}
			}
			if (!f)
				return false;
			const char *fe = f;
			while (fe < s + n && *fe != ';')
				fe++;
			s = f;
			n = (size_t)(fe - f);
		}
		uint8_t a[16];
		char text[64];
		if (!element_addr(s, n, a, text, sizeof text))
			return false;
		if (!trusted16(l, a)) {
			snprintf(out, outlen, "%s", text);
			return true;
		}
		end = start > list ? start - 1 : list;
	}
	return false;
}

void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *xff,
                       const char *forwarded, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", peer ? peer : "-");
	if (!l->n || !proxy_trusted(l, peer))
		return;
	char found[64];
	if (xff && *xff) {
		if (rightmost_untrusted(l, xff, false, found, sizeof found))
			snprintf(out, outlen, "%s", found);
		return;
	}
	if (forwarded && *forwarded && rightmost_untrusted(l, forwarded, true, found, sizeof found))
		snprintf(out, outlen, "%s", found);
}
