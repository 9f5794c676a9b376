/* Unit tests for lib/feed/url: which addresses and URLs a feed may use. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "feed/url.h"
#include "http/status.h"

#include "../../tap.h"

static int
forbidden(const char *ip, const struct rb_feed_url_allow *allow)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET, ip, &s4.sin_addr) == 1)
		return rb_feed_url_forbidden_addr((struct sockaddr *)&s4,
		    allow);
	if (inet_pton(AF_INET6, ip, &s6.sin6_addr) == 1)
		return rb_feed_url_forbidden_addr((struct sockaddr *)&s6,
		    allow);
	return -1;
}

static void
addresses(void)
{
	static const char *const internal[] = { "127.0.0.1", "127.0.0.2",
		"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0",
		"0.1.2.3", "224.0.0.1", "239.1.1.1", "240.0.0.1",
		"255.255.255.255", "192.0.2.1", "198.18.0.1", "::", "::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "fc00::1",
		"fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
		"2002:0a00:0001::1", "64:ff9b::a00:1", "64:ff9b:1::1",
		"2001:db8::1", "2001::1", "100::1", NULL };
	static const char *const public[] = { "1.1.1.1", "8.8.8.8",
		"172.32.0.1", "100.128.0.1", "169.253.1.1", "192.169.0.1",
		"2606:4700:4700::1111", "::ffff:1.1.1.1", "2002:0101:0101::1",
		"64:ff9b::101:101", "2a00:1450::1", NULL };
	char *nets[] = { "127.0.0.1/32", "fd00::/8" };
	struct rb_feed_url_allow allow;

	for (int i = 0; internal[i]; i++)
		is_int(forbidden(internal[i], NULL), 1, "%s is internal",
		    internal[i]);
	for (int i = 0; public[i]; i++)
		is_int(forbidden(public[i], NULL), 0, "%s is public",
		    public[i]);
	ok(rb_feed_url_allow_init(&allow, nets, 2) == 0, "allow list parses");
	is_int(forbidden("127.0.0.1", &allow), 0, "127.0.0.1 exempt");
	is_int(forbidden("::ffff:127.0.0.1", &allow), 0,
	    "mapped 127.0.0.1 exempt");
	is_int(forbidden("127.0.0.2", &allow), 1, "127.0.0.2 still internal");
	is_int(forbidden("fd00::5", &allow), 0, "fd00::/8 exempt");
	is_int(forbidden("fc00::5", &allow), 1, "fc00::5 still internal");
	rb_feed_url_allow_fini(&allow);
	{
		char *bad[] = { "127.0.0.1/33" };
		ok(rb_feed_url_allow_init(&allow, bad, 1) < 0,
		    "bad netblock refused");
	}
}

static void
urls(void)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "http://example.com/list", "HTTP URLs are refused" },
		{ "HTTP://example.com/list", "HTTP URLs are refused" },
		{ "ftp://example.com/list", "only https://" },
		{ "example.com/list", "only https://" },
		{ "https://user:pw@example.com/", "credentials" },
		{ "https://user@example.com/", "credentials" },
		{ "https://localhost/x", "internal name" },
		{ "https://LOCALHOST./x", "internal name" },
		{ "https://a.localhost/x", "internal name" },
		{ "https://nas.local/x", "internal name" },
		{ "https://metadata.google.internal/x", "internal name" },
		{ "https://router.lan/x", "internal name" },
		{ "https://intranet/x", "internal name" },
		{ "https://127.0.0.1/x", "internal address" },
		{ "https://0x7f.1/x", "internal address" },
		{ "https://2130706433/x", "internal address" },
		{ "https://[::1]/x", "internal address" },
		{ "https://[::ffff:192.168.0.1]/x", "internal address" },
		{ "https://169.254.169.254/latest", "internal address" },
		{ "https://10.0.0.1:8443/x", "internal address" },
		{ "https://exa mple.com/", "space" },
		{ "https://example.com/\x01", "control" },
		{ "https://", "valid URL" },
		{ NULL, NULL },
	};
	static const char *const good[] = { "https://example.com/hosts",
		"https://raw.githubusercontent.com/StevenBlack/hosts/master/"
		"hosts",
		"https://1.1.1.1/list", "https://[2606:4700::1]:8443/list",
		"https://small.oisd.nl/", NULL };
	struct rb_err e = { 0 };
	char *nets[] = { "127.0.0.1/32" };
	struct rb_feed_url_allow allow;
	char longurl[RB_FEED_URL_MAX + 10];

	for (int i = 0; bad[i].url; i++) {
		e.details[0] = '\0';
		ok(rb_feed_url_check(bad[i].url, NULL, 1, &e) < 0 &&
		        rb_http_status(&e) == 400 &&
		        strstr(e.details, bad[i].why) != NULL,
		    "refused: %s", bad[i].url);
		if (strstr(e.details, bad[i].why) == NULL)
			diag("details: %s", e.details);
	}
	for (int i = 0; good[i]; i++)
		ok(rb_feed_url_check(good[i], NULL, 1, &e) == 0, "accepted: %s",
		    good[i]);
	ok(rb_feed_url_check("https://127.0.0.1:5/x", NULL, 0, &e) == 0,
	    "without literal: addresses are left to connect time");
	ok(rb_feed_url_check("https://localhost/x", NULL, 0, &e) < 0,
	    "without literal: internal names still refused");
	rb_feed_url_allow_init(&allow, nets, 1);
	ok(rb_feed_url_check("https://127.0.0.1:5/x", &allow, 1, &e) == 0,
	    "feed-allow-address exempts 127.0.0.1");
	ok(rb_feed_url_check("https://127.0.0.2:5/x", &allow, 1, &e) < 0,
	    "but not 127.0.0.2");
	rb_feed_url_allow_fini(&allow);
	memcpy(longurl, "https://example.com/", 20);
	memset(longurl + 20, 'a', sizeof longurl - 21);
	longurl[sizeof longurl - 1] = '\0';
	ok(rb_feed_url_check(longurl, NULL, 1, &e) < 0, "URL over 2048 chars");
}

int
main(void)
{
	addresses();
	urls();
	done_testing();
	return exit_status();
}
