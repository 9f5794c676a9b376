#ifndef RB_SYS_INOTIFY_H
#define RB_SYS_INOTIFY_H

/*
 * inotify: reading what an inotify descriptor holds, the one loop every
 * daemon that watches a directory needs: read until the descriptor is
 * empty (it is non-blocking) and hand each event to the caller.
 */

#include <sys/inotify.h>

/* Read every event queued on fd (opened IN_NONBLOCK) and call fn for
 * each (ev borrowed, valid during the call).  Returns the number of
 * events read; an IN_Q_OVERFLOW arrives as an event like any other. */
int rb_inotify_each(int fd,
    void (*fn)(void *arg, const struct inotify_event *ev), void *arg);

#endif
