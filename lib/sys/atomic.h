#ifndef RB_SYS_ATOMIC_H
#define RB_SYS_ATOMIC_H

/*
 * The atomic-write discipline (DESIGN.md contract 1): a file readers may
 * see is only ever replaced whole, through a temporary file in the same
 * directory, fsync, rename and a directory fsync.
 */

#include <stddef.h>
#include "sys/root.h"

/* A replacement in progress: the temporary file and where it goes. */
struct rb_atomic {
	int fd;                /* open on the temporary file, -1 when none */
	char tmp[RB_PATH_MAX]; /* ".<name>.tmp.<pid>" beside the target */
	char path[RB_PATH_MAX];
	size_t used; /* bytes waiting in buf */
	char buf[65536];
};

/* Create the temporary file for path with the final mode; -1 on failure. */
int rb_atomic_open(struct rb_atomic *a, const char *path, int mode);

/* Write all of buf to the temporary file (buffered; see rb_atomic_flush);
 * -1 on failure. */
int rb_atomic_write(struct rb_atomic *a, const void *buf, size_t len);

/* Append the compact JSON text of j (borrowed), without a newline. */
int rb_atomic_write_json(struct rb_atomic *a, const void *json);

/* Write out what rb_atomic_write has buffered; -1 on failure.  Needed
 * only before using fd directly. */
int rb_atomic_flush(struct rb_atomic *a);

/* Flush, fsync, close, rename over the target, fsync the directory; on any
 * failure the temporary file is removed and the old file is left. */
int rb_atomic_commit(struct rb_atomic *a);

/* Give up: close and remove the temporary file.  Accepts a closed one. */
void rb_atomic_abort(struct rb_atomic *a);

/* Replace path with buf[0..len) in one call. */
int rb_atomic_replace(const char *path, const void *buf, size_t len, int mode);

/* Replace dst with a copy of the file src, streamed (never whole in
 * memory); -1 with errno (ENOENT when src does not exist). */
int rb_atomic_copy(const char *src, const char *dst, int mode);

/* Remove stale ".*.tmp.<pid>" files left in dir by a killed writer (a
 * process that is gone; one still running is writing it). */
int rb_atomic_clean(const char *dir);

#endif
