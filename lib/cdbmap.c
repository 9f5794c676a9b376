/*
 * cdbmap: tinycdb mappings with generations.  Writers only ever rename a
 * new file over the old name (lib/atomic), so a mapping never changes
 * under us; the danger is only unmapping a file a query still reads.  A
 * map therefore keeps a few generation slots: the current one and older
 * ones still held.  A generation is freed when it is neither current nor
 * held.  The file descriptor is closed right after mapping (the mapping
 * keeps the inode alive, so a new file can never reuse its number).
 *
 * A missing file is a generation with nothing mapped: empty data.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "cdbmap.h"

#define GENS 4

struct rb_cdbmap_gen {
	struct cdb cdb;
	int mapped; /* cdb holds a mapping */
	int used;   /* this slot holds a generation */
	unsigned refs;
	dev_t dev; /* identity of the file, 0/0 when missing */
	ino_t ino;
};

struct rb_cdbmap {
	char *path;
	int cur;
	struct rb_cdbmap_gen gens[GENS];
};

static void
gen_clear(struct rb_cdbmap_gen *g)
{
	if (g->mapped)
		cdb_free(&g->cdb);
	memset(g, 0, sizeof *g);
}

/* Map path into g, or leave g empty when path does not exist. */
static int
gen_load(struct rb_cdbmap_gen *g, const char *path)
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
	if (st.st_size == 0) {
		(void)close(fd); /* read-only: close cannot lose data */
		return 0;	 /* an empty file is empty data too */
	}
	if (cdb_init(&g->cdb, fd) < 0)
		goto fail;
	g->mapped = 1;
	(void)close(fd); /* the mapping outlives it */
	return 0;
fail:
	saved = errno;
	(void)close(fd);
	g->used = 0;
	errno = saved;
	return -1;
}

struct rb_cdbmap *
rb_cdbmap_new(const char *path)
{
	struct rb_cdbmap *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->path = strdup(path);
	if (m->path == NULL)
		goto fail;
	if (gen_load(&m->gens[0], path) < 0)
		goto fail;
	m->cur = 0;
	return m;
fail:
	rb_cdbmap_free(m);
	return NULL;
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
	if (gen_load(&m->gens[i], m->path) < 0)
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

int
rb_cdbmap_find(const struct rb_cdbmap_gen *g, const void *key, size_t klen,
    const uint8_t **val, size_t *vlen)
{
	struct cdb c;
	const void *p;
	int r;

	if (g == NULL || !g->mapped)
		return 0;
	/* cdb_find records the hit in its struct: use a copy, so one
	 * generation serves any number of readers. */
	c = g->cdb;
	r = cdb_find(&c, key, (unsigned)klen);
	if (r <= 0)
		return r < 0 ? -1 : 0;
	p = cdb_get(&c, cdb_datalen(&c), cdb_datapos(&c));
	if (p == NULL)
		return -1;
	*val = p;
	*vlen = cdb_datalen(&c);
	return 1;
}

struct rb_cdbmap_gen *
rb_cdbmap_gen_open(const char *path)
{
	struct rb_cdbmap_gen *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	if (gen_load(g, path) < 0) {
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
