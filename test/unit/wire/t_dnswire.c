/* Unit tests for lib/wire/dnswire: bounded query parsing and reply writing. */

#include <stdint.h>
#include <string.h>

#include "wire/dnswire.h"

#include "../../tap.h"

/* id 0xabcd, RD, one question "a.b." A IN, optionally an OPT. */
static size_t
query(uint8_t *p, int with_opt)
{
	static const uint8_t q[] = { 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
		0, 0, 1, 'A', 1, 'b', 0, 0, 1, 0, 1 };
	static const uint8_t opt[] = { 0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0,
		0 };

	memcpy(p, q, sizeof q);
	if (!with_opt)
		return sizeof q;
	p[11] = 1;
	memcpy(p + sizeof q, opt, sizeof opt);
	return sizeof q + sizeof opt;
}

static void
test_parse(void)
{
	struct rb_dnswire_query q;
	uint8_t p[128];
	size_t n = query(p, 1);
	int parsed = 0;

	is_int(rb_dnswire_parse_header(&q, p, 11), -1, "11 bytes: no header");
	is_int(rb_dnswire_parse_header(&q, p, n), 0, "header");
	is_int(q.id, 0xabcd, "id");
	is_int(q.qdcount, 1, "qdcount");
	is_int(rb_dnswire_parse_body(&q), 0, "body");
	is_int(q.qname_len, 5, "qname length");
	is_int(q.qtype, 1, "qtype");
	is_int(q.qclass, 1, "qclass");
	is_int(q.question_end, 21, "question end");
	is_int(q.nopt, 1, "one OPT");
	is_int(q.edns_size, 4096, "OPT size");
	is_int(q.edns_flags, 0x8000, "DO flag");
	is_int(rb_dnswire_udp_size(&q), RB_DNS_UDP_MAX, "size clamped to 1232");
	q.edns_size = 100;
	is_int(rb_dnswire_udp_size(&q), 512, "at least 512");
	q.nopt = 0;
	is_int(rb_dnswire_udp_size(&q), 512, "no EDNS: 512");

	for (size_t cut = 12; cut < n; cut++) {
		rb_dnswire_parse_header(&q, p, cut);
		parsed += rb_dnswire_parse_body(&q) == 0;
	}
	is_int(parsed, 0, "every cut packet is malformed");
	p[n - 11] = 1; /* OPT owner not the root */
	rb_dnswire_parse_header(&q, p, n);
	is_int(rb_dnswire_parse_body(&q), -1, "OPT owned by a name: FORMERR");
	n = query(p, 1);
	p[9] = 1; /* the OPT counted in authority */
	p[11] = 0;
	rb_dnswire_parse_header(&q, p, n);
	is_int(rb_dnswire_parse_body(&q), -1, "OPT in authority: FORMERR");
	n = query(p, 0);
	p[12] = 64; /* label type 01 */
	rb_dnswire_parse_header(&q, p, n);
	is_int(rb_dnswire_parse_body(&q), -1, "bad label type: FORMERR");
	n = query(p, 0);
	p[11] = 1; /* a compressed additional record */
	memcpy(p + n, "\xc0\x0c\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 16);
	rb_dnswire_parse_header(&q, p, n + 16);
	is_int(rb_dnswire_parse_body(&q), 0, "compressed record skipped");
	rb_dnswire_parse_header(&q, p, n + 15);
	is_int(rb_dnswire_parse_body(&q), -1, "its rdata cut: FORMERR");
}

static void
test_write(void)
{
	struct rb_dnswire_query q;
	struct rb_dnswire_out o;
	uint8_t p[128], out[600], owner[2];
	const uint8_t a[4] = { 10, 0, 0, 1 };
	size_t n = query(p, 1), len;

	rb_dnswire_parse_header(&q, p, n);
	rb_dnswire_parse_body(&q);
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_set_flags(&o, RB_DNS_AA);
	rb_dnswire_ptr(owner, 12);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, owner, 2, RB_TYPE_A, 60, a, 4);
	len = rb_dnswire_finish(&o);
	is_int(len, 21 + 16 + 11, "header, question, A, OPT");
	is_int(out[2], 0x85, "QR AA RD");
	is_int(out[3], 0x80, "RA, NOERROR");
	ok(memcmp(out + 12, p + 12, 9) == 0, "question as sent (case kept)");
	is_int(out[7], 1, "ANCOUNT 1");
	is_int(out[11], 1, "ARCOUNT 1 (OPT)");
	is_int(out[21], 0xc0, "owner pointer");
	is_int(out[len - 8], 0x04, "OPT offers 1232 (high)");
	is_int(out[len - 7], 0xd0, "OPT offers 1232 (low)");
	is_int(out[len - 4], 0x80, "the query's DO echoed (RFC 3225)");
	q.edns_flags = 0;
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	len = rb_dnswire_finish(&o);
	is_int(out[len - 4], 0, "no DO asked, none sent");
	q.edns_flags = RB_DNS_EDNS_DO;

	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_set_rcode(&o, RB_RCODE_BADVERS);
	len = rb_dnswire_finish(&o);
	is_int(out[3] & 0xf, 0, "BADVERS: low bits 0");
	is_int(out[len - 6], 1, "BADVERS: extended rcode 1 in the OPT");

	rb_dnswire_reply(&o, out, 21 + 11 + 15, &q, 1);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, owner, 2, RB_TYPE_A, 60, a, 4);
	len = rb_dnswire_finish(&o);
	is_int(len, 21 + 11, "overflow: records dropped");
	ok(out[2] & 0x02, "overflow: TC set");
	is_int(out[7], 0, "overflow: ANCOUNT 0");

	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	is_int(rb_dnswire_put_rrset(&o, RB_SECT_ANSWER, owner, 2, RB_TYPE_A,
	           (const uint8_t *)"\0\0\0\1\0\4\1\2\3", 9),
	    -1, "rrset: cut value refused");
	is_int(rb_dnswire_put_rrset(&o, RB_SECT_ANSWER, owner, 2, RB_TYPE_A,
	           (const uint8_t *)"\0\0\0\1\0\4\1\2\3\4\0\0\0\2\0\4\5\6\7\10",
	           20),
	    2, "rrset: two records");
	len = rb_dnswire_finish(&o);
	is_int(out[7], 2, "rrset: ANCOUNT 2");
	is_int(len, 21 + 2 * 16 + 11, "rrset: length");

	q.nopt = 0;
	rb_dnswire_reply(&o, out, 11, &q, 1);
	is_int(rb_dnswire_finish(&o), 0, "no room for a header: 0");
}

int
main(void)
{
	test_parse();
	test_write();
	done_testing();
	return exit_status();
}
