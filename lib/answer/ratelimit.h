#ifndef RB_ANSWER_RATELIMIT_H
#define RB_ANSWER_RATELIMIT_H

/*
 * rate-limit: a token bucket per source (IPv4 address, IPv6 /64) in a
 * fixed table sized at startup.  A full table evicts, never refuses a new
 * source and never allocates.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

struct rb_ratelimit_slot;

struct rb_ratelimit {
	struct rb_ratelimit_slot *slots;
	size_t mask;           /* slots - 1; the count is a power of two */
	uint64_t interval_ns;  /* time one token takes to come back; 0 = off */
	uint64_t tolerance_ns; /* (burst - 1) * interval */
	uint64_t seed;
};

/* Allocate a table of at least nslots buckets (rounded up to a power of
 * two) and set the rate.  Returns 0, or -1 with errno ENOMEM. */
int rb_ratelimit_init(struct rb_ratelimit *rl, size_t nslots, long qps,
    long burst);

/* Change the rate: qps queries per second on average, burst at once;
 * qps 0 turns limiting off.  Buckets keep their state. */
void rb_ratelimit_set(struct rb_ratelimit *rl, long qps, long burst);

/* Free the table; accepts a zeroed struct. */
void rb_ratelimit_fini(struct rb_ratelimit *rl);

/* Take one token for source a at monotonic time now_ns (> 0).  Returns 1
 * when the query may go on, 0 when the source is over its rate. */
int rb_ratelimit_take(struct rb_ratelimit *rl, const struct rb_ipaddr *a,
    uint64_t now_ns);

#endif
