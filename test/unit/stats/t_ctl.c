/* Unit tests for lib/stats/ctl: requests, acknowledgements, data inodes, the
 * view that follows a restarted rb-dnsd. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/ctl.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static void
touch(const char *root, const char *name)
{
	char path[300];

	snprintf(path, sizeof path, "%s/data/%s", root, name);
	if (rb_atomic_replace(path, "x", 1, 0644) < 0)
		bail("touch");
}

static uint64_t
ino(const char *root, const char *name)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof path, "%s/data/%s", root, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int
main(void)
{
	char root[256], path[300], cmd[300], *txt;
	struct rb_ctl_view v;
	struct rb_ctl_acks acks;
	struct rb_stats_shm *w;
	const struct rb_stats_shm *s, *s2;
	struct rb_err e = { 0 };
	uint64_t n1 = 0, n2 = 0;

	snprintf(root, sizeof root, "/tmp/t_ctl.%d", (int)getpid());
	rb_ctl_init(&v, root);
	ok(rb_ctl_stats(&v) == NULL, "no stats.shm: no view");

	ok(rb_ctl_request(root, "clear-logs", &n1, &e) == 0, "request");
	ok(n1 != 0 && n1 < (1ull << 63), "nonce is 63-bit and not 0");
	snprintf(path, sizeof path, "%s/run/ctl/clear-logs", root);
	txt = rb_file_read(path, 64, NULL);
	snprintf(cmd, sizeof cmd, "%llu\n", (unsigned long long)n1);
	is_str(txt, cmd, "file holds the nonce and a newline");
	free(txt);
	ok(rb_ctl_request(root, "clear-logs", &n2, &e) == 0 && n2 != n1,
	    "a new request, a new nonce");
	{
		static struct rb_ctl_issued h;
		uint64_t t[3];

		ok(rb_ctl_issue(&h, root, "reload", &t[0], &e) == 0 &&
		        rb_ctl_issue(&h, root, "reload", &t[1], &e) == 0 &&
		        rb_ctl_issue(&h, root, "reload", &t[2], &e) == 0,
		    "three requests recorded");
		ok(rb_ctl_answers(&h, t[0], h.nonce[t[0]]) &&
		        rb_ctl_answers(&h, t[0], h.nonce[t[2]]),
		    "a request is answered by its own nonce or a later one's");
		ok(!rb_ctl_answers(&h, t[2], h.nonce[t[0]]),
		    "not by an earlier one's");
		ok(!rb_ctl_answers(&h, t[1], 0) &&
		        !rb_ctl_answers(&h, t[1], 12345),
		    "nor by none or a stranger");
	}

	w = rb_stats_create(root, 8, 0);
	if (w == NULL)
		bail("rb_stats_create");
	s = rb_ctl_stats(&v);
	ok(s != NULL, "view maps stats.shm");
	ok(rb_ctl_stats(&v) == s, "same file: same mapping");
	ok(rb_ctl_alive(s), "our own pid is alive");
	rb_ctl_acks(s, &acks);
	ok(acks.clear_done == 0 && acks.reload_done == 0, "no acks yet");
	rb_stats_ack_clear(w, n2, 47);
	rb_stats_ack_reload(w, 99);
	rb_ctl_acks(s, &acks);
	ok(acks.clear_done == n2 && acks.clear_deleted == 47,
	    "clear acknowledged with its count");
	is_int((long)acks.reload_done, 99, "reload acknowledged");

	ok(rb_ctl_data_live(root, s), "no data files, none published: live");
	snprintf(path, sizeof path, "%s/data", root);
	if (rb_file_mkdirs(path, 0755) < 0)
		bail("mkdir data");
	touch(root, "local.cdb");
	touch(root, "block.cdb");
	ok(!rb_ctl_data_live(root, s), "new files not yet mapped");
	rb_stats_set_data(w, 0, ino(root, "local.cdb"));
	ok(!rb_ctl_data_live(root, s), "one of two mapped");
	rb_stats_set_data(w, 1, ino(root, "block.cdb"));
	ok(rb_ctl_data_live(root, s), "both mapped: live");
	touch(root, "local.cdb");
	ok(!rb_ctl_data_live(root, s), "replaced again: not live");

	rb_stats_close(w);
	w = rb_stats_create(root, 8, 0); /* rb-dnsd restarted */
	if (w == NULL)
		bail("rb_stats_create");
	rb_stats_ack_reload(w, 7);
	s2 = rb_ctl_stats(&v);
	ok(s2 != NULL, "re-mapped after a restart");
	rb_ctl_acks(s2, &acks);
	is_int((long)acks.reload_done, 7, "and reads the new file");
	rb_stats_close(w);
	snprintf(path, sizeof path, "%s/run/stats.shm", root);
	unlink(path);
	ok(rb_ctl_stats(&v) == NULL, "file gone: no view");
	rb_ctl_fini(&v);

	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
