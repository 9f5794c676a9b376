/* Unit tests for lib/zone/zone: master files to data/zones.cdb pairs
 * (doc/cdb.md "data/zones.cdb"), and the errors, each naming file and line. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "state/cdbw.h"
#include "zone/zone.h"

#include "../../tap.h"

static const char zone[] =
    "$ORIGIN ex.test.\n"
    "$TTL 300\n"
    "@ IN SOA ns.ex.test. h.ex.test. 1 2 3 4 60\n"
    "  IN NS ns\n"
    "ns IN A 192.0.2.1\n"
    "a.b.c IN A 192.0.2.2\n"
    "a.b.c 100 IN A 192.0.2.2\n" /* duplicate: dropped, largest TTL */
    "a.b.c IN A 192.0.2.3\n"
    "*.w IN TXT \"x\"\n"
    "sub IN NS ns.other.\n"
    "WWW IN CNAME a.b.c\n";

/* Load text as file fname into zs; returns rb_zone_load's result. */
static int
load(struct rb_zoneset *zs, const char *fname, const char *text,
    struct rb_diag *d)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (fp == NULL)
		bail("fmemopen");
	r = rb_zone_load(zs, fp, fname, d);
	fclose(fp);
	return r;
}

static const struct rb_cdbw_kv *
get(const struct rb_cdbw *out, const char *key, size_t klen)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].klen == klen &&
		    memcmp(out->v[i].key, key, klen) == 0)
			return &out->v[i];
	return NULL;
}

/* The diag of loading and building text, "" when both succeed. */
static const char *
error_of(const char *fname, const char *text)
{
	static char buf[1024];
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };

	buf[0] = '\0';
	if (load(&zs, fname, text, &d) < 0 || rb_zone_build(&zs, &out, &d) < 0)
		rb_diag_str(&d, buf, sizeof buf);
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	return buf;
}

static void
test_build(void)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	const struct rb_cdbw_kv *kv;

	is_int(load(&zs, "zones.ex.test", zone, &d), 0, "load");
	is_int(rb_zone_build(&zs, &out, &d), 0, "build");
	kv = get(&out, "Z\002ex\004test\000", 10);
	ok(kv != NULL && kv->vlen > 6 + 22 && kv->val[3] == 44 &&
	        kv->val[2] == 1,
	    "Z: apex holds the SOA with its TTL (300)");
	kv = get(&out, "D\001a\001b\001c\002ex\004test\000\000\001", 18);
	ok(kv != NULL && kv->vlen == 20, "D: duplicate record dropped");
	ok(kv != NULL && kv->val[2] == 1 && kv->val[3] == 44 &&
	        kv->val[13] == 44 && kv->val[9] == 2 && kv->val[19] == 3,
	    "D: records sorted by rdata, TTL kept per record");
	kv = get(&out, "E\001b\001c\002ex\004test\000", 14);
	ok(kv != NULL && kv->vlen == 0, "E: empty non-terminal b.c");
	ok(get(&out, "E\001c\002ex\004test\000", 12) != NULL,
	    "E: empty non-terminal c");
	ok(get(&out, "E\001w\002ex\004test\000", 12) != NULL,
	    "E: the wildcard's parent exists");
	kv = get(&out, "E\002ex\004test\000", 10);
	ok(kv != NULL && kv->vlen == 4 && kv->val[1] == 2 && kv->val[3] == 6,
	    "E: apex types NS SOA, ascending");
	ok(get(&out, "E\004test\000", 7) == NULL, "no name above the apex");
	ok(get(&out, "E\003www\002ex\004test\000", 14) != NULL,
	    "owner lower-cased");
	ok(get(&out, "D\003sub\002ex\004test\000\000\002", 16) != NULL,
	    "D: delegation NS kept");
	for (size_t i = 1; i < out.n; i++)
		if (rb_cdbw_bytes_cmp(out.v[i - 1].key, out.v[i - 1].klen,
		        out.v[i].key, out.v[i].klen) >= 0)
			bail("output not sorted or not unique");
	ok(1, "output sorted, keys unique");
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
}

static void
test_origin(void)
{
	is_str(error_of("dir/zones.ex.test",
	           "@ 60 IN SOA ns h 1 2 3 4 5\nwww 60 IN A 192.0.2.1\n"),
	    "", "origin from the file name");
	is_str(error_of("other", "@ 60 IN SOA ns h 1 2 3 4 5\n"), "",
	    "no zones. prefix: the root zone");
}

static void
test_errors(void)
{
	is_str(error_of("z", "$ORIGIN ex.test.\nwww 60 IN A 192.0.2.1\n"),
	    "z:2: the first record must be the zone's SOA", "SOA first");
	is_str(error_of("z",
	           "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
	           "@ 60 IN SOA ns h 2 2 3 4 5\n"),
	    "z:3: a zone has one SOA", "one SOA");
	is_str(error_of("z",
	           "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
	           "x.other. 60 IN A 192.0.2.1\n"),
	    "z:3: record is outside the zone", "out of zone");
	is_str(error_of("z",
	           "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
	           "x 60 CH A 192.0.2.1\n"),
	    "z:3: only class IN is supported", "class");
	is_str(error_of("z",
	           "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
	           "x 60 IN DNAME y\n"),
	    "z:3: type 39 is not supported", "DNAME");
	ok(strncmp(error_of("z",
	               "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5"
	               "\n\nx 60 IN A 999.1.1.1\n"),
	       "z:4: ", 5) == 0,
	    "syntax error names its line");
	is_str(error_of("z", "$INCLUDE other\n"),
	    "z:1: $INCLUDE is not supported", "$INCLUDE");
	is_str(error_of("z", "; nothing\n"),
	    "z: no SOA record: a zone needs one", "empty zone");
	is_str(error_of("z",
	           "$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
	           "x 60 IN CNAME y\nx 60 IN A 192.0.2.1\n"),
	    "x.ex.test.: CNAME and other data", "CNAME and other data");
}

static void
test_two_zones(void)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 }, again = { 0 };
	struct rb_diag d = { 0 };
	char where[600];

	is_int(load(&zs, "a", "$ORIGIN a.test.\n@ 60 IN SOA n h 1 2 3 4 5\n",
	           &d),
	    0, "first zone");
	is_int(load(&zs, "b", "$ORIGIN b.test.\n@ 60 IN SOA n h 1 2 3 4 5\n",
	           &d),
	    0, "second zone");
	is_int(load(&zs, "c", "$ORIGIN x.a.test.\n@ 60 IN SOA n h 1 2 3 4 5\n",
	           &d),
	    -1, "nested zone refused");
	is_str(rb_diag_str(&d, where, sizeof where),
	    "c:2: zone overlaps a zone already loaded", "nested: message");
	is_int(rb_zone_build(&zs, &out, &d), 0, "build two zones");
	is_int(rb_zone_build(&zs, &again, &d), 0, "build again");
	ok(out.n == again.n && out.n == 6, "same pairs both times");
	rb_cdbw_free(&out);
	rb_cdbw_free(&again);
	rb_zone_fini(&zs);
}

int
main(void)
{
	test_build();
	test_origin();
	test_errors();
	test_two_zones();
	done_testing();
	return exit_status();
}
