/*
 * rb-dnsd: the DNS server (doc/rb-dnsd.md).  main parses the options and
 * runs the startup order of STYLE.md: config (exit 100 when invalid),
 * sockets, privileges, data, readiness; then one epoll loop until SIGTERM.
 * Signals arrive through a signalfd, data changes through inotify, and a
 * 1 s timerfd tick closes idle TCP connections.  Nothing in the loop
 * allocates.
 */

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd.h"
#include "base/log.h"
#include "sys/ready.h"
#include "sys/root.h"

#define RATE_SLOTS 65536
#define STOP_GRACE_NS 5000000000ull /* finishing TCP replies on SIGTERM */

static struct dnsd d;

int
watch_add(struct dnsd *dd, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->added = dd->batch;
	return epoll_ctl(dd->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int
watch_mod(struct dnsd *dd, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(dd->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void
watch_del(struct dnsd *dd, struct watch *w)
{
	/* Fails only for an fd that was never added: nothing to undo. */
	(void)epoll_ctl(dd->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

static void
usage(void)
{
	rb_die(100, "usage: rb-dnsd [-d ROOT] [-r FD] [-v]");
}

static void
begin_stop(struct dnsd *dd)
{
	rb_info("stopping");
	dd->stopping = 1;
	dd->stop_deadline_ns = now_ns() + STOP_GRACE_NS;
	for (size_t i = 0; i < dd->nsocks; i++) {
		watch_del(dd, &dd->socks[i].w);
		/* UDP sockets stay open for forwarded replies still due. */
		if (!dd->socks[i].tcp)
			continue;
		/* Nothing was written through it: close cannot lose data. */
		(void)close(dd->socks[i].w.fd);
		dd->socks[i].w.fd = -1;
	}
	tcp_stop(dd);
}

static void
signal_event(struct dnsd *dd, struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	while (read(w->fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			setup_reload_conf(dd);
		else if (si.ssi_signo == SIGCHLD)
			xfr_reap(dd);
		else if (!dd->stopping)
			begin_stop(dd);
	}
}

static void
tick_event(struct dnsd *dd, struct watch *w, uint32_t events)
{
	uint64_t n;

	/* A short read only means no expiry is pending. */
	(void)!read(w->fd, &n, sizeof n);
	tcp_sweep(dd, now_ns());
	forward_tick(dd, now_ns());
	probe_tick(dd, now_ns());
	if (dd->reload_pending)
		setup_reload_data(dd);
}

/* Signals as events: blocked, then read from a signalfd. */
static void
start_signals(struct dnsd *dd)
{
	sigset_t set;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		rb_die(111, "unable to ignore SIGPIPE: %s", strerror(errno));
	/* An ignored SIGCHLD survives exec and makes the kernel reap our
	 * children (rb-axfr, rb-notify): waitpid would never count them
	 * gone. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		rb_die(111, "unable to reset SIGCHLD: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		rb_die(111, "unable to block signals: %s", strerror(errno));
	dd->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	dd->sig.cb = signal_event;
	if (dd->sig.fd < 0 || watch_add(dd, &dd->sig, EPOLLIN) < 0)
		rb_die(111, "unable to watch signals: %s", strerror(errno));
}

static void
start_tick(struct dnsd *dd)
{
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };

	dd->tick.fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC);
	dd->tick.cb = tick_event;
	if (dd->tick.fd < 0 ||
	    timerfd_settime(dd->tick.fd, 0, &its, NULL) < 0 ||
	    watch_add(dd, &dd->tick, EPOLLIN) < 0)
		rb_die(111, "unable to start the timer: %s", strerror(errno));
}

static void
run(struct dnsd *dd)
{
	struct epoll_event ev[64];

	for (;;) {
		int n;

		if (dd->stopping &&
		    ((dd->tcp_count == 0 && forward_pending(dd) == 0) ||
		        now_ns() > dd->stop_deadline_ns))
			return;
		n = epoll_wait(dd->epfd, ev, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rb_die(111, "epoll_wait: %s", strerror(errno));
		dd->batch++;
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;
			/* Closed, or closed and taken again, by an earlier
			 * event of this batch. */
			if (w->fd >= 0 && w->added != dd->batch)
				w->cb(dd, w, ev[i].events);
		}
	}
}

/* Options, state root and file names. */
static int
options(struct dnsd *dd, int argc, char **argv)
{
	const char *root = NULL;
	int opt, ready = -1;

	while ((opt = getopt(argc, argv, "d:r:v")) != -1) {
		switch (opt) {
		case 'd':
			root = optarg;
			break;
		case 'r':
			if ((ready = rb_ready_parse(optarg)) < 0)
				rb_die(100,
				    "-r %s: not an open file descriptor",
				    optarg);
			break;
		case 'v':
			dd->verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (rb_root_resolve(root, dd->root, sizeof dd->root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
	if (snprintf(dd->conf_path, sizeof dd->conf_path, "%s/runbound.conf",
	        dd->root) >= (int)sizeof dd->conf_path ||
	    snprintf(dd->data_dir, sizeof dd->data_dir, "%s/data", dd->root) >=
	        (int)sizeof dd->data_dir ||
	    snprintf(dd->feeds_dir, sizeof dd->feeds_dir, "%s/feeds",
	        dd->root) >= (int)sizeof dd->feeds_dir)
		rb_die(100, "state root path too long");
	return ready;
}

int
main(int argc, char **argv)
{
	int ready;

	rb_log_init("rb-dnsd", 0);
	ready = options(&d, argc, argv);
	rb_log_init("rb-dnsd", d.verbose);
	d.wd_root = d.wd_data = d.wd_feeds = -1;

	d.conf = setup_load_conf(d.conf_path);
	if (d.conf == NULL)
		exit(100);
	rb_acl_init(&d.acl);
	rb_tcplimit_init(&d.tcl);
	if (xfr_init(&d) < 0)
		rb_die(111, "unable to find the directory of rb-dnsd's binary");
	if (rb_ratelimit_init(&d.rl, RATE_SLOTS, 0, 0) < 0)
		rb_die(111, "out of memory");
	if (setup_apply_conf(&d, d.conf) < 0)
		exit(100);
	/* The slot table is sized once: a new value needs a restart. */
	d.tcp_max = (size_t)d.conf->incoming_num_tcp;

	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || tcp_init(&d) < 0)
		rb_die(111, "unable to set up: %s", strerror(errno));
	start_signals(&d);
	listen_all(&d, d.conf);
	if (account_init(&d) < 0)
		rb_die(111, "unable to create %s/run: %s", d.root,
		    strerror(errno));
	if (forward_init(&d) < 0)
		rb_die(111, "unable to set up forwarding");
	setup_drop_privileges(d.conf);
	setup_map_data(&d);
	account_data(&d);
	xfr_notify(&d, 1);
	if (setup_inotify(&d) < 0)
		rb_die(111, "unable to watch %s: %s", d.data_dir,
		    strerror(errno));
	if (account_watch(&d) < 0)
		rb_warn("unable to watch %s: %s (control requests will not be "
		        "served)",
		    d.ctl_dir, strerror(errno));
	start_tick(&d);
	if (probe_init(&d) < 0)
		rb_die(111, "unable to start upstream probes");

	if (rb_ready_announce(&ready) < 0)
		rb_die(111, "unable to write readiness: %s", strerror(errno));
	rb_info("ready root=%s sockets=%zu tcp_max=%zu", d.root, d.nsocks,
	    d.tcp_max);
	run(&d);
	forward_stop(&d);
	rb_info("exiting");
	return 0;
}
