/* Unit tests for lib/zone/tinydns: every tinydns-data line type into the pairs
 * of data/zones.cdb (doc/rb-zone.md "tinydns-data files"), the dispatch
 * rule of rb_zone_load, and every error, each naming file and line and
 * leaving the zone set as it was. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "state/cdbw.h"
#include "zone/tinydns.h"
#include "zone/zone.h"

#include "../../tap.h"

#define SERIAL 1234

static struct rb_zoneset zs;
static struct rb_cdbw out;
static char err[1024];

/* Load text as file "data" (serial SERIAL) into a fresh set and build it;
 * 0, or -1 with err holding "file:line: message". */
static int
build(const char *text)
{
	struct rb_diag d = { 0 };
	int r;

	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	memset(&out, 0, sizeof out);
	memset(&zs, 0, sizeof zs);
	err[0] = '\0';
	r = rb_tinydns_load(&zs, text, strlen(text), "data", SERIAL, &d);
	if (r == 0)
		r = rb_zone_build(&zs, &out, &d);
	if (r < 0)
		rb_diag_str(&d, err, sizeof err);
	return r;
}

/* The error of text, "" when it builds. */
static const char *
error_of(const char *text)
{
	build(text);
	return err;
}

/* "a.b.test" to wire form (no escapes; "" or "." is the root). */
static size_t
wire(const char *text, uint8_t *w)
{
	size_t n = 0;

	while (*text != '\0' && strcmp(text, ".") != 0) {
		size_t l = strcspn(text, ".");
		w[n] = (uint8_t)l;
		memcpy(w + n + 1, text, l);
		n += 1 + l;
		text += l;
		if (*text == '.')
			text++;
	}
	w[n++] = 0;
	return n;
}

/* The value of key PREFIX+owner[+type], or NULL. */
static const struct rb_cdbw_kv *
get(char prefix, const char *owner, int type)
{
	uint8_t key[300];
	size_t n;

	key[0] = (uint8_t)prefix;
	n = 1 + wire(owner, key + 1);
	if (type >= 0) {
		key[n++] = (uint8_t)(type >> 8);
		key[n++] = (uint8_t)type;
	}
	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].klen == n && memcmp(out.v[i].key, key, n) == 0)
			return &out.v[i];
	return NULL;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Does the RRset of owner/type hold rdata (len bytes) with ttl? */
static int
has(const char *owner, int type, const void *rdata, size_t len, uint32_t ttl)
{
	const struct rb_cdbw_kv *kv = get('D', owner, type);

	for (size_t at = 0; kv != NULL && at + 6 <= kv->vlen;) {
		size_t rl = (size_t)kv->val[at + 4] << 8 | kv->val[at + 5];
		if (rl == len && be32(kv->val + at) == ttl &&
		    memcmp(kv->val + at + 6, rdata, len) == 0)
			return 1;
		at += 6 + rl;
	}
	return 0;
}

/* How many records the RRset of owner/type holds. */
static int
count(const char *owner, int type)
{
	const struct rb_cdbw_kv *kv = get('D', owner, type);
	int n = 0;

	for (size_t at = 0; kv != NULL && at + 6 <= kv->vlen; n++)
		at += 6 + ((size_t)kv->val[at + 4] << 8 | kv->val[at + 5]);
	return n;
}

/* SOA rdata: mname rname then the five numbers. */
static size_t
soa(uint8_t *rd, const char *mname, const char *rname, uint32_t ser,
    uint32_t ref, uint32_t ret, uint32_t exp, uint32_t min)
{
	uint32_t v[5] = { ser, ref, ret, exp, min };
	size_t n = wire(mname, rd);

	n += wire(rname, rd + n);
	for (int i = 0; i < 5; i++, n += 4) {
		rd[n] = (uint8_t)(v[i] >> 24);
		rd[n + 1] = (uint8_t)(v[i] >> 16);
		rd[n + 2] = (uint8_t)(v[i] >> 8);
		rd[n + 3] = (uint8_t)v[i];
	}
	return n;
}

static void
test_sniff(void)
{
	static const struct {
		const char *text;
		int want;
	} c[] = {
		{ ".ex.test:192.0.2.1:a\n", 1 },
		{ "\n  \n\t\n+www.ex.test:192.0.2.1\n", 1 },
		{ "# tinydns data\n", 1 },
		{ "-www.ex.test:192.0.2.1\n", 1 },
		{ "%in:192.168\n", 1 },
		{ "Cwww.ex.test:host.ex.test\n", 1 },
		{ "Zex.test:ns:hostmaster\n", 1 },
		{ ":v6.ex.test:28:\\040\n", 1 },
		{ "'t.ex.test:hello world\n", 1 },
		{ "@ IN SOA ns h 1 2 3 4 5\n", 0 },
		{ ". 3600 IN SOA ns h 1 2 3 4 5\n", 0 },
		{ "$ORIGIN ex.test.\n", 0 },
		{ "; a master file\n", 0 },
		{ "ex.test. IN SOA ns h 1 2 3 4 5\n", 0 },
		{ "+www IN A 192.0.2.1 ; x:y\n", 0 },
		{ " +www.ex.test:192.0.2.1\n", 0 },
		{ "", 0 },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		is_int(rb_tinydns_sniff(c[i].text, strlen(c[i].text)),
		    c[i].want, "sniff %zu: %s", i,
		    c[i].want ? "tinydns" : "master file");
}

static void
test_dot(void)
{
	uint8_t rd[600];
	size_t n;

	is_int(build(".ex.test:192.0.2.1:a\n"
	             ".ex.test:192.0.2.2:ns2.ex.test:3600\n"
	             ".ex.test::b:0\n"),
	    0, "'.' lines");
	n = soa(rd, "a.ns.ex.test", "hostmaster.ex.test", SERIAL, 16384, 2048,
	    1048576, 2560);
	ok(has("ex.test", 6, rd, n, 2560),
	    "'.': SOA a.ns.fqdn hostmaster.fqdn, tinydns-data's numbers, "
	    "TTL 2560");
	ok(count("ex.test", 6) == 1, "the first '.' line gives the SOA");
	n = wire("a.ns.ex.test", rd);
	ok(has("ex.test", 2, rd, n, 259200), "'.': NS x.ns.fqdn, TTL 259200");
	ok(has("a.ns.ex.test", 1, "\300\000\002\001", 4, 259200),
	    "'.': A of the server, TTL 259200");
	n = wire("ns2.ex.test", rd);
	ok(has("ex.test", 2, rd, n, 3600), "'.': x with a dot is the name");
	ok(has("ns2.ex.test", 1, "\300\000\002\002", 4, 3600),
	    "'.': its A, with the line's TTL");
	n = wire("b.ns.ex.test", rd);
	ok(has("ex.test", 2, rd, n, 0) && get('D', "b.ns.ex.test", 1) == NULL,
	    "'.': no ip, no A; TTL 0 kept");
	ok(get('Z', "ex.test", -1) != NULL, "'.': the zone's Z key");

	is_int(build(".ex.test::a:0\n"), 0, "'.' with TTL 0");
	n = soa(rd, "a.ns.ex.test", "hostmaster.ex.test", SERIAL, 16384, 2048,
	    1048576, 2560);
	ok(has("ex.test", 6, rd, n, 0), "TTL 0 gives the SOA TTL 0");
	is_int(build(".ex.test:192.0.2.1\n"), 0, "'.' without x");
	n = wire("ns.ex.test", rd);
	ok(has("ex.test", 2, rd, n, 259200) &&
	        has("ns.ex.test", 1, "\300\000\002\001", 4, 259200),
	    "empty x: ns.fqdn");
	is_int(build(".Ex.TEST:192.0.2.1:A\n"), 0, "upper case");
	n = soa(rd, "A.ns.Ex.TEST", "hostmaster.Ex.TEST", SERIAL, 16384, 2048,
	    1048576, 2560);
	ok(has("ex.test", 6, rd, n, 2560) &&
	        get('D', "a.ns.ex.test", 1) != NULL,
	    "owners lower-cased, rdata names as written");
}

static void
test_z(void)
{
	uint8_t rd[600];
	size_t n;

	is_int(build("Zex.test:ns1.ex.test:admin.ex.test:7:1:2:3:4:300\n"
	             "Zex.test:other.ex.test:admin.ex.test:8\n"
	             ".ex.test:192.0.2.1:a\n"),
	    0, "'Z' lines");
	n = soa(rd, "ns1.ex.test", "admin.ex.test", 7, 1, 2, 3, 4);
	ok(has("ex.test", 6, rd, n, 300) && count("ex.test", 6) == 1,
	    "'Z': every field; the first SOA line wins");
	ok(get('Z', "ex.test", -1) != NULL &&
	        get('Z', "ex.test", -1)->vlen == 6 + n &&
	        memcmp(get('Z', "ex.test", -1)->val + 6, rd, n) == 0,
	    "'Z': the Z key holds the same SOA");
	ok(count("ex.test", 2) == 1, "a later '.' still adds its NS");
	is_int(build("Zex.test:ns1.ex.test:admin.ex.test\n"), 0, "'Z' bare");
	n = soa(rd, "ns1.ex.test", "admin.ex.test", SERIAL, 16384, 2048,
	    1048576, 2560);
	ok(has("ex.test", 6, rd, n, 2560), "'Z': defaults");
	is_int(build("Zex.test:ns1.ex.test:admin.ex.test::::::\n"), 0,
	    "'Z' empty fields");
	ok(has("ex.test", 6, rd, n, 2560), "'Z': empty fields take defaults");
}

static void
test_records(void)
{
	static const char data[] =
	    "# a comment\n"
	    "-www.ex.test:192.0.2.99\n"
	    "\n"
	    "\t \n"
	    ".ex.test:192.0.2.1:a\n"
	    ".2.0.192.in-addr.arpa::a.ns.ex.test\n"
	    "&sub.ex.test:192.0.2.53:a\n"
	    "&sub2.ex.test::ns.elsewhere.example:600\n"
	    "=host.ex.test:192.0.2.10\n"
	    "+www.ex.test:192.0.2.11:60 \t\r\n"
	    "+www.ex.test:192.0.2.12\n"
	    "@ex.test:192.0.2.25:mail\n"
	    "@ex.test::mx.elsewhere.example:20:300\n"
	    "'ex.test:v=spf1 \\055all\\072x\\\\\n"
	    "'empty.ex.test:\n"
	    "^20.2.0.192.in-addr.arpa:www.ex.test\n"
	    "Cftp.ex.test:www.ex.test:120\n"
	    ":v6.ex.test:28:\\040\\001\\015\\270\\000\\000\\000\\000\\000\\000"
	    "\\000\\000\\000\\000\\000\\001\n"
	    ":srv.ex.test:33:\\000\\001\\000\\002\\000\\003\\003www\\002ex"
	    "\\004test\\000:100\n"
	    "+*.wild.ex.test:192.0.2.99\n"
	    "+a\\056b.ex.test:192.0.2.13\n"
	    "%in:192.168\n"
	    "%ex\n";
	uint8_t rd[600];
	size_t n;

	is_int(build(data), 0, "every line type");
	if (*err)
		diag("%s", err);
	n = wire("a.ns.sub.ex.test", rd);
	ok(has("sub.ex.test", 2, rd, n, 259200) &&
	        has("a.ns.sub.ex.test", 1, "\300\000\002\065", 4, 259200),
	    "'&': NS x.ns.fqdn and glue A");
	ok(get('Z', "sub.ex.test", -1) == NULL &&
	        get('D', "sub.ex.test", 6) == NULL,
	    "'&': no SOA");
	n = wire("ns.elsewhere.example", rd);
	ok(has("sub2.ex.test", 2, rd, n, 600), "'&': x with a dot");
	ok(has("host.ex.test", 1, "\300\000\002\012", 4, 86400),
	    "'=': A, TTL 86400");
	n = wire("host.ex.test", rd);
	ok(has("10.2.0.192.in-addr.arpa", 12, rd, n, 86400),
	    "'=': PTR in in-addr.arpa");
	ok(has("www.ex.test", 1, "\300\000\002\013", 4, 60) &&
	        has("www.ex.test", 1, "\300\000\002\014", 4, 86400),
	    "'+': A records, trailing blanks and CR ignored");
	ok(!has("www.ex.test", 1, "\300\000\002\143", 4, 86400),
	    "'-' lines ignored");
	n = wire("mail.mx.ex.test", rd + 2);
	rd[0] = 0;
	rd[1] = 0;
	ok(has("ex.test", 15, rd, n + 2, 86400) &&
	        has("mail.mx.ex.test", 1, "\300\000\002\031", 4, 86400),
	    "'@': MX x.mx.fqdn dist 0, and its A");
	n = wire("mx.elsewhere.example", rd + 2);
	rd[1] = 20;
	ok(has("ex.test", 15, rd, n + 2, 300), "'@': x with a dot, dist");
	ok(has("ex.test", 16, "\016v=spf1 -all:x\\", 15, 86400),
	    "''': TXT, octal escapes and \\c");
	ok(has("empty.ex.test", 16, "\000", 1, 86400),
	    "''': empty text is one empty string");
	n = wire("www.ex.test", rd);
	ok(has("20.2.0.192.in-addr.arpa", 12, rd, n, 86400), "'^': PTR");
	ok(has("ftp.ex.test", 5, rd, n, 120), "'C': CNAME");
	ok(has("v6.ex.test", 28,
	       "\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000"
	       "\001",
	       16, 86400),
	    "':': AAAA from octal rdata");
	ok(has("srv.ex.test", 33,
	       "\000\001\000\002\000\003\003www\002ex"
	       "\004test\000",
	       19, 100),
	    "':': SRV");
	ok(has("*.wild.ex.test", 1, "\300\000\002\143", 4, 86400),
	    "wildcard owner");
	ok(get('D', "a.b.ex.test", 1) == NULL && out.n > 0, "escaped dot");
	{
		static const uint8_t k[] = "D\003a.b\002ex\004test\000\000\001";
		int found = 0;
		for (size_t i = 0; i < out.n; i++)
			found |= out.v[i].klen == sizeof k - 1 &&
			    memcmp(out.v[i].key, k, sizeof k - 1) == 0;
		ok(found, "\\056 is a dot inside a label");
	}
	ok(get('Z', "2.0.192.in-addr.arpa", -1) != NULL, "two zones, one file");
	ok(get('E', "wild.ex.test", -1) != NULL, "empty non-terminal");
	for (size_t i = 1; i < out.n; i++)
		if (rb_cdbw_bytes_cmp(out.v[i - 1].key, out.v[i - 1].klen,
		        out.v[i].key, out.v[i].klen) >= 0)
			bail("output not sorted or not unique");
	ok(1, "output sorted, keys unique");
}

static void
test_txt_split(void)
{
	char line[600];
	const struct rb_cdbw_kv *kv;
	size_t at = 0;

	at += (size_t)snprintf(line, sizeof line, ".ex.test::a\n't.ex.test:");
	memset(line + at, 'x', 300);
	strcpy(line + at + 300, "\n");
	is_int(build(line), 0, "long TXT");
	kv = get('D', "t.ex.test", 16);
	ok(kv != NULL && kv->vlen == 6 + 303 && kv->val[6] == 127 &&
	        kv->val[6 + 128] == 127 && kv->val[6 + 256] == 46,
	    "split into strings of 127 bytes, as tinydns-data does");
}

static void
test_order(void)
{
	is_int(build("+www.ex.test:192.0.2.1\n.ex.test::a\n"), 0,
	    "records may come before their zone's '.' line");
	is_int(build("+www.ex.test:192.0.2.1\n"), 0,
	    "a record outside every zone builds");
	is_int(zs.dropped, 1, "but is dropped, as tinydns never serves it");
	ok(get('D', "www.ex.test", 1) == NULL, "and is not in the cdb");
	is_int(build(".ex.test::a\n=www.ex.test:192.0.2.1\n"), 0,
	    "an '=' line whose PTR no zone holds");
	is_int(zs.dropped, 1, "drops the PTR");
	ok(get('D', "www.ex.test", 1) != NULL, "and keeps the A");
	is_int(build(".ex.test:192.0.2.1:ns.other.test\n"), 0,
	    "glue outside every zone");
	is_int(zs.dropped, 1, "is dropped");
	ok(get('D', "ex.test", 2) != NULL, "the NS stays");
}

static void
test_errors(void)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{ ".ex.test::a\n!x\n",
		    "data:2: unknown leading character '!'" },
		{ ".ex.test::a\n6x:1\n",
		    "data:2: unknown leading character "
		    "'6' (IPv6 lines are not djb's: use a ':' line)" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.1:1::::\n",
		    "data:2: too many fields: '+' lines have at most 5" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.1::4000000038af1379\n",
		    "data:2: timestamps are not supported: records are served "
		    "all the time" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.1:::in\n",
		    "data:2: locations are not supported: every client sees "
		    "every record" },
		{ ".ex.test::a:::ex\n",
		    "data:1: locations are not supported: every client sees "
		    "every record" },
		{ "Zex.test:a:b:1:2:3:4:5:6:400000003:\n",
		    "data:1: timestamps are not supported: records are served "
		    "all the time" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.1:1h\n",
		    "data:2: bad ttl: not a decimal number (0 to 2147483647)" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.1:2147483648\n",
		    "data:2: bad ttl: too large (0 to 2147483647)" },
		{ ".ex.test::a\n+w.ex.test:192.0.2.300\n",
		    "data:2: bad ip: not an IPv4 address" },
		{ ".ex.test:1.2.3:a\n", "data:1: bad ip: not an IPv4 address" },
		{ ".ex.test::a\n+w.ex.test\n", "data:2: missing ip" },
		{ ".ex.test::a\n@ex.test::a:65536\n",
		    "data:2: bad dist: too large (0 to 65535)" },
		{ "Zex.test:a:b:x\n",
		    "data:1: bad ser: not a decimal number (0 to 4294967295)" },
		{ "Zex.test:a:b:1:4294967296\n",
		    "data:1: bad ref: too large (0 to 4294967295)" },
		{ ".ex.test::a\n+w\\400.ex.test:192.0.2.1\n",
		    "data:2: bad fqdn: an octal escape is above \\377" },
		{ ".ex.test::a\n+w.ex.test\\:192.0.2.1\n",
		    "data:2: bad fqdn: a backslash ends the field" },
		{ ".ex.test::a\n'w.ex.test:\\\n",
		    "data:2: bad s: a backslash ends the field" },
		{ ".ex.test::a\nCw.ex.test:\n", "" },
		{ ".ex.test::a\n:w.ex.test\n",
		    "data:2: missing n (the type number)" },
		{ ".ex.test::a\n:w.ex.test:x\n",
		    "data:2: bad n: not a decimal number (0 to 65535)" },
		{ ".ex.test::a\n:w.ex.test:0\n",
		    "data:2: type TYPE0 cannot be given as a ':' line" },
		{ ".ex.test::a\n:w.ex.test:2:\\000\n",
		    "data:2: type NS cannot be given as a ':' line (use its "
		    "own "
		    "line type)" },
		{ ".ex.test::a\n:w.ex.test:5:\\000\n",
		    "data:2: type CNAME cannot be given as a ':' line (use its "
		    "own line type)" },
		{ ".ex.test::a\n:w.ex.test:6:\\000\n",
		    "data:2: type SOA cannot be given as a ':' line (use its "
		    "own "
		    "line type)" },
		{ ".ex.test::a\n:w.ex.test:12:\\000\n",
		    "data:2: type PTR cannot be given as a ':' line (use its "
		    "own "
		    "line type)" },
		{ ".ex.test::a\n:w.ex.test:15:\\000\n",
		    "data:2: type MX cannot be given as a ':' line (use its "
		    "own "
		    "line type)" },
		{ ".ex.test::a\n:w.ex.test:252:\n",
		    "data:2: type AXFR cannot be given as a ':' line" },
		{ ".ex.test::a\n:w.ex.test:39:\\000\n",
		    "data:2: type DNAME cannot be given as a ':' line" },
		{ ".ex.test::a\n:w.ex.test:41:\n",
		    "data:2: type OPT cannot be given as a ':' line" },
		{ ".ex.test::a\n:w.ex.test:1:\\001\\002\\003\n",
		    "data:2: bad rdata: not a valid A record" },
		{ ".ex.test::a\n:w.ex.test:1:\n",
		    "data:2: bad rdata: not a valid A record" },
		{ ".ex.test::a\n:w.ex.test:33:\\000\\001\\000\\002\\000\\003"
		  "\\300\\000\n",
		    "data:2: bad rdata: not a valid SRV record" },
		{ ".ex.test::a\n:w.ex.test:65280:\n", "" },
		{ "%abc:1.2\n",
		    "data:1: a location is one or two ASCII letters" },
		{ "%:1.2\n", "data:1: a location is one or two ASCII letters" },
		{ "%in:1.2.3.4.5\n",
		    "data:1: an IP prefix is 1 to 4 "
		    "dot-separated numbers 0..255" },
		{ "%in:1.256\n",
		    "data:1: an IP prefix is 1 to 4 dot-separated "
		    "numbers 0..255" },
		{ "%in:1.\n",
		    "data:1: an IP prefix is 1 to 4 dot-separated "
		    "numbers 0..255" },
		{ "%in:1.2:x\n",
		    "data:1: too many fields: '%' lines have at "
		    "most 2" },
		{ ".ex.test::a\n.sub.ex.test::a\n",
		    "data:2: zone sub.ex.test. is inside zone ex.test.: zones "
		    "do "
		    "not nest (delegate it with a '&' line)" },
		{ ".*.ex.test::a\n",
		    "data:1: a zone cannot be a wildcard name" },
		{ ".ex.test::a\n&*.ex.test::a\n",
		    "data:2: a wildcard name cannot be delegated" },
		{ ".ex.test::a\nCw.ex.test:x.ex.test\n+w.ex.test:192.0.2.1\n",
		    "w.ex.test.: CNAME and other data" },
		{ ".ex.test::a\n\n#\n", "" },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		is_str(error_of(c[i].text), c[i].want, "error %zu: %s", i,
		    c[i].want[0] ? c[i].want : "none");
}

/* Lines long enough to overflow a name or rdata. */
static void
test_limits(void)
{
	char *big = malloc(70000 * 4 + 64);
	size_t at;

	if (big == NULL)
		bail("malloc");
	at = (size_t)sprintf(big, ".ex.test::a\n+");
	for (int i = 0; i < 60; i++)
		at += (size_t)sprintf(big + at, "abcd.");
	strcpy(big + at, "ex.test:192.0.2.1\n");
	is_str(error_of(big),
	    "data:2: bad fqdn: the name is longer than 255 bytes",
	    "name longer than 255 bytes");
	at = (size_t)sprintf(big, ".ex.test::a\n+");
	memset(big + at, 'x', 64);
	strcpy(big + at + 64, ".ex.test:192.0.2.1\n");
	is_str(error_of(big),
	    "data:2: bad fqdn: a label is longer than 63 bytes",
	    "label longer than 63 bytes");
	at = (size_t)sprintf(big, ".");
	for (int i = 0; i < 48; i++)
		at += (size_t)sprintf(big + at, "abcd.");
	strcpy(big + at, "ex.test::a\n");
	is_str(error_of(big),
	    "data:1: hostmaster.fqdn is longer than 255 bytes",
	    "hostmaster.fqdn too long");
	at = (size_t)sprintf(big, ".ex.test::a\n'w.ex.test:");
	memset(big + at, 'x', 65100);
	strcpy(big + at + 65100, "\n");
	is_str(error_of(big),
	    "data:2: bad s: TXT data is longer than 65535 bytes",
	    "TXT longer than 65535 bytes once split");
	at = (size_t)sprintf(big, ".ex.test::a\n:w.ex.test:99:");
	for (int i = 0; i < 65536; i++)
		at += (size_t)sprintf(big + at, "\\001");
	strcpy(big + at, "\n");
	is_str(error_of(big),
	    "data:2: bad rdata: the data is longer than 65535 bytes",
	    "generic rdata longer than 65535 bytes");
	free(big);
}

/* A bad file changes nothing, and zones of other files are kept apart. */
static void
test_files(void)
{
	struct rb_zoneset set = { 0 };
	struct rb_diag d = { 0 };
	static const char a[] = ".a.test::ns\n+www.a.test:192.0.2.1\n";
	static const char b[] = ".b.test::ns\n+www.a.test:192.0.2.2\n";
	static const char c[] = ".a.test::ns2\n";
	static const char e[] = ".x.a.test::ns\n";
	static const char f[] = ".test::ns\n";
	size_t nrec, nzone;

	is_int(rb_tinydns_load(&set, a, strlen(a), "zones.a", 1, &d), 0,
	    "first file");
	nrec = set.recs.n;
	nzone = set.apexes.n;
	is_int(rb_tinydns_load(&set, b, strlen(b), "zones.b", 1, &d), 0,
	    "a record of another file's zone");
	ok(set.recs.n > nrec && set.loose.n == 1,
	    "its zone's records are staged, www.a.test waits for the build");
	nrec = set.recs.n;
	nzone = set.apexes.n;
	is_int(rb_tinydns_load(&set, c, strlen(c), "zones.c", 1, &d), -1,
	    "the same zone in two files");
	is_str(rb_diag_str(&d, err, sizeof err),
	    "zones.c:1: zone a.test. is already loaded from another file",
	    "repeat: message");
	is_int(rb_tinydns_load(&set, e, strlen(e), "zones.e", 1, &d), -1,
	    "inside another file's zone");
	is_str(rb_diag_str(&d, err, sizeof err),
	    "zones.e:1: zone x.a.test. is inside zone a.test. of another "
	    "file: zones do not nest",
	    "inside: message");
	is_int(rb_tinydns_load(&set, f, strlen(f), "zones.f", 1, &d), -1,
	    "around another file's zone");
	is_str(rb_diag_str(&d, err, sizeof err),
	    "zones.f:1: zone test. holds zone a.test. of another file: "
	    "zones do not nest",
	    "around: message");
	ok(set.recs.n == nrec && set.apexes.n == nzone,
	    "failed files changed nothing");
	rb_zone_fini(&set);
}

/* rb_zone_load dispatches by content; a '.' line's serial is the mtime. */
static void
test_dispatch(void)
{
	char path[] = "/tmp/t_tinydns.XXXXXX";
	struct rb_zoneset set = { 0 };
	struct rb_diag d = { 0 };
	struct stat st;
	const struct rb_cdbw_kv *z;
	int fd = mkstemp(path);
	FILE *fp;

	if (fd < 0 || write(fd, "# data\n.ex.test::a\n", 19) != 19)
		bail("temp file");
	close(fd);
	if ((fp = fopen(path, "r")) == NULL || stat(path, &st) < 0)
		bail("fopen");
	is_int(rb_zone_load(&set, fp, path, &d), 0, "tinydns file loads");
	fclose(fp);
	unlink(path);
	z = set.apexes.n == 1 ? &set.apexes.v[0] : NULL;
	ok(z != NULL && z->vlen == 6 + 54 &&
	        be32(z->val + 6 + 34) == (uint32_t)st.st_mtime,
	    "serial is the file's mtime");
	fp = fmemopen((void *)"$ORIGIN m.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n",
	    43, "r");
	is_int(rb_zone_load(&set, fp, "zones.m.test", &d), 0,
	    "and a master file after it");
	fclose(fp);
	fp = fmemopen((void *)"+www.ex.test:192.0.2.1:x\n", 25, "r");
	is_int(rb_zone_load(&set, fp, "zones.x", &d), -1, "bad tinydns");
	is_str(rb_diag_str(&d, err, sizeof err),
	    "zones.x:1: bad ttl: not a decimal number (0 to 2147483647)",
	    "its message");
	fclose(fp);
	fp = fmemopen((void *)"$ORIGIN ex.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n",
	    44, "r");
	is_int(rb_zone_load(&set, fp, "zones.ex.test", &d), -1,
	    "master file repeating a tinydns zone");
	is_str(rb_diag_str(&d, err, sizeof err),
	    "zones.ex.test:2: zone overlaps a zone already loaded",
	    "its message");
	fclose(fp);
	rb_zone_fini(&set);
}

int
main(void)
{
	test_sniff();
	test_dot();
	test_z();
	test_records();
	test_txt_split();
	test_order();
	test_errors();
	test_limits();
	test_files();
	test_dispatch();
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	done_testing();
	return exit_status();
}
