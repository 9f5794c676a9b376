/* Unit tests for lib/state/store: apply, idempotent replay, save and reload. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/store.h"

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
	is_int(json_array_size(s->entries[RB_COLL_ZONES]), RB_ZONES_KEPT,
	    "the newest 10 builds are kept");
	snprintf(id, sizeof id, "%064d", 2);
	is_str(json_string_value(
	           json_object_get(json_array_get(s->entries[RB_COLL_ZONES], 0),
	               "id")),
	    id, "the oldest two went");
	snprintf(id, sizeof id, "%064d", 0);
	ok(rb_store_find(s, RB_COLL_ZONES, id) == NULL, "and left the index");
	snprintf(id, sizeof id, "%064d", 5);
	a = ev(30, "zones_update", json_pack("{s:s}", "id", id));
	ok(rb_store_apply(s, a, &e) == 0, "a build with a kept id again");
	json_decref(a);
	is_int(json_array_size(s->entries[RB_COLL_ZONES]), RB_ZONES_KEPT,
	    "is not kept twice");
	is_str(json_string_value(
	           json_object_get(json_array_get(s->entries[RB_COLL_ZONES],
	                               RB_ZONES_KEPT - 1),
	               "id")),
	    id, "but becomes the newest");
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
	is_int(json_array_size(s.entries[RB_COLL_DNS]), 1,
	    "replay is idempotent");
	is_int(s.seq[RB_COLL_DNS], 1, "collection seq follows the event");
	ok(rb_store_find(&s, RB_COLL_DNS, id) != NULL, "found by id");
	rb_store_key(RB_COLL_DNS, json_array_get(s.entries[RB_COLL_DNS], 0),
	    key, sizeof key);
	is_str(key, "nas.home. A 192.168.1.10", "dns key lower-cases the name");
	a = ev(2, "logs_clear", json_pack("{s:i}", "entries_deleted", 3));
	ok(rb_store_apply(&s, a, &e) == 0, "events of no collection ignored");
	json_decref(a);
	is_int(s.applied, 2, "but they advance the store seq");
	ok(rb_store_save(&s, &e) == 0, "save");
	rb_store_fini(&s);
	ok(rb_store_load(&s, root, &e) == 0, "reload");
	is_int(json_array_size(s.entries[RB_COLL_DNS]), 1, "entry survived");
	is_int(s.applied, 2, "store seq survived");
	a = ev(3, "dns_delete", json_pack("{s:s}", "id", id));
	ok(rb_store_apply(&s, a, &e) == 0, "apply dns_delete");
	json_decref(a);
	is_int(json_array_size(s.entries[RB_COLL_DNS]), 0, "entry gone");
	ok(rb_store_find(&s, RB_COLL_DNS, id) == NULL, "index updated");
	a = ev(4, "dns_add", json_pack("{s:s}", "name", "x."));
	ok(rb_store_apply(&s, a, &e) < 0, "an add without id is refused");
	json_decref(a);
	zones_history(&s);
	rb_store_fini(&s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
