/*
 * forward: pipeline step 8.  A query that steps 1-6 passed on, for a name
 * under some forward-zone, is looked up in the packet cache
 * (lib/answer/pktcache) and answered from it on a hit, in the hot path and
 * without allocating. On a miss it takes a slot of the pending table (PEND_MAX,
 * fixed; when full the query gets REFUSED, as Runbound's in-flight cap) and
 * goes to libunbound (lib/answer/fwd), which picks the longest matching forward
 * zone itself.  The answer comes back through libunbound's pipe in the epoll
 * loop, is rewritten once (lib/answer/rewrite: DNSSEC records only for DO, TTL
 * bounds, rebinding check), stored in the cache and sent to the client
 * through udp_send_later or tcp_send_later.  Bogus answers become
 * SERVFAIL unless the client set CD; a slot older than the timeout is
 * cancelled and answered SERVFAIL.
 *
 * libunbound's config is generated (lib/answer/fwdconf) and handed over through
 * a memfd, so a reload works after privileges are dropped; a copy goes to
 * run/unbound.conf for people, and run/dot.conf feeds the DoT forwarder.
 * A reload that changes the config starts a new context; the old one
 * drains its pending queries (at most the timeout) and is then freed,
 * since ub_ctx_delete drops them without a word.
 */

#include <sys/mman.h>
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "answer/forward.h"
#include "answer/fwd.h"
#include "answer/fwdconf.h"
#include "answer/pktcache.h"
#include "answer/rewrite.h"
#include "base/log.h"
#include "base/path.h"
#include "sys/atomic.h"
#include "sys/root.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#define PEND_MAX 4096
#define CACHE_ENTRIES 65536
#define ARENA_PER_ENTRY 512 /* bytes of answers per entry, on average */
#define TIMEOUT_S 5

/* One libunbound context and the queries it has in flight. */
struct uctx {
	struct rb_forward *f;
	struct event *ev; /* its result pipe; NULL when unused */
	struct rb_fwd *ub;
	size_t pending;
};

struct pend {
	struct rb_fwd_req req; /* first: libunbound's pointer is the slot */
	struct rb_forward *f;
	struct uctx *x; /* where it was sent; NULL: free slot */
	int tcp;
	uint64_t start_ns;
	struct rb_ipaddr client;
	struct rb_pktans_client c; /* c.question points into pkt */
	uint16_t qtype;
	size_t qname_len, klen, pktlen, olen;
	uint8_t key[RB_PKTCACHE_KEY_MAX];
	uint8_t pkt[RB_DNS_HEADER + RB_DNAME_MAX + 4]; /* header, question */
	uint8_t origin[RB_FORWARD_ORIGIN_MAX];
};

struct rb_forward {
	struct event_base *base;
	char root[RB_PATH_MAX];
	struct rb_stats_shm *stats;
	struct rb_forward_hooks hooks;
	struct uctx ux[2]; /* the current one, and one draining */
	int cur;
	struct rb_rewrite *rw;
	struct rb_pktcache *cache;
	int validation;
	char *conftext; /* run/unbound.conf as in use */
	char *rules;    /* private-address and -domain lines as in use */
	size_t nzones;
	uint8_t (*zones)[RB_DNAME_MAX];
	size_t *zlen;
	struct pend *pend;
	size_t *freel, nfree;
	uint64_t timeout_ns;
	uint8_t out[RB_DNS_TCP_MAX];
	uint16_t ttloff[RB_PKTANS_MAX_TTLS];
	uint8_t reply[RB_DNS_TCP_MAX];
};

static long
env_num(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtol(s, &end, 10);
	return *end == '\0' && v > 0 ? v : def;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1;
}

/* 1 when the lower-case wire name is at or under a forward zone. */
static int
covered(const struct rb_forward *f, const uint8_t *name, size_t len)
{
	for (size_t off = 0; off < len; off += (size_t)name[off] + 1) {
		for (size_t i = 0; i < f->nzones; i++) {
			if (f->zlen[i] == len - off &&
			    memcmp(f->zones[i], name + off, len - off) == 0)
				return 1;
		}
		if (name[off] == 0)
			break;
	}
	return 0;
}

static void
client_of(const struct rb_dnswire_query *q, int tcp, struct rb_pktans_client *c)
{
	c->id = q->id;
	c->flags = q->flags;
	c->question = q->pkt + RB_DNS_HEADER;
	c->qlen = q->question_end - RB_DNS_HEADER;
	c->edns = q->nopt == 1;
	c->do_bit = c->edns && (q->edns_flags & RB_DNS_EDNS_DO);
	c->limit = tcp ? RB_DNS_TCP_MAX : rb_dnswire_udp_size(q);
}

static void
log_answer(const uint8_t *name, uint16_t qtype, int rcode, const char *how)
{
	char txt[4 * RB_DNAME_MAX + 2];

	if (rb_dname_to_text(name, txt, sizeof txt) < 0)
		snprintf(txt, sizeof txt, "?");
	rb_debug("forward name=%s type=%u rcode=%d from=%s", txt, qtype, rcode,
	    how);
}

/* A cache hit written into out; 0 on a miss. */
static int
from_cache(struct rb_forward *f, const struct rb_answer_query *q,
    const uint8_t *key, size_t klen, const struct rb_pktans_client *c,
    struct rb_answer_buf *out, int *rcode)
{
	struct rb_pktans a;
	uint32_t age;

	rb_stats_add(f->stats, RB_STAT_CACHE_LOOKUPS, 1);
	if (!rb_pktcache_get(f->cache, key, klen,
	        (int64_t)(q->now_ns / 1000000000u), &a, &age))
		return 0;
	rb_stats_add(f->stats, RB_STAT_CACHED, 1);
	*rcode = a.wire[3] & 0xf;
	out->len = rb_pktans_emit(&a, age, c, out->p, out->size);
	if (out->len == 0) {
		*rcode = RB_RCODE_SERVFAIL;
		out->len = rb_pktans_error(c, *rcode, out->p, out->size);
	}
	return 1;
}

static void
release(struct rb_forward *f, struct pend *p)
{
	p->x->pending--;
	p->x = NULL;
	f->freel[f->nfree++] = (size_t)(p - f->pend);
}

/* Send upstream: 0, or -1 with the slot given back. */
static int
start(struct rb_forward *f, const struct rb_answer_query *q,
    const struct rb_dnswire_query *wq, const struct rb_forward_origin *o,
    struct pend *p)
{
	char name[4 * RB_DNAME_MAX + 2];

	p->f = f;
	p->x = &f->ux[f->cur];
	p->x->pending++;
	p->tcp = q->tcp;
	p->olen = o->save(o->from, p->origin, sizeof p->origin);
	p->start_ns = q->now_ns;
	p->client = q->client;
	p->pktlen = wq->question_end;
	memcpy(p->pkt, q->pkt, p->pktlen);
	client_of(wq, q->tcp, &p->c);
	p->c.question = p->pkt + RB_DNS_HEADER;
	p->qtype = wq->qtype;
	p->qname_len = wq->qname_len;
	if (rb_dname_to_text(p->key, name, sizeof name) < 0 ||
	    rb_fwd_resolve(p->x->ub, name, p->qtype, &p->req) < 0) {
		release(f, p);
		return -1;
	}
	rb_stats_add(f->stats, RB_STAT_FORWARDED, 1);
	return 0;
}

enum rb_answer_verdict
rb_forward_query(struct rb_forward *f, const struct rb_answer_query *q,
    struct rb_answer_info *info, const struct rb_forward_origin *origin,
    struct rb_answer_buf *out)
{
	const struct rb_dnswire_query *wq = &info->q;
	struct rb_pktans_client c;
	uint8_t key[RB_PKTCACHE_KEY_MAX];
	size_t klen;
	struct pend *p;

	if (f->nzones == 0 || f->ux[f->cur].ub == NULL || info->qname_len == 0)
		return RB_ANSWER_SEND; /* out holds REFUSED */
	client_of(wq, q->tcp, &c);
	klen = rb_pktcache_key(key, q->pkt + RB_DNS_HEADER, wq->qname_len,
	    wq->qtype, wq->qclass,
	    (c.do_bit ? RB_PKTCACHE_DO : 0) |
	        ((wq->flags & RB_DNS_CD) ? RB_PKTCACHE_CD : 0));
	if (!covered(f, key, wq->qname_len))
		return RB_ANSWER_SEND;
	if (from_cache(f, q, key, klen, &c, out, &info->rcode)) {
		info->action = info->rcode == RB_RCODE_SERVFAIL ?
		    RB_ACT_SERVFAIL :
		    RB_ACT_CACHED;
		log_answer(key, wq->qtype, info->rcode, "cache");
		return RB_ANSWER_SEND;
	}
	if (f->nfree == 0)
		return RB_ANSWER_SEND; /* REFUSED: the in-flight cap */
	p = &f->pend[f->freel[--f->nfree]];
	memcpy(p->key, key, klen);
	p->klen = klen;
	if (start(f, q, wq, origin, p) == 0)
		return RB_ANSWER_LATER;
	info->rcode = RB_RCODE_SERVFAIL;
	info->action = RB_ACT_SERVFAIL;
	out->len = rb_pktans_error(&c, info->rcode, out->p, out->size);
	return RB_ANSWER_SEND;
}

static void
count_dnssec(struct rb_forward *f, const struct rb_fwd_result *r)
{
	rb_stats_add(f->stats,
	    r->bogus      ? RB_STAT_DNSSEC_BOGUS :
	        r->secure ? RB_STAT_DNSSEC_SECURE :
	                    RB_STAT_DNSSEC_INSECURE,
	    1);
}

/* The reply to p from upstream result r, in f->reply; its length (0:
 * none fits) and rcode. */
static size_t
answer(struct rb_forward *f, struct pend *p, const struct rb_fwd_result *r,
    int *rcode)
{
	struct rb_rewrite_req req = { p->key, p->qname_len, p->qtype,
		p->c.do_bit, 0 };
	enum rb_rewrite_result res = RB_REWRITE_MALFORMED;
	struct rb_pktans a;

	*rcode = RB_RCODE_SERVFAIL;
	if (!r->err && f->validation)
		count_dnssec(f, r);
	if (r->err ||
	    (r->bogus && f->validation && !(p->c.flags & RB_DNS_CD))) {
		if (!r->err)
			log_answer(p->key, p->qtype, 2, "bogus");
		goto fail;
	}
	req.secure = f->validation && r->secure && !r->bogus;
	res = rb_rewrite(f->rw, &req, r->pkt, r->len, f->out, sizeof f->out,
	    f->ttloff, &a);
	if (res == RB_REWRITE_PRIVATE) {
		char txt[4 * RB_DNAME_MAX + 2];
		(void)rb_dname_to_text(p->key, txt, sizeof txt);
		rb_info("private address in the answer for name=%s type=%u: "
		        "SERVFAIL",
		    txt, p->qtype);
	}
	if (res != RB_REWRITE_OK)
		goto fail;
	*rcode = a.wire[3] & 0xf;
	if ((*rcode == RB_RCODE_NOERROR || *rcode == RB_RCODE_NXDOMAIN) &&
	    rb_pktcache_put(f->cache, p->key, p->klen, &a,
	        (int64_t)(mono_ns() / 1000000000u)))
		rb_stats_set_cache(f->stats, rb_pktcache_count(f->cache));
	return rb_pktans_emit(&a, 0, &p->c, f->reply, sizeof f->reply);
fail:
	*rcode = RB_RCODE_SERVFAIL;
	return rb_pktans_error(&p->c, *rcode, f->reply, sizeof f->reply);
}

/* Hand f->reply (len bytes) to p's client, count it, free the slot. */
static void
finish(struct rb_forward *f, struct pend *p, size_t len, int rcode)
{
	struct rb_answer_query q = { p->pkt, p->pktlen, p->client, p->tcp,
		p->start_ns };
	struct rb_answer_info info = { .step = RB_STEP_NONE,
		.rcode = rcode,
		.qtype = p->qtype,
		.qname_len = p->qname_len,
		.action = rcode == RB_RCODE_SERVFAIL ? RB_ACT_SERVFAIL :
		                                       RB_ACT_FORWARDED };

	release(f, p); /* first: a delivery may forward the next query */
	if (f->hooks.account != NULL)
		f->hooks.account(f->hooks.arg, &q, &info, info.action);
	log_answer(p->key, p->qtype, rcode, "upstream");
	f->hooks.deliver(f->hooks.arg, p->origin, p->olen, f->reply, len);
}

static void
on_result(struct rb_fwd_req *req, const struct rb_fwd_result *r)
{
	struct pend *p = (struct pend *)req;
	int rcode;
	size_t len = answer(p->f, p, r, &rcode);

	finish(p->f, p, len, rcode);
}

static void
fail_pending(struct rb_forward *f, struct pend *p)
{
	rb_fwd_cancel(p->x->ub, &p->req);
	finish(f, p,
	    rb_pktans_error(&p->c, RB_RCODE_SERVFAIL, f->reply,
	        sizeof f->reply),
	    RB_RCODE_SERVFAIL);
}

static void
free_uctx(struct uctx *x)
{
	if (x->ub == NULL)
		return;
	if (x->ev != NULL)
		event_free(x->ev);
	x->ev = NULL;
	rb_fwd_free(x->ub);
	x->ub = NULL;
}

static void
uctx_event(evutil_socket_t fd, short what, void *arg)
{
	struct uctx *x = arg;
	struct rb_forward *f = x->f;

	if (rb_fwd_process(x->ub) < 0)
		rb_warn("libunbound: unable to read results");
	/* A drained old context goes now, outside its own callbacks. */
	if (x != &f->ux[f->cur] && x->pending == 0)
		free_uctx(x);
}

/* A context from config text, through a memfd: no file to write, so this
 * works after privileges are dropped. */
static int
new_uctx(struct rb_forward *f, struct uctx *x, const char *text)
{
	char path[64], err[512];
	int fd = memfd_create("unbound.conf", MFD_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		rb_error("unable to hand libunbound its config: %s",
		    strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	x->ub = rb_fwd_new(path, err, sizeof err);
	if (x->ub == NULL) {
		rb_error("libunbound: %s", err);
		goto fail;
	}
	(void)close(fd); /* read already; nothing was lost */
	x->f = f;
	x->pending = 0;
	x->ev = event_new(f->base, rb_fwd_fd(x->ub), EV_READ | EV_PERSIST,
	    uctx_event, x);
	if (x->ev == NULL || event_add(x->ev, NULL) < 0) {
		rb_error("unable to watch libunbound: %s", strerror(errno));
		free_uctx(x);
		return -1;
	}
	return 0;
fail:
	if (fd >= 0)
		(void)close(fd);
	return -1;
}

/* The private-address and private-domain lines of c, to tell whether the
 * rewrite rules changed. */
static char *
rules_of(const struct rb_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	fprintf(m, "%ld %ld\n", c->cache_min_ttl, c->cache_max_ttl);
	for (size_t i = 0; i < c->nprivate_addrs; i++)
		fprintf(m, "a %s\n", c->private_addrs[i]);
	for (size_t i = 0; i < c->nprivate_domains; i++)
		fprintf(m, "d %s\n", c->private_domains[i]);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
set_zones(struct rb_forward *f, const struct rb_conf *c)
{
	uint8_t(*z)[RB_DNAME_MAX] = calloc(c->nfwd + 1, sizeof *z);
	size_t *zl = calloc(c->nfwd + 1, sizeof *zl);
	const char *why;

	if (z == NULL || zl == NULL)
		goto fail;
	for (size_t i = 0; i < c->nfwd; i++) {
		int n = rb_dname_from_text(c->fwd[i].name, z[i], &why);
		if (n < 0) {
			rb_error("forward-zone '%s': %s", c->fwd[i].name, why);
			goto fail;
		}
		zl[i] = (size_t)n;
	}
	free(f->zones);
	free(f->zlen);
	f->zones = z;
	f->zlen = zl;
	f->nzones = c->nfwd;
	return 0;
fail:
	free(z);
	free(zl);
	return -1;
}

/* Write a copy of the config for people (run/unbound.conf) and the DoT
 * forwarder's (run/dot.conf); failures only warn. */
static void
write_files(const struct rb_forward *f, const struct rb_conf *c,
    const char *text, int dot_port)
{
	char path[RB_PATH_MAX], *dot;

	rb_path(path, sizeof path, "%s/run/unbound.conf", f->root);
	if (rb_atomic_replace(path, text, strlen(text), 0644) < 0)
		rb_warn("unable to write %s: %s", path, strerror(errno));
	rb_path(path, sizeof path, "%s/run/dot.conf", f->root);
	if (!rb_fwdconf_has_tls(c)) {
		if (unlink(path) < 0 && errno != ENOENT)
			rb_warn("unable to remove %s: %s", path,
			    strerror(errno));
		return;
	}
	if ((dot = rb_fwdconf_dot(c, dot_port)) == NULL ||
	    rb_atomic_replace(path, dot, strlen(dot), 0644) < 0)
		rb_warn("unable to write %s: %s", path, strerror(errno));
	free(dot);
}

/* The old context gives way; one still draining from an earlier reload
 * is failed now. */
static int
switch_uctx(struct rb_forward *f, const char *text)
{
	int next = !f->cur;
	struct uctx *x = &f->ux[next];

	for (size_t i = 0; i < PEND_MAX && x->ub != NULL; i++) {
		if (f->pend[i].x == x)
			fail_pending(f, &f->pend[i]);
	}
	free_uctx(x);
	if (new_uctx(f, x, text) < 0)
		return -1;
	f->cur = next;
	if (f->ux[!next].pending == 0)
		free_uctx(&f->ux[!next]);
	return 0;
}

int
rb_forward_apply(struct rb_forward *f, const struct rb_conf *c)
{
	int dot_port = (int)env_num("RB_DNSD_DOT_PORT", rb_fwdconf_dot_port(c));
	char *text = rb_fwdconf_unbound(c, f->root, dot_port);
	char *rules = rules_of(c);
	struct rb_rewrite *rw = rb_rewrite_new(c);
	int changed = text &&
	    (f->conftext == NULL || strcmp(text, f->conftext) != 0);

	if (text == NULL || rules == NULL || rw == NULL) {
		rb_error("forwarding: %s", strerror(errno));
		goto fail;
	}
	if (c->nfwd > 0 && changed && switch_uctx(f, text) < 0)
		goto fail;
	if (set_zones(f, c) < 0)
		goto fail;
	if (changed || f->rules == NULL || strcmp(rules, f->rules) != 0) {
		rb_pktcache_flush(f->cache);
		rb_stats_set_cache(f->stats, 0);
	}
	if (c->nfwd > 0 && changed)
		write_files(f, c, text, dot_port);
	rb_rewrite_free(f->rw);
	f->rw = rw;
	free(f->conftext);
	f->conftext = text;
	free(f->rules);
	f->rules = rules;
	f->validation = c->dnssec_validation;
	return 0;
fail:
	rb_rewrite_free(rw);
	free(text);
	free(rules);
	return -1;
}

struct rb_forward *
rb_forward_new(struct event_base *base, const char *root,
    const struct rb_conf *c, struct rb_stats_shm *stats,
    const struct rb_forward_hooks *hooks)
{
	struct rb_forward *f = calloc(1, sizeof *f);
	size_t entries = (size_t)env_num("RB_DNSD_CACHE_ENTRIES",
	    CACHE_ENTRIES);
	uint64_t seed = 0;

	if (f == NULL)
		return NULL;
	f->base = base;
	f->stats = stats;
	f->hooks = *hooks;
	if (rb_path(f->root, sizeof f->root, "%s", root) < 0)
		goto fail;
	/* A weak seed only weakens the hash against chosen names. */
	(void)!getrandom(&seed, sizeof seed, GRND_NONBLOCK);
	f->timeout_ns = (uint64_t)env_num("RB_DNSD_FWD_TIMEOUT", TIMEOUT_S) *
	    1000000000u;
	f->pend = calloc(PEND_MAX, sizeof *f->pend);
	f->freel = calloc(PEND_MAX, sizeof *f->freel);
	f->cache = rb_pktcache_new(entries, entries * ARENA_PER_ENTRY, seed);
	if (f->pend == NULL || f->freel == NULL || f->cache == NULL)
		goto fail;
	for (size_t i = 0; i < PEND_MAX; i++) {
		f->pend[i].req.done = on_result;
		f->freel[f->nfree++] = PEND_MAX - 1 - i;
	}
	if (rb_forward_apply(f, c) < 0)
		goto fail;
	if (c->nfwd > 0)
		rb_info("forwarding zones=%zu validation=%s cache_entries=%zu",
		    c->nfwd, c->dnssec_validation ? "yes" : "no", entries);
	return f;
fail:
	rb_forward_free(f);
	return NULL;
}

void
rb_forward_tick(struct rb_forward *f, uint64_t now)
{
	for (size_t i = 0; i < PEND_MAX; i++) {
		struct pend *p = &f->pend[i];
		if (p->x != NULL && now - p->start_ns > f->timeout_ns)
			fail_pending(f, p);
	}
	if (f->ux[!f->cur].pending == 0)
		free_uctx(&f->ux[!f->cur]);
}

size_t
rb_forward_pending(const struct rb_forward *f)
{
	return PEND_MAX - f->nfree;
}

void
rb_forward_stop(struct rb_forward *f)
{
	for (size_t i = 0; i < PEND_MAX; i++) {
		if (f->pend[i].x != NULL)
			fail_pending(f, &f->pend[i]);
	}
	free_uctx(&f->ux[0]);
	free_uctx(&f->ux[1]);
}

void
rb_forward_free(struct rb_forward *f)
{
	if (f == NULL)
		return;
	free_uctx(&f->ux[0]);
	free_uctx(&f->ux[1]);
	rb_pktcache_free(f->cache);
	rb_rewrite_free(f->rw);
	free(f->conftext);
	free(f->rules);
	free(f->zones);
	free(f->zlen);
	free(f->pend);
	free(f->freel);
	free(f);
}
