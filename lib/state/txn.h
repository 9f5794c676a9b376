#ifndef RB_STATE_TXN_H
#define RB_STATE_TXN_H

/*
 * A write transaction on a state root (DESIGN.md contract 2): take the
 * store lock, recover, stage events, then commit: journal (durable first),
 * store files, cdb files; only then report success.  Every writer (the
 * rb-* commands, rb-apid, rb-syncd) goes through here.
 */

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "conf/conf.h"
#include "state/journal.h"
#include "state/store.h"
#include "sys/root.h"

struct rb_txn {
	char root[RB_PATH_MAX];
	int lockfd;
	struct rb_conf *conf;
	struct rb_store store;
	struct rb_journal journal;
	json_t *pending; /* events staged, in seq order */
	uint64_t next;   /* seq of the next staged event */
	int replica;     /* events staged with rb_txn_stage: journal as is */
	/* data/: the names staged events changed, per collection (objects
	 * of names, NULL for none), and each collection's seq before them */
	json_t *changed[RB_COLL_N];
	uint64_t from[RB_COLL_N];
	int unseen; /* a commit's events are not all visible yet */
};

/* Lock root, load config, store and journal, replay journal events the
 * store lacks (contract 3), rebuild stale cdb files.  On failure nothing
 * is held.  End with rb_txn_end. */
int rb_txn_begin(struct rb_txn *t, const char *root, struct rb_err *e);

/* Stage an event: give it the next seq and apply it to the in-memory
 * store.  fields is taken (a new reference), even on failure. */
int rb_txn_event(struct rb_txn *t, const char *event, json_t *fields,
    struct rb_err *e);

/* Stage an event that already carries its seq, ts, event name and
 * fields (a master's event on a replica; taken, even on failure).  Its
 * seq must be t->next (SEQ_CONFLICT, 409); the commit journals it exactly
 * as given, so the replica's journal repeats the master's. */
int rb_txn_stage(struct rb_txn *t, json_t *event, struct rb_err *e);

/* Replace the whole store by a snapshot and start an empty journal with
 * the given epoch (a replica adopting its master's state): colls[c] is
 * collection c's entries (borrowed array, NULL for none) as of seq
 * coll_seq[c], and seq the last event the snapshot holds, so the next
 * event staged is seq + 1.  Journal first, then the store files; nothing
 * may be staged.  Call rb_txn_rebuild afterwards. */
int rb_txn_replace(struct rb_txn *t, json_t *const colls[RB_COLL_N],
    const uint64_t coll_seq[RB_COLL_N], uint64_t seq, const char *epoch,
    struct rb_err *e);

/* Make the staged events durable and visible: journal, store, data/.
 * -1 when the journal did not take them: nothing is committed.  Once it
 * did, 0: a failure to make them visible (a full disk, say) is logged
 * as a warning and sets t->unseen; the next begin finishes the work. */
int rb_txn_commit(struct rb_txn *t, struct rb_err *e);

/* Bring root's store and data/ up to date with its journal (contract 3),
 * as every begin does, for a daemon's start: a write committed and not
 * made visible before a crash becomes visible now.  Nothing when a
 * writer holds the lock (it does the same), or when root has no journal
 * (nothing was ever written).  -1 with e set on failure. */
int rb_txn_recover(const char *root, struct rb_err *e);

/* Rebuild data/ from the store and config now, staged or not. */
int rb_txn_rebuild(struct rb_txn *t, struct rb_err *e);

/* Read root's store as it is, consistently, without writing anything: a
 * shared lock while the collections are opened and the journal after
 * store/applied is applied to their tails (a writer holds the lock
 * exclusively); s->last is the last seq.  epoch (64 bytes, may be NULL)
 * gets the journal's epoch ("" with no journal).  1 when nonblock and a
 * writer holds it, 0 with s loaded (free with rb_store_fini), -1 with e
 * set. */
int rb_txn_read(struct rb_store *s, const char *root, int nonblock, char *epoch,
    struct rb_err *e);

/* Release the lock and everything the transaction holds; staged events
 * not committed are dropped. */
void rb_txn_end(struct rb_txn *t);

#endif
