/*
 * clock: CLOCK_MONOTONIC in milliseconds.  clock_gettime cannot fail for
 * this clock with a valid pointer, so there is no error to return.
 */

#include <time.h>

#include "base/clock.h"

int64_t
rb_clock_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail */
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
