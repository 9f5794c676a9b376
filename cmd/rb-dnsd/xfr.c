/*
 * xfr: zone transfers and NOTIFY, kept out of the event loop.  Both are
 * child programs started with posix_spawn from the directory rb-dnsd's own
 * binary is in (djbdns's axfrdns beside tinydns):
 *
 * - A TCP query for AXFR or IXFR from a client that access-control allows
 *   and allow-transfer lists hands its whole connection to rb-axfr: the
 *   socket becomes the child's fd 0 and the bytes already read go along
 *   hex-encoded in -q; rb-dnsd then forgets the connection.  At most
 *   XFR_MAX children run at once; past that, and from any other client, the
 *   query goes through the pipeline, whose step 1 refuses it.
 * - An IXFR over UDP is the pipeline's (lib/answer/answer.c), after
 *   access-control and the rate limit like any query.
 * - When zones.cdb is mapped, at start and after each swap, rb-notify
 *   sends NOTIFY to also-notify (rb-notify -a at start: every zone; later:
 *   the zones whose serial changed).  One rb-notify runs at a time; a swap
 *   while it runs starts another one when it exits.
 *
 * SIGCHLD arrives through the signalfd; xfr_reap collects the children.
 * Nothing here allocates in the loop (posix_spawn does, once per child).
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "answer/xfrq.h"
#include "base/hex.h"
#include "base/log.h"
#include "sys/selfpath.h"

#include "dnsd.h"

#define XFR_MAX 8
#define HEXBUF (2 * 8192 + 1) /* tcp.c's INBUF, hex-encoded */

extern char **environ;

static char hexbuf[HEXBUF];

int
xfr_init(struct dnsd *d)
{
	rb_acl_init(&d->xfr_acl);
	d->notify_pid = -1;
	if (rb_selfpath_beside(d->axfr_prog, sizeof d->axfr_prog, "rb-axfr") <
	        0 ||
	    rb_selfpath_beside(d->notify_prog, sizeof d->notify_prog,
	        "rb-notify") < 0)
		return -1;
	return 0;
}

int
xfr_apply_conf(struct dnsd *d, const struct rb_conf *c)
{
	struct rb_acl acl;
	struct rb_diag diag = { 0 };

	rb_acl_init(&acl);
	if (rb_xfrq_acl(&acl, c, &diag) < 0) {
		rb_error("%s: allow-transfer: %s",
		    c->path ? c->path : "runbound.conf", diag.msg);
		rb_acl_fini(&acl);
		return -1;
	}
	rb_acl_fini(&d->xfr_acl);
	d->xfr_acl = acl;
	d->also_notify = c->nalso_notify > 0;
	return 0;
}

/* May client transfer?  access-control must let it reach the zones
 * (step 7) and allow-transfer must list it. */
static int
may_transfer(const struct dnsd *d, const struct rb_ipaddr *client)
{
	enum rb_acl_action a = rb_acl_lookup(&d->acl, client);

	return (a == RB_ACL_ALLOW || a == RB_ACL_ALLOW_SNOOP) &&
	    rb_xfrq_allowed(&d->xfr_acl, client);
}

/* Start prog with argv, fd (when >= 0) as its fd 0, signals as new. */
static pid_t
spawn(const char *prog, char *const argv[], int fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid = -1;
	int e;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	e = (fd >= 0 ? posix_spawn_file_actions_adddup2(&fa, fd, 0) : 0) ||
	    posix_spawnattr_setflags(&at,
	        POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) ||
	    posix_spawnattr_setsigmask(&at, &none) ||
	    posix_spawnattr_setsigdefault(&at, &def);
	if (e == 0 &&
	    (e = posix_spawn(&pid, prog, &fa, &at, argv, environ)) != 0)
		pid = -1;
	if (e != 0)
		errno = e;
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

int
xfr_wants_tcp(const struct dnsd *d, const uint8_t *in, size_t inlen,
    const struct rb_ipaddr *client)
{
	size_t len = (size_t)in[0] << 8 | in[1];
	struct rb_xfrq q;

	/* Most clients are not in allow-transfer: that costs no parsing. */
	return d->xfr_acl.n > 0 && may_transfer(d, client) &&
	    inlen >= 2 + len && rb_xfrq_parse(&q, in + 2, len) == 0 &&
	    rb_xfrq_is_transfer(&q);
}

int
xfr_tcp(struct dnsd *d, int fd, const uint8_t *in, size_t inlen,
    const struct rb_ipaddr *client)
{
	char *argv[] = { "rb-axfr", "-d", d->dm.root, "-q", hexbuf, NULL,
		NULL };
	pid_t pid;

	if (!xfr_wants_tcp(d, in, inlen, client))
		return 0;
	if (d->xfr_children >= XFR_MAX || 2 * inlen >= sizeof hexbuf) {
		rb_warn("xfr: %zu transfers running, refusing another",
		    d->xfr_children);
		return 0;
	}
	rb_hex_encode(in, inlen, hexbuf);
	if (d->dm.verbose)
		argv[5] = "-v";
	if ((pid = spawn(d->axfr_prog, argv, fd)) < 0) {
		rb_error("xfr: unable to start %s: %s", d->axfr_prog,
		    strerror(errno));
		return 0;
	}
	d->xfr_children++;
	rb_debug("xfr: connection handed to rb-axfr pid=%d", (int)pid);
	return 1;
}

static void
start_notify(struct dnsd *d)
{
	char *argv[] = { "rb-notify", "-d", d->dm.root, NULL, NULL, NULL };
	int i = 3;

	if (d->notify_all)
		argv[i++] = "-a";
	if (d->dm.verbose)
		argv[i] = "-v";
	d->notify_pending = 0;
	d->notify_pid = spawn(d->notify_prog, argv, -1);
	if (d->notify_pid < 0) {
		rb_error("notify: unable to start %s: %s", d->notify_prog,
		    strerror(errno));
		return;
	}
	d->notify_all = 0;
}

void
xfr_notify(struct dnsd *d, int all)
{
	if (!d->also_notify)
		return;
	d->notify_all |= all;
	if (d->notify_pid > 0)
		d->notify_pending = 1;
	else
		start_notify(d);
}

void
xfr_reap(struct dnsd *d)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == d->notify_pid) {
			d->notify_pid = -1;
			if (d->notify_pending)
				start_notify(d);
		} else if (d->xfr_children > 0) {
			d->xfr_children--;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rb_debug("child pid=%d ended with status %d", (int)pid,
			    st);
	}
}
