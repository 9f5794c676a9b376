/*
 * tcplimit: tcp-connection-limit by longest prefix.  The table is kept
 * sorted by prefix length, longest first, so a lookup is a scan that stops
 * at the first match (configs hold a few netblocks, where a scan beats a
 * trie).  Each entry carries the count of connections it admitted; the
 * caller keeps the entry index with the connection and gives it back when
 * the connection closes, so counts never need a search.  A rebuilt table
 * starts at zero and is recounted from the live connections.  Only
 * rb_tcplimit_add allocates.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer/tcplimit.h"

void
rb_tcplimit_init(struct rb_tcplimit *t)
{
	t->n = 0;
	t->cap = 0;
	t->v = NULL;
}

void
rb_tcplimit_fini(struct rb_tcplimit *t)
{
	free(t->v);
	rb_tcplimit_init(t);
}

static int
insert(struct rb_tcplimit *t, const struct rb_tcplimit_entry *e)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].prefix == e->prefix &&
		    memcmp(&t->v[i].net, &e->net, sizeof e->net) == 0)
			return 0; /* the first line for a netblock wins */
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct rb_tcplimit_entry *v = reallocarray(t->v, cap,
		    sizeof *v);
		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	/* Longest prefixes first; equal prefixes keep config order. */
	for (i = t->n; i > 0 && t->v[i - 1].prefix < e->prefix; i--)
		t->v[i] = t->v[i - 1];
	t->v[i] = *e;
	t->n++;
	return 0;
}

int
rb_tcplimit_add(struct rb_tcplimit *t, const char *netblock, long limit,
    struct rb_diag *d)
{
	struct rb_tcplimit_entry e = { 0 };

	if (limit < 0 || (unsigned long)limit > UINT32_MAX) {
		rb_diag_set(d, NULL, 0,
		    "tcp-connection-limit: limit %ld out "
		    "of range",
		    limit);
		errno = EINVAL;
		return -1;
	}
	if (rb_ipaddr_parse_net(netblock, &e.net, &e.prefix) < 0) {
		rb_diag_set(d, NULL, 0,
		    "tcp-connection-limit: invalid "
		    "netblock '%s'",
		    netblock);
		errno = EINVAL;
		return -1;
	}
	e.limit = (uint32_t)limit;
	if (insert(t, &e) < 0) {
		rb_diag_set(d, NULL, 0, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

long
rb_tcplimit_lookup(const struct rb_tcplimit *t, const struct rb_ipaddr *a)
{
	for (size_t i = 0; i < t->n; i++) {
		if (rb_ipaddr_in_net(a, &t->v[i].net, t->v[i].prefix))
			return (long)i;
	}
	return RB_TCPLIMIT_NONE;
}

long
rb_tcplimit_take(struct rb_tcplimit *t, const struct rb_ipaddr *a)
{
	long i = rb_tcplimit_lookup(t, a);

	if (i < 0)
		return i;
	if (t->v[i].count >= t->v[i].limit)
		return RB_TCPLIMIT_FULL;
	t->v[i].count++;
	return i;
}

long
rb_tcplimit_recount(struct rb_tcplimit *t, const struct rb_ipaddr *a)
{
	long i = rb_tcplimit_lookup(t, a);

	if (i >= 0)
		t->v[i].count++;
	return i;
}

void
rb_tcplimit_release(struct rb_tcplimit *t, long idx)
{
	if (idx < 0 || (size_t)idx >= t->n || t->v[idx].count == 0)
		return;
	t->v[idx].count--;
}
