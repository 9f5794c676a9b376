#ifndef RB_AUDITLOG_H
#define RB_AUDITLOG_H

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

#include "auditkey.h"
#include "err.h"

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
extern const unsigned char rb_audit_genesis[RB_AUDIT_HASH];

/* Runbound's per-entry MAC over seq, ts, event and the fields text. */
int rb_audit_mac(const struct rb_auditkey *k, uint64_t seq, int64_t ts,
    const char *event, const char *fields, size_t flen,
    unsigned char out[RB_AUDIT_HASH]);

/* The chain value of an entry from the previous one's, its mac and src. */
int rb_audit_chain(const struct rb_auditkey *k,
    const unsigned char prev[RB_AUDIT_HASH],
    const unsigned char mac[RB_AUDIT_HASH], const char *src,
    unsigned char out[RB_AUDIT_HASH]);

/* Is s a valid event name ([a-z0-9_], 1..RB_AUDIT_EVENT_MAX)? */
int rb_audit_event_ok(const char *s);

/* Is s a valid src (printable ASCII but '"' and '\\', 0..SRC_MAX)? */
int rb_audit_src_ok(const char *s);

/* Format one line, newline included, into a malloc'd buffer (caller frees
 * with free; *len is its length): fields (borrowed; NULL for {}) is
 * serialised once, compact and in key order, and that text is MAC'd and
 * written.  prev is the previous chain value; the line's mac and chain
 * go to mac and chain (either may be NULL).  NULL with errno set:
 * EINVAL for a bad event or src, EMSGSIZE for a line over
 * RB_AUDIT_LINE_MAX. */
char *rb_audit_format(const struct rb_auditkey *k, uint64_t seq, int64_t ts,
    const char *event, const json_t *fields, const char *src,
    const unsigned char prev[RB_AUDIT_HASH], unsigned char *mac,
    unsigned char *chain, size_t *len);

/* Parse one line (len bytes, no newline, borrowed; e->fields points into
 * it).  -1 with why (a static message) on anything malformed: not a JSON
 * object, duplicate or missing keys, wrong types, bad hex. */
int rb_audit_parse(const char *line, size_t len, struct rb_audit_entry *e,
    const char **why);

/* Lower-case hex of h into out (2 * RB_AUDIT_HASH + 1 bytes). */
void rb_audit_hex(const unsigned char h[RB_AUDIT_HASH], char *out);

/* Parse 64 hex digits into h; -1 when s is anything else. */
int rb_audit_unhex(const char *s, unsigned char h[RB_AUDIT_HASH]);

/* The audit files of dir (ROOT/audit) in chain order: rotated files by
 * first seq, then audit.log if it exists.  *names is a malloc'd array of
 * malloc'd base names; free with rb_audit_files_free. */
int rb_audit_files(const char *dir, char ***names, size_t *n);
void rb_audit_files_free(char **names, size_t n);

/* The last n entries (1..) of the log in dir, oldest first, reading back
 * through rotated files as needed, as a new JSON array of the parsed
 * lines.  A torn last line is left out; lines that are not JSON are
 * counted in *bad (may be NULL).  NULL with e filled (NOT_FOUND when
 * there is no log). */
json_t *rb_audit_tail(const char *dir, long n, long *bad, struct rb_err *e);

#endif
