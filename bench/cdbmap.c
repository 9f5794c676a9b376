/*
 * cdbmap: lib/answer/cdbmap's own lookup against tinycdb's cdb_find, on
 * the same mapped file, from the same binary, the way rb-dnsd links
 * tinycdb (libcdb.so, through the PLT).  rb-dnsd looks a query's name up
 * as keys of doc/cdb.md: a 'D' key (prefix, wire name, type) per local
 * answer, and the name and each parent in block.cdb; so the keys here are
 * wire names of 20 to 30 bytes.  Prints nanoseconds per lookup for hits,
 * for misses and for a miss in a delta then a hit in its base (answer.c's
 * find_layered: rb_cdbmap_find_h hashes the key once for both files,
 * tinycdb hashes it in each), for a small file (hot in the caches) and a
 * large one (1,000,000 keys, mostly cache misses).
 *
 *   cdbmap DIR    (bench/cdbmap.sh builds and runs it)
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cdb.h>

#include "answer/cdbmap.h"

#define KEYMAX 64

struct keys {
	size_t n;
	uint8_t (*k)[KEYMAX];
	size_t *len;
};

static void
die(const char *what)
{
	fprintf(stderr, "cdbmap: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* 'D', the wire form of h<i>.<zone>.home., A: a local.cdb answer key. */
static size_t
key(uint8_t *k, unsigned i, const char *zone)
{
	char label[16];
	size_t n = 0, l;

	k[n++] = 'D';
	l = (size_t)snprintf(label, sizeof label, "h%u", i);
	k[n++] = (uint8_t)l;
	memcpy(k + n, label, l);
	n += l;
	l = strlen(zone);
	k[n++] = (uint8_t)l;
	memcpy(k + n, zone, l);
	n += l;
	memcpy(k + n, "\4home\0\0\1", 8);
	return n + 8;
}

static void
keys_make(struct keys *ks, size_t n, unsigned from, const char *zone)
{
	ks->n = n;
	ks->k = malloc(n * sizeof *ks->k);
	ks->len = malloc(n * sizeof *ks->len);
	if (ks->k == NULL || ks->len == NULL)
		die("malloc");
	/* a scattered order: consecutive lookups touch unrelated slots */
	for (size_t i = 0; i < n; i++)
		ks->len[i] = key(ks->k[i],
		    from + (unsigned)((i * 2654435761u) % n), zone);
}

static void
build(const char *path, unsigned n, const char *zone)
{
	struct cdb_make cm;
	uint8_t k[KEYMAX];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		die(path);
	for (unsigned i = 0; i < n; i++) {
		size_t kl = key(k, i, zone);
		if (cdb_make_add(&cm, k, (unsigned)kl,
		        "\0\0\16\20\0\4\12\0\0\1", 10) < 0)
			die("cdb_make_add");
	}
	if (cdb_make_finish(&cm) < 0 || close(fd) < 0)
		die("cdb_make_finish");
}

static volatile size_t sink;

/* ns a lookup of every key of ks, rounds times, in g (ours). */
static double
ours(const struct rb_cdbmap_gen *g, const struct keys *ks, int rounds)
{
	const uint8_t *v;
	size_t vl, got = 0;
	double t0 = now();

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ks->n; i++)
			got += (size_t)rb_cdbmap_find(g, ks->k[i], ks->len[i],
			           &v, &vl) +
			    vl;
	sink = got;
	return (now() - t0) / ((double)rounds * (double)ks->n);
}

static double
theirs(struct cdb *c, const struct keys *ks, int rounds)
{
	size_t got = 0;
	double t0 = now();

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ks->n; i++) {
			if (cdb_find(c, ks->k[i], (unsigned)ks->len[i]) > 0)
				got += (size_t)(const uint8_t *)cdb_get(c,
				           cdb_datalen(c), cdb_datapos(c)) +
				    cdb_datalen(c);
		}
	sink = got;
	return (now() - t0) / ((double)rounds * (double)ks->n);
}

/* A miss in delta, then the base: answer.c's find_layered. */
static double
ours_layered(const struct rb_cdbmap_gen *delta,
    const struct rb_cdbmap_gen *base, const struct keys *ks, int rounds)
{
	const uint8_t *v;
	size_t vl, got = 0;
	double t0 = now();

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ks->n; i++) {
			uint32_t h = rb_cdbmap_hash(ks->k[i], ks->len[i]);

			if (rb_cdbmap_find_h(delta, ks->k[i], ks->len[i], h, &v,
			        &vl) == 0)
				got += (size_t)rb_cdbmap_find_h(base, ks->k[i],
				    ks->len[i], h, &v, &vl);
		}
	sink = got;
	return (now() - t0) / ((double)rounds * (double)ks->n);
}

static double
theirs_layered(struct cdb *delta, struct cdb *base, const struct keys *ks,
    int rounds)
{
	size_t got = 0;
	double t0 = now();

	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < ks->n; i++) {
			if (cdb_find(delta, ks->k[i], (unsigned)ks->len[i]) ==
			    0)
				got += (size_t)cdb_find(base, ks->k[i],
				    (unsigned)ks->len[i]);
		}
	sink = got;
	return (now() - t0) / ((double)rounds * (double)ks->n);
}

static void
open_both(const char *path, struct rb_cdbmap_gen **g, struct cdb *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if ((*g = rb_cdbmap_gen_open(path)) == NULL || fd < 0 ||
	    cdb_init(c, fd) < 0)
		die(path);
}

/* The best of 5 runs of each (the least disturbed), taken in turns so
 * that neither runs on caches the other warmed. */
#define BEST2(a, ea, b, eb) \
	do { \
		a = b = 1e30; \
		for (int t_ = 0; t_ < 5; t_++) { \
			double x_ = (ea), y_ = (eb); \
			a = x_ < a ? x_ : a; \
			b = y_ < b ? y_ : b; \
		} \
	} while (0)

static void
run(const char *dir, const char *name, unsigned n, int rounds)
{
	char base[4096], delta[4096];
	struct rb_cdbmap_gen *gb, *gd;
	struct cdb cb, cd;
	struct keys hit, miss;
	double a, b;

	snprintf(base, sizeof base, "%s/%s.cdb", dir, name);
	snprintf(delta, sizeof delta, "%s/%s.delta", dir, name);
	build(base, n, "bench");
	build(delta, 64, "delta"); /* a delta: a few names changed */
	open_both(base, &gb, &cb);
	open_both(delta, &gd, &cd);
	keys_make(&hit, n < 100000 ? n : 100000, 0, "bench");
	keys_make(&miss, n < 100000 ? n : 100000, n, "bench");
	printf("== %s: %u keys, %zu bytes ==\n", name, n, (size_t)cb.cdb_fsize);
	BEST2(a, ours(gb, &hit, rounds), b, theirs(&cb, &hit, rounds));
	printf("hit              cdbmap %6.1f ns  tinycdb %6.1f ns  ratio "
	       "%.2f\n",
	    a, b, a / b);
	BEST2(a, ours(gb, &miss, rounds), b, theirs(&cb, &miss, rounds));
	printf("miss             cdbmap %6.1f ns  tinycdb %6.1f ns  ratio "
	       "%.2f\n",
	    a, b, a / b);
	BEST2(a, ours_layered(gd, gb, &hit, rounds), b,
	    theirs_layered(&cd, &cb, &hit, rounds));
	printf("delta then base  cdbmap %6.1f ns  tinycdb %6.1f ns  ratio "
	       "%.2f\n",
	    a, b, a / b);
	rb_cdbmap_gen_free(gb);
	rb_cdbmap_gen_free(gd);
	(void)close(cdb_fileno(&cb)); /* read-only */
	(void)close(cdb_fileno(&cd));
	cdb_free(&cb);
	cdb_free(&cd);
	free(hit.k);
	free(hit.len);
	free(miss.k);
	free(miss.len);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: cdbmap DIR\n");
		return 100;
	}
	run(argv[1], "small", 1000, 200);
	run(argv[1], "large", 1000000, 5);
	return 0;
}
