#ifndef RB_FEEDSET_H
#define RB_FEEDSET_H

/*
 * The distinct names of one feed on their way to ROOT/feeds/<id>.cdb: an
 * arena of wire names in arrival order and a hash index over it, so a
 * name repeated in a feed (or by several lines of one) is kept once and
 * memory grows with the distinct names only.
 */

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct rb_feedset {
	uint8_t *arena;	 /* repeated: len(1) wire name(len) */
	size_t used, cap;
	uint64_t *slot;	 /* 0 empty, else hash tag(32) | arena offset + 1 */
	size_t nslot;	 /* a power of two, at least twice n */
	size_t n;	 /* distinct names */
	uint64_t key[2]; /* random hash key: feeds cannot aim collisions */
};

/* An empty set; -1 when the kernel gives no randomness (errno set). */
int rb_feedset_init(struct rb_feedset *s);

/* Add a wire name (borrowed, 1..255 bytes).  Returns 1 when added, 0 when
 * it was already there, -1 with errno ENOMEM or EFBIG (4 GiB of names). */
int rb_feedset_add(struct rb_feedset *s, const uint8_t *wire, size_t len);

/* Write every name as a key with the one-byte value action to a new cdb
 * at path, atomically (lib/atomic); the old file stays on failure. */
int rb_feedset_write_cdb(const struct rb_feedset *s, const char *path,
    char action, struct rb_err *e);

/* Release what s holds; s may be used again after rb_feedset_init. */
void rb_feedset_fini(struct rb_feedset *s);

#endif
