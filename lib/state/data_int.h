#ifndef RB_STATE_DATA_INT_H
#define RB_STATE_DATA_INT_H

/* Builders of the individual cdb files of data/, called by rb_data_build. */

#include "base/err.h"
#include "conf/conf.h"
#include "state/store.h"

#define RB_ZONE_TRANSPARENT 4
#define RB_ZONE_ALWAYS_NXDOMAIN 12
#define RB_ZONE_ALWAYS_REFUSE 13

/* data/local.cdb at path from API dns entries and config local data. */
int rb_data_local_build(const char *path, const struct rb_conf *conf,
    const struct rb_store *s, struct rb_err *e);

/* data/block.cdb at path from blacklist, allowlist and always_* zones. */
int rb_data_block_build(const char *path, const struct rb_conf *conf,
    const struct rb_store *s, struct rb_err *e);

#endif
