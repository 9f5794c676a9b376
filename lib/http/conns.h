#ifndef RB_HTTP_CONNS_H
#define RB_HTTP_CONNS_H

/*
 * conns: the connections of one evhttp server (libevent 2.1), with what
 * evhttp lacks: a cap on connections at once, a cap on those from one
 * address, a deadline for sending a whole request, and a hook when a
 * connection goes.  rb-apid and rb-syncd's master each keep one book.
 *
 * The server's bevcb makes the bufferevent (plain or TLS) and hands it to
 * rb_http_conns_add.  Requests are marked with rb_http_conns_request: a
 * connection with a request being answered (a long poll, an event stream)
 * is never cut; one that has not sent a whole request within request_ms of
 * its accept (TLS handshake included) or of its last answer is closed, and
 * so is one whose CONNECT asked for it ("Connection: close"), once its
 * answer is out (evhttp keeps a CONNECT's connection for a tunnel).
 * At either cap, or when accept fails for want of descriptors, accepting
 * pauses until a connection goes.  One book per process.
 */

#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "base/ipaddr.h"

struct rb_http_conn;

struct rb_http_conns {
	struct event_base *base;
	struct evconnlistener *lev;
	size_t n;          /* connections now */
	size_t cap;        /* at once */
	size_t per_source; /* from one address; 0 for no limit */
	int request_ms;    /* to send a whole request */
	int paused, draining;
	struct rb_http_conn *fresh; /* accepted, not yet registered */
	struct rb_http_conn *live;
	struct event *reg_ev, *close_ev, *resume_ev, *tick_ev;
	int64_t warned_sec; /* last per-source warning: one a second */
	/* Called when n falls to 0 while draining (may be NULL). */
	void (*empty)(void *arg);
	void *empty_arg;
};

/* Set b up on base, which must have 2 priorities at least
 * (event_base_priority_init); listen with rb_http_conns_listen.  Returns 0,
 * or -1 with errno set. */
int rb_http_conns_init(struct rb_http_conns *b, struct event_base *base,
    size_t cap, size_t per_source, int request_ms);

/* Count the connections accepted on bound's listener in b. */
void rb_http_conns_listen(struct rb_http_conns *b,
    struct evhttp_bound_socket *bound);

/* From the server's bevcb: count bev's connection in (bev may be NULL, and
 * is returned as given).  Pauses accepting at the cap. */
struct bufferevent *rb_http_conns_add(struct rb_http_conns *b,
    struct bufferevent *bev);

/* From the server's bevcb when it cannot make the bufferevent it needs (a
 * TLS one): a plain one whose connection is closed before it reads a byte.
 * evhttp would otherwise make a plain one itself and serve plaintext. */
struct bufferevent *rb_http_conns_refuse(struct rb_http_conns *b,
    struct event_base *base);

/* A request arrived on its connection: no deadline until it is answered. */
void rb_http_conns_request(struct rb_http_conns *b, struct evhttp_request *req);

/* The connection of evcon, or NULL when it is not (or no longer) counted;
 * borrowed, valid until the connection goes. */
struct rb_http_conn *rb_http_conns_of(struct rb_http_conns *b,
    struct evhttp_connection *evcon);

/* Call fn(arg) once when c goes, before it is freed (NULL fn: no call).
 * One hook per connection; a new one replaces the old. */
void rb_http_conns_on_close(struct rb_http_conn *c, void (*fn)(void *),
    void *arg);

/* The address c came from (zero when unknown); borrowed. */
const struct rb_ipaddr *rb_http_conns_peer(const struct rb_http_conn *c);

/* Stop accepting for good (shutdown); b->empty is called when the last
 * connection goes, at once if there is none. */
void rb_http_conns_drain(struct rb_http_conns *b);

/* Release b's events and unregistered connections.  Call it after
 * evhttp_free, which closes (and counts out) every connection, and call
 * rb_http_conns_drain before evhttp_free: it frees the listener first, and
 * a connection counted out then must not resume accepting. */
void rb_http_conns_fini(struct rb_http_conns *b);

#endif
