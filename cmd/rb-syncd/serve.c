/*
 * serve: the master's endpoints (doc/sync.md).
 *
 * Order of checks: request-target, route (404), method (405), then
 * GET /sync/cert alone answers without the key (rate-limited per source,
 * 429); everything else needs "Authorization: Bearer <sync-key>", compared
 * in constant time as SHA-256 digests (401, logged, spooled for the audit
 * log, and nothing else said).
 *
 * Long polls: a delta with nothing new and wait=S becomes a waiter, held
 * until the journal watch reports a change that gives it events, or S
 * seconds pass (at most RB_SYNC_WAIT_MAX), then answered like any delta.
 * A snapshot that meets a writer holding the store lock waits the same
 * way, retried every BUSY_RETRY_MS.  A waiter's connection may close
 * first: evhttp then detaches the request and calls our close callback,
 * which answers it (freeing it) and forgets it, so no timer ever touches
 * a freed request.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit/spool.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/uuid.h"
#include "http/request.h"
#include "http/reply.h"
#include "http/status.h"
#include "sync/source.h"

#include "master.h"

enum wkind { W_DELTA, W_SNAPSHOT };

struct waiter {
	struct master *m;
	struct evhttp_request *req;
	struct rb_http_conn *conn; /* its connection, while it lasts */
	enum wkind kind;
	uint64_t since;
	char epoch[RB_SYNC_EPOCH_LEN]; /* "" when the slave sent none */
	int64_t deadline;              /* monotonic ms */
	struct event *timer;
	struct waiter *prev, *next;
};

/* --- replies ---------------------------------------------------------- */

static void
reply_error(struct evhttp_request *req, int status, const char *code,
    const char *details)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (status == 401)
		evhttp_add_header(h, "WWW-Authenticate",
		    "Bearer realm=\"runbound-sync\"");
	if (status == 429)
		evhttp_add_header(h, "Retry-After", "60");
	if (status == 405)
		evhttp_add_header(h, "Allow", "GET, HEAD");
	rb_http_reply_json(req, status,
	    rb_http_reply_error_body(code, details));
}

static void
reply_err(struct evhttp_request *req, const struct rb_err *e)
{
	int status = rb_http_status(e);

	if (status >= 500)
		rb_error("%s: %s", e->code ? e->code : "INTERNAL_ERROR",
		    e->details);
	reply_error(req, status, e->code ? e->code : "INTERNAL_ERROR",
	    status >= 500 ? "internal error" : e->details);
}

/* --- waiters ---------------------------------------------------------- */

static void
waiter_forget(struct waiter *w)
{
	struct master *m = w->m;

	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		m->waiters = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	m->nwaiters--;
	if (w->conn != NULL)
		rb_http_conns_on_close(w->conn, NULL, NULL);
	event_free(w->timer);
	free(w);
}

static int try_delta(struct master *m, struct evhttp_request *req,
    uint64_t since, const char *epoch, int final);
static int try_snapshot(struct master *m, struct evhttp_request *req,
    int final);

/* Answer w if it can be (or must be: final); 1 when answered. */
static int
waiter_try(struct waiter *w, int final)
{
	int done = w->kind == W_DELTA ?
	    try_delta(w->m, w->req, w->since, w->epoch[0] ? w->epoch : NULL,
	        final) :
	    try_snapshot(w->m, w->req, final);

	if (done)
		waiter_forget(w);
	return done;
}

static void
waiter_tick(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *w = arg;
	int64_t left = w->deadline - rb_clock_ms();
	struct timeval tv = { 0, BUSY_RETRY_MS * 1000 };

	if (waiter_try(w, left <= 0))
		return;
	if (w->kind == W_DELTA) {
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
	}
	evtimer_add(w->timer, &tv);
}

/* The client went away.  A request evhttp detached is ours, and a reply
 * frees it; one still attached goes with the connection. */
static void
waiter_closed(void *arg)
{
	struct waiter *w = arg;

	w->conn = NULL;
	if (evhttp_request_get_connection(w->req) == NULL)
		evhttp_send_reply(w->req, 200, NULL, NULL);
	waiter_forget(w);
}

static void
waiter_add(struct master *m, struct evhttp_request *req, enum wkind kind,
    uint64_t since, const char *epoch, int wait_s)
{
	struct waiter *w = calloc(1, sizeof *w);
	struct evhttp_connection *evcon;
	struct timeval tv = { kind == W_DELTA ? wait_s : 0,
		kind == W_DELTA ? 0 : BUSY_RETRY_MS * 1000 };

	if (w == NULL ||
	    (w->timer = evtimer_new(m->d->dm.base, waiter_tick, w)) == NULL) {
		free(w);
		reply_error(req, 503, "UNAVAILABLE", "out of memory");
		return;
	}
	w->m = m;
	w->req = req;
	w->kind = kind;
	w->since = since;
	snprintf(w->epoch, sizeof w->epoch, "%s", epoch ? epoch : "");
	w->deadline = rb_clock_ms() +
	    (kind == W_DELTA ? wait_s * 1000 : BUSY_GIVEUP_MS);
	if ((evcon = evhttp_request_get_connection(req)) != NULL &&
	    (w->conn = rb_http_conns_of(&m->conns, evcon)) != NULL)
		rb_http_conns_on_close(w->conn, waiter_closed, w);
	w->next = m->waiters;
	if (m->waiters != NULL)
		m->waiters->prev = w;
	m->waiters = w;
	m->nwaiters++;
	evtimer_add(w->timer, &tv);
}

void
serve_wake(struct master *m)
{
	struct waiter *w = m->waiters, *next;

	for (; w != NULL; w = next) {
		next = w->next;
		if (w->kind == W_DELTA)
			(void)waiter_try(w, 0);
	}
}

void
serve_flush(struct master *m)
{
	while (m->waiters != NULL)
		(void)waiter_try(m->waiters, 1);
}

/* --- endpoints -------------------------------------------------------- */

/* 1 when answered; 0 when nothing is new yet and the caller may wait. */
static int
try_delta(struct master *m, struct evhttp_request *req, uint64_t since,
    const char *epoch, int final)
{
	struct rb_err e = { 0 };
	json_t *out = NULL;
	int r = rb_sync_source_delta(m->d->dm.root, since, epoch,
	    RB_SYNC_DELTA_EVENTS, &out, &e);

	if (r < 0 && e.kind == RB_ERR_NOT_FOUND) {
		master_reinit_journal(m);
		memset(&e, 0, sizeof e);
		r = rb_sync_source_delta(m->d->dm.root, since, epoch,
		    RB_SYNC_DELTA_EVENTS, &out, &e);
	}
	if (r < 0) {
		reply_err(req, &e);
		return 1;
	}
	if (r == RB_SYNC_GONE) {
		reply_error(req, 410, "TOO_FAR_BEHIND",
		    "the events after "
		    "since are not in this journal (pruned, or another epoch): "
		    "take a full snapshot from /sync/config");
		return 1;
	}
	if (!final && json_array_size(json_object_get(out, "events")) == 0) {
		json_decref(out);
		return 0;
	}
	rb_http_reply_json(req, 200, out);
	return 1;
}

static int
try_snapshot(struct master *m, struct evhttp_request *req, int final)
{
	struct rb_err e = { 0 };
	json_t *out = NULL;
	int r = rb_sync_source_snapshot(m->d->dm.root, 1, &out, &e);

	if (r < 0 && e.kind == RB_ERR_NOT_FOUND) {
		master_reinit_journal(m);
		memset(&e, 0, sizeof e);
		r = rb_sync_source_snapshot(m->d->dm.root, 1, &out, &e);
	}
	if (r == RB_SYNC_BUSY && !final)
		return 0;
	if (r == RB_SYNC_BUSY)
		reply_error(req, 503, "BUSY",
		    "a write held the store too long");
	else if (r < 0)
		reply_err(req, &e);
	else
		rb_http_reply_json(req, 200, out);
	return 1;
}

static void
h_delta(struct master *m, struct evhttp_request *req,
    const struct rb_http_target *t)
{
	const char *since_s = rb_http_request_param(t, "since");
	const char *wait_s = rb_http_request_param(t, "wait");
	const char *epoch = rb_http_request_param(t, "epoch");
	uint64_t since, wait = 0;

	if (since_s == NULL || rb_sync_proto_parse_u64(since_s, &since) < 0) {
		reply_error(req, 400, "INVALID_PARAM", "since must be a seq");
		return;
	}
	if (wait_s != NULL && rb_sync_proto_parse_u64(wait_s, &wait) < 0) {
		reply_error(req, 400, "INVALID_PARAM", "wait must be seconds");
		return;
	}
	if (epoch != NULL &&
	    (strlen(epoch) >= RB_SYNC_EPOCH_LEN || !rb_uuid_valid(epoch))) {
		reply_error(req, 400, "INVALID_PARAM", "epoch must be a UUID");
		return;
	}
	if (wait > RB_SYNC_WAIT_MAX)
		wait = RB_SYNC_WAIT_MAX;
	if (m->conns.draining)
		wait = 0;
	if (try_delta(m, req, since, epoch, wait == 0))
		return;
	waiter_add(m, req, W_DELTA, since, epoch, (int)wait);
}

static void
h_state(struct master *m, struct evhttp_request *req, const char *peer)
{
	struct rb_sync_head h;
	struct rb_err e = { 0 };

	if (rb_sync_source_head(m->d->dm.root, &h, &e) < 0 &&
	    e.kind == RB_ERR_NOT_FOUND) {
		master_reinit_journal(m);
		memset(&e, 0, sizeof e);
		(void)rb_sync_source_head(m->d->dm.root, &h, &e);
	}
	if (e.code != NULL) {
		reply_err(req, &e);
		return;
	}
	rb_debug("slave %s asked for the state: seq=%llu", peer,
	    (unsigned long long)h.seq);
	rb_http_reply_json(req, 200,
	    json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)h.seq, "epoch",
	        h.epoch, "oldest", (json_int_t)h.oldest));
}

static void
h_config(struct master *m, struct evhttp_request *req, const char *peer)
{
	rb_info("full snapshot requested by %s", peer);
	if (!try_snapshot(m, req, 0))
		waiter_add(m, req, W_SNAPSHOT, 0, NULL, 0);
}

/* GET /sync/feedset/:id and /sync/zones/:id: the file, with its SHA-256 in
 * X-Runbound-SHA256. */
static void
h_file(struct master *m, struct evhttp_request *req, const char *id, int zones)
{
	struct rb_err e = { 0 };
	char hex[65];
	uint64_t size;
	int fd = zones ?
	    rb_sync_source_zones_open(m->d->dm.root, id, hex, &size, &e) :
	    rb_sync_source_feed_open(m->d->dm.root, id, hex, &size, &e);
	struct evbuffer *b = evhttp_request_get_output_buffer(req);

	if (fd < 0) {
		reply_err(req, &e);
		return;
	}
	rb_http_reply_headers(req, "application/octet-stream");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "X-Runbound-SHA256", hex);
	if (size > 0 && evbuffer_add_file(b, fd, 0, (ev_off_t)size) < 0) {
		close(fd);
		evbuffer_drain(b, evbuffer_get_length(b));
		reply_error(req, 500, "INTERNAL_ERROR", "internal error");
		return;
	}
	if (size == 0)
		close(fd);
	evhttp_send_reply(req, 200, NULL, NULL);
}

/* --- /sync/cert rate limit and the key -------------------------------- */

static int
cert_rate_ok(struct master *m, const struct rb_ipaddr *ip)
{
	uint32_t hsh = 2166136261u;
	struct rate_slot *s;
	int64_t now = (int64_t)time(NULL);

	for (size_t i = 0; i < sizeof ip->b; i++)
		hsh = (hsh ^ ip->b[i]) * 16777619u;
	s = &m->rate[hsh % RATE_SLOTS];
	if (memcmp(&s->ip, ip, sizeof *ip) != 0 ||
	    now - s->start >= CERT_WINDOW) {
		s->ip = *ip;
		s->start = now;
		s->n = 0;
	}
	return ++s->n <= CERT_RATE;
}

void
serve_set_key(struct master *m, const char *key)
{
	unsigned int n = 0;

	if (EVP_Digest(key, strlen(key), m->key_md, &n, EVP_sha256(), NULL) !=
	        1 ||
	    n != sizeof m->key_md)
		rb_die(111, "unable to hash the sync key");
}

static int
authorized(struct master *m, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(
	                                       req),
	    "Authorization");
	unsigned char md[32];
	unsigned int n = 0;
	const char *tok;
	size_t len;

	if (rb_http_request_bearer(h, &tok, &len) < 0 ||
	    EVP_Digest(tok, len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != sizeof md)
		return 0;
	return CRYPTO_memcmp(md, m->key_md, sizeof md) == 0;
}

static void
spool_failure(struct master *m, const char *path)
{
	int64_t sec = (int64_t)time(NULL);
	struct rb_err e = { 0 };
	json_t *f;

	if (sec != m->spool_sec) {
		m->spool_sec = sec;
		m->spool_n = 0;
	}
	if (m->spool_n++ >= SPOOL_PER_SEC)
		return; /* bounded: each event costs two fsyncs */
	f = json_pack("{s:s, s:s}", "path", path, "daemon", "rb-syncd");
	if (f == NULL ||
	    rb_audit_spool_event(m->d->dm.root, "auth_failure", f, &e) < 0)
		rb_warn("unable to spool auth_failure: %s", e.details);
	json_decref(f);
}

static void
unauthorized(struct master *m, struct evhttp_request *req, const char *peer,
    const char *path)
{
	m->auth_failures++;
	if (m->auth_failures == 1 || m->auth_failures % 10 == 0)
		rb_warn("bad sync key from %s path=%s failures=%llu", peer,
		    path, (unsigned long long)m->auth_failures);
	spool_failure(m, path);
	reply_error(req, 401, "UNAUTHORIZED", NULL);
}

/* --- dispatch --------------------------------------------------------- */

static void
peer_of(struct evhttp_request *req, struct rb_ipaddr *ip, char *text,
    size_t len)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *host = NULL;
	ev_uint16_t port = 0;

	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &host, &port);
	if (host == NULL || rb_ipaddr_parse(host, ip) < 0)
		memset(ip, 0, sizeof *ip);
	if (rb_ipaddr_to_text(ip, text, len) < 0)
		snprintf(text, len, "?");
}

enum route { R_NONE, R_CERT, R_STATE, R_CONFIG, R_DELTA, R_FEED, R_ZONES };

static enum route
route_of(const char *path, char *id, size_t idlen)
{
	if (strcmp(path, "/sync/cert") == 0)
		return R_CERT;
	if (strcmp(path, "/sync/state") == 0)
		return R_STATE;
	if (strcmp(path, "/sync/config") == 0)
		return R_CONFIG;
	if (strcmp(path, "/sync/delta") == 0)
		return R_DELTA;
	if (rb_http_request_route_match("/sync/feedset/:id", path, id, idlen))
		return R_FEED;
	if (rb_http_request_route_match("/sync/zones/:id", path, id, idlen))
		return R_ZONES;
	return R_NONE;
}

void
serve_request(struct evhttp_request *req, void *arg)
{
	static struct rb_http_target t; /* one request at a time: the loop */
	struct master *m = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct rb_err e = { 0 };
	struct rb_ipaddr ip;
	char peer[RB_IPADDR_TEXT], id[80], path[256];
	enum route r;
	int method = evhttp_request_get_command(req);

	rb_http_conns_request(&m->conns, req); /* answered: a new deadline */
	peer_of(req, &ip, peer, sizeof peer);
	if (rb_http_request_target_parse(&t, uri, strlen(uri), &e) < 0) {
		reply_err(req, &e);
		return;
	}
	rb_http_request_printable(path, sizeof path, t.path, strlen(t.path));
	if ((r = route_of(t.path, id, sizeof id)) == R_NONE) {
		reply_error(req, 404, "NOT_FOUND", "no such endpoint");
		return;
	}
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		reply_error(req, 405, "METHOD_NOT_ALLOWED", "GET only");
		return;
	}
	if (r == R_CERT) {
		if (!cert_rate_ok(m, &ip))
			reply_error(req, 429, "RATE_LIMITED",
			    "10 requests per "
			    "60 s per source");
		else
			rb_http_reply_json(req, 200,
			    json_pack("{s:s}", "fingerprint", m->tls.fp));
		return;
	}
	if (!authorized(m, req)) {
		unauthorized(m, req, peer, path);
		return;
	}
	if (r == R_STATE)
		h_state(m, req, peer);
	else if (r == R_CONFIG)
		h_config(m, req, peer);
	else if (r == R_DELTA)
		h_delta(m, req, &t);
	else
		h_file(m, req, id, r == R_ZONES);
}
