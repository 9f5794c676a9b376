#ifndef RB_TXN_H
#define RB_TXN_H

/*
 * A write transaction on a state root (DESIGN.md contract 2): take the
 * store lock, recover, stage events, then commit: journal (durable first),
 * store files, cdb files; only then report success.  Every writer (the
 * rb-* commands, rb-apid, rb-syncd) goes through here.
 */

#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "err.h"
#include "journal.h"
#include "store.h"

struct rb_txn {
	char root[4096];
	int lockfd;
	struct rb_conf *conf;
	struct rb_store store;
	struct rb_journal journal;
	json_t *pending; /* events staged, in seq order */
	uint64_t next;	 /* seq of the next staged event */
};

/* Lock root, load config, store and journal, replay journal events the
 * store lacks (contract 3), rebuild stale cdb files.  On failure nothing
 * is held.  End with rb_txn_end. */
int rb_txn_begin(struct rb_txn *t, const char *root, struct rb_err *e);

/* Stage an event: give it the next seq and apply it to the in-memory
 * store.  fields is taken (a new reference), even on failure. */
int rb_txn_event(struct rb_txn *t, const char *event, json_t *fields,
    struct rb_err *e);

/* Make the staged events durable and visible: journal, store, data/. */
int rb_txn_commit(struct rb_txn *t, struct rb_err *e);

/* Rebuild data/ from the store and config now, staged or not. */
int rb_txn_rebuild(struct rb_txn *t, struct rb_err *e);

/* Release the lock and everything the transaction holds; staged events
 * not committed are dropped. */
void rb_txn_end(struct rb_txn *t);

/* Load root/runbound.conf, or defaults when it does not exist. */
struct rb_conf *rb_txn_load_conf(const char *root, struct rb_err *e);

#endif
