/*
 * Unit tests for lib/state/data_delta, coll and compact together: a long
 * run of random writes (adds and deletes of local records, blacklist and
 * allowlist entries, one to three per transaction, some refused) against
 * a config with zones of several types and local data, so that writes
 * make and unmake implicit zones and empty non-terminals.  After every
 * write, what rb-dnsd reads (data/X.delta over data/X.cdb) must equal,
 * key for key, a full build from the same store into another root; the
 * store's lists must equal what was written; now and then a compaction
 * folds everything into new bases, after which the same holds.  The
 * random sequence is fixed (a seed), so a failure repeats.
 */

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>
#include <jansson.h>

#include "base/hex.h"
#include "conf/conf.h"
#include "state/compact.h"
#include "state/data.h"
#include "state/lists.h"
#include "state/txn.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

#define STEPS 400

static char top[] = "/tmp/t_delta.XXXXXX";
static char root[300], ref[300];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	bail("setup failed");
}

static const char conf_text[] =
    "server:\n"
    "    local-zone: \"home.\" static\n"
    "    local-zone: \"lan.\" transparent\n"
    "    local-zone: \"redir.test.\" redirect\n"
    "    local-zone: \"ads.test.\" always_nxdomain\n"
    "    local-data: \"nas.home. 600 IN A 192.168.1.10\"\n"
    "    local-data: \"deep.c.b.home. 300 IN A 192.168.1.11\"\n"
    "    local-data: \"redir.test. 300 IN A 10.0.0.1\"\n"
    "    local-data: \"gw.lan. 300 IN A 10.0.0.2\"\n"
    "    local-data-ptr: \"192.168.1.20 printer.home\"\n";

static const char *const owners[] = { "", "x.", "b.", "c.b.", "y.c.b.",
	"deep.c.b.", "z.x." };
static const char *const zones[] = { "home.", "lan.", "redir.test.",
	"out.test.", "c.b.home.", "ads.test." };
static const char *const domains[] = { "ads.example", "x.ads.example",
	"y.x.ads.example", "tracker.test", "a.tracker.test", "ok.example" };

/* Every key of a cdb file (hex) to its value (hex), with delta laid over
 * it as rb-dnsd reads them: 'S' and a value, or 'X': gone.  The meta key
 * (the store seqs a file was built from) is left out. */
static int
read_cdb(const char *path, json_t *into, int delta)
{
	struct cdb db;
	unsigned pos;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return 0;
	if (cdb_init(&db, fd) < 0) {
		close(fd);
		return -1;
	}
	cdb_seqinit(&pos, &db);
	while ((r = cdb_seqnext(&pos, &db)) > 0) {
		unsigned kl = cdb_keylen(&db), vl = cdb_datalen(&db);
		const unsigned char *k = cdb_get(&db, kl, cdb_keypos(&db));
		const unsigned char *v = cdb_get(&db, vl, cdb_datapos(&db));
		char *hk = malloc(2 * kl + 1), *hv = malloc(2 * vl + 1);

		if (hk == NULL || hv == NULL)
			fail("out of memory");
		rb_hex_encode(k, kl, hk);
		if (delta && (vl < 1 || v[0] != 'S')) {
			json_object_del(into, hk);
		} else {
			rb_hex_encode(v + delta, vl - delta, hv);
			json_object_set_new(into, hk, json_string(hv));
		}
		free(hk);
		free(hv);
	}
	json_object_del(into, "ff");
	cdb_free(&db);
	close(fd);
	return r;
}

static json_t *
view(const char *r, const char *name)
{
	char path[400];
	json_t *v = json_object();

	snprintf(path, sizeof path, "%s/data/%s.cdb", r, name);
	if (read_cdb(path, v, 0) < 0)
		fail("read %s", path);
	snprintf(path, sizeof path, "%s/data/%s.delta", r, name);
	if (read_cdb(path, v, 1) < 0)
		fail("read %s", path);
	return v;
}

/* The first key where a and b differ, for the diagnostics. */
static void
show_diff(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)a, k, v) {
		json_t *w = json_object_get(b, k);
		if (w == NULL || !json_equal(v, w)) {
			diag("key %s: layered %s, rebuilt %s", k,
			    json_string_value(v),
			    w ? json_string_value(w) : "-");
			return;
		}
	}
	json_object_foreach ((json_t *)b, k, v) {
		if (json_object_get(a, k) == NULL) {
			diag("key %s: only in the rebuild (%s)", k,
			    json_string_value(v));
			return;
		}
	}
}

/* What was written and not deleted: id -> 1, per list. */
static json_t *live[3];

static json_t *
random_request(enum rb_list l)
{
	char name[128];
	const char *types[] = { "A", "AAAA", "TXT" };
	const char *values[][3] = { { "10.1.1.1", "10.1.1.2", "10.1.1.3" },
		{ "fd00::1", "fd00::2", "fd00::3" },
		{ "\"a\"", "\"b\"", "\"c d\"" } };
	int t = rand() % 3;

	if (l != RB_LIST_DNS)
		return json_pack("{s:s, s:s}", "domain",
		    domains[rand() % (int)(sizeof domains / sizeof *domains)],
		    "action", rand() % 2 ? "nxdomain" : "refuse");
	snprintf(name, sizeof name, "%s%s",
	    owners[rand() % (int)(sizeof owners / sizeof *owners)],
	    zones[rand() % (int)(sizeof zones / sizeof *zones)]);
	return json_pack("{s:s, s:s, s:s, s:i}", "name", name, "type", types[t],
	    "value", values[t][rand() % 3], "ttl", 60 + rand() % 3);
}

/* A random live id of l, or NULL. */
static const char *
random_live(enum rb_list l)
{
	size_t n = json_object_size(live[l]), i = 0, pick;
	const char *k;
	json_t *v;

	if (n == 0)
		return NULL;
	pick = (size_t)rand() % n;
	json_object_foreach (live[l], k, v) {
		if (i++ == pick)
			return k;
	}
	return NULL;
}

/* One transaction of one to three random operations; refused ones
 * (duplicates) end it uncommitted.  1 when it committed. */
static int
step(json_t *done_ids[3])
{
	struct rb_txn t;
	struct rb_err e = { 0 };
	int n = 1 + rand() % 3, committed = 0;

	if (rb_txn_begin(&t, root, &e) < 0)
		fail("begin: %s", e.details);
	for (int i = 0; i < n; i++) {
		enum rb_list l = (enum rb_list)(
		    rand() % 4 == 3 ? 2 : rand() % 2);
		json_t *resp = NULL, *req;
		const char *id;
		int r;

		if (rand() % 3 == 0 && (id = random_live(l)) != NULL) {
			char keep[40];
			snprintf(keep, sizeof keep, "%s", id);
			r = rb_lists_delete(&t, l, keep, &resp, &e);
			if (r == 0)
				json_object_set_new(done_ids[l], keep,
				    json_false());
		} else {
			req = random_request(l);
			r = rb_lists_add(&t, l, req, &resp, &e);
			json_decref(req);
			if (r == 0)
				json_object_set_new(done_ids[l],
				    json_string_value(
				        json_object_get(json_object_get(resp,
				                            "entry"),
				            "id")),
				    json_true());
		}
		json_decref(resp);
		if (r < 0) {
			if (strcmp(e.code, "ALREADY_EXISTS") != 0 &&
			    strcmp(e.code, "NOT_FOUND") != 0)
				diag("refused: %s %s", e.code, e.details);
			rb_txn_end(&t);
			return 0;
		}
	}
	if (rb_txn_commit(&t, &e) < 0)
		fail("commit: %s", e.details);
	committed = 1;
	/* The reference: a full build of the same store elsewhere. */
	if (rb_data_build(ref, t.conf, &t.store, &e) < 0)
		fail("build: %s", e.details);
	rb_txn_end(&t);
	return committed;
}

static void
apply_done(json_t *done_ids[3])
{
	for (int l = 0; l < 3; l++) {
		const char *k;
		json_t *v;

		json_object_foreach (done_ids[l], k, v) {
			if (json_is_true(v))
				json_object_set_new(live[l], k, json_true());
			else
				json_object_del(live[l], k);
		}
		json_object_clear(done_ids[l]);
	}
}

/* The store lists exactly the live ids. */
static int
lists_match(void)
{
	for (int l = 0; l < 3; l++) {
		struct rb_err e = { 0 };
		char *text;
		size_t len;
		json_t *o, *a, *v;
		size_t i;
		int same;

		if (rb_lists_list(root, (enum rb_list)l, &text, &len, &e) < 0)
			fail("list: %s", e.details);
		o = json_loadb(text, len, 0, NULL);
		free(text);
		a = json_object_get(o,
		    l == 0     ? "entries" :
		        l == 1 ? "blacklist" :
		                 "allowlist");
		same = json_array_size(a) == json_object_size(live[l]);
		json_array_foreach (a, i, v) {
			if (json_object_get(live[l],
			        json_string_value(json_object_get(v, "id"))) ==
			    NULL)
				same = 0;
		}
		json_decref(o);
		if (!same)
			return 0;
	}
	return 1;
}

static int
views_match(int *which)
{
	const char *names[] = { "local", "block" };

	for (int i = 0; i < 2; i++) {
		json_t *a = view(root, names[i]), *b = view(ref, names[i]);
		int same = json_equal(a, b);

		if (!same) {
			*which = i;
			show_diff(a, b);
		}
		json_decref(a);
		json_decref(b);
		if (!same)
			return 0;
	}
	return 1;
}

static long
file_size(const char *r, const char *file)
{
	char path[400];
	char *s;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", r, file);
	s = rb_file_read(path, 1 << 26, &n);
	free(s);
	return s ? (long)n : -1;
}

int
main(void)
{
	char path[400];
	json_t *done_ids[3];
	int commits = 0, bad_view = -1, bad_list = -1, which = 0;
	int compactions = 0, bad_compact = -1, max_delta = 0;
	struct rb_err e = { 0 };

	if (mkdtemp(top) == NULL)
		fail("mkdtemp");
	snprintf(root, sizeof root, "%s/a", top);
	snprintf(ref, sizeof ref, "%s/b", top);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s", i ? ref : root);
		if (rb_file_mkdirs(path, 0755) < 0)
			fail("mkdir %s", path);
		snprintf(path, sizeof path, "%s/runbound.conf", i ? ref : root);
		if (rb_atomic_replace(path, conf_text, strlen(conf_text),
		        0644) < 0)
			fail("write %s", path);
	}
	for (int l = 0; l < 3; l++) {
		live[l] = json_object();
		done_ids[l] = json_object();
	}
	srand(20261207);
	for (int i = 0; i < STEPS; i++) {
		long d;

		if (step(done_ids)) {
			commits++;
			apply_done(done_ids);
			if (bad_view < 0 && !views_match(&which))
				bad_view = i;
			if (bad_list < 0 && !lists_match())
				bad_list = i;
		} else {
			for (int l = 0; l < 3; l++)
				json_object_clear(done_ids[l]);
		}
		if ((d = file_size(root, "data/local.delta")) > max_delta)
			max_delta = (int)d;
		if (i % 97 == 96) {
			if (rb_compact(root, 1, &e) < 0)
				fail("compact: %s", e.details);
			compactions++;
			if (bad_compact < 0 &&
			    (!views_match(&which) || !lists_match()))
				bad_compact = i;
		}
	}
	diag("%d of %d transactions committed, %d compactions, largest "
	     "local.delta %d bytes",
	    commits, STEPS, compactions, max_delta);
	ok(commits > STEPS / 2, "most random transactions committed");
	ok(max_delta > 0, "writes went to data/local.delta");
	ok(bad_view < 0,
	    "after every write, delta over base answers as a full build "
	    "(first difference at step %d, in %s)",
	    bad_view, which ? "block" : "local");
	ok(bad_list < 0,
	    "after every write, the store lists what was written "
	    "(first difference at step %d)",
	    bad_list);
	ok(bad_compact < 0,
	    "after each compaction too (first difference at step %d)",
	    bad_compact);
	ok(file_size(root, "data/local.delta") < 0 || compactions > 0,
	    "compactions ran");
	for (int l = 0; l < 3; l++) {
		json_decref(live[l]);
		json_decref(done_ids[l]);
	}
	snprintf(path, sizeof path, "rm -rf '%s'", top);
	if (system(path) != 0)
		diag("could not remove %s", top);
	done_testing();
	return tap_failed != 0;
}
