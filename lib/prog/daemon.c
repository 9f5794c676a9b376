/*
 * daemon: the skeleton of daemon.h.  Invariants: signals are blocked and
 * read from one signalfd, so a handler never runs in the middle of our
 * code; flags from a read are acted on only from the loop (sig_event),
 * so a blocking callback that calls rb_daemon_interrupted never runs a
 * hook inside itself; the loop ends only through finish() (a drained
 * stop, or rb_daemon_leave).
 */

#include <sys/signalfd.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/path.h"
#include "prog/command.h"
#include "prog/daemon.h"
#include "prog/usage.h"
#include "sys/privs.h"
#include "sys/ready.h"
#include "sys/root.h"

#define DRAIN_MS 5000
#define DRAIN_TICK_MS 50

/* "usage: prog [-d ROOT] [-r FD] [-v]" and the program's own options:
 * on stdout and exit 0 for help, else on stderr and exit 100. */
static void
usage(const struct rb_daemon *d, const struct rb_daemon_opt *own, size_t n,
    int help)
{
	char text[512];
	size_t k = (size_t)snprintf(text, sizeof text,
	    "usage: %s [-d ROOT] [-r FD] [-v]", d->prog);

	for (size_t i = 0; i < n && k < sizeof text; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, " [%s]",
		    own[i].usage);
	if (k < sizeof text)
		snprintf(text + k, sizeof text - k, "\n");
	exit(rb_usage_print(text, help));
}

/* The getopt string: d:r:vh and the program's letters. */
static void
optstring(char *buf, size_t len, const struct rb_daemon_opt *own, size_t n)
{
	size_t k = (size_t)snprintf(buf, len, "d:r:vh");

	for (size_t i = 0; i < n && k + 2 < len; i++) {
		buf[k++] = own[i].letter;
		if (own[i].has_arg)
			buf[k++] = ':';
	}
	buf[k] = '\0';
}

void
rb_daemon_options(struct rb_daemon *d, const char *prog, int argc, char **argv,
    const struct rb_daemon_opt *own, size_t n,
    int (*opt)(char letter, const char *arg, void *a), void *a)
{
	const char *root = NULL;
	struct rb_err e = { 0 };
	char spec[64];
	int c;

	memset(d, 0, sizeof *d);
	d->prog = prog;
	d->ready_fd = -1;
	d->sigfd = -1;
	d->drain_ms = DRAIN_MS;
	rb_log_init(prog, 0);
	optstring(spec, sizeof spec, own, n);
	while ((c = rb_usage_getopt(argc, argv, spec)) != -1) {
		if (c == 'd') {
			root = optarg;
		} else if (c == 'r') {
			if ((d->ready_fd = rb_ready_parse(optarg)) < 0)
				rb_die(100,
				    "-r %s: not an open file descriptor",
				    optarg);
		} else if (c == 'v') {
			d->verbose = 1;
		} else if (c == 'h') {
			usage(d, own, n, 1);
		} else if (c == '?' || c == ':' || opt == NULL ||
		    opt((char)c, optarg, a) < 0) {
			usage(d, own, n, 0);
		}
	}
	if (optind != argc)
		usage(d, own, n, 0);
	rb_log_init(prog, d->verbose);
	if (rb_command_root(root, d->root, sizeof d->root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
}

static void
conf_warn(void *ctx, const char *file, int line, const char *msg)
{
	(void)ctx;
	if (file == NULL) /* what is ignored, one line for the whole file */
		rb_warn("%s", msg);
	else
		rb_warn("%s:%d: %s", file, line, msg);
}

/* ROOT/runbound.conf with its warnings logged, then one line of what it
 * sets that runbound-c ignores, or the defaults when there is none; NULL with
 * *permanent set when it is invalid. */
static struct rb_conf *
load(const struct rb_daemon *d, int *permanent)
{
	char path[RB_PATH_MAX], msg[1024];
	struct rb_diag diag = { 0 };
	struct rb_conf *c;

	*permanent = 0;
	if (rb_path(path, sizeof path, "%s/runbound.conf", d->root) < 0)
		return NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		rb_debug("%s: no such file, using the defaults", path);
		return rb_conf_default();
	}
	c = rb_conf_load(path, &diag, conf_warn, NULL);
	if (c == NULL) {
		rb_error("%s", rb_diag_str(&diag, msg, sizeof msg));
		*permanent = 1;
	}
	return c;
}

void
rb_daemon_config(struct rb_daemon *d)
{
	int permanent;

	if ((d->conf = load(d, &permanent)) == NULL)
		exit(permanent ? 100 : 111);
}

struct rb_conf *
rb_daemon_config_again(const struct rb_daemon *d)
{
	int permanent;
	struct rb_conf *c = load(d, &permanent);

	if (c == NULL)
		rb_error("keeping the previous configuration");
	return c;
}

void
rb_daemon_use_conf(struct rb_daemon *d, struct rb_conf *c)
{
	rb_conf_free(d->conf);
	d->conf = c;
}

/* The loop ends: every event stays, so the program frees what it owns. */
static void
finish(struct rb_daemon *d)
{
	struct timeval soon = { 0, DRAIN_TICK_MS * 1000 };

	/* A few more turns, so replies written now leave their buffers. */
	event_base_loopexit(d->base, &soon);
}

static void
drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rb_daemon *d = arg;
	struct timeval tick = { 0, DRAIN_TICK_MS * 1000 };
	size_t left = d->hooks.pending ? d->hooks.pending(d->hooks.arg) : 0;

	if (left > 0 && rb_clock_ms() < d->drain_end) {
		evtimer_add(d->drain_ev, &tick);
		return;
	}
	if (left > 0)
		rb_warn("exiting with %zu in flight after %ld ms", left,
		    d->drain_ms);
	finish(d);
}

static void
begin_stop(struct rb_daemon *d)
{
	struct timeval now = { 0, 0 };

	d->stopping = 1;
	rb_info("stopping");
	if (d->hooks.stop != NULL)
		d->hooks.stop(d, d->hooks.arg);
	d->drain_end = rb_clock_ms() + d->drain_ms;
	evtimer_add(d->drain_ev, &now);
}

/* Read what the signalfd holds into the flags. */
static void
read_signals(struct rb_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			d->got_hup = 1;
		else if (si.ssi_signo == SIGCHLD)
			d->got_chld = 1;
		else
			d->got_stop = 1;
	}
}

static void
sig_event(evutil_socket_t fd, short what, void *arg)
{
	struct rb_daemon *d = arg;

	read_signals(d);
	if (d->got_chld) {
		d->got_chld = 0;
		if (d->hooks.child != NULL)
			d->hooks.child(d, d->hooks.arg);
	}
	if (d->got_hup) {
		d->got_hup = 0;
		if (d->hooks.reload != NULL && !d->stopping)
			d->hooks.reload(d, d->hooks.arg);
	}
	if (d->got_stop && !d->stopping)
		begin_stop(d);
}

static int
open_signals(struct rb_daemon *d)
{
	sigset_t set;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (d->hooks.child != NULL) {
		/* An ignored SIGCHLD survives exec and makes the kernel reap
		 * our children: waitpid would never see them. */
		if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
			return -1;
		sigaddset(&set, SIGCHLD);
	}
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -1 : 0;
}

void
rb_daemon_loop(struct rb_daemon *d, const struct rb_daemon_hooks *hooks)
{
	if (hooks != NULL)
		d->hooks = *hooks;
	if (open_signals(d) < 0)
		rb_die(111, "unable to set up signals: %s", strerror(errno));
	if ((d->base = event_base_new()) == NULL ||
	    event_base_priority_init(d->base, 2) < 0 ||
	    (d->sig_ev = event_new(d->base, d->sigfd, EV_READ | EV_PERSIST,
	         sig_event, d)) == NULL ||
	    event_add(d->sig_ev, NULL) < 0 ||
	    (d->drain_ev = evtimer_new(d->base, drain_tick, d)) == NULL)
		rb_die(111, "unable to set up the event loop");
}

void
rb_daemon_drop(struct rb_daemon *d)
{
	struct rb_err e = { 0 };

	if (rb_privs_drop(d->conf->username, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (geteuid() == 0)
		rb_warn("running as root: set username: in runbound.conf "
		        "(rb-conf --user) for a user of its own");
}

void
rb_daemon_ready(struct rb_daemon *d, const char *what)
{
	if (rb_ready_announce(&d->ready_fd) < 0)
		rb_die(111, "unable to write readiness: %s", strerror(errno));
	rb_info("ready root=%s%s%s", d->root, what ? " " : "",
	    what ? what : "");
}

int
rb_daemon_run(struct rb_daemon *d)
{
	if (event_base_loop(d->base, EVLOOP_NO_EXIT_ON_EMPTY) < 0)
		rb_die(111, "the event loop failed");
	return 0;
}

void
rb_daemon_stop(struct rb_daemon *d)
{
	if (!d->stopping)
		begin_stop(d);
}

int
rb_daemon_interrupted(struct rb_daemon *d)
{
	read_signals(d);
	if (d->got_stop || d->got_hup || d->got_chld)
		event_active(d->sig_ev, EV_READ, 0); /* the hooks, later */
	return d->got_stop || d->got_hup;
}

int
rb_daemon_stop_requested(struct rb_daemon *d)
{
	(void)rb_daemon_interrupted(d);
	return d->got_stop || d->stopping;
}

int
rb_daemon_sigfd(const struct rb_daemon *d)
{
	return d->sigfd;
}

int
rb_daemon_exit(struct rb_daemon *d)
{
	if (d->sig_ev != NULL)
		event_free(d->sig_ev);
	if (d->drain_ev != NULL)
		event_free(d->drain_ev);
	if (d->base != NULL)
		event_base_free(d->base);
	if (d->sigfd >= 0)
		(void)close(d->sigfd); /* read-only use: nothing to lose */
	rb_conf_free(d->conf);
	d->conf = NULL;
	rb_info("exiting");
	return 0;
}
