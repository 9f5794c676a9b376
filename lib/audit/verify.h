#ifndef RB_AUDIT_VERIFY_H
#define RB_AUDIT_VERIFY_H

/*
 * Verifying the audit log (doc/audit.md): every line's MAC, seq
 * contiguity, the chain from genesis (or from a log_rotate line when the
 * oldest files are gone), the link between files, and optionally a head
 * (seq and chain) recorded elsewhere, which makes truncation detectable.
 * Lines are fed in order, file by file; problems are collected with their
 * seq, file and line; the report is JSON.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "audit/line.h"

#define RB_AUDIT_PROBLEMS_MAX 100 /* problems listed; more are counted */

struct rb_audit_problem {
	uint64_t seq; /* the first seq concerned */
	char file[256];
	long line;
	char reason[256];
};

struct rb_audit_verify {
	const struct rb_audit_key *key; /* borrowed */
	uint64_t head_seq;              /* 0: no head to check */
	unsigned char head_chain[RB_AUDIT_HASH];
	int head_seen;

	int started, chained, resync, torn;
	uint64_t first_seq, last_seq, entries;
	unsigned char chain[RB_AUDIT_HASH], mac[RB_AUDIT_HASH];
	char file[256];
	long line;
	size_t nfiles;
	const char *files[64]; /* names for the report, borrowed */

	size_t nproblems, total;
	uint64_t first_bad;
	struct rb_audit_problem problems[RB_AUDIT_PROBLEMS_MAX];
};

/* Start a verification with key k (borrowed). */
void rb_audit_verify_init(struct rb_audit_verify *v,
    const struct rb_audit_key *k);

/* Check against a head "SEQ:HEX" (the chain, or for a log without chain
 * values the mac); -1 when text is not that. */
int rb_audit_verify_set_head(struct rb_audit_verify *v, const char *text);

/* Check one line (len bytes, no newline). */
void rb_audit_verify_line(struct rb_audit_verify *v, const char *line,
    size_t len);

/* Check every line of the file at path, shown as name (borrowed; must
 * outlive v).  last says whether it is the newest file: only there may a
 * final line lack its newline (being written, or cut by a crash before
 * rb-auditd restarts), and it is then ignored.  -1 with errno on I/O
 * errors. */
int rb_audit_verify_file(struct rb_audit_verify *v, const char *path,
    const char *name, int last);

/* Finish: the head check for truncation.  Returns 0 intact, 1 tampered. */
int rb_audit_verify_end(struct rb_audit_verify *v);

/* The report (new reference), after rb_audit_verify_end. */
json_t *rb_audit_verify_report(const struct rb_audit_verify *v);

#endif
