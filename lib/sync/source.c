/*
 * source: a master's answers, read from its state root.
 *
 * Invariants: nothing here writes the root.  A delta is cut from the
 * journal files, which never change after their rename; the files may be
 * pruned while we read, so every delta is checked to start at since + 1
 * and run without a gap, and is retried once, then answered 410 (a full
 * snapshot is always correct, a silent gap never is).  A snapshot holds
 * a shared flock on store/.lock, which every writer takes exclusively
 * from begin to end, so the store files and the journal it reads belong
 * to one moment; events the journal has and the store lacks (a writer
 * killed mid-way) are applied in memory, as recovery would.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/digest.h"
#include "base/uuid.h"
#include "state/data.h"
#include "state/journal.h"
#include "state/store.h"
#include "state/txn.h"
#include "sync/source.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"
#include "zone/zonehist.h"

static int
head_of(const char *root, struct rb_journal *j, struct rb_sync_head *h,
    struct rb_err *e)
{
	uint64_t sseq, next;

	if (rb_journal_open_ro(j, root, e) < 0 ||
	    rb_store_applied(root, &sseq, &next, e) < 0 ||
	    rb_journal_find_last(j, next, e) < 0)
		return -1;
	snprintf(h->epoch, sizeof h->epoch, "%s", j->epoch);
	h->seq = j->last > sseq ? j->last : sseq;
	h->oldest = j->first != 0 ? j->first : h->seq + 1;
	return 0;
}

int
rb_sync_source_head(const char *root, struct rb_sync_head *h, struct rb_err *e)
{
	struct rb_journal j;

	return head_of(root, &j, h, e);
}

/* Open path and hash it: the descriptor, at offset 0, or -1 with e set
 * (NOT_FOUND when there is no such file; what names it in messages). */
static int
open_hashed(const char *path, const char *what, char hex[65], uint64_t *size,
    struct rb_err *e)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
			    "no data for "
			    "%s",
			    what);
		return rb_err_sys(e, "open data file");
	}
	if (rb_digest_fd_hex(fd, hex, size) < 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		rb_err_sys(e, "hash data file");
		close(fd);
		return -1;
	}
	return fd;
}

int
rb_sync_source_feed_open(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e)
{
	char path[RB_PATH_MAX], what[64];

	if (!rb_uuid_valid(id))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "not a feed id");
	snprintf(path, sizeof path, "%s/feeds/%s.set", root, id);
	snprintf(what, sizeof what, "feed %s", id);
	return open_hashed(path, what, hex, size, e);
}

int
rb_sync_source_zones_open(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e)
{
	char path[RB_PATH_MAX], what[100];

	if (rb_data_zones_path(root, id, path, sizeof path) < 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "not a zones build "
		    "id (a SHA-256 in lower-case hex)");
	snprintf(what, sizeof what, "zones build %s", id);
	return open_hashed(path, what, hex, size, e);
}

int
rb_sync_source_feed_hash(const char *root, const char *id, char hex[65],
    uint64_t *size, struct rb_err *e)
{
	int fd = rb_sync_source_feed_open(root, id, hex, size, e);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* feed_data[id] = {"sha256","size"} when the feed has data. */
static int
add_feed_data(const char *root, json_t *fd, const char *id, struct rb_err *e)
{
	char hex[65];
	uint64_t size;
	struct rb_err e2 = { 0 };

	if (json_object_get(fd, id) != NULL)
		return 0;
	if (rb_sync_source_feed_hash(root, id, hex, &size, &e2) < 0) {
		if (e2.kind == RB_ERR_NOT_FOUND || e2.kind == RB_ERR_INVALID)
			return 0;
		*e = e2;
		return -1;
	}
	if (json_object_set_new(fd, id,
	        json_pack("{s:s, s:I}", "sha256", hex, "size",
	            (json_int_t)size)) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	return 0;
}

/* A delta's events take at most this many bytes (at least one event
 * whatever its size), well inside what a slave reads
 * (RB_SYNC_DELTA_BYTES): events of up to 64 KB each would otherwise pass
 * that long before the event count does. */
#define CUT_BYTES (RB_SYNC_DELTA_BYTES / 4)

struct cut {
	uint64_t want; /* the next seq due */
	size_t max;
	size_t bytes; /* of the events taken, as JSON */
	json_t *events;
	int gap, full;
};

static int
cut_one(void *ctx, json_t *ev)
{
	struct cut *c = ctx;

	if ((uint64_t)json_integer_value(json_object_get(ev, "seq")) !=
	    c->want) {
		c->gap = 1;
		return -1;
	}
	if (json_array_append(c->events, ev) < 0)
		return -1;
	c->want++;
	c->bytes += json_dumpb(ev, NULL, 0, JSON_COMPACT);
	if (json_array_size(c->events) >= c->max || c->bytes >= CUT_BYTES) {
		c->full = 1;
		return -1;
	}
	return 0;
}

/* The feeds whose data the events may have changed. */
static int
delta_feed_data(const char *root, const json_t *events, json_t *fd,
    struct rb_err *e)
{
	size_t i;
	json_t *ev;

	json_array_foreach (events, i, ev) {
		const char *name = json_string_value(
		    json_object_get(ev, "event"));
		const char *id = json_string_value(
		    json_object_get(json_object_get(ev, "fields"), "id"));

		if (name == NULL || id == NULL ||
		    rb_store_coll_of(name) != RB_COLL_FEEDS ||
		    strcmp(name, "feed_delete") == 0)
			continue;
		if (add_feed_data(root, fd, id, e) < 0)
			return -1;
	}
	return 0;
}

static json_t *
delta_json(const struct rb_sync_head *h, json_t *events, uint64_t last)
{
	return json_pack("{s:o, s:I, s:s, s:I, s:o}", "events", events, "seq",
	    (json_int_t)(h->seq > last ? h->seq : last), "epoch", h->epoch,
	    "oldest", (json_int_t)h->oldest, "feed_data", json_object());
}

/* One attempt: 0 with *out, 1 gone, 2 retry, -1 failure. */
static int
cut_delta(const char *root, uint64_t since, const char *epoch, size_t max,
    json_t **out, struct rb_err *e)
{
	struct rb_sync_head h;
	struct rb_journal j;
	struct cut c = { since + 1, max ? max : 1, 0, NULL, 0, 0 };
	struct rb_err e2 = { 0 };
	int r;

	if (head_of(root, &j, &h, e) < 0)
		return -1;
	if ((epoch != NULL && strcmp(epoch, h.epoch) != 0) || since > h.seq ||
	    (since < h.seq && since + 1 < h.oldest))
		return 1;
	if ((c.events = json_array()) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (since < h.seq) {
		r = rb_journal_each(&j, since, cut_one, &c, &e2);
		if (c.gap || (r < 0 && !c.full) ||
		    json_array_size(c.events) == 0) {
			json_decref(c.events);
			return 2; /* pruned under us, or nothing to cut */
		}
	}
	*out = delta_json(&h, c.events, c.want - 1);
	if (*out == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (delta_feed_data(root, json_object_get(*out, "events"),
	        json_object_get(*out, "feed_data"), e) < 0) {
		json_decref(*out);
		return -1;
	}
	return 0;
}

int
rb_sync_source_delta(const char *root, uint64_t since, const char *epoch,
    size_t max, json_t **out, struct rb_err *e)
{
	int r;

	*out = NULL;
	if (since >= (uint64_t)INT64_MAX)
		return RB_SYNC_GONE;
	for (int attempt = 0; attempt < 2; attempt++) {
		r = cut_delta(root, since, epoch, max, out, e);
		if (r == 0)
			return RB_SYNC_OK;
		if (r == 1)
			return RB_SYNC_GONE;
		if (r < 0)
			return -1;
	}
	return RB_SYNC_GONE;
}

static json_t *
snapshot_json(const char *root, struct rb_store *s, const char *epoch,
    struct rb_err *e)
{
	json_t *doc = json_pack("{s:i, s:{}, s:I, s:s, s:{}}", "format",
	    RB_SYNC_FORMAT, "store_seq", "seq", (json_int_t)s->last, "epoch",
	    epoch, "feed_data");
	json_t *seqs = json_object_get(doc, "store_seq"), *v, *all;
	size_t i;

	if (doc == NULL)
		goto oom;
	for (int c = 0; c < RB_COLL_N; c++) {
		const char *name = rb_store_coll_name((enum rb_coll)c);
		uint64_t seq = c == RB_COLL_ZONES ? s->zones_seq : s->v[c].seq;

		if ((all = rb_store_entries(s, (enum rb_coll)c, e)) == NULL) {
			json_decref(doc);
			return NULL;
		}
		if (json_object_set(doc, name, all) < 0 ||
		    json_object_set_new(seqs, name,
		        json_integer((json_int_t)seq)) < 0)
			goto oom;
	}
	json_array_foreach (rb_store_entries(s, RB_COLL_FEEDS, e), i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id != NULL &&
		    add_feed_data(root, json_object_get(doc, "feed_data"), id,
		        e) < 0) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
oom:
	json_decref(doc);
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
	return NULL;
}

int
rb_sync_source_snapshot(const char *root, int nonblock, json_t **out,
    struct rb_err *e)
{
	struct rb_store s;
	char epoch[64];
	int r;

	*out = NULL;
	if ((r = rb_txn_read(&s, root, nonblock, epoch, e)) != 0)
		return r > 0 ? RB_SYNC_BUSY : -1;
	*out = snapshot_json(root, &s, epoch, e);
	rb_store_fini(&s);
	return *out != NULL ? RB_SYNC_OK : -1;
}
