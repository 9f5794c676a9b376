/*
 * slave: follow a master, never silently stale.
 *
 * A state machine of three states.  SNAPSHOT takes GET /sync/config (and
 * the feed data it names) and replaces the root's store and journal;
 * DELTA long-polls GET /sync/delta?since=applied&epoch=E&wait=W and
 * applies what comes, one transaction per answer; BACKOFF waits 5 s,
 * doubling to 300 s, then retries the state that failed.  DELTA turns to
 * SNAPSHOT on 410 (pruned, or another epoch), on an answer of another
 * epoch, when the root is no longer where sync/state says (a local write,
 * an interrupted apply) and on `rb-sync resync` (sync/resync).  Each
 * state is one step of a timer on the daemon's loop (lib/prog/daemon): a
 * step blocks in its transfer, and BACKOFF is the timer's delay.
 *
 * Whatever happens here, rb-dnsd goes on serving data/ as it is: nothing
 * is removed before its replacement is complete, and readiness comes
 * before the first contact with the master, so a slave restarted while
 * its master is down serves at once.  Signals and inotify (sync/) are
 * watched during every transfer: SIGTERM ends even a long poll at once.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/clock.h"
#include "base/digest.h"
#include "base/log.h"
#include "base/path.h"
#include "feed/nameset.h"
#include "sync/apply.h"
#include "sync/backoff.h"
#include "sync/client.h"
#include "sync/source.h"
#include "sync/state.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/inotify.h"
#include "sys/root.h"

#include "syncd.h"

#define BACKOFF_MIN RB_SYNC_BACKOFF_MIN
#define POLL_MAX 25                /* long-poll seconds asked of the master */
#define FEED_MAX ((size_t)1 << 31) /* one feed set */

enum sstate { S_SNAPSHOT, S_DELTA, S_BACKOFF };

struct slave {
	struct syncd *d;
	struct rb_sync_client *cli;
	int inofd;
	struct event *ino_ev, *step_ev;
	enum sstate st, after; /* after: what a backoff returns to */
	long backoff;
	int refused; /* the last failure was the master refusing us */
	struct rb_sync_state ss;
	char pin[RB_SYNC_FP_LEN];
	int resync, pin_gone, polling;
	struct rb_sync_client_wake wake;
};

/* --- events: signals and sync/ ---------------------------------------- */

static void
on_sync_event(void *arg, const struct inotify_event *ev)
{
	struct slave *s = arg;

	if (ev->len > 0 && strcmp(ev->name, RB_SYNC_RESYNC) == 0 &&
	    (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		s->resync = 1;
	if (ev->len > 0 && strcmp(ev->name, RB_SYNC_PIN) == 0 &&
	    (ev->mask & (IN_DELETE | IN_MOVED_FROM)))
		s->pin_gone = 1;
}

static void
read_inotify(struct slave *s)
{
	(void)rb_inotify_each(s->inofd, on_sync_event, s);
}

/* During a transfer: stop for SIGTERM and SIGHUP; a resync ends a long
 * poll (a snapshot under way goes on). */
static int
wake_cb(void *ctx)
{
	struct slave *s = ctx;
	int interrupted = rb_daemon_interrupted(&s->d->dm);

	read_inotify(s);
	return interrupted || (s->polling && s->resync);
}

static void step(evutil_socket_t fd, short what, void *arg);

/* sync/ changed between transfers: a resync or a lost pin ends a
 * backoff. */
static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct slave *s = arg;
	struct timeval now = { 0, 0 };

	read_inotify(s);
	if (s->st == S_BACKOFF && (s->resync || s->pin_gone))
		evtimer_add(s->step_ev, &now);
}

static void
events_setup(struct slave *s)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/sync", s->d->dm.root);
	if (rb_file_mkdirs(dir, 0750) < 0)
		rb_die(111, "unable to create %s: %s", dir, strerror(errno));
	(void)rb_atomic_clean(dir); /* feed downloads a kill left behind */
	s->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inofd < 0 ||
	    inotify_add_watch(s->inofd, dir,
	        IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
	            IN_ONLYDIR) < 0)
		rb_die(111, "unable to watch %s: %s", dir, strerror(errno));
	if ((s->ino_ev = event_new(s->d->dm.base, s->inofd,
	         EV_READ | EV_PERSIST, on_inotify, s)) == NULL ||
	    event_add(s->ino_ev, NULL) < 0 ||
	    (s->step_ev = evtimer_new(s->d->dm.base, step, s)) == NULL)
		rb_die(111, "unable to set up events");
	s->wake = (struct rb_sync_client_wake){
		{ rb_daemon_sigfd(&s->d->dm), s->inofd }, 2, wake_cb, s
	};
}

/* --- state and failures ----------------------------------------------- */

static void
save(struct slave *s)
{
	struct rb_err e = { 0 };

	snprintf(s->ss.master, sizeof s->ss.master, "%s",
	    s->d->dm.conf->sync_master);
	if (rb_sync_state_save(s->d->dm.root, &s->ss, &e) < 0)
		rb_error("unable to write sync/state: %s", e.details);
}

static void
set_phase(struct slave *s, const char *phase)
{
	snprintf(s->ss.phase, sizeof s->ss.phase, "%s", phase);
}

/* Record the failure, log it, back off and then retry state again. */
static void fail(struct slave *s, enum sstate again, int critical,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
fail(struct slave *s, enum sstate again, int critical, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->ss.last_error, sizeof s->ss.last_error, fmt, ap);
	va_end(ap);
	s->ss.last_error_at = (int64_t)time(NULL);
	if (critical)
		rb_error("CRITICAL: %s", s->ss.last_error);
	else
		rb_error("%s", s->ss.last_error);
	set_phase(s, critical ? "refused" : "backoff");
	save(s);
	s->refused = critical;
	s->after = again;
	s->st = S_BACKOFF;
}

/* --- requests ---------------------------------------------------------- */

/* The pin, or trust on first use.  0 when s->pin holds the pin. */
static int
ensure_pin(struct slave *s, enum sstate again)
{
	struct rb_sync_client_req q = { "/sync/cert", NULL, 0, 4096, 15, -1,
		&s->wake };
	struct rb_sync_client_resp r;
	struct rb_err e = { 0 };
	char fp[RB_SYNC_FP_LEN];
	int have = rb_sync_state_pin_load(s->d->dm.root, s->pin, &e);

	if (have < 0) {
		fail(s, again, 1, "%s: delete it to trust the master again",
		    e.details);
		return -1;
	}
	if (have == 1)
		return 0;
	if (rb_sync_client_get(s->cli, &q, &r) < 0) {
		if (r.fail != RB_SYNC_FAIL_CANCEL)
			fail(s, again, 0, "master %s: %s",
			    s->d->dm.conf->sync_master, r.error);
		return -1;
	}
	if (r.status != 200 ||
	    rb_sync_proto_cert_parse(r.body, r.len, fp, &e) < 0) {
		fail(s, again, 0, "master %s: GET /sync/cert: HTTP %ld",
		    s->d->dm.conf->sync_master, r.status);
	} else if (strcmp(fp, r.peer_fp) != 0) {
		fail(s, again, 1,
		    "master %s: /sync/cert says %s but the TLS "
		    "handshake showed %s: possible MITM, not trusting it",
		    s->d->dm.conf->sync_master, fp, r.peer_fp);
	} else if (rb_sync_state_pin_save(s->d->dm.root, fp, &e) < 0) {
		fail(s, again, 0, "%s", e.details);
	} else {
		rb_warn("TOFU: first connection to master. Verify "
		        "sync-master.fingerprint manually.");
		rb_warn("sha256=%s", fp);
		memcpy(s->pin, fp, sizeof s->pin);
		rb_sync_client_resp_fini(&r);
		return 0;
	}
	rb_sync_client_resp_fini(&r);
	return -1;
}

/* Run q against the pinned master.  0 with an answer in r; -1 failed
 * (recorded, backing off); -2 interrupted (the loop looks at flags). */
static int
request(struct slave *s, struct rb_sync_client_req *q,
    struct rb_sync_client_resp *r, enum sstate again)
{
	q->pin = s->pin;
	q->wake = &s->wake;
	if (rb_sync_client_get(s->cli, q, r) == 0)
		return 0;
	if (r->fail == RB_SYNC_FAIL_CANCEL)
		return -2;
	if (r->fail == RB_SYNC_FAIL_PIN)
		fail(s, again, 1,
		    "master %s presented %s, not the pinned "
		    "%s: refusing to sync until sync/%s is deleted",
		    s->d->dm.conf->sync_master, r->peer_fp, s->pin,
		    RB_SYNC_PIN);
	else if (r->fail == RB_SYNC_FAIL_BIG && q->max == RB_SYNC_DELTA_BYTES)
		/* Asking again would get the same answer: a snapshot has
		 * room for it (an older master cuts deltas by count alone). */
		fail(s, S_SNAPSHOT, 0, "master %s: delta: %s: full sync",
		    s->d->dm.conf->sync_master, r->error);
	else
		fail(s, again, 0, "master %s: %s", s->d->dm.conf->sync_master,
		    r->error);
	return -1;
}

/* An answer that is not 200 (or 410, handled by the caller). */
static void
http_fail(struct slave *s, const char *what,
    const struct rb_sync_client_resp *r, enum sstate again)
{
	if (r->status == 401)
		fail(s, again, 0,
		    "master %s refused the sync key (401): "
		    "sync-key must be the same on both sides",
		    s->d->dm.conf->sync_master);
	else
		fail(s, again, 0, "master %s: %s: HTTP %ld",
		    s->d->dm.conf->sync_master, what, r->status);
}

/* Is path a valid feed set file?  Else why. */
static int
is_set(const char *path, const char **why)
{
	size_t n;
	char action;

	*why = "unreadable";
	if (rb_nameset_check_file(path, &n, &action, why) == 0)
		return 1;
	if (errno != EPROTO)
		*why = strerror(errno);
	return 0;
}

/* Download one feed's set file (or with zones, one zones build) into
 * sync/ and check it: its SHA-256, then for a feed its format, so a
 * master of another version cannot hand us a file rb-dnsd would refuse.
 * 1 staged in f, 0 the master has no data for it, -1 failed (recorded),
 * -2 interrupted. */
static int
fetch_file(struct slave *s, const char *id, int zones,
    struct rb_sync_datafile *f, enum sstate again)
{
	const char *why;
	char path[128], hex[65];
	struct rb_sync_client_req q = { path, NULL, 1, FEED_MAX, 900, -1,
		NULL };
	struct rb_sync_client_resp r;
	uint64_t size;
	int fd, rc;

	snprintf(f->id, sizeof f->id, "%s", id);
	f->zones = zones;
	rb_path(f->path, sizeof f->path, "%s/sync/.%s-%s.tmp.%d", s->d->dm.root,
	    zones ? "zones" : "feed", id, (int)getpid());
	snprintf(path, sizeof path,
	    zones ? "/sync/zones/%s" : "/sync/feedset/%s", id);
	if ((fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	         0644)) < 0) {
		fail(s, again, 0, "unable to stage feed %s: %s", id,
		    strerror(errno));
		return -1;
	}
	q.out_fd = fd;
	rc = request(s, &q, &r, again);
	if (close(fd) < 0 && rc == 0) {
		fail(s, again, 0, "unable to stage feed %s: %s", id,
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0 && r.status == 404)
		rc = 1; /* means: none */
	else if (rc == 0 && r.status != 200) {
		http_fail(s, "feed data", &r, again);
		rc = -1;
	} else if (rc == 0 &&
	    (rb_digest_file_hex(f->path, hex, &size) < 0 ||
	        strcmp(hex, r.sha256) != 0 ||
	        (zones && strcmp(hex, id) != 0))) {
		fail(s, again, 0,
		    "feed %s: the data does not match its "
		    "SHA-256 (%s)",
		    id, r.sha256);
		rc = -1;
	} else if (rc == 0 && !zones && !is_set(f->path, &why)) {
		fail(s, again, 0,
		    "feed %s: the master's data is not a feed "
		    "set: %s",
		    id, why);
		rc = -1;
	}
	rb_sync_client_resp_fini(&r);
	if (rc != 0)
		(void)unlink(f->path); /* a leftover is cleaned at start */
	return rc == 0 ? 1 : rc == 1 ? 0 : rc;
}

/* The feed data and zones builds a snapshot or delta needs: feed_data,
 * and the zones builds of zlist (events when zevents, else entries),
 * staged into *ff (caller frees with free_feeds).  A zones build the
 * master no longer keeps is skipped: only the newest must come, and
 * applying checks that.  0, -1 failed, -2 interrupted. */
static int
fetch_data(struct slave *s, const json_t *feed_data, const json_t *zlist,
    int zevents, struct rb_sync_datafile **ff, size_t *nff, enum sstate again)
{
	struct rb_err e = { 0 };
	json_t *want = rb_sync_apply_feeds_wanted(s->d->dm.root, feed_data, &e);
	json_t *zwant = rb_sync_apply_zones_wanted(s->d->dm.root, zlist,
	    zevents);
	size_t i, nf, n;
	int r = 0;

	*ff = NULL;
	*nff = 0;
	if (want == NULL || zwant == NULL) {
		fail(s, again, 0, "%s",
		    want == NULL ? e.details : "out of memory");
		json_decref(want);
		json_decref(zwant);
		return -1;
	}
	nf = json_array_size(want);
	n = nf + json_array_size(zwant);
	if (n > 0 && (*ff = calloc(n, sizeof **ff)) == NULL) {
		json_decref(want);
		json_decref(zwant);
		fail(s, again, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < n && r >= 0; i++) {
		r = fetch_file(s,
		    json_string_value(i < nf ? json_array_get(want, i) :
		                               json_array_get(zwant, i - nf)),
		    i >= nf, &(*ff)[*nff], again);
		if (r == 1)
			(*nff)++;
	}
	json_decref(want);
	json_decref(zwant);
	return r < 0 ? r : 0;
}

static void
free_feeds(struct rb_sync_datafile *ff, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)unlink(ff[i].path); /* installed ones are gone already */
	free(ff);
}

/* --- SNAPSHOT ---------------------------------------------------------- */

static void
snapshot_done(struct slave *s, const struct rb_sync_snapshot *snap, int64_t t0)
{
	int64_t now = (int64_t)time(NULL);

	s->ss.synced = 1;
	snprintf(s->ss.epoch, sizeof s->ss.epoch, "%s", snap->epoch);
	s->ss.applied_seq = s->ss.master_seq = snap->seq;
	s->ss.last_contact = s->ss.current_at = s->ss.last_full = now;
	s->ss.full_syncs++;
	s->ss.last_error[0] = '\0';
	set_phase(s, "delta");
	save(s);
	rb_sync_state_resync_clear(s->d->dm.root);
	s->resync = 0;
	rb_info("full sync done: seq=%" PRIu64 " epoch=%s dns=%zu "
	        "blacklist=%zu allowlist=%zu feeds=%zu ms=%lld",
	    snap->seq, snap->epoch, json_array_size(snap->colls[RB_COLL_DNS]),
	    json_array_size(snap->colls[RB_COLL_BLACKLIST]),
	    json_array_size(snap->colls[RB_COLL_ALLOWLIST]),
	    json_array_size(snap->colls[RB_COLL_FEEDS]),
	    (long long)(rb_clock_ms() - t0));
}

static void
step_snapshot(struct slave *s)
{
	struct rb_sync_client_req q = { "/sync/config", NULL, 1,
		RB_SYNC_SNAPSHOT_BYTES, 900, -1, NULL };
	struct rb_sync_client_resp r;
	struct rb_sync_snapshot snap;
	struct rb_sync_datafile *ff = NULL;
	struct rb_err e = { 0 };
	size_t nff = 0;
	int64_t t0 = rb_clock_ms();

	if (ensure_pin(s, S_SNAPSHOT) < 0)
		return;
	s->ss.synced = 0; /* a snapshot cut short is taken again */
	set_phase(s, "snapshot");
	save(s);
	rb_info("full sync from master %s", s->d->dm.conf->sync_master);
	if (request(s, &q, &r, S_SNAPSHOT) < 0)
		return;
	if (r.status != 200) {
		http_fail(s, "snapshot", &r, S_SNAPSHOT);
		rb_sync_client_resp_fini(&r);
		return;
	}
	if (rb_sync_proto_snapshot_parse(&snap, r.body, r.len, &e) < 0) {
		rb_sync_client_resp_fini(&r);
		fail(s, S_SNAPSHOT, 0, "snapshot: %s", e.details);
		return;
	}
	rb_sync_client_resp_fini(&r);
	if (fetch_data(s, snap.feed_data, snap.colls[RB_COLL_ZONES], 0, &ff,
	        &nff, S_SNAPSHOT) == 0) {
		if (rb_sync_apply_snapshot(s->d->dm.root, &snap, ff, nff, &e) <
		    0)
			fail(s, S_SNAPSHOT, 0, "applying the snapshot: %s: %s",
			    e.code, e.details);
		else {
			snapshot_done(s, &snap, t0);
			s->st = S_DELTA;
			s->backoff = BACKOFF_MIN;
		}
	}
	free_feeds(ff, nff);
	rb_sync_proto_snapshot_fini(&snap);
}

/* --- DELTA ------------------------------------------------------------- */

/* Is the root still where sync/state says?  If not, only a snapshot
 * brings it back in line with the master. */
static int
root_in_step(struct slave *s)
{
	struct rb_sync_head h;
	struct rb_err e = { 0 };

	if (rb_sync_source_head(s->d->dm.root, &h, &e) < 0)
		return 0;
	if (strcmp(h.epoch, s->ss.epoch) == 0 && h.seq == s->ss.applied_seq)
		return 1;
	rb_warn("this root is at epoch=%s seq=%" PRIu64 " but sync/state "
	        "says epoch=%s seq=%" PRIu64
	        " (a local write, or an interrupted "
	        "apply): full sync",
	    h.epoch, h.seq, s->ss.epoch, s->ss.applied_seq);
	return 0;
}

static void
contact(struct slave *s, const struct rb_sync_delta *d)
{
	int64_t now = (int64_t)time(NULL);

	s->ss.master_seq = d->seq;
	s->ss.last_contact = now;
	if (s->ss.applied_seq >= d->seq)
		s->ss.current_at = now;
	s->ss.last_error[0] = '\0';
	set_phase(s, "delta");
	save(s);
	s->backoff = BACKOFF_MIN;
}

/* Apply d's events; 0 done, -1 failed or diverged (state set). */
static int
apply(struct slave *s, const struct rb_sync_delta *d)
{
	struct rb_sync_datafile *ff = NULL;
	struct rb_err e = { 0 };
	size_t nff = 0, n = json_array_size(d->events);
	uint64_t now = 0, from = s->ss.applied_seq;
	json_int_t ts;
	int r;

	if (fetch_data(s, d->feed_data, d->events, 1, &ff, &nff, S_DELTA) < 0) {
		free_feeds(ff, nff);
		return -1;
	}
	r = rb_sync_apply_delta(s->d->dm.root, s->ss.epoch, from, d->events, ff,
	    nff, &now, &e);
	free_feeds(ff, nff);
	if (r < 0) {
		fail(s, S_DELTA, 0, "applying seq %" PRIu64 "..: %s: %s",
		    from + 1, e.code, e.details);
		return -1;
	}
	if (r == RB_SYNC_DIVERGED && now == from) {
		rb_warn("the newest zones build of seq %" PRIu64 "..%" PRIu64
		        " is no longer kept by the master: full sync",
		    from + 1, from + n);
		s->st = S_SNAPSHOT;
		return -1;
	}
	if (r == RB_SYNC_DIVERGED) {
		rb_warn("this root is at seq %" PRIu64 ", not %" PRIu64
		        " of epoch %s: full sync",
		    now, from, s->ss.epoch);
		s->st = S_SNAPSHOT;
		return -1;
	}
	s->ss.applied_seq = now;
	ts = json_integer_value(
	    json_object_get(json_array_get(d->events, n - 1), "ts"));
	rb_info("Slave sync: applied %zu events (seq %" PRIu64 "->%" PRIu64
	        ") lag=%llds",
	    n, from, now, (long long)(time(NULL) - ts));
	return 0;
}

static void
step_delta(struct slave *s)
{
	char path[256];
	int wait = s->d->dm.conf->sync_interval < POLL_MAX ?
	    (int)s->d->dm.conf->sync_interval :
	    POLL_MAX;
	struct rb_sync_client_req q = { path, NULL, 1, RB_SYNC_DELTA_BYTES,
		wait + 30, -1, NULL };
	struct rb_sync_client_resp r;
	struct rb_sync_delta d;
	struct rb_err e = { 0 };
	int rc;

	if (!s->ss.synced || !root_in_step(s)) {
		s->st = S_SNAPSHOT;
		return;
	}
	if (ensure_pin(s, S_DELTA) < 0)
		return;
	snprintf(path, sizeof path,
	    "/sync/delta?since=%" PRIu64 "&epoch=%s&wait=%d", s->ss.applied_seq,
	    s->ss.epoch, wait);
	s->polling = 1;
	rc = request(s, &q, &r, S_DELTA);
	s->polling = 0;
	if (rc < 0)
		return;
	if (r.status == 410) {
		rb_info("master %s: 410 Gone (too far behind, or a new "
		        "epoch): full sync",
		    s->d->dm.conf->sync_master);
		s->st = S_SNAPSHOT;
	} else if (r.status != 200) {
		http_fail(s, "delta", &r, S_DELTA);
	} else if (rb_sync_proto_delta_parse(&d, r.body, r.len,
	               s->ss.applied_seq, &e) < 0) {
		fail(s, S_SNAPSHOT, 0, "delta: %s", e.details);
	} else {
		if (strcmp(d.epoch, s->ss.epoch) != 0) {
			rb_info("master epoch is now %s: full sync", d.epoch);
			s->st = S_SNAPSHOT;
		} else if (json_array_size(d.events) == 0 ||
		    apply(s, &d) == 0) {
			contact(s, &d);
		}
		rb_sync_proto_delta_fini(&d);
	}
	rb_sync_client_resp_fini(&r);
}

/* --- BACKOFF and the loop --------------------------------------------- */

/* The backoff's delay is over (or cut short): the failed state again,
 * with a longer delay should it fail once more. */
static void
end_backoff(struct slave *s)
{
	s->backoff = rb_sync_backoff_next(s->backoff, s->refused);
	s->pin_gone = 0;
	s->st = s->after;
}

static void
new_client(struct slave *s)
{
	struct rb_err e = { 0 };
	struct rb_sync_client *c =
	    rb_sync_client_new(s->d->dm.conf->sync_master,
	        s->d->dm.conf->sync_key, &e);

	if (c == NULL)
		rb_die(111, "%s", e.details);
	rb_sync_client_free(s->cli);
	s->cli = c;
}

/* The next step: at once, or after the backoff's delay. */
static void
schedule(struct slave *s)
{
	struct timeval tv = { 0, 0 };

	if (s->st == S_BACKOFF) {
		rb_info("retrying in %lds", s->backoff);
		tv.tv_sec = s->backoff;
	}
	evtimer_add(s->step_ev, &tv);
}

/* One state of the machine; a transfer blocks here, watching signals and
 * sync/ (wake_cb). */
static void
step(evutil_socket_t fd, short what, void *arg)
{
	struct slave *s = arg;

	if (s->d->dm.stopping)
		return;
	if (s->st == S_BACKOFF)
		end_backoff(s);
	if (s->resync) {
		rb_info("resync requested: full sync");
		s->st = S_SNAPSHOT;
	}
	if (s->st == S_SNAPSHOT)
		step_snapshot(s);
	else
		step_delta(s);
	schedule(s);
}

/* SIGHUP: the config again; a role that is no longer a complete slave
 * ends the process, and s6 starts it in the new role. */
static void
reload(struct rb_daemon *dm, void *arg)
{
	struct slave *s = arg;
	struct rb_conf *c = rb_daemon_config_again(dm);

	if (c == NULL)
		return;
	if (c->mode != RB_MODE_SLAVE || c->sync_key == NULL ||
	    c->sync_master == NULL) {
		rb_info("SIGHUP: no longer a complete slave configuration: "
		        "exiting to restart in the new role");
		rb_conf_free(c);
		rb_daemon_stop(dm);
		return;
	}
	rb_daemon_use_conf(dm, c);
	new_client(s);
	if (s->st == S_BACKOFF)
		end_backoff(s);
	s->backoff = BACKOFF_MIN;
	s->st = S_DELTA;
	rb_info("SIGHUP: reloaded runbound.conf: master %s", c->sync_master);
	schedule(s);
}

/* The journal holds the master's events as applied, in its epoch: a
 * kill after a delta went in and before sync/state was saved leaves the
 * state behind the root, and the root is right (else the next delta
 * looks like a divergence and costs a full snapshot). */
static void
resume_seq(struct slave *s)
{
	struct rb_sync_head h;
	struct rb_err e = { 0 };

	if (!s->ss.synced || s->ss.epoch[0] == '\0' ||
	    rb_sync_source_head(s->d->dm.root, &h, &e) < 0 ||
	    strcmp(h.epoch, s->ss.epoch) != 0 || h.seq <= s->ss.applied_seq)
		return;
	rb_info("resuming at seq %" PRIu64 ", the journal's (sync/state "
	        "said %" PRIu64 ")",
	    h.seq, s->ss.applied_seq);
	s->ss.applied_seq = h.seq;
	save(s);
}

static void
start(struct slave *s)
{
	struct rb_daemon_hooks hooks = { .reload = reload, .arg = s };
	struct rb_err e = { 0 };

	rb_daemon_loop(&s->d->dm, &hooks);
	events_setup(s);
	if (rb_sync_state_load(s->d->dm.root, &s->ss, &e) < 0)
		rb_warn("%s: starting with a full sync", e.details);
	resume_seq(s);
	s->resync = rb_sync_state_resync_pending(s->d->dm.root);
	s->st = s->ss.synced ? S_DELTA : S_SNAPSHOT;
	s->backoff = BACKOFF_MIN;
	new_client(s);
}

int
slave_run(struct syncd *d)
{
	static struct slave s = { .inofd = -1 };

	s.d = d;
	start(&s);
	rb_daemon_ready(&d->dm, NULL);
	rb_info("Slave sync started -> master %s (applied seq=%" PRIu64
	        " epoch=%s)",
	    d->dm.conf->sync_master, s.ss.applied_seq,
	    s.ss.epoch[0] ? s.ss.epoch : "none");
	schedule(&s);
	rb_daemon_run(&d->dm);
	rb_info("exiting at seq=%" PRIu64, s.ss.applied_seq);
	event_free(s.ino_ev);
	event_free(s.step_ev);
	(void)close(s.inofd); /* read-only use */
	rb_sync_client_free(s.cli);
	return rb_daemon_exit(&d->dm);
}
