/*
 * listen: the sockets of every interface: directive, UDP and TCP, IPv4 and
 * IPv6, as do-udp/do-tcp/do-ip4/do-ip6 allow.  They are bound once, before
 * privileges are dropped (port 53 needs root), and kept until exit.  IPv6
 * sockets are IPV6_V6ONLY so IPv4 clients always arrive on IPv4 sockets.
 * Wildcard UDP sockets ask for the destination address of each query, so
 * the reply leaves from the address the client asked.
 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dnsd.h"
#include "log.h"

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
	if (!wildcard)
		return 0;
	if (family == AF_INET)
		return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
}

/* Open, bind and register one socket; exits 111 on failure. */
static void
open_one(struct dnsd *d, const char *addr, int port, int tcp)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr, port, &ss);
	struct sock *s;
	int fd;

	if (sl == 0)
		rb_die(100, "interface %s is not an IP address", addr);
	if (d->nsocks == DNSD_MAX_SOCKS)
		rb_die(100, "more than %d sockets", DNSD_MAX_SOCKS);
	s = &d->socks[d->nsocks];
	s->family = ss.ss_family;
	s->tcp = tcp;
	s->wildcard = is_wildcard(&ss);
	fd = socket(ss.ss_family,
	    (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || sock_options(fd, s->family, tcp, s->wildcard) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    (tcp && listen(fd, 256) < 0))
		rb_die(111, "unable to listen on %s@%d %s: %s", addr, port,
		    tcp ? "tcp" : "udp", strerror(errno));
	s->w.fd = fd;
	s->w.cb = tcp ? tcp_accept_event : udp_event;
	if (watch_add(d, &s->w, EPOLLIN) < 0)
		rb_die(111, "unable to watch socket: %s", strerror(errno));
	d->nsocks++;
	rb_debug("listening on %s@%d %s", addr, port, tcp ? "tcp" : "udp");
}

static void
listen_iface(struct dnsd *d, const struct rb_conf *c, const char *addr,
    int port)
{
	int v6 = strchr(addr, ':') != NULL;

	if ((v6 && !c->do_ip6) || (!v6 && !c->do_ip4))
		return;
	if (c->do_udp)
		open_one(d, addr, port, 0);
	if (c->do_tcp && d->tcp_max > 0)
		open_one(d, addr, port, 1);
}

void
listen_all(struct dnsd *d, const struct rb_conf *c)
{
	for (size_t i = 0; i < c->nifaces; i++)
		listen_iface(d, c, c->ifaces[i].addr, c->ifaces[i].port);
	if (c->nifaces == 0)
		listen_iface(d, c, "0.0.0.0", c->port);
	if (d->nsocks == 0)
		rb_die(100, "no interface to listen on (do-ip4, do-ip6, do-udp "
			    "and do-tcp)");
}
