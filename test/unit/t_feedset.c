/* Unit tests for lib/feedset: de-duplication across growth, the cdb it
 * writes, and that the same input gives the same bytes. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "atomic.h"
#include "feedparse.h"
#include "feedset.h"
#include "../tap.h"

static int
wire(const char *text, uint8_t *w)
{
	return rb_feed_domain(text, strlen(text), w);
}

/* The value cdb holds for key text, or 0 when absent. */
static char
lookup(const char *path, const char *text)
{
	uint8_t w[256];
	int fd = open(path, O_RDONLY), n = wire(text, w);
	struct cdb c;
	char v = 0;

	if (fd < 0 || n < 0)
		return 0;
	if (cdb_init(&c, fd) == 0) {
		if (cdb_find(&c, w, (unsigned)n) > 0 && cdb_datalen(&c) == 1)
			cdb_read(&c, &v, 1, cdb_datapos(&c));
		cdb_free(&c);
	}
	close(fd);
	return v;
}

int
main(void)
{
	struct rb_feedset s;
	struct rb_err e = { 0 };
	char name[64], dir[64], p1[128], p2[128];
	uint8_t w[256];
	int added = 0, again = 0;
	char *a, *b;
	size_t la, lb;

	snprintf(dir, sizeof dir, "/tmp/t_feedset.%d", (int)getpid());
	rb_mkdirs(dir, 0755);
	snprintf(p1, sizeof p1, "%s/a.cdb", dir);
	snprintf(p2, sizeof p2, "%s/b.cdb", dir);
	ok(rb_feedset_init(&s) == 0, "init");
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "n%d.example", i);
		added += rb_feedset_add(&s, w, (size_t)wire(name, w)) == 1;
	}
	for (int i = 0; i < 5000; i += 3) {
		snprintf(name, sizeof name, "N%d.Example", i);
		again += rb_feedset_add(&s, w, (size_t)wire(name, w)) == 0;
	}
	is_int(added, 5000, "5000 distinct names added across growth");
	is_int(again, 1667, "repeats (any case) are recognised");
	is_int(s.n, 5000, "the set holds each once");
	ok(rb_feedset_add(&s, w, 0) < 0, "an empty name is refused");
	ok(rb_feedset_write_cdb(&s, p1, 'N', &e) == 0, "write the cdb");
	is_int(lookup(p1, "n4999.example"), 'N', "a name maps to its action");
	is_int(lookup(p1, "n5000.example"), 0, "absent name absent");
	rb_feedset_write_cdb(&s, p2, 'N', &e);
	a = rb_file_read(p1, 1 << 24, &la);
	b = rb_file_read(p2, 1 << 24, &lb);
	ok(a && b && la == lb && memcmp(a, b, la) == 0,
	    "the same set gives the same bytes");
	free(a);
	free(b);
	rb_feedset_fini(&s);
	rb_feedset_init(&s);
	ok(rb_feedset_write_cdb(&s, p1, 'R', &e) == 0, "an empty set writes");
	is_int(lookup(p1, "n1.example"), 0, "and the old content is gone");
	ok(rb_feedset_write_cdb(&s, "/nonexistent/dir/x.cdb", 'R', &e) < 0,
	    "an unwritable path fails");
	rb_feedset_fini(&s);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	done_testing();
	return exit_status();
}
