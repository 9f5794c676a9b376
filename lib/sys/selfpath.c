/* selfpath: see selfpath.h. */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys/selfpath.h"

int
rb_selfpath_beside(char *path, size_t len, const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n < 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	return snprintf(path, len, "%s/%s", self, name) < (int)len ? 0 : -1;
}
