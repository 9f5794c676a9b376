#ifndef RB_DATA_H
#define RB_DATA_H

/*
 * data/: the cdb files rb-dnsd maps, compiled from the store and the config
 * (doc/cdb.md).  Deterministic: the same store and config give the same
 * bytes.
 */

#include "conf.h"
#include "err.h"
#include "store.h"

/* Rebuild data/local.cdb and data/block.cdb atomically, then data/built.
 * conf may be NULL (no config data). */
int rb_data_build(const char *root, const struct rb_conf *conf,
    const struct rb_store *s, struct rb_err *e);

/* 1 when data/built does not describe this store and config (or is
 * missing), 0 when the cdb files are current. */
int rb_data_stale(const char *root, const struct rb_conf *conf,
    const struct rb_store *s);

/* Zone type code of doc/cdb.md for an unbound local-zone type, or 0. */
int rb_data_zone_code(const char *type);

#endif
