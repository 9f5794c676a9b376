#ifndef RB_FEED_SUBS_H
#define RB_FEED_SUBS_H

/*
 * Feed subscriptions (store collection "feeds", doc/feeds.md), shared by
 * `rb-feed` and rb-apid as lib/state/lists.h is for the other lists: the same
 * function answers `rb-feed add` and `POST /feeds`, with the same JSON.
 * Refreshing feeds is lib/feed/update.h.
 */

#include <jansson.h>

#include "base/err.h"
#include "state/txn.h"

#define RB_FEEDS_MAX 100
#define RB_FEED_NAME_MAX 128

/* Validate a POST /feeds body (borrowed) and stage feed_add in t.  *resp
 * (new reference) is the answer once t commits: {"status":"ok","feed":
 * {...},"message":"..."} (HTTP 201).  Errors: INVALID_REQUEST, INVALID_NAME,
 * INVALID_URL (http://, credentials, internal host, too long),
 * INVALID_FIELD (format, action, description), all 400; LIMIT_EXCEEDED
 * (422) past 100 feeds; ALREADY_EXISTS (409) for a URL already subscribed. */
int rb_feed_subs_add(struct rb_txn *t, const json_t *req, json_t **resp,
    struct rb_err *e);

/* Stage feed_delete: {"status":"ok","deleted_id":id}; INVALID_ID (400),
 * NOT_FOUND (404).  Call rb_feed_subs_delete_files after the commit. */
int rb_feed_subs_delete(struct rb_txn *t, const char *id, json_t **resp,
    struct rb_err *e);

/* Remove ROOT/feeds/<id>.set (and an old <id>.cdb) and its lock file
 * once the delete is committed; call it while still holding the
 * transaction.  -1 with errno when a file exists and cannot be removed. */
int rb_feed_subs_delete_files(const char *root, const char *id);

/* Remove what a killed writer or an interrupted delete left in
 * ROOT/feeds/: temporary files, and the set, cdb and lock files of feeds
 * no longer subscribed.  Call it holding t (the store lock).  Returns the
 * number of files removed, or -1 with errno. */
int rb_feed_subs_sweep(struct rb_txn *t);

/* The second half of rb_feed_subs_sweep alone: the set, cdb and lock files
 * of feeds no longer subscribed (a delete killed before it removed them),
 * safe while other writers run.  Call it holding t.  Returns the number
 * of files removed, or -1 with errno. */
int rb_feed_subs_orphans(struct rb_txn *t);

/* Convert the feed cdb files of the format before sets (ROOT/feeds/
 * <id>.cdb) of subscribed feeds into <id>.set, byte for byte what a
 * refresh of the same names writes, and remove them.  A cdb that cannot
 * be read is converted to nothing: the feed gets its data back at its
 * next refresh.  Call it holding t.  Returns the number converted, or -1
 * with errno. */
int rb_feed_subs_upgrade(struct rb_txn *t);

/* GET /feeds: {"feeds":[...],"total":N}, each entry with its status
 * fields, read as rb_feed_subs_load does. */
int rb_feed_subs_list(const char *root, json_t **resp, struct rb_err *e);

/* The subscriptions now (new reference to an array; empty when there are
 * none), read consistently under the store lock shared (rb_txn_read). */
json_t *rb_feed_subs_load(const char *root, struct rb_err *e);

/* ROOT/feeds/<id><suffix> into buf; -1 when it does not fit. */
int rb_feed_subs_path(const char *root, const char *id, const char *suffix,
    char *buf, size_t len);

#endif
