/*
 * h_stats: everything read from rb-dnsd's run/stats.shm (/health, /stats,
 * /metrics, /upstreams, /logs, /stats/stream) and the one write to it,
 * DELETE /logs, which rb-dnsd performs on request (lib/stats/ctl) because it is
 * the mapping's only writer.
 *
 * /stats/stream: every client is a chunked reply kept open; one timer a
 * second renders /stats once and sends it to all of them.  A client whose
 * unsent output passes 64 KiB is too slow and is dropped.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "apid.h"
#include "base/log.h"
#include "stats/json.h"
#include "stats/prom.h"

#define SSE_BACKLOG 65536

struct sse {
	struct apid *a;
	struct evhttp_request *req;
	struct rb_http_conn *conn;
	struct sse *prev, *next;
};

/* The mapping, or a 503 sent and NULL. */
static const struct rb_stats_shm *
stats_or_503(struct rq *r)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);

	if (s == NULL)
		reply_error(r, 503, "UNAVAILABLE", "rb-dnsd is not running");
	return s;
}

void
h_health(struct rq *r)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);
	int64_t now = (int64_t)time(NULL);
	struct rb_stats_shm snap;
	int up = s != NULL && rb_ctl_alive(s);

	/* A liveness probe of the API: 200 whether or not rb-dnsd runs. */
	if (s != NULL)
		rb_stats_snapshot(s, &snap);
	reply_json(r, 200,
	    json_pack("{s:s, s:I, s:I, s:b}", "status", "ok", "uptime_secs",
	        (json_int_t)(up ? now - snap.start_time : now - r->a->start),
	        "queries",
	        (json_int_t)(s != NULL ? snap.counters[RB_STAT_TOTAL] : 0),
	        "dns_running", up));
}

void
h_stats(struct rq *r)
{
	const struct rb_stats_shm *s = stats_or_503(r);

	if (s != NULL)
		reply_json(r, 200, rb_stats_json(s, (int64_t)time(NULL)));
}

void
h_metrics(struct rq *r)
{
	const struct rb_stats_shm *s = stats_or_503(r);
	json_t *j;
	char *text;
	size_t len = 0;

	if (s == NULL)
		return;
	j = rb_stats_json(s, (int64_t)time(NULL));
	text = j ? rb_stats_prom(j, &len) : NULL;
	json_decref(j);
	if (text == NULL) {
		reply_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
	    len);
	free(text);
}

void
h_upstreams(struct rq *r)
{
	const struct rb_stats_shm *s = stats_or_503(r);

	if (s != NULL)
		reply_json(r, 200, rb_stats_json_upstreams(s));
}

void
h_logs(struct rq *r)
{
	const struct rb_http_target *t = &r->tgt;
	struct rb_logs_query q;
	struct rb_err e = { 0 };
	const struct rb_stats_shm *s;

	if (rb_stats_json_logs_query(&q, rb_http_request_param(t, "limit"),
	        rb_http_request_param(t, "page"),
	        rb_http_request_param(t, "action"),
	        rb_http_request_param(t, "client"),
	        rb_http_request_param(t, "since"), &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if ((s = stats_or_503(r)) != NULL)
		reply_json(r, 200, rb_stats_json_logs(s, &q));
}

/* --- DELETE /logs --------------------------------------------------------*/

static int clear_poll(struct rq *r, int timed_out);

/* Whether a DELETE /logs asked before r still waits. */
static int
older_clear(const struct rq *r)
{
	for (const struct rq *o = r->a->waiting; o != NULL; o = o->wnext)
		if (o != r && o->poll == clear_poll && o->ticket < r->ticket)
			return 1;
	return 0;
}

static int
clear_poll(struct rq *r, int timed_out)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);
	struct rb_ctl_acks acks = { 0 };
	struct rb_err e = { 0 };
	uint64_t deleted;

	if (s != NULL)
		rb_ctl_acks(s, &acks);
	if (!rb_ctl_answers(&r->a->clears, r->ticket, acks.clear_done)) {
		if (!timed_out && s != NULL)
			return 0;
		reply_error(r, 503, "UNAVAILABLE",
		    "rb-dnsd did not clear the query log");
		return 1;
	}
	/* Overlapping requests may be answered by one clear, or by several
	 * in a row, and in any order: each reports what went and was not
	 * yet reported, so the audit trail adds up; what went before the
	 * oldest waiting request asked (another client's clear) is not
	 * ours. */
	if ((r->a->clear_counted < r->clear_base && !older_clear(r)) ||
	    r->a->clear_counted > acks.clear_total)
		r->a->clear_counted = r->clear_base; /* or rb-dnsd restarted */
	deleted = acks.clear_total >= r->a->clear_counted ?
	    acks.clear_total - r->a->clear_counted :
	    acks.clear_deleted;
	r->a->clear_counted = acks.clear_total;
	/* Done in memory: the audit trail records how much went. */
	if (apid_journal(r->a, "logs_clear",
	        json_pack("{s:I}", "entries_deleted", (json_int_t)deleted),
	        &e) < 0)
		rb_error("unable to journal logs_clear: %s", e.details);
	rb_info("query log cleared entries_deleted=%llu from=%s",
	    (unsigned long long)deleted, r->peer_text);
	reply_json(r, 200,
	    json_pack("{s:s, s:I}", "message", "log buffer cleared",
	        "entries_deleted", (json_int_t)deleted));
	return 1;
}

void
h_logs_clear(struct rq *r)
{
	const struct rb_stats_shm *s = stats_or_503(r);
	struct rb_err e = { 0 };

	if (s == NULL)
		return;
	if (!rb_ctl_alive(s)) {
		reply_error(r, 503, "UNAVAILABLE", "rb-dnsd is not running");
		return;
	}
	{
		struct rb_ctl_acks acks;

		rb_ctl_acks(s, &acks);
		r->clear_base = acks.clear_total;
	}
	if (rb_ctl_issue(&r->a->clears, r->a->dm.root, "clear-logs", &r->ticket,
	        &e) < 0) {
		reply_err(r, &e);
		return;
	}
	rq_wait(r, clear_poll, APID_POLL_MS, APID_WAIT_MS);
}

/* --- /stats/stream ---------------------------------------------------- */

static void
sse_unlink(struct apid *a, struct sse *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		a->sse = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	a->nsse--;
	if (a->nsse == 0)
		evtimer_del(a->sse_tick);
}

/* End a stream from our side (slow client, shutdown). */
static void
sse_end(struct apid *a, struct sse *s)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(s->req);

	sse_unlink(a, s);
	rb_http_conns_on_close(s->conn, NULL, NULL);
	if (evcon != NULL) /* back to an ordinary keep-alive connection */
		evhttp_connection_set_timeout(evcon, APID_TIMEOUT);
	evhttp_send_reply_end(s->req);
	free(s);
}

/* The connection's close hook (lib/http/conns): the client went away. */
static void
sse_closed(void *arg)
{
	struct sse *s = arg;

	sse_unlink(s->a, s);
	/* Failed connections let go of the request first; we own it then.
	 * Otherwise evhttp frees it with the connection. */
	if (evhttp_request_get_connection(s->req) == NULL)
		evhttp_send_reply_end(s->req);
	free(s);
}

void
sse_stop_all(struct apid *a)
{
	while (a->sse != NULL)
		sse_end(a, a->sse);
}

static void
sse_send(struct apid *a, struct sse *s, const char *text, size_t len)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(s->req);
	struct evbuffer *b;

	if (evcon == NULL ||
	    evbuffer_get_length(bufferevent_get_output(
	        evhttp_connection_get_bufferevent(evcon))) > SSE_BACKLOG) {
		rb_info("dropping a slow stats stream client");
		sse_end(a, s);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		return;
	evbuffer_add(b, text, len);
	evhttp_send_reply_chunk(s->req, b);
	evbuffer_free(b);
}

/* The next event: "data: {...}\n\n", or a comment while rb-dnsd is away.
 * Caller frees. */
static char *
sse_event(struct apid *a, size_t *len)
{
	const struct rb_stats_shm *shm = rb_ctl_stats(&a->view);
	json_t *j = shm ? rb_stats_json(shm, (int64_t)time(NULL)) : NULL;
	char *body = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10)) :
	                 NULL,
	     *out = NULL;
	int n;

	json_decref(j);
	n = body ? asprintf(&out, "data: %s\n\n", body) :
	           asprintf(&out, ": rb-dnsd is not running\n\n");
	free(body);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return out;
}

static void
sse_tick(evutil_socket_t fd, short what, void *arg)
{
	struct apid *a = arg;
	struct sse *s, *next;
	size_t len = 0;
	char *ev = sse_event(a, &len);

	if (ev == NULL)
		return;
	for (s = a->sse; s != NULL; s = next) {
		next = s->next;
		sse_send(a, s, ev, len);
	}
	free(ev);
}

int
sse_init(struct apid *a)
{
	a->sse_tick = event_new(a->dm.base, -1, EV_PERSIST, sse_tick, a);
	return a->sse_tick ? 0 : -1;
}

void
h_stream(struct rq *r)
{
	struct apid *a = r->a;
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	struct timeval sec = { 1, 0 };
	struct rb_http_conn *c = evcon ? rb_http_conns_of(&a->conns, evcon) :
	                                 NULL;
	struct sse *s;
	size_t len = 0;
	char *ev;

	if (stats_or_503(r) == NULL)
		return;
	if (r->head) {
		reply_text(r, 200, "text/event-stream", "", 0);
		return;
	}
	if (a->nsse >= APID_SSE_MAX || a->conns.draining || c == NULL ||
	    (s = calloc(1, sizeof *s)) == NULL) {
		reply_error(r, 503, "UNAVAILABLE", "too many stream clients");
		return;
	}
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	/* A stream is idle on the read side for as long as it lasts. */
	evhttp_connection_set_timeout(evcon, 0);
	evhttp_send_reply_start(r->req, 200, NULL);
	s->a = a;
	s->req = r->req;
	s->conn = c;
	s->next = a->sse;
	if (a->sse != NULL)
		a->sse->prev = s;
	a->sse = s;
	if (a->nsse++ == 0)
		evtimer_add(a->sse_tick, &sec);
	rb_http_conns_on_close(c, sse_closed, s);
	rq_detach(r);
	if ((ev = sse_event(a, &len)) != NULL) {
		sse_send(a, s, ev, len);
		free(ev);
	}
}
