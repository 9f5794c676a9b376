/*
 * zonever: zones.json is `{"seq":N,"entries":[{"id":..., "ts":...,
 * "size":..., "zones":{"example.com.":SERIAL,...}}, ...]}`, oldest entry
 * first (written by lib/zone/zonehist under the store lock; read here without
 * a lock, as every reader, since it is only ever replaced whole).  It is
 * checked as any input: an id becomes part of a path only through
 * rb_data_zones_path, which wants a SHA-256 in hex, and a serial must be an
 * integer in 0..2^32-1.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "state/data.h"
#include "sys/root.h"
#include "zone/zonehist.h"
#include "zone/zonever.h"

/* The serial entry e gives zone apex: 1 with *serial, else 0. */
static int
entry_serial(json_t *e, const char *apex, uint32_t *serial)
{
	json_t *zones = json_object_get(e, "zones"), *v;
	const char *k;

	json_object_foreach (zones, k, v) {
		if (strcasecmp(k, apex) != 0 || !json_is_integer(v) ||
		    json_integer_value(v) < 0 ||
		    json_integer_value(v) > UINT32_MAX)
			continue;
		*serial = (uint32_t)json_integer_value(v);
		return 1;
	}
	return 0;
}

/* Entry e's file into path when it holds apex at serial and exists. */
static int
entry_match(json_t *e, const char *root, const char *apex, uint32_t serial,
    char *path, size_t len)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	struct stat st;
	uint32_t s;

	if (id == NULL || !entry_serial(e, apex, &s) || s != serial ||
	    rb_data_zones_path(root, id, path, len) < 0)
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
rb_zonever_find(const char *root, const char *apex, uint32_t serial,
    size_t skip, char *path, size_t len)
{
	char file[RB_PATH_MAX];
	json_error_t jerr;
	json_t *top, *entries;
	struct stat st;
	int found = 0;

	if (snprintf(file, sizeof file, "%s/store/zones.json", root) >=
	    (int)sizeof file) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(file, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	top = json_load_file(file, 0, &jerr);
	if (top == NULL) {
		errno = EPROTO;
		return -1;
	}
	entries = json_object_get(top, "entries");
	if (!json_is_array(entries)) {
		json_decref(top);
		errno = EPROTO;
		return -1;
	}
	for (size_t i = json_array_size(entries); i > 0 && !found; i--) {
		found = entry_match(json_array_get(entries, i - 1), root, apex,
		    serial, path, len);
		if (found && skip > 0) {
			skip--;
			found = 0;
		}
	}
	json_decref(top);
	return found;
}
