/*
 * atomic: replace files whole.  Every file another process may read (store
 * files, cdb files, keys) is written here: a temporary ".<name>.tmp.<pid>"
 * created O_EXCL beside the target, written, fsynced, closed (close checked),
 * renamed over the target, and then the directory is fsynced so the rename
 * itself is durable.  A reader sees the old file or the new one, never a
 * mix; a crash leaves at worst a stale temporary, removed by
 * rb_atomic_clean at the next start.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

int
rb_atomic_open(struct rb_atomic *a, const char *path, int mode)
{
	char dir[RB_PATH_MAX];
	const char *base;
	int n;

	a->fd = -1;
	a->used = 0;
	if (rb_file_dirname(path, dir, sizeof dir, &base) < 0)
		return -1;
	n = snprintf(a->tmp, sizeof a->tmp, "%s/.%s.tmp.%ld", dir, base,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof a->tmp ||
	    snprintf(a->path, sizeof a->path, "%s", path) >=
	        (int)sizeof a->path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A temporary of ours from an earlier, killed run of this pid. */
	(void)unlink(a->tmp);
	a->fd = open(a->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (a->fd < 0)
		return -1;
	/* The umask must not weaken or widen the mode we were asked for. */
	if (fchmod(a->fd, mode) < 0) {
		rb_atomic_abort(a);
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
rb_atomic_flush(struct rb_atomic *a)
{
	size_t n = a->used;

	a->used = 0;
	return write_all(a->fd, a->buf, n);
}

int
rb_atomic_write(struct rb_atomic *a, const void *buf, size_t len)
{
	if (a->used + len > sizeof a->buf && rb_atomic_flush(a) < 0)
		return -1;
	if (len >= sizeof a->buf)
		return write_all(a->fd, buf, len);
	memcpy(a->buf + a->used, buf, len);
	a->used += len;
	return 0;
}

static int
dump_cb(const char *buf, size_t len, void *ctx)
{
	return rb_atomic_write(ctx, buf, len);
}

int
rb_atomic_write_json(struct rb_atomic *a, const void *json)
{
	return json_dump_callback(json, dump_cb, a, JSON_COMPACT);
}

int
rb_atomic_commit(struct rb_atomic *a)
{
	int fd = a->fd;

	if (rb_atomic_flush(a) < 0) {
		a->fd = -1;
		close(fd);
		goto fail;
	}
	a->fd = -1;
	if (fsync(fd) < 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	if (rename(a->tmp, a->path) < 0)
		goto fail;
	return rb_file_dir_sync(a->path, 0);
fail:
	(void)unlink(a->tmp);
	return -1;
}

void
rb_atomic_abort(struct rb_atomic *a)
{
	int saved = errno;

	if (a->fd >= 0) {
		close(a->fd);
		a->fd = -1;
	}
	(void)unlink(a->tmp);
	errno = saved;
}

int
rb_atomic_copy(const char *src, const char *dst, int mode)
{
	char buf[65536];
	struct rb_atomic a;
	int fd = open(src, O_RDONLY | O_CLOEXEC), saved;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (rb_atomic_open(&a, dst, mode) < 0)
		goto fail;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || rb_atomic_write(&a, buf, (size_t)n) < 0) {
			rb_atomic_abort(&a);
			goto fail;
		}
	}
	close(fd);
	return rb_atomic_commit(&a);
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
rb_atomic_replace(const char *path, const void *buf, size_t len, int mode)
{
	struct rb_atomic a;

	if (rb_atomic_open(&a, path, mode) < 0)
		return -1;
	if (rb_atomic_write(&a, buf, len) < 0) {
		rb_atomic_abort(&a);
		return -1;
	}
	return rb_atomic_commit(&a);
}

/* Is the temporary file name (".x.tmp.<pid>") another live process's,
 * still being written? */
static int
in_progress(const char *name)
{
	const char *p = strstr(name, ".tmp.");
	char *end;
	long pid;

	if (p == NULL)
		return 0;
	pid = strtol(p + 5, &end, 10);
	if (*end != '\0' || pid <= 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int
rb_atomic_clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[RB_PATH_MAX];

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || strstr(e->d_name, ".tmp.") == NULL ||
		    in_progress(e->d_name))
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >=
		    (int)sizeof p)
			continue;
		(void)unlink(p); /* gone already is fine */
	}
	closedir(d);
	return 0;
}
