/*
 * authans: step 7, authoritative answers from data/zones.cdb.  The query
 * name's zone is the most specific 'Z' among the name and its parents;
 * then the names from just below the apex down to the query name are
 * looked up in turn ('E'), which finds in one pass the first delegation
 * (an NS below the apex), the closest encloser, or the name itself
 * (RFC 1034 4.3.2, RFC 4592 3.3.1).  Invariants:
 *
 * - Every value read from the cdb is bounds-checked before use; a value
 *   that does not parse makes the whole answer SERVFAIL (return -1).
 * - CNAMEs are followed only inside the zone, at most CHASE_MAX hops; the
 *   rcode is that of the last name (RFC 6604).
 * - Referrals clear AA and carry the delegation's NS RRset in authority
 *   and the in-zone addresses of its servers in additional.
 * - Nothing allocates: names live in fixed buffers on the stack.
 */

#include <string.h>

#include "answer/authans.h"
#include "base/bytes.h"
#include "wire/dname.h"

#define CHASE_MAX 8
#define NS_MAX 16
#define TYPE_DS 43

struct val {
	const uint8_t *p;
	size_t len;
};

enum kind { K_DATA, K_WILD, K_NX, K_CUT };

/* Where a name leads inside its zone. */
struct look {
	enum kind kind;
	struct val types;            /* K_DATA, K_WILD: the 'E' value */
	uint8_t dname[RB_DNAME_MAX]; /* where the data is: name or '*'.ce */
	size_t dlen;
	size_t cut; /* K_CUT: offset of the delegation point in the name */
};

struct zone {
	struct rb_authans *a;
	size_t zoff;    /* the apex is a->name + zoff */
	size_t alen;    /* its length */
	struct val soa; /* the 'Z' value: ttl(4) rdlen(2) rdata */
};

/* Look up prefix+name(+type when type >= 0). */
static int
find(const struct rb_authans *a, uint8_t prefix, const uint8_t *name,
    size_t nlen, int type, struct val *v)
{
	uint8_t key[1 + RB_DNAME_MAX + 2];
	size_t k = 1;

	key[0] = prefix;
	memcpy(key + 1, name, nlen);
	k += nlen;
	if (type >= 0) {
		key[k++] = (uint8_t)(type >> 8);
		key[k++] = (uint8_t)type;
	}
	return rb_cdbmap_find(a->zones, key, k, &v->p, &v->len);
}

static int
has_type(const struct val *types, uint16_t t)
{
	for (size_t i = 0; i + 1 < types->len; i += 2)
		if (rb_get16(types->p + i) == t)
			return 1;
	return 0;
}

/* Is wire name n at or below the wire name of alen bytes at apex? */
static int
below(const uint8_t *n, size_t nlen, const uint8_t *apex, size_t alen)
{
	for (size_t off = 0; off < nlen; off += n[off] + 1u) {
		if (nlen - off == alen && memcmp(n + off, apex, alen) == 0)
			return 1;
		if (n[off] == 0)
			break;
	}
	return 0;
}

/* The zone enclosing the query name.  Zones do not nest (doc/cdb.md), so
 * the first apex found from the root down is the only one; walking that
 * way, the lookups are of the apex and its parents, the same keys for
 * every query of the zone and so in cache, where walking up starts with
 * the query name's own 'Z' key, a miss that costs a cache miss each
 * time.  1, 0 none, -1 corrupt. */
static int
find_zone(struct rb_authans *a, struct zone *z)
{
	size_t offs[RB_DNAME_MAX / 2 + 1], n = 0;

	for (size_t off = 0; off < a->nlen; off += a->name[off] + 1u) {
		offs[n++] = off;
		if (a->name[off] == 0)
			break;
	}
	while (n-- > 0) {
		size_t off = offs[n];
		int r = find(a, 'Z', a->name + off, a->nlen - off, -1, &z->soa);
		if (r != 0) {
			z->a = a;
			z->zoff = off;
			z->alen = a->nlen - off;
			return r;
		}
	}
	return 0;
}

/* The name does not exist below its closest encloser ce (an offset):
 * the wildcard '*'.ce answers if it exists (RFC 4592), else NXDOMAIN. */
static int
wildcard(const struct zone *z, const uint8_t *name, size_t nlen, size_t ce,
    struct look *l)
{
	int r;

	l->kind = K_NX;
	if (nlen - ce + 2 > RB_DNAME_MAX)
		return 0;
	l->dname[0] = 1;
	l->dname[1] = '*';
	memcpy(l->dname + 2, name + ce, nlen - ce);
	l->dlen = nlen - ce + 2;
	r = find(z->a, 'E', l->dname, l->dlen, -1, &l->types);
	if (r > 0)
		l->kind = K_WILD;
	return r < 0 ? -1 : 0;
}

/* Where name (lower-case, at or below the apex) leads.  0 or -1. */
static int
lookup(const struct zone *z, const uint8_t *name, size_t nlen, struct look *l)
{
	size_t offs[RB_DNAME_MAX / 2 + 1], n = 0, ce = nlen - z->alen;
	int r;

	for (size_t off = 0; nlen - off > z->alen; off += name[off] + 1u)
		offs[n++] = off;
	for (size_t i = n; i-- > 0;) {
		r = find(z->a, 'E', name + offs[i], nlen - offs[i], -1,
		    &l->types);
		if (r < 0)
			return -1;
		if (r == 0)
			return wildcard(z, name, nlen, ce, l);
		/* DS at a delegation is the parent's (RFC 4035 3.1.4.1). */
		if (has_type(&l->types, RB_TYPE_NS) &&
		    (offs[i] != 0 || z->a->qtype != TYPE_DS)) {
			l->kind = K_CUT;
			l->cut = offs[i];
			return 0;
		}
		ce = offs[i];
	}
	if (n == 0 && find(z->a, 'E', name, nlen, -1, &l->types) <= 0)
		return -1; /* the apex has its SOA at least */
	l->kind = K_DATA;
	memcpy(l->dname, name, nlen);
	l->dlen = nlen;
	return 0;
}

/* The type to answer: qtype, else a CNAME; for ANY the first type
 * (RFC 8482: one RRset).  0 when none fits (NODATA). */
static uint16_t
pick_type(const struct val *types, uint16_t qtype)
{
	if (qtype == RB_TYPE_ANY)
		return types->len >= 2 ? rb_get16(types->p) : 0;
	if (has_type(types, qtype))
		return qtype;
	return has_type(types, RB_TYPE_CNAME) ? RB_TYPE_CNAME : 0;
}

static int
finish(struct rb_authans *a, int rcode, int aa)
{
	rb_dnswire_set_rcode(a->o, rcode);
	if (aa)
		rb_dnswire_set_flags(a->o, RB_DNS_AA);
	a->rcode = rcode;
	return 1;
}

/* NXDOMAIN or NODATA: the SOA in authority, TTL min(TTL, minimum)
 * (RFC 2308 3). */
static int
negative(const struct zone *z, int rcode)
{
	const struct val *v = &z->soa;
	uint8_t owner[2];
	size_t rdlen, olen = 2;
	uint32_t ttl, min;

	if (v->len < 6 || (rdlen = rb_get16(v->p + 4)) < 22 ||
	    rdlen > v->len - 6)
		return -1;
	ttl = rb_get32(v->p);
	min = rb_get32(v->p + 6 + rdlen - 4);
	if (z->a->name[z->zoff] == 0) {
		owner[0] = 0; /* the root: shorter than a pointer */
		olen = 1;
	} else {
		rb_dnswire_ptr(owner, RB_DNS_HEADER + z->zoff);
	}
	rb_dnswire_put_rr(z->a->o, RB_SECT_AUTHORITY, owner, olen, RB_TYPE_SOA,
	    ttl < min ? ttl : min, v->p + 6, rdlen);
	return finish(z->a, rcode, 1);
}

/* The single name in rdata r (CNAME, NS): its length, or -1. */
static int
rdata_name(const uint8_t *r, size_t rdlen)
{
	int n = rb_dname_wire_len(r, rdlen);

	return n < 0 || (size_t)n != rdlen ? -1 : n;
}

/* Addresses of in-zone name t (written as rdata at off) in additional. */
static int
glue(const struct zone *z, const uint8_t *t, size_t n, size_t off)
{
	static const uint16_t types[2] = { RB_TYPE_A, RB_TYPE_AAAA };
	uint8_t name[RB_DNAME_MAX], owner[RB_DNAME_MAX];
	struct val v;

	memcpy(name, t, n);
	rb_dname_lower(name);
	if (!below(name, n, z->a->name + z->zoff, z->alen))
		return 0;
	for (size_t i = 0; i < 2; i++) {
		size_t olen = rb_dnswire_owner_at(z->a->o, off, t, n, owner);
		int r = find(z->a, 'D', name, n, types[i], &v);
		if (r < 0 ||
		    (r > 0 &&
		        rb_dnswire_put_rrset(z->a->o,
		            RB_AUTHANS_SECT_ADDITIONAL, owner, olen, types[i],
		            v.p, v.len) < 0))
			return -1;
	}
	return 0;
}

/* Write the NS RRset v under owner in sect, then the in-zone addresses of
 * its servers in additional (glue, RFC 9471).  0 or -1. */
static int
put_ns(const struct zone *z, enum rb_dnswire_section sect, const uint8_t *owner,
    size_t olen, const struct val *v)
{
	struct rb_dnswire_out *o = z->a->o;
	size_t at[NS_MAX], wr[NS_MAX], nns = 0, off, rdlen;
	int n;

	for (off = 0; off < v->len; off += 6 + rdlen) {
		if (v->len - off < 6 ||
		    (rdlen = rb_get16(v->p + off + 4)) > v->len - off - 6 ||
		    rdata_name(v->p + off + 6, rdlen) < 0)
			return -1;
		rb_dnswire_put_rr(o, sect, owner, olen, RB_TYPE_NS,
		    rb_get32(v->p + off), v->p + off + 6, rdlen);
		if (nns < NS_MAX) {
			at[nns] = off;
			wr[nns++] = o->last_rdata;
		}
	}
	for (size_t i = 0; i < nns; i++) {
		const uint8_t *t = v->p + at[i] + 6;
		n = rdata_name(t, rb_get16(v->p + at[i] + 4));
		if (n < 0 || glue(z, t, (size_t)n, wr[i]) < 0)
			return -1;
	}
	return 0;
}

/* A referral to the delegation at name + cut: NS in authority, glue in
 * additional.  base is where name is written uncompressed in the reply
 * (the question; 0: nowhere, and the writer compresses the owner).  AA
 * stays clear unless aa (after a CNAME, RFC 1034 4.3.2: the CNAME is
 * ours). */
static int
referral(const struct zone *z, const uint8_t *name, size_t nlen, size_t cut,
    size_t base, int aa)
{
	uint8_t owner[RB_DNAME_MAX];
	size_t olen = 2;
	struct val v;

	if (find(z->a, 'D', name + cut, nlen - cut, RB_TYPE_NS, &v) <= 0)
		return -1; /* 'E' promised it */
	if (base != 0 && base + cut < 0x4000) {
		rb_dnswire_ptr(owner, base + cut);
	} else {
		olen = nlen - cut;
		memcpy(owner, name + cut, olen);
	}
	if (put_ns(z, RB_SECT_AUTHORITY, owner, olen, &v) < 0)
		return -1;
	return finish(z->a, RB_RCODE_NOERROR, aa);
}

/* The target of the CNAME RRset v, lower-cased into cur (its first
 * record: a CNAME RRset has one).  Its length, or -1. */
static int
cname_target(const struct val *v, uint8_t *cur, size_t *rdoff)
{
	size_t rdlen;
	int n;

	if (v->len < 6 || (rdlen = rb_get16(v->p + 4)) > v->len - 6 ||
	    (n = rdata_name(v->p + 6, rdlen)) < 0)
		return -1;
	memcpy(cur, v->p + 6, (size_t)n);
	rb_dname_lower(cur);
	*rdoff = 6;
	return n;
}

/* Has the chase answered name n already?  A CNAME loop ends there. */
static int
seen(uint8_t (*names)[RB_DNAME_MAX], const size_t *lens, int k,
    const uint8_t *n, size_t nlen)
{
	for (int i = 0; i < k; i++)
		if (lens[i] == nlen && memcmp(names[i], n, nlen) == 0)
			return 1;
	return 0;
}

/* Answer name cur (hop 0: the question) and follow CNAMEs in the zone. */
static int
answer(const struct zone *z, uint8_t *cur, size_t clen)
{
	struct rb_authans *a = z->a;
	uint8_t owner[RB_DNAME_MAX], names[CHASE_MAX][RB_DNAME_MAX];
	size_t olen = 2, rdoff, at, base = RB_DNS_HEADER, lens[CHASE_MAX];
	struct look l;
	struct val v;
	uint16_t t;
	int n, hop;

	rb_dnswire_ptr(owner, RB_DNS_HEADER);
	for (hop = 0; hop < CHASE_MAX; hop++) {
		if (lookup(z, cur, clen, &l) < 0)
			return -1;
		if (l.kind == K_CUT)
			return referral(z, cur, clen, l.cut, base, hop > 0);
		if (l.kind == K_NX)
			return negative(z, RB_RCODE_NXDOMAIN);
		if ((t = pick_type(&l.types, a->qtype)) == 0)
			return negative(z, RB_RCODE_NOERROR);
		if (find(a, 'D', l.dname, l.dlen, t, &v) <= 0)
			return -1; /* 'E' promised this RRset */
		if (t == RB_TYPE_NS ?
		        put_ns(z, RB_SECT_ANSWER, owner, olen, &v) < 0 :
		        rb_dnswire_put_rrset(a->o, RB_SECT_ANSWER, owner, olen,
		            t, v.p, v.len) < 0)
			return -1;
		if (t != RB_TYPE_CNAME || a->qtype == RB_TYPE_CNAME ||
		    a->qtype == RB_TYPE_ANY)
			break;
		memcpy(names[hop], cur, clen);
		lens[hop] = clen;
		at = a->o->last_rdata;
		if ((n = cname_target(&v, cur, &rdoff)) < 0)
			return -1;
		clen = (size_t)n;
		olen = rb_dnswire_owner_at(a->o, at, v.p + rdoff, clen, owner);
		base = 0; /* the target in rdata may be compressed */
		if (!below(cur, clen, a->name + z->zoff, z->alen) ||
		    seen(names, lens, hop + 1, cur, clen))
			break; /* out of the zone, or a loop */
	}
	return finish(a, RB_RCODE_NOERROR, 1);
}

int
rb_authans_holds(struct rb_authans *a)
{
	struct zone z = { 0 };

	if (a->zones == NULL || a->nlen == 0 || a->nlen > RB_DNAME_MAX)
		return 0;
	return find_zone(a, &z);
}

int
rb_authans_answer(struct rb_authans *a)
{
	uint8_t cur[RB_DNAME_MAX];
	struct zone z = { 0 };
	int r;

	a->rcode = 0;
	if (a->zones == NULL || a->nlen == 0 || a->nlen > RB_DNAME_MAX)
		return 0;
	if ((r = find_zone(a, &z)) <= 0)
		return r;
	memcpy(cur, a->name, a->nlen);
	return answer(&z, cur, a->nlen);
}
