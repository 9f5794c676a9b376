#ifndef RB_SYS_FILE_H
#define RB_SYS_FILE_H

/*
 * file: reading a file whole, mkdir -p, and the directory fsync of the
 * atomic-write discipline (lib/sys/atomic uses it after each rename).
 */

#include <stddef.h>

/* The directory part of path into dir (dlen bytes; "." or "/" when path
 * has none) and *base pointed at its last component; -1 (ENAMETOOLONG)
 * when dir does not fit or the last component is empty. */
int rb_file_dirname(const char *path, char *dir, size_t dlen,
    const char **base);

/* fsync the directory that holds path (or the directory path itself when
 * is_dir is set). */
int rb_file_dir_sync(const char *path, int is_dir);

/* Read a whole file into a malloc'd, NUL-terminated buffer (caller frees
 * with free).  Refuses files over max bytes with EFBIG. */
char *rb_file_read(const char *path, size_t max, size_t *lenp);

/* mkdir -p with mode for the last component; existing directories are
 * fine. */
int rb_file_mkdirs(const char *path, int mode);

#endif
