#ifndef RB_SYNC_BACKOFF_H
#define RB_SYNC_BACKOFF_H

/*
 * backoff: how long a slave waits before trying its master again.
 */

/* The first delay, and the one after any success. */
#define RB_SYNC_BACKOFF_MIN 5

/* The delay after cur seconds of backoff failed again: doubled, at most
 * 10 s when the master could not be reached or failed (so a slave is
 * back within seconds of its master's return), at most 300 s when the
 * master refused us (a key or certificate that only the operator mends;
 * a SIGHUP retries at once). */
long rb_sync_backoff_next(long cur, int refused);

#endif
