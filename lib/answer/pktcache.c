/*
 * pktcache: a fixed-size FIFO cache of forwarded answers.  Entries form a
 * ring in insertion order, and each owns one record in a byte arena that
 * is also filled in ring order: TTL offsets, key, wire message, 8-byte
 * aligned.  Making room therefore always means dropping the oldest entry,
 * which frees the oldest bytes.  A hash table of chains (seeded hash, one
 * bucket per entry) finds keys; an entry replaced by a newer answer for the
 * same key leaves its chain at once and the ring when its turn comes.
 * Nothing allocates after rb_pktcache_new.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer/pktcache.h"

#define NIL UINT32_MAX

struct entry {
	uint64_t hash;
	int64_t stored, expires;
	uint32_t next;      /* hash chain; NIL ends it */
	uint32_t off, size; /* the record in the arena */
	uint32_t len, ttl;  /* wire length, smallest TTL */
	uint16_t klen, nttl, qend, addl_off, arcount;
	uint8_t secure, live; /* live: in a hash chain */
};

struct rb_pktcache {
	struct entry *e;
	size_t n;             /* ring size */
	size_t oldest, count; /* the ring: count entries from oldest */
	uint32_t *bucket;
	size_t mask;
	uint8_t *arena;
	size_t asize, head; /* the next record goes at head or at 0 */
	size_t live;
	uint64_t seed;
};

struct rb_pktcache *
rb_pktcache_new(size_t entries, size_t arena, uint64_t seed)
{
	struct rb_pktcache *c = calloc(1, sizeof *c);
	size_t nb = 1;

	if (c == NULL)
		return NULL;
	if (entries < 1 || entries >= NIL || arena < 4096 ||
	    arena > UINT32_MAX) {
		errno = EINVAL;
		goto fail;
	}
	while (nb < entries)
		nb <<= 1;
	c->n = entries;
	c->mask = nb - 1;
	c->asize = arena;
	c->seed = seed;
	/* calloc maps the big arrays lazily: untouched pages cost nothing. */
	c->e = calloc(entries, sizeof *c->e);
	c->bucket = malloc(nb * sizeof *c->bucket);
	c->arena = calloc(1, arena);
	if (c->e == NULL || c->bucket == NULL || c->arena == NULL)
		goto fail;
	rb_pktcache_flush(c);
	return c;
fail:
	rb_pktcache_free(c);
	return NULL;
}

void
rb_pktcache_free(struct rb_pktcache *c)
{
	if (c == NULL)
		return;
	free(c->e);
	free(c->bucket);
	free(c->arena);
	free(c);
}

void
rb_pktcache_flush(struct rb_pktcache *c)
{
	memset(c->bucket, 0xff, (c->mask + 1) * sizeof *c->bucket);
	c->oldest = c->count = c->head = c->live = 0;
}

size_t
rb_pktcache_count(const struct rb_pktcache *c)
{
	return c->live;
}

size_t
rb_pktcache_key(uint8_t *key, const uint8_t *qname, size_t qlen, uint16_t qtype,
    uint16_t qclass, unsigned flags)
{
	if (qlen > RB_DNAME_MAX)
		qlen = RB_DNAME_MAX;
	for (size_t i = 0; i < qlen; i++) {
		uint8_t b = qname[i];
		key[i] = b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
	}
	key[qlen] = (uint8_t)(qtype >> 8);
	key[qlen + 1] = (uint8_t)qtype;
	key[qlen + 2] = (uint8_t)(qclass >> 8);
	key[qlen + 3] = (uint8_t)qclass;
	key[qlen + 4] = (uint8_t)flags;
	return qlen + 5;
}

/* FNV-1a from a random seed, then a 64-bit finalizer, so that names
 * chosen to collide for one run do not for another. */
static uint64_t
hash(const struct rb_pktcache *c, const uint8_t *key, size_t klen)
{
	uint64_t h = c->seed ^ 0xcbf29ce484222325ull;

	for (size_t i = 0; i < klen; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint8_t *
rec_key(const struct rb_pktcache *c, const struct entry *e)
{
	return c->arena + e->off + (size_t)e->nttl * 2;
}

/* Take entry i out of its hash chain. */
static void
unlink_entry(struct rb_pktcache *c, uint32_t i)
{
	uint32_t *pp = &c->bucket[c->e[i].hash & c->mask];

	while (*pp != i && *pp != NIL)
		pp = &c->e[*pp].next;
	if (*pp == i)
		*pp = c->e[i].next;
	c->e[i].live = 0;
	c->live--;
}

static void
drop_oldest(struct rb_pktcache *c)
{
	if (c->e[c->oldest].live)
		unlink_entry(c, (uint32_t)c->oldest);
	c->oldest = (c->oldest + 1) % c->n;
	c->count--;
}

/* Room for size bytes: returns the offset, dropping the oldest entries
 * until the space between the newest record and the oldest one fits. */
static size_t
make_room(struct rb_pktcache *c, size_t size)
{
	for (;;) {
		size_t start;

		if (c->count == c->n) {
			drop_oldest(c);
			continue;
		}
		if (c->count == 0)
			return 0;
		start = c->e[c->oldest].off;
		if (c->head > start) {
			if (c->asize - c->head >= size)
				return c->head;
			if (start >= size)
				return 0;
		} else if (c->head < start && start - c->head >= size) {
			return c->head;
		}
		drop_oldest(c); /* head == start: the arena is full */
	}
}

/* The live entry for key, or NIL. */
static uint32_t
find(const struct rb_pktcache *c, const uint8_t *key, size_t klen, uint64_t h)
{
	for (uint32_t i = c->bucket[h & c->mask]; i != NIL; i = c->e[i].next) {
		const struct entry *e = &c->e[i];
		if (e->hash == h && e->klen == klen &&
		    memcmp(rec_key(c, e), key, klen) == 0)
			return i;
	}
	return NIL;
}

int
rb_pktcache_get(struct rb_pktcache *c, const uint8_t *key, size_t klen,
    int64_t now, struct rb_pktans *a, uint32_t *age)
{
	uint32_t i = find(c, key, klen, hash(c, key, klen));
	const struct entry *e;

	if (i == NIL || now >= c->e[i].expires)
		return 0;
	e = &c->e[i];
	a->ttloff = (const uint16_t *)(c->arena + e->off);
	a->nttl = e->nttl;
	a->wire = rec_key(c, e) + e->klen;
	a->len = e->len;
	a->qend = e->qend;
	a->addl_off = e->addl_off;
	a->arcount = e->arcount;
	a->ttl = e->ttl;
	a->secure = e->secure;
	*age = now > e->stored ? (uint32_t)(now - e->stored) : 0;
	return 1;
}

static void
fill(struct entry *e, const struct rb_pktans *a, size_t klen, int64_t now)
{
	e->stored = now;
	e->expires = now + a->ttl;
	e->len = (uint32_t)a->len;
	e->ttl = a->ttl;
	e->klen = (uint16_t)klen;
	e->nttl = (uint16_t)a->nttl;
	e->qend = (uint16_t)a->qend;
	e->addl_off = (uint16_t)a->addl_off;
	e->arcount = a->arcount;
	e->secure = a->secure != 0;
	e->live = 1;
}

int
rb_pktcache_put(struct rb_pktcache *c, const uint8_t *key, size_t klen,
    const struct rb_pktans *a, int64_t now)
{
	uint64_t h = hash(c, key, klen);
	size_t size = ((size_t)a->nttl * 2 + klen + a->len + 7) & ~(size_t)7;
	uint32_t i;
	uint8_t *p;
	struct entry *e;

	if (a->ttl == 0 || a->len > 0xffff || klen > RB_PKTCACHE_KEY_MAX ||
	    a->nttl > RB_PKTANS_MAX_TTLS || size > c->asize / 8)
		return 0;
	if ((i = find(c, key, klen, h)) != NIL)
		unlink_entry(c, i);
	c->head = make_room(c, size);
	i = (uint32_t)((c->oldest + c->count) % c->n);
	c->count++;
	e = &c->e[i];
	fill(e, a, klen, now);
	e->hash = h;
	e->off = (uint32_t)c->head;
	e->size = (uint32_t)size;
	p = c->arena + c->head;
	memcpy(p, a->ttloff, a->nttl * 2);
	memcpy(p + a->nttl * 2, key, klen);
	memcpy(p + a->nttl * 2 + klen, a->wire, a->len);
	c->head += size;
	e->next = c->bucket[h & c->mask];
	c->bucket[h & c->mask] = i;
	c->live++;
	return 1;
}
