/*
 * txn: the one write path.  Invariants: a writer holds flock(store/.lock)
 * from begin to end; the journal gets a transaction's events before any
 * store or data file changes, so a crash at any instant leaves either
 * nothing of the transaction or its whole journal file, which the next
 * begin replays; store/seq never claims an event the store files lack.
 * A replica (rb-syncd) writes through here too: rb_txn_stage keeps its
 * master's seqs and timestamps, and rb_txn_replace swaps in a snapshot.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "state/data.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

static int
replay_one(void *ctx, json_t *ev)
{
	struct rb_txn *t = ctx;
	static struct rb_err scratch;

	return rb_store_apply(&t->store, ev, &scratch);
}

/* Contract 3: apply journal events newer than the store, then save. */
static int
recover(struct rb_txn *t, struct rb_err *e)
{
	uint64_t before = t->store.applied;

	if (t->journal.last > t->store.applied) {
		if (rb_journal_each(&t->journal, t->store.applied, replay_one,
		        t, e) < 0)
			return -1;
		if (rb_store_save(&t->store, e) < 0)
			return -1;
	}
	if (t->store.applied != before ||
	    rb_data_stale(t->root, t->conf, &t->store))
		return rb_data_build(t->root, t->conf, &t->store, e);
	return 0;
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
	while (flock(t->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return rb_err_sys(e, "lock store");
	}
	rb_path(path, sizeof path, "%s/store", t->root);
	if (rb_atomic_clean(path) < 0)
		return rb_err_sys(e, "clean store directory");
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
	if (rb_store_load(&t->store, root, e) < 0)
		goto fail;
	if (rb_journal_open(&t->journal, root, t->conf->journal_retention, e) <
	    0)
		goto fail;
	if (recover(t, e) < 0)
		goto fail;
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
	if (rb_store_apply(&t->store, ev, e) < 0 ||
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

/* The add event of collection c, to rebuild it entry by entry. */
static const char *
add_event_of(int c)
{
	static const char *const adds[] = { "dns_add", "blacklist_add",
		"allow_add", "feed_add", "zones_update" };

	for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++) {
		if (rb_store_coll_of(adds[i]) == c)
			return adds[i];
	}
	return NULL;
}

/* Empty collection c, then add entries in order through rb_store_apply,
 * which keeps the indexes; then give it the snapshot's seq. */
static int
refill(struct rb_store *s, int c, json_t *entries, uint64_t seq,
    struct rb_err *e)
{
	const char *add = add_event_of(c);
	json_t *v, *ev;
	size_t i;

	if (json_array_clear(s->entries[c]) < 0 ||
	    json_object_clear(s->by_id[c]) < 0 ||
	    json_object_clear(s->by_key[c]) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	s->seq[c] = 0;
	json_array_foreach (entries, i, v) {
		if (add == NULL)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "no add "
			    "event for collection %s",
			    rb_store_coll_name((enum rb_coll)c));
		ev = json_pack("{s:I, s:s, s:O}", "seq", (json_int_t)(i + 1),
		    "event", add, "fields", v);
		if (ev == NULL)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		if (rb_store_apply(s, ev, e) < 0) {
			json_decref(ev);
			return -1;
		}
		json_decref(ev);
	}
	s->seq[c] = seq;
	s->dirty[c] = 1;
	return 0;
}

int
rb_txn_replace(struct rb_txn *t, json_t *const colls[RB_COLL_N],
    const uint64_t coll_seq[RB_COLL_N], uint64_t seq, const char *epoch,
    struct rb_err *e)
{
	json_t *none = json_array();

	if (none == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (json_array_size(t->pending) != 0) {
		json_decref(none);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "events staged "
		    "before a snapshot");
	}
	/* The old history goes first: a crash after this leaves an empty
	 * journal that cannot replay old events into the new store. */
	if (rb_journal_reset(&t->journal, epoch, e) < 0)
		goto fail;
	for (int c = 0; c < RB_COLL_N; c++) {
		if (refill(&t->store, c, colls[c] ? colls[c] : none,
		        coll_seq[c], e) < 0)
			goto fail;
	}
	t->store.applied = seq;
	t->store.applied_dirty = 1;
	if (rb_store_save(&t->store, e) < 0)
		goto fail;
	t->next = seq + 1;
	json_decref(none);
	return 0;
fail:
	json_decref(none);
	return -1;
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
	/* data/ derives from the dns, blacklist, allowlist and zones
	 * collections only: a feed refresh or a logs_clear leaves it (and
	 * rb-dnsd's mappings) alone. */
	int which = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(
		    json_object_get(json_array_get(t->pending, i), "event"));
		int c = name != NULL ? rb_store_coll_of(name) : -1;
		if (c == RB_COLL_DNS)
			which |= RB_DATA_LOCAL;
		else if (c == RB_COLL_BLACKLIST || c == RB_COLL_ALLOWLIST)
			which |= RB_DATA_BLOCK;
		else if (c == RB_COLL_ZONES)
			which |= RB_DATA_ZONES;
	}
	json_array_clear(t->pending);
	if (rb_store_save(&t->store, e) < 0)
		return -1;
	return which ?
	    rb_data_build_some(t->root, t->conf, &t->store, which, e) :
	    0;
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
	rb_store_fini(&t->store);
	rb_conf_free(t->conf);
	t->conf = NULL;
	if (t->lockfd >= 0)
		close(t->lockfd); /* releases the flock */
	t->lockfd = -1;
}
