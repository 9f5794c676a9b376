#ifndef RB_ANSWER_AUTHANS_H
#define RB_ANSWER_AUTHANS_H

/*
 * authans: rb-dnsd's pipeline step 7, answers from the authoritative
 * zones of data/zones.cdb (doc/cdb.md) as an authoritative-only server
 * gives them: exact data, CNAME chains inside the zone, NODATA and
 * NXDOMAIN with the SOA, RFC 4592 wildcards, referrals with glue, and
 * RFC 8482 minimal ANY.  Nothing allocates.
 */

#include <stddef.h>
#include <stdint.h>

#include "answer/cdbmap.h"
#include "wire/dnswire.h"

/* The additional section, which rb_dnswire_out counts in count[2] but
 * rb_dnswire_finish leaves to its caller: rb_answer adds it to ARCOUNT. */
#define RB_AUTHANS_SECT_ADDITIONAL ((enum rb_dnswire_section)2)

/* One question for step 7; everything is borrowed. */
struct rb_authans {
	const struct rb_cdbmap_gen *zones; /* data/zones.cdb; NULL: empty */
	const uint8_t *name; /* the question's name, lower-cased */
	size_t nlen;
	uint16_t qtype;
	struct rb_dnswire_out *o; /* a reply started with the question */
	int rcode;                /* out: the rcode set in o */
};

/* Answer a from the zones into a->o when the name is at or below a zone
 * apex.  Returns 1 answered, 0 no zone holds the name (o untouched), -1
 * when zones.cdb is corrupt (o is then unusable: send SERVFAIL). */
int rb_authans_answer(struct rb_authans *a);

/* Does a zone hold a->name (a->zones, a->name and a->nlen set)?  1 yes,
 * 0 no, -1 corrupt. */
int rb_authans_holds(struct rb_authans *a);

#endif
