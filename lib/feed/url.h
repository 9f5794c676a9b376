#ifndef RB_FEED_URL_H
#define RB_FEED_URL_H

/*
 * Where a feed may be fetched from (inventory.md 1.1.5, 1.1.10): HTTPS
 * URLs without credentials, whose host is neither an internal name nor
 * an internal address, checked when a feed is added, on every redirect,
 * and for every address the fetcher is about to connect to.  Addresses
 * listed in feed-allow-address (tests) are exempt.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct sockaddr;

#define RB_FEED_URL_MAX 2048

struct rb_feednet {
	uint8_t net[16]; /* IPv4 as IPv4-mapped IPv6 */
	int prefix;      /* of 128 */
};

/* The exempt netblocks (feed-allow-address). */
struct rb_feed_url_allow {
	size_t n;
	struct rb_feednet *nets;
};

/* Parse the netblocks of feed-allow-address (borrowed strings as the conf
 * holds them, "addr/len").  Release with rb_feed_url_allow_fini.  -1 with
 * errno EINVAL for a bad netblock or ENOMEM. */
int rb_feed_url_allow_init(struct rb_feed_url_allow *a, char *const *nets,
    size_t n);
void rb_feed_url_allow_fini(struct rb_feed_url_allow *a);

/* 1 when the fetcher must not connect to sa: a loopback, private,
 * link-local, CGNAT, ULA, multicast, reserved or documentation address,
 * or one of those inside an IPv4-mapped, 6to4 or NAT64 address, and not
 * exempt; 0 when it may.  A family other than IPv4/IPv6 is refused. */
int rb_feed_url_forbidden_addr(const struct sockaddr *sa,
    const struct rb_feed_url_allow *allow);

/* Check a feed URL (borrowed).  0 when it may be fetched, else -1 with e
 * set to 400 INVALID_URL and the reason (plain http:// has its own).
 * With literal set, a host that is an internal address is refused too
 * (add time, for a clear 400); the fetcher leaves addresses, literal or
 * resolved, to its connect-time check. */
int rb_feed_url_check(const char *url, const struct rb_feed_url_allow *allow,
    int literal, struct rb_err *e);

#endif
