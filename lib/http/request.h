#ifndef RB_HTTP_REQUEST_H
#define RB_HTTP_REQUEST_H

/*
 * The parts of an API request that rb-apid reads from untrusted bytes
 * before any library operation sees them: the request-target (path, the
 * /api alias, the query string), Content-Length, the Bearer token and the
 * JSON body.  Kept apart from libevent so the fuzzer reaches all of it.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

#define RB_HTTP_BODY_MAX 65536  /* Runbound's POST body limit */
#define RB_HTTP_TARGET_MAX 4096 /* longest request-target accepted */
#define RB_HTTP_PARAMS_MAX 16   /* query parameters per request */

struct rb_http_param {
	const char *key; /* decoded, NUL-terminated, inside the target's buf */
	const char *val;
};

/* A parsed request-target.  Every string points into buf. */
struct rb_http_target {
	char buf[2 * RB_HTTP_TARGET_MAX];
	const char *path; /* "/dns/x": the /api prefix removed, not decoded */
	int alias;        /* the target began with /api/ */
	size_t nparams;
	struct rb_http_param params[RB_HTTP_PARAMS_MAX];
};

/* Parse an origin-form request-target (target[0..len), borrowed) into t.
 * Errors: BAD_REQUEST (400) for a target that is too long, not
 * origin-form or holds bytes a path may not; INVALID_PARAM (400) for a
 * bad query string (bad escape, control character, duplicate or too many
 * parameters). */
int rb_http_request_target_parse(struct rb_http_target *t, const char *target,
    size_t len, struct rb_err *e);

/* The decoded value of query parameter key (borrowed from t), or NULL. */
const char *rb_http_request_param(const struct rb_http_target *t,
    const char *key);

/* Match path against a pattern of literal segments and ":name" segments
 * ("/dns/:id").  The text of the last ":" segment is copied into arg
 * (empty when it does not fit in arglen).  1 on a match, else 0. */
int rb_http_request_route_match(const char *pattern, const char *path,
    char *arg, size_t arglen);

/* Parse a Content-Length value: digits only, at most 18 of them.  0 and
 * *out on success, -1 when malformed. */
int rb_http_request_content_length(const char *v, uint64_t *out);

/* Find the token of an "Authorization: Bearer <token>" value (scheme
 * case-insensitive).  0 with *tok (borrowed from hdr) and *len, or -1 when
 * hdr is NULL or not a Bearer credential. */
int rb_http_request_bearer(const char *hdr, const char **tok, size_t *len);

/* Parse a request body as a JSON object.  Returns a new reference, or NULL
 * with e set: REQUEST_TOO_LARGE (413) over RB_HTTP_BODY_MAX bytes,
 * INVALID_REQUEST (400) for an empty body, invalid JSON (including invalid
 * UTF-8, NUL bytes, duplicate keys, numbers out of range) or a value that
 * is not an object. */
json_t *rb_http_request_json_body(const void *body, size_t len,
    struct rb_err *e);

/* Copy src into dst (dstlen > 0) replacing every byte that is not
 * printable ASCII with '?', so it can be echoed in JSON or a log line. */
void rb_http_request_printable(char *dst, size_t dstlen, const char *src,
    size_t srclen);

#endif
