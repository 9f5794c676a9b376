/*
 * rb-auditd: turns the journal and audit/spool/ into the HMAC-chained
 * audit log, ROOT/audit/audit.log (doc/rb-auditd.md, doc/audit.md).
 *
 * Start: options, config (exit 100 when invalid), key, the log opened and
 * its position read back from its last lines (exit 100 when the key does
 * not verify it), startup appended, everything pending appended,
 * readiness on -r FD; then one poll loop woken by inotify on journal/ and
 * audit/spool/ (and a rescan every RESCAN_SECONDS in case a change was
 * missed).  SIGTERM: finish the current batch, append shutdown, exit 0.
 * SIGHUP: re-read runbound.conf (audit-log on or off; the key is read at
 * start only).  With audit-log: no it idles, ready, so that s6 does not
 * restart it in a loop.
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
#include "auditd.h"
#include "base/log.h"
#include "sys/ready.h"
#include "sys/root.h"
#include "state/txn.h"
#include "base/path.h"

#define RESCAN_SECONDS 5

static void
usage(void)
{
	rb_die(100, "usage: rb-auditd [-d ROOT] [-r FD] [-s MAXSIZE] [-v]");
}

/* Bytes, with an optional k, M or G suffix. */
static size_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		usage();
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	else if (*end == 'G')
		v <<= 30, end++;
	if (*end != '\0' || v < 1024)
		usage();
	return (size_t)v;
}

void
auditd_signals(struct auditd *d)
{
	rb_sigfd_read(d->sigfd, &d->stop, &d->hup);
}

/* Watch the journal and spool directories; re-added when one was
 * replaced (a wiped journal comes back as a new directory). */
static void
watch(struct auditd *d)
{
	static const char *const dirs[] = { "journal", "audit/spool" };
	char path[RB_PATH_MAX];

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		rb_path(path, sizeof path, "%s/%s", d->root, dirs[i]);
		(void)inotify_add_watch(d->inofd, path,
		    IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF |
		        IN_MOVE_SELF | IN_ONLYDIR); /* a missing journal/ is
		                                       watched via ROOT */
	}
}

static void
setup_events(struct auditd *d)
{
	if ((d->sigfd = rb_sigfd_open()) < 0)
		rb_die(111, "unable to set up signals: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inofd < 0 ||
	    inotify_add_watch(d->inofd, d->root,
	        IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0)
		rb_die(111, "unable to watch %s: %s", d->root, strerror(errno));
	watch(d);
}

/* Drain inotify; any event means "look again". */
static int
read_inotify(struct auditd *d)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0, rewatch = 0;
	ssize_t n;

	while ((n = read(d->inofd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			any = 1;
			if (ev->mask &
			    (IN_IGNORED | IN_Q_OVERFLOW | IN_CREATE |
			        IN_DELETE_SELF | IN_MOVE_SELF))
				rewatch = 1;
			p += sizeof *ev + ev->len;
		}
	}
	if (rewatch)
		watch(d);
	return any;
}

static struct rb_conf *
load_conf(struct auditd *d, int first)
{
	struct rb_err e = { 0 };
	struct rb_conf *c = rb_txn_load_conf(d->root, &e);

	if (c == NULL) {
		if (first)
			rb_die(100, "%s", e.details);
		rb_error("%s; keeping the previous configuration", e.details);
	}
	return c;
}

static void
load_key(struct auditd *d)
{
	struct rb_err e = { 0 };

	if (rb_audit_key_load(&d->key, d->root, d->conf->audit_log_hmac_key, 1,
	        &e) < 0)
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
	if (rb_audit_writer_open(&d->w, d->root, &d->key, d->max_size, &e) <
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
	rb_path(spool, sizeof spool, "%s/audit/spool", d->root);
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
reload(struct auditd *d)
{
	struct rb_conf *c = load_conf(d, 0);

	d->hup = 0;
	if (c == NULL)
		return;
	rb_conf_free(d->conf);
	d->conf = c;
	rb_info("SIGHUP: configuration read again audit-log=%s",
	    c->audit_log ? "yes" : "no");
	if (d->on && !c->audit_log) {
		stop_log(d, "audit-log: no");
		rb_info("audit-log: no: the audit log is off; idling");
	} else if (!d->on && c->audit_log) {
		start_log(d);
	}
}

static int
options(struct auditd *d, int argc, char **argv)
{
	const char *opt_root = NULL;
	int c, ready = -1, debug = 0;

	while ((c = getopt(argc, argv, "d:r:s:v")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'r':
			if ((ready = rb_ready_parse(optarg)) < 0)
				usage();
			break;
		case 's':
			d->max_size = parse_size(optarg);
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
	rb_log_init("rb-auditd", debug);
	if (rb_root_resolve(opt_root, d->root, sizeof d->root) < 0 ||
	    strlen(d->root) > 3000)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno ? errno : ENAMETOOLONG));
	return ready;
}

static void
announce(int *ready)
{
	if (rb_ready_announce(ready) < 0)
		rb_die(111, "unable to write readiness: %s", strerror(errno));
}

static void
wait_events(struct auditd *d)
{
	struct pollfd p[2] = { { d->sigfd, POLLIN, 0 },
		{ d->inofd, POLLIN, 0 } };

	if (poll(p, 2, RESCAN_SECONDS * 1000) < 0 && errno != EINTR)
		rb_die(111, "poll: %s", strerror(errno));
	auditd_signals(d);
	(void)read_inotify(d); /* woken or timed out: look again either way */
}

int
main(int argc, char **argv)
{
	struct auditd d = { .sigfd = -1, .inofd = -1 };
	int ready = options(&d, argc, argv);

	d.conf = load_conf(&d, 1);
	setup_events(&d);
	if (d.conf->audit_log)
		start_log(&d);
	else
		rb_info("audit-log: no: the audit log is off; idling");
	while (!d.stop) {
		if (d.hup)
			reload(&d);
		if (d.on && pump(&d) < 0)
			rb_die(111,
			    "stopping: the audit log could not be "
			    "written (s6 restarts rb-auditd, which resumes "
			    "from "
			    "the log)");
		announce(&ready);
		if (!d.stop)
			wait_events(&d);
	}
	if (d.on) {
		stop_log(&d, NULL);
		rb_info("SIGTERM: exiting seq=%llu appended=%llu",
		    (unsigned long long)d.w.seq, d.appended);
	} else {
		rb_info("SIGTERM: exiting");
	}
	rb_conf_free(d.conf);
	free(d.taken);
	return 0;
}
