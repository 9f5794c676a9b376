/*
 * http: rb-apid's HTTP front on libevent's evhttp, with what evhttp 2.1
 * lacks built here: JSON error bodies, Runbound's order of checks (body
 * size, then rate limit, then the brute-force brake, then the Bearer
 * token, then the route) and requests that wait on a timer.  Connections
 * are counted by lib/http/conns: a cap of APID_CONN_MAX (or what the
 * descriptor limit allows), api-connections-per-address from one address
 * (256 by default: half the cap, so that one client, or one reverse proxy
 * gone wild, leaves the other half to everyone else, and far more than
 * a proxy needs at 30 requests a second), and APID_REQUEST_MS to send
 * each whole request.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>

#include "apid.h"
#include "audit/spool.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/path.h"
#include "http/reply.h"
#include "http/status.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* evhttp's bevcb, for each connection accepted.  The cap per address is
 * the config's of the moment, so that SIGHUP changes it too. */
static struct bufferevent *
new_bev(struct event_base *base, void *arg)
{
	struct apid *a = arg;

	a->conns.per_source = (size_t)a->dm.conf->api_addr_cap;
	return rb_http_conns_add(&a->conns,
	    bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE));
}

/* --- replies ---------------------------------------------------------- */

/* The path of the request as the audit event names it. */
static void
audit_path(const struct rq *r, char *out, size_t len)
{
	const char *uri = evhttp_request_get_uri(r->req);

	rb_http_request_printable(out, len, uri, strcspn(uri, "?"));
}

static void
unwait(struct rq *r)
{
	if (r->wprev == NULL)
		return;
	if ((*r->wprev = r->wnext) != NULL)
		r->wnext->wprev = r->wprev;
	r->wprev = NULL;
	r->wnext = NULL;
}

static void
rq_free(struct rq *r)
{
	r->a->npending--;
	unwait(r);
	if (r->timer != NULL)
		event_free(r->timer);
	/* A request ended early leaves its rb-feed child to finish alone. */
	if (r->child > 0 && r->child_fd >= 0)
		close(r->child_fd);
	free(r->out);
	json_decref(r->body);
	json_decref(r->resp);
	free(r);
}

void
rq_detach(struct rq *r)
{
	rq_free(r);
}

void
reply_text(struct rq *r, int status, const char *ctype, const char *text,
    size_t len)
{
	rb_http_reply_text(r->req, status, ctype, text, len);
	rq_free(r);
}

void
reply_json(struct rq *r, int status, json_t *j)
{
	rb_http_reply_json(r->req, status, j);
	rq_free(r);
}

/* Details as a client may see them: no state-root path, and a 500 never
 * names a file at all (Runbound: any message with '/' becomes "internal
 * error"). */
static void
client_details(const struct apid *a, int status, const char *in, char *out,
    size_t len)
{
	size_t rl = strlen(a->dm.root), o = 0;

	for (const char *p = in; *p != '\0' && o + 1 < len;) {
		if (rl > 0 && strncmp(p, a->dm.root, rl) == 0 && p[rl] == '/') {
			p += rl + 1;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	if (status >= 500 && strchr(out, '/') != NULL)
		snprintf(out, len, "internal error");
}

void
reply_error(struct rq *r, int status, const char *code, const char *details)
{
	char text[600];
	json_t *j;

	client_details(r->a, status, details, text, sizeof text);
	if (status >= 500 && status != 503) {
		char path[256];

		audit_path(r, path, sizeof path);
		rb_error("%s: %s path=%s", code, details, path);
	}
	j = rb_http_reply_error_body(code, text);
	if (j != NULL && status == 404 && r->arg[0] != '\0')
		json_object_set_new(j, "id", json_string(r->arg));
	if (status == 401)
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "WWW-Authenticate", "Bearer realm=\"runbound\"");
	if (status == 429)
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Retry-After", "1");
	reply_json(r, status, j);
}

void
reply_err(struct rq *r, const struct rb_err *e)
{
	reply_error(r, rb_http_status(e), e->code ? e->code : "INTERNAL_ERROR",
	    e->details);
}

/* --- waiting ---------------------------------------------------------- */

static void
wait_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rq *r = arg;
	int timed_out = rb_clock_ms() >= r->deadline_ms;
	struct timeval tv = { r->interval_ms / 1000,
		(r->interval_ms % 1000) * 1000 };

	if (r->poll(r, timed_out))
		return; /* replied, or waiting anew */
	if (timed_out) {
		reply_error(r, 503, "UNAVAILABLE", "rb-dnsd did not answer");
		return;
	}
	evtimer_add(r->timer, &tv);
}

void
rq_wait(struct rq *r, int (*poll)(struct rq *, int), int interval_ms,
    int timeout_ms)
{
	struct timeval tv = { interval_ms / 1000, (interval_ms % 1000) * 1000 };

	if (r->timer == NULL &&
	    (r->timer = evtimer_new(r->a->dm.base, wait_tick, r)) == NULL) {
		reply_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	r->poll = poll;
	r->interval_ms = interval_ms;
	r->deadline_ms = rb_clock_ms() + timeout_ms;
	evtimer_add(r->timer, &tv);
	if (r->wprev == NULL) {
		if ((r->wnext = r->a->waiting) != NULL)
			r->wnext->wprev = &r->wnext;
		r->a->waiting = r;
		r->wprev = &r->a->waiting;
	}
}

/* rb-dnsd touched run/stats.shm (it answered a control file or maps new
 * data): every waiting request looks again now, not at its next tick. */
static void
run_event(evutil_socket_t fd, short what, void *arg)
{
	struct apid *a = arg;
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(fd, buf, sizeof buf) > 0)
		;
	for (struct rq *r = a->waiting; r != NULL; r = r->wnext)
		event_active(r->timer, EV_TIMEOUT, 0);
}

/* Watch ROOT/run for rb-dnsd's touches; without the watch, requests
 * still look every APID_POLL_MS. */
void
http_watch_run(struct apid *a)
{
	char dir[RB_PATH_MAX];

	a->run_ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	rb_path(dir, sizeof dir, "%s/run", a->dm.root);
	if (a->run_ino < 0 ||
	    inotify_add_watch(a->run_ino, dir,
	        IN_ATTRIB | IN_MOVED_TO | IN_ONLYDIR) < 0 ||
	    (a->run_ev = event_new(a->dm.base, a->run_ino, EV_READ | EV_PERSIST,
	         run_event, a)) == NULL ||
	    event_add(a->run_ev, NULL) < 0)
		rb_debug("no watch on %s: waiting requests poll", dir);
}

/* --- the order of checks ---------------------------------------------- */

static void
dispatch(struct rq *r)
{
	const char *uri = evhttp_request_get_uri(r->req);
	struct rb_err e = { 0 };
	char allow[80];

	if (rb_http_request_target_parse(&r->tgt, uri, strlen(uri), &e) < 0) {
		reply_err(r, &e);
		return;
	}
	r->route = route_find(r->tgt.path, r->method, r->arg, sizeof r->arg,
	    allow, sizeof allow);
	if (r->route == NULL && allow[0] != '\0') {
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Allow", allow);
		reply_error(r, 405, "METHOD_NOT_ALLOWED",
		    "method not allowed on this path");
		return;
	}
	if (r->route == NULL) {
		r->arg[0] = '\0';
		reply_error(r, 404, "NOT_FOUND", "no such endpoint");
		return;
	}
	if (r->a->slave && r->method != EVHTTP_REQ_GET) {
		reply_error(r, 503, "READ_ONLY",
		    "This node is a slave replica "
		    "\xe2\x80\x94 write operations are disabled");
		return;
	}
	if (r->route->body == RQ_JSON) {
		struct evbuffer *b = evhttp_request_get_input_buffer(r->req);
		size_t n = evbuffer_get_length(b);

		const void *p = n ? (const void *)evbuffer_pullup(b, -1) : "";

		r->body = rb_http_request_json_body(p, n, &e);
		if (r->body == NULL) {
			reply_err(r, &e);
			return;
		}
	}
	r->route->fn(r);
}

static void
spool_auth_failure(struct rq *r)
{
	struct apid *a = r->a;
	int64_t sec = (int64_t)time(NULL);
	struct rb_err e = { 0 };
	char path[256];
	json_t *f;

	/* Nobody consumes the spool unless the audit log is on. */
	if (!a->dm.conf->audit_log)
		return;
	if (sec != a->spool_sec) {
		a->spool_sec = sec;
		a->spool_n = 0;
	}
	/* Bounded: each event costs two fsyncs on the loop. */
	if (a->spool_n >= APID_SPOOL_PER_SEC) {
		a->spool_dropped++;
		return;
	}
	audit_path(r, path, sizeof path);
	f = json_pack("{s:s}", "path", path);
	if (f != NULL && a->spool_dropped > 0)
		json_object_set_new(f, "dropped",
		    json_integer((json_int_t)a->spool_dropped));
	if (f == NULL ||
	    rb_audit_spool_event(a->dm.root, "auth_failure", f, &e) < 0)
		rb_error("unable to spool auth_failure: %s", e.details);
	else
		a->spool_dropped = 0;
	a->spool_n++;
	json_decref(f);
}

static void
auth_failed(struct rq *r)
{
	struct apid *a = r->a;
	char path[256];

	a->auth_failures++;
	audit_path(r, path, sizeof path);
	if (a->auth_failures == 1 || a->auth_failures % 10 == 0)
		rb_warn("bad bearer token from %s path=%s failures=%llu",
		    r->peer_text, path, (unsigned long long)a->auth_failures);
	spool_auth_failure(r);
	reply_error(r, 401, "UNAUTHORIZED", "missing or invalid Bearer token");
}

static void
authorize(struct rq *r)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(
	                                       r->req),
	    "Authorization");
	const char *tok;
	size_t len;

	if (rb_http_request_bearer(h, &tok, &len) < 0 ||
	    !rb_apikey_match(&r->a->key, tok, len)) {
		auth_failed(r);
		return;
	}
	r->a->auth_failures = 0;
	dispatch(r);
}

static int
brake_done(struct rq *r, int timed_out)
{
	if (!timed_out)
		return 0;
	authorize(r);
	return 1;
}

/* 413, 400 and 411 from the headers, before the rate limit. */
static int
size_ok(struct rq *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->req);
	const char *cl = evhttp_find_header(h, "Content-Length");
	const char *ct = evhttp_find_header(h, "Content-Type");
	size_t got = evbuffer_get_length(
	    evhttp_request_get_input_buffer(r->req));
	uint64_t n = 0;

	if (cl != NULL && rb_http_request_content_length(cl, &n) < 0) {
		reply_error(r, 400, "BAD_REQUEST", "malformed Content-Length");
		return 0;
	}
	if (n > RB_HTTP_BODY_MAX || got > RB_HTTP_BODY_MAX) {
		reply_error(r, 413, "REQUEST_TOO_LARGE",
		    "Body exceeds 65536 bytes");
		return 0;
	}
	if (cl == NULL && ct != NULL &&
	    strncasecmp(ct, "application/json", 16) == 0) {
		reply_error(r, 411, "LENGTH_REQUIRED",
		    "Content-Length header is required for JSON requests");
		return 0;
	}
	return 1;
}

static void
peer_of(struct rq *r)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->req);
	char *host = NULL;
	ev_uint16_t port = 0;

	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &host, &port);
	if (host == NULL || rb_ipaddr_parse(host, &r->peer) < 0)
		memset(&r->peer, 0, sizeof r->peer);
	if (rb_ipaddr_to_text(&r->peer, r->peer_text, sizeof r->peer_text) < 0)
		snprintf(r->peer_text, sizeof r->peer_text, "?");
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct apid *a = arg;
	struct rq *r = calloc(1, sizeof *r);

	if (r == NULL) {
		evhttp_send_error(req, 503, NULL);
		return;
	}
	a->npending++;
	rb_http_conns_request(&a->conns, req);
	r->a = a;
	r->req = req;
	r->method = evhttp_request_get_command(req);
	if (r->method == EVHTTP_REQ_HEAD) {
		r->head = 1;
		r->method = EVHTTP_REQ_GET;
	}
	peer_of(r);
	if (!size_ok(r))
		return;
	if (!rb_ratelimit_take(&a->rl, &r->peer, now_ns())) {
		reply_error(r, 429, "RATE_LIMITED",
		    "API rate limit is 30 requests per second per client");
		return;
	}
	if (a->auth_failures >= APID_BRAKE_AT) {
		rq_wait(r, brake_done, APID_BRAKE_MS, APID_BRAKE_MS);
		return;
	}
	authorize(r);
}

/* --- set-up ----------------------------------------------------------- */

static size_t
conn_cap(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return APID_CONN_MAX;
	if (rl.rlim_cur < 96)
		return 32;
	return rl.rlim_cur - 64 < APID_CONN_MAX ? rl.rlim_cur - 64 :
	                                          APID_CONN_MAX;
}

int
http_start(struct apid *a, const char *addr, int port)
{
	struct evhttp_bound_socket *bound;

	if (rb_http_conns_init(&a->conns, a->dm.base, conn_cap(),
	        (size_t)a->dm.conf->api_addr_cap, APID_REQUEST_MS) < 0 ||
	    (a->http = evhttp_new(a->dm.base)) == NULL)
		return -1;
	evhttp_set_allowed_methods(a->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	        EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(a->http, 16384);
	evhttp_set_max_body_size(a->http, APID_BODY_READ);
	evhttp_set_timeout(a->http, APID_TIMEOUT);
	evhttp_set_default_content_type(a->http, "application/json");
	evhttp_set_gencb(a->http, on_request, a);
	evhttp_set_bevcb(a->http, new_bev, a);
	if ((bound = evhttp_bind_socket_with_handle(a->http, addr,
	         (ev_uint16_t)port)) == NULL)
		return -1;
	rb_http_conns_listen(&a->conns, bound);
	return 0;
}

void
http_stop_accepting(struct apid *a)
{
	rb_http_conns_drain(&a->conns);
}

void
http_free(struct apid *a)
{
	rb_http_conns_drain(&a->conns);
	if (a->http != NULL)
		evhttp_free(a->http); /* closes every connection */
	a->http = NULL;
	rb_http_conns_fini(&a->conns);
	if (a->run_ev != NULL)
		event_free(a->run_ev);
	if (a->run_ino >= 0)
		(void)close(a->run_ino); /* read-only use */
}
