#ifndef RB_BASE_PATH_H
#define RB_BASE_PATH_H

/*
 * path: a file name formatted into a caller's buffer, as snprintf does,
 * with truncation an error rather than a shorter name.  Paths under the
 * state root fit by construction (lib/sys/root.h bounds the root), so a
 * caller building one of those may rely on that; any other caller checks
 * the result.
 */

#include <stddef.h>

/* Format into buf (len bytes).  Returns the length, or -1 with errno
 * ENAMETOOLONG when the name does not fit (buf then holds ""). */
int rb_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
