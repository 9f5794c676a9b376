#ifndef RB_SYNC_SOURCE_H
#define RB_SYNC_SOURCE_H

/*
 * The master's side of replication (doc/sync.md): what it serves, read
 * from a state root without writing it.  The journal and store/seq are
 * read without a lock; a snapshot takes a shared lock on store/.lock, so
 * it sees the store between two writes, never in the middle of one.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "sync/proto.h"

/* Where the master's history stands. */
struct rb_sync_head {
	char epoch[RB_SYNC_EPOCH_LEN];
	uint64_t seq;    /* the last event: max(journal, store/seq) */
	uint64_t oldest; /* the oldest event held; seq + 1 when none is */
};

/* Read the head of root's journal.  NOT_FOUND (404) when the journal has
 * no epoch yet (a new root, or a wiped journal not yet written to). */
int rb_sync_source_head(const char *root, struct rb_sync_head *h,
    struct rb_err *e);

enum rb_sync_answer { RB_SYNC_OK, RB_SYNC_GONE, RB_SYNC_BUSY };

/* The answer to GET /sync/delta?since=since[&epoch=epoch]: *out (new
 * reference) is {"events":[...],"seq","epoch","oldest","feed_data"} with
 * the events after since, at most max, gapless.  epoch may be NULL.
 * RB_SYNC_GONE (410) when since + 1 is older than the journal holds,
 * after its head, or the epoch differs: the slave needs a snapshot.
 * -1 on failure. */
int rb_sync_source_delta(const char *root, uint64_t since, const char *epoch,
    size_t max, json_t **out, struct rb_err *e);

/* The answer to GET /sync/config: *out (new reference) is the whole store
 * {"format","dns","blacklist","allowlist","feeds","store_seq","seq",
 * "epoch","feed_data"} under a shared store lock.  With nonblock, returns
 * RB_SYNC_BUSY at once when a writer holds the lock. */
int rb_sync_source_snapshot(const char *root, int nonblock, json_t **out,
    struct rb_err *e);

/* SHA-256 (lower-case hex) and size of ROOT/feeds/<id>.set.  NOT_FOUND
 * (404) when there is none, INVALID_ID for an id that is not a UUID. */
int rb_sync_source_feed_hash(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e);

/* Open ROOT/feeds/<id>.set for sending: the descriptor (caller closes),
 * with hex and size describing exactly the bytes it reads, even if the
 * file is replaced meanwhile.  -1 with e as rb_sync_source_feed_hash. */
int rb_sync_source_feed_open(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e);

/* The same for the kept zones build id (store/zones.d/<id>.cdb;
 * lib/zone/zonehist); INVALID_ID for an id that is not a SHA-256 in hex. */
int rb_sync_source_zones_open(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e);

#endif
