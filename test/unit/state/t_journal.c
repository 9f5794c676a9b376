/* Unit tests for lib/state/journal: epochs, gapless seqs, replay, retention. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/journal.h"

#include "../../tap.h"

static char root[256];

static json_t *
events(int n, const char *name)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:{s:i}}", "event", name, "fields", "i",
		        i));
	return a;
}

static int
count_cb(void *ctx, json_t *ev)
{
	long *n = ctx;

	(*n)++;
	return json_integer_value(json_object_get(ev, "seq")) > 0 ? 0 : -1;
}

static void
test_append_replay(void)
{
	struct rb_journal j;
	struct rb_err e = { 0 };
	char epoch[64];
	json_t *a;
	long n = 0;

	ok(rb_journal_open(&j, root, 5, &e) == 0, "open new journal");
	is_int(strlen(j.epoch), 36, "new journal has a uuid epoch");
	snprintf(epoch, sizeof epoch, "%s", j.epoch);
	is_int(j.last, 0, "new journal is empty");
	a = events(3, "dns_add");
	ok(rb_journal_append(&j, a, 1, &e) == 0, "append a transaction of 3");
	json_decref(a);
	is_int(j.last, 3, "last seq 3");
	ok(rb_journal_open(&j, root, 5, &e) == 0, "reopen");
	is_str(j.epoch, epoch, "epoch kept across opens");
	is_int(j.first, 1, "first seq 1");
	is_int(j.last, 3, "last seq found from the newest file");
	ok(rb_journal_each(&j, 1, count_cb, &n, &e) == 0, "replay since 1");
	is_int(n, 2, "two events after seq 1");
	for (int i = 0; i < 10; i++) {
		a = events(1, "blacklist_add");
		rb_journal_append(&j, a, j.last + 1, &e);
		json_decref(a);
	}
	is_int(j.last, 13, "13 events written");
	ok(j.last - j.first + 1 >= 5, "retention keeps at least 5 events");
	ok(j.first > 1, "older files pruned");
	n = 0;
	ok(rb_journal_each(&j, 0, count_cb, &n, &e) == 0, "replay all kept");
	is_int(n, (long)(j.last - j.first + 1), "every kept event replayed");
}

static void
test_damage(void)
{
	struct rb_journal j;
	struct rb_err e = { 0 };
	char path[512];
	FILE *f;
	long n = 0;
	char cmd[600];

	rb_journal_open(&j, root, 100, &e);
	snprintf(path, sizeof path, "%s/journal/%020llu.jnl", root,
	    (unsigned long long)j.last + 1);
	f = fopen(path, "w");
	fputs("{\"seq\":99,\"event\":\"x\"}\n", f);
	fclose(f);
	rb_journal_open(&j, root, 100, &e);
	ok(rb_journal_each(&j, 0, count_cb, &n, &e) < 0,
	    "a file whose seq does not match its name is refused");
	is_str(e.code, "INTERNAL_ERROR", "damage reported");
	snprintf(cmd, sizeof cmd, "rm -rf %s/journal", root);
	ok(system(cmd) == 0, "journal wiped");
	{
		char old[64];
		snprintf(old, sizeof old, "%s", j.epoch);
		rb_journal_open(&j, root, 100, &e);
		ok(strcmp(old, j.epoch) != 0,
		    "a wiped journal has a new epoch");
	}
}

int
main(void)
{
	char cmd[300];

	snprintf(root, sizeof root, "/tmp/t_journal.%d", (int)getpid());
	test_append_replay();
	test_damage();
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
