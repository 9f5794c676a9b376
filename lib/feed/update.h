#ifndef RB_FEED_UPDATE_H
#define RB_FEED_UPDATE_H

/*
 * Refreshing feeds: download, parse and compile one feed into
 * ROOT/feeds/<id>.set and journal feed_update with its status, for
 * `rb-feed update`, rb-feedd and POST /feeds/update.  The download holds
 * only the feed's own lock (ROOT/feeds/<id>.lock), never the store lock;
 * the transaction is taken at the end, to swap the set file and journal.
 */

#include <jansson.h>

#include "base/err.h"
#include "conf/conf.h"

enum rb_feed_outcome {
	RB_FEED_UPDATED,   /* new data compiled */
	RB_FEED_UNCHANGED, /* 304: the data we have is current */
	RB_FEED_FAILED,    /* old data kept, last_error recorded */
	RB_FEED_BUSY,      /* another fetcher holds the feed (ctl.wait 0) */
	RB_FEED_GONE,      /* unsubscribed meanwhile: nothing recorded */
	RB_FEED_CANCELLED  /* ctl.cancel said stop: nothing recorded */
};

struct rb_feed_ctl {
	int wait; /* wait for another fetcher of the same feed */
	/* Polled during a download, and once after it; nonzero abandons the
	 * refresh (nothing recorded).  Must keep answering nonzero. */
	int (*cancel)(void *ctx);
	void *cancel_ctx;
};

/* Refresh the feed id under conf (borrowed).  READ_ONLY (503) on a
 * slave.  *out says what happened;
 * *result (new reference) is its POST /feeds/update result: {"id","name",
 * "status":"updated|unchanged|error","entry_count":N,"error":...}.
 * Returns -1 (e set) only when the outcome could not be recorded. */
int rb_feed_update(const char *root, const struct rb_conf *conf, const char *id,
    const struct rb_feed_ctl *ctl, enum rb_feed_outcome *out, json_t **result,
    struct rb_err *e);

/* POST /feeds/update: every enabled feed, one after the other (READ_ONLY
 * on a slave).  *resp:
 * {"status":"ok","results":[...],"summary":{"updated":N,"unchanged":N,
 * "errors":N}}. */
int rb_feed_update_all(const char *root, const struct rb_feed_ctl *ctl,
    json_t **resp, struct rb_err *e);

/* POST /feeds/:id/update: the same answer for one feed; INVALID_ID (400),
 * NOT_FOUND (404). */
int rb_feed_update_id(const char *root, const char *id,
    const struct rb_feed_ctl *ctl, json_t **resp, struct rb_err *e);

/* Compile a local file (in; "-" is stdin) of format fmt ("hosts",
 * "domains", "adblock") into the set file (lib/feed/nameset) at out with action
 * ("refuse" or "nxdomain"), as a refresh would: for `rb-feed compile`, checking
 * a list offline, and the benchmark.  *resp: {"entry_count","invalid_lines",
 * "skipped_rules","lines"}.  INVALID_FIELD (400) for a bad format or
 * action. */
int rb_feed_update_compile(const char *in, const char *fmt, const char *action,
    const char *out, json_t **resp, struct rb_err *e);

#endif
