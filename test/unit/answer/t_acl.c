/* Unit tests for lib/answer/acl and lib/base/ipaddr: netblocks, longest prefix,
 * defaults, IPv4-mapped clients. */

#include <netinet/in.h>

#include <string.h>

#include "answer/acl.h"
#include "base/ipaddr.h"

#include "../../tap.h"

static enum rb_acl_action
look(const struct rb_acl *acl, const char *ip)
{
	struct rb_ipaddr a;

	if (rb_ipaddr_parse(ip, &a) < 0)
		bail("address");
	return rb_acl_lookup(acl, &a);
}

static void
test_ipaddr(void)
{
	struct rb_ipaddr a, n;
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	char t[RB_IPADDR_TEXT];
	int p;

	is_int(rb_ipaddr_parse_net("10.1.2.3/8", &n, &p), 0, "v4 netblock");
	is_int(p, 104, "v4 prefix counted from 96");
	is_int(rb_ipaddr_to_text(&n, t, sizeof t), 8, "host bits cleared");
	is_str(t, "10.0.0.0", "network text");
	is_int(rb_ipaddr_parse_net("2001:db8::1/32", &n, &p), 0, "v6 netblock");
	is_int(p, 32, "v6 prefix");
	is_int(rb_ipaddr_parse_net("::1", &n, &p), 0, "bare v6 address");
	is_int(p, 128, "host route");
	is_int(rb_ipaddr_parse_net("10.0.0.0/33", &n, &p), -1, "v4 /33");
	is_int(rb_ipaddr_parse_net("::/129", &n, &p), -1, "v6 /129");
	is_int(rb_ipaddr_parse_net("10.0.0.0/", &n, &p), -1, "empty prefix");
	is_int(rb_ipaddr_parse_net("10.0.0.0/-1", &n, &p), -1, "negative");
	is_int(rb_ipaddr_parse_net("nas/8", &n, &p), -1, "not an address");
	s4.sin_addr.s_addr = htonl(0x0a000001);
	rb_ipaddr_from_sockaddr(&a, (struct sockaddr *)&s4);
	ok(rb_ipaddr_is_v4(&a), "sockaddr_in is v4");
	rb_ipaddr_parse("::ffff:10.0.0.1", &n);
	ok(memcmp(&a, &n, sizeof a) == 0, "mapped equals plain v4");
	rb_ipaddr_parse_net("10.0.0.0/8", &n, &p);
	ok(rb_ipaddr_in_net(&a, &n, p), "10.0.0.1 in 10/8");
	rb_ipaddr_parse_net("10.0.0.0/31", &n, &p);
	ok(rb_ipaddr_in_net(&a, &n, p), "10.0.0.1 in 10.0.0.0/31");
	rb_ipaddr_parse_net("10.0.0.2/31", &n, &p);
	ok(!rb_ipaddr_in_net(&a, &n, p), "10.0.0.1 not in 10.0.0.2/31");
	rb_ipaddr_parse_net("::/0", &n, &p);
	ok(!rb_ipaddr_in_net(&a, &n, p), "10.0.0.1 not in ::/0 (IPv6 only)");
	rb_ipaddr_parse_net("::ffff:0:0/96", &n, &p);
	ok(rb_ipaddr_in_net(&a, &n, p), "10.0.0.1 in ::ffff:0:0/96");
	rb_ipaddr_parse("2001:db8::1", &a);
	rb_ipaddr_parse_net("::/0", &n, &p);
	ok(rb_ipaddr_in_net(&a, &n, p), "2001:db8::1 in ::/0");
	rb_ipaddr_parse_net("0.0.0.0/0", &n, &p);
	ok(!rb_ipaddr_in_net(&a, &n, p), "2001:db8::1 not in 0.0.0.0/0");
}

static void
test_acl(void)
{
	struct rb_acl acl;
	struct rb_diag d;

	rb_acl_init(&acl);
	is_int(look(&acl, "127.0.0.1"), RB_ACL_REFUSE, "empty list refuses");
	ok(rb_acl_add(&acl, "10.0.0.0/8", "allow", &d) == 0 &&
	        rb_acl_add(&acl, "10.1.0.0/16", "deny", &d) == 0 &&
	        rb_acl_add(&acl, "10.1.2.0/24", "allow_snoop", &d) == 0 &&
	        rb_acl_add(&acl, "10.0.0.0/8", "deny", &d) == 0 &&
	        rb_acl_add(&acl, "2001:db8::/32", "refuse_non_local", &d) == 0,
	    "entries added");
	is_int(rb_acl_add(&acl, "10.0.0.0/8", "maybe", &d), -1, "bad action");
	is_str(d.msg, "unknown access-control action 'maybe'", "its message");
	is_int(rb_acl_add(&acl, "10.0.0.0/x", "allow", &d), -1, "bad block");
	is_int(rb_acl_add_defaults(&acl), 0, "defaults");
	is_int(look(&acl, "10.9.9.9"), RB_ACL_ALLOW, "/8: first line kept");
	is_int(look(&acl, "10.1.9.9"), RB_ACL_DENY, "/16 beats /8");
	is_int(look(&acl, "10.1.2.3"), RB_ACL_ALLOW_SNOOP, "/24 beats /16");
	is_int(look(&acl, "::ffff:10.1.2.3"), RB_ACL_ALLOW_SNOOP,
	    "mapped client matches v4 rule");
	is_int(look(&acl, "2001:db8::53"), RB_ACL_REFUSE_NON_LOCAL, "v6 rule");
	is_int(look(&acl, "127.0.0.2"), RB_ACL_ALLOW, "default 127/8 allow");
	is_int(look(&acl, "::1"), RB_ACL_ALLOW, "default ::1 allow");
	is_int(look(&acl, "192.0.2.1"), RB_ACL_REFUSE, "default v4 refuse");
	is_int(look(&acl, "2001:db9::1"), RB_ACL_REFUSE, "default v6 refuse");
	is_str(rb_acl_action_name(RB_ACL_DENY_NON_LOCAL), "deny_non_local",
	    "action names");
	rb_acl_fini(&acl);

	rb_acl_init(&acl);
	rb_acl_add(&acl, "127.0.0.0/8", "refuse", &d);
	rb_acl_add(&acl, "0.0.0.0/0", "allow", &d);
	rb_acl_add_defaults(&acl);
	is_int(look(&acl, "127.0.0.1"), RB_ACL_REFUSE,
	    "config overrides a default netblock");
	is_int(look(&acl, "192.0.2.1"), RB_ACL_ALLOW, "config /0 allow");
	rb_acl_fini(&acl);
}

int
main(void)
{
	test_ipaddr();
	test_acl();
	done_testing();
	return exit_status();
}
