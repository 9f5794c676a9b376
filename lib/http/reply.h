#ifndef RB_HTTP_REPLY_H
#define RB_HTTP_REPLY_H

/*
 * reply: how rb-apid and rb-syncd answer an evhttp request: the headers
 * every reply of ours carries, JSON bodies, error bodies in Runbound's
 * shape, and HEAD answered with the length only (evhttp 2.1 would send
 * a HEAD reply's body).
 */

#include <stddef.h>

#include <event2/http.h>
#include <jansson.h>

/* The headers of every reply: Content-Type ctype, Cache-Control:
 * no-store, X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
 * Content-Security-Policy: default-src 'none'. */
void rb_http_reply_headers(struct evhttp_request *req, const char *ctype);

/* Send status with text (len bytes, copied) as the body, after
 * rb_http_reply_headers; a HEAD request gets its Content-Length only. */
void rb_http_reply_text(struct evhttp_request *req, int status,
    const char *ctype, const char *text, size_t len);

/* Send status with j (taken) as compact JSON, as rb_http_reply_text
 * does; a 500 {"error":"INTERNAL_ERROR"} when j is NULL or cannot be
 * written. */
void rb_http_reply_json(struct evhttp_request *req, int status, json_t *j);

/* Runbound's error body {"error":code,"details":details} (details NULL:
 * none; text that is not UTF-8, a cut name say, made printable ASCII):
 * a new object, NULL when out of memory. */
json_t *rb_http_reply_error_body(const char *code, const char *details);

#endif
