#ifndef RB_AUDITD_H
#define RB_AUDITD_H

/*
 * rb-auditd's state, shared by main.c (options, signals, the loop) and
 * pump.c (journal and spool into the audit log).
 */

#include <stddef.h>

#include "audit/key.h"
#include "audit/writer.h"
#include "conf/conf.h"
#include "prog/daemon.h"

struct taken {
	char *name;
	int rejected; /* moved to audit/rejected/ rather than removed */
};

struct auditd {
	struct rb_daemon dm; /* root, conf, the loop */
	struct rb_audit_key key;
	struct rb_audit_writer w;
	size_t max_size;
	int on; /* the log is open */
	int inofd;
	struct event *ino_ev, *rescan_ev;
	struct taken *taken; /* spool files in the staged batch */
	size_t ntaken, captaken;
	int full;           /* the batch reached RB_AUDIT_BATCH_MAX */
	char lastwarn[512]; /* the last source warning, logged once */
	unsigned long long appended;
};

/* Append everything the journal and spool hold beyond the log's position,
 * batch by batch, until drained or a stop is requested.  Returns 0 when drained
 * (or stopped), -1 after a failure to write (logged; the caller exits 111). */
int pump(struct auditd *d);

/* Remove the spool files the log already holds (a crash between a
 * commit and their removal), before anything is appended: the log
 * remembers them only among its last lines, which a journal burst would
 * push out, and the file would then be logged twice.  0 or -1. */
int pump_sweep(struct auditd *d);

/* Stage and commit one of rb-auditd's own events (startup, shutdown). */
int pump_self(struct auditd *d, const char *event, const char *reason);

#endif
