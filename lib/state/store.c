/*
 * store: collections of entries, loaded whole, changed only by applying
 * journal events, written whole by atomic rename.
 *
 * Invariants: entries[c] holds each id once; by_id[c] and by_key[c] index
 * exactly the entries in entries[c]; seq[c] is the seq of the last event
 * applied to c.  Applying an event whose seq is not above seq[c] changes
 * nothing, so recovery may replay a journal over a store that already has
 * part of it.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "state/store.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define MAX_STORE_FILE (1u << 30)

static const char *const coll_names[RB_COLL_N] = { "dns", "blacklist",
	"allowlist", "feeds", "zones" };

static const struct {
	const char *event;
	enum rb_coll coll;
	int add; /* 1 add, 0 delete, 2 merge fields into the entry,
	            3 add as the newest of the last RB_ZONES_KEPT */
} event_map[] = {
	{ "dns_add", RB_COLL_DNS, 1 },
	{ "dns_delete", RB_COLL_DNS, 0 },
	{ "blacklist_add", RB_COLL_BLACKLIST, 1 },
	{ "blacklist_delete", RB_COLL_BLACKLIST, 0 },
	{ "allow_add", RB_COLL_ALLOWLIST, 1 },
	{ "allow_delete", RB_COLL_ALLOWLIST, 0 },
	{ "feed_add", RB_COLL_FEEDS, 1 },
	{ "feed_delete", RB_COLL_FEEDS, 0 },
	{ "feed_update", RB_COLL_FEEDS, 2 },
	{ "zones_update", RB_COLL_ZONES, 3 },
};

const char *
rb_store_coll_name(enum rb_coll c)
{
	return coll_names[c];
}

int
rb_store_coll_of(const char *event)
{
	for (size_t i = 0; i < sizeof event_map / sizeof event_map[0]; i++) {
		if (strcmp(event, event_map[i].event) == 0)
			return (int)event_map[i].coll;
	}
	return -1;
}

static int
event_is_add(const char *event)
{
	for (size_t i = 0; i < sizeof event_map / sizeof event_map[0]; i++) {
		if (strcmp(event, event_map[i].event) == 0)
			return event_map[i].add;
	}
	return 0;
}

static const char *
str_field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

const char *
rb_store_key(enum rb_coll c, const json_t *entry, char *buf, size_t len)
{
	size_t i;

	if (c == RB_COLL_DNS)
		snprintf(buf, len, "%s %s %s", str_field(entry, "name"),
		    str_field(entry, "type"), str_field(entry, "value"));
	else if (c == RB_COLL_FEEDS)
		snprintf(buf, len, "%s", str_field(entry, "url"));
	else if (c == RB_COLL_ZONES)
		snprintf(buf, len, "%s", str_field(entry, "id"));
	else
		snprintf(buf, len, "%s", str_field(entry, "domain"));
	/* Names compare case-insensitively; values are case-sensitive. */
	for (i = 0; buf[i] != '\0' && buf[i] != ' '; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

json_t *
rb_store_find(const struct rb_store *s, enum rb_coll c, const char *id)
{
	size_t i;
	json_t *v;

	if (json_object_get(s->by_id[c], id) == NULL)
		return NULL;
	json_array_foreach (s->entries[c], i, v) {
		if (strcmp(str_field(v, "id"), id) == 0)
			return v;
	}
	return NULL;
}

uint64_t
rb_store_max_seq(const struct rb_store *s)
{
	uint64_t m = 0;

	for (int c = 0; c < RB_COLL_N; c++)
		m = s->seq[c] > m ? s->seq[c] : m;
	return m;
}

static int
index_entry(struct rb_store *s, enum rb_coll c, json_t *entry)
{
	char key[2048];
	const char *id = json_string_value(json_object_get(entry, "id"));

	if (id == NULL)
		return -1;
	rb_store_key(c, entry, key, sizeof key);
	if (json_object_set_new(s->by_id[c], id, json_true()) < 0 ||
	    json_object_set_new(s->by_key[c], key, json_string(id)) < 0)
		return -1;
	return 0;
}

static int
load_one(struct rb_store *s, enum rb_coll c, struct rb_err *e)
{
	char path[RB_PATH_MAX];
	json_t *doc, *arr, *v;
	json_error_t jerr;
	size_t i;

	rb_path(path, sizeof path, "%s/%s.json", s->dir, coll_names[c]);
	doc = json_load_file(path, 0, &jerr);
	if (doc == NULL) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store %s unreadable: %s (line %d)", coll_names[c],
		    jerr.text, jerr.line);
	}
	arr = json_object_get(doc, "entries");
	if (!json_is_array(arr) ||
	    !json_is_integer(json_object_get(doc, "seq"))) {
		json_decref(doc);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store %s is not a store file", coll_names[c]);
	}
	s->seq[c] = (uint64_t)json_integer_value(json_object_get(doc, "seq"));
	json_decref(s->entries[c]);
	s->entries[c] = json_incref(arr);
	json_decref(doc);
	json_array_foreach (arr, i, v) {
		if (index_entry(s, c, v) < 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "store %s: entry %zu has no id", coll_names[c], i);
	}
	return 0;
}

/* store/seq, or the oldest collection's seq when it is missing. */
static int
load_applied(struct rb_store *s, struct rb_err *e)
{
	char path[RB_PATH_MAX], *txt, *end;
	unsigned long long v;

	rb_path(path, sizeof path, "%s/seq", s->dir);
	txt = rb_file_read(path, 64, NULL);
	if (txt == NULL) {
		if (errno != ENOENT)
			return rb_err_sys(e, "read store seq");
		s->applied = s->seq[0];
		for (int c = 1; c < RB_COLL_N; c++)
			s->applied = s->seq[c] < s->applied ? s->seq[c] :
			                                      s->applied;
		return 0;
	}
	errno = 0;
	v = strtoull(txt, &end, 10);
	if (errno != 0 || end == txt || (*end != '\n' && *end != '\0')) {
		free(txt);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "store seq file is damaged");
	}
	free(txt);
	s->applied = v;
	return 0;
}

int
rb_store_load(struct rb_store *s, const char *root, struct rb_err *e)
{
	memset(s, 0, sizeof *s);
	if (snprintf(s->dir, sizeof s->dir, "%s/store", root) >=
	    (int)sizeof s->dir)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root path too long");
	for (int c = 0; c < RB_COLL_N; c++) {
		s->entries[c] = json_array();
		s->by_id[c] = json_object();
		s->by_key[c] = json_object();
		if (!s->entries[c] || !s->by_id[c] || !s->by_key[c])
			goto oom;
	}
	for (int c = 0; c < RB_COLL_N; c++) {
		if (load_one(s, (enum rb_coll)c, e) < 0) {
			rb_store_fini(s);
			return -1;
		}
	}
	if (load_applied(s, e) < 0) {
		rb_store_fini(s);
		return -1;
	}
	return 0;
oom:
	rb_store_fini(s);
	return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
}

void
rb_store_fini(struct rb_store *s)
{
	for (int c = 0; c < RB_COLL_N; c++) {
		json_decref(s->entries[c]);
		json_decref(s->by_id[c]);
		json_decref(s->by_key[c]);
		s->entries[c] = s->by_id[c] = s->by_key[c] = NULL;
	}
}

/* One entry per line: diffable, and still one JSON document. */
static int
save_one(struct rb_store *s, enum rb_coll c, struct rb_err *e)
{
	char path[RB_PATH_MAX], head[64];
	struct rb_atomic a;
	size_t i;
	json_t *v;
	int n;

	rb_path(path, sizeof path, "%s/%s.json", s->dir, coll_names[c]);
	if (rb_atomic_open(&a, path, 0640) < 0)
		return rb_err_sys(e, "create store file");
	n = snprintf(head, sizeof head, "{\"seq\":%llu,\"entries\":[",
	    (unsigned long long)s->seq[c]);
	if (rb_atomic_write(&a, head, (size_t)n) < 0)
		goto fail;
	json_array_foreach (s->entries[c], i, v) {
		if (rb_atomic_write(&a, i ? ",\n" : "\n", i ? 2 : 1) < 0 ||
		    rb_atomic_write_json(&a, v) < 0)
			goto fail;
	}
	if (rb_atomic_write(&a, "\n]}\n", 4) < 0)
		goto fail;
	if (rb_atomic_commit(&a) < 0)
		return rb_err_sys(e, "commit store file");
	s->dirty[c] = 0;
	return 0;
fail:
	rb_atomic_abort(&a);
	return rb_err_sys(e, "write store file");
}

int
rb_store_save(struct rb_store *s, struct rb_err *e)
{
	if (rb_file_mkdirs(s->dir, 0750) < 0)
		return rb_err_sys(e, "create store directory");
	for (int c = 0; c < RB_COLL_N; c++) {
		if (s->dirty[c] && save_one(s, (enum rb_coll)c, e) < 0)
			return -1;
	}
	if (s->applied_dirty) {
		char path[RB_PATH_MAX], line[32];
		int n = snprintf(line, sizeof line, "%llu\n",
		    (unsigned long long)s->applied);

		rb_path(path, sizeof path, "%s/seq", s->dir);
		if (rb_atomic_replace(path, line, (size_t)n, 0640) < 0)
			return rb_err_sys(e, "write store seq");
		s->applied_dirty = 0;
	}
	return 0;
}

static int
remove_id(struct rb_store *s, enum rb_coll c, const char *id)
{
	size_t i;
	json_t *v;
	char key[2048];

	if (json_object_get(s->by_id[c], id) == NULL)
		return 0;
	json_array_foreach (s->entries[c], i, v) {
		if (strcmp(str_field(v, "id"), id) != 0)
			continue;
		rb_store_key(c, v, key, sizeof key);
		json_object_del(s->by_key[c], key);
		json_object_del(s->by_id[c], id);
		return json_array_remove(s->entries[c], i);
	}
	return 0;
}

/* An update replaces the entry with a shallow copy carrying the event's
 * fields, so the fields of events already staged never change. */
static int
merge_id(struct rb_store *s, enum rb_coll c, const char *id, json_t *fields)
{
	size_t i;
	json_t *v, *copy;
	char before[2048], after[2048];

	if (json_object_get(s->by_id[c], id) == NULL)
		return 0;
	json_array_foreach (s->entries[c], i, v) {
		if (strcmp(str_field(v, "id"), id) != 0)
			continue;
		rb_store_key(c, v, before, sizeof before);
		if ((copy = json_copy(v)) == NULL ||
		    json_object_update(copy, fields) < 0 ||
		    json_object_set(copy, "id", json_object_get(v, "id")) < 0) {
			json_decref(copy);
			return -1;
		}
		rb_store_key(c, copy, after, sizeof after);
		if (json_array_set_new(s->entries[c], i, copy) < 0)
			return -1;
		if (strcmp(before, after) == 0)
			return 0;
		json_object_del(s->by_key[c], before);
		return json_object_set_new(s->by_key[c], after,
		    json_string(id));
	}
	return 0;
}

/* A version history: the entry becomes the newest, an older one with the
 * same id (the same bytes built again) goes, and so do the oldest beyond
 * RB_ZONES_KEPT. */
static int
add_newest(struct rb_store *s, enum rb_coll c, const char *id, json_t *fields)
{
	if (remove_id(s, c, id) < 0 ||
	    json_array_append(s->entries[c], fields) < 0 ||
	    index_entry(s, c, fields) < 0)
		return -1;
	while (json_array_size(s->entries[c]) > RB_ZONES_KEPT) {
		const char *old = str_field(json_array_get(s->entries[c], 0),
		    "id");
		char copy[128];

		snprintf(copy, sizeof copy, "%s", old);
		if (remove_id(s, c, copy) < 0)
			return -1;
	}
	return 0;
}

int
rb_store_apply(struct rb_store *s, json_t *event, struct rb_err *e)
{
	const char *name = str_field(event, "event");
	json_t *fields = json_object_get(event, "fields");
	json_int_t seq = json_integer_value(json_object_get(event, "seq"));
	int c = rb_store_coll_of(name);
	const char *id = str_field(fields, "id");

	if (seq > 0 && (uint64_t)seq > s->applied) {
		s->applied = (uint64_t)seq;
		s->applied_dirty = 1;
	}
	if (c < 0)
		return 0;
	if (seq <= 0 || !json_is_object(fields) || id[0] == '\0')
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "malformed %s event at seq %lld", name, (long long)seq);
	if ((uint64_t)seq <= s->seq[c])
		return 0;
	if (event_is_add(name) == 3) {
		if (add_newest(s, (enum rb_coll)c, id, fields) < 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
	} else if (event_is_add(name) == 2) {
		if (merge_id(s, (enum rb_coll)c, id, fields) < 0)
			return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
	} else if (event_is_add(name)) {
		/* The entry shares the event's fields: neither changes after
		 * it is staged. */
		if (json_object_get(s->by_id[c], id) == NULL) {
			if (json_array_append(s->entries[c], fields) < 0 ||
			    index_entry(s, (enum rb_coll)c, fields) < 0)
				return rb_err_set(e, RB_ERR_SYSTEM,
				    "INTERNAL_ERROR", "out of memory");
		}
	} else if (remove_id(s, (enum rb_coll)c, id) < 0) {
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	s->seq[c] = (uint64_t)seq;
	s->dirty[c] = 1;
	return 0;
}
