#ifndef RB_FEED_NAMESET_H
#define RB_FEED_NAMESET_H

/*
 * nameset: the compiled form of one blocklist feed, ROOT/feeds/<id>.set
 * (doc/feeds.md): a header, a bucket index and the sorted 128-bit
 * SipHash-2-4 hashes (fixed key) of the feed's names in lower-case wire
 * form.  Membership of a name is a binary search inside one bucket of
 * about 32 hashes, so a lookup reads a slot of the index and one or two
 * pages of hashes; 16 bytes per name, where the cdb took about 45.
 *
 * The file is checked whole when it is mapped (rb_nameset_check); the
 * lookups then trust its structure but still never read past size.
 */

#include <stddef.h>
#include <stdint.h>

#include "sys/atomic.h"

#define RB_NAMESET_HASH 16
/* Names a file may hold: far above any feed (lib/feed/update caps them at
 * 5,000,000), and keeps every offset below 4 GiB. */
#define RB_NAMESET_MAX ((size_t)1 << 27)

/* The hash of a name: wire[0..len) is its lower-case uncompressed wire
 * form (borrowed). */
void rb_nameset_hash(const uint8_t *wire, size_t len,
    uint8_t out[RB_NAMESET_HASH]);

/* Write a set file holding the n hashes h (borrowed; sorted as memcmp
 * orders them, no two equal) with action 'N' or 'R' to the open
 * replacement a (the caller commits or aborts it).  -1 with errno set
 * (EINVAL for unsorted input, n over RB_NAMESET_MAX or a bad action). */
int rb_nameset_write(struct rb_atomic *a, const uint8_t (*h)[RB_NAMESET_HASH],
    size_t n, char action);

/* Check that mem[0..size) (borrowed) is a whole, well-formed set file:
 * header, index and every hash in order and in its bucket.  Returns 0, or
 * -1 with *why (a static string) saying what is wrong. */
int rb_nameset_check(const uint8_t *mem, size_t size, const char **why);

/* The same for a file: 0 and its count and action, -1 with errno set
 * (EPROTO when the content is refused, with *why set). */
int rb_nameset_check_file(const char *path, size_t *count, char *action,
    const char **why);

/* Is hash h in the checked set mem[0..size)?  1 yes, 0 no, -1 when the
 * file does not hold together (it changed after its check). */
int rb_nameset_find(const uint8_t *mem, size_t size,
    const uint8_t h[RB_NAMESET_HASH]);

/* The action ('N' or 'R') and the number of names of a checked set. */
char rb_nameset_action(const uint8_t *mem);
size_t rb_nameset_count(const uint8_t *mem);

#endif
