#ifndef RB_ANSWER_PKTCACHE_H
#define RB_ANSWER_PKTCACHE_H

/*
 * pktcache: rb-dnsd's cache of forwarded answers (lib/answer/pktans), in front
 * of libunbound so that a hit never leaves the hot path.  A fixed table of
 * entries and a fixed byte arena, both allocated once; entries are
 * inserted in order and the oldest is evicted to make room (FIFO).  The
 * key is the lower-case question name, type, class and the client's DO and
 * CD bits.  Lookups and inserts allocate nothing.
 */

#include <stddef.h>
#include <stdint.h>

#include "answer/pktans.h"
#include "wire/dname.h"

/* Longest key: name, type, class, flags. */
#define RB_PKTCACHE_KEY_MAX (RB_DNAME_MAX + 5)

/* Key flags. */
#define RB_PKTCACHE_DO 1
#define RB_PKTCACHE_CD 2

struct rb_pktcache;

/* A cache of at most entries answers in arena bytes (answers, keys and TTL
 * offsets).  seed keys the hash.  NULL with errno on failure; free with
 * rb_pktcache_free. */
struct rb_pktcache *rb_pktcache_new(size_t entries, size_t arena,
    uint64_t seed);
void rb_pktcache_free(struct rb_pktcache *c);

/* Build the key of a question into key (RB_PKTCACHE_KEY_MAX bytes): the
 * wire name qname (uncompressed, borrowed) lower-cased, qtype, qclass and
 * flags (RB_PKTCACHE_DO | RB_PKTCACHE_CD).  Returns its length. */
size_t rb_pktcache_key(uint8_t *key, const uint8_t *qname, size_t qlen,
    uint16_t qtype, uint16_t qclass, unsigned flags);

/* Look key up at time now (seconds, monotonic).  On a hit fill a (pointing
 * into the cache: valid until the next insert) and *age, and return 1;
 * return 0 on a miss or an expired entry. */
int rb_pktcache_get(struct rb_pktcache *c, const uint8_t *key, size_t klen,
    int64_t now, struct rb_pktans *a, uint32_t *age);

/* Store a copy of a under key at time now for a->ttl seconds, replacing an
 * entry with the same key and evicting the oldest ones as needed.  An
 * answer with TTL 0, or larger than an eighth of the arena, is not stored.
 * Returns 1 when stored, 0 when not. */
int rb_pktcache_put(struct rb_pktcache *c, const uint8_t *key, size_t klen,
    const struct rb_pktans *a, int64_t now);

/* Entries held (expired ones included until evicted or replaced). */
size_t rb_pktcache_count(const struct rb_pktcache *c);

/* Drop every entry. */
void rb_pktcache_flush(struct rb_pktcache *c);

#endif
