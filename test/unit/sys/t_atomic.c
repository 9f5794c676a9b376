/* Unit tests for lib/sys/atomic: whole-file replacement and streamed copy. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

int
main(void)
{
	char dir[] = "/tmp/t_atomic.XXXXXX", a[64], b[64], *text;
	static char big[200000];
	size_t len = 0;
	struct stat st;

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	is_int(rb_atomic_replace(a, big, sizeof big, 0640), 0, "replace");
	is_int(rb_atomic_copy(a, b, 0600), 0,
	    "copy a file larger than a buffer");
	text = rb_file_read(b, sizeof big, &len);
	ok(text != NULL && len == sizeof big && memcmp(text, big, len) == 0,
	    "the copy holds the same bytes");
	free(text);
	ok(stat(b, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "with the mode asked for");
	is_int(rb_atomic_replace(a, "x", 1, 0640), 0, "replace the source");
	is_int(rb_atomic_copy(a, b, 0600), 0, "copy over an existing file");
	text = rb_file_read(b, 16, &len);
	ok(text != NULL && len == 1 && text[0] == 'x', "replaced whole");
	free(text);
	snprintf(a, sizeof a, "%s/none", dir);
	errno = 0;
	ok(rb_atomic_copy(a, b, 0600) < 0 && errno == ENOENT,
	    "a missing source: ENOENT");
	text = rb_file_read(b, 16, &len);
	ok(text != NULL && len == 1, "and the target is left as it was");
	free(text);
	unlink(b);
	snprintf(a, sizeof a, "%s/a", dir);
	unlink(a);
	rmdir(dir);
	done_testing();
	return exit_status();
}
