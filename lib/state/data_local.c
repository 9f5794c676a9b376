/*
 * data_local: the base of data/local.cdb (doc/cdb.md).  Records from the
 * API store and from config local-data / local-data-ptr are staged as
 * (owner+type, rdata, ttl) and sorted; each run of equal owner+type becomes
 * one 'D' RRset with duplicates dropped, each run of equal owner one 'E'
 * type list.  Zones come from config local-zone, plus an implicit
 * transparent zone at the owner of any data no zone encloses, as unbound
 * does.
 *
 * Beside what rb-dnsd reads, the base keeps what lib/state/data_delta
 * needs to change one owner without the rest: the config's own records
 * ('C' RRsets, 'c' type lists), the config zones ('z'), and for each name
 * an empty non-terminal may stand at, how many owners below it reach it
 * ('U', 4 bytes), and the meta key RB_DATA_META.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "state/cdbw.h"
#include "state/data.h"
#include "state/data_int.h"
#include "state/entry.h"
#include "wire/dname.h"
#include "wire/rr.h"

int
rb_data_local_stage(struct rb_cdbw *recs, const struct rb_rr *rr)
{
	uint8_t key[RB_DNAME_MAX + 2];

	memcpy(key, rr->owner, (size_t)rr->owner_len);
	key[rr->owner_len] = (uint8_t)(rr->type >> 8);
	key[rr->owner_len + 1] = (uint8_t)rr->type;
	/* prio carries the TTL: among duplicates the largest sorts first. */
	return rb_cdbw_add(recs, key, (size_t)rr->owner_len + 2, rr->rdata,
	    rr->rdlen, (int)(rr->ttl > 0x7fffffffu ? 0x7fffffff : rr->ttl));
}

static int
conf_err(struct rb_err *e, const struct rb_conf_data *d)
{
	char msg[sizeof e->details];

	memcpy(msg, e->details, sizeof msg);
	return rb_err_set(e, RB_ERR_INVALID, "INVALID_CONFIG",
	    "%.200s:%d: %.300s", d->file ? d->file : "config", d->line, msg);
}

/* Every record into recs, the config's also into crecs. */
static int
stage_records(struct rb_cdbw *recs, struct rb_cdbw *crecs,
    const struct rb_conf *conf, const json_t *entries, struct rb_err *e)
{
	struct rb_rr rr;
	size_t i;
	json_t *v;

	json_array_foreach (entries, i, v) {
		if (rb_entry_dns_rr(v, &rr, e) < 0)
			return -1;
		if (rb_data_local_stage(recs, &rr) < 0)
			goto oom;
		rb_rr_fini(&rr);
	}
	for (i = 0; conf && i < conf->ndata; i++) {
		if (rb_rr_parse_line(conf->data[i].text, &rr, e) < 0)
			return conf_err(e, &conf->data[i]);
		if (rb_data_local_stage(recs, &rr) < 0 ||
		    rb_data_local_stage(crecs, &rr) < 0)
			goto oom;
		rb_rr_fini(&rr);
	}
	for (i = 0; conf && i < conf->nptrs; i++) {
		if (rb_rr_parse_ptr(conf->ptrs[i].text, &rr, e) < 0)
			return conf_err(e, &conf->ptrs[i]);
		if (rb_data_local_stage(recs, &rr) < 0 ||
		    rb_data_local_stage(crecs, &rr) < 0)
			goto oom;
		rb_rr_fini(&rr);
	}
	return 0;
oom:
	rb_rr_fini(&rr);
	return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
}

static int
stage_conf_zones(struct rb_cdbw *zones, const struct rb_conf *conf,
    struct rb_err *e)
{
	for (size_t i = 0; conf && i < conf->nzones; i++) {
		const struct rb_conf_zone *z = &conf->zones[i];
		uint8_t w[RB_DNAME_MAX], code;
		const char *why = NULL;
		int n = rb_dname_from_text(z->name, w, &why);

		code = (uint8_t)rb_data_zone_code(z->type);
		if (n < 0 || code == 0)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_CONFIG",
			    "%s:%d: local-zone '%s' %s: %s", z->file, z->line,
			    z->name, z->type, n < 0 ? why : "unknown type");
		/* always_* zones are blocks: they live in block.cdb. */
		if (code == RB_ZONE_ALWAYS_NXDOMAIN ||
		    code == RB_ZONE_ALWAYS_REFUSE)
			continue;
		if (z->builtin)
			code |= RB_ZONE_DEFAULT;
		/* Earlier lines win a duplicate: higher prio sorts first. */
		if (rb_cdbw_add(zones, w, (size_t)n, &code, 1,
		        (int)(conf->nzones - i)) < 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
	}
	return 0;
}

static int
zone_cmp(const void *key, const void *elt)
{
	const struct rb_cdbw_kv *k = key, *z = elt;

	return rb_cdbw_bytes_cmp(k->key, k->klen, z->key, z->klen);
}

static int
same_key(const struct rb_cdbw_kv *a, const struct rb_cdbw_kv *b, size_t trim)
{
	return a->klen == b->klen &&
	    memcmp(a->key, b->key, a->klen - trim) == 0;
}

/* Is the name exactly a key of the sorted set a? */
static int
in_set(const struct rb_cdbw *a, const uint8_t *name)
{
	struct rb_cdbw_kv k = { .key = (uint8_t *)name,
		.klen = (size_t)rb_dname_wire_len(name, RB_DNAME_MAX) };

	return a->n > 0 &&
	    bsearch(&k, a->v, a->n, sizeof *a->v, zone_cmp) != NULL;
}

/* Is name (wire) at or below one of the sorted zones? */
static int
enclosed(const struct rb_cdbw *zones, const uint8_t *name)
{
	for (int off = 0;; off += name[off] + 1) {
		if (in_set(zones, name + off))
			return 1;
		if (name[off] == 0)
			return 0;
	}
}

/* 'U' name, count: the owners whose walk reached name. */
static int
emit_counts(struct rb_cdbw *out, struct rb_cdbw *walked)
{
	uint8_t key[1 + RB_DNAME_MAX], n[4];

	rb_cdbw_sort(walked);
	for (size_t i = 0, j; i < walked->n; i = j) {
		for (j = i + 1;
		     j < walked->n && same_key(&walked->v[j], &walked->v[i], 0);
		     j++)
			;
		key[0] = 'U';
		memcpy(key + 1, walked->v[i].key, walked->v[i].klen);
		rb_put32(n, (uint32_t)(j - i));
		if (rb_cdbw_add(out, key, walked->v[i].klen + 1, n, 4, 0) < 0)
			return -1;
	}
	return 0;
}

/* Empty non-terminals: names between an owner and the apex of its zone,
 * the apex included, exist (NODATA, not NXDOMAIN), as in unbound's static
 * zones (where an apex with nothing below it does not).  They get an 'E'
 * key with no types.  Every name such a walk passes gets its 'U' count. */
static int
emit_empty_nonterminals(struct rb_cdbw *out, const struct rb_cdbw *recs,
    const struct rb_cdbw *zones)
{
	struct rb_cdbw owners = { 0 }, ents = { 0 }, walked = { 0 };
	uint8_t key[1 + RB_DNAME_MAX];
	int ret = -1;

	for (size_t i = 0; i < recs->n; i++)
		if ((i == 0 || !same_key(&recs->v[i - 1], &recs->v[i], 2)) &&
		    rb_cdbw_add(&owners, recs->v[i].key, recs->v[i].klen - 2,
		        NULL, 0, 0) < 0)
			goto done;
	for (size_t i = 0; i < owners.n; i++) {
		const uint8_t *name = owners.v[i].key;

		if (in_set(zones, name) || !enclosed(zones, name))
			continue;
		for (int off = name[0] + 1; name[off] != 0;
		     off += name[off] + 1) {
			size_t len = owners.v[i].klen - (size_t)off;
			if (rb_cdbw_add(&walked, name + off, len, NULL, 0, 0) <
			        0 ||
			    (!in_set(&owners, name + off) &&
			        rb_cdbw_add(&ents, name + off, len, NULL, 0,
			            0) < 0))
				goto done;
			if (in_set(zones, name + off))
				break; /* the apex */
		}
	}
	rb_cdbw_sort(&ents);
	for (size_t i = 0; i < ents.n; i++) {
		if (i > 0 && same_key(&ents.v[i - 1], &ents.v[i], 0))
			continue;
		key[0] = 'E';
		memcpy(key + 1, ents.v[i].key, ents.v[i].klen);
		if (rb_cdbw_add(out, key, ents.v[i].klen + 1, NULL, 0, 0) < 0)
			goto done;
	}
	ret = emit_counts(out, &walked);
done:
	rb_cdbw_free(&owners);
	rb_cdbw_free(&ents);
	rb_cdbw_free(&walked);
	return ret;
}

static int
add_implicit_zones(struct rb_cdbw *zones, const struct rb_cdbw *recs)
{
	size_t nconf = zones->n;
	uint8_t code = RB_ZONE_TRANSPARENT;
	struct rb_cdbw fixed = { zones->v, nconf, nconf };

	for (size_t i = 0; i < recs->n; i++) {
		const uint8_t *name = recs->v[i].key;
		size_t nlen = recs->v[i].klen - 2;

		if (i > 0 && recs->v[i - 1].klen == recs->v[i].klen &&
		    memcmp(recs->v[i - 1].key, name, nlen) == 0)
			continue;
		fixed.v = zones->v; /* zones->v may move as it grows */
		if (!enclosed(&fixed, name) &&
		    rb_cdbw_add(zones, name, nlen, &code, 1, 0) < 0)
			return -1;
	}
	return 0;
}

/* One RRset value under dkey: ttl(4) rdlen(2) rdata per distinct rdata. */
static int
emit_rrset(struct rb_cdbw *out, const struct rb_cdbw *recs, size_t from,
    size_t to, char dkey, uint8_t *buf, size_t cap)
{
	size_t len = 0;
	uint8_t key[1 + RB_DNAME_MAX + 2];

	for (size_t i = from; i < to; i++) {
		const struct rb_cdbw_kv *r = &recs->v[i];
		uint32_t ttl = (uint32_t)r->prio;

		if (i > from && recs->v[i - 1].vlen == r->vlen &&
		    memcmp(recs->v[i - 1].val, r->val, r->vlen) == 0)
			continue;
		if (len + 6 + r->vlen > cap)
			return -1; /* more than 64 KiB cannot be answered */
		buf[len++] = (uint8_t)(ttl >> 24);
		buf[len++] = (uint8_t)(ttl >> 16);
		buf[len++] = (uint8_t)(ttl >> 8);
		buf[len++] = (uint8_t)ttl;
		buf[len++] = (uint8_t)(r->vlen >> 8);
		buf[len++] = (uint8_t)r->vlen;
		memcpy(buf + len, r->val, r->vlen);
		len += r->vlen;
	}
	key[0] = (uint8_t)dkey;
	memcpy(key + 1, recs->v[from].key, recs->v[from].klen);
	return rb_cdbw_add(out, key, recs->v[from].klen + 1, buf, len, 0);
}

int
rb_data_local_emit(struct rb_cdbw *out, const struct rb_cdbw *recs, char dkey,
    char ekey, struct rb_err *e)
{
	static uint8_t buf[65536];
	uint8_t types[2 * 4096], key[1 + RB_DNAME_MAX];
	size_t ntypes = 0;

	for (size_t i = 0, j; i < recs->n; i = j) {
		const struct rb_cdbw_kv *r = &recs->v[i];

		for (j = i + 1; j < recs->n && same_key(&recs->v[j], r, 0); j++)
			;
		if (emit_rrset(out, recs, i, j, dkey, buf, sizeof buf) < 0)
			return rb_err_set(e, RB_ERR_REJECTED, "LIMIT_EXCEEDED",
			    "an RRset is larger than 64 KiB");
		if (ntypes < sizeof types) {
			types[ntypes++] = r->key[r->klen - 2];
			types[ntypes++] = r->key[r->klen - 1];
		}
		if (j < recs->n && same_key(&recs->v[j], r, 2))
			continue;
		key[0] = (uint8_t)ekey;
		memcpy(key + 1, r->key, r->klen - 2);
		if (rb_cdbw_add(out, key, r->klen - 1, types, ntypes, 0) < 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		ntypes = 0;
	}
	return 0;
}

static int
emit_zones(struct rb_cdbw *out, const struct rb_cdbw *zones, char zkey)
{
	uint8_t key[1 + RB_DNAME_MAX];

	for (size_t i = 0; i < zones->n; i++) {
		if (i > 0 && same_key(&zones->v[i - 1], &zones->v[i], 0))
			continue;
		key[0] = (uint8_t)zkey;
		memcpy(key + 1, zones->v[i].key, zones->v[i].klen);
		if (rb_cdbw_add(out, key, zones->v[i].klen + 1, zones->v[i].val,
		        1, 0) < 0)
			return -1;
	}
	return 0;
}

int
rb_data_local_build(const char *path, const struct rb_conf *conf,
    const json_t *entries, const char *meta, struct rb_err *e)
{
	struct rb_cdbw recs = { 0 }, crecs = { 0 }, zones = { 0 }, out = { 0 };
	int ret = -1;

	if (stage_records(&recs, &crecs, conf, entries, e) < 0 ||
	    stage_conf_zones(&zones, conf, e) < 0)
		goto done;
	rb_cdbw_sort(&recs);
	rb_cdbw_sort(&crecs);
	rb_cdbw_sort(&zones);
	/* The config's own, before the implicit zones join them. */
	if (emit_zones(&out, &zones, 'z') < 0 ||
	    rb_data_local_emit(&out, &crecs, 'C', 'c', e) < 0 ||
	    add_implicit_zones(&zones, &recs) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	rb_cdbw_sort(&zones);
	if (rb_data_local_emit(&out, &recs, 'D', 'E', e) < 0)
		goto done;
	if (emit_zones(&out, &zones, 'Z') < 0 ||
	    emit_empty_nonterminals(&out, &recs, &zones) < 0 ||
	    rb_cdbw_add(&out, RB_DATA_META, 1, meta, strlen(meta), 0) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	rb_cdbw_sort(&out);
	ret = rb_cdbw_write(&out, path, e);
done:
	rb_cdbw_free(&recs);
	rb_cdbw_free(&crecs);
	rb_cdbw_free(&zones);
	rb_cdbw_free(&out);
	return ret;
}
