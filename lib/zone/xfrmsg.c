/*
 * xfrmsg: packing records into transfer messages.  A record is written at
 * the end of the current message; when that makes the message pass
 * RB_XFRMSG_TARGET (or not fit at all) the record is taken back, the
 * message is flushed, and the record starts the next one.  So every
 * message holds whole records and at most one record's worth over the
 * target.
 *
 * Names are compressed by lib/wire/dnscomp against the names already in this
 * message: owner names, and the names inside the rdata of the types RFC
 * 3597 section 4 allows (NS, CNAME, PTR, MX, SOA and the obsolete MD, MF,
 * MB, MG, MR, MINFO).
 */

#include <errno.h>
#include <string.h>

#include "base/bytes.h"
#include "wire/dnscomp.h"
#include "zone/xfrmsg.h"

#define HDR 12
#define AA 0x0400
#define QR 0x8000
#define RD 0x0100

static uint8_t *
msg(struct rb_xfrmsg *m)
{
	return m->buf + 2;
}

static void
put(struct rb_xfrmsg *m, const void *p, size_t n)
{
	if (m->overflow || n > 65535 - m->len) {
		m->overflow = 1;
		return;
	}
	memcpy(msg(m) + m->len, p, n);
	m->len += n;
}

static void
put_u16(struct rb_xfrmsg *m, uint16_t v)
{
	uint8_t b[2];

	rb_put16(b, v);
	put(m, b, 2);
}

static void
put_u32(struct rb_xfrmsg *m, uint32_t v)
{
	put_u16(m, (uint16_t)(v >> 16));
	put_u16(m, (uint16_t)v);
}

/* Write the valid uncompressed name n, compressed (lib/wire/dnscomp). */
static void
put_name(struct rb_xfrmsg *m, const uint8_t *n)
{
	if (!m->overflow &&
	    rb_dnscomp_name(&m->comp, msg(m), 65535, &m->len, n) < 0)
		m->overflow = 1;
}

static void
put_rr(struct rb_xfrmsg *m, const struct rb_zonedb_rr *rr)
{
	size_t rdstart;

	put_name(m, rr->owner);
	put_u16(m, rr->type);
	put_u16(m, 1);
	put_u32(m, rr->ttl);
	put_u16(m, 0);
	rdstart = m->len;
	if (!m->overflow &&
	    rb_dnscomp_rdata(&m->comp, msg(m), 65535, &m->len, rr->type,
	        rr->rdata, rr->rdlen) < 0)
		m->overflow = 1;
	if (!m->overflow)
		rb_put16(msg(m) + rdstart - 2, (uint16_t)(m->len - rdstart));
}

/* A new message: header, and the question in the first one only. */
static void
begin(struct rb_xfrmsg *m)
{
	uint8_t *p = msg(m);

	memset(p, 0, HDR);
	rb_put16(p, m->id);
	rb_put16(p + 2, m->flags);
	m->len = HDR;
	m->ancount = 0;
	rb_dnscomp_init(&m->comp);
	m->overflow = 0;
	if (m->messages == 0) {
		rb_put16(p + 4, 1);
		put(m, m->question, m->qlen);
		if (m->qlen > 0 && !m->overflow)
			rb_dnscomp_add(&m->comp, HDR, m->question, m->qlen);
	}
}

static int
send_msg(struct rb_xfrmsg *m)
{
	rb_put16(m->buf, (uint16_t)m->len);
	rb_put16(msg(m) + 6, m->ancount);
	if (m->flush(m->arg, m->buf, 2 + m->len) < 0)
		return -1;
	m->messages++;
	begin(m);
	return 0;
}

void
rb_xfrmsg_init(struct rb_xfrmsg *m, uint16_t id, uint16_t flags,
    const uint8_t *question, size_t qlen, rb_xfrmsg_flush_fn flush, void *arg)
{
	m->id = id;
	m->flags = QR | AA | (flags & RD);
	m->question = question;
	m->qlen = qlen;
	m->flush = flush;
	m->arg = arg;
	m->messages = m->records = 0;
	begin(m);
}

/* Put rr in a new message after flushing the current one. */
static int
add_to_next(struct rb_xfrmsg *m, const struct rb_zonedb_rr *rr)
{
	if (m->ancount == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	if (send_msg(m) < 0)
		return -1;
	put_rr(m, rr);
	if (m->overflow) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
rb_xfrmsg_add(struct rb_xfrmsg *m, const struct rb_zonedb_rr *rr)
{
	size_t len = m->len, ncomp = m->comp.n;

	put_rr(m, rr);
	if (m->overflow || (m->len > RB_XFRMSG_TARGET && m->ancount > 0)) {
		/* Take it back, send what is there, start over with it. */
		m->len = len;
		m->comp.n = ncomp;
		m->overflow = 0;
		if (add_to_next(m, rr) < 0)
			return -1;
	}
	m->ancount++;
	m->records++;
	return 0;
}

int
rb_xfrmsg_finish(struct rb_xfrmsg *m)
{
	if (m->ancount == 0 && m->messages > 0)
		return 0;
	return send_msg(m);
}

int
rb_xfrmsg_error(struct rb_xfrmsg *m, int rcode)
{
	m->flags = (uint16_t)((m->flags & ~AA) | (rcode & 0xf));
	m->messages = 0;
	begin(m);
	return send_msg(m);
}
