/*
 * zonedb: the zones of a zones cdb file, read whole (doc/cdb.md keys: `Z`
 * apex -> SOA record, `D` name type -> RRset).  Listing a zone is a
 * sequential scan of every record of the file through tinycdb, keeping the
 * `D` keys whose name is at or below the apex (zones do not nest, so that
 * is exactly the zone, glue included).  Every key and value is checked
 * before use: a damaged file gives -1 and EPROTO, never a read past the
 * mapping.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "base/bytes.h"
#include "wire/dname.h"
#include "zone/zonedb.h"

struct rb_zonedb {
	struct cdb cdb;
	int fd;
};

struct rb_zonedb *
rb_zonedb_open(const char *path)
{
	struct rb_zonedb *db = calloc(1, sizeof *db);

	if (db == NULL)
		return NULL;
	db->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (db->fd < 0)
		goto fail;
	if (cdb_init(&db->cdb, db->fd) < 0) {
		(void)close(db->fd); /* read-only: nothing to lose */
		errno = EPROTO;
		goto fail;
	}
	return db;
fail:
	free(db);
	return NULL;
}

void
rb_zonedb_close(struct rb_zonedb *db)
{
	if (db == NULL)
		return;
	cdb_free(&db->cdb);
	(void)close(db->fd); /* read-only: nothing to lose */
	free(db);
}

static int
damaged(void)
{
	errno = EPROTO;
	return -1;
}

/* The first record of an RRset value into rr (owner and type are the
 * caller's); 1, or 0 when the value holds fewer than 6 + rdlen bytes. */
static int
first_rr(const uint8_t *v, size_t vlen, struct rb_zonedb_rr *rr)
{
	if (vlen < 6 || vlen - 6 < rb_get16(v + 4))
		return 0;
	rr->ttl = rb_get32(v);
	rr->rdlen = rb_get16(v + 4);
	rr->rdata = v + 6;
	return 1;
}

int
rb_zonedb_serial(const uint8_t *rdata, size_t rdlen, uint32_t *serial)
{
	int m = rb_dname_wire_len(rdata, rdlen), r;

	if (m < 0 ||
	    (r = rb_dname_wire_len(rdata + m, rdlen - (size_t)m)) < 0 ||
	    rdlen - (size_t)m - (size_t)r != 20)
		return -1;
	*serial = rb_get32(rdata + m + r);
	return 0;
}

int
rb_zonedb_soa(struct rb_zonedb *db, const uint8_t *apex, size_t alen,
    struct rb_zonedb_rr *soa)
{
	uint8_t key[1 + 255];
	const uint8_t *v;
	uint32_t serial;
	int r;

	if (alen > 255)
		return 0;
	key[0] = 'Z';
	memcpy(key + 1, apex, alen);
	r = cdb_find(&db->cdb, key, (unsigned)(1 + alen));
	if (r <= 0)
		return r < 0 ? damaged() : 0;
	v = cdb_get(&db->cdb, cdb_datalen(&db->cdb), cdb_datapos(&db->cdb));
	if (v == NULL || !first_rr(v, cdb_datalen(&db->cdb), soa) ||
	    rb_zonedb_serial(soa->rdata, soa->rdlen, &serial) < 0)
		return damaged();
	soa->owner = apex;
	soa->olen = alen;
	soa->type = 6;
	return 1;
}

/* Is the wire name n (nlen bytes, valid) at or below apex? */
static int
in_zone(const uint8_t *n, size_t nlen, const uint8_t *apex, size_t alen)
{
	size_t off = 0;

	while (nlen - off > alen)
		off += (size_t)n[off] + 1;
	return nlen - off == alen && memcmp(n + off, apex, alen) == 0;
}

/* Call fn for each record of the RRset value v under owner. */
static int
each_rr(const uint8_t *v, size_t vlen, struct rb_zonedb_rr *rr, rb_zonedb_fn fn,
    void *arg)
{
	size_t off = 0;
	int r;

	while (off < vlen) {
		if (!first_rr(v + off, vlen - off, rr))
			return damaged();
		if ((r = fn(arg, rr)) != 0)
			return r;
		off += 6 + (size_t)rr->rdlen;
	}
	return 0;
}

/* The key at the scan position as a name and type: 1 for a `D` key (or a
 * `Z` key when want is 'Z', type 0), 0 for another kind, -1 damaged. */
static int
scan_key(struct rb_zonedb *db, uint8_t want, struct rb_zonedb_rr *rr)
{
	unsigned klen = cdb_keylen(&db->cdb);
	const uint8_t *k = cdb_get(&db->cdb, klen, cdb_keypos(&db->cdb));
	size_t tail = want == 'D' ? 2 : 0;
	int n;

	if (k == NULL)
		return damaged();
	if (klen < 1 || k[0] != want)
		return 0;
	if (klen < 1 + tail)
		return damaged();
	n = rb_dname_wire_len(k + 1, klen - 1 - tail);
	if (n < 0 || (size_t)n != klen - 1 - tail)
		return damaged();
	rr->owner = k + 1;
	rr->olen = (size_t)n;
	rr->type = tail ? rb_get16(k + 1 + n) : 6;
	return 1;
}

/* Scan every key of kind want; for `D` keys at or below apex (NULL: all)
 * call fn on each record. */
static int
scan(struct rb_zonedb *db, uint8_t want, const uint8_t *apex, size_t alen,
    rb_zonedb_fn fn, void *arg)
{
	struct rb_zonedb_rr rr;
	unsigned pos;
	int r;

	cdb_seqinit(&pos, &db->cdb);
	while ((r = cdb_seqnext(&pos, &db->cdb)) > 0) {
		unsigned vlen = cdb_datalen(&db->cdb);
		const uint8_t *v;

		if ((r = scan_key(db, want, &rr)) < 0)
			return -1;
		if (r == 0 ||
		    (apex != NULL &&
		        (rr.type == 6 ||
		            !in_zone(rr.owner, rr.olen, apex, alen))))
			continue;
		v = cdb_get(&db->cdb, vlen, cdb_datapos(&db->cdb));
		if (v == NULL)
			return damaged();
		if (want == 'Z') {
			if (!first_rr(v, vlen, &rr))
				return damaged();
			r = fn(arg, &rr);
		} else {
			r = each_rr(v, vlen, &rr, fn, arg);
		}
		if (r != 0)
			return r;
	}
	return r < 0 ? damaged() : 0;
}

int
rb_zonedb_each(struct rb_zonedb *db, const uint8_t *apex, size_t alen,
    rb_zonedb_fn fn, void *arg)
{
	return scan(db, 'D', apex, alen, fn, arg);
}

int
rb_zonedb_zones(struct rb_zonedb *db, rb_zonedb_fn fn, void *arg)
{
	return scan(db, 'Z', NULL, 0, fn, arg);
}
