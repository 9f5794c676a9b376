#ifndef RB_ZONE_ZONEHIST_H
#define RB_ZONE_ZONEHIST_H

/*
 * zonehist: the kept builds of the authoritative zones (doc/rb-zone.md,
 * "History").  A build is a store write like any other: the compiled cdb
 * goes to ROOT/store/zones.d/<sha256>.cdb, the event zones_update
 * {"id":<sha256>,"ts","size","zones":{apex:serial}} to the journal and
 * store/zones.json (the newest RB_ZONES_KEPT builds, oldest first), and
 * the newest build's bytes to data/zones.cdb, which rb-dnsd serves.
 * Slaves receive the same events and bytes through rb-syncd.
 */

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "state/store.h"
#include "state/txn.h"

/* Where a writer holding t's lock puts a new build before
 * rb_zonehist_record: ROOT/store/zones.d/incoming.cdb (the directory is
 * created). */
int rb_zonehist_incoming(const struct rb_txn *t, char *buf, size_t len,
    struct rb_err *e);

/* {apex: serial} of every zone of the zones cdb at path: a new object,
 * or NULL with e set (INVALID_ZONES when it is not a zones cdb). */
json_t *rb_zonehist_serials(const char *path, struct rb_err *e);

/* Make the incoming build the newest, inside t (begun, nothing staged):
 * unless it equals the newest build (then *changed = 0 and the incoming
 * file goes), move it to its place, journal zones_update with the fields
 * of extra (borrowed, may be NULL) added, commit.  *entry (may be NULL)
 * gets the new entry (a new reference).  READ_ONLY on a slave. */
int rb_zonehist_record(struct rb_txn *t, const json_t *extra, int *changed,
    json_t **entry, struct rb_err *e);

/* Copy the zones cdb at src to a new cdb at dst (atomically) with every
 * SOA serial, in Z and in D SOA records, set to serial. */
int rb_zonehist_reserial(const char *src, const char *dst, uint32_t serial,
    struct rb_err *e);

#endif
