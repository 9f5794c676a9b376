#ifndef RB_BASE_ERR_H
#define RB_BASE_ERR_H

/*
 * err: the outcome of a library operation, in lib's own terms: a kind
 * (what sort of failure, which decides an exit code and, in the HTTP
 * front ends, a status: lib/http/status), Runbound's error name (the
 * "error" field of an API reply) and a message.
 */

/* What went wrong; the front ends map each kind to one exit code and one
 * HTTP status. */
enum rb_err_kind {
	RB_ERR_NONE = 0,
	RB_ERR_INVALID,   /* malformed or not allowed input */
	RB_ERR_REJECTED,  /* well-formed input a rule refuses (a limit) */
	RB_ERR_NOT_FOUND, /* what was named does not exist */
	RB_ERR_CONFLICT,  /* it exists already, or another writer holds it */
	RB_ERR_TOO_LARGE, /* more bytes than allowed */
	RB_ERR_READ_ONLY, /* this node is a slave replica */
	RB_ERR_REMOTE,    /* a peer (a master, a feed host) answered badly */
	RB_ERR_SYSTEM,    /* the system failed us: I/O, memory, damage */
};

struct rb_err {
	enum rb_err_kind kind;
	const char *code; /* "INVALID_NAME", "LIMIT_EXCEEDED", ...; static */
	char details[512];
};

/* Fill e and return -1. */
int rb_err_set(struct rb_err *e, enum rb_err_kind kind, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fill e from errno for a failed system call on what (RB_ERR_SYSTEM,
 * INTERNAL_ERROR); returns -1. */
int rb_err_sys(struct rb_err *e, const char *what);

/* The exit code of STYLE.md and doc/exit-codes.md for e: 100 for a
 * permanent failure (bad input, an invalid config, a missing or
 * conflicting entry, a read-only node), 111 for a temporary one (the
 * system, a peer). */
int rb_err_exit_code(const struct rb_err *e);

#endif
