/*
 * rb-stats: rb-dnsd's counters as Runbound's GET /stats JSON, or with -u
 * the upstream health of GET /upstreams, read from run/stats.shm without
 * disturbing the server.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "stats/json.h"
#include "sys/root.h"

static int
usage(int help)
{
	return rb_usage_print("usage: rb-stats [-d ROOT] [-u]\n", help);
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	const struct rb_stats_shm *s;
	struct rb_err e = { 0 };
	char root[RB_PATH_MAX];
	int c, up = 0;
	json_t *j;

	rb_log_init("rb-stats", 0);
	while ((c = rb_usage_getopt(argc, argv, "d:uh")) != -1) {
		if (c == 'd')
			opt_root = optarg;
		else if (c == 'u')
			up = 1;
		else
			return usage(c == 'h');
	}
	if (optind != argc)
		return usage(0);
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if ((s = rb_stats_open(root)) == NULL)
		rb_die(111,
		    "unable to map run/stats.shm: %s (is rb-dnsd "
		    "running?)",
		    strerror(errno));
	j = up ? rb_stats_json_upstreams(s) :
	         rb_stats_json(s, (int64_t)time(NULL));
	if (j == NULL ||
	    json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(10)) < 0 ||
	    puts("") == EOF)
		rb_die(111, "unable to write output");
	json_decref(j);
	rb_stats_close((struct rb_stats_shm *)s);
	return 0;
}
