/*
 * zonediff: both versions of the zone are listed into arrays, sorted in
 * one total order (owner bytes, type, rdata, TTL), then merged: a record
 * in one list and not the other is a change.  Memory is two record
 * arrays, 40 bytes a record, which only rb-axfr pays.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone/zonediff.h"

struct list {
	struct rb_zonedb_rr *v;
	size_t n, cap;
};

static int
push(void *arg, const struct rb_zonedb_rr *rr)
{
	struct list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct rb_zonedb_rr *v = reallocarray(l->v, cap, sizeof *v);
		if (v == NULL)
			return 1; /* stops the walk: ENOMEM */
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *rr;
	return 0;
}

static int
bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
rr_cmp(const void *pa, const void *pb)
{
	const struct rb_zonedb_rr *a = pa, *b = pb;
	int c = bytes_cmp(a->owner, a->olen, b->owner, b->olen);

	if (c == 0 && a->type != b->type)
		c = a->type < b->type ? -1 : 1;
	if (c == 0)
		c = bytes_cmp(a->rdata, a->rdlen, b->rdata, b->rdlen);
	if (c == 0 && a->ttl != b->ttl)
		c = a->ttl < b->ttl ? -1 : 1;
	return c;
}

static int
list_zone(struct list *l, struct rb_zonedb *db, const uint8_t *apex,
    size_t alen)
{
	int r = rb_zonedb_each(db, apex, alen, push, l);

	if (r > 0)
		errno = ENOMEM;
	if (r != 0)
		return -1;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, rr_cmp);
	return 0;
}

/* Move the records of a missing from b into out (a's array reused). */
static void
only_in(struct list *a, const struct list *b, struct rb_zonedb_rr **out,
    size_t *nout)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n) {
		int c = j < b->n ? rr_cmp(&a->v[i], &b->v[j]) : -1;
		if (c < 0)
			a->v[n++] = a->v[i++];
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	*out = a->v;
	*nout = n;
	a->v = NULL;
}

int
rb_zonediff_make(struct rb_zonediff *d, struct rb_zonedb *old,
    struct rb_zonedb *cur, const uint8_t *apex, size_t alen)
{
	struct list o = { 0 }, c = { 0 }, c2 = { 0 };
	int ret = -1;

	memset(d, 0, sizeof *d);
	if (list_zone(&o, old, apex, alen) < 0 ||
	    list_zone(&c, cur, apex, alen) < 0)
		goto fail;
	/* only_in compacts its first list: added = a copy of cur minus old,
	 * then deleted = old minus the intact cur. */
	c2.n = c.n;
	if (c.n > 0 && (c2.v = malloc(c.n * sizeof *c.v)) == NULL)
		goto fail;
	if (c.n > 0)
		memcpy(c2.v, c.v, c.n * sizeof *c.v);
	only_in(&c2, &o, &d->add, &d->nadd);
	only_in(&o, &c, &d->del, &d->ndel);
	ret = 0;
fail:
	free(o.v);
	free(c.v);
	free(c2.v);
	return ret;
}

void
rb_zonediff_fini(struct rb_zonediff *d)
{
	free(d->del);
	free(d->add);
	memset(d, 0, sizeof *d);
}
