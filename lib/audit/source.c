/*
 * source: turning journal events and spool files into audit events.
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

#include "audit/source.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

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
rb_audit_source_reserved(const char *event)
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
	json_object_foreach ((json_t *)f, k, v) {
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
rb_audit_source_fields(const char *event, const json_t *fields)
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
rb_audit_source_epoch(const char *root, char *out, size_t len)
{
	char path[RB_PATH_MAX], *s;
	size_t n;

	snprintf(path, sizeof path, "%s/journal/epoch", root);
	if ((s = rb_file_read(path, 256, NULL)) == NULL)
		return -1;
	n = strcspn(s, "\n");
	s[n] = '\0';
	if (n == 0 || n >= len || !rb_audit_line_src_ok(s) || strchr(s, ':')) {
		free(s);
		errno = EINVAL;
		return -1;
	}
	memcpy(out, s, n + 1);
	free(s);
	return 0;
}
