/*
 * dnscomp: name compression against the names already in a message.
 *
 * The table holds the offset of every label start written literally so
 * far (the first RB_DNSCOMP_MAX below 0x4000, the most a pointer reaches)
 * with the uncompressed length of the name from there.  To write a name,
 * its suffixes are tried longest first; a remembered start whose length
 * equals the suffix's is compared label by label (following pointers, as
 * the name there may itself end in one), so most candidates cost one
 * byte compare.  A pointer therefore always lands on a label start of a
 * name equal to the suffix, and a name is never longer compressed than
 * plain.
 *
 * Rdata layouts (RFC 1035 3.3): NS, MD, MF, CNAME, MB, MG, MR, PTR are one
 * name; MINFO two; MX a 16-bit preference and a name; SOA two names and
 * five 32-bit fields.  Rdata of any other type, or not matching its
 * layout, is copied as it is.
 */

#include <string.h>

#include "wire/dname.h"
#include "wire/dnscomp.h"

#define PTR_LIMIT 0x4000
#define HOPS_MAX 64

void
rb_dnscomp_init(struct rb_dnscomp *c)
{
	c->n = 0;
}

static void
remember(struct rb_dnscomp *c, size_t off, size_t len)
{
	if (c->n < RB_DNSCOMP_MAX && off < PTR_LIMIT) {
		c->off[c->n] = (uint16_t)off;
		c->len[c->n++] = (uint8_t)len;
	}
}

void
rb_dnscomp_add(struct rb_dnscomp *c, size_t off, const uint8_t *name,
    size_t len)
{
	int n = rb_dname_wire_len(name, len);

	for (size_t j = 0; n > 0 && name[j] != 0; j += 1 + (size_t)name[j])
		remember(c, off + j, (size_t)n - j);
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* The name at off equals name: byte for byte, or with fold ignoring
 * ASCII case. */
static int
names_equal(const uint8_t *msg, size_t len, size_t off, const uint8_t *name,
    int fold)
{
	for (int hops = 0; hops < HOPS_MAX;) {
		if (off >= len)
			return 0;
		if ((msg[off] & 0xc0) == 0xc0) {
			if (off + 1 >= len)
				return 0;
			off = (size_t)(msg[off] & 0x3f) << 8 | msg[off + 1];
			hops++;
			continue;
		}
		if (msg[off] != *name || off + 1 + msg[off] > len)
			return 0;
		if (*name == 0)
			return 1;
		for (size_t i = 1; i <= *name; i++) {
			if (fold ? lower(msg[off + i]) != lower(name[i]) :
			           msg[off + i] != name[i])
				return 0;
		}
		off += 1 + (size_t)*name;
		name += 1 + *name;
	}
	return 0;
}

int
rb_dnscomp_equal(const uint8_t *msg, size_t len, size_t off,
    const uint8_t *name)
{
	return names_equal(msg, len, off, name, 1);
}

/* A remembered start of a name equal to suffix s (slen bytes), case
 * included: a pointer gives the name the case of what it points to, and
 * names keep the case they were written with (RFC 4343), as BIND
 * compresses by default.  -1 when none. */
static int
find(const struct rb_dnscomp *c, const uint8_t *msg, size_t len,
    const uint8_t *s, size_t slen)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->len[i] == slen && names_equal(msg, len, c->off[i], s, 0))
			return c->off[i];
	}
	return -1;
}

int
rb_dnscomp_name(struct rb_dnscomp *c, uint8_t *msg, size_t size, size_t *len,
    const uint8_t *name)
{
	int nlen = rb_dname_wire_len(name, 255), at = -1;
	size_t i = 0, need;

	if (nlen < 0 || *len > size)
		return -1;
	while (name[i] != 0 &&
	    (at = find(c, msg, *len, name + i, (size_t)nlen - i)) < 0)
		i += 1 + (size_t)name[i];
	need = i + (at < 0 ? 1 : 2);
	if (need > size - *len)
		return -1;
	memcpy(msg + *len, name, i);
	if (at < 0) {
		msg[*len + i] = 0;
	} else {
		msg[*len + i] = (uint8_t)(0xc0 | at >> 8);
		msg[*len + i + 1] = (uint8_t)at;
	}
	for (size_t j = 0; j < i; j += 1 + (size_t)name[j])
		remember(c, *len + j, (size_t)nlen - j);
	*len += need;
	return 0;
}

/* Where type's rdata names are: pre bytes, then names names, then tail
 * bytes.  0 for a type whose names must not be compressed. */
static int
layout(uint16_t type, size_t *pre, size_t *names, size_t *tail)
{
	*pre = *tail = 0;
	*names = 1;
	switch (type) {
	case 2:  /* NS */
	case 3:  /* MD */
	case 4:  /* MF */
	case 5:  /* CNAME */
	case 7:  /* MB */
	case 8:  /* MG */
	case 9:  /* MR */
	case 12: /* PTR */
		return 1;
	case 6: /* SOA */
		*names = 2;
		*tail = 20;
		return 1;
	case 14: /* MINFO */
		*names = 2;
		return 1;
	case 15: /* MX */
		*pre = 2;
		return 1;
	default:
		return 0;
	}
}

int
rb_dnscomp_type(uint16_t type)
{
	size_t pre, names, tail;

	return layout(type, &pre, &names, &tail);
}

/* Does r (rdlen bytes) hold pre bytes, names valid names, tail bytes? */
static int
fits_layout(const uint8_t *r, size_t rdlen, size_t pre, size_t names,
    size_t tail)
{
	size_t off = pre;
	int n;

	for (size_t k = 0; k < names; k++) {
		if (off > rdlen ||
		    (n = rb_dname_wire_len(r + off, rdlen - off)) < 0)
			return 0;
		off += (size_t)n;
	}
	return off <= rdlen && rdlen - off == tail;
}

static int
put_bytes(uint8_t *msg, size_t size, size_t *len, const uint8_t *p, size_t n)
{
	if (*len > size || n > size - *len)
		return -1;
	memcpy(msg + *len, p, n);
	*len += n;
	return 0;
}

int
rb_dnscomp_rdata(struct rb_dnscomp *c, uint8_t *msg, size_t size, size_t *len,
    uint16_t type, const uint8_t *r, size_t rdlen)
{
	size_t pre, names, tail, at = *len, off, ncomp = c->n;

	if (!layout(type, &pre, &names, &tail) ||
	    !fits_layout(r, rdlen, pre, names, tail))
		return put_bytes(msg, size, len, r, rdlen);
	if (put_bytes(msg, size, &at, r, pre) < 0)
		return -1;
	off = pre;
	for (size_t k = 0; k < names; k++) {
		if (rb_dnscomp_name(c, msg, size, &at, r + off) < 0) {
			c->n = ncomp;
			return -1;
		}
		off += (size_t)rb_dname_wire_len(r + off, rdlen - off);
	}
	if (put_bytes(msg, size, &at, r + off, tail) < 0) {
		c->n = ncomp;
		return -1;
	}
	*len = at;
	return 0;
}
