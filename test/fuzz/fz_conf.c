/*
 * Fuzz rb_conf_parse (and rb_conf_json on what it accepts).  The input is
 * copied so the parser never relies on a terminating NUL.  include: would
 * let the fuzzer read any file on the machine, so the target runs in a
 * directory of its own holding a few small files (one including itself)
 * and skips inputs that could name a path outside it ('/' with include).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static char dir[] = "/tmp/fz_conf.XXXXXX";
static const char *const files[] = { "a.conf", "b.conf", "loop.conf" };

static void
cleanup(void)
{
	/* Best effort: a leftover directory in /tmp harms nothing. */
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		(void)unlink(files[i]);
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL || chdir(dir) < 0)
		abort();
	put(files[0], "server:\n port: 5353\n local-zone: a static\n");
	put(files[1], "forward-zone:\n name: .\n forward-addr: 1.1.1.1\n");
	put(files[2], "server:\n include: loop.conf\n");
	atexit(cleanup);
	return 0;
}

static void
ignore(void *ctx, const char *file, int line, const char *msg)
{
	(void)ctx;
	(void)file;
	(void)line;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_diag d;
	struct rb_conf *c;
	char *text, *json;

	if (memchr(data, '/', size) != NULL &&
	    memmem(data, size, "include", 7) != NULL)
		return 0;
	text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	if (size)
		memcpy(text, data, size);
	c = rb_conf_parse("fuzz.conf", text, size, &d, ignore, NULL);
	if (c != NULL) {
		json = rb_conf_json(c, 1);
		free(json);
		rb_conf_free(c);
	}
	free(text);
	return 0;
}
