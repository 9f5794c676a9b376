/*
 * xfrmsg: packing records into transfer messages.  A record is written at
 * the end of the current message; when that makes the message pass
 * RB_XFRMSG_TARGET (or not fit at all) the record is taken back, the
 * message is flushed, and the record starts the next one.  So every
 * message holds whole records and at most one record's worth over the
 * target.
 *
 * Compression keeps the offsets of the label starts written so far in
 * this message (the first RB_XFRMSG_COMP of them, below 0x4000) and, for
 * each suffix of a new name, longest first, looks for an earlier name
 * equal to it (ASCII case-insensitive, following pointers).  Rdata names
 * are compressed only for the RFC 1035 types whose rdata layout is known
 * (NS, CNAME, PTR, MX, SOA), as RFC 3597 section 4 allows.
 */

#include <errno.h>
#include <string.h>

#include "dname.h"
#include "xfrmsg.h"

#define HDR 12
#define AA 0x0400
#define QR 0x8000
#define RD 0x0100

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

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

	put16(b, v);
	put(m, b, 2);
}

static void
put_u32(struct rb_xfrmsg *m, uint32_t v)
{
	put_u16(m, (uint16_t)(v >> 16));
	put_u16(m, (uint16_t)v);
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Does the (maybe compressed) name at off in the message equal the
 * uncompressed name n? */
static int
name_at_equals(const struct rb_xfrmsg *m, size_t off, const uint8_t *n)
{
	const uint8_t *p = m->buf + 2;

	for (int hops = 0; hops < 64;) {
		if (off >= m->len)
			return 0;
		if ((p[off] & 0xc0) == 0xc0) {
			if (off + 1 >= m->len)
				return 0;
			off = (size_t)(p[off] & 0x3f) << 8 | p[off + 1];
			hops++;
			continue;
		}
		if (p[off] != *n || off + 1 + p[off] > m->len)
			return 0;
		if (*n == 0)
			return 1;
		for (size_t i = 1; i <= *n; i++) {
			if (lower(p[off + i]) != lower(n[i]))
				return 0;
		}
		off += 1 + (size_t)*n;
		n += 1 + *n;
	}
	return 0;
}

static int
find_suffix(const struct rb_xfrmsg *m, const uint8_t *n)
{
	for (size_t i = 0; i < m->ncomp; i++) {
		if (name_at_equals(m, m->comp[i], n))
			return m->comp[i];
	}
	return -1;
}

static void
remember(struct rb_xfrmsg *m, size_t off)
{
	if (m->ncomp < RB_XFRMSG_COMP && off < 0x4000)
		m->comp[m->ncomp++] = (uint16_t)off;
}

/* Write the valid uncompressed name n, compressed where it can be. */
static void
put_name(struct rb_xfrmsg *m, const uint8_t *n)
{
	size_t i = 0;
	int at = -1;

	while (n[i] != 0 && (at = find_suffix(m, n + i)) < 0)
		i += 1 + (size_t)n[i];
	for (size_t j = 0; j < i; j += 1 + (size_t)n[j])
		remember(m, m->len + j);
	put(m, n, i);
	if (n[i] == 0)
		put(m, n + i, 1);
	else
		put_u16(m, (uint16_t)(0xc000 | at));
}

/* Write the rdata of a type whose names sit at known places (NS, CNAME,
 * PTR: a name; MX: 2 bytes, a name; SOA: two names, 20 bytes) with its
 * names compressed.  Returns 0, writing nothing, for any other type or
 * an rdata without that layout (the caller copies it as it is). */
static int
put_known_rdata(
    struct rb_xfrmsg *m, uint16_t type, const uint8_t *r, size_t len)
{
	size_t pre = type == 15 ? 2 : 0, names = type == 6 ? 2 : 1;
	size_t off = pre, tail = type == 6 ? 20 : 0;
	int n;

	if (type != 2 && type != 5 && type != 12 && type != 15 && type != 6)
		return 0;
	for (size_t k = 0; k < names; k++) {
		if (off > len ||
		    (n = rb_dname_wire_len(r + off, len - off)) < 0)
			return 0;
		off += (size_t)n;
	}
	if (off + tail != len)
		return 0;
	put(m, r, pre);
	off = pre;
	for (size_t k = 0; k < names; k++) {
		put_name(m, r + off);
		off += (size_t)rb_dname_wire_len(r + off, len - off);
	}
	put(m, r + off, tail);
	return 1;
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
	if (!put_known_rdata(m, rr->type, rr->rdata, rr->rdlen))
		put(m, rr->rdata, rr->rdlen);
	if (!m->overflow)
		put16(msg(m) + rdstart - 2, (uint16_t)(m->len - rdstart));
}

/* A new message: header, and the question in the first one only. */
static void
begin(struct rb_xfrmsg *m)
{
	uint8_t *p = msg(m);

	memset(p, 0, HDR);
	put16(p, m->id);
	put16(p + 2, m->flags);
	m->len = HDR;
	m->ancount = 0;
	m->ncomp = 0;
	m->overflow = 0;
	if (m->messages == 0) {
		put16(p + 4, 1);
		if (m->qlen > 0 && m->question[0] != 0)
			remember(m, HDR);
		put(m, m->question, m->qlen);
	}
}

static int
send_msg(struct rb_xfrmsg *m)
{
	put16(m->buf, (uint16_t)m->len);
	put16(msg(m) + 6, m->ancount);
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
	size_t len = m->len, ncomp = m->ncomp;

	put_rr(m, rr);
	if (m->overflow || (m->len > RB_XFRMSG_TARGET && m->ancount > 0)) {
		/* Take it back, send what is there, start over with it. */
		m->len = len;
		m->ncomp = ncomp;
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
