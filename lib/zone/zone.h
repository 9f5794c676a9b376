#ifndef RB_ZONE_ZONE_H
#define RB_ZONE_ZONE_H

/*
 * zone: authoritative zones from RFC 1035 master files into data/zones.cdb
 * (doc/cdb.md).  Files are loaded one by one into a zone set, checked, and
 * compiled into sorted key/value pairs that lib/state/cdbw writes as a cdb.
 */

#include <stdint.h>
#include <stdio.h>

#include "base/diag.h"
#include "state/cdbw.h"

/* Records staged from every file loaded so far; caller-owned storage,
 * start zeroed ({0}) and release with rb_zone_fini. */
struct rb_zoneset {
	struct rb_cdbw recs;   /* owner+type(2) -> rdata, prio = TTL */
	struct rb_cdbw apexes; /* apex -> SOA as ttl(4) rdlen(2) rdata */
	/* tinydns-data records outside every zone of their own file (as
	 * recs): rb_zone_build moves those another file's zone holds to
	 * recs; the rest stay, counted in dropped: tinydns would never
	 * serve them either. */
	struct rb_cdbw loose;
	size_t dropped;
};

/* Read one zone source from fp (borrowed), named fname in messages: a
 * file of tinydns-data lines when rb_tinydns_sniff says so (lib/zone/tinydns.h,
 * any number of zones, default SOA serial fp's mtime), else one master
 * file.  A master file's first record must be the zone's SOA; every
 * record must be class IN and at or below its owner.  $ORIGIN defaults to
 * what follows "zones." in the file's base name.  Returns 0, or -1 with d
 * filled (errno ENOMEM on allocation failure, else EINVAL); zs may then
 * hold part of the file and is fit only for rb_zone_fini. */
int rb_zone_load(struct rb_zoneset *zs, FILE *fp, const char *fname,
    struct rb_diag *d);

/* Check the set as a whole and compile it into out (caller-owned, sorted
 * on return, release with rb_cdbw_free).  Returns 0 or -1 with d filled. */
int rb_zone_build(struct rb_zoneset *zs, struct rb_cdbw *out,
    struct rb_diag *d);

/* Give every zone's SOA the same serial (the make-data rule of
 * tinydns setups: all servers, all zones, one serial per build).  Call
 * between the last rb_zone_load and rb_zone_build.  Returns 0, or -1 when
 * a staged SOA is damaged (it cannot be: rb_zone_load checked it). */
int rb_zone_set_serial(struct rb_zoneset *zs, uint32_t serial);

/* The offset of the serial in SOA rdata (after MNAME and RNAME, both
 * uncompressed), or -1 when rd[0..len) is not SOA rdata. */
long rb_zone_soa_serial_at(const uint8_t *rd, size_t len);

/* Release what zs holds; accepts a zeroed set. */
void rb_zone_fini(struct rb_zoneset *zs);

#endif
