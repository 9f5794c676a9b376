/*
 * xfr: rb-axfr's queries.  One query is read whole (2-byte length, then
 * the message), answered completely, then the next is read.  An answer
 * goes out as it is built, message by message, so a zone of any size
 * needs one 64 KB buffer, plus for IXFR the two record lists of the
 * difference.  Each transfer logs one line:
 *
 *   rb-axfr: info: axfr zone=example.com. client=127.0.0.1 serial=7 records=41
 * messages=1 rb-axfr: info: ixfr zone=example.com. client=127.0.0.1 from=6
 * serial=7 kind=incremental deleted=1 added=2 messages=1
 *
 * where kind is incremental, current (one SOA: the client is up to date)
 * or full (no kept version at the client's serial: the AXFR form).
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "answer/xfrq.h"
#include "base/log.h"
#include "wire/dname.h"
#include "zone/zonedb.h"
#include "zone/zonediff.h"
#include "zone/zonever.h"

#include "xfr.h"

/* What one transfer answers from: the query and the current zone. */
struct job {
	struct xfr *x;
	const struct rb_xfrq *q;
	struct rb_zonedb *db;
	struct rb_zonedb_rr soa;
	uint32_t serial;
	char zone[4 * RB_DNAME_MAX + 2];
	int werr; /* a write failed: errno saved here */
};

static int
send_all(void *arg, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(0, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until a whole frame heads the input: its length, 0 at the end
 * (closed, idle or a zero-length frame), -1 on a read error. */
static long
read_frame(struct xfr *x)
{
	for (;;) {
		size_t want = x->inlen >= 2 ?
		    2 + ((size_t)x->in[0] << 8 | x->in[1]) :
		    2;
		ssize_t n;

		if (x->inlen >= 2 && want == 2)
			return 0;
		if (x->inlen >= want)
			return (long)(want - 2);
		n = read(0, x->in + x->inlen, sizeof x->in - x->inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0; /* idle past SO_RCVTIMEO */
		if (n <= 0)
			return n < 0 ? -1 : 0;
		x->inlen += (size_t)n;
	}
}

/* A header-only reply (FORMERR) for a query that cannot be parsed. */
static int
formerr(const uint8_t *pkt, size_t len)
{
	uint8_t r[2 + 12] = { 0, 12 };

	if (len < 12 || (pkt[2] & 0x80))
		return 0; /* no ID to answer, or an answer: say nothing */
	memcpy(r + 2, pkt, 4);
	r[4] = (uint8_t)((pkt[2] & 0x79) | 0x80); /* QR, opcode, RD */
	r[5] = 1;                                 /* FORMERR */
	return send_all(NULL, r, sizeof r);
}

static int
add_rr(void *arg, const struct rb_zonedb_rr *rr)
{
	struct job *j = arg;

	if (rb_xfrmsg_add(&j->x->out, rr) < 0) {
		j->werr = errno;
		return 1;
	}
	return 0;
}

/* Every record of the zone but the SOA; 0, or -1 (werr or damaged). */
static int
add_zone(struct job *j)
{
	int r = rb_zonedb_each(j->db, j->q->zone, j->q->zlen, add_rr, j);

	if (r < 0)
		rb_error("data/zones.cdb is damaged: %s", strerror(errno));
	return r == 0 ? 0 : -1;
}

static void
start(struct job *j)
{
	rb_xfrmsg_init(&j->x->out, j->q->wq.id, j->q->wq.flags, j->q->question,
	    j->q->qlen, send_all, NULL);
}

/* SOA, the zone, SOA: AXFR, and IXFR's AXFR form. */
static int
full(struct job *j)
{
	start(j);
	if (add_rr(j, &j->soa) || add_zone(j) < 0 || add_rr(j, &j->soa) ||
	    rb_xfrmsg_finish(&j->x->out) < 0)
		return -1;
	return 0;
}

static int
add_list(struct job *j, const struct rb_zonedb_rr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (add_rr(j, &v[i]))
			return -1;
	}
	return 0;
}

/* The condensed difference from old (which holds the zone at the
 * client's serial): 1 sent, 0 when old cannot be used, -1 on error. */
static int
incremental(struct job *j, struct rb_zonedb *old, size_t *ndel, size_t *nadd)
{
	struct rb_zonediff d;
	struct rb_zonedb_rr osoa;
	int r = -1;

	if (rb_zonedb_soa(old, j->q->zone, j->q->zlen, &osoa) <= 0)
		return 0;
	if (rb_zonediff_make(&d, old, j->db, j->q->zone, j->q->zlen) < 0) {
		rb_zonediff_fini(&d);
		rb_warn("ixfr zone=%s: no difference: %s", j->zone,
		    strerror(errno));
		return 0;
	}
	start(j);
	if (add_rr(j, &j->soa) == 0 && add_rr(j, &osoa) == 0 &&
	    add_list(j, d.del, d.ndel) == 0 && add_rr(j, &j->soa) == 0 &&
	    add_list(j, d.add, d.nadd) == 0 && add_rr(j, &j->soa) == 0 &&
	    rb_xfrmsg_finish(&j->x->out) == 0)
		r = 1;
	*ndel = d.ndel;
	*nadd = d.nadd;
	rb_zonediff_fini(&d);
	return r;
}

/* Does every other kept version with the zone at serial s hold the same
 * zone as old?  A zone edited without a new serial is at s in versions
 * that differ, and the client may hold any of them: then only the whole
 * zone is safe. */
static int
one_zone_at(struct job *j, struct rb_zonedb *old, uint32_t s)
{
	char path[PATH_MAX];
	struct rb_zonediff d;
	struct rb_zonedb *other;
	int same = 1;

	for (size_t k = 1; same &&
	     rb_zonever_find(j->x->root, j->zone, s, k, path, sizeof path) == 1;
	     k++) {
		if ((other = rb_zonedb_open(path)) == NULL)
			return 0;
		same = rb_zonediff_make(&d, old, other, j->q->zone,
		           j->q->zlen) == 0 &&
		    d.ndel == 0 && d.nadd == 0;
		rb_zonediff_fini(&d);
		rb_zonedb_close(other);
	}
	if (!same)
		rb_warn("ixfr zone=%s: serial %u stands for different contents "
		        "in the kept builds (changed without a new serial): "
		        "the "
		        "whole zone",
		    j->zone, (unsigned)s);
	return same;
}

/* The kept version with the zone at serial s, diffed and sent: as
 * incremental. */
static int
from_history(struct job *j, uint32_t s, size_t *ndel, size_t *nadd)
{
	char path[PATH_MAX];
	struct rb_zonedb *old;
	int r = rb_zonever_find(j->x->root, j->zone, s, 0, path, sizeof path);

	if (r < 0)
		rb_warn("store/zones.json: %s", strerror(errno));
	if (r <= 0)
		return 0;
	if ((old = rb_zonedb_open(path)) == NULL) {
		rb_warn("unable to open %s: %s", path, strerror(errno));
		return 0;
	}
	r = one_zone_at(j, old, s) ? incremental(j, old, ndel, nadd) : 0;
	rb_zonedb_close(old);
	return r;
}

/* RFC 1982: is serial a the same as b or newer? */
static int
not_older(uint32_t a, uint32_t b)
{
	return a == b || (int32_t)(a - b) > 0;
}

static int
ixfr(struct job *j)
{
	uint32_t s = j->q->serial;
	size_t ndel = 0, nadd = 0;
	const char *kind = "incremental";
	int r;

	if (not_older(s, j->serial)) {
		kind = "current";
		start(j);
		r = add_rr(j, &j->soa) || rb_xfrmsg_finish(&j->x->out) < 0 ?
		    -1 :
		    0;
	} else if ((r = from_history(j, s, &ndel, &nadd)) == 0) {
		kind = "full";
		r = full(j);
	}
	if (r < 0)
		return -1;
	rb_info("ixfr zone=%s client=%s from=%u serial=%u kind=%s deleted=%zu "
	        "added=%zu messages=%zu",
	    j->zone, j->x->client_text, s, j->serial, kind, ndel, nadd,
	    j->x->out.messages);
	return 0;
}

static int
axfr(struct job *j)
{
	if (full(j) < 0)
		return -1;
	rb_info("axfr zone=%s client=%s serial=%u records=%zu messages=%zu",
	    j->zone, j->x->client_text, j->serial, j->x->out.records,
	    j->x->out.messages);
	return 0;
}

static int
refuse(struct job *j, int rcode, const char *why)
{
	rb_info("refused zone=%s client=%s type=%u: %s", j->zone,
	    j->x->client_text, j->q->wq.qtype, why);
	start(j);
	return rb_xfrmsg_error(&j->x->out, rcode);
}

/* A transfer of a zone we hold, from a client that may have it. */
static int
transfer(struct job *j)
{
	char path[PATH_MAX + 32];
	int r;

	if (snprintf(path, sizeof path, "%s/data/zones.cdb", j->x->root) >=
	    (int)sizeof path)
		return refuse(j, RB_RCODE_SERVFAIL, "state root path too long");
	j->db = rb_zonedb_open(path);
	if (j->db == NULL && errno != ENOENT) {
		rb_error("unable to open %s: %s", path, strerror(errno));
		return refuse(j, RB_RCODE_SERVFAIL,
		    "data/zones.cdb unreadable");
	}
	r = j->db ? rb_zonedb_soa(j->db, j->q->zone, j->q->zlen, &j->soa) : 0;
	if (r <= 0) {
		r = refuse(j, r < 0 ? RB_RCODE_SERVFAIL : RB_RCODE_NOTAUTH,
		    r < 0 ? "data/zones.cdb is damaged" : "not a zone of ours");
	} else {
		/* rb_zonedb_soa checked the rdata: this cannot fail. */
		(void)rb_zonedb_serial(j->soa.rdata, j->soa.rdlen, &j->serial);
		if (j->q->wq.qtype == RB_TYPE_AXFR)
			r = axfr(j);
		else if (!j->q->has_serial)
			r = refuse(j, RB_RCODE_FORMERR, "IXFR without a SOA");
		else
			r = ixfr(j);
		if (r < 0 && j->werr == 0)
			r = refuse(j, RB_RCODE_SERVFAIL, "transfer failed");
	}
	rb_zonedb_close(j->db);
	return r;
}

static int
answer(struct xfr *x, const uint8_t *pkt, size_t len)
{
	struct rb_xfrq q;
	struct job j = { .x = x, .q = &q };

	if (rb_xfrq_parse(&q, pkt, len) < 0)
		return formerr(pkt, len);
	if (rb_dname_to_text(q.zone, j.zone, sizeof j.zone) < 0)
		snprintf(j.zone, sizeof j.zone, "?");
	if (!rb_xfrq_is_transfer(&q))
		return refuse(&j, RB_RCODE_REFUSED, "not a transfer");
	if (!rb_xfrq_allowed(&x->allow, &x->client))
		return refuse(&j, RB_RCODE_REFUSED, "not in allow-transfer");
	if (transfer(&j) < 0) {
		if (j.werr != 0)
			errno = j.werr;
		return -1;
	}
	return 0;
}

int
xfr_serve(struct xfr *x)
{
	long n;

	while ((n = read_frame(x)) > 0) {
		if (answer(x, x->in + 2, (size_t)n) < 0) {
			rb_warn("client=%s: connection lost: %s",
			    x->client_text, strerror(errno));
			return 111;
		}
		x->inlen -= 2 + (size_t)n;
		memmove(x->in, x->in + 2 + n, x->inlen);
	}
	if (n < 0) {
		rb_warn("client=%s: read: %s", x->client_text, strerror(errno));
		return 111;
	}
	return 0;
}
