#ifndef RB_STATE_CDBW_H
#define RB_STATE_CDBW_H

/*
 * A growable array of key/value pairs that becomes a cdb file: collected in
 * any order, sorted, and written so that the bytes depend only on the
 * content.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct rb_cdbw_kv {
	uint8_t *key; /* owned; the value follows the key in one block */
	size_t klen;
	uint8_t *val;
	size_t vlen;
	int prio; /* ties between equal keys: higher first after sorting */
};

struct rb_cdbw {
	struct rb_cdbw_kv *v;
	size_t n, cap;
};

/* Append a copy of key and value; -1 on ENOMEM. */
int rb_cdbw_add(struct rb_cdbw *a, const void *key, size_t klen,
    const void *val, size_t vlen, int prio);

/* Sort by key, then value, then descending prio. */
void rb_cdbw_sort(struct rb_cdbw *a);

/* Write the pairs in order to a new cdb at path, atomically. */
int rb_cdbw_write(const struct rb_cdbw *a, const char *path, struct rb_err *e);

/* Compare two byte strings as unsigned bytes, shorter first on a tie. */
int rb_cdbw_bytes_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);

void rb_cdbw_free(struct rb_cdbw *a);

#endif
