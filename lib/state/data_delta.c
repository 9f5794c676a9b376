/*
 * data_delta: the deltas of data/local.cdb and data/block.cdb
 * (doc/cdb.md, "Deltas"): the latest state of every name changed since
 * the base, replaced whole by each write, so rb-dnsd sees a change before
 * it is acknowledged while the base stays as it is.
 *
 * A delta value is 'S' and the value the base would hold, or 'X' alone:
 * the key is gone.  rb-dnsd looks a key up in the delta first, then in
 * the base.  A write computes the keys of the names it changed from the
 * store (lib/state/coll) and what the base keeps for this ('C', 'c', 'z'
 * and 'U' keys of local.cdb, RB_DATA_BLOCK_CONF keys of block.cdb), reads
 * every other key through the old delta and the base, and writes the new
 * delta: the old one's pairs it did not change, then its own.  Its cost
 * is the old delta's size, not the store's.
 *
 * Local data follows the full build of lib/state/data_local exactly, one
 * owner at a time: the owner's records (store and config) give its 'D'
 * and 'E' keys; an owner no config zone encloses has its implicit zone
 * while it has data; and an owner inside a config zone that starts or
 * stops having data moves the 'U' count of each name its walk to the zone
 * passes, and with it whether that name is an empty non-terminal.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "base/bytes.h"
#include "base/hex.h"
#include "base/path.h"
#include "state/data.h"
#include "state/data_int.h"
#include "state/entry.h"
#include "sys/atomic.h"
#include "sys/root.h"
#include "wire/dname.h"

#define KEY_MAX (2 + RB_DNAME_MAX + 2)

/* A key this write set: val is 'S' and the value, or 'X' alone. */
struct change {
	uint8_t *key; /* NULL: a free slot; key and val are one allocation */
	uint8_t *val;
	size_t klen, vlen;
	unsigned h;
};

struct delta {
	int base_fd, old_fd; /* the base is read with pread: a write looks
	                      * up a few keys of a large file */
	struct cdb old;      /* the old delta, mapped: it is copied whole */
	struct change *tab;  /* this write's keys: an open-addressing table */
	size_t cap, n;
	void **bufs; /* values handed out, freed at free_bufs */
	size_t nbufs, capbufs;
};

static void free_bufs(struct delta *d);

static void
delta_close(struct delta *d)
{
	if (d->base_fd >= 0)
		(void)close(d->base_fd); /* read-only */
	if (d->old_fd >= 0) {
		cdb_free(&d->old);
		(void)close(d->old_fd);
	}
	for (size_t i = 0; i < d->cap; i++)
		free(d->tab[i].key);
	free(d->tab);
	free_bufs(d);
	free(d->bufs);
}

static int
delta_open(struct delta *d, const char *root, const char *name, int keep_old)
{
	char path[RB_PATH_MAX];

	memset(d, 0, sizeof *d);
	d->base_fd = d->old_fd = -1;
	rb_path(path, sizeof path, "%s/data/%s.cdb", root, name);
	if ((d->base_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 &&
	    errno != ENOENT)
		return -1;
	if (!keep_old)
		return 0;
	rb_path(path, sizeof path, "%s/data/%s.delta", root, name);
	if ((d->old_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (cdb_init(&d->old, d->old_fd) < 0) {
		(void)close(d->old_fd);
		d->old_fd = -1;
		return -1;
	}
	return 0;
}

/* A buffer of n bytes (at least one) that lives until free_bufs. */
static uint8_t *
buf_new(struct delta *d, size_t n)
{
	uint8_t *b;

	if (d->nbufs == d->capbufs) {
		size_t cap = d->capbufs ? 2 * d->capbufs : 16;
		void **v = realloc(d->bufs, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		d->bufs = v;
		d->capbufs = cap;
	}
	if ((b = malloc(n ? n : 1)) != NULL)
		d->bufs[d->nbufs++] = b;
	return b;
}

static const uint8_t *
base_get(struct delta *d, const uint8_t *key, size_t klen, size_t *vlen)
{
	unsigned dlen;
	uint8_t *b;

	if (d->base_fd < 0 ||
	    cdb_seek(d->base_fd, key, (unsigned)klen, &dlen) <= 0 ||
	    (b = buf_new(d, dlen)) == NULL ||
	    cdb_bread(d->base_fd, b, (int)dlen) < 0)
		return NULL;
	*vlen = dlen;
	return b;
}

static const uint8_t *
old_get(struct delta *d, const uint8_t *key, size_t klen, size_t *vlen)
{
	if (d->old_fd < 0 || cdb_find(&d->old, key, (unsigned)klen) <= 0)
		return NULL;
	*vlen = cdb_datalen(&d->old);
	return cdb_get(&d->old, cdb_datalen(&d->old), cdb_datapos(&d->old));
}

/* The slot for hash h in tab (cap a power of two): the first free one
 * from h on. */
static struct change *
chg_slot(struct change *tab, size_t cap, unsigned h)
{
	size_t i = h & (cap - 1);

	while (tab[i].key != NULL)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct change *
chg_find(const struct delta *d, const uint8_t *key, size_t klen, unsigned h)
{
	if (d->cap == 0)
		return NULL;
	for (size_t i = h & (d->cap - 1); d->tab[i].key != NULL;
	     i = (i + 1) & (d->cap - 1))
		if (d->tab[i].h == h && d->tab[i].klen == klen &&
		    memcmp(d->tab[i].key, key, klen) == 0)
			return &d->tab[i];
	return NULL;
}

static int
chg_grow(struct delta *d)
{
	size_t cap = d->cap ? 2 * d->cap : 64;
	struct change *tab = calloc(cap, sizeof *tab);

	if (tab == NULL)
		return -1;
	for (size_t i = 0; i < d->cap; i++)
		if (d->tab[i].key != NULL)
			*chg_slot(tab, cap, d->tab[i].h) = d->tab[i];
	free(d->tab);
	d->tab = tab;
	d->cap = cap;
	return 0;
}

/* The value of key now: this write's change, else the old delta's, else
 * the base's.  1 with *val and *vlen, 0 when absent or gone. */
static int
get(struct delta *d, const uint8_t *key, size_t klen, const uint8_t **val,
    size_t *vlen)
{
	const struct change *c = chg_find(d, key, klen,
	    cdb_hash(key, (unsigned)klen));
	const uint8_t *p;

	if (c != NULL) {
		if (c->vlen < 1 || c->val[0] != 'S')
			return 0;
		*val = c->val + 1;
		*vlen = c->vlen - 1;
		return 1;
	}
	if ((p = old_get(d, key, klen, vlen)) != NULL) {
		if (*vlen < 1 || p[0] != 'S')
			return 0;
		*val = p + 1;
		*vlen -= 1;
		return 1;
	}
	*val = base_get(d, key, klen, vlen);
	return *val != NULL;
}

/* The base's value of key (the keys only the base keeps: config). */
static int
get_base(struct delta *d, const uint8_t *key, size_t klen, const uint8_t **val,
    size_t *vlen)
{
	*val = base_get(d, key, klen, vlen);
	return *val != NULL;
}

/* Set key to val (vlen bytes), or to gone with val NULL. */
static int
set(struct delta *d, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	unsigned h = cdb_hash(key, (unsigned)klen);
	struct change *c;
	uint8_t *b;

	if (2 * (d->n + 1) > d->cap && chg_grow(d) < 0)
		return -1;
	if ((b = malloc(klen + 1 + vlen)) == NULL)
		return -1;
	memcpy(b, key, klen);
	b[klen] = val ? 'S' : 'X';
	if (val != NULL)
		memcpy(b + klen + 1, val, vlen);
	if ((c = chg_find(d, key, klen, h)) != NULL) {
		free(c->key);
	} else {
		c = chg_slot(d->tab, d->cap, h);
		d->n++;
	}
	c->key = b;
	c->klen = klen;
	c->val = b + klen;
	c->vlen = val ? vlen + 1 : 1;
	c->h = h;
	return 0;
}

static void
free_bufs(struct delta *d)
{
	for (size_t i = 0; i < d->nbufs; i++)
		free(d->bufs[i]);
	d->nbufs = 0;
}
/* The new delta at root/data/<name>.delta: meta, the old delta's pairs
 * this write did not change, then this write's. */
static int
delta_write(struct delta *d, const char *root, const char *name,
    const char *meta, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	struct rb_atomic a;
	struct cdb_make cm;
	unsigned pos;

	rb_path(path, sizeof path, "%s/data/%s.delta", root, name);
	if (rb_atomic_open(&a, path, 0644) < 0)
		return rb_err_sys(e, "create a delta of data/");
	if (cdb_make_start(&cm, a.fd) < 0 ||
	    cdb_make_add(&cm, RB_DATA_META, 1, meta, (unsigned)strlen(meta)) <
	        0)
		goto fail;
	if (d->old_fd >= 0) {
		cdb_seqinit(&pos, &d->old);
		while (cdb_seqnext(&pos, &d->old) > 0) {
			unsigned kl = cdb_keylen(&d->old);
			unsigned vl = cdb_datalen(&d->old);
			const void *kp = cdb_get(&d->old, kl,
			    cdb_keypos(&d->old));
			const void *vp = cdb_get(&d->old, vl,
			    cdb_datapos(&d->old));

			if (kp == NULL || vp == NULL || kl > KEY_MAX ||
			    (kl == 1 && memcmp(kp, RB_DATA_META, 1) == 0))
				continue;
			if (chg_find(d, kp, kl, cdb_hash(kp, kl)) != NULL)
				continue;
			if (cdb_make_add(&cm, kp, kl, vp, vl) < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < d->cap; i++)
		if (d->tab[i].key != NULL &&
		    cdb_make_add(&cm, d->tab[i].key, (unsigned)d->tab[i].klen,
		        d->tab[i].val, (unsigned)d->tab[i].vlen) < 0)
			goto fail;
	if (cdb_make_finish(&cm) < 0)
		goto fail;
	if (rb_atomic_commit(&a) < 0)
		return rb_err_sys(e, "commit a delta of data/");
	return 0;
fail:
	rb_atomic_abort(&a);
	return rb_err_sys(e, "write a delta of data/");
}

/* --- local.cdb --------------------------------------------------------- */

static size_t
mkkey(uint8_t *key, uint8_t prefix, const uint8_t *name, size_t nlen)
{
	key[0] = prefix;
	memcpy(key + 1, name, nlen);
	return nlen + 1;
}

/* Is name (wire, lower case) a config zone (the base's 'z' key)? */
static int
czone(struct delta *d, const uint8_t *name, size_t nlen)
{
	uint8_t key[KEY_MAX];
	const uint8_t *v;
	size_t vlen;

	return get_base(d, key, mkkey(key, 'z', name, nlen), &v, &vlen);
}

/* The offset in x of the closest config zone at or above it, or -1. */
static int
enclosing(struct delta *d, const uint8_t *x, size_t xlen)
{
	for (size_t off = 0;; off += x[off] + 1u) {
		if (czone(d, x + off, xlen - off))
			return (int)off;
		if (x[off] == 0)
			return -1;
	}
}

/* Stage the records of owner (wire x) now: the store's, then the
 * config's from the base's 'c' and 'C' keys. */
static int
stage_owner(struct delta *d, struct rb_coll_view *dns, const char *owner,
    const uint8_t *x, size_t xlen, struct rb_cdbw *recs, struct rb_err *e)
{
	uint8_t key[KEY_MAX];
	const uint8_t *types, *v;
	size_t ntypes, vlen, i;
	json_t *ids = rb_coll_owner_ids(dns, owner), *id;
	struct rb_rr rr;

	if (ids == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	json_array_foreach (ids, i, id) {
		json_t *ent = rb_coll_find(dns, json_string_value(id));
		if (ent == NULL)
			continue;
		if (rb_entry_dns_rr(ent, &rr, e) < 0) {
			json_decref(ids);
			return -1;
		}
		if (rb_data_local_stage(recs, &rr) < 0) {
			rb_rr_fini(&rr);
			json_decref(ids);
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		}
		rb_rr_fini(&rr);
	}
	json_decref(ids);
	if (!get_base(d, key, mkkey(key, 'c', x, xlen), &types, &ntypes))
		return 0;
	for (i = 0; i + 1 < ntypes; i += 2) {
		size_t klen = mkkey(key, 'C', x, xlen);

		key[klen++] = types[i];
		key[klen++] = types[i + 1];
		if (!get_base(d, key, klen, &v, &vlen))
			continue;
		/* Back into records: ttl(4) rdlen(2) rdata, repeated. */
		for (size_t o = 0; o + 6 <= vlen;) {
			size_t rdlen = rb_get16(v + o + 4);
			uint8_t rk[RB_DNAME_MAX + 2];

			if (o + 6 + rdlen > vlen)
				break;
			memcpy(rk, x, xlen);
			rk[xlen] = types[i];
			rk[xlen + 1] = types[i + 1];
			if (rb_cdbw_add(recs, rk, xlen + 2, v + o + 6, rdlen,
			        (int)(rb_get32(v + o) & 0x7fffffff)) < 0)
				return rb_err_set(e, RB_ERR_SYSTEM,
				    "INTERNAL_ERROR", "out of memory");
			o += 6 + rdlen;
		}
	}
	return 0;
}

/* 1 when name's 'E' list now holds a type (an owner). */
static int
is_owner(struct delta *d, const uint8_t *name, size_t nlen)
{
	uint8_t key[KEY_MAX];
	const uint8_t *v;
	size_t vlen;

	return get(d, key, mkkey(key, 'E', name, nlen), &v, &vlen) && vlen >= 2;
}

static uint32_t
count_at(struct delta *d, const uint8_t *name, size_t nlen)
{
	uint8_t key[KEY_MAX];
	const uint8_t *v;
	size_t vlen;

	if (!get(d, key, mkkey(key, 'U', name, nlen), &v, &vlen) || vlen != 4)
		return 0;
	return rb_get32(v);
}

/* name is not an owner: an empty non-terminal while walks reach it. */
static int
set_ent(struct delta *d, const uint8_t *name, size_t nlen, uint32_t count)
{
	uint8_t key[KEY_MAX];
	size_t klen = mkkey(key, 'E', name, nlen);

	return set(d, key, klen, count > 0 ? (const uint8_t *)"" : NULL, 0);
}

/* An owner inside a config zone started (up 1) or stopped (up 0) having
 * data: each name its walk passes, up to the zone's apex included, counts
 * it. */
static int
walk(struct delta *d, const uint8_t *x, size_t xlen, int up)
{
	uint8_t key[KEY_MAX], n[4];

	for (size_t off = x[0] + 1u; x[off] != 0; off += x[off] + 1u) {
		const uint8_t *a = x + off;
		size_t alen = xlen - off;
		int apex = czone(d, a, alen);
		uint32_t c;

		c = count_at(d, a, alen);
		c = up ? c + 1 : (c > 0 ? c - 1 : 0);
		rb_put32(n, c);
		/* No walk reaches it: no count, as the full build has. */
		if (set(d, key, mkkey(key, 'U', a, alen), c > 0 ? n : NULL, 4) <
		    0)
			return -1;
		if (!is_owner(d, a, alen) && set_ent(d, a, alen, c) < 0)
			return -1;
		if (apex)
			break;
	}
	return 0;
}

/* The keys of one owner from its staged records (sorted). */
static int
put_owner(struct delta *d, const uint8_t *x, size_t xlen,
    const struct rb_cdbw *recs, struct rb_err *e)
{
	struct rb_cdbw out = { 0 };
	uint8_t key[KEY_MAX];
	const uint8_t *old;
	size_t oldn = 0, klen;
	int r = -1;

	if (rb_data_local_emit(&out, recs, 'D', 'E', e) < 0)
		goto done;
	/* Types the owner had and has no more: their RRsets go. */
	if (get(d, key, mkkey(key, 'E', x, xlen), &old, &oldn)) {
		uint8_t *types = malloc(oldn ? oldn : 1);

		if (types == NULL)
			goto oom;
		memcpy(types, old, oldn);
		for (size_t i = 0; i + 1 < oldn; i += 2) {
			klen = mkkey(key, 'D', x, xlen);
			key[klen++] = types[i];
			key[klen++] = types[i + 1];
			if (set(d, key, klen, NULL, 0) < 0) {
				free(types);
				goto oom;
			}
		}
		free(types);
	}
	/* No records: no type list either (a walk may make it an empty
	 * non-terminal after). */
	if (out.n == 0 && set(d, key, mkkey(key, 'E', x, xlen), NULL, 0) < 0)
		goto oom;
	for (size_t i = 0; i < out.n; i++)
		if (set(d, out.v[i].key, out.v[i].klen, out.v[i].val,
		        out.v[i].vlen) < 0)
			goto oom;
	r = 0;
	goto done;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
done:
	rb_cdbw_free(&out);
	return r;
}

/* Recompute every key of owner (text, as the store keeps it). */
static int
local_owner(struct delta *d, struct rb_coll_view *dns, const char *owner,
    struct rb_err *e)
{
	static const uint8_t transparent = RB_ZONE_TRANSPARENT;
	struct rb_cdbw recs = { 0 };
	uint8_t x[RB_DNAME_MAX], key[KEY_MAX];
	const char *why;
	int n = rb_dname_from_text(owner, x, &why), was, now, zoff, r = -1;
	size_t xlen;

	if (n < 0)
		return 0; /* no record can be at a name that is not one */
	rb_dname_lower(x);
	xlen = (size_t)n;
	was = is_owner(d, x, xlen);
	if (stage_owner(d, dns, owner, x, xlen, &recs, e) < 0)
		goto done;
	rb_cdbw_sort(&recs);
	now = recs.n > 0;
	if (put_owner(d, x, xlen, &recs, e) < 0)
		goto done;
	zoff = enclosing(d, x, xlen);
	if (zoff < 0) {
		/* unbound's implicit transparent zone, while it has data */
		if (set(d, key, mkkey(key, 'Z', x, xlen),
		        now ? &transparent : NULL, 1) < 0)
			goto oom;
	} else {
		/* An apex makes no walk (its zone starts there) but may be
		 * an empty non-terminal of the owners below it. */
		if (zoff > 0 && was != now && walk(d, x, xlen, now) < 0)
			goto oom;
		if (!now && set_ent(d, x, xlen, count_at(d, x, xlen)) < 0)
			goto oom;
	}
	r = 0;
	goto done;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
done:
	rb_cdbw_free(&recs);
	free_bufs(d);
	return r;
}

struct all {
	struct delta *d;
	struct rb_coll_view *v, *other;
	struct rb_err *e;
	int (*one)(struct all *a, const char *name);
};

static int
one_local(struct all *a, const char *name)
{
	return local_owner(a->d, a->v, name, a->e);
}

static int
each_changed(void *ctx, int op, const char *name)
{
	struct all *a = ctx;

	return a->one(a, name);
}

int
rb_data_delta_local(const char *root, struct rb_store *s, json_t *owners,
    int keep_old, const char *meta, struct rb_err *e)
{
	struct delta d;
	struct all a = { &d, rb_store_view(s, RB_COLL_DNS), NULL, e,
		one_local };
	const char *k;
	json_t *x;
	int r = -1;

	if (delta_open(&d, root, "local", keep_old && owners != NULL) < 0) {
		rb_err_sys(e, "open data/local");
		goto done;
	}
	if (owners == NULL) {
		if (rb_coll_changed(a.v, each_changed, &a) < 0)
			goto done;
	} else {
		json_object_foreach (owners, k, x)
			if (local_owner(&d, a.v, k, e) < 0)
				goto done;
	}
	r = delta_write(&d, root, "local", meta, e);
done:
	free_bufs(&d);
	delta_close(&d);
	return r;
}

/* --- block.cdb --------------------------------------------------------- */

static int
block_name(struct delta *d, struct rb_coll_view *black,
    struct rb_coll_view *allow, const char *domain, struct rb_err *e)
{
	uint8_t x[RB_DNAME_MAX], key[1 + RB_DNAME_MAX];
	const uint8_t *cv;
	const char *why, *id;
	char lower[RB_DNAME_MAX * 4 + 2];
	size_t cvlen;
	json_t *ent;
	uint8_t act = 0;
	int n = rb_dname_from_text(domain, x, &why);

	if (n < 0)
		return 0;
	rb_dname_lower(x);
	/* The lists' uniqueness key: the domain in lower case. */
	snprintf(lower, sizeof lower, "%s", domain);
	for (size_t i = 0; lower[i]; i++)
		lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ?
		        lower[i] + 32 :
		        lower[i]);
	if (rb_coll_id_of(allow, lower) != NULL) {
		act = 'A';
	} else if ((id = rb_coll_id_of(black, lower)) != NULL &&
	    (ent = rb_coll_find(black, id)) != NULL) {
		act = (uint8_t)rb_data_block_action(ent);
	} else {
		key[0] = RB_DATA_BLOCK_CONF;
		memcpy(key + 1, x, (size_t)n);
		if (get_base(d, key, (size_t)n + 1, &cv, &cvlen) && cvlen == 1)
			act = cv[0];
	}
	if (set(d, x, (size_t)n, act ? &act : NULL, 1) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	free_bufs(d);
	return 0;
}

static int
one_block(struct all *a, const char *name)
{
	return block_name(a->d, a->v, a->other, name, a->e);
}

int
rb_data_delta_block(const char *root, struct rb_store *s, json_t *black,
    json_t *allow, int keep_old, const char *meta, struct rb_err *e)
{
	struct delta d;
	struct all a = { &d, rb_store_view(s, RB_COLL_BLACKLIST),
		rb_store_view(s, RB_COLL_ALLOWLIST), e, one_block };
	json_t *lists[2] = { black, allow }, *x;
	const char *k;
	int all = black == NULL || allow == NULL, r = -1;

	if (delta_open(&d, root, "block", keep_old && !all) < 0) {
		rb_err_sys(e, "open data/block");
		goto done;
	}
	if (all) {
		if (rb_coll_changed(a.v, each_changed, &a) < 0 ||
		    rb_coll_changed(a.other, each_changed, &a) < 0)
			goto done;
	} else {
		for (int i = 0; i < 2; i++)
			json_object_foreach (lists[i], k, x)
				if (block_name(&d, a.v, a.other, k, e) < 0)
					goto done;
	}
	r = delta_write(&d, root, "block", meta, e);
done:
	free_bufs(&d);
	delta_close(&d);
	return r;
}
