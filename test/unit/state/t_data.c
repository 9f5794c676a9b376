/*
 * Unit tests for the cdb builder, lib/state/data, data_local, data_block and
 * data_zones: the keys of data/local.cdb and data/block.cdb that doc/cdb.md
 * documents (Z, D and E keys, implicit transparent zones, empty
 * non-terminals, duplicates, the N/R/A bytes and their precedence), that
 * the same content gives the same bytes, that recovery rebuilds data/ when
 * it is missing or the config changed, rebuilding one file, data/built,
 * the errors, and the small helpers.  The store is filled through
 * lib/state/txn and lib/state/lists, as rb-dns does; the files are checked
 * after a full rb_data_build.  Keys other than those rb-dnsd reads (a
 * builder's own bookkeeping) are not counted.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>
#include <jansson.h>

#include "conf/conf.h"
#include "state/data.h"
#include "state/lists.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "wire/dname.h"

#include "../files.h"
#include "../../tap.h"

static char base[] = "/tmp/t_data.XXXXXX";

static const char conf_text[] =
    "server:\n"
    "    unblock-lan-zones: yes\n"
    "    local-zone: \"home.\" static\n"
    "    local-zone: \"ads.test.\" always_nxdomain\n"
    "    local-zone: \"bad.test.\" always_refuse\n"
    "    local-zone: \"both.test.\" always_nxdomain\n"
    "    local-zone: \"both2.test.\" always_refuse\n"
    "    local-zone: \"allowed.test.\" always_refuse\n"
    "    local-data: \"nas.home. 600 IN A 192.168.1.10\"\n"
    "    local-data: \"printer.home. 300 IN A 192.168.1.20\"\n"
    "    local-data-ptr: \"192.168.1.20 printer.home\"\n";

/* What the API adds, in this order (seq 1, 2, ...). */
static const struct {
	enum rb_list l;
	const char *body;
} adds[] = {
	{ RB_LIST_DNS,
	    "{\"name\":\"nas.home.\",\"type\":\"A\",\"value\":\"192.168.1.10\","
	    "\"ttl\":300}" },
	{ RB_LIST_DNS,
	    "{\"name\":\"NAS.home\",\"type\":\"A\",\"value\":\"192.168.1.11\","
	    "\"ttl\":60}" },
	{ RB_LIST_DNS,
	    "{\"name\":\"nas.home.\",\"type\":\"AAAA\",\"value\":\"fd00::"
	    "10\"}" },
	{ RB_LIST_DNS,
	    "{\"name\":\"a.b.c.home.\",\"type\":\"A\",\"value\":\"10.0.0.1\","
	    "\"ttl\":30}" },
	{ RB_LIST_DNS,
	    "{\"name\":\"www.example.org.\",\"type\":\"A\",\"value\":"
	    "\"10.0.0.2\",\"ttl\":30}" },
	{ RB_LIST_DNS,
	    "{\"name\":\"deep.x.example.net.\",\"type\":\"TXT\",\"value\":"
	    "\"hi\",\"ttl\":30}" },
	{ RB_LIST_BLACKLIST,
	    "{\"domain\":\"tracker.test\",\"action\":\"nxdomain\"}" },
	{ RB_LIST_BLACKLIST, "{\"domain\":\"ads2.test\"}" },
	{ RB_LIST_BLACKLIST,
	    "{\"domain\":\"both.test\",\"action\":\"refuse\"}" },
	{ RB_LIST_BLACKLIST,
	    "{\"domain\":\"both2.test\",\"action\":\"nxdomain\"}" },
	{ RB_LIST_BLACKLIST,
	    "{\"domain\":\"allowed.test\",\"action\":\"nxdomain\"}" },
	{ RB_LIST_ALLOWLIST, "{\"domain\":\"allowed.test\"}" },
	{ RB_LIST_ALLOWLIST, "{\"domain\":\"ok.tracker.test\"}" },
};
#define NADDS (sizeof adds / sizeof adds[0])

/* A new root under base with the test's runbound.conf (when conf). */
static void
make_root(char *root, size_t len, const char *name, int conf)
{
	char p[300];

	path_of(root, len, base, name);
	if (mkdir(root, 0700) < 0)
		bail("mkdir");
	path_of(p, sizeof p, root, "runbound.conf");
	if (conf)
		put(p, conf_text);
}

/* The index of the i-th add: in order, or with rev the entries of each
 * list in reverse (each list keeps its seqs, so the files' own record of
 * them is the same). */
static size_t
nth(size_t i, int rev)
{
	size_t from = i, to = i;

	if (!rev)
		return i;
	while (from > 0 && adds[from - 1].l == adds[i].l)
		from--;
	while (to + 1 < NADDS && adds[to + 1].l == adds[i].l)
		to++;
	return from + (to - i);
}

/* Stage adds[] in one transaction, commit, then build data/ whole. */
static int
add_all(const char *root, int rev)
{
	struct rb_txn t;
	struct rb_err e = { 0 };
	int r = -1;

	if (rb_txn_begin(&t, root, &e) < 0)
		goto done;
	for (size_t i = 0; i < NADDS; i++) {
		size_t j = nth(i, rev);
		json_t *req = json_loads(adds[j].body, 0, NULL), *resp = NULL;
		int a = rb_lists_add(&t, adds[j].l, req, &resp, &e);

		json_decref(req);
		json_decref(resp);
		if (a < 0) {
			rb_txn_end(&t);
			goto done;
		}
	}
	if (rb_txn_commit(&t, &e) == 0)
		r = rb_data_build(root, t.conf, &t.store, &e);
	rb_txn_end(&t);
done:
	if (r < 0)
		diag("add_all: %s %s", e.code, e.details);
	return r;
}

/* prefix (0: none), the wire form of name, type (-1: none) into k. */
static size_t
key(uint8_t *k, char prefix, const char *name, int type)
{
	const char *why = NULL;
	size_t n = 0;
	int w;

	if (prefix)
		k[n++] = (uint8_t)prefix;
	if ((w = rb_dname_from_text(name, k + n, &why)) < 0)
		bail(name);
	n += (size_t)w;
	if (type >= 0) {
		k[n++] = (uint8_t)(type >> 8);
		k[n++] = (uint8_t)type;
	}
	return n;
}

/* The value of k in the cdb at path into val: its length, -1 when the key
 * is absent, -2 when the file cannot be read. */
static long
lookup(const char *path, const uint8_t *k, size_t klen, uint8_t *val,
    size_t cap)
{
	struct cdb c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = -1;

	if (fd < 0 || cdb_init(&c, fd) < 0) {
		if (fd >= 0)
			close(fd);
		return -2;
	}
	if (cdb_find(&c, k, (unsigned)klen) > 0) {
		n = (long)cdb_datalen(&c);
		if ((size_t)n <= cap)
			memcpy(val, cdb_getdata(&c), (size_t)n);
	}
	cdb_free(&c);
	close(fd);
	return n;
}

static long records(const char *path, int block);

/* The keys of unbound's default zones but the AS112 ones: those of a root
 * with nothing else. */
static long
default_keys(void)
{
	char root[300], p[300];
	struct rb_txn t;
	struct rb_err e = { 0 };
	int r;

	path_of(root, sizeof root, base, "defaults");
	if (mkdir(root, 0700) < 0)
		bail("mkdir");
	path_of(p, sizeof p, root, "runbound.conf");
	put(p, "server:\n    unblock-lan-zones: yes\n");
	if (rb_txn_begin(&t, root, &e) < 0)
		bail(e.details);
	r = rb_data_build(root, t.conf, &t.store, &e);
	rb_txn_end(&t);
	if (r < 0)
		bail(e.details);
	path_of(p, sizeof p, root, "data/local.cdb");
	return records(p, 0);
}

/* Keys of the cdb at path that rb-dnsd reads: with block, name keys
 * (the first byte a label length), else Z, D and E keys; -1 when the file
 * cannot be read. */
static long
records(const char *path, int block)
{
	struct cdb c;
	unsigned pos;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = 0;

	if (fd < 0 || cdb_init(&c, fd) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const uint8_t *k = cdb_getkey(&c);

		if (cdb_keylen(&c) > 0 &&
		    (block ? k[0] < 64 : strchr("ZDE", k[0]) && k[0] != 0))
			n++;
	}
	cdb_free(&c);
	close(fd);
	return n;
}

/* Does the key (prefix, name, type) of the local cdb hold want[0..wlen)? */
static int
has(const char *cdbpath, char prefix, const char *name, int type,
    const uint8_t *want, long wlen)
{
	uint8_t k[1 + RB_DNAME_MAX + 2], v[512];
	long n = lookup(cdbpath, k, key(k, prefix, name, type), v, sizeof v);

	if (n != wlen || (n > 0 && memcmp(v, want, (size_t)n) != 0)) {
		diag("%c %s: got %ld bytes, want %ld", prefix ? prefix : ' ',
		    name, n, wlen);
		return 0;
	}
	return 1;
}

static int
absent(const char *cdbpath, char prefix, const char *name, int type)
{
	uint8_t k[1 + RB_DNAME_MAX + 2], v[512];

	return lookup(cdbpath, k, key(k, prefix, name, type), v, sizeof v) ==
	    -1;
}

static void
test_local(const char *root)
{
	char p[300];
	static const uint8_t static_code[] = { 3 }, transparent[] = { 4 };
	/* 600 (the duplicate's larger TTL) .10, then 60 .11: by rdata. */
	static const uint8_t nas_a[] = { 0, 0, 2, 88, 0, 4, 192, 168, 1, 10, 0,
		0, 0, 60, 0, 4, 192, 168, 1, 11 };
	static const uint8_t nas_e[] = { 0, 1, 0, 28 };
	static const uint8_t nas_aaaa[] = { 0, 0, 14, 16, 0, 16, 0xfd, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
	static const uint8_t abc_e[] = { 0, 1 };
	static const uint8_t printer_a[] = { 0, 0, 1, 44, 0, 4, 192, 168, 1,
		20 };
	static const uint8_t ptr_rdata[] = { 7, 'p', 'r', 'i', 'n', 't', 'e',
		'r', 4, 'h', 'o', 'm', 'e', 0 };
	static const uint8_t txt[] = { 0, 0, 0, 30, 0, 3, 2, 'h', 'i' };
	uint8_t k[1 + RB_DNAME_MAX + 2], v[512];
	long n;

	path_of(p, sizeof p, root, "data/local.cdb");
	ok(has(p, 'Z', "home.", -1, static_code, 1),
	    "Z home.: static (3), from local-zone");
	ok(absent(p, 'Z', "ads.test.", -1) && absent(p, 'Z', "bad.test.", -1),
	    "always_nxdomain and always_refuse zones are not in local.cdb");
	ok(has(p, 'Z', "www.example.org.", -1, transparent, 1),
	    "Z www.example.org.: implicit transparent zone at the owner");
	ok(absent(p, 'Z', "example.org.", -1), "and none at its parent");
	ok(has(p, 'Z', "20.1.168.192.in-addr.arpa.", -1, transparent, 1),
	    "a local-data-ptr owner gets its implicit zone too");
	ok(has(p, 'Z', "deep.x.example.net.", -1, transparent, 1),
	    "Z deep.x.example.net.: implicit");
	ok(absent(p, 'Z', "nas.home.", -1),
	    "data inside a configured zone makes no zone");
	ok(has(p, 'D', "nas.home.", 1, nas_a, sizeof nas_a),
	    "D nas.home. A: sorted by rdata, API and config duplicate merged "
	    "keeping the larger TTL");
	ok(has(p, 'D', "nas.home.", 28, nas_aaaa, sizeof nas_aaaa),
	    "D nas.home. AAAA: the default TTL 3600");
	ok(has(p, 'E', "nas.home.", -1, nas_e, sizeof nas_e),
	    "E nas.home.: A and AAAA, ascending");
	ok(absent(p, 'D', "nas.home.", 16), "no D key for a type not there");
	ok(has(p, 'E', "a.b.c.home.", -1, abc_e, sizeof abc_e),
	    "E a.b.c.home.: A");
	ok(has(p, 'E', "b.c.home.", -1, NULL, 0) &&
	        has(p, 'E', "c.home.", -1, NULL, 0),
	    "empty non-terminals b.c.home. and c.home.: E with no types");
	ok(has(p, 'E', "home.", -1, NULL, 0),
	    "the apex, with owners below it, is an empty non-terminal "
	    "(unbound answers NOERROR there)");
	ok(absent(p, 'E', "x.example.net.", -1) &&
	        absent(p, 'E', "example.org.", -1),
	    "no empty non-terminal above an implicit zone");
	ok(has(p, 'D', "printer.home.", 1, printer_a, sizeof printer_a),
	    "D printer.home. A from local-data");
	n = lookup(p, k, key(k, 'D', "20.1.168.192.in-addr.arpa.", 12), v,
	    sizeof v);
	ok(n == 6 + (long)sizeof ptr_rdata && v[4] == 0 &&
	        v[5] == sizeof ptr_rdata &&
	        memcmp(v + 6, ptr_rdata, sizeof ptr_rdata) == 0,
	    "D PTR from local-data-ptr: the name uncompressed");
	ok(has(p, 'D', "deep.x.example.net.", 16, txt, sizeof txt),
	    "D TXT: one character-string");
	/* Z: home., www.example.org., 20.1..., deep.x.example.net. (4);
	 * D: nas A, nas AAAA, a.b.c A, www A, deep TXT, printer A, PTR (7);
	 * E: nas, a.b.c, www, deep, printer, PTR, b.c, c, home. (9); and
	 * unbound's default zones (lib/conf/defzones). */
	is_int(records(p, 0) - default_keys(), 20,
	    "local.cdb holds those 20 keys and the default zones' only");
}

static void
test_block(const char *root)
{
	static const struct {
		const char *name;
		char want;
		const char *why;
	} cases[] = {
		{ "tracker.test.", 'N', "API blacklist nxdomain: N" },
		{ "ads2.test.", 'R', "API blacklist, default action: R" },
		{ "ok.tracker.test.", 'A', "allowlist: A" },
		{ "ads.test.", 'N', "config always_nxdomain: N" },
		{ "bad.test.", 'R', "config always_refuse: R" },
		{ "both.test.", 'R',
		    "API refuse beats config always_nxdomain" },
		{ "both2.test.", 'N',
		    "API nxdomain beats config always_refuse" },
		{ "allowed.test.", 'A',
		    "allowlist beats API blacklist and config" },
	};
	char p[300];
	uint8_t k[RB_DNAME_MAX], v[8];

	path_of(p, sizeof p, root, "data/block.cdb");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long n = lookup(p, k, key(k, 0, cases[i].name, -1), v,
		    sizeof v);
		ok(n == 1 && v[0] == (uint8_t)cases[i].want, "%s",
		    cases[i].why);
	}
	is_int(records(p, 1), 8, "one key per name, no other");
	ok(absent(p, 0, "home.", -1), "local-zone static is not a block");
}

/* data/built names the zones build data/zones.cdb copies (none yet). */
static void
test_built(const char *root)
{
	char p[300], *text;
	json_t *j;

	path_of(p, sizeof p, root, "data/built");
	text = rb_file_read(p, 4096, NULL);
	j = text ? json_loads(text, 0, NULL) : NULL;
	ok(j != NULL && json_is_object(j), "data/built is one JSON object");
	ok(json_is_integer(json_object_get(j, "zones")) &&
	        json_integer_value(json_object_get(j, "zones")) == 0,
	    "built: zones 0, no build kept");
	ok(text != NULL && text[strlen(text) - 1] == '\n' &&
	        strchr(text, '\n') == text + strlen(text) - 1,
	    "one line");
	json_decref(j);
	free(text);
}

static void
test_determinism(const char *r1, const char *r2)
{
	char a[300], b[300];

	ok(add_all(r2, 1) == 0,
	    "the same entries, each list reversed, in a second root");
	path_of(a, sizeof a, r1, "data/local.cdb");
	path_of(b, sizeof b, r2, "data/local.cdb");
	ok(same_file(a, b), "local.cdb: the same bytes");
	path_of(a, sizeof a, r1, "data/block.cdb");
	path_of(b, sizeof b, r2, "data/block.cdb");
	ok(same_file(a, b), "block.cdb: the same bytes");
}

static ino_t
inode(const char *root, const char *rel)
{
	char p[300];
	struct stat st;

	path_of(p, sizeof p, root, rel);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

/* A begin finds data/ behind the store or the config and rebuilds it. */
static int
begin_end(const char *root)
{
	struct rb_txn t;
	struct rb_err e = { 0 };

	if (rb_txn_begin(&t, root, &e) < 0) {
		diag("begin: %s %s", e.code, e.details);
		return -1;
	}
	rb_txn_end(&t);
	return 0;
}

static void
test_recovery(const char *root)
{
	static const uint8_t extra_a[] = { 0, 0, 0, 60, 0, 4, 10, 1, 1, 1 };
	char conf[300], local[300], block[300], keepl[300], keepb[300];
	char cmd[700], *text;
	struct rb_txn t;
	struct rb_err e = { 0 };
	size_t n;
	ino_t li, bi;

	path_of(conf, sizeof conf, root, "runbound.conf");
	path_of(local, sizeof local, root, "data/local.cdb");
	path_of(block, sizeof block, root, "data/block.cdb");
	path_of(keepl, sizeof keepl, root, "local.before");
	path_of(keepb, sizeof keepb, root, "block.before");
	if (rb_atomic_copy(local, keepl, 0644) < 0 ||
	    rb_atomic_copy(block, keepb, 0644) < 0)
		bail("copy");
	snprintf(cmd, sizeof cmd, "rm -rf %s/data", root);
	if (system(cmd) != 0)
		bail("rm data");
	ok(begin_end(root) == 0, "begin with data/ removed");
	ok(same_file(local, keepl), "local.cdb is rebuilt, the same bytes");
	ok(same_file(block, keepb), "block.cdb is rebuilt, the same bytes");

	/* A config change: the next begin rebuilds local.cdb with it. */
	n = strlen(conf_text);
	if ((text = malloc(n + 64)) == NULL)
		bail("malloc");
	snprintf(text, n + 64,
	    "%s    local-data: \"extra.home. 60 A 10.1.1.1\"\n", conf_text);
	if (rb_atomic_replace(conf, text, strlen(text), 0644) < 0)
		bail("write runbound.conf");
	free(text);
	ok(begin_end(root) == 0, "begin with a changed config");
	ok(has(local, 'D', "extra.home.", 1, extra_a, sizeof extra_a),
	    "the new local-data is in local.cdb");
	if (rb_atomic_replace(conf, conf_text, strlen(conf_text), 0644) < 0)
		bail("write runbound.conf");
	ok(begin_end(root) == 0, "begin with the config as before");
	ok(absent(local, 'D', "extra.home.", 1), "the record is gone again");
	ok(same_file(local, keepl), "local.cdb: the same bytes as before");

	/* Only the files asked for are rewritten (atomically: a new inode). */
	if (rb_txn_begin(&t, root, &e) < 0)
		bail("rb_txn_begin");
	li = inode(root, "data/local.cdb");
	bi = inode(root, "data/block.cdb");
	is_int(rb_data_build_some(root, t.conf, &t.store, RB_DATA_BLOCK, &e), 0,
	    "rebuild block.cdb alone");
	ok(inode(root, "data/local.cdb") == li, "local.cdb left alone");
	ok(inode(root, "data/block.cdb") != bi, "block.cdb rewritten");
	ok(same_file(block, keepb), "to the same bytes");
	rb_txn_end(&t);
	unlink(keepl);
	unlink(keepb);
}

/* The parser refuses bad local-data and local-zone lines (lib/conf): a
 * config made by hand reaches the builder's own checks. */
static void
test_errors(const char *root)
{
	struct rb_conf_data bad = { .text = "x.home. A not-an-ip",
		.file = "bad.conf",
		.line = 2 };
	struct rb_conf_zone badz = { .name = "z.home.",
		.type = "bogus",
		.file = "bad.conf",
		.line = 3 };
	struct rb_conf c = { .ndata = 1, .data = &bad };
	struct rb_txn t;
	struct rb_err e = { 0 };
	char local[300], keep[300], built[300], keepb[300];

	path_of(local, sizeof local, root, "data/local.cdb");
	path_of(keep, sizeof keep, root, "local.before");
	path_of(built, sizeof built, root, "data/built");
	path_of(keepb, sizeof keepb, root, "built.before");
	if (rb_txn_begin(&t, root, &e) < 0 ||
	    rb_atomic_copy(local, keep, 0644) < 0 ||
	    rb_atomic_copy(built, keepb, 0644) < 0)
		bail("setup");
	is_int(rb_data_build(root, &c, &t.store, &e), -1,
	    "a bad local-data line: the build fails");
	is_str(e.code, "INVALID_CONFIG", "INVALID_CONFIG");
	ok(strncmp(e.details, "bad.conf:2:", 11) == 0,
	    "naming file and line (%s)", e.details);
	c.ndata = 0;
	c.nzones = 1;
	c.zones = &badz;
	memset(&e, 0, sizeof e);
	is_int(rb_data_build(root, &c, &t.store, &e), -1,
	    "an unknown local-zone type: the build fails");
	ok(e.code != NULL && strcmp(e.code, "INVALID_CONFIG") == 0 &&
	        strncmp(e.details, "bad.conf:3:", 11) == 0,
	    "INVALID_CONFIG naming file and line (%s)", e.details);
	ok(same_file(local, keep), "local.cdb is left as it was");
	ok(same_file(built, keepb), "and data/built too");
	rb_txn_end(&t);
	unlink(keep);
	unlink(keepb);
}

/* 300 TXT records of 250 bytes at one owner: an RRset of 75 KiB. */
static void
test_too_large(void)
{
	char root[300], value[300];
	struct rb_txn t;
	struct rb_err e = { 0 };
	int staged = 1;

	make_root(root, sizeof root, "large", 0);
	if (rb_txn_begin(&t, root, &e) < 0)
		bail("rb_txn_begin");
	for (int i = 0; i < 300 && staged; i++) {
		json_t *req, *resp = NULL;

		snprintf(value, sizeof value, "%03d%0247d", i, 0);
		req = json_pack("{s:s, s:s, s:s}", "name", "big.home.", "type",
		    "TXT", "value", value);
		staged = rb_lists_add(&t, RB_LIST_DNS, req, &resp, &e) == 0;
		json_decref(req);
		json_decref(resp);
	}
	ok(staged, "300 large TXT records staged");
	memset(&e, 0, sizeof e);
	is_int(rb_data_build(root, NULL, &t.store, &e), -1,
	    "an RRset over 64 KiB: the build fails");
	is_str(e.code, "LIMIT_EXCEEDED", "LIMIT_EXCEEDED");
	is_int(e.kind, RB_ERR_REJECTED, "kind RB_ERR_REJECTED");
	rb_txn_end(&t);
}

static void
test_empty(void)
{
	char root[300], p[300];
	struct rb_txn t;
	struct rb_err e = { 0 };

	make_root(root, sizeof root, "empty", 0);
	path_of(p, sizeof p, root, "data");
	if (rb_file_mkdirs(p, 0755) < 0)
		bail("mkdir");
	path_of(p, sizeof p, root, "data/zones.cdb");
	put(p, "from before");
	ok(rb_txn_begin(&t, root, &e) == 0, "begin on an empty root");
	is_str(rb_data_zones_newest(&t.store), "", "no zones build kept");
	is_int(rb_data_build(root, NULL, &t.store, &e), 0,
	    "build with no config");
	path_of(p, sizeof p, root, "data/local.cdb");
	is_int(records(p, 0), 0, "local.cdb: no key");
	path_of(p, sizeof p, root, "data/block.cdb");
	is_int(records(p, 1), 0, "block.cdb: no key");
	path_of(p, sizeof p, root, "data/zones.cdb");
	ok(holds(p, "from before"),
	    "with no build kept, data/zones.cdb from before is left");
	rb_txn_end(&t);
}

static void
test_helpers(void)
{
	static const struct {
		const char *type;
		int code;
	} codes[] = { { "deny", 1 }, { "refuse", 2 }, { "static", 3 },
		{ "transparent", 4 }, { "typetransparent", 5 },
		{ "redirect", 6 }, { "inform_redirect", 7 }, { "inform", 8 },
		{ "inform_deny", 9 }, { "nodefault", 10 },
		{ "always_transparent", 11 }, { "always_nxdomain", 12 },
		{ "always_refuse", 13 }, { "noview", 14 }, { "bogus", 0 },
		{ "", 0 }, { "Static", 0 } };
	const char *id = "0123456789abcdef0123456789abcdef"
	                 "0123456789abcdef0123456789abcdef";
	char buf[256], want[256];
	int all = 1;

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (rb_data_zone_code(codes[i].type) != codes[i].code) {
			all = 0;
			diag("zone code of '%s': %d", codes[i].type,
			    rb_data_zone_code(codes[i].type));
		}
	ok(all, "zone type codes as doc/cdb.md lists them");
	is_int(rb_data_zones_path("/r", id, buf, sizeof buf), 0,
	    "zones_path of a SHA-256 id");
	snprintf(want, sizeof want, "/r/store/zones.d/%s.cdb", id);
	is_str(buf, want, "is ROOT/store/zones.d/<id>.cdb");
	is_int(rb_data_zones_path("/r", "0123", buf, sizeof buf), -1,
	    "zones_path: a short id refused");
	snprintf(want, sizeof want, "%.63sA", id);
	is_int(rb_data_zones_path("/r", want, buf, sizeof buf), -1,
	    "zones_path: upper-case hex refused");
	snprintf(want, sizeof want, "%.63sg", id);
	is_int(rb_data_zones_path("/r", want, buf, sizeof buf), -1,
	    "zones_path: not hex refused");
	is_int(rb_data_zones_path("/r", "../../../../etc/passwd", buf,
	           sizeof buf),
	    -1, "zones_path: a path refused");
	is_int(rb_data_zones_path("/r", id, buf, 40), -1,
	    "zones_path: a buffer too small");
}

int
main(void)
{
	char r1[300], r2[300], cmd[64];

	if (mkdtemp(base) == NULL)
		bail("mkdtemp");
	make_root(r1, sizeof r1, "one", 1);
	make_root(r2, sizeof r2, "two", 1);
	ok(add_all(r1, 0) == 0, "add records and list entries, commit");
	test_local(r1);
	test_block(r1);
	test_built(r1);
	test_determinism(r1, r2);
	test_recovery(r1);
	test_errors(r1);
	test_too_large();
	test_empty();
	test_helpers();
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	done_testing();
	return exit_status();
}
