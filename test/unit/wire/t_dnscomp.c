/*
 * Unit tests for lib/wire/dnscomp through lib/wire/dnswire's record writer:
 * names inside the rdata of NS, CNAME, SOA, PTR and MX are compressed against
 * the question, owner names and earlier rdata; SRV's are not; the reply
 * is read back with ldns, which follows every pointer.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "wire/dname.h"
#include "wire/dnscomp.h"
#include "wire/dnswire.h"

#include "../../tap.h"

static uint8_t qbuf[512];
static struct rb_dnswire_query q;

/* Parse a query for name/type, optionally with an OPT record. */
static void
query(const char *name, ldns_rr_type type, int edns)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK)
		bail("make query");
	if (edns)
		ldns_pkt_set_edns_udp_size(p, 1232);
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK ||
	    len > sizeof qbuf)
		bail("query to wire");
	memcpy(qbuf, wire, len);
	free(wire);
	ldns_pkt_free(p);
	if (rb_dnswire_parse_header(&q, qbuf, len) < 0 ||
	    rb_dnswire_parse_body(&q) < 0)
		bail("parse query");
}

/* rdata value for rb_dnswire_put_rrset: ttl 300, rdlen, rdata. */
static size_t
rrval(uint8_t *v, const uint8_t *rd, size_t n)
{
	memcpy(v, "\0\0\1\x2c", 4);
	v[4] = (uint8_t)(n >> 8);
	v[5] = (uint8_t)n;
	memcpy(v + 6, rd, n);
	return 6 + n;
}

/* A wire name from text. */
static size_t
wname(const char *text, uint8_t *out)
{
	const char *why;
	int n = rb_dname_from_text(text, out, &why);

	if (n < 0)
		bail(why);
	return (size_t)n;
}

static ldns_pkt *
parse(const uint8_t *p, size_t len)
{
	ldns_pkt *r = NULL;

	if (ldns_wire2pkt(&r, p, len) != LDNS_STATUS_OK)
		return NULL;
	return r;
}

/* rdf i of record k of a section, as text, or "" (static buffer). */
static const char *
rdf(ldns_rr_list *l, size_t k, size_t i)
{
	static char s[300];
	char *t;

	s[0] = 0;
	if (l == NULL || k >= ldns_rr_list_rr_count(l) ||
	    i >= ldns_rr_rd_count(ldns_rr_list_rr(l, k)))
		return s;
	t = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, k), i));
	snprintf(s, sizeof s, "%s", t ? t : "");
	free(t);
	return s;
}

static const char *
owner(ldns_rr_list *l, size_t k)
{
	static char s[300];
	char *t;

	s[0] = 0;
	if (l == NULL || k >= ldns_rr_list_rr_count(l))
		return s;
	t = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(l, k)));
	snprintf(s, sizeof s, "%s", t ? t : "");
	free(t);
	return s;
}

/* RDLENGTH of the record whose rdata starts at off. */
static int
rdlen_at(const uint8_t *out, size_t off)
{
	return out[off - 2] << 8 | out[off - 1];
}

/* CNAME against the question, its target as owner, MX, PTR, NS against
 * earlier rdata and owners, SOA in authority. */
static void
test_types(void)
{
	static uint8_t out[1232];
	struct rb_dnswire_out o;
	uint8_t v[600], n[256], own[256], ptr[2];
	size_t vl, nl, ol, len, at;
	ldns_pkt *r;

	query("www.example.com.", LDNS_RR_TYPE_A, 1);
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_ptr(ptr, RB_DNS_HEADER);
	nl = wname("web.example.com", n);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_CNAME, 60, n, nl);
	at = o.last_rdata;
	is_int(rdlen_at(out, at), 6, "CNAME: 'web' and a pointer");
	is_int(out[at + 4] << 8 | out[at + 5], 0xc000 | (RB_DNS_HEADER + 4),
	    "CNAME: pointer to example.com in the question");
	ol = rb_dnswire_owner_at(&o, at, n, nl, own);
	is_int((int)ol, 2, "target's owner: a pointer to the CNAME rdata");
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, own, ol, RB_TYPE_A, 60,
	    (const uint8_t *)"\1\2\3\4", 4);

	nl = wname("mail.example.com", n + 2);
	memcpy(n, "\0\12", 2);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_MX, 60, n,
	    nl + 2);
	is_int(rdlen_at(out, o.last_rdata), 2 + 5 + 2, "MX: compressed");

	/* An owner given whole is compressed too. */
	ol = wname("4.3.2.1.in-addr.arpa", own);
	nl = wname("host.web.example.com", n);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, own, ol, RB_TYPE_PTR, 60, n, nl);
	is_int(rdlen_at(out, o.last_rdata), 7,
	    "PTR: 'host' and a pointer "
	    "into the CNAME rdata");

	vl = rrval(v, n, wname("ns1.example.net", n));
	vl += rrval(v + vl, n, wname("ns2.example.net", n));
	rb_dnswire_put_rrset(&o, RB_SECT_AUTHORITY, ptr, 2, RB_TYPE_NS, v, vl);
	is_int(rdlen_at(out, o.last_rdata), 6,
	    "NS: the second against the first's rdata");

	nl = wname("ns1.example.com", n);
	nl += wname("hostmaster.example.com", n + nl);
	memcpy(n + nl, "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5", 20);
	rb_dnswire_put_rr(&o, RB_SECT_AUTHORITY, ptr + 0, 2, RB_TYPE_SOA, 60, n,
	    nl + 20);
	is_int(rdlen_at(out, o.last_rdata), 6 + 13 + 20,
	    "SOA: both names compressed");
	len = rb_dnswire_finish(&o);
	ok(len > 0 && !(out[2] & 0x02), "reply written, no TC");

	r = parse(out, len);
	ok(r != NULL, "ldns reads the reply");
	if (r == NULL)
		return;
	is_str(rdf(ldns_pkt_answer(r), 0, 0), "web.example.com.", "CNAME");
	is_str(owner(ldns_pkt_answer(r), 1), "web.example.com.", "A owner");
	is_str(rdf(ldns_pkt_answer(r), 1, 0), "1.2.3.4", "A");
	is_str(rdf(ldns_pkt_answer(r), 2, 0), "10", "MX preference");
	is_str(rdf(ldns_pkt_answer(r), 2, 1), "mail.example.com.",
	    "MX exchange");
	is_str(owner(ldns_pkt_answer(r), 3), "4.3.2.1.in-addr.arpa.",
	    "PTR owner");
	is_str(rdf(ldns_pkt_answer(r), 3, 0), "host.web.example.com.", "PTR");
	is_str(rdf(ldns_pkt_authority(r), 0, 0), "ns1.example.net.", "NS 1");
	is_str(rdf(ldns_pkt_authority(r), 1, 0), "ns2.example.net.", "NS 2");
	is_str(rdf(ldns_pkt_authority(r), 2, 0), "ns1.example.com.",
	    "SOA mname");
	is_str(rdf(ldns_pkt_authority(r), 2, 1), "hostmaster.example.com.",
	    "SOA rname");
	is_str(rdf(ldns_pkt_authority(r), 2, 6), "5", "SOA minimum");
	ldns_pkt_free(r);
}

/* Compression keeps case (RFC 4343): a 0x20-mixed question is no
 * pointer target for names stored in another case, which stay as
 * written; the owner of a CNAME's target still points at its rdata. */
static void
test_case(void)
{
	static uint8_t out[512];
	struct rb_dnswire_out o;
	uint8_t n[256], own[256], ptr[2];
	size_t nl, ol, len, at;
	ldns_pkt *r;

	query("www.Example.COM.", LDNS_RR_TYPE_A, 1);
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_ptr(ptr, RB_DNS_HEADER);
	nl = wname("web.example.com", n);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_CNAME, 60, n, nl);
	at = o.last_rdata;
	is_int(rdlen_at(out, at), 17, "case: no pointer into the question");
	ol = rb_dnswire_owner_at(&o, at, n, nl, own);
	is_int((int)ol, 2, "case: the target's owner points at the rdata");
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, own, ol, RB_TYPE_A, 60,
	    (const uint8_t *)"\1\2\3\4", 4);
	len = rb_dnswire_finish(&o);
	r = parse(out, len);
	ok(r != NULL, "case: ldns reads the reply");
	if (r == NULL)
		return;
	is_str(owner(ldns_pkt_answer(r), 0), "www.Example.COM.",
	    "case: the owner echoes the question");
	is_str(rdf(ldns_pkt_answer(r), 0, 0), "web.example.com.",
	    "case: the CNAME target as stored");
	is_str(owner(ldns_pkt_answer(r), 1), "web.example.com.",
	    "case: and its record's owner");
	ldns_pkt_free(r);
}

/* SRV (RFC 2782) may not be compressed; nor may a known type's rdata
 * that does not have its layout. */
static void
test_uncompressed(void)
{
	static uint8_t out[1232];
	struct rb_dnswire_out o;
	uint8_t n[300], ptr[2];
	size_t nl, len;
	ldns_pkt *r;

	query("_sip._tcp.example.com", LDNS_RR_TYPE_SRV, 0);
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_ptr(ptr, RB_DNS_HEADER);
	memcpy(n, "\0\1\0\2\0\3", 6);
	nl = 6 + wname("sip.example.com", n + 6);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, 33, 60, n, nl);
	is_int(rdlen_at(out, o.last_rdata), (int)nl, "SRV: RDLENGTH as given");
	ok(memcmp(out + o.last_rdata, n, nl) == 0, "SRV: target written whole");
	nl = wname("example.com", n);
	n[nl++] = 7; /* a CNAME rdata with a byte too many */
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_CNAME, 60, n, nl);
	ok(rdlen_at(out, o.last_rdata) == (int)nl &&
	        memcmp(out + o.last_rdata, n, nl) == 0,
	    "CNAME rdata without its layout: copied as it is");
	len = rb_dnswire_finish(&o);
	r = parse(out, len);
	is_str(rdf(r ? ldns_pkt_answer(r) : NULL, 0, 3), "sip.example.com.",
	    "ldns reads the SRV target");
	ldns_pkt_free(r);
	ok(!rb_dnscomp_type(33) && !rb_dnscomp_type(35) &&
	        !rb_dnscomp_type(46) && !rb_dnscomp_type(47),
	    "SRV, NAPTR, RRSIG, NSEC: never compressed");
	ok(rb_dnscomp_type(3) && rb_dnscomp_type(4) && rb_dnscomp_type(7) &&
	        rb_dnscomp_type(8) && rb_dnscomp_type(9) && rb_dnscomp_type(14),
	    "MD, MF, MB, MG, MR, MINFO: compressed as RFC 3597 allows");
}

/* Near the 512-byte limit: a record that fits only compressed is
 * written; one that does not fit even compressed gives TC. */
static void
test_limit(void)
{
	static uint8_t out[512];
	struct rb_dnswire_out o;
	uint8_t n[300], ptr[2], txt[256];
	size_t len, room;
	ldns_pkt *r;

	query("a-rather-long-label-for-the-test.example.com", LDNS_RR_TYPE_NS,
	    0);
	memset(txt, 'x', sizeof txt);
	txt[0] = 255;
	rb_dnswire_ptr(ptr, RB_DNS_HEADER);
	for (int fits = 1; fits >= 0; fits--) {
		rb_dnswire_reply(&o, out, sizeof out, &q, 1);
		while (o.size - o.len >= 2 + 10 + 256 + 2 + 10 + 48)
			rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2,
			    RB_TYPE_TXT, 60, txt, 256);
		/* Leave exactly the compressed NS (2 + 10 + 3 + 2) plus
		 * fits - 1 bytes; a private type fills the rest. */
		room = o.size - o.len;
		rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, 65280, 60, txt,
		    room - 12 - (17 + (size_t)fits - 1));
		wname("ns.a-rather-long-label-for-the-test.example.com", n);
		rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_NS, 60, n,
		    49);
		len = rb_dnswire_finish(&o);
		r = parse(out, len);
		if (fits) {
			ok(!o.overflow && len == sizeof out && !(out[2] & 2),
			    "fits only compressed: written, 512 bytes, no TC");
			is_str(rdf(r ? ldns_pkt_answer(r) : NULL,
			           r ? ldns_pkt_ancount(r) - 1u : 0, 0),
			    "ns.a-rather-long-label-for-the-test.example.com.",
			    "and reads back");
		} else {
			ok(o.overflow && (out[2] & 2) && r != NULL &&
			        ldns_pkt_ancount(r) == 0,
			    "a byte short: TC, no records");
		}
		ldns_pkt_free(r);
	}
}

/* Over TCP, names past 0x4000 are never pointed at. */
static void
test_far(void)
{
	static uint8_t out[RB_DNS_TCP_MAX];
	struct rb_dnswire_out o;
	uint8_t n[300], ptr[2], txt[256];
	size_t len, far;
	ldns_pkt *r;
	int ptrs_ok = 1;

	query("example.com", LDNS_RR_TYPE_ANY, 0);
	rb_dnswire_reply(&o, out, sizeof out, &q, 1);
	rb_dnswire_ptr(ptr, RB_DNS_HEADER);
	memset(txt, 'x', sizeof txt);
	txt[0] = 255;
	while (o.len < 0x4000)
		rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_TXT, 60,
		    txt, 256);
	wname("far.away.test", n);
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_CNAME, 60, n, 15);
	far = o.last_rdata;
	rb_dnswire_put_rr(&o, RB_SECT_ANSWER, ptr, 2, RB_TYPE_NS, 60, n, 15);
	is_int(rdlen_at(out, o.last_rdata), 15,
	    "a name past 0x4000 again: written whole");
	ok(far >= 0x4000 && memcmp(out + far, n, 15) == 0, "first one whole");
	len = rb_dnswire_finish(&o);
	for (size_t i = far; i + 1 < len; i++)
		if ((out[i] & 0xc0) == 0xc0 &&
		    ((out[i] & 0x3f) << 8 | out[i + 1]) >= 0x4000)
			ptrs_ok = 0;
	ok(ptrs_ok, "no pointer past 0x4000");
	r = parse(out, len);
	is_str(rdf(r ? ldns_pkt_answer(r) : NULL,
	           r ? ldns_pkt_ancount(r) - 1u : 0, 0),
	    "far.away.test.", "ldns reads it");
	ldns_pkt_free(r);
}

int
main(void)
{
	test_types();
	test_case();
	test_uncompressed();
	test_limit();
	test_far();
	done_testing();
	return exit_status();
}
