/*
 * inotify: the read loop.  A buffer aligned for struct inotify_event,
 * filled by read(2) until it returns nothing (EAGAIN) or fails; every
 * record in it is a header and ev->len bytes of name, which the kernel
 * never splits across reads.
 */

#include <errno.h>
#include <unistd.h>

#include "sys/inotify.h"

int
rb_inotify_each(int fd, void (*fn)(void *arg, const struct inotify_event *ev),
    void *arg)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	int count = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return count; /* EAGAIN: all read */
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			fn(arg, ev);
			count++;
			p += sizeof *ev + ev->len;
		}
	}
}
