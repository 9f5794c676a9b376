/*
 * fz_xfr: any bytes as what reaches us from the network for transfers and
 * NOTIFY: parsed as a transfer query (lib/answer/xfrq) and, when it parses,
 * answered with the one-SOA IXFR over UDP from a small zones.cdb fixture
 * and started as a transfer stream (lib/zone/xfrmsg, whose compression reads
 * back the question's name); and checked as the response to a NOTIFY of
 * the fixture's zone (lib/zone/notify).  Traps when a reply is empty or
 * exceeds its buffer, or a message frame lies about its length.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "answer/xfrq.h"
#include "zone/notify.h"
#include "zone/xfrmsg.h"

static const uint8_t apex[] = "\002ex\004test";
static const uint8_t soa[] = "\0\0\1\54\0\53"
                             "\002ns\002ex\004test\000\001h\002ex\004test\000"
                             "\0\0\0\7\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1";
static struct rb_cdbmap_gen *zones;
static struct rb_xfrmsg m;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fz_xfr.XXXXXX";
	uint8_t key[1 + sizeof apex];
	struct cdb_make cm;
	int fd = mkstemp(path);

	key[0] = 'Z';
	memcpy(key + 1, apex, sizeof apex);
	if (fd < 0 || cdb_make_start(&cm, fd) < 0 ||
	    cdb_make_add(&cm, key, (unsigned)sizeof key, soa,
	        (unsigned)(sizeof soa - 1)) < 0 ||
	    cdb_make_finish(&cm) < 0 || close(fd) < 0 ||
	    (zones = rb_cdbmap_gen_open(path)) == NULL)
		abort();
	unlink(path);
	return 0;
}

static int
check_frame(void *arg, const uint8_t *frame, size_t len)
{
	if (len < 14 || len > 2 + 65535 ||
	    (size_t)(frame[0] << 8 | frame[1]) != len - 2)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_zonedb_rr rr = { apex, sizeof apex, 6, 300, soa + 6,
		sizeof soa - 7 };
	uint8_t out[RB_DNS_UDP_MIN];
	struct rb_xfrq q;
	int rcode;

	if (rb_xfrq_parse(&q, data, size) == 0) {
		(void)rb_xfrq_is_transfer(&q);
		size_t n = rb_xfrq_udp_reply(&q, zones, out, sizeof out,
		    &rcode);
		/* 0 would say the (sound) fixture is damaged. */
		if (n < 12 || n > sizeof out)
			abort();
		rb_xfrmsg_init(&m, q.wq.id, q.wq.flags, q.question, q.qlen,
		    check_frame, NULL);
		if (rb_xfrmsg_add(&m, &rr) < 0 || rb_xfrmsg_add(&m, &rr) < 0 ||
		    rb_xfrmsg_finish(&m) < 0)
			abort();
	}
	if (size >= 2)
		(void)rb_notify_response(data, size,
		    (uint16_t)(data[0] << 8 | data[1]), apex, sizeof apex);
	return 0;
}
