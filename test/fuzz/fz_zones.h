#ifndef RB_FZ_ZONES_H
#define RB_FZ_ZONES_H

/*
 * Shared body of the zone source fuzz targets (fz_zone.c for master
 * files, fz_tinydns.c for tinydns-data lines): a compiled zone set must
 * be sorted with unique keys, and when it is small enough it is written
 * to a temporary directory and queried through rb_answer, for its first
 * names, a few types, and a name below each (NXDOMAIN, wildcards,
 * referrals).  Traps when a reply is not a reply to the question.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer/answer.h"
#include "state/cdbw.h"
#include "wire/dname.h"
#include "wire/dnswire.h"
#include "zone/zone.h"

#define NAMES_MAX 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/fz_zones.XXXXXX";
static char path[64];

static void
cleanup(void)
{
	/* Best effort: a leftover directory in /tmp harms nothing. */
	(void)unlink(path);
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/zones.cdb", dir);
	atexit(cleanup);
	return 0;
}

/* Ask name (wire, nlen bytes) with type; trap on a reply that is not one. */
static void
ask(const struct rb_answer_ctx *ctx, const uint8_t *name, size_t nlen,
    uint16_t type, int tcp)
{
	static uint8_t out[RB_DNS_TCP_MAX];
	uint8_t pkt[12 + RB_DNAME_MAX + 4] = { 0x12, 0x34, 0x01, 0x00, 0, 1 };
	struct rb_answer_query q = { .pkt = pkt, .tcp = tcp };
	struct rb_answer_buf buf = { out, sizeof out, 0 };
	struct rb_answer_info info;

	memcpy(pkt + 12, name, nlen);
	pkt[12 + nlen] = (uint8_t)(type >> 8);
	pkt[13 + nlen] = (uint8_t)type;
	pkt[14 + nlen] = 0;
	pkt[15 + nlen] = 1;
	q.len = 16 + nlen;
	if (rb_answer(ctx, &q, &buf, &info) == RB_ANSWER_DROP)
		return;
	if (buf.len < q.len || buf.len > (tcp ? RB_DNS_TCP_MAX : 512) ||
	    memcmp(out, pkt, 2) != 0 || memcmp(out + 12, pkt + 12, nlen + 4))
		abort();
}

static void
query_names(const struct rb_cdbw *out)
{
	static const uint16_t types[] = { RB_TYPE_A, RB_TYPE_NS, RB_TYPE_ANY,
		RB_TYPE_TXT, RB_TYPE_CNAME };
	struct rb_answer_ctx ctx = { 0 };
	struct rb_cdbmap_gen *g;
	struct rb_err e = { 0 };
	uint8_t below[RB_DNAME_MAX];
	size_t n = 0;

	if (rb_cdbw_write(out, path, &e) < 0 ||
	    (g = rb_cdbmap_gen_open(path)) == NULL)
		return;
	ctx.zones = g;
	for (size_t i = 0; i < out->n && n < NAMES_MAX; i++) {
		const struct rb_cdbw_kv *kv = &out->v[i];
		size_t nlen = kv->klen - 1;

		if (kv->key[0] != 'E')
			continue;
		n++;
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
			ask(&ctx, kv->key + 1, nlen, types[t], t == 0);
		if (nlen + 3 <= RB_DNAME_MAX) {
			memcpy(below, "\002zz", 3);
			memcpy(below + 3, kv->key + 1, nlen);
			ask(&ctx, below, nlen + 3, RB_TYPE_A, 0);
		}
	}
	rb_cdbmap_gen_free(g);
}

/* Check what rb_zone_build compiled into out, and query it. */
static void
fz_zones_check(const struct rb_cdbw *out)
{
	for (size_t i = 1; i < out->n; i++)
		if (rb_cdbw_bytes_cmp(out->v[i - 1].key, out->v[i - 1].klen,
		        out->v[i].key, out->v[i].klen) >= 0)
			abort();
	if (out->n <= 256)
		query_names(out);
}

#endif
