/*
 * Fuzz target: what rb-apid parses from a request before any operation
 * runs: the request-target (path, /api alias, query string) and the GET
 * /logs and /audit/tail parameters, route patterns, Authorization and
 * Content-Length values, and the JSON body through lib/http/request into
 * lib/state/entry and the key vetting of POST /rotate-key.
 *
 * Input: target \n authorization \n content-length \n body (the body is
 * the rest and may hold anything, NUL bytes included).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/apikey.h"
#include "http/request.h"
#include "http/status.h"
#include "state/entry.h"
#include "stats/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const patterns[] = { "/dns", "/dns/:id", "/logs",
	"/stats/stream", "/audit/tail", "/blacklist/:id", "/" };

/* The next line of data as a NUL-terminated copy (caller frees). */
static char *
line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

static void
target(const char *t, size_t len)
{
	static struct rb_http_target tg;
	struct rb_logs_query q;
	struct rb_err e = { 0 };
	char arg[128];

	if (rb_http_request_target_parse(&tg, t, len, &e) < 0)
		return;
	if (tg.path[0] != '/')
		__builtin_trap();
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		(void)rb_http_request_route_match(patterns[i], tg.path, arg,
		    sizeof arg);
	(void)rb_stats_json_logs_query(&q, rb_http_request_param(&tg, "limit"),
	    rb_http_request_param(&tg, "page"),
	    rb_http_request_param(&tg, "action"),
	    rb_http_request_param(&tg, "client"),
	    rb_http_request_param(&tg, "since"), &e);
}

static void
body(const uint8_t *b, size_t n)
{
	struct rb_err e = { 0 };
	json_t *j = rb_http_request_json_body(b, n, &e), *out = NULL;
	const json_t *nk;
	struct rb_rr rr;

	if (j == NULL) {
		if (e.code == NULL || rb_http_status(&e) < 400)
			__builtin_trap();
		return;
	}
	if (rb_entry_dns(j, &out, &rr, &e) == 0) {
		rb_rr_fini(&rr);
		json_decref(out);
	}
	out = NULL;
	if (rb_entry_block(j, &out, &e) == 0)
		json_decref(out);
	out = NULL;
	if (rb_entry_allow(j, &out, &e) == 0)
		json_decref(out);
	nk = json_object_get(j, "new_key");
	if (json_is_string(nk))
		(void)rb_apikey_check(json_string_value(nk),
		    json_string_length(nk), &e);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	const uint8_t *nl = memchr(p, '\n', size);
	size_t tlen = nl ? (size_t)(nl - p) : size;
	struct rb_apikey key = { 0 };
	char *auth, *cl;
	const char *tok;
	size_t toklen;
	uint64_t n;

	target((const char *)p, tlen);
	p = nl ? nl + 1 : end;
	auth = line(&p, end);
	cl = line(&p, end);
	rb_apikey_set(&key, "0123456789abcdef0123456789abcdef", 32);
	if (rb_http_request_bearer(auth, &tok, &toklen) == 0)
		(void)rb_apikey_match(&key, tok, toklen);
	(void)rb_http_request_content_length(cl, &n);
	body(p, (size_t)(end - p));
	free(auth);
	free(cl);
	return 0;
}
