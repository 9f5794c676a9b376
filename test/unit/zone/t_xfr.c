/*
 * Unit tests for the wire side of transfers: lib/answer/xfrq (transfer queries,
 * allow-transfer, the one-SOA IXFR over UDP), lib/zone/xfrmsg (the message
 * stream: split, compressed, every message read back by ldns) and
 * lib/zone/notify (the NOTIFY we send and the responses we accept).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>
#include <ldns/ldns.h>

#include "answer/xfrq.h"
#include "conf/conf.h"
#include "wire/dname.h"
#include "zone/notify.h"
#include "zone/xfrmsg.h"
#include "zone/zonedb.h"

#include "../../tap.h"

/* A query for name/type made by ldns; IXFR gets an authority SOA with
 * serial, its owner compressed against the question as dig does. */
static uint8_t *
query(const char *name, ldns_rr_type type, uint32_t serial, size_t *len)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;

	if (ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK)
		bail("make query");
	if (type == LDNS_RR_TYPE_IXFR) {
		ldns_rr *rr = NULL;
		char text[256];
		snprintf(text, sizeof text, "%s 0 IN SOA ns. h. %u 0 0 0 0",
		    name, serial);
		if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) !=
		    LDNS_STATUS_OK)
			bail("make SOA");
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	if (ldns_pkt2wire(&wire, p, len) != LDNS_STATUS_OK)
		bail("pkt2wire");
	ldns_pkt_free(p);
	return wire;
}

static void
test_parse(void)
{
	struct rb_xfrq q;
	uint8_t *w;
	size_t len;

	w = query("Ex.Test.", LDNS_RR_TYPE_AXFR, 0, &len);
	is_int(rb_xfrq_parse(&q, w, len), 0, "parse: AXFR");
	ok(rb_xfrq_is_transfer(&q), "parse: AXFR is a transfer");
	is_int(q.zlen, 9, "parse: zone length");
	ok(memcmp(q.zone, "\002ex\004test", 9) == 0, "parse: zone lower-cased");
	ok(!q.has_serial, "parse: AXFR has no serial");
	free(w);
	w = query("ex.test.", LDNS_RR_TYPE_IXFR, 4000000000u, &len);
	is_int(rb_xfrq_parse(&q, w, len), 0, "parse: IXFR");
	ok(q.has_serial && q.serial == 4000000000u, "parse: IXFR serial");
	/* Cut inside the SOA: FORMERR. */
	is_int(rb_xfrq_parse(&q, w, len - 3), -1, "parse: truncated SOA");
	w[2] |= 0x80;
	is_int(rb_xfrq_parse(&q, w, len), -1, "parse: a response is refused");
	free(w);
	w = query("ex.test.", LDNS_RR_TYPE_A, 0, &len);
	is_int(rb_xfrq_parse(&q, w, len), 0, "parse: a plain query");
	ok(!rb_xfrq_is_transfer(&q), "parse: A is no transfer");
	w[2] |= 0x20; /* opcode 4 */
	rb_xfrq_parse(&q, w, len);
	ok(!rb_xfrq_is_transfer(&q), "parse: opcode NOTIFY is no transfer");
	is_int(rb_xfrq_parse(&q, w, 11), -1, "parse: shorter than a header");
	free(w);
}

static void
test_acl(void)
{
	struct rb_diag d = { 0 };
	struct rb_conf *c;
	struct rb_acl acl;
	struct rb_ipaddr a;
	static const char text[] = "server:\n allow-transfer: 127.0.0.1\n"
	                           " allow-transfer: 2001:db8::/32\n";

	c = rb_conf_parse("t.conf", text, strlen(text), &d, NULL, NULL);
	if (c == NULL)
		bail("conf");
	rb_acl_init(&acl);
	is_int(rb_xfrq_acl(&acl, c, &d), 0, "acl: built");
	rb_ipaddr_parse("127.0.0.1", &a);
	ok(rb_xfrq_allowed(&acl, &a), "acl: 127.0.0.1 may transfer");
	rb_ipaddr_parse("127.0.0.2", &a);
	ok(!rb_xfrq_allowed(&acl, &a), "acl: 127.0.0.2 may not");
	rb_ipaddr_parse("2001:db8::5", &a);
	ok(rb_xfrq_allowed(&acl, &a), "acl: inside the IPv6 netblock");
	rb_acl_fini(&acl);
	rb_conf_free(c);
	c = rb_conf_default();
	rb_acl_init(&acl);
	rb_xfrq_acl(&acl, c, &d);
	rb_ipaddr_parse("127.0.0.1", &a);
	ok(!rb_xfrq_allowed(&acl, &a), "acl: none configured, nobody");
	rb_acl_fini(&acl);
	rb_conf_free(c);
}

/* The flush function: keeps every frame's message, parsed by ldns. */
static ldns_pkt *msgs[64];
static size_t nmsgs, bytes;

static int
keep(void *arg, const uint8_t *frame, size_t len)
{
	ldns_pkt *p = NULL;

	if (len < 2 || (size_t)(frame[0] << 8 | frame[1]) != len - 2 ||
	    nmsgs == 64 ||
	    ldns_wire2pkt(&p, frame + 2, len - 2) != LDNS_STATUS_OK)
		return -1;
	msgs[nmsgs++] = p;
	bytes += len - 2;
	return 0;
}

static void
drop_msgs(void)
{
	for (size_t i = 0; i < nmsgs; i++)
		ldns_pkt_free(msgs[i]);
	nmsgs = bytes = 0;
}

static void
test_msg(void)
{
	static struct rb_xfrmsg m;
	static const uint8_t q[] = "\002ex\004test\000\000\374\000\001";
	static const uint8_t soa_rd[] = "\002ns\002ex\004test\000\001h\002ex"
	                                "\004test\000\0\0\0\7\0\0\0\1\0\0\0\1"
	                                "\0\0\0\1\0\0\0\1";
	uint8_t owner[RB_DNAME_MAX], mx[32] = { 0, 10 };
	struct rb_zonedb_rr soa = { (const uint8_t *)"\002ex\004test", 9, 6,
		300, soa_rd, sizeof soa_rd - 1 };
	struct rb_zonedb_rr rr;
	size_t total = 0;
	char name[32];
	int fail = 0;

	rb_xfrmsg_init(&m, 0x4242, 0x0100, q, sizeof q - 1, keep, NULL);
	fail |= rb_xfrmsg_add(&m, &soa);
	memcpy(mx + 2, "\004mail\002ex\004test", 14);
	rr = (struct rb_zonedb_rr){ soa.owner, 9, 15, 60, mx, 16 };
	fail |= rb_xfrmsg_add(&m, &rr);
	for (int i = 0; i < 3000; i++) {
		static const uint8_t a[4] = { 192, 0, 2, 1 };
		snprintf(name, sizeof name, "h%d.ex.test", i);
		int n = rb_dname_from_text(name, owner, NULL);
		rr = (struct rb_zonedb_rr){ owner, (size_t)n, 1, 60, a, 4 };
		fail |= rb_xfrmsg_add(&m, &rr);
	}
	fail |= rb_xfrmsg_add(&m, &soa);
	fail |= rb_xfrmsg_finish(&m);
	is_int(fail, 0, "msg: 3003 records added");
	ok(nmsgs > 2, "msg: several messages (%zu)", nmsgs);
	for (size_t i = 0; i < nmsgs; i++)
		total += ldns_pkt_ancount(msgs[i]);
	is_int(total, 3003, "msg: every record arrived");
	is_int(m.records, 3003, "msg: counted");
	ok(ldns_pkt_id(msgs[0]) == 0x4242 && ldns_pkt_qr(msgs[0]) &&
	        ldns_pkt_aa(msgs[0]) && ldns_pkt_rd(msgs[0]),
	    "msg: ID, QR, AA, RD copied");
	ok(ldns_pkt_qdcount(msgs[0]) == 1 && ldns_pkt_qdcount(msgs[1]) == 0,
	    "msg: the question in the first message only");
	ok(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(msgs[nmsgs - 1]),
	       ldns_pkt_ancount(msgs[nmsgs - 1]) - 1)) == LDNS_RR_TYPE_SOA,
	    "msg: ends with the SOA");
	/* Uncompressed, each record would take at least 16 + 14 bytes. */
	ok(bytes < 3000 * 25, "msg: names compressed (%zu bytes)", bytes);
	{
		char *s = ldns_rr2str(
		    ldns_rr_list_rr(ldns_pkt_answer(msgs[0]), 1));
		ok(s && strstr(s, "10 mail.ex.test.") != NULL,
		    "msg: MX rdata survives compression");
		free(s);
	}
	drop_msgs();
	rb_xfrmsg_init(&m, 1, 0, q, sizeof q - 1, keep, NULL);
	is_int(rb_xfrmsg_error(&m, RB_RCODE_NOTAUTH), 0, "error: sent");
	ok(nmsgs == 1 && ldns_pkt_get_rcode(msgs[0]) == 9 &&
	        !ldns_pkt_aa(msgs[0]) && ldns_pkt_ancount(msgs[0]) == 0,
	    "error: NOTAUTH, no AA, no records");
	drop_msgs();
}

static void
test_big_rr(void)
{
	static struct rb_xfrmsg m;
	static uint8_t rd[65535];
	static const uint8_t q[] = "\002ex\004test\000\000\374\000\001";
	struct rb_zonedb_rr rr = { (const uint8_t *)"\002ex\004test", 9, 16, 1,
		rd, 65535 };

	rb_xfrmsg_init(&m, 1, 0, q, sizeof q - 1, keep, NULL);
	errno = 0;
	ok(rb_xfrmsg_add(&m, &rr) == -1 && errno == EMSGSIZE,
	    "msg: a record no message holds is EMSGSIZE");
	rr.rdlen = 60000;
	is_int(rb_xfrmsg_add(&m, &rr), 0, "msg: a 60000-byte record alone");
	rr.rdlen = 10;
	is_int(rb_xfrmsg_add(&m, &rr), 0, "msg: then the next message");
	is_int(rb_xfrmsg_finish(&m), 0, "msg: finished");
	is_int(nmsgs, 2, "msg: two messages");
	drop_msgs();
}

static void
test_notify(void)
{
	static const uint8_t soa_rd[] = "\002ns\002ex\004test\000\001h\002ex"
	                                "\004test\000\0\0\0\7\0\0\0\1\0\0\0\1"
	                                "\0\0\0\1\0\0\0\1";
	const uint8_t *apex = (const uint8_t *)"\002ex\004test";
	struct rb_zonedb_rr soa = { apex, 9, 6, 300, soa_rd,
		sizeof soa_rd - 1 };
	uint8_t buf[512];
	size_t len = rb_notify_query(buf, sizeof buf, 0x1234, &soa);
	ldns_pkt *p = NULL;

	ok(len > 0 && ldns_wire2pkt(&p, buf, len) == LDNS_STATUS_OK,
	    "notify: ldns reads it");
	ok(p && ldns_pkt_get_opcode(p) == LDNS_PACKET_NOTIFY &&
	        ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 1 &&
	        ldns_pkt_id(p) == 0x1234,
	    "notify: opcode, AA, the SOA answer");
	ldns_pkt_free(p);
	is_int(rb_notify_query(buf, 40, 1, &soa), 0, "notify: too small");
	len = rb_notify_query(buf, sizeof buf, 0x1234, &soa);
	buf[2] |= 0x80; /* as a response */
	buf[12 + 1] = 'E';
	is_int(rb_notify_response(buf, len, 0x1234, apex, 9), 0,
	    "response: matched, case aside");
	is_int(rb_notify_response(buf, len, 0x1235, apex, 9), -1,
	    "response: another ID");
	is_int(rb_notify_response(buf, len, 0x1234,
	           (const uint8_t *)"\002ez\004test", 9),
	    -1, "response: another zone");
	buf[3] |= 5;
	is_int(rb_notify_response(buf, len, 0x1234, apex, 9), 5,
	    "response: its rcode");
	is_int(rb_notify_response(buf, 14, 0x1234, apex, 9), -1,
	    "response: cut short");
	buf[2] &= 0x7f;
	is_int(rb_notify_response(buf, len, 0x1234, apex, 9), -1,
	    "response: a query is no response");
}

/* The one-SOA IXFR reply over UDP, from a zones.cdb holding ex.test. */
static void
test_udp(void)
{
	static const uint8_t soa[] = "\0\0\1\54\0\53"
	                             "\002ns\002ex\004test\000\001h\002ex"
	                             "\004test\000\0\0\0\7\0\0\0\1\0\0\0\1"
	                             "\0\0\0\1\0\0\0\1";
	char path[] = "/tmp/t_xfr.XXXXXX";
	struct rb_cdbmap_gen *g = NULL;
	struct cdb_make cm;
	struct rb_xfrq q;
	uint8_t out[512], *w;
	ldns_pkt *p = NULL;
	size_t len, rlen;
	int fd = mkstemp(path), rcode = -1;

	if (fd < 0 || cdb_make_start(&cm, fd) < 0 ||
	    cdb_make_add(&cm, "Z\002ex\004test", 10, soa, sizeof soa - 1) < 0 ||
	    cdb_make_finish(&cm) < 0 || close(fd) < 0 ||
	    (g = rb_cdbmap_gen_open(path)) == NULL)
		bail("zones fixture");
	unlink(path);
	w = query("EX.test.", LDNS_RR_TYPE_IXFR, 3, &len);
	rb_xfrq_parse(&q, w, len);
	rlen = rb_xfrq_udp_reply(&q, g, out, sizeof out, &rcode);
	ok(rlen > 0 && ldns_wire2pkt(&p, out, rlen) == LDNS_STATUS_OK,
	    "udp: ldns reads the reply");
	ok(p && rcode == 0 && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 1 &&
	        ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) ==
	            LDNS_RR_TYPE_SOA &&
	        ldns_rdf2native_int32(
	            ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 2)) ==
	            7,
	    "udp: AA, the current SOA alone (serial 7)");
	ldns_pkt_free(p);
	free(w);
	w = query("other.test.", LDNS_RR_TYPE_IXFR, 3, &len);
	rb_xfrq_parse(&q, w, len);
	rlen = rb_xfrq_udp_reply(&q, g, out, sizeof out, &rcode);
	ok(rlen >= 12 && rcode == RB_RCODE_NOTAUTH && (out[3] & 15) == 9,
	    "udp: NOTAUTH for a zone we do not have");
	rlen = rb_xfrq_udp_reply(&q, NULL, out, sizeof out, &rcode);
	ok(rlen >= 12 && rcode == RB_RCODE_NOTAUTH, "udp: no zones at all");
	free(w);
	rb_cdbmap_gen_free(g);
}

int
main(void)
{
	test_parse();
	test_acl();
	test_msg();
	test_big_rr();
	test_notify();
	test_udp();
	done_testing();
	return exit_status();
}
