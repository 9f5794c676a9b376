/*
 * pump: journal and spool into the audit log, one batch at a time.
 *
 * A batch is staged from the journal first (events after the log's
 * cursor, an epoch change noted as journal_reset, pruned events we never
 * saw as journal_gap), then from the spool (oldest name first), then
 * committed with one fsync.  Only after the commit are the batch's spool
 * files removed (or moved to audit/rejected/ when unreadable), and the
 * spool directory synced before the next batch: the order lib/audit/writer.c's
 * recovery relies on.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/files.h"
#include "audit/source.h"
#include "audit/spool.h"
#include "base/log.h"
#include "base/path.h"
#include "state/journal.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#include "auditd.h"

/* Log a source problem once, not at every rescan. */
static void
warn_once(struct auditd *d, const char *msg)
{
	if (strcmp(d->lastwarn, msg) == 0)
		return;
	snprintf(d->lastwarn, sizeof d->lastwarn, "%s", msg);
	rb_warn("%s", msg);
}

static int
stage(struct auditd *d, int64_t ts, const char *event, const json_t *f,
    const char *src)
{
	int r = rb_audit_writer_add(&d->w, ts, event, f, src);

	if (r < 0 && errno == EMSGSIZE) {
		/* Too big for one line: the event is kept, its fields not. */
		json_t *o = json_pack("{s:b}", "fields_omitted", 1);

		rb_warn("event=%s src=%s: fields too large, omitted", event,
		    src);
		r = o ? rb_audit_writer_add(&d->w, ts, event, o, src) : -1;
		json_decref(o);
	}
	if (r < 0) {
		rb_error("unable to format event=%s src=%s: %s", event, src,
		    strerror(errno));
		return -1;
	}
	if (rb_audit_writer_full(&d->w))
		d->full = 1;
	return 0;
}

/* --- journal ---------------------------------------------------------- */

struct jctx {
	struct auditd *d;
	const char *epoch;
	int failed;
};

static int
on_journal(void *ctx, json_t *ev)
{
	struct jctx *c = ctx;
	struct auditd *d = c->d;
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(ev, "seq"));
	const char *event = json_string_value(json_object_get(ev, "event"));
	json_t *f;
	char src[RB_AUDIT_SRC_MAX + 1];
	int r;

	if (d->full)
		return -1;
	if (d->w.sjseq > 0 && seq > d->w.sjseq + 1) {
		snprintf(src, sizeof src, "journal:%s:%" PRIu64, c->epoch,
		    seq - 1);
		f = json_pack("{s:I, s:I}", "from", (json_int_t)d->w.sjseq + 1,
		    "to", (json_int_t)seq - 1);
		r = f ? stage(d, (int64_t)time(NULL), "journal_gap", f, src) :
		        -1;
		json_decref(f);
		if (r < 0)
			return c->failed = 1, -1;
		rb_warn("journal events %" PRIu64 "..%" PRIu64 " were pruned "
		        "before they were audited",
		    d->w.sjseq + 1, seq - 1);
	}
	if (event == NULL || !rb_audit_line_event_ok(event)) {
		rb_warn("journal seq=%" PRIu64 " has no valid event name; "
		        "recorded as journal_invalid",
		    seq);
		event = "journal_invalid";
	}
	f = rb_audit_source_fields(event, json_object_get(ev, "fields"));
	snprintf(src, sizeof src, "journal:%s:%" PRIu64, c->epoch, seq);
	r = f ? stage(d, (int64_t)json_integer_value(json_object_get(ev, "ts")),
	            event, f, src) :
	        -1;
	json_decref(f);
	if (r < 0)
		return c->failed = 1, -1;
	return 0;
}

/* A new journal epoch: the history we followed is gone. */
static int
journal_reset(struct auditd *d, const char *epoch)
{
	char src[RB_AUDIT_SRC_MAX + 1];
	json_t *f;
	int r;

	rb_warn("journal epoch changed from %s to %s: continuing from the new "
	        "journal's first event",
	    d->w.sepoch, epoch);
	snprintf(src, sizeof src, "journal:%s:0", epoch);
	f = json_pack("{s:s, s:I, s:s}", "old_epoch", d->w.sepoch, "old_seq",
	    (json_int_t)d->w.sjseq, "new_epoch", epoch);
	r = f ? stage(d, (int64_t)time(NULL), "journal_reset", f, src) : -1;
	json_decref(f);
	return r;
}

/* Stage journal events after the cursor.  -1 only when staging failed. */
static int
from_journal(struct auditd *d)
{
	struct rb_journal j;
	struct rb_err e = { 0 };
	struct jctx c = { d, NULL, 0 };
	char epoch[64], again[64], msg[600];
	size_t before = d->w.nstaged;

	if (rb_audit_source_epoch(d->dm.root, epoch, sizeof epoch) < 0) {
		if (errno != ENOENT) {
			snprintf(msg, sizeof msg,
			    "unable to read "
			    "journal/epoch: %s",
			    strerror(errno));
			warn_once(d, msg);
		}
		return 0;
	}
	if (d->w.sepoch[0] != '\0' && strcmp(d->w.sepoch, epoch) != 0 &&
	    journal_reset(d, epoch) < 0)
		return -1;
	memset(&j, 0, sizeof j);
	if (snprintf(j.dir, sizeof j.dir, "%s/journal", d->dm.root) >=
	    (int)sizeof j.dir)
		return 0; /* the root was checked at start */
	c.epoch = epoch;
	if (rb_journal_each(&j,
	        strcmp(d->w.sepoch, epoch) == 0 ? d->w.sjseq : 0, on_journal,
	        &c, &e) < 0 &&
	    !d->full) {
		if (c.failed)
			return -1;
		/* A file pruned under us, or damage: keep what we have. */
		snprintf(msg, sizeof msg, "journal: %s", e.details);
		warn_once(d, msg);
	}
	/* The journal replaced meanwhile: what we read may be either's. */
	if (d->w.nstaged > before &&
	    (rb_audit_source_epoch(d->dm.root, again, sizeof again) < 0 ||
	        strcmp(again, epoch) != 0)) {
		rb_audit_writer_drop(&d->w);
		d->full = 0;
	}
	return 0;
}

/* --- spool ------------------------------------------------------------ */

static int
take(struct auditd *d, const char *name, int rejected)
{
	if (d->ntaken == d->captaken) {
		size_t nc = d->captaken ? d->captaken * 2 : 64;
		struct taken *nv = realloc(d->taken, nc * sizeof *nv);

		if (nv == NULL)
			return -1;
		d->taken = nv;
		d->captaken = nc;
	}
	if ((d->taken[d->ntaken].name = strdup(name)) == NULL)
		return -1;
	d->taken[d->ntaken++].rejected = rejected;
	return 0;
}

static void
untake(struct auditd *d)
{
	for (size_t i = 0; i < d->ntaken; i++)
		free(d->taken[i].name);
	d->ntaken = 0;
}

/* Stage one spool file; an unreadable one becomes spool_invalid. */
static int
spool_one(struct auditd *d, const char *dir, const char *name)
{
	char path[RB_PATH_MAX], src[RB_AUDIT_SRC_MAX + 1],
	    event[RB_AUDIT_EVENT_MAX + 1];
	const char *why = "unreadable";
	json_t *f = NULL;
	int64_t ts = 0;
	size_t len = 0;
	char *text;
	int r, bad;

	rb_path(path, sizeof path, "%s/%s", dir, name);
	snprintf(src, sizeof src, "spool:%s", name);
	text = rb_file_read(path, RB_AUDIT_SPOOL_MAX, &len);
	if (text == NULL && errno == ENOENT)
		return 0; /* taken by someone else: nothing to write */
	if (text == NULL && errno == EFBIG)
		why = "file too large";
	bad = text == NULL ||
	    rb_audit_spool_parse(text, len, &ts, event, &f, &why) < 0;
	free(text);
	if (bad) {
		rb_warn("audit/spool/%s: %s: moved to audit/rejected/", name,
		    why);
		f = json_pack("{s:s, s:s}", "file", name, "error", why);
		snprintf(event, sizeof event, "spool_invalid");
		ts = (int64_t)time(NULL);
	}
	r = f != NULL ? stage(d, ts, event, f, src) : -1;
	json_decref(f);
	if (r == 0 && take(d, name, bad) < 0)
		r = -1;
	return r;
}

static int
from_spool(struct auditd *d)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], **names = NULL;
	size_t n = 0;
	int r = 0, removed = 0;

	rb_path(dir, sizeof dir, "%s/audit/spool", d->dm.root);
	if (rb_audit_spool_list(dir, &names, &n) < 0) {
		warn_once(d, "unable to list audit/spool");
		return 0;
	}
	for (size_t i = 0; i < n && !d->full && r == 0; i++) {
		if (rb_audit_writer_consumed(&d->w, names[i])) {
			/* written before a crash, not yet removed */
			rb_path(path, sizeof path, "%s/%s", dir, names[i]);
			removed += unlink(path) == 0;
			continue;
		}
		r = spool_one(d, dir, names[i]);
	}
	rb_audit_files_free(names, n);
	if (removed > 0 && rb_file_dir_sync(dir, 1) < 0)
		rb_warn("unable to sync audit/spool: %s", strerror(errno));
	return r;
}

int
pump_sweep(struct auditd *d)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], **names = NULL;
	size_t n = 0;
	int removed = 0;

	rb_path(dir, sizeof dir, "%s/audit/spool", d->dm.root);
	if (rb_audit_spool_list(dir, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!rb_audit_writer_consumed(&d->w, names[i]))
			continue;
		rb_path(path, sizeof path, "%s/%s", dir, names[i]);
		removed += unlink(path) == 0;
	}
	rb_audit_files_free(names, n);
	return removed > 0 && rb_file_dir_sync(dir, 1) < 0 ? -1 : 0;
}

/* After the commit: the batch's spool files go, durably. */
static int
release_spool(struct auditd *d)
{
	char dir[RB_PATH_MAX], rej[RB_PATH_MAX], from[RB_PATH_MAX],
	    to[RB_PATH_MAX];
	int moved = 0;

	if (d->ntaken == 0)
		return 0;
	rb_path(dir, sizeof dir, "%s/audit/spool", d->dm.root);
	rb_path(rej, sizeof rej, "%s/audit/rejected", d->dm.root);
	for (size_t i = 0; i < d->ntaken; i++) {
		rb_path(from, sizeof from, "%s/%s", dir, d->taken[i].name);
		if (d->taken[i].rejected) {
			rb_path(to, sizeof to, "%s/%s", rej, d->taken[i].name);
			if (rb_file_mkdirs(rej, 0750) == 0 &&
			    rename(from, to) == 0) {
				moved = 1;
				continue;
			}
		}
		if (unlink(from) < 0 && errno != ENOENT) {
			rb_error("unable to remove audit/spool/%s: %s",
			    d->taken[i].name, strerror(errno));
			return -1;
		}
	}
	untake(d);
	if (rb_file_dir_sync(dir, 1) < 0 ||
	    (moved && rb_file_dir_sync(rej, 1) < 0)) {
		rb_error("unable to sync audit/spool: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* --- batches ---------------------------------------------------------- */

static int
commit(struct auditd *d)
{
	struct rb_err e = { 0 };
	uint64_t from = d->w.seq + 1;
	size_t n = d->w.nstaged;
	int r;

	if (n == 0)
		return 0;
	if (rb_audit_writer_commit(&d->w, &e) < 0) {
		rb_error("unable to append to the audit log: %s", e.details);
		untake(d);
		return -1;
	}
	d->appended += n;
	rb_debug("appended events=%zu seq=%" PRIu64 "..%" PRIu64, n, from,
	    d->w.seq);
	if (release_spool(d) < 0)
		return -1;
	if ((r = rb_audit_writer_rotate(&d->w, &e)) < 0) {
		rb_error("unable to rotate the audit log: %s", e.details);
		return -1;
	}
	if (r > 0)
		rb_info("rotated audit.log at seq=%" PRIu64, d->w.seq - 1);
	return 0;
}

int
pump(struct auditd *d)
{
	for (;;) {
		d->full = 0;
		if (from_journal(d) < 0 || (!d->full && from_spool(d) < 0)) {
			rb_audit_writer_drop(&d->w);
			untake(d);
			return -1;
		}
		if (d->w.nstaged == 0)
			return 0;
		if (commit(d) < 0)
			return -1;
		if (rb_daemon_stop_requested(&d->dm))
			return 0; /* the rest waits for the next start */
	}
}

int
pump_self(struct auditd *d, const char *event, const char *reason)
{
	json_t *f = json_pack("{s:s}", "program", "rb-auditd");
	int r;

	if (f != NULL && reason != NULL)
		json_object_set_new(f, "reason", json_string(reason));
	r = f ? stage(d, (int64_t)time(NULL), event, f, "rb-auditd") : -1;
	json_decref(f);
	if (r < 0)
		return -1;
	return commit(d);
}
