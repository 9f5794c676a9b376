/*
 * rb-zone: compile authoritative zones (RFC 1035 master files or
 * tinydns-data lines, lib/zone/tinydns) into
 * ROOT/data/zones.cdb for rb-dnsd's step 7 (doc/rb-zone.md).
 *
 *   rb-zone [-d ROOT] [-s SERIAL] build [FILE...]  compile, keep, serve
 *   rb-zone [-d ROOT] [-s SERIAL] check [FILE...]  validate, write nothing
 *   rb-zone [-d ROOT] versions                     the kept builds
 *   rb-zone [-d ROOT] [-s SERIAL] rollback [ID]    serve a kept build again
 *
 * Without FILE the sources are ROOT/zones/zones.*, in name order.  One
 * master file holds one zone, a tinydns-data file any number.  A build
 * is a store write (lib/zone/zonehist): kept in
 * store/zones.d, journaled, replicated, and copied to data/zones.cdb
 * atomically, so a running rb-dnsd sees the old zones or the new ones,
 * never a mix.  On success one JSON line goes to stdout; an error prints
 * "rb-zone: fatal: FILE:LINE: message" and exits 100 (111 for system
 * failures).
 */

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/log.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "state/cdbw.h"
#include "state/data.h"
#include "state/store.h"
#include "state/txn.h"
#include "sys/root.h"
#include "wire/dname.h"
#include "zone/zone.h"
#include "zone/zonehist.h"

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print("usage: rb-zone [-d ROOT] [-s SERIAL] build|check "
	                    "[FILE...] | versions | rollback [ID]\n",
	    help));
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

/* tinydns-data records no zone of the build holds: not served. */
static void
warn_dropped(const struct rb_zoneset *zs)
{
	char name[1100];

	for (size_t i = 0; i < zs->loose.n; i++) {
		const struct rb_cdbw_kv *kv = &zs->loose.v[i];
		unsigned t = (unsigned)kv->key[kv->klen - 2] << 8 |
		    kv->key[kv->klen - 1];
		const ldns_rr_descriptor *dsc = ldns_rr_descript((uint16_t)t);

		if (rb_dname_to_text(kv->key, name, sizeof name) < 0)
			snprintf(name, sizeof name, "(name)");
		if (dsc != NULL && dsc->_name != NULL)
			rb_warn("%s %s is outside every zone: not served", name,
			    dsc->_name);
		else
			rb_warn("%s TYPE%u is outside every zone: not served",
			    name, t);
	}
}

static void
die_err(const struct rb_err *e)
{
	rb_die(rb_err_exit_code(e), "%s", e->details);
}

/* Print o (taken; NULL when it could not be made) as one JSON line. */
static void
print_line(json_t *o)
{
	if (o == NULL ||
	    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF)
		rb_die(111, "unable to print the summary");
	json_decref(o);
}

/* o[k] = v (taken), or die. */
static void
set_new(json_t *o, const char *k, json_t *v)
{
	if (json_object_set_new(o, k, v) < 0)
		rb_die(111, "out of memory");
}

/* Write the compiled zones as the new build (lib/zone/zonehist); sets
 * "written" and the build's "id" in the summary sum (borrowed). */
static void
keep_build(const struct rb_cdbw *out, const char *root, json_t *sum)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	char in[RB_PATH_MAX];
	json_t *entry = NULL;
	int changed = 0;

	if (rb_txn_begin(&t, root, &e) < 0)
		die_err(&e);
	if (rb_zonehist_incoming(&t, in, sizeof in, &e) < 0 ||
	    rb_cdbw_write(out, in, &e) < 0 ||
	    rb_zonehist_record(&t, NULL, &changed, &entry, &e) < 0) {
		rb_txn_end(&t);
		die_err(&e);
	}
	set_new(sum, "written", json_boolean(changed));
	set_new(sum, "id",
	    json_incref(json_object_get(json_array_get(t.store.zones,
	                                    json_array_size(t.store.zones) - 1),
	        "id")));
	json_decref(entry);
	rb_txn_end(&t);
}

static int
versions(const char *root)
{
	struct rb_store s;
	struct rb_err e = { 0 };
	json_t *out;

	if (rb_store_load(&s, root, &e) < 0)
		die_err(&e);
	out = json_pack("{s:O}", "versions", s.zones);
	if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) < 0)
		rb_die(111, "unable to print the versions");
	putchar('\n');
	json_decref(out);
	rb_store_fini(&s);
	return 0;
}

/* The kept build id names: the whole id or a unique prefix of at least 8
 * characters; without id, the build before the newest. */
static const char *
pick_build(const json_t *kept, const char *id)
{
	size_t i, n = json_array_size(kept);
	const char *hit = NULL;
	json_t *v;

	if (id == NULL) {
		if (n < 2)
			rb_die(100, "no earlier build is kept");
		return json_string_value(
		    json_object_get(json_array_get(kept, n - 2), "id"));
	}
	if (strlen(id) < 8)
		rb_die(100, "%s: give at least 8 characters of an id", id);
	json_array_foreach (kept, i, v) {
		const char *k = json_string_value(json_object_get(v, "id"));

		if (k == NULL || strncmp(k, id, strlen(id)) != 0)
			continue;
		if (hit != NULL)
			rb_die(100, "%s: more than one kept build matches", id);
		hit = k;
	}
	if (hit == NULL)
		rb_die(100, "%s: no kept build has this id (rb-zone versions)",
		    id);
	return hit;
}

/* Above every serial the newest build has, and at least the time. */
static uint32_t
next_serial(const json_t *kept)
{
	json_t *zones = json_object_get(json_array_get(kept,
	                                    json_array_size(kept) - 1),
	           "zones"),
	       *v;
	uint64_t s = (uint64_t)time(NULL);
	const char *k;

	json_object_foreach (zones, k, v) {
		uint64_t cur = (uint64_t)json_integer_value(v) + 1;

		s = cur > s ? cur : s;
	}
	return (uint32_t)s;
}

static int
rollback(const char *root, const char *want, int set_serial,
    unsigned long serial)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	char src[RB_PATH_MAX], in[RB_PATH_MAX], from[65];
	json_t *extra, *entry = NULL;
	int changed = 0;

	if (rb_txn_begin(&t, root, &e) < 0)
		die_err(&e);
	snprintf(from, sizeof from, "%s", pick_build(t.store.zones, want));
	if (!set_serial)
		serial = next_serial(t.store.zones);
	extra = json_pack("{s:s}", "rollback_of", from);
	if (extra == NULL ||
	    rb_data_zones_path(root, from, src, sizeof src) < 0)
		rb_die(111, "out of memory");
	if (rb_zonehist_incoming(&t, in, sizeof in, &e) < 0 ||
	    rb_zonehist_reserial(src, in, (uint32_t)serial, &e) < 0 ||
	    rb_zonehist_record(&t, extra, &changed, &entry, &e) < 0) {
		rb_txn_end(&t);
		die_err(&e);
	}
	if (entry == NULL) /* the same bytes as the newest build */
		entry = json_incref(json_array_get(t.store.zones,
		    json_array_size(t.store.zones) - 1));
	print_line(json_pack("{s:s, s:O, s:I, s:I, s:b}", "rollback_of", from,
	    "id", json_object_get(entry, "id"), "serial", (json_int_t)serial,
	    "zones",
	    (json_int_t)json_object_size(json_object_get(entry, "zones")),
	    "written", changed));
	json_decref(entry);
	json_decref(extra);
	rb_txn_end(&t);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	struct rb_err e = { 0 };
	const char *opt_root = NULL, *cmd;
	char root[RB_PATH_MAX], where[1024];
	json_t *sum;
	size_t nfiles;
	int ch, build, set_serial = 0;
	unsigned long serial = 0;
	char *end;

	rb_log_init("rb-zone", 0);
	while ((ch = rb_usage_getopt(argc, argv, "d:s:h")) != -1) {
		if (ch == 'd') {
			opt_root = optarg;
		} else if (ch == 's') {
			errno = 0;
			serial = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg ||
			    serial > 4294967295UL)
				rb_die(100,
				    "-s %s: not a serial (0..4294967295)",
				    optarg);
			set_serial = 1;
		} else {
			usage(ch == 'h');
		}
	}
	if (optind >= argc)
		usage(0);
	cmd = argv[optind++];
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (strcmp(cmd, "versions") == 0 && optind == argc)
		return versions(root);
	if (strcmp(cmd, "check") != 0 && rb_command_as_owner(root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (strcmp(cmd, "rollback") == 0 && argc - optind <= 1)
		return rollback(root, optind < argc ? argv[optind] : NULL,
		    set_serial, serial);
	build = strcmp(cmd, "build") == 0;
	if (!build && strcmp(cmd, "check") != 0)
		usage(0);
	nfiles = load_all(&zs, root, argv + optind, argc - optind);
	if (set_serial && rb_zone_set_serial(&zs, (uint32_t)serial) < 0)
		rb_die(111, "a staged SOA record is damaged");
	if (rb_zone_build(&zs, &out, &d) < 0)
		rb_die(errno == ENOMEM ? 111 : 100, "%s",
		    rb_diag_str(&d, where, sizeof where));
	warn_dropped(&zs);
	sum = json_pack("{s:I, s:I, s:I, s:b}", "files", (json_int_t)nfiles,
	    "zones", (json_int_t)zs.apexes.n, "records", (json_int_t)zs.recs.n,
	    "written", 0);
	if (sum == NULL)
		rb_die(111, "out of memory");
	if (build)
		keep_build(&out, root, sum);
	if (zs.dropped > 0)
		set_new(sum, "dropped", json_integer((json_int_t)zs.dropped));
	print_line(sum);
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	return 0;
}
