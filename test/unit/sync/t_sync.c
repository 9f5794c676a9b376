/*
 * Unit tests for replication without the network: lib/sync/source on a master
 * root, its answers through the lib/sync/proto parsers, lib/sync/apply into
 * a slave root; the slave's journal, store and data/ must equal the
 * master's.  Also the journal and txn functions replication added, the
 * parsers' refusals, sync/state and the pin file.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/status.h"
#include "state/journal.h"
#include "state/lists.h"
#include "state/txn.h"
#include "sync/apply.h"
#include "sync/proto.h"
#include "sync/source.h"
#include "sync/state.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "state/compact.h"

#include "../files.h"
#include "../../tap.h"

static char base[256], mroot[300], sroot[300];

static int
write_op(const char *root, enum rb_list l, const char *body)
{
	struct rb_txn t;
	struct rb_err e = { 0 };
	json_t *req = json_loads(body, 0, NULL), *resp = NULL;
	int r = -1;

	if (rb_txn_begin(&t, root, &e) < 0)
		goto done;
	if (rb_lists_add(&t, l, req, &resp, &e) == 0 &&
	    rb_txn_commit(&t, &e) == 0)
		r = 0;
	rb_txn_end(&t);
done:
	if (r < 0)
		diag("write failed: %s %s", e.code, e.details);
	json_decref(req);
	json_decref(resp);
	return r;
}

static int
del_first(const char *root, enum rb_list l)
{
	struct rb_txn t;
	struct rb_err e = { 0 };
	json_t *resp = NULL;
	const char *id;
	int r = -1;

	if (rb_txn_begin(&t, root, &e) < 0)
		return -1;
	id = json_string_value(
	    json_object_get(json_array_get(rb_store_entries(&t.store,
	                                       rb_lists_coll(l), &e),
	                        0),
	        "id"));
	if (id != NULL && rb_lists_delete(&t, l, id, &resp, &e) == 0 &&
	    rb_txn_commit(&t, &e) == 0)
		r = 0;
	rb_txn_end(&t);
	json_decref(resp);
	return r;
}

/* A JSON answer as the master sends it: dumped, to be parsed again. */
static char *
wire(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	return s;
}

/* Both roots in their canonical form: compacted (every collection a
 * base as of the last seq, store/applied there) and data/ rebuilt whole,
 * which is a pure function of the store (DESIGN.md contract 6). */
static int
canonical(void)
{
	const char *roots[2] = { mroot, sroot };
	struct rb_err e = { 0 };
	struct rb_txn t;

	for (int i = 0; i < 2; i++) {
		if (rb_compact(roots[i], 1, &e) < 0 ||
		    rb_txn_begin(&t, roots[i], &e) < 0) {
			diag("%s: %s", roots[i], e.details);
			return 0;
		}
		if (rb_txn_rebuild(&t, &e) < 0)
			diag("%s: %s", roots[i], e.details);
		rb_txn_end(&t);
	}
	return 1;
}

/* rel is byte for byte the same in both roots. */
static int
same_rel(const char *rel)
{
	char a[600], b[600];

	snprintf(a, sizeof a, "%s/%s", mroot, rel);
	snprintf(b, sizeof b, "%s/%s", sroot, rel);
	return same_file(a, b);
}

static int
collect(void *ctx, json_t *ev)
{
	char *s = json_dumps(ev, JSON_COMPACT);

	json_array_append_new(ctx, json_string(s));
	free(s);
	return 0;
}

/* The journal lines with seq > since, as text. */
static json_t *
lines(const char *root, uint64_t since)
{
	struct rb_journal j;
	struct rb_err e = { 0 };
	json_t *a = json_array();

	if (rb_journal_open_ro(&j, root, &e) < 0 ||
	    rb_journal_each(&j, since, collect, a, &e) < 0)
		diag("journal of %s: %s", root, e.details);
	return a;
}

static void
test_snapshot_then_delta(void)
{
	struct rb_sync_head h;
	struct rb_sync_snapshot s;
	struct rb_sync_delta d;
	struct rb_err e = { 0 };
	json_t *doc, *ml, *sl;
	char *txt;
	uint64_t now = 0, at;

	ok(write_op(mroot, RB_LIST_DNS,
	       "{\"name\":\"nas.home.\",\"type\":\"A\","
	       "\"value\":\"192.168.1.10\"}") == 0,
	    "master: dns add");
	write_op(mroot, RB_LIST_BLACKLIST, "{\"domain\":\"ads.example.com\"}");
	write_op(mroot, RB_LIST_ALLOWLIST, "{\"domain\":\"ok.example.com\"}");
	ok(rb_sync_source_head(mroot, &h, &e) == 0, "master head");
	is_int(h.seq, 3, "master at seq 3");
	is_int(h.oldest, 1, "oldest 1");

	ok(rb_sync_source_snapshot(mroot, 0, &doc, &e) == RB_SYNC_OK,
	    "snapshot");
	txt = wire(doc);
	ok(rb_sync_proto_snapshot_parse(&s, txt, strlen(txt), &e) == 0,
	    "snapshot parses");
	free(txt);
	is_int(s.seq, 3, "snapshot seq");
	is_str(s.epoch, h.epoch, "snapshot epoch");
	ok(rb_sync_apply_snapshot(sroot, &s, NULL, 0, &e) == 0,
	    "slave applies the snapshot");
	rb_sync_proto_snapshot_fini(&s);
	ok(canonical() && same_rel("store/dns.cdb") &&
	        same_rel("store/blacklist.cdb") &&
	        same_rel("store/allowlist.cdb") && same_rel("store/applied"),
	    "store files equal the master's, byte for byte");
	ok(same_rel("data/local.cdb") && same_rel("data/block.cdb"),
	    "data/ equals the master's");
	ok(same_rel("journal/epoch"), "slave adopted the master's epoch");

	write_op(mroot, RB_LIST_DNS,
	    "{\"name\":\"pc.home.\",\"type\":\"A\","
	    "\"value\":\"192.168.1.11\"}");
	del_first(mroot, RB_LIST_BLACKLIST);
	write_op(mroot, RB_LIST_BLACKLIST,
	    "{\"domain\":\"t.example\","
	    "\"action\":\"refuse\"}");
	ok(rb_sync_source_delta(mroot, 3, h.epoch, 100, &doc, &e) == RB_SYNC_OK,
	    "delta since 3");
	txt = wire(doc);
	ok(rb_sync_proto_delta_parse(&d, txt, strlen(txt), 3, &e) == 0,
	    "delta parses");
	free(txt);
	is_int(json_array_size(d.events), 3, "three events");
	is_int(d.seq, 6, "master seq 6");
	ok(rb_sync_apply_delta(sroot, d.epoch, 3, d.events, NULL, 0, &now,
	       &e) == RB_SYNC_APPLIED,
	    "slave applies the delta");
	is_int(now, 6, "slave at 6");
	ok(rb_sync_apply_delta(sroot, d.epoch, 3, d.events, NULL, 0, &at, &e) ==
	        RB_SYNC_DIVERGED,
	    "the same delta again: diverged, not doubled");
	rb_sync_proto_delta_fini(&d);
	ml = lines(mroot, 3);
	sl = lines(sroot, 3);
	ok(json_array_size(ml) == 3 && json_equal(ml, sl),
	    "journal events 4..6 equal, byte for byte");
	json_decref(ml);
	json_decref(sl);
	ok(canonical() && same_rel("store/dns.cdb") &&
	        same_rel("store/blacklist.cdb") && same_rel("store/applied") &&
	        same_rel("data/local.cdb") && same_rel("data/block.cdb"),
	    "store and data equal after delta, byte for byte once compacted");

	ok(rb_sync_source_delta(mroot, 6, h.epoch, 100, &doc, &e) == RB_SYNC_OK,
	    "delta at the head");
	is_int(json_array_size(json_object_get(doc, "events")), 0, "is empty");
	json_decref(doc);
	ok(rb_sync_source_delta(mroot, 7, h.epoch, 100, &doc, &e) ==
	        RB_SYNC_GONE,
	    "since past the head: 410");
	ok(rb_sync_source_delta(mroot, 3,
	       "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11", 100, &doc,
	       &e) == RB_SYNC_GONE,
	    "another epoch: 410");
	ok(rb_sync_source_delta(mroot, 3, NULL, 2, &doc, &e) == RB_SYNC_OK,
	    "a page of two");
	is_int(json_array_size(json_object_get(doc, "events")), 2,
	    "two events");
	json_decref(doc);
}

static void
test_retention_and_wipe(void)
{
	char conf[400], cmd[700];
	struct rb_sync_head h, h2;
	struct rb_err e = { 0 };
	json_t *doc;
	FILE *f;

	snprintf(conf, sizeof conf, "%s/runbound.conf", mroot);
	f = fopen(conf, "w");
	fputs("server:\n\tjournal-retention: 2\n", f);
	fclose(f);
	for (int i = 0; i < 4; i++) {
		char body[128];

		snprintf(body, sizeof body, "{\"domain\":\"r%d.example\"}", i);
		write_op(mroot, RB_LIST_BLACKLIST, body);
	}
	rb_sync_source_head(mroot, &h, &e);
	ok(h.oldest > 4, "old files pruned (oldest %llu)",
	    (unsigned long long)h.oldest);
	ok(rb_sync_source_delta(mroot, 3, h.epoch, 100, &doc, &e) ==
	        RB_SYNC_GONE,
	    "since older than the journal keeps: 410");
	/* The journal holds the events after the last checkpoint: a root
	 * loses none to a wiped journal once compacted (doc/store.md). */
	ok(rb_compact(mroot, 1, &e) >= 0, "compact the master");
	snprintf(cmd, sizeof cmd, "rm -rf %s/journal", mroot);
	ok(system(cmd) == 0, "wipe the master journal");
	ok(rb_sync_source_head(mroot, &h2, &e) < 0 && rb_http_status(&e) == 404,
	    "no head until a writer starts a new journal");
	write_op(mroot, RB_LIST_BLACKLIST, "{\"domain\":\"after.example\"}");
	ok(rb_sync_source_head(mroot, &h2, &e) == 0, "new head");
	ok(strcmp(h.epoch, h2.epoch) != 0, "new epoch");
	is_int(h2.seq, h.seq + 1, "seqs go on from the store");
	ok(rb_sync_source_delta(mroot, h.seq, h.epoch, 100, &doc, &e) ==
	        RB_SYNC_GONE,
	    "the old epoch gets 410");
	ok(rb_sync_source_delta(mroot, h.seq, h2.epoch, 100, &doc, &e) ==
	        RB_SYNC_OK,
	    "the new epoch gets the event");
	json_decref(doc);
	unlink(conf);
}

static void
test_journal_additions(void)
{
	char r[400];
	struct rb_journal j;
	struct rb_err e = { 0 };
	json_t *a;

	snprintf(r, sizeof r, "%s/j", base);
	ok(rb_journal_open_ro(&j, r, &e) < 0 && rb_http_status(&e) == 404,
	    "open_ro of no journal: NOT_FOUND, nothing created");
	ok(access(r, F_OK) < 0, "and no directory made");
	rb_journal_open(&j, r, 10, &e);
	a = json_pack("[{s:I, s:I, s:s, s:{}}, {s:I, s:I, s:s, s:{}}]", "seq",
	    (json_int_t)41, "ts", (json_int_t)7, "event", "x", "fields", "seq",
	    (json_int_t)42, "ts", (json_int_t)8, "event", "y", "fields");
	ok(rb_journal_append_as(&j, a, &e) == 0, "append_as 41..42");
	is_int(j.first, 41, "first 41");
	is_int(j.last, 42, "last 42");
	ok(rb_journal_append_as(&j, a, &e) < 0 && rb_http_status(&e) == 409,
	    "the same seqs again: SEQ_CONFLICT");
	json_decref(a);
	ok(rb_journal_reset(&j, "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11", &e) ==
	        0,
	    "reset to a given epoch");
	ok(rb_journal_open(&j, r, 10, &e) == 0 && j.last == 0 &&
	        strcmp(j.epoch, "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11") == 0,
	    "reopened: empty, with that epoch");
}

/* Parse {"events":[events],"seq":9,"epoch":...} as an answer to since. */
static int
delta_try(const char *events, uint64_t since)
{
	struct rb_sync_delta d;
	struct rb_err e = { 0 };
	char buf[1024];
	int r;

	snprintf(buf, sizeof buf,
	    "{\"events\":[%s],\"seq\":9,\"epoch\":"
	    "\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\"}",
	    events);
	r = rb_sync_proto_delta_parse(&d, buf, strlen(buf), since, &e);
	rb_sync_proto_delta_fini(&d);
	return r;
}

static void
test_parsers(void)
{
	struct rb_sync_delta d;
	struct rb_sync_snapshot s;
	struct rb_err e = { 0 };
	char fp[RB_SYNC_FP_LEN];
	const char *ep = "\"epoch\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\"";
	char buf[1024];

	ok(delta_try("", 5) == 0, "empty delta");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"x\",\"fields\":{}}", 5) ==
	        0,
	    "one event");
	ok(delta_try("{\"seq\":7,\"ts\":1,\"event\":\"x\",\"fields\":{}}", 5) <
	        0,
	    "a gap is refused");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"feed_update\","
	             "\"fields\":{\"id\":\"../../etc\"}}",
	       5) < 0,
	    "a store event with a non-UUID id is refused");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"x\",\"fields\":{},"
	             "\"more\":1}",
	       5) < 0,
	    "an extra member is refused");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"A\",\"fields\":{}}", 5) <
	        0,
	    "a bad name is refused");
	ok(rb_sync_proto_delta_parse(&d,
	       "{\"events\":[],\"seq\":1,\"epoch\":\"x\"}", 35, 0, &e) < 0,
	    "a non-UUID epoch is refused");
	ok(delta_try("", 10) < 0, "a head below since is refused");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"dns_add\",\"fields\":"
	             "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\","
	             "\"name\":"
	             "\"x.home.\",\"type\":\"A\",\"value\":\"192.0.2.1\","
	             "\"ttl\":60}}",
	       5) == 0,
	    "a dns_add this slave can serve");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"dns_add\",\"fields\":"
	             "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\","
	             "\"name\":"
	             "\"x.home.\",\"type\":\"A\",\"value\":\"not-an-ip\","
	             "\"ttl\":60}}",
	       5) < 0,
	    "a dns_add it cannot build is refused before it is journaled");
	ok(delta_try("{\"seq\":6,\"ts\":1,\"event\":\"dns_add\",\"fields\":"
	             "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\"}}",
	       5) < 0,
	    "a dns_add with only an id is refused");
	ok(delta_try(
	       "{\"seq\":6,\"ts\":1,\"event\":\"blacklist_add\",\"fields\":"
	       "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\",\"domain\":"
	       "\"bad..name\"}}",
	       5) < 0,
	    "a blacklist_add of a bad name is refused");
	snprintf(buf, sizeof buf,
	    "{\"format\":1,\"dns\":[{\"id\":"
	    "\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\",\"name\":\"x.home.\","
	    "\"type\":\"A\",\"value\":\"not-an-ip\",\"ttl\":60}],"
	    "\"blacklist\":[],\"allowlist\":[],\"feeds\":[],\"store_seq\":"
	    "{\"dns\":1,\"blacklist\":0,\"allowlist\":0,\"feeds\":0},"
	    "\"seq\":1,%s}",
	    ep);
	ok(rb_sync_proto_snapshot_parse(&s, buf, strlen(buf), &e) < 0,
	    "a snapshot with an entry it cannot build is refused");
	ok(strstr(e.details, "cannot serve") != NULL, "... saying so");
	snprintf(buf, sizeof buf,
	    "{\"format\":1,\"dns\":[],\"blacklist\":["
	    "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\",\"domain\":\"a\"}"
	    ","
	    "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\",\"domain\":\"b\"}"
	    "],"
	    "\"allowlist\":[],\"feeds\":[],\"store_seq\":{\"dns\":0,"
	    "\"blacklist\":2,\"allowlist\":0,\"feeds\":0},\"seq\":2,%s}",
	    ep);
	ok(rb_sync_proto_snapshot_parse(&s, buf, strlen(buf), &e) < 0,
	    "a repeated id is refused");
	ok(rb_sync_proto_fp_parse(
	       " ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:"
	       "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89\n",
	       97, fp) == 0,
	    "fingerprint with colons, lower case");
	is_str(fp,
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
	    "23:45:67:89:AB:CD:EF:01:23:45:67:89",
	    "canonical form");
	ok(rb_sync_proto_fp_parse("abcd", 4, fp) < 0,
	    "short fingerprint refused");
	{
		uint64_t v;

		ok(rb_sync_proto_parse_u64("18446744073709551615", &v) == 0 &&
		        v == UINT64_MAX,
		    "largest seq");
		ok(rb_sync_proto_parse_u64("18446744073709551616", &v) < 0,
		    "overflow refused");
		ok(rb_sync_proto_parse_u64("-1", &v) < 0 &&
		        rb_sync_proto_parse_u64("", &v) < 0,
		    "sign and empty refused");
	}
}

static void
test_state(void)
{
	struct rb_sync_state s = { 0 }, t;
	struct rb_err e = { 0 };
	char fp[RB_SYNC_FP_LEN], path[600];
	FILE *f;

	s.synced = 1;
	snprintf(s.epoch, sizeof s.epoch,
	    "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11");
	s.applied_seq = 42;
	s.master_seq = 50;
	snprintf(s.last_error, sizeof s.last_error, "connect: refused");
	ok(rb_sync_state_save(sroot, &s, &e) == 0, "save state");
	ok(rb_sync_state_load(sroot, &t, &e) == 0 && t.synced &&
	        t.applied_seq == 42 && t.master_seq == 50 &&
	        strcmp(t.epoch, s.epoch) == 0 &&
	        strcmp(t.last_error, "connect: refused") == 0,
	    "load it back");
	ok(rb_sync_state_pin_load(sroot, fp, &e) == 0, "no pin yet");
	ok(rb_sync_state_pin_save(sroot,
	       "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
	       "67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
	       &e) == 0 &&
	        rb_sync_state_pin_load(sroot, fp, &e) == 1,
	    "pin saved and read");
	snprintf(path, sizeof path, "%s/sync/" RB_SYNC_PIN, sroot);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	ok(rb_sync_state_pin_load(sroot, fp, &e) < 0,
	    "a damaged pin is an error, "
	    "never an empty pin");
}

int
main(void)
{
	char cmd[400];

	snprintf(base, sizeof base, "/tmp/t_sync.%d", (int)getpid());
	snprintf(mroot, sizeof mroot, "%s/m", base);
	snprintf(sroot, sizeof sroot, "%s/s", base);
	test_snapshot_then_delta();
	test_retention_and_wipe();
	test_journal_additions();
	test_parsers();
	test_state();
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	done_testing();
	return exit_status();
}
