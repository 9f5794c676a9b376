#ifndef RB_PROG_COMMAND_H
#define RB_PROG_COMMAND_H

/*
 * command: what an rb-* command that writes a state root does before it
 * writes: run as the root's user.  Run by root, it becomes runbound.conf's
 * username: (as the daemons do), so that every file it makes belongs to
 * the user the daemons run as, and they can read and replace it.
 */

#include "base/err.h"

/* As root with a username: in root's config, become that user; else
 * nothing.  -1 with e set (INVALID_CONFIG for a bad config or an unknown
 * user, INTERNAL_ERROR when the switch fails). */
int rb_command_as_owner(const char *root, struct rb_err *e);

#endif
