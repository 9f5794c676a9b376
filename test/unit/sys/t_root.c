/* Unit tests for lib/sys/root: resolving the state root, and refusing one
 * that does not exist (only rb-conf makes a root: doc/exit-codes.md). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/root.h"

#include "../files.h"

int
main(void)
{
	char tmp[] = "/tmp/t_root.XXXXXX", out[RB_PATH_MAX], want[RB_PATH_MAX];
	char file[RB_PATH_MAX], missing[RB_PATH_MAX];

	if (mkdtemp(tmp) == NULL || chdir(tmp) < 0)
		bail("make a directory to work in");
	snprintf(file, sizeof file, "%s/file", tmp);
	snprintf(missing, sizeof missing, "%s/typo", tmp);
	put(file, "not a directory\n");

	is_int(rb_root_resolve("sub//", out, sizeof out), 0, "a relative root");
	snprintf(want, sizeof want, "%s/sub", tmp);
	is_str(out, want, "is made absolute, trailing slashes gone");
	(void)unsetenv("RB_ROOT");
	is_int(rb_root_resolve(NULL, out, sizeof out), 0, "no -d, no RB_ROOT");
	is_str(out, tmp, "is the current directory");

	is_int(rb_root_check(tmp), 0, "a directory is a root");
	errno = 0;
	is_int(rb_root_check(missing), -1, "nothing there is not");
	is_int(errno, ENOENT, "ENOENT");
	errno = 0;
	is_int(rb_root_check(file), -1, "a file is not");
	is_int(errno, ENOTDIR, "ENOTDIR");
	ok(access(missing, F_OK) < 0, "and checking makes nothing");

	(void)unlink(file);
	(void)rmdir(tmp);
	done_testing();
	return exit_status();
}
