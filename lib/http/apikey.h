#ifndef RB_HTTP_APIKEY_H
#define RB_HTTP_APIKEY_H

/*
 * The API bearer token: where it comes from ($RUNBOUND_API_KEY, else
 * ROOT/api.key, else a new random key written there), how a new one is
 * vetted (Runbound's WEAK_KEY and INVALID_KEY), how it is compared (in
 * constant time) and how it is persisted (0600, atomically).
 */

#include <stddef.h>

#include "base/err.h"

#define RB_APIKEY_MIN 32   /* shortest key POST /rotate-key accepts */
#define RB_APIKEY_MAX 1024 /* longest key held */

enum rb_apikey_source { RB_APIKEY_ENV = 1, RB_APIKEY_FILE, RB_APIKEY_NEW };

struct rb_apikey {
	char key[RB_APIKEY_MAX + 1];
	size_t len;
	enum rb_apikey_source source;
	int loose_mode; /* api.key is readable by group or others */
};

/* Load the key for root into k: $RUNBOUND_API_KEY, else root/api.key
 * (one trailing newline or CR LF removed), else 32 random bytes in hex
 * written to root/api.key (0600).  Errors: INVALID_KEY (an empty key, one
 * over RB_APIKEY_MAX or with control characters), INTERNAL_ERROR. */
int rb_apikey_load(struct rb_apikey *k, const char *root, struct rb_err *e);

/* Vet a new key (borrowed, len bytes) as POST /rotate-key does: WEAK_KEY
 * (400) under RB_APIKEY_MIN bytes, INVALID_KEY (400) for any byte that is
 * not printable ASCII, or over RB_APIKEY_MAX bytes. */
int rb_apikey_check(const char *key, size_t len, struct rb_err *e);

/* Replace the key held in k by key (borrowed, len bytes); the old bytes
 * are wiped and k->source is left as it was.  -1 when len is over
 * RB_APIKEY_MAX. */
int rb_apikey_set(struct rb_apikey *k, const char *key, size_t len);

/* 1 when tok (len bytes, borrowed) equals the key.  The time taken
 * depends on the key's length only, never on where the bytes differ. */
int rb_apikey_match(const struct rb_apikey *k, const char *tok, size_t len);

/* Write key to root/api.key (mode 0600) through the atomic-write
 * discipline. */
int rb_apikey_save(const char *root, const char *key, size_t len,
    struct rb_err *e);

/* Wipe the key from memory. */
void rb_apikey_wipe(struct rb_apikey *k);

#endif
