#ifndef RB_ZONE_ZONEDB_H
#define RB_ZONE_ZONEDB_H

/*
 * zonedb: a zones cdb file (data/zones.cdb or a kept version of it, format
 * in doc/cdb.md) read whole, for zone transfers: the zones it holds, the
 * SOA of one zone, and every record of one zone.  The file is mapped by
 * tinycdb for as long as it is open; records point into that mapping.
 * Not for rb-dnsd's hot path (lib/answer/cdbmap is), since listing a zone scans
 * the whole file.
 */

#include <stddef.h>
#include <stdint.h>

struct rb_zonedb;

/* One record.  owner is a lower-case uncompressed wire name and rdata
 * uncompressed wire form; both point into the open file (or the caller's
 * storage) and are borrowed. */
struct rb_zonedb_rr {
	const uint8_t *owner;
	size_t olen;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

/* Open the zones cdb at path.  Returns a new handle (close with
 * rb_zonedb_close) or NULL with errno set (ENOENT when missing, EPROTO
 * when it is not a cdb). */
struct rb_zonedb *rb_zonedb_open(const char *path);

/* Close db and unmap it; every record it gave is gone.  Accepts NULL. */
void rb_zonedb_close(struct rb_zonedb *db);

/* The SOA of the zone whose apex is the lower-case wire name apex, into
 * *soa (owner is apex).  Returns 1, 0 when no zone has that apex, -1 with
 * errno EPROTO when the file is damaged. */
int rb_zonedb_soa(struct rb_zonedb *db, const uint8_t *apex, size_t alen,
    struct rb_zonedb_rr *soa);

/* The serial of SOA rdata.  Returns 0, or -1 when rdata is not a SOA's. */
int rb_zonedb_serial(const uint8_t *rdata, size_t rdlen, uint32_t *serial);

/* Called per record; a nonzero return stops the walk and is returned. */
typedef int (*rb_zonedb_fn)(void *arg, const struct rb_zonedb_rr *rr);

/* Call fn for every record of the zone at apex except its SOA, in file
 * order.  Returns 0, fn's nonzero return, or -1 with errno EPROTO when the
 * file is damaged. */
int rb_zonedb_each(struct rb_zonedb *db, const uint8_t *apex, size_t alen,
    rb_zonedb_fn fn, void *arg);

/* Call fn once per zone of the file with its SOA record (owner = apex),
 * in file order.  Returns as rb_zonedb_each. */
int rb_zonedb_zones(struct rb_zonedb *db, rb_zonedb_fn fn, void *arg);

#endif
