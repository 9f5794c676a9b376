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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "atomic.h"

static int
split(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL) {
		n = snprintf(dir, dlen, ".");
		*base = path;
	} else if (slash == path) {
		n = snprintf(dir, dlen, "/");
		*base = slash + 1;
	} else {
		n = snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
		*base = slash + 1;
	}
	if (n < 0 || (size_t)n >= dlen || **base == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
rb_atomic_open(struct rb_atomic *a, const char *path, int mode)
{
	char dir[4096];
	const char *base;
	int n;

	a->fd = -1;
	a->used = 0;
	if (split(path, dir, sizeof dir, &base) < 0)
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
rb_dir_sync(const char *path, int is_dir)
{
	char dir[4096];
	const char *base;
	int fd, r;

	if (is_dir) {
		if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else if (split(path, dir, sizeof dir, &base) < 0) {
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
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
	return rb_dir_sync(a->path, 0);
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
rb_file_copy(const char *src, const char *dst, int mode)
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
rb_file_replace(const char *path, const void *buf, size_t len, int mode)
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

int
rb_atomic_clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || strstr(e->d_name, ".tmp.") == NULL)
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >=
		    (int)sizeof p)
			continue;
		(void)unlink(p); /* gone already is fine */
	}
	closedir(d);
	return 0;
}

char *
rb_file_read(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto fail;
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	if (lenp)
		*lenp = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int
rb_mkdirs(const char *path, int mode)
{
	char p[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, i == n ? mode : 0755) < 0 && errno != EEXIST)
			return -1;
		p[i] = path[i];
	}
	return 0;
}
