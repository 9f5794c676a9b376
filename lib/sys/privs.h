#ifndef RB_SYS_PRIVS_H
#define RB_SYS_PRIVS_H

/*
 * Dropping root, for every daemon the same way (STYLE.md "Daemons under
 * s6"): become runbound.conf's username: (else the UID and GID that
 * s6-envuidgid exported), verify the switch held, then forbid regaining
 * privileges with PR_SET_NO_NEW_PRIVS.
 */

#include "base/err.h"

/* As root, become username (may be NULL or empty: then $UID/$GID if set);
 * not root, change nothing but PR_SET_NO_NEW_PRIVS.  -1 with e set:
 * INVALID_CONFIG (400) for an unknown user or non-numeric $UID/$GID,
 * INTERNAL_ERROR (500) when a switch fails or does not hold. */
int rb_privs_drop(const char *username, struct rb_err *e);

#endif
