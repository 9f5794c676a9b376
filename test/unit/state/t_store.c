/* Unit tests for lib/state/store: apply, idempotent replay, checkpoint and
 * reload, zones history. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/store.h"
#include "state/txn.h"
#include "sys/atomic.h"

#include "../../tap.h"

static json_t *
ev(long long seq, const char *name, json_t *fields)
{
	return json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)seq, "event",
	    name, "fields", fields);
}

/* zones_update: newest last, a repeated id moves up, 10 kept. */
static void
zones_history(struct rb_store *s)
{
	struct rb_err e = { 0 };
	char id[65];
	json_t *a;

	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof id, "%064d", i);
		a = ev(10 + i, "zones_update",
		    json_pack("{s:s, s:i}", "id", id, "size", i));
		ok(rb_store_apply(s, a, &e) == 0, "zones_update %d", i);
		json_decref(a);
	}
	is_int(json_array_size(s->zones), RB_ZONES_KEPT,
	    "the newest 10 builds are kept");
	snprintf(id, sizeof id, "%064d", 2);
	is_str(json_string_value(
	           json_object_get(json_array_get(s->zones, 0), "id")),
	    id, "the oldest two went");
	snprintf(id, sizeof id, "%064d", 0);
	ok(rb_store_find(s, RB_COLL_ZONES, id) == NULL, "and left the index");
	snprintf(id, sizeof id, "%064d", 5);
	a = ev(30, "zones_update", json_pack("{s:s}", "id", id));
	ok(rb_store_apply(s, a, &e) == 0, "a build with a kept id again");
	json_decref(a);
	is_int(json_array_size(s->zones), RB_ZONES_KEPT, "is not kept twice");
	is_str(json_string_value(
	           json_object_get(json_array_get(s->zones, RB_ZONES_KEPT - 1),
	               "id")),
	    id, "but becomes the newest");
}

/* An older root: store/dns.json and store/seq, no journal.  A reader
 * finds it converted (under the exclusive lock, once), and a writer then
 * goes on from it. */
static void
older_root(const char *root)
{
	char path[300], cmd[320];
	const char *old = "{\"seq\":2,\"entries\":[\n"
	                  "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11\","
	                  "\"name\":\"a.home.\",\"type\":\"A\","
	                  "\"value\":\"10.0.0.1\",\"ttl\":300},\n"
	                  "{\"id\":\"6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c12\","
	                  "\"name\":\"b.home.\",\"type\":\"A\","
	                  "\"value\":\"10.0.0.2\",\"ttl\":300}\n]}\n";
	struct rb_store s;
	struct rb_txn t;
	struct rb_err e = { 0 };

	snprintf(cmd, sizeof cmd, "mkdir -p %s/store", root);
	if (system(cmd) != 0)
		bail("mkdir");
	snprintf(path, sizeof path, "%s/store/dns.json", root);
	if (rb_atomic_replace(path, old, strlen(old), 0640) < 0)
		bail("write dns.json");
	snprintf(path, sizeof path, "%s/store/seq", root);
	if (rb_atomic_replace(path, "2\n", 2, 0640) < 0)
		bail("write seq");
	ok(rb_txn_read(&s, root, 0, NULL, &e) == 0, "an older root reads");
	is_int(rb_store_count(&s, RB_COLL_DNS), 2, "both entries");
	ok(rb_store_find(&s, RB_COLL_DNS,
	       "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c12") != NULL,
	    "found by id in the new base");
	rb_store_fini(&s);
	snprintf(path, sizeof path, "%s/store/dns.json", root);
	ok(access(path, F_OK) < 0, "store/dns.json is gone");
	snprintf(path, sizeof path, "%s/store/seq", root);
	ok(access(path, F_OK) < 0, "and store/seq");
	snprintf(path, sizeof path, "%s/store/dns.cdb", root);
	ok(access(path, F_OK) == 0, "store/dns.cdb is its base");
	ok(rb_txn_begin(&t, root, &e) == 0, "a writer begins");
	is_int(t.next, 3, "after the converted seq");
	is_int(t.store.applied, 2, "store/applied holds it");
	rb_txn_end(&t);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
}

int
main(void)
{
	char root[256], cmd[300], key[256];
	struct rb_store s;
	struct rb_err e = { 0 };
	const char *id = "6f1c1b7e-7f0b-4c35-9a7e-0d7f6b3a2c11";
	json_t *a;

	snprintf(root, sizeof root, "/tmp/t_store.%d", (int)getpid());
	ok(rb_store_load(&s, root, &e) == 0, "load an empty root");
	a = ev(1, "dns_add",
	    json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", id, "name",
	        "NAS.home.", "type", "A", "value", "192.168.1.10", "ttl", 300));
	ok(rb_store_apply(&s, a, &e) == 0, "apply dns_add");
	ok(rb_store_apply(&s, a, &e) == 0, "apply it again");
	json_decref(a);
	is_int(rb_store_count(&s, RB_COLL_DNS), 1, "replay is idempotent");
	is_int(s.v[RB_COLL_DNS].seq, 1, "collection seq follows the event");
	ok(rb_store_find(&s, RB_COLL_DNS, id) != NULL, "found by id");
	rb_store_key(RB_COLL_DNS, rb_store_find(&s, RB_COLL_DNS, id), key,
	    sizeof key);
	is_str(key, "nas.home. A 192.168.1.10", "dns key lower-cases the name");
	is_str(rb_store_id_of(&s, RB_COLL_DNS, key), id, "found by key");
	a = ev(2, "logs_clear", json_pack("{s:i}", "entries_deleted", 3));
	ok(rb_store_apply(&s, a, &e) == 0, "events of no collection ignored");
	json_decref(a);
	is_int(s.last, 2, "but they advance the store's last seq");
	ok(rb_store_save(&s, 3, 0, &e) == 0, "save");
	is_int(s.applied, 2, "a root without store/applied gets one");
	a = ev(3, "logs_clear", json_pack("{s:i}", "entries_deleted", 0));
	ok(rb_store_apply(&s, a, &e) == 0 && rb_store_save(&s, 4, 0, &e) == 0,
	    "one more event, saved");
	json_decref(a);
	is_int(s.applied, 2, "store/applied not moved: the journal holds it");
	ok(rb_store_save(&s, 3, 1, &e) == 0, "save, forced");
	is_int(s.applied, 2, "store/applied moved to what the files hold");
	rb_store_fini(&s);
	ok(rb_store_load(&s, root, &e) == 0, "reload");
	is_int(rb_store_count(&s, RB_COLL_DNS), 1, "entry survived");
	is_int(s.applied, 2, "store/applied survived");
	is_int(s.next, 3, "and the journal file that follows");
	ok(rb_store_find(&s, RB_COLL_DNS, id) != NULL,
	    "found by id in the checkpoint");
	a = ev(4, "dns_delete", json_pack("{s:s}", "id", id));
	ok(rb_store_apply(&s, a, &e) == 0, "apply dns_delete");
	json_decref(a);
	is_int(rb_store_count(&s, RB_COLL_DNS), 0, "entry gone");
	ok(rb_store_find(&s, RB_COLL_DNS, id) == NULL, "index updated");
	ok(rb_store_id_of(&s, RB_COLL_DNS, key) == NULL, "and by key");
	a = ev(5, "dns_add", json_pack("{s:s}", "name", "x."));
	ok(rb_store_apply(&s, a, &e) < 0, "an add without id is refused");
	json_decref(a);
	zones_history(&s);
	rb_store_fini(&s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	older_root(root);
	done_testing();
	return exit_status();
}
