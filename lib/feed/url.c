/*
 * url: the server-side request forgery rules of the feed fetcher.
 *
 * A URL is checked by text (scheme, credentials, length, internal host
 * names) when a feed is added and again on every redirect; text cannot
 * stop a public name that resolves to an internal address (DNS
 * rebinding), so every address, literal or resolved, is judged where it
 * counts: at connect time, by rb_feed_url_forbidden_addr in the fetcher's
 * open-socket callback.  At add time a literal internal address is also
 * refused, so a client hears 400 at once.  Addresses are
 * compared in one 16-byte form, IPv4 as IPv4-mapped IPv6, and addresses
 * that carry an IPv4 address (mapped, 6to4, NAT64) are judged by it.
 * libcurl's URL parser reads the URL, so we judge the host curl will
 * connect to (it normalises "0x7f.1" to 127.0.0.1), not our own reading.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "feed/url.h"

struct range {
	uint8_t a[16];
	int prefix;
};

#define V4(a, b, c, d, len) \
	{ \
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d }, \
		    96 + len \
	}

static const struct range internal[] = {
	V4(0, 0, 0, 0, 8),       /* "this network" */
	V4(10, 0, 0, 0, 8),      /* private */
	V4(100, 64, 0, 0, 10),   /* CGNAT */
	V4(127, 0, 0, 0, 8),     /* loopback */
	V4(169, 254, 0, 0, 16),  /* link-local, cloud metadata */
	V4(172, 16, 0, 0, 12),   /* private */
	V4(192, 0, 0, 0, 24),    /* IETF protocol assignments */
	V4(192, 0, 2, 0, 24),    /* documentation */
	V4(192, 88, 99, 0, 24),  /* 6to4 relay anycast */
	V4(192, 168, 0, 0, 16),  /* private */
	V4(198, 18, 0, 0, 15),   /* benchmarking */
	V4(198, 51, 100, 0, 24), /* documentation */
	V4(203, 0, 113, 0, 24),  /* documentation */
	V4(224, 0, 0, 0, 4),     /* multicast */
	V4(240, 0, 0, 0, 4),     /* reserved, broadcast */
	{ { 0 }, 96 },           /* ::/96: unspecified, loopback, compat */
	{ { 0x00, 0x64, 0xff, 0x9b, 0, 1 }, 48 }, /* local-use NAT64 */
	{ { 0x01 }, 64 },                         /* 100::/64 discard */
	{ { 0x20, 0x01, 0, 0 }, 32 },             /* Teredo */
	{ { 0x20, 0x01, 0x00, 0x10 }, 28 },       /* ORCHID */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },       /* documentation */
	{ { 0xfc }, 7 },                          /* unique local */
	{ { 0xfe, 0x80 }, 10 },                   /* link-local */
	{ { 0xfe, 0xc0 }, 10 },                   /* site-local */
	{ { 0xff }, 8 },                          /* multicast */
};

/* Host names that only ever mean something inside a network. */
static const char *const internal_suffix[] = { ".localhost", ".local",
	".internal", ".corp", ".lan", ".home", ".home.arpa", ".intranet" };
static const char *const internal_name[] = { "localhost", "metadata",
	"metadata.google.internal" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
in_net(const uint8_t a[16], const uint8_t net[16], int prefix)
{
	int bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a, net, (size_t)bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	return ((a[bytes] ^ net[bytes]) & (0xff << (8 - bits))) == 0;
}

static void
mapped(uint8_t out[16], const uint8_t v4[4])
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* The IPv4 address inside a 6to4 or well-known NAT64 address, as mapped;
 * 0 when a carries none. */
static int
embedded_v4(const uint8_t a[16], uint8_t out[16])
{
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	if (a[0] == 0x20 && a[1] == 0x02) {
		mapped(out, a + 2);
		return 1;
	}
	if (memcmp(a, nat64, sizeof nat64) == 0) {
		mapped(out, a + 12);
		return 1;
	}
	return 0;
}

static int
exempt(const uint8_t a[16], const struct rb_feed_url_allow *allow)
{
	for (size_t i = 0; allow != NULL && i < allow->n; i++) {
		if (in_net(a, allow->nets[i].net, allow->nets[i].prefix))
			return 1;
	}
	return 0;
}

static int
forbidden16(const uint8_t a[16], const struct rb_feed_url_allow *allow)
{
	uint8_t v4[16];

	if (exempt(a, allow))
		return 0;
	if (embedded_v4(a, v4))
		return forbidden16(v4, allow);
	for (size_t i = 0; i < NELEM(internal); i++) {
		if (in_net(a, internal[i].a, internal[i].prefix))
			return 1;
	}
	return 0;
}

int
rb_feed_url_forbidden_addr(const struct sockaddr *sa,
    const struct rb_feed_url_allow *allow)
{
	uint8_t a[16];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		mapped(a, (const uint8_t *)&s4->sin_addr);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		memcpy(a, &s6->sin6_addr, 16);
	} else {
		return 1;
	}
	return forbidden16(a, allow);
}

/* Parse "addr/len" into a 16-byte network; -1 when it is not one. */
static int
parse_net(const char *s, struct rb_feednet *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	uint8_t v4[4];
	long len;
	int is4;

	if (strlen(s) >= sizeof buf)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	is4 = inet_pton(AF_INET, buf, v4) == 1;
	if (is4)
		mapped(n->net, v4);
	else if (inet_pton(AF_INET6, buf, n->net) != 1)
		return -1;
	len = is4 ? 32 : 128;
	if (slash != NULL) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len < 0 ||
		    len > (is4 ? 32 : 128))
			return -1;
	}
	n->prefix = (int)len + (is4 ? 96 : 0);
	return 0;
}

int
rb_feed_url_allow_init(struct rb_feed_url_allow *a, char *const *nets, size_t n)
{
	a->n = 0;
	a->nets = NULL;
	if (n == 0)
		return 0;
	if ((a->nets = calloc(n, sizeof *a->nets)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (parse_net(nets[i], &a->nets[i]) < 0) {
			rb_feed_url_allow_fini(a);
			errno = EINVAL;
			return -1;
		}
	}
	a->n = n;
	return 0;
}

void
rb_feed_url_allow_fini(struct rb_feed_url_allow *a)
{
	free(a->nets);
	a->nets = NULL;
	a->n = 0;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* The URL's host as curl reads it: brackets, zone and final dot gone. */
static int
check_host(const char *host, const struct rb_feed_url_allow *allow, int literal,
    struct rb_err *e)
{
	char h[256];
	size_t n = strlen(host);
	uint8_t a[16], v4[4];

	if (n >= 2 && host[0] == '[') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof h)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "URL host is invalid");
	memcpy(h, host, n);
	h[n] = '\0';
	h[strcspn(h, "%")] = '\0';
	n = strlen(h);
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	if (inet_pton(AF_INET, h, v4) == 1)
		mapped(a, v4);
	else if (inet_pton(AF_INET6, h, a) != 1) {
		for (size_t i = 0; i < NELEM(internal_name); i++)
			if (strcasecmp(h, internal_name[i]) == 0)
				goto internal_host;
		for (size_t i = 0; i < NELEM(internal_suffix); i++)
			if (ends_with(h, n, internal_suffix[i]))
				goto internal_host;
		if (strchr(h, '.') == NULL)
			goto internal_host;
		return 0;
	}
	if (literal && forbidden16(a, allow))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "URL host %s is a "
		    "private or internal address",
		    h);
	return 0;
internal_host:
	return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
	    "URL host '%.200s' is an "
	    "internal name",
	    h);
}

static int
check_text(const char *url, struct rb_err *e)
{
	size_t n = strlen(url);

	if (n == 0 || n > RB_FEED_URL_MAX)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "URL must be 1..%d "
		    "characters",
		    RB_FEED_URL_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
			    "URL holds a "
			    "space, control or non-ASCII character");
	}
	if (strncasecmp(url, "http://", 7) == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "HTTP URLs are "
		    "refused: feeds must use HTTPS");
	if (strncasecmp(url, "https://", 8) != 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "only https:// URLs "
		    "are accepted");
	return 0;
}

int
rb_feed_url_check(const char *url, const struct rb_feed_url_allow *allow,
    int literal, struct rb_err *e)
{
	CURLU *u;
	char *part = NULL;
	int r = -1;

	if (check_text(url, e) < 0)
		return -1;
	if ((u = curl_url()) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_URL", "not a valid URL");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_URL",
		    "credentials in a URL are "
		    "refused");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_URL", "URL has no host");
		goto done;
	}
	r = check_host(part, allow, literal, e);
done:
	curl_free(part);
	curl_url_cleanup(u);
	return r;
}
