/* Unit tests for lib/answer/ratelimit: burst, refill, off, per-source buckets,
 * a full table. */

#include <stdio.h>

#include "answer/ratelimit.h"

#include "../../tap.h"

#define SEC 1000000000ull

static struct rb_ipaddr
ip(const char *text)
{
	struct rb_ipaddr a;

	if (rb_ipaddr_parse(text, &a) < 0)
		bail("address");
	return a;
}

static int
burst(struct rb_ratelimit *rl, const struct rb_ipaddr *a, uint64_t now, int n)
{
	int allowed = 0;

	for (int i = 0; i < n; i++)
		allowed += rb_ratelimit_take(rl, a, now);
	return allowed;
}

int
main(void)
{
	struct rb_ratelimit rl;
	struct rb_ipaddr a = ip("192.0.2.1"), b = ip("192.0.2.2");
	struct rb_ipaddr v6a = ip("2001:db8::1"), v6b = ip("2001:db8::2");
	struct rb_ipaddr v6c = ip("2001:db8:0:1::1");
	uint64_t t = SEC;
	char text[RB_IPADDR_TEXT];
	int refused = 0;

	if (rb_ratelimit_init(&rl, 1000, 10, 20) < 0)
		bail("init");
	is_int(burst(&rl, &a, t, 30), 20, "burst of 20 at once");
	is_int(burst(&rl, &b, t, 30), 20, "another source has its own");
	is_int(burst(&rl, &a, t + SEC / 10, 5), 1, "one token per 100 ms");
	is_int(burst(&rl, &a, t + 10 * SEC, 30), 20, "full again after 10 s");
	is_int(burst(&rl, &v6a, t, 30), 20, "v6 source");
	is_int(burst(&rl, &v6b, t, 5), 0, "same /64 shares the bucket");
	is_int(burst(&rl, &v6c, t, 5), 5, "another /64 does not");
	rb_ratelimit_set(&rl, 0, 0);
	is_int(burst(&rl, &a, t, 1000), 1000, "rate 0 is off");
	rb_ratelimit_set(&rl, 1, 2);
	is_int(burst(&rl, &b, t + 100 * SEC, 5), 2, "new rate applies");
	rb_ratelimit_fini(&rl);

	/* A table of 8 slots with 100 busy sources: every new source is
	 * still served (eviction), none is refused for lack of room. */
	if (rb_ratelimit_init(&rl, 8, 1, 1) < 0)
		bail("init");
	for (int i = 0; i < 100; i++) {
		struct rb_ipaddr c;
		snprintf(text, sizeof text, "198.51.100.%d", i);
		c = ip(text);
		refused += !rb_ratelimit_take(&rl, &c, t);
	}
	is_int(refused, 0, "full table evicts, never refuses a new source");
	rb_ratelimit_fini(&rl);
	ok(rl.slots == NULL && rl.mask == 0, "fini releases the table");
	rb_ratelimit_fini(&rl);
	ok(rl.slots == NULL && rl.mask == 0,
	    "a second fini is harmless: still released");
	is_int(rb_ratelimit_init(&rl, 8, 1, 1), 0, "init again after fini");
	is_int(burst(&rl, &a, t, 3), 1, "the new table starts empty");
	rb_ratelimit_fini(&rl);
	done_testing();
	return exit_status();
}
