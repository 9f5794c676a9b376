#ifndef RB_ANSWER_PKTANS_H
#define RB_ANSWER_PKTANS_H

/*
 * pktans: a forwarded answer kept in wire form, ready to be sent to any
 * client that asks the same question.  The stored message has ID 0, no
 * OPT record, and the question lower-cased; the offset of every TTL is
 * known, so a reply is a copy plus a few patches (ID, flags, the client's
 * question bytes, TTLs aged, an OPT when the client sent one, truncation
 * for its size).  Nothing here allocates: rb-dnsd's cache hits run it.
 */

#include <stddef.h>
#include <stdint.h>

/* Most TTLs one stored answer may carry; an answer with more is not
 * stored (it is still sent). */
#define RB_PKTANS_MAX_TTLS 512

struct rb_pktans {
	const uint8_t *wire; /* borrowed: header, question, records */
	size_t len;
	const uint16_t *ttloff; /* borrowed: offset of each record's TTL */
	size_t nttl;
	size_t qend;      /* end of the question */
	size_t addl_off;  /* start of the additional section */
	uint16_t arcount; /* records in the additional section */
	uint32_t ttl;     /* smallest TTL; 0 when there is no record */
	int secure;       /* DNSSEC-validated: AD for clients that ask */
};

/* What a reply needs from the client's query. */
struct rb_pktans_client {
	uint16_t id, flags;      /* the query's header flags */
	const uint8_t *question; /* borrowed: name, type, class as sent */
	size_t qlen;
	int edns;     /* the query had an OPT record */
	int do_bit;   /* ... with DO set */
	size_t limit; /* the most bytes the reply may use */
};

/* Find the TTLs and sections of the message wire (len bytes, borrowed by
 * a, ID and flags as they are) and fill a; the offsets go into ttloff
 * (room for max).  An OPT record, which must be the last one, is cut off
 * (len shrinks, ARCOUNT too).  Returns 0, or -1 when the message is
 * malformed, has not exactly one question or more than max TTLs. */
int rb_pktans_scan(struct rb_pktans *a, uint8_t *wire, size_t len,
    uint16_t *ttloff, size_t max);

/* Write the reply to client c from answer a, aged by age seconds, into
 * out (size bytes).  Whole if it fits in min(size, c->limit); else without
 * the additional section; else header, question and OPT with TC set.
 * Returns the reply's length, 0 when not even that fits or a's question
 * differs in length from the client's. */
size_t rb_pktans_emit(const struct rb_pktans *a, uint32_t age,
    const struct rb_pktans_client *c, uint8_t *out, size_t size);

/* An answer with no records: header, the client's question, rcode
 * (SERVFAIL, REFUSED), an OPT when the client sent one.  Returns the
 * length, 0 when it does not fit. */
size_t rb_pktans_error(const struct rb_pktans_client *c, int rcode,
    uint8_t *out, size_t size);

#endif
