/*
 * cdbw: the staging area of every cdb we build.  Invariant: after
 * rb_cdbw_sort, equal keys are adjacent, ordered by value, and the highest
 * priority comes first among identical key/value pairs; writers that keep
 * one value per key take the first.
 */

#include <stdlib.h>
#include <string.h>

#include <cdb.h>

#include "state/cdbw.h"
#include "sys/atomic.h"

int
rb_cdbw_add(struct rb_cdbw *a, const void *key, size_t klen, const void *val,
    size_t vlen, int prio)
{
	struct rb_cdbw_kv *x;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct rb_cdbw_kv *nv = realloc(a->v, cap * sizeof *nv);
		if (nv == NULL)
			return -1;
		a->v = nv;
		a->cap = cap;
	}
	x = &a->v[a->n];
	x->key = malloc(klen + vlen + 1);
	if (x->key == NULL)
		return -1;
	memcpy(x->key, key, klen);
	if (vlen)
		memcpy(x->key + klen, val, vlen);
	x->val = x->key + klen;
	x->klen = klen;
	x->vlen = vlen;
	x->prio = prio;
	a->n++;
	return 0;
}

int
rb_cdbw_bytes_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c ? c : (al > bl) - (al < bl);
}

static int
kv_cmp(const void *pa, const void *pb)
{
	const struct rb_cdbw_kv *a = pa, *b = pb;
	int c = rb_cdbw_bytes_cmp(a->key, a->klen, b->key, b->klen);

	if (c == 0)
		c = rb_cdbw_bytes_cmp(a->val, a->vlen, b->val, b->vlen);
	return c ? c : (a->prio < b->prio) - (a->prio > b->prio);
}

void
rb_cdbw_sort(struct rb_cdbw *a)
{
	if (a->n > 1)
		qsort(a->v, a->n, sizeof *a->v, kv_cmp);
}

int
rb_cdbw_write(const struct rb_cdbw *a, const char *path, struct rb_err *e)
{
	struct rb_atomic at;
	struct cdb_make cm;

	if (rb_atomic_open(&at, path, 0644) < 0)
		return rb_err_sys(e, "create cdb");
	if (cdb_make_start(&cm, at.fd) < 0)
		goto fail;
	for (size_t i = 0; i < a->n; i++)
		if (cdb_make_add(&cm, a->v[i].key, (unsigned)a->v[i].klen,
		        a->v[i].val, (unsigned)a->v[i].vlen) < 0)
			goto fail;
	if (cdb_make_finish(&cm) < 0)
		goto fail;
	if (rb_atomic_commit(&at) < 0)
		return rb_err_sys(e, "commit cdb");
	return 0;
fail:
	rb_atomic_abort(&at);
	return rb_err_sys(e, "write cdb");
}

void
rb_cdbw_free(struct rb_cdbw *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].key);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}
