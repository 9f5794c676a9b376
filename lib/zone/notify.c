/*
 * notify: a NOTIFY is a query whose answer section carries the new SOA, a
 * hint the secondary may use (RFC 1996 3.7); its response echoes the
 * question and is matched on ID, opcode and question, since any host can
 * send us a UDP packet.
 */

#include <string.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "wire/dnswire.h"
#include "zone/notify.h"

size_t
rb_notify_query(uint8_t *buf, size_t size, uint16_t id,
    const struct rb_zonedb_rr *soa)
{
	size_t need = RB_DNS_HEADER + soa->olen + 4 + 2 + 10 + soa->rdlen;
	uint8_t *p = buf;

	if (need > size)
		return 0;
	memset(p, 0, RB_DNS_HEADER);
	rb_put16(p, id);
	rb_put16(p + 2, RB_OPCODE_NOTIFY << 11 | RB_DNS_AA);
	rb_put16(p + 4, 1);
	rb_put16(p + 6, 1);
	p += RB_DNS_HEADER;
	memcpy(p, soa->owner, soa->olen);
	p += soa->olen;
	rb_put16(p, RB_TYPE_SOA);
	rb_put16(p + 2, RB_CLASS_IN);
	rb_put16(p + 4, 0xc000 | RB_DNS_HEADER); /* the answer's owner */
	rb_put16(p + 6, RB_TYPE_SOA);
	rb_put16(p + 8, RB_CLASS_IN);
	rb_put16(p + 10, (uint16_t)(soa->ttl >> 16));
	rb_put16(p + 12, (uint16_t)soa->ttl);
	rb_put16(p + 14, soa->rdlen);
	memcpy(p + 16, soa->rdata, soa->rdlen);
	return need;
}

int
rb_notify_response(const uint8_t *pkt, size_t len, uint16_t id,
    const uint8_t *apex, size_t alen)
{
	uint8_t name[RB_DNAME_MAX];
	uint16_t flags;
	int n;

	if (len < RB_DNS_HEADER || rb_get16(pkt) != id)
		return -1;
	flags = rb_get16(pkt + 2);
	if (!(flags & RB_DNS_QR) || RB_DNS_OPCODE(flags) != RB_OPCODE_NOTIFY)
		return -1;
	/* An error response may leave the question out. */
	if (rb_get16(pkt + 4) == 0)
		return (flags & 0xf) != 0 ? flags & 0xf : -1;
	n = rb_dname_wire_len(pkt + RB_DNS_HEADER, len - RB_DNS_HEADER);
	if (n < 0 || (size_t)n != alen || len - RB_DNS_HEADER - (size_t)n < 4 ||
	    rb_get16(pkt + RB_DNS_HEADER + n) != RB_TYPE_SOA)
		return -1;
	memcpy(name, pkt + RB_DNS_HEADER, (size_t)n);
	rb_dname_lower(name);
	if (memcmp(name, apex, alen) != 0)
		return -1;
	return flags & 0xf;
}
