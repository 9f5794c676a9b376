#ifndef RB_AUDITKEY_H
#define RB_AUDITKEY_H

/*
 * The audit log's HMAC key (doc/audit.md): $RUNBOUND_AUDIT_HMAC_KEY, else
 * runbound.conf's audit-log-hmac-key, else ROOT/audit/hmac.key, else (for
 * rb-auditd only) 32 random bytes written there in hex, mode 0600.  A key
 * text that is hex and decodes to 32 bytes or more is those bytes;
 * anything else is its own raw bytes (inventory.md appendix).
 */

#include <stddef.h>

#include "err.h"

#define RB_AUDITKEY_MAX 1024 /* longest key text accepted, in bytes */

enum rb_auditkey_source {
	RB_AUDITKEY_ENV = 1,
	RB_AUDITKEY_CONF,
	RB_AUDITKEY_FILE,
	RB_AUDITKEY_NEW
};

struct rb_auditkey {
	unsigned char key[RB_AUDITKEY_MAX];
	size_t len;
	int hex;        /* decoded from hex (else raw bytes) */
	int loose_mode; /* hmac.key readable by group or others */
	enum rb_auditkey_source source;
};

/* Set k from text (borrowed, len bytes): hex decoding to >= 32 bytes gives
 * the bytes, else the raw text.  -1 with EINVAL when len is 0 or over
 * RB_AUDITKEY_MAX. */
int rb_auditkey_decode(struct rb_auditkey *k, const char *text, size_t len);

/* Load the key for root by the precedence above; conf_key (borrowed) is
 * audit-log-hmac-key or NULL.  With create, a missing hmac.key is
 * generated.  Errors: INVALID_KEY (empty or too long), NO_KEY (none and
 * not create), INTERNAL_ERROR.  The key never appears in e. */
int rb_auditkey_load(struct rb_auditkey *k, const char *root,
    const char *conf_key, int create, struct rb_err *e);

/* Where the key came from, for a log line: "environment", ... */
const char *rb_auditkey_source_name(const struct rb_auditkey *k);

/* Wipe the key from memory. */
void rb_auditkey_wipe(struct rb_auditkey *k);

#endif
