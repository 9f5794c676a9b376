#ifndef RB_SYNC_APPLY_H
#define RB_SYNC_APPLY_H

/*
 * The slave's side of replication: what a master sent, written into a
 * state root through lib/state/txn, the one write path, so the slave's journal,
 * store and data/ follow from the same events as the master's.  A delta
 * is one transaction; a snapshot replaces the store and starts the
 * journal over under the master's epoch.  Feed data (ROOT/feeds/<id>.set)
 * and zones builds (ROOT/store/zones.d) arrive as files the caller
 * downloaded and checked beforehand, and are put in place under the same
 * lock.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "sync/proto.h"
#include "sys/root.h"

/* A downloaded feed set waiting to become ROOT/feeds/<id>.set, or with
 * zones set a kept zones build ROOT/store/zones.d/<id>.cdb
 * (lib/zone/zonehist). */
struct rb_sync_datafile {
	char id[65];
	int zones;
	char path[RB_PATH_MAX]; /* the staged file; removed once installed */
};

enum rb_sync_outcome { RB_SYNC_APPLIED, RB_SYNC_DIVERGED };

/* Apply events (borrowed; checked by rb_sync_proto_delta_parse) of the master's
 * history epoch, which follow seq applied.  RB_SYNC_DIVERGED, with
 * nothing written, when the root is not at (epoch, applied): its journal
 * has another epoch or other events, and only a snapshot can fix it.
 * ff[0..nff) are installed for the feeds that still exist.  *now is the
 * seq the root holds afterwards. */
int rb_sync_apply_delta(const char *root, const char *epoch, uint64_t applied,
    const json_t *events, const struct rb_sync_datafile *ff, size_t nff,
    uint64_t *now, struct rb_err *e);

/* Replace the root's store by snapshot s (borrowed), reset its journal to
 * s's epoch, install ff[0..nff), remove feed data the snapshot does not
 * have, rebuild data/. */
int rb_sync_apply_snapshot(const char *root, const struct rb_sync_snapshot *s,
    const struct rb_sync_datafile *ff, size_t nff, struct rb_err *e);

/* The ids of the zones builds among entries (borrowed: the events of a
 * delta when events is set, else a snapshot's zones entries) that root
 * does not hold: a new array of strings (json_decref), NULL on ENOMEM. */
json_t *rb_sync_apply_zones_wanted(const char *root, const json_t *list,
    int events);

/* The feed ids of feed_data (borrowed) whose data under root differs
 * from the master's: a new array of strings (json_decref). */
json_t *rb_sync_apply_feeds_wanted(const char *root, const json_t *feed_data,
    struct rb_err *e);

#endif
