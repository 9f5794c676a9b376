/*
 * spool: the hand-off from daemons to rb-auditd.  A file name is a
 * CLOCK_REALTIME nanosecond count (20 digits, zero-padded), the writer's
 * pid and a per-process counter, so names sort by time, never collide
 * between processes and never collide within one.  Files appear only by
 * rename (rb_atomic_replace), so a reader that skips names starting with a
 * dot never sees a partial event.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/files.h"
#include "audit/line.h"
#include "audit/source.h"
#include "audit/spool.h"
#include "base/path.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

/* The event as one JSON line, malloc'd (caller frees); NULL on ENOMEM. */
static char *
event_line(int64_t ts, const char *event, const json_t *fields, size_t *len)
{
	json_t *ev = json_pack("{s:I, s:s, s:o}", "ts", (json_int_t)ts, "event",
	    event, "fields", fields ? json_deep_copy(fields) : json_object());
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL, *line;
	size_t n;

	json_decref(ev);
	if (text == NULL)
		return NULL;
	n = strlen(text);
	if ((line = realloc(text, n + 2)) == NULL) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

int
rb_audit_spool_event(const char *root, const char *event, const json_t *fields,
    struct rb_err *e)
{
	static unsigned counter;
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], *line;
	struct timespec ts;
	size_t len = 0;
	int r;

	if (snprintf(dir, sizeof dir, "%s/audit/spool", root) >=
	    (int)sizeof dir)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if (rb_file_mkdirs(dir, 0750) < 0)
		return rb_err_sys(e, "create audit/spool");
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	rb_path(path, sizeof path, "%s/%020llu-%d-%u.json", dir,
	    (unsigned long long)ts.tv_sec * 1000000000ull +
	        (unsigned long long)ts.tv_nsec,
	    (int)getpid(), counter++);
	if ((line = event_line((int64_t)ts.tv_sec, event, fields, &len)) ==
	    NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	r = rb_atomic_replace(path, line, len, 0640);
	free(line);
	if (r < 0)
		return rb_err_sys(e, "write audit/spool event");
	return 0;
}

int
rb_audit_spool_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n <= 5 || n > 200 || name[0] == '.' ||
	    strcmp(name + n - 5, ".json") != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return 0;
	}
	return 1;
}

static int
shape_ok(const json_t *j, const char **why)
{
	const char *k;
	json_t *v;

	if (!json_is_object(j))
		return *why = "not a JSON object", -1;
	json_object_foreach ((json_t *)j, k, v) {
		if (strcmp(k, "ts") != 0 && strcmp(k, "event") != 0 &&
		    strcmp(k, "fields") != 0)
			return *why = "unknown key", -1;
	}
	v = json_object_get(j, "ts");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)1 << 40)
		return *why = "ts is not a Unix time", -1;
	v = json_object_get(j, "fields");
	if (v != NULL && !json_is_object(v))
		return *why = "fields is not an object", -1;
	v = json_object_get(j, "event");
	if (!json_is_string(v) || json_string_length(v) > RB_AUDIT_EVENT_MAX ||
	    !rb_audit_line_event_ok(json_string_value(v)))
		return *why = "event is not a valid event name", -1;
	if (rb_audit_source_reserved(json_string_value(v)))
		return *why = "event is reserved to rb-auditd", -1;
	return 0;
}

int
rb_audit_spool_parse(const char *text, size_t len, int64_t *ts,
    char event[RB_AUDIT_EVENT_MAX + 1], json_t **fields, const char **why)
{
	json_t *j, *f;

	*fields = NULL;
	*why = "ok";
	if (len > RB_AUDIT_SPOOL_MAX)
		return *why = "file too large", -1;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return *why = "not valid JSON", -1;
	if (shape_ok(j, why) < 0) {
		json_decref(j);
		return -1;
	}
	*ts = (int64_t)json_integer_value(json_object_get(j, "ts"));
	snprintf(event, RB_AUDIT_EVENT_MAX + 1, "%s",
	    json_string_value(json_object_get(j, "event")));
	f = json_object_get(j, "fields");
	*fields = f != NULL ? json_incref(f) : json_object();
	json_decref(j);
	if (*fields == NULL)
		return *why = "out of memory", -1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rb_audit_spool_list(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((ent = readdir(d)) != NULL) {
		if (!rb_audit_spool_name_ok(ent->d_name))
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nv = realloc(*names, nc * sizeof *nv);

			if (nv == NULL)
				goto fail;
			*names = nv;
			cap = nc;
		}
		if (((*names)[*n] = strdup(ent->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, cmp_str);
	return 0;
fail:
	closedir(d);
	rb_audit_files_free(*names, *n);
	*names = NULL;
	*n = 0;
	errno = ENOMEM;
	return -1;
}
