#ifndef RB_STATE_COMPACT_H
#define RB_STATE_COMPACT_H

/*
 * compact: folding a collection's checkpoint and tail into a new base,
 * and rebuilding the bases of data/ with it (doc/store.md,
 * "Compaction"), in its own process (rb-data -c) so that no writer waits
 * for it and rb-dnsd answers throughout: the heavy work runs without the
 * store lock, which is taken only to note where it starts and to rename
 * the new files in.
 */

#include <stdint.h>

#include "base/err.h"
#include "state/store.h"

/* Changes past its base that make a collection due. */
#define RB_COMPACT_AT 1024

/* When a collection of s is due and no compaction runs, start one
 * (root's rb-data -c, beside our own binary) and return at once.  Best
 * effort: nothing happens when it cannot be started. */
void rb_compact_due(const char *root, struct rb_store *s);

/* Compact every collection of root that is due (with force, every one
 * past its base, after waiting for a compaction under way; without,
 * nothing when one runs).  1 when it compacted, 0 when there was
 * nothing to do, -1 with e set. */
int rb_compact(const char *root, int force, struct rb_err *e);

/* The journal seq a running compaction still needs (0: none runs): no
 * writer prunes from it on (lib/state/journal's floor). */
uint64_t rb_compact_pin(const char *root);

#endif
