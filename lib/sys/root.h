#ifndef RB_SYS_ROOT_H
#define RB_SYS_ROOT_H

/*
 * The state root (DESIGN.md): -d DIR, else $RB_ROOT, else the current
 * directory.
 */

#include <stddef.h>

/* Resolve the state root from the -d option (may be NULL) into out as an
 * absolute path.  -1 with errno when it cannot be resolved. */
int rb_root_resolve(const char *opt, char *out, size_t len);

#endif
