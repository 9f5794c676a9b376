#ifndef RB_STATS_STATS_H
#define RB_STATS_STATS_H

/*
 * run/stats.shm: counters, queries per second, a latency histogram, upstream
 * health and the query-log ring, in one shared mapping written only by
 * rb-dnsd and read without locks by rb-stats, rb-logs and rb-apid.
 *
 * Readers never block the writer: the counter block is guarded by a
 * seqlock (readers retry while the writer is inside an update) and every
 * log record by its own sequence word.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

#define RB_STATS_MAGIC 0x34545342u /* "BST4": rcodes, transports, blocks */
#define RB_QPS_SLOTS 300
#define RB_LAT_BUCKETS 16
#define RB_STATS_RCODES 24 /* reply codes 0..22, and 23 for 23 and above */
#define RB_LOG_MAX 10000
#define RB_UPSTREAM_MAX 32

/* Counters of Runbound's GET /stats, then our own. */
enum rb_stat {
	RB_STAT_TOTAL,
	RB_STAT_BLOCKED,   /* a block answered REFUSED (Runbound's "blocked") */
	RB_STAT_FORWARDED, /* sent upstream */
	RB_STAT_NXDOMAIN,  /* NXDOMAIN, blocked or upstream */
	RB_STAT_REFUSED,   /* REFUSED for any reason */
	RB_STAT_SERVFAIL,
	RB_STAT_LOCAL_HITS,
	RB_STAT_CACHED,        /* forwarded names answered from our cache */
	RB_STAT_CACHE_LOOKUPS, /* forwarded names looked up in the cache */
	RB_STAT_DNSSEC_SECURE,
	RB_STAT_DNSSEC_BOGUS,
	RB_STAT_DNSSEC_INSECURE,
	RB_STAT_UDP,            /* queries that came over UDP */
	RB_STAT_TCP,            /* and over TCP */
	RB_STAT_DROPPED,        /* queries given no reply */
	RB_STAT_BLOCK_NXDOMAIN, /* blocks (step 5), action nxdomain */
	RB_STAT_BLOCK_REFUSE,   /* and action refuse */
	RB_STAT_LATENCY_US,     /* the sum of every query's time, us */
	RB_STAT_N
};

/* Query-log actions, GET /logs's names. */
enum rb_log_action {
	RB_ACT_FORWARDED = 1,
	RB_ACT_CACHED,
	RB_ACT_LOCAL,
	RB_ACT_BLOCKED,
	RB_ACT_NXDOMAIN,
	RB_ACT_REFUSED,
	RB_ACT_SERVFAIL,
};

struct rb_stats_upstream {
	char addr[64]; /* "1.1.1.1" or "1.1.1.1@853" */
	char zone[256];
	uint32_t healthy;
	uint32_t latency_ms;
	int64_t last_check; /* Unix seconds, 0 before the first probe */
};

struct rb_log_rec {
	uint32_t seq; /* odd while being written */
	uint64_t idx; /* which record this is: log_head when written */
	uint16_t qtype;
	uint8_t action;
	uint8_t namelen; /* wire length of name */
	int64_t ts;      /* Unix seconds */
	uint32_t elapsed_us;
	struct rb_ipaddr client;
	uint8_t name[256]; /* wire form */
};

struct rb_stats_shm {
	uint32_t magic;
	uint32_t size; /* of the whole mapping */
	int64_t start_time;
	uint64_t pid;
	uint32_t log_cap;    /* log-retention: 0..RB_LOG_MAX */
	uint32_t log_redact; /* log-client-ip: no */

	uint32_t seq; /* seqlock over everything below up to log_head */
	uint32_t nupstreams;
	uint64_t counters[RB_STAT_N];
	uint64_t qps[RB_QPS_SLOTS]; /* queries in second s at s % 300 */
	int64_t qps_sec;            /* the second of the newest slot */
	uint64_t qps_peak;
	uint64_t latency[RB_LAT_BUCKETS];
	uint64_t rcodes[RB_STATS_RCODES]; /* replies sent, by code */
	uint64_t cache_entries;
	struct rb_stats_upstream up[RB_UPSTREAM_MAX];

	/* rb-dnsd's answers to the control files of run/ctl/ (see
	 * doc/rb-dnsd.md): the nonce of the last request served. */
	uint64_t reload_done;
	uint64_t clear_done;
	uint64_t clear_deleted; /* records the last clear-logs erased */
	uint64_t clear_total;   /* records every clear-logs so far erased */
	/* inodes of the mapped data/local.cdb, block.cdb, local.delta and
	 * block.delta (RB_DATA_*), 0 for a file that is not there */
	uint64_t data_ino[4];

	uint64_t log_head;    /* records ever written */
	uint64_t log_cleared; /* records below this index are erased */
	struct rb_log_rec log[];
};

/* Upper bound of each latency bucket, microseconds; the last is open. */
extern const uint32_t rb_stats_lat_bounds[RB_LAT_BUCKETS];

/* One query as rb-dnsd answered it. */
struct rb_stats_answer {
	enum rb_log_action act; /* what it counts and logs as */
	int rcode;              /* of the reply; -1 when none was sent */
	int tcp;                /* it came over TCP */
	uint32_t elapsed_us;
	int64_t now; /* Unix seconds */
};

/* Writer side (rb-dnsd): create root/run/stats.shm anew (atomically), its
 * blocks allocated (a full disk fails here, not later with SIGBUS), and
 * map it.  NULL with errno on failure.  Free with rb_stats_close. */
struct rb_stats_shm *rb_stats_create(const char *root, uint32_t log_cap,
    int redact);

/* Count one query (a borrowed): total, transport, the counters its action
 * and reply code imply, latency. */
void rb_stats_query(struct rb_stats_shm *s, const struct rb_stats_answer *a);

/* Add n to one counter (forwarding, DNSSEC, cache outcomes). */
void rb_stats_add(struct rb_stats_shm *s, enum rb_stat c, uint64_t n);

/* Append one query-log record. name is wire form (borrowed). */
void rb_stats_log(struct rb_stats_shm *s, const uint8_t *name, size_t namelen,
    uint16_t qtype, enum rb_log_action act, const struct rb_ipaddr *client,
    int64_t now, uint32_t elapsed_us);

/* Erase the query log; returns how many records it held. */
uint64_t rb_stats_log_clear(struct rb_stats_shm *s);

/* Publish what rb-dnsd serves now: which data files are mapped, and the
 * nonces of control requests done (writer side). */
void rb_stats_set_data(struct rb_stats_shm *s, int which, uint64_t ino);
void rb_stats_ack_reload(struct rb_stats_shm *s, uint64_t nonce);
void rb_stats_ack_clear(struct rb_stats_shm *s, uint64_t nonce,
    uint64_t deleted);

/* Forwarding (writer side): the packet cache's entry count, and the
 * health of upstream i (< RB_UPSTREAM_MAX, copied) out of n. */
void rb_stats_set_cache(struct rb_stats_shm *s, uint64_t entries);
void rb_stats_set_upstream(struct rb_stats_shm *s, uint32_t i, uint32_t n,
    const struct rb_stats_upstream *u);

/* Unmap (either side). */
void rb_stats_close(struct rb_stats_shm *s);

/* Reader side: map root/run/stats.shm read-only.  NULL with errno (ENOENT
 * when rb-dnsd has not run). */
const struct rb_stats_shm *rb_stats_open(const char *root);

/* A consistent copy of the counter block (everything from seq to log_head)
 * into out, which must be sizeof(struct rb_stats_shm). */
void rb_stats_snapshot(const struct rb_stats_shm *s, struct rb_stats_shm *out);

/* Copy log record i (0 = oldest kept) consistently; 0, or -1 when it was
 * overwritten or erased meanwhile. */
int rb_stats_log_get(const struct rb_stats_shm *s, uint64_t index,
    struct rb_log_rec *out);

/* Name of a log action ("forwarded", ...), or NULL. */
const char *rb_stats_action_name(int act);

#endif
