#ifndef RB_WIRE_DNSCOMP_H
#define RB_WIRE_DNSCOMP_H

/*
 * dnscomp: RFC 1035 4.1.4 name compression for the messages we write
 * (rb-dnsd's replies through lib/wire/dnswire, transfers through
 * lib/zone/xfrmsg). A table remembers where names start in the message; a new
 * name is written as its labels up to the longest suffix already there, then a
 * pointer to it.  Names inside rdata are compressed only for the types
 * RFC 3597 section 4 allows.  Nothing allocates.
 */

#include <stddef.h>
#include <stdint.h>

/* Label starts remembered per message; later ones are written but not
 * pointed at. */
#define RB_DNSCOMP_MAX 256

struct rb_dnscomp {
	size_t n;
	uint16_t off[RB_DNSCOMP_MAX]; /* label starts, all < 0x4000 */
	uint8_t len[RB_DNSCOMP_MAX];  /* uncompressed length from there */
};

/* Forget every name: a new message. */
void rb_dnscomp_init(struct rb_dnscomp *c);

/* Remember the label starts of the uncompressed name in name[0..len),
 * written at off in the message (the echoed question); nothing when it is
 * not a valid name. */
void rb_dnscomp_add(struct rb_dnscomp *c, size_t off, const uint8_t *name,
    size_t len);

/* Does the name at off in msg[0..len), compressed or not, equal the
 * uncompressed name (ASCII case-insensitive)?  1 or 0; never reads past
 * len, follows at most 64 pointers. */
int rb_dnscomp_equal(const uint8_t *msg, size_t len, size_t off,
    const uint8_t *name);

/* Write the valid uncompressed name at msg + *len, compressed, using no
 * byte at or past size; *len moves past it.  Returns 0, or -1 when it
 * does not fit (*len and the table unchanged). */
int rb_dnscomp_name(struct rb_dnscomp *c, uint8_t *msg, size_t size,
    size_t *len, const uint8_t *name);

/* Is type one whose rdata names may be compressed (RFC 3597 section 4:
 * NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX)? */
int rb_dnscomp_type(uint16_t type);

/* Write rdata r (rdlen bytes) of type at msg + *len as rb_dnscomp_name
 * does: its names compressed when type is one of those and r has its
 * layout, else r as it is.  Returns 0, or -1 when it does not fit (*len
 * and the table unchanged). */
int rb_dnscomp_rdata(struct rb_dnscomp *c, uint8_t *msg, size_t size,
    size_t *len, uint16_t type, const uint8_t *r, size_t rdlen);

#endif
