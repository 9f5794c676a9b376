#ifndef RB_AXFR_XFR_H
#define RB_AXFR_XFR_H

/*
 * rb-axfr's state, shared by main.c (options, config, the socket) and
 * xfr.c (the queries and the transfers).
 */

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "answer/acl.h"
#include "base/ipaddr.h"
#include "zone/xfrmsg.h"

struct xfr {
	char root[PATH_MAX];
	struct rb_acl allow; /* allow-transfer */
	struct rb_ipaddr client;
	char client_text[RB_IPADDR_TEXT];
	uint8_t in[2 + 65535]; /* one framed query at most */
	size_t inlen;
	struct rb_xfrmsg out;
};

/* Answer every query on fd 0 until the client closes or idles.  Returns
 * the exit code: 0, or 111 after a connection error. */
int xfr_serve(struct xfr *x);

#endif
