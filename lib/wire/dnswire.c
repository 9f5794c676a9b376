/*
 * dnswire: bounded DNS message parsing and reply writing.
 *
 * Parsing never reads past q->len: every field read is preceded by a
 * length check, names in the question must be uncompressed (nothing before
 * them could be pointed at), and names of the records behind it are
 * skipped label by label up to their end or a compression pointer.  Each
 * record consumes at least 11 bytes, so walking any counts terminates.
 *
 * Writing keeps room for the OPT record from the start, so adding it at
 * the end never fails; anything else that does not fit sets a sticky
 * overflow, and rb_dnswire_finish then sends header and question with
 * TC=1 (RFC 2181 section 9: no partial RRsets; the client retries over
 * TCP).  Each piece of a record is checked against the room left as it
 * is written, compressed: a record that fits only compressed is written.
 */

#include <stddef.h>
#include <string.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#define OPT_LEN 11

int
rb_dnswire_parse_header(struct rb_dnswire_query *q, const uint8_t *pkt,
    size_t len)
{
	memset(q, 0, sizeof *q);
	q->pkt = pkt;
	q->len = len;
	if (len < RB_DNS_HEADER)
		return -1;
	q->id = rb_get16(pkt);
	q->flags = rb_get16(pkt + 2);
	q->qdcount = rb_get16(pkt + 4);
	q->ancount = rb_get16(pkt + 6);
	q->nscount = rb_get16(pkt + 8);
	q->arcount = rb_get16(pkt + 10);
	return 0;
}

size_t
rb_dnswire_skip_name(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = p[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l > 63)
			return 0;
		off += (size_t)l + 1;
	}
	return 0;
}

/* One record at *off: note an OPT (only legal in the additional section),
 * then step past it.  Returns 0 or -1. */
static int
skip_rr(struct rb_dnswire_query *q, size_t *off, int additional)
{
	size_t name = *off, rdlen;
	size_t at = rb_dnswire_skip_name(q->pkt, q->len, *off);
	uint16_t type;

	if (at == 0 || q->len - at < 10)
		return -1;
	type = rb_get16(q->pkt + at);
	rdlen = rb_get16(q->pkt + at + 8);
	if (q->len - at - 10 < rdlen)
		return -1;
	if (type == RB_TYPE_OPT) {
		/* RFC 6891 6.1.1: owner is the root, additional only. */
		if (!additional || q->pkt[name] != 0)
			return -1;
		if (++q->nopt == 1) {
			q->edns_size = rb_get16(q->pkt + at + 2);
			q->edns_version = q->pkt[at + 5];
			q->edns_flags = rb_get16(q->pkt + at + 6);
		}
	}
	*off = at + 10 + rdlen;
	return 0;
}

int
rb_dnswire_parse_body(struct rb_dnswire_query *q)
{
	size_t off = RB_DNS_HEADER;
	int n;

	if (q->qdcount != 1)
		return -1;
	n = rb_dname_wire_len(q->pkt + off, q->len - off);
	if (n < 0 || q->len - off - (size_t)n < 4)
		return -1;
	q->qname_len = (size_t)n;
	off += (size_t)n;
	q->qtype = rb_get16(q->pkt + off);
	q->qclass = rb_get16(q->pkt + off + 2);
	off += 4;
	q->question_end = off;
	for (unsigned i = 0; i < (unsigned)q->ancount + q->nscount; i++) {
		if (skip_rr(q, &off, 0) < 0)
			return -1;
	}
	for (unsigned i = 0; i < q->arcount; i++) {
		if (skip_rr(q, &off, 1) < 0)
			return -1;
	}
	return 0;
}

size_t
rb_dnswire_udp_size(const struct rb_dnswire_query *q)
{
	if (q->nopt == 0 || q->edns_size <= RB_DNS_UDP_MIN)
		return RB_DNS_UDP_MIN;
	return q->edns_size < RB_DNS_UDP_MAX ? q->edns_size : RB_DNS_UDP_MAX;
}

void
rb_dnswire_reply(struct rb_dnswire_out *o, uint8_t *buf, size_t size,
    const struct rb_dnswire_query *q, int with_question)
{
	size_t qlen = with_question ? q->question_end - RB_DNS_HEADER : 0;

	memset(o, 0, offsetof(struct rb_dnswire_out, comp));
	rb_dnscomp_init(&o->comp);
	o->buf = buf;
	o->size = size;
	o->edns = q->nopt == 1;
	o->do_bit = o->edns ? (q->edns_flags & RB_DNS_EDNS_DO) : 0;
	if (size < RB_DNS_HEADER + (o->edns ? OPT_LEN : 0)) {
		o->overflow = 1; /* not even a header: finish returns 0 */
		return;
	}
	if (o->edns)
		o->size -= OPT_LEN; /* kept for the OPT record */
	rb_put16(buf, q->id);
	rb_put16(buf + 2,
	    (uint16_t)(RB_DNS_QR | RB_DNS_RA |
	        (q->flags & (0x7800 | RB_DNS_RD | RB_DNS_CD))));
	memset(buf + 4, 0, 8);
	o->len = RB_DNS_HEADER;
	if (qlen > 0 && qlen <= o->size - o->len) {
		memcpy(buf + o->len, q->pkt + RB_DNS_HEADER, qlen);
		rb_dnscomp_add(&o->comp, RB_DNS_HEADER, buf + RB_DNS_HEADER,
		    qlen);
		rb_put16(buf + 4, 1);
		o->len += qlen;
	} else if (qlen > 0) {
		o->overflow = 1;
	}
	o->qend = o->len;
}

void
rb_dnswire_set_rcode(struct rb_dnswire_out *o, int rcode)
{
	if (o->len < RB_DNS_HEADER)
		return;
	o->buf[3] = (uint8_t)((o->buf[3] & 0xf0) | (rcode & 0xf));
	o->ext_rcode = (uint8_t)(rcode >> 4);
}

void
rb_dnswire_set_flags(struct rb_dnswire_out *o, uint16_t flags)
{
	if (o->len < RB_DNS_HEADER)
		return;
	rb_put16(o->buf + 2, (uint16_t)(rb_get16(o->buf + 2) | flags));
}

void
rb_dnswire_ptr(uint8_t out[2], size_t off)
{
	rb_put16(out, (uint16_t)(0xc000 | (off & 0x3fff)));
}

size_t
rb_dnswire_owner_at(const struct rb_dnswire_out *o, size_t off,
    const uint8_t *name, size_t n, uint8_t *owner)
{
	if (!o->overflow && n > 2 && off < o->len &&
	    rb_dnscomp_equal(o->buf, o->len, off, name)) {
		if ((o->buf[off] & 0xc0) == 0xc0) {
			memcpy(owner, o->buf + off, 2); /* a pointer itself */
			return 2;
		}
		if (off < 0x4000) {
			rb_dnswire_ptr(owner, off);
			return 2;
		}
	}
	memcpy(owner, name, n);
	return n;
}

/* The owner at *len: a pointer or the root as given, a name compressed.
 * 0 or -1 when it does not fit. */
static int
put_owner(struct rb_dnswire_out *o, size_t *len, const uint8_t *owner,
    size_t olen)
{
	if (olen > 2 && rb_dname_wire_len(owner, olen) == (int)olen)
		return rb_dnscomp_name(&o->comp, o->buf, o->size, len, owner);
	if (olen > o->size - *len)
		return -1;
	memcpy(o->buf + *len, owner, olen);
	*len += olen;
	return 0;
}

void
rb_dnswire_put_rr(struct rb_dnswire_out *o, enum rb_dnswire_section sect,
    const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	size_t len = o->len, rdstart;
	uint8_t *p;

	if (o->overflow || rdlen > 0xffff ||
	    put_owner(o, &len, owner, olen) < 0 || o->size - len < 10) {
		o->overflow = 1;
		return;
	}
	p = o->buf + len;
	rdstart = len + 10;
	len = rdstart;
	if (rb_dnscomp_rdata(&o->comp, o->buf, o->size, &len, type, rdata,
	        rdlen) < 0) {
		o->overflow = 1;
		return;
	}
	rb_put16(p, type);
	rb_put16(p + 2, RB_CLASS_IN);
	rb_put32(p + 4, ttl);
	rb_put16(p + 8, (uint16_t)(len - rdstart));
	o->last_rdata = rdstart;
	o->len = len;
	o->count[sect]++;
}

int
rb_dnswire_put_rrset(struct rb_dnswire_out *o, enum rb_dnswire_section sect,
    const uint8_t *owner, size_t olen, uint16_t type, const uint8_t *val,
    size_t vlen)
{
	size_t off;
	int n = 0;

	/* Check the whole value first: a bad one adds nothing. */
	for (off = 0; off < vlen; n++) {
		if (vlen - off < 6)
			return -1;
		off += 6 + rb_get16(val + off + 4);
		if (off > vlen)
			return -1;
	}
	for (off = 0; off < vlen;) {
		size_t rdlen = rb_get16(val + off + 4);
		uint32_t ttl = (uint32_t)rb_get16(val + off) << 16 |
		    rb_get16(val + off + 2);
		rb_dnswire_put_rr(o, sect, owner, olen, type, ttl,
		    val + off + 6, rdlen);
		off += 6 + rdlen;
	}
	return n;
}

size_t
rb_dnswire_finish(struct rb_dnswire_out *o)
{
	uint8_t *p;

	if (o->len < RB_DNS_HEADER)
		return 0;
	if (o->overflow) {
		o->len = o->qend;
		memset(o->count, 0, sizeof o->count);
		rb_dnswire_set_flags(o, RB_DNS_TC);
	}
	rb_put16(o->buf + 6, o->count[RB_SECT_ANSWER]);
	rb_put16(o->buf + 8, o->count[RB_SECT_AUTHORITY]);
	rb_put16(o->buf + 10, 0);
	if (o->edns) {
		/* size excluded OPT_LEN since rb_dnswire_reply. */
		p = o->buf + o->len;
		p[0] = 0;
		rb_put16(p + 1, RB_TYPE_OPT);
		rb_put16(p + 3, RB_DNS_UDP_MAX);
		p[5] = o->ext_rcode;
		p[6] = 0; /* version 0 */
		rb_put16(p + 7, o->do_bit);
		rb_put16(p + 9, 0);
		o->len += OPT_LEN;
		rb_put16(o->buf + 10, 1);
	}
	return o->len;
}
