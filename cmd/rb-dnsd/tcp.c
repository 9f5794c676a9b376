/*
 * tcp: DNS over TCP per RFC 7766.  Messages carry a 2-byte length; a
 * client may pipeline several queries (their order: see below).
 * Connections live in a table of tcp_max slots allocated at startup,
 * each with an input buffer (INBUF: queries are small, a longer frame
 * closes the connection) and an output buffer that holds one reply of up
 * to 65535 bytes.  The next query is answered only once the previous
 * reply is fully written, so a slow reader costs its own slot and nothing
 * else.
 *
 * A connection with no progress for tcp_idle_ns is closed by the 1 s tick.
 * At the cap (incoming-num-tcp), the oldest idle connection (nothing
 * buffered either way) is closed to make room; when none is idle,
 * accepting pauses until a slot frees up or a connection goes idle.
 * tcp-connection-limit is checked right after accept: a connection whose
 * netblock is at its limit is closed at once, before it takes a slot.
 * Each connection remembers the entry of d->tcl counting it and gives it
 * back in conn_close, which every end of a connection goes through, a
 * hand-over to rb-axfr included.  A query dropped by the pipeline (deny)
 * closes the connection, since the client would otherwise wait for an
 * answer that never comes.
 *
 * Replies may go out of order (RFC 7766 section 6.2.1.1): a query sent
 * upstream (forward.c) does not hold up the queries behind it, which are
 * answered at once.  Its reply arrives later through tcp_send_later and
 * goes into the output buffer when that is empty, else onto a short queue
 * of held replies, the only memory allocated here after startup (and only
 * for replies that came from upstream, which allocated far more on their
 * way).  At most PIPELINE_MAX queries of a connection are upstream at
 * once; beyond that its input waits.  Held replies take HELD_MAX bytes
 * at most in all: a reply that would pass it closes its connection.  A
 * connection with replies due from upstream is not closed as idle: they
 * come within forward.c's timeout.  The generation number, bumped at
 * each close, tells a late reply that its connection is gone.
 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bytes.h"
#include "base/log.h"
#include "wire/dnswire.h"

#include "dnsd.h"

#define INBUF 8192
#define OUTBUF (2 + RB_DNS_TCP_MAX)
#define ACCEPTS 64           /* per wakeup */
#define PIPELINE_MAX 32      /* queries of one connection upstream at once */
#define HELD_MAX (16u << 20) /* bytes of held replies, all connections */

/* A reply from upstream that found the output buffer busy. */
struct held {
	struct held *next;
	size_t len; /* of the framed reply in bytes */
	uint8_t bytes[];
};

struct tconn {
	struct watch w; /* fd -1: free slot */
	struct rb_ipaddr client;
	struct sockaddr_storage peer;
	uint8_t *in, *out;
	size_t inlen, outoff, outlen;
	uint64_t last_ns;
	uint32_t events; /* what epoll watches for */
	int eof;
	unsigned pending; /* queries upstream, their replies due */
	struct held *held, **held_tail; /* replies due out, oldest first */
	uint32_t gen;                   /* bumped at each close */
	long tcl; /* the d->tcl entry counting it, or RB_TCPLIMIT_NONE */
};

static size_t *free_slots; /* stack of free slot indexes */
static size_t nfree;
static int cap_paused;    /* accepting paused with every connection busy */
static size_t held_bytes; /* held by every connection together */

static void conn_event(struct dnsd *d, struct watch *w, uint32_t events);

int
tcp_init(struct dnsd *d)
{
	uint8_t *in, *out;

	if (d->tcp_max == 0)
		return 0; /* incoming-num-tcp: 0, no TCP sockets either */
	/* The big buffers are touched only when used: calloc maps them
	 * lazily, so an idle server costs little memory. */
	d->conns = calloc(d->tcp_max, sizeof *d->conns);
	free_slots = calloc(d->tcp_max, sizeof *free_slots);
	in = calloc(d->tcp_max, INBUF);
	out = calloc(d->tcp_max, OUTBUF);
	if (d->conns == NULL || free_slots == NULL || in == NULL || out == NULL)
		return -1;
	for (size_t i = 0; i < d->tcp_max; i++) {
		d->conns[i].w.fd = -1;
		d->conns[i].w.cb = conn_event;
		if (watch_init(d, &d->conns[i].w) < 0)
			return -1;
		d->conns[i].tcl = RB_TCPLIMIT_NONE;
		d->conns[i].in = in + i * INBUF;
		d->conns[i].out = out + i * (size_t)OUTBUF;
		d->conns[i].held_tail = &d->conns[i].held;
		free_slots[nfree++] = d->tcp_max - 1 - i;
	}
	return 0;
}

static void
set_accepting(struct dnsd *d, int on)
{
	if (on)
		cap_paused = 0;
	for (size_t i = 0; i < d->nsocks; i++) {
		struct sock *s = &d->socks[i];
		if (!s->tcp || s->w.fd < 0 || s->paused == !on)
			continue;
		if (watch_mod(d, &s->w, on ? EPOLLIN : 0) == 0)
			s->paused = !on;
	}
}

/* No reply owed: none being written, held, or due from upstream. */
static int
nothing_due(const struct tconn *c)
{
	return c->outlen == 0 && c->pending == 0 && c->held == NULL;
}

static int
idle(const struct tconn *c)
{
	return c->inlen == 0 && nothing_due(c);
}

/* pkt (len bytes) with its 2-byte length in front, into dst. */
static void
frame_into(uint8_t *dst, const uint8_t *pkt, size_t len)
{
	rb_put16(dst, (uint16_t)len);
	memcpy(dst + 2, pkt, len);
}

/* The idle connection (nothing buffered either way) with the oldest
 * activity, or NULL. */
static struct tconn *
oldest_idle(struct dnsd *d)
{
	struct tconn *old = NULL;

	for (size_t i = 0; i < d->tcp_max; i++) {
		struct tconn *c = &d->conns[i];
		if (c->w.fd >= 0 && idle(c) &&
		    (old == NULL || c->last_ns < old->last_ns))
			old = c;
	}
	return old;
}

/* Accept again once a slot is free or can be freed. */
void
tcp_resume_accept(struct dnsd *d)
{
	if (!d->dm.stopping &&
	    (d->tcp_count < d->tcp_max || oldest_idle(d) != NULL))
		set_accepting(d, 1);
}

static void
drop_held(struct tconn *c)
{
	while (c->held != NULL) {
		struct held *h = c->held;
		c->held = h->next;
		held_bytes -= h->len;
		free(h);
	}
	c->held_tail = &c->held;
}

static void
conn_close(struct dnsd *d, struct tconn *c)
{
	watch_del(d, &c->w);
	/* A reply still unsent is lost either way: nothing to report. */
	(void)close(c->w.fd);
	c->w.fd = -1;
	c->pending = 0;
	drop_held(c);
	c->gen++;
	rb_tcplimit_release(&d->tcl, c->tcl);
	c->tcl = RB_TCPLIMIT_NONE;
	free_slots[nfree++] = (size_t)(c - d->conns);
	d->tcp_count--;
	tcp_resume_accept(d);
}

/* A free slot, closing the oldest idle connection at the cap; NULL when
 * every connection is busy. */
static struct tconn *
take_slot(struct dnsd *d)
{
	if (nfree == 0) {
		struct tconn *old = oldest_idle(d);
		if (old == NULL)
			return NULL;
		rb_debug("tcp: connection cap %zu reached, closing the oldest "
		         "idle one",
		    d->tcp_max);
		conn_close(d, old);
	}
	return &d->conns[free_slots[--nfree]];
}

static void
conn_open(struct dnsd *d, struct tconn *c, int fd,
    const struct sockaddr_storage *ss, const struct rb_ipaddr *client, long tcl)
{
	int one = 1;

	/* Replies go out one per send: without NODELAY, Nagle would hold
	 * the second of two pipelined replies for the peer's ACK. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		rb_debug("tcp: TCP_NODELAY: %s", strerror(errno));
	c->w.fd = fd;
	c->peer = *ss;
	c->client = *client;
	c->tcl = tcl;
	c->inlen = c->outoff = c->outlen = 0;
	c->eof = 0;
	c->last_ns = now_ns();
	c->events = EPOLLIN;
	d->tcp_count++;
	if (watch_add(d, &c->w, EPOLLIN) < 0)
		conn_close(d, c);
}

/* A connection just accepted: 1 when it may stay (*tcl is the entry now
 * counting it), 0 when tcp-connection-limit closes it at once. */
static int
admit(struct dnsd *d, int fd, const struct sockaddr_storage *ss,
    struct rb_ipaddr *client, long *tcl)
{
	char text[RB_IPADDR_TEXT];

	if (rb_ipaddr_from_sockaddr(client, (const struct sockaddr *)ss) < 0) {
		(void)close(fd); /* not IP: nothing was written */
		return 0;
	}
	*tcl = rb_tcplimit_take(&d->tcl, client);
	if (*tcl != RB_TCPLIMIT_FULL)
		return 1;
	if (d->dm.verbose && rb_ipaddr_to_text(client, text, sizeof text) > 0)
		rb_debug("tcp: tcp-connection-limit reached, closing client=%s",
		    text);
	(void)close(fd); /* nothing was written */
	return 0;
}

void
tcp_accept_event(struct dnsd *d, struct watch *w, uint32_t events)
{
	for (int i = 0; i < ACCEPTS && !d->dm.stopping; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct rb_ipaddr client;
		struct tconn *c;
		long tcl = RB_TCPLIMIT_NONE;
		int fd;

		/* Evict only for a connection that is really waiting. */
		if (nfree == 0 && oldest_idle(d) == NULL) {
			set_accepting(d, 0);
			cap_paused = 1;
			return;
		}
		fd = accept4(w->fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 && !admit(d, fd, &ss, &client, &tcl))
			continue;
		if (fd >= 0 && (c = take_slot(d)) != NULL) {
			conn_open(d, c, fd, &ss, &client, tcl);
			continue;
		}
		if (fd >= 0) {
			/* Cannot happen: a slot was free. */
			rb_tcplimit_release(&d->tcl, tcl);
			(void)close(fd);
			return;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* The tick resumes accepting. */
			rb_warn("tcp: accept: %s", strerror(errno));
			set_accepting(d, 0);
		}
		return;
	}
}

/* Read what fits.  Returns -1 on a connection error. */
static int
conn_read(struct tconn *c)
{
	while (c->inlen < INBUF && !c->eof) {
		ssize_t n = read(c->w.fd, c->in + c->inlen, INBUF - c->inlen);
		if (n > 0) {
			c->inlen += (size_t)n;
			c->last_ns = now_ns();
		} else if (n == 0) {
			c->eof = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return 0;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* Write what the socket takes.  Returns -1 on a connection error. */
static int
conn_flush(struct tconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->w.fd, c->out + c->outoff,
		    c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n > 0) {
			c->outoff += (size_t)n;
			c->last_ns = now_ns();
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		} else if (n == 0 || errno != EINTR) {
			return -1;
		}
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* Length of the complete frame at the head of the input: 0 when more
 * bytes are needed, -1 when it can never fit. */
static long
frame(const struct tconn *c)
{
	size_t len;

	if (c->inlen < 2)
		return 0;
	len = (size_t)c->in[0] << 8 | c->in[1];
	if (len == 0 || len > INBUF - 2)
		return -1;
	return c->inlen >= 2 + len ? (long)len : 0;
}

/* Answer the query at the head of the input into the output buffer.
 * Returns 1, 0 when no complete query is buffered or the one buffered must
 * wait, -1 to close. */
static int
conn_answer(struct dnsd *d, struct tconn *c, const struct rb_answer_ctx *ctx)
{
	long len = frame(c);
	struct rb_answer_query q = { c->in + 2, (size_t)len, c->client, 1,
		now_ns() };
	struct rb_answer_buf buf = { c->out + 2, RB_DNS_TCP_MAX, 0 };
	struct origin o = { .tcp = 1,
		.slot = (size_t)(c - d->conns),
		.gen = c->gen };
	enum rb_answer_verdict v;

	if (len <= 0)
		return (int)len;
	/* A transfer leaves with its connection (xfr.c), once the replies
	 * due from upstream are out: rb-axfr could not send them. */
	if (c->pending > 0 && xfr_wants_tcp(d, c->in, c->inlen, &c->client))
		return 0;
	if (xfr_tcp(d, c->w.fd, c->in, c->inlen, &c->client))
		return -1;
	v = serve_query(d, ctx, (struct sockaddr *)&c->peer, &q, &buf, &o);
	c->inlen -= 2 + (size_t)len;
	memmove(c->in, c->in + 2 + len, c->inlen);
	if (v == RB_ANSWER_DROP)
		return -1;
	if (v == RB_ANSWER_LATER) {
		c->pending++;
		return 1;
	}
	rb_put16(c->out, (uint16_t)buf.len);
	c->outoff = 0;
	c->outlen = 2 + buf.len;
	return 1;
}

/* The oldest held reply into the empty output buffer. */
static void
unhold(struct tconn *c)
{
	struct held *h = c->held;

	memcpy(c->out, h->bytes, h->len);
	c->outoff = 0;
	c->outlen = h->len;
	if ((c->held = h->next) == NULL)
		c->held_tail = &c->held;
	held_bytes -= h->len;
	free(h);
}

/* Write pending output, held replies first, and answer buffered queries
 * until the socket stops taking bytes or no complete query is left. */
static int
conn_work(struct dnsd *d, struct tconn *c)
{
	struct rb_answer_ctx ctx;
	int r = 0;

	serve_begin(d, &ctx);
	while (r >= 0) {
		if (conn_flush(c) < 0) {
			r = -1;
		} else if (c->outlen > 0) {
			break; /* wait for EPOLLOUT */
		} else if (c->held != NULL) {
			unhold(c);
		} else if (c->pending >= PIPELINE_MAX) {
			break; /* wait for upstream */
		} else if ((r = conn_answer(d, c, &ctx)) == 0) {
			break;
		}
	}
	serve_end(d, &ctx);
	return r < 0 ? -1 : 0;
}

static void
conn_event(struct dnsd *d, struct watch *w, uint32_t events)
{
	struct tconn *c = (struct tconn *)w;
	uint32_t want;

	if (((events & EPOLLIN) && conn_read(c) < 0) || (events & EPOLLERR) ||
	    conn_work(d, c) < 0) {
		conn_close(d, c);
		return;
	}
	/* Done when the client closed or we stop, once every complete
	 * query is answered and written. */
	if (nothing_due(c) && (c->eof || d->dm.stopping)) {
		conn_close(d, c);
		return;
	}
	want = (!c->eof && c->inlen < INBUF ? EPOLLIN : 0) |
	    (c->outlen > 0 ? EPOLLOUT : 0);
	if (want != c->events && watch_mod(d, &c->w, want) == 0)
		c->events = want;
	/* Paused at the cap with every connection busy: this one may now
	 * make room, without waiting for the tick.  (A pause for lack of
	 * file descriptors waits for the tick.) */
	if (cap_paused && idle(c))
		tcp_resume_accept(d);
}

void
tcp_send_later(struct dnsd *d, size_t slot, uint32_t gen, const uint8_t *pkt,
    size_t len)
{
	struct tconn *c;
	struct held *h;

	if (slot >= d->tcp_max)
		return;
	c = &d->conns[slot];
	if (c->w.fd < 0 || c->gen != gen || c->pending == 0)
		return; /* closed meanwhile: nobody to tell */
	c->pending--;
	c->last_ns = now_ns();
	if (len == 0 || len > RB_DNS_TCP_MAX) {
		/* No reply to give: the client must not wait for it. */
		conn_close(d, c);
		return;
	}
	if (c->outlen == 0 && c->held == NULL) {
		frame_into(c->out, pkt, len);
		c->outoff = 0;
		c->outlen = 2 + len;
	} else if (held_bytes + 2 + len > HELD_MAX) {
		/* Clients that ask and do not read hold no more. */
		rb_warn("tcp: %zu bytes of replies held for clients not "
		        "reading, closing one more",
		    held_bytes);
		conn_close(d, c);
		return;
	} else if ((h = malloc(sizeof *h + 2 + len)) != NULL) {
		h->next = NULL;
		h->len = 2 + len;
		frame_into(h->bytes, pkt, len);
		held_bytes += h->len;
		*c->held_tail = h;
		c->held_tail = &h->next;
	} else {
		/* The client would wait forever for this reply. */
		rb_warn("tcp: out of memory holding a reply, closing");
		conn_close(d, c);
		return;
	}
	conn_event(d, &c->w, 0); /* write it, then the next queries */
}

void
tcp_sweep(struct dnsd *d, uint64_t now)
{
	for (size_t i = 0; i < d->tcp_max; i++) {
		struct tconn *c = &d->conns[i];
		/* Replies still due from upstream come within the forward
		 * timeout: the connection waits for them. */
		if (c->w.fd >= 0 && c->pending == 0 &&
		    now - c->last_ns > d->tcp_idle_ns)
			conn_close(d, c);
	}
	tcp_resume_accept(d);
}

void
tcp_stop(struct dnsd *d)
{
	set_accepting(d, 0);
	for (size_t i = 0; i < d->tcp_max; i++) {
		struct tconn *c = &d->conns[i];
		if (c->w.fd >= 0)
			conn_event(d, &c->w, 0);
	}
}

int
tcp_build_limits(const struct rb_conf *c, struct rb_tcplimit *t)
{
	struct rb_diag diag = { 0 };

	for (size_t i = 0; i < c->ntcp_limits; i++) {
		if (rb_tcplimit_add(t, c->tcp_limits[i].netblock,
		        c->tcp_limits[i].limit, &diag) < 0) {
			rb_error("%s: %s", c->path ? c->path : "runbound.conf",
			    diag.msg);
			return -1;
		}
	}
	return 0;
}

/* unbound observes at least 200 ms whatever tcp-idle-timeout says. */
#define IDLE_MIN_MS 200

void
tcp_apply_conf(struct dnsd *d, const struct rb_conf *c, struct rb_tcplimit *t)
{
	long ms = c->tcp_idle_timeout < IDLE_MIN_MS ? IDLE_MIN_MS :
	                                              c->tcp_idle_timeout;

	d->tcp_idle_ns = (uint64_t)ms * 1000000u;
	if (d->conns != NULL && (size_t)c->incoming_num_tcp != d->tcp_max)
		rb_warn("incoming-num-tcp: %ld needs a restart, keeping %zu",
		    c->incoming_num_tcp, d->tcp_max);
	rb_tcplimit_fini(&d->tcl);
	d->tcl = *t;
	rb_tcplimit_init(t);
	/* The new table starts at zero: count who is connected now.  Those
	 * over a lowered limit stay; new ones wait until they are under. */
	for (size_t i = 0; d->conns != NULL && i < d->tcp_max; i++) {
		struct tconn *cn = &d->conns[i];
		if (cn->w.fd >= 0)
			cn->tcl = rb_tcplimit_recount(&d->tcl, &cn->client);
	}
}
