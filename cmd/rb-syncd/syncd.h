#ifndef RB_SYNCD_H
#define RB_SYNCD_H

/*
 * rb-syncd's shared state: the root, the running config and the role.
 * master.c serves the sync endpoints over HTTPS on one libevent loop;
 * slave.c follows a master with a state machine around lib/sync/client.
 */

#include "conf/conf.h"
#include "sys/root.h"

struct syncd {
	char root[RB_PATH_MAX];
	struct rb_conf *conf; /* as last loaded; never NULL once running */
	int ready_fd;         /* -1 once readiness is announced */
};

/* main.c: write the readiness newline, once. */
void syncd_ready(struct syncd *d);

/* main.c: load root's config; NULL (logged) when it is invalid. */
struct rb_conf *syncd_load_conf(const struct syncd *d);

/* master.c / slave.c: run until SIGTERM; the exit code. */
int master_run(struct syncd *d);
int slave_run(struct syncd *d);

#endif
