/*
 * account: what rb-dnsd tells the rest of the toolkit through run/.
 * Every query is counted in run/stats.shm (lib/stats/stats) and written to
 * the query-log ring, whatever the verbosity: the ring is what GET /logs
 * shows, and log-retention alone bounds it (Runbound keeps only the
 * notable queries below verbosity 2, which leaves such a log nearly
 * empty).  rb-dnsd is the only writer of that file, so requests
 * from other programs arrive as files in run/ctl/ (clear-logs, reload),
 * each holding a nonce; the answer is the nonce stored back in the
 * mapping, plus the inodes of the data files now served, so a writer can
 * tell when its change is live.
 */

#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/path.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#include "dnsd.h"

int
account_init(struct dnsd *d)
{
	const struct rb_conf *c = d->dm.conf;
	char notify_dir[RB_PATH_MAX];

	if (snprintf(d->ctl_dir, sizeof d->ctl_dir, "%s/run/ctl", d->dm.root) >=
	        (int)sizeof d->ctl_dir ||
	    rb_path(d->shm_path, sizeof d->shm_path, "%s/run/stats.shm",
	        d->dm.root) < 0)
		return -1;
	d->stats = rb_stats_create(d->dm.root, (uint32_t)c->log_retention,
	    !c->log_client_ip);
	if (d->stats == NULL)
		return -1;
	/* rb-apid writes requests here: group-writable, see doc/rb-dnsd.md */
	if (rb_file_mkdirs(d->ctl_dir, 0770) < 0 ||
	    chmod(d->ctl_dir, 0770) < 0 || rb_atomic_clean(d->ctl_dir) < 0)
		return -1;
	/* After the privilege drop rb-dnsd must still read and remove the
	 * requests there: the directory belongs to the user it becomes. */
	/* rb-notify, started after the drop, keeps its state here. */
	if (snprintf(notify_dir, sizeof notify_dir, "%s/run/notify",
	        d->dm.root) >= (int)sizeof notify_dir ||
	    rb_file_mkdirs(notify_dir, 0755) < 0)
		return -1;
	if (geteuid() == 0 && c->username != NULL) {
		struct passwd *pw = getpwnam(c->username);
		/* ... and so is stats.shm, which it touches (account_touch) */
		if (pw != NULL &&
		    (chown(d->ctl_dir, pw->pw_uid, pw->pw_gid) < 0 ||
		        chown(notify_dir, pw->pw_uid, pw->pw_gid) < 0 ||
		        chown(d->shm_path, pw->pw_uid, pw->pw_gid) < 0))
			return -1;
	}
	(void)unlink_ctl_leftovers(d);
	d->wd_ctl = -1;
	return 0;
}

/* Count the query under act and log it under logact. */
static void
count_and_log(struct dnsd *d, const struct rb_answer_query *q,
    const struct rb_answer_info *info, enum rb_log_action act,
    enum rb_log_action logact)
{
	uint64_t el = (now_ns() - q->now_ns) / 1000;
	struct rb_stats_answer a = { act, info->rcode, q->tcp,
		el > UINT32_MAX ? UINT32_MAX : (uint32_t)el, d->now_sec };

	rb_stats_query(d->stats, &a);
	rb_stats_log(d->stats,
	    info->qname_len ? q->pkt + 12 : (const uint8_t *)"",
	    info->qname_len ? info->qname_len : 1, info->qtype, logact,
	    &q->client, d->now_sec, a.elapsed_us);
}

void
account_query(struct dnsd *d, const struct rb_answer_query *q,
    const struct rb_answer_info *info)
{
	enum rb_log_action act = info->action;

	/* An NXDOMAIN from local data counts as a local hit but reads as
	 * nxdomain in the log. */
	count_and_log(d, q, info, act,
	    act == RB_ACT_LOCAL && info->rcode == 3 ? RB_ACT_NXDOMAIN : act);
}

/* A query that step 8 answered later, under act (RB_ACT_FORWARDED); a
 * SERVFAIL reply counts and logs as servfail.  The time runs from
 * q->now_ns, when the query arrived. */
void
account_forward(struct dnsd *d, const struct rb_answer_query *q,
    const struct rb_answer_info *info, enum rb_log_action act)
{
	if (info->rcode == 2)
		act = RB_ACT_SERVFAIL;
	count_and_log(d, q, info, act, act);
}

/* Touch run/stats.shm: rb-apid watches run/ and looks at once at what
 * its waiting requests wait for (new data mapped, a control file
 * answered), instead of at its next poll. */
static void
account_touch(struct dnsd *d)
{
	/* Only a hint: a failure leaves rb-apid to its polling. */
	(void)utimensat(AT_FDCWD, d->shm_path, NULL, 0);
}

void
account_data(struct dnsd *d)
{
	rb_stats_set_data(d->stats, 0, rb_cdbmap_ino(d->local));
	rb_stats_set_data(d->stats, 1, rb_cdbmap_ino(d->block));
	rb_stats_set_data(d->stats, 2, rb_cdbmap_ino(d->local_delta));
	rb_stats_set_data(d->stats, 3, rb_cdbmap_ino(d->block_delta));
	account_touch(d);
}

/* Read the nonce in run/ctl/name and remove the file; 0 when absent. */
static uint64_t
take_nonce(const struct dnsd *d, const char *name)
{
	char path[PATH_MAX + 32], *txt, *end;
	unsigned long long v;

	snprintf(path, sizeof path, "%s/%s", d->ctl_dir, name);
	txt = rb_file_read(path, 64, NULL);
	if (txt == NULL)
		return 0;
	(void)unlink(path); /* served; a new request is a new file */
	errno = 0;
	v = strtoull(txt, &end, 10);
	if (errno != 0 || end == txt || (*end != '\n' && *end != '\0')) {
		rb_warn("ignoring %s: not a nonce", path);
		v = 0;
	}
	free(txt);
	return v;
}

int
unlink_ctl_leftovers(const struct dnsd *d)
{
	(void)take_nonce(d, "clear-logs");
	(void)take_nonce(d, "reload");
	return 0;
}

void
account_ctl(struct dnsd *d)
{
	uint64_t n;

	if ((n = take_nonce(d, "clear-logs")) != 0) {
		uint64_t deleted = rb_stats_log_clear(d->stats);
		rb_stats_ack_clear(d->stats, n, deleted);
		rb_info("query log cleared entries_deleted=%llu",
		    (unsigned long long)deleted);
	}
	if ((n = take_nonce(d, "reload")) != 0) {
		setup_reload_conf(d);
		rb_stats_ack_reload(d->stats, n);
	}
	account_touch(d);
}

int
account_watch(struct dnsd *d)
{
	d->wd_ctl = inotify_add_watch(d->inotify.fd, d->ctl_dir,
	    IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
	return d->wd_ctl < 0 ? -1 : 0;
}

void
account_clock(struct dnsd *d)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	d->now_sec = (int64_t)ts.tv_sec;
}
