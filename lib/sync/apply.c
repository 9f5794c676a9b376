/*
 * apply: a master's events and snapshots into a slave's root.
 *
 * Invariants: a delta goes in only when the root stands exactly where it
 * ended last time (same epoch, next seq = first event's), in one
 * transaction, so the slave's journal holds the master's events with the
 * master's seqs and timestamps, and its store and data/ change as they
 * would for a local write.  A snapshot is one transaction too: journal
 * reset first, then store, then feed files, then data/.  Feed files are
 * copied in through lib/sys/atomic under the store lock, the lock every
 * writer of feeds/ holds.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/spool.h"
#include "feed/subs.h"
#include "state/data.h"
#include "state/txn.h"
#include "sync/apply.h"
#include "sync/source.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"
#include "zone/zonehist.h"

/* Copy the staged file into ROOT/feeds/<id>.set, or a zones build into
 * ROOT/store/zones.d/<id>.cdb, atomically. */
static int
install(const char *root, const struct rb_sync_datafile *f, struct rb_err *e)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX];

	snprintf(dir, sizeof dir, f->zones ? "%s/store/zones.d" : "%s/feeds",
	    root);
	if (rb_file_mkdirs(dir, f->zones ? 0750 : 0755) < 0 ||
	    (f->zones ? rb_data_zones_path(root, f->id, path, sizeof path) :
	                rb_feed_subs_path(root, f->id, ".set", path,
	                    sizeof path)) < 0)
		return rb_err_sys(e, "prepare feeds/ or store/zones.d");
	if (rb_atomic_copy(f->path, path, 0644) < 0)
		return rb_err_sys(e, "copy downloaded data");
	(void)unlink(f->path); /* staged copy; a leftover is swept later */
	return 0;
}

static int
install_all(struct rb_txn *t, const struct rb_sync_datafile *ff, size_t nff,
    struct rb_err *e)
{
	for (size_t i = 0; i < nff; i++) {
		if (ff[i].zones)
			continue; /* install_zones put them in first */
		if (rb_store_find(&t->store, RB_COLL_FEEDS, ff[i].id) == NULL)
			continue; /* deleted by the events themselves */
		if (install(t->root, &ff[i], e) < 0)
			return -1;
	}
	return 0;
}

/* Zones builds go in before the store names them: a build is named by
 * its bytes, so an early one harms nothing, and a kill between the store
 * and the file would otherwise leave a newest build without its file. */
static int
install_zones(const char *root, const struct rb_sync_datafile *ff, size_t nff,
    struct rb_err *e)
{
	for (size_t i = 0; i < nff; i++) {
		if (!ff[i].zones)
			continue;
		if (install(root, &ff[i], e) < 0)
			return -1;
	}
	return 0;
}

/* Feed data of feeds the events deleted goes with them. */
static int
drop_deleted(struct rb_txn *t, const json_t *events, struct rb_err *e)
{
	size_t i;
	json_t *ev;

	json_array_foreach (events, i, ev) {
		const char *name = json_string_value(
		    json_object_get(ev, "event"));
		const char *id = json_string_value(
		    json_object_get(json_object_get(ev, "fields"), "id"));

		if (name == NULL || id == NULL ||
		    strcmp(name, "feed_delete") != 0 ||
		    rb_store_find(&t->store, RB_COLL_FEEDS, id) != NULL)
			continue;
		if (rb_feed_subs_delete_files(t->root, id) < 0)
			return rb_err_sys(e, "remove feed data");
	}
	return 0;
}

/* Is the file of zones build id here, or among the downloads? */
static int
zones_file_held(const char *root, const char *id,
    const struct rb_sync_datafile *ff, size_t nff)
{
	char path[RB_PATH_MAX];

	for (size_t i = 0; i < nff; i++) {
		if (ff[i].zones && strcmp(ff[i].id, id) == 0)
			return 1;
	}
	return rb_data_zones_path(root, id, path, sizeof path) == 0 &&
	    access(path, F_OK) == 0;
}

/* The newest kept zones build, after the staged events: has it a file? */
static int
newest_zones_held(const struct rb_txn *t, const struct rb_sync_datafile *ff,
    size_t nff)
{
	const json_t *kept = t->store.zones;
	size_t n = json_array_size(kept);
	const char *id = n ?
	    json_string_value(
	        json_object_get(json_array_get(kept, n - 1), "id")) :
	    NULL;

	return n == 0 || (id != NULL && zones_file_held(t->root, id, ff, nff));
}

/* The same for the newest build a snapshot lists. */
static int
snapshot_zones_held(const char *root, const struct rb_sync_snapshot *s,
    const struct rb_sync_datafile *ff, size_t nff)
{
	const json_t *kept = s->colls[RB_COLL_ZONES];
	size_t n = json_array_size(kept);
	const char *id = n ?
	    json_string_value(
	        json_object_get(json_array_get(kept, n - 1), "id")) :
	    NULL;

	return n == 0 || (id != NULL && zones_file_held(root, id, ff, nff));
}

int
rb_sync_apply_delta(const char *root, const char *epoch, uint64_t applied,
    const json_t *events, const struct rb_sync_datafile *ff, size_t nff,
    uint64_t *now, struct rb_err *e)
{
	struct rb_txn t;
	size_t i;
	json_t *ev;

	if (rb_txn_begin(&t, root, e) < 0)
		return -1;
	*now = t.next - 1;
	if (strcmp(t.journal.epoch, epoch) != 0 || t.next != applied + 1) {
		rb_txn_end(&t);
		return RB_SYNC_DIVERGED;
	}
	json_array_foreach (events, i, ev) {
		if (rb_txn_stage(&t, json_incref(ev), e) < 0)
			goto fail;
	}
	/* The newest zones build must come with its file, else data/ could
	 * not follow: a build the master no longer keeps needs a snapshot. */
	if (!newest_zones_held(&t, ff, nff)) {
		rb_txn_end(&t);
		return RB_SYNC_DIVERGED;
	}
	if (install_zones(root, ff, nff, e) < 0 ||
	    install_all(&t, ff, nff, e) < 0 || rb_txn_commit(&t, e) < 0 ||
	    drop_deleted(&t, events, e) < 0)
		goto fail;
	*now = t.next - 1;
	rb_txn_end(&t);
	return RB_SYNC_APPLIED;
fail:
	rb_txn_end(&t);
	return -1;
}

/* Feeds the snapshot lists without data have none here either. */
static int
drop_dataless(struct rb_txn *t, const json_t *feed_data, struct rb_err *e)
{
	json_t *feeds = rb_store_entries(&t->store, RB_COLL_FEEDS, e), *v;
	size_t i;

	if (feeds == NULL)
		return -1;
	json_array_foreach (feeds, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id == NULL || json_object_get(feed_data, id) != NULL)
			continue;
		if (rb_feed_subs_delete_files(t->root, id) < 0)
			return rb_err_sys(e, "remove feed data");
	}
	if (rb_feed_subs_sweep(t) < 0)
		return rb_err_sys(e, "sweep feeds/");
	return 0;
}

/* The audit log records every full sync (sync_full), when it is on. */
static void
spool_sync_full(const struct rb_txn *t, const struct rb_sync_snapshot *s)
{
	struct rb_err e = { 0 };
	json_t *f;

	if (!t->conf->audit_log)
		return;
	f = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "seq",
	    (json_int_t)s->seq, "epoch", s->epoch, "dns",
	    (json_int_t)rb_store_count(&t->store, RB_COLL_DNS), "blacklist",
	    (json_int_t)rb_store_count(&t->store, RB_COLL_BLACKLIST),
	    "allowlist",
	    (json_int_t)rb_store_count(&t->store, RB_COLL_ALLOWLIST), "feeds",
	    (json_int_t)rb_store_count(&t->store, RB_COLL_FEEDS));
	/* The snapshot is installed: failing to note it must not undo it
	 * (rb-auditd still logs the journal_reset it causes). */
	if (f != NULL)
		(void)rb_audit_spool_event(t->root, "sync_full", f, &e);
	json_decref(f);
}

int
rb_sync_apply_snapshot(const char *root, const struct rb_sync_snapshot *s,
    const struct rb_sync_datafile *ff, size_t nff, struct rb_err *e)
{
	struct rb_txn t;
	int r = -1;

	if (rb_txn_begin(&t, root, e) < 0)
		return -1;
	if (!snapshot_zones_held(root, s, ff, nff)) {
		rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
		    "the master no longer keeps "
		    "the newest zones build of its snapshot");
		goto done;
	}
	if (install_zones(root, ff, nff, e) < 0 ||
	    rb_txn_replace(&t, s->colls, s->coll_seq, s->seq, s->epoch, e) < 0)
		goto done;
	if (install_all(&t, ff, nff, e) < 0 ||
	    drop_dataless(&t, s->feed_data, e) < 0 || rb_txn_rebuild(&t, e) < 0)
		goto done;
	r = 0;
	spool_sync_full(&t, s);
done:
	rb_txn_end(&t);
	return r;
}

json_t *
rb_sync_apply_feeds_wanted(const char *root, const json_t *feed_data,
    struct rb_err *e)
{
	json_t *ids = json_array(), *v;
	const char *id;
	struct rb_err e2;
	char hex[65];
	uint64_t size;

	if (ids == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	json_object_foreach ((json_t *)feed_data, id, v) {
		const char *want = json_string_value(
		    json_object_get(v, "sha256"));

		memset(&e2, 0, sizeof e2);
		if (rb_sync_source_feed_hash(root, id, hex, &size, &e2) == 0 &&
		    want != NULL && strcmp(hex, want) == 0)
			continue;
		if (e2.code != NULL && e2.kind != RB_ERR_NOT_FOUND) {
			*e = e2;
			json_decref(ids);
			return NULL;
		}
		if (json_array_append_new(ids, json_string(id)) < 0) {
			json_decref(ids);
			rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
			return NULL;
		}
	}
	return ids;
}

static int
want_zones(const char *root, json_t *ids, const json_t *fields)
{
	const char *id = json_string_value(json_object_get(fields, "id"));
	char path[RB_PATH_MAX];

	if (id == NULL || rb_data_zones_path(root, id, path, sizeof path) < 0 ||
	    access(path, F_OK) == 0)
		return 0;
	return json_array_append_new(ids, json_string(id));
}

json_t *
rb_sync_apply_zones_wanted(const char *root, const json_t *list, int events)
{
	json_t *ids = json_array(), *v;
	size_t i;

	if (ids == NULL)
		return NULL;
	json_array_foreach (list, i, v) {
		const char *name = json_string_value(
		    json_object_get(v, "event"));

		if (events &&
		    (name == NULL || rb_store_coll_of(name) != RB_COLL_ZONES))
			continue;
		if (want_zones(root, ids,
		        events ? json_object_get(v, "fields") : v) < 0) {
			json_decref(ids);
			return NULL;
		}
	}
	return ids;
}
