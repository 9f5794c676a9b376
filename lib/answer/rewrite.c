/*
 * rewrite: one upstream answer through ldns, once, into the stored form of
 * lib/answer/pktans.  ldns decompresses the message, which lets records be
 * dropped without breaking compression pointers, and compresses it again
 * on output.  The result has ID 0, QR and RA set, no AA, AD or TC (set per
 * client when sent), the question in lower case, TTLs within the
 * configured bounds, and no OPT.  Without DO, RRSIG, NSEC and NSEC3 records
 * go (RFC 4035 3.2.1) unless the question asked for that type.  An A or
 * AAAA record whose owner is not under a private-domain and whose address
 * lies in a private-address netblock makes the whole answer a rebinding
 * attempt (RB_REWRITE_PRIVATE), as Runbound and unbound's private-address
 * treat it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "answer/rewrite.h"
#include "base/ipaddr.h"
#include "conf/conf.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

struct net {
	struct rb_ipaddr addr;
	int prefix;
};

struct rb_rewrite {
	uint32_t min_ttl, max_ttl;
	size_t nnets;
	struct net *nets;
	size_t ndomains;
	uint8_t (*domains)[RB_DNAME_MAX];
	size_t *dlen;
};

struct rb_rewrite *
rb_rewrite_new(const struct rb_conf *c)
{
	struct rb_rewrite *rw = calloc(1, sizeof *rw);
	const char *why;

	if (rw == NULL)
		return NULL;
	rw->min_ttl = (uint32_t)c->cache_min_ttl;
	rw->max_ttl = (uint32_t)c->cache_max_ttl;
	rw->nets = calloc(c->nprivate_addrs + 1, sizeof *rw->nets);
	rw->domains = calloc(c->nprivate_domains + 1, sizeof *rw->domains);
	rw->dlen = calloc(c->nprivate_domains + 1, sizeof *rw->dlen);
	if (rw->nets == NULL || rw->domains == NULL || rw->dlen == NULL)
		goto fail;
	for (size_t i = 0; i < c->nprivate_addrs; i++, rw->nnets++) {
		if (rb_ipaddr_parse_net(c->private_addrs[i], &rw->nets[i].addr,
		        &rw->nets[i].prefix) < 0)
			goto fail;
	}
	for (size_t i = 0; i < c->nprivate_domains; i++, rw->ndomains++) {
		int n = rb_dname_from_text(c->private_domains[i],
		    rw->domains[i], &why);
		if (n < 0) {
			errno = EINVAL;
			goto fail;
		}
		rw->dlen[i] = (size_t)n;
	}
	return rw;
fail:
	rb_rewrite_free(rw);
	return NULL;
}

void
rb_rewrite_free(struct rb_rewrite *rw)
{
	if (rw == NULL)
		return;
	free(rw->nets);
	free(rw->domains);
	free(rw->dlen);
	free(rw);
}

int
rb_rewrite_private_domain(const struct rb_rewrite *rw, const uint8_t *name,
    size_t len)
{
	for (size_t off = 0; off < len; off += (size_t)name[off] + 1) {
		for (size_t i = 0; i < rw->ndomains; i++) {
			if (rw->dlen[i] == len - off &&
			    memcmp(rw->domains[i], name + off, len - off) == 0)
				return 1;
		}
		if (name[off] == 0)
			break;
	}
	return 0;
}

/* The owner of rr in lower-case wire form into out; its length or 0. */
static size_t
owner_lower(const ldns_rr *rr, uint8_t *out)
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	size_t n = o ? ldns_rdf_size(o) : 0;

	if (n == 0 || n > RB_DNAME_MAX ||
	    rb_dname_wire_len(ldns_rdf_data(o), n) != (int)n)
		return 0;
	memcpy(out, ldns_rdf_data(o), n);
	rb_dname_lower(out);
	return n;
}

/* 1 when rr is an A or AAAA with an address in a private netblock and an
 * owner outside every private-domain. */
static int
private_rr(const struct rb_rewrite *rw, const ldns_rr *rr)
{
	uint8_t owner[RB_DNAME_MAX];
	const ldns_rdf *d = ldns_rr_rdf(rr, 0);
	struct rb_ipaddr a = { { 0 } };
	size_t n;

	if (rw->nnets == 0 || d == NULL)
		return 0;
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rdf_size(d) == 4) {
		a.b[10] = a.b[11] = 0xff;
		memcpy(a.b + 12, ldns_rdf_data(d), 4);
	} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA &&
	    ldns_rdf_size(d) == 16) {
		memcpy(a.b, ldns_rdf_data(d), 16);
	} else {
		return 0;
	}
	for (size_t i = 0; i < rw->nnets; i++) {
		if (!rb_ipaddr_in_net(&a, &rw->nets[i].addr,
		        rw->nets[i].prefix))
			continue;
		n = owner_lower(rr, owner);
		return n == 0 || !rb_rewrite_private_domain(rw, owner, n);
	}
	return 0;
}

static int
dnssec_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3;
}

/* Keep what the client gets from list l, with TTLs clamped.  Returns the
 * new list (l is consumed) or NULL when out of memory; *priv is set when
 * a record fails the rebinding check. */
static ldns_rr_list *
filter(const struct rb_rewrite *rw, const struct rb_rewrite_req *r,
    ldns_rr_list *l, int answer, int *priv)
{
	ldns_rr_list *n = ldns_rr_list_new();
	size_t cnt = l ? ldns_rr_list_rr_count(l) : 0;

	for (size_t i = 0; i < cnt; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		uint32_t ttl = ldns_rr_ttl(rr);

		if (n == NULL ||
		    (!r->do_bit && dnssec_type(t) &&
		        !(answer && t == r->qtype))) {
			ldns_rr_free(rr);
			continue;
		}
		if (private_rr(rw, rr))
			*priv = 1;
		ttl = ttl < rw->min_ttl ? rw->min_ttl : ttl;
		ldns_rr_set_ttl(rr, ttl > rw->max_ttl ? rw->max_ttl : ttl);
		if (!ldns_rr_list_push_rr(n, rr))
			ldns_rr_free(rr);
	}
	ldns_rr_list_free(l); /* the list alone: its records moved or went */
	return n;
}

/* The message's one question is r's (name compared without case). */
static int
same_question(const ldns_pkt *p, const struct rb_rewrite_req *r)
{
	const ldns_rr_list *q = ldns_pkt_question(p);
	uint8_t name[RB_DNAME_MAX];
	const ldns_rr *rr;

	if (q == NULL || ldns_rr_list_rr_count(q) != 1)
		return 0;
	rr = ldns_rr_list_rr(q, 0);
	return ldns_rr_get_type(rr) == r->qtype &&
	    owner_lower(rr, name) == r->qname_len &&
	    memcmp(name, r->qname, r->qname_len) == 0;
}

/* Filter the three sections of p; -1 when out of memory. */
static int
filter_all(const struct rb_rewrite *rw, const struct rb_rewrite_req *r,
    ldns_pkt *p, int *priv)
{
	ldns_rr_list *an = filter(rw, r, ldns_pkt_answer(p), 1, priv);
	ldns_rr_list *ns = filter(rw, r, ldns_pkt_authority(p), 0, priv);
	ldns_rr_list *ar = filter(rw, r, ldns_pkt_additional(p), 0, priv);

	ldns_pkt_set_answer(p, an);
	ldns_pkt_set_authority(p, ns);
	ldns_pkt_set_additional(p, ar);
	if (an == NULL || ns == NULL || ar == NULL)
		return -1;
	ldns_pkt_set_ancount(p, (uint16_t)ldns_rr_list_rr_count(an));
	ldns_pkt_set_nscount(p, (uint16_t)ldns_rr_list_rr_count(ns));
	ldns_pkt_set_arcount(p, (uint16_t)ldns_rr_list_rr_count(ar));
	return 0;
}

static void
set_header(ldns_pkt *p)
{
	ldns_rr *tsig = ldns_pkt_tsig(p);

	/* A TSIG signs a message between two servers, not ours. */
	if (tsig != NULL) {
		ldns_pkt_set_tsig(p, NULL);
		ldns_rr_free(tsig);
	}
	ldns_pkt_set_id(p, 0);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, false);
	ldns_pkt_set_tc(p, false);
	ldns_pkt_set_rd(p, false);
	ldns_pkt_set_cd(p, false);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_ad(p, false);
}

enum rb_rewrite_result
rb_rewrite(const struct rb_rewrite *rw, const struct rb_rewrite_req *r,
    const uint8_t *up, size_t len, uint8_t *out, size_t size, uint16_t *ttloff,
    struct rb_pktans *a)
{
	enum rb_rewrite_result res = RB_REWRITE_MALFORMED;
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	int priv = 0;

	/* Our own bounded walk first: ldns 1.8.3 leaks a record when
	 * wire2pkt fails in the additional section (two OPTs, say). */
	if (len > size)
		return RB_REWRITE_TOOBIG;
	memcpy(out, up, len);
	if (rb_pktans_scan(a, out, len, ttloff, RB_PKTANS_MAX_TTLS) < 0)
		return RB_REWRITE_MALFORMED;
	if (ldns_wire2pkt(&p, up, len) != LDNS_STATUS_OK ||
	    !same_question(p, r) || filter_all(rw, r, p, &priv) < 0)
		goto fail;
	if (priv) {
		res = RB_REWRITE_PRIVATE;
		goto fail;
	}
	set_header(p);
	if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK)
		goto fail;
	if (wlen > size || wlen < RB_DNS_HEADER + r->qname_len + 4) {
		res = RB_REWRITE_TOOBIG;
		goto fail;
	}
	memcpy(out, wire, wlen);
	if (rb_pktans_scan(a, out, wlen, ttloff, RB_PKTANS_MAX_TTLS) < 0 ||
	    a->qend != RB_DNS_HEADER + r->qname_len + 4) {
		res = RB_REWRITE_TOOBIG; /* too many records to store */
		goto fail;
	}
	memcpy(out + RB_DNS_HEADER, r->qname, r->qname_len);
	a->secure = r->secure;
	res = RB_REWRITE_OK;
fail:
	free(wire);
	ldns_pkt_free(p);
	return res;
}
