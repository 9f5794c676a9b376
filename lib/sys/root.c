/*
 * root: where the state lives.  Resolved once at start and made absolute,
 * so a daemon that later changes directory or drops privileges keeps
 * naming the same files; checked to exist before anything is written
 * under it, because writers make the directories they need (store/,
 * journal/, ...) and would otherwise make a whole new root.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/root.h"

int
rb_root_resolve(const char *opt, char *out, size_t len)
{
	const char *r = opt ? opt : getenv("RB_ROOT");
	char cwd[PATH_MAX];
	int n;

	if (r == NULL || r[0] == '\0') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return -1;
		r = cwd;
	}
	if (r[0] == '/')
		n = snprintf(out, len, "%s", r);
	else if (getcwd(cwd, sizeof cwd) != NULL)
		n = snprintf(out, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", r);
	else
		return -1;
	if (n < 0 || (size_t)n >= len || n > RB_ROOT_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

int
rb_root_check(const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
