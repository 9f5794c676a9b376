/*
 * rb-feed: blocklist feed subscriptions from the shell (doc/rb-feed.md).
 * The same library calls as rb-apid's /feeds endpoints, the same JSON on
 * stdout.  `update` runs in the foreground and waits for a fetch of the
 * same feed by rb-feedd to finish, so cron and rb-feedd may overlap.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/path.h"
#include "feed/nameset.h"
#include "feed/preset.h"
#include "feed/subs.h"
#include "feed/update.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"
#include "wire/dname.h"

static const char usage_text[] =
    "usage: rb-feed [-d ROOT] add NAME URL [hosts|domains|adblock] "
    "[refuse|nxdomain]\n"
    "       rb-feed [-d ROOT] del ID\n"
    "       rb-feed [-d ROOT] list\n"
    "       rb-feed [-d ROOT] update [ID]\n"
    "       rb-feed presets\n"
    "       rb-feed compile FILE SET [FORMAT] [ACTION]\n"
    "       rb-feed show SET [NAME...]\n";

static int
usage(void)
{
	return rb_usage_print(usage_text, 0);
}

static int
print_json(json_t *j)
{
	int r;

	if (j == NULL) {
		rb_error("out of memory");
		return 111;
	}
	r = json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		rb_error("unable to write output: %s", strerror(errno));
		return 111;
	}
	return 0;
}

static int
fail(const struct rb_err *e)
{
	rb_error("%s: %s", e->code, e->details);
	return rb_err_exit_code(e);
}

static json_t *
add_request(int argc, char **argv)
{
	json_t *req;

	if (argc < 2 || argc > 4)
		return NULL;
	req = json_pack("{s:s, s:s}", "name", argv[0], "url", argv[1]);
	if (req != NULL && argc >= 3)
		json_object_set_new(req, "format", json_string(argv[2]));
	if (req != NULL && argc == 4)
		json_object_set_new(req, "action", json_string(argv[3]));
	return req;
}

/* add and del: one transaction each; a delete removes the feed's files
 * while the store lock is still held. */
static int
do_write(const char *root, const char *cmd, int argc, char **argv)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *req = NULL, *resp = NULL;
	int del = strcmp(cmd, "del") == 0, r;

	if (del ? argc != 1 : (req = add_request(argc, argv)) == NULL)
		return usage();
	if (rb_txn_begin(&t, root, &e) < 0) {
		json_decref(req);
		return fail(&e);
	}
	r = del ? rb_feed_subs_delete(&t, argv[0], &resp, &e) :
	          rb_feed_subs_add(&t, req, &resp, &e);
	json_decref(req);
	if (r == 0)
		r = rb_txn_commit(&t, &e);
	if (r == 0 && del && rb_feed_subs_delete_files(root, argv[0]) < 0)
		rb_warn("unable to remove the files of feed %s: %s", argv[0],
		    strerror(errno));
	rb_txn_end(&t);
	if (r < 0) {
		json_decref(resp);
		return fail(&e);
	}
	return print_json(resp);
}

/* Feed files of the format before sets become sets first, so a root
 * refreshed by cron alone keeps its data and its conditional GETs; the
 * files of a feed whose delete was killed halfway go, so that it stops
 * blocking. */
static void
tidy(const char *root)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	char dir[RB_PATH_MAX];
	int n;

	rb_path(dir, sizeof dir, "%s/feeds", root);
	if (access(dir, F_OK) < 0 || rb_txn_begin(&t, root, &e) < 0)
		return; /* nothing to convert, or the update reports why */
	if ((n = rb_feed_subs_upgrade(&t)) < 0)
		rb_warn("unable to convert old feed files: %s",
		    strerror(errno));
	else if (n > 0)
		rb_info("converted %d feed cdb files to sets", n);
	if ((n = rb_feed_subs_orphans(&t)) < 0)
		rb_warn("unable to remove the files of deleted feeds: %s",
		    strerror(errno));
	else if (n > 0)
		rb_info("removed %d files of deleted feeds", n);
	rb_txn_end(&t);
}

/* Print the results; 111 when a feed failed, after saying which. */
static int
do_update(const char *root, int argc, char **argv)
{
	struct rb_feed_ctl ctl = { .wait = 1 };
	struct rb_err e = { 0 };
	json_t *resp = NULL, *v;
	size_t i;
	long errors;

	if (argc > 1)
		return usage();
	tidy(root);
	if ((argc == 1 ? rb_feed_update_id(root, argv[0], &ctl, &resp, &e) :
	                 rb_feed_update_all(root, &ctl, &resp, &e)) < 0)
		return fail(&e);
	json_array_foreach (json_object_get(resp, "results"), i, v) {
		const char *err = json_string_value(
		    json_object_get(v, "error"));
		if (err != NULL)
			rb_warn("feed %s id=%s: %s",
			    json_string_value(json_object_get(v, "name")),
			    json_string_value(json_object_get(v, "id")), err);
	}
	errors = (long)json_integer_value(
	    json_object_get(json_object_get(resp, "summary"), "errors"));
	if (print_json(resp) != 0)
		return 111;
	return errors > 0 ? 111 : 0;
}

/* compile FILE SET [FORMAT] [ACTION]: a local list, parsed and compiled
 * as a download would be (FILE "-" is stdin). */
static int
do_compile(int argc, char **argv)
{
	struct rb_err e = { 0 };
	json_t *resp = NULL;

	if (argc < 2 || argc > 4)
		return usage();
	if (rb_feed_update_compile(argv[0], argc > 2 ? argv[2] : "hosts",
	        argc > 3 ? argv[3] : "refuse", argv[1], &resp, &e) < 0)
		return fail(&e);
	return print_json(resp);
}

/* {"name":true|false,...}: which names (presentation) the set holds
 * itself; NULL with e set for a name that is not one. */
static json_t *
names_listed(const uint8_t *set, size_t len, int argc, char **argv,
    struct rb_err *e)
{
	json_t *o = json_object();
	uint8_t w[256], h[RB_NAMESET_HASH];
	const char *why;

	for (int i = 0; o != NULL && i < argc; i++) {
		int n = rb_dname_from_text(argv[i], w, &why);

		if (n < 0) {
			rb_err_set(e, RB_ERR_INVALID, "INVALID_NAME",
			    "'%s': %s", argv[i], why);
			json_decref(o);
			return NULL;
		}
		rb_dname_lower(w);
		rb_nameset_hash(w, (size_t)n, h);
		json_object_set_new(o, argv[i],
		    json_boolean(rb_nameset_find(set, len, h) == 1));
	}
	return o;
}

/* show SET [NAME...]: check a set file, say what it holds. */
static int
do_show(int argc, char **argv)
{
	struct rb_err e = { 0 };
	const char *why;
	size_t len;
	uint8_t *set;
	json_t *names;

	if (argc < 1)
		return usage();
	if ((set = (uint8_t *)rb_file_read(argv[0], (size_t)1 << 31, &len)) ==
	    NULL) {
		rb_error("unable to read %s: %s", argv[0], strerror(errno));
		return errno == ENOENT ? 100 : 111;
	}
	if (rb_nameset_check(set, len, &why) < 0) {
		free(set);
		rb_err_set(&e, RB_ERR_INVALID, "INVALID_FILE", "%s: %s",
		    argv[0], why);
		return fail(&e);
	}
	if ((names = names_listed(set, len, argc - 1, argv + 1, &e)) == NULL) {
		free(set);
		return fail(&e);
	}
	names = json_pack("{s:I, s:s, s:o}", "entry_count",
	    (json_int_t)rb_nameset_count(set), "action",
	    rb_nameset_action(set) == 'N' ? "nxdomain" : "refuse", "names",
	    names);
	free(set);
	return print_json(names);
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	json_t *resp;
	int c;

	rb_log_init("rb-feed", 0);
	while ((c = rb_usage_getopt(argc, argv, "+d:h")) != -1) {
		if (c == 'h')
			return rb_usage_print(usage_text, 1);
		if (c != 'd')
			return usage();
		opt_root = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	/* These work on files and built-in data, never on a root. */
	if (strcmp(argv[0], "compile") == 0)
		return do_compile(argc - 1, argv + 1);
	if (strcmp(argv[0], "show") == 0)
		return do_show(argc - 1, argv + 1);
	if (strcmp(argv[0], "presets") == 0)
		return argc == 1 ? print_json(rb_feed_preset_all()) : usage();
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		return fail(&e);
	if (strcmp(argv[0], "list") == 0) {
		if (argc != 1)
			return usage();
		if (rb_feed_subs_list(root, &resp, &e) < 0)
			return fail(&e);
		return print_json(resp);
	}
	if (rb_command_as_owner(root, &e) < 0)
		return fail(&e);
	if (strcmp(argv[0], "update") == 0)
		return do_update(root, argc - 1, argv + 1);
	if (strcmp(argv[0], "add") == 0 || strcmp(argv[0], "del") == 0)
		return do_write(root, argv[0], argc - 1, argv + 1);
	return usage();
}
