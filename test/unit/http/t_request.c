/* Unit tests for lib/http/request: targets, routes, headers, JSON bodies. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"
#include "http/status.h"

#include "../../tap.h"

static int
parse(struct rb_http_target *t, const char *s, struct rb_err *e)
{
	memset(e, 0, sizeof *e);
	return rb_http_request_target_parse(t, s, strlen(s), e);
}

static void
targets(void)
{
	static struct rb_http_target t;
	struct rb_err e;
	char big[RB_HTTP_TARGET_MAX + 10];

	ok(parse(&t, "/dns", &e) == 0, "plain path");
	is_str(t.path, "/dns", "path kept");
	is_int(t.alias, 0, "no alias");
	ok(parse(&t, "/api/dns/abc", &e) == 0 && t.alias == 1, "/api/ alias");
	is_str(t.path, "/dns/abc", "alias stripped");
	ok(parse(&t, "/api", &e) == 0, "/api alone");
	is_str(t.path, "/", "becomes /");
	ok(parse(&t, "/apix/dns", &e) == 0 && !t.alias, "/apix is no alias");
	is_str(t.path, "/apix/dns", "kept whole");
	ok(parse(&t, "/logs?limit=5&action=blocked&client=%3A%3A1", &e) == 0,
	    "query string");
	is_int((long)t.nparams, 3, "three params");
	is_str(rb_http_request_param(&t, "limit"), "5", "limit");
	is_str(rb_http_request_param(&t, "client"), "::1", "percent-decoded");
	ok(rb_http_request_param(&t, "page") == NULL, "absent param");
	ok(parse(&t, "/logs?a=x+y&&b&", &e) == 0, "empty pairs skipped");
	is_str(rb_http_request_param(&t, "a"), "x y", "plus is space");
	is_str(rb_http_request_param(&t, "b"), "", "key without value");
	ok(parse(&t, "/logs?a=1&a=2", &e) < 0, "duplicate refused");
	is_str(e.code, "INVALID_PARAM", "INVALID_PARAM");
	ok(parse(&t, "/logs?a=%zz", &e) < 0, "bad escape refused");
	ok(parse(&t, "/logs?a=%0a", &e) < 0, "escaped control refused");
	ok(parse(&t, "/logs?a=%00", &e) < 0, "escaped NUL refused");
	ok(parse(&t, "/logs?a=%4", &e) < 0, "short escape refused");
	ok(parse(&t, "/logs?a=b c", &e) < 0, "space refused");
	ok(parse(&t, "/logs?a=\x80", &e) < 0, "8-bit byte refused");
	ok(parse(&t, "/x?1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16", &e) == 0,
	    "16 params");
	ok(parse(&t, "/x?1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16&17", &e) < 0,
	    "17 refused");
	ok(parse(&t, "dns", &e) < 0, "not origin-form");
	is_str(e.code, "BAD_REQUEST", "BAD_REQUEST");
	ok(parse(&t, "http://x/dns", &e) < 0, "absolute-form refused");
	ok(parse(&t, "/dns/a b", &e) < 0, "space in path refused");
	ok(parse(&t, "/dns/%g0", &e) < 0, "bad escape in path refused");
	ok(parse(&t, "/dns/%", &e) < 0, "cut escape in path refused");
	ok(parse(&t, "/dns#frag", &e) < 0, "fragment refused");
	ok(rb_http_request_target_parse(&t, "/dns\0x", 6, &e) < 0,
	    "NUL refused");
	ok(rb_http_request_target_parse(&t, "", 0, &e) < 0, "empty refused");
	memset(big, 'a', sizeof big);
	big[0] = '/';
	ok(rb_http_request_target_parse(&t, big, sizeof big, &e) < 0,
	    "over-long refused");
	ok(rb_http_request_target_parse(&t, big, RB_HTTP_TARGET_MAX - 1, &e) ==
	        0,
	    "longest accepted");
}

static void
routes(void)
{
	char arg[40];

	ok(rb_http_request_route_match("/dns", "/dns", arg, sizeof arg),
	    "literal");
	ok(!rb_http_request_route_match("/dns", "/dns/", arg, sizeof arg),
	    "trailing slash differs");
	ok(!rb_http_request_route_match("/dns", "/dnsx", arg, sizeof arg),
	    "prefix");
	ok(!rb_http_request_route_match("/dns/:id", "/dns", arg, sizeof arg),
	    "missing id");
	ok(!rb_http_request_route_match("/dns/:id", "/dns/", arg, sizeof arg),
	    "empty id");
	ok(rb_http_request_route_match("/dns/:id", "/dns/abc", arg, sizeof arg),
	    "id");
	is_str(arg, "abc", "id captured");
	ok(!rb_http_request_route_match("/dns/:id", "/dns/a/b", arg,
	       sizeof arg),
	    "id is one segment");
	ok(rb_http_request_route_match("/dns/:id",
	       "/dns/0123456789012345678901234567890123456789xx", arg,
	       sizeof arg),
	    "long id matches");
	is_str(arg, "", "but is not captured");
	ok(!rb_http_request_route_match("/stats/stream", "//stats/stream", arg,
	       sizeof arg),
	    "double slash");
	ok(rb_http_request_route_match("/", "/", arg, sizeof arg), "root");
}

static void
headers(void)
{
	uint64_t n = 0;
	const char *tok;
	size_t len;

	ok(rb_http_request_content_length("0", &n) == 0 && n == 0, "CL 0");
	ok(rb_http_request_content_length("65536", &n) == 0 && n == 65536,
	    "CL");
	ok(rb_http_request_content_length("", &n) < 0, "empty CL");
	ok(rb_http_request_content_length("-1", &n) < 0, "negative CL");
	ok(rb_http_request_content_length("1 2", &n) < 0, "two numbers");
	ok(rb_http_request_content_length("12a", &n) < 0, "junk");
	ok(rb_http_request_content_length("999999999999999999", &n) == 0,
	    "18 digits");
	ok(rb_http_request_content_length("9999999999999999999", &n) < 0,
	    "19 digits refused");
	ok(rb_http_request_bearer("Bearer abc", &tok, &len) == 0 && len == 3 &&
	        memcmp(tok, "abc", 3) == 0,
	    "bearer");
	ok(rb_http_request_bearer("bearer  abc  ", &tok, &len) == 0 && len == 3,
	    "scheme case, spaces trimmed");
	ok(rb_http_request_bearer("Bearer", &tok, &len) < 0, "no token");
	ok(rb_http_request_bearer("Basic YWJj", &tok, &len) < 0, "Basic");
	ok(rb_http_request_bearer("Bearerabc", &tok, &len) < 0, "no space");
	ok(rb_http_request_bearer(NULL, &tok, &len) < 0, "no header");
	ok(rb_http_request_bearer("Bearer ", &tok, &len) == 0 && len == 0,
	    "empty token");
}

static void
bodies(void)
{
	struct rb_err e = { 0 };
	json_t *j;
	char *big;

	j = rb_http_request_json_body("{\"a\":1}", 7, &e);
	ok(json_is_object(j), "object");
	json_decref(j);
	ok(rb_http_request_json_body("", 0, &e) == NULL, "empty body");
	is_str(e.code, "INVALID_REQUEST", "INVALID_REQUEST");
	ok(rb_http_request_json_body("[1]", 3, &e) == NULL, "array refused");
	ok(rb_http_request_json_body("{\"a\":1", 6, &e) == NULL, "truncated");
	is_int(rb_http_status(&e), 400, "400");
	ok(rb_http_request_json_body("{\"a\":\"\xff\"}", 9, &e) == NULL,
	    "invalid UTF-8");
	ok(strchr(e.details, '\xff') == NULL, "details never echo raw bytes");
	ok(rb_http_request_json_body("{\"a\":\"\\u0000\"}", 14, &e) == NULL,
	    "escaped NUL");
	ok(rb_http_request_json_body("{\"a\":1}\0", 8, &e) == NULL, "raw NUL");
	ok(rb_http_request_json_body("{\"a\":1,\"a\":2}", 13, &e) == NULL,
	    "duplicate key");
	ok(rb_http_request_json_body("{\"a\":99999999999999999999}", 26, &e) ==
	        NULL,
	    "integer overflow");
	ok(rb_http_request_json_body("{\"a\":1e999}", 11, &e) == NULL,
	    "real overflow");
	big = malloc(RB_HTTP_BODY_MAX + 1);
	memset(big, ' ', RB_HTTP_BODY_MAX + 1);
	ok(rb_http_request_json_body(big, RB_HTTP_BODY_MAX + 1, &e) == NULL,
	    "over 64 KiB");
	is_str(e.code, "REQUEST_TOO_LARGE", "REQUEST_TOO_LARGE");
	is_int(rb_http_status(&e), 413, "413");
	big[0] = '{';
	big[RB_HTTP_BODY_MAX - 1] = '}';
	j = rb_http_request_json_body(big, RB_HTTP_BODY_MAX, &e);
	ok(json_is_object(j), "exactly 64 KiB accepted");
	json_decref(j);
	free(big);
}

int
main(void)
{
	char out[8];

	targets();
	routes();
	headers();
	bodies();
	rb_http_request_printable(out, sizeof out, "a\nb\x80\x01longer", 11);
	is_str(out, "a?b??lo", "printable copy, truncated");
	done_testing();
	return exit_status();
}
