#ifndef RB_WIRE_DNSWIRE_H
#define RB_WIRE_DNSWIRE_H

/*
 * dnswire: DNS messages on the wire for rb-dnsd's hot path.  Parsing reads
 * a query's header, question and EDNS OPT record, bounds-checked against
 * the packet length; writing builds a reply in a caller's fixed buffer
 * (the question echoed as sent, owner names as compression pointers to
 * it, names inside the rdata of the RFC 3597 section 4 types compressed
 * through lib/wire/dnscomp) with a sticky overflow that turns into TC=1 at the
 * end.  Nothing here allocates.
 */

#include <stddef.h>
#include <stdint.h>

#include "wire/dnscomp.h"

#define RB_DNS_HEADER 12

/* Header flag bits (second 16-bit word). */
#define RB_DNS_QR 0x8000
#define RB_DNS_AA 0x0400
#define RB_DNS_TC 0x0200
#define RB_DNS_RD 0x0100
#define RB_DNS_RA 0x0080
#define RB_DNS_AD 0x0020
#define RB_DNS_CD 0x0010
#define RB_DNS_OPCODE(flags) (((flags) >> 11) & 0xf)

/* The DO bit of an OPT record's flags (RFC 3225). */
#define RB_DNS_EDNS_DO 0x8000

enum rb_dns_rcode {
	RB_RCODE_NOERROR = 0,
	RB_RCODE_FORMERR = 1,
	RB_RCODE_SERVFAIL = 2,
	RB_RCODE_NXDOMAIN = 3,
	RB_RCODE_NOTIMP = 4,
	RB_RCODE_REFUSED = 5,
	RB_RCODE_BADVERS = 16, /* extended: needs an OPT record */
};

enum rb_dns_type {
	RB_TYPE_A = 1,
	RB_TYPE_NS = 2,
	RB_TYPE_CNAME = 5,
	RB_TYPE_SOA = 6,
	RB_TYPE_PTR = 12,
	RB_TYPE_MX = 15,
	RB_TYPE_TXT = 16,
	RB_TYPE_AAAA = 28,
	RB_TYPE_OPT = 41,
	RB_TYPE_TKEY = 249,
	RB_TYPE_TSIG = 250,
	RB_TYPE_IXFR = 251,
	RB_TYPE_AXFR = 252,
	RB_TYPE_MAILB = 253,
	RB_TYPE_MAILA = 254,
	RB_TYPE_ANY = 255,
};

#define RB_CLASS_IN 1

/* Reply size limits: plain UDP, the EDNS size we offer (the DNS flag day
 * 2020 value), and TCP. */
#define RB_DNS_UDP_MIN 512
#define RB_DNS_UDP_MAX 1232
#define RB_DNS_TCP_MAX 65535

/* A parsed query.  pkt is borrowed; offsets index into it. */
struct rb_dnswire_query {
	const uint8_t *pkt;
	size_t len;
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
	size_t qname_len; /* wire length of the name at RB_DNS_HEADER */
	uint16_t qtype, qclass;
	size_t question_end; /* offset just past qclass */
	int nopt;            /* OPT records seen (more than one: FORMERR) */
	uint16_t edns_size;  /* the OPT's UDP payload size */
	uint8_t edns_version;
	uint16_t edns_flags; /* DO and friends */
};

/* Read the 12-byte header of pkt (len bytes, borrowed by q).  Returns 0, or
 * -1 when the packet is shorter than a header. */
int rb_dnswire_parse_header(struct rb_dnswire_query *q, const uint8_t *pkt,
    size_t len);

/* After the header: the question (exactly one, name uncompressed) and
 * every record behind it, noting OPT records.  Returns 0, or -1 when the
 * packet is malformed (FORMERR). */
int rb_dnswire_parse_body(struct rb_dnswire_query *q);

/* Largest reply the client takes over UDP: 512 without EDNS, else its
 * payload size clamped to 512..1232. */
size_t rb_dnswire_udp_size(const struct rb_dnswire_query *q);

/* A reply being written into a caller's buffer. */
struct rb_dnswire_out {
	uint8_t *buf; /* borrowed */
	size_t size;  /* the most this reply may use */
	size_t len;
	size_t qend;       /* end of the echoed question */
	size_t last_rdata; /* offset of the last record's rdata */
	uint16_t count[3]; /* answer, authority, additional */
	int edns;          /* add an OPT record at the end */
	int overflow;      /* sticky: something did not fit */
	uint8_t ext_rcode; /* upper 8 bits of a 12-bit rcode */
	uint16_t do_bit;   /* the query's DO, echoed (RFC 3225) */
	/* Last, so that starting a reply clears only what is above: the
	 * names written so far, for compression. */
	struct rb_dnscomp comp;
};

enum rb_dnswire_section { RB_SECT_ANSWER, RB_SECT_AUTHORITY };

/* Start a reply to q in buf (size bytes, at least RB_DNS_UDP_MIN for a
 * full answer): ID and opcode copied, QR and RA set, RD and CD copied.
 * With with_question the question is echoed as sent; an OPT record is
 * added when the query had exactly one. */
void rb_dnswire_reply(struct rb_dnswire_out *o, uint8_t *buf, size_t size,
    const struct rb_dnswire_query *q, int with_question);

/* Set the (possibly extended) rcode. */
void rb_dnswire_set_rcode(struct rb_dnswire_out *o, int rcode);

/* Set header flag bits (RB_DNS_AA). */
void rb_dnswire_set_flags(struct rb_dnswire_out *o, uint16_t flags);

/* Append one record of class IN to sect (records go in section order).
 * owner is a 2-byte compression pointer (rb_dnswire_ptr) or the root,
 * written as it is, or an uncompressed wire name, written compressed.
 * Names inside the rdata of NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR,
 * MINFO and MX are compressed against the names already in the reply
 * (RFC 3597 section 4), RDLENGTH counting what was written; other rdata
 * is copied as it is.  What does not fit, compressed, sets overflow. */
void rb_dnswire_put_rr(struct rb_dnswire_out *o, enum rb_dnswire_section sect,
    const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen);

/* Append every record of an RRset value (doc/cdb.md: repeated ttl(4)
 * rdlen(2) rdata) under one owner.  Returns the number of records, or -1
 * when the value is malformed (nothing is appended). */
int rb_dnswire_put_rrset(struct rb_dnswire_out *o, enum rb_dnswire_section sect,
    const uint8_t *owner, size_t olen, uint16_t type, const uint8_t *val,
    size_t vlen);

/* A compression pointer to offset off (< 0x4000) in out[2]. */
void rb_dnswire_ptr(uint8_t out[2], size_t off);

/* Owner for records of name (n bytes, valid and uncompressed) that was
 * written at off in the reply (the rdata of a CNAME or NS just put): a
 * 2-byte reference to it in owner when the name there, compressed or not,
 * equals name, else a copy of name.  Returns the owner's length. */
size_t rb_dnswire_owner_at(const struct rb_dnswire_out *o, size_t off,
    const uint8_t *name, size_t n, uint8_t *owner);

/* Finish: write the counts, add the OPT record, and if anything did not
 * fit, drop every record and set TC.  Returns the reply's length. */
size_t rb_dnswire_finish(struct rb_dnswire_out *o);

/* Offset just past the (possibly compressed) name at off in p[0..len),
 * or 0 when it runs past len or has a bad label. */
size_t rb_dnswire_skip_name(const uint8_t *p, size_t len, size_t off);

#endif
