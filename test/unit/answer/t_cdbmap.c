/* Unit tests for lib/answer/cdbmap: missing file, lookups, re-map on rename,
 * old generations kept while held. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "answer/cdbmap.h"

#include "../../tap.h"

static char dir[] = "/tmp/t_cdbmap.XXXXXX";
static char path[64];

/* Write path as a cdb holding key -> val, through a rename. */
static void
write_cdb(const char *key, const char *val)
{
	char tmp[80];
	struct cdb_make cm;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || cdb_make_start(&cm, fd) < 0 ||
	    cdb_make_add(&cm, key, (unsigned)strlen(key), val,
	        (unsigned)strlen(val)) < 0 ||
	    cdb_make_finish(&cm) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
		bail("write_cdb");
}

static const char *
get(const struct rb_cdbmap_gen *g, const char *key)
{
	static char out[64];
	const uint8_t *v;
	size_t vl;
	int r = rb_cdbmap_find(g, key, strlen(key), &v, &vl);

	if (r <= 0)
		return r < 0 ? "(error)" : "(none)";
	snprintf(out, sizeof out, "%.*s", (int)vl, (const char *)v);
	return out;
}

/* A cdb with no records (rb-data writes one for no local data) is
 * marked empty when mapped: it finds nothing, and a file with records
 * renamed over it is still noticed and read. */
static void
test_no_records(void)
{
	struct rb_cdbmap *m;
	struct rb_cdbmap_gen *g;
	struct cdb_make cm;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || cdb_make_start(&cm, fd) < 0 || cdb_make_finish(&cm) < 0 ||
	    close(fd) < 0)
		bail("empty cdb");
	m = rb_cdbmap_new(path);
	ok(m != NULL, "a cdb without records maps");
	g = rb_cdbmap_acquire(m);
	is_str(get(g, "k"), "(none)", "a cdb without records finds nothing");
	is_str(get(g, ""), "(none)", "not even the empty key");
	rb_cdbmap_release(m, g);
	write_cdb("k", "after");
	is_int(rb_cdbmap_reload(m), 1, "records renamed over it: re-mapped");
	g = rb_cdbmap_acquire(m);
	is_str(get(g, "k"), "after", "and found");
	rb_cdbmap_release(m, g);
	rb_cdbmap_free(m);
	unlink(path);
}

/* Our reader against tinycdb's on the same file: every key found with the
 * same value, absent keys absent; then damaged tables give -1 or 0, never
 * a read past the mapping (ASan watches). */
static void
test_against_tinycdb(const char *d)
{
	char big[512], key[32], val[32];
	struct cdb_make cm;
	struct cdb c;
	struct rb_cdbmap_gen *g;
	const uint8_t *v;
	size_t vl;
	int fd, agree = 1, n;

	snprintf(big, sizeof big, "%s/big.cdb", d);
	fd = open(big, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		bail(strerror(errno));
	for (int i = 0; i < 20000; i++) {
		n = snprintf(key, sizeof key, "key%d", i * 7);
		snprintf(val, sizeof val, "v%d", i);
		cdb_make_add(&cm, key, (unsigned)n, val, (unsigned)strlen(val));
	}
	cdb_make_finish(&cm);
	g = rb_cdbmap_gen_open(big);
	cdb_init(&c, fd);
	for (int i = 0; i < 140000 && agree; i++) {
		n = snprintf(key, sizeof key, "key%d", i);
		int a = rb_cdbmap_find(g, key, (size_t)n, &v, &vl);
		int b = cdb_find(&c, key, (unsigned)n);
		agree = a == b &&
		    (a == 0 ||
		        (vl == cdb_datalen(&c) &&
		            memcmp(v,
		                cdb_get(&c, cdb_datalen(&c), cdb_datapos(&c)),
		                vl) == 0));
	}
	ok(agree, "same answers as tinycdb for 140,000 keys (20,000 present)");
	cdb_free(&c);
	rb_cdbmap_gen_free(g);
	/* Point every table far past the end of the file. */
	{
		unsigned char bad[8] = { 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0,
			0 };
		for (int i = 0; i < 256; i++)
			if (pwrite(fd, bad, sizeof bad, i * 8) != sizeof bad)
				bail(strerror(errno));
	}
	close(fd);
	g = rb_cdbmap_gen_open(big);
	ok(g != NULL && rb_cdbmap_find(g, "key7", 4, &v, &vl) == -1,
	    "a table pointing past the file: -1");
	rb_cdbmap_gen_free(g);
	unlink(big);
}

int
main(void)
{
	struct rb_cdbmap *m;
	struct rb_cdbmap_gen *g1, *g2;
	int fd;

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(path, sizeof path, "%s/x.cdb", dir);

	m = rb_cdbmap_new(path);
	ok(m != NULL, "missing file maps as empty");
	g1 = rb_cdbmap_acquire(m);
	is_str(get(g1, "k"), "(none)", "empty data finds nothing");
	is_str(get(NULL, "k"), "(none)", "NULL generation is empty");
	rb_cdbmap_release(m, g1);
	is_int(rb_cdbmap_reload(m), 0, "still missing: unchanged");

	write_cdb("k", "one");
	is_int(rb_cdbmap_reload(m), 1, "file appeared: re-mapped");
	g1 = rb_cdbmap_acquire(m);
	is_str(get(g1, "k"), "one", "lookup");
	is_int(rb_cdbmap_reload(m), 0, "same file: unchanged");

	write_cdb("k", "two");
	is_int(rb_cdbmap_reload(m), 1, "renamed over: re-mapped");
	g2 = rb_cdbmap_acquire(m);
	is_str(get(g2, "k"), "two", "new generation sees new data");
	is_str(get(g1, "k"), "one", "held old generation still readable");
	rb_cdbmap_release(m, g1);
	rb_cdbmap_release(m, g2);

	for (int i = 0; i < 6; i++) {
		char v[8];
		snprintf(v, sizeof v, "v%d", i);
		write_cdb("k", v);
		if (rb_cdbmap_reload(m) != 1)
			break;
	}
	g1 = rb_cdbmap_acquire(m);
	is_str(get(g1, "k"), "v5", "generation slots are reused");
	rb_cdbmap_release(m, g1);

	unlink(path);
	is_int(rb_cdbmap_reload(m), 1, "file removed: empty data");
	g1 = rb_cdbmap_acquire(m);
	is_str(get(g1, "k"), "(none)", "removed file finds nothing");
	rb_cdbmap_release(m, g1);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "garbage", 7) != 7 || close(fd) < 0)
		bail("garbage");
	is_int(rb_cdbmap_reload(m), -1, "not a cdb: error");
	g1 = rb_cdbmap_acquire(m);
	is_str(get(g1, "k"), "(none)", "old generation kept");
	rb_cdbmap_release(m, g1);
	ok(rb_cdbmap_new(path) == NULL, "new on a bad file fails");
	ok(rb_cdbmap_gen_open(path) == NULL, "gen_open on a bad file fails");

	rb_cdbmap_free(m);
	rb_cdbmap_free(NULL);
	unlink(path);
	test_no_records();
	test_against_tinycdb(dir);
	rmdir(dir);
	done_testing();
	return exit_status();
}
