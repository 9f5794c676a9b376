/*
 * err: operation outcomes.  System failures keep errno's text but never a
 * file path, because details reach API clients (inventory.md: "errors
 * never leak file paths"); the path is the caller's to log.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int
rb_err_set(struct rb_err *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->details, sizeof e->details, fmt, ap);
	va_end(ap);
	return -1;
}

int
rb_err_sys(struct rb_err *e, const char *what)
{
	return rb_err_set(e, 500, "INTERNAL_ERROR", "unable to %s: %s", what,
	    strerror(errno));
}

int
rb_err_exit_code(const struct rb_err *e)
{
	/* A slave stays read-only: trying again will not help. */
	if (e->code != NULL && strcmp(e->code, "READ_ONLY") == 0)
		return 100;
	return e->status >= 400 && e->status < 500 ? 100 : 111;
}
