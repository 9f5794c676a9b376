/* sigfd: see sigfd.h. */

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sys/sigfd.h"

int
rb_sigfd_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void
rb_sigfd_read(int fd, int *stop, int *hup)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			*hup = 1;
		else
			*stop = 1;
	}
}
