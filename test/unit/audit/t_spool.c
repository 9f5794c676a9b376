/* Unit tests for lib/audit/spool: names sort by time, content is one JSON line.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/spool.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	char root[256], dir[300], path[600], cmd[300], *names[8], *txt;
	struct rb_err e = { 0 };
	struct dirent *d;
	json_t *f = json_pack("{s:s}", "path", "/dns"), *j;
	size_t n = 0;
	DIR *dp;

	snprintf(root, sizeof root, "/tmp/t_spool.%d", (int)getpid());
	for (int i = 0; i < 3; i++)
		ok(rb_audit_spool_event(root, "auth_failure", f, &e) == 0,
		    "event %d spooled", i);
	ok(rb_audit_spool_event(root, "startup", NULL, &e) == 0, "no fields");
	json_decref(f);
	snprintf(dir, sizeof dir, "%s/audit/spool", root);
	if ((dp = opendir(dir)) == NULL)
		bail("opendir");
	while ((d = readdir(dp)) != NULL && n < 8)
		if (d->d_name[0] != '.')
			names[n++] = strdup(d->d_name);
	closedir(dp);
	is_int((long)n, 4, "four files, no temporaries left");
	qsort(names, n, sizeof names[0], cmp);
	ok(strlen(names[0]) > 26 && names[0][20] == '-' &&
	        strcmp(names[0] + strlen(names[0]) - 5, ".json") == 0,
	    "name is <20 digits>-<pid>-<n>.json");
	snprintf(path, sizeof path, "%s/%s", dir, names[3]);
	txt = rb_file_read(path, 4096, NULL);
	ok(txt != NULL && txt[strlen(txt) - 1] == '\n', "ends in a newline");
	j = txt ? json_loads(txt, 0, NULL) : NULL;
	is_str(json_string_value(json_object_get(j, "event")), "startup",
	    "sorted by time: the last one is last");
	ok(json_is_object(json_object_get(j, "fields")), "fields {}");
	json_decref(j);
	free(txt);
	snprintf(path, sizeof path, "%s/%s", dir, names[0]);
	txt = rb_file_read(path, 4096, NULL);
	j = txt ? json_loads(txt, 0, NULL) : NULL;
	is_str(json_string_value(
	           json_object_get(json_object_get(j, "fields"), "path")),
	    "/dns", "fields kept");
	ok(json_integer_value(json_object_get(j, "ts")) > 1700000000, "ts");
	json_decref(j);
	free(txt);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
