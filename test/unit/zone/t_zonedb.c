/*
 * Unit tests for reading zones cdb files whole: lib/zone/zonedb (zones, SOA,
 * records of one zone), lib/zone/zonediff (what changed between two builds) and
 * lib/zone/zonever (finding a kept build in a hand-made store/zones.json).
 * Zones are compiled by lib/zone/zone, as rb-zone does.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/cdbw.h"
#include "wire/dname.h"
#include "zone/zone.h"
#include "zone/zonedb.h"
#include "zone/zonediff.h"
#include "zone/zonever.h"

#include "../../tap.h"

static char dir[] = "/tmp/t_zonedb.XXXXXX";

static const char one[] = "$ORIGIN one.test.\n$TTL 300\n"
                          "@ IN SOA ns.one.test. h.one.test. 7 2 3 4 60\n"
                          "  IN NS ns\n"
                          "ns IN A 192.0.2.1\n"
                          "www IN A 192.0.2.10\n"
                          "www IN A 192.0.2.11\n"
                          "old IN TXT \"gone\"\n"
                          "sub IN NS ns.sub\n"
                          "ns.sub IN A 192.0.2.3\n";

static const char one_v2[] = "$ORIGIN one.test.\n$TTL 300\n"
                             "@ IN SOA ns.one.test. h.one.test. 8 2 3 4 60\n"
                             "  IN NS ns\n"
                             "ns IN A 192.0.2.1\n"
                             "www IN A 192.0.2.10\n"
                             "www IN A 192.0.2.12\n"
                             "new IN TXT \"here\"\n"
                             "sub IN NS ns.sub\n"
                             "ns.sub 60 IN A 192.0.2.3\n";

static const char two[] = "$ORIGIN two.test.\n"
                          "@ 60 IN SOA ns.two.test. h.two.test. 99 2 3 4 60\n"
                          "@ 60 IN A 192.0.2.2\n";

/* Compile the zone texts (NULL-ended) into dir/file. */
static void
build(const char *file, const char *const *texts)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	struct rb_err e = { 0 };
	char path[128];

	for (; *texts != NULL; texts++) {
		FILE *fp = fmemopen((void *)*texts, strlen(*texts), "r");
		if (fp == NULL || rb_zone_load(&zs, fp, "zones.x", &d) < 0)
			bail("load zone");
		fclose(fp);
	}
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (rb_zone_build(&zs, &out, &d) < 0 ||
	    rb_cdbw_write(&out, path, &e) < 0)
		bail("build zones.cdb");
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
}

static struct rb_zonedb *
open_db(const char *file)
{
	char path[128];
	struct rb_zonedb *db;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((db = rb_zonedb_open(path)) == NULL)
		bail("rb_zonedb_open");
	return db;
}

/* "name type" text of a record, appended to a list. */
static int
collect(void *arg, const struct rb_zonedb_rr *rr)
{
	char *s = arg, name[300];

	rb_dname_to_text(rr->owner, name, sizeof name);
	snprintf(s + strlen(s), 4096 - strlen(s), "%s/%u ", name, rr->type);
	return 0;
}

static int
stop_at_two(void *arg, const struct rb_zonedb_rr *rr)
{
	return ++*(int *)arg == 2 ? 42 : 0;
}

static void
test_zonedb(void)
{
	const char *texts[] = { one, two, NULL };
	uint8_t apex[RB_DNAME_MAX];
	struct rb_zonedb_rr soa;
	struct rb_zonedb *db;
	char list[4096] = "";
	uint32_t serial = 0;
	int n = 0;

	build("a.cdb", texts);
	db = open_db("a.cdb");
	is_int(rb_zonedb_zones(db, collect, list), 0, "zones: walked");
	ok(strstr(list, "one.test./6") && strstr(list, "two.test./6") &&
	        strlen(list) == strlen("one.test./6 two.test./6 "),
	    "zones: both apexes with their SOA (%s)", list);
	rb_dname_from_text("one.test", apex, NULL);
	is_int(rb_zonedb_soa(db, apex, 10, &soa), 1, "soa: found");
	rb_zonedb_serial(soa.rdata, soa.rdlen, &serial);
	is_int(serial, 7, "soa: serial");
	is_int(soa.ttl, 300, "soa: ttl");
	rb_dname_from_text("www.one.test", apex, NULL);
	is_int(rb_zonedb_soa(db, apex, 14, &soa), 0, "soa: not an apex");
	rb_dname_from_text("one.test", apex, NULL);
	list[0] = '\0';
	is_int(rb_zonedb_each(db, apex, 10, collect, list), 0, "each: walked");
	ok(strstr(list, "ns.sub.one.test./1") != NULL, "each: glue included");
	ok(strstr(list, "one.test./2") != NULL, "each: apex NS");
	ok(strstr(list, "/6 ") == NULL, "each: no SOA");
	ok(strstr(list, "two.test") == NULL, "each: nothing of the other zone");
	is_int(rb_zonedb_each(db, apex, 10, stop_at_two, &n), 42,
	    "each: a callback's nonzero return stops the walk");
	is_int(rb_zonedb_serial((const uint8_t *)"\0\0", 2, &serial), -1,
	    "serial: short rdata refused");
	rb_zonedb_close(db);
	rb_zonedb_close(NULL);
	errno = 0;
	ok(rb_zonedb_open("/nonexistent/zones.cdb") == NULL && errno == ENOENT,
	    "open: missing file is ENOENT");
}

static void
test_damaged(void)
{
	char path[128];
	uint8_t junk[4096];
	struct rb_zonedb *db;
	FILE *fp;
	int r;

	/* Table pointers past the end of the file. */
	memset(junk, 0xff, sizeof junk);
	snprintf(path, sizeof path, "%s/bad.cdb", dir);
	fp = fopen(path, "w");
	fwrite(junk, 1, sizeof junk, fp);
	fclose(fp);
	db = rb_zonedb_open(path);
	if (db == NULL) {
		ok(errno == EPROTO, "damaged: refused at open");
		return;
	}
	errno = 0;
	r = rb_zonedb_zones(db, stop_at_two, &(int){ 0 });
	ok(r == -1 && errno == EPROTO, "damaged: EPROTO, no bad read");
	rb_zonedb_close(db);
}

static void
test_diff(void)
{
	const char *v1[] = { one, two, NULL }, *v2[] = { one_v2, two, NULL };
	struct rb_zonedb *a, *b;
	struct rb_zonediff d;
	uint8_t apex[RB_DNAME_MAX];
	char del[4096] = "", add[4096] = "";

	build("v1.cdb", v1);
	build("v2.cdb", v2);
	a = open_db("v1.cdb");
	b = open_db("v2.cdb");
	rb_dname_from_text("one.test", apex, NULL);
	is_int(rb_zonediff_make(&d, a, b, apex, 10), 0, "diff: made");
	for (size_t i = 0; i < d.ndel; i++)
		collect(del, &d.del[i]);
	for (size_t i = 0; i < d.nadd; i++)
		collect(add, &d.add[i]);
	is_str(del, "ns.sub.one.test./1 old.one.test./16 www.one.test./1 ",
	    "diff: deleted (a TTL change counts too), in wire order");
	is_str(add, "ns.sub.one.test./1 new.one.test./16 www.one.test./1 ",
	    "diff: added");
	ok(d.del[2].rdata[3] == 11 && d.add[2].rdata[3] == 12,
	    "diff: the changed www record, old and new");
	rb_zonediff_fini(&d);
	rb_dname_from_text("two.test", apex, NULL);
	is_int(rb_zonediff_make(&d, a, b, apex, 10), 0, "diff: unchanged zone");
	is_int(d.ndel + d.nadd, 0, "diff: nothing changed");
	rb_zonediff_fini(&d);
	rb_zonedb_close(a);
	rb_zonedb_close(b);
}

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		bail("write file");
	fputs(text, fp);
	fclose(fp);
}

static void
test_ver(void)
{
	static const char ida[] =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	static const char idb[] =
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	char path[256], want[256], json[1024];

	is_int(rb_zonever_find(dir, "one.test.", 7, 0, path, sizeof path), 0,
	    "ver: no history, nothing found");
	snprintf(path, sizeof path, "%s/store/zones.d", dir);
	if (mkdir(path, 0755) < 0)
		bail("mkdir zones.d");
	snprintf(json, sizeof json,
	    "{\"seq\":3,\"entries\":[\n"
	    "{\"id\":\"%s\",\"ts\":1,\"size\":1,\"zones\":{\"one.test.\":7}},\n"
	    "{\"id\":\"../../etc/passwd\",\"ts\":1,\"size\":1,\"zones\":"
	    "{\"one.test.\":6}},\n"
	    "{\"id\":\"%s\",\"ts\":2,\"size\":1,\"zones\":{\"One.Test.\":8,"
	    "\"two.test.\":-1}}\n]}\n",
	    ida, idb);
	write_file("store/zones.json", json);
	write_file("store/zones.d/"
	           "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	           "bbbbb.cdb",
	    "");
	is_int(rb_zonever_find(dir, "one.test.", 7, 0, path, sizeof path), 0,
	    "ver: the entry's file is missing: not found");
	write_file("store/zones.d/"
	           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	           "aaaaa.cdb",
	    "");
	is_int(rb_zonever_find(dir, "one.test.", 7, 0, path, sizeof path), 1,
	    "ver: found");
	snprintf(want, sizeof want, "%s/store/zones.d/%s.cdb", dir, ida);
	is_str(path, want, "ver: its file");
	is_int(rb_zonever_find(dir, "one.test.", 7, 1, path, sizeof path), 0,
	    "ver: no second version at that serial");
	is_int(rb_zonever_find(dir, "one.test.", 8, 0, path, sizeof path), 1,
	    "ver: zone names compare without case");
	is_int(rb_zonever_find(dir, "one.test.", 6, 0, path, sizeof path), 0,
	    "ver: a bad id never becomes a path");
	is_int(rb_zonever_find(dir, "two.test.", 4294967295u, 0, path,
	           sizeof path),
	    0, "ver: a negative serial matches nothing");
	write_file("store/zones.json", "{\"seq\":1,\"entries\":");
	errno = 0;
	ok(rb_zonever_find(dir, "one.test.", 7, 0, path, sizeof path) == -1 &&
	        errno == EPROTO,
	    "ver: a broken zones.json is EPROTO");
}

int
main(void)
{
	char path[128];

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(path, sizeof path, "%s/store", dir);
	if (mkdir(path, 0755) < 0)
		bail("mkdir store");
	test_zonedb();
	test_damaged();
	test_diff();
	test_ver();
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		diag("cleanup failed");
	done_testing();
	return exit_status();
}
