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

#define RB_DATA_LOCAL 1 /* data/local.cdb: dns entries, config data */
#define RB_DATA_BLOCK 2 /* data/block.cdb: blacklist, allowlist */
#define RB_DATA_ZONES 4 /* data/zones.cdb: the newest zones build */
#define RB_DATA_ALL 7

/* Rebuild data/local.cdb and data/block.cdb atomically, copy the newest
 * kept zones build to data/zones.cdb (lib/zonehist), then data/built.
 * conf may be NULL (no config data). */
int rb_data_build(const char *root, const struct rb_conf *conf,
    const struct rb_store *s, struct rb_err *e);

/* The same for the files in which (RB_DATA_*) only: a write that changed
 * one list rewrites one file. */
int rb_data_build_some(const char *root, const struct rb_conf *conf,
    const struct rb_store *s, int which, struct rb_err *e);

/* 1 when data/built does not describe this store and config (or is
 * missing), 0 when the cdb files are current. */
int rb_data_stale(const char *root, const struct rb_conf *conf,
    const struct rb_store *s);

/* Zone type code of doc/cdb.md for an unbound local-zone type, or 0. */
int rb_data_zone_code(const char *type);

#endif
