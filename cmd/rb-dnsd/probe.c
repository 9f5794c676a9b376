/*
 * probe: upstream health for run/stats.shm (rb-stats -u, GET /upstreams).
 * Every forward-addr (up to RB_UPSTREAM_MAX) is probed at start and then
 * every PROBE_INTERVAL_S seconds, outside libunbound: a plain address
 * with ". IN A" over UDP from a fresh non-blocking socket (lib/answer/probe), a
 * forward-tls-upstream address with a TCP connect to its port (rb-dnsd
 * has no TLS; the handshake is the DoT forwarder's business).  No reply
 * within PROBE_TIMEOUT_NS marks it unhealthy, with a warning.  Probes
 * live in the epoll loop like everything else; the 1 s tick drives them.
 */

#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnsd.h"
#include "answer/probe.h"
#include "base/log.h"

#define PROBE_INTERVAL_S 30
#define PROBE_TIMEOUT_NS 2000000000ull

struct up {
	struct watch w; /* the probe in flight; fd -1 when none */
	struct sockaddr_storage sa;
	socklen_t salen;
	int tls;
	uint16_t id;
	uint64_t sent_ns;
	struct rb_stats_upstream st;
};

static struct {
	struct up up[RB_UPSTREAM_MAX];
	uint32_t n;
	uint64_t interval_ns, next_ns;
} P;

static void
done(struct dnsd *d, struct up *u, int healthy, const char *why)
{
	uint32_t i = (uint32_t)(u - P.up);
	uint64_t ms = (now_ns() - u->sent_ns) / 1000000u;

	if (u->w.fd >= 0) {
		watch_del(d, &u->w);
		(void)close(u->w.fd); /* a probe socket: nothing to lose */
		u->w.fd = -1;
	}
	if (!healthy)
		rb_warn("upstream addr=%s zone=%s failed its health check: %s",
		    u->st.addr, u->st.zone, why);
	u->st.healthy = (uint32_t)healthy;
	u->st.latency_ms = healthy ? (uint32_t)ms : 0;
	u->st.last_check = (int64_t)time(NULL);
	rb_stats_set_upstream(d->stats, i, P.n, &u->st);
}

static void
probe_event(struct dnsd *d, struct watch *w, uint32_t events)
{
	struct up *u = (struct up *)w;
	uint8_t buf[512];
	int err = 0, r;
	socklen_t len = sizeof err;
	ssize_t n;

	if (u->tls) {
		if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		done(d, u, err == 0, err ? strerror(err) : "");
		return;
	}
	while ((n = recv(w->fd, buf, sizeof buf, 0)) >= 0) {
		if ((r = rb_probe_check(buf, (size_t)n, u->id)) >= 0) {
			done(d, u, r, "SERVFAIL");
			return;
		}
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		done(d, u, 0, strerror(errno));
}

static void
send_probe(struct dnsd *d, struct up *u)
{
	uint8_t q[RB_PROBE_QUERY_LEN];
	int fd = socket(u->sa.ss_family,
	    (u->tls ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);

	u->sent_ns = now_ns();
	(void)!getrandom(&u->id, sizeof u->id, GRND_NONBLOCK);
	u->w.fd = fd;
	if (fd < 0) {
		done(d, u, 0, strerror(errno));
		return;
	}
	if ((connect(fd, (struct sockaddr *)&u->sa, u->salen) < 0 &&
	        errno != EINPROGRESS) ||
	    (!u->tls && send(fd, q, rb_probe_query(q, u->id), 0) < 0) ||
	    watch_add(d, &u->w, u->tls ? EPOLLOUT : EPOLLIN) < 0) {
		int e = errno;
		(void)close(fd);
		u->w.fd = -1;
		done(d, u, 0, strerror(e));
	}
}

static int
set_addr(struct up *u, const char *addr, int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&u->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&u->sa;

	memset(&u->sa, 0, sizeof u->sa);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		u->salen = sizeof *s4;
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		u->salen = sizeof *s6;
	} else {
		return -1;
	}
	return 0;
}

static void
load(struct dnsd *d)
{
	const struct rb_conf *c = d->dm.conf;

	P.n = 0;
	for (size_t i = 0; i < c->nfwd; i++) {
		for (size_t j = 0; j < c->fwd[i].naddrs; j++) {
			const struct rb_conf_fwd_addr *a = &c->fwd[i].addrs[j];
			struct up *u = &P.up[P.n];
			if (P.n == RB_UPSTREAM_MAX ||
			    set_addr(u, a->addr, a->port) < 0)
				continue;
			memset(&u->st, 0, sizeof u->st);
			u->tls = c->fwd[i].tls_upstream;
			u->w.fd = -1;
			u->w.cb = probe_event;
			if (a->port == 53)
				snprintf(u->st.addr, sizeof u->st.addr, "%s",
				    a->addr);
			else
				snprintf(u->st.addr, sizeof u->st.addr, "%s@%d",
				    a->addr, a->port);
			snprintf(u->st.zone, sizeof u->st.zone, "%s",
			    c->fwd[i].name);
			P.n++;
		}
	}
	for (uint32_t i = 0; i < P.n; i++)
		rb_stats_set_upstream(d->stats, i, P.n, &P.up[i].st);
	if (P.n == 0)
		rb_stats_set_upstream(d->stats, 0, 0, &P.up[0].st);
}

void
probe_tick(struct dnsd *d, uint64_t now)
{
	for (uint32_t i = 0; i < P.n; i++) {
		struct up *u = &P.up[i];
		if (u->w.fd >= 0 && now - u->sent_ns > PROBE_TIMEOUT_NS)
			done(d, u, 0, "timeout");
	}
	if (now < P.next_ns)
		return;
	P.next_ns = now + P.interval_ns;
	for (uint32_t i = 0; i < P.n; i++) {
		if (P.up[i].w.fd < 0)
			send_probe(d, &P.up[i]);
	}
}

int
probe_init(struct dnsd *d)
{
	const char *s = getenv("RB_DNSD_PROBE_INTERVAL");
	long v = s ? strtol(s, NULL, 10) : 0;

	P.interval_ns = (uint64_t)(v > 0 ? v : PROBE_INTERVAL_S) * 1000000000u;
	load(d);
	P.next_ns = 0;
	probe_tick(d, now_ns());
	return 0;
}

void
probe_reload(struct dnsd *d)
{
	for (uint32_t i = 0; i < P.n; i++) {
		struct up *u = &P.up[i];
		if (u->w.fd >= 0) {
			watch_del(d, &u->w);
			(void)close(u->w.fd); /* abandoned probe */
			u->w.fd = -1;
		}
	}
	load(d);
	P.next_ns = 0;
	probe_tick(d, now_ns());
}
