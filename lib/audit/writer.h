#ifndef RB_AUDIT_WRITER_H
#define RB_AUDIT_WRITER_H

/*
 * The audit log's one writer (rb-auditd): ROOT/audit/audit.log, appended
 * in batches, each made durable by one fsync, and rotated by size into
 * audit.log.<first seq> with the chain carried over (doc/audit.md).
 *
 * All of the writer's position is in the log itself: the last line gives
 * the seq and chain to continue from, the last line whose src is
 * "journal:<epoch>:<seq>" the journal cursor, and the "spool:<name>"
 * sources of the last lines the spool files that may still exist although
 * their event is written.  So a crash between appending and any other
 * step loses nothing and writes nothing twice.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "audit/line.h"
#include "base/err.h"
#include "sys/root.h"

#define RB_AUDIT_BATCH_MAX 4096 /* events staged before a commit */
#define RB_AUDIT_DEFAULT_MAX_SIZE (10u << 20)

struct rb_audit_writer {
	char dir[RB_PATH_MAX];          /* ROOT/audit */
	const struct rb_audit_key *key; /* borrowed */
	int fd, lockfd;
	size_t max_size;     /* rotate at this many bytes */
	off_t size;          /* bytes in audit.log */
	uint64_t file_first; /* first seq in audit.log, 0: empty */
	size_t truncated;    /* torn bytes cut at open */

	/* durable: what the log holds */
	uint64_t seq;
	unsigned char chain[RB_AUDIT_HASH];
	char epoch[64]; /* journal cursor: "" when none */
	uint64_t jseq;

	/* staged: lines not yet written */
	char *buf;
	size_t len, cap, nstaged;
	uint64_t sseq, sjseq;
	unsigned char schain[RB_AUDIT_HASH];
	char sepoch[64];

	/* spool files whose events are in the last lines at open */
	char **done;
	size_t ndone;
};

/* Open (creating) root/audit/audit.log for appending with key k
 * (borrowed): lock audit/.lock (LOCKED when another writer holds it), cut
 * a torn last line, read the position back from the last lines, finish a
 * rotation a crash interrupted.  KEY_MISMATCH when the last line's mac
 * does not verify under k, DAMAGED when the last line does not parse.
 * max_size 0 means RB_AUDIT_DEFAULT_MAX_SIZE. */
int rb_audit_writer_open(struct rb_audit_writer *w, const char *root,
    const struct rb_audit_key *k, size_t max_size, struct rb_err *e);

/* Stage one event: the next seq, chained to the staged ones.  fields is
 * borrowed (NULL for {}); src is "journal:<epoch>:<seq>", "spool:<name>"
 * or "rb-auditd".  -1 with errno (EINVAL for a bad name or src). */
int rb_audit_writer_add(struct rb_audit_writer *w, int64_t ts,
    const char *event, const json_t *fields, const char *src);

/* Should the caller commit now: RB_AUDIT_BATCH_MAX lines staged, or
 * enough to bring audit.log to max_size (so files stay near that size)? */
int rb_audit_writer_full(const struct rb_audit_writer *w);

/* Write the staged lines and fsync: on return they are durable and the
 * position has advanced.  On failure the file is cut back to what it was,
 * the staged lines are dropped and the position is unchanged. */
int rb_audit_writer_commit(struct rb_audit_writer *w, struct rb_err *e);

/* Drop the staged lines. */
void rb_audit_writer_drop(struct rb_audit_writer *w);

/* Rotate when audit.log has reached max_size: rename it to
 * audit.log.<first seq>, start a new one whose first line, log_rotate,
 * records the old one's last seq and chain.  Nothing may be staged.
 * Returns 1 when it rotated, 0 when not needed, -1 on failure. */
int rb_audit_writer_rotate(struct rb_audit_writer *w, struct rb_err *e);

/* Was spool file name already written when the log was opened? */
int rb_audit_writer_consumed(const struct rb_audit_writer *w, const char *name);

/* Parse a "journal:<epoch>:<seq>" src; -1 when src is not one. */
int rb_audit_writer_src_journal(const char *src, char *epoch, size_t elen,
    uint64_t *seq);

/* Close the log and release the lock; staged lines are dropped. */
void rb_audit_writer_close(struct rb_audit_writer *w);

#endif
