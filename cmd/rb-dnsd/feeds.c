/*
 * feeds: the compiled blocklist feeds of ROOT/feeds/<uuid>.set
 * (doc/feeds.md, lib/feed/nameset), each mapped through lib/answer/cdbmap with
 * generations like data/block.cdb, and checked whole when mapped: a file
 * that does not hold together is never used (a replaced feed keeps its
 * previous generation).  Feed files of the format before sets
 * (<uuid>.cdb) are not read: rb-feedd converts them at start.
 * The set is rescanned when inotify reports a change in feeds/ (or
 * feeds/ itself appearing in the root): a replaced file is re-mapped, a
 * new one mapped, a deleted one dropped.  Rescans run between batches, so
 * no generation of a dropped feed is held.  Feeds are kept sorted by id:
 * when two feeds list the same name, the first in that order decides.
 */

#include <sys/inotify.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "base/log.h"
#include "base/uuid.h"
#include "feed/nameset.h"

/* "<uuid>.set" and nothing else is feed data. */
static int
feed_file(const char *name, char id[37])
{
	if (strlen(name) != 40 || strcmp(name + 36, ".set") != 0)
		return 0;
	memcpy(id, name, 36);
	id[36] = '\0';
	return rb_uuid_valid(id);
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The ids in feeds/ now, sorted; at most DNSD_MAX_FEEDS. */
static size_t
list_ids(const struct dnsd *d, char ids[][37])
{
	DIR *dir = opendir(d->feeds_dir);
	struct dirent *e;
	size_t n = 0;

	if (dir == NULL)
		return 0;
	while ((e = readdir(dir)) != NULL) {
		if (!feed_file(e->d_name, ids[n]))
			continue;
		if (++n == DNSD_MAX_FEEDS) {
			rb_warn("more than %d feeds in %s: ignoring the rest",
			    DNSD_MAX_FEEDS, d->feeds_dir);
			break;
		}
	}
	closedir(dir);
	qsort(ids, n, sizeof ids[0], id_cmp);
	return n;
}

static int
set_ok(const uint8_t *mem, size_t size)
{
	const char *why;

	return rb_nameset_check(mem, size, &why);
}

/* Why path cannot be used, from errno after a failed map. */
static void
map_error(const char *what, const char *path)
{
	const char *why = strerror(errno);
	size_t n;
	char action;

	if (errno == EPROTO)
		(void)rb_nameset_check_file(path, &n, &action, &why);
	rb_error("unable to %s %s: %s", what, path, why);
}

static struct rb_cdbmap *
take_map(struct dnsd *d, const char *id)
{
	char path[PATH_MAX + 48];
	int r;

	if (snprintf(path, sizeof path, "%s/%.36s.set", d->feeds_dir, id) >=
	    (int)sizeof path)
		return NULL;
	for (size_t i = 0; i < d->nfeeds; i++) {
		if (d->feed_maps[i] == NULL || strcmp(d->feed_ids[i], id) != 0)
			continue;
		struct rb_cdbmap *m = d->feed_maps[i];
		d->feed_maps[i] = NULL;
		if ((r = rb_cdbmap_reload(m)) > 0)
			rb_info("reloaded feed %s", id);
		else if (r < 0)
			map_error("reload (keeping the previous data)", path);
		return m;
	}
	struct rb_cdbmap *m = rb_cdbmap_new_checked(path, set_ok);
	if (m == NULL)
		map_error("map", path);
	else
		rb_info("mapped feed %s", id);
	return m;
}

void
feeds_rescan(struct dnsd *d)
{
	static char ids[DNSD_MAX_FEEDS][37];
	struct rb_cdbmap *maps[DNSD_MAX_FEEDS];
	size_t n = list_ids(d, ids), k = 0;

	for (size_t i = 0; i < n; i++) {
		maps[k] = take_map(d, ids[i]);
		if (maps[k] != NULL)
			memcpy(d->feed_ids[k++], ids[i], 37);
	}
	/* What is left in the old set was deleted. */
	for (size_t i = 0; i < d->nfeeds; i++) {
		if (d->feed_maps[i] != NULL)
			rb_info("dropped feed %s", d->feed_ids[i]);
		rb_cdbmap_free(d->feed_maps[i]);
	}
	memcpy(d->feed_maps, maps, k * sizeof maps[0]);
	d->nfeeds = k;
}

void
feeds_watch(struct dnsd *d)
{
	d->wd_feeds = inotify_add_watch(d->inotify.fd, d->feeds_dir,
	    IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR);
	if (d->wd_feeds < 0 && errno != ENOENT)
		rb_warn("inotify on %s: %s", d->feeds_dir, strerror(errno));
}

void
feeds_acquire(struct dnsd *d)
{
	for (size_t i = 0; i < d->nfeeds; i++)
		d->feed_gens[i] = rb_cdbmap_acquire(d->feed_maps[i]);
}

void
feeds_release(struct dnsd *d)
{
	for (size_t i = 0; i < d->nfeeds; i++)
		rb_cdbmap_release(d->feed_maps[i], d->feed_gens[i]);
}
