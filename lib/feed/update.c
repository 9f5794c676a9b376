/*
 * update: one refresh is lock, fetch, parse, record.
 *
 * Invariants: the body streams from libcurl through the parser into a
 * feedset, so memory follows the distinct names, not the body; nothing
 * on disk changes until the whole body arrived and parsed, so a failed,
 * cut or cancelled download leaves the previous set file in place.  The feed's
 * lock file serialises fetchers of one feed (rb-feedd and `rb-feed
 * update` at once); the store lock is taken last and only to swap the set
 * and journal feed_update, so a download never blocks other writers, and
 * a feed deleted during its download is noticed under the lock and its
 * data never written.  Lock order: feed lock, then store lock; a delete
 * takes only the store lock.  Every write in feeds/ happens under the
 * store lock, which is why cleaning stale temporary files there is safe.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/rfc3339.h"
#include "feed/fetch.h"
#include "feed/parse.h"
#include "feed/set.h"
#include "feed/subs.h"
#include "feed/update.h"
#include "state/entry.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

/* More distinct names than any real list has (the largest public ones
 * hold 2-3 million): past it a feed is refused rather than let a broken
 * or hostile one take the daemon's memory (16 bytes a name; repeats are
 * dropped before they fill 1.25 times the cap; sorting doubles that). */
#define RB_FEED_NAMES_MAX 5000000

struct job {
	const char *root;
	const struct rb_conf *conf;
	const char *id;
	char name[RB_FEED_NAME_MAX + 1];
	char error[512];
	char action; /* 'N' or 'R': the set's action */
	int toomany; /* past RB_FEED_NAMES_MAX */
	enum rb_feed_outcome out;
	long long entry_count;
	struct rb_feed_parse p;
	struct rb_feed_set set;
	struct rb_fetch_result fr;
};

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *
find_feed(const json_t *arr, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach (arr, i, v) {
		const char *s = str(v, "id");
		if (s != NULL && strcmp(s, id) == 0)
			return v;
	}
	return NULL;
}

static int
on_name(void *ctx, const uint8_t *w, size_t len)
{
	struct job *j = ctx;

	if (rb_feed_set_add(&j->set, w, len) < 0) {
		j->toomany = errno == EFBIG;
		return -1;
	}
	return 0;
}

/* The body is all in: sort and count the distinct names. */
static int
seal(struct job *j)
{
	if (rb_feed_set_seal(&j->set) < 0) {
		j->toomany = errno == EFBIG;
		return -1;
	}
	return 0;
}

static int
on_body(void *ctx, const char *buf, size_t len)
{
	struct job *j = ctx;

	return rb_feed_parse_feed(&j->p, buf, len);
}

/* 0 locked, 1 busy (wait unset), -1 with errno. */
static int
lock_feed(const char *root, const char *id, int wait, int *fd)
{
	char path[RB_PATH_MAX];
	int e;

	if (rb_feed_subs_path(root, id, ".lock", path, sizeof path) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return -1;
	while (flock(*fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		e = errno;
		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return 1;
		errno = e;
		return -1;
	}
	return 0;
}

static void
failed(struct job *j, const char *msg)
{
	j->out = RB_FEED_FAILED;
	snprintf(j->error, sizeof j->error, "%s", msg);
}

/* Conditional GET only when the data it would keep is there and whole:
 * a set rb-dnsd refuses (damaged on disk) would stay refused as long as
 * the server answers 304. */
static void
validators(const struct job *j, const json_t *feed, struct rb_fetch_opts *o)
{
	char path[RB_PATH_MAX], action;
	const char *why = NULL;
	size_t count;

	if (rb_feed_subs_path(j->root, j->id, ".set", path, sizeof path) < 0)
		return;
	if (rb_nameset_check_file(path, &count, &action, &why) < 0)
		return; /* missing or damaged: fetch it whole */
	o->etag = str(feed, "etag");
	o->last_modified = str(feed, "last_modified");
}

/* A body with no name is an error page (an HTML page is all lines an
 * adblock list skips), the wrong format or a cut transfer, not an empty
 * list: keep the data we have.  Only a body of blank and comment lines
 * alone empties a feed. */
static int
plausible(struct job *j)
{
	uint64_t bad = j->p.invalid + j->p.skipped;

	if (j->p.names > 0 || (j->p.lines > 0 && bad == 0))
		return 1;
	if (j->p.lines == 0)
		snprintf(j->error, sizeof j->error, "empty body");
	else
		snprintf(j->error, sizeof j->error,
		    "no valid entry in %llu "
		    "lines (format %s)",
		    (unsigned long long)bad,
		    rb_feed_parse_format_name(j->p.fmt));
	return 0;
}

/* Download and parse into j->set; sets j->out. */
static void
fetch(struct job *j, const json_t *feed, const struct rb_feed_ctl *ctl)
{
	struct rb_fetch_opts o;
	struct rb_feed_url_allow allow;
	int fmt = rb_feed_parse_format(
	    str(feed, "format") ? str(feed, "format") : "hosts");

	rb_fetch_opts_init(&o);
	if (rb_feed_url_allow_init(&allow, j->conf->feed_allow,
	        j->conf->nfeed_allow) < 0) {
		failed(j, "feed-allow-address is invalid");
		return;
	}
	o.allow = &allow;
	o.max_bytes = (uint64_t)j->conf->feed_max_bytes;
	o.ca_file = j->conf->feed_ca_file;
	o.sink = on_body;
	o.sink_ctx = j;
	o.cancel = ctl->cancel;
	o.cancel_ctx = ctl->cancel_ctx;
	validators(j, feed, &o);
	rb_feed_parse_init(&j->p,
	    fmt < 0 ? RB_FEED_HOSTS : (enum rb_feed_format)fmt, on_name, j);
	if (str(feed, "url") == NULL)
		failed(j, "feed has no URL");
	else if (rb_feed_fetch(str(feed, "url"), &o, &j->fr) < 0)
		failed(j, j->toomany ? "more than 5000000 names" : j->fr.error);
	else if (j->fr.status == RB_FETCH_UNCHANGED)
		j->out = RB_FEED_UNCHANGED;
	else if (rb_feed_parse_finish(&j->p) < 0 || seal(j) < 0)
		failed(j,
		    j->toomany ? "more than 5000000 names" : "out of memory");
	else
		j->out = plausible(j) ? RB_FEED_UPDATED : RB_FEED_FAILED;
	rb_feed_url_allow_fini(&allow);
	if (ctl->cancel != NULL && ctl->cancel(ctl->cancel_ctx))
		j->out = RB_FEED_CANCELLED; /* record nothing */
}

static int
set_copy(json_t *f, const json_t *cur, const char *k)
{
	json_t *v = json_object_get(cur, k);

	return json_object_set(f, k, v ? v : json_null());
}

static int
set_text(json_t *f, const char *k, const char *s, const json_t *cur)
{
	if (s[0] == '\0')
		return set_copy(f, cur, k);
	return json_object_set_new(f, k, json_string(s));
}

/* The feed_update fields for j's outcome over the stored entry cur. */
static json_t *
status_fields(const struct job *j, const json_t *cur)
{
	char ts[32];
	json_t *f = json_pack("{s:s}", "id", j->id);
	int r = 0;

	rb_rfc3339((int64_t)time(NULL), ts, sizeof ts);
	if (f == NULL)
		return NULL;
	if (j->out == RB_FEED_UPDATED) {
		r |= json_object_set_new(f, "entry_count",
		    json_integer((json_int_t)j->set.n));
		r |= json_object_set_new(f, "invalid_lines",
		    json_integer((json_int_t)j->p.invalid));
		r |= json_object_set_new(f, "skipped_rules",
		    json_integer((json_int_t)j->p.skipped));
		r |= json_object_set_new(f, "last_updated", json_string(ts));
		r |= json_object_set_new(f, "etag",
		    j->fr.etag[0] ? json_string(j->fr.etag) : json_null());
		r |= json_object_set_new(f, "last_modified",
		    j->fr.last_modified[0] ? json_string(j->fr.last_modified) :
		                             json_null());
	} else {
		r |= set_copy(f, cur, "entry_count");
		r |= set_copy(f, cur, "invalid_lines");
		r |= set_copy(f, cur, "skipped_rules");
		r |= set_copy(f, cur, "last_updated");
		r |= set_text(f, "etag",
		    j->out == RB_FEED_UNCHANGED ? j->fr.etag : "", cur);
		r |= set_text(f, "last_modified",
		    j->out == RB_FEED_UNCHANGED ? j->fr.last_modified : "",
		    cur);
	}
	r |= json_object_set_new(f, "last_checked", json_string(ts));
	r |= json_object_set_new(f, "last_error",
	    j->out == RB_FEED_FAILED ? json_string(j->error) : json_null());
	if (r != 0) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static int
write_set(struct job *j)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX];
	struct rb_err e = { 0 };

	snprintf(dir, sizeof dir, "%s/feeds", j->root);
	if (rb_atomic_clean(dir) < 0 ||
	    rb_feed_subs_path(j->root, j->id, ".set", path, sizeof path) < 0) {
		failed(j, "unable to prepare the feeds directory");
		return -1;
	}
	if (rb_feed_set_write(&j->set, path, j->action, &e) < 0) {
		failed(j, e.details);
		return -1;
	}
	return 0;
}

/* Under the store lock: swap the set file (when updated), journal the status.
 */
static int
record(struct job *j, struct rb_err *e)
{
	struct rb_txn t;
	json_t *cur, *fields;

	if (rb_txn_begin(&t, j->root, e) < 0)
		return -1;
	cur = rb_store_find(&t.store, RB_COLL_FEEDS, j->id);
	if (cur == NULL) {
		j->out = RB_FEED_GONE;
		rb_txn_end(&t);
		return 0;
	}
	if (j->out == RB_FEED_UPDATED)
		(void)write_set(j); /* a failure turns the outcome to FAILED */
	if (j->out != RB_FEED_UPDATED)
		j->entry_count = json_integer_value(
		    json_object_get(cur, "entry_count"));
	else
		j->entry_count = (long long)j->set.n;
	if ((fields = status_fields(j, cur)) == NULL) {
		rb_txn_end(&t);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	if (rb_txn_event(&t, "feed_update", fields, e) < 0 ||
	    rb_txn_commit(&t, e) < 0) {
		rb_txn_end(&t);
		return -1;
	}
	rb_txn_end(&t);
	return 0;
}

static const char *
status_name(enum rb_feed_outcome o)
{
	return o == RB_FEED_UPDATED ? "updated" :
	    o == RB_FEED_UNCHANGED  ? "unchanged" :
	                              "error";
}

static json_t *
result_json(const struct job *j)
{
	const char *err = j->out == RB_FEED_FAILED ? j->error :
	    j->out == RB_FEED_BUSY ? "another update of this feed is running" :
	    j->out == RB_FEED_GONE ? "the feed was deleted" :
	    j->out == RB_FEED_CANCELLED ? "cancelled" :
	                                  NULL;

	return json_pack("{s:s, s:s, s:s, s:I, s:s?}", "id", j->id, "name",
	    j->name, "status", status_name(j->out), "entry_count",
	    (json_int_t)j->entry_count, "error", err);
}

/* Lock, re-read the entry (another fetcher may have just refreshed it),
 * fetch, record.  Returns -1 only for a failure to lock or record. */
static int
run(struct job *j, const struct rb_feed_ctl *ctl, struct rb_err *e)
{
	json_t *arr, *feed;
	int fd = -1, r;
	char dir[RB_PATH_MAX];

	snprintf(dir, sizeof dir, "%s/feeds", j->root);
	if (rb_file_mkdirs(dir, 0755) < 0)
		return rb_err_sys(e, "create the feeds directory");
	if ((r = lock_feed(j->root, j->id, ctl->wait, &fd)) != 0) {
		j->out = RB_FEED_BUSY;
		return r < 0 ? rb_err_sys(e, "lock the feed") : 0;
	}
	r = -1;
	if ((arr = rb_feed_subs_load(j->root, e)) == NULL)
		goto done;
	if ((feed = find_feed(arr, j->id)) == NULL) {
		j->out = RB_FEED_GONE;
		r = 0;
		goto done;
	}
	snprintf(j->name, sizeof j->name, "%s",
	    str(feed, "name") ? str(feed, "name") : "");
	j->action = str(feed, "action") &&
	        strcmp(str(feed, "action"), "nxdomain") == 0 ?
	    'N' :
	    'R';
	j->entry_count = json_integer_value(
	    json_object_get(feed, "entry_count"));
	rb_feed_set_init(&j->set, RB_FEED_NAMES_MAX);
	fetch(j, feed, ctl);
	r = j->out == RB_FEED_CANCELLED ? 0 : record(j, e);
done:
	json_decref(arr);
	rb_feed_set_fini(&j->set);
	close(fd); /* releases the feed lock */
	return r;
}

int
rb_feed_update(const char *root, const struct rb_conf *conf, const char *id,
    const struct rb_feed_ctl *ctl, enum rb_feed_outcome *out, json_t **result,
    struct rb_err *e)
{
	struct job *j = calloc(1, sizeof *j);
	int r;

	if (j == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	j->root = root;
	j->conf = conf;
	j->id = id;
	if (!rb_entry_is_uuid(id)) {
		free(j);
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "'%.64s' is not a UUID", id);
	}
	if (conf->mode == RB_MODE_SLAVE) {
		free(j);
		return rb_err_set(e, RB_ERR_READ_ONLY, "READ_ONLY",
		    "this root is a slave: "
		    "its feeds come from the master");
	}
	r = run(j, ctl, e);
	*out = j->out;
	if (r == 0 && (*result = result_json(j)) == NULL)
		r = rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	free(j);
	return r;
}

/* Feed all of fd to j's parser; -1 with e set. */
static int
parse_fd(struct job *j, int fd, struct rb_err *e)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rb_err_sys(e, "read the input");
		if (rb_feed_parse_feed(&j->p, buf, (size_t)n) < 0)
			return rb_err_sys(e, "keep the names");
	}
	if (rb_feed_parse_finish(&j->p) < 0)
		return rb_err_sys(e, "keep the names");
	return 0;
}

int
rb_feed_update_compile(const char *in, const char *fmt, const char *action,
    const char *out, json_t **resp, struct rb_err *e)
{
	struct job *j = calloc(1, sizeof *j);
	int f = rb_feed_parse_format(fmt), fd = -1, r = -1;

	if (j == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (f < 0 || (strcmp(action, "refuse") && strcmp(action, "nxdomain"))) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
		    "format must be hosts, "
		    "domains or adblock; action refuse or nxdomain");
		goto done;
	}
	j->action = action[0] == 'n' ? 'N' : 'R';
	rb_feed_parse_init(&j->p, (enum rb_feed_format)f, on_name, j);
	rb_feed_set_init(&j->set, RB_FEED_NAMES_MAX);
	if ((fd = strcmp(in, "-") == 0 ? 0 : open(in, O_RDONLY | O_CLOEXEC)) <
	    0) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "unable to open the input: "
		    "%s",
		    strerror(errno));
		goto done;
	}
	if (parse_fd(j, fd, e) < 0)
		goto done;
	if (seal(j) < 0) {
		rb_err_sys(e, "keep the names");
		goto done;
	}
	if (rb_feed_set_write(&j->set, out, j->action, e) < 0)
		goto done;
	*resp = json_pack("{s:I, s:I, s:I, s:I}", "entry_count",
	    (json_int_t)j->set.n, "invalid_lines", (json_int_t)j->p.invalid,
	    "skipped_rules", (json_int_t)j->p.skipped, "lines",
	    (json_int_t)j->p.lines);
	r = *resp ?
	    0 :
	    rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
done:
	if (fd > 0)
		close(fd);
	rb_feed_set_fini(&j->set);
	free(j);
	return r;
}

static json_t *
answer(json_t *results, long updated, long unchanged, long errors)
{
	return json_pack("{s:s, s:o, s:{s:i, s:i, s:i}}", "status", "ok",
	    "results", results, "summary", "updated", (int)updated, "unchanged",
	    (int)unchanged, "errors", (int)errors);
}

/* Update the feeds of arr whose id is only (NULL: every enabled one). */
static int
update_list(const char *root, const json_t *arr, const char *only,
    const struct rb_feed_ctl *ctl, json_t **resp, struct rb_err *e)
{
	struct rb_conf *conf = rb_conf_load_root(root, e);
	json_t *results = json_array(), *v, *r;
	long n[3] = { 0, 0, 0 };
	enum rb_feed_outcome out;
	size_t i;

	if (conf == NULL || results == NULL)
		goto fail;
	if (conf->mode == RB_MODE_SLAVE) {
		rb_err_set(e, RB_ERR_READ_ONLY, "READ_ONLY",
		    "this root is a slave: its feeds "
		    "come from the master");
		goto fail;
	}
	json_array_foreach (arr, i, v) {
		const char *id = str(v, "id");

		if (id == NULL || (only != NULL && strcmp(id, only) != 0) ||
		    (only == NULL &&
		        json_is_false(json_object_get(v, "enabled"))))
			continue;
		if (rb_feed_update(root, conf, id, ctl, &out, &r, e) < 0)
			goto fail;
		if (out == RB_FEED_GONE && only == NULL) {
			json_decref(r);
			continue;
		}
		n[out == RB_FEED_UPDATED         ? 0 :
		        out == RB_FEED_UNCHANGED ? 1 :
		                                   2]++;
		if (json_array_append_new(results, r) < 0)
			goto oom;
	}
	rb_conf_free(conf);
	if ((*resp = answer(results, n[0], n[1], n[2])) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	return 0;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
fail:
	rb_conf_free(conf);
	json_decref(results);
	return -1;
}

int
rb_feed_update_all(const char *root, const struct rb_feed_ctl *ctl,
    json_t **resp, struct rb_err *e)
{
	json_t *arr = rb_feed_subs_load(root, e);
	int r;

	if (arr == NULL)
		return -1;
	r = update_list(root, arr, NULL, ctl, resp, e);
	json_decref(arr);
	return r;
}

int
rb_feed_update_id(const char *root, const char *id,
    const struct rb_feed_ctl *ctl, json_t **resp, struct rb_err *e)
{
	json_t *arr;
	int r;

	if (!rb_entry_is_uuid(id))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "'%.64s' is not a UUID", id);
	if ((arr = rb_feed_subs_load(root, e)) == NULL)
		return -1;
	if (find_feed(arr, id) == NULL) {
		json_decref(arr);
		return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "no feed with id %s", id);
	}
	r = update_list(root, arr, id, ctl, resp, e);
	json_decref(arr);
	return r;
}
