/*
 * ratelimit: per-source token buckets kept as GCRA state (the generic cell
 * rate algorithm): a bucket is one "theoretical arrival time" tat.  A query
 * at now is allowed when tat - now <= (burst - 1) * interval, and then
 * pushes tat one interval further.  A bucket whose tat is in the past is
 * full again, exactly like a fresh one, so such a slot may be taken by any
 * other source: that is how the fixed table makes room.
 *
 * The table is open-addressed with a short probe window.  When every slot
 * of the window is busy, the one closest to refilling is evicted.  The hash
 * is keyed with a random seed so sources cannot aim at one window.
 */

#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer/ratelimit.h"

#define PROBE 8
#define NS 1000000000ull

struct rb_ratelimit_slot {
	struct rb_ipaddr key;
	uint64_t tat; /* 0: never used */
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static uint64_t
hash(const struct rb_ratelimit *rl, const struct rb_ipaddr *k)
{
	uint64_t hi, lo;

	memcpy(&hi, k->b, 8);
	memcpy(&lo, k->b + 8, 8);
	return mix(mix(hi ^ rl->seed) ^ lo);
}

int
rb_ratelimit_init(struct rb_ratelimit *rl, size_t nslots, long qps, long burst)
{
	size_t n = PROBE;

	while (n < nslots && n < ((size_t)1 << 30))
		n <<= 1;
	memset(rl, 0, sizeof *rl);
	rl->slots = calloc(n, sizeof *rl->slots);
	if (rl->slots == NULL)
		return -1;
	rl->mask = n - 1;
	/* Without entropy the table still works; only its layout is
	 * predictable. */
	if (getrandom(&rl->seed, sizeof rl->seed, GRND_NONBLOCK) !=
	    (ssize_t)sizeof rl->seed)
		rl->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	rb_ratelimit_set(rl, qps, burst);
	return 0;
}

void
rb_ratelimit_set(struct rb_ratelimit *rl, long qps, long burst)
{
	if (qps <= 0) {
		rl->interval_ns = 0;
		rl->tolerance_ns = 0;
		return;
	}
	if (qps > 1000000)
		qps = 1000000;
	if (burst < 1)
		burst = 1;
	if (burst > 2000000)
		burst = 2000000;
	rl->interval_ns = NS / (uint64_t)qps;
	rl->tolerance_ns = (uint64_t)(burst - 1) * rl->interval_ns;
}

void
rb_ratelimit_fini(struct rb_ratelimit *rl)
{
	free(rl->slots);
	rl->slots = NULL;
	rl->mask = 0;
}

/* The bucket of source k: its own slot, else a refilled or empty one in
 * the window, else the busy one nearest to refilling. */
static struct rb_ratelimit_slot *
find(struct rb_ratelimit *rl, const struct rb_ipaddr *k, uint64_t now)
{
	struct rb_ratelimit_slot *free_slot = NULL, *oldest = NULL;
	uint64_t h = hash(rl, k);

	for (size_t i = 0; i < PROBE; i++) {
		struct rb_ratelimit_slot *s = &rl->slots[(h + i) & rl->mask];
		if (s->tat != 0 && memcmp(&s->key, k, sizeof *k) == 0)
			return s;
		if (s->tat <= now) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (oldest == NULL || s->tat < oldest->tat) {
			oldest = s;
		}
	}
	if (free_slot == NULL)
		free_slot = oldest;
	free_slot->key = *k;
	free_slot->tat = now;
	return free_slot;
}

int
rb_ratelimit_take(struct rb_ratelimit *rl, const struct rb_ipaddr *a,
    uint64_t now_ns)
{
	struct rb_ratelimit_slot *s;
	struct rb_ipaddr k = *a;
	uint64_t tat;

	if (rl->interval_ns == 0 || rl->slots == NULL)
		return 1;
	/* An IPv6 host usually owns a whole /64. */
	if (!rb_ipaddr_is_v4(&k))
		rb_ipaddr_mask(&k, 64);
	s = find(rl, &k, now_ns);
	tat = s->tat > now_ns ? s->tat : now_ns;
	if (tat - now_ns > rl->tolerance_ns)
		return 0;
	s->tat = tat + rl->interval_ns;
	return 1;
}
