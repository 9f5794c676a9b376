/*
 * file: the file-system calls every program needs beside lib/atomic: a
 * file read whole, mkdir -p, a directory's name, and the fsync of a
 * directory that makes a rename durable.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/file.h"
#include "sys/root.h"

int
rb_file_dirname(const char *path, char *dir, size_t dlen, const char **base)
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
rb_file_dir_sync(const char *path, int is_dir)
{
	char dir[RB_PATH_MAX];
	const char *base;
	int fd, r;

	if (is_dir) {
		if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else if (rb_file_dirname(path, dir, sizeof dir, &base) < 0) {
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
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
rb_file_mkdirs(const char *path, int mode)
{
	char p[RB_PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Most calls find it there: one system call. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
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
