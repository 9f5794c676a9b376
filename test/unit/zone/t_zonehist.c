/*
 * Unit tests for lib/zone/zonehist with lib/state/data_zones: a build
 * recorded from the incoming file is kept as store/zones.d/<sha256>.cdb
 * and copied to data/zones.cdb; the same build again changes and
 * journals nothing; past RB_ZONES_KEPT builds the oldest files go; the
 * serials of a build; reserial; a slave refuses.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>
#include <jansson.h>

#include "base/bytes.h"
#include "base/diag.h"
#include "base/digest.h"
#include "state/cdbw.h"
#include "state/data.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "zone/zone.h"
#include "zone/zonehist.h"

#include "../files.h"
#include "../../tap.h"

static char root[] = "/tmp/t_zonehist.XXXXXX";

static const char zone_ex[] = "$ORIGIN ex.test.\n"
                              "$TTL 300\n"
                              "@ IN SOA ns.ex.test. h.ex.test. 1 2 3 4 60\n"
                              "  IN NS ns\n"
                              "ns IN A 192.0.2.1\n"
                              "www IN A 192.0.2.2\n";
static const char zone_other[] = "$ORIGIN other.test.\n"
                                 "@ 60 IN SOA ns h 7 2 3 4 5\n"
                                 "a 60 IN TXT \"x\"\n";

static int
load(struct rb_zoneset *zs, const char *fname, const char *text)
{
	struct rb_diag d = { 0 };
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (fp == NULL)
		bail("fmemopen");
	r = rb_zone_load(zs, fp, fname, &d);
	fclose(fp);
	return r;
}

/* Compile the two zones with every serial set to serial (0: as written)
 * and write them as a cdb at path. */
static void
compile(const char *path, uint32_t serial)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	struct rb_err e = { 0 };

	if (load(&zs, "zones.ex.test", zone_ex) < 0 ||
	    load(&zs, "zones.other.test", zone_other) < 0 ||
	    (serial && rb_zone_set_serial(&zs, serial) < 0) ||
	    rb_zone_build(&zs, &out, &d) < 0 ||
	    rb_cdbw_write(&out, path, &e) < 0)
		bail("compile the zones");
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
}

/* Files in dir (rel) other than "." and "..", and their total size. */
static int
files_in(const char *rel, long *bytes)
{
	char d[300], p[600];
	DIR *dh;
	struct dirent *de;
	struct stat st;
	int n = 0;

	path_of(d, sizeof d, root, rel);
	if (bytes)
		*bytes = 0;
	if ((dh = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		snprintf(p, sizeof p, "%s/%s", d, de->d_name);
		if (bytes && stat(p, &st) == 0)
			*bytes += (long)st.st_size;
	}
	closedir(dh);
	return n;
}

/* One build through a transaction, as rb-zone build does: compile to the
 * incoming path, record.  *id gets the build's SHA-256; returns record's
 * result, *changed and (when entry) the new entry. */
static int
build(uint32_t serial, char id[RB_DIGEST_HEX], int *changed, json_t **entry,
    struct rb_err *e)
{
	struct rb_txn t;
	char in[300];
	json_t *extra = json_pack("{s:s}", "source", "t_zonehist");
	uint64_t size;
	int r = -1;

	if (rb_txn_begin(&t, root, e) < 0)
		goto done;
	if (rb_zonehist_incoming(&t, in, sizeof in, e) < 0) {
		rb_txn_end(&t);
		goto done;
	}
	compile(in, serial);
	if (rb_digest_file_hex(in, id, &size) < 0)
		bail("digest");
	r = rb_zonehist_record(&t, extra, changed, entry, e);
	rb_txn_end(&t);
done:
	json_decref(extra);
	return r;
}

static void
test_first_build(char first[RB_DIGEST_HEX])
{
	struct rb_txn t;
	struct rb_err e = { 0 };
	char in[300], want[300], kept[300], data[300], copy[300];
	json_t *entry = NULL, *zones;
	int changed = -1;
	uint64_t size;
	struct stat st;

	if (rb_txn_begin(&t, root, &e) < 0)
		bail("rb_txn_begin");
	is_int(rb_zonehist_incoming(&t, in, sizeof in, &e), 0, "incoming path");
	path_of(want, sizeof want, root, "store/zones.d/incoming.cdb");
	is_str(in, want, "is store/zones.d/incoming.cdb");
	path_of(want, sizeof want, root, "store/zones.d");
	ok(stat(want, &st) == 0 && S_ISDIR(st.st_mode),
	    "and its directory is made");
	compile(in, 0);
	path_of(copy, sizeof copy, root, "first.cdb");
	if (rb_atomic_copy(in, copy, 0644) < 0 ||
	    rb_digest_file_hex(in, first, &size) < 0)
		bail("copy");
	is_int(rb_zonehist_record(&t, NULL, &changed, &entry, &e), 0,
	    "record the first build");
	is_int(changed, 1, "changed");
	is_str(json_string_value(json_object_get(entry, "id")), first,
	    "the entry's id is the file's SHA-256");
	ok(stat(copy, &st) == 0 &&
	        json_integer_value(json_object_get(entry, "size")) ==
	            (json_int_t)st.st_size,
	    "and its size the file's");
	zones = json_object_get(entry, "zones");
	ok(json_object_size(zones) == 2 &&
	        json_integer_value(json_object_get(zones, "ex.test.")) == 1 &&
	        json_integer_value(json_object_get(zones, "other.test.")) == 7,
	    "its zones: each apex and its serial");
	is_str(rb_data_zones_newest(&t.store), first, "the newest build");
	rb_txn_end(&t);
	json_decref(entry);
	ok(access(in, F_OK) < 0, "the incoming file is gone");
	rb_data_zones_path(root, first, kept, sizeof kept);
	ok(same_file(kept, copy), "store/zones.d/<sha256>.cdb holds the build");
	path_of(data, sizeof data, root, "data/zones.cdb");
	ok(same_file(data, copy), "data/zones.cdb is a copy of it");
}

static void
test_same_again(const char *first)
{
	struct rb_err e = { 0 };
	char id[RB_DIGEST_HEX], in[300], data[300], kept[300];
	json_t *entry = (json_t *)1;
	long jbytes = 0, jbytes2 = 0;
	int jfiles = files_in("journal", &jbytes), changed = -1;

	is_int(build(0, id, &changed, &entry, &e), 0,
	    "record the same build again");
	is_str(id, first, "(the same bytes)");
	is_int(changed, 0, "changed = 0");
	ok(entry == NULL, "and no entry");
	is_int(files_in("journal", &jbytes2), jfiles,
	    "no journal file was written");
	is_int(jbytes2, jbytes, "and none grew");
	path_of(in, sizeof in, root, "store/zones.d/incoming.cdb");
	ok(access(in, F_OK) < 0, "the incoming file is removed");
	is_int(files_in("store/zones.d", NULL), 1, "zones.d holds one build");
	path_of(data, sizeof data, root, "data/zones.cdb");
	rb_data_zones_path(root, first, kept, sizeof kept);
	ok(same_file(data, kept), "data/zones.cdb unchanged");
}

static void
test_history(const char *first)
{
	struct rb_err e = { 0 };
	char ids[RB_ZONES_KEPT + 3][RB_DIGEST_HEX], p[300], data[300];
	int changed = 0, all = 1, n = RB_ZONES_KEPT + 2;
	json_t *entry = NULL;

	is_int(build(100, ids[0], &changed, &entry, &e), 0,
	    "a build with other serials");
	ok(changed == 1 && strcmp(ids[0], first) != 0,
	    "is a new build, with another id");
	is_str(json_string_value(json_object_get(entry, "source")),
	    "t_zonehist", "extra fields are kept in the entry");
	json_decref(entry);
	is_int(files_in("store/zones.d", NULL), 2, "zones.d holds two builds");
	for (int i = 1; i < n; i++)
		if (build(100 + (uint32_t)i, ids[i], &changed, NULL, &e) < 0 ||
		    changed != 1) {
			all = 0;
			diag("build %d: %s %s", i, e.code, e.details);
		}
	ok(all, "%d more builds recorded", n - 1);
	is_int(files_in("store/zones.d", NULL), RB_ZONES_KEPT,
	    "zones.d keeps RB_ZONES_KEPT files");
	rb_data_zones_path(root, first, p, sizeof p);
	ok(access(p, F_OK) < 0, "the first build's file is pruned");
	all = 1;
	for (int i = 0; i < n; i++) {
		rb_data_zones_path(root, ids[i], p, sizeof p);
		if ((access(p, F_OK) == 0) != (i >= n - RB_ZONES_KEPT)) {
			all = 0;
			diag("build %d: file %s", i,
			    access(p, F_OK) == 0 ? "kept" : "gone");
		}
	}
	ok(all, "exactly the newest RB_ZONES_KEPT builds keep their file");
	path_of(data, sizeof data, root, "data/zones.cdb");
	rb_data_zones_path(root, ids[n - 1], p, sizeof p);
	ok(same_file(data, p), "data/zones.cdb is the newest build");
}

/* The serial of every SOA of the zones cdb at path equals want: in the Z
 * keys and in the D SOA RRsets.  Counts them in *n. */
static int
serials_are(const char *path, uint32_t want, int *n)
{
	struct cdb c;
	unsigned pos;
	int fd = open(path, O_RDONLY | O_CLOEXEC), good = 1;

	*n = 0;
	if (fd < 0 || cdb_init(&c, fd) < 0)
		return 0;
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const uint8_t *k = cdb_getkey(&c), *v = cdb_getdata(&c);
		unsigned kl = cdb_keylen(&c), vl = cdb_datalen(&c);
		long at;

		if (!(k[0] == 'Z' ||
		        (k[0] == 'D' && kl > 3 && k[kl - 2] == 0 &&
		            k[kl - 1] == 6)))
			continue;
		(*n)++;
		at = vl > 6 ? rb_zone_soa_serial_at(v + 6, vl - 6) : -1;
		if (at < 0 || rb_get32(v + 6 + at) != want)
			good = 0;
	}
	cdb_free(&c);
	close(fd);
	return good;
}

/* Records of the cdb at path whose key does not hold an SOA, as one
 * string of key and value bytes, to compare two files. */
static size_t
other_records(const char *path, char *buf, size_t cap)
{
	struct cdb c;
	unsigned pos;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0 || cdb_init(&c, fd) < 0)
		return 0;
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const uint8_t *k = cdb_getkey(&c);
		unsigned kl = cdb_keylen(&c), vl = cdb_datalen(&c);

		if (k[0] == 'Z' || (k[0] == 'D' && k[kl - 1] == 6))
			continue;
		if (len + kl + vl <= cap) {
			memcpy(buf + len, k, kl);
			memcpy(buf + len + kl, cdb_getdata(&c), vl);
		}
		len += kl + vl;
	}
	cdb_free(&c);
	close(fd);
	return len;
}

static void
test_serials_reserial(void)
{
	struct rb_err e = { 0 };
	char src[300], dst[300], junk[300];
	static char a[8192], b[8192];
	size_t la, lb;
	json_t *s;
	int n = 0;

	path_of(src, sizeof src, root, "first.cdb");
	s = rb_zonehist_serials(src, &e);
	ok(s != NULL && json_object_size(s) == 2 &&
	        json_integer_value(json_object_get(s, "ex.test.")) == 1 &&
	        json_integer_value(json_object_get(s, "other.test.")) == 7,
	    "serials: {apex: serial} for each zone");
	json_decref(s);
	path_of(dst, sizeof dst, root, "re.cdb");
	is_int(rb_zonehist_reserial(src, dst, 4242, &e), 0, "reserial");
	ok(serials_are(dst, 4242, &n), "every SOA serial is the new one");
	is_int(n, 4, "Z and D SOA of both zones: four SOAs");
	s = rb_zonehist_serials(dst, &e);
	ok(s != NULL &&
	        json_integer_value(json_object_get(s, "ex.test.")) == 4242 &&
	        json_integer_value(json_object_get(s, "other.test.")) == 4242,
	    "serials of the copy agree");
	json_decref(s);
	la = other_records(src, a, sizeof a);
	lb = other_records(dst, b, sizeof b);
	ok(la > 0 && la == lb && la <= sizeof a && memcmp(a, b, la) == 0,
	    "every other record is copied as it was");
	s = rb_zonehist_serials(src, &e);
	ok(s != NULL &&
	        json_integer_value(json_object_get(s, "ex.test.")) == 1 &&
	        json_integer_value(json_object_get(s, "other.test.")) == 7,
	    "the source keeps its serials");
	json_decref(s);

	path_of(junk, sizeof junk, root, "junk");
	if (rb_atomic_replace(junk, "not a cdb", 9, 0644) < 0)
		bail("write junk");
	memset(&e, 0, sizeof e);
	ok(rb_zonehist_serials(junk, &e) == NULL &&
	        strcmp(e.code, "INVALID_ZONES") == 0,
	    "serials of a file that is not a cdb: INVALID_ZONES");
	memset(&e, 0, sizeof e);
	path_of(dst, sizeof dst, root, "re2.cdb");
	ok(rb_zonehist_reserial(junk, dst, 1, &e) < 0 &&
	        strcmp(e.code, "INVALID_ZONES") == 0,
	    "reserial of it: INVALID_ZONES");
	ok(access(dst, F_OK) < 0, "and no file made");
	path_of(junk, sizeof junk, root, "missing.cdb");
	memset(&e, 0, sizeof e);
	ok(rb_zonehist_serials(junk, &e) == NULL && e.kind == RB_ERR_SYSTEM,
	    "serials of a missing file: a system error");
}

/* A Z key whose value is not an SOA (a local.cdb zone code): refused. */
static void
test_not_zones(void)
{
	struct rb_cdbw a = { 0 };
	struct rb_err e = { 0 };
	char path[300], dst[300];
	const uint8_t code = 3;

	path_of(path, sizeof path, root, "local-like.cdb");
	path_of(dst, sizeof dst, root, "local-like.re.cdb");
	if (rb_cdbw_add(&a, "Z\004home\000", 7, &code, 1, 0) < 0 ||
	    rb_cdbw_write(&a, path, &e) < 0)
		bail("write");
	ok(rb_zonehist_serials(path, &e) == NULL &&
	        strcmp(e.code, "INVALID_ZONES") == 0,
	    "a local.cdb is not a zones cdb: INVALID_ZONES");
	memset(&e, 0, sizeof e);
	ok(rb_zonehist_reserial(path, dst, 1, &e) < 0 &&
	        strcmp(e.code, "INVALID_ZONES") == 0 && access(dst, F_OK) < 0,
	    "reserial refuses it and makes no file");
	rb_cdbw_free(&a);
}

static void
test_slave(void)
{
	static const char conf[] = "server:\n"
	                           "    mode: slave\n"
	                           "    sync-master: 127.0.0.1:1\n"
	                           "    sync-key: \"x\"\n";
	struct rb_txn t;
	struct rb_err e = { 0 };
	char p[300], in[300], data[300], before[300];
	int changed = -1;
	long jbytes = 0, jbytes2 = 0;
	int jfiles = files_in("journal", &jbytes);

	path_of(p, sizeof p, root, "runbound.conf");
	if (rb_atomic_replace(p, conf, strlen(conf), 0644) < 0)
		bail("write runbound.conf");
	path_of(data, sizeof data, root, "data/zones.cdb");
	path_of(before, sizeof before, root, "zones.before");
	if (rb_atomic_copy(data, before, 0644) < 0)
		bail("copy");
	if (rb_txn_begin(&t, root, &e) < 0)
		bail("rb_txn_begin");
	if (rb_zonehist_incoming(&t, in, sizeof in, &e) < 0)
		bail("incoming");
	compile(in, 999);
	is_int(rb_zonehist_record(&t, NULL, &changed, NULL, &e), -1,
	    "a slave: record refused");
	is_int(e.kind, RB_ERR_READ_ONLY, "READ_ONLY");
	is_int(changed, 0, "changed = 0");
	rb_txn_end(&t);
	ok(access(in, F_OK) < 0, "the incoming file is removed");
	is_int(files_in("store/zones.d", NULL), RB_ZONES_KEPT,
	    "zones.d is unchanged");
	is_int(files_in("journal", &jbytes2), jfiles, "nothing journaled");
	is_int(jbytes2, jbytes, "(no journal file grew)");
	ok(same_file(data, before), "data/zones.cdb unchanged");
	unlink(p);
}

int
main(void)
{
	char first[RB_DIGEST_HEX], cmd[64];

	if (mkdtemp(root) == NULL)
		bail("mkdtemp");
	test_first_build(first);
	test_same_again(first);
	test_history(first);
	test_serials_reserial();
	test_not_zones();
	test_slave();
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
