/*
 * listen: the sockets of every interface: directive, UDP and TCP, IPv4 and
 * IPv6, as do-udp/do-tcp/do-ip4/do-ip6 allow (no TCP with
 * incoming-num-tcp: 0).  An interface given by name (eth0, lo@5353) is
 * resolved here, with getifaddrs, to the addresses it has at start: each
 * gets its own sockets, as if listed by address.  They are bound once, before
 * privileges are dropped (port 53 needs root), and kept until exit.  IPv6
 * sockets are IPV6_V6ONLY so IPv4 clients always arrive on IPv4 sockets.
 * Wildcard UDP sockets ask for the destination address of each query, so
 * the reply leaves from the address the client asked.  UDP replies (at
 * most RB_DNS_UDP_MAX, 1232 bytes) go out unfragmented with DF set, path
 * MTU hints ignored (IP_PMTUDISC_PROBE), as RFC 9715 advises; an IPv4
 * packet with DF also needs no IP ID, which the kernel otherwise hashes
 * for every reply.
 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dnsd.h"
#include "base/log.h"

static int
set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof val);
}

/* The address of an interface: directive into ss. */
static socklen_t
parse_addr(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return sizeof *s4;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof *s6;
	}
	return 0;
}

static int
is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
	    &((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static int
sock_options(int fd, int family, int tcp, int wildcard)
{
	if (family == AF_INET6 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		return -1;
	if (tcp)
		return set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (family == AF_INET ? set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
	                            IP_PMTUDISC_PROBE) < 0 :
	                        set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	                            IPV6_PMTUDISC_PROBE) < 0)
		return -1;
	if (!wildcard)
		return 0;
	if (family == AF_INET)
		return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
}

/* Open, bind and register one socket for ss (label names it in
 * messages); exits 111 on failure. */
static void
open_sa(struct dnsd *d, const struct sockaddr_storage *ss, socklen_t sl,
    const char *label, int tcp)
{
	struct sock *s;
	int fd;

	if (d->nsocks == DNSD_MAX_SOCKS)
		rb_die(100, "more than %d sockets", DNSD_MAX_SOCKS);
	s = &d->socks[d->nsocks];
	s->family = ss->ss_family;
	s->tcp = tcp;
	s->wildcard = is_wildcard(ss);
	fd = socket(ss->ss_family,
	    (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || sock_options(fd, s->family, tcp, s->wildcard) < 0 ||
	    bind(fd, (const struct sockaddr *)ss, sl) < 0 ||
	    (tcp && listen(fd, 256) < 0))
		rb_die(111, "unable to listen on %s %s: %s", label,
		    tcp ? "tcp" : "udp", strerror(errno));
	s->w.fd = fd;
	memcpy(&s->addr, ss, sl);
	s->w.cb = tcp ? tcp_accept_event : udp_event;
	if (watch_add(d, &s->w, EPOLLIN) < 0)
		rb_die(111, "unable to watch socket: %s", strerror(errno));
	d->nsocks++;
	rb_debug("listening on %s %s", label, tcp ? "tcp" : "udp");
}

/* Is a socket of this kind already bound to ss (an interface listed both
 * by name and by one of its addresses)? */
static int
bound_already(const struct dnsd *d, const struct sockaddr_storage *ss,
    socklen_t sl, int tcp)
{
	for (size_t i = 0; i < d->nsocks; i++) {
		if (d->socks[i].tcp == tcp &&
		    memcmp(&d->socks[i].addr, ss, sl) == 0)
			return 1;
	}
	return 0;
}

/* UDP and TCP sockets for one address, as do-* allow; 1 when the address
 * is served (now or by an earlier entry), 0 when do-* leave it out. */
static int
listen_sa(struct dnsd *d, const struct rb_conf *c,
    const struct sockaddr_storage *ss, socklen_t sl, const char *label)
{
	int v6 = ss->ss_family == AF_INET6, n = 0;

	if ((v6 && !c->do_ip6) || (!v6 && !c->do_ip4))
		return 0;
	for (int tcp = 0; tcp <= 1; tcp++) {
		if (tcp ? !c->do_tcp || d->tcp_max == 0 : !c->do_udp)
			continue;
		if (bound_already(d, ss, sl, tcp))
			rb_debug("%s %s: listed twice, one socket", label,
			    tcp ? "tcp" : "udp");
		else
			open_sa(d, ss, sl, label, tcp);
		n++;
	}
	return n > 0;
}

static void
listen_addr(struct dnsd *d, const struct rb_conf *c, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr, port, &ss);
	char label[INET6_ADDRSTRLEN + 16];

	if (sl == 0)
		rb_die(100, "interface %s is not an IP address", addr);
	snprintf(label, sizeof label, "%s@%d", addr, port);
	listen_sa(d, c, &ss, sl, label);
}

/* ifa's address with port into ss, and its text (with %name for a
 * scoped IPv6 address, as unbound writes it) into label; 0 when ifa holds
 * no IP address. */
static socklen_t
iface_sa(const struct ifaddrs *ifa, int port, struct sockaddr_storage *ss,
    char *label, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof *ss);
	if (ifa->ifa_addr == NULL ||
	    (ifa->ifa_addr->sa_family != AF_INET &&
	        ifa->ifa_addr->sa_family != AF_INET6))
		return 0;
	if (ifa->ifa_addr->sa_family == AF_INET) {
		memcpy(s4, ifa->ifa_addr, sizeof *s4);
		s4->sin_port = htons((uint16_t)port);
		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text);
		snprintf(label, len, "%s@%d", text, port);
		return sizeof *s4;
	}
	memcpy(s6, ifa->ifa_addr, sizeof *s6);
	s6->sin6_port = htons((uint16_t)port);
	inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text);
	if (s6->sin6_scope_id != 0)
		snprintf(label, len, "%s%%%s@%d", text, ifa->ifa_name, port);
	else
		snprintf(label, len, "%s@%d", text, port);
	return sizeof *s6;
}

/* interface: NAME[@port]: every IPv4 and IPv6 address the interface has
 * now, link-local ones included (with their scope), as unbound does.  An
 * unknown interface, or one without addresses, exits 100. */
static void
listen_name(struct dnsd *d, const struct rb_conf *c, const char *name, int port)
{
	struct ifaddrs *all, *ifa;
	size_t n = 0;

	if (if_nametoindex(name) == 0)
		rb_die(100, "interface %s: no such network interface", name);
	if (getifaddrs(&all) < 0)
		rb_die(111, "interface %s: getifaddrs: %s", name,
		    strerror(errno));
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		struct sockaddr_storage ss;
		char label[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
		socklen_t sl;

		if (strcmp(ifa->ifa_name, name) != 0 ||
		    (sl = iface_sa(ifa, port, &ss, label, sizeof label)) == 0 ||
		    !listen_sa(d, c, &ss, sl, label))
			continue;
		rb_info("interface %s: address %s", name, label);
		n++;
	}
	freeifaddrs(all);
	if (n == 0)
		rb_die(100,
		    "interface %s has no IP address that do-ip4, "
		    "do-ip6, do-udp and do-tcp let rb-dnsd serve",
		    name);
}

/* Can this host bind ::1 at all (no IPv6, or a loopback without it)? */
static int
ipv6_loopback(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	(void)close(fd); /* never used for data */
	return ok;
}

/* No interface: loopback only, as unbound listens by default (127.0.0.1
 * and ::1, the latter where the host has it). */
static void
listen_default(struct dnsd *d, const struct rb_conf *c)
{
	listen_addr(d, c, "127.0.0.1", c->port);
	if (c->do_ip6 && ipv6_loopback())
		listen_addr(d, c, "::1", c->port);
}

void
listen_all(struct dnsd *d, const struct rb_conf *c)
{
	for (size_t i = 0; i < c->nifaces; i++) {
		if (c->ifaces[i].name)
			listen_name(d, c, c->ifaces[i].addr, c->ifaces[i].port);
		else
			listen_addr(d, c, c->ifaces[i].addr, c->ifaces[i].port);
	}
	if (c->nifaces == 0)
		listen_default(d, c);
	if (d->nsocks == 0)
		rb_die(100,
		    "no interface to listen on (do-ip4, do-ip6, do-udp "
		    "and do-tcp)");
}
