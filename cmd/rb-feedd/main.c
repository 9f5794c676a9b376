/*
 * rb-feedd: keeps the subscribed blocklist feeds fresh (doc/rb-feedd.md).
 * Start: options, config (exit 100 when invalid), dropping root for
 * username: (privs.c), signalfd, inotify on ROOT/store, a sweep of
 * ROOT/feeds/ under the store lock (converting feed cdb files of the
 * format before sets), readiness;
 * then one poll loop.  A feed never checked is fetched at once; the
 * others every feed-interval with jitter, failures with backoff
 * (sched.c).  New subscriptions arrive as a rename of store/feeds.json,
 * seen by inotify (and a re-read every minute in case a change was
 * missed).  A download runs in the loop itself: its progress callback
 * reads the signalfd, so SIGTERM abandons it at once and we exit 0.
 * `rb-feed update` and POST /feeds/update may run meanwhile: the feed's
 * lock file keeps two fetchers off one feed, and the store lock orders
 * the journal.  On a slave (mode: slave) the feeds come from the master
 * through rb-syncd, and rb-feedd only waits.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "sys/sigfd.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "feed/subs.h"
#include "feed/update.h"
#include "base/log.h"
#include "sys/ready.h"
#include "sys/privs.h"
#include "sys/root.h"
#include "sched.h"
#include "state/txn.h"
#include "base/path.h"

#define RESYNC_SECONDS 60

struct feedd {
	char root[RB_PATH_MAX];
	struct rb_conf *conf;
	int sigfd, inofd;
	int stop, hup, resync;
	struct sched s;
};

static void
usage(void)
{
	rb_die(100, "usage: rb-feedd [-d ROOT] [-r FD] [-v]");
}

/* Read pending signals; a handler's only work is setting a flag. */
static void
read_signals(struct feedd *d)
{
	rb_sigfd_read(d->sigfd, &d->stop, &d->hup);
}

/* The download's cancel hook: poll the signalfd without blocking. */
static int
cancelled(void *ctx)
{
	struct feedd *d = ctx;

	read_signals(d);
	return d->stop;
}

static void
read_inotify(struct feedd *d)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(d->inofd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			if ((ev->mask & (IN_Q_OVERFLOW | IN_IGNORED)) ||
			    (ev->len > 0 &&
			        strcmp(ev->name, "feeds.json") == 0))
				d->resync = 1;
			p += sizeof *ev + ev->len;
		}
	}
}

static void
setup_events(struct feedd *d)
{
	char dir[RB_PATH_MAX];

	if ((d->sigfd = rb_sigfd_open()) < 0)
		rb_die(111, "unable to set up signals: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	rb_path(dir, sizeof dir, "%s/store", d->root);
	if (rb_file_mkdirs(dir, 0750) < 0)
		rb_die(111, "unable to create %s: %s", dir, strerror(errno));
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inofd < 0 ||
	    inotify_add_watch(d->inofd, dir,
	        IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF) <
	        0)
		rb_die(111, "unable to watch %s: %s", dir, strerror(errno));
}

/* Under the store lock: at start (all), convert feed files of the format
 * before sets and clear what killed writers left in feeds/; at every
 * resync, remove the files of feeds deleted meanwhile, in case the delete
 * was killed before it removed them (they would still block). */
static void
sweep(struct feedd *d, int all)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	int n;

	if (rb_txn_begin(&t, d->root, &e) < 0) {
		rb_warn("unable to sweep feeds/: %s: %s", e.code, e.details);
		return;
	}
	if (all && (n = rb_feed_subs_upgrade(&t)) < 0)
		rb_warn("unable to convert old feed files: %s",
		    strerror(errno));
	else if (all && n > 0)
		rb_info("converted %d feed cdb files to sets", n);
	if ((n = all ? rb_feed_subs_sweep(&t) : rb_feed_subs_orphans(&t)) < 0)
		rb_warn("unable to sweep feeds/: %s", strerror(errno));
	else if (n > 0)
		rb_info("removed %d %s from feeds/", n,
		    all ? "stale files" : "files of deleted feeds");
	rb_txn_end(&t);
}

static void
load_conf(struct feedd *d, int first)
{
	struct rb_err e = { 0 };
	struct rb_conf *c = rb_txn_load_conf(d->root, &e);

	if (c == NULL) {
		if (first)
			rb_die(100, "%s", e.details);
		rb_error("%s; keeping the previous configuration", e.details);
		return;
	}
	rb_conf_free(d->conf);
	d->conf = c;
	if (c->mode == RB_MODE_SLAVE)
		rb_info(
		    "mode: slave: feeds come from the master; not fetching");
	d->s.interval = c->feed_interval;
	d->s.retry = c->feed_interval < 60 ? c->feed_interval : 60;
	sched_clear(&d->s); /* every feed is rescheduled under the new one */
	d->resync = 1;
}

static void
resync(struct feedd *d)
{
	struct rb_err e = { 0 };
	json_t *feeds;

	d->resync = 0;
	sweep(d, 0);
	feeds = rb_feed_subs_load(d->root, &e);
	if (feeds == NULL) {
		rb_warn("unable to read the subscriptions: %s", e.details);
		return;
	}
	if (sched_sync(&d->s, feeds, (long long)time(NULL)) < 0)
		rb_error("out of memory scheduling feeds");
	json_decref(feeds);
}

static void
log_result(const struct sched_feed *f, const json_t *r)
{
	const char *st = json_string_value(json_object_get(r, "status"));
	const char *err = json_string_value(json_object_get(r, "error"));
	long long n = json_integer_value(json_object_get(r, "entry_count"));

	if (err != NULL)
		rb_warn("feed id=%s name=%s status=%s error=%s", f->id, f->name,
		    st ? st : "?", err);
	else
		rb_info("feed id=%s name=%s status=%s entries=%lld", f->id,
		    f->name, st ? st : "?", n);
}

static void
refresh(struct feedd *d, struct sched_feed *f)
{
	struct rb_feed_ctl ctl = { .wait = 0,
		.cancel = cancelled,
		.cancel_ctx = d };
	struct rb_err e = { 0 };
	enum rb_feed_outcome out;
	json_t *r = NULL;
	long long now;

	rb_debug("feed id=%s name=%s due, fetching", f->id, f->name);
	if (rb_feed_update(d->root, d->conf, f->id, &ctl, &out, &r, &e) < 0) {
		rb_error("feed id=%s name=%s: %s: %s", f->id, f->name, e.code,
		    e.details);
		sched_event(&d->s, f, SCHED_EV_UNRECORDED, 0, time(NULL));
		return;
	}
	now = (long long)time(NULL);
	if (out == RB_FEED_BUSY) {
		rb_debug("feed id=%s busy in another fetcher", f->id);
		sched_event(&d->s, f, SCHED_EV_BUSY, 0, now);
	} else if (out == RB_FEED_GONE) {
		rb_debug("feed id=%s deleted meanwhile", f->id);
		d->resync = 1;
	} else if (out != RB_FEED_CANCELLED) {
		log_result(f, r);
		d->resync = 1; /* the store holds the new last_checked */
	}
	json_decref(r);
}

static int
options(struct feedd *d, int argc, char **argv)
{
	const char *opt_root = NULL;
	int c, ready = -1, debug = 0;

	while ((c = getopt(argc, argv, "d:r:v")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'r':
			if ((ready = rb_ready_parse(optarg)) < 0)
				usage();
			break;
		case 'v':
			debug = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	rb_log_init("rb-feedd", debug);
	if (rb_root_resolve(opt_root, d->root, sizeof d->root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
	return ready;
}

/* Wait for a signal, a store change or the next due feed. */
static void
wait_events(struct feedd *d, long long due)
{
	struct pollfd p[2] = { { d->sigfd, POLLIN, 0 },
		{ d->inofd, POLLIN, 0 } };
	long long now = (long long)time(NULL), wait = due - now;

	if (wait > RESYNC_SECONDS)
		wait = RESYNC_SECONDS;
	if (wait < 0)
		wait = 0;
	if (poll(p, 2, (int)(wait * 1000)) < 0 && errno != EINTR)
		rb_die(111, "poll: %s", strerror(errno));
	read_signals(d);
	read_inotify(d);
	if (wait == RESYNC_SECONDS && time(NULL) >= now + RESYNC_SECONDS)
		d->resync = 1;
}

int
main(int argc, char **argv)
{
	struct feedd d = { .sigfd = -1, .inofd = -1 };
	struct sched_feed *f;
	int ready = options(&d, argc, argv);

	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	load_conf(&d, 1);
	{
		struct rb_err pe = { 0 };

		if (rb_privs_drop(d.conf->username, &pe) < 0)
			rb_die(rb_err_exit_code(&pe), "%s", pe.details);
	}
	setup_events(&d);
	sweep(&d, 1);
	resync(&d);
	if (rb_ready_announce(&ready) < 0)
		rb_die(111, "unable to write readiness: %s", strerror(errno));
	rb_info("ready root=%s feeds=%zu interval=%ld", d.root, d.s.n,
	    d.s.interval);
	while (!d.stop) {
		if (d.hup) {
			d.hup = 0;
			rb_info("SIGHUP: reading the configuration again");
			load_conf(&d, 0);
		}
		if (d.resync)
			resync(&d);
		f = d.conf->mode == RB_MODE_SLAVE ? NULL : sched_next(&d.s);
		if (f != NULL && f->due <= (long long)time(NULL)) {
			refresh(&d, f);
			continue;
		}
		wait_events(&d,
		    f ? f->due : (long long)time(NULL) + RESYNC_SECONDS);
	}
	rb_info("SIGTERM: exiting");
	sched_fini(&d.s);
	rb_conf_free(d.conf);
	return 0;
}
