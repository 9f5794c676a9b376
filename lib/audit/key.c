/*
 * key: the one secret rb-auditd and rb-audit share.  Invariants: the
 * key never reaches a log line or an error message; the key file is
 * created only by rb-auditd (which holds the audit lock), atomically and
 * mode 0600; the same text always decodes to the same bytes, so a verifier
 * written by a third party gets the key Runbound would (doc/audit.md).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "audit/key.h"
#include "base/hex.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define MIN_HEX_BYTES 32

/* Decode hex text into out when it is all hex, of even length and at
 * least MIN_HEX_BYTES long; returns the byte count or 0. */
static size_t
unhex(const char *s, size_t len, unsigned char *out, size_t cap)
{
	long n;

	if (len / 2 < MIN_HEX_BYTES ||
	    (n = rb_hex_decode(s, len, out, cap)) < 0)
		return 0;
	return (size_t)n;
}

int
rb_audit_key_decode(struct rb_audit_key *k, const char *text, size_t len)
{
	size_t n;

	if (len == 0 || len > RB_AUDIT_KEY_MAX) {
		errno = EINVAL;
		return -1;
	}
	OPENSSL_cleanse(k->key, sizeof k->key);
	if ((n = unhex(text, len, k->key, sizeof k->key)) > 0) {
		k->len = n;
		k->hex = 1;
		return 0;
	}
	memcpy(k->key, text, len);
	k->len = len;
	k->hex = 0;
	return 0;
}

static int
from_text(struct rb_audit_key *k, const char *text, size_t len,
    const char *what, struct rb_err *e)
{
	if (len == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "%s is empty", what);
	if (rb_audit_key_decode(k, text, len) < 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "%s is longer than %d bytes", what, RB_AUDIT_KEY_MAX);
	return 0;
}

/* Read root/audit/hmac.key (surrounding blanks and newlines removed). */
static int
from_file(struct rb_audit_key *k, const char *path, struct rb_err *e)
{
	struct stat st;
	size_t len = 0, from = 0;
	char *s = rb_file_read(path, 4 * RB_AUDIT_KEY_MAX, &len);
	int r;

	if (s == NULL)
		return -1;
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	while (from < len && strchr(" \t\r\n", s[from]) != NULL)
		from++;
	r = from_text(k, s + from, len - from, "audit/hmac.key", e);
	OPENSSL_cleanse(s, len);
	free(s);
	k->source = RB_AUDIT_KEY_FILE;
	k->loose_mode = stat(path, &st) == 0 && (st.st_mode & 077) != 0;
	return r < 0 ? -2 : 0;
}

/* Create path holding text (0600), durably, only if it does not exist:
 * link(2) of a synced temporary file, which fails on an existing name, so
 * two first starts cannot each keep a key of their own.  1 when made, 0
 * when it already existed, -1 on failure. */
static int
create_once(const char *path, const char *text, size_t len)
{
	struct rb_atomic a;
	int r;

	if (rb_atomic_open(&a, path, 0600) < 0)
		return -1;
	if (rb_atomic_write(&a, text, len) < 0 || rb_atomic_flush(&a) < 0 ||
	    fsync(a.fd) < 0) {
		rb_atomic_abort(&a);
		return -1;
	}
	r = link(a.tmp, path) == 0 ? 1 : errno == EEXIST ? 0 : -1;
	rb_atomic_abort(&a); /* closes and removes the temporary name */
	if (r == 1 && rb_file_dir_sync(path, 0) < 0)
		return -1;
	return r;
}

/* Make 32 random bytes, written in hex to path (0600), and set k from
 * them; when another process made the file first, use that one. */
static int
generate(struct rb_audit_key *k, const char *path, struct rb_err *e)
{
	unsigned char raw[32];
	char hex[2 * sizeof raw + 2];
	int r;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "no randomness for a new audit key");
	rb_hex_encode(raw, sizeof raw, hex);
	hex[2 * sizeof raw] = '\n';
	switch (create_once(path, hex, 2 * sizeof raw + 1)) {
	case 1:
		r = from_text(k, hex, 2 * sizeof raw, "new key", e);
		break;
	case 0: /* another process made it first */
		if ((r = from_file(k, path, e)) == -1)
			rb_err_sys(e, "read audit/hmac.key");
		break;
	default:
		r = rb_err_sys(e, "write audit/hmac.key");
	}
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(hex, sizeof hex);
	if (r < 0)
		return -1;
	if (k->source != RB_AUDIT_KEY_FILE)
		k->source = RB_AUDIT_KEY_NEW;
	return 0;
}

int
rb_audit_key_load(struct rb_audit_key *k, const char *root,
    const char *conf_key, int create, struct rb_err *e)
{
	const char *env = getenv("RUNBOUND_AUDIT_HMAC_KEY");
	char path[RB_PATH_MAX];
	int r;

	memset(k, 0, sizeof *k);
	if (env != NULL) {
		k->source = RB_AUDIT_KEY_ENV;
		return from_text(k, env, strlen(env), "RUNBOUND_AUDIT_HMAC_KEY",
		    e);
	}
	if (conf_key != NULL) {
		k->source = RB_AUDIT_KEY_CONF;
		return from_text(k, conf_key, strlen(conf_key),
		    "audit-log-hmac-key", e);
	}
	if (snprintf(path, sizeof path, "%s/audit/hmac.key", root) >=
	    (int)sizeof path)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if ((r = from_file(k, path, e)) != -1)
		return r == 0 ? 0 : -1;
	if (errno != ENOENT)
		return rb_err_sys(e, "read audit/hmac.key");
	if (!create)
		return rb_err_set(e, RB_ERR_INVALID, "NO_KEY",
		    "no audit key: set "
		    "RUNBOUND_AUDIT_HMAC_KEY or audit-log-hmac-key, or run "
		    "rb-auditd once to create audit/hmac.key");
	snprintf(path, sizeof path, "%s/audit", root);
	if (rb_file_mkdirs(path, 0750) < 0)
		return rb_err_sys(e, "create audit/");
	snprintf(path, sizeof path, "%s/audit/hmac.key", root);
	return generate(k, path, e);
}

const char *
rb_audit_key_source_name(const struct rb_audit_key *k)
{
	switch (k->source) {
	case RB_AUDIT_KEY_ENV:
		return "RUNBOUND_AUDIT_HMAC_KEY";
	case RB_AUDIT_KEY_CONF:
		return "audit-log-hmac-key";
	case RB_AUDIT_KEY_FILE:
		return "audit/hmac.key";
	case RB_AUDIT_KEY_NEW:
		return "audit/hmac.key (generated)";
	}
	return "?";
}

void
rb_audit_key_wipe(struct rb_audit_key *k)
{
	OPENSSL_cleanse(k, sizeof *k);
}
