/*
 * conns: connection accounting for an evhttp server.
 *
 * evhttp 2.1 gives no hook when it accepts a connection, but it asks the
 * server for each connection's bufferevent (bevcb) and stores the
 * connection as that bufferevent's callback argument before the loop runs
 * again.  A priority-0 event, made active from rb_http_conns_add, runs
 * before any I/O of the new connection: it learns the connection and its
 * peer, sets TCP_NODELAY (small replies go out at once, not after the
 * peer's ACK) and a close callback, and turns away a connection over the
 * per-address cap.  The close callback counts the connection out, calls
 * the server's hook and resumes accepting.  A connection is on exactly one
 * list: fresh until registered, live after.
 *
 * The deadline: each second, a live connection that is not being answered
 * and has waited request_ms for a whole request is closed.  evhttp's own
 * idle timeout restarts with every byte, so without this a client sending
 * one byte every few seconds would keep its slot for ever.
 *
 * evhttp never closes after a CONNECT, whatever its Connection header
 * says: it expects a tunnel.  Neither server tunnels, so a CONNECT that
 * asks for the close is marked, and once its answer is out a priority-0
 * event closes the connection (evhttp is still using it when it reports
 * the answer sent, so it cannot be closed from there).
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/conns.h"

struct rb_http_conn {
	struct rb_http_conns *b;
	struct bufferevent *bev;
	struct evhttp_connection *evcon;
	struct rb_ipaddr peer;
	int64_t wait_from; /* ms: accepted, or its last request answered */
	int busy;          /* a request of it is being answered */
	int refuse;        /* closed as soon as it is registered */
	int close_after;   /* closed once its answer is out */
	void (*hook)(void *);
	void *hook_arg;
	struct rb_http_conn *prev, *next;
};

/* The listener's error callback and a request's completion callback get
 * evhttp's arguments, not ours. */
static struct rb_http_conns *the_book;

static void
list_push(struct rb_http_conn **head, struct rb_http_conn *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head != NULL)
		(*head)->prev = c;
	*head = c;
}

static void
list_remove(struct rb_http_conn **head, struct rb_http_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void
pause_accept(struct rb_http_conns *b)
{
	if (!b->paused && b->lev != NULL) {
		evconnlistener_disable(b->lev);
		b->paused = 1;
	}
}

static void
resume_accept(evutil_socket_t fd, short what, void *arg)
{
	struct rb_http_conns *b = arg;

	if (b->paused && !b->draining && b->n < b->cap) {
		evconnlistener_enable(b->lev);
		b->paused = 0;
	}
}

static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct rb_http_conn *c = arg;
	struct rb_http_conns *b = c->b;

	list_remove(&b->live, c);
	if (c->hook != NULL)
		c->hook(c->hook_arg);
	free(c);
	b->n--;
	if (b->paused)
		resume_accept(-1, 0, b);
	if (b->draining && b->n == 0 && b->empty != NULL)
		b->empty(b->empty_arg);
}

/* How many live connections came from ip. */
static size_t
from_source(const struct rb_http_conns *b, const struct rb_ipaddr *ip)
{
	size_t k = 0;

	for (const struct rb_http_conn *c = b->live; c != NULL; c = c->next)
		if (memcmp(&c->peer, ip, sizeof *ip) == 0)
			k++;
	return k;
}

static void
peer_of(struct rb_http_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	memset(&c->peer, 0, sizeof c->peer);
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		(void)rb_ipaddr_from_sockaddr(&c->peer, (struct sockaddr *)&ss);
}

/* Over the per-address cap: say so at most once a second. */
static void
turn_away(struct rb_http_conns *b, struct rb_http_conn *c)
{
	int64_t sec = rb_clock_ms() / 1000;
	char ip[RB_IPADDR_TEXT] = "?";

	if (sec != b->warned_sec) {
		b->warned_sec = sec;
		(void)rb_ipaddr_to_text(&c->peer, ip, sizeof ip);
		rb_warn("connections from one address at their cap: "
		        "peer=%s cap=%zu, closing the newest",
		    ip, b->per_source);
	}
	evhttp_connection_free(c->evcon); /* conn_closed frees c */
}

/* Priority 0: runs after evhttp_get_request finished with the new
 * connections and before any of their I/O. */
static void
register_fresh(evutil_socket_t fd, short what, void *arg)
{
	struct rb_http_conns *b = arg;
	struct rb_http_conn *c;

	while ((c = b->fresh) != NULL) {
		void *evcon = NULL;
		int one = 1;

		list_remove(&b->fresh, c);
		/* Had evhttp given the connection up, bufferevent_free
		 * would have cleared the argument, and the memory goes
		 * only after this priority-0 event. */
		bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
		if (evcon == NULL) {
			free(c);
			b->n--;
			resume_accept(-1, 0, b);
			continue;
		}
		(void)setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP,
		    TCP_NODELAY, &one, sizeof one); /* best effort */
		c->evcon = evcon;
		peer_of(c);
		list_push(&b->live, c);
		evhttp_connection_set_closecb(c->evcon, conn_closed, c);
		if (c->refuse)
			evhttp_connection_free(c->evcon); /* frees c */
		else if (b->per_source > 0 &&
		    from_source(b, &c->peer) > b->per_source)
			turn_away(b, c);
	}
}

static struct rb_http_conn *
add(struct rb_http_conns *b, struct bufferevent *bev)
{
	struct rb_http_conn *c;

	if (bev == NULL || (c = calloc(1, sizeof *c)) == NULL)
		return NULL; /* the connection goes uncounted */
	c->b = b;
	c->bev = bev;
	c->wait_from = rb_clock_ms();
	list_push(&b->fresh, c);
	b->n++;
	event_active(b->reg_ev, EV_TIMEOUT, 1);
	if (b->n >= b->cap) {
		rb_warn("connection cap reached: conns=%zu, pausing accept",
		    b->n);
		pause_accept(b);
	}
	return c;
}

struct bufferevent *
rb_http_conns_add(struct rb_http_conns *b, struct bufferevent *bev)
{
	(void)add(b, bev); /* uncounted without memory: evhttp copes */
	return bev;
}

struct bufferevent *
rb_http_conns_refuse(struct rb_http_conns *b, struct event_base *base)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE);
	struct rb_http_conn *c = add(b, bev);

	if (c != NULL)
		c->refuse = 1;
	return bev;
}

static void
accept_error(struct evconnlistener *lev, void *arg)
{
	struct rb_http_conns *b = the_book;
	struct timeval tv = { 0, 100000 };

	rb_warn("accept: %s: pausing accept for 100 ms",
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	pause_accept(b);
	evtimer_add(b->resume_ev, &tv);
}

struct rb_http_conn *
rb_http_conns_of(struct rb_http_conns *b, struct evhttp_connection *evcon)
{
	for (struct rb_http_conn *c = b->live; c != NULL; c = c->next)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

/* A request's answer is out: the next request's time starts.  The
 * connection is looked up, since it may be gone already. */
static void
request_done(struct evhttp_request *req, void *arg)
{
	struct rb_http_conn *c = rb_http_conns_of(the_book, arg);

	if (c == NULL)
		return;
	c->busy = 0;
	c->wait_from = rb_clock_ms();
	if (c->close_after)
		event_active(the_book->close_ev, EV_TIMEOUT, 1);
}

/* Priority 0, after evhttp has finished sending an answer: close the
 * connections whose answer said they go. */
static void
close_marked(evutil_socket_t fd, short what, void *arg)
{
	struct rb_http_conns *b = arg;
	struct rb_http_conn *c, *next;

	for (c = b->live; c != NULL; c = next) {
		next = c->next;
		if (c->close_after && !c->busy)
			evhttp_connection_free(c->evcon); /* frees c */
	}
}

/* Does a Connection header's value list the token "close"? */
static int
says_close(const char *v)
{
	while (v != NULL && *v != '\0') {
		size_t n;

		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (n == 5 && strncasecmp(v, "close", 5) == 0)
			return 1;
		v += n;
	}
	return 0;
}

void
rb_http_conns_request(struct rb_http_conns *b, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct rb_http_conn *c = evcon ? rb_http_conns_of(b, evcon) : NULL;

	if (c == NULL)
		return;
	c->busy = 1;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_CONNECT &&
	    says_close(evhttp_find_header(evhttp_request_get_input_headers(req),
	        "Connection")))
		c->close_after = 1;
	evhttp_request_set_on_complete_cb(req, request_done, evcon);
}

/* Each second: close the connections that took request_ms without
 * sending a whole request. */
static void
deadline_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rb_http_conns *b = arg;
	int64_t now = rb_clock_ms();
	struct rb_http_conn *c, *next;

	for (c = b->live; c != NULL; c = next) {
		next = c->next;
		if (c->busy || now - c->wait_from < b->request_ms)
			continue;
		rb_debug("closing a connection that sent no whole request "
		         "in %d ms",
		    b->request_ms);
		evhttp_connection_free(c->evcon); /* conn_closed frees c */
	}
}

void
rb_http_conns_on_close(struct rb_http_conn *c, void (*fn)(void *), void *arg)
{
	c->hook = fn;
	c->hook_arg = arg;
}

const struct rb_ipaddr *
rb_http_conns_peer(const struct rb_http_conn *c)
{
	return &c->peer;
}

int
rb_http_conns_init(struct rb_http_conns *b, struct event_base *base, size_t cap,
    size_t per_source, int request_ms)
{
	memset(b, 0, sizeof *b);
	b->base = base;
	b->cap = cap;
	b->per_source = per_source;
	b->request_ms = request_ms;
	if ((b->reg_ev = event_new(base, -1, 0, register_fresh, b)) == NULL ||
	    event_priority_set(b->reg_ev, 0) < 0 ||
	    (b->close_ev = event_new(base, -1, 0, close_marked, b)) == NULL ||
	    event_priority_set(b->close_ev, 0) < 0 ||
	    (b->resume_ev = evtimer_new(base, resume_accept, b)) == NULL ||
	    (b->tick_ev = event_new(base, -1, EV_PERSIST, deadline_tick, b)) ==
	        NULL ||
	    event_add(b->tick_ev, &(struct timeval){ 1, 0 }) < 0) {
		rb_http_conns_fini(b);
		errno = ENOMEM;
		return -1;
	}
	the_book = b;
	return 0;
}

void
rb_http_conns_listen(struct rb_http_conns *b, struct evhttp_bound_socket *bound)
{
	b->lev = evhttp_bound_socket_get_listener(bound);
	evconnlistener_set_error_cb(b->lev, accept_error);
}

void
rb_http_conns_drain(struct rb_http_conns *b)
{
	b->draining = 1;
	pause_accept(b);
	if (b->n == 0 && b->empty != NULL)
		b->empty(b->empty_arg);
}

void
rb_http_conns_fini(struct rb_http_conns *b)
{
	struct rb_http_conn *c;

	while ((c = b->fresh) != NULL) {
		list_remove(&b->fresh, c);
		free(c);
	}
	if (b->reg_ev != NULL)
		event_free(b->reg_ev);
	if (b->close_ev != NULL)
		event_free(b->close_ev);
	if (b->resume_ev != NULL)
		event_free(b->resume_ev);
	if (b->tick_ev != NULL)
		event_free(b->tick_ev);
	b->reg_ev = b->close_ev = b->resume_ev = b->tick_ev = NULL;
	if (the_book == b)
		the_book = NULL;
}
