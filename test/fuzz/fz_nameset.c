/*
 * Fuzz target: the check and the lookup of feed set files (lib/feed/nameset),
 * as rb-dnsd, rb-syncd's slave and `rb-feed show` meet a damaged or
 * hostile ROOT/feeds/<id>.set.  A file the check accepts must describe
 * itself exactly (its size follows from its count) and find each hash it
 * stores; lookups must stay inside the bytes, accepted or not.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "feed/nameset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the hashes of an accepted file start. */
static size_t
hashes_at(const uint8_t *m)
{
	size_t end = 16 + 4 * (((size_t)1 << m[6]) + 1);

	return (end + 15) & ~(size_t)15;
}

static void
accepted(const uint8_t *data, size_t size)
{
	size_t n = rb_nameset_count(data), at = hashes_at(data);
	uint8_t h[RB_NAMESET_HASH];

	if (at + n * RB_NAMESET_HASH != size ||
	    (rb_nameset_action(data) != 'N' && rb_nameset_action(data) != 'R'))
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		if (rb_nameset_find(data, size,
		        data + at + i * RB_NAMESET_HASH) != 1)
			__builtin_trap();
	}
	if (n > 0) {
		memcpy(h, data + at, RB_NAMESET_HASH);
		h[RB_NAMESET_HASH - 1] ^=
		    1; /* a neighbour: not stored, or is */
		if (rb_nameset_find(data, size, h) < 0)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[RB_NAMESET_HASH];
	const char *why = NULL;
	int r;

	if (rb_nameset_check(data, size, &why) == 0)
		accepted(data, size);
	else if (why == NULL)
		__builtin_trap();
	rb_nameset_hash(data, size < 255 ? size : 255, h);
	r = rb_nameset_find(data, size, h);
	if (r < -1 || r > 1)
		__builtin_trap();
	return 0;
}
