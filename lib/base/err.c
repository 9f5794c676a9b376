/*
 * err: operation outcomes.  System failures keep errno's text but never a
 * file path, because details reach API clients (inventory.md: "errors
 * never leak file paths"); the path is the caller's to log.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

int
rb_err_set(struct rb_err *e, enum rb_err_kind kind, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->kind = kind;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->details, sizeof e->details, fmt, ap);
	va_end(ap);
	return -1;
}

int
rb_err_sys(struct rb_err *e, const char *what)
{
	return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
	    "unable to %s: %s", what, strerror(errno));
}

int
rb_err_exit_code(const struct rb_err *e)
{
	/* A config that does not load is the operator's to fix: retrying is
	 * no use.  Its kind stays RB_ERR_SYSTEM so that the API answers it
	 * 500: the client is not at fault. */
	if (e->code != NULL && strcmp(e->code, "INVALID_CONFIG") == 0)
		return 100;
	switch (e->kind) {
	case RB_ERR_SYSTEM:
	case RB_ERR_REMOTE:
	case RB_ERR_NONE:
		return 111;
	default:
		return 100;
	}
}
