/*
 * coll: a collection as base, checkpoint and tail (coll.h).  Invariants:
 * the base and the checkpoint are only ever replaced whole (lib/sys/atomic
 * through lib/state/cdbw), so a mapping never changes under a reader; the
 * checkpoint's "base" names the base seq it follows, and one that follows
 * another base than the one mapped is ignored (a compaction replaced the
 * base and had not yet written the checkpoint when it was killed: the
 * journal still holds every event after the new base); the tail holds the
 * events after the checkpoint's seq, so the three layers read newest
 * first give the collection as of v->seq.
 *
 * Entries come back from the files as JSON decoded on demand and kept in
 * v->cache, so a caller borrows them as it borrows tail entries.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "state/cdbw.h"
#include "state/coll.h"
#include "sys/file.h"

#define META "\001"
#define ID_LEN 36

static const char *
str_field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

const char *
rb_coll_key(int coll, const json_t *entry, char *buf, size_t len)
{
	size_t i;

	if (coll == RB_COLL_DNS)
		snprintf(buf, len, "%s %s %s", str_field(entry, "name"),
		    str_field(entry, "type"), str_field(entry, "value"));
	else if (coll == RB_COLL_FEEDS)
		snprintf(buf, len, "%s", str_field(entry, "url"));
	else if (coll == RB_COLL_ZONES)
		snprintf(buf, len, "%s", str_field(entry, "id"));
	else
		snprintf(buf, len, "%s", str_field(entry, "domain"));
	/* Names compare case-insensitively; values are case-sensitive. */
	for (i = 0; buf[i] != '\0' && buf[i] != ' '; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

const char *
rb_coll_owner(const json_t *entry, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", str_field(entry, "name"));
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

void
rb_coll_base_path(const char *root, const char *name, char *buf, size_t len)
{
	rb_path(buf, len, "%s/store/%s.cdb", root, name);
}

void
rb_coll_ck_path(const char *root, const char *name, char *buf, size_t len)
{
	rb_path(buf, len, "%s/store/%s.delta", root, name);
}

/* --- files ------------------------------------------------------------ */

/* A file is read with pread until something walks it whole (file_map):
 * a write looks up a few keys, and mapping a large file costs more than
 * those reads (the mapping, its page faults and its unmapping). */
static void
file_close(struct rb_coll_file *f)
{
	if (f->mapped)
		cdb_free(&f->db);
	if (f->fd >= 0)
		(void)close(f->fd); /* read-only: nothing to lose */
	free(f->buf);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

/* Map f for a walk; -1 when it cannot be. */
static int
file_map(struct rb_coll_file *f)
{
	if (f->fd < 0 || f->mapped)
		return 0;
	if (cdb_init(&f->db, f->fd) < 0)
		return -1;
	f->mapped = 1;
	return 0;
}

/* The value of key in f (in the mapping, or in f's buffer until the next
 * lookup in f); NULL when absent or unreadable. */
static const char *
file_get(struct rb_coll_file *f, const char *key, size_t klen, size_t *vlen)
{
	unsigned dlen;

	if (f->fd < 0)
		return NULL;
	if (f->mapped) {
		if (cdb_find(&f->db, key, (unsigned)klen) <= 0)
			return NULL;
		*vlen = cdb_datalen(&f->db);
		return cdb_get(&f->db, cdb_datalen(&f->db),
		    cdb_datapos(&f->db));
	}
	if (cdb_seek(f->fd, key, (unsigned)klen, &dlen) <= 0)
		return NULL;
	if (dlen + 1 > f->cap) {
		char *b = realloc(f->buf, dlen + 1);

		if (b == NULL)
			return NULL;
		f->buf = b;
		f->cap = dlen + 1;
	}
	if (cdb_bread(f->fd, f->buf, (int)dlen) < 0)
		return NULL;
	*vlen = dlen;
	return f->buf;
}

static int
read_meta(struct rb_coll_file *f)
{
	size_t len;
	const char *m = file_get(f, META, 1, &len);
	json_t *j = m ? json_loadb(m, len, 0, NULL) : NULL;

	if (j == NULL || !json_is_integer(json_object_get(j, "seq"))) {
		json_decref(j);
		return -1;
	}
	f->seq = (uint64_t)json_integer_value(json_object_get(j, "seq"));
	f->base = (uint64_t)json_integer_value(json_object_get(j, "base"));
	f->count = (long)json_integer_value(json_object_get(j, "count"));
	f->changes = (long)json_integer_value(json_object_get(j, "changes"));
	json_decref(j);
	return 0;
}

/* Map path into f; a missing file leaves f empty.  -1 when it exists and
 * is not one of ours. */
static int
file_open(struct rb_coll_file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (read_meta(f) < 0) {
		file_close(f);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* --- open and close --------------------------------------------------- */

int
rb_coll_open(struct rb_coll_view *v, const char *root, int coll,
    const char *name, int owners, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	memset(v, 0, sizeof *v);
	v->base.fd = v->ck.fd = -1;
	v->coll = coll;
	v->name = name;
	v->owners = owners;
	rb_path(v->dir, sizeof v->dir, "%s/store", root);
	v->t_ent = json_object();
	v->t_key = json_object();
	v->t_own = json_object();
	v->t_order = json_array();
	v->cache = json_object();
	v->idcache = json_object();
	if (!v->t_ent || !v->t_key || !v->t_own || !v->t_order || !v->cache ||
	    !v->idcache) {
		rb_coll_close(v);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	rb_coll_base_path(root, name, path, sizeof path);
	if (file_open(&v->base, path) < 0)
		goto damaged;
	rb_coll_ck_path(root, name, path, sizeof path);
	if (file_open(&v->ck, path) < 0)
		goto damaged;
	/* A checkpoint of another base: a compaction was killed between
	 * the two renames; the journal has what it held. */
	if (v->ck.fd >= 0 && v->ck.base != v->base.seq)
		file_close(&v->ck);
	v->seq = v->ck.fd >= 0 ? v->ck.seq : v->base.seq;
	v->count = v->ck.fd >= 0 ? v->ck.count : v->base.count;
	return 0;
damaged:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
	    "store %s is damaged: %s", name, strerror(errno));
	rb_coll_close(v);
	return -1;
}

void
rb_coll_close(struct rb_coll_view *v)
{
	file_close(&v->base);
	file_close(&v->ck);
	json_decref(v->t_ent);
	json_decref(v->t_key);
	json_decref(v->t_own);
	json_decref(v->t_order);
	json_decref(v->cache);
	json_decref(v->idcache);
	v->t_ent = v->t_key = v->t_own = v->t_order = v->cache = NULL;
	v->idcache = NULL;
}

/* --- lookups ---------------------------------------------------------- */

/* What the files say of key: 1 with its value, 0 gone or absent. */
static int
files_get(struct rb_coll_view *v, const char *key, size_t klen,
    const char **val, size_t *vlen)
{
	const char *p = file_get(&v->ck, key, klen, vlen);

	if (p != NULL) {
		if (*vlen < 1 || p[0] != 'S')
			return 0; /* 'X': gone since the base */
		*val = p + 1;
		*vlen -= 1;
		return 1;
	}
	*val = file_get(&v->base, key, klen, vlen);
	return *val != NULL;
}

/* A key of the files: prefix and name into buf. */
static size_t
mkkey(char *buf, size_t len, char prefix, const char *name)
{
	int n = snprintf(buf, len, "%c%s", prefix, name);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

json_t *
rb_coll_find(struct rb_coll_view *v, const char *id)
{
	char key[128];
	const char *val;
	size_t klen = mkkey(key, sizeof key, 'i', id), vlen;
	json_t *t = json_object_get(v->t_ent, id), *j;

	if (t != NULL)
		return json_is_null(t) ? NULL : t;
	if ((j = json_object_get(v->cache, id)) != NULL)
		return j;
	if (klen == 0 || !files_get(v, key, klen, &val, &vlen))
		return NULL;
	if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return NULL;
	if (json_object_set_new(v->cache, id, j) < 0)
		return NULL;
	return j;
}

const char *
rb_coll_id_of(struct rb_coll_view *v, const char *key)
{
	char k[2100], id[ID_LEN + 1];
	const char *val;
	size_t klen = mkkey(k, sizeof k, 'k', key), vlen;
	json_t *t = json_object_get(v->t_key, key), *s;

	if (t != NULL)
		return json_string_value(t); /* NULL for null: gone */
	if ((s = json_object_get(v->idcache, key)) != NULL)
		return json_string_value(s);
	if (klen == 0 || !files_get(v, k, klen, &val, &vlen) || vlen != ID_LEN)
		return NULL;
	memcpy(id, val, ID_LEN);
	id[ID_LEN] = '\0';
	/* Kept, so that the caller may borrow it. */
	if ((s = json_string(id)) == NULL ||
	    json_object_set_new(v->idcache, key, s) < 0)
		return NULL;
	return json_string_value(s);
}

json_t *
rb_coll_owner_ids(struct rb_coll_view *v, const char *owner)
{
	char key[1100];
	const char *val;
	size_t klen = mkkey(key, sizeof key, 'o', owner), vlen;
	json_t *t = json_object_get(v->t_own, owner), *out;

	if (t != NULL)
		return json_copy(t);
	if ((out = json_array()) == NULL)
		return NULL;
	if (klen == 0 || !files_get(v, key, klen, &val, &vlen))
		return out;
	for (size_t i = 0; i + ID_LEN <= vlen; i += ID_LEN)
		if (json_array_append_new(out, json_stringn(val + i, ID_LEN)) <
		    0) {
			json_decref(out);
			return NULL;
		}
	return out;
}

/* --- changes ---------------------------------------------------------- */

/* ids at owner, with id added (add) or taken out. */
static int
owner_change(struct rb_coll_view *v, const char *owner, const char *id, int add)
{
	json_t *ids = rb_coll_owner_ids(v, owner), *x;
	size_t i;

	if (ids == NULL)
		return -1;
	json_array_foreach (ids, i, x) {
		if (strcmp(json_string_value(x), id) == 0) {
			json_array_remove(ids, i);
			break;
		}
	}
	if (add && json_array_append_new(ids, json_string(id)) < 0) {
		json_decref(ids);
		return -1;
	}
	return json_object_set_new(v->t_own, owner, ids);
}

static int
apply_add(struct rb_coll_view *v, const char *id, json_t *entry)
{
	char key[2048], owner[1024];

	if (rb_coll_find(v, id) != NULL)
		return 0; /* replayed: already here */
	rb_coll_key(v->coll, entry, key, sizeof key);
	if (json_object_set(v->t_ent, id, entry) < 0 ||
	    json_object_set_new(v->t_key, key, json_string(id)) < 0 ||
	    json_array_append_new(v->t_order, json_string(id)) < 0)
		return -1;
	if (v->owners &&
	    owner_change(v, rb_coll_owner(entry, owner, sizeof owner), id, 1) <
	        0)
		return -1;
	v->count++;
	return 0;
}

static int
apply_delete(struct rb_coll_view *v, const char *id)
{
	char key[2048], owner[1024];
	json_t *old = rb_coll_find(v, id);

	if (old == NULL)
		return 0;
	json_incref(old);
	rb_coll_key(v->coll, old, key, sizeof key);
	if (v->owners)
		rb_coll_owner(old, owner, sizeof owner);
	json_decref(old);
	if (json_object_set_new(v->t_ent, id, json_null()) < 0 ||
	    json_object_set_new(v->t_key, key, json_null()) < 0)
		return -1;
	if (v->owners && owner_change(v, owner, id, 0) < 0)
		return -1;
	v->count--;
	return 0;
}

/* The entry becomes a copy carrying the event's fields, so the fields of
 * events already staged never change. */
static int
apply_merge(struct rb_coll_view *v, const char *id, json_t *fields)
{
	char before[2048], after[2048];
	json_t *old = rb_coll_find(v, id), *copy;

	if (old == NULL)
		return 0;
	rb_coll_key(v->coll, old, before, sizeof before);
	if ((copy = json_copy(old)) == NULL ||
	    json_object_update(copy, fields) < 0 ||
	    json_object_set(copy, "id", json_object_get(old, "id")) < 0) {
		json_decref(copy);
		return -1;
	}
	rb_coll_key(v->coll, copy, after, sizeof after);
	if (json_object_set_new(v->t_ent, id, copy) < 0)
		return -1;
	if (strcmp(before, after) == 0)
		return 0;
	if (json_object_set_new(v->t_key, before, json_null()) < 0 ||
	    json_object_set_new(v->t_key, after, json_string(id)) < 0)
		return -1;
	return 0;
}

int
rb_coll_apply(struct rb_coll_view *v, uint64_t seq, enum rb_coll_op op,
    json_t *fields, struct rb_err *e)
{
	const char *id = str_field(fields, "id");
	int r;

	if (seq <= v->seq)
		return 0;
	if (id[0] == '\0')
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "%s event at seq %llu has no id", v->name,
		    (unsigned long long)seq);
	if (op == RB_COLL_ADD)
		r = apply_add(v, id, fields);
	else if (op == RB_COLL_DELETE)
		r = apply_delete(v, id);
	else
		r = apply_merge(v, id, fields);
	if (r < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	v->seq = seq;
	v->t_events++;
	return 0;
}

int
rb_coll_changed(struct rb_coll_view *v,
    int (*fn)(void *ctx, int op, const char *name), void *ctx)
{
	char name[2100];
	const char *k;
	json_t *x;
	unsigned pos;
	int kind = v->owners ? 'o' : 'k';

	if (v->ck.fd >= 0) {
		if (file_map(&v->ck) < 0)
			return -1;
		cdb_seqinit(&pos, &v->ck.db);
		while (cdb_seqnext(&pos, &v->ck.db) > 0) {
			unsigned kl = cdb_keylen(&v->ck.db);
			const char *kp = cdb_get(&v->ck.db, kl,
			    cdb_keypos(&v->ck.db));

			if (kp == NULL || kl < 1 || kp[0] != kind ||
			    kl >= sizeof name)
				continue;
			memcpy(name, kp + 1, kl - 1);
			name[kl - 1] = '\0';
			if (fn(ctx, kind, name) < 0)
				return -1;
		}
	}
	json_object_foreach (kind == 'o' ? v->t_own : v->t_key, k, x) {
		if (fn(ctx, kind, k) < 0)
			return -1;
	}
	return 0;
}

size_t
rb_coll_pending(const struct rb_coll_view *v)
{
	return v->t_events + (v->ck.fd >= 0 ? (size_t)v->ck.changes : 0);
}

/* --- the whole collection ---------------------------------------------- */

/* An id's latest state beyond the base: 1 with the entry (borrowed; NULL
 * when deleted), 0 when only the base knows it. */
static int
newer(struct rb_coll_view *v, const char *id, json_t **entry)
{
	char key[128];
	size_t klen = mkkey(key, sizeof key, 'i', id), vlen;
	json_t *t = json_object_get(v->t_ent, id);

	if (t != NULL) {
		*entry = json_is_null(t) ? NULL : t;
		return 1;
	}
	if (klen == 0 || file_get(&v->ck, key, klen, &vlen) == NULL)
		return 0;
	*entry = rb_coll_find(v, id);
	return 1;
}

/* Call fn with each entry now, in order: the base's (as changed since),
 * then the checkpoint's additions, then the tail's.  fn gets the entry as
 * stored text when it did not change (text, len), else as JSON. */
static int
each_entry(struct rb_coll_view *v,
    int (*fn)(void *ctx, const char *text, size_t len, json_t *j), void *ctx)
{
	struct rb_coll_file *files[2] = { &v->base, &v->ck };
	char id[ID_LEN + 1];
	json_t *j, *x;
	unsigned pos;
	size_t i;

	for (int f = 0; f < 2; f++) {
		struct cdb *db = &files[f]->db;

		if (files[f]->fd < 0)
			continue;
		if (file_map(files[f]) < 0)
			return -1;
		cdb_seqinit(&pos, db);
		while (cdb_seqnext(&pos, db) > 0) {
			unsigned kl = cdb_keylen(db), vl = cdb_datalen(db);
			const char *k = cdb_get(db, kl, cdb_keypos(db));
			const char *val = cdb_get(db, vl, cdb_datapos(db));
			size_t hit;

			if (k == NULL || val == NULL || kl != 1 + ID_LEN ||
			    k[0] != 'i')
				continue;
			memcpy(id, k + 1, ID_LEN);
			id[ID_LEN] = '\0';
			/* A checkpoint entry the base holds is listed at
			 * the base's place. */
			if (f == 1 && file_get(&v->base, k, kl, &hit) != NULL)
				continue;
			if (f == 1 && json_object_get(v->t_ent, id) == NULL) {
				if (vl > 1 && val[0] == 'S' &&
				    fn(ctx, val + 1, vl - 1, NULL) < 0)
					return -1;
				continue;
			}
			if (f == 0 && !newer(v, id, &j)) {
				if (fn(ctx, val, vl, NULL) < 0)
					return -1;
				continue;
			}
			if (f == 1)
				j = json_object_get(v->t_ent, id);
			if (j != NULL && !json_is_null(j) &&
			    fn(ctx, NULL, 0, j) < 0)
				return -1;
		}
	}
	json_array_foreach (v->t_order, i, x) {
		j = json_object_get(v->t_ent, json_string_value(x));
		if (j != NULL && !json_is_null(j) && fn(ctx, NULL, 0, j) < 0)
			return -1;
	}
	return 0;
}

static int
collect(void *ctx, const char *text, size_t len, json_t *j)
{
	json_t *arr = ctx;

	if (j != NULL)
		return json_array_append(arr, j);
	if ((j = json_loadb(text, len, 0, NULL)) == NULL)
		return -1;
	return json_array_append_new(arr, j);
}

json_t *
rb_coll_entries(struct rb_coll_view *v, struct rb_err *e)
{
	json_t *arr = json_array();

	if (arr == NULL || each_entry(v, collect, arr) < 0) {
		json_decref(arr);
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store %s: an entry is damaged, or out of memory", v->name);
		return NULL;
	}
	return arr;
}

struct text {
	char *buf;
	size_t len, cap;
	int fail;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->fail)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 65536) + n;
		char *b = realloc(t->buf, cap);

		if (b == NULL) {
			t->fail = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static int
append_text(void *ctx, const char *text, size_t len, json_t *j)
{
	struct text *t = ctx;
	char *s = NULL;

	if (t->len > 0)
		text_add(t, ",", 1);
	if (j != NULL) {
		if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
			return -1;
		text = s;
		len = strlen(s);
	}
	text_add(t, text, len);
	free(s);
	return t->fail ? -1 : 0;
}

char *
rb_coll_entries_text(struct rb_coll_view *v, size_t *len, struct rb_err *e)
{
	struct text t = { 0 };

	text_add(&t, "", 0);
	if (each_entry(v, append_text, &t) < 0 || t.fail) {
		free(t.buf);
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

/* --- writing ------------------------------------------------------------ */

/* A pair for the file being written, once per key (seen keeps them). */
static int
put(struct rb_cdbw *out, json_t *seen, const char *key, size_t klen,
    const char *val, size_t vlen)
{
	char k[2200];

	if (klen >= sizeof k)
		return 0; /* no key of ours is this long */
	memcpy(k, key, klen);
	k[klen] = '\0';
	if (seen != NULL) {
		if (json_object_get(seen, k) != NULL)
			return 0;
		if (json_object_set_new(seen, k, json_true()) < 0)
			return -1;
	}
	return rb_cdbw_add(out, key, klen, val, vlen, 0);
}

/* A checkpoint value: 'S' and val, or 'X' for NULL. */
static int
put_ck(struct rb_cdbw *out, json_t *seen, char prefix, const char *name,
    const char *val, size_t vlen)
{
	char key[2200], *buf;
	size_t klen = mkkey(key, sizeof key, prefix, name);
	int r;

	if (klen == 0)
		return 0;
	if (val == NULL)
		return put(out, seen, key, klen, "X", 1);
	if ((buf = malloc(vlen + 1)) == NULL)
		return -1;
	buf[0] = 'S';
	memcpy(buf + 1, val, vlen);
	r = put(out, seen, key, klen, buf, vlen + 1);
	free(buf);
	return r;
}

static int
put_entry_ck(struct rb_coll_view *v, struct rb_cdbw *out, json_t *seen,
    const char *id, json_t *entry)
{
	char *text = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
	int r;

	if (entry != NULL && text == NULL)
		return -1;
	r = put_ck(out, seen, 'i', id, text, text ? strlen(text) : 0);
	free(text);
	return r;
}

static int
put_ids_ck(struct rb_cdbw *out, json_t *seen, const char *owner,
    const json_t *ids)
{
	char buf[ID_LEN * 64], *p = buf;
	size_t n = json_array_size(ids), i;
	json_t *x;
	int r;

	if (n * ID_LEN > sizeof buf && (p = malloc(n * ID_LEN)) == NULL)
		return -1;
	json_array_foreach (ids, i, x)
		memcpy(p + i * ID_LEN, json_string_value(x), ID_LEN);
	r = put_ck(out, seen, 'o', owner, n ? p : NULL, n * ID_LEN);
	if (p != buf)
		free(p);
	return r;
}

static int
put_meta(struct rb_cdbw *out, const struct rb_coll_view *v, uint64_t seq,
    long count, long changes)
{
	char m[200];
	int n = v != NULL ?
	    snprintf(m, sizeof m,
	        "{\"seq\":%llu,\"count\":%ld,\"base\":%llu,\"changes\":%ld}",
	        (unsigned long long)seq, count, (unsigned long long)v->base.seq,
	        changes) :
	    snprintf(m, sizeof m, "{\"seq\":%llu,\"count\":%ld}",
	        (unsigned long long)seq, count);

	return rb_cdbw_add(out, META, 1, m, (size_t)n, 0);
}

/* The tail's changes, then the old checkpoint's keys it did not change. */
static int
fold_tail(struct rb_coll_view *v, struct rb_cdbw *out, json_t *seen)
{
	const char *k;
	json_t *x;
	size_t i;

	json_array_foreach (v->t_order, i, x) {
		const char *id = json_string_value(x);
		json_t *j = json_object_get(v->t_ent, id);
		if (put_entry_ck(v, out, seen, id, json_is_null(j) ? NULL : j) <
		    0)
			return -1;
	}
	json_object_foreach (v->t_ent, k, x) {
		if (put_entry_ck(v, out, seen, k, json_is_null(x) ? NULL : x) <
		    0)
			return -1;
	}
	json_object_foreach (v->t_key, k, x) {
		const char *id = json_string_value(x);
		if (put_ck(out, seen, 'k', k, id, id ? ID_LEN : 0) < 0)
			return -1;
	}
	json_object_foreach (v->t_own, k, x) {
		if (put_ids_ck(out, seen, k, x) < 0)
			return -1;
	}
	return 0;
}

/* The tail's pairs by key (seen), for the old checkpoint's walk. */
static int
index_pairs(const struct rb_cdbw *a, json_t *at)
{
	char k[2200];

	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].klen >= sizeof k)
			continue;
		memcpy(k, a->v[i].key, a->v[i].klen);
		k[a->v[i].klen] = '\0';
		if (json_object_set_new(at, k, json_integer((json_int_t)i)) < 0)
			return -1;
	}
	return 0;
}

/* The new checkpoint: the old one's keys in their order, each with the
 * tail's value when the tail changed it, then the tail's new keys in the
 * tail's order; listing order is checkpoint order. */
static int
merge_ck(struct rb_coll_view *v, const struct rb_cdbw *tail, json_t *at,
    struct rb_cdbw *out)
{
	struct cdb *db = &v->ck.db;
	char k[2200];
	unsigned pos;
	json_t *x;

	if (v->ck.fd >= 0) {
		if (file_map(&v->ck) < 0)
			return -1;
		cdb_seqinit(&pos, db);
		while (cdb_seqnext(&pos, db) > 0) {
			unsigned kl = cdb_keylen(db), vl = cdb_datalen(db);
			const char *kp = cdb_get(db, kl, cdb_keypos(db));
			const char *vp = cdb_get(db, vl, cdb_datapos(db));

			if (kp == NULL || vp == NULL || kl >= sizeof k ||
			    (kl == 1 && kp[0] == META[0]))
				continue;
			memcpy(k, kp, kl);
			k[kl] = '\0';
			if ((x = json_object_get(at, k)) != NULL) {
				const struct rb_cdbw_kv *t =
				    &tail->v[json_integer_value(x)];
				json_object_del(at, k);
				if (rb_cdbw_add(out, t->key, t->klen, t->val,
				        t->vlen, 0) < 0)
					return -1;
			} else if (rb_cdbw_add(out, kp, kl, vp, vl, 0) < 0) {
				return -1;
			}
		}
	}
	for (size_t i = 0; i < tail->n; i++) {
		const struct rb_cdbw_kv *t = &tail->v[i];

		if (t->klen >= sizeof k)
			continue;
		memcpy(k, t->key, t->klen);
		k[t->klen] = '\0';
		if (json_object_get(at, k) == NULL)
			continue; /* written in the old one's place */
		if (rb_cdbw_add(out, t->key, t->klen, t->val, t->vlen, 0) < 0)
			return -1;
	}
	return 0;
}

int
rb_coll_checkpoint(struct rb_coll_view *v, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	struct rb_cdbw tail = { 0 }, out = { 0 };
	json_t *seen = json_object(), *at = json_object();
	int r = -1;

	if (seen == NULL || at == NULL ||
	    put_meta(&out, v, v->seq, v->count, (long)rb_coll_pending(v)) < 0 ||
	    fold_tail(v, &tail, seen) < 0 || index_pairs(&tail, at) < 0 ||
	    merge_ck(v, &tail, at, &out) < 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	rb_path(path, sizeof path, "%s/%s.delta", v->dir, v->name);
	r = rb_cdbw_write(&out, path, e);
done:
	rb_cdbw_free(&tail);
	rb_cdbw_free(&out);
	json_decref(seen);
	json_decref(at);
	return r;
}

int
rb_coll_write_base(int coll, int owners, const json_t *entries, uint64_t seq,
    const char *path, struct rb_err *e)
{
	struct rb_cdbw out = { 0 };
	json_t *own = json_object(), *v, *ids;
	char key[2200], name[1024];
	const char *o;
	size_t i, klen;
	int r = -1;

	if (own == NULL ||
	    put_meta(&out, NULL, seq, (long)json_array_size(entries), 0) < 0)
		goto oom;
	json_array_foreach (entries, i, v) {
		const char *id = str_field(v, "id");
		char *text = json_dumps(v, JSON_COMPACT);

		klen = mkkey(key, sizeof key, 'i', id);
		if (text == NULL || klen == 0 ||
		    rb_cdbw_add(&out, key, klen, text, strlen(text), 0) < 0) {
			free(text);
			goto oom;
		}
		free(text);
	}
	json_array_foreach (entries, i, v) {
		const char *id = str_field(v, "id");

		rb_coll_key(coll, v, name, sizeof name);
		klen = mkkey(key, sizeof key, 'k', name);
		if (klen == 0 ||
		    rb_cdbw_add(&out, key, klen, id, strlen(id), 0) < 0)
			goto oom;
		if (!owners)
			continue;
		rb_coll_owner(v, name, sizeof name);
		if ((ids = json_object_get(own, name)) == NULL &&
		    (json_object_set_new(own, name, ids = json_array()) < 0 ||
		        ids == NULL))
			goto oom;
		if (json_array_append_new(ids, json_string(id)) < 0)
			goto oom;
	}
	json_object_foreach (own, o, ids) {
		size_t n = json_array_size(ids);
		char *buf = malloc(n * ID_LEN + 1);
		json_t *x;
		size_t k;

		if (buf == NULL)
			goto oom;
		json_array_foreach (ids, k, x)
			memcpy(buf + k * ID_LEN, json_string_value(x), ID_LEN);
		klen = mkkey(key, sizeof key, 'o', o);
		if (klen == 0 ||
		    rb_cdbw_add(&out, key, klen, buf, n * ID_LEN, 0) < 0) {
			free(buf);
			goto oom;
		}
		free(buf);
	}
	r = rb_cdbw_write(&out, path, e);
	goto done;
oom:
	rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
done:
	rb_cdbw_free(&out);
	json_decref(own);
	return r;
}
