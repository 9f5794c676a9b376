/*
 * set: the names of a feed as hashes, sorted once at the end.
 *
 * Invariants: before sealing, h[0..used) holds the hash of every name
 * added (repeats included) except those dropped by a compaction, which
 * sorts and de-duplicates in place; after it, h[0..n) is strictly
 * increasing, as lib/feed/nameset writes it.  The array grows by doubling up
 * to max + max/4 entries; past that each growth is replaced by a
 * compaction, so a body of repeats cannot take more than that.  Sorting
 * is one counting pass on the first 16 bits (the hashes are uniform, so
 * buckets hold a handful) and a comparison sort inside each bucket, which
 * stays O(k log k) even for names chosen to share a prefix.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cdb.h>

#include "feed/set.h"
#include "sys/atomic.h"

#define HS RB_NAMESET_HASH
#define RADIX 65536

void
rb_feed_set_init(struct rb_feed_set *s, size_t max)
{
	memset(s, 0, sizeof *s);
	s->max = max < RB_NAMESET_MAX ? max : RB_NAMESET_MAX;
}

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, HS);
}

static size_t
prefix16(const uint8_t *h)
{
	return (size_t)h[0] << 8 | h[1];
}

/* Sort h[0..n) by the counting pass into a new array; NULL on ENOMEM. */
static uint8_t (*radix_sort(uint8_t (*h)[HS], size_t n))[HS]
{
	size_t *start = calloc(RADIX + 1, sizeof *start);
	uint8_t(*out)[HS] = malloc(n > 0 ? n * HS : 1);

	if (start == NULL || out == NULL) {
		free(start);
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		start[prefix16(h[i]) + 1]++;
	for (size_t k = 0; k < RADIX; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < n; i++)
		memcpy(out[start[prefix16(h[i])]++], h[i], HS);
	/* start[k] is now the end of bucket k, the start of k + 1. */
	for (size_t k = 0, lo = 0; k < RADIX; lo = start[k++]) {
		if (start[k] - lo > 1)
			qsort(out[lo], start[k] - lo, HS, cmp_hash);
	}
	free(start);
	return out;
}

/* Sort and drop repeats: h[0..used) strictly increasing. */
static int
compact(struct rb_feed_set *s)
{
	uint8_t(*sorted)[HS];
	size_t k = 0;

	if (s->used < 2)
		return 0;
	if ((sorted = radix_sort(s->h, s->used)) == NULL)
		return -1;
	for (size_t i = 0; i < s->used; i++) {
		if (k == 0 || memcmp(sorted[k - 1], sorted[i], HS) != 0)
			memcpy(sorted[k++], sorted[i], HS);
	}
	free(s->h);
	s->h = sorted;
	s->cap = s->used;
	s->used = k;
	return 0;
}

/* Room for one more hash: grow, or compact past the bound. */
static int
make_room(struct rb_feed_set *s)
{
	size_t bound = s->max + s->max / 4 + 1, cap;
	uint8_t(*h)[HS];

	if (s->cap >= bound) {
		if (compact(s) < 0)
			return -1;
		if (s->used > s->max || s->used == s->cap) {
			errno = EFBIG;
			return -1;
		}
		return 0;
	}
	cap = s->cap ? s->cap * 2 : 4096;
	if (cap > bound)
		cap = bound;
	if ((h = realloc(s->h, cap * HS)) == NULL)
		return -1;
	s->h = h;
	s->cap = cap;
	return 0;
}

int
rb_feed_set_add(struct rb_feed_set *s, const uint8_t *wire, size_t len)
{
	if (len == 0 || len > 255 || s->sealed) {
		errno = EINVAL;
		return -1;
	}
	if (s->used == s->cap && make_room(s) < 0)
		return -1;
	rb_nameset_hash(wire, len, s->h[s->used++]);
	return 0;
}

int
rb_feed_set_seal(struct rb_feed_set *s)
{
	if (s->sealed)
		return 0;
	if (compact(s) < 0)
		return -1;
	if (s->used > s->max) {
		errno = EFBIG;
		return -1;
	}
	s->n = s->used;
	s->sealed = 1;
	return 0;
}

int
rb_feed_set_write(struct rb_feed_set *s, const char *path, char action,
    struct rb_err *e)
{
	struct rb_atomic at;

	if (rb_feed_set_seal(s) < 0)
		return rb_err_sys(e, "sort the feed's names");
	if (rb_atomic_open(&at, path, 0644) < 0)
		return rb_err_sys(e, "create feed set");
	if (rb_nameset_write(&at, (const uint8_t(*)[HS])s->h, s->n, action) <
	    0) {
		rb_atomic_abort(&at);
		return rb_err_sys(e, "write feed set");
	}
	if (rb_atomic_commit(&at) < 0)
		return rb_err_sys(e, "commit feed set");
	return 0;
}

int
rb_feed_set_add_cdb(struct rb_feed_set *s, int fd, char *action)
{
	uint8_t key[255];
	struct cdb c;
	unsigned pos;
	int r;

	*action = 'R';
	if (cdb_init(&c, fd) < 0) {
		errno = EPROTO;
		return -1;
	}
	cdb_seqinit(&pos, &c);
	while ((r = cdb_seqnext(&pos, &c)) > 0) {
		unsigned kl = cdb_keylen(&c);
		char v = 0;

		if (kl == 0 || kl > sizeof key || cdb_datalen(&c) != 1 ||
		    cdb_read(&c, key, kl, cdb_keypos(&c)) < 0 ||
		    cdb_read(&c, &v, 1, cdb_datapos(&c)) < 0 ||
		    (v != 'N' && v != 'R')) {
			r = -1;
			errno = EPROTO;
			break;
		}
		*action = v;
		if ((r = rb_feed_set_add(s, key, kl)) < 0)
			break;
	}
	cdb_free(&c);
	return r < 0 ? -1 : 0;
}

void
rb_feed_set_fini(struct rb_feed_set *s)
{
	free(s->h);
	memset(s, 0, sizeof *s);
}
