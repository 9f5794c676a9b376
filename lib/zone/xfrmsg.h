#ifndef RB_ZONE_XFRMSG_H
#define RB_ZONE_XFRMSG_H

/*
 * xfrmsg: the reply stream of a zone transfer over TCP (RFC 5936 2.2,
 * RFC 1995): records packed into as many messages as needed, each framed
 * with its 2-byte TCP length and handed to a flush function as soon as it
 * is full.  The first message echoes the question; later ones carry none.
 * Owner names, and the names inside NS, CNAME, PTR, MX and SOA rdata (the
 * RFC 3597 section 4 types), are compressed against the names already in
 * the same message (lib/wire/dnscomp).
 */

#include <stddef.h>
#include <stdint.h>

#include "wire/dnscomp.h"
#include "zone/zonedb.h"

/* A message is closed once it passes this many bytes (NSD's choice too:
 * big enough to amortise, small enough for any TCP stack). */
#define RB_XFRMSG_TARGET 16384

/* Write one framed message (2-byte length, then len - 2 bytes); 0 or -1. */
typedef int (*rb_xfrmsg_flush_fn)(void *arg, const uint8_t *frame, size_t len);

struct rb_xfrmsg {
	uint8_t buf[2 + 65535];
	size_t len; /* message bytes after the 2-byte length */
	uint16_t id, flags;
	const uint8_t *question; /* borrowed: name, type, class as sent */
	size_t qlen;
	uint16_t ancount;
	int overflow;
	struct rb_dnscomp comp; /* names in this message */
	rb_xfrmsg_flush_fn flush;
	void *arg;
	size_t messages, records; /* sent so far, for logs */
};

/* Start a transfer reply to the query with id, flags (RD is copied) and
 * question (qlen bytes, borrowed until the end).  flush gets each
 * message. */
void rb_xfrmsg_init(struct rb_xfrmsg *m, uint16_t id, uint16_t flags,
    const uint8_t *question, size_t qlen, rb_xfrmsg_flush_fn flush, void *arg);

/* Append rr (class IN), flushing the message first when it is full.
 * Returns 0, or -1: errno EMSGSIZE for a record that fits no message, or
 * flush's errno. */
int rb_xfrmsg_add(struct rb_xfrmsg *m, const struct rb_zonedb_rr *rr);

/* Flush the last message.  Returns 0 or -1 (flush's errno). */
int rb_xfrmsg_finish(struct rb_xfrmsg *m);

/* Send one message holding only the header and the question, with rcode
 * (REFUSED, NOTAUTH, ...) and no AA.  Returns 0 or -1. */
int rb_xfrmsg_error(struct rb_xfrmsg *m, int rcode);

#endif
