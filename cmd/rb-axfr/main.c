/*
 * rb-axfr: zone transfers out over one TCP connection (doc/rb-axfr.md),
 * djbdns's axfrdns for rb-dnsd.  rb-dnsd hands over a connection whose
 * first query asks for AXFR or IXFR: the socket is fd 0 and the bytes
 * rb-dnsd had already read arrive hex-encoded in -q.  rb-axfr answers
 * queries on it, one at a time, until the client closes it or stays idle:
 *
 * - AXFR (RFC 5936): the zone's SOA, every record, the SOA again, packed
 *   into as many messages as needed (lib/zone/xfrmsg).
 * - IXFR (RFC 1995) with the client's serial S: one SOA when S is not
 *   older than ours; else, when a kept version (lib/zone/zonehist) has the zone
 *   at S, the condensed difference; else the whole zone in AXFR form.
 * - A client outside allow-transfer, or any other query: REFUSED; a zone
 *   not in data/zones.cdb: NOTAUTH.
 *
 * The zones are read from ROOT/data/zones.cdb, opened afresh per query, so
 * a rebuilt file is seen by the next query and a transfer in progress
 * keeps the file it started with.  Blocking I/O is fine here: this
 * process serves one client.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer/acl.h"
#include "answer/xfrq.h"
#include "base/hex.h"
#include "base/log.h"
#include "conf/conf.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "wire/dname.h"

#include "xfr.h"

#define IDLE_S 30  /* a client silent this long is dropped */
#define WRITE_S 60 /* a client that takes nothing this long too */

static struct xfr x;

static const char usage_text[] =
    "usage: rb-axfr [-d ROOT] [-q HEX] [-v]  (socket on fd 0)\n";

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print(usage_text, help));
}

/* -q HEX: bytes rb-dnsd read before the hand-over, into the input. */
static void
prefill(struct xfr *t, const char *hex)
{
	long n = rb_hex_decode(hex, strlen(hex), t->in, sizeof t->in);

	if (n < 0)
		rb_die(100,
		    "-q: not an even number of hex digits making at "
		    "most %zu bytes",
		    sizeof t->in);
	t->inlen = (size_t)n;
}

static void
load_conf(struct xfr *t)
{
	char path[PATH_MAX + 16], msg[1024];
	struct rb_diag d = { 0 };
	struct rb_conf *c;

	if (snprintf(path, sizeof path, "%s/runbound.conf", t->root) >=
	    (int)sizeof path)
		rb_die(100, "state root path too long");
	c = access(path, F_OK) < 0 && errno == ENOENT ?
	    rb_conf_default() :
	    rb_conf_load(path, &d, NULL, NULL);
	if (c == NULL)
		rb_die(100, "%s", rb_diag_str(&d, msg, sizeof msg));
	rb_acl_init(&t->allow);
	if (rb_xfrq_acl(&t->allow, c, &d) < 0)
		rb_die(100, "allow-transfer: %s", d.msg);
	rb_conf_free(c);
}

/* The peer of fd 0, blocking, with time limits both ways. */
static void
setup_socket(struct xfr *t)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct timeval rt = { IDLE_S, 0 }, wt = { WRITE_S, 0 };
	int fl = fcntl(0, F_GETFL);

	if (getpeername(0, (struct sockaddr *)&ss, &sl) < 0 ||
	    rb_ipaddr_from_sockaddr(&t->client, (struct sockaddr *)&ss) < 0)
		rb_die(100, "fd 0 is not a connected TCP socket: %s",
		    strerror(errno));
	if (rb_ipaddr_to_text(&t->client, t->client_text,
	        sizeof t->client_text) < 0)
		snprintf(t->client_text, sizeof t->client_text, "?");
	if (fl < 0 || fcntl(0, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(0, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof rt) < 0 ||
	    setsockopt(0, SOL_SOCKET, SO_SNDTIMEO, &wt, sizeof wt) < 0)
		rb_die(111, "unable to set up the socket: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
	const char *root = NULL, *hex = NULL;
	struct rb_err e = { 0 };
	int opt, verbose = 0;

	rb_log_init("rb-axfr", 0);
	while ((opt = rb_usage_getopt(argc, argv, "d:q:vh")) != -1) {
		switch (opt) {
		case 'd':
			root = optarg;
			break;
		case 'q':
			hex = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(opt == 'h');
		}
	}
	if (optind != argc)
		usage(0);
	rb_log_init("rb-axfr", verbose);
	if (rb_command_root(root, x.root, sizeof x.root, &e) < 0)
		rb_die(rb_err_exit_code(&e), "%s", e.details);
	if (hex != NULL)
		prefill(&x, hex);
	load_conf(&x);
	setup_socket(&x);
	return xfr_serve(&x);
}
