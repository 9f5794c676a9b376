#ifndef RB_PROG_DAEMON_H
#define RB_PROG_DAEMON_H

/*
 * daemon: the one skeleton every daemon's main follows (STYLE.md "Daemons
 * under s6"), step by step:
 *
 *	rb_daemon_options	-d ROOT, -r FD, -v, -h and the program's own
 *	rb_daemon_config	ROOT/runbound.conf, exit 100 when invalid
 *	rb_daemon_loop		the libevent loop, signals as events
 *	(the program)		sockets, files, anything that needs root
 *	rb_daemon_drop		privileges: username:, else $UID/$GID
 *	(the program)		map data, arm its events
 *	rb_daemon_ready		readiness on -r FD, exit 111 when it fails
 *	rb_daemon_run		the loop, until SIGTERM and the drain
 *	rb_daemon_exit		free, log, exit 0
 *
 * Every failure of a step logs one line and exits: 100 for what the
 * operator must fix (usage, config, an unknown user), 111 for the rest.
 * Signals arrive through a signalfd read in the loop and only set flags;
 * the program's hooks run from the loop, never from a signal handler.
 * SIGTERM (or SIGINT) calls the stop hook, then the loop runs on while
 * the pending hook counts work in flight, for drain_ms at most.  A daemon
 * doing blocking work inside a callback (a download, a long poll) calls
 * rb_daemon_interrupted from its progress hook to notice a signal at once.
 */

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "sys/root.h"

struct event_base;
struct event;
struct rb_daemon;

/* What a program does on signals; every hook may be NULL. */
struct rb_daemon_hooks {
	/* SIGTERM or SIGINT, once: stop accepting, start finishing. */
	void (*stop)(struct rb_daemon *d, void *arg);
	/* SIGHUP: read the config again (rb_daemon_config_again). */
	void (*reload)(struct rb_daemon *d, void *arg);
	/* SIGCHLD: collect children.  When NULL, SIGCHLD is left alone. */
	void (*child)(struct rb_daemon *d, void *arg);
	/* Work still in flight while stopping; the loop ends at 0. */
	size_t (*pending)(void *arg);
	void *arg;
};

/* One of a program's own options: the getopt letter, whether it takes an
 * argument, and its line in the usage text ("-s MAXSIZE"). */
struct rb_daemon_opt {
	char letter;
	int has_arg;
	const char *usage;
};

struct rb_daemon {
	const char *prog;        /* "rb-apid"; static */
	char root[RB_PATH_MAX];  /* the state root, absolute */
	int verbose;             /* -v */
	int ready_fd;            /* -r FD; -1 once announced or none */
	struct rb_conf *conf;    /* the running config; owned */
	struct event_base *base; /* the loop */
	long drain_ms;           /* the bound on finishing; 5000 */
	int stopping;            /* SIGTERM or SIGINT came */

	/* Private to daemon.c. */
	struct rb_daemon_hooks hooks;
	int sigfd;
	int got_stop, got_hup, got_chld;
	struct event *sig_ev, *drain_ev;
	int64_t drain_end;
};

/* Parse argv: -d ROOT, -r FD, -v, -h or --help (usage on stdout, exit 0)
 * and the program's own options (n of them; each is handed to opt with
 * its argument, NULL for a flag, and opt returns -1 to reject it).  A bad
 * option or argument prints the usage line on stderr and exits 100.  Then
 * logging is named prog and the state root is found (prog/command: exit
 * 100 when it does not exist).  d is cleared first. */
void rb_daemon_options(struct rb_daemon *d, const char *prog, int argc,
    char **argv, const struct rb_daemon_opt *own, size_t n,
    int (*opt)(char letter, const char *arg, void *a), void *a);

/* Load ROOT/runbound.conf into d->conf (defaults when there is none);
 * exit 100 with the file and line when it is invalid. */
void rb_daemon_config(struct rb_daemon *d);

/* The config again (for SIGHUP): a new one (the caller installs it with
 * rb_daemon_use_conf), or NULL with the reason logged. */
struct rb_conf *rb_daemon_config_again(const struct rb_daemon *d);

/* Replace d->conf by c (taken), freeing the old one. */
void rb_daemon_use_conf(struct rb_daemon *d, struct rb_conf *c);

/* Make the loop (d->base) and take the signals: SIGPIPE ignored,
 * SIGTERM, SIGINT, SIGHUP (and SIGCHLD with a child hook) read from a
 * signalfd as events calling hooks (copied).  Exit 111 on failure. */
void rb_daemon_loop(struct rb_daemon *d, const struct rb_daemon_hooks *hooks);

/* Drop root to runbound.conf's username: (else $UID/$GID from
 * s6-envuidgid) and forbid regaining it; nothing when not root.  Exit 100
 * for an unknown user, 111 when the switch fails. */
void rb_daemon_drop(struct rb_daemon *d);

/* Announce readiness (one newline on -r FD, closed); exit 111 when it
 * cannot be written.  Logs "ready" with what (may be NULL). */
void rb_daemon_ready(struct rb_daemon *d, const char *what);

/* Run the loop until a stop has been drained: the stop hook ran and the
 * pending hook returned 0, or drain_ms passed.  Returns 0. */
int rb_daemon_run(struct rb_daemon *d);

/* Stop as SIGTERM would (the stop hook, then the drain): for a role
 * change that s6 should restart the daemon into. */
void rb_daemon_stop(struct rb_daemon *d);

/* Read signals that came while a callback blocks: 1 when a stop or a
 * SIGHUP is waiting (give up the blocking work), else 0.  The hooks run
 * once the loop resumes. */
int rb_daemon_interrupted(struct rb_daemon *d);

/* The same for a stop alone: 1 when SIGTERM or SIGINT came (now or
 * before), so that batch work ends at a clean point. */
int rb_daemon_stop_requested(struct rb_daemon *d);

/* The signalfd, to poll beside a blocking transfer's own descriptors. */
int rb_daemon_sigfd(const struct rb_daemon *d);

/* Free the loop and the config, log "exiting"; returns 0 for main. */
int rb_daemon_exit(struct rb_daemon *d);

#endif
