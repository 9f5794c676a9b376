/*
 * auditsrc: turning journal events and spool files into audit events.
 * The field lists follow Runbound's table (runbound-rest-api.md) so a
 * GET /audit/tail client sees what Runbound shows; events Runbound does
 * not have keep their scalar members, capped, so a snapshot-sized event
 * never becomes a megabyte line.  Spool files are untrusted input (any
 * local daemon may drop one): bounded, strictly shaped, reserved names
 * refused.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "auditsrc.h"

#define OTHER_FIELDS_MAX 4096 /* bytes of compact JSON kept for others */

static const struct {
	const char *event;
	const char *keys[4];
} known[] = {
	{ "dns_add", { "name", "type", "value", NULL } },
	{ "dns_delete", { "id", NULL } },
	{ "blacklist_add", { "domain", NULL } },
	{ "blacklist_delete", { "id", NULL } },
	{ "allow_add", { "domain", NULL } },
	{ "allow_delete", { "id", NULL } },
	{ "feed_add", { "id", "name", "url", NULL } },
	{ "feed_delete", { "id", NULL } },
	{ "feed_update", { "id", "entry_count", "last_error", NULL } },
	{ "zones_update", { "id", "zones", "rollback_of", NULL } },
	{ "logs_clear", { "entries_deleted", NULL } },
	{ "config_reload", { NULL } },
	{ "key_rotate", { NULL } },
};

static const char *const reserved[] = { "log_rotate", "journal_reset",
	"journal_gap", "spool_invalid" };

int
rb_audit_event_reserved(const char *event)
{
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		if (strcmp(event, reserved[i]) == 0)
			return 1;
	}
	return 0;
}

/* Scalar members of f, or {"fields_omitted":true} past the cap. */
static json_t *
scalars(const json_t *f)
{
	json_t *out = json_object(), *v;
	const char *k;
	char *text;

	if (out == NULL)
		return NULL;
	json_object_foreach((json_t *)f, k, v)
	{
		if (!json_is_object(v) && !json_is_array(v) &&
		    json_object_set(out, k, v) < 0)
			goto fail;
	}
	if ((text = json_dumps(out, JSON_COMPACT)) == NULL)
		goto fail;
	if (strlen(text) > OTHER_FIELDS_MAX) {
		json_object_clear(out);
		json_object_set_new(out, "fields_omitted", json_true());
	}
	free(text);
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *
rb_audit_journal_fields(const char *event, const json_t *fields)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		json_t *out;

		if (strcmp(event, known[i].event) != 0)
			continue;
		if ((out = json_object()) == NULL)
			return NULL;
		for (size_t j = 0; known[i].keys[j] != NULL; j++) {
			json_t *v = json_object_get(fields, known[i].keys[j]);

			if (v != NULL &&
			    json_object_set(out, known[i].keys[j], v) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	return json_is_object(fields) ? scalars(fields) : json_object();
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
	json_object_foreach((json_t *)j, k, v)
	{
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
	    !rb_audit_event_ok(json_string_value(v)))
		return *why = "event is not a valid event name", -1;
	if (rb_audit_event_reserved(json_string_value(v)))
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

int
rb_audit_journal_epoch(const char *root, char *out, size_t len)
{
	char path[4200], *s;
	size_t n;

	snprintf(path, sizeof path, "%s/journal/epoch", root);
	if ((s = rb_file_read(path, 256, NULL)) == NULL)
		return -1;
	n = strcspn(s, "\n");
	s[n] = '\0';
	if (n == 0 || n >= len || !rb_audit_src_ok(s) || strchr(s, ':')) {
		free(s);
		errno = EINVAL;
		return -1;
	}
	memcpy(out, s, n + 1);
	free(s);
	return 0;
}
