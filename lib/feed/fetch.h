#ifndef RB_FEED_FETCH_H
#define RB_FEED_FETCH_H

/*
 * Downloading one feed with libcurl: HTTPS only, redirects followed by us
 * (at most 5, each target checked as a new URL), every address checked
 * at connect time, a byte cap we count ourselves, timeouts, conditional
 * GET.  The body is handed to a sink as it arrives and is never stored.
 * curl types stay in feedfetch.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "feed/url.h"

#define RB_FETCH_REDIRECTS 5

enum rb_fetch_status { RB_FETCH_OK, RB_FETCH_UNCHANGED, RB_FETCH_ERROR };

struct rb_fetch_opts {
	const char *ca_file; /* PEM CAs; NULL = the system's */
	const struct rb_feed_url_allow
	    *allow;                /* exempt addresses; may be NULL */
	uint64_t max_bytes;        /* body cap, after decompression */
	long connect_timeout;      /* seconds, per connection */
	long timeout;              /* seconds, per request */
	const char *etag;          /* for If-None-Match; NULL = none */
	const char *last_modified; /* for If-Modified-Since */
	/* Body bytes of a 200 answer, in order; -1 aborts the download. */
	int (*sink)(void *ctx, const char *buf, size_t len);
	void *sink_ctx;
	/* Polled about once a second; nonzero aborts (SIGTERM). May be NULL. */
	int (*cancel)(void *ctx);
	void *cancel_ctx;
};

struct rb_fetch_result {
	enum rb_fetch_status status;
	long http_code;
	uint64_t bytes;         /* body bytes received */
	char etag[256];         /* of the answer; "" when none */
	char last_modified[64]; /* of the answer; "" when none */
	char error[256];        /* why, when status is RB_FETCH_ERROR */
};

/* Fill o with the defaults: 100 MiB, 10 s to connect, 600 s per request
 * and a stall limit of 30 s under 1 KiB/s. */
void rb_fetch_opts_init(struct rb_fetch_opts *o);

/* Fetch url (borrowed).  Returns 0 with r->status OK (the whole body went
 * to the sink) or UNCHANGED (304), or -1 with r->status ERROR and
 * r->error saying why; the sink may have seen part of a body then. */
int rb_feed_fetch(const char *url, const struct rb_fetch_opts *o,
    struct rb_fetch_result *r);

#endif
