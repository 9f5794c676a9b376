/*
 * Unit tests for step 7 (lib/answer/authans through rb_answer): a zone compiled
 * by lib/zone/zone into a temporary zones.cdb, queried with packets made and
 * read back by ldns, which also proves the compression pointers and counts
 * valid.  The differential test against nsd is test/integ/25-dnsd-auth.t.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "answer/answer.h"
#include "state/cdbw.h"
#include "wire/dnswire.h"
#include "zone/zone.h"

#include "../../tap.h"

static const char zone[] =
    "$ORIGIN ex.test.\n"
    "$TTL 300\n"
    "@ IN SOA ns.ex.test. h.ex.test. 1 2 3 4 60\n"
    "  IN NS ns\n"
    "ns IN A 192.0.2.1\n"
    "www IN CNAME a.b\n"
    "a.b IN A 192.0.2.2\n"
    "out IN CNAME x.other.\n"
    "*.w IN A 192.0.2.9\n"
    "sub IN NS ns.sub\n"
    "ns.sub IN A 192.0.2.3\n"
    "tosub IN CNAME x.sub\n"
    "l1 IN CNAME l2\n"
    "l2 IN CNAME l1\n"
    "big IN TXT \"" /* 3 x 200 bytes: more than 512 */
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" \"b"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" \"c"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n";

static char dir[] = "/tmp/t_zone_answer.XXXXXX";
static struct rb_cdbmap_gen *gen;

static struct rb_cdbmap_gen *
build(const char *text, const char *file)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	struct rb_err e = { 0 };
	struct rb_cdbmap_gen *g = NULL;
	char path[128];
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (fp == NULL || rb_zone_load(&zs, fp, "zones.ex.test", &d) < 0 ||
	    rb_zone_build(&zs, &out, &d) < 0 ||
	    rb_cdbw_write(&out, path, &e) < 0 ||
	    (g = rb_cdbmap_gen_open(path)) == NULL)
		bail("build zones.cdb");
	fclose(fp);
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	return g;
}

/* Ask name/type (UDP unless tcp) with zones g; the reply parsed by ldns
 * (caller frees with ldns_pkt_free), NULL on drop. */
static ldns_pkt *
ask(const struct rb_cdbmap_gen *g, const char *name, ldns_rr_type type, int tcp,
    enum rb_answer_verdict *v)
{
	struct rb_answer_ctx ctx = { .zones = g };
	struct rb_answer_query q = { .tcp = tcp };
	static uint8_t out[RB_DNS_TCP_MAX];
	struct rb_answer_buf buf = { out, sizeof out, 0 };
	struct rb_answer_info info;
	ldns_pkt *p = NULL, *r = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, 0) !=
	        LDNS_STATUS_OK ||
	    ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK)
		bail("make query");
	q.pkt = wire;
	q.len = len;
	*v = rb_answer(&ctx, &q, &buf, &info);
	if (buf.len > 0 && ldns_wire2pkt(&r, buf.p, buf.len) != LDNS_STATUS_OK)
		bail("reply does not parse");
	ldns_pkt_free(p);
	free(wire);
	return r;
}

/* "RCODE aa an/ns/ar" of a reply. */
static const char *
sum(const char *name, ldns_rr_type type, int tcp)
{
	static char s[64];
	enum rb_answer_verdict v;
	ldns_pkt *r = ask(gen, name, type, tcp, &v);

	if (r == NULL)
		return "dropped";
	snprintf(s, sizeof s, "%d%s%s %u/%u/%u%s", ldns_pkt_get_rcode(r),
	    ldns_pkt_aa(r) ? " aa" : "", ldns_pkt_tc(r) ? " tc" : "",
	    ldns_pkt_ancount(r), ldns_pkt_nscount(r), ldns_pkt_arcount(r),
	    v == RB_ANSWER_PASS ? " pass" : "");
	ldns_pkt_free(r);
	return s;
}

static void
test_answers(void)
{
	is_str(sum("ex.test.", LDNS_RR_TYPE_SOA, 0), "0 aa 1/0/0", "SOA");
	is_str(sum("ex.test.", LDNS_RR_TYPE_NS, 0), "0 aa 1/0/1",
	    "apex NS: address of the in-zone server in additional");
	is_str(sum("www.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 2/0/0",
	    "CNAME followed in the zone");
	is_str(sum("out.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 1/0/0",
	    "CNAME out of the zone: not followed");
	is_str(sum("b.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 0/1/0",
	    "empty non-terminal: NODATA");
	is_str(sum("no.ex.test.", LDNS_RR_TYPE_A, 0), "3 aa 0/1/0",
	    "NXDOMAIN with SOA");
	is_str(sum("x.y.w.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 1/0/0",
	    "wildcard");
	is_str(sum("x.w.ex.test.", LDNS_RR_TYPE_MX, 0), "0 aa 0/1/0",
	    "wildcard NODATA");
	is_str(sum("a.sub.ex.test.", LDNS_RR_TYPE_A, 0), "0 0/1/1",
	    "referral: no AA, NS in authority, glue in additional");
	is_str(sum("sub.ex.test.", LDNS_RR_TYPE_DS, 0), "0 aa 0/1/0",
	    "DS at a delegation: the parent's NODATA");
	is_str(sum("x.sub.ex.test.", LDNS_RR_TYPE_DS, 0), "0 0/1/1",
	    "DS below a delegation: referral");
	is_str(sum("tosub.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 1/1/1",
	    "CNAME into a delegation: CNAME, then the referral");
	is_str(sum("l1.ex.test.", LDNS_RR_TYPE_A, 0), "0 aa 2/0/0",
	    "CNAME loop: each RRset once");
	is_str(sum("big.ex.test.", LDNS_RR_TYPE_TXT, 0), "0 aa tc 0/0/0",
	    "too large for UDP: TC");
	is_str(sum("big.ex.test.", LDNS_RR_TYPE_TXT, 1), "0 aa 1/0/0",
	    "TCP: the whole RRset");
	is_str(sum("ex.test.", LDNS_RR_TYPE_ANY, 0), "0 aa 1/0/1",
	    "ANY: one RRset (RFC 8482), here NS with its address");
	is_str(sum("other.test.", LDNS_RR_TYPE_A, 0), "5 0/0/0 pass",
	    "outside every zone: passed on");
}

static void
test_owner(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *r = ask(gen, "q.w.ex.test.", LDNS_RR_TYPE_A, 0, &v);
	char *s = r ? ldns_rdf2str(ldns_rr_owner(
	                  ldns_rr_list_rr(ldns_pkt_answer(r), 0))) :
	              NULL;

	is_str(s, "q.w.ex.test.", "wildcard: owner is the query name");
	free(s);
	ldns_pkt_free(r);
}

static void
test_corrupt(void)
{
	struct rb_cdbw out = { 0 };
	struct rb_err e = { 0 };
	struct rb_cdbmap_gen *g = NULL, *keep = gen;
	char path[128];

	/* A zone whose SOA value is too short. */
	if (rb_cdbw_add(&out, "Z\002ex\004test\000", 10, "\0\0\0\1\0\1x", 7,
	        0) < 0 ||
	    rb_cdbw_add(&out, "E\002ex\004test\000", 10, "\0\6", 2, 0) < 0)
		bail("kvs");
	snprintf(path, sizeof path, "%s/bad.cdb", dir);
	rb_cdbw_sort(&out);
	if (rb_cdbw_write(&out, path, &e) < 0 ||
	    (g = rb_cdbmap_gen_open(path)) == NULL)
		bail("bad cdb");
	gen = g;
	is_str(sum("no.ex.test.", LDNS_RR_TYPE_A, 0), "2 0/0/0",
	    "bad SOA value: SERVFAIL");
	is_str(sum("ex.test.", LDNS_RR_TYPE_A, 0), "2 0/0/0",
	    "RRset promised by E missing: SERVFAIL");
	gen = keep;
	rb_cdbmap_gen_free(g);
	rb_cdbw_free(&out);
	unlink(path);
}

int
main(void)
{
	char path[128];

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	gen = build(zone, "zones.cdb");
	test_answers();
	test_owner();
	test_corrupt();
	rb_cdbmap_gen_free(gen);
	snprintf(path, sizeof path, "%s/zones.cdb", dir);
	unlink(path);
	rmdir(dir);
	done_testing();
	return exit_status();
}
