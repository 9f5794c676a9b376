#ifndef RB_STATE_COLL_H
#define RB_STATE_COLL_H

/*
 * coll: one collection of the store (doc/store.md) as three layers, newest
 * last, so that a write costs what it changes:
 *
 *	store/<name>.cdb	the base: every entry as of one seq, written
 *				only at compaction (lib/state/compact)
 *	store/<name>.delta	the checkpoint: what changed after the base,
 *				as of a later seq, rewritten every few
 *				dozen events (lib/state/store)
 *	the tail		journal events after the checkpoint, applied
 *				in memory (lib/state/store reads them)
 *
 * Both files are cdb, with one meta key and three kinds of key:
 *	"\001"		{"seq":N,"count":C} (the checkpoint adds "base",
 *			the seq of the base it follows, and "changes", the
 *			events it folds in)
 *	"i" id		the entry, compact JSON, in the order entries came
 *	"k" key		its id, by the collection's uniqueness key
 *	"o" owner	(dns) the ids of the records at the lower-case owner
 *			name, 36 bytes each
 * In the checkpoint every value is 'S' and the value, or 'X' alone: the
 * key is gone since the base.  Lookups ask the tail, then the checkpoint,
 * then the base, so validation (duplicates, limits, ids) never loads the
 * whole collection.
 */

#include <stddef.h>
#include <stdint.h>

#include <cdb.h>
#include <jansson.h>

#include "base/err.h"
#include "sys/root.h"

/* The collections of the store (lib/state/store). */
enum rb_coll {
	RB_COLL_DNS,
	RB_COLL_BLACKLIST,
	RB_COLL_ALLOWLIST,
	RB_COLL_FEEDS,
	RB_COLL_ZONES,
	RB_COLL_N
};

/* How an event changes its collection. */
enum rb_coll_op {
	RB_COLL_ADD,    /* a new entry */
	RB_COLL_DELETE, /* the entry with the event's id goes */
	RB_COLL_MERGE,  /* the event's fields replace those of its entry */
};

/* One layer file. */
struct rb_coll_file {
	int fd;     /* -1: no file */
	int mapped; /* db is set (a walk needed the whole file) */
	struct cdb db;
	char *buf; /* the last value read with pread */
	size_t cap;
	uint64_t seq;  /* meta seq */
	uint64_t base; /* checkpoint: the base seq it follows */
	long count;
	long changes; /* checkpoint: events folded in since the base */
};

struct rb_coll_view {
	int coll;              /* enum rb_coll */
	const char *name;      /* "dns", ...; static */
	int owners;            /* keeps "o" keys (dns) */
	char dir[RB_PATH_MAX]; /* ROOT/store */
	struct rb_coll_file base, ck;
	/* The tail, after the checkpoint's seq. */
	json_t *t_ent;   /* id -> entry, or null: deleted */
	json_t *t_key;   /* key -> id, or null: gone */
	json_t *t_own;   /* owner -> array of ids */
	json_t *t_order; /* ids added in the tail, in order */
	size_t t_events; /* events the tail holds */
	long count;      /* entries now */
	uint64_t seq;    /* the last event applied (0: none) */
	json_t *cache;   /* id -> entry decoded from a file, for borrowers */
	json_t *idcache; /* key -> id read from a file, for borrowers */
};

/* The uniqueness key of entry in collection coll into buf: "name type
 * value" (lower-case name) for dns, the domain for the lists, the url for
 * feeds, the id for zones. */
const char *rb_coll_key(int coll, const json_t *entry, char *buf, size_t len);

/* The lower-case owner name of a dns entry into buf ("" for none). */
const char *rb_coll_owner(const json_t *entry, char *buf, size_t len);

/* Open collection coll (named name) of root/store: open the base and the
 * checkpoint when they exist.  owners: keep "o" keys.  -1 with e set when
 * a file is damaged. */
int rb_coll_open(struct rb_coll_view *v, const char *root, int coll,
    const char *name, int owners, struct rb_err *e);

void rb_coll_close(struct rb_coll_view *v);

/* The entry with this id (borrowed, valid until the next change to v), or
 * NULL. */
json_t *rb_coll_find(struct rb_coll_view *v, const char *id);

/* The id of the entry with this uniqueness key (borrowed), or NULL. */
const char *rb_coll_id_of(struct rb_coll_view *v, const char *key);

/* The ids of the records at owner (a new array), or NULL on ENOMEM. */
json_t *rb_coll_owner_ids(struct rb_coll_view *v, const char *owner);

/* Apply one event of the collection at seq: op, and its fields (an entry
 * for an add, {"id"} for a delete, the new fields for a merge).  fields
 * is borrowed; an add keeps a reference to it.  An event at or below the
 * view's seq changes nothing (recovery replays over what is there). */
int rb_coll_apply(struct rb_coll_view *v, uint64_t seq, enum rb_coll_op op,
    json_t *fields, struct rb_err *e);

/* Call fn for each name changed since the base: owners (dns) or keys,
 * with op the kind of key ('o' or 'k'). */
int rb_coll_changed(struct rb_coll_view *v,
    int (*fn)(void *ctx, int op, const char *name), void *ctx);

/* Every entry now, in order (a new array). */
json_t *rb_coll_entries(struct rb_coll_view *v, struct rb_err *e);

/* The JSON text of every entry now, in order, comma-separated as inside
 * an array, into a malloc'd buffer (*len bytes; caller frees); without
 * decoding the entries that did not change. */
char *rb_coll_entries_text(struct rb_coll_view *v, size_t *len,
    struct rb_err *e);

/* Events since the base (what a compaction would fold in). */
size_t rb_coll_pending(const struct rb_coll_view *v);

/* Write the checkpoint as of v->seq (the old one and the tail folded
 * in), atomically, and empty the tail. */
int rb_coll_checkpoint(struct rb_coll_view *v, struct rb_err *e);

/* Write entries (an array, borrowed) as the base of collection coll at
 * path, as of seq, atomically. */
int rb_coll_write_base(int coll, int owners, const json_t *entries,
    uint64_t seq, const char *path, struct rb_err *e);

/* The paths of the base and checkpoint of name in root into buf. */
void rb_coll_base_path(const char *root, const char *name, char *buf,
    size_t len);
void rb_coll_ck_path(const char *root, const char *name, char *buf, size_t len);

#endif
