#ifndef RB_SYNC_CLIENT_H
#define RB_SYNC_CLIENT_H

/*
 * A slave's HTTPS client to its master (doc/rb-syncd.md), on libcurl with
 * trust on first use: the master's self-signed certificate is accepted
 * only when its SHA-256 fingerprint equals the pin (or, with no pin yet,
 * recorded for the caller to pin).  One request at a time, keep-alive
 * between them; the caller's descriptors (signals, inotify) are watched
 * during a transfer, so a long poll never delays a SIGTERM.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sync/proto.h"

struct rb_sync_client;

enum rb_sync_fail {
	RB_SYNC_FAIL_NONE,  /* an HTTP answer arrived (any status) */
	RB_SYNC_FAIL_NET,   /* connect, TLS, timeout, I/O */
	RB_SYNC_FAIL_PIN,   /* the certificate is not the pinned one */
	RB_SYNC_FAIL_BIG,   /* the body passed the caller's limit */
	RB_SYNC_FAIL_CANCEL /* the wake callback said stop */
};

struct rb_sync_client_resp {
	long status;                  /* HTTP status, 0 when none */
	char *body;                   /* malloc'd, NUL-terminated; NULL when
	                                 the body went to a descriptor */
	size_t len;                   /* body bytes received */
	char sha256[65];              /* X-Runbound-SHA256, lower-case, or "" */
	char peer_fp[RB_SYNC_FP_LEN]; /* the master's fingerprint, or "" */
	enum rb_sync_fail fail;
	char error[256];
};

/* During a transfer, when any of fds[0..nfds) is readable, cb(ctx) runs;
 * a nonzero return abandons the transfer (RB_SYNC_FAIL_CANCEL). */
struct rb_sync_client_wake {
	int fds[4];
	int nfds;
	int (*cb)(void *ctx);
	void *ctx;
};

/* One request. */
struct rb_sync_client_req {
	const char *path; /* "/sync/delta?since=3", borrowed */
	const char *pin;  /* fingerprint to require; NULL: first contact
	                     (any certificate, a fresh connection) */
	int auth;         /* send the Bearer sync-key */
	size_t max;       /* body limit in bytes */
	long timeout;     /* seconds for the whole request */
	int out_fd;       /* >= 0: body to this descriptor, not memory */
	const struct rb_sync_client_wake *wake; /* may be NULL */
};

/* A client for master "host:port" with sync-key key (both copied).
 * NULL with e set on failure. */
struct rb_sync_client *rb_sync_client_new(const char *master, const char *key,
    struct rb_err *e);

/* Forget open connections (after SIGHUP, or a pin change). */
void rb_sync_client_reset(struct rb_sync_client *c);

void rb_sync_client_free(struct rb_sync_client *c);

/* Run q and fill r (release with rb_sync_client_resp_fini).  0 when an HTTP
 * answer arrived, whatever its status; -1 with r->fail and r->error. */
int rb_sync_client_get(struct rb_sync_client *c,
    const struct rb_sync_client_req *q, struct rb_sync_client_resp *r);

void rb_sync_client_resp_fini(struct rb_sync_client_resp *r);

#endif
