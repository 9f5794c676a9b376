#ifndef RB_STATE_DATA_H
#define RB_STATE_DATA_H

/*
 * data/: the cdb files rb-dnsd maps, compiled from the store and the config
 * (doc/cdb.md).  Deterministic: the same store and config give the same
 * bytes.
 */

#include "base/err.h"
#include "conf/conf.h"
#include "state/store.h"

#define RB_DATA_LOCAL 1 /* data/local.cdb: dns entries, config data */
#define RB_DATA_BLOCK 2 /* data/block.cdb: blacklist, allowlist */
#define RB_DATA_ZONES 4 /* data/zones.cdb: the newest zones build */
#define RB_DATA_ALL 7

/* Rebuild data/local.cdb and data/block.cdb atomically, copy the newest
 * kept zones build to data/zones.cdb (lib/zone/zonehist), then data/built.
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

/* ROOT/store/zones.d/<id>.cdb into buf; -1 when it does not fit or id is
 * not a lower-case SHA-256 in hex. */
int rb_data_zones_path(const char *root, const char *id, char *buf, size_t len);

/* The id of the newest kept zones build in s (borrowed), or "". */
const char *rb_data_zones_newest(const struct rb_store *s);

/* data/zones.cdb := the newest build's file, atomically, then remove the
 * files of zones.d no kept build names.  Nothing when no build is kept
 * (data/zones.cdb from before the history is left as it is). */
int rb_data_zones_install(const char *root, const struct rb_store *s,
    struct rb_err *e);

#endif
