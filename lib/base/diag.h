#ifndef RB_BASE_DIAG_H
#define RB_BASE_DIAG_H

/*
 * A parser's account of what went wrong and where: file, line and a message
 * a user can act on.  Filled by parsers (config, record values, journal
 * records, JSON bodies); printed by main as "file:line: message".
 */

#include <stddef.h>

struct rb_diag {
	char file[256];
	int line; /* 0 when the input has no lines */
	char msg[512];
};

/* Set file, line and a printf-style message; always returns -1. */
int rb_diag_set(struct rb_diag *d, const char *file, int line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Format "file:line: msg" (or "file: msg", or "msg") into buf. */
const char *rb_diag_str(const struct rb_diag *d, char *buf, size_t len);

#endif
