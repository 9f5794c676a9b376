/*
 * rb-data: rebuild the cdb files of data/ from the store and runbound.conf
 * (doc/cdb.md), after replaying any journal events the store lacks.  Same
 * input, same bytes.  Prints
 * {"status":"ok","dns":N,"blacklist":N,"allowlist":N}.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include "prog/command.h"
#include "state/txn.h"
#include "sys/root.h"

static int
usage(void)
{
	fputs("usage: rb-data [-d ROOT]\n", stderr);
	return 100;
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *out;
	int c, r;

	rb_log_init("rb-data", 0);
	while ((c = getopt(argc, argv, "d:h")) != -1) {
		if (c != 'd')
			return usage();
		opt_root = optarg;
	}
	if (optind != argc)
		return usage();
	if (rb_root_resolve(opt_root, root, sizeof root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
	if (rb_command_as_owner(root, &e) < 0 || rb_txn_begin(&t, root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	r = rb_txn_rebuild(&t, &e);
	out = json_pack("{s:s, s:I, s:I, s:I}", "status", "ok", "dns",
	    (json_int_t)json_array_size(t.store.entries[RB_COLL_DNS]),
	    "blacklist",
	    (json_int_t)json_array_size(t.store.entries[RB_COLL_BLACKLIST]),
	    "allowlist",
	    (json_int_t)json_array_size(t.store.entries[RB_COLL_ALLOWLIST]));
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
