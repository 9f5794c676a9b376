/*
 * udpfloor: the least CPU a DNS server on kernel UDP sockets spends per
 * query, measured beside rb-dnsd and unbound by bench/dnsd.sh.  It does
 * nothing a server could skip: a blocking recvmmsg of up to 32 queries,
 * each sent back as its own reply (the query with QR set, which dnsperf
 * counts as answered), one sendmmsg, DF on replies as rb-dnsd sets it.  No
 * parsing, no lookup, no epoll, no clock.  Whatever it costs per query is
 * kernel work every such server pays, so floor/unbound is the smallest
 * CPU ratio rb-dnsd could reach against unbound on this machine.
 *
 * Usage: udpfloor PORT (binds 127.0.0.1; runs until killed).
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 32
#define BUF 512

static struct mmsghdr msg[BATCH];
static struct iovec iov[BATCH];
static struct sockaddr_in from[BATCH];
static unsigned char buf[BATCH][BUF];

static int
bind_port(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, val = IP_PMTUDISC_PROBE;
	long p = strtol(port, NULL, 10);

	if (p <= 0 || p > 65535)
		return -1;
	a.sin_port = htons((unsigned short)p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof val) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	return fd;
}

static void
arm(void)
{
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = BUF;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &from[i];
		msg[i].msg_hdr.msg_namelen = sizeof from[i];
	}
}

int
main(int argc, char **argv)
{
	int fd;

	if (argc != 2 || (fd = bind_port(argv[1])) < 0) {
		fprintf(stderr, "usage: udpfloor PORT (a free port): %s\n",
		    strerror(errno));
		return 100;
	}
	for (;;) {
		int n;

		arm();
		n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (msg[i].msg_len >= 3)
				buf[i][2] |= 0x80; /* QR: a response */
			iov[i].iov_len = msg[i].msg_len;
		}
		for (int sent = 0, r; sent<n; sent += r> 0 ? r : 1)
			r = sendmmsg(fd, msg + sent, (unsigned)(n - sent), 0);
	}
}
