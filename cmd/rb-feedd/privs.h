#ifndef RB_FEEDD_PRIVS_H
#define RB_FEEDD_PRIVS_H

#include "conf.h"

/* Become username: (or $UID:$GID) when running as root; then set
 * PR_SET_NO_NEW_PRIVS.  Exits 100 for an unknown user, 111 on failure. */
void feedd_drop_privileges(const struct rb_conf *c);

#endif
