#ifndef RB_FEED_PARSE_H
#define RB_FEED_PARSE_H

/*
 * Streaming parsers of blocklist feeds (doc/feeds.md): hosts, domains and
 * adblock text, fed in chunks of any size as a download arrives.  Each
 * valid name is handed to a callback as lower-case wire form; nothing is
 * allocated, so memory does not grow with the input.
 */

#include <stddef.h>
#include <stdint.h>

/* The longest line read; a longer one is counted invalid and dropped. */
#define RB_FEED_LINE_MAX 4096

enum rb_feed_format { RB_FEED_HOSTS, RB_FEED_DOMAINS, RB_FEED_ADBLOCK };

/* Called once per valid name: wire (borrowed for the call) is the
 * lower-case wire name, len its length.  Return -1 (errno set) to stop. */
typedef int (*rb_feed_emit_fn)(void *ctx, const uint8_t *wire, size_t len);

struct rb_feed_parse {
	enum rb_feed_format fmt;
	rb_feed_emit_fn emit;
	void *ctx;
	uint64_t lines;   /* lines read, blank and comment lines included */
	uint64_t names;   /* names emitted, duplicates included */
	uint64_t invalid; /* lines holding a name or syntax we refuse */
	uint64_t skipped; /* rules of a kind we do not apply */
	size_t len;       /* bytes of a line cut by the end of a chunk */
	int overlong;     /* the current line passed RB_FEED_LINE_MAX */
	char line[RB_FEED_LINE_MAX];
};

/* Start parsing fmt; emit and ctx are borrowed. */
void rb_feed_parse_init(struct rb_feed_parse *p, enum rb_feed_format fmt,
    rb_feed_emit_fn emit, void *ctx);

/* Parse the next len bytes of the feed.  Returns -1 only when emit
 * failed; bad input is counted, never an error. */
int rb_feed_parse_feed(struct rb_feed_parse *p, const char *buf, size_t len);

/* The input ended: parse a last line without a newline. */
int rb_feed_parse_finish(struct rb_feed_parse *p);

/* Check one feed domain (a trailing dot is dropped; 1..253 characters
 * with at least one dot; labels 1..63 of [A-Za-z0-9_-] not starting or
 * ending with '-'; a last label not all digits) and write its lower-case
 * wire form to out (RB_DNAME_MAX bytes).  Returns the wire length or -1. */
int rb_feed_parse_domain(const char *s, size_t n, uint8_t *out);

/* "hosts", "domains", "adblock" <-> the enum; -1 for another name. */
int rb_feed_parse_format(const char *s);
const char *rb_feed_parse_format_name(enum rb_feed_format f);

#endif
