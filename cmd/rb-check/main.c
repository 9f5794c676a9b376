/*
 * rb-check: check runbound.conf as unbound-checkconf checks unbound.conf.
 * Reads ROOT/runbound.conf (ROOT from -d, else $RB_ROOT, else the current
 * directory) or the file given with -c, and every file it includes.
 * Warnings go to stderr, one per line they are about, and after them one
 * line naming what the config sets that runbound-c ignores, with counts
 * (doc/runbound.conf.md says why); an invalid config prints one fatal line
 * naming file and line and exits 100; a valid one prints the effective
 * configuration as JSON on stdout, secrets replaced by "***", and exits 0.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "conf/conf.h"
#include "prog/usage.h"
#include "sys/root.h"

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print("usage: rb-check [-d ROOT] [-c FILE]\n", help));
}

static void
warn_line(void *ctx, const char *file, int line, const char *msg)
{
	(void)ctx;
	if (file == NULL) { /* the summary of what is ignored */
		fprintf(stderr, "rb-check: %s\n", msg);
		return;
	}
	rb_warn("%s:%d: %s", file, line, msg);
}

/* The file to read: -c FILE, else ROOT/runbound.conf. */
static const char *
conf_path(const char *file, const char *root, char *buf, size_t len)
{
	int n;

	if (file != NULL)
		return file;
	if (root == NULL || root[0] == '\0')
		root = getenv("RB_ROOT");
	if (root == NULL || root[0] == '\0')
		return "runbound.conf";
	n = snprintf(buf, len, "%s%srunbound.conf", root,
	    root[strlen(root) - 1] == '/' ? "" : "/");
	if (n < 0 || (size_t)n >= len)
		rb_die(100, "state root too long: %s", root);
	return buf;
}

int
main(int argc, char **argv)
{
	const char *file = NULL, *root = NULL, *path;
	char buf[RB_PATH_MAX], where[1024];
	struct rb_diag d = { 0 };
	struct rb_conf *c;
	char *json;
	int ch;

	rb_log_init("rb-check", 0);
	while ((ch = rb_usage_getopt(argc, argv, "d:c:h")) != -1) {
		switch (ch) {
		case 'd':
			root = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		default:
			usage(ch == 'h');
		}
	}
	if (optind != argc)
		usage(0);
	path = conf_path(file, root, buf, sizeof buf);
	c = rb_conf_load(path, &d, warn_line, NULL);
	if (c == NULL)
		rb_die(errno == ENOMEM ? 111 : 100, "%s",
		    rb_diag_str(&d, where, sizeof where));
	json = rb_conf_json(c, 1);
	rb_conf_free(c);
	if (json == NULL)
		rb_die(111, "unable to format the configuration: %s",
		    strerror(errno));
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0) {
		free(json);
		rb_die(111, "unable to write to stdout: %s", strerror(errno));
	}
	free(json);
	return 0;
}
