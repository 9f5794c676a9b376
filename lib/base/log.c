/*
 * log: stderr lines for daemons and tools.  A line is formatted whole into
 * one buffer and written with one write(2), so lines from concurrent
 * processes sharing a log pipe do not interleave.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"

static const char *progname = "rb";
static int debug_on;

static const char *const names[] = { "fatal", "error", "warning", "info",
	"debug" };

void
rb_log_init(const char *prog, int debug)
{
	progname = prog;
	debug_on = debug;
}

static void vlog(enum rb_log_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vlog(enum rb_log_level lvl, const char *fmt, va_list ap)
{
	char buf[1024];
	int n, m;

	if (lvl == RB_LOG_DEBUG && !debug_on)
		return;
	n = snprintf(buf, sizeof buf, "%s: %s: ", progname, names[lvl]);
	if (n < 0 || (size_t)n >= sizeof buf)
		return;
	m = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof buf - 1)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	/* A failed write to stderr has nowhere else to be reported. */
	(void)!write(2, buf, n);
}

void
rb_log(enum rb_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void
rb_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(RB_LOG_FATAL, fmt, ap);
	va_end(ap);
	exit(code);
}
