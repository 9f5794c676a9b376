/*
 * request: request-target, header and body checks for rb-apid.  The input
 * is whatever a client sent; nothing here trusts a length it did not
 * count itself.  A parsed target owns one buffer holding the path and the
 * decoded query parameters, so a request needs no other allocation for
 * them and the whole struct is freed with the request.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/hex.h"
#include "http/request.h"

/* RFC 3986 pchar plus '/', with %XX checked but kept encoded. */
static int
path_ok(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%') {
			if (len - i < 3 || rb_hex_digit(p[i + 1]) < 0 ||
			    rb_hex_digit(p[i + 2]) < 0)
				return 0;
			i += 2;
			continue;
		}
		if (isalnum(c) ||
		    (c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL))
			continue;
		return 0;
	}
	return 1;
}

/* Decode one key or value of the query string into out (NUL-terminated).
 * Returns the decoded length, or -1 for a bad escape or a control byte. */
static int
decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3 || rb_hex_digit(s[i + 1]) < 0 ||
			    rb_hex_digit(s[i + 2]) < 0)
				return -1;
			c = rb_hex_digit(s[i + 1]) * 16 +
			    rb_hex_digit(s[i + 2]);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

static int
add_param(struct rb_http_target *t, const char *s, size_t len, size_t *used,
    struct rb_err *e)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	char *key = t->buf + *used, *val;
	int n;

	if (t->nparams == RB_HTTP_PARAMS_MAX)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "at most %d query parameters are allowed",
		    RB_HTTP_PARAMS_MAX);
	if ((n = decode(s, klen, key)) < 0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "bad escape or control character in the query string");
	*used += (size_t)n + 1;
	val = t->buf + *used;
	if ((n = decode(eq ? eq + 1 : s + len, eq ? len - klen - 1 : 0, val)) <
	    0)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "bad escape or control character in the query string");
	*used += (size_t)n + 1;
	if (rb_http_request_param(t, key) != NULL)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
		    "duplicate query parameter");
	t->params[t->nparams].key = key;
	t->params[t->nparams].val = val;
	t->nparams++;
	return 0;
}

static int
parse_query(struct rb_http_target *t, const char *q, size_t len, size_t used,
    struct rb_err *e)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c <= 0x20 || c >= 0x7f || c == '#')
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_PARAM",
			    "bad character in the query string");
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		if (i > start &&
		    add_param(t, q + start, i - start, &used, e) < 0)
			return -1;
		start = i + 1;
	}
	return 0;
}

int
rb_http_request_target_parse(struct rb_http_target *t, const char *target,
    size_t len, struct rb_err *e)
{
	const char *q;
	size_t plen;

	memset(t, 0, sizeof *t);
	if (len == 0 || len >= RB_HTTP_TARGET_MAX)
		return rb_err_set(e, RB_ERR_INVALID, "BAD_REQUEST",
		    "request-target is empty or longer than %d bytes",
		    RB_HTTP_TARGET_MAX - 1);
	if (target[0] != '/')
		return rb_err_set(e, RB_ERR_INVALID, "BAD_REQUEST",
		    "request-target must be a path");
	q = memchr(target, '?', len);
	plen = q ? (size_t)(q - target) : len;
	if (!path_ok(target, plen))
		return rb_err_set(e, RB_ERR_INVALID, "BAD_REQUEST",
		    "bad character in the request path");
	if (plen >= 4 && memcmp(target, "/api", 4) == 0 &&
	    (plen == 4 || target[4] == '/')) {
		t->alias = 1;
		target += 4;
		plen -= 4;
		len -= 4;
	}
	if (plen == 0) {
		t->buf[0] = '/';
		t->buf[1] = '\0';
	} else {
		memcpy(t->buf, target, plen);
		t->buf[plen] = '\0';
	}
	t->path = t->buf;
	if (q == NULL)
		return 0;
	return parse_query(t, target + plen + 1, len - plen - 1,
	    (plen ? plen : 1) + 1, e);
}

const char *
rb_http_request_param(const struct rb_http_target *t, const char *key)
{
	for (size_t i = 0; i < t->nparams; i++)
		if (strcmp(t->params[i].key, key) == 0)
			return t->params[i].val;
	return NULL;
}

int
rb_http_request_route_match(const char *pattern, const char *path, char *arg,
    size_t arglen)
{
	const char *p = pattern, *s = path;

	if (arglen > 0)
		arg[0] = '\0';
	while (*p != '\0' && *s != '\0') {
		size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");

		if (*p == ':') {
			if (sl == 0)
				return 0;
			if (arglen > 0 && sl < arglen) {
				memcpy(arg, s, sl);
				arg[sl] = '\0';
			} else if (arglen > 0) {
				arg[0] = '\0';
			}
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return 0;
		}
		p += pl;
		s += sl;
		if (*p == '/' && *s == '/') {
			p++;
			s++;
		} else if (*p != *s) {
			return 0;
		}
	}
	return *p == '\0' && *s == '\0';
}

int
rb_http_request_content_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i == 18)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = n;
	return 0;
}

int
rb_http_request_bearer(const char *hdr, const char **tok, size_t *len)
{
	size_t n;

	if (hdr == NULL || strncasecmp(hdr, "Bearer", 6) != 0 ||
	    (hdr[6] != ' ' && hdr[6] != '\t'))
		return -1;
	hdr += 6;
	while (*hdr == ' ' || *hdr == '\t')
		hdr++;
	n = strlen(hdr);
	while (n > 0 && (hdr[n - 1] == ' ' || hdr[n - 1] == '\t'))
		n--;
	*tok = hdr;
	*len = n;
	return 0;
}

void
rb_http_request_printable(char *dst, size_t dstlen, const char *src,
    size_t srclen)
{
	size_t i;

	if (dstlen == 0)
		return;
	for (i = 0; i < srclen && i < dstlen - 1; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[i] = '\0';
}

json_t *
rb_http_request_json_body(const void *body, size_t len, struct rb_err *e)
{
	json_error_t jerr;
	json_t *j;
	char text[160];

	if (len > RB_HTTP_BODY_MAX) {
		rb_err_set(e, RB_ERR_TOO_LARGE, "REQUEST_TOO_LARGE",
		    "Body exceeds %d bytes", RB_HTTP_BODY_MAX);
		return NULL;
	}
	if (len == 0) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "request body is empty: a JSON object is expected");
		return NULL;
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		/* jansson quotes the offending input: never echo raw bytes */
		rb_http_request_printable(text, sizeof text, jerr.text,
		    strnlen(jerr.text, sizeof jerr.text));
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "invalid JSON at line %d column %d: %s", jerr.line,
		    jerr.column, text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST",
		    "request body must be a JSON object");
		return NULL;
	}
	return j;
}
