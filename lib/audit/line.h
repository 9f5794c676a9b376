#ifndef RB_AUDIT_LINE_H
#define RB_AUDIT_LINE_H

/*
 * The audit log's line format (doc/audit.md): one compact JSON object per
 * line,
 *   {"seq":N,"ts":T,"event":"dns_add","fields":{...},"src":"...",
 *    "mac":"<64 hex>","chain":"<64 hex>"}
 * mac is Runbound's HMAC-SHA256(key, seq LE64 || ts LE64 || event ||
 * fields), over the exact bytes of the fields value in the line; chain is
 * HMAC-SHA256(key, previous chain || mac || src), from 32 zero bytes.
 * Files: ROOT/audit/audit.log, the current one, and audit.log.<first seq,
 * 20 digits> for each rotated one.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "audit/key.h"
#include "base/err.h"

#define RB_AUDIT_HASH 32        /* bytes in a mac or chain */
#define RB_AUDIT_EVENT_MAX 64   /* longest event name */
#define RB_AUDIT_SRC_MAX 256    /* longest src */
#define RB_AUDIT_LINE_MAX 65536 /* longest line accepted */

/* One line, parsed.  fields points into the caller's line. */
struct rb_audit_entry {
	uint64_t seq;
	int64_t ts;
	char event[RB_AUDIT_EVENT_MAX + 1];
	char src[RB_AUDIT_SRC_MAX + 1];
	const char *fields; /* the raw bytes of the fields value */
	size_t fields_len;
	unsigned char mac[RB_AUDIT_HASH];
	unsigned char chain[RB_AUDIT_HASH];
	int has_chain; /* a Runbound line has none */
};

/* The genesis chain value: 32 zero bytes. */
extern const unsigned char rb_audit_line_genesis[RB_AUDIT_HASH];

/* Runbound's per-entry MAC over seq, ts, event and the fields text. */
int rb_audit_line_mac(const struct rb_audit_key *k, uint64_t seq, int64_t ts,
    const char *event, const char *fields, size_t flen,
    unsigned char out[RB_AUDIT_HASH]);

/* The chain value of an entry from the previous one's, its mac and src. */
int rb_audit_line_chain(const struct rb_audit_key *k,
    const unsigned char prev[RB_AUDIT_HASH],
    const unsigned char mac[RB_AUDIT_HASH], const char *src,
    unsigned char out[RB_AUDIT_HASH]);

/* Is s a valid event name ([a-z0-9_], 1..RB_AUDIT_EVENT_MAX)? */
int rb_audit_line_event_ok(const char *s);

/* Is s a valid src (printable ASCII but '"' and '\\', 0..SRC_MAX)? */
int rb_audit_line_src_ok(const char *s);

/* Format one line, newline included, into a malloc'd buffer (caller frees
 * with free; *len is its length): fields (borrowed; NULL for {}) is
 * serialised once, compact and in key order, and that text is MAC'd and
 * written.  prev is the previous chain value; the line's mac and chain
 * go to mac and chain (either may be NULL).  NULL with errno set:
 * EINVAL for a bad event or src, EMSGSIZE for a line over
 * RB_AUDIT_LINE_MAX. */
char *rb_audit_line_format(const struct rb_audit_key *k, uint64_t seq,
    int64_t ts, const char *event, const json_t *fields, const char *src,
    const unsigned char prev[RB_AUDIT_HASH], unsigned char *mac,
    unsigned char *chain, size_t *len);

/* Parse one line (len bytes, no newline, borrowed; e->fields points into
 * it).  -1 with why (a static message) on anything malformed: not a JSON
 * object, duplicate or missing keys, wrong types, bad hex. */
int rb_audit_line_parse(const char *line, size_t len, struct rb_audit_entry *e,
    const char **why);

/* Is line (len bytes, no newline, borrowed) written the one way
 * rb_audit_line_format writes the entry e that rb_audit_line_parse read
 * from it: keys in order, no blank, no escape, numbers in decimal, with src
 * and chain or (Runbound's form) with neither?  The fields text is taken
 * as it stands: the mac covers it.  1 yes, 0 no. */
int rb_audit_line_canonical(const char *line, size_t len,
    const struct rb_audit_entry *e);

/* Parse 64 hex digits into h; -1 when s is anything else. */
int rb_audit_line_unhex(const char *s, unsigned char h[RB_AUDIT_HASH]);

#endif
