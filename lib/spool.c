/*
 * spool: the hand-off from daemons to rb-auditd.  A file name is a
 * CLOCK_REALTIME nanosecond count (20 digits, zero-padded), the writer's
 * pid and a per-process counter, so names sort by time, never collide
 * between processes and never collide within one.  Files appear only by
 * rename (rb_file_replace), so a reader that skips names starting with a
 * dot never sees a partial event.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "spool.h"

/* The event as one JSON line, malloc'd (caller frees); NULL on ENOMEM. */
static char *
event_line(int64_t ts, const char *event, const json_t *fields, size_t *len)
{
	json_t *ev = json_pack("{s:I, s:s, s:o}", "ts", (json_int_t)ts, "event",
	    event, "fields", fields ? json_deep_copy(fields) : json_object());
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL, *line;
	size_t n;

	json_decref(ev);
	if (text == NULL)
		return NULL;
	n = strlen(text);
	if ((line = realloc(text, n + 2)) == NULL) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

int
rb_spool_event(const char *root, const char *event, const json_t *fields,
    struct rb_err *e)
{
	static unsigned counter;
	char dir[4200], path[4300], *line;
	struct timespec ts;
	size_t len = 0;
	int r;

	if (snprintf(dir, sizeof dir, "%s/audit/spool", root) >=
	    (int)sizeof dir)
		return rb_err_set(e, 500, "INTERNAL_ERROR", "root too long");
	if (rb_mkdirs(dir, 0750) < 0)
		return rb_err_sys(e, "create audit/spool");
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(path, sizeof path, "%s/%020llu-%d-%u.json", dir,
	    (unsigned long long)ts.tv_sec * 1000000000ull +
	        (unsigned long long)ts.tv_nsec,
	    (int)getpid(), counter++);
	if ((line = event_line((int64_t)ts.tv_sec, event, fields, &len)) ==
	    NULL)
		return rb_err_set(e, 500, "INTERNAL_ERROR", "out of memory");
	r = rb_file_replace(path, line, len, 0640);
	free(line);
	if (r < 0)
		return rb_err_sys(e, "write audit/spool event");
	return 0;
}
