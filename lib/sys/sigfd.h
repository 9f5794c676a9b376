#ifndef RB_SYS_SIGFD_H
#define RB_SYS_SIGFD_H

/*
 * sigfd: a daemon's signals as readable events (rb-auditd, rb-feedd,
 * rb-syncd): SIGTERM, SIGINT and SIGHUP blocked and delivered through a
 * non-blocking signalfd, read into two flags.
 */

/* Block SIGTERM, SIGINT and SIGHUP and open a signalfd for them
 * (non-blocking, close-on-exec): the descriptor, or -1 with errno. */
int rb_sigfd_open(void);

/* Read what fd holds: SIGHUP sets *hup, SIGTERM or SIGINT sets *stop. */
void rb_sigfd_read(int fd, int *stop, int *hup);

#endif
