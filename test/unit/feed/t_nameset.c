/* Unit tests for lib/feed/nameset: the file layout, lookups, and that every
 * truncation and every kind of damage to a set file is refused by the
 * check, while lookups on a file damaged after its check stay in bounds. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/nameset.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static uint8_t (*hashes)[RB_NAMESET_HASH];

static int
cmp(const void *a, const void *b)
{
	return memcmp(a, b, RB_NAMESET_HASH);
}

/* The sorted hashes of n names "w<i>" (as bytes; any bytes hash). */
static void
make_hashes(size_t n)
{
	char name[32];

	free(hashes);
	hashes = calloc(n ? n : 1, RB_NAMESET_HASH);
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(name, sizeof name, "w%zu", i);
		rb_nameset_hash((uint8_t *)name, (size_t)len, hashes[i]);
	}
	qsort(hashes, n, RB_NAMESET_HASH, cmp);
}

/* Write n hashes with action as a set file; its bytes (caller frees). */
static uint8_t *
build(const char *path, size_t n, char action, size_t *len)
{
	struct rb_atomic a;

	make_hashes(n);
	if (rb_atomic_open(&a, path, 0644) < 0 ||
	    rb_nameset_write(&a, (const uint8_t(*)[RB_NAMESET_HASH])hashes, n,
	        action) < 0 ||
	    rb_atomic_commit(&a) < 0)
		return NULL;
	return (uint8_t *)rb_file_read(path, 1 << 26, len);
}

static int
refused(const uint8_t *m, size_t len)
{
	const char *why = NULL;

	return rb_nameset_check(m, len, &why) < 0 && why != NULL;
}

static void
test_layout(const char *path)
{
	size_t len, found = 0;
	uint8_t *m = build(path, 1000, 'R', &len), h[RB_NAMESET_HASH];
	const char *why;

	ok(m != NULL, "1000 hashes written");
	ok(m && memcmp(m, "RBNS", 4) == 0 && m[4] == 1 && m[5] == 'R',
	    "magic, version 1, action");
	is_int(m ? m[6] : -1, 5, "2^5 buckets: about 32 hashes each");
	is_int(len, 16 + 4 * 33 + 12 + 16 * 1000,
	    "header, index, padding, "
	    "16 bytes a name");
	is_int(rb_nameset_check(m, len, &why), 0, "the check accepts it");
	is_int(rb_nameset_count(m), 1000, "count");
	is_int(rb_nameset_action(m), 'R', "action");
	for (size_t i = 0; i < 1000; i++)
		found += rb_nameset_find(m, len, hashes[i]) == 1;
	is_int(found, 1000, "every hash is found");
	rb_nameset_hash((const uint8_t *)"w1000", 5, h);
	is_int(rb_nameset_find(m, len, h), 0, "another is not");
	free(m);

	m = build(path, 0, 'N', &len);
	is_int(len, 32, "an empty set: header and a one-bucket index");
	is_int(rb_nameset_check(m, len, &why), 0, "accepted");
	is_int(rb_nameset_find(m, len, h), 0, "holds nothing");
	free(m);
	m = build(path, 33, 'N', &len);
	is_int(m ? m[6] : -1, 1, "33 hashes: two buckets");
	free(m);
	m = build(path, 100000, 'N', &len);
	is_int(m ? m[6] : -1, 12, "100000 hashes: 2^12 buckets");
	is_int(m ? rb_nameset_check(m, len, &why) : -1, 0, "accepted");
	free(m);
}

/* One damaged copy of m, refused by the check. */
static int
damaged(const uint8_t *m, size_t len, size_t at, uint8_t x)
{
	uint8_t *c = malloc(len);
	int r;

	memcpy(c, m, len);
	c[at] ^= x;
	r = refused(c, len);
	free(c);
	return r;
}

static void
test_refused(const char *path)
{
	size_t len, at, nb, bad = 0, odd = 0;
	uint8_t *m = build(path, 100, 'N', &len), *c;

	nb = (size_t)1 << m[6];
	at = (16 + 4 * (nb + 1) + 15) & ~(size_t)15;
	ok(at > 16 + 4 * (nb + 1),
	    "100 hashes: %zu buckets, padding before "
	    "the hashes at %zu",
	    nb, at);
	for (size_t l = 0; l < len; l++)
		bad += !refused(m, l);
	is_int(bad, 0, "every truncation is refused");
	c = malloc(len + 16);
	memcpy(c, m, len);
	memset(c + len, 0, 16);
	ok(refused(c, len + 1) && refused(c, len + 16), "so is a longer file");
	free(c);
	ok(damaged(m, len, 0, 0x20), "bad magic");
	ok(damaged(m, len, 4, 3), "unknown version");
	ok(damaged(m, len, 5, 'N' ^ 'A'), "unknown action");
	ok(damaged(m, len, 6, 1), "index bits that do not fit the count");
	ok(damaged(m, len, 7, 1) && damaged(m, len, 13, 1), "reserved bytes");
	ok(damaged(m, len, 8, 1), "count off by one");
	ok(damaged(m, len, 16 + 4 * 1, 1), "an index slot moved");
	ok(damaged(m, len, 16 + 4 * nb, 1), "the index end");
	ok(damaged(m, len, 16 + 4 * (nb + 1), 1), "padding");
	ok(damaged(m, len, at, 0x80), "a hash in the wrong bucket");
	c = malloc(len);
	memcpy(c, m, len);
	memcpy(c + at + 16 * 50, m + at + 16 * 51, 16);
	memcpy(c + at + 16 * 51, m + at + 16 * 50, 16);
	ok(refused(c, len), "two hashes swapped");
	memcpy(c, m, len);
	memcpy(c + at + 16 * 51, c + at + 16 * 50, 16);
	ok(refused(c, len), "a repeated hash");
	/* Damage after the check: lookups stay in bounds (ASan) and report
	 * an index that does not hold together. */
	memcpy(c, m, len);
	memset(c + 16 + 4, 0xff, 4);
	for (size_t i = 0; i < 100; i++) {
		int r = rb_nameset_find(c, len, hashes[i]);
		odd += r < -1 || r > 1;
		bad += r < 0;
	}
	is_int(odd, 0, "lookups in a damaged index answer -1, 0 or 1");
	ok(bad > 0, "and -1 for the damaged bucket (%zu)", bad);
	ok(rb_nameset_find(c, 10, hashes[0]) < 0,
	    "a lookup in a short file: "
	    "-1");
	free(c);
	free(m);
}

static void
test_writer(const char *path)
{
	struct rb_atomic a;
	uint8_t two[2][RB_NAMESET_HASH];
	size_t n = 0;
	char action = 0;
	const char *why = NULL;

	memset(two, 0, sizeof two);
	two[0][0] = 2;
	two[1][0] = 1;
	ok(rb_atomic_open(&a, path, 0644) == 0, "open");
	ok(rb_nameset_write(&a, (const uint8_t(*)[RB_NAMESET_HASH])two, 2,
	       'N') < 0 &&
	        errno == EINVAL,
	    "unsorted hashes are refused");
	ok(rb_nameset_write(&a, (const uint8_t(*)[RB_NAMESET_HASH])two, 0,
	       'X') < 0 &&
	        errno == EINVAL,
	    "so is an unknown action");
	rb_atomic_abort(&a);
	ok(rb_nameset_check_file("/nonexistent/x.set", &n, &action, &why) < 0 &&
	        errno == ENOENT,
	    "a missing file: ENOENT");
	rb_atomic_replace(path, "", 0, 0644);
	ok(rb_nameset_check_file(path, &n, &action, &why) < 0 &&
	        errno == EPROTO && why != NULL,
	    "an empty file: EPROTO (%s)", why ? why : "");
}

int
main(void)
{
	char path[64];

	snprintf(path, sizeof path, "/tmp/t_nameset.%d.set", (int)getpid());
	test_layout(path);
	test_refused(path);
	test_writer(path);
	unlink(path);
	free(hashes);
	done_testing();
	return exit_status();
}
