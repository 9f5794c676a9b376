/*
 * journal: the durable history of store changes.
 *
 * Layout: journal/<first-seq, 20 digits>.jnl, one per transaction, each a
 * sequence of newline-terminated compact JSON objects with consecutive
 * seqs starting at the number in its name; journal/epoch holds a UUID made
 * when the journal is created.  Invariants: file names sort in seq order;
 * seqs are gapless across files; a file is never modified after its rename
 * (pruning removes whole files, oldest first, and never the newest).
 * Because every file arrives by atomic rename, recovery never meets a torn
 * transaction: it is there whole or not at all.  A replica (rb-syncd)
 * appends its master's events as they are, and after a full snapshot
 * replaces the whole directory by an empty one carrying the master's
 * epoch (built beside it, swapped in by rename), so its history is its
 * master's, event for event.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "base/uuid.h"
#include "state/journal.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define MAX_FILE (512u << 20)
#define PRUNE_EVERY 64

static int
is_jnl(const char *name, uint64_t *seq)
{
	char *end;
	unsigned long long v;

	if (strlen(name) != 24 || strcmp(name + 20, ".jnl") != 0)
		return 0;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno != 0 || end != name + 20 || v == 0)
		return 0;
	*seq = v;
	return 1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted first-seqs of every journal file; caller frees *out. */
static int
list_files(const char *dir, uint64_t **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	uint64_t *v = NULL, seq;
	size_t cap = 0, len = 0;

	if (d == NULL)
		return -1;
	while ((ent = readdir(d)) != NULL) {
		if (!is_jnl(ent->d_name, &seq))
			continue;
		if (len == cap) {
			uint64_t *nv;
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof *v);
			if (nv == NULL) {
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		v[len++] = seq;
	}
	closedir(d);
	if (len > 1)
		qsort(v, len, sizeof *v, cmp_u64);
	*out = v;
	*n = len;
	return 0;
}

static void
file_path(const struct rb_journal *j, uint64_t first, char *buf, size_t len)
{
	rb_path(buf, len, "%s/%020" PRIu64 ".jnl", j->dir, first);
}

/* Number of events in one file: its newline count. */
static int
count_events(const char *path, uint64_t *n)
{
	size_t len;
	char *buf = rb_file_read(path, MAX_FILE, &len);

	if (buf == NULL)
		return -1;
	*n = 0;
	for (size_t i = 0; i < len; i++)
		*n += buf[i] == '\n';
	free(buf);
	return 0;
}

static int
open_epoch(struct rb_journal *j, struct rb_err *e)
{
	char path[RB_PATH_MAX], *s;

	rb_path(path, sizeof path, "%s/epoch", j->dir);
	s = rb_file_read(path, 256, NULL);
	if (s != NULL) {
		s[strcspn(s, "\n")] = '\0';
		snprintf(j->epoch, sizeof j->epoch, "%s", s);
		free(s);
		if (j->epoch[0] != '\0')
			return 0;
	} else if (errno != ENOENT) {
		return rb_err_sys(e, "read journal epoch");
	}
	if (rb_uuid_v4(j->epoch) < 0)
		return rb_err_sys(e, "make a journal epoch");
	rb_path(path, sizeof path, "%s/epoch", j->dir);
	{
		char line[64];
		int n = snprintf(line, sizeof line, "%s\n", j->epoch);
		if (rb_atomic_replace(path, line, (size_t)n, 0644) < 0)
			return rb_err_sys(e, "write journal epoch");
	}
	return 0;
}

/* first and last from the files in j->dir. */
static int
scan(struct rb_journal *j, struct rb_err *e)
{
	uint64_t *files = NULL, n;
	size_t nfiles = 0;
	char path[RB_PATH_MAX];

	j->first = j->last = 0;
	if (list_files(j->dir, &files, &nfiles) < 0)
		return rb_err_sys(e, "list journal");
	if (nfiles > 0) {
		j->first = files[0];
		file_path(j, files[nfiles - 1], path, sizeof path);
		if (count_events(path, &n) < 0) {
			free(files);
			return rb_err_sys(e, "read journal");
		}
		j->last = files[nfiles - 1] + n - 1;
	}
	free(files);
	return 0;
}

static int
set_dir(struct rb_journal *j, const char *root, long retention,
    struct rb_err *e)
{
	memset(j, 0, sizeof *j);
	j->retention = retention > 0 ? retention : 10000;
	if (snprintf(j->dir, sizeof j->dir, "%s/journal", root) >=
	    (int)sizeof j->dir)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root path too long");
	return 0;
}

int
rb_journal_open(struct rb_journal *j, const char *root, long retention,
    struct rb_err *e)
{
	if (set_dir(j, root, retention, e) < 0)
		return -1;
	if (rb_file_mkdirs(j->dir, 0755) < 0)
		return rb_err_sys(e, "create journal directory");
	if (rb_atomic_clean(j->dir) < 0)
		return rb_err_sys(e, "clean journal directory");
	/* A journal directory without an epoch is a new history. */
	if (open_epoch(j, e) < 0)
		return -1;
	return scan(j, e);
}

int
rb_journal_open_at(struct rb_journal *j, const char *root, long retention,
    uint64_t next, struct rb_err *e)
{
	if (next == 0)
		return rb_journal_open(j, root, retention, e);
	if (set_dir(j, root, retention, e) < 0)
		return -1;
	if (rb_file_mkdirs(j->dir, 0755) < 0)
		return rb_err_sys(e, "create journal directory");
	if (open_epoch(j, e) < 0)
		return -1;
	j->last = next - 1;
	return 0;
}

int
rb_journal_open_ro(struct rb_journal *j, const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX], *s;

	if (set_dir(j, root, 0, e) < 0)
		return -1;
	rb_path(path, sizeof path, "%s/epoch", j->dir);
	if ((s = rb_file_read(path, 256, NULL)) == NULL) {
		if (errno == ENOENT)
			return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
			    "no journal epoch in %s", j->dir);
		return rb_err_sys(e, "read journal epoch");
	}
	s[strcspn(s, "\n")] = '\0';
	snprintf(j->epoch, sizeof j->epoch, "%s", s);
	free(s);
	if (j->epoch[0] == '\0')
		return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "empty journal epoch");
	return scan(j, e);
}

/* Remove whole files while the events left stay >= retention, and none
 * at or after the floor goes.  Listing the directory costs what it holds
 * (retention files): done once per PRUNE_EVERY seqs at most, a quarter of
 * the retention when that is less. */
static void
prune(struct rb_journal *j, uint64_t from)
{
	uint64_t *files = NULL, every = (uint64_t)j->retention / 4;
	size_t n = 0;
	char path[RB_PATH_MAX];

	every = every < 1 ? 1 : every > PRUNE_EVERY ? PRUNE_EVERY : every;
	if (from / every == (j->last + 1) / every)
		return;
	/* Pruning is best effort: the journal stays valid.  So is clearing
	 * what killed writers left, done with it to list the directory
	 * seldom (an open without listing does not, rb_journal_open_at). */
	(void)rb_atomic_clean(j->dir);
	if (list_files(j->dir, &files, &n) < 0)
		return;
	for (size_t i = 0; i + 1 < n; i++) {
		/* Events kept if files[0..i] go: from files[i+1] to last. */
		if (j->last - files[i + 1] + 1 < (uint64_t)j->retention)
			break;
		if (j->floor != 0 && files[i + 1] > j->floor)
			break;
		file_path(j, files[i], path, sizeof path);
		if (unlink(path) < 0)
			break;
		j->first = files[i + 1];
	}
	free(files);
}

/* Write events as one file named by the first seq.  With stamp, each
 * event gets seq (from next) and ts (now) first; without, the events
 * must already carry consecutive seqs from next and a ts. */
static int
write_txn(struct rb_journal *j, json_t *events, uint64_t next, int stamp,
    struct rb_err *e)
{
	struct rb_atomic a;
	char path[RB_PATH_MAX];
	size_t i;
	json_t *ev;
	json_int_t ts = (json_int_t)time(NULL);

	file_path(j, next, path, sizeof path);
	if (rb_atomic_open(&a, path, 0644) < 0)
		return rb_err_sys(e, "create journal file");
	json_array_foreach (events, i, ev) {
		if (stamp &&
		    (json_object_set_new(ev, "seq",
		         json_integer((json_int_t)(next + i))) < 0 ||
		        json_object_set_new(ev, "ts", json_integer(ts)) < 0)) {
			rb_atomic_abort(&a);
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		}
		if (rb_atomic_write_json(&a, ev) < 0 ||
		    rb_atomic_write(&a, "\n", 1) < 0) {
			rb_atomic_abort(&a);
			return rb_err_sys(e, "write journal");
		}
	}
	if (rb_atomic_commit(&a) < 0)
		return rb_err_sys(e, "commit journal");
	if (j->first == 0)
		j->first = next;
	j->last = next + json_array_size(events) - 1;
	prune(j, next);
	return 0;
}

int
rb_journal_append(struct rb_journal *j, json_t *events, uint64_t next,
    struct rb_err *e)
{
	if (json_array_size(events) == 0)
		return 0;
	return write_txn(j, events, next, 1, e);
}

int
rb_journal_append_as(struct rb_journal *j, json_t *events, struct rb_err *e)
{
	json_t *ev;
	size_t i;
	json_int_t first;

	if (json_array_size(events) == 0)
		return 0;
	first = json_integer_value(
	    json_object_get(json_array_get(events, 0), "seq"));
	if (first <= 0 || (uint64_t)first <= j->last)
		return rb_err_set(e, RB_ERR_CONFLICT, "SEQ_CONFLICT",
		    "event seq %lld is not "
		    "after the journal's last %llu",
		    (long long)first, (unsigned long long)j->last);
	json_array_foreach (events, i, ev) {
		if (json_integer_value(json_object_get(ev, "seq")) !=
		        first + (json_int_t)i ||
		    !json_is_integer(json_object_get(ev, "ts")))
			return rb_err_set(e, RB_ERR_CONFLICT, "SEQ_CONFLICT",
			    "events are "
			    "not consecutive from seq %lld",
			    (long long)first);
	}
	return write_txn(j, events, (uint64_t)first, 0, e);
}

/* Remove a directory of plain files (a journal); best effort. */
static void
remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char p[RB_PATH_MAX];

	if (d == NULL)
		return;
	while ((ent = readdir(d)) != NULL) {
		if (strcmp(ent->d_name, ".") == 0 ||
		    strcmp(ent->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, ent->d_name) <
		    (int)sizeof p)
			(void)unlink(p); /* a leftover costs space only */
	}
	closedir(d);
	(void)rmdir(dir);
}

/* Remove journals a killed reset left beside j->dir: ".journal.*.<pid>". */
static void
clean_resets(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *ent;
	char p[RB_PATH_MAX];

	if (d == NULL)
		return;
	while ((ent = readdir(d)) != NULL) {
		if (strncmp(ent->d_name, ".journal.new.", 13) != 0 &&
		    strncmp(ent->d_name, ".journal.old.", 13) != 0)
			continue;
		if (snprintf(p, sizeof p, "%s/%s", parent, ent->d_name) <
		    (int)sizeof p)
			remove_tree(p);
	}
	closedir(d);
}

/* Put the directory fresh at dir.  *gone is where the previous journal
 * ended up (fresh after an exchange, old after two renames), or NULL. */
static int
swap_in(const char *fresh, const char *dir, const char *old, const char **gone)
{
	*gone = NULL;
	if (renameat2(AT_FDCWD, fresh, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
		*gone = fresh;
		return 0;
	}
	if (errno == ENOENT)
		return rename(fresh, dir);
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No exchange here: a crash between the renames leaves no journal,
	 * and the next open starts a new epoch, which a replica also
	 * answers with a full snapshot. */
	if (rename(dir, old) < 0)
		return -1;
	*gone = old;
	return rename(fresh, dir);
}

int
rb_journal_reset(struct rb_journal *j, const char *epoch, struct rb_err *e)
{
	char parent[RB_PATH_MAX], fresh[RB_PATH_MAX], old[RB_PATH_MAX],
	    path[RB_PATH_MAX], line[80];
	const char *gone = NULL;
	char *slash;
	int n;

	if (epoch[0] == '\0' || strlen(epoch) >= sizeof j->epoch ||
	    strchr(epoch, '\n') != NULL)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_EPOCH",
		    "bad epoch");
	snprintf(parent, sizeof parent, "%s", j->dir);
	if ((slash = strrchr(parent, '/')) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "bad journal path");
	*slash = '\0';
	clean_resets(parent);
	rb_path(fresh, sizeof fresh, "%s/.journal.new.%d", parent,
	    (int)getpid());
	rb_path(old, sizeof old, "%s/.journal.old.%d", parent, (int)getpid());
	if (mkdir(fresh, 0755) < 0)
		return rb_err_sys(e, "create a new journal directory");
	rb_path(path, sizeof path, "%s/epoch", fresh);
	n = snprintf(line, sizeof line, "%s\n", epoch);
	if (rb_atomic_replace(path, line, (size_t)n, 0644) < 0 ||
	    swap_in(fresh, j->dir, old, &gone) < 0) {
		rb_err_sys(e, "replace the journal");
		remove_tree(fresh);
		return -1;
	}
	if (rb_file_dir_sync(parent, 1) < 0)
		return rb_err_sys(e, "sync the state root");
	if (gone != NULL)
		remove_tree(gone);
	snprintf(j->epoch, sizeof j->epoch, "%s", epoch);
	j->first = j->last = 0;
	return 0;
}

/* Feed one file's events with seq > since to fn. */
static int
each_in_file(const char *path, uint64_t first, uint64_t since,
    int (*fn)(void *, json_t *), void *ctx, uint64_t *count, struct rb_err *e)
{
	size_t len, off = 0;
	char *buf = rb_file_read(path, MAX_FILE, &len);
	uint64_t seq = first;

	if (buf == NULL)
		return rb_err_sys(e, "read journal");
	while (off < len) {
		char *nl = memchr(buf + off, '\n', len - off);
		json_t *ev;
		json_error_t jerr;

		if (nl == NULL)
			break;
		if (seq > since) {
			ev = json_loadb(buf + off, (size_t)(nl - (buf + off)),
			    0, &jerr);
			if (ev == NULL ||
			    json_integer_value(json_object_get(ev, "seq")) !=
			        (json_int_t)seq) {
				json_decref(ev);
				free(buf);
				return rb_err_set(e, RB_ERR_SYSTEM,
				    "INTERNAL_ERROR",
				    "journal damaged at seq %" PRIu64, seq);
			}
			if (fn(ctx, ev) < 0) {
				json_decref(ev);
				free(buf);
				return -1;
			}
			json_decref(ev);
		}
		seq++;
		off = (size_t)(nl - buf) + 1;
	}
	free(buf);
	if (count != NULL)
		*count = seq - first;
	return 0;
}

int
rb_journal_each(const struct rb_journal *j, uint64_t since,
    int (*fn)(void *ctx, json_t *event), void *ctx, struct rb_err *e)
{
	uint64_t *files = NULL;
	size_t n = 0;
	char path[RB_PATH_MAX];
	int r = 0;

	if (list_files(j->dir, &files, &n) < 0)
		return rb_err_sys(e, "list journal");
	for (size_t i = 0; i < n && r == 0; i++) {
		/* Skip files that end at or before since. */
		if (i + 1 < n && files[i + 1] - 1 <= since)
			continue;
		file_path(j, files[i], path, sizeof path);
		r = each_in_file(path, files[i], since, fn, ctx, NULL, e);
	}
	free(files);
	return r;
}

int
rb_journal_each_from(struct rb_journal *j, uint64_t next, uint64_t since,
    int (*fn)(void *ctx, json_t *event), void *ctx, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	uint64_t n;

	if (next == 0)
		return rb_journal_each(j, since, fn, ctx, e);
	for (;;) {
		file_path(j, next, path, sizeof path);
		if (access(path, F_OK) < 0) {
			if (errno != ENOENT)
				return rb_err_sys(e, "read journal");
			j->last = next - 1;
			return 0;
		}
		if (each_in_file(path, next, since, fn, ctx, &n, e) < 0)
			return -1;
		if (n == 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "journal file %" PRIu64 " is empty", next);
		next += n;
	}
}

int
rb_journal_find_last(struct rb_journal *j, uint64_t next, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	uint64_t n;

	if (next == 0)
		return scan(j, e);
	for (;;) {
		file_path(j, next, path, sizeof path);
		if (count_events(path, &n) < 0) {
			if (errno != ENOENT)
				return rb_err_sys(e, "read journal");
			j->last = next - 1;
			return 0;
		}
		if (n == 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "journal file %" PRIu64 " is empty", next);
		next += n;
	}
}
