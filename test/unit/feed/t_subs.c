/* Unit tests for lib/feed/subs and the feeds collection of lib/state/store: add
 * validation, the 100-feed limit, duplicates, delete, how feed_update
 * merges into an entry (also on replay), and the conversion of feed cdb
 * files of the format before sets. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "feed/parse.h"
#include "feed/preset.h"
#include "feed/set.h"
#include "feed/subs.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static char root[256];

/* Add one feed from a JSON body; returns the error code or "ok". */
static const char *
add(const char *body, json_t **resp)
{
	static struct rb_err e;
	struct rb_txn t;
	json_t *req = json_loads(body, 0, NULL);
	int r;

	memset(&e, 0, sizeof e);
	*resp = NULL;
	if (rb_txn_begin(&t, root, &e) < 0)
		return e.code;
	r = rb_feed_subs_add(&t, req, resp, &e);
	if (r == 0)
		r = rb_txn_commit(&t, &e);
	rb_txn_end(&t);
	json_decref(req);
	return r == 0 ? "ok" : e.code;
}

static void
validation(void)
{
	static const struct {
		const char *body, *code;
	} cases[] = {
		{ "[]", "INVALID_REQUEST" },
		{ "{\"url\":\"https://a.example/\"}", "INVALID_NAME" },
		{ "{\"name\":\"\",\"url\":\"https://a.example/\"}",
		    "INVALID_NAME" },
		{ "{\"name\":\"x\\u0001\",\"url\":\"https://a.example/\"}",
		    "INVALID_NAME" },
		{ "{\"name\":\"x\"}", "INVALID_URL" },
		{ "{\"name\":\"x\",\"url\":\"http://a.example/\"}",
		    "INVALID_URL" },
		{ "{\"name\":\"x\",\"url\":\"https://10.0.0.1/\"}",
		    "INVALID_URL" },
		{ "{\"name\":\"x\",\"url\":\"https://a.example/\","
		  "\"format\":\"rpz\"}",
		    "INVALID_FIELD" },
		{ "{\"name\":\"x\",\"url\":\"https://a.example/\","
		  "\"action\":\"drop\"}",
		    "INVALID_FIELD" },
		{ "{\"name\":\"x\",\"url\":\"https://a.example/\","
		  "\"description\":5}",
		    "INVALID_FIELD" },
		{ NULL, NULL },
	};
	json_t *resp;
	char body[512];

	for (int i = 0; cases[i].body; i++) {
		is_str(add(cases[i].body, &resp), cases[i].code, "%s",
		    cases[i].body);
		json_decref(resp);
	}
	memset(body, 0, sizeof body);
	snprintf(body, sizeof body,
	    "{\"name\":\"%0129d\",\"url\":"
	    "\"https://a.example/\"}",
	    0);
	is_str(add(body, &resp), "INVALID_NAME", "name of 129 characters");
}

static void
adding(void)
{
	json_t *resp, *f, *list;
	struct rb_err e = { 0 };

	is_str(add("{\"name\":\"urlhaus\",\"url\":\"https://a.example/h\","
	           "\"format\":\"hosts\",\"action\":\"nxdomain\"}",
	           &resp),
	    "ok", "add a feed");
	f = json_object_get(resp, "feed");
	is_str(json_string_value(json_object_get(resp, "status")), "ok",
	    "status ok");
	is_str(json_string_value(json_object_get(f, "action")), "nxdomain",
	    "action kept");
	ok(json_is_null(json_object_get(f, "last_updated")),
	    "last_updated null until fetched");
	is_int(json_integer_value(json_object_get(f, "entry_count")), 0,
	    "entry_count 0");
	json_decref(resp);
	is_str(add("{\"name\":\"d\",\"url\":\"https://A.example/h\"}", &resp),
	    "ALREADY_EXISTS", "the same URL (any case) twice");
	is_str(add("{\"name\":\"d\",\"url\":\"https://b.example/d\"}", &resp),
	    "ok", "defaults");
	f = json_object_get(resp, "feed");
	is_str(json_string_value(json_object_get(f, "format")), "hosts",
	    "format defaults to hosts");
	is_str(json_string_value(json_object_get(f, "action")), "refuse",
	    "action defaults to refuse");
	json_decref(resp);
	ok(rb_feed_subs_list(root, &list, &e) == 0, "list");
	is_int(json_integer_value(json_object_get(list, "total")), 2,
	    "two feeds listed");
	json_decref(list);
}

static void
limit(void)
{
	json_t *resp;
	char body[128];
	int okn = 0;

	for (int i = 0; i < 98; i++) {
		snprintf(body, sizeof body,
		    "{\"name\":\"f%d\",\"url\":"
		    "\"https://c.example/%d\"}",
		    i, i);
		okn += strcmp(add(body, &resp), "ok") == 0;
		json_decref(resp);
	}
	is_int(okn, 98, "up to 100 feeds");
	is_str(add("{\"name\":\"x\",\"url\":\"https://c.example/x\"}", &resp),
	    "LIMIT_EXCEEDED", "feed 101 refused");
}

static json_t *
event(long long seq, const char *name, json_t *fields)
{
	return json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)seq, "event",
	    name, "fields", fields);
}

static void
merge(void)
{
	struct rb_store s;
	struct rb_err e = { 0 };
	const char *id = "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11";
	json_t *add_ev, *upd, *f;

	rb_store_load(&s, "/nonexistent-root", &e);
	add_ev = event(1, "feed_add",
	    json_pack("{s:s, s:s, s:s, s:i, s:n}", "id", id, "name", "n", "url",
	        "https://x.example/", "entry_count", 0, "last_error"));
	upd = event(2, "feed_update",
	    json_pack("{s:s, s:i, s:s}", "id", id, "entry_count", 42,
	        "last_error", "HTTP 500"));
	ok(rb_store_apply(&s, add_ev, &e) == 0 &&
	        rb_store_apply(&s, upd, &e) == 0,
	    "apply feed_add, feed_update");
	f = rb_store_find(&s, RB_COLL_FEEDS, id);
	is_int(json_integer_value(json_object_get(f, "entry_count")), 42,
	    "feed_update merged entry_count");
	is_str(json_string_value(json_object_get(f, "name")), "n",
	    "fields it lacks are kept");
	is_int(json_integer_value(
	           json_object_get(json_object_get(add_ev, "fields"),
	               "entry_count")),
	    0, "the feed_add event is unchanged");
	ok(rb_store_apply(&s, upd, &e) == 0, "replay is harmless");
	is_int(rb_store_count(&s, RB_COLL_FEEDS), 1, "one entry");
	json_decref(upd);
	upd = event(3, "feed_update",
	    json_pack("{s:s, s:i}", "id",
	        "00000000-0000-4000-8000-000000000000", "entry_count", 1));
	ok(rb_store_apply(&s, upd, &e) == 0, "update of an unknown id ignored");
	is_int(s.v[RB_COLL_FEEDS].seq, 3, "but the collection seq advances");
	json_decref(upd);
	json_decref(add_ev);
	rb_store_fini(&s);
}

/* An old-format feed cdb at path: n names "old<i>.example", action. */
static int
old_cdb(const char *path, int n, char action)
{
	struct cdb_make cm;
	uint8_t w[256];
	char name[64];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), r = 0;

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "old%d.example", i);
		r |= cdb_make_add(&cm, w,
		    (unsigned)rb_feed_parse_domain(name, strlen(name), w),
		    &action, 1);
	}
	r |= cdb_make_finish(&cm);
	return close(fd) | r;
}

static int
gone(const char *id, const char *suffix)
{
	char path[4300];

	rb_feed_subs_path(root, id, suffix, path, sizeof path);
	return access(path, F_OK) < 0 && errno == ENOENT;
}

/* What a refresh of the names old0..old<n-1> writes. */
static char *
fresh_set(int n, char action, size_t *len)
{
	struct rb_feed_set s;
	struct rb_err e = { 0 };
	char name[64], path[300];
	uint8_t w[256];

	snprintf(path, sizeof path, "%s/fresh.set", root);
	rb_feed_set_init(&s, 1000);
	for (int i = n - 1; i >= 0; i--) {
		snprintf(name, sizeof name, "old%d.example", i);
		rb_feed_set_add(&s, w,
		    (size_t)rb_feed_parse_domain(name, strlen(name), w));
	}
	rb_feed_set_write(&s, path, action, &e);
	rb_feed_set_fini(&s);
	return rb_file_read(path, 1 << 20, len);
}

static void
upgrade(void)
{
	struct rb_err e = { 0 };
	json_t *feeds = rb_feed_subs_load(root, &e);
	const char *a = json_string_value(
	    json_object_get(json_array_get(feeds, 0), "id"));
	const char *b = json_string_value(
	    json_object_get(json_array_get(feeds, 1), "id"));
	const char *stale = "00000000-0000-4000-8000-0000000000aa";
	char path[4300], *want, *got;
	size_t wl, gl;
	struct rb_txn t;

	snprintf(path, sizeof path, "%s/feeds", root);
	rb_file_mkdirs(path, 0755);
	rb_feed_subs_path(root, a, ".cdb", path, sizeof path);
	ok(a && b && old_cdb(path, 10, 'N') == 0, "an old cdb for feed a");
	rb_feed_subs_path(root, b, ".cdb", path, sizeof path);
	rb_atomic_replace(path, "damaged", 7, 0644);
	rb_feed_subs_path(root, stale, ".cdb", path, sizeof path);
	old_cdb(path, 1, 'R');
	ok(rb_txn_begin(&t, root, &e) == 0, "lock");
	is_int(rb_feed_subs_upgrade(&t), 1, "upgrade: one cdb converted");
	is_int(rb_feed_subs_sweep(&t), 1,
	    "sweep: the unsubscribed cdb removed");
	rb_txn_end(&t);
	ok(gone(a, ".cdb") && !gone(a, ".set"), "feed a: cdb gone, set there");
	want = fresh_set(10, 'N', &wl);
	rb_feed_subs_path(root, a, ".set", path, sizeof path);
	got = rb_file_read(path, 1 << 20, &gl);
	ok(want && got && wl == gl && memcmp(want, got, wl) == 0,
	    "the set is byte for byte what a refresh of the names writes");
	ok(gone(b, ".cdb") && gone(b, ".set"),
	    "a damaged cdb is removed, converted to nothing");
	ok(gone(stale, ".cdb"), "the unsubscribed one is gone");
	ok(rb_txn_begin(&t, root, &e) == 0 && rb_feed_subs_upgrade(&t) == 0,
	    "a second upgrade has nothing to do");
	rb_txn_end(&t);
	free(want);
	free(got);
	json_decref(feeds);
}

int
main(void)
{
	json_t *p = rb_feed_preset_all();
	char cmd[300];

	snprintf(root, sizeof root, "/tmp/t_feedops.%d", (int)getpid());
	validation();
	adding();
	limit();
	merge();
	upgrade();
	is_int(json_integer_value(json_object_get(p, "total")), 9, "9 presets");
	is_str(json_string_value(
	           json_object_get(json_array_get(json_object_get(p, "presets"),
	                               2),
	               "url")),
	    "https://small.oisd.nl/", "OISD basic URL");
	json_decref(p);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("unable to remove %s", root);
	done_testing();
	return exit_status();
}
