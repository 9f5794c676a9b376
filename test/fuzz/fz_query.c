/*
 * fz_query: any bytes as a query through rb_answer (pipeline steps 1-6),
 * over UDP and TCP, against small local.cdb and block.cdb fixtures built
 * at start (every zone type, a CNAME loop, an RRset too big for UDP, a
 * corrupt value, MX and NS rdata whose names get compressed).  Traps
 * when a reply exceeds its buffer or breaks the header invariants (ID
 * kept, QR set, at most one question).
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "answer/answer.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

static struct rb_answer_ctx ctx;
static struct rb_acl acl;
static struct rb_ratelimit rl;

static void
put(struct cdb_make *cm, const void *k, size_t kl, const void *v, size_t vl)
{
	if (cdb_make_add(cm, k, (unsigned)kl, v, (unsigned)vl) < 0)
		abort();
}

/* key = prefix + name (+ type when type >= 0) */
static void
entry(struct cdb_make *cm, char prefix, const char *name, int type,
    const void *v, size_t vl)
{
	uint8_t key[1 + RB_DNAME_MAX + 2];
	const char *why;
	size_t k = prefix ? 1 : 0;
	int n = rb_dname_from_text(name, key + k, &why);

	if (n < 0)
		abort();
	key[0] = prefix ? (uint8_t)prefix : key[0];
	k += (size_t)n;
	if (type >= 0) {
		key[k++] = (uint8_t)(type >> 8);
		key[k++] = (uint8_t)type;
	}
	put(cm, key, k, v, vl);
}

static void
build_local(struct cdb_make *cm)
{
	static const char *zones[] = { "st.test", "tr.test", "rd.test",
		"rf.test", "dn.test", "tt.test", "nx.test", "ar.test",
		"at.test", "in.test", "id.test", "nv.test", "ir.test",
		"nd.test" };
	static const uint8_t codes[] = { 3, 4, 6, 2, 1, 5, 12, 13, 11, 8, 9, 14,
		7, 10 };
	static uint8_t big[8 * 262];
	const uint8_t a[] = { 0, 0, 0, 60, 0, 4, 10, 0, 0, 1 };
	const uint8_t soa[] = { 0, 0, 14, 16, 0, 22, 0, 0, 0, 0, 0, 1, 0, 0, 14,
		16, 0, 0, 4, 176, 0, 9, 58, 128, 0, 0, 1, 44 };
	const uint8_t cn1[] = { 0, 0, 0, 60, 0, 8, 1, 'b', 2, 's', 't', 0, 0,
		0 };
	const uint8_t loop[] = { 0, 0, 0, 60, 0, 11, 1, 'c', 2, 's', 't', 4,
		't', 'e', 's', 't', 0 };
	const uint8_t mx[] = { 0, 0, 0, 60, 0, 16, 0, 10, 4, 'm', 'a', 'i', 'l',
		2, 's', 't', 4, 't', 'e', 's', 't', 0 };
	const uint8_t ns[] = { 0, 0, 0, 60, 0, 15, 3, 'n', 's', '1', 2, 'm',
		'x', 2, 's', 't', 4, 't', 'e', 's', 't', 0, 0, 0, 0, 60, 0, 15,
		3, 'n', 's', '2', 2, 'm', 'x', 2, 's', 't', 4, 't', 'e', 's',
		't', 0 };
	const uint8_t loop2[] = { 0, 0, 0, 60, 0, 11, 1, 'd', 2, 's', 't', 4,
		't', 'e', 's', 't', 0 };

	for (size_t i = 0; i < sizeof codes; i++) {
		char apex[64];
		entry(cm, 'Z', zones[i], -1, &codes[i], 1);
		entry(cm, 'E', zones[i], -1, "\0\1\0\6", 4);
		entry(cm, 'D', zones[i], 1, a, sizeof a);
		entry(cm, 'D', zones[i], 6, soa, sizeof soa);
		snprintf(apex, sizeof apex, "h.%s", zones[i]);
		entry(cm, 'E', apex, -1, "\0\1", 2);
		entry(cm, 'D', apex, 1, a, sizeof a);
	}
	/* c -> d -> c, a chain, a bad target, a big TXT RRset. */
	entry(cm, 'E', "c.st.test", -1, "\0\5", 2);
	entry(cm, 'D', "c.st.test", 5, loop2, sizeof loop2);
	entry(cm, 'E', "d.st.test", -1, "\0\5", 2);
	entry(cm, 'D', "d.st.test", 5, loop, sizeof loop);
	entry(cm, 'E', "w.st.test", -1, "\0\5", 2);
	entry(cm, 'D', "w.st.test", 5, loop, sizeof loop);
	entry(cm, 'E', "x.st.test", -1, "\0\5", 2);
	entry(cm, 'D', "x.st.test", 5, cn1, sizeof cn1);
	for (size_t i = 0; i < 8; i++) {
		uint8_t *r = big + i * 262;
		memcpy(r, "\0\0\0\74\1\0\377", 7);
		memset(r + 7, 'a' + (int)i, 255);
	}
	entry(cm, 'E', "big.st.test", -1, "\0\20", 2);
	entry(cm, 'D', "big.st.test", 16, big, sizeof big);
	entry(cm, 'E', "bad.st.test", -1, "\0\1\0\6", 4);
	entry(cm, 'D', "bad.st.test", 1, "\0\0\0\1\0\11\1", 7);
	entry(cm, 'E', "ent.st.test", -1, "", 0);
	entry(cm, 'E', "mx.st.test", -1, "\0\17\0\2", 4);
	entry(cm, 'D', "mx.st.test", 15, mx, sizeof mx);
	entry(cm, 'D', "mx.st.test", 2, ns, sizeof ns);
}

static void
build_block(struct cdb_make *cm)
{
	entry(cm, 0, "ads.test", -1, "N", 1);
	entry(cm, 0, "bad.test", -1, "R", 1);
	entry(cm, 0, "ok.ads.test", -1, "A", 1);
}

static const struct rb_cdbmap_gen *
fixture(const char *name, void (*fill)(struct cdb_make *))
{
	char path[64];
	struct cdb_make cm;
	struct rb_cdbmap_gen *g;
	int fd;

	snprintf(path, sizeof path, "/tmp/fz_query.%ld.%s", (long)getpid(),
	    name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		abort();
	fill(&cm);
	if (cdb_make_finish(&cm) < 0 || close(fd) < 0)
		abort();
	g = rb_cdbmap_gen_open(path);
	unlink(path);
	if (g == NULL)
		abort();
	return g;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rb_diag d;

	ctx.local = fixture("local", build_local);
	ctx.block = fixture("block", build_block);
	rb_acl_init(&acl);
	if (rb_acl_add(&acl, "10.0.0.0/8", "deny", &d) < 0 ||
	    rb_acl_add(&acl, "10.1.0.0/16", "refuse", &d) < 0 ||
	    rb_acl_add(&acl, "10.2.0.0/16", "deny_non_local", &d) < 0 ||
	    rb_acl_add(&acl, "10.3.0.0/16", "refuse_non_local", &d) < 0 ||
	    rb_acl_add_defaults(&acl) < 0 ||
	    rb_ratelimit_init(&rl, 64, 1000, 2000) < 0)
		abort();
	ctx.acl = &acl;
	ctx.rl = &rl;
	return 0;
}

static void
check(const uint8_t *q, size_t qlen, const struct rb_answer_buf *b,
    enum rb_answer_verdict v)
{
	if (b->len > b->size)
		__builtin_trap();
	if (v == RB_ANSWER_DROP) {
		if (b->len != 0)
			__builtin_trap();
		return;
	}
	if (b->len < RB_DNS_HEADER || qlen < RB_DNS_HEADER ||
	    memcmp(b->p, q, 2) != 0 || !(b->p[2] & 0x80) || b->p[4] != 0 ||
	    b->p[5] > 1)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *clients[] = { "127.0.0.1", "10.9.0.1", "10.1.0.1",
		"10.2.0.1", "10.3.0.1", "192.0.2.1", "::1", "::ffff:10.1.0.1" };
	static uint8_t out[RB_DNS_TCP_MAX];
	static uint64_t now = 1;
	struct rb_answer_query q;
	struct rb_answer_buf b;
	struct rb_answer_info info;
	enum rb_answer_verdict v;

	if (size < 1)
		return 0;
	/* The first byte picks the client and the transport. */
	memset(&q, 0, sizeof q);
	if (rb_ipaddr_parse(clients[data[0] & 7], &q.client) < 0)
		abort();
	q.tcp = (data[0] >> 3) & 1;
	q.pkt = data + 1;
	q.len = size - 1;
	q.now_ns = now += 1000;
	b.p = out;
	b.size = (data[0] & 0x10) ? 100 + (data[0] >> 5) * 50 :
	    q.tcp                 ? sizeof out :
	                            RB_DNS_UDP_MAX;
	b.len = 0;
	v = rb_answer(&ctx, &q, &b, &info);
	check(q.pkt, q.len, &b, v);
	return 0;
}
