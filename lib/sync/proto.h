#ifndef RB_SYNC_PROTO_H
#define RB_SYNC_PROTO_H

/*
 * The replication wire format (doc/sync.md): the JSON bodies a master's
 * rb-syncd sends and a slave parses, GET /sync/delta and GET /sync/config,
 * and the certificate fingerprint text.  Every byte of a response is
 * untrusted until these parsers have checked it; the fuzzer (fz_sync)
 * reaches all of them.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "state/store.h"

#define RB_SYNC_EPOCH_LEN 64              /* epoch buffer: a UUID and NUL */
#define RB_SYNC_FP_LEN 96                 /* "AA:BB:..." (95) and NUL */
#define RB_SYNC_DELTA_EVENTS 10000        /* events in one delta answer */
#define RB_SYNC_DELTA_BYTES (64u << 20)   /* largest delta body */
#define RB_SYNC_SNAPSHOT_BYTES (1u << 30) /* largest snapshot body */
#define RB_SYNC_WAIT_MAX 30               /* longest long-poll, seconds */
#define RB_SYNC_FORMAT 1                  /* snapshot "format" */

/* A checked GET /sync/delta answer.  events and feed_data are borrowed
 * from doc, which the struct owns. */
struct rb_sync_delta {
	json_t *doc;
	json_t *events;    /* array, seqs since + 1, since + 2, ... */
	json_t *feed_data; /* object: feed id -> {"sha256","size"}, or NULL */
	uint64_t seq;      /* the master's last seq (>= the last event's) */
	uint64_t oldest;   /* the oldest seq the master's journal holds */
	char epoch[RB_SYNC_EPOCH_LEN];
};

/* A checked GET /sync/config answer: the whole store as of seq. */
struct rb_sync_snapshot {
	json_t *doc;
	json_t *colls[RB_COLL_N]; /* arrays of entries, borrowed from doc */
	uint64_t coll_seq[RB_COLL_N];
	json_t *feed_data; /* as in a delta, or NULL */
	uint64_t seq;
	char epoch[RB_SYNC_EPOCH_LEN];
};

/* Parse and check a delta answer to ?since=since (buf[0..len), borrowed):
 * a JSON object with a UUID epoch, seq, and at most RB_SYNC_DELTA_EVENTS
 * events numbered from since + 1 without a gap, each as the journal
 * writes it.  0, or -1 with e BAD_RESPONSE (502); d then holds nothing.
 * Free with rb_sync_proto_delta_fini. */
int rb_sync_proto_delta_parse(struct rb_sync_delta *d, const char *buf,
    size_t len, uint64_t since, struct rb_err *e);

void rb_sync_proto_delta_fini(struct rb_sync_delta *d);

/* Parse and check a snapshot (buf[0..len), borrowed): each collection an
 * array of objects with a unique UUID id and the fields its key needs,
 * per-collection seqs not above seq.  0, or -1 with e BAD_RESPONSE. */
int rb_sync_proto_snapshot_parse(struct rb_sync_snapshot *s, const char *buf,
    size_t len, struct rb_err *e);

void rb_sync_proto_snapshot_fini(struct rb_sync_snapshot *s);

/* Check one journal event (borrowed): exactly seq (== want), ts, event (a
 * name of [a-z0-9_], 1..64 bytes) and fields (an object, whose id is a
 * UUID for an event of a store collection).  0, or -1 with e set. */
int rb_sync_proto_event_check(const json_t *ev, uint64_t want,
    struct rb_err *e);

/* Check a feed_data object (borrowed): UUID keys, each {"sha256": 64
 * lower-case hex digits, "size": N >= 0}.  0, or -1 with e set. */
int rb_sync_proto_feed_data_check(const json_t *fd, struct rb_err *e);

/* The fingerprint in text (len bytes, borrowed: 32 bytes in hex, with or
 * without colons, any case, surrounding white space ignored) in
 * canonical form "AA:BB:..." into out.  0, or -1 when malformed. */
int rb_sync_proto_fp_parse(const char *text, size_t len,
    char out[RB_SYNC_FP_LEN]);

/* The fingerprint of a GET /sync/cert body {"fingerprint":"..."}
 * (borrowed), canonical, into out.  0, or -1 with e BAD_RESPONSE. */
int rb_sync_proto_cert_parse(const char *buf, size_t len,
    char out[RB_SYNC_FP_LEN], struct rb_err *e);

/* Parse a decimal seq (digits only, at most 20, fits 64 bits) from a query
 * parameter.  0, or -1 when malformed. */
int rb_sync_proto_parse_u64(const char *s, uint64_t *out);

#endif
