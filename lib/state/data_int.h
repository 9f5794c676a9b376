#ifndef RB_STATE_DATA_INT_H
#define RB_STATE_DATA_INT_H

/* Builders of the individual cdb files of data/, called by lib/state/data
 * (bases) and lib/state/data_delta (deltas). */

#include <jansson.h>

#include "base/err.h"
#include "conf/conf.h"
#include "state/cdbw.h"
#include "state/store.h"
#include "wire/rr.h"

/* The key of the meta record in data/ files: never a key rb-dnsd asks
 * for (local keys start with a letter, block keys with a label length). */
#define RB_DATA_META "\377"

/* block.cdb: the action the config alone gives a name (always_*), so a
 * delta can tell what is left when the API lists stop naming it. */
#define RB_DATA_BLOCK_CONF 0xfe

#define RB_ZONE_TRANSPARENT 4
#define RB_ZONE_DEFAULT 0x80 /* a flag: one of unbound's default zones */
#define RB_ZONE_ALWAYS_NXDOMAIN 12
#define RB_ZONE_ALWAYS_REFUSE 13

/* data/local.cdb at path from API dns entries (borrowed) and config
 * local data, with meta (JSON text) under RB_DATA_META. */
int rb_data_local_build(const char *path, const struct rb_conf *conf,
    const json_t *entries, const char *meta, struct rb_err *e);

/* data/block.cdb at path from the blacklist and allowlist entries
 * (borrowed) and always_* zones, with meta under RB_DATA_META. */
int rb_data_block_build(const char *path, const struct rb_conf *conf,
    const json_t *black, const json_t *allow, const char *meta,
    struct rb_err *e);

/* Stage rr as a record of local data: key owner+type, value rdata, prio
 * the TTL.  -1 on ENOMEM. */
int rb_data_local_stage(struct rb_cdbw *recs, const struct rb_rr *rr);

/* From staged records (sorted): one RRset per owner+type under dkey and
 * one type list per owner under ekey, into out. */
int rb_data_local_emit(struct rb_cdbw *out, const struct rb_cdbw *recs,
    char dkey, char ekey, struct rb_err *e);

/* data/local.delta for the owners named in owners (an object whose keys
 * are owner names as the store keeps them; NULL: every owner changed
 * since the dns base), over the old delta when keep_old, with meta. */
int rb_data_delta_local(const char *root, struct rb_store *s, json_t *owners,
    int keep_old, const char *meta, struct rb_err *e);

/* data/block.delta for the domains of black and allow (objects whose keys
 * are domains; NULL: every domain changed since the bases). */
int rb_data_delta_block(const char *root, struct rb_store *s, json_t *black,
    json_t *allow, int keep_old, const char *meta, struct rb_err *e);

/* The action byte of a blacklist entry ('N' or 'R'). */
char rb_data_block_action(const json_t *entry);

#endif
