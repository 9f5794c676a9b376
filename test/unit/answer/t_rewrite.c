/* Unit tests for lib/answer/rewrite: upstream answers (built with ldns, as
 * libunbound sends them) made fit for clients and the cache. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "answer/rewrite.h"
#include "conf/conf.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#include "../../tap.h"

static struct rb_conf *
conf(void)
{
	static const char text[] = "server:\n"
	                           "  cache-max-ttl: 1000\n"
	                           "  cache-min-ttl: 10\n"
	                           "  private-address: 10.0.0.0/8\n"
	                           "  private-address: fd00::/8\n"
	                           "  private-domain: lan.test\n";
	struct rb_diag d;

	return rb_conf_parse("t.conf", text, sizeof text - 1, &d, NULL, NULL);
}

/* An upstream answer for name/type with the given records, plus an OPT
 * with DO as libunbound adds.  Returns the wire (free with free). */
static uint8_t *
upstream(const char *name, ldns_rr_type type, const char *const *an,
    const char *const *ns, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *w = NULL;
	ldns_rr *rr;

	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	for (; an && *an; an++) {
		if (ldns_rr_new_frm_str(&rr, *an, 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	for (; ns && *ns; ns++) {
		if (ldns_rr_new_frm_str(&rr, *ns, 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	ldns_pkt_set_edns_udp_size(p, 4096);
	ldns_pkt_set_edns_do(p, true);
	if (ldns_pkt2wire(&w, p, len) != LDNS_STATUS_OK)
		bail("ldns_pkt2wire");
	ldns_pkt_free(p);
	return w;
}

static const char *const an_sig[] = { "www.example.test. 300 IN A 192.0.2.1",
	"www.example.test. 300 IN RRSIG A 13 3 300 20300101000000 "
	"20200101000000 1 example.test. AAAA",
	NULL };
static const char *const ns_nsec[] = {
	"example.test. 5 IN NSEC zz.example.test. A RRSIG NSEC", NULL
};

static int
count_type(const uint8_t *w, size_t len, ldns_rr_type t)
{
	ldns_pkt *p = NULL;
	int n = 0;

	if (ldns_wire2pkt(&p, w, len) != LDNS_STATUS_OK)
		return -1;
	for (int s = 0; s < 3; s++) {
		ldns_rr_list *l = s == 0 ? ldns_pkt_answer(p) :
		    s == 1               ? ldns_pkt_authority(p) :
		                           ldns_pkt_additional(p);
		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
			n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t;
	}
	ldns_pkt_free(p);
	return n;
}

static struct rb_rewrite_req
req(const char *name, uint16_t type, uint8_t *wire)
{
	const char *why;
	struct rb_rewrite_req r = { wire, 0, type, 0, 0 };

	r.qname_len = (size_t)rb_dname_from_text(name, wire, &why);
	return r;
}

static void
test_dnssec(const struct rb_rewrite *rw)
{
	static uint8_t out[65535];
	uint16_t off[RB_PKTANS_MAX_TTLS];
	uint8_t name[RB_DNAME_MAX];
	struct rb_rewrite_req r = req("www.example.test", 1, name);
	struct rb_pktans a;
	size_t len;
	uint8_t *w = upstream("www.example.test.", LDNS_RR_TYPE_A, an_sig,
	    ns_nsec, &len);

	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "rewrite without DO");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_RRSIG), 0, "no RRSIG");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_NSEC), 0, "no NSEC");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_A), 1, "the A stays");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_OPT), 0, "no OPT");
	is_int(out[0] | out[1], 0, "ID 0");
	is_int(out[2], 0x80, "QR, no RD, AA, TC");
	is_int(out[3], 0x80, "RA, no AD, NOERROR");
	is_int((int)a.ttl, 300, "TTL 300");
	r.do_bit = 1;
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "rewrite with DO");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_RRSIG), 1, "RRSIG kept");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_NSEC), 1, "NSEC kept");
	is_int((int)a.ttl, 10, "TTL 5 raised to cache-min-ttl 10");
	is_int((int)a.nttl, 3, "three TTL offsets");
	free(w);

	/* An explicit RRSIG query keeps its answer without DO. */
	w = upstream("www.example.test.", LDNS_RR_TYPE_RRSIG, an_sig + 1, NULL,
	    &len);
	r = req("www.example.test", LDNS_RR_TYPE_RRSIG, name);
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "RRSIG query");
	is_int(count_type(out, a.len, LDNS_RR_TYPE_RRSIG), 1,
	    "asked-for type kept without DO");
	free(w);
}

static void
test_rules(const struct rb_rewrite *rw)
{
	static uint8_t out[65535];
	uint16_t off[RB_PKTANS_MAX_TTLS];
	uint8_t name[RB_DNAME_MAX];
	static const char *const priv[] = { "a.test. 99999 IN A 10.1.2.3",
		NULL };
	static const char *const priv6[] = { "a.test. 60 IN AAAA fd00::1",
		NULL };
	static const char *const lan[] = { "x.lan.test. 60 IN A 10.1.2.3",
		NULL };
	static const char *const cname[] = { "a.test. 60 IN CNAME h.lan.test.",
		"h.lan.test. 60 IN A 10.9.9.9", NULL };
	static const char *const pub[] = { "a.test. 99999 IN A 192.0.2.7",
		NULL };
	struct rb_rewrite_req r = req("a.test", 1, name);
	struct rb_pktans a;
	size_t len;
	uint8_t *w;

	w = upstream("a.test.", LDNS_RR_TYPE_A, priv, NULL, &len);
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a),
	    RB_REWRITE_PRIVATE, "private A for a public name");
	free(w);
	w = upstream("A.TEST.", LDNS_RR_TYPE_AAAA, priv6, NULL, &len);
	r.qtype = LDNS_RR_TYPE_AAAA;
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a),
	    RB_REWRITE_PRIVATE, "private AAAA, question in upper case");
	free(w);
	w = upstream("a.test.", LDNS_RR_TYPE_A, cname, NULL, &len);
	r.qtype = LDNS_RR_TYPE_A;
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "CNAME into a private-domain may hold a private address");
	free(w);
	w = upstream("a.test.", LDNS_RR_TYPE_A, pub, NULL, &len);
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "public address");
	is_int((int)a.ttl, 1000, "TTL capped at cache-max-ttl");
	ok(memcmp(out + 12, name, r.qname_len) == 0, "question lower-case");
	is_int(rb_rewrite(rw, &r, w, len, out, 20, off, &a), RB_REWRITE_TOOBIG,
	    "too big for the buffer");
	r = req("b.test", 1, name);
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a),
	    RB_REWRITE_MALFORMED, "another question: refused");
	is_int(rb_rewrite(rw, &r, w, 7, out, sizeof out, off, &a),
	    RB_REWRITE_MALFORMED, "truncated message");
	free(w);
	r = req("x.lan.test", 1, name);
	w = upstream("x.lan.test.", LDNS_RR_TYPE_A, lan, NULL, &len);
	is_int(rb_rewrite(rw, &r, w, len, out, sizeof out, off, &a), 0,
	    "private-domain name with a private address");
	free(w);
	ok(rb_rewrite_private_domain(rw, (const uint8_t *)"\3lan\4test", 10),
	    "lan.test. is a private-domain");
	ok(!rb_rewrite_private_domain(rw, (const uint8_t *)"\4test", 6),
	    "test. is not");
}

int
main(void)
{
	struct rb_conf *c = conf();
	struct rb_rewrite *rw = c ? rb_rewrite_new(c) : NULL;

	if (rw == NULL)
		bail("setup");
	test_dnssec(rw);
	test_rules(rw);
	rb_rewrite_free(rw);
	rb_rewrite_free(NULL);
	rb_conf_free(c);
	done_testing();
	return exit_status();
}
