/* Unit tests for lib/state/entry and lib/wire/rr: request bodies to entries and
 * wire. */

#include <string.h>

#include "state/entry.h"
#include "wire/rr.h"

#include "../../tap.h"

static int
add(const char *json, json_t **out, struct rb_rr *rr, struct rb_err *e)
{
	json_t *req = json_loads(json, 0, NULL);
	int r;

	if (req == NULL)
		bail("bad test JSON");
	r = rb_entry_dns(req, out, rr, e);
	json_decref(req);
	return r;
}

static void
expect_fail(const char *json, const char *code, const char *what)
{
	struct rb_err e = { 0 };
	struct rb_rr rr;
	json_t *o = NULL;

	ok(add(json, &o, &rr, &e) < 0 && e.code && strcmp(e.code, code) == 0,
	    "%s -> %s", what, code);
	if (e.code && strcmp(e.code, code) != 0)
		diag("got %s: %s", e.code, e.details);
	json_decref(o);
}

static void
expect_rr(const char *json, const char *text, const char *what)
{
	struct rb_err e = { 0 };
	struct rb_rr rr;
	json_t *o = NULL;

	if (add(json, &o, &rr, &e) < 0) {
		ok(0, "%s", what);
		diag("%s: %s", e.code, e.details);
		return;
	}
	is_str(rr.text, text, "%s", what);
	rb_rr_fini(&rr);
	json_decref(o);
}

static void
test_dns(void)
{
	struct rb_err e = { 0 };
	struct rb_rr rr;
	json_t *o = NULL;

	ok(add("{\"name\":\"nas.home\",\"type\":\"a\",\"value\":\"192.168.1."
	       "10\","
	       "\"ttl\":300}",
	       &o, &rr, &e) == 0,
	    "A entry accepted");
	is_str(json_string_value(json_object_get(o, "name")), "nas.home.",
	    "name gets a final dot");
	is_str(json_string_value(json_object_get(o, "type")), "A",
	    "type upper-cased");
	ok(rb_entry_is_uuid(json_string_value(json_object_get(o, "id"))),
	    "id is a UUID");
	is_str(rr.text, "nas.home. 300 A 192.168.1.10", "Runbound rr text");
	is_int(rr.rdlen, 4, "A rdata is 4 bytes");
	ok(memcmp(rr.rdata, "\xc0\xa8\x01\x0a", 4) == 0, "A rdata wire");
	ok(memcmp(rr.owner, "\3nas\4home\0", 10) == 0, "owner wire");
	rb_rr_fini(&rr);
	json_decref(o);

	expect_rr("{\"name\":\"x.home.\",\"type\":\"A\",\"value\":\"1.2.3.4\"}",
	    "x.home. 3600 A 1.2.3.4", "TTL defaults to 3600");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"A\",\"value\":\"1.2.3.4\","
	          "\"ttl\":100000}",
	    "x.home. 86400 A 1.2.3.4", "TTL capped at 86400");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"TXT\",\"value\":\"hello "
	          "world\"}",
	    "x.home. 3600 TXT \"hello world\"", "bare TXT quoted");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"MX\",\"value\":\"mail.home."
	          "\","
	          "\"priority\":10}",
	    "x.home. 3600 MX 10 mail.home.", "MX from priority field");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"MX\",\"value\":\"10 "
	          "mail.home.\"}",
	    "x.home. 3600 MX 10 mail.home.", "MX from full value");
	expect_rr("{\"name\":\"_sip._tcp.home.\",\"type\":\"SRV\",\"value\":"
	          "\"sip.home.\",\"priority\":1,\"weight\":2,\"port\":5060}",
	    "_sip._tcp.home. 3600 SRV 1 2 5060 sip.home.", "SRV fields");
	expect_rr("{\"name\":\"home.\",\"type\":\"CAA\",\"value\":"
	          "\"letsencrypt.org\",\"flags\":0,\"tag\":\"issue\"}",
	    "home. 3600 CAA 0 issue \"letsencrypt.org\"", "CAA fields");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"AAAA\",\"value\":\"fd00::"
	          "1\"}",
	    "x.home. 3600 AAAA fd00::1", "AAAA");
	expect_rr("{\"name\":\"10.1.168.192.in-addr.arpa.\",\"type\":\"PTR\","
	          "\"value\":\"nas.home.\"}",
	    "10.1.168.192.in-addr.arpa. 3600 PTR nas.home.", "PTR");
	expect_rr("{\"name\":\"x.home.\",\"type\":\"SSHFP\",\"value\":\"1 1 "
	          "0123456789abcdef0123456789abcdef01234567\"}",
	    "x.home. 3600 SSHFP 1 1 0123456789abcdef0123456789abcdef01234567",
	    "SSHFP");

	expect_fail("{\"name\":\"bad..name\",\"type\":\"A\",\"value\":"
	            "\"1.2.3.4\"}",
	    "INVALID_NAME", "empty label");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"A\",\"value\":"
	            "\"300.1.1.1\"}",
	    "INVALID_VALUE", "octet over 255");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"A\",\"value\":\"1.2.3."
	            "4\","
	            "\"ttl\":-1}",
	    "INVALID_TTL", "negative TTL");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"A\",\"value\":\"1.2.3."
	            "4\","
	            "\"ttl\":2147483648}",
	    "INVALID_TTL", "TTL over 2^31-1");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"SOA\",\"value\":\"x\"}",
	    "INVALID_TYPE", "SOA not an API type");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"A\"}", "INVALID_REQUEST",
	    "missing value");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"CNAME\",\"value\":"
	            "\"a..b.\"}",
	    "INVALID_VALUE", "bad CNAME target");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"CNAME\",\"value\":"
	            "\"a b.\"}",
	    "INVALID_VALUE", "CNAME target with a space");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"TXT\",\"value\":"
	            "\"a\\r\\nb.home. A 1.2.3.4\"}",
	    "INVALID_VALUE", "CRLF in a value");
	expect_fail("{\"name\":\"x\\u0001y.home.\",\"type\":\"A\",\"value\":"
	            "\"1.2.3.4\"}",
	    "INVALID_NAME", "control character in a name");
	expect_fail("{\"name\":7,\"type\":\"A\",\"value\":\"1.2.3.4\"}",
	    "INVALID_REQUEST", "name of the wrong JSON type");
	expect_fail("{\"name\":\"x.home.\",\"type\":\"MX\",\"value\":"
	            "\"mail.home.\",\"priority\":\"ten\"}",
	    "INVALID_FIELD", "non-integer priority");
}

static void
test_lists(void)
{
	struct rb_err e = { 0 };
	json_t *req, *o = NULL;

	req = json_pack("{s:s}", "domain", "Ads.Example.COM.");
	ok(rb_entry_block(req, &o, &e) == 0, "blacklist entry");
	is_str(json_string_value(json_object_get(o, "domain")),
	    "ads.example.com", "domain lower-cased, no final dot");
	is_str(json_string_value(json_object_get(o, "action")), "refuse",
	    "action defaults to refuse");
	json_decref(o);
	json_decref(req);
	req = json_pack("{s:s, s:s}", "domain", "x.com", "action", "drop");
	ok(rb_entry_block(req, &o, &e) < 0 &&
	        strcmp(e.code, "INVALID_FIELD") == 0,
	    "unknown action refused");
	json_decref(req);
	req = json_pack("{s:s}", "domain", ".");
	ok(rb_entry_allow(req, &o, &e) < 0 &&
	        strcmp(e.code, "INVALID_NAME") == 0,
	    "the root cannot be allowlisted");
	json_decref(req);
}

int
main(void)
{
	test_dns();
	test_lists();
	done_testing();
	return exit_status();
}
