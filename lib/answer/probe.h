#ifndef RB_ANSWER_PROBE_H
#define RB_ANSWER_PROBE_H

/*
 * probe: the upstream health check's two packets.  The query is ". IN A"
 * with a random ID and RD set; a reply counts only when it carries that
 * ID, QR and the same question.  Sockets and timing are the caller's.
 */

#include <stddef.h>
#include <stdint.h>

#define RB_PROBE_QUERY_LEN 17

/* Write the probe query with id into out (RB_PROBE_QUERY_LEN bytes).
 * Returns its length. */
size_t rb_probe_query(uint8_t *out, uint16_t id);

/* Judge a reply (len bytes, untrusted) to the probe id: 1 healthy (any
 * rcode but SERVFAIL), 0 unhealthy (SERVFAIL), -1 not a reply to it. */
int rb_probe_check(const uint8_t *reply, size_t len, uint16_t id);

#endif
