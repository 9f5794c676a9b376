/*
 * rb-feedd: keeps the subscribed blocklist feeds fresh (doc/rb-feedd.md).
 * Start (lib/prog/daemon): options, config (exit 100 when invalid), the
 * loop, dropping root for username:, inotify on ROOT/store, a sweep of
 * ROOT/feeds/ under the store lock (converting feed cdb files of the
 * format before sets), readiness; then the loop, where one timer runs
 * what is due.  A feed never checked is fetched at once; the
 * others every feed-interval with jitter, failures with backoff
 * (sched.c).  New subscriptions arrive as a rename of store/feeds.delta
 * (checkpointed at every change, lib/state/store) or store/feeds.cdb,
 * seen by inotify (and a re-read every minute in case a change was
 * missed).  A download runs in the loop itself: its progress callback
 * reads the signals (rb_daemon_stop_requested), so SIGTERM abandons it at
 * once and we exit 0.
 * `rb-feed update` and POST /feeds/update may run meanwhile: the feed's
 * lock file keeps two fetchers off one feed, and the store lock orders
 * the journal.  On a slave (mode: slave) the feeds come from the master
 * through rb-syncd, and rb-feedd only waits.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/path.h"
#include "feed/subs.h"
#include "feed/update.h"
#include "prog/daemon.h"
#include "state/txn.h"
#include "sys/file.h"
#include "sys/inotify.h"

#include "sched.h"

#define RESYNC_SECONDS 60

struct feedd {
	struct rb_daemon dm; /* root, conf, the loop */
	int inofd;
	struct event *ino_ev, *due_ev;
	int resync;
	struct sched s;
};

/* The download's cancel hook: poll the signalfd without blocking. */
static int
cancelled(void *ctx)
{
	struct feedd *d = ctx;

	return rb_daemon_stop_requested(&d->dm);
}

static void
on_store_event(void *arg, const struct inotify_event *ev)
{
	struct feedd *d = arg;

	if ((ev->mask & (IN_Q_OVERFLOW | IN_IGNORED)) ||
	    (ev->len > 0 &&
	        (strcmp(ev->name, "feeds.delta") == 0 ||
	            strcmp(ev->name, "feeds.cdb") == 0)))
		d->resync = 1;
}

static void step(evutil_socket_t fd, short what, void *arg);

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct feedd *d = arg;

	(void)rb_inotify_each(d->inofd, on_store_event, d);
	if (d->resync)
		step(-1, 0, d);
}

static void
setup_events(struct feedd *d)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/store", d->dm.root);
	if (rb_file_mkdirs(dir, 0750) < 0)
		rb_die(111, "unable to create %s: %s", dir, strerror(errno));
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inofd < 0 ||
	    inotify_add_watch(d->inofd, dir,
	        IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF) <
	        0)
		rb_die(111, "unable to watch %s: %s", dir, strerror(errno));
	if ((d->ino_ev = event_new(d->dm.base, d->inofd, EV_READ | EV_PERSIST,
	         on_inotify, d)) == NULL ||
	    event_add(d->ino_ev, NULL) < 0 ||
	    (d->due_ev = evtimer_new(d->dm.base, step, d)) == NULL)
		rb_die(111, "unable to set up events");
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

	if (rb_txn_begin(&t, d->dm.root, &e) < 0) {
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

/* Take c (installed in d->dm) and reschedule every feed under it. */
static void
use_conf(struct feedd *d)
{
	const struct rb_conf *c = d->dm.conf;

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
	feeds = rb_feed_subs_load(d->dm.root, &e);
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
	if (rb_feed_update(d->dm.root, d->dm.conf, f->id, &ctl, &out, &r, &e) <
	    0) {
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

/* Run what is due, then sleep until the next feed is (a minute at most,
 * the resync that catches a missed change). */
static void
step(evutil_socket_t fd, short what, void *arg)
{
	struct feedd *d = arg;
	struct timeval tv = { RESYNC_SECONDS, 0 };
	struct sched_feed *f;
	long long now;

	while (!d->dm.stopping && !rb_daemon_interrupted(&d->dm)) {
		if (d->resync)
			resync(d);
		f = d->dm.conf->mode == RB_MODE_SLAVE ? NULL :
		                                        sched_next(&d->s);
		now = (long long)time(NULL);
		if (f == NULL || f->due > now) {
			if (f != NULL && f->due - now < RESYNC_SECONDS)
				tv.tv_sec = (time_t)(f->due - now);
			break;
		}
		refresh(d, f);
	}
	/* Woken after a full minute: look at the store again. */
	if (tv.tv_sec == RESYNC_SECONDS)
		d->resync = 1;
	evtimer_add(d->due_ev, &tv);
}

static void
reload(struct rb_daemon *dm, void *arg)
{
	struct feedd *d = arg;
	struct rb_conf *c;

	rb_info("SIGHUP: reading the configuration again");
	if ((c = rb_daemon_config_again(dm)) == NULL)
		return;
	rb_daemon_use_conf(dm, c);
	use_conf(d);
	step(-1, 0, d);
}

int
main(int argc, char **argv)
{
	static struct feedd d = { .inofd = -1 };
	struct rb_daemon_hooks hooks = { .reload = reload, .arg = &d };
	char what[64];

	rb_daemon_options(&d.dm, "rb-feedd", argc, argv, NULL, 0, NULL, NULL);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	rb_daemon_config(&d.dm);
	use_conf(&d);
	rb_daemon_loop(&d.dm, &hooks);
	rb_daemon_drop(&d.dm);
	setup_events(&d);
	sweep(&d, 1);
	resync(&d);
	snprintf(what, sizeof what, "feeds=%zu interval=%ld", d.s.n,
	    d.s.interval);
	rb_daemon_ready(&d.dm, what);
	step(-1, 0, &d);
	rb_daemon_run(&d.dm);
	event_free(d.ino_ev);
	event_free(d.due_ev);
	(void)close(d.inofd); /* read-only use */
	sched_fini(&d.s);
	return rb_daemon_exit(&d.dm);
}
