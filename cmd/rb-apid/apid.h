#ifndef RB_APID_H
#define RB_APID_H

/*
 * rb-apid's shared state: one process, one libevent loop, one struct apid.
 * A request lives in one struct rq (its arena) from the moment evhttp
 * hands it over until the reply is sent; handlers that wait for rb-dnsd
 * keep it on a timer instead of blocking the loop.
 */

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <jansson.h>

#include "answer/ratelimit.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/ipaddr.h"
#include "conf/conf.h"
#include "http/apikey.h"
#include "http/conns.h"
#include "http/request.h"
#include "prog/daemon.h"
#include "stats/ctl.h"
#include "sys/root.h"

#define APID_CONN_MAX 512     /* connections at once */
#define APID_SSE_MAX 256      /* /stats/stream clients at once */
#define APID_BODY_READ 262144 /* evhttp's own body cap (JSON 413 below) */
#define APID_TIMEOUT 15       /* seconds idle before a connection drops */
/* A connection has this long, from its accept or from the end of its
 * last request, to send a whole request: a client trickling one byte at
 * a time restarts APID_TIMEOUT with each, and could hold its slot for
 * ever. */
#define APID_REQUEST_MS 10000
#define APID_WAIT_MS 2000     /* longest wait for rb-dnsd */
#define APID_POLL_MS 5        /* how often to look for its answer */
#define APID_BRAKE_AT 50      /* consecutive auth failures to brake at */
#define APID_BRAKE_MS 500     /* the brake's delay before comparing */
#define APID_SPOOL_PER_SEC 10 /* auth_failure spool files a second */

struct rq;
struct sse;

struct apid {
	struct rb_daemon dm; /* root, conf (never NULL once running), loop */
	struct rb_ctl_issued reloads, clears; /* run/ctl requests made */
	uint64_t clear_counted;               /* clear_total already reported */
	struct evhttp *http;
	int slave; /* mode: slave */
	struct rb_apikey key;
	struct rb_ratelimit rl, rl_reload;
	struct rb_ctl_view view;
	int64_t start;          /* Unix time rb-apid started */
	uint64_t auth_failures; /* consecutive, across all clients */

	struct rb_http_conns conns; /* http.c; .draining: SIGTERM came */

	/* requests kept waiting on a timer, those of them waiting for
	 * rb-dnsd (woken when it touches run/stats.shm); SSE clients
	 * (h_stats.c) */
	size_t npending;
	struct rq *waiting;
	int run_ino;
	struct event *run_ev;
	struct sse *sse;
	size_t nsse;
	struct event *sse_tick;

	/* audit spool throttle */
	int64_t spool_sec;
	unsigned spool_n;
	unsigned long spool_dropped;
};

enum rq_body { RQ_NOBODY, RQ_JSON };

struct route {
	const char *path; /* pattern for rb_http_request_route_match */
	int method;       /* one EVHTTP_REQ_* */
	void (*fn)(struct rq *);
	enum rq_body body;
	const char *help;
};

struct rq {
	struct apid *a;
	struct evhttp_request *req;
	int method; /* EVHTTP_REQ_*, HEAD already folded into GET */
	int head;
	struct rb_ipaddr peer;
	char peer_text[RB_IPADDR_TEXT];
	struct rb_http_target tgt;
	const struct route *route;
	char arg[128]; /* the :id of the path */
	json_t *body;

	/* waiting (rq_wait), on the list of a->waiting */
	struct rq *wnext, **wprev;
	struct event *timer;
	int (*poll)(struct rq *, int timed_out);
	int64_t deadline_ms;
	int interval_ms;
	uint64_t ticket;     /* of its run/ctl request (rb_ctl_issue) */
	uint64_t clear_base; /* DELETE /logs: clear_total when asked */
	json_t *resp;
	int status;

	/* a child at work for the request (h_feeds.c) */
	pid_t child;
	int child_fd;
	char *out;
	size_t out_len;
};

/* http.c: the listener, the order of checks, replies.  Every reply_*
 * sends the reply and frees r; j is taken, text borrowed. */
int http_start(struct apid *a, const char *addr, int port);
void http_stop_accepting(struct apid *a);
void http_free(struct apid *a);
void http_watch_run(struct apid *a);
void reply_json(struct rq *r, int status, json_t *j);
void reply_err(struct rq *r, const struct rb_err *e);
void reply_error(struct rq *r, int status, const char *code,
    const char *details);
void reply_text(struct rq *r, int status, const char *ctype, const char *text,
    size_t len);
/* Call poll(r, timed_out) every interval_ms until it returns 1; it must
 * reply (or wait anew) before returning 1, and must once timed_out. */
void rq_wait(struct rq *r, int (*poll)(struct rq *, int), int interval_ms,
    int timeout_ms);
/* Free r without replying: the caller has taken r->req (a stream). */
void rq_detach(struct rq *r);

/* routes.c */
const struct route *route_find(const char *path, int method, char *arg,
    size_t arglen, char *allow, size_t allowlen);
void h_help(struct rq *r);

/* h_lists.c */
void h_dns_list(struct rq *r);
void h_dns_add(struct rq *r);
void h_dns_del(struct rq *r);
void h_block_list(struct rq *r);
void h_block_add(struct rq *r);
void h_block_del(struct rq *r);
void h_allow_list(struct rq *r);
void h_allow_add(struct rq *r);
void h_allow_del(struct rq *r);

/* h_feeds.c */
void h_feeds_list(struct rq *r);
void h_feeds_presets(struct rq *r);
void h_feeds_add(struct rq *r);
void h_feeds_del(struct rq *r);
void h_feeds_update(struct rq *r);
void h_feed_update(struct rq *r);

/* h_stats.c */
void h_health(struct rq *r);
void h_stats(struct rq *r);
void h_metrics(struct rq *r);
void h_upstreams(struct rq *r);
void h_logs(struct rq *r);
void h_logs_clear(struct rq *r);
void h_stream(struct rq *r);
void sse_stop_all(struct apid *a);
int sse_init(struct apid *a);

/* h_admin.c */
void h_config(struct rq *r);
void h_reload(struct rq *r);
void h_rotate_key(struct rq *r);
void h_tls(struct rq *r);
void h_audit_tail(struct rq *r);
int apid_journal(struct apid *a, const char *event, json_t *fields,
    struct rb_err *e);

/* main.c: make c (taken) the running config. */
void apid_use_conf(struct apid *a, struct rb_conf *c);

#endif
