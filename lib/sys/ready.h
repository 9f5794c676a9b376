#ifndef RB_SYS_READY_H
#define RB_SYS_READY_H

/*
 * s6 readiness (STYLE.md "Daemons under s6"): every daemon takes -r FD and,
 * once it really serves, writes one newline to FD and closes it.
 */

/* The descriptor of a -r argument, or -1 when it is not a number or not
 * an open descriptor. */
int rb_ready_parse(const char *arg);

/* Announce readiness on *fd (nothing when it is -1) and set it to -1.
 * -1 with errno when the newline could not be written. */
int rb_ready_announce(int *fd);

#endif
