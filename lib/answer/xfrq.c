/*
 * xfrq: transfer queries.  dnswire checks the header, the question and the
 * shape of every record; here the records of the answer and authority
 * sections are walked again to find an IXFR's SOA, whose names may be
 * compressed (dig points its owner at the question).  allow-transfer is
 * an access list whose only action is allow: an address no netblock holds
 * is refused, so an empty list refuses everyone.
 */

#include <string.h>

#include "answer/xfrq.h"
#include "base/bytes.h"
#include "wire/dname.h"

/* The serial of the SOA rdata at off..end of pkt; -1 when malformed. */
static int
soa_serial(const struct rb_xfrq *q, size_t off, size_t end, uint32_t *s)
{
	const uint8_t *p = q->wq.pkt;

	off = rb_dnswire_skip_name(p, end, off);
	if (off != 0)
		off = rb_dnswire_skip_name(p, end, off);
	if (off == 0 || end - off != 20)
		return -1;
	*s = rb_get32(p + off);
	return 0;
}

/* Find the first SOA of the authority section (after ancount answers). */
static int
find_serial(struct rb_xfrq *q)
{
	const uint8_t *p = q->wq.pkt;
	size_t off = q->wq.question_end, len = q->wq.len;
	unsigned n = (unsigned)q->wq.ancount + q->wq.nscount;

	for (unsigned i = 0; i < n; i++) {
		size_t rd;
		/* parse_body checked every record: these cannot fail. */
		off = rb_dnswire_skip_name(p, len, off);
		if (off == 0 || len - off < 10)
			return -1;
		rd = rb_get16(p + off + 8);
		if (len - off - 10 < rd)
			return -1;
		if (i >= q->wq.ancount && rb_get16(p + off) == RB_TYPE_SOA) {
			if (soa_serial(q, off + 10, off + 10 + rd, &q->serial) <
			    0)
				return -1;
			q->has_serial = 1;
			return 0;
		}
		off += 10 + rd;
	}
	return 0;
}

int
rb_xfrq_parse(struct rb_xfrq *q, const uint8_t *pkt, size_t len)
{
	memset(q, 0, sizeof *q);
	if (rb_dnswire_parse_header(&q->wq, pkt, len) < 0 ||
	    (q->wq.flags & RB_DNS_QR) || rb_dnswire_parse_body(&q->wq) < 0)
		return -1;
	q->question = pkt + RB_DNS_HEADER;
	q->qlen = q->wq.question_end - RB_DNS_HEADER;
	q->zlen = q->wq.qname_len;
	memcpy(q->zone, q->question, q->zlen);
	rb_dname_lower(q->zone);
	return find_serial(q);
}

int
rb_xfrq_is_transfer(const struct rb_xfrq *q)
{
	return RB_DNS_OPCODE(q->wq.flags) == 0 && q->wq.qclass == RB_CLASS_IN &&
	    (q->wq.qtype == RB_TYPE_AXFR || q->wq.qtype == RB_TYPE_IXFR);
}

int
rb_xfrq_acl(struct rb_acl *acl, const struct rb_conf *c, struct rb_diag *d)
{
	for (size_t i = 0; i < c->nallow_transfer; i++) {
		if (rb_acl_add(acl, c->allow_transfer[i], "allow", d) < 0)
			return -1;
	}
	return 0;
}

int
rb_xfrq_allowed(const struct rb_acl *acl, const struct rb_ipaddr *a)
{
	return rb_acl_lookup(acl, a) == RB_ACL_ALLOW;
}

size_t
rb_xfrq_udp_reply(const struct rb_xfrq *q, const struct rb_cdbmap_gen *zones,
    uint8_t *buf, size_t size, int *rcode)
{
	uint8_t key[1 + sizeof q->zone], owner[2];
	struct rb_dnswire_out o;
	const uint8_t *v;
	size_t vlen;
	int r;

	key[0] = 'Z';
	memcpy(key + 1, q->zone, q->zlen);
	r = rb_cdbmap_find(zones, key, 1 + q->zlen, &v, &vlen);
	if (r < 0 || (r > 0 && (vlen < 6 || vlen - 6 != rb_get16(v + 4))))
		return 0;
	rb_dnswire_reply(&o, buf, size, &q->wq, 1);
	*rcode = r > 0 ? RB_RCODE_NOERROR : RB_RCODE_NOTAUTH;
	rb_dnswire_set_rcode(&o, *rcode);
	if (r > 0) {
		rb_dnswire_set_flags(&o, RB_DNS_AA);
		rb_dnswire_ptr(owner, RB_DNS_HEADER);
		rb_dnswire_put_rr(&o, RB_SECT_ANSWER, owner, sizeof owner,
		    RB_TYPE_SOA, rb_get32(v), v + 6, rb_get16(v + 4));
	}
	return rb_dnswire_finish(&o);
}
