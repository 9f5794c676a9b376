/*
 * rb-logs: rb-dnsd's query log as Runbound's GET /logs JSON, newest first,
 * with the same filters: -n limit, -p page, -a action, -c client,
 * -s since (Unix seconds).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "stats/json.h"
#include "sys/root.h"

static int
usage(int help)
{
	return rb_usage_print("usage: rb-logs [-d ROOT] [-n LIMIT] [-p PAGE] "
	                      "[-a ACTION] [-c CLIENT] [-s SINCE]\n",
	    help);
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL, *limit = NULL, *page = NULL;
	const char *action = NULL, *client = NULL, *since = NULL;
	const struct rb_stats_shm *s;
	struct rb_logs_query q;
	struct rb_err e = { 0 };
	char root[RB_PATH_MAX];
	json_t *j;
	int c;

	rb_log_init("rb-logs", 0);
	while ((c = rb_usage_getopt(argc, argv, "d:n:p:a:c:s:h")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'n':
			limit = optarg;
			break;
		case 'p':
			page = optarg;
			break;
		case 'a':
			action = optarg;
			break;
		case 'c':
			client = optarg;
			break;
		case 's':
			since = optarg;
			break;
		default:
			return usage(c == 'h');
		}
	}
	if (optind != argc)
		return usage(0);
	if (rb_stats_json_logs_query(&q, limit, page, action, client, since,
	        &e) < 0)
		rb_die(100, "%s: %s", e.code, e.details);
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if ((s = rb_stats_open(root)) == NULL)
		rb_die(111,
		    "unable to map run/stats.shm: %s (is rb-dnsd "
		    "running?)",
		    strerror(errno));
	j = rb_stats_json_logs(s, &q);
	if (j == NULL || json_dumpf(j, stdout, JSON_COMPACT) < 0 ||
	    puts("") == EOF)
		rb_die(111, "unable to write output");
	json_decref(j);
	rb_stats_close((struct rb_stats_shm *)s);
	return 0;
}
