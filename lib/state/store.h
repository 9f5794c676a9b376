#ifndef RB_STATE_STORE_H
#define RB_STATE_STORE_H

/*
 * The store: the source of truth, one file per collection in store/
 * (dns.json, blacklist.json, allowlist.json, feeds.json, zones.json), each
 * {"seq":N,"entries":[...]}
 * where seq is the last journal event applied to it.  In memory each
 * collection is a jansson array plus two indexes: by id and by the
 * collection's uniqueness key.
 */

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "sys/root.h"

enum rb_coll {
	RB_COLL_DNS,
	RB_COLL_BLACKLIST,
	RB_COLL_ALLOWLIST,
	RB_COLL_FEEDS,
	RB_COLL_ZONES,
	RB_COLL_N
};

/* The zones collection keeps the newest builds only (doc/rb-zone.md). */
#define RB_ZONES_KEPT 10

struct rb_store {
	char dir[RB_PATH_MAX];      /* root/store */
	json_t *entries[RB_COLL_N]; /* arrays of entry objects */
	json_t *by_id[RB_COLL_N];   /* id -> index-free marker (true) */
	json_t *by_key[RB_COLL_N];  /* uniqueness key -> id */
	uint64_t seq[RB_COLL_N];
	int dirty[RB_COLL_N];
	uint64_t applied; /* store/seq: every event <= this is in the store */
	int applied_dirty;
};

/* Load every collection from root/store (missing files are empty). */
int rb_store_load(struct rb_store *s, const char *root, struct rb_err *e);

/* Write back the collections changed since load, atomically each, then
 * store/seq (last, so it never claims more than the files hold). */
int rb_store_save(struct rb_store *s, struct rb_err *e);

/* Apply one journal event (borrowed) if it is newer than its collection;
 * events that touch no collection are ignored.  Idempotent.  An update
 * event (feed_update) merges its fields into the entry with its id; a
 * zones_update makes its entry the newest (moving one with the same id)
 * and drops the oldest beyond RB_ZONES_KEPT. */
int rb_store_apply(struct rb_store *s, json_t *event, struct rb_err *e);

void rb_store_fini(struct rb_store *s);

/* The collection an event name belongs to, or -1. */
int rb_store_coll_of(const char *event);

/* File stem of a collection: "dns", "blacklist", "allowlist", "feeds",
 * "zones". */
const char *rb_store_coll_name(enum rb_coll c);

/* The uniqueness key of an entry in collection c, into buf: the domain for
 * block and allow lists, "name type value" (lower-case name) for dns, the
 * url (lower-cased) for feeds, the id (a SHA-256) for zones. */
const char *rb_store_key(enum rb_coll c, const json_t *entry, char *buf,
    size_t len);

/* The entry with this id in c (borrowed), or NULL. */
json_t *rb_store_find(const struct rb_store *s, enum rb_coll c, const char *id);

/* Highest seq of any collection. */
uint64_t rb_store_max_seq(const struct rb_store *s);

#endif
