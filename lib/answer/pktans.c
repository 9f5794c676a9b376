/*
 * pktans: stored forwarded answers and the replies made from them.  The
 * scan walks a message once, bounds-checked, noting where each TTL and the
 * additional section are; the emit copies and patches.  Invariants of a
 * scanned answer: exactly one question, uncompressed, right after the
 * header (so the client's question, of the same length, can be copied over
 * it without breaking compression pointers into it); no OPT record; every
 * TTL offset lies inside the message and in record order.
 */

#include <string.h>

#include "answer/pktans.h"
#include "base/bytes.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#define OPT_LEN 11

/* Step over one record at *off, noting its TTL.  Returns its type, or -1
 * when it runs past the message or the TTL table is full. */
static int
scan_rr(struct rb_pktans *a, uint16_t *ttloff, size_t max, size_t *off)
{
	size_t at = rb_dnswire_skip_name(a->wire, a->len, *off), rdlen;
	uint16_t type;

	if (at == 0 || a->len - at < 10)
		return -1;
	type = rb_get16(a->wire + at);
	rdlen = rb_get16(a->wire + at + 8);
	if (a->len - at - 10 < rdlen)
		return -1;
	if (type != RB_TYPE_OPT) {
		uint32_t ttl = rb_get32(a->wire + at + 4);
		if (a->nttl >= max || at + 4 > 0xffff)
			return -1;
		ttloff[a->nttl++] = (uint16_t)(at + 4);
		if (ttl > 0x7fffffff) /* RFC 2181 8: treat as zero */
			ttl = 0;
		if (a->nttl == 1 || ttl < a->ttl)
			a->ttl = ttl;
	}
	*off = at + 10 + rdlen;
	return type;
}

int
rb_pktans_scan(struct rb_pktans *a, uint8_t *wire, size_t len, uint16_t *ttloff,
    size_t max)
{
	unsigned an, ns, ar;
	size_t off;
	int n;

	memset(a, 0, sizeof *a);
	a->wire = wire;
	a->len = len;
	a->ttloff = ttloff;
	if (len < RB_DNS_HEADER || len > 0xffff || rb_get16(wire + 4) != 1)
		return -1;
	n = rb_dname_wire_len(wire + RB_DNS_HEADER, len - RB_DNS_HEADER);
	if (n < 0 || len - RB_DNS_HEADER - (size_t)n < 4)
		return -1;
	off = a->qend = RB_DNS_HEADER + (size_t)n + 4;
	an = rb_get16(wire + 6);
	ns = rb_get16(wire + 8);
	ar = rb_get16(wire + 10);
	/* A TSIG belongs last in the additional section (RFC 8945 5.1);
	 * anywhere else the message is malformed, and ldns 1.8.3 leaks all
	 * but the last TSIG it reads. */
	for (unsigned i = 0; i < an + ns; i++) {
		int t = scan_rr(a, ttloff, max, &off);
		if (t < 0 || t == RB_TYPE_TSIG)
			return -1;
	}
	a->addl_off = off;
	for (unsigned i = 0; i < ar; i++) {
		size_t start = off;
		int t = scan_rr(a, ttloff, max, &off);
		if (t < 0 || (t == RB_TYPE_TSIG && i != ar - 1U))
			return -1;
		if (t == RB_TYPE_OPT) {
			if (i != ar - 1U || wire[start] != 0)
				return -1;
			off = start;
			ar--;
			rb_put16(wire + 10, (uint16_t)ar);
		}
	}
	a->len = off;
	a->arcount = (uint16_t)ar;
	return 0;
}

static void
put_opt(uint8_t *p, int do_bit)
{
	p[0] = 0;
	rb_put16(p + 1, RB_TYPE_OPT);
	rb_put16(p + 3, RB_DNS_UDP_MAX);
	p[5] = 0;                                     /* extended rcode */
	p[6] = 0;                                     /* version */
	rb_put16(p + 7, do_bit ? RB_DNS_EDNS_DO : 0); /* RFC 3225: echoed */
	rb_put16(p + 9, 0);
}

/* Header flags for client c: QR, RA, its RD and CD, AD when secure and
 * it asked (RFC 6840 5.8: AD or DO set), the answer's rcode. */
static uint16_t
reply_flags(const struct rb_pktans_client *c, int secure, int rcode)
{
	uint16_t f = RB_DNS_QR | RB_DNS_RA |
	    (c->flags & (RB_DNS_RD | RB_DNS_CD)) | (uint16_t)(rcode & 0xf);

	if (secure && ((c->flags & RB_DNS_AD) || c->do_bit))
		f |= RB_DNS_AD;
	return f;
}

size_t
rb_pktans_emit(const struct rb_pktans *a, uint32_t age,
    const struct rb_pktans_client *c, uint8_t *out, size_t size)
{
	size_t opt = c->edns ? OPT_LEN : 0, n;
	uint16_t flags, arcount = a->arcount;

	if (c->limit < size)
		size = c->limit;
	if (a->qend != RB_DNS_HEADER + c->qlen)
		return 0;
	flags = reply_flags(c, a->secure, a->wire[3] & 0xf);
	if (a->len + opt <= size) {
		n = a->len;
	} else if (a->addl_off + opt <= size) {
		n = a->addl_off; /* RFC 2181 9: no TC for a lost additional */
		arcount = 0;
	} else {
		/* No partial RRsets: the client retries over TCP. */
		n = rb_pktans_error(c, a->wire[3] & 0xf, out, size);
		if (n > 0)
			out[2] |= RB_DNS_TC >> 8;
		return n;
	}
	memcpy(out, a->wire, n);
	rb_put16(out, c->id);
	rb_put16(out + 2, flags);
	rb_put16(out + 10, (uint16_t)(arcount + (opt ? 1 : 0)));
	memcpy(out + RB_DNS_HEADER, c->question, c->qlen);
	for (size_t i = 0; i < a->nttl && a->ttloff[i] < n; i++) {
		uint8_t *p = out + a->ttloff[i];
		uint32_t ttl = rb_get32(p);
		rb_put32(p, ttl > age ? ttl - age : 0);
	}
	if (opt)
		put_opt(out + n, c->do_bit);
	return n + opt;
}

size_t
rb_pktans_error(const struct rb_pktans_client *c, int rcode, uint8_t *out,
    size_t size)
{
	size_t opt = c->edns ? OPT_LEN : 0, n = RB_DNS_HEADER + c->qlen;

	if (c->limit < size)
		size = c->limit;
	if (n + opt > size)
		return 0;
	rb_put16(out, c->id);
	rb_put16(out + 2, reply_flags(c, 0, rcode));
	rb_put16(out + 4, 1);
	memset(out + 6, 0, 4);
	rb_put16(out + 10, opt ? 1 : 0);
	memcpy(out + RB_DNS_HEADER, c->question, c->qlen);
	if (opt)
		put_opt(out + n, c->do_bit);
	return n + opt;
}
