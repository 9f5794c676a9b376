/* path: see path.h. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/path.h"

int
rb_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}
