/* Unit tests for lib/feed/parse: the three formats, domain rules, counters,
 * lines cut by chunk boundaries at every offset, overlong lines. */

#include <stdio.h>
#include <string.h>

#include "feed/parse.h"
#include "wire/dname.h"

#include "../../tap.h"

struct out {
	char names[64][256];
	int n;
};

static int
collect(void *ctx, const uint8_t *w, size_t len)
{
	struct out *o = ctx;

	if (o->n < 64)
		rb_dname_to_text(w, o->names[o->n], sizeof o->names[0]);
	o->n++;
	return 0;
}

/* Parse text in chunks of `chunk` bytes (0: whole); names joined by ' '. */
static const char *
parse(enum rb_feed_format fmt, const char *text, size_t chunk,
    struct rb_feed_parse *p)
{
	static char joined[8192];
	static struct out o;
	size_t len = strlen(text), off = 0;

	memset(&o, 0, sizeof o);
	rb_feed_parse_init(p, fmt, collect, &o);
	if (chunk == 0)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		rb_feed_parse_feed(p, text + off, n);
		off += n;
	}
	rb_feed_parse_finish(p);
	joined[0] = '\0';
	for (int i = 0; i < o.n && i < 64; i++) {
		if (i)
			strcat(joined, " ");
		strcat(joined, o.names[i]);
	}
	return joined;
}

static void
domains(void)
{
	uint8_t w[RB_DNAME_MAX];
	char t[300];
	static const char *const good[] = { "a.b", "Ads.Example.COM.",
		"x_y.example", "1.example", "a-b.c-d.e", NULL };
	static const char *const bad[] = { "", ".", "com", "localhost",
		"-a.example", "a-.example", "a..b", ".a.b", "a.b..", "1.2.3.4",
		"a b.c", "a*.b", "a.b/c", "\xc3\xa9.fr", NULL };

	for (int i = 0; good[i]; i++)
		ok(rb_feed_parse_domain(good[i], strlen(good[i]), w) > 0,
		    "valid '%s'", good[i]);
	for (int i = 0; bad[i]; i++)
		ok(rb_feed_parse_domain(bad[i], strlen(bad[i]), w) < 0,
		    "invalid '%s'", bad[i]);
	rb_feed_parse_domain("Ads.Example.COM.", 16, w);
	rb_dname_to_text(w, t, sizeof t);
	is_str(t, "ads.example.com.", "lower-cased, final dot dropped");
	memset(t, 'a', 63);
	memcpy(t + 63, ".com", 5);
	ok(rb_feed_parse_domain(t, strlen(t), w) > 0, "63-character label");
	memset(t, 'a', 64);
	memcpy(t + 64, ".com", 5);
	ok(rb_feed_parse_domain(t, strlen(t), w) < 0, "64-character label");
	for (int i = 0; i < 250; i += 2)
		t[i] = 'a', t[i + 1] = '.';
	memcpy(t + 250, "com", 4);
	ok(rb_feed_parse_domain(t, 253, w) > 0, "253 characters");
	memcpy(t + 250, "comx", 5);
	ok(rb_feed_parse_domain(t, 254, w) < 0, "254 characters");
}

static void
hosts(void)
{
	struct rb_feed_parse p;
	const char *txt =
	    "# StevenBlack style\n"
	    "127.0.0.1 localhost\n"
	    "127.0.0.1 localhost.localdomain\n"
	    "255.255.255.255 broadcasthost\n"
	    "::1 localhost ip6-localhost ip6-loopback\n"
	    "0.0.0.0 0.0.0.0\n"
	    "0.0.0.0 ads.example.com\n"
	    "0.0.0.0\tone.example two.example   three.example # inline\n"
	    "127.0.0.1 Tracker.Example.NET\r\n"
	    ":: v6.example\n"
	    "192.168.1.1 router.lan\n"
	    "0.0.0.0 bad..name good.example\n"
	    "0.0.0.0\n"
	    "ads.example.org\n"
	    "\n   \n"
	    "0.0.0.0 last.example";

	is_str(parse(RB_FEED_HOSTS, txt, 0, &p),
	    "ads.example.com. one.example. two.example. three.example. "
	    "tracker.example.net. v6.example. good.example. last.example.",
	    "hosts: every name after a blocking address");
	is_int(p.invalid, 3, "hosts: bad name, bare address, no address");
	is_int(p.skipped, 2, "hosts: lines for other addresses skipped");
	is_int(p.lines, 17, "hosts: lines counted");
	for (size_t c = 1; c < 40; c++) {
		const char *got = parse(RB_FEED_HOSTS, txt, c, &p);
		if (strcmp(got,
		        "ads.example.com. one.example. two.example. "
		        "three.example. tracker.example.net. v6.example. "
		        "good.example. last.example.") != 0 ||
		    p.invalid != 3) {
			ok(0, "hosts in %zu-byte chunks", c);
			diag("got '%s'", got);
			return;
		}
	}
	ok(1, "hosts in chunks of 1..39 bytes: the same");
}

static void
domains_fmt(void)
{
	struct rb_feed_parse p;

	is_str(parse(RB_FEED_DOMAINS,
	           "\xef\xbb\xbf# list\na.example\n"
	           "B.example. # c\n\nnot a domain\n*.wild.example\nlocalhost\n"
	           "c.example",
	           0, &p),
	    "a.example. b.example. c.example.",
	    "domains: one per line, BOM and comments dropped");
	is_int(p.invalid, 3, "domains: three invalid lines");
	is_int(p.skipped, 0, "domains: nothing skipped");
}

static void
adblock(void)
{
	struct rb_feed_parse p;
	const char *txt = "[Adblock Plus 2.0]\n"
	                  "! Title: test\n"
	                  "||ads.example.com^\n"
	                  "||Track.Example^$important\n"
	                  "||pipe.example^|\n"
	                  "||third.example^$third-party\n"
	                  "@@||allowed.example^\n"
	                  "##.banner\n"
	                  "example.org##.ad\n"
	                  "||client.example^$client=192.168.1.5\n"
	                  "||bad.example^$badfilter\n"
	                  "||path.example/ads/*\n"
	                  "||wild*.example^\n"
	                  "|https://x.example/\n"
	                  "/regex/\n"
	                  "||-bad.example^\n"
	                  "||nodot^\n"
	                  "# hosts-style comment\n"
	                  "||end.example^";

	is_str(parse(RB_FEED_ADBLOCK, txt, 0, &p),
	    "ads.example.com. track.example. pipe.example. third.example. "
	    "end.example.",
	    "adblock: ||name^ and its variants");
	is_int(p.skipped, 9, "adblock: other rules skipped and counted");
	is_int(p.invalid, 2, "adblock: invalid names counted");
}

static void
limits(void)
{
	static char big[3 * RB_FEED_LINE_MAX];
	struct rb_feed_parse p;

	memset(big, 'a', sizeof big - 1);
	memcpy(big, "0.0.0.0 ", 8);
	memcpy(big + RB_FEED_LINE_MAX + 100, "\n0.0.0.0 x.example\n", 19);
	is_str(parse(RB_FEED_HOSTS, big, 0, &p), "x.example.",
	    "an overlong line is dropped, the next is read");
	is_int(p.invalid, 2, "overlong lines are invalid");
	is_str(parse(RB_FEED_HOSTS, big, 7, &p), "x.example.",
	    "the same in 7-byte chunks");
	is_int(p.invalid, 2, "the same count");
	{
		static const char nul[] =
		    "0.0.0.0 a\0b.example\n0.0.0.0 c.ex\n";
		struct out o = { .n = 0 };

		rb_feed_parse_init(&p, RB_FEED_HOSTS, collect, &o);
		rb_feed_parse_feed(&p, nul, sizeof nul - 1);
		rb_feed_parse_finish(&p);
		is_int(o.n, 1, "a NUL byte makes a name invalid, not a cut");
		is_str(o.names[0], "c.ex.", "the next line is read");
	}
	is_int(rb_feed_parse_format("adblock"), RB_FEED_ADBLOCK, "format name");
	is_int(rb_feed_parse_format("rpz"), -1, "unknown format");
	is_str(rb_feed_parse_format_name(RB_FEED_DOMAINS), "domains",
	    "format text");
}

int
main(void)
{
	domains();
	hosts();
	domains_fmt();
	adblock();
	limits();
	done_testing();
	return exit_status();
}
