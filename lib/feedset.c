/*
 * feedset: de-duplication of feed names before they become a cdb.
 *
 * Invariants: every name in the arena is there once; slot[] is an open-
 * addressing table (linear probing) with at most nslot / 2 entries, each
 * holding the upper half of the name's hash (so most probes compare no
 * bytes) and the name's arena offset plus one.  The hash is SipHash-1-3
 * under a random key: a feed is untrusted input and must not be able to
 * line its names up in one probe chain.  The arena keeps arrival order,
 * so the same body always gives the same cdb bytes.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cdb.h>

#include "atomic.h"
#include "feedset.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                        \
	do {                                                            \
		v0 += v1;                                               \
		v1 = ROTL(v1, 13);                                      \
		v1 ^= v0;                                               \
		v0 = ROTL(v0, 32);                                      \
		v2 += v3;                                               \
		v3 = ROTL(v3, 16);                                      \
		v3 ^= v2;                                               \
		v0 += v3;                                               \
		v3 = ROTL(v3, 21);                                      \
		v3 ^= v0;                                               \
		v2 += v1;                                               \
		v1 = ROTL(v1, 17);                                      \
		v1 ^= v2;                                               \
		v2 = ROTL(v2, 32);                                      \
	} while (0)

static uint64_t
siphash13(const uint64_t key[2], const uint8_t *p, size_t len)
{
	uint64_t v0 = key[0] ^ 0x736f6d6570736575ULL;
	uint64_t v1 = key[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = key[0] ^ 0x6c7967656e657261ULL;
	uint64_t v3 = key[1] ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (int k = 0; k < 8; k++)
			m |= (uint64_t)p[i + (size_t)k] << (8 * k);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; k < tail; k++)
		b |= (uint64_t)p[i + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int
rb_feedset_init(struct rb_feedset *s)
{
	memset(s, 0, sizeof *s);
	if (getrandom(s->key, sizeof s->key, 0) != (ssize_t)sizeof s->key)
		return -1;
	return 0;
}

static uint32_t
tag_of(const struct rb_feedset *s, const uint8_t *w, size_t len)
{
	uint64_t h = siphash13(s->key, w, len);

	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Double the table; the tags hold every bit an index needs. */
static int
grow(struct rb_feedset *s)
{
	size_t n = s->nslot ? s->nslot * 2 : 1024, mask = n - 1;
	uint64_t *t;

	if (n > ((size_t)1 << 32)) {
		errno = EFBIG;
		return -1;
	}
	t = calloc(n, sizeof *t);
	if (t == NULL)
		return -1;
	for (size_t i = 0; i < s->nslot; i++) {
		size_t j;

		if (s->slot[i] == 0)
			continue;
		j = (size_t)(s->slot[i] >> 32) & mask;
		while (t[j] != 0)
			j = (j + 1) & mask;
		t[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = t;
	s->nslot = n;
	return 0;
}

static int
append(struct rb_feedset *s, const uint8_t *w, size_t len)
{
	if (s->used + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		uint8_t *a;

		while (cap < s->used + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		if (s->used + len + 1 > cap) {
			errno = EFBIG;
			return -1;
		}
		if ((a = realloc(s->arena, cap)) == NULL)
			return -1;
		s->arena = a;
		s->cap = cap;
	}
	s->arena[s->used] = (uint8_t)len;
	memcpy(s->arena + s->used + 1, w, len);
	s->used += len + 1;
	return 0;
}

int
rb_feedset_add(struct rb_feedset *s, const uint8_t *wire, size_t len)
{
	uint32_t tag;
	size_t mask, j;

	if (len == 0 || len > 255) {
		errno = EINVAL;
		return -1;
	}
	if ((s->n + 1) * 2 > s->nslot && grow(s) < 0)
		return -1;
	tag = tag_of(s, wire, len);
	mask = s->nslot - 1;
	for (j = tag & mask; s->slot[j] != 0; j = (j + 1) & mask) {
		const uint8_t *e;

		if ((uint32_t)(s->slot[j] >> 32) != tag)
			continue;
		e = s->arena + (uint32_t)s->slot[j] - 1;
		if (e[0] == len && memcmp(e + 1, wire, len) == 0)
			return 0;
	}
	if (append(s, wire, len) < 0)
		return -1;
	s->slot[j] = (uint64_t)tag << 32 | (uint64_t)(s->used - len - 1 + 1);
	s->n++;
	return 1;
}

int
rb_feedset_write_cdb(const struct rb_feedset *s, const char *path,
    char action, struct rb_err *e)
{
	struct rb_atomic at;
	struct cdb_make cm;
	size_t off = 0;

	if (rb_atomic_open(&at, path, 0644) < 0)
		return rb_err_sys(e, "create feed cdb");
	if (cdb_make_start(&cm, at.fd) < 0)
		goto fail;
	while (off < s->used) {
		unsigned len = s->arena[off];

		if (cdb_make_add(&cm, s->arena + off + 1, len, &action, 1) < 0) {
			/* finish releases the records added so far. */
			(void)cdb_make_finish(&cm);
			goto fail;
		}
		off += len + 1;
	}
	if (cdb_make_finish(&cm) < 0)
		goto fail;
	if (rb_atomic_commit(&at) < 0)
		return rb_err_sys(e, "commit feed cdb");
	return 0;
fail:
	rb_atomic_abort(&at);
	return rb_err_sys(e, "write feed cdb");
}

void
rb_feedset_fini(struct rb_feedset *s)
{
	free(s->arena);
	free(s->slot);
	s->arena = NULL;
	s->slot = NULL;
	s->used = s->cap = s->nslot = s->n = 0;
}
