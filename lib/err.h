#ifndef RB_ERR_H
#define RB_ERR_H

/*
 * The outcome of a store operation in the terms both front ends speak:
 * Runbound's error name and HTTP status for rb-apid, and an exit code for
 * the rb-* commands (100 for bad input, 111 for a system failure).
 */

struct rb_err {
	const char *code; /* "INVALID_NAME", "LIMIT_EXCEEDED", ...; static */
	int status;       /* HTTP status: 400, 404, 422, 500, ... */
	char details[512];
};

/* Fill e and return -1. */
int rb_err_set(struct rb_err *e, int status, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Fill e from errno for a failed system call on what; returns -1. */
int rb_err_sys(struct rb_err *e, const char *what);

/* 100 for a client error (4xx), 111 for anything else. */
int rb_err_exit_code(const struct rb_err *e);

#endif
