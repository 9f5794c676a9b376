#ifndef RB_ANSWER_FORWARD_H
#define RB_ANSWER_FORWARD_H

/*
 * forward: the pipeline's step 8, the forwarding of names under a
 * forward-zone, with the packet cache (lib/answer/pktcache) in front of
 * libunbound (lib/answer/fwd).  It takes the query as step 1 parsed it
 * (struct rb_answer_info), so nothing is parsed twice.  A cache hit is
 * answered at once; a miss goes upstream and its reply is handed back
 * later through the deliver hook, with what the front end saved of the
 * query's origin (a UDP peer, a TCP connection).  The transports stay the
 * front end's: this file knows no socket of a client.
 *
 * libunbound's results arrive on a descriptor watched on the caller's
 * libevent loop; libevent's and libunbound's types stay in forward.c and
 * fwd.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "answer/answer.h"
#include "conf/conf.h"
#include "stats/stats.h"

struct event_base;
struct rb_forward;

/* The most a front end saves of a query's origin for its late reply. */
#define RB_FORWARD_ORIGIN_MAX 256

/* Where a query came from, for a reply that comes later: save copies
 * what the front end needs into buf (cap bytes) and returns its length;
 * it runs only for a query that goes upstream. */
struct rb_forward_origin {
	size_t (*save)(const void *from, uint8_t *buf, size_t cap);
	const void *from;
};

/* What the front end does with late replies; every pointer borrowed. */
struct rb_forward_hooks {
	/* The reply (len 0: none could be made; a TCP front end closes)
	 * for the origin saved as origin[0..olen). */
	void (*deliver)(void *arg, const uint8_t *origin, size_t olen,
	    const uint8_t *pkt, size_t len);
	/* Count and log a query answered upstream, under act, with q as it
	 * came (its pkt holds header and question only). */
	void (*account)(void *arg, const struct rb_answer_query *q,
	    const struct rb_answer_info *info, enum rb_log_action act);
	void *arg;
};

/* Forwarding for root's config c, on base, counting into stats (borrowed,
 * may be NULL): NULL with errno when memory or libunbound fail (logged).
 * Writes run/unbound.conf (and run/dot.conf for DoT upstreams) for people
 * and for the DoT forwarder. */
struct rb_forward *rb_forward_new(struct event_base *base, const char *root,
    const struct rb_conf *c, struct rb_stats_shm *stats,
    const struct rb_forward_hooks *hooks);

/* Take config c (a reload): zones, rewrite rules, and a new libunbound
 * context when its config changed.  -1 (logged) keeps the running one. */
int rb_forward_apply(struct rb_forward *f, const struct rb_conf *c);

/* Step 8 for a query that steps 1-7 passed on (info from rb_answer, out
 * holding its REFUSED reply): RB_ANSWER_SEND with out filled (a cache
 * hit, REFUSED for a name under no forward-zone or past the in-flight
 * cap, SERVFAIL when upstream cannot be asked) and info->action set, or
 * RB_ANSWER_PASS when the query went upstream: its reply comes through
 * the deliver hook, counted through the account hook. */
enum rb_answer_verdict rb_forward_query(struct rb_forward *f,
    const struct rb_answer_query *q, struct rb_answer_info *info,
    const struct rb_forward_origin *origin, struct rb_answer_buf *out);

/* Once a second: fail the queries older than the timeout (SERVFAIL),
 * free a drained old context. */
void rb_forward_tick(struct rb_forward *f, uint64_t now_ns);

/* Queries upstream now. */
size_t rb_forward_pending(const struct rb_forward *f);

/* Answer every query upstream SERVFAIL and close libunbound. */
void rb_forward_stop(struct rb_forward *f);

/* Free f (after rb_forward_stop); accepts NULL. */
void rb_forward_free(struct rb_forward *f);

#endif
