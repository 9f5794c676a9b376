#ifndef RB_AUDIT_KEY_H
#define RB_AUDIT_KEY_H

/*
 * The audit log's HMAC key (doc/audit.md): $RUNBOUND_AUDIT_HMAC_KEY, else
 * runbound.conf's audit-log-hmac-key, else ROOT/audit/hmac.key, else (for
 * rb-auditd only) 32 random bytes written there in hex, mode 0600.  A key
 * text that is hex and decodes to 32 bytes or more is those bytes;
 * anything else is its own raw bytes (inventory.md appendix).
 */

#include <stddef.h>

#include "base/err.h"

#define RB_AUDIT_KEY_MAX 1024 /* longest key text accepted, in bytes */

enum rb_audit_key_source {
	RB_AUDIT_KEY_ENV = 1,
	RB_AUDIT_KEY_CONF,
	RB_AUDIT_KEY_FILE,
	RB_AUDIT_KEY_NEW
};

struct rb_audit_key {
	unsigned char key[RB_AUDIT_KEY_MAX];
	size_t len;
	int hex;        /* decoded from hex (else raw bytes) */
	int loose_mode; /* hmac.key readable by group or others */
	enum rb_audit_key_source source;
};

/* Set k from text (borrowed, len bytes): hex decoding to >= 32 bytes gives
 * the bytes, else the raw text.  -1 with EINVAL when len is 0 or over
 * RB_AUDIT_KEY_MAX. */
int rb_audit_key_decode(struct rb_audit_key *k, const char *text, size_t len);

/* Load the key for root by the precedence above; conf_key (borrowed) is
 * audit-log-hmac-key or NULL.  With create, a missing hmac.key is
 * generated.  Errors: INVALID_KEY (empty or too long), NO_KEY (none and
 * not create), INTERNAL_ERROR.  The key never appears in e. */
int rb_audit_key_load(struct rb_audit_key *k, const char *root,
    const char *conf_key, int create, struct rb_err *e);

/* Where the key came from, for a log line: "environment", ... */
const char *rb_audit_key_source_name(const struct rb_audit_key *k);

/* Wipe the key from memory. */
void rb_audit_key_wipe(struct rb_audit_key *k);

#endif
