#ifndef RB_SYS_ROOT_H
#define RB_SYS_ROOT_H

/*
 * The state root (DESIGN.md): -d DIR, else $RB_ROOT, else the current
 * directory.  Only rb-conf makes one: every other program refuses a root
 * that does not exist (rb_root_check), so that a mistyped -d is an error,
 * not a new empty root.
 *
 * A root is at most RB_ROOT_MAX bytes, so a path under it (the root, a
 * slash and one of our own names, all shorter than 1024 bytes) always
 * fits in RB_PATH_MAX: snprintf of such a path into a buffer of that size
 * cannot truncate.
 */

#include <stddef.h>

#define RB_ROOT_MAX 3072 /* bytes of a state root, at most */
#define RB_PATH_MAX 4096 /* a path under the state root */

/* Resolve the state root from the -d option (may be NULL) into out as an
 * absolute path.  -1 with errno when it cannot be resolved, and
 * ENAMETOOLONG when it is longer than RB_ROOT_MAX. */
int rb_root_resolve(const char *opt, char *out, size_t len);

/* 0 when root is a directory; else -1 with errno: ENOENT when nothing is
 * there, ENOTDIR when something else is, or stat's own. */
int rb_root_check(const char *root);

#endif
