/*
 * serve: one query through lib/answer/answer, shared by UDP and TCP.  A batch
 * of queries holds one generation of each cdb file from serve_begin to
 * serve_end, so a re-map between batches never pulls data from under a
 * query.  Logging formats into stack buffers; nothing allocates.
 */

#include <netinet/in.h>

#include <stdio.h>
#include <time.h>

#include "wire/dname.h"
#include "dnsd.h"
#include "base/log.h"

uint64_t
now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1;
}

void
serve_begin(struct dnsd *d, struct rb_answer_ctx *ctx)
{
	account_clock(d);
	ctx->acl = &d->acl;
	ctx->rl = &d->rl;
	ctx->local = rb_cdbmap_acquire(d->local);
	ctx->block = rb_cdbmap_acquire(d->block);
	ctx->zones = rb_cdbmap_acquire(d->zones);
	feeds_acquire(d);
	ctx->feeds = (const struct rb_cdbmap_gen *const *)d->feed_gens;
	ctx->nfeeds = d->nfeeds;
}

void
serve_end(struct dnsd *d, struct rb_answer_ctx *ctx)
{
	rb_cdbmap_release(d->local, (struct rb_cdbmap_gen *)ctx->local);
	rb_cdbmap_release(d->block, (struct rb_cdbmap_gen *)ctx->block);
	rb_cdbmap_release(d->zones, (struct rb_cdbmap_gen *)ctx->zones);
	feeds_release(d);
	ctx->local = ctx->block = NULL;
	ctx->zones = NULL;
	ctx->feeds = NULL;
	ctx->nfeeds = 0;
}

static int
port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

static void
log_query(const struct sockaddr *from, const struct rb_answer_query *q,
    const struct rb_answer_info *info, enum rb_log_level lvl)
{
	char ip[RB_IPADDR_TEXT], name[4 * RB_DNAME_MAX + 2] = "-";
	char zone[sizeof name] = "-";

	if (rb_ipaddr_to_text(&q->client, ip, sizeof ip) < 0)
		snprintf(ip, sizeof ip, "?");
	if (info->qname_len > 0) {
		/* Validated by step 1, and 4 bytes per wire byte always
		 * fit: these cannot fail. */
		(void)rb_dname_to_text(q->pkt + 12, name, sizeof name);
		if (info->inform)
			(void)rb_dname_to_text(q->pkt + 12 + info->zone_off,
			    zone, sizeof zone);
	}
	if (lvl == RB_LOG_INFO)
		rb_info("inform zone=%s client=%s@%d name=%s type=%u", zone, ip,
		    port_of(from), name, info->qtype);
	else
		rb_debug("query client=%s@%d tcp=%d name=%s type=%u step=%d "
		         "rcode=%d",
		    ip, port_of(from), q->tcp, name, info->qtype,
		    (int)info->step, info->rcode);
}

enum rb_answer_verdict
serve_query(struct dnsd *d, const struct rb_answer_ctx *ctx,
    const struct sockaddr *from, const struct rb_answer_query *q,
    struct rb_answer_buf *out, const struct origin *o)
{
	struct rb_answer_info info;
	enum rb_answer_verdict v = RB_ANSWER_SEND;

	/* An IXFR over UDP is answered before the pipeline (xfr.c). */
	if (q->tcp || !xfr_udp(d, ctx, q, out, &info)) {
		v = rb_answer(ctx, q, out, &info);
		if (info.inform)
			log_query(from, q, &info, RB_LOG_INFO);
		/* Step 8 takes what steps 1-6 passed on; it counts and logs
		 * itself.  Without a forward zone out already holds REFUSED. */
		if (v == RB_ANSWER_PASS && d->fwd != NULL)
			return forward_query(d, q, &info, o, out);
	}
	account_query(d, q, &info);
	if (d->verbose)
		log_query(from, q, &info, RB_LOG_DEBUG);
	return v == RB_ANSWER_PASS ? RB_ANSWER_SEND : v;
}
