#ifndef RB_STATE_DATA_H
#define RB_STATE_DATA_H

/*
 * data/: the cdb files rb-dnsd maps, compiled from the store and the config
 * (doc/cdb.md).  Deterministic: the same store and config give the same
 * bytes.
 */

#include <jansson.h>

#include "base/err.h"
#include "conf/conf.h"
#include "state/store.h"

#define RB_DATA_LOCAL 1 /* data/local.cdb: dns entries, config data */
#define RB_DATA_BLOCK 2 /* data/block.cdb: blacklist, allowlist */
#define RB_DATA_ZONES 4 /* data/zones.cdb: the newest zones build */
#define RB_DATA_ALL 7

/* Rebuild data/local.cdb and data/block.cdb whole from s and conf (NULL:
 * no config data), remove their deltas, and copy the newest kept zones
 * build to data/zones.cdb (lib/zone/zonehist).  Costs the whole store:
 * for compaction, a changed config and rb-data. */
int rb_data_build(const char *root, const struct rb_conf *conf,
    struct rb_store *s, struct rb_err *e);

/* The same for the files in which (RB_DATA_*) only. */
int rb_data_build_some(const char *root, const struct rb_conf *conf,
    struct rb_store *s, int which, struct rb_err *e);

/* Bring data/ up to date with s: a file already current is left alone; a
 * file whose base fits is brought up to date by its delta, for the names
 * of changed[c] (objects whose keys are names, borrowed) when the file
 * was current at from[c], the collection's seq before them, else for
 * every name changed since the collections' bases; a file whose base does
 * not fit (another config, or older than a collection's base) is rebuilt
 * whole.  changed and from may be NULL. */
int rb_data_update(const char *root, const struct rb_conf *conf,
    struct rb_store *s, json_t *const changed[RB_COLL_N],
    const uint64_t from[RB_COLL_N], struct rb_err *e);

/* The bases of the files in which, from s and conf, staged as
 * data/<name>.cdb.next (lib/state/compact); rb_data_install renames them
 * in. */
int rb_data_stage(const char *root, const struct rb_conf *conf,
    struct rb_store *s, int which, struct rb_err *e);
int rb_data_install(const char *root, int which, struct rb_err *e);

/* Remove what a killed compaction staged and never renamed in. */
int rb_data_unstage(const char *root, struct rb_err *e);

/* The meta record of the data file at path (a new object), or NULL. */
json_t *rb_data_meta(const char *path);

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
