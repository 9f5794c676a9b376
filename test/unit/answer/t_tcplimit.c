/* Unit tests for lib/answer/tcplimit: tcp-connection-limit netblocks, longest
 * prefix, counting per netblock entry, the limit, release, recount. */

#include <string.h>

#include "answer/tcplimit.h"

#include "../../tap.h"

static struct rb_ipaddr
ip(const char *text)
{
	struct rb_ipaddr a;

	if (rb_ipaddr_parse(text, &a) < 0)
		bail(text);
	return a;
}

static long
take(struct rb_tcplimit *t, const char *text)
{
	struct rb_ipaddr a = ip(text);

	return rb_tcplimit_take(t, &a);
}

static void
test_add(void)
{
	struct rb_tcplimit t;
	struct rb_diag d;

	rb_tcplimit_init(&t);
	is_int(rb_tcplimit_add(&t, "10.0.0.0/33", 1, &d), -1, "v4 /33 refused");
	ok(strstr(d.msg, "invalid netblock") != NULL,
	    "diag names the netblock");
	is_int(rb_tcplimit_add(&t, "10.0.0.0/8", -1, &d), -1,
	    "negative limit refused");
	is_int(rb_tcplimit_add(&t, "bogus", 1, &d), -1, "not a netblock");
	is_int(t.n, 0, "nothing added by bad input");
	is_int(rb_tcplimit_add(&t, "10.0.0.0/8", 5, &d), 0, "netblock added");
	is_int(rb_tcplimit_add(&t, "10.1.2.3/8", 7, &d), 0, "same netblock");
	is_int(t.n, 1, "a repeated netblock is one entry");
	is_int(t.v[0].limit, 5, "the first limit for a netblock wins");
	rb_tcplimit_fini(&t);
	is_int(t.n, 0, "fini empties");
}

static void
test_longest_prefix(void)
{
	struct rb_tcplimit t;
	struct rb_diag d;
	struct rb_ipaddr a;

	rb_tcplimit_init(&t);
	rb_tcplimit_add(&t, "0.0.0.0/0", 100, &d);
	rb_tcplimit_add(&t, "127.0.0.1/32", 2, &d);
	rb_tcplimit_add(&t, "127.0.0.0/8", 3, &d);
	rb_tcplimit_add(&t, "2001:db8::/32", 1, &d);
	a = ip("127.0.0.1");
	is_int(t.v[rb_tcplimit_lookup(&t, &a)].limit, 2, "/32 beats /8 and /0");
	a = ip("127.0.0.2");
	is_int(t.v[rb_tcplimit_lookup(&t, &a)].limit, 3, "/8 beats /0");
	a = ip("192.0.2.1");
	is_int(t.v[rb_tcplimit_lookup(&t, &a)].limit, 100, "/0 for the rest");
	a = ip("::1");
	is_int(rb_tcplimit_lookup(&t, &a), RB_TCPLIMIT_NONE,
	    "IPv6 outside every netblock: not limited");
	a = ip("::ffff:127.0.0.1");
	is_int(t.v[rb_tcplimit_lookup(&t, &a)].limit, 2,
	    "IPv4-mapped client matches the IPv4 netblock");
	rb_tcplimit_fini(&t);
}

static void
test_counting(void)
{
	struct rb_tcplimit t;
	struct rb_diag d;
	long a, b, c, x;
	uint32_t counts[8] = { 0 };
	int same;

	rb_tcplimit_init(&t);
	rb_tcplimit_add(&t, "127.0.0.1/32", 2, &d);
	rb_tcplimit_add(&t, "10.0.0.0/8", 2, &d);
	rb_tcplimit_add(&t, "192.0.2.0/24", 0, &d);
	a = take(&t, "127.0.0.1");
	b = take(&t, "127.0.0.1");
	ok(a >= 0 && b == a, "two connections counted by one entry");
	is_int(take(&t, "127.0.0.1"), RB_TCPLIMIT_FULL, "a third: full");
	is_int(take(&t, "127.0.0.2"), RB_TCPLIMIT_NONE,
	    "another address: not limited");
	rb_tcplimit_release(&t, a);
	c = take(&t, "127.0.0.1");
	is_int(c, a, "a release lets one more in");
	is_int(take(&t, "127.0.0.1"), RB_TCPLIMIT_FULL, "full again");
	x = take(&t, "10.0.0.1");
	ok(x >= 0, "10.0.0.1 counted");
	ok(take(&t, "10.9.9.9") == x, "the netblock counts every address");
	is_int(take(&t, "10.0.0.1"), RB_TCPLIMIT_FULL,
	    "per netblock entry, not per address");
	is_int(take(&t, "192.0.2.7"), RB_TCPLIMIT_FULL, "limit 0: none");
	for (size_t i = 0; i < t.n && i < 8; i++)
		counts[i] = t.v[i].count;
	rb_tcplimit_release(&t, RB_TCPLIMIT_NONE);
	rb_tcplimit_release(&t, RB_TCPLIMIT_FULL);
	rb_tcplimit_release(&t, (long)t.n);
	rb_tcplimit_release(&t, 99);
	same = t.n == 3;
	for (size_t i = 0; i < t.n && i < 8; i++)
		same = same && counts[i] == t.v[i].count;
	ok(same, "releasing nothing or out of range changes no count");
	rb_tcplimit_release(&t, x);
	rb_tcplimit_release(&t, x);
	rb_tcplimit_release(&t, x);
	is_int(t.v[x].count, 0, "the count never goes below zero");
	rb_tcplimit_fini(&t);
}

static void
test_recount(void)
{
	struct rb_tcplimit t;
	struct rb_diag d;
	struct rb_ipaddr a = ip("127.0.0.1");
	long i;

	rb_tcplimit_init(&t);
	rb_tcplimit_add(&t, "127.0.0.0/8", 1, &d);
	i = rb_tcplimit_recount(&t, &a);
	is_int(rb_tcplimit_recount(&t, &a), i, "recount ignores the limit");
	is_int(t.v[i].count, 2, "both live connections counted");
	is_int(rb_tcplimit_take(&t, &a), RB_TCPLIMIT_FULL,
	    "over the limit after a reload: new ones refused");
	rb_tcplimit_release(&t, i);
	rb_tcplimit_release(&t, i);
	is_int(rb_tcplimit_take(&t, &a), i, "under it again: admitted");
	a = ip("192.0.2.1");
	is_int(rb_tcplimit_recount(&t, &a), RB_TCPLIMIT_NONE,
	    "recount outside every netblock");
	rb_tcplimit_fini(&t);
}

int
main(void)
{
	test_add();
	test_longest_prefix();
	test_counting();
	test_recount();
	done_testing();
	return exit_status();
}
