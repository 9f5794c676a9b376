/*
 * rb-syncd: master/slave replication (doc/rb-syncd.md, protocol in
 * doc/sync.md).  With mode: master and a sync-port it serves the sync
 * endpoints over HTTPS from the journal; with mode: slave it follows
 * sync-master and applies what it gets through the library's one write
 * path.  Foreground, one process, readiness on -r FD.
 *
 * Startup (lib/prog/daemon): options, config (exit 100 when invalid or
 * incomplete for the role), dropping root for username:, then the role's
 * own set-up (master.c, slave.c), readiness, loop.
 * SIGTERM/SIGINT exit 0 promptly; SIGHUP re-reads runbound.conf (a
 * changed mode ends the process, and s6 starts it in the new role).
 */

#include <stdlib.h>

#include "base/log.h"
#include "prog/daemon.h"

#include "syncd.h"

/* What the role needs beyond what rb_conf_load already checked. */
static void
check_role(const struct rb_conf *c)
{
	if (c->sync_key == NULL || c->sync_key[0] == '\0')
		rb_die(100,
		    "sync-key is required for replication (the same "
		    "value on master and slaves: openssl rand -hex 32)");
	if (c->mode == RB_MODE_SLAVE && c->sync_master == NULL)
		rb_die(100, "mode: slave requires sync-master: host:port");
	if (c->mode != RB_MODE_SLAVE && c->sync_port <= 0)
		rb_die(100, "mode: master needs sync-port: to serve slaves");
}

int
main(int argc, char **argv)
{
	static struct syncd d;

	rb_daemon_options(&d.dm, "rb-syncd", argc, argv, NULL, 0, NULL, NULL);
	rb_daemon_config(&d.dm);
	check_role(d.dm.conf);
	/* Before anything is written: the TLS identity, sync/ state and the
	 * journal belong to the user we become. */
	rb_daemon_drop(&d.dm);
	return d.dm.conf->mode == RB_MODE_SLAVE ? slave_run(&d) :
	                                          master_run(&d);
}
