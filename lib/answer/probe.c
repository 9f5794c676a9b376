/*
 * probe: ". IN A" as a liveness check of a forwarder.  Any answer proves
 * the server reads and answers; an authoritative-only upstream says
 * REFUSED, which still counts as alive.  SERVFAIL means it cannot resolve
 * at all.  The reply is matched on ID, QR and question so a stray packet
 * cannot fake health.
 */

#include <string.h>

#include "answer/probe.h"

static const uint8_t question[5] = { 0, 0, 1, 0, 1 }; /* ". A IN" */

size_t
rb_probe_query(uint8_t *out, uint16_t id)
{
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x01; /* RD */
	out[3] = 0;
	memcpy(out + 4, "\0\1\0\0\0\0\0\0", 8);
	memcpy(out + 12, question, sizeof question);
	return RB_PROBE_QUERY_LEN;
}

int
rb_probe_check(const uint8_t *reply, size_t len, uint16_t id)
{
	if (len < RB_PROBE_QUERY_LEN || reply[0] != (uint8_t)(id >> 8) ||
	    reply[1] != (uint8_t)id || !(reply[2] & 0x80) || reply[4] != 0 ||
	    reply[5] != 1 || memcmp(reply + 12, question, sizeof question) != 0)
		return -1;
	return (reply[3] & 0xf) == 2 ? 0 : 1;
}
