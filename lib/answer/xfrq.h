#ifndef RB_ANSWER_XFRQ_H
#define RB_ANSWER_XFRQ_H

/*
 * xfrq: zone transfer queries (AXFR, RFC 5936; IXFR, RFC 1995) as they
 * arrive from the network: parsing one (the zone, and for IXFR the
 * client's serial from the SOA in the authority section), who may ask
 * (allow-transfer), and the one-SOA reply to an IXFR over UDP (RFC 1995
 * section 2).  Every read of the packet is bounds-checked; nothing here
 * allocates except building the allow-transfer list.
 */

#include <stddef.h>
#include <stdint.h>

#include "answer/acl.h"
#include "answer/cdbmap.h"
#include "base/diag.h"
#include "conf/conf.h"
#include "wire/dnswire.h"

#define RB_RCODE_NOTAUTH 9 /* RFC 2136: not authoritative for the zone */

struct rb_xfrq {
	struct rb_dnswire_query wq; /* header and question; pkt borrowed */
	const uint8_t *question;    /* name, type, class as sent */
	size_t qlen;
	uint8_t zone[255]; /* the question's name, lower-cased */
	size_t zlen;
	int has_serial;  /* IXFR: an authority SOA was found */
	uint32_t serial; /* its serial */
};

/* Parse pkt (len bytes, borrowed by q): a query (QR clear) with one
 * uncompressed question and well-formed records.  Returns 0, or -1 when
 * it is not (FORMERR; an answer is not answered at all).  Whether it asks
 * for a transfer is rb_xfrq_is_transfer's call. */
int rb_xfrq_parse(struct rb_xfrq *q, const uint8_t *pkt, size_t len);

/* Is q (parsed) a standard query of class IN for AXFR or IXFR? */
int rb_xfrq_is_transfer(const struct rb_xfrq *q);

/* Build the allow-transfer list of c into acl (initialised, caller
 * finishes it with rb_acl_fini).  Returns 0 or -1 with d's message. */
int rb_xfrq_acl(struct rb_acl *acl, const struct rb_conf *c, struct rb_diag *d);

/* May client a transfer zones?  Only when a netblock of acl holds it. */
int rb_xfrq_allowed(const struct rb_acl *acl, const struct rb_ipaddr *a);

/* The reply to an IXFR over UDP from zones (NULL: no zones) into buf
 * (size bytes, at least RB_DNS_UDP_MIN): the zone's current SOA alone,
 * AA, or NOTAUTH when no zone has that apex.  Returns the reply's length,
 * or 0 when zones.cdb is damaged (send SERVFAIL). */
size_t rb_xfrq_udp_reply(const struct rb_xfrq *q,
    const struct rb_cdbmap_gen *zones, uint8_t *buf, size_t size, int *rcode);

#endif
