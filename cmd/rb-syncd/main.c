/*
 * rb-syncd: master/slave replication (doc/rb-syncd.md, protocol in
 * doc/sync.md).  With mode: master and a sync-port it serves the sync
 * endpoints over HTTPS from the journal; with mode: slave it follows
 * sync-master and applies what it gets through the library's one write
 * path.  Foreground, one process, readiness on -r FD.
 *
 * Startup: options, config (exit 100 when invalid or incomplete for the
 * role), dropping root for username: (lib/sys/privs), then the role's own
 * set-up (master.c, slave.c), readiness, loop.
 * SIGTERM/SIGINT exit 0 promptly; SIGHUP re-reads runbound.conf (a
 * changed mode ends the process, and s6 starts it in the new role).
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "sys/root.h"
#include "sys/privs.h"
#include "sys/ready.h"
#include "syncd.h"
#include "state/txn.h"

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	rb_die(100, "usage: rb-syncd [-d ROOT] [-r FD] [-v]");
}

void
syncd_ready(struct syncd *d)
{
	if (rb_ready_announce(&d->ready_fd) < 0)
		rb_die(111, "unable to write readiness: %s", strerror(errno));
}

struct rb_conf *
syncd_load_conf(const struct syncd *d)
{
	struct rb_err e = { 0 };
	struct rb_conf *c = rb_txn_load_conf(d->root, &e);

	if (c == NULL)
		rb_error("%s", e.details);
	return c;
}

static int
is_slave(const struct rb_conf *c)
{
	return c->mode == RB_MODE_SLAVE;
}

/* What the role needs beyond what rb_conf_load already checked. */
static void
check_role(const struct rb_conf *c)
{
	if (c->sync_key == NULL || c->sync_key[0] == '\0')
		rb_die(100,
		    "sync-key is required for replication (the same "
		    "value on master and slaves: openssl rand -hex 32)");
	if (is_slave(c) && c->sync_master == NULL)
		rb_die(100, "mode: slave requires sync-master: host:port");
	if (!is_slave(c) && c->sync_port <= 0)
		rb_die(100, "mode: master needs sync-port: to serve slaves");
}

int
main(int argc, char **argv)
{
	static struct syncd d = { .ready_fd = -1 };
	const char *opt_root = NULL;
	int c, debug = 0;

	while ((c = getopt(argc, argv, "d:r:v")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'r':
			if ((d.ready_fd = rb_ready_parse(optarg)) < 0)
				usage();
			break;
		case 'v':
			debug = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	rb_log_init("rb-syncd", debug);
	if (rb_root_resolve(opt_root, d.root, sizeof d.root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
	if ((d.conf = syncd_load_conf(&d)) == NULL)
		return 100;
	check_role(d.conf);
	{
		struct rb_err pe = { 0 };

		if (rb_privs_drop(d.conf->username, &pe) < 0)
			rb_die(rb_err_exit_code(&pe), "%s", pe.details);
	}
	signal(SIGPIPE, SIG_IGN);
	c = is_slave(d.conf) ? slave_run(&d) : master_run(&d);
	rb_conf_free(d.conf);
	return c;
}
