/* Unit tests for lib/feed/set: de-duplication across growth and
 * compaction, the cap on distinct names, the set file it writes (and that
 * the same names in any order give the same bytes), and reading a feed
 * cdb of the format before sets. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "feed/nameset.h"
#include "feed/parse.h"
#include "feed/set.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static int
wire(const char *text, uint8_t *w)
{
	return rb_feed_parse_domain(text, strlen(text), w);
}

static int
add(struct rb_feed_set *s, const char *text)
{
	uint8_t w[256];
	int n = wire(text, w);

	return n < 0 ? -1 : rb_feed_set_add(s, w, (size_t)n);
}

/* 1 when the set file at path lists text, 0 when not, -1 on error. */
static int
listed(const char *path, const char *text)
{
	uint8_t w[256], h[RB_NAMESET_HASH];
	size_t len;
	char *mem = rb_file_read(path, 1 << 24, &len);
	const char *why;
	int n = wire(text, w), r = -1;

	if (mem != NULL && n > 0 &&
	    rb_nameset_check((uint8_t *)mem, len, &why) == 0) {
		rb_nameset_hash(w, (size_t)n, h);
		r = rb_nameset_find((uint8_t *)mem, len, h);
	}
	free(mem);
	return r;
}

static int
same_bytes(const char *p1, const char *p2)
{
	size_t la, lb;
	char *a = rb_file_read(p1, 1 << 24, &la);
	char *b = rb_file_read(p2, 1 << 24, &lb);
	int r = a && b && la == lb && memcmp(a, b, la) == 0;

	free(a);
	free(b);
	return r;
}

static void
test_dedup(const char *p1, const char *p2)
{
	struct rb_feed_set s;
	struct rb_err e = { 0 };
	char name[64];
	int bad = 0;
	size_t n = 0;
	char action = 0;
	const char *why;

	rb_feed_set_init(&s, 10000);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "n%d.example", i);
		bad += add(&s, name) != 0;
	}
	for (int i = 0; i < 5000; i += 3) {
		snprintf(name, sizeof name, "N%d.Example", i);
		bad += add(&s, name) != 0;
	}
	is_int(bad, 0, "6667 names added across growth");
	is_int(rb_feed_set_seal(&s), 0, "sealed");
	is_int(s.n, 5000, "repeats (any case) are kept once");
	ok(add(&s, "late.example") < 0 && errno == EINVAL,
	    "a sealed set takes no more names");
	ok(rb_feed_set_write(&s, p1, 'N', &e) == 0, "write the set");
	ok(rb_nameset_check_file(p1, &n, &action, &why) == 0 && n == 5000 &&
	        action == 'N',
	    "the file checks: 5000 names, nxdomain");
	is_int(listed(p1, "n4999.example"), 1, "a name is listed");
	is_int(listed(p1, "n0.example"), 1, "the first one too");
	is_int(listed(p1, "n5000.example"), 0, "an absent name is not");
	is_int(listed(p1, "x.n1.example"), 0,
	    "nor a name below a listed one "
	    "(rb-dnsd looks up each parent)");
	rb_feed_set_fini(&s);

	rb_feed_set_init(&s, 10000);
	for (int i = 4999; i >= 0; i--) {
		snprintf(name, sizeof name, "n%d.example", i);
		add(&s, name);
	}
	rb_feed_set_write(&s, p2, 'N', &e);
	ok(same_bytes(p1, p2), "the same names in another order: same bytes");
	rb_feed_set_fini(&s);
}

static void
test_cap(void)
{
	struct rb_feed_set s;
	char name[64];
	int bad = 0, r = 0;

	rb_feed_set_init(&s, 100);
	for (int k = 0; k < 50; k++) {
		for (int i = 0; i < 100; i++) {
			snprintf(name, sizeof name, "r%d.example", i);
			bad += add(&s, name) != 0;
		}
	}
	is_int(bad, 0, "5000 adds of 100 names fit a cap of 100 (compaction)");
	ok(s.cap <= 126, "and memory stays at the bound (%zu slots)", s.cap);
	ok(rb_feed_set_seal(&s) == 0 && s.n == 100, "100 distinct");
	rb_feed_set_fini(&s);

	rb_feed_set_init(&s, 100);
	for (int i = 0; i < 1000 && r == 0; i++) {
		snprintf(name, sizeof name, "d%d.example", i);
		r = add(&s, name);
	}
	if (r == 0)
		r = rb_feed_set_seal(&s);
	ok(r < 0 && errno == EFBIG, "more distinct names than the cap: EFBIG");
	rb_feed_set_fini(&s);

	rb_feed_set_init(&s, 100);
	for (int i = 0; i < 101; i++) {
		snprintf(name, sizeof name, "d%d.example", i);
		add(&s, name);
	}
	ok(rb_feed_set_seal(&s) < 0 && errno == EFBIG, "101 of 100: EFBIG");
	rb_feed_set_fini(&s);
}

/* A feed cdb as the format before sets wrote it. */
static int
old_cdb(const char *path, int n, char action)
{
	struct cdb_make cm;
	uint8_t w[256];
	char name[64];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), r = 0;

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "old%d.example", i);
		r |= cdb_make_add(&cm, w, (unsigned)wire(name, w), &action, 1);
	}
	r |= cdb_make_finish(&cm);
	return close(fd) | r;
}

static void
test_from_cdb(const char *dir)
{
	struct rb_feed_set s;
	char path[128], action = 0;
	int fd;

	snprintf(path, sizeof path, "%s/old.cdb", dir);
	ok(old_cdb(path, 300, 'N') == 0, "an old feed cdb");
	rb_feed_set_init(&s, 1000);
	fd = open(path, O_RDONLY);
	ok(rb_feed_set_add_cdb(&s, fd, &action) == 0 && action == 'N',
	    "its names and action are read");
	close(fd);
	ok(rb_feed_set_seal(&s) == 0 && s.n == 300, "all 300 of them");
	rb_feed_set_fini(&s);

	fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd >= 0 && write(fd, "short", 5) == 5, "a damaged cdb");
	close(fd);
	rb_feed_set_init(&s, 1000);
	fd = open(path, O_RDONLY);
	ok(rb_feed_set_add_cdb(&s, fd, &action) < 0 && errno == EPROTO,
	    "is refused (EPROTO)");
	close(fd);
	rb_feed_set_fini(&s);
	unlink(path);
}

int
main(void)
{
	struct rb_feed_set s;
	struct rb_err e = { 0 };
	char dir[64], p1[128], p2[128];

	snprintf(dir, sizeof dir, "/tmp/t_feedset.%d", (int)getpid());
	rb_file_mkdirs(dir, 0755);
	snprintf(p1, sizeof p1, "%s/a.set", dir);
	snprintf(p2, sizeof p2, "%s/b.set", dir);
	test_dedup(p1, p2);
	test_cap();
	test_from_cdb(dir);

	rb_feed_set_init(&s, 10);
	ok(rb_feed_set_add(&s, (const uint8_t *)"", 0) < 0 && errno == EINVAL,
	    "an empty name is refused");
	ok(rb_feed_set_write(&s, p1, 'R', &e) == 0, "an empty set writes");
	is_int(listed(p1, "n1.example"), 0, "and the old content is gone");
	ok(rb_feed_set_write(&s, "/nonexistent/dir/x.set", 'R', &e) < 0,
	    "an unwritable path fails");
	rb_feed_set_fini(&s);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	done_testing();
	return exit_status();
}
