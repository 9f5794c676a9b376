/*
 * ipaddr: one 16-byte address form for both families.  IPv4 is stored
 * IPv4-mapped (::ffff:0:0/96), so every comparison is a plain 128-bit
 * prefix test and mapped clients need no special case.  Text parsing is
 * inet_pton's; nothing here allocates.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };

static void
set_v4(struct rb_ipaddr *a, const void *in4)
{
	memcpy(a->b, v4mapped, 12);
	memcpy(a->b + 12, in4, 4);
}

int
rb_ipaddr_from_sockaddr(struct rb_ipaddr *a, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		set_v4(a, &s4->sin_addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		memcpy(a->b, &s6->sin6_addr, 16);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

int
rb_ipaddr_parse(const char *text, struct rb_ipaddr *a)
{
	struct in_addr in4;

	if (inet_pton(AF_INET, text, &in4) == 1) {
		set_v4(a, &in4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, a->b) == 1)
		return 0;
	errno = EINVAL;
	return -1;
}

int
rb_ipaddr_parse_net(const char *text, struct rb_ipaddr *net, int *prefix)
{
	char addr[RB_IPADDR_TEXT];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	long bits;
	char *end;

	if (alen == 0 || alen >= sizeof addr)
		goto bad;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (rb_ipaddr_parse(addr, net) < 0)
		goto bad;
	/* A bare address is a host route; an IPv4 prefix counts from 96. */
	bits = strchr(addr, ':') ? 128 : 32;
	if (slash != NULL) {
		long max = bits;
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || bits < 0 || bits > max)
			goto bad;
	}
	*prefix = (int)(strchr(addr, ':') ? bits : bits + 96);
	rb_ipaddr_mask(net, *prefix);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
rb_ipaddr_is_v4(const struct rb_ipaddr *a)
{
	return memcmp(a->b, v4mapped, 12) == 0;
}

void
rb_ipaddr_mask(struct rb_ipaddr *a, int prefix)
{
	for (int i = 0; i < 16; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		a->b[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int
rb_ipaddr_in_net(const struct rb_ipaddr *a, const struct rb_ipaddr *net,
    int prefix)
{
	int full = prefix / 8, rest = prefix % 8;

	/* IPv4 lives at ::ffff:0:0/96 here, but an IPv6 netblock (a prefix
	 * under 96: ::/0, 2000::/3) holds no IPv4 address, as in unbound. */
	if (prefix < 96 && rb_ipaddr_is_v4(a))
		return 0;
	if (memcmp(a->b, net->b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a->b[full] ^ net->b[full]) & (uint8_t)(0xff << (8 - rest))) ==
	    0;
}

int
rb_ipaddr_to_text(const struct rb_ipaddr *a, char *out, size_t len)
{
	int v4 = rb_ipaddr_is_v4(a);

	if (inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a->b + 12 : a->b, out,
	        (socklen_t)(len > 0xffff ? 0xffff : len)) == NULL)
		return -1;
	return (int)strlen(out);
}
