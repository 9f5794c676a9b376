/* Unit tests for lib/cdbmap: missing file, lookups, re-map on rename,
 * old generations kept while held. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "cdbmap.h"
#include "../tap.h"

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
	rmdir(dir);
	done_testing();
	return exit_status();
}
