#ifndef RB_PROG_COMMAND_H
#define RB_PROG_COMMAND_H

/*
 * command: what an rb-* command does with its state root.  It finds it
 * (-d, $RB_ROOT, the current directory) and refuses one that does not
 * exist: only rb-conf makes a root (doc/exit-codes.md), so a mistyped -d
 * fails instead of filling a new directory.  Before it writes, run by
 * root, it becomes runbound.conf's username: (as the daemons do), so that
 * every file it makes belongs to the user the daemons run as, and they
 * can read and replace it.
 */

#include <stddef.h>

#include "base/err.h"

/* The state root from opt (-d, may be NULL) into out (len bytes, at least
 * RB_PATH_MAX), absolute.  -1 with e set and naming the path: NOT_FOUND
 * when there is nothing there, INVALID when it is not a directory or is
 * too long (both exit 100), INTERNAL_ERROR when it cannot be reached. */
int rb_command_root(const char *opt, char *out, size_t len, struct rb_err *e);

/* As root with a username: in root's config, become that user; else
 * nothing.  -1 with e set (INVALID_CONFIG for a bad config or an unknown
 * user, INTERNAL_ERROR when the switch fails). */
int rb_command_as_owner(const char *root, struct rb_err *e);

#endif
