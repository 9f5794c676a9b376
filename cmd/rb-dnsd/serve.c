/*
 * serve: one query through lib/answer/answer, shared by UDP and TCP.  A batch
 * of queries holds one generation of each cdb file from serve_begin to
 * serve_end, so a re-map between batches never pulls data from under a
 * query.  Logging formats into stack buffers; nothing allocates.
 */

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "wire/dname.h"

#include "dnsd.h"

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
	ctx->local_delta = rb_cdbmap_acquire(d->local_delta);
	ctx->block_delta = rb_cdbmap_acquire(d->block_delta);
	ctx->zones = rb_cdbmap_acquire(d->zones);
	ctx->xfr_acl = &d->xfr_acl;
	ctx->fwd = &d->fwd_names;
	feeds_acquire(d);
	ctx->feeds = (const struct rb_cdbmap_gen *const *)d->feed_gens;
	ctx->nfeeds = d->nfeeds;
}

void
serve_end(struct dnsd *d, struct rb_answer_ctx *ctx)
{
	rb_cdbmap_release(d->local, (struct rb_cdbmap_gen *)ctx->local);
	rb_cdbmap_release(d->block, (struct rb_cdbmap_gen *)ctx->block);
	rb_cdbmap_release(d->local_delta,
	    (struct rb_cdbmap_gen *)ctx->local_delta);
	rb_cdbmap_release(d->block_delta,
	    (struct rb_cdbmap_gen *)ctx->block_delta);
	rb_cdbmap_release(d->zones, (struct rb_cdbmap_gen *)ctx->zones);
	feeds_release(d);
	ctx->local = ctx->block = ctx->local_delta = ctx->block_delta = NULL;
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

/* What a reply from upstream needs: the TCP slot, or the UDP peer. */
struct saved {
	int tcp;
	size_t slot;
	uint32_t gen;
	struct udp_dest udp;
};

static size_t
origin_save(const void *from, uint8_t *buf, size_t cap)
{
	const struct origin *o = from;
	struct saved sv;

	memset(&sv, 0, sizeof sv);
	sv.tcp = o->tcp;
	if (o->tcp) {
		sv.slot = o->slot;
		sv.gen = o->gen;
	} else {
		udp_dest_save(&sv.udp, o);
	}
	_Static_assert(sizeof sv <= RB_FORWARD_ORIGIN_MAX, "origin too big");
	memcpy(buf, &sv, sizeof sv < cap ? sizeof sv : cap);
	return sizeof sv;
}

static void
serve_deliver(void *arg, const uint8_t *origin, size_t olen, const uint8_t *pkt,
    size_t len)
{
	struct dnsd *d = arg;
	struct saved sv;

	if (olen != sizeof sv)
		return; /* cannot happen: origin_save wrote it */
	memcpy(&sv, origin, sizeof sv);
	if (sv.tcp) /* len 0 closes: the client waits for a reply */
		tcp_send_later(d, sv.slot, sv.gen, pkt, len);
	else if (len > 0)
		udp_send_later(&sv.udp, pkt, len);
}

static void
serve_account(void *arg, const struct rb_answer_query *q,
    const struct rb_answer_info *info, enum rb_log_action act)
{
	account_forward(arg, q, info, act);
}

int
serve_forward_init(struct dnsd *d)
{
	struct rb_forward_hooks h = { serve_deliver, serve_account, d };

	d->fwd = rb_forward_new(d->dm.base, d->dm.root, d->dm.conf, d->stats,
	    &h);
	return d->fwd == NULL ? -1 : 0;
}

enum rb_answer_verdict
serve_query(struct dnsd *d, const struct rb_answer_ctx *ctx,
    const struct sockaddr *from, const struct rb_answer_query *q,
    struct rb_answer_buf *out, const struct origin *o)
{
	struct rb_forward_origin fo = { origin_save, o };
	struct rb_answer_info info;
	enum rb_answer_verdict v = rb_answer(ctx, q, out, &info);

	if (info.inform)
		log_query(from, q, &info, RB_LOG_INFO);
	/* Step 8 takes what steps 1-7 passed on; out holds REFUSED for a
	 * name it does not forward. */
	if (v == RB_ANSWER_PASS)
		v = rb_forward_query(d->fwd, q, &info, &fo, out);
	if (v == RB_ANSWER_LATER)
		return v; /* counted when the reply comes */
	account_query(d, q, &info);
	if (d->dm.verbose)
		log_query(from, q, &info, RB_LOG_DEBUG);
	return v;
}
