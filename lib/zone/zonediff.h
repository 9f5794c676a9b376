#ifndef RB_ZONE_ZONEDIFF_H
#define RB_ZONE_ZONEDIFF_H

/*
 * zonediff: what changed in one zone between two zones cdb files, for
 * IXFR (RFC 1995): the records only the old file holds (deleted) and those
 * only the new one holds (added), SOA left out.  A record is its owner,
 * type, TTL and rdata: a changed TTL is one record deleted and one added.
 */

#include <stddef.h>

#include "zone/zonedb.h"

/* The records point into the two files, which must stay open while the
 * diff is used. */
struct rb_zonediff {
	struct rb_zonedb_rr *del, *add; /* sorted, owned */
	size_t ndel, nadd;
};

/* Compare the zone at apex in old and cur into d (caller-owned, released
 * with rb_zonediff_fini even on failure).  Returns 0, or -1 with errno set
 * (ENOMEM, EPROTO for a damaged file). */
int rb_zonediff_make(struct rb_zonediff *d, struct rb_zonedb *old,
    struct rb_zonedb *cur, const uint8_t *apex, size_t alen);

/* Free what rb_zonediff_make allocated; d is empty again. */
void rb_zonediff_fini(struct rb_zonediff *d);

#endif
