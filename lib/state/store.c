/*
 * store: the collections (lib/state/coll) and the zones builds, changed
 * only by applying journal events.
 *
 * Invariants: every event with seq <= applied is in the collection files
 * (a base or a checkpoint) and in store/zones.json; the events after it
 * are in the journal files from next on, which the journal never prunes
 * (lib/state/journal: its floor), and a writer applies them to the views'
 * tails at begin (lib/state/txn).  store/applied is written only after
 * the checkpoints it vouches for, so it never claims more than the files
 * hold.  Applying an event at or below a collection's seq changes
 * nothing, so recovery may replay what is already there.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "state/store.h"
#include "sys/atomic.h"
#include "sys/file.h"

#define MAX_STORE_FILE (1u << 30)

static const char *const coll_names[RB_COLL_N] = { "dns", "blacklist",
	"allowlist", "feeds", "zones" };

static const struct {
	const char *event;
	enum rb_coll coll;
	int op; /* enum rb_coll_op; zones: add as the newest */
} event_map[] = {
	{ "dns_add", RB_COLL_DNS, RB_COLL_ADD },
	{ "dns_delete", RB_COLL_DNS, RB_COLL_DELETE },
	{ "blacklist_add", RB_COLL_BLACKLIST, RB_COLL_ADD },
	{ "blacklist_delete", RB_COLL_BLACKLIST, RB_COLL_DELETE },
	{ "allow_add", RB_COLL_ALLOWLIST, RB_COLL_ADD },
	{ "allow_delete", RB_COLL_ALLOWLIST, RB_COLL_DELETE },
	{ "feed_add", RB_COLL_FEEDS, RB_COLL_ADD },
	{ "feed_delete", RB_COLL_FEEDS, RB_COLL_DELETE },
	{ "feed_update", RB_COLL_FEEDS, RB_COLL_MERGE },
	{ "zones_update", RB_COLL_ZONES, RB_COLL_ADD },
};

const char *
rb_store_coll_name(enum rb_coll c)
{
	return coll_names[c];
}

static int
event_index(const char *event)
{
	for (size_t i = 0; i < sizeof event_map / sizeof event_map[0]; i++) {
		if (strcmp(event, event_map[i].event) == 0)
			return (int)i;
	}
	return -1;
}

int
rb_store_coll_of(const char *event)
{
	int i = event_index(event);

	return i < 0 ? -1 : (int)event_map[i].coll;
}

const char *
rb_store_key(enum rb_coll c, const json_t *entry, char *buf, size_t len)
{
	return rb_coll_key((int)c, entry, buf, len);
}

static const char *
str_field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* --- store/zones.json: at most RB_ZONES_KEPT builds, written whole ---- */

static int
load_zones(struct rb_store *s, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	json_t *doc, *arr;
	json_error_t jerr;

	rb_path(path, sizeof path, "%s/zones.json", s->dir);
	if ((doc = json_load_file(path, 0, &jerr)) == NULL) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return (s->zones = json_array()) ? 0 : -1;
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store zones unreadable: %s (line %d)", jerr.text,
		    jerr.line);
	}
	arr = json_object_get(doc, "entries");
	if (!json_is_array(arr) ||
	    !json_is_integer(json_object_get(doc, "seq"))) {
		json_decref(doc);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store zones is not a store file");
	}
	s->zones_seq = (uint64_t)json_integer_value(
	    json_object_get(doc, "seq"));
	s->zones = json_incref(arr);
	json_decref(doc);
	return 0;
}

/* One entry per line: diffable, and still one JSON document. */
static int
save_zones(struct rb_store *s, struct rb_err *e)
{
	char path[RB_PATH_MAX], head[64];
	struct rb_atomic a;
	size_t i;
	json_t *v;
	int n;

	rb_path(path, sizeof path, "%s/zones.json", s->dir);
	if (rb_atomic_open(&a, path, 0640) < 0)
		return rb_err_sys(e, "create store file");
	n = snprintf(head, sizeof head, "{\"seq\":%llu,\"entries\":[",
	    (unsigned long long)s->zones_seq);
	if (rb_atomic_write(&a, head, (size_t)n) < 0)
		goto fail;
	json_array_foreach (s->zones, i, v) {
		if (rb_atomic_write(&a, i ? ",\n" : "\n", i ? 2 : 1) < 0 ||
		    rb_atomic_write_json(&a, v) < 0)
			goto fail;
	}
	if (rb_atomic_write(&a, "\n]}\n", 4) < 0)
		goto fail;
	if (rb_atomic_commit(&a) < 0)
		return rb_err_sys(e, "commit store file");
	s->zones_dirty = 0;
	return 0;
fail:
	rb_atomic_abort(&a);
	return rb_err_sys(e, "write store file");
}

/* A version history: the entry becomes the newest, an older one with the
 * same id (the same bytes built again) goes, and so do the oldest beyond
 * RB_ZONES_KEPT. */
static int
zones_newest(struct rb_store *s, json_t *entry)
{
	const char *id = str_field(entry, "id");
	size_t i;
	json_t *v;

	json_array_foreach (s->zones, i, v) {
		if (strcmp(str_field(v, "id"), id) == 0) {
			if (json_array_remove(s->zones, i) < 0)
				return -1;
			break;
		}
	}
	if (json_array_append(s->zones, entry) < 0)
		return -1;
	while (json_array_size(s->zones) > RB_ZONES_KEPT)
		if (json_array_remove(s->zones, 0) < 0)
			return -1;
	return 0;
}

/* --- store/applied ---------------------------------------------------- */

static int
load_applied(struct rb_store *s, struct rb_err *e)
{
	char path[RB_PATH_MAX], *txt, *end;
	json_t *j;

	rb_path(path, sizeof path, "%s/applied", s->dir);
	if ((txt = rb_file_read(path, 256, NULL)) != NULL) {
		j = json_loads(txt, 0, NULL);
		free(txt);
		if (j == NULL || !json_is_integer(json_object_get(j, "seq")) ||
		    !json_is_integer(json_object_get(j, "next"))) {
			json_decref(j);
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "store/applied is damaged");
		}
		s->applied = (uint64_t)json_integer_value(
		    json_object_get(j, "seq"));
		s->next = (uint64_t)json_integer_value(
		    json_object_get(j, "next"));
		json_decref(j);
		return 0;
	}
	if (errno != ENOENT)
		return rb_err_sys(e, "read store/applied");
	/* Before store/applied: store/seq, and no journal position (next
	 * 0: the journal is listed once). */
	rb_path(path, sizeof path, "%s/seq", s->dir);
	if ((txt = rb_file_read(path, 64, NULL)) == NULL)
		return errno == ENOENT ? 0 : rb_err_sys(e, "read store seq");
	s->applied = strtoull(txt, &end, 10);
	free(txt);
	return 0;
}

int
rb_store_applied(const char *root, uint64_t *seq, uint64_t *next,
    struct rb_err *e)
{
	struct rb_store s;
	int r;

	memset(&s, 0, sizeof s);
	if (rb_path(s.dir, sizeof s.dir, "%s/store", root) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root path too long");
	r = load_applied(&s, e);
	*seq = s.applied;
	*next = s.next;
	return r;
}

int
rb_store_set_applied(const char *root, uint64_t next, struct rb_err *e)
{
	char path[RB_PATH_MAX], line[80];
	json_t *o = json_pack("{s:I, s:I}", "seq", (json_int_t)(next - 1),
	    "next", (json_int_t)next);
	size_t n = o ? json_dumpb(o, line, sizeof line - 1,
	                   JSON_COMPACT | JSON_PRESERVE_ORDER) :
	               0;

	json_decref(o);
	if (n == 0 || n > sizeof line - 1) {
		errno = ENOMEM;
		return rb_err_sys(e, "write store/applied");
	}
	line[n++] = '\n';
	rb_path(path, sizeof path, "%s/store/applied", root);
	if (rb_atomic_replace(path, line, n, 0640) < 0)
		return rb_err_sys(e, "write store/applied");
	return 0;
}

static int
save_applied(struct rb_store *s, uint64_t next, struct rb_err *e)
{
	char seq[RB_PATH_MAX];

	if (rb_store_set_applied(s->root, next, e) < 0)
		return -1;
	/* An older root's store/seq, which store/applied replaces. */
	rb_path(seq, sizeof seq, "%s/seq", s->dir);
	if (unlink(seq) < 0 && errno != ENOENT)
		return rb_err_sys(e, "remove store/seq");
	s->applied = next - 1;
	s->next = next;
	return 0;
}

/* --- load ------------------------------------------------------------- */

/* An older root's store/<name>.json ({"seq":N,"entries":[...]}) becomes
 * the collection's base, once. */
static int
convert_json(const char *root, const char *dir, enum rb_coll c,
    struct rb_err *e)
{
	char json[RB_PATH_MAX], base[RB_PATH_MAX];
	json_t *doc, *arr;
	json_error_t jerr;
	int r;

	rb_path(json, sizeof json, "%s/%s.json", dir, coll_names[c]);
	rb_coll_base_path(root, coll_names[c], base, sizeof base);
	if (access(base, F_OK) == 0 || access(json, F_OK) < 0)
		return 0;
	if ((doc = json_load_file(json, 0, &jerr)) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store %s unreadable: %s (line %d)", coll_names[c],
		    jerr.text, jerr.line);
	arr = json_object_get(doc, "entries");
	r = json_is_array(arr) ?
	    rb_coll_write_base((int)c, c == RB_COLL_DNS, arr,
	        (uint64_t)json_integer_value(json_object_get(doc, "seq")), base,
	        e) :
	    rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
	        "store %s is not a store file", coll_names[c]);
	json_decref(doc);
	if (r == 0 && unlink(json) < 0)
		return rb_err_sys(e, "remove the converted store file");
	return r;
}

int
rb_store_convert(const char *root, struct rb_err *e)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/store", root);
	for (int c = 0; c < RB_COLL_ZONES; c++)
		if (convert_json(root, dir, (enum rb_coll)c, e) < 0)
			return -1;
	return 0;
}

int
rb_store_load(struct rb_store *s, const char *root, struct rb_err *e)
{
	memset(s, 0, sizeof *s);
	for (int c = 0; c < RB_COLL_ZONES; c++)
		s->v[c].base.fd = s->v[c].ck.fd = -1;
	if (rb_path(s->root, sizeof s->root, "%s", root) < 0 ||
	    rb_path(s->dir, sizeof s->dir, "%s/store", root) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root path too long");
	for (int c = 0; c < RB_COLL_ZONES; c++) {
		if (rb_coll_open(&s->v[c], root, c, coll_names[c],
		        c == RB_COLL_DNS, e) < 0)
			goto fail;
		if (s->v[c].seq > s->last)
			s->last = s->v[c].seq;
	}
	if (load_zones(s, e) < 0 || load_applied(s, e) < 0)
		goto fail;
	if (s->zones_seq > s->last)
		s->last = s->zones_seq;
	if (s->applied > s->last)
		s->last = s->applied;
	return 0;
fail:
	rb_store_fini(s);
	return -1;
}

void
rb_store_fini(struct rb_store *s)
{
	for (int c = 0; c < RB_COLL_ZONES; c++)
		rb_coll_close(&s->v[c]);
	for (int c = 0; c < RB_COLL_N; c++) {
		json_decref(s->all[c]);
		s->all[c] = NULL;
	}
	json_decref(s->zones);
	s->zones = NULL;
}

/* --- changes ---------------------------------------------------------- */

int
rb_store_apply(struct rb_store *s, json_t *event, struct rb_err *e)
{
	const char *name = str_field(event, "event");
	json_t *fields = json_object_get(event, "fields");
	json_int_t seq = json_integer_value(json_object_get(event, "seq"));
	int i = event_index(name);
	enum rb_coll c;

	if (seq > 0 && (uint64_t)seq > s->last)
		s->last = (uint64_t)seq;
	if (i < 0)
		return 0;
	c = event_map[i].coll;
	if (seq <= 0 || !json_is_object(fields) ||
	    str_field(fields, "id")[0] == '\0')
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "malformed %s event at seq %lld", name, (long long)seq);
	json_decref(s->all[c]);
	s->all[c] = NULL;
	if (c != RB_COLL_ZONES)
		return rb_coll_apply(&s->v[c], (uint64_t)seq,
		    (enum rb_coll_op)event_map[i].op, fields, e);
	if ((uint64_t)seq <= s->zones_seq)
		return 0;
	if (zones_newest(s, fields) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	s->zones_seq = (uint64_t)seq;
	s->zones_dirty = 1;
	return 0;
}

int
rb_store_save(struct rb_store *s, uint64_t next, int force, struct rb_err *e)
{
	int bulk = 0;

	if (rb_file_mkdirs(s->dir, 0750) < 0)
		return rb_err_sys(e, "create store directory");
	if (s->zones_dirty && save_zones(s, e) < 0)
		return -1;
	/* Few and rare, and rb-feedd watches for them (store/feeds.delta). */
	if (s->v[RB_COLL_FEEDS].t_events > 0 &&
	    rb_coll_checkpoint(&s->v[RB_COLL_FEEDS], e) < 0)
		return -1;
	if (!force && s->next != 0 && next - s->next < RB_STORE_REPLAY_MAX)
		return 0;
	for (int c = 0; c < RB_COLL_ZONES; c++) {
		if (s->v[c].t_events >= RB_STORE_BULK)
			bulk = 1;
		else if (s->v[c].t_events > 0 &&
		    rb_coll_checkpoint(&s->v[c], e) < 0)
			return -1;
	}
	/* The journal keeps holding a bulk until compaction: applied
	 * stays. */
	return bulk ? 0 : save_applied(s, next, e);
}

/* --- reads ------------------------------------------------------------ */

json_t *
rb_store_find(struct rb_store *s, enum rb_coll c, const char *id)
{
	size_t i;
	json_t *v;

	if (c != RB_COLL_ZONES)
		return rb_coll_find(&s->v[c], id);
	json_array_foreach (s->zones, i, v) {
		if (strcmp(str_field(v, "id"), id) == 0)
			return v;
	}
	return NULL;
}

const char *
rb_store_id_of(struct rb_store *s, enum rb_coll c, const char *key)
{
	json_t *v = c == RB_COLL_ZONES ? rb_store_find(s, c, key) : NULL;

	if (c != RB_COLL_ZONES)
		return rb_coll_id_of(&s->v[c], key);
	return v ? str_field(v, "id") : NULL;
}

long
rb_store_count(const struct rb_store *s, enum rb_coll c)
{
	return c == RB_COLL_ZONES ? (long)json_array_size(s->zones) :
	                            s->v[c].count;
}

json_t *
rb_store_entries(struct rb_store *s, enum rb_coll c, struct rb_err *e)
{
	if (c == RB_COLL_ZONES)
		return s->zones;
	if (s->all[c] == NULL)
		s->all[c] = rb_coll_entries(&s->v[c], e);
	return s->all[c];
}

struct rb_coll_view *
rb_store_view(struct rb_store *s, enum rb_coll c)
{
	return &s->v[c];
}

uint64_t
rb_store_max_seq(const struct rb_store *s)
{
	uint64_t m = s->zones_seq;

	for (int c = 0; c < RB_COLL_ZONES; c++)
		m = s->v[c].seq > m ? s->v[c].seq : m;
	return m;
}

int
rb_store_replace(struct rb_store *s, json_t *const colls[RB_COLL_N],
    const uint64_t coll_seq[RB_COLL_N], uint64_t seq, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	json_t *none = json_array();
	int r = -1;

	if (none == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (rb_file_mkdirs(s->dir, 0750) < 0) {
		rb_err_sys(e, "create store directory");
		goto done;
	}
	for (int c = 0; c < RB_COLL_ZONES; c++) {
		rb_coll_base_path(s->root, coll_names[c], path, sizeof path);
		if (rb_coll_write_base(c, c == RB_COLL_DNS,
		        colls[c] ? colls[c] : none, coll_seq[c], path, e) < 0)
			goto done;
		rb_coll_ck_path(s->root, coll_names[c], path, sizeof path);
		if (unlink(path) < 0 && errno != ENOENT) {
			rb_err_sys(e, "remove a checkpoint");
			goto done;
		}
		rb_coll_close(&s->v[c]);
		if (rb_coll_open(&s->v[c], s->root, c, coll_names[c],
		        c == RB_COLL_DNS, e) < 0)
			goto done;
		json_decref(s->all[c]);
		s->all[c] = NULL;
	}
	json_decref(s->zones);
	s->zones = json_copy(
	    colls[RB_COLL_ZONES] ? colls[RB_COLL_ZONES] : none);
	s->zones_seq = coll_seq[RB_COLL_ZONES];
	if (s->zones == NULL || save_zones(s, e) < 0 ||
	    save_applied(s, seq + 1, e) < 0)
		goto done;
	s->last = seq;
	r = 0;
done:
	json_decref(none);
	return r;
}
