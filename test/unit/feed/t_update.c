/*
 * Unit tests for lib/feed/update without the network: rb_feed_update_compile
 * from local files (its counts, the set file it writes and the names found
 * in it, its errors), and the refresh paths that end before a download or
 * never start one: bad and unknown ids, a slave root, a feed another
 * fetcher holds, a cancelled refresh, and a feed whose URL the fetcher
 * refuses (recorded as an error, the old set kept).  A download itself
 * needs an HTTPS server: test/integ/50-feed.t covers it.
 */

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf/conf.h"
#include "feed/nameset.h"
#include "feed/parse.h"
#include "feed/subs.h"
#include "feed/update.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "wire/dname.h"

#include "../files.h"
#include "../../tap.h"

static char base[] = "/tmp/t_update.XXXXXX";

static const char hosts_text[] = "# a test list\n"
                                 "0.0.0.0 ads.example.com\n"
                                 "0.0.0.0 Ads.Example.COM\n"
                                 "0.0.0.0 one.example two.example\n"
                                 "127.0.0.1 localhost\n"
                                 "192.168.1.1 router.lan\n"
                                 "0.0.0.0 bad..name\n";
/* The same names, another order, other spelling. */
static const char hosts_again[] = "0.0.0.0 two.example\n"
                                  "0.0.0.0 ONE.example. ads.example.com\n";

/* Feeds staged directly (a stored entry, as replication could bring
 * one), so that no refresh reaches the network: plain http:// is refused
 * by the fetcher before any connection, and a feed without a URL too. */
#define ID_HTTP "11111111-1111-4111-8111-111111111111"
#define ID_NOURL "22222222-2222-4222-8222-222222222222"
#define ID_OFF "33333333-3333-4333-8333-333333333333"
#define ID_NONE "44444444-4444-4444-8444-444444444444"

/* Is name in the set file at path?  1 yes, 0 no, -1 when the file is not
 * a whole set. */
static int
in_set(const char *path, const char *name)
{
	size_t len = 0;
	uint8_t *m = (uint8_t *)rb_file_read(path, 1 << 24, &len);
	uint8_t w[RB_DNAME_MAX], h[RB_NAMESET_HASH];
	const char *why = NULL;
	int wl = rb_feed_parse_domain(name, strlen(name), w), r = -1;

	if (m != NULL && wl > 0 && rb_nameset_check(m, len, &why) == 0) {
		rb_nameset_hash(w, (size_t)wl, h);
		r = rb_nameset_find(m, len, h);
	}
	free(m);
	return r;
}

static json_int_t
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void
test_compile(const char *dir)
{
	char in[300], in2[300], out[300], out2[300], outn[300];
	struct rb_err e = { 0 };
	json_t *resp = NULL;
	size_t count = 0;
	char action = 0;
	const char *why = NULL;

	path_of(in, sizeof in, dir, "hosts.txt");
	path_of(in2, sizeof in2, dir, "hosts2.txt");
	path_of(out, sizeof out, dir, "hosts.set");
	path_of(out2, sizeof out2, dir, "hosts2.set");
	path_of(outn, sizeof outn, dir, "hostsn.set");
	put(in, hosts_text);
	put(in2, hosts_again);
	is_int(rb_feed_update_compile(in, "hosts", "refuse", out, &resp, &e), 0,
	    "compile a hosts file");
	is_int(num(resp, "entry_count"), 3, "entry_count: distinct names");
	is_int(num(resp, "invalid_lines"), 1, "invalid_lines: bad..name");
	is_int(num(resp, "skipped_rules"), 1,
	    "skipped_rules: another address's line");
	is_int(num(resp, "lines"), 7, "lines: every line, comments too");
	json_decref(resp);
	ok(rb_nameset_check_file(out, &count, &action, &why) == 0,
	    "the output is a whole set file");
	is_int(count, 3, "holding 3 names");
	is_int(action, 'R', "action refuse: R");
	ok(in_set(out, "ads.example.com") == 1 &&
	        in_set(out, "one.example") == 1 &&
	        in_set(out, "two.example") == 1,
	    "every listed name is found");
	ok(in_set(out, "ADS.example.com.") == 1,
	    "found whatever the case and final dot");
	ok(in_set(out, "router.lan") == 0 && in_set(out, "example.com") == 0 &&
	        in_set(out, "x.ads.example.com") == 0,
	    "other names, parents and children are not");
	resp = NULL;
	is_int(rb_feed_update_compile(in2, "hosts", "refuse", out2, &resp, &e),
	    0, "compile the same names in another order");
	json_decref(resp);
	ok(same_file(out, out2), "the same set file, byte for byte");
	resp = NULL;
	is_int(rb_feed_update_compile(in, "hosts", "nxdomain", outn, &resp, &e),
	    0, "compile with action nxdomain");
	json_decref(resp);
	ok(rb_nameset_check_file(outn, &count, &action, &why) == 0 &&
	        action == 'N',
	    "action nxdomain: N");
}

static void
test_compile_formats(const char *dir)
{
	char in[300], out[300], fd_out[300];
	struct rb_err e = { 0 };
	json_t *resp = NULL;
	int saved, fd;

	path_of(in, sizeof in, dir, "domains.txt");
	path_of(out, sizeof out, dir, "domains.set");
	put(in, "# list\na.example\nB.example.\nnot a domain\n");
	is_int(rb_feed_update_compile(in, "domains", "refuse", out, &resp, &e),
	    0, "compile a domains file");
	ok(num(resp, "entry_count") == 2 && num(resp, "invalid_lines") == 1,
	    "domains: 2 names, 1 invalid line");
	json_decref(resp);
	ok(in_set(out, "b.example") == 1, "domains: b.example found");

	path_of(in, sizeof in, dir, "adblock.txt");
	path_of(out, sizeof out, dir, "adblock.set");
	put(in,
	    "[Adblock Plus 2.0]\n||ads.example.com^\n@@||ok.example^\n"
	    "##.banner\n");
	resp = NULL;
	is_int(rb_feed_update_compile(in, "adblock", "refuse", out, &resp, &e),
	    0, "compile an adblock file");
	ok(num(resp, "entry_count") == 1 && num(resp, "skipped_rules") == 2,
	    "adblock: 1 name, 2 rules skipped");
	json_decref(resp);
	ok(in_set(out, "ads.example.com") == 1 &&
	        in_set(out, "ok.example") == 0,
	    "adblock: the blocked name found, the exception not");

	/* "-" reads standard input. */
	path_of(in, sizeof in, dir, "hosts.txt");
	path_of(fd_out, sizeof fd_out, dir, "stdin.set");
	path_of(out, sizeof out, dir, "hosts.set");
	fflush(stdout);
	saved = dup(0);
	fd = open(in, O_RDONLY | O_CLOEXEC);
	if (saved < 0 || fd < 0 || dup2(fd, 0) < 0)
		bail("redirect stdin");
	close(fd);
	resp = NULL;
	is_int(rb_feed_update_compile("-", "hosts", "refuse", fd_out, &resp,
	           &e),
	    0, "compile standard input");
	if (dup2(saved, 0) < 0)
		bail("restore stdin");
	close(saved);
	is_int(num(resp, "entry_count"), 3, "standard input: 3 names");
	json_decref(resp);
	ok(same_file(fd_out, out), "the same set as from the file");

	path_of(in, sizeof in, dir, "empty.txt");
	path_of(out, sizeof out, dir, "empty.set");
	put(in, "");
	resp = NULL;
	is_int(rb_feed_update_compile(in, "hosts", "refuse", out, &resp, &e), 0,
	    "compile an empty file");
	ok(num(resp, "entry_count") == 0 && num(resp, "lines") == 0 &&
	        in_set(out, "a.example") == 0,
	    "an empty, valid set");
	json_decref(resp);
}

static void
test_compile_errors(const char *dir)
{
	char in[300], out[300], nodir[300];
	struct rb_err e = { 0 };
	json_t *resp = NULL;

	path_of(in, sizeof in, dir, "hosts.txt");
	path_of(out, sizeof out, dir, "never.set");
	path_of(nodir, sizeof nodir, dir, "no/such/dir/x.set");
	is_int(rb_feed_update_compile(in, "rpz", "refuse", out, &resp, &e), -1,
	    "an unknown format: -1");
	ok(e.kind == RB_ERR_INVALID && strcmp(e.code, "INVALID_FIELD") == 0,
	    "INVALID_FIELD");
	memset(&e, 0, sizeof e);
	is_int(rb_feed_update_compile(in, "hosts", "drop", out, &resp, &e), -1,
	    "an unknown action: -1");
	ok(e.kind == RB_ERR_INVALID && strcmp(e.code, "INVALID_FIELD") == 0,
	    "INVALID_FIELD");
	memset(&e, 0, sizeof e);
	path_of(in, sizeof in, dir, "missing.txt");
	is_int(rb_feed_update_compile(in, "hosts", "refuse", out, &resp, &e),
	    -1, "a missing input: -1");
	ok(e.kind == RB_ERR_INVALID && strcmp(e.code, "INVALID_REQUEST") == 0 &&
	        strstr(e.details, strerror(ENOENT)) != NULL,
	    "INVALID_REQUEST, saying why");
	ok(access(out, F_OK) < 0, "no output after those errors");
	memset(&e, 0, sizeof e);
	path_of(in, sizeof in, dir, "hosts.txt");
	is_int(rb_feed_update_compile(in, "hosts", "refuse", nodir, &resp, &e),
	    -1, "an output that cannot be written: -1");
	is_int(e.kind, RB_ERR_SYSTEM, "a system error");
}

/* Stage feed_add events for the test feeds and commit. */
static void
add_feeds(const char *root)
{
	static const char *const feeds[] = {
		"{\"id\":\"" ID_HTTP "\",\"name\":\"plain\",\"url\":"
		"\"http://feeds.example/hosts\",\"format\":\"hosts\","
		"\"action\":\"refuse\",\"enabled\":true,\"entry_count\":3}",
		"{\"id\":\"" ID_NOURL "\",\"name\":\"nourl\",\"format\":"
		"\"hosts\",\"action\":\"nxdomain\",\"enabled\":true,"
		"\"entry_count\":0}",
		"{\"id\":\"" ID_OFF "\",\"name\":\"off\",\"url\":"
		"\"http://off.example/hosts\",\"format\":\"hosts\","
		"\"action\":\"refuse\",\"enabled\":false,\"entry_count\":0}",
	};
	struct rb_txn t;
	struct rb_err e = { 0 };

	if (rb_txn_begin(&t, root, &e) < 0)
		bail("rb_txn_begin");
	for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++)
		if (rb_txn_event(&t, "feed_add", json_loads(feeds[i], 0, NULL),
		        &e) < 0)
			bail(e.details);
	if (rb_txn_commit(&t, &e) < 0)
		bail(e.details);
	rb_txn_end(&t);
}

/* The stored entry of feed id (a new reference), or NULL. */
static json_t *
stored(const char *root, const char *id)
{
	struct rb_err e = { 0 };
	json_t *arr = rb_feed_subs_load(root, &e), *v, *found = NULL;
	size_t i;

	json_array_foreach (arr, i, v) {
		const char *s = json_string_value(json_object_get(v, "id"));
		if (s != NULL && strcmp(s, id) == 0)
			found = json_incref(v);
	}
	json_decref(arr);
	return found;
}

static int
always(void *ctx)
{
	(void)ctx;
	return 1;
}

static void
test_refresh(const char *root, const struct rb_conf *conf)
{
	struct rb_feed_ctl ctl = { .wait = 1 };
	struct rb_err e = { 0 };
	enum rb_feed_outcome out = RB_FEED_UPDATED;
	json_t *res = NULL, *before, *after;
	char set[300], keep[300], hosts[300], lock[300];
	int lfd;

	is_int(rb_feed_update(root, conf, "not-a-uuid", &ctl, &out, &res, &e),
	    -1, "a bad id: -1");
	is_str(e.code, "INVALID_ID", "INVALID_ID");

	out = RB_FEED_UPDATED;
	is_int(rb_feed_update(root, conf, ID_NONE, &ctl, &out, &res, &e), 0,
	    "a feed not subscribed: 0");
	is_int(out, RB_FEED_GONE, "outcome GONE");
	is_str(json_string_value(json_object_get(res, "error")),
	    "the feed was deleted", "the result says so");
	json_decref(res);
	res = NULL;

	/* The old set is kept when a refresh fails. */
	path_of(hosts, sizeof hosts, root, "../files/hosts.txt");
	if (rb_feed_subs_path(root, ID_HTTP, ".set", set, sizeof set) < 0)
		bail("set path");
	path_of(keep, sizeof keep, root, "set.before");
	if (rb_feed_update_compile(hosts, "hosts", "refuse", set, &res, &e) <
	        0 ||
	    rb_atomic_copy(set, keep, 0644) < 0)
		bail("compile the old set");
	json_decref(res);
	res = NULL;
	out = RB_FEED_UPDATED;
	is_int(rb_feed_update(root, conf, ID_HTTP, &ctl, &out, &res, &e), 0,
	    "refresh a feed whose URL is plain http: 0");
	is_int(out, RB_FEED_FAILED, "outcome FAILED");
	is_str(json_string_value(json_object_get(res, "status")), "error",
	    "status error");
	ok(json_string_value(json_object_get(res, "error")) != NULL &&
	        strstr(json_string_value(json_object_get(res, "error")),
	            "HTTPS") != NULL,
	    "the error says feeds must use HTTPS (%s)",
	    json_string_value(json_object_get(res, "error")));
	is_int(num(res, "entry_count"), 3, "entry_count kept");
	json_decref(res);
	res = NULL;
	ok(same_file(set, keep), "the old set file is kept");
	before = stored(root, ID_HTTP);
	ok(json_string_value(json_object_get(before, "last_error")) != NULL &&
	        json_string_value(json_object_get(before, "last_checked")) !=
	            NULL,
	    "the store records last_error and last_checked");
	ok(num(before, "entry_count") == 3 &&
	        json_is_null(json_object_get(before, "last_updated")),
	    "and leaves entry_count and last_updated");

	out = RB_FEED_UPDATED;
	is_int(rb_feed_update(root, conf, ID_NOURL, &ctl, &out, &res, &e), 0,
	    "refresh a feed without a URL: 0");
	ok(out == RB_FEED_FAILED &&
	        strcmp(json_string_value(json_object_get(res, "error")),
	            "feed has no URL") == 0,
	    "FAILED: feed has no URL");
	json_decref(res);
	res = NULL;

	/* Another fetcher holds the feed's lock. */
	if (rb_feed_subs_path(root, ID_HTTP, ".lock", lock, sizeof lock) < 0)
		bail("lock path");
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0)
		bail("flock");
	ctl.wait = 0;
	out = RB_FEED_UPDATED;
	is_int(rb_feed_update(root, conf, ID_HTTP, &ctl, &out, &res, &e), 0,
	    "a feed another fetcher holds: 0");
	is_int(out, RB_FEED_BUSY, "outcome BUSY");
	is_str(json_string_value(json_object_get(res, "error")),
	    "another update of this feed is running", "the result says so");
	json_decref(res);
	res = NULL;
	close(lfd);
	after = stored(root, ID_HTTP);
	ok(json_equal(before, after), "BUSY records nothing");
	json_decref(after);

	ctl.wait = 1;
	ctl.cancel = always;
	out = RB_FEED_UPDATED;
	is_int(rb_feed_update(root, conf, ID_HTTP, &ctl, &out, &res, &e), 0,
	    "a cancelled refresh: 0");
	is_int(out, RB_FEED_CANCELLED, "outcome CANCELLED");
	json_decref(res);
	after = stored(root, ID_HTTP);
	ok(json_equal(before, after), "CANCELLED records nothing");
	json_decref(after);
	json_decref(before);
	ok(same_file(set, keep), "the set file is still the old one");
	unlink(keep);
}

static void
test_update_all(const char *root)
{
	struct rb_feed_ctl ctl = { .wait = 1 };
	struct rb_err e = { 0 };
	json_t *resp = NULL, *results, *v;
	size_t i;
	int off_seen = 0;

	is_int(rb_feed_update_all(root, &ctl, &resp, &e), 0,
	    "update every enabled feed");
	results = json_object_get(resp, "results");
	is_int(json_array_size(results), 2,
	    "two results: the disabled skipped");
	json_array_foreach (results, i, v)
		off_seen |= strcmp(json_string_value(json_object_get(v, "id")),
		                ID_OFF) == 0;
	ok(!off_seen, "the disabled feed is not refreshed");
	v = json_object_get(resp, "summary");
	ok(num(v, "updated") == 0 && num(v, "unchanged") == 0 &&
	        num(v, "errors") == 2,
	    "summary: 2 errors");
	json_decref(resp);
	resp = NULL;

	is_int(rb_feed_update_id(root, "nope", &ctl, &resp, &e), -1,
	    "update_id of a bad id: -1");
	is_str(e.code, "INVALID_ID", "INVALID_ID");
	memset(&e, 0, sizeof e);
	is_int(rb_feed_update_id(root, ID_NONE, &ctl, &resp, &e), -1,
	    "update_id of an unknown feed: -1");
	ok(e.kind == RB_ERR_NOT_FOUND && strcmp(e.code, "NOT_FOUND") == 0,
	    "RB_ERR_NOT_FOUND, NOT_FOUND");
	is_int(rb_feed_update_id(root, ID_OFF, &ctl, &resp, &e), 0,
	    "update_id of a disabled feed refreshes it");
	results = json_object_get(resp, "results");
	ok(json_array_size(results) == 1 &&
	        strcmp(json_string_value(
	                   json_object_get(json_array_get(results, 0),
	                       "status")),
	            "error") == 0,
	    "one result: error (plain http)");
	json_decref(resp);
}

static void
test_slave(const char *root)
{
	static const char conf[] = "server:\n"
	                           "    mode: slave\n"
	                           "    sync-master: 127.0.0.1:1\n"
	                           "    sync-key: \"x\"\n";
	struct rb_feed_ctl ctl = { .wait = 1 };
	struct rb_err e = { 0 };
	struct rb_conf *c;
	enum rb_feed_outcome out;
	json_t *resp = NULL, *before, *after;
	char p[300];

	path_of(p, sizeof p, root, "runbound.conf");
	put(p, conf);
	if ((c = rb_conf_load_root(root, &e)) == NULL)
		bail("slave config");
	before = stored(root, ID_HTTP);
	is_int(rb_feed_update(root, c, ID_HTTP, &ctl, &out, &resp, &e), -1,
	    "a slave: rb_feed_update refused");
	ok(e.kind == RB_ERR_READ_ONLY && strcmp(e.code, "READ_ONLY") == 0,
	    "READ_ONLY");
	memset(&e, 0, sizeof e);
	is_int(rb_feed_update_all(root, &ctl, &resp, &e), -1,
	    "a slave: update_all refused");
	is_int(e.kind, RB_ERR_READ_ONLY, "READ_ONLY");
	memset(&e, 0, sizeof e);
	is_int(rb_feed_update_id(root, ID_HTTP, &ctl, &resp, &e), -1,
	    "a slave: update_id refused");
	is_int(e.kind, RB_ERR_READ_ONLY, "READ_ONLY");
	after = stored(root, ID_HTTP);
	ok(json_equal(before, after), "nothing recorded on the slave");
	json_decref(before);
	json_decref(after);
	rb_conf_free(c);
}

int
main(void)
{
	char files[300], root[300], cmd[64];
	struct rb_conf *conf = rb_conf_default();

	if (mkdtemp(base) == NULL || conf == NULL)
		bail("setup");
	path_of(files, sizeof files, base, "files");
	path_of(root, sizeof root, base, "root");
	if (rb_file_mkdirs(files, 0700) < 0 || rb_file_mkdirs(root, 0700) < 0)
		bail("mkdir");
	test_compile(files);
	test_compile_formats(files);
	test_compile_errors(files);
	add_feeds(root);
	test_refresh(root, conf);
	test_update_all(root);
	test_slave(root);
	rb_conf_free(conf);
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	done_testing();
	return exit_status();
}
