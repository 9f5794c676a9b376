/*
 * diag: where a parser failed.  The message is kept in fixed storage so a
 * parser can report from deep inside without allocating; a NULL diag is
 * accepted and ignored so callers that do not care can pass none.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"

int
rb_diag_set(struct rb_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return -1;
	snprintf(d->file, sizeof d->file, "%s", file ? file : "");
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
rb_diag_str(const struct rb_diag *d, char *buf, size_t len)
{
	if (d->file[0] != '\0' && d->line > 0)
		snprintf(buf, len, "%s:%d: %s", d->file, d->line, d->msg);
	else if (d->file[0] != '\0')
		snprintf(buf, len, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, len, "%s", d->msg);
	return buf;
}
