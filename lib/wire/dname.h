#ifndef RB_WIRE_DNAME_H
#define RB_WIRE_DNAME_H

/*
 * Domain names in wire form: length-prefixed labels ending in a zero byte,
 * at most 255 bytes.  Used both when building cdb keys and on rb-dnsd's hot
 * path, so nothing here allocates.
 */

#include <stddef.h>
#include <stdint.h>

#define RB_DNAME_MAX 255

/* Convert a presentation name ("nas.home" or "nas.home.") to lower-case
 * wire form in out (RB_DNAME_MAX bytes).  Accepts only host-name syntax as
 * Runbound does: labels 1..63 of [A-Za-z0-9_-], at most 253 characters
 * without the final dot; "." alone is the root.  Returns the wire length,
 * or -1 with a reason in *why (static string). */
int rb_dname_from_text(const char *text, uint8_t *out, const char **why);

/* Length of the uncompressed wire name at p (at most len bytes available);
 * -1 when it is malformed, compressed or runs past len. */
int rb_dname_wire_len(const uint8_t *p, size_t len);

/* Lower-case an uncompressed wire name in place. */
void rb_dname_lower(uint8_t *name);

/* Offset of the parent of the name at name (the label after the first);
 * 0 for the root, which has none. */
int rb_dname_parent(const uint8_t *name);

/* Write the name in presentation form with a final dot ("nas.home.");
 * bytes outside printable ASCII and dots inside labels are escaped as
 * \DDD.  Returns the length or -1 when len is too small. */
int rb_dname_to_text(const uint8_t *name, char *out, size_t len);

#endif
