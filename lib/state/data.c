/*
 * data: compile store + config into the cdb files of data/ and record what
 * they were built from in data/built, so recovery can tell current files
 * from stale ones without rebuilding every time.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/path.h"
#include "state/data.h"
#include "state/data_int.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

static const char *const zone_types[] = { NULL, "deny", "refuse", "static",
	"transparent", "typetransparent", "redirect", "inform_redirect",
	"inform", "inform_deny", "nodefault", "always_transparent",
	"always_nxdomain", "always_refuse", "noview" };

int
rb_data_zone_code(const char *type)
{
	for (int i = 1; i < (int)(sizeof zone_types / sizeof zone_types[0]);
	     i++)
		if (strcmp(type, zone_types[i]) == 0)
			return i;
	return 0;
}

/* A string and its NUL, so that "ab","c" and "a","bc" differ. */
static void
hash_str(struct rb_digest *h, const char *s)
{
	/* A failure makes rb_digest_final_hex fail: checked there. */
	(void)rb_digest_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* The digest of the config parts that shape data/: zones and local data. */
static void
conf_digest(const struct rb_conf *conf, char out[65])
{
	struct rb_digest d, *h = &d;

	out[0] = '\0';
	if (rb_digest_init(h) < 0)
		return; /* an empty stamp never matches: a rebuild */
	for (size_t i = 0; conf && i < conf->nzones; i++) {
		hash_str(h, conf->zones[i].name);
		hash_str(h, conf->zones[i].type);
	}
	hash_str(h, "--data");
	for (size_t i = 0; conf && i < conf->ndata; i++)
		hash_str(h, conf->data[i].text);
	hash_str(h, "--ptr");
	for (size_t i = 0; conf && i < conf->nptrs; i++)
		hash_str(h, conf->ptrs[i].text);
	(void)rb_digest_final_hex(h, out); /* "" on failure, as above */
}

static int
stamp(const struct rb_conf *conf, const struct rb_store *s, char *buf,
    size_t len)
{
	char dig[65];

	conf_digest(conf, dig);
	return snprintf(buf, len,
	    "{\"dns\":%" PRIu64 ",\"blacklist\":%" PRIu64
	    ",\"allowlist\":%" PRIu64 ",\"zones\":%" PRIu64
	    ",\"conf\":\"%s\"}\n",
	    s->seq[RB_COLL_DNS], s->seq[RB_COLL_BLACKLIST],
	    s->seq[RB_COLL_ALLOWLIST], s->seq[RB_COLL_ZONES], dig);
}

int
rb_data_stale(const char *root, const struct rb_conf *conf,
    const struct rb_store *s)
{
	char path[RB_PATH_MAX], want[256], *have;
	int stale;

	snprintf(path, sizeof path, "%s/data/built", root);
	have = rb_file_read(path, 4096, NULL);
	if (have == NULL)
		return 1;
	stamp(conf, s, want, sizeof want);
	stale = strcmp(have, want) != 0;
	free(have);
	return stale;
}

int
rb_data_build(const char *root, const struct rb_conf *conf,
    const struct rb_store *s, struct rb_err *e)
{
	return rb_data_build_some(root, conf, s, RB_DATA_ALL, e);
}

int
rb_data_build_some(const char *root, const struct rb_conf *conf,
    const struct rb_store *s, int which, struct rb_err *e)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX], st[256];
	int n;

	snprintf(dir, sizeof dir, "%s/data", root);
	if (rb_file_mkdirs(dir, 0755) < 0)
		return rb_err_sys(e, "create data directory");
	if (rb_atomic_clean(dir) < 0)
		return rb_err_sys(e, "clean data directory");
	rb_path(path, sizeof path, "%s/local.cdb", dir);
	if ((which & RB_DATA_LOCAL) &&
	    rb_data_local_build(path, conf, s, e) < 0)
		return -1;
	rb_path(path, sizeof path, "%s/block.cdb", dir);
	if ((which & RB_DATA_BLOCK) &&
	    rb_data_block_build(path, conf, s, e) < 0)
		return -1;
	if ((which & RB_DATA_ZONES) && rb_data_zones_install(root, s, e) < 0)
		return -1;
	n = stamp(conf, s, st, sizeof st);
	rb_path(path, sizeof path, "%s/built", dir);
	if (rb_atomic_replace(path, st, (size_t)n, 0644) < 0)
		return rb_err_sys(e, "write data/built");
	return 0;
}
