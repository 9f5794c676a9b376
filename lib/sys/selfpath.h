#ifndef RB_SYS_SELFPATH_H
#define RB_SYS_SELFPATH_H

/*
 * selfpath: where a program beside our own binary lives, so one rb-*
 * program starts another from the same installation (rb-dnsd starts
 * rb-axfr and rb-notify, rb-apid starts rb-feed).
 */

#include <stddef.h>

/* path = the directory of /proc/self/exe, "/", name.  -1 when the link
 * cannot be read or the result does not fit in len. */
int rb_selfpath_beside(char *path, size_t len, const char *name);

#endif
