/*
 * udp: queries in batches, recvmmsg in and sendmmsg out, through static
 * buffers (one thread, so one set serves every socket).  A query larger
 * than INBUF is dropped (MSG_TRUNC); a reply never exceeds RB_DNS_UDP_MAX,
 * the most rb_answer writes for UDP.  On a wildcard socket the reply
 * carries the query's destination address as its source (IP_PKTINFO,
 * IPV6_PKTINFO).  A reply that cannot be sent at once is dropped, as UDP
 * allows; the client retries.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "dnsd.h"
#include "base/log.h"
#include "wire/dnswire.h"

#define BATCH 32
#define ROUNDS 4 /* batches per wakeup, then let other sockets run */
#define INBUF 4096

union ctrl {
	struct cmsghdr align;
	uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

static struct {
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iniov[BATCH], outiov[BATCH];
	struct sockaddr_storage from[BATCH];
	union ctrl inctl[BATCH], outctl[BATCH];
	uint8_t inbuf[BATCH][INBUF];
	uint8_t outbuf[BATCH][RB_DNS_UDP_MAX];
} b;

static int
receive(int fd)
{
	int n;

	for (int i = 0; i < BATCH; i++) {
		struct msghdr *h = &b.in[i].msg_hdr;
		b.iniov[i].iov_base = b.inbuf[i];
		b.iniov[i].iov_len = INBUF;
		memset(h, 0, sizeof *h);
		h->msg_name = &b.from[i];
		h->msg_namelen = sizeof b.from[i];
		h->msg_iov = &b.iniov[i];
		h->msg_iovlen = 1;
		h->msg_control = b.inctl[i].buf;
		h->msg_controllen = sizeof b.inctl[i].buf;
	}
	do
		n = recvmmsg(fd, b.in, BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		rb_warn("recvmmsg: %s", strerror(errno));
	return n;
}

/* Copy the query's destination into the reply's source (pktinfo). */
static void
reply_source(const struct msghdr *in, struct msghdr *out, union ctrl *ctl)
{
	struct cmsghdr *c, *o = (struct cmsghdr *)ctl->buf;
	size_t len;

	memset(ctl, 0, sizeof *ctl);
	for (c = CMSG_FIRSTHDR(in); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)in, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0; /* let routing pick the interface */
			len = sizeof pi;
			memcpy(CMSG_DATA(o), &pi, len);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			/* The interface index matters for link-local. */
			len = sizeof(struct in6_pktinfo);
			memcpy(CMSG_DATA(o), CMSG_DATA(c), len);
		} else {
			continue;
		}
		o->cmsg_level = c->cmsg_level;
		o->cmsg_type = c->cmsg_type;
		o->cmsg_len = CMSG_LEN(len);
		out->msg_control = ctl->buf;
		out->msg_controllen = CMSG_SPACE(len);
		return;
	}
}

/* Answer n received queries; returns how many replies b.out holds. */
static int
answer_batch(struct dnsd *d, const struct sock *s, int n)
{
	struct rb_answer_ctx ctx;
	struct rb_answer_query q = { .tcp = 0, .now_ns = now_ns() };
	struct origin o = { .fd = s->w.fd, .wildcard = s->wildcard };
	int nout = 0;

	serve_begin(d, &ctx);
	for (int i = 0; i < n; i++) {
		const struct msghdr *in = &b.in[i].msg_hdr;
		struct msghdr *out = &b.out[nout].msg_hdr;
		struct rb_answer_buf buf = { b.outbuf[i], RB_DNS_UDP_MAX, 0 };

		if ((in->msg_flags & MSG_TRUNC) ||
		    rb_ipaddr_from_sockaddr(&q.client, in->msg_name) < 0)
			continue;
		q.pkt = b.inbuf[i];
		q.len = b.in[i].msg_len;
		o.msg = in;
		/* Dropped, or forwarded: udp_send_later replies. */
		if (serve_query(d, &ctx, in->msg_name, &q, &buf, &o) !=
		    RB_ANSWER_SEND)
			continue;
		b.outiov[nout].iov_base = b.outbuf[i];
		b.outiov[nout].iov_len = buf.len;
		memset(out, 0, sizeof *out);
		out->msg_name = in->msg_name;
		out->msg_namelen = in->msg_namelen;
		out->msg_iov = &b.outiov[nout];
		out->msg_iovlen = 1;
		if (s->wildcard)
			reply_source(in, out, &b.outctl[nout]);
		nout++;
	}
	serve_end(d, &ctx);
	return nout;
}

static void
send_batch(int fd, int nout)
{
	int sent = 0, r;

	while (sent < nout) {
		r = sendmmsg(fd, b.out + sent, (unsigned)(nout - sent), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rb_debug("sendmmsg: %s", strerror(errno));
			r = 1; /* drop the reply that failed, send the rest */
		}
		sent += r;
	}
}

void
udp_dest_save(struct udp_dest *u, const struct origin *o)
{
	struct msghdr out = { 0 };
	union ctrl ctl;

	u->fd = o->fd;
	u->peerlen = o->msg->msg_namelen <= sizeof u->peer ?
	    o->msg->msg_namelen :
	    sizeof u->peer;
	memcpy(&u->peer, o->msg->msg_name, u->peerlen);
	u->ctllen = 0;
	if (!o->wildcard)
		return;
	reply_source(o->msg, &out, &ctl);
	if (out.msg_controllen <= sizeof u->ctl) {
		memcpy(u->ctl, ctl.buf, out.msg_controllen);
		u->ctllen = out.msg_controllen;
	}
}

/* A forwarded reply: one sendmsg, dropped if the socket cannot take it
 * now (UDP: the client retries). */
void
udp_send_later(const struct udp_dest *u, const uint8_t *pkt, size_t len)
{
	struct iovec iov = { (void *)pkt, len };
	struct msghdr h = { 0 };

	h.msg_name = (void *)&u->peer;
	h.msg_namelen = u->peerlen;
	h.msg_iov = &iov;
	h.msg_iovlen = 1;
	if (u->ctllen > 0) {
		h.msg_control = (void *)u->ctl;
		h.msg_controllen = u->ctllen;
	}
	while (sendmsg(u->fd, &h, MSG_DONTWAIT) < 0) {
		if (errno != EINTR) {
			rb_debug("sendmsg: %s", strerror(errno));
			return;
		}
	}
}

void
udp_event(struct dnsd *d, struct watch *w, uint32_t events)
{
	struct sock *s = (struct sock *)w;

	for (int round = 0; round < ROUNDS && !d->dm.stopping; round++) {
		int n = receive(w->fd);
		if (n <= 0)
			return;
		send_batch(w->fd, answer_batch(d, s, n));
		if (n < BATCH)
			return;
	}
}
