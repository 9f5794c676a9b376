#ifndef RB_TEST_FILES_H
#define RB_TEST_FILES_H

/*
 * File helpers the unit tests share (header-only, as tap.h): join a
 * path, write a test file, compare one with a text or another file,
 * count what a killed writer would leave.  Each bails out of the test
 * when the set-up itself fails.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/atomic.h"
#include "sys/file.h"

#include "../tap.h"

/* path holds text (0644), replaced whole. */
static inline void
put(const char *path, const char *text)
{
	if (rb_atomic_replace(path, text, strlen(text), 0644) < 0)
		bail("write a file");
}

/* buf = dir/rel; bails when it does not fit. */
static inline void
path_of(char *buf, size_t len, const char *dir, const char *rel)
{
	if (snprintf(buf, len, "%s/%s", dir, rel) >= (int)len)
		bail("path too long");
}

/* Does path hold exactly text? */
static inline int
holds(const char *path, const char *text)
{
	size_t len = 0;
	char *got = rb_file_read(path, 1 << 20, &len);
	int same = got != NULL && len == strlen(text) &&
	    memcmp(got, text, len) == 0;

	free(got);
	return same;
}

/* Are the files at a and b byte for byte the same (both readable)? */
static inline int
same_file(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	char *ta = rb_file_read(a, 1 << 28, &la);
	char *tb = rb_file_read(b, 1 << 28, &lb);
	int same = ta != NULL && tb != NULL && la == lb &&
	    memcmp(ta, tb, la) == 0;

	free(ta);
	free(tb);
	return same;
}

/* Number of ".*.tmp.*" files in d (what rb_atomic leaves when killed),
 * -1 when d cannot be read. */
static inline int
tmp_files(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *de;
	int n = 0;

	if (dh == NULL)
		return -1;
	while ((de = readdir(dh)) != NULL)
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp.") != NULL)
			n++;
	closedir(dh);
	return n;
}

#endif
