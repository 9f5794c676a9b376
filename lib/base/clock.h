#ifndef RB_BASE_CLOCK_H
#define RB_BASE_CLOCK_H

/*
 * clock: the monotonic clock in milliseconds, for deadlines and timeouts
 * that a change of the wall clock must not move.
 */

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: only differences mean anything. */
int64_t rb_clock_ms(void);

#endif
