/*
 * apikey: the one secret rb-apid holds.  Invariants: the key never reaches
 * a log line or an error message; a key read from the environment or a
 * file is refused when it is empty or has control characters (a stray
 * newline would make every request fail); comparison runs over the whole
 * stored key whatever the token is, so its duration tells nothing about
 * the key's content (OpenSSL's CRYPTO_memcmp, as Runbound uses subtle).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/hex.h"
#include "http/apikey.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

static int
printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

int
rb_apikey_check(const char *key, size_t len, struct rb_err *e)
{
	if (len < RB_APIKEY_MIN)
		return rb_err_set(e, RB_ERR_INVALID, "WEAK_KEY",
		    "new_key must be at least %d characters", RB_APIKEY_MIN);
	if (len > RB_APIKEY_MAX)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "new_key must be at most %d characters", RB_APIKEY_MAX);
	if (!printable(key, len))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "new_key must be printable ASCII: no control characters, "
		    "DEL or non-ASCII bytes");
	return 0;
}

int
rb_apikey_set(struct rb_apikey *k, const char *key, size_t len)
{
	if (len > RB_APIKEY_MAX)
		return -1;
	OPENSSL_cleanse(k->key, sizeof k->key);
	memcpy(k->key, key, len);
	k->key[len] = '\0';
	k->len = len;
	return 0;
}

int
rb_apikey_match(const struct rb_apikey *k, const char *tok, size_t len)
{
	char buf[RB_APIKEY_MAX];
	size_t n = len < k->len ? len : k->len;
	int same;

	if (k->len == 0)
		return 0;
	/* Compare k->len bytes whatever len is: the token is cut or padded
	 * to the key's length, and the lengths are compared afterwards. */
	memset(buf, 0, k->len);
	memcpy(buf, tok, n);
	same = CRYPTO_memcmp(buf, k->key, k->len) == 0;
	OPENSSL_cleanse(buf, k->len);
	return same && len == k->len;
}

int
rb_apikey_save(const char *root, const char *key, size_t len, struct rb_err *e)
{
	char path[RB_PATH_MAX];

	if (snprintf(path, sizeof path, "%s/api.key", root) >= (int)sizeof path)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	if (rb_atomic_replace(path, key, len, 0600) < 0)
		return rb_err_sys(e, "write api.key");
	return 0;
}

static int
generate(struct rb_apikey *k, const char *root, struct rb_err *e)
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "no randomness for a new API key");
	rb_hex_encode(raw, sizeof raw, k->key);
	OPENSSL_cleanse(raw, sizeof raw);
	k->len = 2 * sizeof raw;
	k->key[k->len] = '\0';
	k->source = RB_APIKEY_NEW;
	return rb_apikey_save(root, k->key, k->len, e);
}

static int
take(struct rb_apikey *k, const char *s, size_t len, const char *from,
    struct rb_err *e)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "%s is empty", from);
	if (len > RB_APIKEY_MAX)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "%s is longer than %d bytes", from, RB_APIKEY_MAX);
	if (!printable(s, len))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_KEY",
		    "%s holds a control or non-ASCII character", from);
	return rb_apikey_set(k, s, len);
}

int
rb_apikey_load(struct rb_apikey *k, const char *root, struct rb_err *e)
{
	const char *env = getenv("RUNBOUND_API_KEY");
	char path[RB_PATH_MAX];
	struct stat st;
	size_t len = 0;
	char *txt;
	int r;

	memset(k, 0, sizeof *k);
	if (env != NULL) {
		k->source = RB_APIKEY_ENV;
		return take(k, env, strlen(env), "RUNBOUND_API_KEY", e);
	}
	if (snprintf(path, sizeof path, "%s/api.key", root) >= (int)sizeof path)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "root too long");
	txt = rb_file_read(path, RB_APIKEY_MAX + 2, &len);
	if (txt == NULL && errno == ENOENT)
		return generate(k, root, e);
	if (txt == NULL)
		return rb_err_sys(e, "read api.key");
	k->source = RB_APIKEY_FILE;
	k->loose_mode = stat(path, &st) == 0 && (st.st_mode & 077) != 0;
	r = take(k, txt, len, "api.key", e);
	OPENSSL_cleanse(txt, len);
	free(txt);
	return r;
}

void
rb_apikey_wipe(struct rb_apikey *k)
{
	OPENSSL_cleanse(k, sizeof *k);
}
