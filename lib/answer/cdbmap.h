#ifndef RB_ANSWER_CDBMAP_H
#define RB_ANSWER_CDBMAP_H

/*
 * cdbmap: a cdb file of data/ mapped read-only, re-mapped when a new file
 * is renamed over it.  Each mapping is a generation; a query takes the
 * current one with rb_cdbmap_acquire and gives it back with
 * rb_cdbmap_release, and an old generation stays mapped until the last
 * query using it has given it back.  Lookups return pointers into the
 * mapping and never allocate.  Only cdbmap.c reads the cdb format; a map
 * made with rb_cdbmap_new_checked holds a file of another format (the
 * feed sets of lib/feed/nameset), checked whole by the caller's function each
 * time it is mapped and read through rb_cdbmap_bytes.
 */

#include <stddef.h>
#include <stdint.h>

struct rb_cdbmap;
struct rb_cdbmap_gen;

/* Map the file at path (copied).  A missing file is empty data, not an
 * error.  Returns a new map (free with rb_cdbmap_free), or NULL with errno
 * set when the file exists but cannot be mapped or is not a cdb. */
struct rb_cdbmap *rb_cdbmap_new(const char *path);

/* Map the file at path (copied), of a format that check accepts: check
 * runs on the bytes of every new mapping (size 0 for an empty file) and
 * returns 0 to accept, -1 to refuse.  A refused file is never current:
 * rb_cdbmap_new_checked returns NULL and rb_cdbmap_reload -1, with errno
 * EPROTO.  A missing file is empty data. */
struct rb_cdbmap *rb_cdbmap_new_checked(const char *path,
    int (*check)(const uint8_t *mem, size_t size));

/* Free m and every generation; no generation may still be acquired.
 * Accepts NULL. */
void rb_cdbmap_free(struct rb_cdbmap *m);

/* Map the file again if it is another file than the one mapped (a rename
 * replaced it, or it appeared or went away).  Returns 1 when a new
 * generation is current, 0 when nothing changed, -1 with errno set when
 * the new file cannot be used (the old generation stays current; EBUSY
 * when every generation slot is still acquired). */
int rb_cdbmap_reload(struct rb_cdbmap *m);

/* The inode of the file the current generation maps (0 when the file is
 * missing): what a writer compares with to know its file is being served. */
uint64_t rb_cdbmap_ino(const struct rb_cdbmap *m);

/* The current generation, held until rb_cdbmap_release.  Never NULL. */
struct rb_cdbmap_gen *rb_cdbmap_acquire(struct rb_cdbmap *m);

/* Give back a generation from rb_cdbmap_acquire; an old one is unmapped
 * once nobody holds it. */
void rb_cdbmap_release(struct rb_cdbmap *m, struct rb_cdbmap_gen *g);

/* Look key up in g (NULL is empty data).  On a hit, *val and *vlen point
 * into the mapping, valid while g is held.  Returns 1 found, 0 not found,
 * -1 when the file is corrupt. */
int rb_cdbmap_find(const struct rb_cdbmap_gen *g, const void *key, size_t klen,
    const uint8_t **val, size_t *vlen);

/* The cdb hash of key (D. J. Bernstein's), for rb_cdbmap_find_h: a
 * lookup of one key in several files hashes it once. */
uint32_t rb_cdbmap_hash(const void *key, size_t len);

/* rb_cdbmap_find with the key's hash h already known. */
int rb_cdbmap_find_h(const struct rb_cdbmap_gen *g, const void *key,
    size_t klen, uint32_t h, const uint8_t **val, size_t *vlen);

/* 1 when every lookup in g misses (NULL, a missing file, no slots). */
int rb_cdbmap_empty(const struct rb_cdbmap_gen *g);

/* The bytes g maps and their number, valid while g is held; NULL (and
 * *size 0) when g is empty data (a missing file). */
const uint8_t *rb_cdbmap_bytes(const struct rb_cdbmap_gen *g, size_t *size);

/* Open path as a standalone generation, outside any map (tests, fuzzing,
 * tools).  A missing file gives an empty generation.  Returns it (free
 * with rb_cdbmap_gen_free) or NULL with errno set. */
struct rb_cdbmap_gen *rb_cdbmap_gen_open(const char *path);

/* Free a generation from rb_cdbmap_gen_open; accepts NULL. */
void rb_cdbmap_gen_free(struct rb_cdbmap_gen *g);

#endif
