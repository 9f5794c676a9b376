/*
 * rb-apid: Runbound's REST API (doc/api.md) on 127.0.0.1:api-port and the
 * same paths under /api/.  An HTTP front over lib/: every write runs the
 * same transaction as the rb-* commands, every read the same JSON views.
 * One libevent loop, no threads; it talks to rb-dnsd only through files
 * (lib/stats/ctl).  See doc/rb-apid.md.
 *
 * Startup (lib/prog/daemon): options, config (exit 100 if bad), the loop,
 * API key (read before the privilege drop: api.key may be root's alone),
 * listener, privileges dropped to username:, readiness on -r FD (exit 111
 * when it cannot be written), loop.  SIGTERM/SIGINT: stop accepting, end
 * streams, finish requests in flight (5 s at most), exit 0.  SIGHUP:
 * re-read runbound.conf and api.key.
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
#include "state/txn.h"
#include "sys/ready.h"
#include "sys/root.h"

static struct apid apid;

void
apid_use_conf(struct apid *a, struct rb_conf *c)
{
	int slave = c->mode == RB_MODE_SLAVE;

	if (a->dm.conf != c && a->dm.conf->api_port != c->api_port)
		rb_warn("api-port %d takes effect at the next start",
		    c->api_port);
	if (a->dm.conf == c || slave != a->slave)
		rb_info("mode=%s%s", slave ? "slave" : "master",
		    slave ? ": writes answer 503 READ_ONLY" : "");
	if (a->dm.conf != c)
		rb_daemon_use_conf(&a->dm, c);
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
	if (rb_apikey_load(&k, a->dm.root, &e) < 0) {
		rb_warn("keeping the running API key: %s", e.details);
		return;
	}
	rb_apikey_set(&a->key, k.key, k.len);
	rb_apikey_wipe(&k);
}

static void
on_hup(struct rb_daemon *dm, void *arg)
{
	struct apid *a = arg;
	struct rb_conf *c = rb_daemon_config_again(dm);

	if (c == NULL)
		return;
	apid_use_conf(a, c);
	reload_key(a);
	rb_info("SIGHUP: reloaded runbound.conf and the API key");
}

/* SIGTERM: no new connections, streams ended; the requests in flight
 * (pending) finish within the skeleton's drain. */
static void
on_term(struct rb_daemon *dm, void *arg)
{
	struct apid *a = arg;

	http_stop_accepting(a);
	sse_stop_all(a);
}

static size_t
pending(void *arg)
{
	const struct apid *a = arg;

	return a->npending;
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

	if (rb_apikey_load(&a->key, a->dm.root, &e) < 0)
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
	/* rb-feed children (h_feeds.c) are reaped by the kernel. */
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		rb_die(111, "unable to ignore SIGCHLD");
	load_key(a);
	rate_limits(a);
	rb_ctl_init(&a->view, a->dm.root);
	a->start = (int64_t)time(NULL);
	if (sse_init(a) < 0)
		rb_die(111, "unable to set up the event loop");
}

/* Contract 3 at start, as rb-dnsd does: what the journal holds and the
 * store and data/ do not yet show (a crash, a full disk) is shown. */
static void
recover(struct apid *a)
{
	struct rb_err e = { 0 };

	if (rb_txn_recover(a->dm.root, &e) < 0)
		rb_warn("unable to bring the store up to date: %s", e.details);
}

int
main(int argc, char **argv)
{
	struct apid *a = &apid;
	struct rb_daemon_hooks hooks = { .stop = on_term,
		.reload = on_hup,
		.pending = pending,
		.arg = a };
	char addr[256], what[300];
	int port;

	a->run_ino = -1;
	rb_daemon_options(&a->dm, "rb-apid", argc, argv, NULL, 0, NULL, NULL);
	rb_daemon_config(&a->dm);
	apid_use_conf(a, a->dm.conf);
	rb_daemon_loop(&a->dm, &hooks);
	setup(a);
	if (listen_addr(a->dm.conf, addr, sizeof addr, &port) < 0)
		rb_die(100, "RB_API_LISTEN must be addr:port");
	if (http_start(a, addr, port) < 0)
		rb_die(111, "unable to listen on %s port %d: %s", addr, port,
		    strerror(errno));
	rb_info("listening on %s port %d conns=%zu", addr, port, a->conns.cap);
	rb_daemon_drop(&a->dm);
	recover(a);
	http_watch_run(a);
	snprintf(what, sizeof what, "listen=%s:%d", addr, port);
	rb_daemon_ready(&a->dm, what);
	rb_daemon_run(&a->dm);
	http_free(a);
	rb_ctl_fini(&a->view);
	rb_apikey_wipe(&a->key);
	return rb_daemon_exit(&a->dm);
}
