/*
 * tinydns_field: the fields of a tinydns-data line, decoded as djb's
 * tinydns-data does (dns_domain_fromdot for names, txtparse for text,
 * scan_ulong for numbers, ip4_scan for addresses), but strictly: where
 * tinydns-data would quietly take a prefix of a bad field or wrap an
 * escape past \377, these return -1 and the line is refused.
 */

#include <arpa/inet.h>
#include <string.h>

#include "zone/tinydns_int.h"

/* The byte at f.s[*i], or the byte an escape starting there stands for;
 * advances *i past it.  -1 on a bad escape. */
static int
next_byte(struct rb_tinydns_field f, size_t *i, const char **why)
{
	unsigned v;
	unsigned char c = (unsigned char)f.s[(*i)++];

	if (c != '\\')
		return c;
	if (*i >= f.n) {
		*why = "a backslash ends the field";
		return -1;
	}
	c = (unsigned char)f.s[(*i)++];
	if (c < '0' || c > '7')
		return c;
	v = c - '0';
	for (int k = 1; k < 3 && *i < f.n && f.s[*i] >= '0' && f.s[*i] <= '7';
	     k++)
		v = v * 8 + (unsigned)(f.s[(*i)++] - '0');
	if (v > 255) {
		*why = "an octal escape is above \\377";
		return -1;
	}
	return (int)v;
}

/* Append label (ll bytes, none: nothing) to the wire name out[0..*len). */
static int
put_label(uint8_t *out, size_t *len, const uint8_t *label, size_t ll,
    const char **why)
{
	if (ll == 0)
		return 0;
	if (*len + 1 + ll + 1 > RB_DNAME_MAX) {
		*why = "the name is longer than 255 bytes";
		return -1;
	}
	out[*len] = (uint8_t)ll;
	memcpy(out + *len + 1, label, ll);
	*len += 1 + ll;
	return 0;
}

int
rb_tinydns_field_name(struct rb_tinydns_field f, uint8_t *out, const char **why)
{
	uint8_t label[63];
	size_t i = 0, len = 0, ll = 0;
	int c;

	while (i < f.n) {
		if (f.s[i] == '.') {
			i++;
			if (put_label(out, &len, label, ll, why) < 0)
				return -1;
			ll = 0;
			continue;
		}
		if ((c = next_byte(f, &i, why)) < 0)
			return -1;
		if (ll == sizeof label) {
			*why = "a label is longer than 63 bytes";
			return -1;
		}
		label[ll++] = (uint8_t)c;
	}
	if (put_label(out, &len, label, ll, why) < 0)
		return -1;
	out[len++] = 0;
	return (int)len;
}

int
rb_tinydns_field_server(struct rb_tinydns_field x, const char *kind,
    const uint8_t *fqdn, size_t flen, uint8_t *out, const char **why)
{
	size_t klen = strlen(kind);
	int n;

	if (x.n > 0 && memchr(x.s, '.', x.n) != NULL)
		return rb_tinydns_field_name(x, out, why);
	/* x.KIND.fqdn: x is one label at most, as it has no dot. */
	if ((n = rb_tinydns_field_name(x, out, why)) < 0)
		return -1;
	n--; /* drop the root */
	if ((size_t)n + 1 + klen + flen > RB_DNAME_MAX) {
		*why = "the server name is longer than 255 bytes";
		return -1;
	}
	out[n] = (uint8_t)klen;
	memcpy(out + n + 1, kind, klen);
	memcpy(out + n + 1 + klen, fqdn, flen);
	return n + 1 + (int)klen + (int)flen;
}

long
rb_tinydns_field_text(struct rb_tinydns_field f, uint8_t *out, size_t cap,
    const char **why)
{
	size_t i = 0, n = 0;
	int c;

	while (i < f.n) {
		if ((c = next_byte(f, &i, why)) < 0)
			return -1;
		if (n == cap) {
			*why = "the data is longer than 65535 bytes";
			return -1;
		}
		out[n++] = (uint8_t)c;
	}
	return (long)n;
}

int
rb_tinydns_field_number(struct rb_tinydns_field f, uint32_t max, uint32_t def,
    uint32_t *v, const char **why)
{
	uint64_t x = 0;

	if (f.n == 0) {
		*v = def;
		return 0;
	}
	for (size_t i = 0; i < f.n; i++) {
		if (f.s[i] < '0' || f.s[i] > '9') {
			*why = "not a decimal number";
			return -1;
		}
		x = x * 10 + (uint64_t)(f.s[i] - '0');
		if (x > max) {
			*why = "too large";
			return -1;
		}
	}
	*v = (uint32_t)x;
	return 0;
}

int
rb_tinydns_field_ipv4(struct rb_tinydns_field f, uint8_t ip[4],
    const char **why)
{
	char buf[16];

	if (f.n == 0)
		return 0;
	if (f.n < sizeof buf && memchr(f.s, '\0', f.n) == NULL) {
		memcpy(buf, f.s, f.n);
		buf[f.n] = '\0';
		if (inet_pton(AF_INET, buf, ip) == 1)
			return 1;
	}
	*why = "not an IPv4 address";
	return -1;
}

static int
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
rb_tinydns_field_location(struct rb_tinydns_field lo,
    struct rb_tinydns_field prefix, const char **why)
{
	size_t i = 0;
	int parts = 0;

	if (lo.n < 1 || lo.n > 2 || !is_letter(lo.s[0]) ||
	    (lo.n == 2 && !is_letter(lo.s[1]))) {
		*why = "a location is one or two ASCII letters";
		return -1;
	}
	while (i < prefix.n) {
		unsigned v = 0;
		size_t start = i;

		while (i < prefix.n && prefix.s[i] >= '0' &&
		    prefix.s[i] <= '9' && v <= 255)
			v = v * 10 + (unsigned)(prefix.s[i++] - '0');
		if (i == start || v > 255 || ++parts > 4 ||
		    (i < prefix.n && (prefix.s[i] != '.' || ++i == prefix.n))) {
			*why = "an IP prefix is 1 to 4 dot-separated numbers "
			       "0..255";
			return -1;
		}
	}
	return 0;
}
