#ifndef RB_ZONE_NOTIFY_H
#define RB_ZONE_NOTIFY_H

/*
 * notify: DNS NOTIFY messages (RFC 1996) that tell secondaries a zone
 * changed: the query we send (opcode NOTIFY, AA, the zone's SOA as the
 * question and its current SOA record as the answer) and the check of a
 * response read from the network.  Nothing here allocates.
 */

#include <stddef.h>
#include <stdint.h>

#include "zone/zonedb.h"

#define RB_OPCODE_NOTIFY 4

/* Write the NOTIFY for soa (owner = apex) with id into buf (size bytes).
 * Returns its length, or 0 when it does not fit. */
size_t rb_notify_query(uint8_t *buf, size_t size, uint16_t id,
    const struct rb_zonedb_rr *soa);

/* Is pkt (len bytes) the response to our NOTIFY id for the zone apex (a
 * lower-case wire name)?  Returns its rcode (0..15), or -1 when it is
 * malformed or answers something else. */
int rb_notify_response(const uint8_t *pkt, size_t len, uint16_t id,
    const uint8_t *apex, size_t alen);

#endif
