/* Unit tests for lib/state/cdbw, the one cdb writer: byte order, the sort
 * (key, then value, then descending prio), that the file written is a cdb
 * tinycdb reads back with every pair in sorted order, that the bytes depend
 * only on the content, and that a failed write leaves the old file and no
 * temporary file. */

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "state/cdbw.h"
#include "sys/file.h"

#include "../files.h"
#include "../../tap.h"

static char dir[] = "/tmp/t_cdbw.XXXXXX";

/* The pairs of the tests, in an order that is not sorted. */
static const struct {
	const char *k, *v;
	int prio;
} pairs[] = {
	{ "b", "1", 0 },
	{ "a", "2", 0 },
	{ "a", "1", 1 },
	{ "ab", "0", 0 },
	{ "a", "1", 5 },
	{ "\x80", "hi", 0 },
	{ "a", "", 0 },
	{ "\x7f", "lo", 0 },
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

/* The sorted order of pairs[], as indexes. */
static const size_t sorted[] = { 6, 4, 2, 1, 3, 0, 7, 5 };

static void
fill(struct rb_cdbw *a, int reverse)
{
	for (size_t i = 0; i < NPAIRS; i++) {
		size_t j = reverse ? NPAIRS - 1 - i : i;
		if (rb_cdbw_add(a, pairs[j].k, strlen(pairs[j].k), pairs[j].v,
		        strlen(pairs[j].v), pairs[j].prio) < 0)
			bail("rb_cdbw_add");
	}
}

static int
kv_is(const struct rb_cdbw_kv *kv, const char *k, const char *v, int prio)
{
	return kv->klen == strlen(k) && memcmp(kv->key, k, kv->klen) == 0 &&
	    kv->vlen == strlen(v) && memcmp(kv->val, v, kv->vlen) == 0 &&
	    kv->prio == prio;
}

static void
test_bytes_cmp(void)
{
	const uint8_t *a = (const uint8_t *)"ab", *b = (const uint8_t *)"b";
	const uint8_t hi[] = { 0x80 }, lo[] = { 0x7f };

	ok(rb_cdbw_bytes_cmp(a, 2, b, 1) < 0, "\"ab\" before \"b\"");
	ok(rb_cdbw_bytes_cmp(b, 1, a, 2) > 0, "\"b\" after \"ab\"");
	ok(rb_cdbw_bytes_cmp(a, 1, a, 2) < 0, "a prefix sorts first");
	ok(rb_cdbw_bytes_cmp(a, 2, a, 1) > 0, "and the longer last");
	is_int(rb_cdbw_bytes_cmp(a, 2, a, 2), 0, "equal strings: 0");
	is_int(rb_cdbw_bytes_cmp(a, 0, b, 0), 0, "two empty strings: 0");
	ok(rb_cdbw_bytes_cmp(hi, 1, lo, 1) > 0, "bytes compare unsigned");
}

static void
test_sort(void)
{
	struct rb_cdbw a = { 0 };
	char key[] = "mut";
	int order_ok = 1;

	fill(&a, 0);
	is_int(a.n, NPAIRS, "every pair added");
	ok(a.cap >= a.n, "capacity covers the pairs");
	rb_cdbw_sort(&a);
	for (size_t i = 0; i < NPAIRS; i++) {
		size_t j = sorted[i];
		if (!kv_is(&a.v[i], pairs[j].k, pairs[j].v, pairs[j].prio)) {
			order_ok = 0;
			diag("position %zu: want key '%s' value '%s' prio %d",
			    i, pairs[j].k, pairs[j].v, pairs[j].prio);
		}
	}
	ok(order_ok, "sorted by key, then value, then descending prio");
	ok(kv_is(&a.v[1], "a", "1", 5) && kv_is(&a.v[2], "a", "1", 1),
	    "equal key and value: the higher prio first");
	ok(kv_is(&a.v[0], "a", "", 0), "an empty value sorts first");
	rb_cdbw_free(&a);
	ok(a.v == NULL && a.n == 0 && a.cap == 0, "free empties the array");
	rb_cdbw_free(&a);
	ok(a.v == NULL && a.n == 0, "free twice is a no-op");

	/* The array holds copies: the caller's buffers may change. */
	if (rb_cdbw_add(&a, key, 3, key, 3, 0) < 0)
		bail("rb_cdbw_add");
	memcpy(key, "xyz", 3);
	ok(kv_is(&a.v[0], "mut", "mut", 0), "add copies key and value");
	rb_cdbw_sort(&a);
	is_int(a.n, 1, "sorting one pair keeps it");
	rb_cdbw_free(&a);
}

/* Read path back with tinycdb: every key's first value is its sorted first,
 * all values of a key come in sorted order, the sequence is the sorted
 * order. */
static void
test_read_back(const char *path)
{
	struct cdb c;
	struct cdb_find cf;
	unsigned pos;
	int fd = open(path, O_RDONLY | O_CLOEXEC), seq_ok = 1;
	size_t n = 0;
	const char *want_a[] = { "", "1", "1", "2" };

	ok(fd >= 0 && cdb_init(&c, fd) == 0, "tinycdb opens the file");
	if (fd < 0)
		return;
	ok(cdb_find(&c, "b", 1) > 0 && cdb_datalen(&c) == 1 &&
	        memcmp(cdb_getdata(&c), "1", 1) == 0,
	    "cdb_find: b -> 1");
	ok(cdb_find(&c, "ab", 2) > 0 && cdb_datalen(&c) == 1 &&
	        memcmp(cdb_getdata(&c), "0", 1) == 0,
	    "cdb_find: ab -> 0");
	ok(cdb_find(&c, "\x80", 1) > 0 && cdb_datalen(&c) == 2 &&
	        memcmp(cdb_getdata(&c), "hi", 2) == 0,
	    "cdb_find: a high byte key");
	ok(cdb_find(&c, "a", 1) > 0 && cdb_datalen(&c) == 0,
	    "cdb_find: a gives its sorted first value, the empty one");
	is_int(cdb_find(&c, "c", 1), 0, "cdb_find: a missing key");
	is_int(cdb_find(&c, "", 0), 0, "cdb_find: the empty key is not there");
	cdb_findinit(&cf, &c, "a", 1);
	for (n = 0; cdb_findnext(&cf) > 0; n++)
		if (n >= 4 || cdb_datalen(&c) != strlen(want_a[n]) ||
		    memcmp(cdb_getdata(&c), want_a[n], cdb_datalen(&c)) != 0)
			seq_ok = 0;
	ok(seq_ok && n == 4, "the four values of a, in sorted order");
	cdb_seqinit(&pos, &c);
	n = 0;
	seq_ok = 1;
	while (cdb_seqnext(&pos, &c) > 0) {
		size_t j = n < NPAIRS ? sorted[n] : 0;
		if (n >= NPAIRS || cdb_keylen(&c) != strlen(pairs[j].k) ||
		    memcmp(cdb_getkey(&c), pairs[j].k, cdb_keylen(&c)) != 0 ||
		    cdb_datalen(&c) != strlen(pairs[j].v) ||
		    memcmp(cdb_getdata(&c), pairs[j].v, cdb_datalen(&c)) != 0)
			seq_ok = 0;
		n++;
	}
	ok(seq_ok && n == NPAIRS,
	    "the records, in file order, are the sorted pairs");
	cdb_free(&c);
	close(fd);
}

static void
test_write(void)
{
	struct rb_cdbw a = { 0 }, b = { 0 }, none = { 0 };
	struct rb_err e = { 0 };
	char p1[128], p2[128], p3[128], *t1, *t2;
	size_t l1 = 0, l2 = 0;
	struct stat st;
	struct cdb c;
	mode_t old_mask;
	int fd;

	snprintf(p1, sizeof p1, "%s/one.cdb", dir);
	snprintf(p2, sizeof p2, "%s/two.cdb", dir);
	snprintf(p3, sizeof p3, "%s/empty.cdb", dir);
	fill(&a, 0);
	rb_cdbw_sort(&a);
	old_mask = umask(077);
	is_int(rb_cdbw_write(&a, p1, &e), 0, "write a cdb");
	umask(old_mask);
	ok(stat(p1, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "mode 0644 whatever the umask");
	test_read_back(p1);
	fill(&b, 1);
	rb_cdbw_sort(&b);
	is_int(rb_cdbw_write(&b, p2, &e), 0, "write the pairs added reversed");
	t1 = rb_file_read(p1, 1 << 20, &l1);
	t2 = rb_file_read(p2, 1 << 20, &l2);
	ok(t1 != NULL && t2 != NULL && l1 == l2 && memcmp(t1, t2, l1) == 0,
	    "same pairs in another order: byte-identical files");
	free(t1);
	free(t2);
	is_int(rb_cdbw_write(&none, p3, &e), 0, "write no pairs");
	fd = open(p3, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && cdb_init(&c, fd) == 0 && cdb_find(&c, "a", 1) == 0,
	    "an empty cdb tinycdb reads");
	if (fd >= 0) {
		cdb_free(&c);
		close(fd);
	}
	is_int(tmp_files(dir), 0, "no temporary file left by the writes");
	rb_cdbw_free(&a);
	rb_cdbw_free(&b);
}

/* In a child that is not root (nobody when we are root): write into the
 * read-only directory ro.  Exit 0 when the write failed as it should
 * (-1, EACCES, RB_ERR_SYSTEM), 1 when it did not, 2 when the child could
 * not drop root. */
static int
child_write_ro(const char *path)
{
	struct rb_cdbw a = { 0 };
	struct rb_err e = { 0 };
	struct passwd *pw;
	int r;

	if (geteuid() == 0) {
		if ((pw = getpwnam("nobody")) == NULL ||
		    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			return 2;
	}
	fill(&a, 0);
	rb_cdbw_sort(&a);
	errno = 0;
	r = rb_cdbw_write(&a, path, &e);
	return r == -1 && errno == EACCES && e.kind == RB_ERR_SYSTEM ? 0 : 1;
}

static void
test_write_fails(void)
{
	struct rb_cdbw a = { 0 };
	struct rb_err e = { 0 };
	char ro[128], old[160], sub[160], keep[200], *text;
	size_t len = 0;
	pid_t pid;
	int st = 0;

	snprintf(ro, sizeof ro, "%s/ro", dir);
	snprintf(old, sizeof old, "%s/old.cdb", ro);
	if (mkdir(ro, 0755) < 0)
		bail("mkdir");
	{
		FILE *f = fopen(old, "w");
		if (f == NULL || fputs("old bytes", f) < 0 || fclose(f) != 0)
			bail("write old file");
	}
	/* nobody must reach ro but not write in it. */
	if (chmod(dir, 0711) < 0 || chmod(ro, 0555) < 0)
		bail("chmod");
	fflush(stdout);
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0)
		_exit(child_write_ro(old));
	if (waitpid(pid, &st, 0) < 0)
		bail("waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		diag("could not become nobody: the next check is void");
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	    "unwritable directory: -1, EACCES, RB_ERR_SYSTEM");
	text = rb_file_read(old, 1024, &len);
	ok(text != NULL && len == 9 && memcmp(text, "old bytes", 9) == 0,
	    "the old file is intact");
	free(text);
	is_int(tmp_files(ro), 0, "and no temporary file is left");
	if (chmod(ro, 0755) < 0)
		bail("chmod");

	/* A failure after the temporary file was written: the rename onto
	 * a non-empty directory fails, even for root. */
	snprintf(sub, sizeof sub, "%s/dir.cdb", ro);
	snprintf(keep, sizeof keep, "%s/keep", sub);
	if (mkdir(sub, 0755) < 0 || rb_file_mkdirs(keep, 0755) < 0)
		bail("mkdir");
	fill(&a, 0);
	rb_cdbw_sort(&a);
	errno = 0;
	is_int(rb_cdbw_write(&a, sub, &e), -1,
	    "rename onto a non-empty directory: -1");
	ok(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST,
	    "with errno from rename (%s)", strerror(errno));
	is_int(e.kind, RB_ERR_SYSTEM, "kind RB_ERR_SYSTEM");
	is_int(tmp_files(ro), 0, "the temporary file is removed");
	ok(access(keep, F_OK) == 0, "the directory is left as it was");
	rb_cdbw_free(&a);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	test_bytes_cmp();
	test_sort();
	test_write();
	test_write_fails();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	done_testing();
	return exit_status();
}
