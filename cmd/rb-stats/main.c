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
#include "stats/json.h"
#include "sys/root.h"

static int
usage(void)
{
	fputs("usage: rb-stats [-d ROOT] [-u]\n", stderr);
	return 100;
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	const struct rb_stats_shm *s;
	char root[RB_PATH_MAX];
	int c, up = 0;
	json_t *j;

	rb_log_init("rb-stats", 0);
	while ((c = getopt(argc, argv, "d:uh")) != -1) {
		if (c == 'd')
			opt_root = optarg;
		else if (c == 'u')
			up = 1;
		else
			return usage();
	}
	if (optind != argc)
		return usage();
	if (rb_root_resolve(opt_root, root, sizeof root) < 0)
		rb_die(111, "unable to resolve the state root: %s",
		    strerror(errno));
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
