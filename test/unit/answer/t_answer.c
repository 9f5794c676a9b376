/*
 * Unit tests for lib/answer/answer: every pipeline step and every local-zone
 * type, on local.cdb and block.cdb fixtures written with tinycdb's
 * cdb_make in a temporary directory, and feed set files (lib/feed/set). Replies
 * are parsed back with ldns, which also proves the compression pointers valid.
 */

#include <arpa/inet.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>
#include <ldns/ldns.h>

#include "answer/answer.h"
#include "feed/set.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

#include "../../tap.h"

/* --- fixtures ------------------------------------------------------- */

struct rec {
	uint8_t name[RB_DNAME_MAX];
	int nlen;
	uint16_t type;
	uint32_t ttl;
	uint8_t rdata[2048];
	size_t rdlen;
};

static struct rec recs[128];
static size_t nrecs;
static char dir[] = "/tmp/t_answer.XXXXXX";

static int
wire(const char *text, uint8_t *w)
{
	const char *why;
	int n = rb_dname_from_text(text, w, &why);

	if (n < 0)
		bail(why);
	return n;
}

static struct rec *
add(const char *name, uint16_t type, uint32_t ttl)
{
	struct rec *r = &recs[nrecs++];

	r->nlen = wire(name, r->name);
	r->type = type;
	r->ttl = ttl;
	r->rdlen = 0;
	return r;
}

static void
add_a(const char *name, const char *ip)
{
	struct rec *r = add(name, RB_TYPE_A, 60);

	inet_pton(AF_INET, ip, r->rdata);
	r->rdlen = 4;
}

static void
add_name(const char *name, uint16_t type, const char *target)
{
	struct rec *r = add(name, type, 60);

	r->rdlen = (size_t)wire(target, r->rdata);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
add_soa(const char *zone, uint32_t ttl, uint32_t minimum)
{
	struct rec *r = add(zone, RB_TYPE_SOA, ttl);
	uint32_t f[5] = { 1, 3600, 1200, 604800, minimum };

	r->rdlen = (size_t)wire("ns.example", r->rdata);
	r->rdlen += (size_t)wire("host.example", r->rdata + r->rdlen);
	for (int i = 0; i < 5; i++, r->rdlen += 4)
		put32(r->rdata + r->rdlen, f[i]);
}

static void
add_txt(const char *name, size_t len)
{
	struct rec *r = add(name, RB_TYPE_TXT, 60);

	r->rdata[0] = (uint8_t)(len > 255 ? 255 : len);
	memset(r->rdata + 1, 'x', r->rdata[0]);
	r->rdlen = 1u + r->rdata[0];
}

static void
cdb_put(struct cdb_make *cm, const void *k, size_t kl, const void *v, size_t vl)
{
	if (cdb_make_add(cm, k, (unsigned)kl, v, (unsigned)vl) < 0)
		bail("cdb_make_add");
}

static void
zone(struct cdb_make *cm, const char *name, uint8_t code)
{
	uint8_t key[1 + RB_DNAME_MAX];

	key[0] = 'Z';
	cdb_put(cm, key, 1 + (size_t)wire(name, key + 1), &code, 1);
}

static int
same_name(const struct rec *a, const struct rec *b)
{
	return a->nlen == b->nlen && memcmp(a->name, b->name, a->nlen) == 0;
}

/* 'D' per name+type (records in insertion order) and 'E' per name. */
static void
write_records(struct cdb_make *cm)
{
	static uint8_t val[65536];

	for (size_t i = 0; i < nrecs; i++) {
		uint8_t key[1 + RB_DNAME_MAX + 2], types[64];
		size_t vl = 0, nt = 0, j;
		int first_rrset = 1, first_name = 1;

		for (j = 0; j < i; j++) {
			if (same_name(&recs[j], &recs[i]))
				first_name = 0;
			if (same_name(&recs[j], &recs[i]) &&
			    recs[j].type == recs[i].type)
				first_rrset = 0;
		}
		for (j = i; first_rrset && j < nrecs; j++) {
			const struct rec *r = &recs[j];
			if (!same_name(r, &recs[i]) || r->type != recs[i].type)
				continue;
			put32(val + vl, r->ttl);
			val[vl + 4] = (uint8_t)(r->rdlen >> 8);
			val[vl + 5] = (uint8_t)r->rdlen;
			memcpy(val + vl + 6, r->rdata, r->rdlen);
			vl += 6 + r->rdlen;
		}
		key[0] = 'D';
		memcpy(key + 1, recs[i].name, recs[i].nlen);
		key[1 + recs[i].nlen] = (uint8_t)(recs[i].type >> 8);
		key[2 + recs[i].nlen] = (uint8_t)recs[i].type;
		if (first_rrset)
			cdb_put(cm, key, 3u + recs[i].nlen, val, vl);
		/* Types ascending: the fixtures add each name's types in
		 * order. */
		for (j = 0; first_name && j < nrecs; j++) {
			if (!same_name(&recs[j], &recs[i]) ||
			    (nt > 0 && types[nt - 2] == recs[j].type >> 8 &&
			        types[nt - 1] == (uint8_t)recs[j].type))
				continue;
			types[nt++] = (uint8_t)(recs[j].type >> 8);
			types[nt++] = (uint8_t)recs[j].type;
		}
		key[0] = 'E';
		if (first_name)
			cdb_put(cm, key, 1u + recs[i].nlen, types, nt);
	}
}

static void
build_local(const char *path)
{
	struct cdb_make cm;
	uint8_t key[1 + RB_DNAME_MAX];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		bail("cdb_make_start");
	zone(&cm, "st.test", 3);
	add_soa("st.test", 3600, 300);
	add_a("a.b.st.test", "10.0.0.1");
	add_txt("a.b.st.test", 10);
	add_name("www.st.test", RB_TYPE_CNAME, "A.b.st.test");
	add_name("c1.st.test", RB_TYPE_CNAME, "c2.tr.test");
	add_name("loop1.st.test", RB_TYPE_CNAME, "loop2.st.test");
	add_name("loop2.st.test", RB_TYPE_CNAME, "loop1.st.test");
	add_name("ext.st.test", RB_TYPE_CNAME, "www.example.com");
	for (int i = 0; i < 8; i++)
		add_txt("big.st.test", 200 + (size_t)i);
	zone(&cm, "tr.test", 4);
	add_soa("tr.test", 3600, 600);
	add_a("h.tr.test", "10.0.0.3");
	add_a("c2.tr.test", "10.0.0.4");
	zone(&cm, "rd.test", 6);
	add_a("rd.test", "10.0.0.5");
	zone(&cm, "rf.test", 2);
	add_a("ok.rf.test", "10.0.0.6");
	zone(&cm, "dn.test", 1);
	add_a("ok.dn.test", "10.0.0.7");
	zone(&cm, "tt.test", 5);
	add_a("h.tt.test", "10.0.0.8");
	zone(&cm, "nx.test", 12);
	add_a("h.nx.test", "10.0.0.9");
	zone(&cm, "ar.test", 13);
	zone(&cm, "at.test", 11);
	add_a("h.at.test", "10.0.0.10");
	zone(&cm, "in.test", 8);
	add_a("h.in.test", "10.0.0.11");
	zone(&cm, "ns.test", 3); /* static, no SOA */
	zone(&cm, "blocked.test", 3);
	add_a("blocked.test", "10.0.0.12");
	zone(&cm, "bad.test", 3);
	write_records(&cm);
	/* An empty non-terminal and a corrupt RRset. */
	key[0] = 'E';
	cdb_put(&cm, key, 1 + (size_t)wire("b.st.test", key + 1), "", 0);
	key[0] = 'E';
	cdb_put(&cm, key, 1 + (size_t)wire("x.bad.test", key + 1), "\0\1", 2);
	{
		uint8_t k[1 + RB_DNAME_MAX + 2];
		int n = wire("x.bad.test", k + 1);
		k[0] = 'D';
		k[1 + n] = 0;
		k[2 + n] = 1;
		cdb_put(&cm, k, 3u + (size_t)n, "\0\0\0\1\0\11\1\2", 8);
	}
	if (cdb_make_finish(&cm) < 0 || close(fd) < 0)
		bail("cdb_make_finish");
}

static void
build_block(const char *path)
{
	static const struct {
		const char *name, *action;
	} b[] = { { "ads.example", "N" }, { "ok.ads.example", "A" },
		{ "bad.example", "R" }, { "blocked.test", "N" } };
	struct cdb_make cm;
	uint8_t w[RB_DNAME_MAX];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		bail("cdb_make_start");
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		cdb_put(&cm, w, (size_t)wire(b[i].name, w), b[i].action, 1);
	if (cdb_make_finish(&cm) < 0 || close(fd) < 0)
		bail("cdb_make_finish");
}

/* --- queries -------------------------------------------------------- */

struct q {
	uint16_t flags; /* default RD */
	int edns;       /* 0: none, else the UDP size */
	int version;    /* EDNS version */
	int two_opts;
	int tcp;
	const char *client; /* default 127.0.0.1 */
	size_t bufsize;     /* default the transport's maximum */
};

static struct rb_answer_ctx ctx;
static uint8_t reply[RB_DNS_TCP_MAX];
static size_t reply_len;
static struct rb_answer_info info;
static uint64_t clock_ns = 1000;

/* Presentation to wire form, keeping case. */
static size_t
qname(const char *text, uint8_t *out)
{
	size_t o = 0;

	while (*text != '\0') {
		const char *dot = strchr(text, '.');
		size_t l = dot ? (size_t)(dot - text) : strlen(text);
		out[o++] = (uint8_t)l;
		memcpy(out + o, text, l);
		o += l;
		text += l + (dot ? 1 : 0);
	}
	out[o++] = 0;
	return o;
}

static size_t
opt(uint8_t *p, int size, int version)
{
	memcpy(p, "\0\0\51", 3);
	p[3] = (uint8_t)(size >> 8);
	p[4] = (uint8_t)size;
	p[5] = 0;
	p[6] = (uint8_t)version;
	memset(p + 7, 0, 4);
	return 11;
}

static size_t
mkquery(uint8_t *p, const char *name, uint16_t type, const struct q *o)
{
	size_t n = 12;

	memset(p, 0, 12);
	p[0] = 0x12;
	p[1] = 0x34;
	p[2] = (uint8_t)((o->flags ? o->flags : RB_DNS_RD) >> 8);
	p[3] = (uint8_t)(o->flags ? o->flags : RB_DNS_RD);
	p[5] = 1;
	n += qname(name, p + n);
	p[n++] = (uint8_t)(type >> 8);
	p[n++] = (uint8_t)type;
	p[n++] = 0;
	p[n++] = 1;
	if (o->edns) {
		p[11] = o->two_opts ? 2 : 1;
		n += opt(p + n, o->edns, o->version);
		if (o->two_opts)
			n += opt(p + n, o->edns, o->version);
	}
	return n;
}

static enum rb_answer_verdict
run(const uint8_t *pkt, size_t len, const struct q *o)
{
	struct rb_answer_query aq = { pkt, len, { { 0 } }, o->tcp, clock_ns };
	struct rb_answer_buf buf = { reply, o->bufsize, 0 };
	enum rb_answer_verdict v;

	if (buf.size == 0)
		buf.size = o->tcp ? RB_DNS_TCP_MAX : RB_DNS_UDP_MAX;
	if (rb_ipaddr_parse(o->client ? o->client : "127.0.0.1", &aq.client) <
	    0)
		bail("client address");
	v = rb_answer(&ctx, &aq, &buf, &info);
	reply_len = buf.len;
	if (buf.len > buf.size)
		bail("reply longer than its buffer");
	return v;
}

static ldns_pkt *
ask_opt(const char *name, uint16_t type, const struct q *o,
    enum rb_answer_verdict *v)
{
	uint8_t pkt[600];
	ldns_pkt *p = NULL;

	*v = run(pkt, mkquery(pkt, name, type, o), o);
	if (*v != RB_ANSWER_DROP &&
	    ldns_wire2pkt(&p, reply, reply_len) != LDNS_STATUS_OK)
		return NULL;
	return p;
}

static ldns_pkt *
ask(const char *name, uint16_t type, enum rb_answer_verdict *v)
{
	struct q o = { 0 };

	return ask_opt(name, type, &o, v);
}

/* "rcode an ns ar [aa] [tc] [opt]" of a reply: "NXDOMAIN 0 1 0 aa". */
static const char *
summary(const ldns_pkt *p)
{
	static char s[128];
	char *rc;

	if (p == NULL)
		return "unparsable";
	rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(p));
	/* ldns takes the OPT out of the additional count. */
	snprintf(s, sizeof s, "%s %u %u %u%s%s%s", rc ? rc : "?",
	    ldns_pkt_ancount(p), ldns_pkt_nscount(p), ldns_pkt_arcount(p),
	    ldns_pkt_aa(p) ? " aa" : "", ldns_pkt_tc(p) ? " tc" : "",
	    ldns_pkt_edns(p) ? " opt" : "");
	free(rc);
	return s;
}

/* Answer record i as text without the trailing newline. */
static const char *
rr(const ldns_pkt *p, ldns_rr_list *(*sect)(const ldns_pkt *), size_t i)
{
	static char s[1024];
	ldns_rr_list *l = p ? sect(p) : NULL;
	char *t;

	if (l == NULL || i >= ldns_rr_list_rr_count(l))
		return "(none)";
	t = ldns_rr2str(ldns_rr_list_rr(l, i));
	snprintf(s, sizeof s, "%s", t ? t : "?");
	free(t);
	s[strcspn(s, "\n")] = '\0';
	for (char *c = s; *c; c++)
		if (*c == '\t')
			*c = ' ';
	return s;
}

#define ANS(p, i) rr(p, ldns_pkt_answer, i)
#define AUTH(p, i) rr(p, ldns_pkt_authority, i)

/* --- tests ---------------------------------------------------------- */

static void
test_health(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p = ask("runbound.health", RB_TYPE_A, &v);

	is_str(summary(p), "NOERROR 1 0 0 aa", "health: A answered");
	is_str(ANS(p, 0), "runbound.health. 0 IN A 127.0.0.1",
	    "health: 127.0.0.1 TTL 0");
	is_int(info.step, RB_STEP_HEALTH, "health: step 4");
	ldns_pkt_free(p);
	p = ask("RunBound.Health", RB_TYPE_AAAA, &v);
	is_str(summary(p), "NOERROR 0 0 0 aa", "health: AAAA is NODATA");
	ldns_pkt_free(p);
}

static void
test_static(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p = ask("a.b.st.test", RB_TYPE_A, &v);

	is_int(v, RB_ANSWER_SEND, "static: sent");
	is_str(summary(p), "NOERROR 1 0 0 aa", "static: data answered, AA");
	is_str(ANS(p, 0), "a.b.st.test. 60 IN A 10.0.0.1", "static: A");
	ok(p && ldns_pkt_rd(p) && ldns_pkt_ra(p), "RD copied, RA set");
	is_int(reply[12 + 17], 0xc0, "owner is a compression pointer");
	is_int(reply[12 + 18], 12, "pointing at the question");
	ldns_pkt_free(p);

	p = ask("b.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 0 1 0 aa", "static: empty non-terminal");
	ldns_pkt_free(p);
	p = ask("zz.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 1 0 aa", "static: NXDOMAIN with SOA");
	is_str(AUTH(p, 0),
	    "st.test. 300 IN SOA ns.example. host.example. 1 3600 1200 "
	    "604800 300",
	    "static: SOA TTL is min(TTL, minimum)");
	ldns_pkt_free(p);
	p = ask("a.b.st.test", RB_TYPE_AAAA, &v);
	is_str(summary(p), "NOERROR 0 1 0 aa", "static: NODATA with SOA");
	ldns_pkt_free(p);
	p = ask("zz.ns.test", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 0 0 aa", "static without SOA");
	ldns_pkt_free(p);
	p = ask("st.test", RB_TYPE_SOA, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "static: SOA at the apex");
	ldns_pkt_free(p);
}

static void
test_cname(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p = ask("www.st.test", RB_TYPE_A, &v);

	is_str(summary(p), "NOERROR 2 0 0 aa", "cname: chain and target");
	is_str(ANS(p, 0), "www.st.test. 60 IN CNAME a.b.st.test.",
	    "cname: CNAME first");
	is_str(ANS(p, 1), "a.b.st.test. 60 IN A 10.0.0.1",
	    "cname: then the target's A (owner points into the rdata)");
	ldns_pkt_free(p);
	p = ask("c1.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 2 0 0 aa", "cname: across zones");
	is_str(ANS(p, 1), "c2.tr.test. 60 IN A 10.0.0.4", "cname: tr.test A");
	ldns_pkt_free(p);
	p = ask("www.st.test", RB_TYPE_CNAME, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "cname: CNAME query not chased");
	ldns_pkt_free(p);
	p = ask("loop1.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 9 0 0 aa", "cname: loop stops at 8 hops");
	ldns_pkt_free(p);
	p = ask("ext.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa",
	    "cname: target outside local "
	    "data ends the chain");
	ldns_pkt_free(p);
}

static void
test_zone_types(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p;

	p = ask("h.tr.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "transparent: data");
	ldns_pkt_free(p);
	p = ask("h.tr.test", RB_TYPE_AAAA, &v);
	is_str(summary(p), "NOERROR 0 1 0 aa", "transparent: NODATA + SOA");
	is_str(AUTH(p, 0),
	    "tr.test. 600 IN SOA ns.example. host.example. 1 3600 1200 "
	    "604800 600",
	    "transparent: SOA TTL");
	ldns_pkt_free(p);
	p = ask("zz.tr.test", RB_TYPE_A, &v);
	is_int(v, RB_ANSWER_PASS, "transparent: other names pass on");
	is_str(summary(p), "REFUSED 0 0 0", "transparent: REFUSED for now");
	is_int(info.step, RB_STEP_NONE, "transparent: no step answered");
	ldns_pkt_free(p);

	p = ask("x.y.rd.test", RB_TYPE_A, &v);
	is_str(ANS(p, 0), "x.y.rd.test. 60 IN A 10.0.0.5",
	    "redirect: apex data under the query name");
	ldns_pkt_free(p);
	p = ask("x.rd.test", RB_TYPE_AAAA, &v);
	is_str(summary(p), "NOERROR 0 0 0 aa", "redirect: NODATA");
	ldns_pkt_free(p);

	p = ask("zz.rf.test", RB_TYPE_A, &v);
	is_str(summary(p), "REFUSED 0 0 0 aa", "refuse: REFUSED");
	ldns_pkt_free(p);
	p = ask("ok.rf.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "refuse: local data answers");
	ldns_pkt_free(p);

	p = ask("zz.dn.test", RB_TYPE_A, &v);
	is_int(v, RB_ANSWER_DROP, "deny: dropped");
	is_int(info.rcode, -1, "deny: no rcode");
	p = ask("ok.dn.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "deny: local data answers");
	ldns_pkt_free(p);

	p = ask("h.tt.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "typetransparent: data");
	ldns_pkt_free(p);
	p = ask("h.tt.test", RB_TYPE_AAAA, &v);
	is_int(v, RB_ANSWER_PASS, "typetransparent: other types pass on");
	ldns_pkt_free(p);

	p = ask("h.nx.test", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 0 0 aa", "always_nxdomain ignores data");
	ldns_pkt_free(p);
	p = ask("x.ar.test", RB_TYPE_A, &v);
	is_str(summary(p), "REFUSED 0 0 0 aa", "always_refuse");
	ldns_pkt_free(p);
	p = ask("h.at.test", RB_TYPE_A, &v);
	is_int(v, RB_ANSWER_PASS, "always_transparent ignores data");
	ldns_pkt_free(p);

	p = ask("h.in.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "inform: answered");
	ok(info.inform && info.zone_off == 2, "inform: flagged with its zone");
	ldns_pkt_free(p);
}

static void
test_block(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p;

	p = ask("ads.example", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 0 0 aa", "block: N is NXDOMAIN");
	is_int(info.step, RB_STEP_BLOCK, "block: step 5");
	ldns_pkt_free(p);
	p = ask("x.y.ADS.example", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 0 0 aa", "block: covers subdomains");
	ldns_pkt_free(p);
	p = ask("www.ok.ads.example", RB_TYPE_A, &v);
	is_int(v, RB_ANSWER_PASS, "block: A anywhere wins");
	ldns_pkt_free(p);
	p = ask("bad.example", RB_TYPE_A, &v);
	is_str(summary(p), "REFUSED 0 0 0 aa", "block: R is REFUSED");
	ldns_pkt_free(p);
	p = ask("blocked.test", RB_TYPE_A, &v);
	is_str(summary(p), "NXDOMAIN 0 0 0 aa", "block: before local data");
	ldns_pkt_free(p);
}

/* A feed set file at path: names (NULL-terminated) with action. */
static void
build_feed(const char *path, const char *const *names, char action)
{
	struct rb_feed_set s;
	struct rb_err e = { 0 };
	uint8_t w[RB_DNAME_MAX];

	rb_feed_set_init(&s, 100);
	for (; *names != NULL; names++) {
		int n = wire(*names, w);

		rb_dname_lower(w);
		if (rb_feed_set_add(&s, w, (size_t)n) < 0)
			bail("rb_feed_set_add");
	}
	if (rb_feed_set_write(&s, path, action, &e) < 0)
		bail(e.details);
	rb_feed_set_fini(&s);
}

static int
set_ok(const uint8_t *mem, size_t size)
{
	const char *why;

	return rb_nameset_check(mem, size, &why);
}

static const char *
feed_status(const char *name, enum rb_answer_verdict *v)
{
	static char s[64];
	ldns_pkt *p = ask(name, RB_TYPE_A, v);

	snprintf(s, sizeof s, "%s", *v == RB_ANSWER_PASS ? "PASS" : summary(p));
	ldns_pkt_free(p);
	return s;
}

static void
test_feeds(void)
{
	static const char *const f0[] = { "tracker.example", "ads.example",
		"ok.ads.example", "x.example", NULL };
	static const char *const f1[] = { "tracker.example", "Deep.X.example",
		NULL };
	struct rb_cdbmap *m[3];
	const struct rb_cdbmap_gen *g[3];
	enum rb_answer_verdict v;
	char path[3][64];

	for (int i = 0; i < 3; i++)
		snprintf(path[i], sizeof path[i], "%s/f%d.set", dir, i);
	build_feed(path[0], f0, 'R');
	build_feed(path[1], f1, 'N');
	for (int i = 0; i < 3; i++) {
		/* f2.set does not exist: empty data */
		if ((m[i] = rb_cdbmap_new_checked(path[i], set_ok)) == NULL)
			bail("rb_cdbmap_new_checked");
		g[i] = rb_cdbmap_acquire(m[i]);
	}
	ctx.feeds = g;
	ctx.nfeeds = 3;
	is_str(feed_status("tracker.example", &v), "REFUSED 0 0 0 aa",
	    "feeds: the first feed listing a name decides");
	is_int(info.step, RB_STEP_BLOCK, "feeds: step 5");
	is_str(feed_status("a.b.Tracker.example", &v), "REFUSED 0 0 0 aa",
	    "feeds: an entry covers the names below it, in any case");
	is_str(feed_status("www.ok.ads.example", &v), "PASS",
	    "feeds: the allowlist wins over a feed listing the name");
	is_str(feed_status("ads.example", &v), "NXDOMAIN 0 0 0 aa",
	    "feeds: block.cdb before the feeds at one level");
	is_str(feed_status("a.deep.x.example", &v), "NXDOMAIN 0 0 0 aa",
	    "feeds: the most specific listing decides");
	is_str(feed_status("y.example", &v), "PASS", "feeds: unlisted name");
	is_str(feed_status("example", &v), "PASS",
	    "feeds: a parent of a listed name is not listed");
	ctx.feeds = NULL;
	ctx.nfeeds = 0;
	for (int i = 0; i < 3; i++) {
		rb_cdbmap_release(m[i], (struct rb_cdbmap_gen *)g[i]);
		rb_cdbmap_free(m[i]);
		unlink(path[i]);
	}
}

static void
test_any(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p = ask("a.b.st.test", RB_TYPE_ANY, &v);

	is_str(summary(p), "NOERROR 1 0 0 aa", "ANY: one RRset (RFC 8482)");
	is_str(ANS(p, 0), "a.b.st.test. 60 IN A 10.0.0.1", "ANY: the first");
	ldns_pkt_free(p);
	p = ask("www.st.test", RB_TYPE_ANY, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "ANY: CNAME not chased");
	ldns_pkt_free(p);
}

static void
test_edns(void)
{
	struct q o = { .edns = 4096 };
	enum rb_answer_verdict v;
	ldns_pkt *p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);

	is_str(summary(p), "NOERROR 1 0 0 aa opt", "edns: OPT echoed");
	is_int(p ? ldns_pkt_edns_udp_size(p) : 0, 1232, "edns: we offer 1232");
	ldns_pkt_free(p);
	o.version = 1;
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_int(p ? ldns_pkt_edns_extended_rcode(p) : 0, 1,
	    "edns: version 1 gets BADVERS (extended rcode 1)");
	is_int(p ? ldns_pkt_ancount(p) : 9, 0, "edns: BADVERS has no answer");
	ldns_pkt_free(p);
	o.version = 0;
	o.two_opts = 1;
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "FORMERR 0 0 0", "edns: two OPTs are FORMERR");
	ldns_pkt_free(p);
}

static void
test_truncation(void)
{
	struct q o = { 0 };
	enum rb_answer_verdict v;
	ldns_pkt *p = ask_opt("big.st.test", RB_TYPE_TXT, &o, &v);

	is_str(summary(p), "NOERROR 0 0 0 aa tc", "tc: 1.6 KB over 512 UDP");
	ok(reply_len <= 512, "tc: reply within 512 bytes");
	ldns_pkt_free(p);
	o.edns = 4096;
	p = ask_opt("big.st.test", RB_TYPE_TXT, &o, &v);
	is_str(summary(p), "NOERROR 0 0 0 aa tc opt",
	    "tc: over 1232 with EDNS");
	ldns_pkt_free(p);
	o.edns = 0;
	o.tcp = 1;
	p = ask_opt("big.st.test", RB_TYPE_TXT, &o, &v);
	is_str(summary(p), "NOERROR 8 0 0 aa", "tc: whole over TCP");
	ldns_pkt_free(p);
	o.tcp = 0;
	o.bufsize = 40;
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "NOERROR 0 0 0 aa tc", "tc: small buffer");
	ok(reply_len <= 40, "tc: never past the buffer");
	ldns_pkt_free(p);
	o.bufsize = 11;
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_int(v, RB_ANSWER_DROP, "a buffer smaller than a header drops");
}

static void
test_wire(void)
{
	uint8_t pkt[600];
	struct q o = { 0 };
	size_t n = mkquery(pkt, "NaS.HoMe.st.test", RB_TYPE_A, &o);
	enum rb_answer_verdict v = run(pkt, n, &o);

	ok(v == RB_ANSWER_SEND && memcmp(reply + 12, pkt + 12, n - 12) == 0,
	    "question echoed as sent");
	pkt[2] |= 0x80;
	is_int(run(pkt, n, &o), RB_ANSWER_DROP, "QR set: dropped");
	pkt[2] = (uint8_t)((pkt[2] & 0x07) | (2 << 3));
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_NOTIMP, "opcode STATUS: NOTIMP");
	is_int(reply[2] >> 3 & 0xf, 2, "NOTIMP keeps the opcode");
	mkquery(pkt, "a.b.st.test", RB_TYPE_A, &o);
	pkt[5] = 2;
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "QDCOUNT 2: FORMERR");
	is_int(reply_len, 12, "FORMERR: header only");
	n = mkquery(pkt, "a.b.st.test", RB_TYPE_A, &o);
	is_int(run(pkt, 5, &o), RB_ANSWER_DROP, "5 bytes: dropped");
	run(pkt, n - 3, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "cut question: FORMERR");
	run(pkt, 20, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "cut name: FORMERR");
	pkt[n - 1] = 3; /* class CHAOS */
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_REFUSED, "class CH: REFUSED");
	n = mkquery(pkt, "a.b.st.test", RB_TYPE_AXFR, &o);
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_REFUSED, "AXFR: REFUSED");
	n = mkquery(pkt, "a.b.st.test", RB_TYPE_A, &o);
	pkt[12] = 0xc0; /* compressed question name */
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "compressed qname: FORMERR");
	n = mkquery(pkt, "a.b.st.test", RB_TYPE_A, &o);
	pkt[11] = 1; /* ARCOUNT 1 without a record */
	run(pkt, n, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "missing record: FORMERR");
	/* An IXFR with its SOA in authority (RFC 1995): REFUSED as other
	 * transfers, not FORMERR; authority in another query: FORMERR. */
	n = mkquery(pkt, "a.b.st.test", RB_TYPE_IXFR, &o);
	memcpy(pkt + n,
	    "\300\014\0\6\0\1\0\0\0\0\0\026\0\0"
	    "\0\0\0\5\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    34);
	pkt[9] = 1; /* NSCOUNT */
	run(pkt, n + 34, &o);
	is_int(reply[3] & 0xf, RB_RCODE_REFUSED, "IXFR with its SOA: REFUSED");
	pkt[n - 3] = RB_TYPE_A;
	run(pkt, n + 34, &o);
	is_int(reply[3] & 0xf, RB_RCODE_FORMERR, "A with authority: FORMERR");
}

static void
test_acl(void)
{
	struct rb_acl acl;
	struct q o = { 0 };
	enum rb_answer_verdict v;
	ldns_pkt *p;

	rb_acl_init(&acl);
	if (rb_acl_add(&acl, "10.0.0.0/8", "deny", NULL) < 0 ||
	    rb_acl_add(&acl, "10.1.0.0/16", "refuse", NULL) < 0 ||
	    rb_acl_add(&acl, "10.2.0.0/16", "deny_non_local", NULL) < 0 ||
	    rb_acl_add_defaults(&acl) < 0)
		bail("acl");
	ctx.acl = &acl;
	o.client = "10.9.9.9";
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_int(v, RB_ANSWER_DROP, "acl: deny drops");
	o.client = "::ffff:10.1.2.3";
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "REFUSED 0 0 0", "acl: refuse, mapped address");
	is_int(info.step, RB_STEP_ACL, "acl: step 2");
	ldns_pkt_free(p);
	o.client = "10.2.0.1";
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "acl: deny_non_local, local");
	ldns_pkt_free(p);
	p = ask_opt("zz.tr.test", RB_TYPE_A, &o, &v);
	is_int(v, RB_ANSWER_DROP, "acl: deny_non_local, not local");
	o.client = "192.0.2.1";
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "REFUSED 0 0 0", "acl: default refuse");
	ldns_pkt_free(p);
	o.client = "::1";
	p = ask_opt("a.b.st.test", RB_TYPE_A, &o, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "acl: ::1 allowed by default");
	ldns_pkt_free(p);
	ctx.acl = NULL;
	rb_acl_fini(&acl);
}

static void
test_ratelimit(void)
{
	struct rb_ratelimit rl;
	enum rb_answer_verdict v;
	ldns_pkt *p;
	int refused = 0;

	if (rb_ratelimit_init(&rl, 64, 1, 2) < 0)
		bail("ratelimit");
	ctx.rl = &rl;
	for (int i = 0; i < 3; i++) {
		p = ask("a.b.st.test", RB_TYPE_A, &v);
		refused += p && ldns_pkt_get_rcode(p) == LDNS_RCODE_REFUSED;
		ldns_pkt_free(p);
	}
	is_int(refused, 1, "ratelimit: burst 2, the third refused");
	is_int(info.step, RB_STEP_RATELIMIT, "ratelimit: step 3");
	clock_ns += 1000000000;
	p = ask("a.b.st.test", RB_TYPE_A, &v);
	is_str(summary(p), "NOERROR 1 0 0 aa", "ratelimit: a second later");
	ldns_pkt_free(p);
	ctx.rl = NULL;
	rb_ratelimit_fini(&rl);
}

static void
test_corrupt(void)
{
	enum rb_answer_verdict v;
	ldns_pkt *p = ask("x.bad.test", RB_TYPE_A, &v);

	is_str(summary(p), "SERVFAIL 0 0 0", "corrupt RRset: SERVFAIL");
	ldns_pkt_free(p);
}

int
main(void)
{
	char path[64];

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(path, sizeof path, "%s/local.cdb", dir);
	build_local(path);
	ctx.local = rb_cdbmap_gen_open(path);
	unlink(path);
	snprintf(path, sizeof path, "%s/block.cdb", dir);
	build_block(path);
	ctx.block = rb_cdbmap_gen_open(path);
	unlink(path);
	if (ctx.local == NULL || ctx.block == NULL)
		bail("rb_cdbmap_gen_open");
	test_feeds();
	rmdir(dir);

	test_health();
	test_static();
	test_cname();
	test_zone_types();
	test_block();
	test_any();
	test_edns();
	test_truncation();
	test_wire();
	test_acl();
	test_ratelimit();
	test_corrupt();

	rb_cdbmap_gen_free((struct rb_cdbmap_gen *)ctx.local);
	rb_cdbmap_gen_free((struct rb_cdbmap_gen *)ctx.block);
	done_testing();
	return exit_status();
}
