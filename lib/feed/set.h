#ifndef RB_FEED_SET_H
#define RB_FEED_SET_H

/*
 * The distinct names of one feed on their way to ROOT/feeds/<id>.set
 * (lib/feed/nameset): each name is kept only as its 128-bit hash, 16 bytes,
 * whatever its length.  Names are appended as they come; sealing sorts
 * the hashes and drops repeats, so memory follows the names a body
 * holds, compacted whenever repeats would take it past a bound.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "feed/nameset.h"

struct rb_feed_set {
	uint8_t (
	    *h)[RB_NAMESET_HASH]; /* hashes, in arrival order until sealed */
	size_t used, cap;
	size_t n;   /* distinct names: valid once sealed */
	size_t max; /* most distinct names allowed */
	int sealed;
};

/* An empty set that refuses more than max distinct names (at most
 * RB_NAMESET_MAX). */
void rb_feed_set_init(struct rb_feed_set *s, size_t max);

/* Add a lower-case wire name (borrowed, 1..255 bytes).  0, or -1 with
 * errno EINVAL (bad length, or s is sealed), ENOMEM, or EFBIG (more than
 * max distinct names). */
int rb_feed_set_add(struct rb_feed_set *s, const uint8_t *wire, size_t len);

/* Sort and de-duplicate: s->n is then the number of distinct names.  -1
 * with errno ENOMEM or EFBIG (more than max).  Sealing twice is fine. */
int rb_feed_set_seal(struct rb_feed_set *s);

/* Seal s and write it as a set file with action 'N' or 'R' to path,
 * atomically (lib/sys/atomic); the old file stays on failure. */
int rb_feed_set_write(struct rb_feed_set *s, const char *path, char action,
    struct rb_err *e);

/* Add every key of the feed cdb open at fd (the format before sets:
 * keys are wire names, values the action byte) and set *action from it
 * ('R' when it is empty).  -1 with errno (EPROTO for a damaged cdb). */
int rb_feed_set_add_cdb(struct rb_feed_set *s, int fd, char *action);

/* Release what s holds; s may be used again after rb_feed_set_init. */
void rb_feed_set_fini(struct rb_feed_set *s);

#endif
