/*
 * answer: the pipeline of DESIGN.md, steps 1-7, first match wins.  Each
 * step is a function that either decides (a verdict, with the reply
 * written) or returns NEXT.  Transfer queries (AXFR, IXFR and the other
 * meta types) are decided right after the rate limit, so that they pass
 * access-control and the limit like any query.  Invariants:
 *
 * - Only dnswire reads the packet, always bounds-checked; after step 1 the
 *   question is valid and j->name holds its name lower-cased (the echoed
 *   question keeps the client's case).
 * - Data comes from the mapped cdb files (doc/cdb.md) and feed sets
 *   (lib/feed/nameset) and is bounds-checked too: a value that does not parse
 *   gives SERVFAIL, never a bad read.
 * - Local answers follow unbound's local-zone semantics (services/
 *   localzone.c): data for the exact name and type (or its CNAME) answers
 *   in any zone type that does not ignore local data; otherwise the zone
 *   type decides.  Local answers, negative ones included, carry AA, as
 *   unbound's do; a negative answer carries the zone apex's SOA, TTL
 *   min(SOA TTL, SOA minimum), when local data has one.
 * - ANY follows RFC 8482: one RRset of the name, no CNAME chasing.
 * - Nothing allocates; the reply is written into the caller's buffer.
 */

#include <stddef.h>
#include <string.h>

#include "answer/answer.h"
#include "answer/authans.h"
#include "answer/xfrq.h"
#include "base/bytes.h"
#include "feed/nameset.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#define NEXT (-1)
#define CHASE_MAX 8

/* What a zone type does; the zero value (unknown codes) is transparent,
 * the type that changes least. */
enum zkind {
	Z_TRANSPARENT = 0,
	Z_DENY,
	Z_REFUSE,
	Z_STATIC,
	Z_TYPETRANSPARENT,
	Z_REDIRECT,
	Z_ALWAYS_TRANSPARENT,
	Z_ALWAYS_NXDOMAIN,
	Z_ALWAYS_REFUSE,
};

/* doc/cdb.md zone codes.  inform* log and then act like the plain type;
 * nodefault and noview have no effect of their own here: transparent. */
static const struct {
	uint8_t kind, inform;
} zone_codes[15] = {
	[1] = { Z_DENY, 0 },
	[2] = { Z_REFUSE, 0 },
	[3] = { Z_STATIC, 0 },
	[4] = { Z_TRANSPARENT, 0 },
	[5] = { Z_TYPETRANSPARENT, 0 },
	[6] = { Z_REDIRECT, 0 },
	[7] = { Z_REDIRECT, 1 },
	[8] = { Z_TRANSPARENT, 1 },
	[9] = { Z_DENY, 1 },
	[10] = { Z_TRANSPARENT, 0 },
	[11] = { Z_ALWAYS_TRANSPARENT, 0 },
	[12] = { Z_ALWAYS_NXDOMAIN, 0 },
	[13] = { Z_ALWAYS_REFUSE, 0 },
	[14] = { Z_TRANSPARENT, 0 },
};

/* doc/cdb.md: a code with this bit is one of unbound's default zones
 * (lib/conf/defzones), which yields to any authoritative zone holding the
 * name and to a forward zone at or below its apex: the defaults are for
 * names nobody here serves. */
#define ZONE_DEFAULT 0x80

static const uint8_t health_name[] = "\010runbound\006health";

struct val {
	const uint8_t *p;
	size_t len;
};

struct job {
	const struct rb_answer_ctx *ctx;
	const struct rb_answer_query *aq;
	struct rb_answer_info *info;
	struct rb_answer_buf *buf;
	struct rb_dnswire_query q;
	size_t size; /* the most this reply may use */
	int rcode;
	int corrupt; /* a data file did not parse: SERVFAIL */
	size_t raw;  /* a reply written whole into buf (its length), not
	                through o: the IXFR over UDP */
	enum rb_acl_action acl;
	uint8_t name[RB_DNAME_MAX]; /* the question's name, lower-cased */
	size_t nlen;
	/* Last: rb_answer clears the job only up to o's compression table,
	 * which each reply starts afresh (rb_dnswire_reply). */
	struct rb_dnswire_out o;
};

static int
reply(struct job *j, int rcode, uint16_t flags, int with_question)
{
	rb_dnswire_reply(&j->o, j->buf->p, j->size, &j->q, with_question);
	rb_dnswire_set_rcode(&j->o, rcode);
	rb_dnswire_set_flags(&j->o, flags);
	j->rcode = rcode;
	return RB_ANSWER_SEND;
}

/* FORMERR and NOTIMP: the header alone, no OPT (RFC 6891 7: the OPT may
 * be what was wrong). */
static int
header_only(struct job *j, int rcode)
{
	j->q.nopt = 0;
	return reply(j, rcode, 0, 0);
}

static int
servfail(struct job *j)
{
	return reply(j, RB_RCODE_SERVFAIL, 0, 1);
}

/* A key of doc/cdb.md: prefix byte (0: none), name, type (-1: none). */
static size_t
mkkey(uint8_t *key, uint8_t prefix, const uint8_t *name, size_t nlen, int type)
{
	size_t k = 0;

	if (prefix != 0)
		key[k++] = prefix;
	memcpy(key + k, name, nlen);
	k += nlen;
	if (type >= 0) {
		key[k++] = (uint8_t)(type >> 8);
		key[k++] = (uint8_t)type;
	}
	return k;
}

static int
find(struct job *j, const struct rb_cdbmap_gen *g, const uint8_t *key,
    size_t klen, struct val *v)
{
	int r = rb_cdbmap_find(g, key, klen, &v->p, &v->len);

	if (r < 0)
		j->corrupt = 1;
	return r;
}

/* key in a base file under its delta (doc/cdb.md, "Deltas"): the delta's
 * 'S' value, or nothing for its 'X', else the base's.  The key is hashed
 * once for both. */
static int
find_layered(struct job *j, const struct rb_cdbmap_gen *base,
    const struct rb_cdbmap_gen *delta, const uint8_t *key, size_t klen,
    struct val *v)
{
	uint32_t h;
	int r;

	if (rb_cdbmap_empty(delta))
		return find(j, base, key, klen, v);
	h = rb_cdbmap_hash(key, klen);
	r = rb_cdbmap_find_h(delta, key, klen, h, &v->p, &v->len);
	if (r > 0) {
		if (v->len < 1 || v->p[0] != 'S')
			return 0; /* gone since the base */
		v->p++;
		v->len--;
		return 1;
	}
	if (r == 0)
		r = rb_cdbmap_find_h(base, key, klen, h, &v->p, &v->len);
	if (r < 0)
		j->corrupt = 1;
	return r;
}

static int
find_local(struct job *j, const uint8_t *key, size_t klen, struct val *v)
{
	return find_layered(j, j->ctx->local, j->ctx->local_delta, key, klen,
	    v);
}

/* Step 1: what RFC 1035 and RFC 6891 make malformed or unsupported. */
static int
step_wire(struct job *j)
{
	struct rb_dnswire_query *q = &j->q;

	if (rb_dnswire_parse_header(q, j->aq->pkt, j->aq->len) < 0 ||
	    (q->flags & RB_DNS_QR))
		return RB_ANSWER_DROP; /* never answer an answer */
	if (RB_DNS_OPCODE(q->flags) != 0)
		return header_only(j, RB_RCODE_NOTIMP);
	/* An IXFR carries the client's SOA in authority (RFC 1995): it
	 * gets REFUSED below, as other transfers, not FORMERR. */
	if (q->qdcount != 1 || q->ancount != 0 ||
	    rb_dnswire_parse_body(q) < 0 || q->nopt > 1 ||
	    (q->nscount != 0 && q->qtype != RB_TYPE_IXFR))
		return header_only(j, RB_RCODE_FORMERR);
	j->info->qtype = q->qtype;
	j->info->qname_len = q->qname_len;
	j->nlen = q->qname_len;
	memcpy(j->name, q->pkt + RB_DNS_HEADER, j->nlen);
	rb_dname_lower(j->name);
	if (!j->aq->tcp)
		j->size = rb_dnswire_udp_size(q) < j->buf->size ?
		    rb_dnswire_udp_size(q) :
		    j->buf->size;
	if (q->nopt == 1 && q->edns_version != 0)
		return reply(j, RB_RCODE_BADVERS, 0, 1);
	if (q->qclass != RB_CLASS_IN)
		return reply(j, RB_RCODE_REFUSED, 0, 1);
	return NEXT;
}

/* Step 2: access-control; no list allows everyone (tests). */
static int
step_acl(struct job *j)
{
	j->acl = j->ctx->acl ? rb_acl_lookup(j->ctx->acl, &j->aq->client) :
	                       RB_ACL_ALLOW;
	if (j->acl == RB_ACL_DENY)
		return RB_ANSWER_DROP;
	if (j->acl == RB_ACL_REFUSE)
		return reply(j, RB_RCODE_REFUSED, 0, 1);
	return NEXT;
}

/* Step 3: rate-limit per source. */
static int
step_ratelimit(struct job *j)
{
	if (j->ctx->rl != NULL &&
	    !rb_ratelimit_take(j->ctx->rl, &j->aq->client, j->aq->now_ns))
		return reply(j, RB_RCODE_REFUSED, 0, 1);
	return NEXT;
}

/* May this client have its IXFR over UDP answered?  access-control must
 * let it reach the zones and allow-transfer must list it. */
static int
may_transfer(const struct job *j)
{
	return !j->aq->tcp && j->ctx->xfr_acl != NULL &&
	    (j->acl == RB_ACL_ALLOW || j->acl == RB_ACL_ALLOW_SNOOP) &&
	    rb_xfrq_allowed(j->ctx->xfr_acl, &j->aq->client);
}

/* After the rate limit: the meta types.  An IXFR over UDP from a client
 * allowed to transfer gets the zone's SOA alone (RFC 1995 section 2);
 * every other transfer or meta query is REFUSED (over TCP, rb-dnsd hands
 * allowed transfers to rb-axfr before the pipeline). */
static int
step_transfer(struct job *j)
{
	struct rb_xfrq x;
	int rcode;

	switch (j->q.qtype) {
	case RB_TYPE_AXFR:
	case RB_TYPE_IXFR:
	case RB_TYPE_TKEY:
	case RB_TYPE_TSIG:
	case RB_TYPE_MAILA:
	case RB_TYPE_MAILB:
		break;
	default:
		return NEXT;
	}
	if (j->q.qtype != RB_TYPE_IXFR || !may_transfer(j) ||
	    rb_xfrq_parse(&x, j->aq->pkt, j->aq->len) < 0 ||
	    !rb_xfrq_is_transfer(&x))
		return reply(j, RB_RCODE_REFUSED, 0, 1);
	j->raw = rb_xfrq_udp_reply(&x, j->ctx->zones, j->buf->p, j->size,
	    &rcode);
	if (j->raw == 0) {
		j->corrupt = 1; /* zones.cdb is damaged */
		return servfail(j);
	}
	j->rcode = rcode;
	return RB_ANSWER_SEND;
}

/* Step 4: runbound.health. A is 127.0.0.1 with TTL 0, for probes. */
static int
step_health(struct job *j)
{
	static const uint8_t loopback[4] = { 127, 0, 0, 1 };
	uint8_t owner[2];

	if (j->nlen != sizeof health_name ||
	    memcmp(j->name, health_name, sizeof health_name) != 0)
		return NEXT;
	reply(j, RB_RCODE_NOERROR, RB_DNS_AA, 1);
	if (j->q.qtype == RB_TYPE_A || j->q.qtype == RB_TYPE_ANY) {
		rb_dnswire_ptr(owner, RB_DNS_HEADER);
		rb_dnswire_put_rr(&j->o, RB_SECT_ANSWER, owner, 2, RB_TYPE_A, 0,
		    loopback, sizeof loopback);
	}
	return RB_ANSWER_SEND;
}

/* The first feed that lists this name: its action byte, 0 for none, -1 on
 * corrupt data.  Every feed hashes names with the same key, so the name
 * is hashed once for all of them. */
static int
feed_action(struct job *j, const uint8_t *name, size_t nlen)
{
	uint8_t h[RB_NAMESET_HASH];

	rb_nameset_hash(name, nlen, h);
	for (size_t i = 0; i < j->ctx->nfeeds; i++) {
		size_t size;
		const uint8_t *set = rb_cdbmap_bytes(j->ctx->feeds[i], &size);
		int r;

		if (set == NULL)
			continue; /* the file went away: empty */
		if ((r = rb_nameset_find(set, size, h)) < 0) {
			j->corrupt = 1;
			return -1;
		}
		if (r > 0)
			return rb_nameset_action(set);
	}
	return 0;
}

/* Step 5: block.cdb or a feed holds the name or a parent.  'A' (the
 * allowlist, in block.cdb) at any level wins; otherwise the most specific
 * 'N' or 'R' decides, block.cdb before the feeds at the same level.  Once
 * decided, less specific levels are read only for an 'A'. */
static int
step_block(struct job *j)
{
	uint8_t action = 0;
	struct val v;

	for (size_t off = 0; j->name[off] != 0; off += j->name[off] + 1u) {
		int r = find_layered(j, j->ctx->block, j->ctx->block_delta,
		    j->name + off, j->nlen - off, &v);
		if (r < 0)
			return servfail(j);
		if (r > 0 && v.len >= 1 && v.p[0] == 'A')
			return NEXT;
		if (r > 0 && v.len >= 1 && action == 0 &&
		    (v.p[0] == 'N' || v.p[0] == 'R'))
			action = v.p[0];
		if (action == 0 && j->ctx->nfeeds > 0) {
			int f = feed_action(j, j->name + off, j->nlen - off);
			if (f < 0)
				return servfail(j);
			action = (uint8_t)f;
		}
	}
	if (action == 0)
		return NEXT;
	return reply(j, action == 'N' ? RB_RCODE_NXDOMAIN : RB_RCODE_REFUSED,
	    RB_DNS_AA, 1);
}

/* The closest enclosing local zone of name: its offset in name and code.
 * Returns 1, 0 when there is none, -1 on corrupt data. */
static int
find_zone(struct job *j, const uint8_t *name, size_t nlen, size_t *zoff,
    uint8_t *code)
{
	uint8_t key[1 + RB_DNAME_MAX];
	struct val v;

	for (size_t off = 0;; off += name[off] + 1u) {
		size_t klen = mkkey(key, 'Z', name + off, nlen - off, -1);
		int r = find_local(j, key, klen, &v);
		if (r < 0)
			return -1;
		if (r > 0 && v.len >= 1) {
			*zoff = off;
			*code = v.p[0];
			return 1;
		}
		if (name[off] == 0)
			return 0;
	}
}

static enum zkind
zone_kind(uint8_t code, int *inform)
{
	code &= (uint8_t)~ZONE_DEFAULT;
	if (code >= sizeof zone_codes / sizeof zone_codes[0])
		code = 0;
	if (inform != NULL)
		*inform = zone_codes[code].inform;
	return (enum zkind)zone_codes[code].kind;
}

/* The 'E' list of name: 1 (name has local data, maybe none for an empty
 * non-terminal), 0 (no such name), -1 (corrupt). */
static int
find_types(struct job *j, const uint8_t *name, size_t nlen, struct val *types)
{
	uint8_t key[1 + RB_DNAME_MAX];

	return find_local(j, key, mkkey(key, 'E', name, nlen, -1), types);
}

/* The type to answer from a name's list: qtype itself, else its CNAME;
 * for ANY the first type (RFC 8482).  0 when none fits. */
static uint16_t
pick_type(const struct val *types, uint16_t qtype)
{
	int cname = 0;

	if (qtype == RB_TYPE_ANY)
		return types->len >= 2 ? rb_get16(types->p) : 0;
	for (size_t i = 0; i + 1 < types->len; i += 2) {
		uint16_t t = rb_get16(types->p + i);
		if (t == qtype)
			return t;
		if (t == RB_TYPE_CNAME)
			cname = 1;
	}
	return cname ? RB_TYPE_CNAME : 0;
}

/* Append the RRset name/type under owner; its value is left in v.
 * Returns 1, or 0 when the data is missing or corrupt. */
static int
put_data(struct job *j, const uint8_t *name, size_t nlen, uint16_t type,
    const uint8_t *owner, size_t olen, struct val *v)
{
	uint8_t key[1 + RB_DNAME_MAX + 2];
	size_t klen = mkkey(key, 'D', name, nlen, type);

	if (find_local(j, key, klen, v) <= 0 ||
	    rb_dnswire_put_rrset(&j->o, RB_SECT_ANSWER, owner, olen, type, v->p,
	        v->len) < 0) {
		j->corrupt = 1; /* 'E' promised this RRset */
		return 0;
	}
	return 1;
}

/* Where local data for the lower-cased name target (n bytes) lives: the
 * name itself, or its zone's apex in a redirect zone; NULL when no zone
 * holds it or the zone ignores local data. */
static const uint8_t *
data_name(struct job *j, const uint8_t *target, size_t n)
{
	size_t zoff;
	uint8_t code;

	if (find_zone(j, target, n, &zoff, &code) <= 0)
		return NULL;
	switch (zone_kind(code, NULL)) {
	case Z_ALWAYS_TRANSPARENT:
	case Z_ALWAYS_NXDOMAIN:
	case Z_ALWAYS_REFUSE:
		return NULL;
	case Z_REDIRECT:
		return target + zoff;
	default:
		return target;
	}
}

/* Follow the CNAME RRset cname through local data, up to CHASE_MAX hops,
 * appending each RRset found.  Stops quietly where local data ends: what
 * lies beyond is for forwarding. */
static void
chase(struct job *j, struct val cname)
{
	uint8_t target[RB_DNAME_MAX], owner[RB_DNAME_MAX];
	const uint8_t *dname;
	struct val types;
	size_t olen, rdlen, dlen;
	uint16_t t = RB_TYPE_CNAME;
	int n;

	for (int hop = 0; hop < CHASE_MAX && t == RB_TYPE_CNAME; hop++) {
		if (cname.len < 6 ||
		    (rdlen = rb_get16(cname.p + 4)) > cname.len - 6)
			return;
		n = rb_dname_wire_len(cname.p + 6, rdlen);
		if (n < 0 || (size_t)n != rdlen)
			return;
		olen = rb_dnswire_owner_at(&j->o, j->o.last_rdata, cname.p + 6,
		    (size_t)n, owner);
		memcpy(target, cname.p + 6, (size_t)n);
		rb_dname_lower(target);
		if ((dname = data_name(j, target, (size_t)n)) == NULL)
			return;
		dlen = (size_t)n - (size_t)(dname - target);
		if (find_types(j, dname, dlen, &types) <= 0 ||
		    (t = pick_type(&types, j->q.qtype)) == 0 ||
		    !put_data(j, dname, dlen, t, owner, olen, &cname))
			return;
	}
}

/* Answer the RRset name/type to the question, chasing a CNAME. */
static int
answer_local(struct job *j, const uint8_t *name, size_t nlen, uint16_t type)
{
	uint8_t owner[2];
	struct val v;

	reply(j, RB_RCODE_NOERROR, RB_DNS_AA, 1);
	rb_dnswire_ptr(owner, RB_DNS_HEADER);
	if (!put_data(j, name, nlen, type, owner, 2, &v))
		return servfail(j);
	if (type == RB_TYPE_CNAME && j->q.qtype != RB_TYPE_CNAME &&
	    j->q.qtype != RB_TYPE_ANY)
		chase(j, v);
	return RB_ANSWER_SEND;
}

/* NXDOMAIN or NODATA from the zone at j->name + zoff, with its SOA. */
static int
negative(struct job *j, int rcode, size_t zoff)
{
	uint8_t key[1 + RB_DNAME_MAX + 2], owner[2];
	size_t klen = mkkey(key, 'D', j->name + zoff, j->nlen - zoff,
	    RB_TYPE_SOA);
	uint32_t ttl, min;
	size_t rdlen;
	struct val v;
	int r;

	reply(j, rcode, RB_DNS_AA, 1);
	r = find_local(j, key, klen, &v);
	if (r < 0)
		return servfail(j);
	if (r == 0)
		return RB_ANSWER_SEND;
	/* Two names of at least one byte, then five 32-bit fields. */
	if (v.len < 6 || (rdlen = rb_get16(v.p + 4)) < 22 || rdlen > v.len - 6)
		return servfail(j);
	ttl = rb_get32(v.p);
	min = rb_get32(v.p + 6 + rdlen - 4);
	/* The apex is a suffix of the question's name; the root is 1 byte,
	 * shorter than a pointer. */
	if (j->name[zoff] == 0)
		owner[0] = 0;
	else
		rb_dnswire_ptr(owner, RB_DNS_HEADER + zoff);
	rb_dnswire_put_rr(&j->o, RB_SECT_AUTHORITY, owner,
	    j->name[zoff] == 0 ? 1 : 2, RB_TYPE_SOA, ttl < min ? ttl : min,
	    v.p + 6, rdlen);
	return RB_ANSWER_SEND;
}

/* What the zone type says when the data did not answer. */
static int
zone_default(struct job *j, enum zkind kind, int has, size_t ntypes,
    size_t zoff)
{
	switch (kind) {
	case Z_DENY:
		return RB_ANSWER_DROP;
	case Z_REFUSE:
		return reply(j, RB_RCODE_REFUSED, RB_DNS_AA, 1);
	case Z_STATIC:
		return negative(j, has ? RB_RCODE_NOERROR : RB_RCODE_NXDOMAIN,
		    zoff);
	case Z_REDIRECT:
		return negative(j, RB_RCODE_NOERROR, zoff);
	case Z_TYPETRANSPARENT:
		return NEXT;
	default: /* transparent: NODATA for a name that has other data */
		return has && ntypes > 0 ? negative(j, RB_RCODE_NOERROR, zoff) :
		                           NEXT;
	}
}

/* Is the name in an authoritative zone (step 7)?  1 yes, 0 no, -1
 * corrupt. */
static int
served_here(struct job *j)
{
	struct rb_authans a = { .zones = j->ctx->zones,
		.name = j->name,
		.nlen = j->nlen };
	int r = rb_authans_holds(&a);

	if (r < 0)
		j->corrupt = 1;
	return r;
}

/* Step 6: local data with unbound's local-zone semantics. */
static int
step_local(struct job *j)
{
	struct val types = { NULL, 0 };
	size_t zoff;
	uint8_t code;
	enum zkind kind;
	const uint8_t *dname = j->name;
	int has, r = find_zone(j, j->name, j->nlen, &zoff, &code);
	uint16_t t;

	if (r <= 0)
		return r < 0 ? servfail(j) : NEXT;
	if ((code & ZONE_DEFAULT) &&
	    rb_fwdnames_below(j->ctx->fwd, j->name, j->nlen, zoff))
		return NEXT;
	if ((code & ZONE_DEFAULT) && (r = served_here(j)) != 0)
		return r < 0 ? servfail(j) : NEXT;
	kind = zone_kind(code, &j->info->inform);
	j->info->zone_off = zoff;
	if (kind == Z_ALWAYS_TRANSPARENT)
		return NEXT;
	if (kind == Z_ALWAYS_NXDOMAIN)
		return negative(j, RB_RCODE_NXDOMAIN, zoff);
	if (kind == Z_ALWAYS_REFUSE)
		return reply(j, RB_RCODE_REFUSED, RB_DNS_AA, 1);
	if (kind == Z_REDIRECT)
		dname = j->name + zoff; /* the apex's data, for any name */
	has = find_types(j, dname, j->nlen - (size_t)(dname - j->name), &types);
	if (has < 0)
		return servfail(j);
	if (has && (t = pick_type(&types, j->q.qtype)) != 0)
		return answer_local(j, dname,
		    j->nlen - (size_t)(dname - j->name), t);
	return zone_default(j, kind, has, types.len, zoff);
}

/* Step 7: authoritative zones (lib/answer/authans), for names at or below an
 * apex in data/zones.cdb. */
static int
step_zones(struct job *j)
{
	struct rb_authans a = { .zones = j->ctx->zones,
		.name = j->name,
		.nlen = j->nlen,
		.qtype = j->q.qtype,
		.o = &j->o };
	int r;

	if (j->ctx->zones == NULL)
		return NEXT;
	reply(j, RB_RCODE_NOERROR, 0, 1);
	r = rb_authans_answer(&a);
	if (r < 0) {
		j->corrupt = 1;
		return servfail(j);
	}
	if (r == 0)
		return NEXT;
	j->rcode = a.rcode;
	return RB_ANSWER_SEND;
}

/* No step answered: REFUSED, as a server without recursion says, unless
 * the client may only have local answers. */
static int
pass(struct job *j)
{
	if (j->acl == RB_ACL_DENY_NON_LOCAL)
		return RB_ANSWER_DROP;
	reply(j, RB_RCODE_REFUSED, 0, 1);
	return j->acl == RB_ACL_REFUSE_NON_LOCAL ? RB_ANSWER_SEND :
	                                           RB_ANSWER_PASS;
}

/* What a reply counts and logs as. */
static enum rb_log_action
action_of(const struct rb_answer_info *info)
{
	switch (info->step) {
	case RB_STEP_BLOCK:
		return RB_ACT_BLOCKED;
	case RB_STEP_HEALTH:
	case RB_STEP_LOCAL:
	case RB_STEP_ZONES:
		return RB_ACT_LOCAL;
	case RB_STEP_TRANSFER:
		if (info->rcode != RB_RCODE_REFUSED &&
		    info->rcode != RB_RCODE_SERVFAIL)
			return RB_ACT_LOCAL; /* the zone's SOA */
		                             /* FALLTHROUGH */
	default:
		return info->rcode == RB_RCODE_SERVFAIL ? RB_ACT_SERVFAIL :
		                                          RB_ACT_REFUSED;
	}
}

/* The length of the reply in buf, and the count of step 7's additional
 * records (zeroed on overflow) added to the OPT record's. */
static size_t
finish(struct job *j, int v)
{
	size_t len;

	if (v == RB_ANSWER_DROP)
		return 0;
	if (j->raw > 0 && !j->corrupt)
		return j->raw;
	len = rb_dnswire_finish(&j->o);
	if (len >= RB_DNS_HEADER && j->o.count[RB_AUTHANS_SECT_ADDITIONAL]) {
		uint16_t ar = (uint16_t)(rb_get16(j->buf->p + 10) +
		    j->o.count[RB_AUTHANS_SECT_ADDITIONAL]);
		rb_put16(j->buf->p + 10, ar);
	}
	return len;
}

enum rb_answer_verdict
rb_answer(const struct rb_answer_ctx *ctx, const struct rb_answer_query *q,
    struct rb_answer_buf *buf, struct rb_answer_info *info)
{
	static const struct {
		enum rb_answer_step id;
		int (*fn)(struct job *);
	} steps[] = { { RB_STEP_WIRE, step_wire }, { RB_STEP_ACL, step_acl },
		{ RB_STEP_RATELIMIT, step_ratelimit },
		{ RB_STEP_TRANSFER, step_transfer },
		{ RB_STEP_HEALTH, step_health }, { RB_STEP_BLOCK, step_block },
		{ RB_STEP_LOCAL, step_local }, { RB_STEP_ZONES, step_zones } };
	struct job j;
	int v = NEXT;

	memset(info, 0, sizeof *info);
	memset(&j, 0, offsetof(struct job, o.comp));
	j.ctx = ctx;
	j.aq = q;
	j.info = info;
	j.buf = buf;
	j.size = buf->size;
	if (j.size > (q->tcp ? RB_DNS_TCP_MAX : RB_DNS_UDP_MIN))
		j.size = q->tcp ? RB_DNS_TCP_MAX : RB_DNS_UDP_MIN;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0] && v == NEXT;
	     i++) {
		info->step = steps[i].id;
		v = steps[i].fn(&j);
	}
	if (v == NEXT) {
		info->step = RB_STEP_NONE;
		v = pass(&j);
	}
	if (j.corrupt && v != RB_ANSWER_DROP)
		v = servfail(&j);
	buf->len = finish(&j, v);
	if (info->qname_len > 0)
		info->q = j.q;
	if (buf->len == 0) {
		info->rcode = -1;
		info->action = RB_ACT_REFUSED;
		return RB_ANSWER_DROP;
	}
	info->rcode = j.rcode;
	info->action = action_of(info);
	return (enum rb_answer_verdict)v;
}
