/*
 * rb-dnsd: the DNS server (doc/rb-dnsd.md).  main runs the daemon
 * skeleton's steps (lib/prog/daemon, the startup order of STYLE.md):
 * options, config (exit 100 when invalid), the loop, sockets, privileges,
 * data, readiness; then the loop until SIGTERM, which stops accepting and
 * lets TCP replies and forwarded queries finish (5 s at most).  Signals
 * arrive as events of the skeleton, data changes through inotify, and a
 * 1 s tick closes idle TCP connections, times out forwarded queries and
 * drives the upstream probes.  Nothing in the loop allocates.
 */

#include <sys/epoll.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/path.h"
#include "state/txn.h"

#include "dnsd.h"

#define RATE_SLOTS 65536

static struct dnsd d;

/* libevent's readiness as the EPOLLIN and EPOLLOUT bits watches take. */
static void
watch_event(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;

	w->cb(&d, w,
	    ((what & EV_READ) ? EPOLLIN : 0) |
	        ((what & EV_WRITE) ? EPOLLOUT : 0));
}

int
watch_add(struct dnsd *dd, struct watch *w, uint32_t events)
{
	short what = EV_PERSIST | ((events & EPOLLIN) ? EV_READ : 0) |
	    ((events & EPOLLOUT) ? EV_WRITE : 0);

	if (w->ev == NULL)
		w->ev = event_new(dd->dm.base, w->fd, what, watch_event, w);
	else if (event_assign(w->ev, dd->dm.base, w->fd, what, watch_event, w) <
	    0)
		return -1;
	if (w->ev == NULL)
		return -1;
	/* Nothing wanted: registered, and silent until watch_mod. */
	return events == 0 ? 0 : event_add(w->ev, NULL);
}

int
watch_mod(struct dnsd *dd, struct watch *w, uint32_t events)
{
	watch_del(dd, w);
	return watch_add(dd, w, events);
}

int
watch_init(struct dnsd *dd, struct watch *w)
{
	w->ev = event_new(dd->dm.base, -1, 0, watch_event, w);
	return w->ev == NULL ? -1 : 0;
}

void
watch_del(struct dnsd *dd, struct watch *w)
{
	/* Fails only for an event never added: nothing to undo. */
	if (w->ev != NULL)
		(void)event_del(w->ev);
}

/* SIGTERM: listening sockets closed, TCP connections finish what they
 * owe; UDP sockets stay for the forwarded replies still due. */
static void
on_stop(struct rb_daemon *dm, void *arg)
{
	struct dnsd *dd = arg;

	for (size_t i = 0; i < dd->nsocks; i++) {
		watch_del(dd, &dd->socks[i].w);
		if (!dd->socks[i].tcp)
			continue;
		/* Nothing was written through it: close cannot lose data. */
		(void)close(dd->socks[i].w.fd);
		dd->socks[i].w.fd = -1;
	}
	tcp_stop(dd);
}

static size_t
in_flight(void *arg)
{
	const struct dnsd *dd = arg;

	return dd->tcp_count + rb_forward_pending(dd->fwd);
}

static void
on_hup(struct rb_daemon *dm, void *arg)
{
	setup_reload_conf(arg);
}

static void
on_child(struct rb_daemon *dm, void *arg)
{
	xfr_reap(arg);
}

static void
tick_event(evutil_socket_t fd, short what, void *arg)
{
	struct dnsd *dd = arg;

	account_clock(dd);
	tcp_sweep(dd, now_ns());
	rb_forward_tick(dd->fwd, now_ns());
	probe_tick(dd, now_ns());
	if (dd->reload_pending)
		setup_reload_data(dd);
}

static void
start_tick(struct dnsd *dd)
{
	struct timeval every = { 1, 0 };

	if ((dd->tick = event_new(dd->dm.base, -1, EV_PERSIST, tick_event,
	         dd)) == NULL ||
	    event_add(dd->tick, &every) < 0)
		rb_die(111, "unable to start the timer");
}

/* File names under the state root. */
static void
paths(struct dnsd *dd)
{
	if (rb_path(dd->conf_path, sizeof dd->conf_path, "%s/runbound.conf",
	        dd->dm.root) < 0 ||
	    rb_path(dd->data_dir, sizeof dd->data_dir, "%s/data", dd->dm.root) <
	        0 ||
	    rb_path(dd->feeds_dir, sizeof dd->feeds_dir, "%s/feeds",
	        dd->dm.root) < 0)
		rb_die(100, "state root path too long");
}

/* What needs no privilege: the tables sized once from the config. */
static void
prepare(struct dnsd *dd)
{
	dd->wd_root = dd->wd_data = dd->wd_feeds = -1;
	rb_acl_init(&dd->acl);
	rb_tcplimit_init(&dd->tcl);
	if (xfr_init(dd) < 0)
		rb_die(111, "unable to find the directory of rb-dnsd's binary");
	if (rb_ratelimit_init(&dd->rl, RATE_SLOTS, 0, 0) < 0)
		rb_die(111, "out of memory");
	if (setup_apply_conf(dd, dd->dm.conf) < 0)
		exit(100);
	/* The slot table is sized once: a new value needs a restart. */
	dd->tcp_max = (size_t)dd->dm.conf->incoming_num_tcp;
	if (tcp_init(dd) < 0)
		rb_die(111, "unable to set up: %s", strerror(errno));
}

/* After the privilege drop: the data, the watches, the children. */
static void
serve_data(struct dnsd *dd)
{
	struct rb_err e = { 0 };

	/* Contract 3: a write the journal holds and data/ does not yet
	 * show (a crash, a full disk) is shown before the first answer. */
	if (rb_txn_recover(dd->dm.root, &e) < 0)
		rb_warn("unable to bring data/ up to date: %s (serving what "
		        "it holds)",
		    e.details);
	setup_map_data(dd);
	account_data(dd);
	xfr_notify(dd, 1);
	if (setup_inotify(dd) < 0)
		rb_die(111, "unable to watch %s: %s", dd->data_dir,
		    strerror(errno));
	if (account_watch(dd) < 0)
		rb_warn("unable to watch %s: %s (control requests will not be "
		        "served)",
		    dd->ctl_dir, strerror(errno));
	start_tick(dd);
	if (probe_init(dd) < 0)
		rb_die(111, "unable to start upstream probes");
}

int
main(int argc, char **argv)
{
	struct rb_daemon_hooks hooks = { .stop = on_stop,
		.reload = on_hup,
		.child = on_child,
		.pending = in_flight,
		.arg = &d };
	char what[64];

	rb_daemon_options(&d.dm, "rb-dnsd", argc, argv, NULL, 0, NULL, NULL);
	paths(&d);
	rb_daemon_config(&d.dm);
	rb_daemon_loop(&d.dm, &hooks);
	prepare(&d);
	listen_all(&d, d.dm.conf);
	if (account_init(&d) < 0)
		rb_die(111, "unable to create %s/run: %s", d.dm.root,
		    strerror(errno));
	if (serve_forward_init(&d) < 0)
		rb_die(111, "unable to set up forwarding");
	rb_daemon_drop(&d.dm);
	rb_debug("running as uid=%u gid=%u", (unsigned)getuid(),
	    (unsigned)getgid());
	serve_data(&d);
	snprintf(what, sizeof what, "sockets=%zu tcp_max=%zu", d.nsocks,
	    d.tcp_max);
	rb_daemon_ready(&d.dm, what);
	rb_daemon_run(&d.dm);
	rb_forward_stop(d.fwd);
	return rb_daemon_exit(&d.dm);
}
