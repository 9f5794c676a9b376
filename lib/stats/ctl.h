#ifndef RB_STATS_CTL_H
#define RB_STATS_CTL_H

/*
 * Talking to rb-dnsd from another process, through files only: requests
 * are files in ROOT/run/ctl/ holding a nonce (clear-logs, reload), and
 * rb-dnsd answers in run/stats.shm (the nonce served, the inodes of the
 * data files it maps, its pid).  See doc/rb-apid.md.
 */

#include <stdint.h>

#include "base/err.h"
#include "stats/stats.h"
#include "sys/root.h"

/* A long-lived reader's view of run/stats.shm that follows rb-dnsd's
 * restarts: each start creates a new file, which is mapped anew. */
struct rb_ctl_view {
	char root[RB_PATH_MAX];
	const struct rb_stats_shm *shm; /* NULL when not mapped */
	uint64_t dev, ino;              /* of the file mapped */
};

/* Set up v for root (borrowed); maps nothing yet. */
void rb_ctl_init(struct rb_ctl_view *v, const char *root);

/* The current mapping (borrowed from v), re-mapped when run/stats.shm was
 * replaced since; NULL with errno when there is none (ENOENT: rb-dnsd has
 * never run here). */
const struct rb_stats_shm *rb_ctl_stats(struct rb_ctl_view *v);

/* Unmap. */
void rb_ctl_fini(struct rb_ctl_view *v);

/* 1 when the rb-dnsd that wrote s is still running, else 0. */
int rb_ctl_alive(const struct rb_stats_shm *s);

/* Ask rb-dnsd to act: write run/ctl/name atomically, holding a fresh
 * random nonce (never 0) and a newline; *nonce gets it. */
int rb_ctl_request(const char *root, const char *name, uint64_t *nonce,
    struct rb_err *e);

/* The requests of one name one process has made, newest last.  rb-dnsd
 * acts on the file it finds, the newest, so when two requests overlap
 * only the later one's nonce may come back: its acknowledgement answers
 * the earlier request too, which was made before it. */
#define RB_CTL_KEPT 64
struct rb_ctl_issued {
	uint64_t nonce[RB_CTL_KEPT]; /* by count % RB_CTL_KEPT */
	uint64_t count;              /* requests made */
};

/* rb_ctl_request, recorded in h; *ticket names this request. */
int rb_ctl_issue(struct rb_ctl_issued *h, const char *root, const char *name,
    uint64_t *ticket, struct rb_err *e);

/* 1 when ack (a nonce rb-dnsd served) answers request ticket of h: its own
 * nonce or one of a later request still remembered; else 0. */
int rb_ctl_answers(const struct rb_ctl_issued *h, uint64_t ticket,
    uint64_t ack);

/* 1 when rb-dnsd serves the data/local.cdb and data/block.cdb that are in
 * data/ now (it has published their inodes), else 0. */
int rb_ctl_data_live(const char *root, const struct rb_stats_shm *s);

/* The nonces rb-dnsd last served and what the last clear erased, read
 * consistently. */
struct rb_ctl_acks {
	uint64_t reload_done, clear_done, clear_deleted, clear_total;
};
void rb_ctl_acks(const struct rb_stats_shm *s, struct rb_ctl_acks *out);

#endif
