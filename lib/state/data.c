/*
 * data: compile store + config into the cdb files of data/ (doc/cdb.md).
 * local.cdb and block.cdb are each a base, compiled from the whole store
 * at compaction (or when the config changed), and a delta, rewritten by
 * every write for the names it changed (lib/state/data_delta).  Each
 * file's meta record says what it was built from: the base, the config's
 * digest and its collections' seqs; the delta, the base it follows and
 * the seqs it is current to.  data/built names the zones build that
 * data/zones.cdb copies.  Recovery compares these with the store and
 * rebuilds only what is behind.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

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

/* The meta record of the data file at path (a new object), or NULL when
 * the file is missing, is not a cdb or has none. */
json_t *
rb_data_meta(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned len;
	char buf[4096];
	json_t *j = NULL;

	if (fd < 0)
		return NULL;
	/* Read, not mapped: one key of what may be a large file. */
	if (cdb_seek(fd, RB_DATA_META, 1, &len) > 0 && len <= sizeof buf &&
	    cdb_bread(fd, buf, (int)len) == 0)
		j = json_loadb(buf, len, 0, NULL);
	(void)close(fd); /* read-only: nothing to lose */
	return j;
}

/* The two files of data/ that take deltas, and the collections each
 * derives from. */
static const struct dfile {
	const char *name;
	int which;
	enum rb_coll colls[2];
	size_t ncolls;
} dfiles[] = {
	{ "local", RB_DATA_LOCAL, { RB_COLL_DNS }, 1 },
	{ "block", RB_DATA_BLOCK, { RB_COLL_BLACKLIST, RB_COLL_ALLOWLIST }, 2 },
};

/* {"dns":N} or {"blacklist":N,"allowlist":M}: the collections' seqs. */
static json_t *
seqs_of(const struct dfile *f, const struct rb_store *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < f->ncolls; i++)
		if (json_object_set_new(o, rb_store_coll_name(f->colls[i]),
		        json_integer((json_int_t)s->v[f->colls[i]].seq)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* The seqs a base or delta meta names equal (or, with at_least, are at
 * or above) those of want. */
static int
seqs_match(const struct dfile *f, const json_t *have, const json_t *want,
    int at_least)
{
	for (size_t i = 0; i < f->ncolls; i++) {
		const char *c = rb_store_coll_name(f->colls[i]);
		json_t *h = json_object_get(have, c),
		       *w = json_object_get(want, c);

		if (!json_is_integer(h) || !json_is_integer(w))
			return 0;
		if (at_least ? json_integer_value(h) < json_integer_value(w) :
		               json_integer_value(h) != json_integer_value(w))
			return 0;
	}
	return 1;
}

static char *
meta_text(const char *dig, const json_t *base, const json_t *seqs)
{
	json_t *m = json_copy((json_t *)seqs);
	char *t;

	if (m == NULL)
		return NULL;
	if ((dig && json_object_set_new(m, "conf", json_string(dig)) < 0) ||
	    (base && json_object_set(m, "base", (json_t *)base) < 0)) {
		json_decref(m);
		return NULL;
	}
	t = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(m);
	return t;
}

static void
file_path(const char *root, const struct dfile *f, const char *ext, char *buf,
    size_t len)
{
	rb_path(buf, len, "%s/data/%s.%s", root, f->name, ext);
}

/* The base of f from the whole store into root/data/<f>.<ext>. */
static int
write_base(const char *root, const struct rb_conf *conf, struct rb_store *s,
    const struct dfile *f, const char *dig, const char *ext, struct rb_err *e)
{
	char path[RB_PATH_MAX], *meta;
	json_t *seqs = seqs_of(f, s), *a, *b;
	int r = -1;

	if (seqs == NULL || (meta = meta_text(dig, NULL, seqs)) == NULL) {
		json_decref(seqs);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	file_path(root, f, ext, path, sizeof path);
	if (f->which == RB_DATA_LOCAL) {
		if ((a = rb_store_entries(s, RB_COLL_DNS, e)) != NULL)
			r = rb_data_local_build(path, conf, a, meta, e);
	} else if ((a = rb_store_entries(s, RB_COLL_BLACKLIST, e)) != NULL &&
	    json_incref(a) != NULL &&
	    (b = rb_store_entries(s, RB_COLL_ALLOWLIST, e)) != NULL) {
		r = rb_data_block_build(path, conf, a, b, meta, e);
		json_decref(a);
	}
	free(meta);
	json_decref(seqs);
	return r;
}

/* The base of f from the whole store, and its delta removed. */
static int
build_base(const char *root, const struct rb_conf *conf, struct rb_store *s,
    const struct dfile *f, const char *dig, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	if (write_base(root, conf, s, f, dig, "cdb", e) < 0)
		return -1;
	/* After the base: a moment of the old delta over the new base is
	 * still right (a delta holds the latest state of what it names). */
	file_path(root, f, "delta", path, sizeof path);
	if (unlink(path) < 0 && errno != ENOENT)
		return rb_err_sys(e, "remove a delta of data/");
	if (rb_file_dir_sync(path, 0) < 0)
		return rb_err_sys(e, "sync data/");
	return 0;
}

/* Whether names (as update_file chose them) change so much of f that a
 * whole base costs less than a delta (an import): a quarter of the
 * entries behind it, and RB_STORE_BULK names at least. */
static int
bulk(const struct dfile *f, struct rb_store *s, json_t *const names[2])
{
	size_t n = 0, total = 0;

	for (size_t i = 0; i < f->ncolls; i++) {
		enum rb_coll c = f->colls[i];

		total += (size_t)rb_store_count(s, c);
		n += names[i] ? json_object_size(names[i]) :
		                rb_coll_pending(rb_store_view(s, c));
	}
	return n >= RB_STORE_BULK && n * 4 >= total;
}

/* Bring f up to date: nothing when it is; its delta for the names
 * changed (or every name since the collections' bases, with NULL, or
 * when f was not at from); the whole base when the base does not fit
 * (another config, or older than a collection's base). */
static int
update_file(const char *root, const struct rb_conf *conf, struct rb_store *s,
    const struct dfile *f, const char *dig, json_t *const changed[RB_COLL_N],
    const uint64_t *from, struct rb_err *e)
{
	char path[RB_PATH_MAX], *meta = NULL;
	json_t *bm, *dm, *want = seqs_of(f, s), *bases = json_object(), *have;
	json_t *names[2] = { NULL, NULL }, *none = json_object();
	int r = -1, whole, stale = 0;

	file_path(root, f, "cdb", path, sizeof path);
	bm = rb_data_meta(path);
	file_path(root, f, "delta", path, sizeof path);
	dm = rb_data_meta(path);
	if (want == NULL || bases == NULL || none == NULL)
		goto oom;
	for (size_t i = 0; i < f->ncolls; i++)
		if (json_object_set_new(bases, rb_store_coll_name(f->colls[i]),
		        json_integer((json_int_t)s->v[f->colls[i]].base.seq)) <
		    0)
			goto oom;
	whole = bm == NULL ||
	    strcmp(json_string_value(json_object_get(bm, "conf")) ?: "", dig) !=
	        0 ||
	    !seqs_match(f, bm, bases, 1);
	if (whole) {
		r = build_base(root, conf, s, f, dig, e);
		goto done;
	}
	/* A delta of another base is not one of ours any more (a
	 * compaction renamed a new base in under it). */
	if (dm != NULL && !json_equal(json_object_get(dm, "base"), bm)) {
		json_decref(dm);
		dm = NULL;
		stale = 1;
	}
	have = dm ? dm : bm;
	if (seqs_match(f, have, want, 0)) {
		r = 0;
		if (stale && unlink(path) < 0 && errno != ENOENT)
			r = rb_err_sys(e, "remove a delta of data/");
		goto done;
	}
	/* Per collection: nothing when it is current; the names the caller
	 * changed when the file was current before them; else every name
	 * changed since the collection's base (NULL). */
	for (size_t i = 0; i < f->ncolls; i++) {
		enum rb_coll c = f->colls[i];
		json_int_t h = json_integer_value(
		    json_object_get(have, rb_store_coll_name(c)));

		if (h == (json_int_t)s->v[c].seq)
			names[i] = none;
		else if (changed != NULL && changed[c] != NULL &&
		    from != NULL && h == (json_int_t)from[c])
			names[i] = changed[c];
	}
	if (bulk(f, s, names)) {
		r = build_base(root, conf, s, f, dig, e);
		goto done;
	}
	if ((meta = meta_text(NULL, bm, want)) == NULL)
		goto oom;
	r = f->which == RB_DATA_LOCAL ?
	    rb_data_delta_local(root, s, names[0], dm != NULL, meta, e) :
	    rb_data_delta_block(root, s, names[0], names[1], dm != NULL, meta,
	        e);
	goto done;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
done:
	free(meta);
	json_decref(bm);
	json_decref(dm);
	json_decref(want);
	json_decref(bases);
	json_decref(none);
	return r;
}

/* Whether a commit (changed given) left every collection behind f where
 * it was at from: the begin brought f up to date, and it still is. */
static int
unmoved(const struct dfile *f, const struct rb_store *s,
    json_t *const changed[RB_COLL_N], const uint64_t *from)
{
	if (changed == NULL || from == NULL)
		return 0;
	for (size_t i = 0; i < f->ncolls; i++)
		if (s->v[f->colls[i]].seq != from[f->colls[i]])
			return 0;
	return 1;
}

/* data/built: the zones build data/zones.cdb is a copy of. */
static int
zones_current(const char *root, const struct rb_store *s)
{
	char path[RB_PATH_MAX], *have;
	json_t *j;
	int cur;

	rb_path(path, sizeof path, "%s/data/built", root);
	if ((have = rb_file_read(path, 4096, NULL)) == NULL)
		return 0;
	j = json_loads(have, 0, NULL);
	free(have);
	cur = j != NULL &&
	    json_integer_value(json_object_get(j, "zones")) ==
	        (json_int_t)s->zones_seq;
	json_decref(j);
	return cur;
}

static int
install_zones(const char *root, struct rb_store *s, struct rb_err *e)
{
	char path[RB_PATH_MAX], st[64];
	int n;

	if (rb_data_zones_install(root, s, e) < 0)
		return -1;
	n = snprintf(st, sizeof st, "{\"zones\":%" PRIu64 "}\n", s->zones_seq);
	rb_path(path, sizeof path, "%s/data/built", root);
	if (rb_atomic_replace(path, st, (size_t)n, 0644) < 0)
		return rb_err_sys(e, "write data/built");
	return 0;
}

/* data/, made if need be; with clean, cleared of what killed writers
 * left (the builds do it; a write's update does not list the directory). */
static int
data_dir(const char *root, int clean, struct rb_err *e)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/data", root);
	if (rb_file_mkdirs(dir, 0755) < 0)
		return rb_err_sys(e, "create data directory");
	if (clean && rb_atomic_clean(dir) < 0)
		return rb_err_sys(e, "clean data directory");
	return 0;
}

int
rb_data_build(const char *root, const struct rb_conf *conf, struct rb_store *s,
    struct rb_err *e)
{
	return rb_data_build_some(root, conf, s, RB_DATA_ALL, e);
}

int
rb_data_build_some(const char *root, const struct rb_conf *conf,
    struct rb_store *s, int which, struct rb_err *e)
{
	char dig[65];

	if (data_dir(root, 1, e) < 0)
		return -1;
	conf_digest(conf, dig);
	for (size_t i = 0; i < sizeof dfiles / sizeof dfiles[0]; i++)
		if ((which & dfiles[i].which) &&
		    build_base(root, conf, s, &dfiles[i], dig, e) < 0)
			return -1;
	return (which & RB_DATA_ZONES) ? install_zones(root, s, e) : 0;
}

int
rb_data_stage(const char *root, const struct rb_conf *conf, struct rb_store *s,
    int which, struct rb_err *e)
{
	char dig[65];

	if (data_dir(root, 1, e) < 0)
		return -1;
	conf_digest(conf, dig);
	for (size_t i = 0; i < sizeof dfiles / sizeof dfiles[0]; i++)
		if ((which & dfiles[i].which) &&
		    write_base(root, conf, s, &dfiles[i], dig, "cdb.next", e) <
		        0)
			return -1;
	return 0;
}

int
rb_data_unstage(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	for (size_t i = 0; i < sizeof dfiles / sizeof dfiles[0]; i++) {
		file_path(root, &dfiles[i], "cdb.next", path, sizeof path);
		if (unlink(path) < 0 && errno != ENOENT)
			return rb_err_sys(e, "remove a staged base of data/");
	}
	return 0;
}

int
rb_data_install(const char *root, int which, struct rb_err *e)
{
	char from[RB_PATH_MAX], to[RB_PATH_MAX];

	for (size_t i = 0; i < sizeof dfiles / sizeof dfiles[0]; i++) {
		if (!(which & dfiles[i].which))
			continue;
		file_path(root, &dfiles[i], "cdb.next", from, sizeof from);
		file_path(root, &dfiles[i], "cdb", to, sizeof to);
		if (rename(from, to) < 0)
			return rb_err_sys(e, "rename a data base in");
	}
	if (rb_file_dir_sync(to, 0) < 0)
		return rb_err_sys(e, "sync data/");
	return 0;
}

int
rb_data_update(const char *root, const struct rb_conf *conf, struct rb_store *s,
    json_t *const changed[RB_COLL_N], const uint64_t from[RB_COLL_N],
    struct rb_err *e)
{
	char dig[65];

	if (data_dir(root, 0, e) < 0)
		return -1;
	conf_digest(conf, dig);
	for (size_t i = 0; i < sizeof dfiles / sizeof dfiles[0]; i++)
		if (!unmoved(&dfiles[i], s, changed, from) &&
		    update_file(root, conf, s, &dfiles[i], dig, changed, from,
		        e) < 0)
			return -1;
	if (!zones_current(root, s))
		return install_zones(root, s, e);
	return 0;
}
