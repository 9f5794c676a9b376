/*
 * fz_rewrite: any bytes as an upstream answer (libunbound's answer_packet)
 * through lib/answer/rewrite, the packet cache and the replies made from it,
 * and the same bytes straight through rb_pktans_scan and emit.  The question
 * asked is taken from the input when it has one, so the rewrite gets past
 * its question check.  Traps when a reply exceeds its buffer or loses the
 * client's ID or question.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer/pktcache.h"
#include "answer/rewrite.h"
#include "conf/conf.h"
#include "wire/dname.h"
#include "wire/dnswire.h"

static struct rb_rewrite *rw;
static struct rb_pktcache *cache;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char text[] = "server:\n"
	                           "  cache-min-ttl: 5\n"
	                           "  cache-max-ttl: 3600\n"
	                           "  private-address: 10.0.0.0/8\n"
	                           "  private-address: fe80::/10\n"
	                           "  private-domain: lan\n";
	struct rb_diag d;
	struct rb_conf *c = rb_conf_parse("f.conf", text, sizeof text - 1, &d,
	    NULL, NULL);

	if (c == NULL || (rw = rb_rewrite_new(c)) == NULL ||
	    (cache = rb_pktcache_new(64, 16384, 1)) == NULL)
		abort();
	rb_conf_free(c);
	return 0;
}

/* Emit a for a client with limit; check the reply. */
static void
emit(const struct rb_pktans *a, const uint8_t *q, size_t qlen, size_t limit,
    int edns)
{
	static uint8_t out[RB_DNS_TCP_MAX];
	struct rb_pktans_client c = { 0xbeef, RB_DNS_RD | RB_DNS_AD, q, qlen,
		edns, edns, limit };
	size_t n = rb_pktans_emit(a, 7, &c, out, sizeof out);

	if (n > limit || n > sizeof out)
		__builtin_trap();
	if (n > 0 &&
	    (out[0] != 0xbe || out[1] != 0xef ||
	        memcmp(out + RB_DNS_HEADER, q, qlen) != 0))
		__builtin_trap();
}

static void
through_cache(const struct rb_pktans *a, const uint8_t *qname, size_t qlen,
    uint16_t qtype)
{
	uint8_t key[RB_PKTCACHE_KEY_MAX], q[RB_DNAME_MAX + 4];
	size_t klen = rb_pktcache_key(key, qname, qlen, qtype, 1, 0);
	struct rb_pktans got;
	uint32_t age;

	memcpy(q, qname, qlen);
	memcpy(q + qlen, a->wire + RB_DNS_HEADER + qlen, 4);
	/* Not stored (TTL 0): an older entry may still answer the key. */
	if (rb_pktcache_put(cache, key, klen, a, 100) &&
	    (!rb_pktcache_get(cache, key, klen, 100, &got, &age) ||
	        got.len != a->len || memcmp(got.wire, a->wire, a->len) != 0))
		__builtin_trap();
	emit(a, q, qlen + 4, 512, 0);
	emit(a, q, qlen + 4, 1232, 1);
	emit(a, q, qlen + 4, 65535, 1);
	emit(a, q, qlen + 4, 40, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[RB_DNS_TCP_MAX], raw[RB_DNS_TCP_MAX];
	static uint16_t off[RB_PKTANS_MAX_TTLS];
	uint8_t qname[RB_DNAME_MAX];
	struct rb_rewrite_req r = { qname, 0, 1, 0, 0 };
	struct rb_pktans a;
	int n;

	if (size < 1 || size - 1 > sizeof raw)
		return 0;
	r.do_bit = data[0] & 1;
	r.secure = (data[0] >> 1) & 1;
	data++;
	size--;
	/* The question asked: the input's own, lower-cased, when it has
	 * one; else the root. */
	n = size > RB_DNS_HEADER ?
	    rb_dname_wire_len(data + RB_DNS_HEADER, size - RB_DNS_HEADER) :
	    -1;
	if (n > 0 && size - RB_DNS_HEADER - (size_t)n >= 4) {
		memcpy(qname, data + RB_DNS_HEADER, (size_t)n);
		rb_dname_lower(qname);
		r.qname_len = (size_t)n;
		r.qtype = (uint16_t)(data[RB_DNS_HEADER + n] << 8 |
		    data[RB_DNS_HEADER + n + 1]);
	} else {
		qname[0] = 0;
		r.qname_len = 1;
	}
	if (rb_rewrite(rw, &r, data, size, out, sizeof out, off, &a) ==
	    RB_REWRITE_OK) {
		if (a.len > sizeof out ||
		    a.qend != RB_DNS_HEADER + r.qname_len + 4)
			__builtin_trap();
		through_cache(&a, qname, r.qname_len, r.qtype);
	}
	/* The scan alone, on the raw bytes. */
	memcpy(raw, data, size);
	if (rb_pktans_scan(&a, raw, size, off, RB_PKTANS_MAX_TTLS) == 0 &&
	    a.qend >= RB_DNS_HEADER + 5) {
		for (size_t i = 0; i < a.nttl; i++) {
			if (a.ttloff[i] + 4u > a.len)
				__builtin_trap();
		}
		emit(&a, raw + RB_DNS_HEADER, a.qend - RB_DNS_HEADER, 1232, 1);
		emit(&a, raw + RB_DNS_HEADER, a.qend - RB_DNS_HEADER, 100, 0);
	}
	return 0;
}
