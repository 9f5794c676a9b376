/* Unit tests for lib/sys/atomic: whole-file replacement, streamed copy, and
 * the failure paths: a failed write or rename leaves the old file whole and
 * no temporary file, abort removes it, clean removes only stale ones. */

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/atomic.h"
#include "sys/file.h"

#include "../files.h"
#include "../../tap.h"

static char dir[] = "/tmp/t_atomic.XXXXXX";
static char big[200000];

/* Run fn(arg) in a child; its exit status, or -1 when it did not exit. */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) < 0)
		bail("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* With files limited to 4 KiB, replace path with 200,000 bytes: 0 when
 * that failed with EFBIG, 1 when not, 2 when the limit could not be
 * set. */
static int
replace_too_big(const char *path)
{
	struct rlimit rl = { 4096, 4096 };

	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
	    setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 2;
	errno = 0;
	return rb_atomic_replace(path, big, sizeof big, 0644) == -1 &&
	        errno == EFBIG ?
	    0 :
	    1;
}

/* The same for a copy of a 200,000-byte file. */
static int
copy_too_big(const char *dst)
{
	struct rlimit rl = { 4096, 4096 };
	char src[64];

	snprintf(src, sizeof src, "%s/big", dir);
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
	    setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 2;
	errno = 0;
	return rb_atomic_copy(src, dst, 0644) == -1 && errno == EFBIG ? 0 : 1;
}

/* Not root (nobody when root), replace a file in a read-only directory:
 * 0 when that failed with EACCES, 1 when not, 2 when root stayed. */
static int
replace_read_only(const char *path)
{
	struct passwd *pw;

	if (geteuid() == 0 &&
	    ((pw = getpwnam("nobody")) == NULL || setgid(pw->pw_gid) < 0 ||
	        setuid(pw->pw_uid) < 0))
		return 2;
	errno = 0;
	return rb_atomic_replace(path, "new", 3, 0644) == -1 &&
	        errno == EACCES ?
	    0 :
	    1;
}

static void
test_replace_copy(void)
{
	char a[64], b[64], *text;
	size_t len = 0;
	struct stat st;

	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
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
	snprintf(b, sizeof b, "%s/new", dir);
	errno = 0;
	ok(rb_atomic_copy(a, b, 0600) < 0 && errno == ENOENT,
	    "a missing source to a new target: ENOENT");
	ok(access(b, F_OK) < 0 && errno == ENOENT, "creates no target");
	is_int(tmp_files(dir), 0, "and no temporary file");
	snprintf(a, sizeof a, "%s/a", dir);
	unlink(a);
	snprintf(b, sizeof b, "%s/b", dir);
	unlink(b);
}

static void
test_failed_write(void)
{
	char old[64], src[64];

	snprintf(old, sizeof old, "%s/old", dir);
	snprintf(src, sizeof src, "%s/big", dir);
	put(old, "old bytes");
	is_int(in_child(replace_too_big, old), 0,
	    "a write past RLIMIT_FSIZE fails with EFBIG");
	ok(holds(old, "old bytes"), "the old file is whole");
	is_int(tmp_files(dir), 0, "no temporary file is left");
	if (rb_atomic_replace(src, big, sizeof big, 0644) < 0)
		bail("rb_atomic_replace");
	is_int(in_child(copy_too_big, old), 0,
	    "a copy past RLIMIT_FSIZE fails with EFBIG");
	ok(holds(old, "old bytes"), "the old file is whole");
	is_int(tmp_files(dir), 0, "no temporary file is left");
	unlink(src);
	unlink(old);
}

static void
test_failed_rename(void)
{
	char target[64], inner[80], ro[64], old[80];
	int r;

	/* rename(2) of a file onto a directory fails, even for root. */
	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(inner, sizeof inner, "%s/inner", target);
	if (mkdir(target, 0755) < 0)
		bail("mkdir");
	put(inner, "inner bytes");
	errno = 0;
	is_int(rb_atomic_replace(target, "new", 3, 0644), -1,
	    "replace onto a non-empty directory fails");
	ok(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST,
	    "with rename's errno (%s)", strerror(errno));
	is_int(tmp_files(dir), 0, "the temporary file is removed");
	ok(holds(inner, "inner bytes"), "the directory is left whole");
	unlink(inner);
	rmdir(target);

	/* Permissions: in a child that is not root. */
	snprintf(ro, sizeof ro, "%s/ro", dir);
	snprintf(old, sizeof old, "%s/old", ro);
	if (mkdir(ro, 0755) < 0)
		bail("mkdir");
	put(old, "old bytes");
	if (chmod(dir, 0711) < 0 || chmod(ro, 0555) < 0)
		bail("chmod");
	r = in_child(replace_read_only, old);
	if (r == 2)
		diag("could not become nobody: the next check is void");
	is_int(r, 0, "not root, a read-only directory: EACCES");
	ok(holds(old, "old bytes"), "the old file is whole");
	is_int(tmp_files(ro), 0, "no temporary file is left");
	if (chmod(ro, 0755) < 0 || chmod(dir, 0700) < 0)
		bail("chmod");
	unlink(old);
	rmdir(ro);
}

static void
test_abort(void)
{
	struct rb_atomic a;
	char path[64], want[96];

	snprintf(path, sizeof path, "%s/ab", dir);
	put(path, "old bytes");
	is_int(rb_atomic_open(&a, path, 0644), 0, "open a replacement");
	snprintf(want, sizeof want, "%s/.ab.tmp.%ld", dir, (long)getpid());
	is_str(a.tmp, want, "its temporary file is .<name>.tmp.<pid>");
	ok(access(a.tmp, F_OK) == 0, "and exists");
	is_int(rb_atomic_write(&a, big, sizeof big), 0, "write to it");
	is_int(rb_atomic_flush(&a), 0, "flush it");
	errno = EINTR;
	rb_atomic_abort(&a);
	is_int(errno, EINTR, "abort keeps errno");
	ok(access(a.tmp, F_OK) < 0 && errno == ENOENT,
	    "abort removes the temporary file");
	is_int(a.fd, -1, "and closes it");
	ok(holds(path, "old bytes"), "the target is left as it was");
	rb_atomic_abort(&a);
	is_int(tmp_files(dir), 0, "abort of a closed one is harmless");

	/* A temporary of this pid from a killed earlier run is replaced. */
	put(want, "stale");
	is_int(rb_atomic_open(&a, path, 0600), 0,
	    "open over a stale temporary");
	is_int(rb_atomic_write(&a, "new", 3), 0, "write");
	is_int(rb_atomic_commit(&a), 0, "commit");
	ok(holds(path, "new"), "the target holds only the new bytes");
	is_int(tmp_files(dir), 0, "no temporary file after a commit");
	unlink(path);
}

/* The pid of a process that has exited. */
static long
dead_pid(void)
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, NULL, 0) < 0)
		bail("waitpid");
	return (long)pid;
}

static void
test_clean(void)
{
	static const char *const kept[] = { "x.tmp.123", ".hidden", "plain",
		".tmp" };
	char stale[2][64], p[160];
	long dead = dead_pid();
	int all;

	/* Left by killed writers: a pid that is gone, and our own. */
	snprintf(stale[0], sizeof stale[0], ".x.tmp.%ld", dead);
	snprintf(stale[1], sizeof stale[1], ".a.cdb.tmp.%ld", (long)getpid());
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
		put(p, "stale");
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, kept[i]);
		put(p, "keep");
	}
	is_int(tmp_files(dir), 2, "two stale temporary files");
	is_int(rb_atomic_clean(dir), 0, "clean");
	is_int(tmp_files(dir), 0, "removes both");
	all = 1;
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, kept[i]);
		if (!holds(p, "keep")) {
			all = 0;
			diag("%s went", kept[i]);
		}
		unlink(p);
	}
	ok(all, "and no other file");
	snprintf(p, sizeof p, "%s/missing", dir);
	is_int(rb_atomic_clean(p), 0, "a missing directory is clean");
	snprintf(p, sizeof p, "%s/file", dir);
	put(p, "x");
	errno = 0;
	ok(rb_atomic_clean(p) < 0 && errno == ENOTDIR,
	    "a file is not a directory: ENOTDIR");
	unlink(p);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	test_replace_copy();
	test_failed_write();
	test_failed_rename();
	test_abort();
	test_clean();
	if (rmdir(dir) < 0)
		diag("%s is not empty", dir);
	done_testing();
	return exit_status();
}
