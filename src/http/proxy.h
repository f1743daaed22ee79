/*
 * Trusted reverse proxies: which peers may tell us the client's address.
 *
 * Behind a reverse proxy every request arrives from the proxy's address, so
 * limits counted per address (login failures, self-registrations) would
 * count everyone together. Only when the socket's peer is one of the
 * configured trusted proxies (--trusted-proxy CIDR[,CIDR...], env
 * HEARTH_TRUSTED_PROXIES) is X-Forwarded-For (or Forwarded) read, and then
 * the right-most address in it that is not itself a trusted proxy is the
 * client. From any other peer those headers are ignored: a client cannot
 * choose its own address.
 */
#ifndef HEARTH_PROXY_H
#define HEARTH_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROXY_MAX_NETS 32

struct proxy_net {
	uint8_t addr[16]; /* IPv4 mapped into ::ffff:0:0/96 */
	int bits;         /* prefix length over the 128-bit form */
};

struct proxy_list {
	struct proxy_net nets[PROXY_MAX_NETS];
	size_t n;
};

/* Parses "CIDR[,CIDR...]" (IPv4 or IPv6, a bare address meaning /32 or
 * /128; spaces around commas allowed) into *out. Returns 0, or -1 with a
 * message naming the bad item in err. An empty string is an empty list. */
int proxy_parse(const char *spec, struct proxy_list *out, char *err, size_t errlen);

/* True when the textual address addr (IPv4, IPv6, or IPv4-mapped IPv6) is
 * inside one of the list's networks. */
bool proxy_trusted(const struct proxy_list *l, const char *addr);

/* The client's address for a request from peer: peer itself unless peer is
 * trusted, then the right-most untrusted address of xff (X-Forwarded-For,
 * may be NULL) or, without it, of forwarded (the Forwarded header's for=
 * parameters, may be NULL). Writes it into out (at most outlen bytes, at
 * least 46); a malformed or missing header leaves the peer. */
void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *xff,
                       const char *forwarded, char *out, size_t outlen);

#endif
