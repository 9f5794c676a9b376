/*
 * ready: the one readiness notification of every daemon.  The newline is
 * the whole protocol; closing the descriptor afterwards tells s6 nothing
 * more will come, so its result needs no check.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "sys/ready.h"

int
rb_ready_parse(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < 0 || v > INT_MAX)
		return -1;
	/* Writing readiness into a closed descriptor would be lost. */
	if (fcntl((int)v, F_GETFD) < 0)
		return -1;
	return (int)v;
}

int
rb_ready_announce(int *fd)
{
	ssize_t w;

	if (*fd < 0)
		return 0;
	do
		w = write(*fd, "\n", 1);
	while (w < 0 && errno == EINTR);
	(void)close(*fd); /* s6 has its line, or will see EOF */
	*fd = -1;
	return w == 1 ? 0 : -1;
}
