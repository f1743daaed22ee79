/*
 * libFuzzer target: the trusted-proxy list (proxy_parse) and the client
 * address taken from X-Forwarded-For / Forwarded (proxy_client_addr), in
 * src/http/proxy.c.
 *
 * Input: four lines, "SPEC\nPEER\nX-FORWARDED-FOR\nFORWARDED" (missing
 * lines are NULL headers). Properties: a refused list says why; the
 * address written always fits and ends in NUL; it is the peer itself
 * unless the peer is trusted, and otherwise an address proxy_trusted can
 * read that is not itself trusted.
 */
#include <stdbool.h>
#include <string.h>

#include "http/proxy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *part[4] = {NULL, NULL, NULL, NULL};
	char *s = buf;
	for (int i = 0; i < 4 && s; i++) {
		part[i] = s;
		s = i < 3 ? strchr(s, '\n') : NULL;
		if (s)
			*s++ = '\0';
	}
	struct proxy_list l;
	char err[200];
	memset(err, 'Z', sizeof err);
	if (proxy_parse(part[0], &l, err, sizeof err) != 0) {
		CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
		/* An empty list still answers: with the peer. */
		memset(&l, 0, sizeof l);
	}
	CHECK(l.n <= PROXY_MAX_NETS);
	for (size_t i = 0; i < l.n; i++)
		CHECK(l.nets[i].bits >= 0 && l.nets[i].bits <= 128);
	const char *peer = part[1] ? part[1] : "127.0.0.1";
	char out[64];
	memset(out, 'Z', sizeof out);
	proxy_client_addr(&l, peer, part[2], part[3], out, sizeof out);
	CHECK(memchr(out, '\0', sizeof out) != NULL);
	if (!l.n || !proxy_trusted(&l, peer)) {
		CHECK(strncmp(out, peer, sizeof out - 1) == 0);
	} else if (strcmp(out, peer) != 0) {
		CHECK(proxy_trusted(&l, out) == false);
		struct proxy_list all;
		CHECK(proxy_parse("::/0,0.0.0.0/0", &all, err, sizeof err) == 0);
		CHECK(proxy_trusted(&all, out)); /* a real address */
	}
	/* The small buffer server.c never passes still ends in NUL. */
	char small[8];
	proxy_client_addr(&l, peer, part[2], part[3], small, sizeof small);
	CHECK(memchr(small, '\0', sizeof small) != NULL);
	free(buf);
	return 0;
}
