/*
 * data_zones: data/zones.cdb, the one derived file that is not compiled
 * here: it is a copy of the newest kept zones build,
 * ROOT/store/zones.d/<sha256>.cdb, which rb-zone compiles (lib/zone) and
 * the zones collection of the store lists.  Installing it also removes
 * the files of zones.d that no kept build names.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "state/data.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

int
rb_data_zones_path(const char *root, const char *id, char *buf, size_t len)
{
	int n;

	if (strlen(id) != 64 || !rb_hex_is_lower(id, 64))
		return -1;
	n = snprintf(buf, len, "%s/store/zones.d/%s.cdb", root, id);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

const char *
rb_data_zones_newest(const struct rb_store *s)
{
	const json_t *arr = s->zones;
	size_t n = json_array_size(arr);
	const char *id = n ?
	    json_string_value(
	        json_object_get(json_array_get(arr, n - 1), "id")) :
	    NULL;

	return id ? id : "";
}

static int
is_kept(const struct rb_store *s, const char *fname)
{
	size_t i, n = strlen(fname);
	json_t *v;

	if (n != 68 || strcmp(fname + 64, ".cdb") != 0)
		return 0;
	json_array_foreach (s->zones, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id != NULL && strncmp(id, fname, 64) == 0)
			return 1;
	}
	return 0;
}

static int
prune(const char *root, const struct rb_store *s, struct rb_err *e)
{
	char dir[RB_PATH_MAX], p[RB_PATH_MAX];
	struct dirent *d;
	DIR *dh;

	snprintf(dir, sizeof dir, "%s/store/zones.d", root);
	if ((dh = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : rb_err_sys(e, "list zones.d");
	while ((d = readdir(dh)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0 || is_kept(s, d->d_name))
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, d->d_name) <
		    (int)sizeof p)
			(void)unlink(p);
	}
	closedir(dh);
	return rb_file_dir_sync(dir, 1) < 0 ? rb_err_sys(e, "sync zones.d") : 0;
}

int
rb_data_zones_install(const char *root, const struct rb_store *s,
    struct rb_err *e)
{
	const char *id = rb_data_zones_newest(s);
	char src[RB_PATH_MAX], dst[RB_PATH_MAX];

	snprintf(dst, sizeof dst, "%s/data/zones.cdb", root);
	if (id[0] == '\0') {
		/* Builds were kept and are all gone (a slave's snapshot from
		 * a master without zones): serve none either.  A root that
		 * never kept one keeps the zones.cdb it had before. */
		if (s->zones_seq > 0 && unlink(dst) < 0 && errno != ENOENT)
			return rb_err_sys(e, "remove data/zones.cdb");
		return prune(root, s, e);
	}
	if (rb_data_zones_path(root, id, src, sizeof src) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "zones build with "
		    "a bad id in store/zones.json");
	if (rb_atomic_copy(src, dst, 0644) < 0)
		return errno == ENOENT ?
		    rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		        "zones build %s has no file in store/zones.d", id) :
		    rb_err_sys(e, "write data/zones.cdb");
	return prune(root, s, e);
}
