#ifndef RB_BASE_IPADDR_H
#define RB_BASE_IPADDR_H

/*
 * IP addresses for access control and rate limiting: one 16-byte form for
 * both families, IPv4 held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so a
 * client reaching a dual-stack socket as ::ffff:10.0.0.1 and one reaching
 * an IPv4 socket as 10.0.0.1 are the same address.  Netblock prefixes are
 * counted in that 128-bit form (an IPv4 /8 is /104).
 */

#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct rb_ipaddr {
	uint8_t b[16];
};

/* Longest text rb_ipaddr_to_text writes, with its NUL. */
#define RB_IPADDR_TEXT 46

/* Fill a from an AF_INET or AF_INET6 socket address (borrowed).  Returns 0,
 * or -1 with errno EAFNOSUPPORT for another family. */
int rb_ipaddr_from_sockaddr(struct rb_ipaddr *a, const struct sockaddr *sa);

/* Parse "192.0.2.1" or "2001:db8::1".  Returns 0, or -1 with errno EINVAL. */
int rb_ipaddr_parse(const char *text, struct rb_ipaddr *a);

/* Parse a netblock "192.0.2.0/24", "2001:db8::/32" or a bare address (a
 * host route).  Stores the network with host bits cleared and the prefix in
 * 128-bit form.  Returns 0, or -1 with errno EINVAL. */
int rb_ipaddr_parse_net(const char *text, struct rb_ipaddr *net, int *prefix);

/* 1 when a is an IPv4 address (IPv4-mapped), else 0. */
int rb_ipaddr_is_v4(const struct rb_ipaddr *a);

/* Clear every bit of a past the first prefix bits (0..128). */
void rb_ipaddr_mask(struct rb_ipaddr *a, int prefix);

/* 1 when a lies inside net/prefix, else 0.  An IPv6 netblock (prefix
 * under 96) never holds an IPv4 address. */
int rb_ipaddr_in_net(const struct rb_ipaddr *a, const struct rb_ipaddr *net,
    int prefix);

/* Write a as text ("192.0.2.1" or "2001:db8::1") into out.  Returns the
 * length, or -1 when len is too small (RB_IPADDR_TEXT always suffices). */
int rb_ipaddr_to_text(const struct rb_ipaddr *a, char *out, size_t len);

#endif
