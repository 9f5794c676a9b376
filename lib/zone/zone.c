/*
 * zone: master files (RFC 1035 section 5) read record by record with
 * ldns, so each error names its line, and compiled into data/zones.cdb.
 * Invariants of the output (doc/cdb.md, "data/zones.cdb"):
 *
 * - Every name is lower-case wire form; rdata is uncompressed wire form.
 * - Each zone has exactly one SOA, at its apex, and a 'Z' key.
 * - Every name that exists in a zone has an 'E' key: owners with their
 *   types, and empty non-terminals (names between an owner and its apex)
 *   with none, so rb-dnsd tells NODATA from NXDOMAIN with one lookup.
 * - A name with a CNAME has no other data; zones do not nest.
 * - The output is a pure function of the records: pairs are sorted and
 *   duplicate records dropped.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <ldns/ldns.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "zone/tinydns.h"
#include "zone/zone.h"

#define ZONE_ERR(d, file, line, ...) \
	(errno = EINVAL, rb_diag_set(d, file, line, __VA_ARGS__))

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The default $ORIGIN: "example.com" from "zones.example.com", else the
 * root; NULL on ENOMEM. */
static ldns_rdf *
default_origin(const char *fname)
{
	const char *b = base_name(fname);
	ldns_rdf *o = NULL;

	if (strncmp(b, "zones.", 6) == 0 && b[6] != '\0' &&
	    ldns_str2rdf_dname(&o, b + 6) == LDNS_STATUS_OK)
		return o;
	return ldns_dname_new_frm_str(".");
}

/* Is wire name n (lower-case) at or below wire name apex? */
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

/* Types a zone may not hold: meta and query types, OPT, and DNAME, which
 * rb-dnsd does not implement. */
static int
bad_type(uint16_t t)
{
	return t == 0 || t == LDNS_RR_TYPE_OPT || t == LDNS_RR_TYPE_DNAME ||
	    (t >= 128 && t <= 255);
}

/* An RR's owner as lower-case wire name into w; length or -1. */
static int
owner_wire(const ldns_rr *rr, uint8_t *w)
{
	const ldns_rdf *o = ldns_rr_owner(rr);
	size_t n = ldns_rdf_size(o);

	if (n == 0 || n > RB_DNAME_MAX ||
	    rb_dname_wire_len(ldns_rdf_data(o), n) != (int)n)
		return -1;
	memcpy(w, ldns_rdf_data(o), n);
	rb_dname_lower(w);
	return (int)n;
}

/* Stage one record; its key is owner+type, its value the wire rdata. */
static int
stage(struct rb_zoneset *zs, const ldns_rr *rr, const uint8_t *w, size_t wlen,
    ldns_buffer *b)
{
	uint8_t key[RB_DNAME_MAX + 2];
	uint16_t t = (uint16_t)ldns_rr_get_type(rr);
	uint32_t ttl = ldns_rr_ttl(rr);

	ldns_buffer_clear(b);
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK ||
	    ldns_buffer_position(b) > 0xffff)
		return -1;
	memcpy(key, w, wlen);
	key[wlen] = (uint8_t)(t >> 8);
	key[wlen + 1] = (uint8_t)t;
	return rb_cdbw_add(&zs->recs, key, wlen + 2, ldns_buffer_begin(b),
	    ldns_buffer_position(b),
	    (int)(ttl > 0x7fffffffu ? 0x7fffffff : ttl));
}

/* The apex's 'Z' value: the SOA record as ttl(4) rdlen(2) rdata. */
static int
add_apex(struct rb_zoneset *zs, const ldns_rr *rr, const uint8_t *w,
    size_t wlen, ldns_buffer *b)
{
	uint8_t val[6 + 2 * RB_DNAME_MAX + 20];
	uint32_t ttl = ldns_rr_ttl(rr);
	size_t rdlen;

	ldns_buffer_clear(b);
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK ||
	    (rdlen = ldns_buffer_position(b)) > sizeof val - 6 || rdlen < 22)
		return -1;
	val[0] = (uint8_t)(ttl >> 24);
	val[1] = (uint8_t)(ttl >> 16);
	val[2] = (uint8_t)(ttl >> 8);
	val[3] = (uint8_t)ttl;
	val[4] = (uint8_t)(rdlen >> 8);
	val[5] = (uint8_t)rdlen;
	memcpy(val + 6, ldns_buffer_begin(b), rdlen);
	return rb_cdbw_add(&zs->apexes, w, wlen, val, rdlen + 6, 0);
}

static int
have_apex(const struct rb_zoneset *zs, const uint8_t *w, size_t wlen)
{
	for (size_t i = 0; i < zs->apexes.n; i++) {
		const struct rb_cdbw_kv *a = &zs->apexes.v[i];
		if (below(w, wlen, a->key, a->klen) ||
		    below(a->key, a->klen, w, wlen))
			return 1;
	}
	return 0;
}

/* Check and stage one parsed record of the zone at apex (alen 0: none
 * yet, rr must be its SOA). */
static int
take_rr(struct rb_zoneset *zs, const ldns_rr *rr, uint8_t *apex, size_t *alen,
    ldns_buffer *b, const char *fname, int line, struct rb_diag *d)
{
	uint8_t w[RB_DNAME_MAX];
	uint16_t t = (uint16_t)ldns_rr_get_type(rr);
	int wlen = owner_wire(rr, w);

	if (wlen < 0)
		return ZONE_ERR(d, fname, line, "bad owner name");
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return ZONE_ERR(d, fname, line, "only class IN is supported");
	if (bad_type(t))
		return ZONE_ERR(d, fname, line, "type %u is not supported",
		    (unsigned)t);
	if (*alen == 0 && t != LDNS_RR_TYPE_SOA)
		return ZONE_ERR(d, fname, line,
		    "the first record must be the zone's SOA");
	if (*alen == 0) {
		if (have_apex(zs, w, (size_t)wlen))
			return ZONE_ERR(d, fname, line,
			    "zone overlaps a zone already loaded");
		if (add_apex(zs, rr, w, (size_t)wlen, b) < 0)
			return ZONE_ERR(d, fname, line, "bad SOA record");
		memcpy(apex, w, (size_t)wlen);
		*alen = (size_t)wlen;
	} else if (t == LDNS_RR_TYPE_SOA) {
		return ZONE_ERR(d, fname, line, "a zone has one SOA");
	} else if (!below(w, (size_t)wlen, apex, *alen)) {
		return ZONE_ERR(d, fname, line, "record is outside the zone");
	}
	if (stage(zs, rr, w, (size_t)wlen, b) < 0)
		return rb_diag_set(d, fname, line, "out of memory");
	return 0;
}

static int
load_master(struct rb_zoneset *zs, FILE *fp, const char *fname,
    struct rb_diag *d)
{
	uint8_t apex[RB_DNAME_MAX];
	size_t alen = 0;
	uint32_t ttl = 3600;
	ldns_rdf *origin = default_origin(fname), *prev = NULL;
	ldns_buffer *b = ldns_buffer_new(512);
	int line = 0, ret = -1;

	if (origin == NULL || b == NULL) {
		errno = ENOMEM;
		rb_diag_set(d, fname, 0, "out of memory");
		goto fail;
	}
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin,
		    &prev, &line);

		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			ZONE_ERR(d, fname, line, "$INCLUDE is not supported");
			goto fail;
		}
		if (st != LDNS_STATUS_OK) {
			ZONE_ERR(d, fname, line, "%s",
			    ldns_get_errorstr_by_id(st));
			goto fail;
		}
		st = take_rr(zs, rr, apex, &alen, b, fname, line, d) < 0 ?
		    LDNS_STATUS_ERR :
		    LDNS_STATUS_OK;
		ldns_rr_free(rr);
		if (st != LDNS_STATUS_OK)
			goto fail;
	}
	if (ferror(fp)) {
		rb_diag_set(d, fname, line, "read error: %s", strerror(errno));
		goto fail;
	}
	if (alen == 0) {
		ZONE_ERR(d, fname, 0, "no SOA record: a zone needs one");
		goto fail;
	}
	ret = 0;
fail:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	ldns_buffer_free(b);
	return ret;
}

/* All of fp in a new buffer (caller frees) of *len bytes; NULL with
 * errno set on failure. */
static char *
slurp(FILE *fp, size_t *len)
{
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		n += (r = fread(buf + n, 1, cap - n, fp));
	} while (r > 0);
	if (ferror(fp)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* tinydns-data's default SOA serial: the file's mtime, 1 when it is 0 or
 * fp is no file. */
static uint32_t
mtime_serial(FILE *fp)
{
	struct stat st;
	int fd = fileno(fp);

	if (fd < 0 || fstat(fd, &st) < 0 || (uint32_t)st.st_mtime == 0)
		return 1;
	return (uint32_t)st.st_mtime;
}

/* A file is tinydns-data or a master file, by its first line that is not
 * blank (rb_tinydns_sniff); master files go to ldns as a stream. */
int
rb_zone_load(struct rb_zoneset *zs, FILE *fp, const char *fname,
    struct rb_diag *d)
{
	size_t len = 0;
	char *text = slurp(fp, &len);
	FILE *mem;
	int ret;

	if (text == NULL) {
		int e = errno;
		rb_diag_set(d, fname, 0, "read error: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (rb_tinydns_sniff(text, len)) {
		ret = rb_tinydns_load(zs, text, len, fname, mtime_serial(fp),
		    d);
	} else if ((mem = fmemopen(text, len, "r")) == NULL) {
		ret = rb_diag_set(d, fname, 0, "out of memory");
		errno = ENOMEM;
	} else {
		ret = load_master(zs, mem, fname, d);
		fclose(mem);
	}
	free(text);
	return ret;
}

static int
kv_cmp(const void *key, const void *elt)
{
	const struct rb_cdbw_kv *k = key, *z = elt;

	return rb_cdbw_bytes_cmp(k->key, k->klen, z->key, z->klen);
}

/* Is the wire name exactly a key of the sorted set a? */
static int
in_set(const struct rb_cdbw *a, const uint8_t *name, size_t nlen)
{
	struct rb_cdbw_kv k = { .key = (uint8_t *)name, .klen = nlen };

	return a->n > 0 &&
	    bsearch(&k, a->v, a->n, sizeof *a->v, kv_cmp) != NULL;
}

static int
put_key(struct rb_cdbw *out, uint8_t prefix, const uint8_t *name, size_t nlen,
    const void *val, size_t vlen)
{
	uint8_t key[1 + RB_DNAME_MAX + 2];

	key[0] = prefix;
	memcpy(key + 1, name, nlen);
	return rb_cdbw_add(out, key, nlen + 1, val, vlen, 0);
}

/* One RRset from the run recs[i..j) of equal owner+type, duplicates
 * dropped (the first of equal rdata has the largest TTL). */
static int
emit_rrset(struct rb_cdbw *out, const struct rb_cdbw_kv *r, size_t n)
{
	uint8_t *val = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (n == 0)
		return 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t ttl = (uint32_t)r[i].prio;
		uint8_t *p;

		if (i > 0 && r[i].vlen == r[i - 1].vlen &&
		    memcmp(r[i].val, r[i - 1].val, r[i].vlen) == 0)
			continue;
		if (len + 6 + r[i].vlen > cap) {
			cap = 2 * (len + 6 + r[i].vlen);
			if ((p = realloc(val, cap)) == NULL) {
				free(val);
				return -1;
			}
			val = p;
		}
		p = val + len;
		p[0] = (uint8_t)(ttl >> 24);
		p[1] = (uint8_t)(ttl >> 16);
		p[2] = (uint8_t)(ttl >> 8);
		p[3] = (uint8_t)ttl;
		p[4] = (uint8_t)(r[i].vlen >> 8);
		p[5] = (uint8_t)r[i].vlen;
		memcpy(p + 6, r[i].val, r[i].vlen);
		len += 6 + r[i].vlen;
	}
	/* The key is owner+type, as staged. */
	ret = put_key(out, 'D', r[0].key, r[0].klen, val, len);
	free(val);
	return ret;
}

static int
same_owner(const struct rb_cdbw_kv *a, const struct rb_cdbw_kv *b)
{
	return a->klen == b->klen && memcmp(a->key, b->key, a->klen - 2) == 0;
}

static const char *
name_text(const uint8_t *w, char *buf, size_t len)
{
	return rb_dname_to_text(w, buf, len) < 0 ? "(name)" : buf;
}

/* The 'E' key of the owner run r[0..n): its types, ascending; a CNAME
 * must be alone. */
static int
emit_types(struct rb_cdbw *out, const struct rb_cdbw_kv *r, size_t n,
    struct rb_diag *d)
{
	uint8_t types[2 * 512];
	size_t nt = 0, olen = r[0].klen - 2;
	char text[1024];

	for (size_t i = 0; i < n; i++) {
		const uint8_t *t = r[i].key + olen;
		if (nt > 0 && memcmp(types + nt - 2, t, 2) == 0)
			continue;
		if (nt == sizeof types)
			return ZONE_ERR(d, "", 0, "%s: too many types",
			    name_text(r[0].key, text, sizeof text));
		memcpy(types + nt, t, 2);
		nt += 2;
	}
	for (size_t i = 0; i < nt; i += 2)
		if (types[i] == 0 && types[i + 1] == LDNS_RR_TYPE_CNAME &&
		    nt > 2)
			return ZONE_ERR(d, "", 0, "%s: CNAME and other data",
			    name_text(r[0].key, text, sizeof text));
	if (put_key(out, 'E', r[0].key, olen, types, nt) < 0)
		return rb_diag_set(d, "", 0, "out of memory");
	return 0;
}

/* Every owner's 'D' and 'E' keys. */
static int
emit_records(struct rb_cdbw *out, const struct rb_cdbw *recs, struct rb_diag *d)
{
	size_t i = 0, j, k;

	while (i < recs->n) {
		for (j = i; j < recs->n && same_owner(&recs->v[i], &recs->v[j]);
		     j++)
			;
		for (k = i; k < j;) {
			size_t m = k;
			while (m < j && recs->v[m].klen == recs->v[k].klen &&
			    memcmp(recs->v[m].key, recs->v[k].key,
			        recs->v[k].klen) == 0)
				m++;
			if (emit_rrset(out, recs->v + k, m - k) < 0)
				return rb_diag_set(d, "", 0, "out of memory");
			k = m;
		}
		if (emit_types(out, recs->v + i, j - i, d) < 0)
			return -1;
		i = j;
	}
	return 0;
}

/* Empty non-terminals: names strictly between an owner and its apex that
 * own nothing, collected in ents (unsorted, maybe repeated). */
static int
collect_ents(struct rb_cdbw *ents, const struct rb_cdbw *owners,
    const struct rb_cdbw *apexes)
{
	for (size_t i = 0; i < owners->n; i++) {
		const uint8_t *n = owners->v[i].key;
		size_t nlen = owners->v[i].klen;

		if (n[0] == 0 || in_set(apexes, n, nlen))
			continue;
		for (size_t off = n[0] + 1u; off < nlen; off += n[off] + 1u) {
			if (in_set(apexes, n + off, nlen - off) || n[off] == 0)
				break;
			if (!in_set(owners, n + off, nlen - off) &&
			    rb_cdbw_add(ents, n + off, nlen - off, NULL, 0, 0) <
			        0)
				return -1;
		}
	}
	return 0;
}

static int
emit_ents(struct rb_cdbw *out, const struct rb_cdbw *recs,
    const struct rb_cdbw *apexes)
{
	struct rb_cdbw owners = { 0 }, ents = { 0 };
	int ret = -1;

	for (size_t i = 0; i < recs->n; i++)
		if ((i == 0 || !same_owner(&recs->v[i - 1], &recs->v[i])) &&
		    rb_cdbw_add(&owners, recs->v[i].key, recs->v[i].klen - 2,
		        NULL, 0, 0) < 0)
			goto done;
	rb_cdbw_sort(&owners);
	if (collect_ents(&ents, &owners, apexes) < 0)
		goto done;
	rb_cdbw_sort(&ents);
	for (size_t i = 0; i < ents.n; i++) {
		if (i > 0 && ents.v[i].klen == ents.v[i - 1].klen &&
		    memcmp(ents.v[i].key, ents.v[i - 1].key, ents.v[i].klen) ==
		        0)
			continue;
		if (put_key(out, 'E', ents.v[i].key, ents.v[i].klen, NULL, 0) <
		    0)
			goto done;
	}
	ret = 0;
done:
	rb_cdbw_free(&owners);
	rb_cdbw_free(&ents);
	return ret;
}

/* Is wire name n (lower-case) at or below an apex of apexes, sorted? */
static int
held(const struct rb_cdbw *apexes, const uint8_t *n, size_t nlen)
{
	for (size_t off = 0; off < nlen; off += n[off] + 1u) {
		size_t lo = 0, hi = apexes->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct rb_cdbw_kv *a = &apexes->v[mid];
			int c = rb_cdbw_bytes_cmp(a->key, a->klen, n + off,
			    nlen - off);

			if (c == 0)
				return 1;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (n[off] == 0)
			break;
	}
	return 0;
}

/* The loose records some zone holds join the others; the rest stay in
 * loose, counted in dropped.  Apexes are sorted first: each record costs
 * one binary search per label, whatever the number of zones. */
static int
place_loose(struct rb_zoneset *zs)
{
	size_t keep = 0;

	rb_cdbw_sort(&zs->apexes);
	for (size_t i = 0; i < zs->loose.n; i++) {
		struct rb_cdbw_kv *kv = &zs->loose.v[i];

		if (!held(&zs->apexes, kv->key, kv->klen - 2)) {
			zs->loose.v[keep++] = *kv;
			continue;
		}
		if (rb_cdbw_add(&zs->recs, kv->key, kv->klen, kv->val, kv->vlen,
		        kv->prio) < 0)
			return -1;
		free(kv->key);
	}
	zs->loose.n = keep;
	zs->dropped = keep;
	return 0;
}

int
rb_zone_build(struct rb_zoneset *zs, struct rb_cdbw *out, struct rb_diag *d)
{
	if (place_loose(zs) < 0)
		return rb_diag_set(d, "", 0, "out of memory");
	rb_cdbw_sort(&zs->recs);
	rb_cdbw_sort(&zs->apexes);
	if (emit_records(out, &zs->recs, d) < 0)
		return -1;
	for (size_t i = 0; i < zs->apexes.n; i++) {
		const struct rb_cdbw_kv *a = &zs->apexes.v[i];
		if (put_key(out, 'Z', a->key, a->klen, a->val, a->vlen) < 0)
			return rb_diag_set(d, "", 0, "out of memory");
	}
	if (emit_ents(out, &zs->recs, &zs->apexes) < 0)
		return rb_diag_set(d, "", 0, "out of memory");
	rb_cdbw_sort(out);
	return 0;
}

void
rb_zone_fini(struct rb_zoneset *zs)
{
	rb_cdbw_free(&zs->recs);
	rb_cdbw_free(&zs->apexes);
	rb_cdbw_free(&zs->loose);
}

long
rb_zone_soa_serial_at(const uint8_t *rd, size_t len)
{
	int a, b;

	if ((a = rb_dname_wire_len(rd, len)) < 0 ||
	    (b = rb_dname_wire_len(rd + a, len - (size_t)a)) < 0 ||
	    (size_t)a + (size_t)b + 20 > len)
		return -1;
	return a + b;
}

int
rb_zone_set_serial(struct rb_zoneset *zs, uint32_t serial)
{
	/* The apex values: ttl(4) rdlen(2) rdata. */
	for (size_t i = 0; i < zs->apexes.n; i++) {
		struct rb_cdbw_kv *kv = &zs->apexes.v[i];
		long at;

		if (kv->vlen < 6 ||
		    (at = rb_zone_soa_serial_at(kv->val + 6, kv->vlen - 6)) < 0)
			return -1;
		rb_put32(kv->val + 6 + at, serial);
	}
	/* The SOA RRsets among the records: owner+type(2) -> rdata. */
	for (size_t i = 0; i < zs->recs.n; i++) {
		struct rb_cdbw_kv *kv = &zs->recs.v[i];
		long at;

		if (kv->klen < 3 || kv->key[kv->klen - 2] != 0 ||
		    kv->key[kv->klen - 1] != 6)
			continue;
		if ((at = rb_zone_soa_serial_at(kv->val, kv->vlen)) < 0)
			return -1;
		rb_put32(kv->val + at, serial);
	}
	return 0;
}
