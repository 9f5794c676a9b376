/*
 * rb-data: compact the store and rebuild the cdb files of data/ from it and
 * runbound.conf (doc/cdb.md, doc/store.md), after replaying any journal
 * events the files lack.  Same input, same bytes.  Prints
 * {"status":"ok","dns":N,"blacklist":N,"allowlist":N}.  With -c, only the
 * compaction of the collections that are due (what a write starts in the
 * background, lib/state/compact), printing nothing; with -c -f, of every
 * collection changed since its base, after any compaction under way.
 */

#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "state/compact.h"
#include "state/data.h"
#include "state/txn.h"
#include "sys/root.h"

static int
usage(int help)
{
	return rb_usage_print("usage: rb-data [-c [-f]] [-d ROOT]\n", help);
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *out;
	int c, r, only_due = 0, force = 0;

	rb_log_init("rb-data", 0);
	while ((c = rb_usage_getopt(argc, argv, "cd:fh")) != -1) {
		if (c == 'c')
			only_due = 1;
		else if (c == 'f')
			force = 1;
		else if (c == 'd')
			opt_root = optarg;
		else
			return usage(c == 'h');
	}
	if (optind != argc || (force && !only_due))
		return usage(0);
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0 ||
	    rb_command_as_owner(root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	/* Writes may make another collection due meanwhile: again, while
	 * there is work (bounded, for a store written without pause). */
	for (int i = 0; only_due && i < 16; i++) {
		if ((r = rb_compact(root, force && i == 0, &e)) < 0)
			rb_die(rb_err_exit_code(&e), "compaction: %s",
			    e.details);
		if (r == 0)
			break;
	}
	if (only_due)
		return 0;
	if (rb_compact(root, 1, &e) < 0 || rb_txn_begin(&t, root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	r = rb_txn_rebuild(&t, &e);
	out = json_pack("{s:s, s:I, s:I, s:I}", "status", "ok", "dns",
	    (json_int_t)rb_store_count(&t.store, RB_COLL_DNS), "blacklist",
	    (json_int_t)rb_store_count(&t.store, RB_COLL_BLACKLIST),
	    "allowlist",
	    (json_int_t)rb_store_count(&t.store, RB_COLL_ALLOWLIST));
	rb_txn_end(&t);
	if (r < 0) {
		json_decref(out);
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	}
	if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) < 0 ||
	    puts("") == EOF)
		rb_die(111, "unable to write output");
	json_decref(out);
	return 0;
}
