/*
 * cdbmap: cdb files mapped with generations.  Writers only ever rename a
 * new file over the old name (lib/sys/atomic), so a mapping never changes
 * under us; the danger is only unmapping a file a query still reads.  A
 * map therefore keeps a few generation slots: the current one and older
 * ones still held.  A generation is freed when it is neither current nor
 * held.  The file descriptor is closed right after mapping (the mapping
 * keeps the inode alive, so a new file can never reuse its number).
 *
 * A missing file is a generation with nothing mapped: empty data.  A
 * file whose 256 tables are all empty (rb-data writes one when there is
 * no local data or blocklist) stays mapped, for its identity, but is
 * marked empty at load, so that lookups in it skip the hashing: rb-dnsd
 * looks every query name and its parents up in each file.
 *
 * A map may hold a file of another format instead (rb_cdbmap_new_checked):
 * its check reads every byte when the file is mapped, and the pages it
 * touched are then dropped from our page tables (MADV_DONTNEED keeps them
 * in the page cache), so resident memory counts what queries read.
 *
 * Lookups read the constant database format (D. J. Bernstein's cdb, which
 * tinycdb writes) straight from the mapping: 256 table pointers, then
 * records, then open-addressed hash tables of (hash, position) pairs.
 * Every read is checked against the file size, so a damaged file gives
 * -1, never a read past the mapping; test/unit/answer/t_cdbmap.c checks
 * the answers against tinycdb's.
 *
 * Why not tinycdb's cdb_find on the mapping: this is rb-dnsd's hot path,
 * and bench/cdbmap.sh, which runs both on the same files, shows this one
 * faster.  Measured for issue #24 (3 runs, gcc -O2, 1,000 and 1,000,000
 * keys of 20 to 30 bytes): a hit in a small file 32-45 ns against 42-57
 * (0.76-0.80 of tinycdb's time), a miss 0.81-0.83, and a key looked up in
 * a delta then its base (answer.c's find_layered, hashed once through
 * rb_cdbmap_find_h, which cdb_find cannot do) 0.49-0.56; in the large
 * file, where cache misses dominate, 0.77-0.97, 0.82-0.89 and 0.56-0.93.
 * Use cdb_find again if that bench ever shows it as fast.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer/cdbmap.h"

#define GENS 4

struct rb_cdbmap_gen {
	const uint8_t *mem; /* the mapped file */
	size_t size;
	int mapped; /* mem holds a mapping */
	int empty;  /* no table has a slot: every lookup misses */
	int used;   /* this slot holds a generation */
	unsigned refs;
	dev_t dev; /* identity of the file, 0/0 when missing */
	ino_t ino;
};

struct rb_cdbmap {
	char *path;
	int (*check)(const uint8_t *mem, size_t size); /* NULL: a cdb */
	int cur;
	struct rb_cdbmap_gen gens[GENS];
};

static void
gen_clear(struct rb_cdbmap_gen *g)
{
	if (g->mapped)
		(void)munmap((void *)g->mem, g->size); /* cannot fail here */
	memset(g, 0, sizeof *g);
}

/* A file of a checked format: accepted by check, else EPROTO. */
static int
gen_check(struct rb_cdbmap_gen *g, int (*check)(const uint8_t *, size_t))
{
	if (check(g->mem, g->size) < 0) {
		errno = EPROTO;
		return -1;
	}
	if (g->mapped)
		(void)madvise((void *)g->mem, g->size,
		    MADV_DONTNEED); /* a hint */
	return 0;
}

/* Does the table of contents at m (2048 bytes) list no slot at all? */
static int
no_slots(const uint8_t *m)
{
	for (size_t i = 0; i < 256; i++)
		if (memcmp(m + i * 8 + 4, "\0\0\0\0", 4) != 0)
			return 0;
	return 1;
}

/* Map path into g, or leave g empty when path does not exist. */
static int
gen_load(struct rb_cdbmap_gen *g, const char *path,
    int (*check)(const uint8_t *, size_t))
{
	struct stat st;
	int fd, saved;

	memset(g, 0, sizeof *g);
	g->used = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	g->dev = st.st_dev;
	g->ino = st.st_ino;
	if (st.st_size == 0 && check != NULL && check(NULL, 0) < 0) {
		errno = EPROTO;
		goto fail;
	}
	if (st.st_size == 0) {
		(void)close(fd); /* read-only: close cannot lose data */
		return 0;        /* an empty file is empty data too */
	}
	/* Smaller than the table pointers, or beyond 4 GiB: not a cdb. */
	if ((check == NULL && st.st_size < 2048) ||
	    (uint64_t)st.st_size > UINT32_MAX) {
		errno = EPROTO;
		goto fail;
	}
	g->mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (g->mem == MAP_FAILED)
		goto fail;
	g->size = (size_t)st.st_size;
	g->mapped = 1;
	g->empty = check == NULL && no_slots(g->mem); /* a cdb only */
	(void)close(fd); /* the mapping outlives it */
	if (check != NULL && gen_check(g, check) < 0) {
		saved = errno;
		gen_clear(g);
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	(void)close(fd);
	g->used = 0;
	errno = saved;
	return -1;
}

struct rb_cdbmap *
rb_cdbmap_new_checked(const char *path,
    int (*check)(const uint8_t *mem, size_t size))
{
	struct rb_cdbmap *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->check = check;
	m->path = strdup(path);
	if (m->path == NULL)
		goto fail;
	if (gen_load(&m->gens[0], path, check) < 0)
		goto fail;
	m->cur = 0;
	return m;
fail:
	rb_cdbmap_free(m);
	return NULL;
}

struct rb_cdbmap *
rb_cdbmap_new(const char *path)
{
	return rb_cdbmap_new_checked(path, NULL);
}

void
rb_cdbmap_free(struct rb_cdbmap *m)
{
	int saved = errno;

	if (m == NULL)
		return;
	for (int i = 0; i < GENS; i++)
		gen_clear(&m->gens[i]);
	free(m->path);
	free(m);
	errno = saved;
}

static int
same_file(const struct rb_cdbmap_gen *g, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT && g->dev == 0 && g->ino == 0;
	return st.st_dev == g->dev && st.st_ino == g->ino;
}

int
rb_cdbmap_reload(struct rb_cdbmap *m)
{
	struct rb_cdbmap_gen *old = &m->gens[m->cur];
	int i;

	if (same_file(old, m->path))
		return 0;
	for (i = 0; i < GENS; i++) {
		struct rb_cdbmap_gen *g = &m->gens[i];
		if (i != m->cur && g->refs == 0) {
			gen_clear(g);
			break;
		}
	}
	if (i == GENS) {
		errno = EBUSY;
		return -1;
	}
	if (gen_load(&m->gens[i], m->path, m->check) < 0)
		return -1;
	m->cur = i;
	if (old->refs == 0)
		gen_clear(old);
	return 1;
}

uint64_t
rb_cdbmap_ino(const struct rb_cdbmap *m)
{
	return (uint64_t)m->gens[m->cur].ino;
}

struct rb_cdbmap_gen *
rb_cdbmap_acquire(struct rb_cdbmap *m)
{
	struct rb_cdbmap_gen *g = &m->gens[m->cur];

	g->refs++;
	return g;
}

void
rb_cdbmap_release(struct rb_cdbmap *m, struct rb_cdbmap_gen *g)
{
	if (g == NULL || g->refs == 0)
		return;
	if (--g->refs == 0 && g != &m->gens[m->cur])
		gen_clear(g);
}

static inline uint32_t
u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

uint32_t
rb_cdbmap_hash(const void *key, size_t len)
{
	const uint8_t *k = key;
	uint32_t h = 5381;

	while (len-- > 0)
		h = ((h << 5) + h) ^ *k++;
	return h;
}

int
rb_cdbmap_empty(const struct rb_cdbmap_gen *g)
{
	return g == NULL || !g->mapped || g->empty;
}

int
rb_cdbmap_find(const struct rb_cdbmap_gen *g, const void *key, size_t klen,
    const uint8_t **val, size_t *vlen)
{
	if (rb_cdbmap_empty(g))
		return 0;
	return rb_cdbmap_find_h(g, key, klen, rb_cdbmap_hash(key, klen), val,
	    vlen);
}

int
rb_cdbmap_find_h(const struct rb_cdbmap_gen *g, const void *key, size_t klen,
    uint32_t h, const uint8_t **val, size_t *vlen)
{
	const uint8_t *m;
	uint32_t tpos, tslots, slot;
	size_t size;

	if (rb_cdbmap_empty(g))
		return 0;
	m = g->mem;
	size = g->size;
	tpos = u32(m + (h & 255) * 8);
	tslots = u32(m + (h & 255) * 8 + 4);
	if (tslots == 0)
		return 0;
	if (tpos < 2048 || tpos > size || tslots > (size - tpos) / 8)
		return -1;
	slot = (h >> 8) % tslots;
	for (uint32_t n = 0; n < tslots; n++) {
		const uint8_t *e = m + tpos + (size_t)slot * 8;
		uint32_t rpos = u32(e + 4), kl, dl;

		if (rpos == 0)
			return 0;
		if (u32(e) == h) {
			if (rpos > size - 8)
				return -1;
			kl = u32(m + rpos);
			dl = u32(m + rpos + 4);
			if (kl > size - rpos - 8 || dl > size - rpos - 8 - kl)
				return -1;
			if (kl == klen &&
			    memcmp(m + rpos + 8, key, klen) == 0) {
				*val = m + rpos + 8 + kl;
				*vlen = dl;
				return 1;
			}
		}
		if (++slot == tslots)
			slot = 0;
	}
	return 0;
}

const uint8_t *
rb_cdbmap_bytes(const struct rb_cdbmap_gen *g, size_t *size)
{
	if (g == NULL || !g->mapped) {
		*size = 0;
		return NULL;
	}
	*size = g->size;
	return g->mem;
}

struct rb_cdbmap_gen *
rb_cdbmap_gen_open(const char *path)
{
	struct rb_cdbmap_gen *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	if (gen_load(g, path, NULL) < 0) {
		int saved = errno;
		free(g);
		errno = saved;
		return NULL;
	}
	return g;
}

void
rb_cdbmap_gen_free(struct rb_cdbmap_gen *g)
{
	if (g == NULL)
		return;
	gen_clear(g);
	free(g);
}
