/*
 * tinydns_rr: the records each tinydns-data line makes, with
 * tinydns-data's default TTLs and SOA numbers (doc/rb-zone.md,
 * "tinydns-data files"), staged into the file's own zone set.  Every
 * owner must lie in a zone of the file; a ':' line's rdata must be valid
 * for its type as ldns reads it, so nothing malformed is ever served.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "zone/tinydns_int.h"

/* tinydns-data's default TTLs. */
#define TTL_NS 259200
#define TTL_POSITIVE 86400
#define TTL_NEGATIVE 2560
#define TTL_MAX 2147483647u /* RFC 2181 8 */
#define RDATA_MAX RB_TINYDNS_RDATA_MAX

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_SOA 6
#define T_PTR 12
#define T_MX 15
#define T_TXT 16

/* Field accessors: decode field i, or fill the diag and return -1. */

static int
get_name(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln, size_t i,
    const char *what, uint8_t *out)
{
	const char *why = "";
	int n = rb_tinydns_field_name(ln->f[i], out, &why);

	return n < 0 ? rb_tinydns_bad(l, ln, "bad %s: %s", what, why) : n;
}

static int
get_number(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    size_t i, const char *what, uint32_t max, uint32_t def, uint32_t *v)
{
	const char *why = "";

	if (rb_tinydns_field_number(ln->f[i], max, def, v, &why) < 0)
		return rb_tinydns_bad(l, ln, "bad %s: %s (0 to %lu)", what, why,
		    (unsigned long)max);
	return 0;
}

static int
get_ttl(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln, size_t i,
    uint32_t def, uint32_t *ttl)
{
	return get_number(l, ln, i, "ttl", TTL_MAX, def, ttl);
}

/* 1 with ip filled, 0 when the field is empty, -1 on error. */
static int
get_ip(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln, size_t i,
    uint8_t ip[4])
{
	const char *why = "";
	int r = rb_tinydns_field_ipv4(ln->f[i], ip, &why);

	return r < 0 ? rb_tinydns_bad(l, ln, "bad ip: %s", why) : r;
}

/* Is lower-case wire name n at or below one of this file's zones? */
static int
in_zone(const struct rb_tinydns_load *l, const uint8_t *n, size_t nlen)
{
	for (size_t off = 0; off < nlen; off += n[off] + 1u) {
		if (rb_tinydns_find(&l->zones, n + off, nlen - off) != NULL)
			return 1;
		if (n[off] == 0)
			break;
	}
	return 0;
}

static const char *
type_name(uint16_t t)
{
	static const char *const query[] = { "IXFR", "AXFR", "MAILB", "MAILA",
		"ANY" };
	static char buf[16];
	const ldns_rr_descriptor *d = ldns_rr_descript(t);

	if (t >= 251 && t <= 255)
		return query[t - 251];
	if (d != NULL && d->_name != NULL)
		return d->_name;
	snprintf(buf, sizeof buf, "TYPE%u", (unsigned)t);
	return buf;
}

/* Stage one record: owner (wire, case as written) + type -> rdata. */
static int
stage(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    const uint8_t *owner, size_t olen, uint16_t type, const uint8_t *rd,
    size_t rdlen, uint32_t ttl)
{
	uint8_t key[RB_DNAME_MAX + 2];

	memcpy(key, owner, olen);
	rb_dname_lower(key);
	key[olen] = (uint8_t)(type >> 8);
	key[olen + 1] = (uint8_t)type;
	/* Outside this file's zones: another file's zone may hold it (a '='
	 * line's PTR in a reverse zone kept elsewhere, as make-data setups
	 * split their data); rb_zone_build decides. */
	if (rb_cdbw_add(in_zone(l, key, olen) ? &l->out.recs : &l->out.loose,
	        key, olen + 2, rd, rdlen, (int)ttl) < 0)
		return rb_tinydns_nomem(l, ln);
	return 0;
}

/* The zone's SOA, unless an earlier line gave it one. */
static int
stage_soa(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    const uint8_t *apex, size_t alen, const uint8_t *rd, size_t rdlen,
    uint32_t ttl)
{
	uint8_t key[RB_DNAME_MAX], val[6 + 2 * RB_DNAME_MAX + 20];
	struct rb_cdbw_kv *z;

	memcpy(key, apex, alen);
	rb_dname_lower(key);
	if ((z = rb_tinydns_find(&l->zones, key, alen)) == NULL)
		return rb_tinydns_bad(l, ln,
		    "internal error: zone not collected");
	if (z->prio > 0)
		return 0;
	z->prio = 1;
	rb_put32(val, ttl);
	val[4] = (uint8_t)(rdlen >> 8);
	val[5] = (uint8_t)rdlen;
	memcpy(val + 6, rd, rdlen);
	if (rb_cdbw_add(&l->out.apexes, key, alen, val, rdlen + 6, 0) < 0)
		return rb_tinydns_nomem(l, ln);
	return stage(l, ln, apex, alen, T_SOA, rd, rdlen, ttl);
}

/* An A record: ip for owner. */
static int
stage_a(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln,
    const uint8_t *owner, size_t olen, const uint8_t ip[4], uint32_t ttl)
{
	return stage(l, ln, owner, olen, T_A, ip, 4, ttl);
}

/* '.fqdn:ip:x:ttl' and '&fqdn:ip:x:ttl': NS (and SOA for '.') at fqdn,
 * A for the server when ip is given. */
static int
make_ns(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX], ns[RB_DNAME_MAX], ip[4];
	uint8_t soa[2 * RB_DNAME_MAX + 20];
	const char *why = "";
	uint32_t ttl;
	int flen, nlen, has_ip;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    (has_ip = get_ip(l, ln, 1, ip)) < 0 ||
	    get_ttl(l, ln, 3, TTL_NS, &ttl) < 0)
		return -1;
	if ((nlen = rb_tinydns_field_server(ln->f[2], "ns", fqdn, (size_t)flen,
	         ns, &why)) < 0)
		return rb_tinydns_bad(l, ln, "bad x: %s", why);
	if (ln->kind == '&' && fqdn[0] == 1 && fqdn[1] == '*')
		return rb_tinydns_bad(l, ln,
		    "a wildcard name cannot be delegated");
	if (ln->kind == '.') {
		/* rname hostmaster.fqdn, 11 + flen: at most 266 bytes. */
		if (11 + (size_t)flen > RB_DNAME_MAX)
			return rb_tinydns_bad(l, ln,
			    "hostmaster.fqdn is longer than 255 bytes");
		memcpy(soa, ns, (size_t)nlen);
		memcpy(soa + nlen, "\012hostmaster", 11);
		memcpy(soa + nlen + 11, fqdn, (size_t)flen);
		memcpy(soa + nlen + 11 + flen, l->soa, 20);
		if (stage_soa(l, ln, fqdn, (size_t)flen, soa,
		        (size_t)nlen + 11 + (size_t)flen + 20,
		        ttl ? TTL_NEGATIVE : 0) < 0)
			return -1;
	}
	if (stage(l, ln, fqdn, (size_t)flen, T_NS, ns, (size_t)nlen, ttl) < 0)
		return -1;
	return has_ip ? stage_a(l, ln, ns, (size_t)nlen, ip, ttl) : 0;
}

/* The in-addr.arpa name of ip, as tinydns-data's dns_name4_domain. */
static size_t
reverse_name(const uint8_t ip[4], uint8_t *out)
{
	size_t n = 0;

	for (int i = 3; i >= 0; i--) {
		int len = snprintf((char *)out + n + 1, 4, "%u", ip[i]);
		out[n] = (uint8_t)len;
		n += 1 + (size_t)len;
	}
	memcpy(out + n, "\007in-addr\004arpa", 14);
	return n + 14;
}

/* '+fqdn:ip:ttl' (A) and '=fqdn:ip:ttl' (A and its PTR). */
static int
make_a(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX], ptr[32], ip[4];
	uint32_t ttl;
	int flen, has_ip;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    (has_ip = get_ip(l, ln, 1, ip)) < 0 ||
	    get_ttl(l, ln, 2, TTL_POSITIVE, &ttl) < 0)
		return -1;
	if (!has_ip)
		return rb_tinydns_bad(l, ln, "missing ip");
	if (stage_a(l, ln, fqdn, (size_t)flen, ip, ttl) < 0)
		return -1;
	if (ln->kind == '+')
		return 0;
	return stage(l, ln, ptr, reverse_name(ip, ptr), T_PTR, fqdn,
	    (size_t)flen, ttl);
}

/* '@fqdn:ip:x:dist:ttl': MX at fqdn, A for the exchanger when ip is
 * given. */
static int
make_mx(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX], mx[2 + RB_DNAME_MAX], ip[4];
	const char *why = "";
	uint32_t dist, ttl;
	int flen, xlen, has_ip;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    (has_ip = get_ip(l, ln, 1, ip)) < 0 ||
	    get_number(l, ln, 3, "dist", 65535, 0, &dist) < 0 ||
	    get_ttl(l, ln, 4, TTL_POSITIVE, &ttl) < 0)
		return -1;
	if ((xlen = rb_tinydns_field_server(ln->f[2], "mx", fqdn, (size_t)flen,
	         mx + 2, &why)) < 0)
		return rb_tinydns_bad(l, ln, "bad x: %s", why);
	mx[0] = (uint8_t)(dist >> 8);
	mx[1] = (uint8_t)dist;
	if (stage(l, ln, fqdn, (size_t)flen, T_MX, mx, 2 + (size_t)xlen, ttl) <
	    0)
		return -1;
	return has_ip ? stage_a(l, ln, mx + 2, (size_t)xlen, ip, ttl) : 0;
}

/* "'fqdn:s:ttl": TXT, s cut into strings of 127 bytes as tinydns-data
 * does.  An empty s gives one empty string (tinydns-data gives rdata of
 * length 0, which is not a TXT record). */
static int
make_txt(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX], *src = l->rd + RDATA_MAX;
	const char *why = "";
	size_t n, out = 0;
	uint32_t ttl;
	long len;
	int flen;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    get_ttl(l, ln, 2, TTL_POSITIVE, &ttl) < 0)
		return -1;
	/* Decoded into the scratch's second half, framed into its first. */
	if ((len = rb_tinydns_field_text(ln->f[1], src, RDATA_MAX, &why)) < 0)
		return rb_tinydns_bad(l, ln, "bad s: %s", why);
	n = (size_t)len;
	if (n + (n + 126) / 127 > RDATA_MAX)
		return rb_tinydns_bad(l, ln,
		    "bad s: TXT data is longer than 65535 bytes");
	for (size_t i = 0; i < n || out == 0; i += 127) {
		size_t k = n - i > 127 ? 127 : n - i;
		l->rd[out] = (uint8_t)k;
		memcpy(l->rd + out + 1, src + i, k);
		out += 1 + k;
	}
	return stage(l, ln, fqdn, (size_t)flen, T_TXT, l->rd, out, ttl);
}

/* '^fqdn:p:ttl' (PTR) and 'Cfqdn:p:ttl' (CNAME). */
static int
make_alias(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX], p[RB_DNAME_MAX];
	uint32_t ttl;
	int flen, plen;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    (plen = get_name(l, ln, 1, "p", p)) < 0 ||
	    get_ttl(l, ln, 2, TTL_POSITIVE, &ttl) < 0)
		return -1;
	return stage(l, ln, fqdn, (size_t)flen,
	    ln->kind == 'C' ? T_CNAME : T_PTR, p, (size_t)plen, ttl);
}

/* 'Zfqdn:mname:rname:ser:ref:ret:exp:min:ttl': the SOA, each missing
 * number from the defaults. */
static int
make_soa(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	static const char *const what[] = { "ser", "ref", "ret", "exp", "min" };
	uint8_t fqdn[RB_DNAME_MAX], soa[2 * RB_DNAME_MAX + 20];
	uint32_t v, ttl;
	int flen, m, r;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    (m = get_name(l, ln, 1, "mname", soa)) < 0 ||
	    (r = get_name(l, ln, 2, "rname", soa + m)) < 0)
		return -1;
	for (size_t i = 0; i < 5; i++) {
		uint32_t def = (uint32_t)l->soa[4 * i] << 24 |
		    (uint32_t)l->soa[4 * i + 1] << 16 |
		    (uint32_t)l->soa[4 * i + 2] << 8 | l->soa[4 * i + 3];
		if (get_number(l, ln, 3 + i, what[i], 4294967295u, def, &v) < 0)
			return -1;
		rb_put32(soa + m + r + 4 * i, v);
	}
	if (get_ttl(l, ln, 8, TTL_NEGATIVE, &ttl) < 0)
		return -1;
	return stage_soa(l, ln, fqdn, (size_t)flen, soa, (size_t)(m + r) + 20,
	    ttl);
}

/* Does rd parse as rdata of type t, as ldns reads it, and write back the
 * same bytes?  Catches short, long and compressed rdata. */
static int
rdata_fits(uint16_t t, const uint8_t *rd, size_t len)
{
	uint8_t *wire = malloc(11 + len);
	const ldns_rr_descriptor *desc = ldns_rr_descript(t);
	ldns_buffer *b = ldns_buffer_new(len ? len : 1);
	ldns_rr *rr = NULL;
	size_t pos = 0;
	int ok = 0;

	if (wire == NULL || b == NULL)
		goto done;
	memcpy(wire, "\0\0\0\0\001\0\0\0\0", 9); /* root, class IN, TTL 0 */
	wire[1] = (uint8_t)(t >> 8);
	wire[2] = (uint8_t)t;
	wire[9] = (uint8_t)(len >> 8);
	wire[10] = (uint8_t)len;
	memcpy(wire + 11, rd, len);
	ok = ldns_wire2rr(&rr, wire, 11 + len, &pos, LDNS_SECTION_ANSWER) ==
	        LDNS_STATUS_OK &&
	    pos == 11 + len &&
	    (desc == NULL ||
	        ldns_rr_rd_count(rr) >= ldns_rr_descriptor_minimum(desc)) &&
	    ldns_rr_rdata2buffer_wire(b, rr) == LDNS_STATUS_OK &&
	    ldns_buffer_position(b) == len &&
	    memcmp(ldns_buffer_begin(b), rd, len) == 0;
done:
	ldns_rr_free(rr);
	ldns_buffer_free(b);
	free(wire);
	return ok;
}

/* Types a ':' line may not make: tinydns-data's list (0, NS, CNAME, SOA,
 * PTR, MX, AXFR), and what no zone here holds (DNAME, OPT, meta and
 * query types). */
static int
generic_refused(uint16_t t)
{
	return t == 0 || t == T_NS || t == T_CNAME || t == T_SOA ||
	    t == T_PTR || t == T_MX || t == LDNS_RR_TYPE_DNAME ||
	    t == LDNS_RR_TYPE_OPT || (t >= 128 && t <= 255);
}

/* ':fqdn:n:rdata:ttl': a record of type n with the octal-escaped rdata. */
static int
make_generic(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	uint8_t fqdn[RB_DNAME_MAX];
	const char *why = "";
	uint32_t type, ttl;
	long len;
	int flen;

	if ((flen = get_name(l, ln, 0, "fqdn", fqdn)) < 0 ||
	    get_number(l, ln, 1, "n", 65535, 0, &type) < 0 ||
	    get_ttl(l, ln, 3, TTL_POSITIVE, &ttl) < 0)
		return -1;
	if (ln->f[1].n == 0)
		return rb_tinydns_bad(l, ln, "missing n (the type number)");
	if (generic_refused((uint16_t)type))
		return rb_tinydns_bad(l, ln,
		    "type %s cannot be given as a ':' line%s",
		    type_name((uint16_t)type),
		    type == T_NS || type == T_SOA || type == T_MX ||
		            type == T_CNAME || type == T_PTR ?
		        " (use its own line type)" :
		        "");
	if ((len = rb_tinydns_field_text(ln->f[2], l->rd, RDATA_MAX, &why)) < 0)
		return rb_tinydns_bad(l, ln, "bad rdata: %s", why);
	if (!rdata_fits((uint16_t)type, l->rd, (size_t)len))
		return rb_tinydns_bad(l, ln, "bad rdata: not a valid %s record",
		    type_name((uint16_t)type));
	return stage(l, ln, fqdn, (size_t)flen, (uint16_t)type, l->rd,
	    (size_t)len, ttl);
}

/* '%lo:ipprefix': checked; it can change nothing, as no record may have
 * a location. */
static int
make_location(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	const char *why = "";

	if (rb_tinydns_field_location(ln->f[0], ln->f[1], &why) < 0)
		return rb_tinydns_bad(l, ln, "%s", why);
	return 0;
}

int
rb_tinydns_rr_make(struct rb_tinydns_load *l, const struct rb_tinydns_line *ln)
{
	switch (ln->kind) {
	case '.':
	case '&':
		return make_ns(l, ln);
	case '=':
	case '+':
		return make_a(l, ln);
	case '@':
		return make_mx(l, ln);
	case '\'':
		return make_txt(l, ln);
	case '^':
	case 'C':
		return make_alias(l, ln);
	case 'Z':
		return make_soa(l, ln);
	case ':':
		return make_generic(l, ln);
	default: /* '%' */
		return make_location(l, ln);
	}
}
