/*
 * usage: see usage.h.  One place decides where a usage text goes and the
 * exit code that goes with it, so that no program answers -h with
 * "invalid option" or prints its help as a fatal error.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "prog/usage.h"

static const struct option help_option[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
rb_usage_getopt(int argc, char *const argv[], const char *spec)
{
	return getopt_long(argc, argv, spec, help_option, NULL);
}

int
rb_usage_print(const char *text, int help)
{
	if (!help) {
		fputs(text, stderr);
		return 100;
	}
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		rb_error("unable to write the usage: %s", strerror(errno));
		return 111;
	}
	return 0;
}
