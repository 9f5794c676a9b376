/*
 * files: the audit log's files in chain order (audit.log.<first seq> for
 * each rotated file, then audit.log) and the tail of the log read back
 * across them, for rb-audit tail, GET /audit/tail and rb-auditd's own
 * start (doc/audit.md).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/files.h"
#include "audit/line.h"
#include "sys/root.h"

/* --- files ------------------------------------------------------------ */

/* "audit.log.<20 digits>" */
static int
is_rotated(const char *name)
{
	if (strncmp(name, "audit.log.", 10) != 0 || strlen(name) != 30)
		return 0;
	for (const char *p = name + 10; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
	}
	return 1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
rb_audit_files_free(char **names, size_t n)
{
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

static int
add_name(char ***v, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, nc * sizeof *nv);

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = nc;
	}
	if (((*v)[*n] = strdup(name)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
rb_audit_files(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	size_t cap = 0;
	int current = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL)
		return -1;
	while ((ent = readdir(d)) != NULL) {
		if (strcmp(ent->d_name, "audit.log") == 0)
			current = 1;
		else if (is_rotated(ent->d_name) &&
		    add_name(names, n, &cap, ent->d_name) < 0)
			goto fail;
	}
	closedir(d);
	d = NULL;
	if (*n > 1)
		qsort(*names, *n, sizeof **names, cmp_names);
	if (current && add_name(names, n, &cap, "audit.log") < 0)
		goto fail;
	return 0;
fail:
	if (d != NULL)
		closedir(d);
	rb_audit_files_free(*names, *n);
	*names = NULL;
	*n = 0;
	errno = ENOMEM;
	return -1;
}

/* --- tail ------------------------------------------------------------- */

#define TAIL_MAX_BYTES (64u << 20) /* read at most this much of one file */

/* The complete lines at the end of fd, at least n of them when the file
 * has them: a malloc'd buffer of whole lines (caller frees). */
static char *
tail_bytes(int fd, long n, size_t *len)
{
	struct stat st;
	size_t want = 65536;

	if (fstat(fd, &st) < 0)
		return NULL;
	for (;;) {
		off_t from = st.st_size > (off_t)want ?
		    st.st_size - (off_t)want :
		    0;
		size_t got = (size_t)(st.st_size - from), lines = 0, skip = 0;
		char *buf = malloc(got + 1);
		ssize_t k;

		if (buf == NULL || (k = pread(fd, buf, got, from)) < 0) {
			free(buf);
			return NULL;
		}
		got = (size_t)k;
		for (size_t i = 0; i < got; i++)
			lines += buf[i] == '\n';
		if (lines <= (size_t)n && from > 0 && want < TAIL_MAX_BYTES) {
			free(buf);
			want *= 4;
			continue;
		}
		while (got > 0 && buf[got - 1] != '\n')
			got--;  /* a torn last line: being written, or killed */
		if (from > 0) { /* the first line is cut */
			char *nl = memchr(buf, '\n', got);
			skip = nl ? (size_t)(nl - buf) + 1 : got;
		}
		memmove(buf, buf + skip, got - skip);
		*len = got - skip;
		return buf;
	}
}

/* Append up to n of the last lines of path to the front of out. */
static int
tail_file(const char *path, long n, json_t *out, long *bad)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	json_t *lines;
	size_t len = 0, from;
	char *text;

	if (fd < 0)
		return -1;
	text = tail_bytes(fd, n, &len);
	close(fd);
	if (text == NULL || (lines = json_array()) == NULL) {
		free(text);
		return -1;
	}
	for (char *p = text, *nl; p < text + len; p = nl + 1) {
		json_t *j;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			break;
		if (nl == p)
			continue;
		j = json_loadb(p, (size_t)(nl - p), 0, NULL);
		if (!json_is_object(j)) {
			json_decref(j);
			if (bad != NULL)
				(*bad)++;
			continue;
		}
		json_array_append_new(lines, j);
	}
	free(text);
	from = json_array_size(lines) > (size_t)n ?
	    json_array_size(lines) - (size_t)n :
	    0;
	for (size_t i = json_array_size(lines); i > from; i--)
		json_array_insert(out, 0, json_array_get(lines, i - 1));
	json_decref(lines);
	return 0;
}

json_t *
rb_audit_files_tail(const char *dir, long n, long *bad, struct rb_err *e)
{
	char **names = NULL, path[RB_PATH_MAX];
	size_t nn = 0;
	json_t *out;

	if (rb_audit_files(dir, &names, &nn) < 0) {
		if (errno == ENOENT)
			rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
			    "no audit log yet");
		else
			rb_err_sys(e, "list the audit log");
		return NULL;
	}
	if (nn == 0) {
		rb_audit_files_free(names, nn);
		rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "no audit log yet");
		return NULL;
	}
	if ((out = json_array()) == NULL)
		goto fail;
	for (size_t i = nn; i > 0 && (long)json_array_size(out) < n; i--) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i - 1]);
		if (tail_file(path, n - (long)json_array_size(out), out, bad) <
		        0 &&
		    errno != ENOENT) /* rotated meanwhile */
			goto fail;
	}
	rb_audit_files_free(names, nn);
	return out;
fail:
	rb_err_sys(e, "read the audit log");
	json_decref(out);
	rb_audit_files_free(names, nn);
	return NULL;
}
