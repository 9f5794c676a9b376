#ifndef RB_SYNCD_H
#define RB_SYNCD_H

/*
 * rb-syncd's shared state: the root, the running config and the role.
 * master.c serves the sync endpoints over HTTPS on one libevent loop;
 * slave.c follows a master with a state machine around lib/sync/client.
 */

#include "conf/conf.h"
#include "prog/daemon.h"

struct syncd {
	struct rb_daemon dm; /* root, conf (never NULL once running), loop */
};

/* master.c / slave.c: arm the role's events on the loop, announce
 * readiness and run until SIGTERM; the exit code. */
int master_run(struct syncd *d);
int slave_run(struct syncd *d);

#endif
