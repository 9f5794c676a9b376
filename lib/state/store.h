#ifndef RB_STATE_STORE_H
#define RB_STATE_STORE_H

/*
 * The store: the source of truth (doc/store.md).  Each collection (dns,
 * blacklist, allowlist, feeds) is a base, a checkpoint and the journal
 * events after it (lib/state/coll), so that a write costs what it
 * changes; zones, at most RB_ZONES_KEPT builds, is rewritten whole.
 * store/applied names the journal position before which every event is
 * in the collection files: a writer reads only the journal files after
 * it, and checkpoints the collections once they are RB_STORE_REPLAY_MAX
 * events behind.  A tail of RB_STORE_BULK events or more (an import) is
 * not checkpointed: the compaction it makes due (lib/state/compact) folds
 * it into a new base, and until then writers read it from the journal.
 */

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "state/coll.h"
#include "sys/root.h"

/* The zones collection keeps the newest builds only (doc/rb-zone.md). */
#define RB_ZONES_KEPT 10

/* Journal events after store/applied before the tails are checkpointed. */
#define RB_STORE_REPLAY_MAX 16

/* A collection's tail this long is left to compaction. */
#define RB_STORE_BULK 1024

struct rb_store {
	char root[RB_PATH_MAX];
	char dir[RB_PATH_MAX];                /* root/store */
	struct rb_coll_view v[RB_COLL_ZONES]; /* dns .. feeds */
	json_t *zones; /* the zones builds, oldest first */
	uint64_t zones_seq;
	int zones_dirty;
	json_t *all[RB_COLL_N]; /* rb_store_entries' arrays, until a change */
	uint64_t applied;       /* every event <= this is in the files */
	uint64_t next;          /* the journal file after applied */
	uint64_t last;          /* the last event applied (0: none) */
};

/* Open every collection of root/store: nothing is read whole.  Then
 * apply the journal's events after store/applied (lib/state/txn does). */
int rb_store_load(struct rb_store *s, const char *root, struct rb_err *e);

/* Convert an older root's store/<name>.json files to bases (its
 * store/seq goes when store/applied is first written).  The caller holds
 * the store lock, exclusive. */
int rb_store_convert(const char *root, struct rb_err *e);

/* Apply one journal event (borrowed) if it is newer than its collection;
 * events that touch no collection only move s->last.  Idempotent.  An
 * update event (feed_update) merges its fields into the entry with its
 * id; a zones_update makes its entry the newest (moving one with the
 * same id) and drops the oldest beyond RB_ZONES_KEPT. */
int rb_store_apply(struct rb_store *s, json_t *event, struct rb_err *e);

/* Make durable what the journal alone holds, when it is due: the zones
 * collection when it changed, the feeds' checkpoint when they did
 * (rb-feedd watches it), and, once the journal is
 * RB_STORE_REPLAY_MAX events past store/applied (or force), every
 * collection's checkpoint, then store/applied = next - 1, unless a tail
 * is RB_STORE_BULK long.  next is the seq of the journal file to come. */
int rb_store_save(struct rb_store *s, uint64_t next, int force,
    struct rb_err *e);

void rb_store_fini(struct rb_store *s);

/* The collection an event name belongs to, or -1. */
int rb_store_coll_of(const char *event);

/* File stem of a collection: "dns", "blacklist", "allowlist", "feeds",
 * "zones". */
const char *rb_store_coll_name(enum rb_coll c);

/* The uniqueness key of an entry in collection c, into buf (coll.h). */
const char *rb_store_key(enum rb_coll c, const json_t *entry, char *buf,
    size_t len);

/* The entry with this id in c (borrowed, until the next change), or
 * NULL. */
json_t *rb_store_find(struct rb_store *s, enum rb_coll c, const char *id);

/* The id of the entry of c with this uniqueness key (borrowed), or NULL. */
const char *rb_store_id_of(struct rb_store *s, enum rb_coll c, const char *key);

/* Entries in c now. */
long rb_store_count(const struct rb_store *s, enum rb_coll c);

/* Every entry of c now, in order (borrowed, until the next change to
 * s); NULL with e set on failure.  Costs the whole collection: for
 * listings, snapshots and full rebuilds. */
json_t *rb_store_entries(struct rb_store *s, enum rb_coll c, struct rb_err *e);

/* The view of collection c (not zones), for lib/state/data. */
struct rb_coll_view *rb_store_view(struct rb_store *s, enum rb_coll c);

/* Highest seq applied to any collection. */
uint64_t rb_store_max_seq(const struct rb_store *s);

/* What root's store/applied says: *seq and *next (both 0 without it). */
int rb_store_applied(const char *root, uint64_t *seq, uint64_t *next,
    struct rb_err *e);

/* Set root's store/applied to next - 1, next: the journal is replayed
 * from the file next on (lib/state/compact, after new bases). */
int rb_store_set_applied(const char *root, uint64_t next, struct rb_err *e);

/* Replace every collection by a snapshot: colls[c] (borrowed, NULL for
 * none) as of coll_seq[c]; the journal is empty after seq, so
 * store/applied = seq.  Writes every base, removes every checkpoint. */
int rb_store_replace(struct rb_store *s, json_t *const colls[RB_COLL_N],
    const uint64_t coll_seq[RB_COLL_N], uint64_t seq, struct rb_err *e);

#endif
