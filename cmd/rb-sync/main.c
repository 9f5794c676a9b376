/*
 * rb-sync: replication status and control (doc/rb-sync.md).
 *
 *   rb-sync [-d ROOT] status   JSON: role, master, master_seq, applied_seq,
 *                              lag_events, lag_seconds, epoch, last_error,
 *                              last_contact, ...
 *   rb-sync [-d ROOT] resync   ask the slave's rb-syncd for a full snapshot
 *
 * It reads what rb-syncd writes in ROOT/sync/ and the journal; it never
 * talks to rb-syncd or the master.  Exit 0, 100 (usage, not a slave),
 * 111 (system failure).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "state/txn.h"
#include "sync/state.h"
#include "sys/root.h"

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print("usage: rb-sync [-d ROOT] status|resync\n", help));
}

static int
status(const char *root, const struct rb_conf *c)
{
	struct rb_err e = { 0 };
	json_t *o = rb_sync_state_status(root, c, (int64_t)time(NULL), &e);

	if (o == NULL)
		rb_die(rb_err_exit_code(&e), "%s: %s", e.code, e.details);
	/* One line, as every command prints its JSON. */
	if (json_dumpf(o, stdout, JSON_COMPACT) < 0 || puts("") < 0 ||
	    fflush(stdout) != 0)
		rb_die(111, "unable to write: %s", strerror(errno));
	json_decref(o);
	return 0;
}

static int
resync(const char *root, const struct rb_conf *c)
{
	struct rb_err e = { 0 };
	json_t *o;

	if (c->mode != RB_MODE_SLAVE)
		rb_die(100, "resync: this root is not a slave (mode: %s)",
		    rb_conf_mode_name(c->mode));
	if (rb_sync_state_resync_request(root, &e) < 0)
		rb_die(111, "%s", e.details);
	o = json_pack("{s:s, s:s}", "status", "ok", "resync", "requested");
	if (o == NULL ||
	    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    puts("") < 0 || fflush(stdout) != 0)
		rb_die(111, "unable to write: %s", strerror(errno));
	json_decref(o);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	struct rb_conf *c;
	int ch, r;

	rb_log_init("rb-sync", 0);
	while ((ch = rb_usage_getopt(argc, argv, "d:h")) != -1) {
		if (ch != 'd')
			usage(ch == 'h');
		opt_root = optarg;
	}
	if (optind + 1 != argc)
		usage(0);
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if ((c = rb_conf_load_root(root, &e)) == NULL)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (strcmp(argv[optind], "status") == 0)
		r = status(root, c);
	else if (strcmp(argv[optind], "resync") == 0 &&
	    rb_command_as_owner(root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	else if (strcmp(argv[optind], "resync") == 0)
		r = resync(root, c);
	else
		usage(0);
	rb_conf_free(c);
	return r;
}
