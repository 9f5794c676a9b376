#ifndef RB_STATE_JOURNAL_H
#define RB_STATE_JOURNAL_H

/*
 * The write-ahead journal (DESIGN.md contracts 2-4): journal/ holds one file
 * per committed transaction, named by its first seq, each a run of JSON
 * lines {"seq":N,"ts":T,"event":"dns_add","fields":{...}}, plus
 * journal/epoch, the id of this journal's history.  Files are written
 * whole by atomic rename, so a transaction is in the journal entirely or
 * not at all.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "sys/root.h"

struct rb_journal {
	char dir[RB_PATH_MAX];
	char epoch[64]; /* uuid text */
	uint64_t first; /* oldest seq held, 0 when empty */
	uint64_t last;  /* newest seq held, 0 when empty */
	long retention; /* keep at least this many events */
	uint64_t floor; /* never prune an event at or after this seq */
};

/* Open (creating if needed) root/journal.  A new journal gets a new epoch.
 * Caller holds the store lock when it will append. */
int rb_journal_open(struct rb_journal *j, const char *root, long retention,
    struct rb_err *e);

/* Append events (a JSON array of {"event","fields"} objects, borrowed) as
 * one transaction numbered from next: seq and ts are added to each object
 * in place.  Durable on return.  Then drops whole files older than the
 * retention. */
int rb_journal_append(struct rb_journal *j, json_t *events, uint64_t next,
    struct rb_err *e);

/* Open root/journal as rb_journal_open does, without listing it: the
 * caller knows next, the seq that starts a file (store/applied), and
 * rb_journal_each_from finds the last event from there.  With next 0 it
 * is rb_journal_open. */
int rb_journal_open_at(struct rb_journal *j, const char *root, long retention,
    uint64_t next, struct rb_err *e);

/* Call fn for every event of the files from the one named next on (file
 * after file, as long as one follows), in order; j->last becomes the
 * last seq found (next - 1 when there is none).  With next 0, every event
 * with seq > since (rb_journal_each).  A damaged file is an error. */
int rb_journal_each_from(struct rb_journal *j, uint64_t next, uint64_t since,
    int (*fn)(void *ctx, json_t *event), void *ctx, struct rb_err *e);

/* j->last from the files after next (as rb_journal_each_from finds it,
 * counting lines only; with next 0, by listing the directory). */
int rb_journal_find_last(struct rb_journal *j, uint64_t next, struct rb_err *e);

/* Open root/journal for reading only, without the store lock (rb-syncd's
 * master): nothing is created or cleaned.  NOT_FOUND (404) when the
 * journal has no epoch yet. */
int rb_journal_open_ro(struct rb_journal *j, const char *root,
    struct rb_err *e);

/* Append events that already carry their seq and ts (a replica copying
 * its master's journal; borrowed) as one transaction, written exactly as
 * given.  Their seqs must be consecutive and above j->last (SEQ_CONFLICT,
 * 409).  Durable on return; prunes as rb_journal_append does. */
int rb_journal_append_as(struct rb_journal *j, json_t *events,
    struct rb_err *e);

/* Replace the whole journal by an empty one whose epoch is epoch (a
 * replica adopting its master's history after a snapshot): built beside
 * journal/ and swapped in by rename, then the old one is removed.  The
 * caller holds the store lock; seqs then continue from the store's. */
int rb_journal_reset(struct rb_journal *j, const char *epoch, struct rb_err *e);

/* Call fn for every event with seq > since, in order; fn's event is
 * borrowed.  Stops and returns -1 when fn does.  A damaged file is an
 * error (INTERNAL_ERROR naming its seq). */
int rb_journal_each(const struct rb_journal *j, uint64_t since,
    int (*fn)(void *ctx, json_t *event), void *ctx, struct rb_err *e);

#endif
