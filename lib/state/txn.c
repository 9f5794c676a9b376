/*
 * txn: the one write path.  Invariants: a writer holds flock(store/.lock)
 * from begin to end; the journal gets a transaction's events before any
 * store or data file changes, so a crash at any instant leaves either
 * nothing of the transaction or its whole journal file, which the next
 * begin replays; store/applied never claims an event the store files
 * lack.  A write costs what it changes: begin reads the journal files
 * after store/applied (a few dozen at most) into the collections' tails,
 * commit appends one journal file and rewrites the deltas of data/ for
 * the names it changed (lib/state/data_delta); the collections are
 * checkpointed every RB_STORE_REPLAY_MAX events, and compacted by
 * lib/state/compact in another process once they pass RB_COMPACT_AT
 * changes (a bulk of RB_STORE_BULK at once waits for that in the
 * journal).  A replica (rb-syncd) writes through here too: rb_txn_stage
 * keeps its master's seqs and timestamps, and rb_txn_replace swaps in a
 * snapshot.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/path.h"
#include "state/compact.h"
#include "state/data.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

static int
replay_one_store(void *ctx, json_t *ev)
{
	static struct rb_err scratch;

	return rb_store_apply(ctx, ev, &scratch);
}

static int
replay_one(void *ctx, json_t *ev)
{
	struct rb_txn *t = ctx;
	static struct rb_err scratch;

	return rb_store_apply(&t->store, ev, &scratch);
}

/* No journal file the store or a running compaction still needs goes. */
static void
set_floor(struct rb_txn *t)
{
	uint64_t pin = rb_compact_pin(t->root);

	t->journal.floor = t->store.next;
	if (pin != 0 && (t->journal.floor == 0 || pin < t->journal.floor))
		t->journal.floor = pin;
}

/* Contract 3: the journal events after store/applied into the store's
 * tails (checkpointed when they are many), then data/ brought up to date
 * with them (nothing when it is). */
static int
recover(struct rb_txn *t, struct rb_err *e)
{
	uint64_t last;
	int r;

	if (rb_journal_each_from(&t->journal, t->store.next, t->store.applied,
	        replay_one, t, e) < 0)
		return -1;
	last = t->journal.last;
	if (rb_store_max_seq(&t->store) > last)
		last = rb_store_max_seq(&t->store); /* an older root's */
	/* Making it visible may fail (a full disk): the journal still holds
	 * it, so this write goes on, and the next begin tries again. */
	set_floor(t);
	r = rb_store_save(&t->store, last + 1, 0, e);
	set_floor(t);
	if (r == 0)
		r = rb_data_update(t->root, t->conf, &t->store, NULL, NULL, e);
	if (r < 0) {
		rb_warn("store or data/ not brought up to date: %s",
		    e->details);
		t->unseen = 1;
		memset(e, 0, sizeof *e);
	}
	return 0;
}

/* The names an event changes in data/: a dns entry's owner, a listed
 * domain; for a delete, those of the entry it removes (still in the
 * store: call before applying). */
static int
note_change(struct rb_txn *t, const json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "event"));
	json_t *fields = json_object_get(ev, "fields"), *ent = fields;
	int c = name ? rb_store_coll_of(name) : -1;
	char key[2048];

	if (c != RB_COLL_DNS && c != RB_COLL_BLACKLIST &&
	    c != RB_COLL_ALLOWLIST)
		return 0;
	if (json_object_get(fields, "name") == NULL &&
	    json_object_get(fields, "domain") == NULL)
		ent = rb_store_find(&t->store, (enum rb_coll)c,
		    json_string_value(json_object_get(fields, "id")) ?: "");
	if (ent == NULL)
		return 0; /* deleting nothing changes nothing */
	if (c == RB_COLL_DNS)
		rb_coll_owner(ent, key, sizeof key);
	else
		rb_store_key((enum rb_coll)c, ent, key, sizeof key);
	if (t->changed[c] == NULL && (t->changed[c] = json_object()) == NULL)
		return -1;
	return json_object_set_new(t->changed[c], key, json_true());
}

/* Where the next begin finds the store: every collection's seq, for
 * rb_data_update to tell whether its names suffice. */
static void
mark_from(struct rb_txn *t)
{
	for (int c = 0; c < RB_COLL_ZONES; c++)
		t->from[c] = t->store.v[c].seq;
	for (int c = 0; c < RB_COLL_N; c++) {
		json_decref(t->changed[c]);
		t->changed[c] = NULL;
	}
}

static int
lock_root(struct rb_txn *t, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	rb_path(path, sizeof path, "%s/store", t->root);
	if (rb_file_mkdirs(path, 0750) < 0)
		return rb_err_sys(e, "create store directory");
	rb_path(path, sizeof path, "%s/store/.lock", t->root);
	t->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (t->lockfd < 0)
		return rb_err_sys(e, "open store lock");
	/* (What a killed writer left in store/ goes at the next compaction,
	 * which lists the directory: a write does not.) */
	while (flock(t->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return rb_err_sys(e, "lock store");
	}
	return 0;
}

int
rb_txn_begin(struct rb_txn *t, const char *root, struct rb_err *e)
{
	memset(t, 0, sizeof *t);
	t->lockfd = -1;
	if (snprintf(t->root, sizeof t->root, "%s", root) >=
	    (int)sizeof t->root)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root path too long");
	if (lock_root(t, e) < 0)
		goto fail;
	if ((t->conf = rb_conf_load_root(root, e)) == NULL)
		goto fail;
	if (rb_store_convert(root, e) < 0 ||
	    rb_store_load(&t->store, root, e) < 0)
		goto fail;
	if (rb_journal_open_at(&t->journal, root, t->conf->journal_retention,
	        t->store.next, e) < 0)
		goto fail;
	if (recover(t, e) < 0)
		goto fail;
	mark_from(t);
	t->next = (t->journal.last > rb_store_max_seq(&t->store) ?
	                  t->journal.last :
	                  rb_store_max_seq(&t->store)) +
	    1;
	if (t->store.applied >= t->next)
		t->next = t->store.applied + 1;
	if ((t->pending = json_array()) == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto fail;
	}
	return 0;
fail:
	rb_txn_end(t);
	return -1;
}

int
rb_txn_event(struct rb_txn *t, const char *event, json_t *fields,
    struct rb_err *e)
{
	json_t *ev;

	/* A slave's journal holds only its master's events (rb_txn_stage):
	 * a local write there would be lost at the next full sync. */
	if (!t->replica && t->conf->mode == RB_MODE_SLAVE) {
		json_decref(fields);
		return rb_err_set(e, RB_ERR_READ_ONLY, "READ_ONLY",
		    "This node is a slave "
		    "replica \xe2\x80\x94 write operations are disabled");
	}
	ev = json_pack("{s:I, s:I, s:s, s:o}", "seq", (json_int_t)t->next, "ts",
	    (json_int_t)time(NULL), "event", event, "fields", fields);
	if (ev == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (note_change(t, ev) < 0 || rb_store_apply(&t->store, ev, e) < 0 ||
	    json_array_append_new(t->pending, ev) < 0) {
		if (e->code == NULL)
			rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		return -1;
	}
	t->next++;
	return 0;
}

int
rb_txn_stage(struct rb_txn *t, json_t *event, struct rb_err *e)
{
	json_int_t seq = json_integer_value(json_object_get(event, "seq"));
	int r = -1;

	if (seq <= 0 || (uint64_t)seq != t->next) {
		rb_err_set(e, RB_ERR_CONFLICT, "SEQ_CONFLICT",
		    "event seq %lld, expected "
		    "%llu",
		    (long long)seq, (unsigned long long)t->next);
		goto done;
	}
	if (!json_is_integer(json_object_get(event, "ts")) ||
	    !json_is_string(json_object_get(event, "event")) ||
	    !json_is_object(json_object_get(event, "fields"))) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_EVENT",
		    "event at seq %lld lacks "
		    "ts, event or fields",
		    (long long)seq);
		goto done;
	}
	if (note_change(t, event) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	if (rb_store_apply(&t->store, event, e) < 0)
		goto done;
	if (json_array_append(t->pending, event) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	t->replica = 1;
	t->next++;
	r = 0;
done:
	json_decref(event);
	return r;
}

int
rb_txn_replace(struct rb_txn *t, json_t *const colls[RB_COLL_N],
    const uint64_t coll_seq[RB_COLL_N], uint64_t seq, const char *epoch,
    struct rb_err *e)
{
	if (json_array_size(t->pending) != 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "events staged before a snapshot");
	/* The old history goes first: a crash after this leaves an empty
	 * journal that cannot replay old events into the new store. */
	if (rb_journal_reset(&t->journal, epoch, e) < 0 ||
	    rb_store_replace(&t->store, colls, coll_seq, seq, e) < 0)
		return -1;
	set_floor(t);
	t->next = seq + 1;
	mark_from(t);
	return 0;
}

/* After the journal: the store's files when due (they checkpoint
 * before the journal would keep more than its retention for them), then
 * data/. */
static int
make_visible(struct rb_txn *t, struct rb_err *e)
{
	int r = rb_store_save(&t->store, t->next,
	    t->next - t->store.next > (uint64_t)t->conf->journal_retention, e);

	set_floor(t);
	if (r == 0)
		r = rb_data_update(t->root, t->conf, &t->store, t->changed,
		    t->from, e);
	/* (After a failure the next update works from the bases: no file
	 * of data/ is then at from.) */
	mark_from(t);
	if (r == 0)
		rb_compact_due(t->root, &t->store);
	return r;
}

int
rb_txn_commit(struct rb_txn *t, struct rb_err *e)
{
	size_t n = json_array_size(t->pending);

	if (n == 0)
		return 0;
	if ((t->replica ? rb_journal_append_as(&t->journal, t->pending, e) :
	                  rb_journal_append(&t->journal, t->pending,
	                      t->next - n, e)) < 0)
		return -1;
	json_array_clear(t->pending);
	/* Committed: what follows only makes it visible, and the next
	 * begin does it again if this fails or is killed.  A failure here
	 * (a full disk, say) is not the write's: it is said, and the write
	 * stands (DESIGN.md contract 3). */
	if (make_visible(t, e) < 0) {
		rb_warn("seq %llu committed, not yet visible: %s (the next "
		        "write, or a daemon's start, makes it so)",
		    (unsigned long long)(t->next - 1), e->details);
		t->unseen = 1;
	}
	return 0;
}

int
rb_txn_recover(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	struct rb_txn t;
	int fd;

	/* No journal: nothing was ever written, nothing to recover (and
	 * nothing made here, for a root that only has a config). */
	rb_path(path, sizeof path, "%s/journal/epoch", root);
	if (access(path, F_OK) < 0)
		return 0;
	rb_path(path, sizeof path, "%s/store/.lock", root);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0) {
		int busy = flock(fd, LOCK_EX | LOCK_NB) < 0 &&
		    errno == EWOULDBLOCK;

		(void)close(fd); /* releases it, if it was ours */
		if (busy)
			return 0;
	}
	if (rb_txn_begin(&t, root, e) < 0)
		return -1;
	rb_txn_end(&t);
	return 0;
}

int
rb_txn_rebuild(struct rb_txn *t, struct rb_err *e)
{
	return rb_data_build(t->root, t->conf, &t->store, e);
}

void
rb_txn_end(struct rb_txn *t)
{
	json_decref(t->pending);
	t->pending = NULL;
	for (int c = 0; c < RB_COLL_N; c++) {
		json_decref(t->changed[c]);
		t->changed[c] = NULL;
	}
	rb_store_fini(&t->store);
	rb_conf_free(t->conf);
	t->conf = NULL;
	if (t->lockfd >= 0)
		close(t->lockfd); /* releases the flock */
	t->lockfd = -1;
}

int
rb_txn_read(struct rb_store *s, const char *root, int nonblock, char *epoch,
    struct rb_err *e)
{
	char path[RB_PATH_MAX];
	struct rb_journal j;
	struct rb_err je = { 0 };
	int fd, r = -1;

	memset(s, 0, sizeof *s);
	for (int c = 0; c < RB_COLL_ZONES; c++)
		s->v[c].base.fd = s->v[c].ck.fd = -1;
	/* An older root is converted first, which takes the lock whole. */
	rb_path(path, sizeof path, "%s/store/seq", root);
	if (access(path, F_OK) == 0) {
		struct rb_txn t;

		if (rb_txn_begin(&t, root, e) < 0)
			return -1;
		rb_txn_end(&t);
	}
	rb_path(path, sizeof path, "%s/store/.lock", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && flock(fd, LOCK_SH | (nonblock ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR)
			continue;
		(void)close(fd);
		if (errno == EWOULDBLOCK)
			return 1;
		return rb_err_sys(e, "lock store");
	}
	if (rb_store_load(s, root, e) < 0)
		goto done;
	/* No journal yet: nothing beyond the files. */
	if (epoch != NULL)
		epoch[0] = '\0';
	if (rb_journal_open_ro(&j, root, &je) < 0) {
		r = je.kind == RB_ERR_NOT_FOUND ?
		    0 :
		    rb_err_set(e, je.kind, je.code, "%s", je.details);
		goto done;
	}
	if (epoch != NULL)
		memcpy(epoch, j.epoch, sizeof j.epoch);
	r = rb_journal_each_from(&j, s->next, s->applied, replay_one_store, s,
	    e);
	if (r == 0 && j.last > s->last)
		s->last = j.last;
done:
	if (fd >= 0)
		(void)close(fd); /* releases the shared lock */
	if (r < 0)
		rb_store_fini(s);
	return r;
}
