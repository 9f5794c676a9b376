#ifndef RB_ANSWER_REWRITE_H
#define RB_ANSWER_REWRITE_H

/*
 * rewrite: an upstream answer (libunbound's answer_packet) made fit for
 * rb-dnsd's clients and its packet cache (lib/answer/pktans): DNSSEC records
 * dropped unless the client set DO, TTLs held within cache-min-ttl ..
 * cache-max-ttl, the upstream OPT removed, flags reset, and the
 * rebinding check of private-address / private-domain.  ldns parses and
 * compresses; its types stay in rewrite.c.  Runs once per upstream
 * answer, never on a cache hit.
 */

#include <stddef.h>
#include <stdint.h>

#include "answer/pktans.h"

struct rb_conf;
struct rb_rewrite;

enum rb_rewrite_result {
	RB_REWRITE_OK = 0,
	RB_REWRITE_MALFORMED, /* does not parse, or answers another question */
	RB_REWRITE_PRIVATE,   /* a private address for a public name */
	RB_REWRITE_TOOBIG,    /* does not fit the output buffer */
};

/* The rules of config c (borrowed for the call): TTL bounds, private
 * addresses and domains.  NULL with errno on failure (EINVAL for a bad
 * netblock, which the config parser already rejects).  Free with
 * rb_rewrite_free. */
struct rb_rewrite *rb_rewrite_new(const struct rb_conf *c);
void rb_rewrite_free(struct rb_rewrite *rw);

/* What one rewrite is for. */
struct rb_rewrite_req {
	const uint8_t *qname; /* lower-case wire name asked (borrowed) */
	size_t qname_len;
	uint16_t qtype;
	int do_bit; /* keep DNSSEC records */
	int secure; /* validated: AD for clients that ask */
};

/* Rewrite the upstream message up (len bytes, borrowed) for request r
 * into out (size bytes, 65535 suffice) with TTL offsets in ttloff
 * (RB_PKTANS_MAX_TTLS entries), and describe it in a (pointing into out
 * and ttloff).  Returns an rb_rewrite_result. */
enum rb_rewrite_result rb_rewrite(const struct rb_rewrite *rw,
    const struct rb_rewrite_req *r, const uint8_t *up, size_t len, uint8_t *out,
    size_t size, uint16_t *ttloff, struct rb_pktans *a);

/* 1 when the lower-case wire name is at or below a private-domain. */
int rb_rewrite_private_domain(const struct rb_rewrite *rw, const uint8_t *name,
    size_t len);

#endif
