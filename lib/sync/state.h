#ifndef RB_SYNC_STATE_H
#define RB_SYNC_STATE_H

/*
 * A replica's files in ROOT/sync/ (doc/rb-syncd.md): state (what the
 * slave has applied and when it last heard from its master), the pinned
 * master fingerprint, and the resync request `rb-sync resync` leaves for
 * rb-syncd.  rb-syncd writes them; rb-sync reads them.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "conf/conf.h"
#include "sync/proto.h"

#define RB_SYNC_PIN "sync-master.fingerprint"
#define RB_SYNC_STATE "state"
#define RB_SYNC_RESYNC "resync"

struct rb_sync_state {
	int synced; /* a full snapshot of epoch was completed */
	char epoch[RB_SYNC_EPOCH_LEN]; /* the master history followed */
	uint64_t applied_seq;          /* the last master event applied here */
	uint64_t master_seq;           /* the master's seq at last contact */
	char master[256];              /* sync-master at last contact */
	int64_t last_contact;          /* Unix s of the last answer, 0 never */
	int64_t current_at;   /* last time applied_seq == master_seq held */
	int64_t last_full;    /* Unix s of the last full snapshot */
	uint64_t full_syncs;  /* snapshots taken, ever */
	char phase[16];       /* "snapshot", "delta", "backoff", "refused" */
	char last_error[512]; /* empty when the last attempt succeeded */
	int64_t last_error_at;
};

/* ROOT/sync/<name> into buf; -1 (ENAMETOOLONG) when it does not fit. */
int rb_sync_state_path(const char *root, const char *name, char *buf,
    size_t len);

/* Read ROOT/sync/state into s; a missing file is a zeroed state (0).
 * A damaged one is INTERNAL_ERROR with s zeroed: the caller starts over
 * with a full snapshot. */
int rb_sync_state_load(const char *root, struct rb_sync_state *s,
    struct rb_err *e);

/* Parse state text (buf[0..len), borrowed) into s. */
int rb_sync_state_parse(struct rb_sync_state *s, const char *buf, size_t len,
    struct rb_err *e);

/* Write s to ROOT/sync/state (0644) atomically, creating ROOT/sync. */
int rb_sync_state_save(const char *root, const struct rb_sync_state *s,
    struct rb_err *e);

/* The pinned fingerprint: 1 with out filled, 0 when there is no pin file,
 * -1 with e set when it cannot be read or does not hold a fingerprint. */
int rb_sync_state_pin_load(const char *root, char out[RB_SYNC_FP_LEN],
    struct rb_err *e);

/* Pin fp: ROOT/sync/sync-master.fingerprint (0640), atomically. */
int rb_sync_state_pin_save(const char *root, const char *fp, struct rb_err *e);

/* `rb-sync resync`: leave ROOT/sync/resync for rb-syncd. */
int rb_sync_state_resync_request(const char *root, struct rb_err *e);

/* 1 when a resync request is waiting, else 0. */
int rb_sync_state_resync_pending(const char *root);

/* Remove the request once a full snapshot is in. */
void rb_sync_state_resync_clear(const char *root);

/* `rb-sync status`: a new object {"role","master","master_seq",
 * "applied_seq","lag_events","lag_seconds","epoch","last_error",
 * "last_contact",...} from conf (borrowed) and the files under root, at
 * Unix time now.  A master reports its own journal. */
json_t *rb_sync_state_status(const char *root, const struct rb_conf *conf,
    int64_t now, struct rb_err *e);

#endif
