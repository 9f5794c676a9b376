/*
 * nameset: a set of names as sorted 128-bit hashes.
 *
 * Layout (all integers little-endian):
 *
 *	0	4	magic "RBNS"
 *	4	1	version, 1
 *	5	1	action, 'N' (nxdomain) or 'R' (refuse)
 *	6	1	bits b, 0..24: the index has 2^b buckets
 *	7	1	zero
 *	8	4	n, the number of hashes
 *	12	4	zero
 *	16	4(2^b+1) index: bucket i holds hashes idx[i] .. idx[i+1]-1
 *	..		zero padding to a multiple of 16
 *	H	16n	the hashes, strictly increasing in memcmp order
 *
 * A hash's bucket is its first b bits.  b is a function of n (the fewest
 * bits that leave at most 32 hashes a bucket on average, at most 24), so
 * a set has exactly one file: the same names give the same bytes, and
 * the checker accepts nothing else.
 *
 * The hash is SipHash-2-4 with 128-bit output under a fixed key.  The key
 * is public, which matters only against someone who builds names to
 * collide: a feed's author could list the name he would aim at anyway.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/siphash.h"
#include "feed/nameset.h"

#define HDR 16
#define BITS_MAX 24
#define PER_BUCKET 32

static const uint8_t hash_key[16] = "runbound-feed-v1";

void
rb_nameset_hash(const uint8_t *wire, size_t len, uint8_t out[RB_NAMESET_HASH])
{
	rb_siphash_128(hash_key, wire, len, out);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static unsigned
bits_for(size_t n)
{
	unsigned b = 0;

	while (b < BITS_MAX && (n >> b) > PER_BUCKET)
		b++;
	return b;
}

/* Where the hashes start for b index bits. */
static size_t
hashes_at(unsigned b)
{
	size_t end = HDR + 4 * (((size_t)1 << b) + 1);

	return (end + 15) & ~(size_t)15;
}

static inline size_t
bucket_of(const uint8_t *h, unsigned b)
{
	uint32_t prefix = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];

	return b == 0 ? 0 : prefix >> (32 - b);
}

/* Header, index and padding for n sorted hashes, into a new buffer. */
static uint8_t *
head_new(const uint8_t (*h)[RB_NAMESET_HASH], size_t n, char action,
    size_t *len)
{
	unsigned b = bits_for(n);
	size_t nb = (size_t)1 << b, i = 0;
	uint8_t *p;

	*len = hashes_at(b);
	if ((p = calloc(1, *len)) == NULL)
		return NULL;
	memcpy(p, "RBNS", 4);
	p[4] = 1;
	p[5] = (uint8_t)action;
	p[6] = (uint8_t)b;
	put32(p + 8, (uint32_t)n);
	for (size_t k = 0; k <= nb; k++) {
		while (i < n && bucket_of(h[i], b) < k)
			i++;
		put32(p + HDR + 4 * k, (uint32_t)i);
	}
	return p;
}

int
rb_nameset_write(struct rb_atomic *a, const uint8_t (*h)[RB_NAMESET_HASH],
    size_t n, char action)
{
	uint8_t *head;
	size_t len;
	int r;

	if (n > RB_NAMESET_MAX || (action != 'N' && action != 'R')) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 1; i < n; i++) {
		if (memcmp(h[i - 1], h[i], RB_NAMESET_HASH) >= 0) {
			errno = EINVAL;
			return -1;
		}
	}
	if ((head = head_new(h, n, action, &len)) == NULL)
		return -1;
	r = rb_atomic_write(a, head, len);
	free(head);
	if (r < 0 || (n > 0 && rb_atomic_write(a, h, n * RB_NAMESET_HASH) < 0))
		return -1;
	return 0;
}

static int
refuse(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

static int
check_header(const uint8_t *mem, size_t size, const char **why)
{
	size_t n;
	unsigned b;

	if (size < HDR)
		return refuse(why, "shorter than a set header");
	if (memcmp(mem, "RBNS", 4) != 0)
		return refuse(why, "not a feed set (bad magic)");
	if (mem[4] != 1)
		return refuse(why, "unknown set version");
	if (mem[5] != 'N' && mem[5] != 'R')
		return refuse(why, "unknown action");
	if (mem[7] != 0 || get32(mem + 12) != 0)
		return refuse(why, "reserved header bytes are not zero");
	n = get32(mem + 8);
	b = mem[6];
	if (n > RB_NAMESET_MAX)
		return refuse(why, "too many names");
	if (b != bits_for(n))
		return refuse(why, "index size does not fit the count");
	if (size != hashes_at(b) + n * RB_NAMESET_HASH)
		return refuse(why,
		    "size does not match the count (truncated?)");
	return 0;
}

/* Index bounds, padding, then every hash: increasing and in its bucket. */
static int
check_body(const uint8_t *mem, const char **why)
{
	unsigned b = mem[6];
	size_t n = get32(mem + 8), nb = (size_t)1 << b, at = hashes_at(b);
	const uint8_t *idx = mem + HDR, *hs = mem + at;

	for (size_t p = HDR + 4 * (nb + 1); p < at; p++) {
		if (mem[p] != 0)
			return refuse(why, "padding is not zero");
	}
	if (get32(idx) != 0 || get32(idx + 4 * nb) != n)
		return refuse(why, "index does not span the hashes");
	for (size_t k = 0; k < nb; k++) {
		uint32_t lo = get32(idx + 4 * k), hi = get32(idx + 4 * k + 4);

		if (lo > hi || hi > n)
			return refuse(why, "index out of order");
		for (size_t i = lo; i < hi; i++) {
			const uint8_t *h = hs + i * RB_NAMESET_HASH;

			if (bucket_of(h, b) != k)
				return refuse(why, "hash in the wrong bucket");
			if (i > 0 &&
			    memcmp(h - RB_NAMESET_HASH, h, RB_NAMESET_HASH) >=
			        0)
				return refuse(why, "hashes out of order");
		}
	}
	return 0;
}

int
rb_nameset_check(const uint8_t *mem, size_t size, const char **why)
{
	if (check_header(mem, size, why) < 0)
		return -1;
	return check_body(mem, why);
}

int
rb_nameset_check_file(const char *path, size_t *count, char *action,
    const char **why)
{
	struct stat st;
	void *mem = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r, saved;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((uint64_t)st.st_size >
	    hashes_at(BITS_MAX) + (uint64_t)RB_NAMESET_MAX * RB_NAMESET_HASH) {
		*why = "larger than any set";
		errno = EPROTO;
		goto fail;
	}
	if (st.st_size > 0 &&
	    (mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
	         0)) == MAP_FAILED)
		goto fail;
	(void)close(fd); /* read-only: nothing to lose; the mapping stays */
	r = rb_nameset_check(mem, (size_t)st.st_size, why);
	if (r == 0) {
		*count = rb_nameset_count(mem);
		*action = rb_nameset_action(mem);
	}
	if (mem != NULL)
		(void)munmap(mem, (size_t)st.st_size);
	if (r < 0)
		errno = EPROTO;
	return r;
fail:
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

int
rb_nameset_find(const uint8_t *mem, size_t size,
    const uint8_t h[RB_NAMESET_HASH])
{
	unsigned b;
	size_t n, at, k;
	uint32_t lo, hi;

	if (size < HDR || (b = mem[6]) > BITS_MAX)
		return -1;
	n = get32(mem + 8);
	at = hashes_at(b);
	if (at > size || n > (size - at) / RB_NAMESET_HASH)
		return -1;
	k = bucket_of(h, b);
	lo = get32(mem + HDR + 4 * k);
	hi = get32(mem + HDR + 4 * k + 4);
	if (lo > hi || hi > n)
		return -1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(mem + at + (size_t)mid * RB_NAMESET_HASH, h,
		    RB_NAMESET_HASH);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

char
rb_nameset_action(const uint8_t *mem)
{
	return (char)mem[5];
}

size_t
rb_nameset_count(const uint8_t *mem)
{
	return get32(mem + 8);
}
