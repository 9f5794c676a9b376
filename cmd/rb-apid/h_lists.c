/*
 * h_lists: /dns, /blacklist and /allowlist, on the same lib/state/lists
 * functions as rb-dns, rb-block and rb-allow.  A write holds the store lock
 * only for its transaction; once committed, the reply waits (on a timer, never
 * blocking the loop) until rb-dnsd reports that it maps the data files
 * the commit produced, so a 201 means the name is answered.  If rb-dnsd is
 * not running there is nothing to wait for.
 *
 * A GET answer is kept per list until the list's store file changes:
 * loading 10,000 entries costs milliseconds, a stat one microsecond.
 * Store files are only ever replaced by rename, so device, inode, size
 * and mtime name one content; an answer is kept only when the file did
 * not change while it was read.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apid.h"
#include "base/log.h"
#include "base/path.h"
#include "state/lists.h"
#include "state/txn.h"
#include "sys/root.h"

struct file_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

static struct {
	struct file_key key;
	char *text;
	size_t len;
} cache[3];

/* The key of the list's store file (all zero when absent); -1 when it
 * cannot be known. */
static int
store_key(const struct apid *a, enum rb_list l, struct file_key *k)
{
	char path[RB_PATH_MAX];
	struct stat st;

	memset(k, 0, sizeof *k);
	rb_path(path, sizeof path, "%s/store/%s.json", a->dm.root,
	    rb_store_coll_name(rb_lists_coll(l)));
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	k->dev = (uint64_t)st.st_dev;
	k->ino = (uint64_t)st.st_ino;
	k->size = (uint64_t)st.st_size;
	k->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	return 0;
}

/* Keep text (taken) as the answer for list l at key k. */
static void
keep(enum rb_list l, const struct file_key *k, char *text)
{
	if ((size_t)l >= sizeof cache / sizeof cache[0]) {
		free(text);
		return;
	}
	free(cache[l].text);
	cache[l].key = *k;
	cache[l].text = text;
	cache[l].len = strlen(text);
}

static void
list(struct rq *r, enum rb_list l)
{
	struct apid *a = r->a;
	struct file_key before, after;
	struct rb_err e = { 0 };
	json_t *resp = NULL;
	char *text;
	int known = store_key(a, l, &before) == 0 &&
	    (size_t)l < sizeof cache / sizeof cache[0];

	if (known && cache[l].text != NULL &&
	    memcmp(&before, &cache[l].key, sizeof before) == 0) {
		reply_text(r, 200, "application/json", cache[l].text,
		    cache[l].len);
		return;
	}
	if (rb_lists_list(a->dm.root, l, &resp, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	text = json_dumps(resp, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(resp);
	if (text == NULL) {
		reply_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	reply_text(r, 200, "application/json", text, strlen(text));
	if (known && store_key(a, l, &after) == 0 &&
	    memcmp(&before, &after, sizeof before) == 0)
		keep(l, &before, text);
	else
		free(text);
}

/* 1 (and the reply sent) once rb-dnsd serves the current data files, or
 * at once when it is not running, or at the deadline. */
static int
live_poll(struct rq *r, int timed_out)
{
	const struct rb_stats_shm *s = rb_ctl_stats(&r->a->view);
	json_t *resp;

	if (s != NULL && rb_ctl_alive(s) &&
	    !rb_ctl_data_live(r->a->dm.root, s) && !timed_out)
		return 0;
	if (timed_out)
		rb_warn("rb-dnsd has not mapped the new data after %d ms",
		    APID_WAIT_MS);
	resp = r->resp;
	r->resp = NULL;
	reply_json(r, r->status, resp);
	return 1;
}

static void
reply_when_live(struct rq *r, int status, json_t *resp)
{
	r->resp = resp;
	r->status = status;
	if (!live_poll(r, 0))
		rq_wait(r, live_poll, APID_POLL_MS, APID_WAIT_MS);
}

static void
add(struct rq *r, enum rb_list l)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_lists_add(&t, l, r->body, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	rb_txn_end(&t);
	rb_info("added id=%s from=%s",
	    json_string_value(
	        json_object_get(json_object_get(resp, "entry"), "id")),
	    r->peer_text);
	reply_when_live(r, 201, resp);
}

static void
del(struct rq *r, enum rb_list l)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *resp = NULL;

	if (rb_txn_begin(&t, r->a->dm.root, &e) < 0) {
		reply_err(r, &e);
		return;
	}
	if (rb_lists_delete(&t, l, r->arg, &resp, &e) < 0 ||
	    rb_txn_commit(&t, &e) < 0) {
		rb_txn_end(&t);
		json_decref(resp);
		reply_err(r, &e);
		return;
	}
	rb_txn_end(&t);
	rb_info("deleted id=%s from=%s", r->arg, r->peer_text);
	reply_when_live(r, 200, resp);
}

void
h_dns_list(struct rq *r)
{
	list(r, RB_LIST_DNS);
}

void
h_dns_add(struct rq *r)
{
	add(r, RB_LIST_DNS);
}

void
h_dns_del(struct rq *r)
{
	del(r, RB_LIST_DNS);
}

void
h_block_list(struct rq *r)
{
	list(r, RB_LIST_BLACKLIST);
}

void
h_block_add(struct rq *r)
{
	add(r, RB_LIST_BLACKLIST);
}

void
h_block_del(struct rq *r)
{
	del(r, RB_LIST_BLACKLIST);
}

void
h_allow_list(struct rq *r)
{
	list(r, RB_LIST_ALLOWLIST);
}

void
h_allow_add(struct rq *r)
{
	add(r, RB_LIST_ALLOWLIST);
}

void
h_allow_del(struct rq *r)
{
	del(r, RB_LIST_ALLOWLIST);
}
