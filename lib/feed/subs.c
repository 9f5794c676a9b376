/*
 * subs: subscribing and unsubscribing.  As in lib/state/lists.c, a request
 * is validated completely before anything is staged, so a refused request
 * leaves the transaction as it was.  A new entry carries every status
 * field (null or 0 until its first fetch), so GET /feeds has one shape
 * and rb-feedd can tell a feed never fetched (last_checked null).  The
 * URL rules are lib/feed/url's, with the config's feed-allow-address.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "base/uuid.h"
#include "feed/parse.h"
#include "feed/set.h"
#include "feed/subs.h"
#include "feed/url.h"
#include "state/entry.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define MAX_FEEDS_FILE (64u << 20)

int
rb_feed_subs_path(const char *root, const char *id, const char *suffix,
    char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/feeds/%s%s", root, id, suffix);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A string field of the request: required, 1..max bytes, no control
 * characters.  NULL with e set when it is not. */
static const char *
text_field(const json_t *req, const char *k, size_t max, int required,
    const char *code, struct rb_err *e)
{
	const json_t *v = json_object_get(req, k);
	const char *s = json_string_value(v);

	if (v == NULL || json_is_null(v)) {
		if (required)
			rb_err_set(e, RB_ERR_INVALID, code, "'%s' is required",
			    k);
		return NULL;
	}
	if (s == NULL || s[0] == '\0' || strlen(s) > max) {
		rb_err_set(e, RB_ERR_INVALID, code,
		    "'%s' must be a string of 1..%zu "
		    "bytes",
		    k, max);
		return NULL;
	}
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			rb_err_set(e, RB_ERR_INVALID, code,
			    "control character in '%s'", k);
			return NULL;
		}
	}
	return s;
}

/* format and action, with their defaults; -1 with e set. */
static int
kind_fields(const json_t *req, const char **format, const char **action,
    struct rb_err *e)
{
	const json_t *f = json_object_get(req, "format");
	const json_t *a = json_object_get(req, "action");

	*format = "hosts";
	*action = "refuse";
	if (f != NULL && !json_is_null(f)) {
		*format = json_string_value(f);
		if (*format == NULL || rb_feed_parse_format(*format) < 0)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
			    "format must "
			    "be 'hosts', 'domains' or 'adblock'");
	}
	if (a != NULL && !json_is_null(a)) {
		*action = json_string_value(a);
		if (*action == NULL ||
		    (strcmp(*action, "refuse") != 0 &&
		        strcmp(*action, "nxdomain") != 0))
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_FIELD",
			    "action must "
			    "be 'refuse' or 'nxdomain'");
	}
	return 0;
}

static int
check_url(const struct rb_txn *t, const char *url, struct rb_err *e)
{
	struct rb_feed_url_allow allow;
	int r;

	if (rb_feed_url_allow_init(&allow, t->conf->feed_allow,
	        t->conf->nfeed_allow) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INVALID_CONFIG",
		    "feed-allow-address "
		    "is invalid");
	r = rb_feed_url_check(url, &allow, 1, e);
	rb_feed_url_allow_fini(&allow);
	return r;
}

/* The stored entry for a validated request (new reference). */
static json_t *
new_entry(const json_t *req, struct rb_txn *t, struct rb_err *e)
{
	const char *name, *url, *format, *action, *desc;
	char id[37];
	json_t *o;

	if (!json_is_object(req)) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "body must be a JSON "
		    "object");
		return NULL;
	}
	if ((name = text_field(req, "name", RB_FEED_NAME_MAX, 1, "INVALID_NAME",
	         e)) == NULL ||
	    (url = text_field(req, "url", RB_FEED_URL_MAX, 1, "INVALID_URL",
	         e)) == NULL)
		return NULL;
	desc = text_field(req, "description", 1024, 0, "INVALID_FIELD", e);
	if ((desc == NULL && e->code != NULL) ||
	    kind_fields(req, &format, &action, e) < 0 ||
	    check_url(t, url, e) < 0)
		return NULL;
	if (rb_uuid_v4(id) < 0) {
		rb_err_sys(e, "make an id");
		return NULL;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s*, s:i, s:i, s:i, "
	              "s:n, s:n, s:n, s:n, s:n}",
	    "id", id, "name", name, "url", url, "format", format, "action",
	    action, "enabled", 1, "description", desc, "entry_count", 0,
	    "invalid_lines", 0, "skipped_rules", 0, "last_updated",
	    "last_checked", "last_error", "etag", "last_modified");
	if (o == NULL)
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
	return o;
}

int
rb_feed_subs_add(struct rb_txn *t, const json_t *req, json_t **resp,
    struct rb_err *e)
{
	json_t *entry;
	char key[2048];

	e->code = NULL;
	if ((entry = new_entry(req, t, e)) == NULL)
		return -1;
	if (rb_store_count(&t->store, RB_COLL_FEEDS) >= RB_FEEDS_MAX) {
		json_decref(entry);
		return rb_err_set(e, RB_ERR_REJECTED, "LIMIT_EXCEEDED",
		    "at most %d feeds "
		    "are allowed",
		    RB_FEEDS_MAX);
	}
	rb_store_key(RB_COLL_FEEDS, entry, key, sizeof key);
	if (rb_store_id_of(&t->store, RB_COLL_FEEDS, key) != NULL) {
		json_decref(entry);
		return rb_err_set(e, RB_ERR_CONFLICT, "ALREADY_EXISTS",
		    "a feed with this "
		    "URL is already subscribed");
	}
	*resp = json_pack("{s:s, s:O, s:s}", "status", "ok", "feed", entry,
	    "message",
	    "feed subscribed; rb-feedd fetches it now (or run "
	    "rb-feed update)");
	if (*resp == NULL) {
		json_decref(entry);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	if (rb_txn_event(t, "feed_add", entry, e) < 0) {
		json_decref(*resp);
		*resp = NULL;
		return -1;
	}
	return 0;
}

int
rb_feed_subs_delete(struct rb_txn *t, const char *id, json_t **resp,
    struct rb_err *e)
{
	if (!rb_entry_is_uuid(id))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "'%.64s' is not a UUID", id);
	if (rb_store_find(&t->store, RB_COLL_FEEDS, id) == NULL)
		return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "no feed with id %s", id);
	*resp = json_pack("{s:s, s:s}", "status", "ok", "deleted_id", id);
	if (*resp == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (rb_txn_event(t, "feed_delete", json_pack("{s:s}", "id", id), e) <
	    0) {
		json_decref(*resp);
		*resp = NULL;
		return -1;
	}
	return 0;
}

int
rb_feed_subs_delete_files(const char *root, const char *id)
{
	static const char *const suffix[] = { ".set", ".cdb", ".lock" };
	char path[RB_PATH_MAX];

	if (!rb_entry_is_uuid(id)) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		if (rb_feed_subs_path(root, id, suffix[i], path, sizeof path) <
		    0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (unlink(path) < 0 && errno != ENOENT)
			return -1;
	}
	return rb_file_dir_sync(path, 0) < 0 && errno != ENOENT ? -1 : 0;
}

/* "<uuid>.set", "<uuid>.lock" or an old "<uuid>.cdb": the uuid into id,
 * else 0. */
static int
feed_file(const char *name, char id[37])
{
	size_t n = strlen(name);

	if (n < 36 ||
	    (strcmp(name + 36, ".set") != 0 && strcmp(name + 36, ".cdb") != 0 &&
	        strcmp(name + 36, ".lock") != 0))
		return 0;
	memcpy(id, name, 36);
	id[36] = '\0';
	return rb_entry_is_uuid(id);
}

int
rb_feed_subs_sweep(struct rb_txn *t)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/feeds", t->root);
	if (rb_atomic_clean(dir) < 0)
		return errno == ENOENT ? 0 : -1;
	return rb_feed_subs_orphans(t);
}

int
rb_feed_subs_orphans(struct rb_txn *t)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], id[37];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	rb_path(dir, sizeof dir, "%s/feeds", t->root);
	if ((dp = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((d = readdir(dp)) != NULL) {
		if (!feed_file(d->d_name, id) ||
		    rb_store_find(&t->store, RB_COLL_FEEDS, id) != NULL)
			continue;
		rb_path(path, sizeof path, "%s/%s", dir, d->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(dp);
	return n;
}

/* The names of the cdb open at fd into the set file at path: 1, 0 when
 * the cdb is damaged, -1 with errno. */
static int
convert(int fd, const char *path)
{
	struct rb_feed_set s;
	struct rb_err e = { 0 };
	char action;
	int r = 1;

	rb_feed_set_init(&s, RB_NAMESET_MAX);
	if (rb_feed_set_add_cdb(&s, fd, &action) < 0)
		r = errno == EPROTO ? 0 : -1;
	else if (rb_feed_set_write(&s, path, action, &e) < 0)
		r = -1;
	rb_feed_set_fini(&s);
	return r;
}

/* The old cdb of feed id into its set file, unless it has one already;
 * then the cdb goes.  1 converted, 0 not, -1 with errno (the cdb stays). */
static int
upgrade_one(const char *root, const char *id)
{
	char cdb[RB_PATH_MAX], set[RB_PATH_MAX];
	int fd, r = 0, saved;

	if (rb_feed_subs_path(root, id, ".cdb", cdb, sizeof cdb) < 0 ||
	    rb_feed_subs_path(root, id, ".set", set, sizeof set) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(cdb, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (access(set, F_OK) < 0)
		r = convert(fd, set);
	saved = errno;
	(void)close(fd); /* read-only */
	errno = saved;
	if (r >= 0 && unlink(cdb) < 0)
		return -1;
	return r;
}

int
rb_feed_subs_upgrade(struct rb_txn *t)
{
	struct rb_err e = { 0 };
	json_t *feeds = rb_store_entries(&t->store, RB_COLL_FEEDS, &e), *v;
	int n = 0, r;
	size_t i;

	if (feeds == NULL)
		return -1;
	json_array_foreach (feeds, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id == NULL || !rb_entry_is_uuid(id))
			continue;
		if ((r = upgrade_one(t->root, id)) < 0)
			return -1;
		n += r;
	}
	return n;
}

json_t *
rb_feed_subs_load(const char *root, struct rb_err *e)
{
	struct rb_store s;
	json_t *arr;

	if (rb_txn_read(&s, root, 0, NULL, e) < 0)
		return NULL;
	arr = rb_store_entries(&s, RB_COLL_FEEDS, e);
	arr = arr ? json_deep_copy(arr) : NULL;
	rb_store_fini(&s);
	if (arr == NULL && e->code == NULL)
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
	return arr;
}

int
rb_feed_subs_list(const char *root, json_t **resp, struct rb_err *e)
{
	json_t *arr = rb_feed_subs_load(root, e);

	if (arr == NULL)
		return -1;
	*resp = json_pack("{s:o, s:I}", "feeds", arr, "total",
	    (json_int_t)json_array_size(arr));
	if (*resp == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	return 0;
}
