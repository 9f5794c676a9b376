/* Unit tests for lib/answer/pktans and lib/answer/pktcache: scanning a stored
 * answer, replies made from it for different clients, and the FIFO cache. */

#include <stdint.h>
#include <string.h>

#include "answer/pktcache.h"
#include "wire/dnswire.h"

#include "../../tap.h"

/* "a.b. A": an answer A 192.0.2.1 TTL 300 (owner a pointer to the
 * question), an additional A TTL 100, and an OPT that the scan removes. */
static const uint8_t msg[] = { 0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 2, 1, 'a',
	1, 'b', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0,
	2, 1, 1, 'x', 0, 0, 1, 0, 1, 0, 0, 0, 100, 0, 4, 192, 0, 2, 2, 0, 0, 41,
	4, 0, 0, 0, 0x80, 0, 0, 0 };

static const uint8_t question[] = { 1, 'A', 1, 'B', 0, 0, 1, 0, 1 };

static void
client(struct rb_pktans_client *c, size_t limit, int edns)
{
	memset(c, 0, sizeof *c);
	c->id = 0x1234;
	c->flags = RB_DNS_RD | RB_DNS_AD;
	c->question = question;
	c->qlen = sizeof question;
	c->edns = edns;
	c->limit = limit;
}

static uint32_t
ttl_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

static void
test_scan_emit(void)
{
	uint8_t w[sizeof msg], out[1500];
	uint16_t off[8];
	struct rb_pktans a, a2;
	struct rb_pktans_client c;
	size_t n;

	memcpy(w, msg, sizeof msg);
	is_int(rb_pktans_scan(&a, w, sizeof w, off, 8), 0, "scan");
	is_int((int)a.len, (int)sizeof msg - 11, "OPT cut off");
	is_int(a.arcount, 1, "ARCOUNT without the OPT");
	is_int((int)a.nttl, 2, "two TTLs");
	is_int((int)a.ttl, 100, "smallest TTL");
	is_int((int)a.qend, 21, "question end");
	is_int((int)a.addl_off, 37, "additional section start");

	client(&c, 512, 1);
	a.secure = 1;
	n = rb_pktans_emit(&a, 30, &c, out, sizeof out);
	is_int((int)n, (int)a.len + 11, "whole reply plus OPT");
	ok(out[0] == 0x12 && out[1] == 0x34, "client's ID");
	ok(memcmp(out + 12, question, sizeof question) == 0,
	    "client's question case");
	is_int(out[2], 0x81, "QR RD");
	is_int(out[3], 0xa0, "RA AD (secure, client set AD)");
	is_int((int)ttl_at(out + 27), 270, "TTL aged by 30 s");
	is_int((int)ttl_at(out + 44), 70, "second TTL aged");
	is_int(out[11], 2, "ARCOUNT with our OPT");

	client(&c, 50, 1);
	c.flags = 0;
	n = rb_pktans_emit(&a, 0, &c, out, sizeof out);
	is_int((int)n, 37 + 11, "additional dropped when it does not fit");
	is_int(out[2] & 0x02, 0, "... without TC");
	is_int(out[3], 0x80, "no AD when the client asked for none");

	client(&c, 35, 1);
	n = rb_pktans_emit(&a, 0, &c, out, sizeof out);
	is_int((int)n, 21 + 11, "too big: header, question, OPT");
	is_int(out[2] & 0x02, 0x02, "... with TC");
	is_int(out[7], 0, "... and no answer");

	client(&c, 10, 0);
	is_int((int)rb_pktans_emit(&a, 0, &c, out, sizeof out), 0,
	    "not even a header fits: 0");
	client(&c, 512, 0);
	c.qlen = 4;
	is_int((int)rb_pktans_emit(&a, 0, &c, out, sizeof out), 0,
	    "question of another length: 0");
	client(&c, 512, 0);
	n = rb_pktans_error(&c, 2, out, sizeof out);
	is_int((int)n, 21, "SERVFAIL: header and question");
	is_int(out[3] & 0xf, 2, "rcode 2");

	memcpy(w, msg, sizeof msg);
	w[11] = 3; /* a record more than the message holds */
	is_int(rb_pktans_scan(&a2, w, sizeof w, off, 8), -1, "short: -1");
	memcpy(w, msg, sizeof msg);
	is_int(rb_pktans_scan(&a2, w, sizeof w, off, 1), -1, "too many TTLs");
	memcpy(w, msg, sizeof msg);
	w[7] = 0;
	w[11] = 3; /* the OPT is not last now: */
	is_int(rb_pktans_scan(&a2, w, sizeof w - 11, off, 8), -1,
	    "a record after the OPT: -1");
}

static void
test_cache(void)
{
	struct rb_pktcache *c = rb_pktcache_new(4, 4096, 42);
	uint8_t w[sizeof msg], key[RB_PKTCACHE_KEY_MAX], key2[sizeof key];
	uint16_t off[8];
	struct rb_pktans a, got;
	uint32_t age;
	size_t klen, k2;
	int n = 0;

	ok(c != NULL, "new");
	memcpy(w, msg, sizeof msg);
	rb_pktans_scan(&a, w, sizeof w, off, 8);
	klen = rb_pktcache_key(key, question, 5, 1, 1, 0);
	is_int((int)klen, 10, "key length");
	is_int(key[1], 'a', "key lower-cased");
	is_int(rb_pktcache_get(c, key, klen, 1000, &got, &age), 0, "miss");
	is_int(rb_pktcache_put(c, key, klen, &a, 1000), 1, "put");
	is_int((int)rb_pktcache_count(c), 1, "one entry");
	is_int(rb_pktcache_get(c, key, klen, 1040, &got, &age), 1, "hit");
	is_int((int)age, 40, "age");
	is_int((int)got.len, (int)a.len, "same length");
	ok(memcmp(got.wire, a.wire, a.len) == 0, "same bytes");
	ok(memcmp(got.ttloff, a.ttloff, a.nttl * 2) == 0, "same TTL offsets");
	is_int(rb_pktcache_get(c, key, klen, 1100, &got, &age), 0,
	    "expired after the smallest TTL");
	k2 = rb_pktcache_key(key2, question, 5, 1, 1, RB_PKTCACHE_DO);
	is_int(rb_pktcache_get(c, key2, k2, 1040, &got, &age), 0,
	    "DO is part of the key");
	is_int(rb_pktcache_put(c, key, klen, &a, 1050), 1, "replace");
	is_int((int)rb_pktcache_count(c), 1, "still one entry");
	is_int(rb_pktcache_get(c, key, klen, 1100, &got, &age), 1,
	    "the new one answers");
	for (int i = 0; i < 20; i++) {
		uint8_t name[] = { 1, (uint8_t)('a' + i), 0 };
		k2 = rb_pktcache_key(key2, name, 3, 1, 1, 0);
		n += rb_pktcache_put(c, key2, k2, &a, 1100);
	}
	is_int(n, 20, "20 more stored");
	is_int((int)rb_pktcache_count(c), 4, "at most 4 entries: oldest go");
	is_int(rb_pktcache_get(c, key, klen, 1100, &got, &age), 0,
	    "the first one was evicted");
	k2 = rb_pktcache_key(key2, (const uint8_t *)"\1t\0", 3, 1, 1, 0);
	is_int(rb_pktcache_get(c, key2, k2, 1100, &got, &age), 1,
	    "the newest is there");
	a.ttl = 0;
	is_int(rb_pktcache_put(c, key, klen, &a, 1100), 0, "TTL 0: not stored");
	rb_pktcache_flush(c);
	is_int((int)rb_pktcache_count(c), 0, "flushed");
	is_int(rb_pktcache_get(c, key2, k2, 1100, &got, &age), 0,
	    "nothing after a flush");
	rb_pktcache_free(c);
	rb_pktcache_free(NULL);
}

/* A one-label name of 5 digits for i. */
static const uint8_t *
label(uint8_t *name, int i)
{
	name[0] = 5;
	for (int k = 5; k >= 1; k--, i /= 10)
		name[k] = (uint8_t)('0' + i % 10);
	name[6] = 0;
	return name;
}

/* Many entries of random sizes through a small arena: every hit must
 * return the bytes stored under its key. */
static void
test_arena(void)
{
	struct rb_pktcache *c = rb_pktcache_new(64, 8192, 7);
	static uint8_t big[1000];
	uint8_t key[RB_PKTCACHE_KEY_MAX];
	uint16_t off[1] = { 0 };
	struct rb_pktans a, got;
	uint32_t age, x = 1;
	int bad = 0, hits = 0;

	for (int i = 0; i < 5000; i++) {
		uint8_t name[7];
		size_t klen = rb_pktcache_key(key, label(name, i), 7, 1, 1, 0);
		x = x * 1103515245 + 12345;
		memset(&a, 0, sizeof a);
		a.wire = big;
		a.len = 20 + (x >> 16) % 900;
		a.ttloff = off;
		a.ttl = 1000;
		memset(big, i & 0xff, a.len);
		rb_pktcache_put(c, key, klen, &a, 1);
		for (int j = i; j > i - 40 && j >= 0; j--) {
			uint8_t n2[7];
			klen = rb_pktcache_key(key, label(n2, j), 7, 1, 1, 0);
			if (!rb_pktcache_get(c, key, klen, 2, &got, &age))
				continue;
			hits++;
			for (size_t k = 0; k < got.len; k++)
				bad += got.wire[k] != (j & 0xff);
		}
	}
	ok(hits > 5000, "hits through the wrapping arena (%d)", hits);
	is_int(bad, 0, "every hit holds its own bytes");
	rb_pktcache_free(c);
}

int
main(void)
{
	test_scan_emit();
	test_cache();
	test_arena();
	done_testing();
	return exit_status();
}
