#ifndef RB_FZ_FEED_H
#define RB_FZ_FEED_H

/*
 * Shared body of the feed parser fuzz targets (fz_feed_hosts.c,
 * fz_feed_domains.c, fz_feed_adblock.c): the input is parsed whole and
 * again in chunks whose size comes from its first byte; both runs must
 * emit the same names and counts, and every name must be a valid,
 * lower-case wire name of two labels or more.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "feed/parse.h"
#include "wire/dname.h"

struct fz_sum {
	uint64_t n, hash;
};

static int
fz_emit(void *ctx, const uint8_t *w, size_t len)
{
	struct fz_sum *s = ctx;
	int labels = 0;

	if (rb_dname_wire_len(w, len) != (int)len)
		__builtin_trap();
	for (size_t i = 0; w[i] != 0; i += (size_t)w[i] + 1) {
		labels++;
		for (size_t k = 1; k <= w[i]; k++)
			if (w[i + k] >= 'A' && w[i + k] <= 'Z')
				__builtin_trap();
	}
	if (labels < 2)
		__builtin_trap();
	s->n++;
	for (size_t i = 0; i < len; i++)
		s->hash = (s->hash ^ w[i]) * 1099511628211ULL;
	s->hash ^= s->n;
	return 0;
}

static void
fz_run(struct rb_feed_parse *p, struct fz_sum *s, enum rb_feed_format fmt,
    const uint8_t *data, size_t size, size_t chunk)
{
	size_t off = 0;

	memset(s, 0, sizeof *s);
	rb_feed_parse_init(p, fmt, fz_emit, s);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		rb_feed_parse_feed(p, (const char *)data + off, n);
		off += n;
	}
	rb_feed_parse_finish(p);
}

static int
fz_feed(enum rb_feed_format fmt, const uint8_t *data, size_t size)
{
	static struct rb_feed_parse a, b;
	struct fz_sum sa, sb;
	size_t chunk = size ? (size_t)data[0] % 17 + 1 : 1;

	fz_run(&a, &sa, fmt, data, size, size ? size : 1);
	fz_run(&b, &sb, fmt, data, size, chunk);
	if (sa.n != sb.n || sa.hash != sb.hash || a.invalid != b.invalid ||
	    a.skipped != b.skipped || a.lines != b.lines || a.names != sa.n)
		__builtin_trap();
	return 0;
}

#endif
