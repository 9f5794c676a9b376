/*
 * rb-auditd: turns the journal and audit/spool/ into the HMAC-chained
 * audit log, ROOT/audit/audit.log (doc/rb-auditd.md, doc/audit.md).
 *
 * Start (lib/prog/daemon): options, config (exit 100 when invalid), the
 * loop, privileges dropped to username:, key, the log opened and its
 * position read back from its last lines (exit 100 when the key does not
 * verify it), startup appended, everything pending appended, readiness
 * on -r FD; then the loop, woken by inotify on journal/ and audit/spool/
 * (and a rescan every RESCAN_SECONDS in case a change was missed).
 * SIGTERM: finish the current batch, append shutdown, exit 0.
 * SIGHUP: re-read runbound.conf (audit-log on or off; the key is read at
 * start only).  With audit-log: no it idles, ready, so that s6 does not
 * restart it in a loop.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/path.h"
#include "sys/file.h"
#include "sys/inotify.h"

#include "auditd.h"

#define RESCAN_SECONDS 5

/* Bytes, with an optional k, M or G suffix, at least 1024; 0 when s is
 * not one. */
static size_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	else if (*end == 'G')
		v <<= 30, end++;
	if (*end != '\0' || v < 1024)
		return 0;
	return (size_t)v;
}

/* Watch the journal and spool directories; re-added when one was
 * replaced (a wiped journal comes back as a new directory). */
static void
watch(struct auditd *d)
{
	static const char *const dirs[] = { "journal", "audit/spool" };
	char path[RB_PATH_MAX];

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		rb_path(path, sizeof path, "%s/%s", d->dm.root, dirs[i]);
		/* A missing journal/ is watched through ROOT until made. */
		(void)inotify_add_watch(d->inofd, path,
		    IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF |
		        IN_MOVE_SELF | IN_ONLYDIR);
	}
}

/* Append what is pending; a failure to write ends the process (s6
 * restarts it, and it resumes from the log). */
static void
work(struct auditd *d)
{
	if (d->on && !d->dm.stopping && pump(d) < 0)
		rb_die(111,
		    "stopping: the audit log could not be written (s6 "
		    "restarts rb-auditd, which resumes from the log)");
}

static void
on_inotify_event(void *arg, const struct inotify_event *ev)
{
	int *rewatch = arg;

	if (ev->mask &
	    (IN_IGNORED | IN_Q_OVERFLOW | IN_CREATE | IN_DELETE_SELF |
	        IN_MOVE_SELF))
		*rewatch = 1;
}

/* Any change under journal/ or audit/spool/: look again. */
static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct auditd *d = arg;
	int rewatch = 0;

	(void)rb_inotify_each(d->inofd, on_inotify_event, &rewatch);
	if (rewatch)
		watch(d);
	work(d);
}

/* Every RESCAN_SECONDS, in case a change went unseen. */
static void
on_rescan(evutil_socket_t fd, short what, void *arg)
{
	work(arg);
}

static void
setup_events(struct auditd *d)
{
	struct timeval every = { RESCAN_SECONDS, 0 };

	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inofd < 0 ||
	    inotify_add_watch(d->inofd, d->dm.root,
	        IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0)
		rb_die(111, "unable to watch %s: %s", d->dm.root,
		    strerror(errno));
	watch(d);
	if ((d->ino_ev = event_new(d->dm.base, d->inofd, EV_READ | EV_PERSIST,
	         on_inotify, d)) == NULL ||
	    event_add(d->ino_ev, NULL) < 0 ||
	    (d->rescan_ev = event_new(d->dm.base, -1, EV_PERSIST, on_rescan,
	         d)) == NULL ||
	    event_add(d->rescan_ev, &every) < 0)
		rb_die(111, "unable to set up events");
}

static void
load_key(struct auditd *d)
{
	struct rb_err e = { 0 };

	if (rb_audit_key_load(&d->key, d->dm.root,
	        d->dm.conf->audit_log_hmac_key, 1, &e) < 0)
		rb_die(rb_err_exit_code(&e), "unable to load the audit key: %s",
		    e.details);
	if (d->key.source == RB_AUDIT_KEY_NEW)
		rb_warn("generated a new audit key in audit/hmac.key: keep a "
		        "copy elsewhere, it is needed to verify the log");
	if (d->key.source == RB_AUDIT_KEY_CONF)
		rb_warn(
		    "the audit key is in runbound.conf in plain text; "
		    "prefer RUNBOUND_AUDIT_HMAC_KEY or audit/hmac.key (0600)");
	if (d->key.loose_mode)
		rb_warn("audit/hmac.key is readable by group or others");
	if (d->key.len < 32)
		rb_warn("the audit key is %zu bytes: 32 or more recommended",
		    d->key.len);
}

/* Open the log, append startup and everything pending. */
static void
start_log(struct auditd *d)
{
	struct rb_err e = { 0 };
	char spool[RB_PATH_MAX];

	load_key(d);
	if (rb_audit_writer_open(&d->w, d->dm.root, &d->key, d->max_size, &e) <
	    0) {
		int permanent = e.code != NULL &&
		    (strcmp(e.code, "KEY_MISMATCH") == 0 ||
		        strcmp(e.code, "DAMAGED") == 0);

		rb_die(permanent ? 100 : 111,
		    "unable to open the audit log: %s", e.details);
	}
	if (d->w.truncated > 0)
		rb_warn("cut a torn last line of %zu bytes from audit.log (a "
		        "crash during a write); its events are read again",
		    d->w.truncated);
	rb_path(spool, sizeof spool, "%s/audit/spool", d->dm.root);
	if (rb_file_mkdirs(spool, 0750) < 0)
		rb_die(111, "unable to create %s: %s", spool, strerror(errno));
	if (pump_sweep(d) < 0)
		rb_die(111, "unable to clear logged files from %s: %s", spool,
		    strerror(errno));
	watch(d);
	d->on = 1;
	rb_info("audit log open seq=%llu journal=%s:%llu key=%s",
	    (unsigned long long)d->w.seq, d->w.epoch[0] ? d->w.epoch : "-",
	    (unsigned long long)d->w.jseq, rb_audit_key_source_name(&d->key));
	if (pump_self(d, "startup", NULL) < 0)
		rb_die(111, "unable to append startup");
}

static void
stop_log(struct auditd *d, const char *reason)
{
	if (pump_self(d, "shutdown", reason) < 0)
		rb_error("unable to append shutdown");
	rb_audit_writer_close(&d->w);
	rb_audit_key_wipe(&d->key);
	d->on = 0;
}

static void
reload(struct rb_daemon *dm, void *arg)
{
	struct auditd *d = arg;
	struct rb_conf *c = rb_daemon_config_again(dm);

	if (c == NULL)
		return;
	rb_daemon_use_conf(dm, c);
	rb_info("SIGHUP: configuration read again audit-log=%s",
	    c->audit_log ? "yes" : "no");
	if (d->on && !c->audit_log) {
		stop_log(d, "audit-log: no");
		rb_info("audit-log: no: the audit log is off; idling");
	} else if (!d->on && c->audit_log) {
		start_log(d);
		work(d);
	}
}

static int
option(char letter, const char *arg, void *a)
{
	struct auditd *d = a;

	/* -s MAXSIZE: the only option of rb-auditd's own. */
	d->max_size = parse_size(arg);
	return d->max_size > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct rb_daemon_opt own[] = { { 's', 1, "-s MAXSIZE" } };
	static struct auditd d = { .inofd = -1 };
	struct rb_daemon_hooks hooks = { .reload = reload, .arg = &d };

	rb_daemon_options(&d.dm, "rb-auditd", argc, argv, own, 1, option, &d);
	rb_daemon_config(&d.dm);
	rb_daemon_loop(&d.dm, &hooks);
	rb_daemon_drop(&d.dm);
	setup_events(&d);
	if (d.dm.conf->audit_log)
		start_log(&d);
	else
		rb_info("audit-log: no: the audit log is off; idling");
	work(&d);
	rb_daemon_ready(&d.dm, NULL);
	rb_daemon_run(&d.dm);
	if (d.on) {
		stop_log(&d, NULL);
		rb_info("SIGTERM: seq=%llu appended=%llu",
		    (unsigned long long)d.w.seq, d.appended);
	}
	event_free(d.ino_ev);
	event_free(d.rescan_ev);
	(void)close(d.inofd); /* read-only use */
	free(d.taken);
	return rb_daemon_exit(&d.dm);
}
