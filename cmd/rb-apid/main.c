/*
 * rb-apid: Runbound's REST API (doc/api.md) on 127.0.0.1:api-port and the
 * same paths under /api/.  An HTTP front over lib/: every write runs the
 * same transaction as the rb-* commands, every read the same JSON views.
 * One libevent loop, no threads; it talks to rb-dnsd only through files
 * (lib/stats/ctl).  See doc/rb-apid.md.
 *
 * Startup: options, config (exit 100 if bad), API key, listener, readiness
 * on -r FD, loop.  SIGTERM/SIGINT: stop accepting, end streams, finish
 * requests in flight (5 s at most), exit 0.  SIGHUP: re-read runbound.conf
 * and api.key.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "base/log.h"
#include "sys/ready.h"
#include "sys/root.h"
#include "state/txn.h"

#define DRAIN_MS 5000

static struct apid apid;
static struct event *drain_ev;
static int64_t drain_deadline;

static int
usage(void)
{
	fputs("usage: rb-apid [-d ROOT] [-r FD] [-v]\n", stderr);
	return 100;
}

void
apid_use_conf(struct apid *a, struct rb_conf *c)
{
	int slave = c->mode == RB_MODE_SLAVE;

	if (a->conf != NULL && a->conf->api_port != c->api_port)
		rb_warn("api-port %d takes effect at the next start",
		    c->api_port);
	if (a->conf == NULL || slave != a->slave)
		rb_info("mode=%s%s", slave ? "slave" : "master",
		    slave ? ": writes answer 503 READ_ONLY" : "");
	rb_conf_free(a->conf);
	a->conf = c;
	a->slave = slave;
}

/* The key again, unless it came from the environment (which cannot
 * change under a running process). */
static void
reload_key(struct apid *a)
{
	struct rb_apikey k;
	struct rb_err e = { 0 };

	if (a->key.source == RB_APIKEY_ENV)
		return;
	if (rb_apikey_load(&k, a->root, &e) < 0) {
		rb_warn("keeping the running API key: %s", e.details);
		return;
	}
	rb_apikey_set(&a->key, k.key, k.len);
	rb_apikey_wipe(&k);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct apid *a = arg;
	struct rb_err e = { 0 };
	struct rb_conf *c = rb_txn_load_conf(a->root, &e);

	if (c == NULL) {
		rb_warn("SIGHUP: keeping the running config: %s", e.details);
		return;
	}
	apid_use_conf(a, c);
	reload_key(a);
	rb_info("SIGHUP: reloaded runbound.conf and the API key");
}

static void
drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct apid *a = arg;
	struct timeval tv = { 0, 50000 };

	if (a->npending > 0 && rb_clock_ms() < drain_deadline) {
		evtimer_add(drain_ev, &tv);
		return;
	}
	if (a->npending > 0)
		rb_warn("exiting with %zu requests unanswered", a->npending);
	/* One more turn so the last replies leave their buffers. */
	event_base_loopexit(a->base, &tv);
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	struct apid *a = arg;
	struct timeval now = { 0, 0 };

	if (a->conns.draining)
		return;
	rb_info("signal %d: finishing requests in flight", (int)sig);
	http_stop_accepting(a);
	sse_stop_all(a);
	drain_deadline = rb_clock_ms() + DRAIN_MS;
	evtimer_add(drain_ev, &now);
}

/* RB_API_LISTEN=addr:port ("[::1]:port" for IPv6) overrides
 * 127.0.0.1:api-port. */
static int
listen_addr(const struct rb_conf *c, char *addr, size_t len, int *port)
{
	const char *env = getenv("RB_API_LISTEN"), *colon;
	char *end;
	long p;

	*port = c->api_port;
	if (env == NULL || *env == '\0') {
		snprintf(addr, len, "127.0.0.1");
		return 0;
	}
	if ((colon = strrchr(env, ':')) == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	if (env[0] == '[' && colon > env + 1 && colon[-1] == ']')
		snprintf(addr, len, "%.*s", (int)(colon - env - 2), env + 1);
	else
		snprintf(addr, len, "%.*s", (int)(colon - env), env);
	*port = (int)p;
	return 0;
}

static void
load_key(struct apid *a)
{
	struct rb_err e = { 0 };

	if (rb_apikey_load(&a->key, a->root, &e) < 0)
		rb_die(e.kind == RB_ERR_INVALID ? 100 : 111, "API key: %s",
		    e.details);
	if (a->key.source == RB_APIKEY_NEW)
		rb_warn("no API key was set: generated a new one in api.key "
		        "(mode 0600)");
	if (a->key.loose_mode)
		rb_warn("api.key is readable by group or others: chmod 600 "
		        "api.key");
	if (a->key.len < RB_APIKEY_MIN)
		rb_warn("the API key is shorter than %d characters",
		    RB_APIKEY_MIN);
}

/* RB_API_RATELIMIT=qps[,burst] replaces Runbound's 30,60 (0 turns the
 * per-client limit off: for benchmarks, doc/rb-apid.md). */
static void
rate_limits(struct apid *a)
{
	const char *env = getenv("RB_API_RATELIMIT");
	long qps = 30, burst = 60;
	char *end;

	if (env != NULL && *env != '\0') {
		qps = strtol(env, &end, 10);
		burst = *end == ',' ? strtol(end + 1, &end, 10) :
		    qps > 0         ? 2 * qps :
		                      1;
		if (*end != '\0' || qps < 0 || burst < 1)
			rb_die(100, "RB_API_RATELIMIT must be qps[,burst]");
		rb_warn("RB_API_RATELIMIT: rate limit qps=%ld burst=%ld", qps,
		    burst);
	}
	if (rb_ratelimit_init(&a->rl, 4096, qps, burst) < 0 ||
	    rb_ratelimit_init(&a->rl_reload, 1, 2, 2) < 0)
		rb_die(111, "out of memory");
}

static void
setup(struct apid *a)
{
	struct event *ev;
	struct rb_err e = { 0 };
	struct rb_conf *c;

	if ((c = rb_txn_load_conf(a->root, &e)) == NULL)
		rb_die(100, "%s", e.details);
	apid_use_conf(a, c);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		rb_die(111, "unable to ignore SIGPIPE");
	/* rb-feed children (h_feeds.c) are reaped by the kernel. */
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		rb_die(111, "unable to ignore SIGCHLD");
	load_key(a);
	rate_limits(a);
	rb_ctl_init(&a->view, a->root);
	a->start = (int64_t)time(NULL);
	if ((a->base = event_base_new()) == NULL ||
	    event_base_priority_init(a->base, 2) < 0 || sse_init(a) < 0 ||
	    (drain_ev = evtimer_new(a->base, drain_tick, a)) == NULL)
		rb_die(111, "unable to set up the event loop");
	if ((ev = evsignal_new(a->base, SIGTERM, on_term, a)) == NULL ||
	    event_add(ev, NULL) < 0 ||
	    (ev = evsignal_new(a->base, SIGINT, on_term, a)) == NULL ||
	    event_add(ev, NULL) < 0 ||
	    (ev = evsignal_new(a->base, SIGHUP, on_hup, a)) == NULL ||
	    event_add(ev, NULL) < 0)
		rb_die(111, "unable to set up signal handling");
}

int
main(int argc, char **argv)
{
	struct apid *a = &apid;
	const char *opt_root = NULL;
	int c, verbose = 0, ready_fd = -1, port;
	char addr[256];

	while ((c = getopt(argc, argv, "d:r:vh")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'r':
			if ((ready_fd = rb_ready_parse(optarg)) < 0)
				rb_die(100,
				    "-r %s: not an open file descriptor",
				    optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	rb_log_init("rb-apid", verbose);
	if (rb_root_resolve(opt_root, a->root, sizeof a->root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
	setup(a);
	if (listen_addr(a->conf, addr, sizeof addr, &port) < 0)
		rb_die(100, "RB_API_LISTEN must be addr:port");
	if (http_start(a, addr, port) < 0)
		rb_die(111, "unable to listen on %s port %d: %s", addr, port,
		    strerror(errno));
	rb_info("listening on %s port %d conns=%zu", addr, port, a->conns.cap);
	if (rb_ready_announce(&ready_fd) < 0)
		rb_warn("readiness: %s", strerror(errno));
	event_base_loop(a->base, EVLOOP_NO_EXIT_ON_EMPTY);
	http_free(a);
	rb_ctl_fini(&a->view);
	rb_apikey_wipe(&a->key);
	rb_info("exiting");
	return 0;
}
