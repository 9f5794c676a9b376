#ifndef RB_ANSWER_ANSWER_H
#define RB_ANSWER_ANSWER_H

/*
 * answer: rb-dnsd's pipeline steps 1-7 (DESIGN.md "Answering a query":
 * malformed, access-control, rate limit, transfers, health, blocks, local
 * data, zones) as one function from query bytes, client address and
 * mapped data to reply bytes or a drop.  It touches no socket, no clock
 * and no heap: the caller passes the time and a buffer, so the same code
 * serves UDP, TCP, the unit tests and the fuzzer.  What no step answers
 * goes on to step 8, forwarding (lib/answer/forward), with the query as
 * step 1 parsed it.
 */
#include <stddef.h>
#include <stdint.h>

#include "answer/fwdnames.h"
#include "answer/acl.h"
#include "answer/cdbmap.h"
#include "answer/ratelimit.h"
#include "base/ipaddr.h"
#include "stats/stats.h"
#include "wire/dnswire.h"

/* What the pipeline consults; everything is borrowed. */
struct rb_answer_ctx {
	const struct rb_acl *acl;
	struct rb_ratelimit *rl;           /* NULL: no rate limit */
	const struct rb_cdbmap_gen *local; /* data/local.cdb; NULL: empty */
	const struct rb_cdbmap_gen *block; /* data/block.cdb; NULL: empty */
	/* their deltas (data/local.delta, data/block.delta), read first */
	const struct rb_cdbmap_gen *local_delta, *block_delta;
	/* feeds/<id>.set (lib/feed/nameset, checked when mapped) in precedence
	 * order (doc/feeds.md) */
	const struct rb_cdbmap_gen *const *feeds;
	size_t nfeeds;
	const struct rb_cdbmap_gen *zones; /* data/zones.cdb; NULL: empty */
	/* allow-transfer: who gets an IXFR over UDP answered; NULL: nobody */
	const struct rb_acl *xfr_acl;
	/* the forward zones (NULL: none), which unbound's default local
	 * zones let through (step 6) */
	const struct rb_fwdnames *fwd;
};

struct rb_answer_query {
	const uint8_t *pkt; /* borrowed */
	size_t len;
	struct rb_ipaddr client;
	int tcp;         /* the reply may use 65535 bytes, never TC */
	uint64_t now_ns; /* monotonic, for the rate limit */
};

/* The reply buffer: size bytes at p (RB_DNS_UDP_MAX suffices for UDP,
 * RB_DNS_TCP_MAX for TCP); len is set on return. */
struct rb_answer_buf {
	uint8_t *p;
	size_t size;
	size_t len;
};

enum rb_answer_verdict {
	RB_ANSWER_SEND, /* send buf */
	RB_ANSWER_DROP, /* send nothing */
	/* No step answered: buf holds the REFUSED reply of a server without
	 * recursion.  Step 8 (forwarding) starts from here. */
	RB_ANSWER_PASS,
	/* Step 8 sent the query upstream: the reply comes later
	 * (lib/answer/forward). */
	RB_ANSWER_LATER,
};

/* The step that decided, for logs and counters. */
enum rb_answer_step {
	RB_STEP_WIRE = 1, /* malformed or unsupported */
	RB_STEP_ACL = 2,
	RB_STEP_RATELIMIT = 3,
	RB_STEP_HEALTH = 4,
	RB_STEP_BLOCK = 5,
	RB_STEP_LOCAL = 6,
	RB_STEP_ZONES = 7, /* authoritative zones (lib/answer/authans) */
	RB_STEP_NONE = 8,  /* nothing answered (PASS); step 8 forwards */
	/* AXFR, IXFR and the other meta types, right after the rate limit:
	 * REFUSED, or an IXFR over UDP answered with the zone's SOA */
	RB_STEP_TRANSFER = 9,
};

struct rb_answer_info {
	enum rb_answer_step step;
	int rcode;        /* of the reply; -1 when dropped */
	uint16_t qtype;   /* 0 before the question was parsed */
	size_t qname_len; /* the name is at pkt + 12; 0 when unparsed */
	int inform;       /* an inform* local zone matched: log the client */
	size_t zone_off;  /* that zone's name: qname + zone_off */
	enum rb_log_action action; /* what it counts and logs as */
	/* The query as step 1 parsed it (pkt borrowed from the query),
	 * when qname_len > 0: what step 8 starts from. */
	struct rb_dnswire_query q;
};

/* Run steps 1-7 on query q.  Fills buf and info (both caller-owned).
 * Returns what to do with buf: SEND, DROP or PASS (never LATER). */
enum rb_answer_verdict rb_answer(const struct rb_answer_ctx *ctx,
    const struct rb_answer_query *q, struct rb_answer_buf *buf,
    struct rb_answer_info *info);

#endif
