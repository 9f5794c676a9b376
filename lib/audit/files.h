#ifndef RB_AUDIT_FILES_H
#define RB_AUDIT_FILES_H

/*
 * files: the files of the audit log in chain order, and its tail read
 * back across them (doc/audit.md).
 */

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

/* The audit files of dir (ROOT/audit) in chain order: rotated files by
 * first seq, then audit.log if it exists.  *names is a malloc'd array of
 * malloc'd base names; free with rb_audit_files_free. */
int rb_audit_files(const char *dir, char ***names, size_t *n);
void rb_audit_files_free(char **names, size_t n);

/* The last n entries (1..) of the log in dir, oldest first, reading back
 * through rotated files as needed, as a new JSON array of the parsed
 * lines.  A torn last line is left out; lines that are not JSON are
 * counted in *bad (may be NULL).  NULL with e filled (NOT_FOUND when
 * there is no log). */
json_t *rb_audit_files_tail(const char *dir, long n, long *bad,
    struct rb_err *e);

#endif
