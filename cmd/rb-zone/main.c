/*
 * rb-zone: compile authoritative zones (RFC 1035 master files) into
 * ROOT/data/zones.cdb for rb-dnsd's step 7 (doc/rb-zone.md).
 *
 *   rb-zone [-d ROOT] build [FILE...]   compile and replace the cdb
 *   rb-zone [-d ROOT] check [FILE...]   validate only, write nothing
 *
 * Without FILE the sources are ROOT/zones/zones.*, in name order.  One
 * file holds one zone.  The cdb is written through lib/kvs, atomically, so
 * a running rb-dnsd sees the old zones or the new ones, never a mix.
 * On success one JSON line goes to stdout; an error prints
 * "rb-zone: fatal: FILE:LINE: message" and exits 100 (111 for system
 * failures).
 */

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "err.h"
#include "kvs.h"
#include "log.h"
#include "zone.h"

static void
usage(void)
{
	rb_die(100, "usage: rb-zone [-d ROOT] [-s SERIAL] build|check "
	    "[FILE...]");
}

static void
load_file(struct rb_zoneset *zs, const char *path)
{
	struct rb_diag d = { 0 };
	char where[1024];
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		rb_die(errno == ENOENT ? 100 : 111, "unable to open %s: %s",
		    path, strerror(errno));
	if (rb_zone_load(zs, fp, path, &d) < 0)
		rb_die(errno == ENOMEM ? 111 : 100, "%s",
		    rb_diag_str(&d, where, sizeof where));
	if (fclose(fp) != 0)
		rb_die(111, "unable to read %s: %s", path, strerror(errno));
}

/* Load FILE... or ROOT/zones/zones.*; returns how many files. */
static size_t
load_all(struct rb_zoneset *zs, const char *root, char **files, int nfiles)
{
	char pat[PATH_MAX];
	glob_t g = { 0 };
	int r;

	for (int i = 0; i < nfiles; i++)
		load_file(zs, files[i]);
	if (nfiles > 0)
		return (size_t)nfiles;
	if (snprintf(pat, sizeof pat, "%s/zones/zones.*", root) >=
	    (int)sizeof pat)
		rb_die(100, "state root too long: %s", root);
	r = glob(pat, 0, NULL, &g);
	if (r != 0 && r != GLOB_NOMATCH)
		rb_die(111, "unable to list %s/zones", root);
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
		load_file(zs, g.gl_pathv[i]);
	r = r == 0 ? (int)g.gl_pathc : 0;
	globfree(&g);
	return (size_t)r;
}

static void
write_cdb(const struct rb_kvs *out, const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct rb_err e = { 0 };

	if (snprintf(dir, sizeof dir, "%s/data", root) >= (int)sizeof dir)
		rb_die(100, "state root too long: %s", root);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		rb_die(111, "unable to create %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/zones.cdb", dir);
	if (rb_kvs_write_cdb(out, path, &e) < 0)
		rb_die(111, "unable to write %s: %s", path, e.details);
}

int
main(int argc, char **argv)
{
	struct rb_zoneset zs = { 0 };
	struct rb_kvs out = { 0 };
	struct rb_diag d = { 0 };
	const char *root = NULL, *cmd;
	char where[1024];
	size_t nfiles;
	int ch, build, set_serial = 0;
	unsigned long serial = 0;
	char *end;

	rb_log_init("rb-zone", 0);
	while ((ch = getopt(argc, argv, "d:s:")) != -1) {
		if (ch == 'd') {
			root = optarg;
		} else if (ch == 's') {
			errno = 0;
			serial = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg ||
			    serial > 4294967295UL)
				rb_die(100, "-s %s: not a serial (0..4294967295)",
				    optarg);
			set_serial = 1;
		} else {
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	build = strcmp(cmd, "build") == 0;
	if (!build && strcmp(cmd, "check") != 0)
		usage();
	if (root == NULL || root[0] == '\0')
		root = getenv("RB_ROOT");
	if (root == NULL || root[0] == '\0')
		root = ".";
	nfiles = load_all(&zs, root, argv + optind, argc - optind);
	if (set_serial && rb_zone_set_serial(&zs, (uint32_t)serial) < 0)
		rb_die(111, "a staged SOA record is damaged");
	if (rb_zone_build(&zs, &out, &d) < 0)
		rb_die(errno == ENOMEM ? 111 : 100, "%s",
		    rb_diag_str(&d, where, sizeof where));
	if (build)
		write_cdb(&out, root);
	printf("{\"files\":%zu,\"zones\":%zu,\"records\":%zu,\"written\":%s}\n",
	    nfiles, zs.apexes.n, zs.recs.n, build ? "true" : "false");
	rb_kvs_free(&out);
	rb_zone_fini(&zs);
	return 0;
}
