/*
 * parse: blocklist feed text to wire names, one line at a time.
 *
 * Invariants: a line is handled whole, wherever chunk boundaries fall; a
 * line inside one chunk is parsed in place, and only a line cut by a
 * chunk end is copied, into the fixed line buffer, so no input makes us
 * allocate or read past what we were given.  Bad input only moves a
 * counter: blank and comment lines count in `lines` alone, refused names
 * or syntax in `invalid`, rules we recognise but do not apply (adblock
 * exceptions, cosmetic and URL rules, hosts lines for other addresses) in
 * `skipped`.
 */

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "feed/parse.h"
#include "wire/dname.h"

static const char *const formats[] = { "hosts", "domains", "adblock" };

/* Names that hosts files map to themselves: not blocklist entries. */
static const char *const hosts_skip[] = { "localhost", "localhost.localdomain",
	"local", "broadcasthost", "ip6-localhost", "ip6-loopback",
	"ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
	"ip6-allhosts", "0.0.0.0" };

/* The addresses that make a hosts line a block entry. */
static const char *const hosts_addrs[] = { "0.0.0.0", "127.0.0.1",
	"::", "::1" };

/* adblock options that narrow or cancel a rule: we cannot honour them at
 * the DNS level, so such a rule is skipped rather than widened. */
static const char *const adblock_narrow[] = { "badfilter", "client", "ctag",
	"denyallow", "dnstype", "dnsrewrite", "app", "domain", "redirect",
	"redirect-rule", "removeparam", "csp", "replace" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int
rb_feed_parse_format(const char *s)
{
	for (size_t i = 0; i < NELEM(formats); i++) {
		if (strcmp(s, formats[i]) == 0)
			return (int)i;
	}
	return -1;
}

const char *
rb_feed_parse_format_name(enum rb_feed_format f)
{
	return (size_t)f < NELEM(formats) ? formats[f] : "hosts";
}

void
rb_feed_parse_init(struct rb_feed_parse *p, enum rb_feed_format fmt,
    rb_feed_emit_fn emit, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->fmt = fmt;
	p->emit = emit;
	p->ctx = ctx;
}

static int
host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
rb_feed_parse_domain(const char *s, size_t n, uint8_t *out)
{
	size_t pos = 1, lab = 0;
	int dots = 0, digits = 1;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t l = pos - lab - 1;

		if (c == '.') {
			if (l == 0 || out[pos - 1] == '-')
				return -1;
			out[lab] = (uint8_t)l;
			lab = pos++;
			dots++;
			digits = 1;
			continue;
		}
		if (!host_char(c) || l == 63 || (l == 0 && c == '-'))
			return -1;
		if (c < '0' || c > '9')
			digits = 0;
		out[pos++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (pos - lab - 1 == 0 || out[pos - 1] == '-')
		return -1;
	out[lab] = (uint8_t)(pos - lab - 1);
	out[pos++] = 0;
	/* "1.2.3.4" is an address, not a name: no TLD is all digits. */
	return dots == 0 || digits ? -1 : (int)pos;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && blank((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && blank((*s)[*n - 1]))
		(*n)--;
}

/* The next blank-separated token of s[0..n) from *i, or 0 at the end. */
static size_t
token(const char *s, size_t n, size_t *i, const char **tok)
{
	size_t start;

	while (*i < n && blank(s[*i]))
		(*i)++;
	start = *i;
	while (*i < n && !blank(s[*i]))
		(*i)++;
	*tok = s + start;
	return *i - start;
}

static int
one_of(const char *s, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++) {
		if (strlen(list[i]) == n && strncasecmp(s, list[i], n) == 0)
			return 1;
	}
	return 0;
}

static int
emit_name(struct rb_feed_parse *p, const char *s, size_t n, int *bad)
{
	uint8_t w[RB_DNAME_MAX];
	int len = rb_feed_parse_domain(s, n, w);

	if (len < 0) {
		*bad = 1;
		return 0;
	}
	p->names++;
	return p->emit(p->ctx, w, (size_t)len);
}

/* Is the token an IP address of either family? */
static int
is_address(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char a[16];

	if (n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 ||
	    inet_pton(AF_INET6, buf, a) == 1;
}

/* "0.0.0.0 a.example b.example": every name after a blocking address. */
static int
hosts_line(struct rb_feed_parse *p, const char *s, size_t n)
{
	const char *tok;
	size_t i = 0, len = token(s, n, &i, &tok);
	int bad = 0, names = 0;

	if (!one_of(tok, len, hosts_addrs, NELEM(hosts_addrs))) {
		if (is_address(tok, len))
			p->skipped++;
		else
			p->invalid++;
		return 0;
	}
	while ((len = token(s, n, &i, &tok)) > 0) {
		names++;
		if (one_of(tok, len, hosts_skip, NELEM(hosts_skip)))
			continue;
		if (emit_name(p, tok, len, &bad) < 0)
			return -1;
	}
	if (bad || names == 0)
		p->invalid++;
	return 0;
}

static int
domains_line(struct rb_feed_parse *p, const char *s, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (blank(s[i])) {
			p->invalid++;
			return 0;
		}
	}
	if (emit_name(p, s, n, &bad) < 0)
		return -1;
	p->invalid += bad;
	return 0;
}

/* The options after "$": 1 when every one leaves the rule a plain block. */
static int
adblock_opts_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i, end;

		while (i < n && s[i] != ',')
			i++;
		end = i++;
		if (start < end && s[start] == '~')
			start++;
		for (size_t k = start; k < end; k++) {
			if (s[k] == '=') {
				end = k;
				break;
			}
		}
		if (one_of(s + start, end - start, adblock_narrow,
		        NELEM(adblock_narrow)))
			return 0;
	}
	return 1;
}

static int
domain_char(unsigned char c)
{
	return host_char(c) || c == '.';
}

/* "||name^", "||name^|", "||name^$opts"; the rest is skipped. */
static int
adblock_line(struct rb_feed_parse *p, const char *s, size_t n)
{
	size_t j = 2;
	int bad = 0;

	if (s[0] == '!' || s[0] == '[' ||
	    (s[0] == '#' && (n == 1 || s[1] == ' ')))
		return 0;
	if (n < 2 || s[0] != '|' || s[1] != '|') {
		p->skipped++;
		return 0;
	}
	while (j < n && domain_char((unsigned char)s[j]))
		j++;
	if (j == n || s[j] != '^' ||
	    !(j + 1 == n || (j + 2 == n && s[j + 1] == '|') ||
	        (s[j + 1] == '$' && adblock_opts_ok(s + j + 2, n - j - 2)))) {
		p->skipped++;
		return 0;
	}
	if (emit_name(p, s + 2, j - 2, &bad) < 0)
		return -1;
	p->invalid += bad;
	return 0;
}

static int
do_line(struct rb_feed_parse *p, const char *s, size_t n)
{
	const char *hash;

	if (p->lines++ == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (p->fmt != RB_FEED_ADBLOCK && (hash = memchr(s, '#', n)) != NULL)
		n = (size_t)(hash - s);
	trim(&s, &n);
	if (n == 0)
		return 0;
	switch (p->fmt) {
	case RB_FEED_HOSTS:
		return hosts_line(p, s, n);
	case RB_FEED_DOMAINS:
		return domains_line(p, s, n);
	case RB_FEED_ADBLOCK:
		return adblock_line(p, s, n);
	}
	return 0;
}

/* End of a line that was copied into p->line. */
static int
end_buffered(struct rb_feed_parse *p)
{
	int r = 0;

	if (p->overlong) {
		p->lines++;
		p->invalid++;
	} else {
		r = do_line(p, p->line, p->len);
	}
	p->len = 0;
	p->overlong = 0;
	return r;
}

int
rb_feed_parse_feed(struct rb_feed_parse *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);

		if (nl != NULL && p->len == 0 && !p->overlong) {
			if (n > RB_FEED_LINE_MAX) {
				p->lines++;
				p->invalid++;
			} else if (do_line(p, s, n) < 0) {
				return -1;
			}
		} else {
			if (p->overlong || p->len + n > RB_FEED_LINE_MAX)
				p->overlong = 1;
			else
				memcpy(p->line + p->len, s, n);
			p->len += p->overlong ? 0 : n;
			if (nl != NULL && end_buffered(p) < 0)
				return -1;
		}
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	return 0;
}

int
rb_feed_parse_finish(struct rb_feed_parse *p)
{
	if (p->len == 0 && !p->overlong)
		return 0;
	return end_buffered(p);
}
